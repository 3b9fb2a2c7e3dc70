"""Which PDF library reads Chinese reports best? pypdf against pdfminer.six.

Every seed and, when ../shared/dev-reports is beside the project, every development
report is rendered as a PDF twice (an embedded TrueType font, as Word and WPS write,
and the non-embedded Adobe CID font STSong-Light), then read back by each library.
Printed per library and font: the share of the source's characters recovered in order
(whitespace ignored), characters that were not in the source, and seconds.

    .venv/bin/python benchmarks/compare_pdf_readers.py
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from renderings import as_pdf  # noqa: E402

from dangjian.ingest.reading import read_report  # noqa: E402


def _pypdf(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(path)


def _dangjian(path: Path) -> str:
    return read_report(path).text


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def score(source: str, found: str) -> tuple[int, int, int]:
    """(source characters recovered in order, source characters, extra characters found)."""
    a, b = _compact(source), _compact(found)
    matched = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return matched, len(a), len(b) - matched


def main() -> None:
    sources = sorted((ROOT / "seeds").glob("*.txt"))
    dev = ROOT.parent / "shared" / "dev-reports"
    if dev.is_dir():
        sources += sorted(dev.glob("*.txt"))
    readers = {"pypdf": _pypdf, "pdfminer.six": _pdfminer, "dangjian (pdfminer.six + rejoin)": _dangjian}
    with tempfile.TemporaryDirectory() as tmp:
        for font in ("ttf", "cid"):
            rendered = []
            for source in sources:
                lines = [line.strip() for line in source.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
                path = as_pdf(lines, 0, Path(tmp) / f"{source.stem}-{font}.pdf", font=font)
                rendered.append(("\n".join(lines), path))
            for name, reader in readers.items():
                clock = time.perf_counter()
                matched = total = extra = 0
                for text, path in rendered:
                    m, t, e = score(text, reader(path))
                    matched, total, extra = matched + m, total + t, extra + e
                seconds = time.perf_counter() - clock
                print(f"{font:4} {name:34} recovered {matched / total:7.3%} of {total:,} characters; "
                      f"{extra:,} characters not in the source; {seconds:.1f} s ({len(rendered)} PDFs)")


if __name__ == "__main__":
    main()

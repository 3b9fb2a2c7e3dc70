"""Do the readers give what the .txt gives? Render every report of a folder as a web page
(UTF-8 and GBK), a Word document and a PDF (tests/renderings.py), build them all beside
the .txt files, and print each rendering whose paragraphs, brands, formulas or metrics
differ from its .txt, and any page furniture that reached a paragraph.

    .venv/bin/python benchmarks/compare_formats.py [FOLDER]   # default ../shared/dev-reports
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from renderings import (COMPARED, FURNITURE, RENDERINGS, as_docx, as_html, as_pdf, comparable_rows,  # noqa: E402
                        rendering_doc_id, report_lines)

import dangjian  # noqa: E402
from dangjian.corpus import CatalogWarning  # noqa: E402


def main(folder: Path) -> int:
    sources = sorted(folder.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)
        out = Path(tmp)
        for path in sources:
            shutil.copy(path, out / path.name)
        plain = dangjian.build_corpus(out)
        for path in sources:
            paragraphs = plain.paragraphs[plain.paragraphs["doc_id"] == path.stem]
            lines, title_at, headings = report_lines(path, paragraphs)
            date = plain.documents.set_index("doc_id").at[path.stem, "date"] or ""
            date = date if len(date) == 10 else "2020-01-01"
            (out / f"{path.stem}.html").write_bytes(as_html(lines, title_at, "utf-8", date))
            (out / f"{path.stem}-gbk.htm").write_bytes(as_html(lines, title_at, "gbk", date))
            as_docx(lines, title_at, headings, out / f"{path.stem}.docx")
            as_pdf(lines, title_at, out / f"{path.stem}.pdf")
        corpus = dangjian.build_corpus(out)
    for file, reason in corpus.failures.itertuples(index=False):
        print(f"FAILED {file}: {reason}")
    ids = set(corpus.documents["doc_id"])
    agree = total = 0
    for path in sources:
        for suffix in RENDERINGS:
            doc_id = rendering_doc_id(path.stem, suffix)
            if doc_id not in ids:
                continue
            total += 1
            differ = [t for t in COMPARED if not comparable_rows(corpus, t, doc_id).equals(comparable_rows(corpus, t, path.name))]
            text = "\n".join(corpus.paragraphs.loc[corpus.paragraphs["doc_id"] == doc_id, "text_original"])
            leaked = [piece for piece in FURNITURE if piece in text]
            if differ or leaked:
                print(f"{doc_id}: differs in {', '.join(differ) or '-'}; furniture in paragraphs: {leaked or '-'}")
            else:
                agree += 1
    print(f"{agree} of {total} renderings of {len(sources)} reports agree with their .txt")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "dev-reports"))

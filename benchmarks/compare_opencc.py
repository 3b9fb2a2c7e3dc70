"""Which OpenCC configuration serves the traditional-script reports better: t2s or tw2s?

Prints, for each configuration, the characters a second pass with the other configuration
would still change (leftovers such as 著 in 随著), and the evaluation scores on the
development corpus (../shared/dev-reports) when it is there. Run: python benchmarks/compare_opencc.py
"""
from __future__ import annotations

import sys
from collections import Counter

import opencc

from dangjian.ingest import cleaning
from dangjian.config import PROJECT_ROOT
from dangjian.ingest.reading import read_report

DEV = PROJECT_ROOT.parent / "shared" / "dev-reports"
CONFIGS = ("t2s", "tw2s")


def leftovers(texts: list[str]) -> dict[str, Counter]:
    """Characters that one configuration leaves and the other would still convert."""
    out = {}
    for config in CONFIGS:
        converted = [opencc.OpenCC(config).convert(t) for t in texts]
        other = opencc.OpenCC(next(c for c in CONFIGS if c != config))
        counts = Counter()
        for text in converted:
            again = other.convert(text)
            counts.update(a for a, b in zip(text, again) if a != b)
        out[config] = counts
    return out


def main() -> int:
    folders = [PROJECT_ROOT / "seeds"] + ([DEV] if DEV.is_dir() else [])
    texts = []
    for folder in folders:
        for path in sorted(folder.glob("*.txt")):
            text = read_report(path).text
            if cleaning.detect_script(text, opencc.OpenCC("t2s").convert(text))[0] != "simplified":
                texts.append(text)
    print(f"{len(texts)} traditional or mixed reports")
    for config, counts in leftovers(texts).items():
        print(f"{config}: {sum(counts.values())} characters the other configuration would still change: "
              f"{' '.join(f'{c}×{n}' for c, n in counts.most_common(12))}")
    if DEV.is_dir():
        from dangjian.evaluate import evaluate

        for config in CONFIGS:
            cleaning.OPENCC_CONFIG = config
            cleaning._converter.cache_clear()
            result, _ = evaluate(DEV)
            f1 = result.scores.set_index("field")["f1"].round(3).to_dict()
            print(f"{config}: F1 on the development corpus {f1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The main job (``dangjian report``) on the five seeds and on synthetic batches of 300 and
2,000 reports, in one run: time as a ratio to the seeds' time, page sizes, peak memory.
Prints figures, and exits 1 if a run fails or a page is over its budget (a benchmark, not a
timed test): a notebook page 5 MB, the index 1 MB, the report pages 100 KB per report on average.

    .venv/bin/python benchmarks/bench_report.py              # seeds, 300 and 2,000 reports (make bench-report)
    .venv/bin/python benchmarks/bench_report.py --sizes 300  # other sizes

A synthetic batch copies the seeds round-robin (300 reports are about 1.8 MB) and lists every
copy in a checked catalog whose ``org_id`` puts two to three reports in each of many organizations
(``--per-group``), so that the batch has far more groups than the pages show by name and the
pooling into "other" is exercised as on a real new batch. Each job runs in a fresh process;
``main_peak_mb`` is that process's peak resident memory and ``kernel_peak_mb`` the largest
notebook kernel's.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
PAGE_LIMIT_MB = 5.0
INDEX_LIMIT_MB = 1.0
DOC_PAGES_LIMIT_KB = 100.0  # per report, on average

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from dangjian.present.report import run_report
start = time.perf_counter()
result = run_report(Path(sys.argv[1]), Path(sys.argv[2]))
seconds = time.perf_counter() - start
pages = sorted(result.reports.glob("[0-9]*.html"))
docs = list((result.reports / "docs").glob("*.html"))
print(json.dumps({"seconds": seconds, "failures": result.failures,
                  "index_mb": (result.reports / "index.html").stat().st_size / 1e6,
                  "doc_pages_kb": sum(p.stat().st_size for p in docs) / 1e3 / max(len(docs), 1),
                  "workbook_mb": (result.reports / "tables.xlsx").stat().st_size / 1e6,
                  "largest_page": max(pages, key=lambda p: p.stat().st_size).name,
                  "largest_page_mb": max(p.stat().st_size for p in pages) / 1e6,
                  "main_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "kernel_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def make_batch(folder: Path, n_reports: int, per_group: int) -> int:
    """``n_reports`` copies of the seeds with a catalog grouping them ``per_group`` to an organization."""
    seeds = sorted(SEEDS.glob("*.txt"))
    written = 0
    with open(folder / "catalog.csv", "w", newline="", encoding="utf-8") as handle:
        columns = ["file", "status", "org_id", "org_label", "org_label_source", "sector", "sector_source", "notes"]
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for i in range(n_reports):
            seed = seeds[i % len(seeds)]
            name = f"{i:05d}_{seed.name}"
            (folder / name).write_bytes(seed.read_bytes())
            written += seed.stat().st_size
            # group sizes vary (per_group, per_group + 1, …) so that the ranking by reports means something
            group = i // (per_group + (i % 3 == 0))
            writer.writerow({"file": name, "status": "checked", "org_id": f"unit-{group:04d}",
                             "org_label": f"单位{group:04d}", "org_label_source": "synthetic",
                             "sector": "DEB"[i % 3], "sector_source": "synthetic", "notes": f"copy of {seed.name}"})
    return written


def run(folder: Path, out: Path) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(out)], capture_output=True, text=True,
                          env={**os.environ, "CI": "true"})
    if done.returncode:
        raise SystemExit(f"the report on {folder} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - start
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 2000], help="reports per synthetic batch")
    parser.add_argument("--per-group", type=int, default=2, help="reports per synthetic organization")
    parser.add_argument("--readme", help="also rewrite the bench-report block of this Markdown file (docs/notebooks.md)")
    args = parser.parse_args()
    rows, bad = [], 0
    with tempfile.TemporaryDirectory(prefix="dangjian-bench-report-") as tmp:
        base = run(SEEDS, Path(tmp) / "seeds")
        rows.append(("seeds (5)", sum(p.stat().st_size for p in SEEDS.glob("*.txt")), base))
        for size in args.sizes:
            folder = Path(tmp) / f"batch{size}"
            folder.mkdir()
            n_bytes = make_batch(folder, size, args.per_group)
            rows.append((f"{size} reports", n_bytes, run(folder, Path(tmp) / f"out{size}")))
    print(f"{'batch':<14} {'input MB':>8} {'seconds':>8} {'× seeds':>8} {'largest page':>28} {'MB':>6} "
          f"{'index MB':>8} {'KB/report':>9} {'xlsx MB':>7} {'main MB':>8} {'kernel MB':>9}  problems")
    for name, n_bytes, r in rows:
        problems = (len(r["failures"]) + (r["largest_page_mb"] >= PAGE_LIMIT_MB) + (r["index_mb"] >= INDEX_LIMIT_MB)
                    + (r["doc_pages_kb"] >= DOC_PAGES_LIMIT_KB))
        bad += problems
        print(f"{name:<14} {n_bytes / 1e6:>8.2f} {r['seconds']:>8.1f} {r['seconds'] / base['seconds']:>8.2f} "
              f"{r['largest_page']:>28} {r['largest_page_mb']:>6.2f} {r['index_mb']:>8.2f} {r['doc_pages_kb']:>9.1f} "
              f"{r['workbook_mb']:>7.2f} {r['main_peak_mb']:>8.0f} {r['kernel_peak_mb']:>9.0f}  {problems}")
        for failure in r["failures"]:
            print(f"    {failure}")
    print(f"\nBudgets: 2,000 reports at most 3.0 × the seeds' time; every notebook page under {PAGE_LIMIT_MB:.0f} MB, "
          f"the index under {INDEX_LIMIT_MB:.0f} MB, the report pages under {DOC_PAGES_LIMIT_KB:.0f} KB per report.")
    if args.readme and not bad:
        from dangjian.cli import replace_block

        lines = ["| batch | input | time, × the seeds' | largest page | index | report pages per report | workbook "
                 "| main process peak | largest kernel peak |", "|---|---|---|---|---|---|---|---|---|"]
        lines += [f"| {name} | {n_bytes / 1e6:.2f} MB | {r['seconds'] / base['seconds']:.2f} | "
                  f"{r['largest_page_mb']:.2f} MB | {r['index_mb']:.2f} MB | {r['doc_pages_kb']:.0f} KB | "
                  f"{r['workbook_mb']:.2f} MB | {r['main_peak_mb'] / 1024:.2f} GB | {r['kernel_peak_mb'] / 1024:.2f} GB |"
                  for name, n_bytes, r in rows]
        lines.append(f"\n(The seeds took {base['seconds']:.0f} s in this run.)")
        replace_block(Path(args.readme), "bench-report", "\n".join(lines))
        print(f"updated the bench-report block of {args.readme}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""The build's speed against an earlier commit's, measured in the same run: a benchmark, not a test.

    .venv/bin/python benchmarks/bench_against.py bf191bf              # 50 MB, three pairs
    .venv/bin/python benchmarks/bench_against.py bf191bf --mb 10 100 --pairs 2

This shared machine's speed drifts by ±10-40% within minutes, so figures taken in different
hours cannot be compared: this script checks the commit out in a temporary git worktree and
builds the same synthetic corpus (``bench_build.make_corpus``) with each tree in turn, the two
builds of a pair back to back, each as ``bench_build`` times it (a ratio to plain jieba timed just
before and just after). It prints each build and, per size, the mean of the current tree's ratios
over the earlier commit's: 0.95 means this tree builds 5% slower. Run nothing else meanwhile.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_build  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def compare(revision: str, sizes: list[float], pairs: int) -> dict[float, float]:
    """Per size, mean ratio of this tree over ``revision`` (both as multiples of plain jieba)."""
    quotients = {}
    with tempfile.TemporaryDirectory(prefix="dangjian-against-") as tmp:
        earlier = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(earlier), revision], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            trees = {revision: earlier / "lib", "this tree": ROOT / "lib"}
            for mb in sizes:
                ratios: dict[str, list[float]] = {name: [] for name in trees}
                for _ in range(pairs):
                    for name, lib in trees.items():
                        os.environ["PYTHONPATH"] = str(lib)  # the child build imports dangjian from here
                        result = bench_build.bench_build(mb, "rjieba", 0)
                        ratio = mb / result["seconds"] / result["jieba_mb_s"]
                        ratios[name].append(ratio)
                        passes = {k.split(" (")[0]: round(v, 1) for k, v in result["passes"].items()}
                        print(f"{mb:g} MB  {name:>12}  {ratio:.2f} times plain jieba  {result['seconds']:.1f} s  "
                              f"{json.dumps(passes)}  drift {result['jieba_drift']:.0%}", flush=True)
                quotients[mb] = sum(ratios["this tree"]) / sum(ratios[revision])
                print(f"{mb:g} MB  this tree / {revision}: {quotients[mb]:.3f}", flush=True)
        finally:
            os.environ.pop("PYTHONPATH", None)
            subprocess.run(["git", "worktree", "remove", "--force", str(earlier)], cwd=ROOT, capture_output=True)
    return quotients


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("revision", help="the earlier commit to compare with")
    parser.add_argument("--mb", type=float, nargs="+", default=[50], help="corpus sizes in MB")
    parser.add_argument("--pairs", type=int, default=3, help="builds of each tree per size, alternating")
    args = parser.parse_args()
    compare(args.revision, args.mb, args.pairs)


if __name__ == "__main__":
    main()

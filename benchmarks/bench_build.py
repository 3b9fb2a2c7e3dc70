"""Speed and memory of the full build and of tokenisation, on a synthetic corpus made by
replicating the seeds. Prints figures; asserts nothing (a benchmark, not a test).

    .venv/bin/python benchmarks/bench_build.py            # 10, 50 and 100 MB corpora (make bench)
    .venv/bin/python benchmarks/bench_build.py --mb 5 20  # other sizes
    .venv/bin/python benchmarks/bench_build.py --readme docs/speed.md   # also write the table in docs/speed.md

Speeds on this shared machine drift by ±40%, so every speed is printed as a ratio to a
baseline timed in the same run: plain jieba (``jieba.lcut``, one process) segmenting the
same report texts, timed just before and just after the build (their mean is the baseline; how
far the two differ is printed as the drift). For each size it runs ``dangjian build`` in a fresh
process (so that peak memory is that build's own) and reports its speed as that ratio, the peak resident memory
of the main process and of the largest worker, and the output's size as a multiple of the
input's. With the dask extra it then builds the first size on a Dask LocalCluster of one
and of two workers and prints the speed-up. Last, on one core, it tokenises the sentences
of a smaller corpus with each backend, and measures the build's compiled floor (see
``bench_tokenize_and_floor``). Sizes are of the raw report files.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEED_TARGET = 2.0  # the build's speed as a multiple of plain jieba's (issue 14)
SEEDS = ROOT / "seeds"

CHILD = r"""
import json, resource, sys, time, warnings
from dangjian.build import build
warnings.simplefilter("ignore")
start = time.perf_counter()
dask = {"none": None, "local": True}[sys.argv[5]] if len(sys.argv) > 5 else None
result = build(sys.argv[1], sys.argv[2], backend=sys.argv[3], workers=int(sys.argv[4]) or None, dask=dask)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "bytes": result.n_bytes, "rows": result.rows, "workers": result.settings["workers"],
                  "passes": result.seconds,
                  "main_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def make_corpus(folder: Path, megabytes: float) -> int:
    seeds = sorted(SEEDS.glob("*.txt"))
    target, written, i = megabytes * 1_000_000, 0, 0
    while written < target:
        seed = seeds[i % len(seeds)]
        shutil.copyfile(seed, folder / f"{i:06d}_{seed.name}")
        written += seed.stat().st_size
        i += 1
    return written


def bench_build(megabytes: float, backend: str, workers: int, dask: str = "none") -> dict:
    with tempfile.TemporaryDirectory(prefix="dangjian-bench-") as tmp:
        corpus, out = Path(tmp) / "reports", Path(tmp) / "out"
        corpus.mkdir()
        make_corpus(corpus, megabytes)
        # The baseline brackets the build: timed once just before it and once just after, so that the
        # machine's drift during the build moves both sides of the ratio.
        jieba_before = plain_jieba_speed(corpus)
        done = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(out), backend, str(workers), dask],
                              capture_output=True, text=True, check=True, env={**os.environ, "CI": "true"})
        jieba_after = plain_jieba_speed(corpus)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["output_mb"] = sum(p.stat().st_size for p in out.iterdir()) / 1e6
        result["jieba_mb_s"] = (jieba_before + jieba_after) / 2
        result["jieba_drift"] = abs(jieba_before - jieba_after) / result["jieba_mb_s"]
    return result


def plain_jieba_speed(corpus: Path, sample_mb: float = 2.0) -> float:
    """MB/s of raw report bytes that plain jieba (``jieba.lcut``, HMM on, one process) segments,
    timed on the first ``sample_mb`` of the corpus's reports (after loading its dictionary)."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    texts, n_bytes = [], 0
    for path in sorted(corpus.iterdir()):
        if n_bytes >= sample_mb * 1e6:
            break
        data = path.read_bytes()
        texts.append(data.decode("utf-8", errors="replace"))
        n_bytes += len(data)
    start = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    return n_bytes / 1e6 / (time.perf_counter() - start)


def bench_tokenize_and_floor(megabytes: float) -> dict:
    """Tokenisation alone with each backend, and the build's compiled floor, on one core.

    Tokenisation is timed as the build does it: ``token_table`` on batches of sentences
    (segmentation, offsets, filters). The floor is the CPU time of the work the build hands
    to compiled libraries and cannot leave out: rjieba's segmentation with POS tags, OpenCC's
    conversion, and writing the build's output tables as CSV and Parquet (with the build's
    ``TableWriter``, each table in one piece). No Python-level
    change can make a build on ``cores`` cores faster than ``cores`` × MB / floor.
    """
    import opencc
    import pyarrow.parquet as pq

    from dangjian.build import SENTENCE_BATCH_ROWS, build
    from dangjian.writer import TableWriter
    from dangjian.ingest.cleaning import OPENCC_CONFIG
    from dangjian.stats.tokens import Segmenter, token_table

    with tempfile.TemporaryDirectory(prefix="dangjian-bench-") as tmp:
        corpus, out, again = Path(tmp) / "reports", Path(tmp) / "out", Path(tmp) / "again"
        corpus.mkdir()
        raw_bytes = make_corpus(corpus, megabytes)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            build(corpus, out, workers=1)
        sentences = pq.read_table(out / "sentences.parquet", columns=["text"]).column("text").to_pylist()
        n_bytes = sum(len(s.encode("utf-8")) for s in sentences)
        batches = [sentences[i:i + SENTENCE_BATCH_ROWS] for i in range(0, len(sentences), SENTENCE_BATCH_ROWS)]
        figures = {"mb": n_bytes / 1e6, "raw_mb": raw_bytes / 1e6}
        for backend in ("rjieba", "jieba"):
            segmenter = Segmenter(backend)
            start = time.perf_counter()
            for batch in batches:
                token_table([""] * len(batch), [""] * len(batch), batch, [0] * len(batch), segmenter)
            figures[backend] = n_bytes / 1e6 / (time.perf_counter() - start)

        segmenter = Segmenter("rjieba")
        floor = {"segmentation": _cpu_seconds(lambda: [segmenter.pairs(text) for text in sentences])}
        texts = [path.read_text(encoding="utf-8", errors="replace") for path in sorted(corpus.glob("*.txt"))]
        converter = opencc.OpenCC(OPENCC_CONFIG)
        floor["OpenCC"] = _cpu_seconds(lambda: [converter.convert(text) for text in texts])
        tables = {path.stem: pq.read_table(path) for path in out.glob("*.parquet")}

        def write_all():  # the build's own writer, each table handed over whole
            writer = TableWriter(again, tables)
            for name, table in tables.items():
                writer.append(name, table)
            writer.close()

        floor["writing"] = _cpu_seconds(write_all)
        figures["floor"] = floor
    return figures


def _cpu_seconds(work) -> float:
    """The least CPU time of three runs (this process's own, threads included)."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[10, 50, 100], help="corpus sizes in MB")
    parser.add_argument("--workers", type=int, default=0, help="processes (0: the build's default)")
    parser.add_argument("--tokenize-mb", type=float, default=5, help="corpus for the backend comparison and the floor")
    parser.add_argument("--readme", help="also rewrite the bench-build block of this Markdown file (docs/speed.md)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    header = ("| corpus | build vs plain jieba | seconds | main peak | worker peak | output | output / input |\n"
              "|---:|---:|---:|---:|---:|---:|---:|")
    lines, ratios = [header], []
    for megabytes in args.mb:
        r = bench_build(megabytes, "rjieba", args.workers)
        speed = r["bytes"] / 1e6 / r["seconds"]
        lines.append(f"| {r['bytes'] / 1e6:.0f} MB | {speed / r['jieba_mb_s']:.2f} | {r['seconds']:.1f} | "
                     f"{r['main_peak_mb']:.0f} MB | {r['worker_peak_mb']:.0f} MB | {r['output_mb']:.0f} MB | "
                     f"{r['output_mb'] / (r['bytes'] / 1e6):.1f} |")
        ratios.append(speed / r["jieba_mb_s"])
        print(lines[-1], f" ({r['workers']} workers; " + ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in r["passes"].items())
            + f"; plain jieba {r['jieba_mb_s']:.2f} MB/s, drift {r['jieba_drift']:.0%} between before and after)")
    dask_line = ""
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("Dask: not installed (pip install -e '.[dask]'); skipped")
    else:
        one = bench_build(args.mb[0], "rjieba", 1, dask="local")
        two = bench_build(args.mb[0], "rjieba", 2, dask="local")
        dask_line = (f"Dask LocalCluster, {one['bytes'] / 1e6:.0f} MB: one worker {one['seconds']:.1f} s, two workers "
                     f"{two['seconds']:.1f} s, speed-up {one['seconds'] / two['seconds']:.2f}x (cluster start-up "
                     "included).")
        print(dask_line)
    t = bench_tokenize_and_floor(args.tokenize_mb)
    print(f"tokenisation alone (segment, offsets, filters), one core, {t['mb']:.1f} MB of sentences: "
          f"rjieba {t['rjieba']:.1f} MB/s, jieba {t['jieba']:.1f} MB/s ({t['rjieba'] / t['jieba']:.0f}x)")
    floor = t["floor"]
    total = sum(floor.values())
    cores = os.cpu_count() or 1
    per_10mb = 10 / t["raw_mb"]
    print(f"compiled floor per 10 MB of reports: {total * per_10mb:.2f} CPU-s ("
          + ", ".join(f"{name} {seconds * per_10mb:.2f}" for name, seconds in floor.items())
          + f"); no build on {cores} cores can beat {cores * t['raw_mb'] / total:.1f} MB/s")
    if args.readme:
        from dangjian.cli import replace_block

        met = min(ratios) >= SPEED_TARGET
        verdict = (f"Speed target (at least {SPEED_TARGET:.1f} times plain jieba at every size): "
                   f"{'met' if met else '**not met**'}; lowest ratio {min(ratios):.2f}.")
        block = "\n".join(lines) + f"\n\n{verdict}" + (f"\n\n{dask_line}" if dask_line else "") + \
            f"\n\n({cores} cores, rjieba, the build's default workers.)"
        replace_block(Path(args.readme), "bench-build", block)
        print(f"updated the bench-build block of {args.readme}")


if __name__ == "__main__":
    main()

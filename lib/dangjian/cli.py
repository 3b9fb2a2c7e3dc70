"""Command line: ``dangjian build [SEEDS_DIR] [--out DIR] [--csv all] [--dask [ADDRESS]]`` and the other commands."""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from .config import FIGURES_DIR, PROCESSED_DIR, SEEDS_DIR



def _build(args: argparse.Namespace) -> int:
    from .build import build

    seeds, out = Path(args.seeds), Path(args.out)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = build(seeds, out, backend=args.backend, workers=args.workers, csv=args.csv, dask=args.dask)
    except (FileNotFoundError, ValueError, RuntimeError, OSError) as exc:
        print(f"dangjian build: {exc}", file=sys.stderr)
        return 2
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    rows = result.rows
    print(f"Built {rows['documents']} report(s) from {seeds} into {out}: {rows['paragraphs']} paragraphs, "
          f"{rows['sentences']} sentences, {rows['removed']} removed pieces; {rows['brands']} brands, "
          f"{rows['formulas']} formula mentions, {rows['metrics']} metrics, {rows['reconciliation']} "
          f"reconciliation rows; {rows['tokens']} tokens.")
    for file, why in result.settings.get("sidecar_files", {}).items():
        print(f"  not a report: {file} ({why})")
    if result.failures:
        print(f"{len(result.failures)} file(s) failed:", file=sys.stderr)
        for file, reason in result.failures:
            print(f"  {file}: {reason}", file=sys.stderr)
        return 1
    if not rows["documents"]:
        from .ingest.reading import PATTERNS

        print(f"dangjian build: no reports ({PATTERNS}) in {seeds}", file=sys.stderr)
        return 1
    return 0


def _figures(args: argparse.Namespace) -> int:
    from .load import load_corpus
    from .present.figures import make_figures

    from .present.groups import group_reports

    corpus = load_corpus(Path(args.source))
    if corpus.documents.empty:
        print(f"dangjian figures: no reports in {args.source}", file=sys.stderr)
        return 1
    try:
        grouping = group_reports(corpus.documents, args.group_by, args.top_groups)
    except ValueError as exc:
        print(f"dangjian figures: {exc}", file=sys.stderr)
        return 2
    drawn = make_figures(corpus, Path(args.out), grouping)
    print(f"Wrote {len(drawn.paths())} figures to {args.out}")
    for name, reason in drawn.skipped.items():
        print(f"  no {name} chart: {reason}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .present.report import NoReportsError, run_report

    try:
        result = run_report(Path(args.seeds), Path(args.out) if args.out else None, workers=args.workers,
                            group_by=args.group_by, top_groups=args.top_groups, command=["dangjian", *sys.argv[1:]])
    except (NoReportsError, FileNotFoundError, ValueError) as exc:
        print(f"dangjian report: {exc}", file=sys.stderr)
        return 2
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"Tables:  {result.tables}")
    print(f"Figures: {result.figures}")
    print(f"Reports: {result.reports / 'index.html'}")
    for title, full, reader in result.pages:
        print(f"  {title}: {reader.name} (with code: {full.name})")
    if result.failures:
        print(f"{len(result.failures)} problem(s):", file=sys.stderr)
        for problem in result.failures:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


def _catalog(args: argparse.Namespace) -> int:
    from .ingest.catalog import CatalogError, write_catalog
    from .load import build_corpus

    folder = Path(args.folder)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            corpus = build_corpus(folder, workers=args.workers)
        path, counts = write_catalog(folder, corpus.documents)
    except (FileNotFoundError, ValueError, CatalogError, OSError) as exc:
        print(f"dangjian catalog: {exc}", file=sys.stderr)
        return 2
    for warning in caught:
        if "not listed in" not in str(warning.message):  # this command is how a report gets listed
            print(f"warning: {warning.message}", file=sys.stderr)
    print(f"Wrote {path}: {counts['added']} report(s) added, {counts['refreshed']} inferred row(s) refreshed, "
          f"{counts['checked']} checked row(s) kept as they are"
          + (f", {counts['not built']} row(s) of files that did not build kept" if counts["not built"] else "") + ".")
    print("Correct a row and set its status to checked; the build then takes its values over its own.")
    for file, reason in zip(corpus.failures["file"], corpus.failures["reason"]):
        print(f"  not built: {file}: {reason}", file=sys.stderr)
    return 1 if len(corpus.failures) else 0


def _counts(args: argparse.Namespace) -> int:
    from .corpus import counts_markdown
    from .load import build_corpus

    table = counts_markdown(build_corpus(Path(args.seeds)))
    if not args.readme:
        print(table)
        return 0
    replace_block(Path(args.readme), "counts", table)
    print(f"updated the counts in {args.readme}")
    return 0


def replace_block(readme: Path, name: str, content: str) -> None:
    """Rewrite the generated block between <!-- NAME:start --> and <!-- NAME:end --> of a README."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = readme.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{readme} has no block {start} … {end}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{content}\n{end}{tail}", encoding="utf-8")


def _evaluate_coding(args: argparse.Namespace) -> int:
    from .coding import coding_markdown, coding_scores
    from .load import load_corpus

    gold = Path(args.gold or args.reports)
    try:
        table = coding_markdown(coding_scores(load_corpus(Path(args.reports)), gold))
    except (FileNotFoundError, ValueError) as exc:
        print(f"dangjian evaluate --coding: {exc}", file=sys.stderr)
        return 2
    print(f"Theme coding and approach evidence of {args.reports}, against the labels in {gold}:\n\n{table}")
    if args.readme:
        replace_block(Path(args.readme), "coding", table)
        print(f"\nupdated the coding block in {args.readme}")
    return 0


def block_text(text: str, name: str) -> str:
    """The generated block NAME of a Markdown text (see ``replace_block``)."""
    return text.split(f"<!-- {name}:start -->\n", 1)[1].split(f"\n<!-- {name}:end -->", 1)[0]


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, misses_text, scores_markdown, split_markdown, write_evaluation

    if args.coding:
        return _evaluate_coding(args)
    try:
        result, errors = evaluate(Path(args.reports), args.gold, include=args.include, exclude=args.exclude)
    except (FileNotFoundError, ValueError) as exc:
        print(f"dangjian evaluate: {exc}", file=sys.stderr)
        return 2
    settings = result.settings
    print(f"Scored {settings['n_gold']} of {settings['n_reports']} report(s) in {args.reports} "
          f"against the gold files in {settings['gold']}.\n")
    print(scores_markdown(result))
    if args.split is not None:
        print("\n" + split_markdown(result, args.split))
    if len(result.misses):
        print("\nMisses and extras, by report:")
        print(misses_text(result))
    if result.unscored:
        print(f"\n{len(result.unscored)} report(s) without gold, scored on nothing: {', '.join(result.unscored)}")
    if args.summary:
        from .evaluate import summary_markdown

        if args.split is None:
            print("dangjian evaluate: --summary needs --split SEED (the summary reports the gap between the halves)",
                  file=sys.stderr)
            return 2
        docs = Path(args.summary).read_text(encoding="utf-8")
        new, _ = evaluate(Path(args.reports), args.gold, include="batch2-*")
        table = summary_markdown(block_text(docs, "scores:dev-new-first"), block_text(docs, "scores:dev-new-first-placement"),
                                 new, result, args.split)
        replace_block(Path(args.readme), "scores:summary", table)
        print(f"\nupdated the summary scores in {args.readme}")
        return 0
    if args.readme:
        block = scores_markdown(result) + (f"\n\n{split_markdown(result, args.split)}" if args.split is not None else "")
        replace_block(Path(args.readme), f"scores:{args.block}", block)
        print(f"\nupdated the {args.block} scores in {args.readme}")
    if args.out:
        paths = write_evaluation(result, Path(args.out))
        print(f"\nWrote {', '.join(str(p) for p in paths)}")
    if errors:
        print(f"{len(errors)} gold file(s) could not be used:", file=sys.stderr)
        for file, reason in errors:
            print(f"  {file}: {reason}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    from .present.groups import DEFAULT_GROUP_BY, DEFAULT_TOP_GROUPS
    from .stats.tokens import BACKENDS, DEFAULT_BACKEND

    parser = argparse.ArgumentParser(prog="dangjian", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the tables from a folder of reports")
    build.add_argument("seeds", nargs="?", default=str(SEEDS_DIR), help="folder of reports (default: seeds/)")
    build.add_argument("--out", default=str(PROCESSED_DIR), help="output folder (default: data/processed/)")
    build.add_argument("--backend", default=DEFAULT_BACKEND, choices=BACKENDS,
                       help=f"segmenter (default: {DEFAULT_BACKEND})")
    build.add_argument("--workers", type=int, default=None,
                       help="processes (default: all cores for 40 reports or more, else 1; with --dask and no "
                            "address, the LocalCluster's workers)")
    build.add_argument("--csv", default="excel", choices=("excel", "all"),
                       help="excel (default): CSV for the tables analysts open in Excel, Parquet for all; "
                            "all: CSV for every table too")
    build.add_argument("--dask", nargs="?", const=True, default=None, metavar="ADDRESS",
                       help="run the per-report passes on Dask: on the scheduler at ADDRESS (tcp://host:8786), "
                            "or on a LocalCluster started here when no address is given (needs the dask extra)")
    build.set_defaults(func=_build)
    report = sub.add_parser("report", help="the main job: build, run every notebook, write figures and HTML reports")
    report.add_argument("seeds", nargs="?", default=str(SEEDS_DIR), help="folder of reports (default: seeds/)")
    report.add_argument("--out", default=None,
                        help="put tables/, figures/ and reports/ under this folder (default: data/processed/, "
                             "figures/ and reports/ of the project)")
    report.add_argument("--workers", type=int, default=None, help="processes for the build")
    report.add_argument("--group-by", default=DEFAULT_GROUP_BY,
                        help="compare groups of reports by: auto (default: the finest of organization, "
                             "parent_group and sector at which reports meet), organization, parent_group, sector, "
                             "region, org_id, year, report, or any documents column")
    report.add_argument("--top-groups", type=int, default=DEFAULT_TOP_GROUPS,
                        help=f"groups shown by name, the rest pooled as 'other' (default: {DEFAULT_TOP_GROUPS})")
    report.set_defaults(func=_report)
    figures = sub.add_parser("figures", help="draw the charts and word clouds")
    figures.add_argument("source", nargs="?", default=str(PROCESSED_DIR),
                         help="built tables (default: data/processed/) or a folder of reports")
    figures.add_argument("--out", default=str(FIGURES_DIR), help="output folder (default: figures/)")
    figures.add_argument("--group-by", default=DEFAULT_GROUP_BY, help="as for report")
    figures.add_argument("--top-groups", type=int, default=DEFAULT_TOP_GROUPS, help="as for report")
    figures.set_defaults(func=_figures)
    catalog = sub.add_parser("catalog", help="write or refresh catalog.csv beside the reports: the organization, "
                                             "parent group, sector and region inferred for each, to check")
    catalog.add_argument("folder", nargs="?", default=str(SEEDS_DIR), help="folder of reports (default: seeds/)")
    catalog.add_argument("--workers", type=int, default=None, help="processes for the build")
    catalog.set_defaults(func=_catalog)
    counts = sub.add_parser("counts", help="print the README's cleaning-counts table for a folder of reports")
    counts.add_argument("seeds", nargs="?", default=str(SEEDS_DIR))
    counts.add_argument("--readme", help="rewrite the counts block of this Markdown file (docs/pipeline.md) instead of printing")
    counts.set_defaults(func=_counts)
    evaluate = sub.add_parser("evaluate", help="score the extraction against hand-labelled gold files (NAME.json)")
    evaluate.add_argument("reports", help="folder of reports, or of built tables (then --gold is needed)")
    evaluate.add_argument("--gold", default=None, help="folder of gold files (default: beside the reports)")
    evaluate.add_argument("--out", default=None, help="write evaluation_scores/misses/per_report.csv here")
    evaluate.add_argument("--include", default=None, metavar="PATTERN",
                          help="score only the reports whose name matches this shell pattern (batch2-*)")
    evaluate.add_argument("--exclude", default=None, metavar="PATTERN",
                          help="score only the reports whose name does not match this shell pattern")
    evaluate.add_argument("--split", type=int, default=None, metavar="SEED",
                          help="also score two halves of the reports, split by file with this seed, and their gap")
    evaluate.add_argument("--readme", help="rewrite the scores block of this Markdown file (docs/evaluation.md; see --block)")
    evaluate.add_argument("--summary", metavar="EVALUATION_MD",
                          help="with --readme: write the summary block (the first measurement on the batch2-* reports, "
                               "read from this file, beside today's scores on them and on the whole folder, and the gap "
                               "between the halves of --split, which it needs)")
    evaluate.add_argument("--block", default="seeds", help="which README scores block: seeds, dev, dev-new or dev-new-first (default: seeds)")
    evaluate.add_argument("--coding", action="store_true",
                          help="score the theme coding and the approach evidence against the sentences labelled in "
                               "themes.csv and approach.csv of the gold folder instead (with --readme: its coding block)")
    evaluate.set_defaults(func=_evaluate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

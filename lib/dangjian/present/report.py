"""The main job: build the tables, execute every notebook in order, check them, and
export self-contained HTML reports with an index (``dangjian report``).

Each notebook is executed with papermill, its parameters cell given the table and
figure folders. Failures are collected, not raised at the first: a cell error, a
warning printed by a cell (a missing glyph among them), an empty figure or image.
Every notebook is exported twice: with code (``NN_name.html``) and for readers,
without code cells (``NN_name.reader.html``). HTML in the reports' text is
escaped where it enters a page (``dangjian.present.narrative.quote`` for prose, pandas
for tables, nbconvert for plain output), and every exported page is checked to
hold no script, event handler or javascript: link at all, so a leak fails the run.
"""
from __future__ import annotations

import io
import os
import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat
import numpy as np

from ..config import DATA_DIR, FIGURES_DIR, PROCESSED_DIR, PROJECT_ROOT, REPORTS_DIR
from .groups import DEFAULT_GROUP_BY, DEFAULT_TOP_GROUPS, check_grouping

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
TEMPLATES_DIR = DATA_DIR / "templates"
BLANK_STD = 3.0  # an image whose pixels vary less than this is empty


class NoReportsError(Exception):
    """The folder gave no report to build: it is empty, holds no report file, or every file failed."""


@dataclass
class ReportResult:
    tables: Path
    figures: Path
    reports: Path
    pages: list[tuple[str, Path, Path]] = field(default_factory=list)  # (title, full, reader)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # from the build: reports the catalog does not list
    group_by: str = DEFAULT_GROUP_BY
    grouped_by: str = ""  # the grouping used: group_by, or the level AUTO chose
    top_groups: int = DEFAULT_TOP_GROUPS
    summary: str = ""  # one sentence on the batch and its groups, for the index page


def notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def _blank(data: bytes) -> bool:
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=float)
    return pixels.size == 0 or pixels.std() < BLANK_STD


def check_outputs(path: Path, errors: bool = True) -> list[str]:
    """Problems in an executed notebook: errors (unless papermill reported them), printed warnings, blank images."""
    import base64

    problems = []
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            where = f"{path.name} cell {index}"
            if errors and output.get("output_type") == "error":
                problems.append(f"{where}: {output.get('ename')}: {output.get('evalue')}")
            if output.get("output_type") == "stream" and output.get("name") == "stderr" and "Warning" in output.get("text", ""):
                problems.append(f"{where}: warning printed: {output['text'].strip().splitlines()[-1][:200]}")
            image = output.get("data", {}).get("image/png")
            if image and _blank(base64.b64decode(image)):
                problems.append(f"{where}: an empty image")
    return problems


_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT_OPEN = re.compile(r"<script\b", re.IGNORECASE)
_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
_JS_URL = re.compile(r"<[a-z][^>]*\s(?:href|src)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def _template_pattern(template: str, holes: dict[str, str]) -> re.Pattern:
    """A pattern matching ``template`` exactly, but for ``holes`` (literal → regex), with any run of
    white space matching any other."""
    pattern = re.escape(template.strip())
    for literal, regex in holes.items():
        pattern = pattern.replace(re.escape(literal), regex)
    pattern = re.sub(r"(?:\\\s|\\\n|\\ |\s)+", r"\\s*", pattern)
    return re.compile(pattern, re.DOTALL)


@lru_cache(maxsize=1)
def vetted_scripts() -> tuple[re.Pattern, ...]:
    """The only scripts a page may carry: those itables writes in offline mode, made from its own
    templates (so a new itables version is vetted by its templates, not by a copy of them): the
    DataTables bundle it ships, embedded as is; its dark-mode switch; each table's set-up with its
    data as JSON; and the switch from a table's static preview to the table."""
    from itables import __version__ as version
    from itables import options
    from itables.javascript import generate_init_offline_itables_html
    from itables.utils import read_package_file

    underscore = f"_itables_{version.replace('.', '_').replace('-', '_')}"
    table_id = r"[A-Za-z0-9_]+"
    bundle = _SCRIPT.search(generate_init_offline_itables_html(options.dt_bundle)).group(1)  # the exact bundle
    dark = (f"const {{ set_or_remove_dark_class }} = await window.{underscore};\n"
            "    set_or_remove_dark_class();")
    table = _SCRIPT.search(read_package_file("html/datatables_template_offline.html")).group(1)
    return (
        re.compile(re.escape(bundle.strip())),
        _template_pattern(dark, {}),
        _template_pattern(table, {"#table_id": f"#{table_id}", "_itables_underscore_version": underscore,
                                  "itables-version-ready": re.escape(f"itables-{version}-ready"),
                                  "let dt_args = {};": r"let dt_args = \{[^<]*(?:<(?!/script)[^<]*)*\};"}),
        re.compile(rf'document\.getElementById\("({table_id})"\)\?\.removeAttribute\("hidden"\);'
                   rf'document\.getElementById\("\1_fallback"\)\?\.setAttribute\("hidden", "hidden"\);'),
    )


def check_html(path: Path) -> list[str]:
    """Live markup in an exported page: a script that is not one itables writes (``vetted_scripts``),
    an event-handler attribute or a javascript: link is a leak."""
    text = path.read_text(encoding="utf-8")
    problems = []
    vetted = vetted_scripts()
    spans = []
    for m in _SCRIPT.finditer(text):
        body = m.group(1).strip()
        if not any(pattern.fullmatch(body) for pattern in vetted):
            problems.append(f"{path.name}: a <script> element not written by the table library at character "
                            f"{m.start()}: {text[m.start():m.start() + 60]!r}")
        spans.append((m.start(), m.end()))
    outside = "".join(text[a:b] for a, b in zip([0] + [e for _, e in spans], [s for s, _ in spans] + [len(text)]))
    if m := _SCRIPT_OPEN.search(outside):
        problems.append(f"{path.name}: an unclosed <script> element: {outside[m.start():m.start() + 60]!r}")
    for name, pattern in (("an event-handler attribute", _HANDLER), ("a javascript: link", _JS_URL)):
        if m := pattern.search(outside):
            problems.append(f"{path.name}: {name} at character {m.start()}: {outside[m.start():m.start() + 60]!r}")
    return problems


def export_html(executed: Path, target: Path, readers: bool) -> Path:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATES_DIR)], template_name="dangjian_html",
                            embed_images=True)
    if readers:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    target.write_text(body, encoding="utf-8")
    return target


def _title(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            return cell.source.lstrip().splitlines()[0].lstrip("# ").strip()
    return path.stem


@contextmanager
def _environment_default(name: str, value: str):
    """``name=value`` in this process's environment (which kernels inherit) unless already set,
    for the duration only: calling ``run_report`` from Python leaves the environment as it was."""
    if name in os.environ:
        yield
        return
    os.environ[name] = value
    try:
        yield
    finally:
        os.environ.pop(name, None)


def _kernel_options() -> dict:
    """Run kernels over local sockets (IPC) where the system has them. Over loopback TCP,
    ipykernel 7 warns once per notebook that the traffic is unencrypted; IPC sockets are
    files only this user can reach, and nothing goes through the network stack."""
    if os.name != "posix":
        return {}
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class LocalSocketKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

    return {"kernel_manager_class": LocalSocketKernelManager}


def execute_notebook(notebook: Path, executed: Path, parameters: dict) -> None:
    """Execute ``notebook`` with ``parameters`` into ``executed``, in the notebook's own folder."""
    import papermill

    papermill.execute_notebook(str(notebook), str(executed), cwd=str(notebook.parent), progress_bar=False,
                               kernel_name="python3", log_output=False, parameters=parameters,
                               **_kernel_options())


def _batch_summary(tables: Path, group_by: str, top_groups: int) -> tuple[str, str]:
    """The index page's sentence on the batch and the grouping used (AUTO resolved), from the built
    documents table."""
    import pandas as pd

    from ..corpus import COLUMNS
    from .groups import describe, group_reports

    documents = pd.read_parquet(tables / "documents.parquet",
                                columns=[c for c in COLUMNS["documents"] if c != "text"])  # any column may group
    grouping = group_reports(documents, group_by, top_groups)
    return describe(grouping), grouping.by


def run_report(seeds: Path, out: Path | None = None, workers: int | None = None,
               notebook_dir: Path = NOTEBOOKS_DIR, group_by: str = DEFAULT_GROUP_BY,
               top_groups: int = DEFAULT_TOP_GROUPS, command: list[str] | None = None) -> ReportResult:
    """Build, execute, check and export. ``out`` puts tables, figures and reports under one folder.

    ``group_by`` and ``top_groups`` become every notebook's GROUP_BY and TOP_GROUPS; ``command`` is
    shown on the index page as what made it. Besides the notebook pages it writes a page per report
    and per organization (``dangjian.present.pages``), the workbook ``tables.xlsx`` and the index. Raises
    NoReportsError (naming the folder and each failed file) when the build gives no report.
    """
    import papermill

    from ..build import build
    from ..corpus import COLUMNS

    if out is None:
        tables, figures, reports = PROCESSED_DIR, FIGURES_DIR, REPORTS_DIR
    else:
        tables, figures, reports = Path(out) / "tables", Path(out) / "figures", Path(out) / "reports"
    result = ReportResult(tables.resolve(), figures.resolve(), reports.resolve(), group_by=group_by,
                          top_groups=top_groups)
    check_grouping(group_by, top_groups, COLUMNS["documents"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        built = build(seeds, tables, workers=workers)
    result.warnings = [str(w.message) for w in caught]
    result.failures += [f"{file}: {reason}" for file, reason in built.failures]
    if not built.rows.get("documents"):
        from ..ingest.reading import PATTERNS

        what = (f"every file failed: {'; '.join(result.failures)}" if result.failures else
                f"it holds no report file ({PATTERNS})")
        raise NoReportsError(f"{seeds}: no report to compare, because {what}")
    result.summary, result.grouped_by = _batch_summary(result.tables, group_by, top_groups)
    figures.mkdir(parents=True, exist_ok=True)
    executed_dir = reports / "notebooks"
    executed_dir.mkdir(parents=True, exist_ok=True)
    from concurrent.futures import ThreadPoolExecutor

    from .pages import write_pages
    from .workbook import write_workbook

    # The report pages and the workbook need only the tables: they are written in a thread while
    # the notebooks run, each in a kernel process of its own, so that the two use both cores.
    side_work = ThreadPoolExecutor(max_workers=1)
    pages_done = side_work.submit(lambda: (write_pages(result.tables, reports),
                                           write_workbook(result.tables, reports / "tables.xlsx")))
    side_work.shutdown(wait=False)
    with _environment_default("MPLBACKEND", "Agg"):  # kernels draw off-screen unless told otherwise
        for notebook in notebooks(notebook_dir):
            executed = executed_dir / notebook.name
            raised = False
            try:
                execute_notebook(notebook, executed, {"TABLES": str(result.tables), "FIGURES": str(result.figures),
                                                      "REPORTS": str(result.reports), "GROUP_BY": group_by,
                                                      "TOP_GROUPS": top_groups})
            except papermill.PapermillExecutionError as exc:
                raised = True
                result.failures.append(f"{notebook.name} cell {exc.exec_count}: {exc.ename}: {exc.evalue}")
            result.failures += check_outputs(executed, errors=not raised)
            full = export_html(executed, reports / f"{notebook.stem}.html", readers=False)
            reader = export_html(executed, reports / f"{notebook.stem}.reader.html", readers=True)
            result.failures += check_html(full) + check_html(reader)
            result.pages.append((_title(executed), full, reader))
    from .overview import write_index

    pages_done.result()  # raises here what the thread raised
    for png in sorted(figures.glob("*.png")):
        if _blank(png.read_bytes()):
            result.failures.append(f"{png.name}: an empty figure")
    index = write_index(result, command or ["dangjian", "report", str(seeds)])
    for page in [index, *sorted((reports / "docs").glob("*.html")), *sorted((reports / "orgs").glob("*.html"))]:
        result.failures += check_html(page)
    return result

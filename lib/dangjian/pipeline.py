"""One report's pipeline: the steps that turn a report file into its rows of every pass-1 table,
in order, each a small function that reads the report so far and adds to it (textacy's
``make_pipeline`` is the model):

    read → clean → describe → structure → place → tabulate → extract → code themes

``run_report`` runs them. A step that cannot go on raises ``ReadError`` naming the file and the
reason, which the build turns into a row of ``failures``; the other reports still build. Nothing
here writes: the build (``dangjian.build``) runs this in its workers and writes what comes back.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .cues import load_cues
from .stats import textstats
from .ingest.cleaning import CleanedReport, clean, load_rules
from .corpus import para_id, sent_id
from .extraction import extract_all
from .extraction.common import records_from_rows
from .ingest.metadata import Metadata, extract_metadata
from .ingest.organizations import Placement, place
from .ingest.reading import RawReport, ReadError, read_report
from .ingest.structure import build_structure


@dataclass(frozen=True)
class PipelineRules:
    """What every report's steps read, loaded once per process: the furniture rules of the
    cleaner, the cue file (the organization finder and the extractors read it) and the theme codebook."""

    furniture: list
    cues: Mapping
    codebook: dict

    @classmethod
    def load(cls) -> PipelineRules:
        return cls(load_rules(), load_cues(), textstats.load_codebook())


@dataclass
class Report:
    """One report on its way through the steps: each fills in its part."""

    path: Path
    doc_id: str | None
    rules: PipelineRules
    raw: RawReport | None = None
    cleaned: CleanedReport | None = None
    metadata: Metadata | None = None
    text: str = ""
    paragraphs: list = field(default_factory=list)
    sentences: list = field(default_factory=list)
    placement: Placement | None = None
    rows: dict = field(default_factory=dict)      # table name → rows (dicts, or tuples for the theme tables)
    coded: dict = field(default_factory=dict)     # theme → sentences coded with it
    n_covered: int = 0                            # sentences coded with any theme


def read(report: Report) -> None:
    """The file's text, format and encoding (``dangjian.ingest.reading``)."""
    report.raw = read_report(report.path, report.doc_id)


def clean_lines(report: Report) -> None:
    """Page furniture and pinyin out, simplified script (``dangjian.ingest.cleaning``)."""
    report.cleaned = clean(report.raw, report.rules.furniture)


def describe(report: Report) -> None:
    """Title, date, author and organization (``dangjian.ingest.metadata``)."""
    report.metadata = extract_metadata(report.cleaned, report.rules.cues)


def structure(report: Report) -> None:
    """The normalised text, its paragraphs and sentences (``dangjian.ingest.structure``)."""
    report.text, report.paragraphs, report.sentences = build_structure(report.cleaned.lines)
    if not report.paragraphs:
        raise ReadError(report.path, "no report text left after cleaning (every line is page furniture)")


def place_organization(report: Report) -> None:
    """The organization's parent group, sector and region (``dangjian.ingest.organizations``)."""
    report.placement = place(report.metadata.organization, report.metadata.title, report.text)


def tabulate(report: Report) -> None:
    """The rows of documents, paragraphs, sentences and removed."""
    raw, cleaned, doc = report.raw, report.cleaned, report.raw.doc_id
    document = {
        "doc_id": doc, "file": raw.file, "format": raw.format, "sha256": raw.sha256, "encoding": raw.encoding,
        "line_endings": raw.line_endings, "script": cleaned.script, "n_converted_chars": cleaned.n_converted,
        **report.metadata.__dict__,
        **report.placement.__dict__,
        "n_chars": len(report.text), "n_paragraphs": len(report.paragraphs), "n_sentences": len(report.sentences),
        "n_removed_lines": sum(r["col"] is None and r["line_no"] is not None for r in cleaned.removed),
        "n_pinyin_removed": sum(r["rule"] == "pinyin" for r in cleaned.removed),
        "n_chars_removed": sum(len(r["text"]) for r in cleaned.removed if r["line_no"] is not None),
        "text": report.text,
    }
    report.rows.update({
        "documents": [document],
        "paragraphs": [{"doc_id": doc, "para_id": para_id(doc, p.para_no), **p.__dict__} for p in report.paragraphs],
        "sentences": [{"doc_id": doc, "para_id": para_id(doc, s.para_no), "sent_id": sent_id(doc, s.sent_no),
                       **s.__dict__} for s in report.sentences],
        "removed": cleaned.removed,
    })


def extract(report: Report) -> None:
    """Brands, formulas, metrics and reconciliation (``dangjian.extraction``)."""
    (document,) = report.rows["documents"]
    records = records_from_rows(report.rows["paragraphs"], report.rows["sentences"])
    organization = document["organization"]
    report.rows.update(extract_all({document["doc_id"]: document["text"]},
                                   {document["doc_id"]: organization} if isinstance(organization, str) else {},
                                   records, report.rules.cues))


def code_themes(report: Report) -> None:
    """Each sentence's themes (``dangjian.stats.textstats``), as tuples in the table's column order."""
    themes = textstats.code_theme_rows(report.rows["sentences"], report.rules.codebook)
    report.rows["sentence_themes"] = themes
    report.coded = dict(Counter(theme for _, _, theme, *_ in themes))
    report.n_covered = len({sent for _, sent, *_ in themes})


STEPS = (read, clean_lines, describe, structure, place_organization, tabulate, extract, code_themes)


def run_report(path: Path | str, rules: PipelineRules, doc_id: str | None = None, steps=STEPS) -> Report:
    """The report after ``steps``; raises ReadError (naming the file) when one cannot go on."""
    report = Report(Path(path), doc_id, rules)
    for step in steps:
        step(report)
    return report

"""Narrative helpers for the notebooks: glosses on first use and safe quotation of report text.

Report text can hold anything a web page held, including HTML. Everything taken
from a report and put into Markdown passes through ``quote`` (HTML-escaped,
Markdown-escaped), so that it shows as text in every exported page.
"""
from __future__ import annotations

import html
import re

import pandas as pd

from ..config import DATA_DIR

GLOSSARY_FILE = DATA_DIR / "glossary.csv"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def quote(text: str) -> str:
    """Report text made safe for Markdown: HTML escaped, Markdown syntax escaped, whitespace folded."""
    text = html.escape(str(text), quote=True)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text)).strip()


DOCS_PREFIX = "docs"  # the report pages' folder as seen from the page; notebook.setup sets it per run


def cite(text: str, sent_id: str) -> str:
    """A quoted sentence with its id, for prose: “…” ([sent_id](docs/<doc_id>.html#sent_id)), the id
    a link to the sentence on its report's page."""
    from .display import doc_of_sent, doc_page

    sent_id = str(sent_id)
    doc = doc_of_sent(sent_id)
    label = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(sent_id))
    if not doc:
        return f"“{quote(text)}” ({label})"
    href = html.escape(f"{doc_page(doc, DOCS_PREFIX)}#{sent_id}", quote=True).replace("(", "%28").replace(")", "%29")
    return f"“{quote(text)}” ([{label}]({href}))"


class Glossary:
    """Chinese terms with pinyin and an English gloss on first use in a notebook, bare afterwards."""

    def __init__(self, path=GLOSSARY_FILE):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        self.entries = {row.term: (row.pinyin, row.gloss) for row in table.itertuples()}
        self.used: set[str] = set()

    def __call__(self, term: str) -> str:
        if term not in self.entries:
            raise KeyError(f"{term!r} is not in {GLOSSARY_FILE.name}; add it with its pinyin and gloss")
        if term in self.used:
            return term
        self.used.add(term)
        pinyin, gloss = self.entries[term]
        return f"{term} (*{pinyin}*, {html.escape(gloss)})"

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([(t, p, g) for t, (p, g) in self.entries.items()], columns=["term", "pinyin", "gloss"])

"""Groups: which reports are compared together, and the per-group tables the notebooks show.

The built tables are per report. The notebooks compare *groups* of reports: by default the
organization, so that several reports of one organization form one group. ``group_reports``
assigns every report a group and ranks the groups; only the top ``top`` groups are shown by
name and the rest are pooled as ``OTHER``, so that a view of 2,000 reports has at most
``top + 1`` rows, panels or word clouds. The per-group tables below are sums over the
per-report tables (token counts, theme-coded sentences), never averages of shares, so a group
of ten short reports weighs what its sentences weigh.

Every array handed to numpy, scipy or matplotlib from here is plain float64 (see
``textstats.cluster_order`` for the NA rule of similarities).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import textstats

OTHER = "other"            # the pooled group beyond the top K
MISSING = "(not stated)"   # the group of a report whose grouping column is empty
DEFAULT_GROUP_BY = "organization"
DEFAULT_TOP_GROUPS = 12
LABEL_MAX_CHARS = 18       # labels longer than this are shortened in charts (full text in the tables)
GROUPINGS = {
    "organization": "the catalog's org_label, else the organization read from the report, else the file stem",
    "sector": "the catalog's sector",
    "year": "the year of the report's date",
    "report": "each report on its own (its organization label, made unique)",
}
GROUP_COLUMNS = ["doc_id", "label", "group", "shown", "group_rank", "n_reports_in_group"]


def report_labels(documents: pd.DataFrame) -> pd.Series:
    """doc_id → a short, unique name for each report (see ``textstats.org_labels``); a label that two
    reports share gets the report's date, then its doc_id, appended."""
    labels = pd.Series(textstats.org_labels(documents), dtype=object)
    if labels.empty:
        return labels
    dates = documents.set_index("doc_id")["date"].astype(object).fillna("").reindex(labels.index)
    shared = labels.duplicated(keep=False)
    labels[shared] = [f"{label} {date}".strip() for label, date in zip(labels[shared], dates[shared])]
    shared = labels.duplicated(keep=False)
    labels[shared] = [f"{label} ({doc})" for doc, label in labels[shared].items()]
    return labels


def check_grouping(by: str, top: int, columns) -> None:
    """Refuse a grouping that ``group_reports`` could not make from documents with ``columns``
    (the report job calls this with the documented columns, before it builds anything)."""
    usable = [c for c in columns if c not in ("doc_id", "text")]
    if by not in GROUPINGS and by not in usable:
        raise ValueError(f"cannot group by {by!r}: choose {', '.join(GROUPINGS)}, "
                         f"or a documents column ({', '.join(usable)})")
    if top < 1:
        raise ValueError(f"top groups must be at least 1, not {top}")


def group_values(documents: pd.DataFrame, by: str = DEFAULT_GROUP_BY) -> pd.Series:
    """doc_id → the group of each report under the grouping ``by`` (a name in GROUPINGS or any documents column)."""
    check_grouping(by, 1, documents.columns)
    docs = documents.set_index("doc_id")
    if by == "organization":
        values = pd.Series(textstats.org_labels(documents), dtype=object)
    elif by == "report":
        values = report_labels(documents)
    elif by == "year":
        values = docs["date"].astype(object).fillna("").str[:4]
    else:
        values = docs[by].astype(object).where(docs[by].notna(), "").astype(str)
    values = values.reindex(docs.index).fillna("").astype(str).str.strip()
    return values.where(values != "", MISSING)


@dataclass
class Grouping:
    """Reports assigned to groups, with the settings that made the assignment.

    ``table`` has one row per report (GROUP_COLUMNS): ``group`` is its full group, ``shown``
    the group it is shown under (the group itself among the top ``top``, else OTHER),
    ``group_rank`` the rank of its group (1 = most reports, then most characters).
    """

    by: str
    top: int
    table: pd.DataFrame
    n_groups: int
    shown_order: list[str] = field(default_factory=list)

    @property
    def settings(self) -> dict:
        return {"group_by": self.by, "top_groups": self.top, "n_groups": self.n_groups,
                "n_shown": len(self.shown_order), "pooled_as_other": self.n_pooled}

    @property
    def n_pooled(self) -> int:
        """How many groups are pooled into OTHER."""
        return self.table.loc[self.table["shown"] == OTHER, "group"].nunique()

    def in_order(self, frame: pd.DataFrame, column: str | None = None, values: list | None = None) -> pd.DataFrame:
        """``frame``'s rows by its ``group`` column in shown order, then by ``column`` in the order of
        ``values``; a stable sort, so rows keep their own order otherwise."""
        keys = pd.DataFrame({"group": frame["group"].map({g: i for i, g in enumerate(self.shown_order)})},
                            index=frame.index)
        if column:
            keys[column] = frame[column].map({v: i for i, v in enumerate(values)})
        return frame.loc[keys.sort_values(list(keys.columns), kind="stable").index].reset_index(drop=True)

    def of(self) -> dict[str, str]:
        """doc_id → the group it is shown under."""
        return dict(zip(self.table["doc_id"], self.table["shown"]))

    def label(self) -> dict[str, str]:
        """doc_id → the report's own label."""
        return dict(zip(self.table["doc_id"], self.table["label"]))

    def attach(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (with a doc_id column) with the shown ``group`` and the report's ``label`` in front,
        its rows in group order (and in their own order within a group)."""
        of, label = self.of(), self.label()
        frame = frame.copy()
        for column in ("group", "label"):
            if column in frame.columns:
                frame = frame.drop(columns=column)
        frame.insert(0, "label", frame["doc_id"].map(label))
        frame.insert(0, "group", frame["doc_id"].map(of))
        return self.in_order(frame)

    def summary(self, documents: pd.DataFrame) -> pd.DataFrame:
        """One row per shown group: reports, characters, sentences, and the groups it pools."""
        docs = documents.set_index("doc_id")
        table = self.table.assign(n_chars=self.table["doc_id"].map(docs["n_chars"].astype("int64")),
                                  n_sentences=self.table["doc_id"].map(docs["n_sentences"].astype("int64")))
        rows = []
        for shown, part in table.groupby("shown", sort=False):
            rows.append({"group": shown, "n_reports": len(part), "n_groups": part["group"].nunique(),
                         "n_chars": int(part["n_chars"].sum()), "n_sentences": int(part["n_sentences"].sum())})
        return self.in_order(pd.DataFrame(rows, columns=["group", "n_reports", "n_groups", "n_chars", "n_sentences"]))


def group_reports(documents: pd.DataFrame, by: str = DEFAULT_GROUP_BY, top: int = DEFAULT_TOP_GROUPS) -> Grouping:
    """Assign each report to a group and rank the groups: most reports first, then most characters,
    then name. The top ``top`` groups are shown by name; the rest are pooled as OTHER."""
    check_grouping(by, top, documents.columns)
    values = group_values(documents, by)
    labels = report_labels(documents)
    chars = documents.set_index("doc_id")["n_chars"].astype("int64")
    sizes = (pd.DataFrame({"group": values, "n_chars": chars.reindex(values.index)})
             .groupby("group").agg(n_reports=("n_chars", "size"), n_chars=("n_chars", "sum")).reset_index())
    sizes = sizes.sort_values(["n_reports", "n_chars", "group"], ascending=[False, False, True]).reset_index(drop=True)
    rank = dict(zip(sizes["group"], range(1, len(sizes) + 1)))
    n_reports = dict(zip(sizes["group"], sizes["n_reports"]))
    named = list(sizes["group"][:top])
    # one more group would take the OTHER slot anyway: show it by name instead of pooling one group
    if len(sizes) == top + 1:
        named = list(sizes["group"])
    shown = [group if group in set(named) else OTHER for group in values]
    table = pd.DataFrame({"doc_id": values.index, "label": labels.reindex(values.index).to_numpy(),
                          "group": values.to_numpy(), "shown": shown,
                          "group_rank": [rank[g] for g in values], "n_reports_in_group": [n_reports[g] for g in values]},
                         columns=GROUP_COLUMNS)
    table = table.sort_values(["group_rank", "doc_id"]).reset_index(drop=True)
    order = named + ([OTHER] if OTHER in shown else [])
    return Grouping(by=by, top=top, table=table, n_groups=len(sizes), shown_order=order)


# ---- per-group tables ---------------------------------------------------------------------------

def group_counts(frequencies: pd.DataFrame, grouping: Grouping) -> pd.DataFrame:
    """(group, token, n): token counts summed over each shown group's reports, groups in shown order."""
    per_report = frequencies[frequencies["doc_id"] != textstats.ALL]
    groups = per_report["doc_id"].map(grouping.of())
    counts = (pd.DataFrame({"group": groups.to_numpy(), "token": per_report["token"].to_numpy(dtype=object),
                            "n": per_report["n"].to_numpy(dtype="int64")})
              .groupby(["group", "token"], sort=False)["n"].sum().reset_index())
    return grouping.in_order(counts.sort_values(["n", "token"], ascending=[False, True]))


def group_keyness(frequencies: pd.DataFrame, grouping: Grouping, min_count: int = 2) -> pd.DataFrame:
    """Keyness of each shown group against all other reports (signed G², as ``textstats.keyness_table``);
    ``group`` replaces doc_id. Needs at least two groups: one group has no reference corpus."""
    counts = group_counts(frequencies, grouping)
    if counts["group"].nunique() < 2:
        return pd.DataFrame(columns=["group", *textstats.KEYNESS_COLUMNS[2:]])
    totals = counts.groupby("token")["n"].sum()
    vocabulary = textstats.Vocabulary(dict(zip(totals.index, totals.to_numpy(dtype="int64").tolist())))
    table = textstats.keyness_table(counts.assign(doc_id=counts["group"], org_label=counts["group"]),
                                    vocabulary, min_count)
    return table.drop(columns="org_label").rename(columns={"doc_id": "group"})


def group_theme_shares(theme_shares: pd.DataFrame, grouping: Grouping) -> pd.DataFrame:
    """Share of each shown group's sentences that carry each theme (coded sentences / all sentences of the group)."""
    table = theme_shares.assign(group=theme_shares["doc_id"].map(grouping.of()))
    summed = (table.groupby(["group", "theme"], sort=False)
              .agg(theme_en=("theme_en", "first"), n_sentences=("n_sentences", "sum"),
                   n_sentences_total=("n_sentences_total", "sum")).reset_index())
    summed["n_sentences"] = summed["n_sentences"].astype("int64")
    summed["n_sentences_total"] = summed["n_sentences_total"].astype("int64")
    summed["share"] = summed["n_sentences"] / summed["n_sentences_total"].clip(lower=1)
    return grouping.in_order(summed, "theme", list(dict.fromkeys(theme_shares["theme"])))


def group_similarity(frequencies: pd.DataFrame, grouping: Grouping) -> pd.DataFrame:
    """Cosine similarity of the shown groups' TF-IDF vectors (both orders, self = 1), as
    ``textstats.similarity_from_counts`` with groups for reports."""
    counts = group_counts(frequencies, grouping).rename(columns={"group": "doc_id"})
    if counts.empty:
        return pd.DataFrame(columns=textstats.SIMILARITY_COLUMNS)
    names = pd.DataFrame({"doc_id": grouping.shown_order, "org_label": grouping.shown_order})
    return textstats.similarity_from_counts(counts, names)


def group_word_frequencies(frequencies: pd.DataFrame, grouping: Grouping) -> dict[str, dict[str, float]]:
    """Word-cloud input: ``"all"`` (the whole batch) and each named group (not OTHER), token → count."""
    clouds = {}
    overall = frequencies[frequencies["doc_id"] == textstats.ALL]
    clouds[textstats.ALL] = dict(zip(overall["token"], overall["n"].to_numpy(dtype="float64")))
    counts = group_counts(frequencies, grouping)
    for group in grouping.shown_order:
        if group == OTHER:
            continue
        part = counts[counts["group"] == group].head(400)
        if len(part):
            clouds[group] = dict(zip(part["token"], part["n"].to_numpy(dtype="float64")))
    return clouds


def short(label: str, limit: int = LABEL_MAX_CHARS) -> str:
    """A label cut to ``limit`` characters with an ellipsis, for chart axes and panel titles."""
    label = str(label)
    return label if len(label) <= limit else label[:limit - 1] + "…"


def as_float(values) -> np.ndarray:
    """A plain float64 array from any numeric column (nullable Int64/Float64 included). NA rule:
    missing becomes NaN; callers that cannot take NaN say what it stands for."""
    return pd.Series(values).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def describe(grouping: Grouping) -> str:
    """One sentence, for the pages, on how the reports were grouped and what was pooled."""
    table = grouping.table
    n_reports, by = len(table), grouping.by
    basis = GROUPINGS.get(by, f"the documents column `{by}`")
    if n_reports == 1:
        text = f"The batch holds one report, shown as one group by {by} ({basis})."
    else:
        text = (f"The {n_reports:,} reports are compared in {grouping.n_groups:,} "
                f"group{'s' if grouping.n_groups != 1 else ''} by {by} ({basis}).")
    if OTHER in grouping.shown_order:
        n_reports_pooled = int((table["shown"] == OTHER).sum())
        text += (f" The {len(grouping.shown_order) - 1} largest groups (most reports, then most text) are shown by "
                 f"name; the other {grouping.n_pooled:,} groups ({n_reports_pooled:,} reports) are pooled as "
                 f"“{OTHER}” (parameter `TOP_GROUPS` = {grouping.top}).")
    return text


def listing(names, limit: int = 10) -> str:
    """Names joined by commas, at most ``limit`` of them, then how many more."""
    names = [str(n) for n in names]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit:,} more"

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

from ..stats import textstats
from ..ingest.organizations import section_label

OTHER = "other"            # the pooled group beyond the top K
MISSING = "(not stated)"   # the group of a report whose grouping column is empty
AUTO = "auto"
DEFAULT_GROUP_BY = AUTO
DEFAULT_TOP_GROUPS = 12
LABEL_MAX_CHARS = 18       # labels longer than this are shortened in charts (full text in the tables)
GROUPINGS = {
    AUTO: "the finest of organization, parent group and sector at which the batch's reports meet",
    "organization": "one group per organization (org_id: printed variants of a unit merged), named by the "
                    "catalog's org_label, else the name most of its reports print",
    "parent_group": "the enterprise group at the top of each unit's ownership chain",
    "sector": "the GB/T 4754-2017 section of each unit's main business",
    "region": "the province-level division where each unit sits",
    "org_id": "one group per organization id, named by the id",
    "year": "the year of the report's date",
    "report": "each report on its own (its organization label, made unique)",
}
LEVELS = ("organization", "parent_group", "sector")  # the levels AUTO chooses from, finest first
MEET_SHARE = 0.5  # AUTO: the share of reports that must sit in shown groups of two or more
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


def organization_groups(documents: pd.DataFrame) -> pd.Series:
    """doc_id → the organization group of each report: its org_id's label (the catalog's org_label of
    its first report that has one, else the name most of its reports print), "" where no organization
    is known. Two ids with one label are told apart by their id."""
    docs = documents.set_index("doc_id")
    if "org_id" not in docs:  # tables without ids (hand-made frames): the label is the group
        return pd.Series(textstats.org_labels(documents), dtype=object).where(
            docs["organization"].astype(object).fillna("").astype(str).str.strip().ne("")
            | docs.get("org_label", pd.Series("", index=docs.index)).astype(object).fillna("").astype(str).ne(""), "")
    labels = docs.get("org_label", pd.Series("", index=docs.index)).astype(object).fillna("").astype(str).str.strip()
    names = docs["organization"].astype(object).fillna("").astype(str).str.strip()
    # a report with a catalog label but no organization read is the group of its label
    ids = docs["org_id"].astype(object).fillna("").astype(str).where(lambda v: v != "", "label: " + labels)
    ids = ids.where(ids != "label: ", "")
    label_of = {}
    for oid, part in pd.DataFrame({"id": ids, "label": labels, "name": names}).groupby("id", sort=False):
        if not oid:
            continue
        chosen = next((lab for lab in part["label"] if lab), "")
        if not chosen:
            counts = part["name"][part["name"] != ""].value_counts(sort=False)
            chosen = counts.idxmax() if len(counts) else oid
        label_of[oid] = chosen
    shared = pd.Series(label_of).duplicated(keep=False) if label_of else pd.Series(dtype=bool)
    for oid in shared[shared].index:
        label_of[oid] = f"{label_of[oid]} ({oid})"
    return ids.map(lambda oid: label_of.get(oid, "")).where(names.ne("") | labels.ne(""), "")


def group_values(documents: pd.DataFrame, by: str = DEFAULT_GROUP_BY) -> pd.Series:
    """doc_id → the group of each report under the grouping ``by`` (a name in GROUPINGS other than
    AUTO, or any documents column)."""
    check_grouping(by, 1, documents.columns)
    if by == AUTO:
        raise ValueError("group_values takes a grouping, not auto: choose one with choose_grouping")
    docs = documents.set_index("doc_id")
    if by == "organization":
        values = organization_groups(documents)
    elif by == "report":
        values = report_labels(documents)
    elif by == "year":
        values = docs["date"].astype(object).fillna("").str[:4]
    elif by == "sector":
        values = docs["sector"].astype(object).fillna("").astype(str).str.strip().map(section_label)
    else:
        values = docs[by].astype(object).where(docs[by].notna(), "").astype(str)
    values = values.reindex(docs.index).fillna("").astype(str).str.strip()
    return values.where(values != "", MISSING)


@dataclass
class Choice:
    """How AUTO chose a grouping: the level, why, and each level's figures (``levels``: level,
    n_groups, shown, met = reports in shown groups of two or more, pooled = reports in OTHER)."""

    by: str
    reason: str
    levels: pd.DataFrame
    grouping: "Grouping | None" = None  # the chosen level's grouping, made while choosing


def choose_grouping(documents: pd.DataFrame, top: int = DEFAULT_TOP_GROUPS) -> Choice:
    """The finest level of LEVELS at which the batch can be compared:

    1. organization, when every organization can be shown by name (no "other");
    2. else the finest level at which at least half the reports sit in shown groups of two or more
       reports (where reports meet) and "other" holds less than half;
    3. else the level where most reports meet (the finer on a tie).
    """
    n = len(documents)
    rows, made = [], {}
    for level in LEVELS:
        if level != "organization" and level not in documents.columns:
            continue
        made[level] = grouping = group_reports(documents, level, top)
        sizes = grouping.table.groupby("shown")["doc_id"].size()
        met = int(sum(size for group, size in sizes.items() if group not in (OTHER, MISSING) and size >= 2))
        rows.append({"level": level, "n_groups": grouping.n_groups, "shown": len(grouping.shown_order),
                     "met": met, "pooled": int(sizes.get(OTHER, 0))})
    levels = pd.DataFrame(rows, columns=["level", "n_groups", "shown", "met", "pooled"])
    if n == 0:
        return Choice("organization", "the batch is empty", levels, made["organization"])
    first = levels.iloc[0]
    if first["pooled"] == 0:
        return Choice("organization", f"all {first['n_groups']:,} organizations can be shown by name", levels,
                      made["organization"])
    for row in levels.itertuples():
        if row.met >= MEET_SHARE * n and row.pooled < n / 2:
            return Choice(row.level, f"{row.met:,} of the {n:,} reports sit in shown {_level_name(row.level)} "
                                     f"groups of two or more reports, and “{OTHER}” holds {row.pooled:,}", levels,
                          made[row.level])
    best = levels.loc[levels["met"].idxmax()]
    return Choice(best["level"], f"at no level do half the reports meet; at this level most do ({best['met']:,} "
                                 f"of {n:,} reports sit in shown groups of two or more)", levels, made[best["level"]])


def _level_name(level: str) -> str:
    return level.replace("_", " ")


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
    choice: Choice | None = None  # how AUTO chose ``by``, when it did

    @property
    def settings(self) -> dict:
        return {"group_by": self.by, "chosen_by": "auto" if self.choice else "the analyst",
                "top_groups": self.top, "n_groups": self.n_groups,
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
    then name. The top ``top`` groups are shown by name; the rest are pooled as OTHER. ``by`` AUTO
    chooses the level with ``choose_grouping`` and records why (``Grouping.choice``)."""
    check_grouping(by, top, documents.columns)
    if by == AUTO:
        choice = choose_grouping(documents, top)
        grouping = choice.grouping  # made while choosing: not grouped a second time
        grouping.choice = choice
        return grouping
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
                                    vocabulary, min_count).to_pandas()
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


CLOUD_TERMS = 150  # terms per word cloud


def group_word_frequencies(frequencies: pd.DataFrame, grouping: Grouping,
                           keyness: pd.DataFrame | None = None) -> dict[str, dict[str, float]]:
    """Word-cloud input: ``"all"`` (the whole batch: token → count) and each named group (not OTHER).

    A group's cloud shows its distinctive terms: those more frequent in it than in the rest of the
    batch (positive signed G², ``group_keyness``), weighted by G², so that the genre's own words
    (党员, 党支部, 建设), frequent everywhere, do not fill every cloud. With one group only there is no
    rest of the batch, and its cloud shows counts."""
    clouds = {}
    overall = frequencies[frequencies["doc_id"] == textstats.ALL]
    clouds[textstats.ALL] = dict(zip(overall["token"], overall["n"].to_numpy(dtype="float64")))
    named = [group for group in grouping.shown_order if group != OTHER]
    if keyness is None and len(grouping.shown_order) >= 2:
        keyness = group_keyness(frequencies, grouping)
    if keyness is not None and len(keyness):
        g2 = keyness["g2"].astype("Float64")
        distinctive = keyness[g2.gt(0).fillna(False)].assign(g2=g2)
        for group in named:
            part = distinctive[distinctive["group"] == group].sort_values("g2", ascending=False).head(CLOUD_TERMS)
            if len(part):
                clouds[group] = dict(zip(part["token"], part["g2"].to_numpy(dtype="float64")))
        return clouds
    counts = group_counts(frequencies, grouping)
    for group in named:
        part = counts[counts["group"] == group].head(CLOUD_TERMS)
        if len(part):
            clouds[group] = dict(zip(part["token"], part["n"].to_numpy(dtype="float64")))
    return clouds


def wrapped(label: str, width: int = LABEL_MAX_CHARS, max_lines: int = 3) -> str:
    """A chart label on up to ``max_lines`` lines of ``width`` characters: labels wrap, they are not
    cut (only a label longer than all its lines ends in an ellipsis)."""
    import textwrap

    lines = textwrap.wrap(str(label), width=width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:width - 1] + "…"
    return "\n".join(lines)


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
                f"group{'s' if grouping.n_groups != 1 else ''} by {_level_name(by)} ({basis}).")
    if grouping.choice is not None:
        others = [level for level in LEVELS if level != by]
        text += (f" This grouping was chosen for this batch because {grouping.choice.reason}"
                 + "".join(f"; at {_level_name(row.level)} level, {row.met:,} reports would meet and "
                           f"“{OTHER}” would hold {row.pooled:,}" for row in grouping.choice.levels.itertuples()
                           if row.level != by)
                 + ". To compare at another level, rerun with "
                 + " or ".join(f"`dangjian report FOLDER --group-by {level}`" for level in others) + ".")
    n_missing = int((table["group"] == MISSING).sum())
    if n_missing:
        text += f" {n_missing:,} report{'s' if n_missing != 1 else ''} state{'s' if n_missing == 1 else ''} no " \
                f"{_level_name(by)}: shown as “{MISSING}”."
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

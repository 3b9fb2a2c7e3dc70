"""The catalog: one row per report, where an analyst checks and corrects what the build inferred.

``catalog.csv`` sits beside the reports. ``dangjian catalog FOLDER`` writes it prefilled with the
organization, its id, parent group, sector and region the build infers, each with its source, and
``status = inferred``. The analyst corrects a row and sets ``status = checked``. Running the
command again adds new reports and refreshes inferred rows; it never changes a checked row, and
keeps every other column (``org_label``, ``site``, ``notes``, or any column the analyst added).

The build takes a checked row's non-empty values over its own inferences (source ``catalog``).
An inferred row is the build's own guess, so the build infers afresh; when such a row was edited
without being checked, the build warns, since the edit is not used.

Catalog columns (``CATALOG_COLUMNS``):
- ``file``: the report's file name in the folder;
- ``status``: ``inferred`` or ``checked``; a catalog without the column is hand-made, so checked;
- ``organization``, ``org_id``, ``parent_group``, ``sector`` (GB/T 4754 section letter),
  ``region``, each but ``org_id`` with a ``<field>_source``. Two rows with one ``org_id`` are one
  organization; a new ``org_id`` splits a report from the others;
- ``org_label``: a short English label for charts, with ``org_label_source``;
- ``site``, ``site_source``: where the page came from; ``notes``.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from ..config import CATALOG_NAME
from .organizations import org_id, org_key, sections

STATUSES = ("inferred", "checked")
PLACED_FIELDS = ("organization", "parent_group", "sector", "region")  # each with a <field>_source
INFERRED_COLUMNS = ["organization", "organization_source", "org_id", "parent_group", "parent_group_source",
                    "sector", "sector_source", "region", "region_source"]
CURATED_COLUMNS = ["org_label", "org_label_source", "site", "site_source", "notes"]
CATALOG_COLUMNS = ["file", "status", *INFERRED_COLUMNS, *CURATED_COLUMNS]


class CatalogWarning(UserWarning):
    """A report and the catalog disagree (unlisted or missing report, an edit left unchecked)."""


class CatalogError(ValueError):
    """A catalog that cannot be used; names the file, the row and the reason."""


def read_catalog(folder: Path) -> pd.DataFrame:
    """The catalog of a folder with every CATALOG_COLUMN (empty where the file lacks it), or an
    empty catalog. A CatalogError names the file and what is wrong."""
    path = Path(folder) / CATALOG_NAME
    if not path.exists():
        return pd.DataFrame(columns=CATALOG_COLUMNS)
    catalog = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "file" not in catalog.columns:
        raise CatalogError(f"{path}: the catalog has no file column")
    if "status" not in catalog.columns:
        catalog["status"] = "checked"  # written by hand, before the tool wrote catalogs
    for column in CATALOG_COLUMNS:
        if column not in catalog.columns:
            catalog[column] = ""
    catalog["status"] = catalog["status"].str.strip().str.lower().replace("", "inferred")
    for n, row in enumerate(catalog.itertuples(index=False), start=2):
        if row.status not in STATUSES:
            raise CatalogError(f"{path}, line {n} ({row.file}): status {row.status!r} is not one of {STATUSES}")
        if row.sector and row.sector.strip() not in sections():
            raise CatalogError(f"{path}, line {n} ({row.file}): sector {row.sector!r} is not a GB/T 4754 "
                               f"section letter (A–T)")
    duplicated = catalog["file"][catalog["file"].duplicated()]
    if len(duplicated):
        raise CatalogError(f"{path}: {duplicated.iloc[0]} is listed twice")
    return catalog[[*CATALOG_COLUMNS, *[c for c in catalog.columns if c not in CATALOG_COLUMNS]]]


def apply_catalog(document: dict, entry: dict | None) -> list[str]:
    """Fill a documents row's catalog columns: a checked row's non-empty values over the inferred
    ones (source ``catalog``), the curated columns, and the ``org_id``. Returns the fields an
    inferred row gives other values for than the build infers (edits the build does not use)."""
    entry = entry or {}
    checked = entry.get("status") == "checked"
    document["catalog_status"] = entry.get("status", "") or "unlisted"
    edited = []
    for name in PLACED_FIELDS:
        value = (entry.get(name) or "").strip()
        if checked and value:
            document[name], document[f"{name}_source"] = value, "catalog"
        elif value and value != (document.get(name) or ""):
            edited.append(name)
    for column in CURATED_COLUMNS:
        document[column] = entry.get(column, "") or ""
    listed_id = (entry.get("org_id") or "").strip()
    document["org_id"] = listed_id if checked and listed_id else org_id(org_key(document.get("organization") or "",
                                                                                 document.get("parent_group") or ""))
    document["org_id_source"] = "catalog" if checked and listed_id else "key"
    return edited if entry.get("status") == "inferred" else []


def warn_unchecked_edits(edits: dict[str, list[str]]) -> None:
    """One warning for the inferred rows whose values differ from the build's (file → fields)."""
    if edits:
        first = ", ".join(f"{file} ({', '.join(fields)})" for file, fields in list(edits.items())[:3])
        warnings.warn(f"{len(edits)} catalog row(s) give other values than the build infers but have status "
                      f"inferred, so the build does not use them (edited, or written by an older build): set "
                      f"status to checked to use them, or run dangjian catalog to refresh them: {first}",
                      CatalogWarning, stacklevel=3)


def refresh_catalog(catalog: pd.DataFrame, documents: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """The catalog with a row for every built report: new reports added and inferred rows refreshed
    from ``documents`` (the build's values); checked rows and every column the build does not infer
    kept as they were. Rows of files no longer in the folder are kept (the analyst decides)."""
    catalog = catalog.copy()
    inferred = {row["file"]: row for row in documents.to_dict("records")}
    counts = {"added": 0, "refreshed": 0, "checked": 0, "not built": 0}
    at = {file: i for i, file in zip(catalog.index, catalog["file"])}
    new_rows = []
    for file, row in inferred.items():
        values = {c: "" if row.get(c) is None or pd.isna(row.get(c)) else str(row.get(c)) for c in INFERRED_COLUMNS}
        if file in at and catalog.at[at[file], "status"] == "checked":
            counts["checked"] += 1
            continue
        if file in at:
            for column, value in values.items():
                catalog.at[at[file], column] = value
            catalog.at[at[file], "status"] = "inferred"
            counts["refreshed"] += 1
        else:
            new_rows.append({"file": file, "status": "inferred", **values})
            counts["added"] += 1
    counts["not built"] = sum(file not in inferred for file in catalog["file"])
    if new_rows:
        catalog = pd.concat([catalog, pd.DataFrame(new_rows)], ignore_index=True)
    catalog = catalog.fillna("")
    return catalog.sort_values("file", kind="stable").reset_index(drop=True), counts


def write_catalog(folder: Path, documents: pd.DataFrame) -> tuple[Path, dict[str, int]]:
    """Write (or refresh) ``catalog.csv`` in ``folder`` from a build's documents table."""
    path = Path(folder) / CATALOG_NAME
    catalog, counts = refresh_catalog(read_catalog(folder), documents)
    catalog.to_csv(path, index=False, encoding="utf-8-sig")
    return path, counts

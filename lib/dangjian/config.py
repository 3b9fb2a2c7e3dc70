"""Every path the project uses, in one place.

The project root is the folder holding ``pyproject.toml`` above this package
(the package is installed editable, so it lives at ``<root>/lib/dangjian``).
Environment variables override the defaults so that CI or an analyst can point
the same code at another batch of reports.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _version() -> str:
    """The installed distribution's version (pyproject.toml is its one source), or "unknown" when
    the package is imported from a source tree that was never installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dangjian")
    except PackageNotFoundError:
        return "unknown"


VERSION = _version()
DATA_DIR = PACKAGE_DIR / "data"  # curated rule and word lists shipped with the library


def _find_root() -> Path:
    for parent in PACKAGE_DIR.parents:
        if (parent / "pyproject.toml").exists():
            return parent
    return Path.cwd()


PROJECT_ROOT = Path(os.environ.get("DANGJIAN_ROOT", _find_root()))
SEEDS_DIR = Path(os.environ.get("DANGJIAN_SEEDS", PROJECT_ROOT / "seeds"))
PROCESSED_DIR = Path(os.environ.get("DANGJIAN_PROCESSED", PROJECT_ROOT / "data" / "processed"))
FIGURES_DIR = Path(os.environ.get("DANGJIAN_FIGURES", PROJECT_ROOT / "figures"))
REPORTS_DIR = Path(os.environ.get("DANGJIAN_REPORTS", PROJECT_ROOT / "reports"))
CATALOG_NAME = "catalog.csv"  # lives beside the reports it describes

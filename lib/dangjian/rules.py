"""Reading the rule files shipped in ``data/`` (and any an analyst passes instead).

Every YAML rule file is parsed here, by libyaml's C parser where PyYAML has it (the wheels on
PyPI do): the pure-Python parser took a tenth of a second of every build's start, before the first
report.
"""
from __future__ import annotations

from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: str | Path):
    """The data of a YAML file, with YAML's safe types only (as ``yaml.safe_load``)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_LOADER)  # noqa: S506 - a safe loader

"""The extraction cue file (``data/extraction_cues.yaml``): the cue words every rule-based reader
takes, from the organization finder in ingestion to the four extractors. ``load_cues`` reads and
validates a file once; ``compiled`` builds a reader's rules from it once per cues object, so that
every reader can be given another file (``load_cues(path)``) and compiles it only once.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .config import DATA_DIR
from .rules import RuleFileError, read_yaml_like

CUES_FILE = DATA_DIR / "extraction_cues.yaml"


def _frozen(value):
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def load_cues(path: Path = CUES_FILE) -> Mapping:
    """The cue lists of a YAML file, validated against the shipped file (the same sections and keys,
    each value of the same type, no word listed twice: ``read_yaml_like``) and read-only.

    Every reader of cues takes them from here: ``extract_all(…, cues=load_cues(path))``.
    Compiled rules are cached per cues object, so an edit in place would leave them
    stale; read-only cues make such an edit fail loudly instead. To try other cues,
    edit a copy of the file and load it by path. A file is read once while it is unchanged
    on disk, and again once it has been saved.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise RuleFileError(path, f"cannot be read ({exc})") from exc
    return _load_cues(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load_cues(path: Path, mtime_ns: int, size: int) -> Mapping:
    return _frozen(read_yaml_like(path, CUES_FILE))


_COMPILED: dict[tuple[int, str], tuple[Mapping, object]] = {}


def compiled(cues: Mapping, kind: str, factory):
    """``factory(cues)`` built once per cues object (``load_cues`` gives read-only ones):
    extraction runs once per report, compilation once per run."""
    key = (id(cues), kind)
    if key not in _COMPILED or _COMPILED[key][0] is not cues:
        _COMPILED[key] = (cues, factory(cues))
    return _COMPILED[key][1]


def alternation(words) -> str:
    """A regex alternation of literal words, longest first so that 党建品牌 beats 品牌."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

"""Reading the rule files shipped in ``data/`` (and any an analyst passes instead), one way for
every file: YAML (cue lists, the codebook, the directory of groups) through ``read_yaml`` (and the
cue file and the approach cues through ``read_yaml_like``, which validates them against the shipped
ones; the codebook through ``check_like``), word lists through ``read_word_list``, and the
tab-separated rule tables (furniture, markup, measure words, sector rules, unit places) through
``read_rule_table``, which validates each on load. A file that breaks its format raises
``RuleFileError``, which names the file, the line and the reason (quanteda's ``dictionary()``
validation is the model).

YAML is parsed by libyaml's C parser where PyYAML has it (the wheels on PyPI do): the pure-Python
parser took a tenth of a second of every build's start, before the first report.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleFileError(ValueError):
    """A rule or directory file that does not follow its format; names the file and the reason."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(f"{Path(path).name}: {reason}")


def read_yaml(path: str | Path):
    """The data of a YAML file, with YAML's safe types only (as ``yaml.safe_load``); a file that
    cannot be read or parsed raises ``RuleFileError``."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_LOADER)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleFileError(path, f"cannot be read ({exc})") from exc


def read_yaml_like(path: str | Path, shipped: str | Path, free: tuple[str, ...] = ()):
    """The data of a YAML file of cues, validated against the ``shipped`` file's data (read only when
    ``path`` is another file):

    - the sections and their keys are the template's, none missing and none unknown (a typo),
      except in the ``free`` sections, whose keys the analyst chooses (stages of a process);
    - each value has the template's type: a list of words (non-empty strings, each listed once),
      a number, a string, or a mapping from words to the template's type of value.
    """
    data = read_yaml(path)
    template = data if Path(path).resolve() == Path(shipped).resolve() else read_yaml(shipped)
    check_like(data, template, path, "", free=free)
    return data


def read_word_list(path: str | Path) -> list[str]:
    """The words of a word list, one per line (blank lines and lines opening with # left out),
    each listed once."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(path, f"cannot be read ({exc})") from exc
    words, seen = [], set()
    for number, line in enumerate(lines, start=1):
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        if word in seen:
            raise RuleFileError(path, f"line {number}: {word} is listed twice")
        seen.add(word)
        words.append(word)
    return words


_SECTION_DEPTH = 2  # sections, then their keys; deeper mappings are free (words → values)


def check_like(value, template, path: str | Path, where: str = "", depth: int = 0, free: tuple[str, ...] = ()) -> None:
    """Raise ``RuleFileError`` (naming ``path`` and the key) where ``value`` is not shaped like
    ``template``: see ``read_yaml_like``; ``depth`` is that of ``value`` in its file."""
    path = Path(path)

    def fail(reason: str):
        raise RuleFileError(path, f"{where or 'the file'}: {reason}")

    if isinstance(template, dict):
        if not isinstance(value, dict):
            fail(f"must be a mapping, not {type(value).__name__}")
        if depth < _SECTION_DEPTH and where not in free:
            if missing := [key for key in template if key not in value]:
                fail(f"lacks {', '.join(map(str, missing))}")
            if unknown := [key for key in value if key not in template]:
                fail(f"has unknown {', '.join(map(str, unknown))} (a misspelt key?)")
            for key in template:
                check_like(value[key], template[key], path, f"{where}.{key}".lstrip("."), depth + 1, free)
        elif template:
            kind = next(iter(template.values()))
            for key, item in value.items():
                check_like(item, kind, path, f"{where}.{key}", depth + 1)
    elif isinstance(template, list):
        if not isinstance(value, list) or not all(isinstance(word, str) and word.strip() for word in value):
            fail("must be a list of words (non-empty strings)")
        if repeated := sorted({word for word in value if value.count(word) > 1}):
            fail(f"lists {', '.join(repeated)} twice")
    elif isinstance(template, bool) or not isinstance(template, (int, float)):
        if type(value) is not type(template):
            fail(f"must be a {type(template).__name__}, not {type(value).__name__}")
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"must be a number, not {type(value).__name__}")


def read_rule_table(path: str | Path, columns: tuple[str, ...], *, key: str | None = None,
                    choices: dict[str, frozenset] | None = None, patterns: tuple[str, ...] = (),
                    required: tuple[str, ...] | None = None) -> list[dict]:
    """The rows of a tab-separated rule table, in file order, as dicts of strings, validated:

    - the header holds ``columns`` (a file may carry more, for notes);
    - every row fills the ``required`` columns (all of ``columns`` unless given), a reason above all;
    - a column of ``choices`` holds one of its values;
    - a column of ``patterns`` compiles as a regular expression (the row holds the compiled pattern);
    - ``key``, when given, is never listed twice.

    Cells are read as written: no quoting (patterns hold quote marks), no type guessing.
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            rows, header = list(reader), reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RuleFileError(path, f"cannot be read ({exc})") from exc
    if missing := [c for c in columns if c not in header]:
        raise RuleFileError(path, f"needs the columns {', '.join(columns)} (missing: {', '.join(missing)})")
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        if empty := [c for c in (columns if required is None else required) if not (row.get(c) or "").strip()]:
            raise RuleFileError(path, f"line {line}: {', '.join(empty)} empty")
        for column, allowed in (choices or {}).items():
            if row[column] not in allowed:
                raise RuleFileError(path, f"line {line}: {column} {row[column]!r} is not one of {sorted(allowed)}")
        for column in patterns:
            try:
                row[column] = re.compile(row[column])
            except re.error as exc:
                raise RuleFileError(path, f"line {line}: {column} does not compile ({exc})") from exc
        if key is not None:
            if row[key] in seen:
                raise RuleFileError(path, f"line {line}: {row[key]} is listed twice")
            seen.add(row[key])
    return rows

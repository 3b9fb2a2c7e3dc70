"""Plain text (``.txt``): raw bytes to decoded text, with the encoding that was found.

Supported: UTF-8 (with or without BOM), UTF-16 (with BOM, or without BOM when
the NUL-byte pattern is unambiguous), GB18030 (a superset of GBK and GB2312)
and Big5 (read as cp950). Line endings CRLF and CR become LF.

Big5 bytes also decode, as nonsense, under GB18030, so when several legacy
codecs decode a file strictly the one whose text uses the most common Chinese
characters wins (GB2312 level 1 for simplified, Big5's frequent-character block
for traditional).
"""
from __future__ import annotations

import codecs
import re
from functools import lru_cache

from .errors import ReadError


BOMS = (  # byte-order marks and the codec each announces
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LEGACY = ("gb18030", "cp950")
# Share of control characters above which decoded "text" is taken to be binary.
_MAX_CONTROL_SHARE = 0.01
# Unicode category Cc (U+0000–U+001F, U+007F–U+009F) except the whitespace controls \t \n \v \f \r.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):  # GB2312 level 1: the 3,755 most frequent simplified characters
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):  # Big5 0xA440-0xC67E: the 5,401 frequent traditional characters
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            try:
                chars.add(bytes([lead, trail]).decode("cp950"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def _common_share(text: str) -> float:
    han = [ch for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"]
    if not han:
        return 0.0
    common = _common_chars()
    return sum(ch in common for ch in han) / len(han)


def _best_by_common_chars(data: bytes, codecs_: tuple[str, ...]) -> tuple[float, str] | None:
    scored = []
    for codec in codecs_:
        try:
            scored.append((_common_share(data.decode(codec)), codec))
        except UnicodeDecodeError:
            continue
    return max(scored) if scored else None


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str]:
    """Return (text, encoding) or raise ReadError naming ``name``."""
    if not data.strip():
        raise ReadError(name, "empty file (no bytes, or only whitespace)")
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ReadError(name, f"has a {codec} byte-order mark but does not decode as {codec}: {exc.reason}") from exc
            return _check_text(text, name), codec
    if b"\x00" in data:
        # BOM-less UTF-16: CJK-heavy text has few NULs, so score both byte orders.
        best = _best_by_common_chars(data, ("utf-16-le", "utf-16-be")) if len(data) % 2 == 0 else None
        if best and best[0] >= 0.5:
            return _check_text(data.decode(best[1]), name), best[1]
        raise ReadError(name, "binary file (contains NUL bytes and is not UTF-16)")
    try:
        return _check_text(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError:
        pass
    best = _best_by_common_chars(data, _LEGACY)
    if best is None:
        raise ReadError(name, "undecodable: not valid UTF-8, UTF-16, GB18030 or Big5")
    share, codec = best
    if share < 0.5:
        raise ReadError(name, f"undecodable: decodes as {codec} only to rare characters (looks binary or mis-encoded)")
    return _check_text(data.decode(codec), name), codec


def _check_text(text: str, name: str) -> str:
    controls = len(_CONTROLS.findall(text))
    if controls / max(len(text), 1) > _MAX_CONTROL_SHARE:
        raise ReadError(name, f"binary file ({controls} control characters in {len(text)})")
    if not text.strip():
        raise ReadError(name, "empty file (decodes to whitespace only)")
    return text


def line_endings(text: str) -> str:
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [k for k, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n]
    return kinds[0] if len(kinds) == 1 else ("none" if not kinds else "mixed")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_plain(data: bytes, name: str) -> dict:
    """The RawReport fields of a plain-text report: text with LF line endings, encoding, line endings found."""
    text, encoding = decode_bytes(data, name)
    return {"text": normalise_newlines(text), "encoding": encoding, "line_endings": line_endings(text)}

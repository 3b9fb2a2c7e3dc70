"""The one error every reader raises for a file it cannot read."""
from __future__ import annotations

from pathlib import Path


class ReadError(Exception):
    """A report that cannot be read; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")

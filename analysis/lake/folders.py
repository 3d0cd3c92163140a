"""Putting a finished lake in place: written beside its folder, renamed in at the end."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def replace_folder(staging: Path, out: Path) -> None:
    """Rename the finished lake to ``out``; a lake there before is moved aside first, removed last."""
    if not out.exists():
        staging.rename(out)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".replaced", dir=out.parent))
    aside.rmdir()
    out.rename(aside)
    try:
        staging.rename(out)
    except BaseException:
        aside.rename(out)
        raise
    shutil.rmtree(aside, ignore_errors=True)

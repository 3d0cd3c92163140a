"""The one error of the lake's commands and jobs."""

from __future__ import annotations

import os


class LakeError(ValueError):
    """A lake (or a folder given as one) cannot be read or written: ``LakeError(path, problem)``.

    The message is ``"<path>: <problem>"``; ``path`` and ``problem`` are kept for callers.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str | None = None):
        if problem is None:  # LakeError("a whole message")
            path, problem = "", str(path)
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}" if self.path else problem)

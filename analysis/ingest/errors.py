"""The one error a reader raises: it names the file and says what is wrong with it."""

from __future__ import annotations


class ReadError(ValueError):
    """A file that cannot be read. ``str()`` gives "FILE: problem" for the user."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

"""A reader that raises, for the isolation tests: importable by the worker processes of an ingest
run (spawned, so they see this module through the sys.path the parent sends them)."""

from __future__ import annotations

import dataclasses

from analysis.ingest import readers


def _failing(reader: readers.Reader) -> readers.Reader:
    def read(text: str, name: str):
        if "bad" in name:
            raise KeyError("a bug in the reader")
        return reader.read(text, name)

    return dataclasses.replace(reader, read=read)


def readers_with_a_failing_json_reader() -> tuple[readers.Reader, ...]:
    """The registry with the JSON reader raising KeyError on files whose name says "bad"."""
    return tuple(_failing(r) if r.name == "json" else r for r in readers.READERS)


def parse_in_worker_with_a_failing_reader(path: str):
    """The runner's worker task, run after breaking the JSON reader in this worker process."""
    from analysis.ingest import runner

    if not getattr(readers, "_broken_for_tests", False):
        readers.READERS = readers_with_a_failing_json_reader()
        readers._broken_for_tests = True
    return runner._parse_in_worker(path)

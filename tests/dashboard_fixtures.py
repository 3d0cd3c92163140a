"""Fixtures and helpers for the dashboard's tests (imported by tests/test_dashboard_*.py).

Stores: a synthetic one (tests/bench/make_store.py, a few thousand items with every feature the
dashboard draws), an empty one, and a private copy of the lead's demo store (``demo_db`` from
tests/conftest.py), copied because the dashboard keeps a read-write connection open and other
tests may open the original.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

PROJECT = Path(__file__).resolve().parents[1]
APP = PROJECT / "dashboard" / "app.py"
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

SYNTHETIC_ITEMS = 3000


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.bench.make_store import build_store

    return build_store(tmp_path_factory.mktemp("synthetic") / "synthetic.duckdb", n_items=SYNTHETIC_ITEMS)


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from analysis.store import Store

    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Store.open(path).close()
    return path


@pytest.fixture(scope="session")
def demo_copy(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-copy") / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture(autouse=True)
def fresh_streamlit_caches() -> Iterator[None]:
    """Every test starts with empty caches and leaves no store connection open behind it."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def app_test(db: Path, monkeypatch: pytest.MonkeyPatch, *, page: str | None = None,
             query: dict[str, Any] | None = None, timeout: float = 60):
    """An AppTest of the dashboard on ``db``, run once (and switched to ``page`` if given)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("FLANKWATCH_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


def assert_clean(at) -> None:
    """No exception and no error element: the page rendered."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _decode(value: Any) -> Any:
    """plotly JSON stores numeric arrays as base64 ('bdata'); turn them back into lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def figure_dict(fig) -> dict[str, Any]:
    """fig.to_dict() with plotly's base64 arrays decoded into lists."""
    return _decode(fig.to_dict())


def chart_specs(at) -> list[dict[str, Any]]:
    """Every plotly chart on the page as a figure dict (data and layout), arrays decoded."""
    return [_decode(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def chart_titled(at, fragment: str) -> dict[str, Any]:
    """The chart whose title contains ``fragment`` (titles are wrapped with <br> to fit a phone)."""
    for spec in chart_specs(at):
        if fragment in spec["layout"]["title"]["text"].replace("<br>", " "):
            return spec
    titles = [s["layout"]["title"]["text"] for s in chart_specs(at)]
    raise AssertionError(f"no chart titled like {fragment!r}; charts: {titles}")


def trace_total(spec: dict[str, Any], *, skip: tuple[str, ...] = ()) -> float:
    """Sum of y over the traces of a figure (the items a volume chart draws)."""
    return float(sum(sum(v for v in trace.get("y", []) if v is not None)
                     for trace in spec["data"] if trace.get("name") not in skip))


def infos(at) -> list[str]:
    return [element.value for element in at.info]


@dataclass
class RouteReply:
    """What a download route sent: the status, the headers, each body piece's size and the whole body's hash."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    pieces: list[int] = field(default_factory=list)
    digest: Any = field(default_factory=hashlib.sha256)
    text: str = ""  # the body of a short answer (an error)


def route_get(path: str, query: str = "", *, leave_after: int | None = None) -> RouteReply:
    """GET ``path?query`` from the dashboard's own routes (dashboard/downloads.py) in this process.

    Plain ASGI, so every piece the route sends is seen as it is sent; the body is hashed, never
    kept. ``leave_after``: the client hangs up after that many pieces of the body.
    """
    import asyncio

    from starlette.applications import Starlette

    from dashboard import downloads

    reply = RouteReply()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8501)}

    async def run() -> None:
        done = asyncio.Event()
        requests = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict[str, Any]:
            if requests:
                return requests.pop()
            await done.wait()  # the client stays until the response is over
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                reply.status = message["status"]
                reply.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                if body:
                    reply.pieces.append(len(body))
                    reply.digest.update(body)
                    if reply.status != 200:
                        reply.text += body.decode()
                if leave_after is not None and len(reply.pieces) >= leave_after:
                    done.set()

        try:
            await Starlette(routes=downloads.ROUTES)(scope, receive, send)
        finally:
            done.set()

    asyncio.run(run())
    return reply

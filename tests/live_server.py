"""A scripted HTTP server on 127.0.0.1 for the live tests: feeds, pages and failures without internet.

Routes map a path to replies. A list of replies is served in turn and its last one repeats; a
callable gets the request and returns the reply, for conditional GETs. Every request is recorded
(path, headers, time) and every reply's bytes sent are counted, so a test can assert how often a
client asked and how much it took before it hung up.

>>> with LiveServer() as server:  # doctest: +SKIP
...     server.route("/feed", Reply(body=b"<rss>...</rss>"))
...     requests.get(server.url("/feed"))
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    """One answer. ``body`` may be an iterable of chunks, generated as it is sent; ``delay`` waits
    before the status line; ``drip`` waits before each chunk; ``length`` overrides Content-Length
    (None with an iterable body: chunked transfer encoding)."""

    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0
    length: int | None = None


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    at: float


Handler = Callable[[Request], Reply]


class LiveServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | Handler] = {}
        self.requests: list[Request] = []
        self.sent: dict[str, int] = {}  # path -> body bytes written, over all its requests
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- scripting --

    def route(self, path: str, *replies: Reply | Handler) -> None:
        if len(replies) == 1 and callable(replies[0]) and not isinstance(replies[0], Reply):
            self.routes[path] = replies[0]
        else:
            self.routes[path] = list(replies)
        self._served[path] = 0

    def url(self, path: str, *, scheme: str = "http") -> str:
        host, port = self._server.server_address[:2]
        return f"{scheme}://{host}:{port}{path}"

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for request in self.requests if request.path == path)

    # -- running --

    def __enter__(self) -> "LiveServer":
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        server.daemon_threads = True
        server.block_on_close = False  # a handler still sleeping for a hang test is not waited for
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _reply_for(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            route = self.routes.get(request.path)
            if route is None:
                return Reply(404, b"no such route")
            if callable(route):
                return route(request)
            index = min(self._served[request.path], len(route) - 1)
            self._served[request.path] += 1
            return route[index]

    def _count_sent(self, path: str, size: int) -> None:
        with self._lock:
            self.sent[path] = self.sent.get(path, 0) + size


def _handler_class(server: LiveServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
            path = self.path.split("?", 1)[0]
            reply = server._reply_for(Request(path, dict(self.headers.items()), time.monotonic()))
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self._send(reply, path)
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                self.close_connection = True  # the client hung up, as the size and deadline tests want

        def _send(self, reply: Reply, path: str) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if isinstance(reply.body, bytes):
                self.send_header("Content-Length", str(reply.length if reply.length is not None else len(reply.body)))
                self.end_headers()
                chunks: Iterable[bytes] = [reply.body] if not reply.drip else _bytes(reply.body)
                for chunk in chunks:
                    if reply.drip:
                        time.sleep(reply.drip)
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    server._count_sent(path, len(chunk))
                return
            chunked = reply.length is None
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(reply.length))
            self.end_headers()
            for chunk in reply.body():
                if reply.drip:
                    time.sleep(reply.drip)
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                server._count_sent(path, len(chunk))
            if chunked:
                self.wfile.write(b"0\r\n\r\n")

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            pass  # the test output stays quiet

    return _Handler


def _bytes(body: bytes) -> Iterator[bytes]:
    for offset in range(len(body)):
        yield body[offset:offset + 1]


# -- replies the tests reuse --


def conditional(body: bytes, *, etag: str | None = None, last_modified: str | None = None,
                content_type: str = "application/rss+xml") -> Handler:
    """A document that answers 304 to a request carrying its validators."""
    headers = {"Content-Type": content_type}
    if etag:
        headers["ETag"] = etag
    if last_modified:
        headers["Last-Modified"] = last_modified

    def handle(request: Request) -> Reply:
        if etag and request.headers.get("If-None-Match") == etag:
            return Reply(304, headers={"ETag": etag})
        if not etag and last_modified and request.headers.get("If-Modified-Since") == last_modified:
            return Reply(304)
        return Reply(200, body, headers)

    return handle


def gzipped(body: bytes, *, content_type: str = "application/rss+xml") -> Reply:
    return Reply(200, gzip.compress(body), {"Content-Type": content_type, "Content-Encoding": "gzip"})


def endless(total: int, *, chunk: int = 64 * 1024) -> Callable[[], Iterator[bytes]]:
    """``total`` bytes of feed-looking filler, made as they are sent (never held in memory)."""

    def generate() -> Iterator[bytes]:
        block = (b"<!-- " + hashlib.sha256(b"filler").hexdigest().encode() * 2 + b" -->\n") * (chunk // 140 + 1)
        block = block[:chunk]
        yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
        for _ in range(total // chunk):
            yield block

    return generate

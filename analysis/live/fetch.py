"""A well-mannered HTTP client for polling feeds and reading article pages.

Every request has a deadline for the whole exchange (connect, headers and body): a watchdog shuts
the socket down when it passes, so a server that drips one byte a second cannot hold a poll for
longer than ``timeout``; a per-read timeout alone would let it. Bodies are streamed and cut off at
``max_bytes`` (after gzip/deflate, so a compressed bomb is cut off too). Connection errors,
timeouts and HTTP 429/502/503/504 are retried with exponential backoff and jitter, honouring
Retry-After up to a cap; other 4xx and 5xx answers are not. Requests to one host are spaced by
``host_delay`` (or the host's robots.txt Crawl-delay, up to a minute), whichever thread makes them.
Article pages (``page=True``) are fetched only when the host's robots.txt allows it; a robots.txt
that answers 4xx allows everything and one that cannot be fetched (5xx, no connection) disallows
everything until it is asked again (RFC 9309, section 2.3.1).

Every failure is a FetchError whose ``kind`` is one of FETCH_ERROR_KINDS, for the source health
page, and whose message names the URL.
"""

from __future__ import annotations

import os

import random
import re
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from importlib import metadata
from typing import Literal
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3.connection
import urllib3.connectionpool
from requests.adapters import HTTPAdapter

FetchErrorKind = Literal["timeout", "http", "tls", "connection", "too-large", "redirects", "robots", "not-a-feed"]
FETCH_ERROR_KINDS: tuple[FetchErrorKind, ...] = (
    "timeout", "http", "tls", "connection", "too-large", "redirects", "robots", "not-a-feed",
)
RETRY_STATUSES = frozenset((429, 502, 503, 504))
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
ROBOTS_AGENT = "flankwatch"  # the token robots.txt groups are matched against
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB
MAX_CRAWL_DELAY = 60.0
_CONNECTION_PREFIX = re.compile(r"^(?:<[^>]*>|\w*HTTPS?Connection\([^)]*\)): ")
_CHUNK = 16 * 1024  # decoded bytes per read: the size limit is checked at least this often


def _version() -> str:
    try:
        return metadata.version("flankwatch")
    except metadata.PackageNotFoundError:
        return "dev"


# Who site operators can reach about the polling (a URL or e-mail address), named in the User-Agent.
CONTACT_ENV = "FLANKWATCH_CONTACT"


def default_user_agent() -> str:
    """The tool, its version and where a site's operator can find out who is polling them."""
    contact = os.environ.get(CONTACT_ENV, "").strip()
    return f"Flankwatch/{_version()} (news monitor" + (f"; {contact}" if contact else "") + ")"


class FetchError(Exception):
    """A document that could not be fetched. ``str()`` gives "URL: problem" for the user."""

    def __init__(self, kind: FetchErrorKind, url: str, problem: str, *, status: int | None = None):
        super().__init__(f"{url}: {problem}")
        self.kind = kind
        self.url = url
        self.problem = problem
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.kind in ("timeout", "connection") or self.status in RETRY_STATUSES


@dataclass(frozen=True, slots=True)
class Fetched:
    """One answer: the body (empty when ``not_modified``) and the validators for the next request."""

    url: str
    status: int
    body: bytes
    final_url: str
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float  # seconds, retries and redirects included
    attempts: int = 1  # HTTP requests made, robots.txt not counted


# -- the deadline watchdog ----------------------------------------------------------------------

_current = threading.local()  # the watchdog of the request this thread is making, if any


class _Watchdog:
    """Shuts a request's socket down when its deadline passes, wherever the request is blocked."""

    def __init__(self, seconds: float):
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> "_Watchdog":
        _current.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()
        _current.watchdog = None

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.fired:
                self._shutdown()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already


class _Watched:
    """A connection that hands its socket to the running request's watchdog before reading the answer."""

    def getresponse(self, *args, **kwargs):
        watchdog = getattr(_current, "watchdog", None)
        if watchdog is not None:
            watchdog.watch(self.sock)
        return super().getresponse(*args, **kwargs)


class _HTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if hasattr(manager, "pool_classes_by_scheme"):
            manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        return manager


# -- the client ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Answer:
    url: str
    status: int
    headers: requests.structures.CaseInsensitiveDict
    body: bytes


@dataclass(slots=True)
class _Robots:
    parser: RobotFileParser
    expires: float


class Fetcher:
    """An HTTP client for feeds and pages; one per process, shared by the polling threads.

    ``timeout`` is the deadline in seconds for one request, body included; ``retries`` the extra
    attempts after a retryable failure, waiting ``backoff`` seconds doubled each time (plus up to
    half again as jitter); ``host_delay`` the minimum seconds between requests to one host.
    """

    def __init__(self, *, user_agent: str | None = None, timeout: float = 20.0, max_bytes: int = 10_000_000,
                 retries: int = 2, backoff: float = 1.0, host_delay: float = 1.0, robots: bool = True,
                 max_redirects: int = 5, max_retry_after: float = 120.0, robots_ttl: float = 3600.0):
        self.user_agent = user_agent or default_user_agent()
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.host_delay = host_delay
        self.robots = robots
        self.max_redirects = max_redirects
        self.max_retry_after = max_retry_after
        self.robots_ttl = robots_ttl
        self._lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._next_slot: dict[str, float] = {}  # host -> the earliest monotonic time of its next request
        self._crawl_delays: dict[str, float] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._random = random.Random()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              page: bool = False) -> Fetched:
        """GET ``url``, conditionally when validators are given; a 304 comes back as ``not_modified``."""
        started = time.monotonic()
        headers = {"User-Agent": self.user_agent}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current, attempts = url, 0
        for _ in range(self.max_redirects + 1):
            _check_url(current)
            if page and self.robots:
                self._check_robots(current)
            answer, made = self._exchange(current, headers, max_bytes=self.max_bytes)
            attempts += made
            location = answer.headers.get("Location")
            if answer.status in REDIRECT_STATUSES and location:
                current = urljoin(current, location.strip())
                continue
            if answer.status == 304:
                return Fetched(url, 304, b"", current, answer.headers.get("Content-Type"),
                               answer.headers.get("ETag") or etag,
                               answer.headers.get("Last-Modified") or last_modified,
                               not_modified=True, elapsed=time.monotonic() - started, attempts=attempts)
            if not 200 <= answer.status < 300:
                raise _http_error(current, answer.status)
            return Fetched(url, answer.status, answer.body, current, answer.headers.get("Content-Type"),
                           answer.headers.get("ETag"), answer.headers.get("Last-Modified"),
                           not_modified=False, elapsed=time.monotonic() - started, attempts=attempts)
        raise FetchError("redirects", url, f"more than {self.max_redirects} redirects (a redirect loop?); "
                                           f"the last one led to {current}")

    # -- one exchange, with retries --

    def _exchange(self, url: str, headers: dict[str, str], *, max_bytes: int) -> tuple[_Answer, int]:
        host = (urlsplit(url).hostname or "").lower()
        for attempt in range(self.retries + 1):
            self._wait_for_turn(host)
            try:
                answer = self._once(url, headers, max_bytes=max_bytes)
            except FetchError as error:
                if not error.retryable or attempt == self.retries:
                    raise
                time.sleep(self._backoff(attempt))
                continue
            if answer.status not in RETRY_STATUSES:
                return answer, attempt + 1
            wait = _retry_after(answer.headers.get("Retry-After"))
            if attempt == self.retries or (wait is not None and wait > self.max_retry_after):
                asked = f" (it asks to retry after {wait:g} s)" if wait is not None else ""
                raise _http_error(url, answer.status, note=f"after {attempt + 1} attempts{asked}")
            time.sleep(max(self._backoff(attempt), wait or 0.0))
        raise AssertionError("unreachable")  # the loop returns or raises on its last attempt

    def _once(self, url: str, headers: dict[str, str], *, max_bytes: int) -> _Answer:
        with _Watchdog(self.timeout) as watchdog:
            try:
                response = self._session().get(url, headers=headers, stream=True, allow_redirects=False,
                                               timeout=(self.timeout, self.timeout))
                with response:
                    body = b""
                    if 200 <= response.status_code < 300:
                        body = self._read_body(response, url, max_bytes=max_bytes)
                    return _Answer(url, response.status_code, response.headers, body)
            except FetchError:
                raise
            except Exception as exc:
                if watchdog.fired:
                    raise FetchError("timeout", url, f"no complete answer within {self.timeout:g} s") from exc
                raise _classify(exc, url, self.timeout) from exc

    def _read_body(self, response: requests.Response, url: str, *, max_bytes: int) -> bytes:
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError("too-large", url, f"the answer is {int(declared) / 1e6:.1f} MB, "
                                               f"over the {max_bytes / 1e6:g} MB limit; not downloaded")
        chunks, size = [], 0
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError("too-large", url, f"the answer is over the {max_bytes / 1e6:g} MB limit; "
                                                   "cut off after that much")
            chunks.append(chunk)
        return b"".join(chunks)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = _Adapter(max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _wait_for_turn(self, host: str) -> None:
        """Reserve the host's next slot, then sleep until it comes (never holding the lock)."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = start + max(self.host_delay, self._crawl_delays.get(host, 0.0))
        if start > now:
            time.sleep(start - now)

    def _backoff(self, attempt: int) -> float:
        return self.backoff * 2 ** attempt * (1 + self._random.random() / 2)

    # -- robots.txt --

    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        robots = self._robots_for(origin)
        if not robots.parser.can_fetch(ROBOTS_AGENT, url):
            raise FetchError("robots", url, f"{origin}/robots.txt does not allow fetching this page")

    def _robots_for(self, origin: str) -> _Robots:
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch of a host's robots.txt, however many threads ask for it
            cached = self._robots.get(origin)
            if cached is not None and cached.expires > time.monotonic():
                return cached
            parser = RobotFileParser(f"{origin}/robots.txt")
            ttl = self.robots_ttl
            try:
                text = self._fetch_robots(f"{origin}/robots.txt")
            except FetchError as error:
                if error.status is not None and 400 <= error.status < 500:
                    parser.allow_all = True  # no robots.txt: everything is allowed
                else:
                    parser.disallow_all = True  # unreachable: nothing is, until it is asked again
                    ttl = min(ttl, 600.0)
            else:
                parser.parse(text.splitlines())
                delay = parser.crawl_delay(ROBOTS_AGENT)
                if delay:
                    host = (urlsplit(origin).hostname or "").lower()
                    with self._lock:
                        self._crawl_delays[host] = min(float(delay), MAX_CRAWL_DELAY)
            parser.modified()
            robots = _Robots(parser, time.monotonic() + ttl)
            self._robots[origin] = robots
            return robots

    def _fetch_robots(self, url: str) -> str:
        headers = {"User-Agent": self.user_agent}
        current = url
        for _ in range(self.max_redirects + 1):
            answer, _ = self._exchange(current, headers, max_bytes=ROBOTS_MAX_BYTES)
            location = answer.headers.get("Location")
            if answer.status in REDIRECT_STATUSES and location:
                current = urljoin(current, location.strip())
                _check_url(current)
                continue
            if not 200 <= answer.status < 300:
                raise _http_error(current, answer.status)
            return answer.body.decode("utf-8", "replace")
        raise FetchError("redirects", url, "robots.txt redirects too often")


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError("connection", url, "not an http:// or https:// address")


def _http_error(url: str, status: int, *, note: str = "") -> FetchError:
    try:
        phrase = f" {HTTPStatus(status).phrase}"
    except ValueError:
        phrase = ""
    return FetchError("http", url, f"HTTP {status}{phrase}{f' {note}' if note else ''}", status=status)


def _classify(exc: Exception, url: str, timeout: float) -> FetchError:
    """A requests/urllib3 exception as one of the fixed kinds, with a short reason."""
    reason = _reason(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return FetchError("tls", url, f"TLS failed ({reason})")
    if isinstance(exc, requests.exceptions.Timeout):
        return FetchError("timeout", url, f"no answer within {timeout:g} s")
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return FetchError("http", url, f"the answer's gzip/deflate encoding is broken ({reason})")
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema)):
        return FetchError("connection", url, f"not a valid address ({reason})")
    return FetchError("connection", url, f"connection failed ({reason})")


def _reason(exc: BaseException) -> str:
    """The innermost cause's message, without urllib3's pool and object addresses."""
    while True:
        inner = getattr(exc, "reason", None)
        if inner is None and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        if not isinstance(inner, BaseException):
            break
        exc = inner
    text = str(exc) or type(exc).__name__
    text = _CONNECTION_PREFIX.sub("", text)  # "HTTPConnection(host='...', port=80): " says what the URL says
    return text[:200]


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())

"""The dashboard's web server in this process, for `flankwatch serve` and `flankwatch serve --lake`.

Streamlit serves ``DASHBOARD_ENTRY`` (its app and the download routes, dashboard/server.py) with
uvicorn in the calling process, so the pages and the routes read the store through this
process's owner (analysis/owner.py). uvicorn takes SIGINT and SIGTERM while it runs and, once it
has stopped, raises the signal again for the handler that was there before: with the default one
SIGTERM would end the process on the spot, before the caller stops the poller and the owner.
Here that handler ends the run instead, and the caller's clean-up runs.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

from analysis.paths import PROJECT_DIR

DASHBOARD_ENTRY = PROJECT_DIR / "dashboard" / "server.py"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Stopped(BaseException):
    """SIGINT or SIGTERM: stop serving (a BaseException, so no `except Exception` on the way swallows it)."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped(signum)


def run_dashboard(*, address: str, port: int | None) -> None:
    """Serve the dashboard until SIGINT or SIGTERM; returns once the web server has stopped."""
    from streamlit.web import cli as streamlit_cli

    os.chdir(PROJECT_DIR)  # Streamlit reads .streamlit/config.toml from the working folder
    arguments = ["run", str(DASHBOARD_ENTRY), "--server.address", address, "--server.headless", "true",
                 "--browser.gatherUsageStats", "false"]
    if port is not None:
        arguments += ["--server.port", str(port)]
    previous = {number: signal.signal(number, _stop) for number in STOP_SIGNALS}
    try:
        streamlit_cli.main(arguments, prog_name="streamlit", standalone_mode=False)
    except _Stopped:
        pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)

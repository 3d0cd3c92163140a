"""The dashboard's web server: Streamlit's app (dashboard/app.py) and routes beside it.

`flankwatch serve` runs this file (analysis/serving.py); `streamlit run` finds ``app`` here and
serves it with uvicorn in the same process as the store's owner, so the pages and the routes read
the store on the same connection. The routes (dashboard/downloads.py) stream downloads too big
for a download button; `streamlit run dashboard/app.py` alone serves the pages without them.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
if str(PROJECT_DIR) not in sys.path:  # uvicorn imports this file as the module `server`
    sys.path.insert(0, str(PROJECT_DIR))

import threading  # noqa: E402

import streamlit as st  # noqa: E402

from dashboard import charts, downloads  # noqa: E402

app = st.App(PROJECT_DIR / "dashboard" / "app.py", routes=downloads.ROUTES)
# plotly's parts load on first use: here, while the server starts, not in the first visitor's page
threading.Thread(target=charts.warm_up, name="flankwatch-chart-warm-up", daemon=True).start()

"""Data flows one way: the analysis package never imports the dashboard's framework."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_analysis_does_not_import_streamlit():
    code = (
        "import importlib, pkgutil, sys, analysis\n"
        "for module in pkgutil.walk_packages(analysis.__path__, 'analysis.'):\n"
        "    importlib.import_module(module.name)\n"
        "print(len(sys.modules))\n"
        "assert 'streamlit' not in sys.modules, 'analysis imported streamlit'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[1],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

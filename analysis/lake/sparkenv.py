"""A Spark session for the lake's jobs: this Python on the workers, bound to 127.0.0.1 when local."""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


class SparkUnavailable(RuntimeError):
    """pyspark or Java is missing; the message says what to install."""


def spark_missing() -> str | None:
    """Why Spark cannot run here, or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: pip install '.[spark]' (or make setup)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed: Spark needs Java 17 or later (Debian: apt-get install openjdk-17-jre-headless)"
    return None


@contextmanager
def spark_session(master: str = "local[2]", *, app: str = "flankwatch") -> Iterator:
    """A session for one job, stopped at the end. A local master binds to 127.0.0.1 and runs no UI."""
    problem = spark_missing()
    if problem:
        raise SparkUnavailable(problem)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName(app).config("spark.ui.enabled", "false")
    if master.startswith("local"):
        builder = (builder.config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()

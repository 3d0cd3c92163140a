"""One store, many users: the owner's write thread, work handed over by commands, kills."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import freshness, queries
from analysis.owner import Owner, owner_file, owner_status, read_owner_file
from analysis.store import Store

PROJECT = Path(__file__).resolve().parents[1]


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis.cli", *args], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _records(folder: Path, name: str, count: int, *, prefix: str) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps({
                "title": f"{prefix} story {n}", "url": f"https://example.test/{prefix}/{n}",
                "published": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}", "outlet": "Test Wire",
                "text": f"{prefix} report number {n}: the border guard counted {n} attempts near Druskininkai.",
            }) + "\n")
    return path


def _ids(db: Path) -> list[str]:
    with Store.open(db, read_only=True) as store:
        return [row[0] for row in store.connection.execute("SELECT id FROM items").fetchall()]


def test_a_command_hands_its_ingest_to_the_owner_and_prints_what_it_did(tmp_path):
    db = tmp_path / "store.duckdb"
    owner = Owner(db, command="flankwatch serve")
    assert owner.open()
    try:
        info = read_owner_file(db)
        assert info["pid"] == os.getpid() and info["command"] == "flankwatch serve"
        assert owner_file(db).stat().st_mode & 0o777 == 0o600
        source = _records(tmp_path, "a.jsonl", 30, prefix="alpha")
        done = _cli("ingest", str(source), "--db", str(db), "-q")
        out, err = done.communicate(timeout=120)
        assert done.returncode == 0, err
        assert out.startswith("run 1: 1 file, 30 items read, 30 new")
        with owner.cursor() as con:
            assert con.execute("SELECT count(*) FROM items").fetchone()[0] == 30
        assert owner.generation == 1 and owner.new_items == 30
        assert owner.changes[-1].label == "ingest of 1 path"

        bad = tmp_path / "bad.json"
        bad.write_text("{not json", encoding="utf-8")
        failed = _cli("ingest", str(bad), "--db", str(db), "-q")
        out, err = failed.communicate(timeout=120)
        assert failed.returncode == 1
        assert f"failed: {bad}: " in err
    finally:
        owner.stop()
    assert not owner_file(db).exists()


def test_analyze_is_handed_over_too_and_reports_its_summary(tmp_path):
    db = tmp_path / "store.duckdb"
    owner = Owner(db)
    assert owner.open()
    try:
        source = _records(tmp_path, "a.jsonl", 5, prefix="beta")
        assert _cli("ingest", str(source), "--db", str(db), "-q").wait(120) == 0
        done = _cli("analyze", "--db", str(db), "-q")
        out, err = done.communicate(timeout=300)
        assert done.returncode == 0, err
        assert "5 items" in out
        with owner.cursor() as con:
            assert con.execute("SELECT count(*) FROM analysed").fetchone()[0] == 5
    finally:
        owner.stop()


def test_two_commands_started_together_both_succeed(tmp_path):
    db = tmp_path / "store.duckdb"
    first = _records(tmp_path, "first.jsonl", 2000, prefix="first")
    second = _records(tmp_path, "second.jsonl", 2000, prefix="second")
    runs = [_cli("ingest", str(path), "--db", str(db), "-q") for path in (first, second)]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    ids = _ids(db)
    assert len(ids) == 4000 == len(set(ids))
    assert not owner_file(db).exists()


def test_a_wrong_token_is_refused(tmp_path):
    db = tmp_path / "store.duckdb"
    owner = Owner(db)
    assert owner.open()
    try:
        info = read_owner_file(db)
        with socket.create_connection(("127.0.0.1", info["port"]), timeout=5) as connection:
            connection.sendall(json.dumps({"token": "guess", "job": "ingest", "payload": {"paths": ["/etc"]}}).encode() + b"\n")
            assert json.loads(connection.makefile("rb").readline()) == {"error": "wrong token"}
        assert owner_status(db)["open"] is True
        with owner.cursor() as con:
            assert con.execute("SELECT count(*) FROM ingest_runs").fetchone()[0] == 0
    finally:
        owner.stop()


def test_kill_9_of_a_command_mid_ingest_loses_nothing_committed_and_a_rerun_completes(tmp_path):
    db = tmp_path / "store.duckdb"
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(8):
        _records(folder, f"part{n}.jsonl", 3000, prefix=f"p{n}")
    run = _cli("ingest", str(folder), "--db", str(db), "-q")
    wal = db.with_name(db.name + ".wal")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not wal.exists() or wal.stat().st_size < 500_000):
        time.sleep(0.02)  # until the first files are committed
    run.send_signal(signal.SIGKILL)
    run.wait(30)
    before = _ids(db) if db.exists() else []
    assert len(before) == len(set(before)) and len(before) % 3000 == 0  # whole files only
    assert 0 < len(before) < 24000, "the kill was meant to land mid-ingest"
    rerun = _cli("ingest", str(folder), "--db", str(db), "-q")
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    ids = _ids(db)
    assert len(ids) == 24000 == len(set(ids))


def test_rollups_refreshed_for_the_changed_items_equal_a_rebuild(tmp_path):
    from analysis.ingest.runner import ingest_paths

    with Store.open(tmp_path / "store.duckdb") as store:
        ingest_paths(store, [_records(tmp_path, "a.jsonl", 40, prefix="gamma")])
        con = store.connection
        queries.build_rollups(con)
        started = con.execute("SELECT now()").fetchone()[0]
        time.sleep(0.01)
        ingest_paths(store, [_records(tmp_path, "b.jsonl", 25, prefix="delta")])
        freshness.refresh_since(con, started)
        refreshed = {table: _table(con, table) for table in ("facts", "day_total", "day_theme", "day_topic")}
        queries.build_rollups(con)
        rebuilt = {table: _table(con, table) for table in ("facts", "day_total", "day_theme", "day_topic")}
    assert refreshed == rebuilt
    assert len(refreshed["facts"]) == 65


def test_a_page_reading_while_the_rollups_are_rebuilt_always_finds_them(tmp_path):
    """The rebuild is one transaction: a reader on another cursor sees the old rollups or the new."""
    import threading

    from analysis.ingest.runner import ingest_paths

    with Store.open(tmp_path / "store.duckdb") as store:
        ingest_paths(store, [_records(tmp_path, "a.jsonl", 400, prefix="eta")])
        con = store.connection
        queries.build_rollups(con)
        done = threading.Event()
        failures: list[str] = []

        def read() -> None:
            reader = con.cursor()
            while not done.is_set():
                try:
                    (count,) = reader.execute(f"SELECT count(*) FROM {queries.ROLLUP_DB}.facts").fetchone()
                    assert count == 400, count
                except Exception as exc:  # noqa: BLE001 (collected, asserted below)
                    failures.append(f"{type(exc).__name__}: {exc}")
                    return
            reader.close()

        thread = threading.Thread(target=read)
        thread.start()
        try:
            for _ in range(30):
                queries.build_rollups(con)
        finally:
            done.set()
            thread.join(30)
    assert failures == []


def test_a_hand_over_reset_before_the_owner_accepted_it_is_tried_again(tmp_path):
    """An owner letting go may drop a connection still in its backlog: that job never ran, so the
    command tries again (and opens the store itself) instead of failing with a reset."""
    import threading

    from analysis.owner import TerminalOutput, hand_over

    db = tmp_path / "store.duckdb"
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    owner_file(db).write_text(json.dumps({"protocol": 1, "pid": os.getpid(), "port": port, "token": "t"}))

    def reset_one() -> None:
        connection, _ = listener.accept()
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()  # linger 0: the peer gets a reset, as from a listener closed with it queued

    thread = threading.Thread(target=reset_one)
    thread.start()
    try:
        assert hand_over(db, "ingest", {"paths": []}, TerminalOutput(sys.stdout, sys.stderr)) is None
    finally:
        thread.join(10)
        listener.close()


def _table(con, table: str) -> list[tuple]:
    return sorted(con.execute(f"SELECT * FROM {queries.ROLLUP_DB}.{table}").fetchall(), key=repr)


@pytest.mark.parametrize("wait", [0.3])
def test_the_owner_finishes_accepted_work_before_it_lets_go(tmp_path, wait):
    db = tmp_path / "store.duckdb"
    owner = Owner(db, listen=False)
    assert owner.open()
    started = []
    slow = owner.submit(lambda store: (started.append(1), time.sleep(wait), store.count_items())[2], label="slow")
    queued = owner.submit(lambda store: store.count_items() + 1, label="queued")
    owner.stop()
    assert slow.result(0) == 0 and queued.result(0) == 1
    Store.open(db).close()  # let go: another process may open it now


def test_topics_and_corrections_commands_are_handed_over_too(tmp_path):
    db = tmp_path / "store.duckdb"
    owner = Owner(db)
    assert owner.open()
    try:
        listed = _cli("topics", "--db", str(db))
        out, err = listed.communicate(timeout=120)
        assert listed.returncode == 0, err
        assert out.strip() == "0 topics; `flankwatch topics --refit` fits them again"
        exported = _cli("corrections", "export", "-", "--db", str(db))
        out, err = exported.communicate(timeout=120)
        assert exported.returncode == 0, err
        assert out == "" and err.strip() == "exported 0 corrected articles to -"
        bad = tmp_path / "bad.jsonl"
        bad.write_text("{broken\n", encoding="utf-8")
        imported = _cli("corrections", "import", str(bad), "--db", str(db))
        out, err = imported.communicate(timeout=120)
        assert imported.returncode == 2 and str(bad) in err
    finally:
        owner.stop()


def test_the_dashboards_caches_never_stop_the_owner_serve_started(tmp_path):
    from analysis import owner as owners

    db = tmp_path / "store.duckdb"
    served = owners.attach(db, persistent=True)
    assert served.wait_open(30)
    owners.detach(db)  # what clearing Streamlit's resource cache does
    assert owners.attach(db) is served and served.is_open
    owners.detach(db, force=True)
    assert not served.is_open

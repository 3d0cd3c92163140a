"""The `flankwatch` command: argument parsing and printing only; the work is done elsewhere."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from analysis.paths import DB_ENV, DEMO_DIR, PROJECT_DIR, resolve_db


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help=f"store file (default: ${DB_ENV} or data/flankwatch.duckdb)")


def _add_themes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--themes", type=Path, help="taxonomy TOML file (default: data/themes.toml)")


def _cmd_parse(args: argparse.Namespace) -> int:
    from analysis.ingest import ReadError, read_file

    failed = 0
    for name in args.files:
        try:
            for item in read_file(Path(name)):
                print(json.dumps(item.to_json_dict(), ensure_ascii=False))
        except ReadError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from analysis.ingest.runner import ingest_paths
    from analysis.store import Store, StoreError

    try:
        with Store.open(args.db) as store:
            report = ingest_paths(store, args.paths, progress=not args.quiet)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for outcome in report.failures:
        print(f"failed: {outcome.path}: {outcome.error}", file=sys.stderr)
    for outcome in report.outcomes:
        for warning in outcome.warnings:
            print(f"warning: {outcome.path}: {warning}", file=sys.stderr)
    print(report.summary())
    return 1 if report.failures else 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from analysis.themes import TaxonomyError

    try:
        return _analyze(args)
    except TaxonomyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _analyze(args: argparse.Namespace) -> int:
    from analysis import pipeline
    from analysis.store import Store, StoreError

    if args.input is not None:
        source = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")
        target = sys.stdout if args.output in (None, "-") else open(args.output, "w", encoding="utf-8")
        try:
            count = pipeline.analyze_jsonl(source, target, themes_path=args.themes)
        except pipeline.AnalysisInputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        finally:
            if source is not sys.stdin:
                source.close()
            if target is not sys.stdout:
                target.close()
        print(f"analysed {count} items", file=sys.stderr)
        return 0
    try:
        with Store.open(args.db) as store:
            summary = pipeline.analyze_store(store, redo_all=args.all, themes_path=args.themes,
                                             progress=not args.quiet)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(summary)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from analysis import evaluate
    from analysis.themes import TaxonomyError

    try:
        report = evaluate.evaluate_file(args.gold, themes_path=args.themes, leave_one_source_out=args.loso)
    except (TaxonomyError, evaluate.GoldFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.format())
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo store from data/demo when it is missing (or always, with --force)."""
    from analysis import pipeline
    from analysis.ingest.runner import ingest_paths
    from analysis.store import Store

    db = resolve_db(args.db)
    if db.exists() and not args.force:
        print(f"demo store already at {db}")
        return 0
    tmp = db.with_name(db.name + ".building")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    with Store.open(tmp) as store:
        report = ingest_paths(store, [DEMO_DIR], progress=False)
        print(report.summary())
        print(pipeline.analyze_store(store, redo_all=True, themes_path=None, progress=False))
    if report.failures:
        for outcome in report.failures:
            print(f"failed: {outcome.path}: {outcome.error}", file=sys.stderr)
        return 1
    db.unlink(missing_ok=True)
    tmp.rename(db)
    print(f"demo store written to {db}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    env[DB_ENV] = str(resolve_db(args.db).resolve())
    command = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "dashboard" / "app.py"),
        "--server.port", str(args.port), "--server.address", args.address,
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]
    return subprocess.call(command, cwd=PROJECT_DIR, env=env)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flankwatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="print the items read from files as JSON lines")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("ingest", help="read files, folders (recursive) and globs into the store")
    p.add_argument("paths", nargs="+")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _add_db(p)
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("analyze", help="themes, topics and claims for the store, or for a JSONL file")
    p.add_argument("input", nargs="?", help="items as JSON lines ('-' for stdin); without it, the store")
    p.add_argument("-o", "--output", help="where to write results ('-' for stdout, the default)")
    p.add_argument("--all", action="store_true", help="redo every item, not only new ones")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _add_db(p)
    _add_themes(p)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("evaluate", help="score themes and spending claims against a labelled JSONL file")
    p.add_argument("gold", type=Path)
    p.add_argument("--loso", action="store_true", help="also report leave-one-source-out figures")
    _add_themes(p)
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("demo", help="build the demo store from data/demo if it is missing")
    p.add_argument("--force", action="store_true", help="rebuild even if the store exists")
    _add_db(p)
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("serve", help="start the dashboard")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1")
    _add_db(p)
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

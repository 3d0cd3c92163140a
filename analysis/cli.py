"""The `flankwatch` command: argument parsing and printing only; the work is done elsewhere."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from analysis.paths import DB_ENV, DEMO_DIR, resolve_db
from analysis.wording import plural


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help=f"store file (default: ${DB_ENV} or data/flankwatch.duckdb)")


def _add_sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", help="the sources to follow (default: $FLANKWATCH_SOURCES or data/sources.toml)")


def _add_wait(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", type=float, default=120.0, metavar="SECONDS",
                        help="how long to wait for a store another process holds without taking work (default 120)")


def _add_master(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--master", default="local[2]",
                        help="with --engine spark: the Spark master URL (default local[2])")


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


def _run_job(args: argparse.Namespace, name: str, payload: dict, handover_payload: dict | None = None, *,
             reads_only: bool = False) -> int:
    """Run a store job here, or hand it to the process that holds the store (analysis/owner.py).

    A job that only reads (``reads_only``) does not make a store where there is none.
    """
    from analysis import jobs  # noqa: F401  (registers the jobs)
    from analysis import owner
    from analysis.store import StoreError

    if reads_only and not resolve_db(args.db).exists():
        print(f"error: {resolve_db(args.db)}: no store here yet; run `flankwatch ingest` first", file=sys.stderr)
        return 2

    out = owner.TerminalOutput(sys.stdout, sys.stderr)
    try:
        return owner.run(resolve_db(args.db), name, payload, out, handover_payload=handover_payload,
                         wait=args.wait, command=f"flankwatch {name}")
    except (StoreError, owner.OwnerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _cmd_ingest(args: argparse.Namespace) -> int:
    if args.lake:
        return _ingest_lake(args)
    payload = {"paths": list(args.paths), "quiet": args.quiet}
    absolute = [p if os.path.isabs(p) else os.path.join(os.getcwd(), p) for p in args.paths]
    return _run_job(args, "ingest", payload, {**payload, "paths": absolute})


def _ingest_lake(args: argparse.Namespace) -> int:
    from analysis.lake.errors import LakeError
    from analysis.lake.ingest import ingest_to_lake
    from analysis.lake.sparkenv import SparkUnavailable

    try:
        print(ingest_to_lake(args.paths, args.lake, engine=args.engine, master=args.master,
                             overwrite=args.overwrite))
    except (LakeError, SparkUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from analysis.lake.export import export_command

    return export_command(resolve_db(args.db), args.parquet, args.overwrite)


def _cmd_analyze(args: argparse.Namespace) -> int:
    from analysis.themes import TaxonomyError

    try:
        return _analyze(args)
    except TaxonomyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _analyze(args: argparse.Namespace) -> int:
    from analysis import pipeline
    from analysis.modelfile import ModelFileError

    if args.engine is not None:
        return _analyze_lake(args)
    if args.lake_input is not None:
        print("error: --input DIR is a lake's items: say which engine runs the job (--engine local or spark)",
              file=sys.stderr)
        return 2

    if args.input is not None:
        source = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")
        target = sys.stdout if args.output in (None, "-") else open(args.output, "w", encoding="utf-8")
        try:
            count = pipeline.analyze_jsonl(source, target, themes_path=args.themes, model_path=args.model)
        except (pipeline.AnalysisInputError, ModelFileError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        finally:
            if source is not sys.stdin:
                source.close()
            if target is not sys.stdout:
                target.close()
        print(f"analysed {plural(count, 'item', thousands=False)}", file=sys.stderr)
        return 0
    absolute = {key: str(Path(value).resolve()) if value else None
                for key, value in (("themes", args.themes), ("model", args.model))}
    payload = {"all": args.all, "quiet": args.quiet, **absolute}
    return _run_job(args, "analyze", payload)


def _analyze_lake(args: argparse.Namespace) -> int:
    """The analysis as a job over a lake (analysis/lake): its items in, their analysis as a new lake out."""
    from analysis.lake.job import analyze_lake_command

    if args.lake_input is None or args.output in (None, "-"):
        print("error: --engine runs over a lake: give --input DIR (its items) and --output DIR (the new lake)",
              file=sys.stderr)
        return 2
    return analyze_lake_command(args.engine, args.lake_input, args.output, master=args.master,
                                model_path=args.model, workers=args.workers)


def _cmd_topics(args: argparse.Namespace) -> int:
    """List the stored topics, or refit them (matched topics keep their ids and labels)."""
    themes = str(args.themes.resolve()) if args.themes else None
    return _run_job(args, "topics", {"refit": args.refit, "themes": themes}, reads_only=not args.refit)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from analysis import evaluate, training
    from analysis.modelfile import ModelFileError
    from analysis.themes import TaxonomyError, load_taxonomy

    try:
        if args.curve and not args.cv:
            print("error: --curve is a cross-validated learning curve: give --cv too", file=sys.stderr)
            return 2
        if args.curve:
            records = training.read_labelled(args.gold)
            curve = training.learning_curve(records, taxonomy=load_taxonomy(args.themes), folds=args.folds,
                                            progress=None if args.quiet else _stderr_progress)
            print(training.format_curve(curve))
            return 0
        if args.cv:
            records = training.read_labelled(args.gold)
            report = training.cross_validate(records, taxonomy=load_taxonomy(args.themes), folds=args.folds,
                                             progress=None if args.quiet else _stderr_progress)
        else:
            if len(args.gold) != 1:
                print("error: evaluate takes one labelled file (or several with --cv)", file=sys.stderr)
                return 2
            report = evaluate.evaluate_file(args.gold[0], themes_path=args.themes, model_path=args.model)
    except (TaxonomyError, evaluate.GoldFileError, ModelFileError, training.TrainingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.format())
    return 0


def _stderr_progress(fraction: float, text: str) -> None:
    print(f"[{fraction:4.0%}] {text}", file=sys.stderr, flush=True)


def _cmd_train(args: argparse.Namespace) -> int:
    """Fit the theme and spending-claim models on labelled files (+ a store's corrections); write the model file."""
    from analysis import evaluate, training
    from analysis.modelfile import save_bundle
    from analysis.paths import SHIPPED_MODEL, training_files
    from analysis.store import StoreError
    from analysis.themes import TaxonomyError, load_taxonomy

    paths = args.files or training_files()
    try:
        taxonomy = load_taxonomy(args.themes)
        records = training.read_labelled(paths)
        created = [Path(p).name for p in paths]
        if args.db:
            corrected = _correction_records(args)
            records = training.with_corrections(records, corrected)
            created.append(f"corrections: {len(corrected)}")
        bundle = training.train_bundle(records, taxonomy=taxonomy, created_from=created, folds=args.folds,
                                       progress=None if args.quiet else _stderr_progress)
    except (TaxonomyError, evaluate.GoldFileError, training.TrainingError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    output = save_bundle(bundle, args.output or SHIPPED_MODEL)
    cv = bundle.manifest["cv"]
    learned = bundle.manifest["learned_themes"]
    themes = (f"themes macro-F1 {cv['macro_f1']:.3f}, exact sets {cv['exact']:.3f}" if cv and learned else
              "no theme has enough labelled articles to learn (all are scored by the lexicon's rules)")
    figures = "not cross-validated (--folds below 2)" if cv is None else (
        f"cross-validated ({cv['folds']} folds by source): {themes}; "
        f"spending claims F1 {cv['claims']['f1']:.3f}, actor {cv['claims']['actor'] or 0:.3f}")
    print(f"model {bundle.version} written to {output} ({output.stat().st_size / 1e6:.2f} MB), "
          f"trained on {len(records)} labelled articles; {figures}")
    return 0


def _correction_records(args: argparse.Namespace) -> list[dict]:
    """The store's corrected articles as training records, read here or by the store's owner."""
    from datetime import date

    from analysis import jobs  # noqa: F401  (registers the jobs)
    from analysis import owner
    from analysis.store import StoreError

    class Collect(owner.JobOutput):
        def __init__(self) -> None:
            self.records: list[dict] = []

        def line(self, text: str, *, err: bool = False) -> None:
            if err:
                print(text, file=sys.stderr)
            else:
                self.records.append(json.loads(text))

    collected = Collect()
    if not resolve_db(args.db).exists():
        raise StoreError(f"{resolve_db(args.db)}: no store here yet; run `flankwatch ingest` first")
    try:
        code = owner.run(resolve_db(args.db), "correction-records", {}, collected, wait=args.wait)
    except owner.OwnerError as exc:
        raise StoreError(str(exc)) from exc
    if code:
        raise StoreError(f"{args.db}: the corrections could not be read")
    for record in collected.records:
        if record.get("published"):
            record["published"] = date.fromisoformat(str(record["published"])[:10])
    return collected.records


def _cmd_corrections(args: argparse.Namespace) -> int:
    """Export the analysts' corrections as labelled JSON lines, or import such a file."""
    file = args.file if args.file == "-" else str(Path(args.file).resolve())
    return _run_job(args, f"corrections-{args.action}", {"file": file}, reads_only=args.action == "export")


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


def _cmd_poll(args: argparse.Namespace) -> int:
    """Fetch the sources once (--once), or keep polling the due ones until interrupted."""
    import time

    from analysis.polling import sources_path

    payload = {"sources": str(sources_path(args.sources).resolve())}
    if args.once:
        return _run_job(args, "poll", payload)
    print(f"polling the sources of {payload['sources']} as they fall due; Ctrl-C stops", file=sys.stderr)
    try:
        while True:
            code = _run_job(args, "poll", {**payload, "due": True})
            if code == 2:
                return code
            time.sleep(args.every)
    except KeyboardInterrupt:
        return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    """The dashboard and the store's owner in this one process (analysis/owner.py), polling the sources.

    Streamlit runs in this process (analysis/serving.py), so its pages and the download routes
    read on the owner's connection and stopping the process (Ctrl-C, SIGTERM) stops everything:
    the server, the poller, then the owner, which finishes the write in hand and closes the store.
    """
    if args.lake:
        from analysis.lake.serve import serve_lake

        return serve_lake(args.lake, port=args.port, address=args.address)
    from analysis import jobs  # noqa: F401  (registers the jobs commands hand over)
    from analysis import owner, polling
    from analysis.serving import run_dashboard

    db = resolve_db(args.db).resolve()
    os.environ[DB_ENV] = str(db)
    the_owner = owner.attach(db, command="flankwatch serve", persistent=True)
    poller = None
    sources = polling.sources_path(args.sources).resolve()
    if not args.no_poll:
        if sources.exists():
            poller = polling.Poller(the_owner, sources).start()
            print(f"polling the sources of {sources}", file=sys.stderr)
        elif args.sources:
            print(f"error: {sources}: no such sources file", file=sys.stderr)
            the_owner.stop()
            return 2
    try:
        run_dashboard(address=args.address, port=args.port)
    finally:
        if poller is not None:
            poller.stop()
        owner.detach(db, force=True)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flankwatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("parse", help="print the items read from files as JSON lines")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_cmd_parse)

    p = sub.add_parser("ingest", help="read files, folders (recursive) and globs into the store")
    p.add_argument("paths", nargs="+")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--lake", metavar="DIR", help="read the files into a new Parquet lake instead of the store")
    p.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="with --lake: read on this machine's cores or on Spark (default local)")
    _add_master(p)
    p.add_argument("--overwrite", action="store_true", help="with --lake: replace an existing lake")
    _add_db(p)
    _add_wait(p)
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("analyze", help="themes, topics and claims for the store, or for a JSONL file")
    p.add_argument("input", nargs="?", help="items as JSON lines ('-' for stdin); without it, the store")
    p.add_argument("-o", "--output", help="where to write results ('-' for stdout, the default; with --engine: the lake folder)")
    p.add_argument("--all", action="store_true", help="redo every item, not only new ones")
    p.add_argument("--model", type=Path, help="model file (default: the store's accepted model, else the shipped one)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--engine", choices=("local", "spark"),
                   help="analyse a lake (--input DIR, --output DIR) on this machine's cores or on Spark")
    p.add_argument("--input", dest="lake_input", metavar="DIR", help="with --engine: the lake whose items to analyse")
    _add_master(p)
    p.add_argument("--workers", type=int, help="with --engine local: processes (default: one per core, up to 4)")
    _add_db(p)
    _add_wait(p)
    _add_themes(p)
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("export", help="write the store's tables as Parquet partitioned by month (a lake)")
    p.add_argument("--parquet", required=True, metavar="DIR", help="the lake folder to write")
    p.add_argument("--overwrite", action="store_true", help="replace an existing lake at DIR")
    _add_db(p)
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("topics", help="list the discovered topics; --refit fits them again")
    p.add_argument("--refit", action="store_true",
                   help="refit over the whole store; matched topics keep their ids and labels")
    _add_db(p)
    _add_themes(p)
    _add_wait(p)
    p.set_defaults(func=_cmd_topics)

    p = sub.add_parser("evaluate", help="score the model against labelled JSONL files (--cv: cross-validated)")
    p.add_argument("gold", type=Path, nargs="+")
    p.add_argument("--cv", action="store_true",
                   help="K-fold cross-validation over the files, folds grouped by source (refits the models)")
    p.add_argument("--folds", type=int, default=5, help="folds for --cv (default 5)")
    p.add_argument("--curve", action="store_true",
                   help="with --cv: the figures at 25, 50, 75 and 100 %% of the training sources (is labelling more "
                        "worth it?)")
    p.add_argument("--model", type=Path, help="model file (default: the shipped data/model/flankwatch-model.npz)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    _add_themes(p)
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("train", help="fit the models on labelled JSONL files and write the model file")
    p.add_argument("files", type=Path, nargs="*", help="labelled files (default: $FLANKWATCH_TRAINING or ../shared/corpus)")
    p.add_argument("-o", "--output", type=Path, help="model file (default: data/model/flankwatch-model.npz)")
    p.add_argument("--db", help="also learn from this store's analyst corrections")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds for the manifest's figures")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    _add_themes(p)
    _add_wait(p)
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("corrections", help="export or import the analysts' corrections as labelled JSON lines")
    p.add_argument("action", choices=("export", "import"))
    p.add_argument("file", help="the JSON-lines file ('-' exports to stdout)")
    _add_db(p)
    _add_wait(p)
    p.set_defaults(func=_cmd_corrections)

    p = sub.add_parser("demo", help="build the demo store from data/demo if it is missing")
    p.add_argument("--force", action="store_true", help="rebuild even if the store exists")
    _add_db(p)
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("poll", help="fetch the followed sources (sources.toml) and store what is new")
    p.add_argument("--once", action="store_true", help="poll every enabled source once and exit")
    p.add_argument("--every", type=float, default=30.0, metavar="SECONDS",
                   help="without --once: how often to look for sources due (default 30)")
    _add_sources(p)
    _add_db(p)
    _add_wait(p)
    p.set_defaults(func=_cmd_poll)

    p = sub.add_parser("serve", help="start the dashboard (the store's owner: commands hand their work to it)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--no-poll", action="store_true", help="do not poll the sources file")
    p.add_argument("--lake", metavar="DIR", help="open a Parquet lake (export or Spark output) read-only instead")
    _add_sources(p)
    _add_db(p)
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

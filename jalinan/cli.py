"""The `jalinan` command: ingest, validate, publish, stats, export, import, serve.

Each sub-command is a thin shell over `ingest`, `graph` and `api`; errors become one clear
message on stderr and a non-zero exit status, never a traceback.
"""

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import RdfFormat

from jalinan.api.settings import (
    DEFAULT_BODY_TIMEOUT_S,
    DEFAULT_CACHE_BYTES,
    DEFAULT_HEADER_TIMEOUT_S,
    DEFAULT_KEEP_ALIVE_S,
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_QUERY_LENGTH,
    DEFAULT_MAX_RESULT_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_WAITING,
    DEFAULT_MAX_WRITE_BODY,
    DEFAULT_QUERY_TIMEOUT_S,
    DEFAULT_QUERY_WORKERS,
    DEFAULT_SEND_TIMEOUT_S,
    DEFAULT_WORKER_MEMORY,
    DEFAULT_WRITE_MEMORY,
    DEFAULT_WRITE_TIMEOUT_S,
)
from jalinan.graph import StoreError, open_store, resolve_store_path
from jalinan.graph.results import SelectResult
from jalinan.ingest.articles import ARTICLES_ENV_VAR
from jalinan.ingest.errors import FactsInvalid

EXPORT_FORMATS = {
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "turtle": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
    "owl": RdfFormat.RDF_XML,
}


def _articles_dir(value: str | None) -> Path | None:
    chosen = value or os.environ.get(ARTICLES_ENV_VAR)
    if not chosen:
        return None
    path = Path(chosen)
    if not path.is_dir():
        raise SystemExit(f"jalinan: --articles {path}: no such directory")
    return path


def _facts_dir(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_dir():
        raise SystemExit(f"jalinan: --facts {path}: no such directory")
    return path


def _existing_files(command: str, names: Sequence[str]) -> list[Path]:
    for name in names:
        if not Path(name).is_file():
            raise SystemExit(f"jalinan {command}: {name}: no such file")
    return [Path(name) for name in names]


def cmd_validate(args: argparse.Namespace) -> int:
    from jalinan.ingest.pipeline import build_corpus

    extra = _existing_files("validate", args.files)
    corpus = build_corpus(_facts_dir(args.facts), _articles_dir(args.articles), extra=extra)
    quotes = (
        "checked against the article texts"
        if _articles_dir(args.articles)
        else ("not checked verbatim (no --articles folder given)")
    )
    print(f"valid: {len(corpus.article_ids)} articles, {corpus.quad_count} quads; quotes {quotes}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from jalinan.graph.outside_writes import written_outside_ingest
    from jalinan.ingest.pipeline import ingest, ingest_articles

    # Ingest builds millions of long-lived objects (terms, triples, rdflib's indexes for the
    # shape check); at the default threshold the collector rescans them over and over, a
    # fifth of the run at 2,000 articles. This process ends with the command.
    gc.set_threshold(100_000, 50, 100)

    path = resolve_store_path(args.store)
    articles = _articles_dir(args.articles)
    for file in args.files:
        if not Path(file).is_file():
            raise SystemExit(f"jalinan ingest: {file}: no such file")
    if args.publish is not None:
        _publishable(path, Path(args.publish))
    with open_store(path) as store:
        if written_outside_ingest(path):
            print(
                "the store was written outside `jalinan ingest` (through the API or `jalinan import`): "
                + ("these files' graphs are" if args.files else "every graph is")
                + " read back and compared, not trusted to match the recorded digests",
                file=sys.stderr,
            )
        if args.files:
            corpus, report = ingest_articles(store, [Path(f) for f in args.files], articles)
        else:
            corpus, report = ingest(store, _facts_dir(args.facts), articles)
        print(
            f"ingested {len(corpus.article_ids)} articles into {path}: {len(report.written)} graphs "
            f"written, {report.unchanged} unchanged"
            + (f", {len(report.dropped)} article graphs no longer curated dropped" if report.dropped else "")
        )
        if args.publish is not None:  # the same handle: nothing can write between ingest and publish
            _publish(store, Path(args.publish), args.keep)
    return 0


def _publishable(store_path: Path, folder: Path) -> None:
    """Refuse, before anything is written, a publish that cannot be done."""
    from jalinan.graph.publish import check_folder
    from jalinan.graph.remote_store import is_remote

    if is_remote(store_path):
        raise SystemExit(
            "jalinan: --publish copies the embedded store; a remote backend's replicas read the "
            "server itself (`jalinan serve --read-only --store sparql+http://…`)"
        )
    try:
        check_folder(folder, store_path)
    except StoreError as exc:
        raise SystemExit(f"jalinan: {exc}") from None


def _publish(store: object, folder: Path, keep: int) -> None:
    from jalinan.graph.publish import publish

    snapshot = publish(store, folder, keep=keep)  # type: ignore[arg-type]
    print(
        f"published snapshot {snapshot.version} into {folder}; "
        f"replicas serving {folder} take it within their poll interval"
    )


def cmd_prune(args: argparse.Namespace) -> int:
    """Delete old snapshots no replica reads (a copy of the folder on a replica's own host)."""
    from jalinan.graph.publish import prune
    from jalinan.graph.snapshots import is_published_folder

    folder = Path(args.folder)
    if not is_published_folder(folder):
        raise SystemExit(f"jalinan prune: {folder} is not a folder of published snapshots (no current.json)")
    removed = prune(folder, keep=args.keep)
    print(f"pruned {len(removed)} snapshots from {folder}" + (f": {', '.join(removed)}" if removed else ""))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Publish the store as a new snapshot for read replicas (it must not be open elsewhere)."""
    path = resolve_store_path(args.store)
    folder = Path(args.folder)
    _publishable(path, folder)
    if not (path / "CURRENT").is_file():
        raise SystemExit(f"jalinan publish: no store at {path}: run `jalinan ingest --store {path}` first")
    with open_store(path) as store:  # read-write: the lock proves no other process writes it now
        _publish(store, folder, args.keep)
    return 0


def _table(result: SelectResult, columns: Sequence[str]) -> list[list[str]]:
    return [[row[c].value if c in row else "" for c in columns] for row in result.rows]


def cmd_stats(args: argparse.Namespace) -> int:
    from jalinan.queries.catalogue import ALL_ROWS, load_catalogue

    catalogue = load_catalogue()
    path = resolve_store_path(args.store)
    with open_store(path, read_only=True) as store:
        by_class = store.query(catalogue["stats-by-class"].bind_parameters({}, ALL_ROWS))
        # every article, not the API's first page
        by_article = store.query(catalogue["stats-by-article"].bind_parameters({}, ALL_ROWS))
        quads = store.quad_count()
    assert isinstance(by_class, SelectResult) and isinstance(by_article, SelectResult)
    print(f"store {path}: {quads} quads")
    print("\nnodes by class")
    for cls, label, count in _table(by_class, ["class", "label", "count"]):
        print(f"  {count:>6}  {label or cls.rsplit('#', 1)[-1]}")
    print("\nfacts by article")
    for article, label, triples, quotes in _table(by_article, ["article", "label", "triples", "quotes"]):
        print(f"  {triples:>6} triples {quotes:>5} quotes  {article.rsplit('/', 1)[-1]}  {label[:70]}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    path = resolve_store_path(args.store)
    rdf_format = EXPORT_FORMATS[args.format]
    with open_store(path, read_only=True) as store:
        if args.format == "owl":
            from jalinan.graph.export import ontology_with_facts_rdfxml

            data = ontology_with_facts_rdfxml(store)
        else:
            data = store.dump(rdf_format, graph=args.graph)
    if args.output in (None, "-"):
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
        print(f"wrote {len(data)} bytes to {args.output}", file=sys.stderr)
    return 0


IMPORT_FORMATS = {"nquads": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG}


def cmd_import(args: argparse.Namespace) -> int:
    """Load a dump (N-Quads or TriG, as `jalinan export` writes) in one transaction.

    Every named graph in the dump replaces the graph of that name in the store, all together,
    so importing the same dump twice changes nothing and a killed import changes nothing.
    """
    from collections import defaultdict

    from pyoxigraph import DefaultGraph, Triple, parse

    from jalinan.graph.outside_writes import mark_written_outside_ingest

    source = Path(args.file)
    if not source.is_file():
        raise SystemExit(f"jalinan import: {source}: no such file")
    rdf_format = IMPORT_FORMATS[args.format] if args.format else RdfFormat.from_extension(source.suffix[1:])
    if rdf_format not in IMPORT_FORMATS.values():
        raise SystemExit(f"jalinan import: {source}: give --format nquads or trig (a dataset format)")
    graphs: dict[str, list[Triple]] = defaultdict(list)
    try:
        with source.open("rb") as data:
            for quad in parse(data, format=rdf_format):
                if isinstance(quad.graph_name, DefaultGraph):
                    raise SystemExit(
                        f"jalinan import: {source}: a triple in the default graph ({quad.triple}); "
                        "Jalinan keeps every triple in a named graph"
                    )
                graphs[quad.graph_name.value].append(quad.triple)
    except (SyntaxError, ValueError) as exc:
        raise SystemExit(f"jalinan import: {source} is not valid {rdf_format.name}: {exc}") from None
    path = resolve_store_path(args.store)
    with open_store(path) as store:
        # not ingest's write: the next ingest checks every graph's content (outside_writes.py)
        mark_written_outside_ingest(path)
        store.replace_graphs(graphs)
    print(f"imported {sum(len(t) for t in graphs.values())} quads in {len(graphs)} graphs into {path}")
    return 0


def _iso_date(text: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-04-17") from None


def _gazetteer(store_arg: str | None) -> tuple[object, str]:
    """The gazetteer from the store's names, or from the curated facts where there is no store."""
    from jalinan.ingest.drafting.gazetteer import Gazetteer, entries_from_records, entries_from_store
    from jalinan.ingest.pipeline import default_facts_dir, read_facts

    path = resolve_store_path(store_arg)
    if path.exists():
        with open_store(path, read_only=True) as store:
            return Gazetteer(entries_from_store(store)), f"the names in the store {path}"
    return Gazetteer(entries_from_records(read_facts(default_facts_dir()))), (
        f"the curated facts (no store at {path}; run `jalinan ingest` to draft against the graph)"
    )


def cmd_draft(args: argparse.Namespace) -> int:
    from jalinan.ingest.drafting.draft import draft_article
    from jalinan.ingest.drafting.writer import write_draft

    source = _existing_files("draft", [args.article])[0]
    output = Path(args.output) if args.output and args.output != "-" else None
    if output is not None and output.exists() and not args.force:
        raise SystemExit(
            f"jalinan draft: -o {output}: the file exists (it may hold reviewed work); "
            "give --force to replace it"
        )
    try:
        text = source.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SystemExit(
            f"jalinan draft: {source}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    gazetteer, origin = _gazetteer(args.store)
    draft = draft_article(text, gazetteer, source_file=source.name, date=args.date, publisher=args.publisher)
    yaml_text = write_draft(draft, gazetteer, url=args.url)
    if output is None:
        sys.stdout.write(yaml_text)
    else:
        output.write_text(yaml_text, encoding="utf-8")
    print(
        f"drafted {source.name} with {origin}: {len(draft.names.known_entries())} known entities, "
        f"{len(draft.names.candidates)} new names, {len(draft.agreements)} agreements, {len(draft.visits)} "
        f"visits, {len(draft.skipped)} lines skipped as site furniture"
        + (f"; wrote {output}" if output else ""),
        file=sys.stderr,
    )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from jalinan.ingest.diffing import diff_article_files

    paths = _existing_files("diff", args.files)
    path = resolve_store_path(args.store)
    if not path.exists():
        raise SystemExit(f"jalinan diff: no store at {path}: run `jalinan ingest` first")
    with open_store(path, read_only=True) as store:
        diffs = diff_article_files(store, paths, _articles_dir(args.articles))
    for diff, new in diffs:
        print("\n".join(diff.lines(new)))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from jalinan.api.server import serve

    return serve(args)


def _positive(kind: type, *, zero: bool = False) -> object:
    """A number greater than 0 (or, with `zero`, at least 0: a size where 0 turns a feature off)."""

    def parse(text: str) -> object:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (value >= 0 if zero else value > 0):
            raise argparse.ArgumentTypeError(f"{text!r} must be {'0 or more' if zero else 'greater than 0'}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jalinan", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def with_store(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", help="on-disk store directory (default: $JALINAN_STORE or ./data/store)")

    def with_facts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--facts", help="curated facts folder (default: the facts shipped with Jalinan)")
        p.add_argument(
            "--articles",
            help="folder of source article texts, to check quotes "
            "verbatim (default: $JALINAN_ARTICLES; unchecked if unset)",
        )

    def with_keep(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--keep",
            type=_positive(int),
            default=2,
            help="snapshots kept besides those a replica still reads (default 2: the newest and the one "
            "before)",
        )

    p = sub.add_parser("validate", help="validate the curated facts; writes nothing")
    p.add_argument(
        "files",
        nargs="*",
        help="article files (a draft, an edited copy) to validate with the facts, each in place of the "
        "curated file of the same name or article id",
    )
    with_facts(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("draft", help="draft an article's facts as curated YAML, for review")
    p.add_argument("article", help="the article's text file (UTF-8)")
    p.add_argument("--date", type=_iso_date, help="the article's date, YYYY-MM-DD (resolves 'yesterday' …)")
    p.add_argument("--publisher", help="the publisher's name")
    p.add_argument("--url", help="where the article was published (noted in the draft)")
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")
    with_store(p)
    p.set_defaults(func=cmd_draft)

    p = sub.add_parser("diff", help="what article files would add, change or remove in the graph")
    p.add_argument("files", nargs="+", help="article YAML files")
    p.add_argument("--articles", help="folder of source article texts, to check quotes verbatim")
    with_store(p)
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("ingest", help="validate, check shapes and load the facts, all or nothing")
    p.add_argument(
        "files", nargs="*", help="article YAML files to re-ingest on their own (default: all the facts)"
    )
    with_facts(p)
    with_store(p)
    p.add_argument(
        "--publish",
        metavar="FOLDER",
        help="after a successful ingest, publish the store into FOLDER for read replicas (see `publish`)",
    )
    with_keep(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "publish",
        help="publish the store as an immutable snapshot for read replicas (`serve --read-only`)",
    )
    p.add_argument("folder", help="the folder of published snapshots that the replicas serve")
    with_store(p)
    with_keep(p)
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("prune", help="delete old published snapshots that no replica reads")
    p.add_argument("folder", help="the folder of published snapshots")
    with_keep(p)
    p.set_defaults(func=cmd_prune)

    p = sub.add_parser("stats", help="counts by class and by article")
    with_store(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("export", help="dump the store (owl: ontology + facts as one RDF/XML file)")
    with_store(p)
    p.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="nquads")
    p.add_argument("--graph", help="export only this named graph (IRI)")
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="load an N-Quads or TriG dump in one transaction (graphs replaced)")
    p.add_argument("file", help="the dump, e.g. from `jalinan export --format nquads`")
    p.add_argument("--format", choices=sorted(IMPORT_FORMATS), help="default: from the file's extension")
    with_store(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("serve", help="serve the SPARQL endpoint, canned queries and entity pages")
    with_store(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the base URL clients reach the server at (behind a proxy), for the absolute links it "
        "writes (default: $JALINAN_PUBLIC_URL, else http://HOST:PORT; never the Host header)",
    )
    p.add_argument(
        "--write-token",
        default=os.environ.get("JALINAN_WRITE_TOKEN"),
        help="enable writes (SPARQL Update, Graph Store PUT/POST/DELETE) for clients "
        "sending `Authorization: Bearer <token>` (default: $JALINAN_WRITE_TOKEN)",
    )
    p.add_argument(
        "--read-only",
        action="store_true",
        help="a read replica: serve a folder of published snapshots (`jalinan publish`), switching "
        "to each newer one, or a remote backend (sparql+http://…); every write is refused",
    )
    p.add_argument(
        "--poll-interval",
        type=_positive(float),
        help="with --read-only: seconds between looks for a newer snapshot (default 1)",
    )
    limits = p.add_argument_group("limits (see README: Limits and timeouts)")
    limits.add_argument(
        "--query-timeout",
        type=_positive(float),
        help=f"seconds a query may run before it is stopped with 503 (default {DEFAULT_QUERY_TIMEOUT_S:g})",
    )
    limits.add_argument(
        "--query-workers",
        type=_positive(int),
        help=f"worker processes running queries (default {DEFAULT_QUERY_WORKERS}; "
        "one more runs canned queries)",
    )
    limits.add_argument(
        "--query-threads",
        type=_positive(int),
        help="run clients' queries on this many network-less threads of the server instead of in "
        "worker processes (faster for light queries; the first query past its time limit cannot be "
        "stopped there and turns them off until a restart; default: off)",
    )
    limits.add_argument(
        "--processes",
        type=_positive(int),
        help="serve from this many processes sharing one socket, each running clients' queries on "
        "its own network-less threads (--query-threads each, default 2); a process whose query "
        "overruns its time limit is answered 503, then replaced; writes go to the one writer in "
        "their parent; --query-workers does not apply (default: off, one process with query workers)",
    )
    for flag, help_text, default in (
        (
            "--max-waiting",
            "queries waiting for a worker before 429 (general lane: per client)",
            DEFAULT_MAX_WAITING,
        ),
        ("--max-body", "request body, bytes", DEFAULT_MAX_BODY),
        ("--max-write-body", "body of a write with the token, bytes", DEFAULT_MAX_WRITE_BODY),
        ("--max-query-length", "characters of a query or update", DEFAULT_MAX_QUERY_LENGTH),
        ("--max-rows", "items in friendly JSON and HTML pages", DEFAULT_MAX_ROWS),
        ("--max-result-bytes", "a serialised SPARQL result, bytes", DEFAULT_MAX_RESULT_BYTES),
        ("--worker-memory", "data (heap) a query worker may use, bytes; past it 503", DEFAULT_WORKER_MEMORY),
        ("--write-memory", "data (heap) the writer may use, bytes; past it 503", DEFAULT_WRITE_MEMORY),
        ("--max-connections", "open connections; past it a new one is answered 503", DEFAULT_MAX_CONNECTIONS),
        ("--keep-alive-timeout", "seconds an idle kept-alive connection stays open", DEFAULT_KEEP_ALIVE_S),
    ):
        limits.add_argument(flag, type=_positive(int), help=f"{help_text} (default {default})")
    for flag, help_text, default in (
        ("--write-timeout", "seconds a write may run before it is stopped", DEFAULT_WRITE_TIMEOUT_S),
        ("--header-timeout", "seconds for a request's headers to arrive", DEFAULT_HEADER_TIMEOUT_S),
        ("--body-timeout", "seconds more for its body", DEFAULT_BODY_TIMEOUT_S),
        ("--send-timeout", "seconds a client may read nothing of a pending answer", DEFAULT_SEND_TIMEOUT_S),
    ):
        limits.add_argument(flag, type=_positive(float), help=f"{help_text} (default {default:g})")
    limits.add_argument(
        "--cache-bytes",
        type=_positive(int, zero=True),
        help="bytes of read answers kept for reuse until the next write; 0 turns the cache off "
        f"(ETag and 304 still work) (default {DEFAULT_CACHE_BYTES})",
    )
    limits.add_argument(
        "--service-allow",
        action="append",
        metavar="URL",
        help="a SERVICE endpoint queries may call, written in full as SERVICE <URL>; one extra "
        "worker keeps its network for them, every other worker has none (repeatable; also "
        "$JALINAN_SERVICE_ALLOW, comma-separated; default: none, so nothing is ever fetched)",
    )
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except FactsInvalid as exc:
        print(
            f"jalinan {args.command}: {len(exc.errors)} problem(s) in the curated facts; "
            "nothing was written:",
            file=sys.stderr,
        )
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"jalinan {args.command}: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    raise SystemExit(main())

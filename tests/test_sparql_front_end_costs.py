"""What the cheaper `/sparql` front end (issue 13, session 9) must keep: an answer that names a
blank node is never cached, in any format, though SPARQL results are scanned for one marker
only; the access line still reaches the logger's handlers and filters."""

import contextlib
import io
import json
import logging
from collections.abc import Iterator

import pytest
from pyoxigraph import BlankNode, NamedNode, Quad, QueryResultsFormat, RdfFormat, Store

from jalinan.api import logging as access_log
from jalinan.api.caching import _has_blank_node

SELECT = "SELECT ?s ?o WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _store(subject: NamedNode | BlankNode) -> Store:
    store = Store()
    store.add(Quad(subject, NamedNode("https://example.org/p"), NamedNode("https://example.org/o")))
    return store


@pytest.mark.parametrize(
    "results_format",
    [QueryResultsFormat.JSON, QueryResultsFormat.XML, QueryResultsFormat.CSV, QueryResultsFormat.TSV],
    ids=lambda f: f.name,
)
def test_a_results_answer_naming_a_blank_node_is_never_cached(results_format: QueryResultsFormat) -> None:
    with_blank = _store(BlankNode()).query(SELECT).serialize(format=results_format)
    without = _store(NamedNode("https://example.org/s")).query(SELECT).serialize(format=results_format)
    media = results_format.media_type + "; charset=utf-8"
    assert _has_blank_node(with_blank, media)
    assert not _has_blank_node(without, media)


@pytest.mark.parametrize(
    "rdf_format",
    [RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.RDF_XML, RdfFormat.JSON_LD],
    ids=lambda f: f.name,
)
def test_a_graph_answer_naming_a_blank_node_is_never_cached(rdf_format: RdfFormat) -> None:
    with_blank = _store(BlankNode()).query(CONSTRUCT).serialize(format=rdf_format)
    without = _store(NamedNode("https://example.org/s")).query(CONSTRUCT).serialize(format=rdf_format)
    assert _has_blank_node(with_blank, rdf_format.media_type)
    assert not _has_blank_node(without, rdf_format.media_type)


def test_the_access_line_goes_through_the_loggers_filters_and_handlers() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    access_log.logger.addHandler(handler)
    level = access_log.logger.level
    access_log.logger.setLevel(logging.INFO)
    dropped = logging.Filter("nothing-by-this-name")
    try:
        access_log._emit(json.dumps({"path": "/sparql"}))
        access_log.logger.addFilter(dropped)
        access_log._emit(json.dumps({"path": "/filtered"}))
    finally:
        access_log.logger.removeFilter(dropped)
        access_log.logger.removeHandler(handler)
        access_log.logger.setLevel(level)
    assert stream.getvalue() == 'jalinan.access INFO {"path": "/sparql"}\n'


# -- the quick tests before the regular expressions find what they found --------------------------
_TEXTS = [
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 100 # 42",
    "SELECT (RAND#hidden\n() AS ?r) WHERE {}",
    "SELECT (rand#)\n\t() AS ?r) WHERE {}",
    "SELECT ?s (STRUUID#)\n() AS ?u) WHERE { BIND(<http://example.org/#x> AS ?s) }",
    "SELECT (NOW#(\n( ) AS ?t) WHERE {}",
    "select (bNode() as ?b) where {}",
    "SELECT (R\\u0041ND() AS ?r) WHERE {}",
    "SELECT ('RAND' AS ?r) WHERE {}",
    "SELECT ?known WHERE { ?s <http://example.org/knows> ?known }",
    "SELECT (UUİD() AS ?u) WHERE {}",
    "SELECT (uuıd() AS ?u) WHERE {}",
    "SELECT ?s FROM <http://example.org/g> WHERE { ?s ?p ?o }",
    "select ?s from named <http://example.org/g> where { graph ?g { ?s ?p ?o } }",
    "SELECT ?s WHERE { ?s ?p 'from İstanbul' }",
    "SELECT ?s WHERE { ?s ?p 'frOm' }",
]


@pytest.mark.parametrize("text", _TEXTS)
def test_the_volatile_check_and_the_dataset_check_answer_as_their_expressions_alone(text: str) -> None:
    """`is_volatile` and `may_name_a_dataset` look for a name as a substring before running their
    case-blind expressions (which are slow to find nothing); the answer must be the same."""
    from jalinan.api import query_dataset, volatile

    decoded = volatile.decode_escapes(text)
    names = volatile._NAME.search(decoded) or volatile._NAME.search(text)
    expected_volatile = bool(names) and any(
        volatile._VOLATILE.search(t)
        for t in (decoded, volatile.without_comments(text), volatile.without_comments(decoded))
    )
    assert volatile.is_volatile(text) == expected_volatile
    expected_from = query_dataset._FROM.search(text) is not None
    assert query_dataset.may_name_a_dataset(text) == expected_from


@contextlib.contextmanager
def configured_stream() -> Iterator[io.StringIO]:
    """The access logger as `serve` configures it (`access_log.configure`) on a string stream,
    and nothing else on it (pytest's capturing handlers set aside) until the block ends."""
    logger = access_log.logger
    before, level, propagate = list(logger.handlers), logger.level, logger.propagate
    for handler in before:
        logger.removeHandler(handler)
    stream = io.StringIO()
    access_log.configure(stream)
    try:
        yield stream
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        for handler in before:
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def test_the_access_line_written_straight_to_the_stream_is_what_logging_writes() -> None:
    """With `serve`'s one handler, the line skips the `LogRecord` (session 13); the bytes are
    those the handler's `emit` writes, and a filter added later is honoured again."""
    with configured_stream() as stream:
        handler = access_log.logger.handlers[0]
        assert access_log._plain_handler() is handler
        access_log._emit('{"path": "/sparql", "query": "SELECT ?é"}')
        record = logging.LogRecord(access_log.LOGGER_NAME, logging.INFO, "", 0, '{"path": "/b"}', (), None)
        expected = stream.getvalue() + handler.format(record) + handler.terminator
        access_log._emit('{"path": "/b"}')
        written = stream.getvalue()
        handler.addFilter(logging.Filter("nothing-by-this-name"))
        try:
            assert access_log._plain_handler() is None
            access_log._emit('{"path": "/filtered"}')
        finally:
            handler.filters.clear()
        assert stream.getvalue() == written
    assert written == expected
    assert expected.startswith('{"path": "/sparql", "query": "SELECT ?é"}\n')


def test_an_access_line_that_cannot_be_written_is_reported_not_raised(capsys) -> None:
    """As `StreamHandler.emit`: a stream that fails does not fail the request."""
    with configured_stream() as stream:
        stream.close()  # writing to it raises ValueError
        access_log._emit('{"path": "/sparql"}')
    assert "Logging error" in capsys.readouterr().err

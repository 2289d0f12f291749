"""Ingest end to end: read, validate, translate, check shapes, then write in one transaction.

Nothing is written until everything has passed, and the write itself replaces every graph in
one store transaction, so a bad file leaves the store exactly as it was and a second run over
the same files gives the same quads (all IRIs are deterministic).
"""

from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple, parse

from jalinan.graph import GraphStore
from jalinan.graph.namespaces import ARTICLE, ENTITIES_GRAPH, GENID, ONTOLOGY_GRAPH, article_iri
from jalinan.ingest.articles import ArticleTexts
from jalinan.ingest.errors import FactError, FactsInvalid
from jalinan.ingest.records import FactsFile, read_article_file, read_entities_file
from jalinan.ingest.shape_check import shape_violations
from jalinan.ingest.translate import Translator
from jalinan.ingest.vocabulary import load_vocabulary, ontology_source

ENTITIES_FILE = "entities.yaml"
ARTICLES_FOLDER = "articles"


def default_facts_dir() -> Path:
    """The curated facts shipped with Jalinan."""
    return Path(str(files("jalinan.ingest.facts")))


@dataclass
class Corpus:
    """The validated facts, as triples per named graph, ready to write."""

    graphs: dict[str, list[Triple]]
    article_ids: list[str] = field(default_factory=list)

    @property
    def quad_count(self) -> int:
        return sum(len(triples) for triples in self.graphs.values())


def read_facts(facts_dir: Path) -> list[FactsFile]:
    """Read every YAML file of a facts folder (shape errors are kept on each file)."""
    entities = facts_dir / ENTITIES_FILE
    if not entities.is_file():
        raise FactsInvalid([FactError(entities, 0, "", "missing: the shared entities file")])
    out: list[FactsFile] = []
    problems: list[FactError] = []
    paths = [entities, *sorted((facts_dir / ARTICLES_FOLDER).glob("*.yaml"))]
    for path in paths:
        try:
            if path == entities:
                out.append(read_entities_file(path, ENTITIES_GRAPH))
            else:
                out.append(read_article_file(path, article_iri))
        except FactsInvalid as exc:
            problems.extend(exc.errors)
    if problems:
        raise FactsInvalid(problems + [e for f in out for e in f.errors])
    return out


def ontology_triples(ontology_ttl: Path) -> list[Triple]:
    """The ontology itself, loaded so that queries can read labels and walk skos:broader."""
    labels: dict[str, NamedNode] = {}

    def skolem(term):
        if isinstance(term, BlankNode):
            return labels.setdefault(term.value, NamedNode(f"{GENID}{len(labels) + 1}"))
        return term

    with ontology_ttl.open("rb") as handle:
        return [
            Triple(skolem(quad.subject), quad.predicate, skolem(quad.object))
            for quad in parse(handle, format=RdfFormat.TURTLE)
        ]


def build_corpus(
    facts_dir: Path | None = None, articles_dir: Path | None = None, *, check_shapes: bool = True
) -> Corpus:
    """Validate everything and build the graphs; raise `FactsInvalid` on any problem."""
    facts_dir = facts_dir or default_facts_dir()
    ontology_ttl = ontology_source()
    files_read = read_facts(facts_dir)
    translator = Translator(load_vocabulary(ontology_ttl), ArticleTexts(articles_dir))
    graphs = translator.translate(files_read)
    if check_shapes:
        violations = shape_violations(graphs, ontology_ttl)
        if violations:
            raise FactsInvalid([FactError(facts_dir, 0, "shapes", v) for v in violations])
    graphs[ONTOLOGY_GRAPH] = ontology_triples(ontology_ttl)
    graphs.setdefault(ENTITIES_GRAPH, [])
    article_ids = sorted(f.article.id for f in files_read if f.article is not None)
    return Corpus(graphs=graphs, article_ids=article_ids)


def write_corpus(store: GraphStore, corpus: Corpus) -> list[str]:
    """Replace every graph of the corpus, and drop article graphs no longer curated, at once.

    Returns the IRIs of the article graphs that were dropped.
    """
    stale = [name for name in store.graph_names() if name.startswith(ARTICLE) and name not in corpus.graphs]
    graphs: dict[str, list[Triple]] = dict(corpus.graphs)
    for name in stale:
        graphs[name] = []
    store.replace_graphs(graphs)
    return stale

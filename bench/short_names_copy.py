"""Add the short names' words (`jl:shortNameToken`) to a COPY of a store ingested before they
existed, as `jalinan ingest` writes them, so that search can be measured at 100,000 articles
without a second full ingest (20-30 minutes and 8-9 GB on the shared machine).

    cp -r /work/b10/n100000/store /work/data-NAME/store
    .venv/bin/python -m bench.short_names_copy /work/data-NAME/store

Each graph's holders of `jl:searchToken` get the words of their names in that graph (labels in
every language, aliases, acronyms, an article's headline), cut by `graph.keys.short_name_tokens`
as ingest cuts them; the concepts' keys graph gets `ingest.pipeline.concept_keys`' own. `--check
STORE` compares the result with a store ingested by this code (same quads expected): what
`bench/RESULTS.md` ran at 10,000 articles before trusting the copy at 100,000. Never run it on a
shared store: it writes.
"""

import argparse
import time
from collections import defaultdict

from pyoxigraph import Literal, NamedNode, Quad, Triple

from jalinan.graph import GraphStore, open_store
from jalinan.graph.keys import short_name_tokens
from jalinan.graph.namespaces import CONCEPT_KEYS_GRAPH, ONTOLOGY_GRAPH
from jalinan.ingest.pipeline import concept_keys

JL = "https://w3id.org/jalinan/ontology#"
SHORT = NamedNode(JL + "shortNameToken")


NAMES_QUERY = """
PREFIX jl: <https://w3id.org/jalinan/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?g ?e ?name WHERE {
  GRAPH ?g {
    VALUES ?naming { rdfs:label skos:altLabel jl:acronym jl:headline }
    ?e ?naming ?name .
    FILTER EXISTS { ?e jl:searchToken [] }
  }
  FILTER (?g != <CONCEPT_KEYS>)
}
""".replace("CONCEPT_KEYS", CONCEPT_KEYS_GRAPH)
ONTOLOGY_QUERY = "SELECT ?s ?p ?o WHERE { GRAPH <" + ONTOLOGY_GRAPH + "> { ?s ?p ?o } }"


def short_name_quads(store: GraphStore) -> set[Quad]:
    """What ingest would write as `jl:shortNameToken` in `store`, from what it holds."""
    names: dict[tuple[NamedNode, NamedNode], list[str]] = defaultdict(list)
    for row in store.execute(NAMES_QUERY, named_graphs=None):  # type: ignore[union-attr]
        names[(row["g"], row["e"])].append(row["name"].value)
    quads = {
        Quad(subject, SHORT, Literal(key), graph)
        for (graph, subject), its_names in names.items()
        for key in short_name_tokens(its_names)
    }
    ontology = [Triple(row["s"], row["p"], row["o"]) for row in store.execute(ONTOLOGY_QUERY)]  # type: ignore[union-attr]
    quads.update(
        Quad(t.subject, t.predicate, t.object, NamedNode(CONCEPT_KEYS_GRAPH))
        for t in concept_keys(ontology)
        if t.predicate == SHORT
    )
    return quads


DROP_WRITTEN = "DELETE WHERE { GRAPH ?g { ?e <" + SHORT.value + "> ?key } }"
WRITTEN_QUERY = "SELECT ?g ?e ?key WHERE { GRAPH ?g { ?e <" + SHORT.value + "> ?key } }"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="a copy of a store, written here")
    parser.add_argument("--check", help="a store ingested by this code: compare its words, write nothing")
    args = parser.parse_args()
    started = time.monotonic()
    if args.check:
        with open_store(args.store, read_only=True) as copy:
            ours = short_name_quads(copy)
        with open_store(args.check, read_only=True) as ingested:
            theirs = {Quad(r["e"], SHORT, r["key"], r["g"]) for r in ingested.execute(WRITTEN_QUERY)}  # type: ignore[union-attr]
        print(
            f"computed {len(ours)}, ingested {len(theirs)}, only computed {len(ours - theirs)}, "
            f"only ingested {len(theirs - ours)}",
            flush=True,
        )
        for quad in sorted(map(str, ours ^ theirs))[:10]:
            print("  differs:", quad)
        return
    with open_store(args.store) as store:
        quads = short_name_quads(store)
        print(f"{len(quads)} quads in {time.monotonic() - started:.1f} s", flush=True)
        store.update(DROP_WRITTEN)  # (those of an earlier run: the copy then holds just these)
        store.add_quads(quads)
    print(f"written in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()

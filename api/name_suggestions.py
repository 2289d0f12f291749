"""Close names for a name that stands for nothing: "did you mean" on a page not found, and the
closest names in the 404 of a query parameter that named nothing (`querying.reading`).

Only the shared entities' English labels and ids are compared (the names a reader types), read
once per data version, and a name is compared only with names of the same first letter and a
similar length.
"""

import difflib
import threading
from collections.abc import Iterable

from pyoxigraph import NamedNode

from jalinan.api.pages import local_href
from jalinan.graph import GraphStore
from jalinan.graph.namespaces import CONCEPT, ID
from jalinan.graph.results import SelectResult

# Every shared entity's English (or plain) labels: the ministries, agencies, companies, people,
# places… of the entities graph. (Every label under /id/, agreements and articles included, took
# 3.5 s to read at 10,000 articles; these few hundred take milliseconds.)
ENTITY_NAMES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?entity ?label
WHERE {
  GRAPH <https://w3id.org/jalinan/graph/entities> { ?entity rdfs:label ?label }
  FILTER (STRSTARTS(STR(?entity), "https://w3id.org/jalinan/id/")
          && (LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")))
}
"""
# A concept scheme's concepts and English labels (SCHEME: the scheme's IRI, a term object).
CONCEPT_NAMES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?concept ?label
WHERE {
  ?concept skos:inScheme SCHEME .
  OPTIONAL { ?concept skos:prefLabel ?label FILTER (LANGMATCHES(LANG(?label), "en")) }
}
"""
SUGGESTIONS = 5
MAX_ASKED = 120  # characters of the path compared: a long path is not a typo of a name
_names_lock = threading.Lock()
# Names by their first letter: [(lower-cased name, label shown, href)]. A name is only compared
# with names of the same first letter and a similar length (difflib over all 200,000 names of
# a large corpus took 0.5-5 s per page not found).
Names = dict[str, list[tuple[str, str, str]]]
_names: dict[str, Names] = {}  # data version -> its names


def index_names(names: Iterable[tuple[str, str, str]]) -> Names:
    """(name, label shown, href) triples, indexed for `close_matches`."""
    index: Names = {}
    for name, shown, href in names:
        key = name.lower()
        if key:
            index.setdefault(key[0], []).append((key, shown, href))
    return index


def entity_names(store: GraphStore) -> Names:
    """Every entity's English labels and id, each shown by the label: kept per data version."""
    version = store.version
    with _names_lock:
        if version is not None and version in _names:
            return _names[version]
    result = store.query(ENTITY_NAMES, trusted=True)
    assert isinstance(result, SelectResult)
    names = []
    for row in result.rows:
        iri, label = row["entity"].value, row["label"].value
        names.append((label, label, local_href(iri)))
        names.append((iri.removeprefix(ID).replace("-", " "), label, local_href(iri)))
    index = index_names(names)
    if version is not None:
        with _names_lock:
            _names.clear()
            _names[version] = index
    return index


def concept_names(store: GraphStore, scheme: str) -> Names:
    """A concept scheme's names (`signed`, `in-force`) and English labels, each shown by its
    name, as a parameter takes it (a few dozen: read when asked, for a 404)."""
    text = CONCEPT_NAMES.replace("SCHEME", str(NamedNode(f"{CONCEPT}{scheme}")))
    result = store.query(text, trusted=True)
    assert isinstance(result, SelectResult)
    names = []
    for row in result.rows:
        iri = row["concept"].value
        name = iri.rsplit("/", 1)[-1]
        names.append((name, name, iri))
        names.append((name.replace("-", " "), name, iri))
        if "label" in row:
            names.append((row["label"].value, name, iri))
    return index_names(names)


def close_matches(asked: str, names: Names) -> list[dict[str, str]]:
    """The names closest to `asked` (case-insensitive), best first, one per target."""
    asked = asked.lower().strip()[:MAX_ASKED]
    if not asked:
        return []
    slack = max(3, len(asked) // 3)
    candidates: dict[str, tuple[str, str]] = {}
    for key, shown, href in names.get(asked[0], []):
        if abs(len(key) - len(asked)) <= slack:
            candidates.setdefault(key, (shown, href))
    found, seen = [], set()
    for key in difflib.get_close_matches(asked, list(candidates), n=SUGGESTIONS * 3, cutoff=0.55):
        shown, href = candidates[key]
        if href not in seen:
            seen.add(href)
            found.append({"label": shown, "href": href})
    return found[:SUGGESTIONS]

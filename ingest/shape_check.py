"""Check the built graph against the SHACL shapes with pyshacl, the field's standard validator."""

from collections.abc import Iterable, Mapping
from importlib.resources import files
from pathlib import Path

from pyoxigraph import RdfFormat, Triple, serialize
from rdflib import Graph

SHAPES = Path(str(files("jalinan.ingest.shapes") / "jalinan-shapes.ttl"))


def shape_violations(graphs: Mapping[str, Iterable[Triple]], ontology_ttl: Path) -> list[str]:
    """Validate the union of `graphs` plus the ontology; return one readable line per violation."""
    import pyshacl  # imported here: it is slow to import and only ingest needs it

    data = Graph()
    data.parse(ontology_ttl, format="turtle")
    for triples in graphs.values():
        data.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=False, allow_warnings=True)
    if conforms:
        return []
    from rdflib.namespace import SH

    lines = []
    for result in report.subjects(predicate=SH.focusNode):
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        path = report.value(result, SH.resultPath)
        where = f" ({path})" if path is not None and not isinstance(path, type(result)) else ""
        lines.append(f"{focus}{where}: {message}")
    return sorted(set(lines))

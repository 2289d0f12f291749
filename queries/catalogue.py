"""Read the canned queries and bind their parameters safely.

Each `queries/<name>.rq` starts with a header of `#` comment lines holding YAML (title,
description, parameters). The rest is plain SPARQL that runs as-is in any client: every
parameter appears as a `VALUES ?variable { … }` block holding the example value (or `UNDEF`).
Binding replaces the data of that block with pyoxigraph term objects, whose `str()` is a
correctly escaped SPARQL term, so raw user text never reaches the query text.
"""

import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import BlankNode, Literal, NamedNode

Term = NamedNode | Literal | BlankNode
QUERIES_DIR = Path(str(files("jalinan.queries")))
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class CatalogueError(Exception):
    """A canned-query file is malformed (a developer's mistake, caught by the tests)."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of a canned query, as declared in its header."""

    name: str
    type: str
    variables: list[str]
    required: bool = False
    description: str = ""
    example: str | None = None
    choices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    parameters: list[Parameter]
    text: str
    path: Path

    def bind(self, values: dict[str, list[Term] | None]) -> str:
        """The query text with each named VALUES block's data replaced by `values[variable]`.

        `None` (or an empty list for an optional parameter) leaves the variable unbound (`UNDEF`).
        """
        text = self.text
        for variable, terms in values.items():
            data = " ".join(str(term) for term in terms) if terms else "UNDEF"
            text, count = _values_block(variable).subn(
                lambda m, data=data: f"{m.group(1)}{{ {data} }}", text, count=1
            )
            if count != 1:
                raise CatalogueError(f"{self.path}: no `VALUES ?{variable} {{ … }}` block to bind")
        return text


def _values_block(variable: str) -> re.Pattern[str]:
    return re.compile(r"(VALUES\s+\?" + re.escape(variable) + r"\s*)\{[^{}]*\}")


def parse_header(text: str, path: Path) -> dict[str, Any]:
    """The YAML held in the leading `#` comment lines."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[2:] if line.startswith("# ") else line[1:])
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: the header is not valid YAML: {exc}") from exc
    if not isinstance(header, dict) or not header.get("title"):
        raise CatalogueError(f"{path}: the header needs at least a `title`")
    return header


def load_query(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    header = parse_header(text, path)
    parameters = []
    for name, spec in (header.get("parameters") or {}).items():
        spec = spec or {}
        variables = spec.get("variables") or [spec.get("variable") or name]
        parameters.append(
            Parameter(
                name=name,
                type=spec.get("type", "text"),
                variables=list(variables),
                required=bool(spec.get("required", False)),
                description=str(spec.get("description", "")).strip(),
                example=None if spec.get("example") is None else str(spec["example"]),
                choices=[str(c) for c in spec.get("choices", [])],
            )
        )
        for variable in variables:
            if not _values_block(variable).search(text):
                raise CatalogueError(f"{path}: parameter {name!r} has no `VALUES ?{variable}` block")
    return CannedQuery(
        name=path.stem,
        title=str(header["title"]).strip(),
        description=str(header.get("description", "")).strip(),
        parameters=parameters,
        text=text,
        path=path,
    )


def load_catalogue(directory: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    """Every canned query of a folder, by name (the file's stem)."""
    catalogue = {}
    for path in sorted(directory.glob("*.rq")):
        if not _NAME.match(path.stem):
            raise CatalogueError(f"{path}: query names are lower-case words joined by hyphens")
        catalogue[path.stem] = load_query(path)
    return catalogue

"""Turn the curated YAML into records: node definitions and claims, each with its location.

This module checks only the *shape* of the YAML (which keys, which kinds of value). Whether the
names it mentions exist is `validate`'s job, once every file has been read.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jalinan.ingest.errors import FactError
from jalinan.ingest.yaml_source import LocatedDict, LocatedList, load_yaml

# Keys of a record that are not ontology properties.
RECORD_KEYS = {
    "id",
    "about",
    "type",
    "label",
    "labels",
    "aliases",
    "acronyms",
    "quote",
    "article",
    "claims",
    "review",
}
CLAIM_KEYS = {"quote", "article", "review"}
# `review:` marks a proposal of `jalinan draft` that a curator has not checked yet: reported as a
# problem at its line until the curator deletes it, so nothing unreviewed is ingested.
REVIEW = "review"
ARTICLE_KEYS = {"id", "source_file", "sha256", "headline"}
ARTICLE_SELF = "article"


@dataclass(frozen=True)
class Location:
    path: Path
    line: int


@dataclass
class NodeDef:
    """A node defined by a record with `id`."""

    id: str
    type: str
    label: str
    quote: str
    article: str
    graph: str
    location: Location
    type_line: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)


@dataclass
class Claim:
    """One property of one node with its values, supported by one quote from one article."""

    subject: str  # entity id, or ARTICLE_SELF for the file's own article
    prop: str  # ontology local name, or "description"
    value: Any
    quote: str
    article: str
    graph: str
    location: Location
    quote_location: Location


@dataclass
class ArticleMeta:
    id: str
    source_file: str
    sha256: str
    headline: str | None
    location: Location


@dataclass
class FactsFile:
    """Everything read from one YAML file."""

    path: Path
    graph: str
    article: ArticleMeta | None = None
    nodes: list[NodeDef] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    errors: list[FactError] = field(default_factory=list)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


class _Reader:
    """Reads one file's records, collecting every shape error instead of stopping at the first."""

    def __init__(self, path: Path, graph: str, default_article: str | None):
        self.out = FactsFile(path, graph)
        self.default_article = default_article

    def error(self, line: int, field_name: str, message: str) -> None:
        self.out.errors.append(FactError(self.out.path, line, field_name, message))

    def text_list(self, record: LocatedDict, key: str) -> list[str]:
        value = record.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(_is_text(v) for v in value):
            self.error(record.line_of(key), key, "must be a list of non-empty strings")
            return []
        return [str(v) for v in value]

    def review_marker(self, mapping: LocatedDict) -> None:
        if REVIEW in mapping:
            note = mapping[REVIEW]
            self.error(
                mapping.line_of(REVIEW),
                REVIEW,
                f"not reviewed yet: {note} (check the proposal, then delete this `review:` line)",
            )

    def group(
        self, subject: str, group: LocatedDict, fallback_quote: tuple[str, str, int] | None, skip: set[str]
    ) -> None:
        """Claims from the property keys of one mapping (a record or one of its `claims`)."""
        self.review_marker(group)
        props = [k for k in group if k not in skip]
        if not props:
            return
        quote, article, quote_line = fallback_quote or ("", "", group.line)
        if not quote:
            self.error(group.line, "quote", "missing evidence: these facts need a verbatim quote")
            return
        for prop in props:
            if not isinstance(prop, str):
                self.error(group.line_of(prop), str(prop), "property names must be strings")
                continue
            self.out.claims.append(
                Claim(
                    subject=subject,
                    prop=prop,
                    value=group[prop],
                    quote=quote,
                    article=article,
                    graph=self.out.graph,
                    location=Location(self.out.path, group.line_of(prop)),
                    quote_location=Location(self.out.path, quote_line),
                )
            )

    def quote_of(self, mapping: LocatedDict) -> tuple[str, str, int] | None:
        if "quote" not in mapping:
            return None
        quote = mapping["quote"]
        line = mapping.line_of("quote")
        if not _is_text(quote):
            self.error(line, "quote", "missing evidence: the quote must be non-empty text")
            return None
        article = mapping.get("article", self.default_article)
        if not _is_text(article):
            self.error(line, "article", "which article is this quote from? give `article: <id>`")
            return None
        return str(quote), str(article), line

    def record(self, record: Any) -> None:
        if not isinstance(record, LocatedDict):
            self.error(getattr(record, "line", 0), "", "each record must be a mapping")
            return
        has_id, has_about = "id" in record, "about" in record
        if has_id == has_about:
            self.error(record.line, "id", "a record needs exactly one of `id` (new node) or `about`")
            return
        subject = record["id"] if has_id else record["about"]
        key = "id" if has_id else "about"
        if not _is_text(subject):
            self.error(record.line_of(key), key, "must be a non-empty id")
            return
        subject = str(subject)
        record_quote = self.quote_of(record)
        if has_id:
            for required in ("type", "label"):
                if not _is_text(record.get(required)):
                    self.error(
                        record.line_of(required) if required in record else record.line,
                        required,
                        f"a new node needs a `{required}`",
                    )
            if record_quote is None and "quote" not in record:
                self.error(record.line, "quote", "missing evidence: a new node needs a `quote`")
            labels = record.get("labels", {})
            if not isinstance(labels, dict) or not all(
                isinstance(k, str) and _is_text(v) for k, v in labels.items()
            ):
                self.error(record.line_of("labels"), "labels", "must map language tags to names")
                labels = {}
            english = sorted(k for k in labels if k.lower() == "en" or k.lower().startswith("en-"))
            if english:
                # One English name per node: a page's title and a list's `label` column show
                # one. (Pipelines count a page by subject IRI whatever the labels; the lists
                # still written as one file count (agreement, label) pairs, so for them a second
                # English label would also shorten a page.)
                self.error(
                    record.line_of("labels"),
                    "labels",
                    f"`{english[0]}`: the English name is `label`; put other English names in `aliases`",
                )
                labels = {k: v for k, v in labels.items() if k not in english}
            if _is_text(record.get("type")) and _is_text(record.get("label")) and record_quote:
                quote, article, _ = record_quote
                self.out.nodes.append(
                    NodeDef(
                        id=subject,
                        type=str(record["type"]),
                        label=str(record["label"]),
                        quote=quote,
                        article=article,
                        graph=self.out.graph,
                        location=Location(self.out.path, record.line_of("id")),
                        type_line=record.line_of("type"),
                        labels={str(k): str(v) for k, v in labels.items()},
                        aliases=self.text_list(record, "aliases"),
                        acronyms=self.text_list(record, "acronyms"),
                    )
                )
        else:
            for key_name in ("type", "label", "labels", "aliases", "acronyms"):
                if key_name in record:
                    self.error(
                        record.line_of(key_name),
                        key_name,
                        "only a record with `id` may set this; `about` adds claims",
                    )
        self.group(subject, record, record_quote, RECORD_KEYS)
        if "claims" not in record:
            return
        claims = record["claims"]
        if not isinstance(claims, LocatedList):
            self.error(record.line_of("claims"), "claims", "must be a list of quote groups")
            return
        for group in claims:
            if not isinstance(group, LocatedDict):
                self.error(getattr(claims, "line", record.line), "claims", "each claim is a mapping")
                continue
            group_quote = self.quote_of(group)
            if group_quote is None and "quote" not in group:
                self.error(group.line, "quote", "missing evidence: each claim needs a `quote`")
                continue
            self.group(subject, group, group_quote, CLAIM_KEYS)

    def article_block(self, block: Any) -> None:
        if not isinstance(block, LocatedDict):
            self.error(getattr(block, "line", 0), "article", "must be a mapping")
            return
        for key in ARTICLE_KEYS - {"headline"}:
            if not _is_text(block.get(key)):
                self.error(block.line_of(key), f"article.{key}", "is required")
        for key in block:
            if key not in ARTICLE_KEYS:
                self.error(block.line_of(key), f"article.{key}", "unknown key")
        if all(_is_text(block.get(k)) for k in ARTICLE_KEYS - {"headline"}):
            headline = block.get("headline")
            self.out.article = ArticleMeta(
                id=str(block["id"]),
                source_file=str(block["source_file"]),
                sha256=str(block["sha256"]).lower(),
                headline=str(headline) if _is_text(headline) else None,
                location=Location(self.out.path, block.line),
            )
            self.default_article = self.out.article.id


def read_entities_file(path: Path, graph: str) -> FactsFile:
    """Read `entities.yaml`: `entities:` a list of records whose quotes name their article."""
    reader = _Reader(path, graph, default_article=None)
    data = load_yaml(path)
    if not isinstance(data, LocatedDict) or not isinstance(data.get("entities"), LocatedList):
        reader.error(getattr(data, "line", 1), "entities", "the file must hold `entities:` a list")
        return reader.out
    for key in data:
        if key != "entities":
            reader.error(data.line_of(key), key, "unknown top-level key")
    for record in data["entities"]:
        reader.record(record)
    return reader.out


def read_article_file(path: Path, graph_of_article: Any) -> FactsFile:
    """Read one article file: its `article:` block, then `facts:` a list of records."""
    data = load_yaml(path)
    reader = _Reader(path, graph="", default_article=None)
    if not isinstance(data, LocatedDict):
        reader.error(1, "", "the file must be a mapping with `article:` and `facts:`")
        return reader.out
    for key in data:
        if key not in ("article", "facts"):
            reader.error(data.line_of(key), key, "unknown top-level key")
    reader.article_block(data.get("article"))
    if reader.out.article is None:
        return reader.out
    reader.out.graph = graph_of_article(reader.out.article.id)
    facts = data.get("facts", [])
    if not isinstance(facts, LocatedList):
        reader.error(data.line_of("facts"), "facts", "must be a list of records")
        return reader.out
    for record in facts:
        reader.record(record)
    return reader.out

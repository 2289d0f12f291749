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
CLAIM_KEYS = {"quote", "article", "quotes", "inferred", "review"}
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
    # An inference: how it was drawn (`inferred:`), and the further quotes it rests on, each
    # (quote, article id, location); with them the fact may tie several articles together.
    inference: str | None = None
    more_quotes: tuple[tuple[str, str, Location], ...] = ()


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

    def __init__(self, path: Path, graph: str, default_article: str | None, background: bool = False):
        self.out = FactsFile(path, graph)
        self.default_article = default_article
        # Background facts rest on a public `source: {url, title}` instead of an article quote.
        self.background = background
        self.record_keys = RECORD_KEYS | {"source"} if background else RECORD_KEYS
        self.claim_keys = {"source", REVIEW} if background else CLAIM_KEYS

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
        self,
        subject: str,
        group: LocatedDict,
        fallback_quote: tuple[str, str, int] | None,
        skip: set[str],
        inference: str | None = None,
        more_quotes: tuple[tuple[str, str, Location], ...] = (),
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
                    inference=inference,
                    more_quotes=more_quotes,
                )
            )

    def quote_of(self, mapping: LocatedDict) -> tuple[str, str, int] | None:
        if self.background:
            return self.source_of(mapping)
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

    def source_of(self, mapping: LocatedDict) -> tuple[str, str, int] | None:
        """A background fact's public source, as (title, url, line) in the place of a quote."""
        for key in ("quote", "quotes", "inferred", "article"):
            if key in mapping:
                self.error(mapping.line_of(key), key, "a background fact rests on a `source: {url, title}`")
        if "source" not in mapping:
            return None
        source, line = mapping["source"], mapping.line_of("source")
        url = source.get("url") if isinstance(source, dict) else None
        title = source.get("title") if isinstance(source, dict) else None
        if not (_is_text(url) and str(url).startswith(("https://", "http://")) and " " not in str(url)):
            self.error(line, "source", "needs `url:` an http(s) address of the public source")
            return None
        if not _is_text(title):
            self.error(line, "source", "needs `title:` the name of the public source")
            return None
        return str(title), str(url), line

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
            if record_quote is None and "quote" not in record and not self.background:
                self.error(record.line, "quote", "missing evidence: a new node needs a `quote`")
            if record_quote is None and "source" not in record and self.background:
                self.error(record.line, "source", "missing evidence: a new node needs a `source`")
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
        self.group(subject, record, record_quote, self.record_keys)
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
            if ("quotes" in group or "inferred" in group) and not self.background:
                self.inferred_group(subject, group)
                continue
            group_quote = self.quote_of(group)
            if group_quote is None and "quote" not in group and "source" not in group:
                evidence = "source" if self.background else "quote"
                self.error(group.line, evidence, f"missing evidence: each claim needs a `{evidence}`")
                continue
            self.group(subject, group, group_quote, self.claim_keys)

    def inferred_group(self, subject: str, group: LocatedDict) -> None:
        """A claim group drawn by inference: `inferred: how`, and `quotes:` (or one `quote`).

        Each quote names its article (`article:`, or this file's article by default), so one
        inference may rest on quotes from several articles: a tie across articles.
        """
        note = group.get("inferred")
        if not _is_text(note):
            self.error(
                group.line_of("inferred") if "inferred" in group else group.line,
                "inferred",
                "an inference needs `inferred:` saying how it was drawn from its quotes",
            )
            return
        if ("quote" in group) == ("quotes" in group):
            self.error(group.line, "quotes", "an inference needs either `quote` or `quotes`, not both")
            return
        located: list[tuple[str, str, int]] = []
        if "quote" in group:
            one = self.quote_of(group)
            if one is None:
                return
            located.append(one)
        else:
            quotes = group["quotes"]
            if not isinstance(quotes, LocatedList) or not quotes:
                self.error(group.line_of("quotes"), "quotes", "must be a list of {article, quote}")
                return
            for entry in quotes:
                if not isinstance(entry, LocatedDict) or set(entry) - {"quote", "article"}:
                    self.error(getattr(entry, "line", group.line), "quotes", "each entry is {article, quote}")
                    return
                one = self.quote_of(entry)
                if one is None:
                    if "quote" not in entry:
                        self.error(entry.line, "quote", "missing evidence: each entry needs a `quote`")
                    return
                located.append(one)
        if self.out.article is not None:  # an article file: ties to other articles go in ties.yaml
            for _, article, line in located:
                if article != self.out.article.id:
                    self.error(
                        line,
                        "article",
                        f"a quote of article {article!r}: write an inference across articles in "
                        "ties.yaml, so that this file can be re-ingested on its own",
                    )
                    return
        first, *rest = located
        more = tuple((q, a, Location(self.out.path, line)) for q, a, line in rest)
        self.group(subject, group, first, CLAIM_KEYS, inference=str(note), more_quotes=more)

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


def _read_list_file(path: Path, key: str, reader: "_Reader") -> list[Any]:
    """The records of a file holding one top-level list under `key` (shape errors on `reader`)."""
    data = load_yaml(path)
    if not isinstance(data, LocatedDict) or not isinstance(data.get(key), LocatedList):
        reader.error(getattr(data, "line", 1), key, f"the file must hold `{key}:` a list")
        return []
    for other in data:
        if other != key:
            reader.error(data.line_of(other), other, "unknown top-level key")
    return list(data[key])


def read_entities_file(path: Path, graph: str) -> FactsFile:
    """Read `entities.yaml`: `entities:` a list of records whose quotes name their article."""
    reader = _Reader(path, graph, default_article=None)
    for record in _read_list_file(path, "entities", reader):
        reader.record(record)
    return reader.out


def read_ties_file(path: Path, graph: str) -> FactsFile:
    """Read `ties.yaml`: `ties:` a list of `about` records whose claims are all inferences.

    A tie across articles belongs to no one article, so it lives in its own file and graph; that
    it is drawn, not stated, is required here rather than left to the curator's care.
    """
    reader = _Reader(path, graph, default_article=None)
    for record in _read_list_file(path, "ties", reader):
        if isinstance(record, LocatedDict) and "about" not in record:
            reader.error(record.line, "about", "a tie adds claims `about` nodes defined elsewhere")
            continue
        reader.record(record)
    for claim in reader.out.claims:
        if claim.inference is None:
            reader.error(
                claim.location.line,
                claim.prop,
                "every claim here is an inference: give it `inferred:` and the `quotes` it rests on",
            )
    return reader.out


def read_background_file(path: Path, graph: str) -> FactsFile:
    """Read `background.yaml`: `background:` records resting on public sources, not on articles.

    Facts no article states but a reader needs to connect the articles (a ministry split in two)
    are kept apart: their own file and graph, and evidence naming a public source, never a quote.
    """
    reader = _Reader(path, graph, default_article=None, background=True)
    for record in _read_list_file(path, "background", reader):
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

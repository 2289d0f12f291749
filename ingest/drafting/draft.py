"""Draft an article's facts: the story's sentences, the names in them, agreements and visits.

`draft_article` reads an article's text and proposes, for a curator to review, what the curated
YAML would hold; `write_draft` (in `writer`) turns the proposals into that YAML, each with its
verbatim sentence and a `review:` marker that `jalinan validate` reports until it is removed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from jalinan.ingest.drafting.gazetteer import Gazetteer
from jalinan.ingest.drafting.mentions import ArticleNames, find_names
from jalinan.ingest.drafting.proposals import (
    AgreementProposal,
    VisitProposal,
    propose_agreements,
    propose_visits,
)
from jalinan.ingest.drafting.text import Paragraph, Sentence, is_headline_like, paragraphs, sentences

_DATELINE = re.compile(r"\bdate (\d{4}-\d{2}-\d{2})\b")


@dataclass
class Draft:
    article_id: str
    source_file: str
    sha256: str
    date: str | None
    date_quote: str | None
    headline: str | None
    story: list[Sentence]
    skipped: list[Paragraph]
    names: ArticleNames
    agreements: list[AgreementProposal]
    visits: list[VisitProposal]
    publisher: str | None = None  # the name the curator gave

    def all_quotes(self) -> list[str]:
        quotes = [q for a in self.agreements for q in a.quotes()]
        quotes += [v.quote for v in self.visits]
        quotes += [s.text for s in self.names.candidate_quotes.values()]
        if self.date_quote:
            quotes.append(self.date_quote)
        return quotes


def article_id_of(source_file: str, data: bytes) -> str:
    """The hex part of a curated article's file name ("002_39e3ab31b4f62a31.txt"), else a digest."""
    match = re.search(r"([0-9a-f]{16})\.txt$", source_file)
    return match.group(1) if match else hashlib.sha256(data).hexdigest()[:16]


def draft_article(
    text: str,
    gazetteer: Gazetteer,
    *,
    source_file: str,
    date: str | None = None,
    publisher: str | None = None,
) -> Draft:
    """Propose the facts of one article (its date, if given, resolves "yesterday" and the like)."""
    data = text.encode("utf-8")
    all_paragraphs = paragraphs(text)
    skipped = [p for p in all_paragraphs if p.furniture]
    story_paragraphs = [p for p in all_paragraphs if not p.furniture and not is_headline_like(p)]
    headline_like = [p for p in all_paragraphs if not p.furniture and is_headline_like(p)]
    # the first headline-like line before the story is the headline; later ones are site links
    first_story = story_paragraphs[0].index if story_paragraphs else 0
    headline = next((p.text for p in headline_like if p.index < first_story), None)
    skipped += [p for p in headline_like if p.text != headline]
    skipped.sort(key=lambda p: p.index)
    dateline = _DATELINE.search(text)
    date_quote = dateline.group(0) if dateline else None
    if date is None and dateline:
        date = dateline.group(1)
    story = [s for p in story_paragraphs for s in sentences(p)]
    names = find_names(story, gazetteer)
    return Draft(
        article_id=article_id_of(source_file, data),
        source_file=source_file,
        sha256=hashlib.sha256(data).hexdigest(),
        date=date,
        date_quote=date_quote,
        headline=headline,
        story=story,
        skipped=skipped,
        names=names,
        agreements=propose_agreements(names.sentences, date),
        visits=propose_visits(names.sentences, date),
        publisher=publisher,
    )

"""Who and what an article mentions: known entities by id, and new names as candidates.

Known names come from the gazetteer; new ones from the naming rules in `names`. Where a new
organisation's name holds a known one ("Malaysian Communications and Multimedia Commission"
holds "Malaysia"), the longer name wins. Each candidate is proposed once per article, with the
sentence of its first occurrence as its quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jalinan.ingest.drafting.gazetteer import Entry, Gazetteer, Mention, words
from jalinan.ingest.drafting.names import Candidate, canonical, companies, organisations, people, places
from jalinan.ingest.drafting.text import Sentence


@dataclass
class SentenceNames:
    """The names found in one sentence."""

    sentence: Sentence
    known: list[Mention] = field(default_factory=list)
    new: list[Candidate] = field(default_factory=list)


@dataclass
class ArticleNames:
    sentences: list[SentenceNames]
    candidates: dict[str, Candidate]  # key -> the candidate, first occurrence
    candidate_quotes: dict[str, Sentence]
    known_quotes: dict[str, Sentence]  # entity id -> first sentence naming it
    acronym_keys: dict[str, str] = field(default_factory=dict)  # an acronym's key -> its name's key

    def key_of(self, candidate: Candidate) -> str:
        """The key under which a candidate (any occurrence of it) is proposed."""
        return self.acronym_keys.get(candidate.key, candidate.key)

    def known_entries(self) -> list[Entry]:
        seen: dict[str, Entry] = {}
        for names in self.sentences:
            for mention in names.known:
                seen.setdefault(mention.entry.id, mention.entry)
        return list(seen.values())


def _known_whole(gazetteer: Gazetteer, name: str) -> Entry | None:
    """The known entity this whole name denotes, if any."""
    for mention in gazetteer.find(name):
        if len(words(mention.text)) == len(words(name)):
            return mention.entry
    return None


def find_names(sentences: list[Sentence], gazetteer: Gazetteer) -> ArticleNames:
    out = ArticleNames([], {}, {}, {})
    here = any(re.search(r"\bhere\b", s.text) for s in sentences)
    acronym_of: dict[str, str] = {}
    for sentence in sentences:
        text = sentence.text
        known = gazetteer.find(text)
        new: list[Candidate] = []
        spans: list[tuple[int, int]] = []
        proposed = [*organisations(text), *people(text), *companies(text), *places(text, here)]
        for candidate in sorted(proposed, key=lambda c: (c.start, -len(c.name))):
            end = candidate.start + len(candidate.name)
            if any(s <= candidate.start < e for s, e in spans):
                continue  # inside a longer new name already taken
            if any(m.start <= candidate.start and end <= m.end for m in known):
                continue  # part of a known name
            entry = _known_whole(gazetteer, candidate.name)
            if entry is not None:
                continue  # the gazetteer knows it; its mention is in `known`
            if candidate.kind in ("Country", "City") and any(
                m.start <= candidate.start < m.end for m in known
            ):
                continue
            spans.append((candidate.start, end))
            new.append(candidate)
        # an acronym met before stands for its name: "Miti exchanged two MoUs"
        for match in re.finditer(r"\b[A-Z][A-Za-z]{1,9}\b", text):
            key = acronym_of.get(canonical(match.group(0)))
            if (
                key
                and not any(s <= match.start() < e for s, e in spans)
                and not any(m.start <= match.start() < m.end for m in known)
            ):
                first = out.candidates.get(key)
                if first is not None:
                    new.append(Candidate(match.group(0), first.kind, match.start(), reason="its acronym"))
                    spans.append(match.span())
        new.sort(key=lambda c: c.start)
        # a known name inside a new, longer one is part of that name, not a mention of its own
        known = [
            m
            for m in known
            if not any(s <= m.start and m.end <= e and (m.end - m.start) < (e - s) for s, e in spans)
        ]
        for candidate in new:
            key = acronym_of.get(candidate.key, candidate.key)
            first = out.candidates.get(key)
            if first is None:
                out.candidates[key] = candidate
                out.candidate_quotes[key] = sentence
            else:
                first.acronyms.extend(a for a in candidate.acronyms if a not in first.acronyms)
            for acronym in candidate.acronyms:
                acronym_of[canonical(acronym)] = key
        for mention in known:
            out.known_quotes.setdefault(mention.entry.id, sentence)
        out.sentences.append(SentenceNames(sentence, known, new))
    out.acronym_keys = acronym_of
    # a bare acronym proposed on its own ("Miti exchanged …") is the organisation it abbreviates
    for key in list(out.candidates):
        if key in acronym_of and acronym_of[key] != key:
            del out.candidates[key]
            del out.candidate_quotes[key]
    return out

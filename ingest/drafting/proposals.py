"""Agreements and visits proposed from the text's own words.

An agreement is proposed where a sentence names a kind of document (MoU, memorandum, letter of
intent, joint statement, protocol, programme, agreement) together with what happened to it
(signed, exchanged, inked, issued: done; will sign, plans to: planned), or names a single one
("an MoU", "the Ministry's MoU"). "the MoUs", "the LOI" refer back to documents already
proposed and add what the sentence says about them. A count ("two MoUs") gives that many
documents; a large or vague count ("fourteen …", "several MoUs") gives a collection with its
`documentCount`. Parties are the organisations and countries the sentence names, on the side of
their country; signatories the people named after "signed by", those who exchanged it after
"exchanged by" (not signers: the text does not say they signed), witnesses after "witnessed by".

A visit is proposed where a sentence says "state / official / working visit" or "visit to".
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from jalinan.ingest.drafting.gazetteer import Entry, Mention, fold
from jalinan.ingest.drafting.mentions import SentenceNames
from jalinan.ingest.drafting.names import Candidate
from jalinan.ingest.drafting.when import FoundDate, dates_in

_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bmemorand(?:um|a|ums) of understanding\b|\bMoUs?\b", re.I), "MemorandumOfUnderstanding"),
    (re.compile(r"\bletters? of intent\b|\bLOIs?\b", re.I), "LetterOfIntent"),
    (re.compile(r"\bjoint statements?\b", re.I), "JointStatement"),
    (re.compile(r"\bprotocols?\b", re.I), "Protocol"),
    (re.compile(r"\bprogrammes?\b|\bprograms?\b", re.I), "CooperationProgramme"),
    (re.compile(r"\bagreements?\b", re.I), "IntergovernmentalAgreement"),
]
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "twenty": 20,
}
_PLANNED = re.compile(
    r"\b(will (?:also )?(?:sign|ink|exchange|conclude)|plans? to sign|to be signed|"
    r"are expected to sign|is expected to sign|will be signed|intends? to sign)\b",
    re.I,
)
_EXCHANGED = re.compile(r"\bexchang(?:ed|ing)\b", re.I)
_SIGNED = re.compile(r"\b(sign(?:ed|ing)|ink(?:ed|ing)|concluded)\b", re.I)
_ISSUED = re.compile(r"\b(issued|released)\b", re.I)
_LARGE_COUNT = 5
_PLURAL = re.compile(
    r"memoranda|memorandums|MoUs|LOIs|letters|statements|protocols|programmes|programs|"
    r"agreements",
    re.I,
)
_NARROWER = {("signed", "exchanged")}  # a later "exchanged" says more than "signed"


@dataclass
class Said:
    """What a later sentence says about a document already proposed."""

    quote: str
    status: str | None
    signatories: list[Mention | Candidate]
    exchangers: list[Mention | Candidate]
    witnesses: list[Mention | Candidate]


@dataclass
class AgreementProposal:
    ref: str  # a local name until the writer gives it an id
    kind: str
    quote: str
    status: str | None
    count: int | None = None  # a collection's documentCount
    parties: list[Mention | Candidate] = field(default_factory=list)
    signatories: list[Mention | Candidate] = field(default_factory=list)
    exchangers: list[Mention | Candidate] = field(default_factory=list)  # "exchanged by": not signers
    witnesses: list[Mention | Candidate] = field(default_factory=list)
    date: FoundDate | None = None
    date_quote: str = ""
    topic_words: str = ""
    more: list[Said] = field(default_factory=list)  # later sentences about it

    def quotes(self) -> list[str]:
        return [self.quote, *(m.quote for m in self.more), *([self.date_quote] if self.date_quote else [])]


@dataclass
class VisitProposal:
    kind: str
    quote: str
    status: str
    visitor: list[Mention | Candidate]
    host: list[Mention | Candidate]
    places: list[Mention | Candidate]
    date: FoundDate | None = None


def _status(sentence: str) -> str | None:
    if _PLANNED.search(sentence):
        return "planned"
    if _EXCHANGED.search(sentence):
        return "exchanged"
    if _SIGNED.search(sentence):
        return "signed"
    if _ISSUED.search(sentence):
        return "issued"
    return None


def _kind_of(entry_or_candidate: Mention | Candidate) -> str:
    if isinstance(entry_or_candidate, Mention):
        return entry_or_candidate.entry.kind or ""
    return {"Person": "person", "Country": "country", "City": "place"}.get(
        entry_or_candidate.kind, "organization"
    )


def _start(item: Mention | Candidate) -> int:
    return item.start


def _names_in(names: SentenceNames) -> list[Mention | Candidate]:
    return sorted([*names.known, *names.new], key=_start)


def _party_like(sentence: str, item: Mention | Candidate) -> bool:
    """Not "China's" in "China's NDRC" (the party is the NDRC), nor "X said" (a speaker)."""
    end = item.end if isinstance(item, Mention) else item.start + len(item.name)
    after = sentence[end : end + 30]
    if re.match(r"['’]s\s+[A-Z]", after) and _kind_of(item) == "country":
        return False
    return not re.match(r"\s+(?:(?:also|has|had)\s+)?(?:said|says|stated|announced|in a statement)\b", after)


def _people_after(
    sentence: str, items: list[Mention | Candidate], cue: re.Pattern[str], stop: re.Pattern[str] | None = None
) -> list[Mention | Candidate]:
    match = cue.search(sentence)
    if not match:
        return []
    end = len(sentence)
    if stop:
        stop_match = stop.search(sentence, match.end())
        if stop_match:
            end = stop_match.start()
    return [i for i in items if _kind_of(i) == "person" and match.end() <= i.start < end]


_SIGNED_BY = re.compile(r"\b(?:signed|inked) by\b", re.I)
_EXCHANGED_BY = re.compile(r"\bexchanged by\b", re.I)
_WITNESSED_BY = re.compile(r"\bwitnessed by\b", re.I)


def _document_mentions(sentence: str) -> list[tuple[int, str, re.Match[str]]]:
    found: list[tuple[int, str, re.Match[str]]] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _KINDS:
        for match in pattern.finditer(sentence):
            if any(s <= match.start() < e for s, e in taken):
                continue
            # "(MoUs)" after "Memoranda of Understanding" is the same mention
            if (
                re.match(r"\s*\(", sentence[match.end() : match.end() + 2])
                and kind == "MemorandumOfUnderstanding"
            ):
                closing = sentence.find(")", match.end())
                taken.append((match.start(), closing + 1 if closing > 0 else match.end()))
            else:
                taken.append(match.span())
            found.append((match.start(), kind, match))
    return sorted(found, key=lambda f: f[0])


def propose_agreements(sentences: list[SentenceNames], article_date: str | None) -> list[AgreementProposal]:
    proposals: list[AgreementProposal] = []
    for names in sentences:
        sentence = names.sentence.text
        mentions = _document_mentions(sentence)
        if not mentions:
            continue
        status = _status(sentence)
        items = _names_in(names)
        parties = [
            i for i in items if _kind_of(i) in ("organization", "country") and _party_like(sentence, i)
        ]
        signatories = _people_after(sentence, items, _SIGNED_BY, _WITNESSED_BY)
        exchangers = _people_after(sentence, items, _EXCHANGED_BY, _WITNESSED_BY)
        witnesses = _people_after(sentence, items, _WITNESSED_BY)
        dates = dates_in(sentence, article_date)
        handled_kinds: set[str] = set()
        created = False
        for start, kind, match in mentions:
            if kind in handled_kinds:
                continue
            before = sentence[max(0, start - 40) : start]
            word = _determiner(before)
            plural = bool(_PLURAL.search(match.group(0)))
            definite = word in {"the", "these", "those", "both", "this", "that"} or bool(
                re.search(r"\bthe\s+(?:\w+\s+){0,3}$", before)
            )
            earlier = [p for p in proposals if p.kind == kind]
            if definite and earlier:
                # "the MoUs were exchanged by …": what the sentence adds to those proposed
                count = len(earlier) if plural else 1
                for proposal in earlier[-count:] if plural else earlier[-1:]:
                    proposal.more.append(Said(sentence, status, signatories, exchangers, witnesses))
                    if status and (proposal.status is None or (proposal.status, status) in _NARROWER):
                        proposal.status = status
                handled_kinds.add(kind)
                continue
            possessive = re.search(r"['’]s\s+$", before) is not None
            number = _NUMBERS.get(word)
            vague = word in {"several", "various", "some", "many"}
            if status is None and not possessive:
                continue  # "Key MoUs involve …", "includes an agreement to …": not a report of a document
            if created:
                continue  # "an MoU focused on a … programme": the rest of the sentence is its content
            if not plural and number is None and not possessive and not definite and word not in {"a", "an"}:
                number = 1
            if plural and (vague or (number or 0) >= _LARGE_COUNT or number is None):
                collection = AgreementProposal(
                    f"collection-{len(proposals) + 1}",
                    "AgreementCollection",
                    sentence,
                    status,
                    count=number,
                    parties=parties,
                    signatories=signatories,
                    exchangers=exchangers,
                    witnesses=witnesses,
                )
                _date(collection, dates, sentence)
                proposals.append(collection)
                created = True
                handled_kinds.update(k for _, k, _ in mentions)  # "memoranda, agreements, protocols …"
                continue
            for _ in range(number or 1):
                proposal = AgreementProposal(
                    f"{kind}-{len(proposals) + 1}",
                    kind,
                    sentence,
                    status,
                    parties=parties,
                    signatories=signatories,
                    exchangers=exchangers,
                    witnesses=witnesses,
                    topic_words=sentence[match.end() :],
                )
                _date(proposal, dates, sentence)
                proposals.append(proposal)
            created = True
            handled_kinds.add(kind)
    # "The Housing Ministry's MoU pertains to …": reported among the others, as they were
    for before, proposal in itertools.pairwise(proposals):
        if proposal.status is None and before.status is not None:
            proposal.status = before.status
    return proposals


_DETERMINERS = {
    *_NUMBERS,
    "the",
    "these",
    "those",
    "both",
    "this",
    "that",
    "several",
    "various",
    "some",
    "many",
}


def _determiner(before: str) -> str:
    """The word that counts or points at a document: "two MoUs", "two significant MoUs", "the MoU"."""
    previous = [fold(w) for w in re.findall(r"[\w-]+", before)[-2:]]
    for word in reversed(previous):
        if word in _DETERMINERS:
            return word
    return previous[-1] if previous else ""


def _date(proposal: AgreementProposal, dates: list[FoundDate], sentence: str) -> None:
    if dates:
        proposal.date = dates[0]
        proposal.date_quote = ""


_VISIT = re.compile(r"\b(state|official|working)\s+visit\b|\bvisit(?:ed)?\s+to\b|\bvisit to\b", re.I)
_VISIT_PLANNED = re.compile(r"\b(invit(?:ed|ation)|will|plans? to|scheduled|expected to)\b", re.I)
_VISIT_KINDS = {"state": "StateVisit", "official": "OfficialVisit", "working": "WorkingVisit"}


def propose_visits(sentences: list[SentenceNames], article_date: str | None) -> list[VisitProposal]:
    visits: list[VisitProposal] = []
    for names in sentences:
        sentence = names.sentence.text
        match = _VISIT.search(sentence)
        if not match:
            continue
        items = _names_in(names)
        kind = _VISIT_KINDS.get(fold(match.group(1) or ""), "Visit")
        after = [i for i in items if i.start >= match.end()]
        visitor = [i for i in items if _kind_of(i) == "person" and i.start < match.start()][-1:]
        host = [i for i in after if _kind_of(i) == "country"][:1]
        places = [i for i in after if _kind_of(i) == "place"][:1]
        if not visitor and not host and not places:
            continue
        duplicate = next((v for v in visits if v.kind == kind and _same(v.visitor, visitor)), None)
        if duplicate is not None:
            continue
        status = "planned" if _VISIT_PLANNED.search(sentence) else "held"
        dates = dates_in(sentence, article_date)
        visits.append(
            VisitProposal(kind, sentence, status, visitor, host, places, dates[0] if dates else None)
        )
    return visits


def _same(a: list[Mention | Candidate], b: list[Mention | Candidate]) -> bool:
    def key(i: Mention | Candidate) -> str:
        return i.entry.id if isinstance(i, Mention) else fold(i.name)

    return bool(a) and bool(b) and key(a[0]) == key(b[0])


def entry_or_candidate_label(item: Mention | Candidate | Entry) -> str:
    if isinstance(item, Mention):
        return item.entry.label
    if isinstance(item, Entry):
        return item.label
    return item.name

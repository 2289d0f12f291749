"""A draft as an article file in the curated YAML format, ready for review.

Every proposal carries its verbatim sentence as its quote and a `review:` line saying what to
check; `jalinan validate` reports each `review:` line left as a problem at its line, so the
draft's remaining work is the validator's list. Known entities are written as their ids; new
names as records of their own (never merged into a known entity). What was skipped as site
furniture, and the known names the article mentions without a proposed fact, are listed in the
file's header comment.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from jalinan.ingest.drafting.draft import Draft
from jalinan.ingest.drafting.gazetteer import Entry, Gazetteer, Mention, fold
from jalinan.ingest.drafting.names import Candidate
from jalinan.ingest.drafting.proposals import AgreementProposal, VisitProposal
from jalinan.ingest.drafting.when import FoundDate

_KIND_LABELS = {
    "MemorandumOfUnderstanding": ("MoU", "mou"),
    "LetterOfIntent": ("Letter of Intent", "loi"),
    "JointStatement": ("Joint statement", "joint-statement"),
    "Protocol": ("Protocol", "protocol"),
    "CooperationProgramme": ("Cooperation programme", "programme"),
    "IntergovernmentalAgreement": ("Agreement", "agreement"),
    "AgreementCollection": ("Documents", "documents"),
}
_REVIEW_DATE = "the date was given on the command line: quote the line of the text that dates the article"
_REVIEW_NEW_PUBLISHER = "new publisher given on the command line: check it is not known under another name"
_REVIEW_PUBLISHER = (
    "publisher given on the command line: quote a line of the story that names it as the publisher"
)
_REVIEW_CLAIM = "this sentence speaks of the document: add what it says (topics, parties) or delete the claim"
_REVIEW_VISIT = "check the kind of visit, its status (planned or held), the visitor and the host"
_VISIT_LABELS = {
    "StateVisit": "state visit",
    "OfficialVisit": "official visit",
    "WorkingVisit": "working visit",
    "Visit": "visit",
}


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60].strip("-") or "item"


class _Ids:
    """Ids for new records: readable, unique in the draft and unused by the gazetteer."""

    def __init__(self, taken: Sequence[str]):
        self.taken = set(taken)

    def new(self, base: str) -> str:
        base = slug(base)
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


@dataclass(frozen=True)
class Proposed:
    """One record the writer proposed: its id, what it is, its quotes, its line in the YAML."""

    id: str
    what: str
    quotes: list[str]
    line: int


class DraftWriter:
    def __init__(self, draft: Draft, gazetteer: Gazetteer, *, url: str | None = None):
        self.draft = draft
        self.gazetteer = gazetteer
        self.publisher = draft.publisher
        self.url = url
        self.ids = _Ids(list(gazetteer.entries))
        self.candidate_ids: dict[str, str] = {}
        self.used: set[str] = set()
        self.lines: list[str] = []
        self.proposals: list[Proposed] = []  # what was written, for a page that shows it

    # --- names ---------------------------------------------------------------------------
    def ref(self, item: Mention | Candidate) -> str:
        if isinstance(item, Mention):
            self.used.add(item.entry.id)
            return item.entry.id
        key = self.draft.names.key_of(item)
        ref = self.candidate_ids.get(key, slug(item.name))
        self.used.add(ref)
        return ref

    def country_of(self, item: Mention | Candidate) -> str | None:
        if isinstance(item, Mention):
            if item.entry.type == "Country":
                return item.entry.id
            return item.entry.country
        hint = item.country_hint or (item.name if item.kind == "Country" else None)
        if hint is None:
            return None
        known = self.known_country(hint)
        return known.id if known else self.candidate_ids.get(fold(hint))

    def known_country(self, name: str) -> Entry | None:
        for entry in self.gazetteer.entries.values():
            if entry.type == "Country" and any(fold(n) == fold(name) for n, _ in entry.names):
                return entry
        return None

    # --- output --------------------------------------------------------------------------
    def emit(self, line: str = "") -> None:
        self.lines.append(line)

    def write(self) -> str:
        d = self.draft
        for key, candidate in d.names.candidates.items():
            self.candidate_ids[key] = self.ids.new(candidate.name)
        self.header()
        self.emit("article:")
        self.emit(f"  id: {d.article_id}")
        self.emit(f"  source_file: {d.source_file}")
        self.emit(f"  sha256: {d.sha256}")
        if d.headline:
            self.emit(f"  headline: {_q(d.headline)}")
        self.emit("")
        self.emit("facts:")
        self.article_facts()
        if d.names.candidates:
            self.banner("new names: candidate entities, each to be checked against the known ones")
            for key, candidate in d.names.candidates.items():
                self.candidate(key, candidate)
        if d.agreements:
            self.banner("agreements proposed from the text")
            agreement_ids = [self.ids.new(self.agreement_base(a)) for a in d.agreements]
            for proposal, agreement_id in zip(d.agreements, agreement_ids, strict=True):
                self.agreement(proposal, agreement_id)
        if d.visits:
            self.banner("visits proposed from the text")
            for visit in d.visits:
                self.visit(visit)
        self.mentioned_in_passing()
        return "\n".join(self.lines).rstrip() + "\n"

    def header(self) -> None:
        d = self.draft
        self.emit(f"# Draft made by `jalinan draft` from {d.source_file} on {dt.date.today().isoformat()}.")
        if self.url:
            self.emit(f"# Source: {self.url}")
        self.emit("# Every proposal quotes its sentence verbatim and carries a `review:` line saying what to")
        self.emit(
            "# check. Correct or delete each proposal, then delete its `review:` line; `jalinan validate`"
        )
        self.emit("# lists the `review:` lines left, with every other problem, by line.")
        if d.date:
            self.emit(f"# Article date used for relative dates: {d.date}.")
        else:
            self.emit('# No article date: relative dates ("yesterday", "in September") were not resolved.')
        if d.skipped:
            self.emit("#")
            self.emit("# Skipped as site furniture (not facts):")
            for paragraph in d.skipped:
                reason = paragraph.furniture or "headline of another page"
                self.emit(f"#   ({reason}) {paragraph.text[:90]}")
        self.emit("")

    def banner(self, title: str) -> None:
        self.emit("")
        self.emit(f"# --- {title} " + "-" * max(3, 92 - len(title)))

    def article_facts(self) -> None:
        d = self.draft
        if d.date:
            self.emit("- about: article")
            if d.date_quote:
                self.emit(f"  quote: {_q(d.date_quote)}")
                self.emit(f"  publicationDate: {_q(d.date)}")
            else:
                self.emit(f"  publicationDate: {_q(d.date)}")
                self.emit(f"  review: {_q(_REVIEW_DATE)}")
        if self.publisher:
            known = find_known(self.gazetteer, self.publisher)
            publisher_id = known.id if known else self.ids.new(self.publisher)
            sentence = next((s.text for s in d.story if fold(self.publisher) in fold(s.text)), None)
            if known is None:
                self.emit(f"- id: {publisher_id}")
                self.emit("  type: MediaOrganization")
                self.emit(f"  label: {_q(self.publisher)}")
                if sentence:
                    self.emit(f"  quote: {_q(sentence)}")
                self.emit(f"  review: {_q(_REVIEW_NEW_PUBLISHER)}")
            self.emit("- about: article")
            if sentence:
                self.emit(f"  quote: {_q(sentence)}")
            self.emit(f"  publisher: {publisher_id}")
            self.emit(f"  review: {_q(_REVIEW_PUBLISHER)}")
            self.used.add(publisher_id)

    def candidate(self, key: str, candidate: Candidate) -> None:
        quote = self.draft.names.candidate_quotes[key].text
        self.emit(f"- id: {self.candidate_ids[key]}")
        self.proposals.append(
            Proposed(self.candidate_ids[key], f"new {candidate.kind}", [quote], len(self.lines))
        )
        self.emit(f"  type: {candidate.kind}")
        self.emit(f"  label: {_q(candidate.name)}")
        if candidate.acronyms:
            self.emit(f"  acronyms: [{', '.join(_q(a) for a in candidate.acronyms)}]")
        self.emit(f"  quote: {_q(quote)}")
        country = self.country_of(candidate) if candidate.kind != "Country" else None
        if country:
            self.emit(f"  country: {country}")
        closest = ", ".join(f"{e.id} ({e.label})" for e in self.gazetteer.closest(candidate.name))
        note = f"new {candidate.kind}, {candidate.reason}: check the kind and that it is not a known entity"
        if closest:
            note += f"; closest known: {closest}"
        self.emit(f"  review: {_q(note)}")

    def agreement_base(self, proposal: AgreementProposal) -> str:
        short = _KIND_LABELS.get(proposal.kind, ("Agreement", "agreement"))[1]
        parties = [self.ref(p) for p in proposal.parties][:2]
        return "-".join([short, *parties]) if parties else short

    def parties(self, items: list[Mention | Candidate]) -> str:
        sides: dict[str, list[str]] = {}
        loose: list[str] = []
        for item in items:
            ref = self.ref(item)
            country = self.country_of(item)
            if country:
                sides.setdefault(country, [])
                if ref not in sides[country]:
                    sides[country].append(ref)
            elif ref not in loose:
                loose.append(ref)
        if sides and not loose:
            return "{" + ", ".join(f"{side}: [{', '.join(refs)}]" for side, refs in sides.items()) + "}"
        every = [r for refs in sides.values() for r in refs] + loose
        return "[" + ", ".join(dict.fromkeys(every)) + "]"

    def date_value(self, date: FoundDate) -> str:
        if date.basis == "stated":
            return _q(date.value)
        return f"{{value: {_q(date.value)}, basis: inferred, note: {_q(date.note)}}}"

    def people(self, key: str, items: list[Mention | Candidate]) -> None:
        refs = list(dict.fromkeys(self.ref(i) for i in items))
        if refs:
            self.emit(f"  {key}: [{', '.join(refs)}]")

    def agreement(self, proposal: AgreementProposal, agreement_id: str) -> None:
        kind_label = _KIND_LABELS.get(proposal.kind, ("Agreement", "agreement"))[0]
        names = ", ".join(dict.fromkeys(_label(p) for p in proposal.parties))
        label = f"{kind_label} ({names})" if names else kind_label
        self.emit("")
        self.emit(f"- id: {agreement_id}")
        self.proposals.append(Proposed(agreement_id, proposal.kind, proposal.quotes(), len(self.lines)))
        self.emit(f"  type: {proposal.kind}")
        self.emit(f"  label: {_q(label)}")
        self.emit(f"  quote: {_q(proposal.quote)}")
        if proposal.status:
            self.emit(f"  hasStatus: agreement-status:{proposal.status}")
        if proposal.count:
            self.emit(f"  documentCount: {proposal.count}")
        if proposal.parties:
            self.emit(f"  hasParty: {self.parties(proposal.parties)}")
        self.people("signatory", proposal.signatories)
        self.people("exchangedBy", proposal.exchangers)
        self.people("witness", proposal.witnesses)
        if proposal.date:
            self.emit(f"  date: {self.date_value(proposal.date)}")
        checks = [
            "write a short descriptive label",
            "check the kind and status",
            "keep only the parties the sentence says are parties",
        ]
        if proposal.signatories or proposal.exchangers:
            checks.append("check who signed it and who only exchanged it")
        if proposal.status is None:
            checks.append("no status in this sentence: give one with its quote")
        self.emit(f"  review: {_q('; '.join(checks))}")
        more = [m for m in proposal.more if m.quote != proposal.quote]
        if more:
            self.emit("  claims:")
        for said in more:
            self.emit(f"    - quote: {_q(said.quote)}")
            if said.status:
                self.emit(f"      hasStatus: agreement-status:{said.status}")
            for key, people in (
                ("signatory", said.signatories),
                ("exchangedBy", said.exchangers),
                ("witness", said.witnesses),
            ):
                if people:
                    self.emit(f"      {key}: [{', '.join(dict.fromkeys(self.ref(p) for p in people))}]")
            if not (said.status or said.signatories or said.exchangers or said.witnesses):
                self.emit(f"      review: {_q(_REVIEW_CLAIM)}")

    def visit(self, visit: VisitProposal) -> None:
        who = visit.visitor[0] if visit.visitor else None
        where = (visit.host or visit.places or [None])[0]
        base = "-".join(["visit", *(slug(_label(x)) for x in (who, where) if x is not None)])
        visit_id = self.ids.new(base)
        label = " ".join(
            x
            for x in [
                f"{_label(who)}'s" if who else None,
                _VISIT_LABELS[visit.kind],
                f"to {_label(where)}" if where else None,
            ]
            if x
        )
        self.emit("")
        self.emit(f"- id: {visit_id}")
        self.proposals.append(Proposed(visit_id, visit.kind, [visit.quote], len(self.lines)))
        self.emit(f"  type: {visit.kind}")
        self.emit(f"  label: {_q(label[0].upper() + label[1:])}")
        self.emit(f"  quote: {_q(visit.quote)}")
        self.emit(f"  hasStatus: activity-status:{visit.status}")
        if visit.visitor:
            self.emit(f"  visitor: {self.ref(visit.visitor[0])}")
        if visit.host:
            self.emit(f"  hostCountry: {self.ref(visit.host[0])}")
        if visit.places:
            self.emit(f"  visitedPlace: {self.ref(visit.places[0])}")
        if visit.date:
            self.emit(f"  startDate: {self.date_value(visit.date)}")
        self.emit(f"  review: {_q(_REVIEW_VISIT)}")

    def mentioned_in_passing(self) -> None:
        d = self.draft
        passing = [e for e in d.names.known_entries() if e.id not in self.used]
        if not passing:
            return
        self.emit("")
        self.emit(
            "# Known entities the article names in facts not proposed above (add facts with quotes where"
        )
        self.emit("# the article ties them to something):")
        for entry in passing:
            self.emit(f"#   {entry.id} ({entry.label}): {d.names.known_quotes[entry.id].text[:80]}")


def find_known(gazetteer: Gazetteer, name: str) -> Entry | None:
    """The known entity a whole name (not a part of it) denotes."""
    for mention in gazetteer.find(name):
        if len(mention.text) >= len(name.strip()) - 1:
            return mention.entry
    return None


def _label(item: Mention | Candidate | None) -> str:
    if item is None:
        return ""
    return item.entry.label if isinstance(item, Mention) else item.name


def write_draft(draft: Draft, gazetteer: Gazetteer, *, url: str | None = None) -> str:
    """The draft as the text of an article YAML file."""
    return DraftWriter(draft, gazetteer, url=url).write()

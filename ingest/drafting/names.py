"""Names the gazetteer does not know yet: candidate entities, each with a guessed kind.

News copy names organisations by a head word ("… Ministry", "… Commission", "… University",
"… SDN BHD"), people by a title ("Digital Minister Gobind Singh Deo", "Huang Yidong, Vice
General Manager of …"), and places by a preposition or a dateline ("to Beijing", "LIMA:").
These rules propose names for a curator to review; they never merge a new name into a known
entity, and a name the gazetteer knows is never proposed again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pycountry

from jalinan.ingest.drafting.gazetteer import fold, words

# Head words and the kind (ontology class) they suggest.
_ORG_HEADS: dict[str, str] = {
    "ministry": "Ministry",
    "commission": "GovernmentAgency",
    "administration": "GovernmentAgency",
    "bureau": "GovernmentAgency",
    "agency": "GovernmentAgency",
    "authority": "GovernmentAgency",
    "council": "GovernmentAgency",
    "department": "GovernmentAgency",
    "corporation": "GovernmentAgency",
    "bank": "GovernmentAgency",
    "university": "University",
    "universiti": "University",
    "institute": "University",
    "college": "University",
    "association": "Association",
    "chamber": "Association",
    "federation": "Association",
    "group": "Company",
    "corp": "Company",
    "bhd": "Company",
    "berhad": "Company",
    "ltd": "Company",
    "limited": "Company",
    "inc": "Company",
    "company": "Company",
    "holdings": "Company",
    "technologies": "Company",
    "government": "NationalGovernment",
}
_ABBREVIATED_HEADS = {"corp", "inc", "ltd", "co", "bhd"}
_CONNECTORS = {"of", "and", "for", "&", "de", "on"}
_LEADING_DROP = {
    "the",
    "a",
    "an",
    "under",
    "for",
    "meanwhile",
    "additionally",
    "as",
    "in",
    "with",
    "by",
    "from",
    "and",
    "both",
    "while",
    "its",
    "his",
    "her",
    "their",
    "at",
    "to",
    "of",
    "on",
    "this",
    "that",
}
_TITLES = [
    "prime minister",
    "deputy prime minister",
    "president",
    "vice president",
    "premier",
    "minister",
    "chairman",
    "chairperson",
    "ambassador",
    "spokesperson",
    "chief executive officer",
    "ceo",
    "general manager",
    "vice general manager",
    "marketing manager",
    "director",
    "director-general",
    "secretary-general",
    "governor",
    "king",
    "sultan",
    "his majesty sultan",
    "datuk seri",
    "tan sri",
    "datuk",
    "dato'",
    "dr",
]
_NOT_NAMES = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "the",
    "a",
    "an",
    "this",
    "that",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "in",
    "on",
    "ai",
    "mou",
    "mous",
    "loi",
    "asean",
    "apec",
    "global",
    "south",
    "latin",
    "american",
    "region",
}
_COUNTRY_NAMES = {fold(c.name): c.name for c in pycountry.countries}
_COUNTRY_NAMES.update(
    {fold(getattr(c, "common_name", c.name)): getattr(c, "common_name", c.name) for c in pycountry.countries}
)
_COUNTRY_NAMES.update({"china": "China", "united states": "United States", "russia": "Russia"})
_DEMONYMS = {
    "malaysian": "Malaysia",
    "chinese": "China",
    "peruvian": "Peru",
    "singaporean": "Singapore",
    "indonesian": "Indonesia",
}

_TOKEN = re.compile(r"[\w'’.-]+|[^\w\s]")
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")


@dataclass
class Candidate:
    """A name the gazetteer does not know, proposed as a new entity."""

    name: str
    kind: str  # ontology class local name
    start: int  # first occurrence, offset in the text
    acronyms: list[str] = field(default_factory=list)
    country_hint: str | None = None  # "Malaysia" or "China" from "Malaysia's X", "Chinese X"
    reason: str = ""

    @property
    def key(self) -> str:
        return canonical(self.name)


def canonical(name: str) -> str:
    """One form for "Ministry of Digital" and "Digital Ministry", and for "The Exchange 106"."""
    folded = " ".join(w for w in words(name) if w not in {"the", "m", "s"})
    match = re.fullmatch(r"ministry of (.+)", folded)
    if match:
        folded = f"{match.group(1)} ministry"
    return folded


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _capitalised(token: str) -> bool:
    return bool(token) and (token[0].isupper() or (token[0].isdigit() and len(token) > 1))


def _possessive(token: str) -> bool:
    return token.endswith(("’s", "'s"))


def _head_word(token: str) -> str:
    return re.sub(r"'s$", "", fold(token)).rstrip(".")


def organisations(text: str) -> list[Candidate]:
    """Spans of capitalised words ending in (or led by) an organisation head word."""
    tokens = _tokens(text)
    found: list[Candidate] = []
    i = 0
    while i < len(tokens):
        word = tokens[i][0]
        head = _ORG_HEADS.get(_head_word(word))
        if head is None or not _capitalised(word):
            i += 1
            continue
        # leftwards: capitalised words, connectors between them, commas inside "X, Y and Z Ministry"
        begin = i
        j = i - 1
        while j >= 0:
            tok = tokens[j][0]
            if _possessive(tok):
                break
            if _capitalised(tok) and fold(tok) not in _LEADING_DROP:
                begin = j
            elif (fold(tok) in _CONNECTORS or tok == ",") and j > 0 and _capitalised(tokens[j - 1][0]):
                if tok == "," and not any(fold(t[0]) == "and" for t in tokens[j:i]):
                    break
                if fold(tok) == "and" and _ACRONYM.match(tokens[j - 1][0]):
                    break  # "MDEC and Zhejiang University": two names
                j -= 1
                continue
            else:
                break
            j -= 1
        end = i
        # rightwards: "Ministry of Digital", "Association of Interaction Malaysia-China", "(M) SDN BHD"
        k = i + 1
        linked = False  # "Ministry of X and Y" joins names only after an "of"
        while k < len(tokens):
            tok = tokens[k][0]
            joiner = fold(tok) in {"of", "for", "on"} or (fold(tok) == "and" and linked)
            if joiner and k + 1 < len(tokens) and _capitalised(tokens[k + 1][0]):
                linked = True
                k += 1
                continue
            if _capitalised(tok) and (k == end + 1 or fold(tokens[k - 1][0]) in {"of", "and", "for", "on"}):
                end = k
                k += 1
                if _possessive(tok):
                    break  # "… Government Ministry’s MoU": the name ends here
                continue
            if tok == "(" and k + 2 < len(tokens) and tokens[k + 2][0] == ")" and tokens[k + 1][0] == "M":
                end = k + 2
                k += 3
                continue
            break
        end_offset = tokens[end][2] - 2 if _possessive(tokens[end][0]) else tokens[end][2]
        start_offset = tokens[begin][1]
        name = text[start_offset:end_offset].strip(" ,")
        if name.endswith(".") and _head_word(name.split()[-1]) not in _ABBREVIATED_HEADS:
            name = name[:-1]  # the sentence's full stop, not the name's
        if len(words(name)) >= 2 or head in {"Company"}:
            last_head = _ORG_HEADS.get(_head_word(tokens[end][0]), head)
            kind = last_head if last_head != "Company" or head == "Company" else head
            if fold(tokens[begin][0]) == "ministry" or "ministry" in words(name):
                kind = "Ministry"
            if re.search(r"\b(working group|committee|task force|joint commission)\b", fold(name)):
                kind = "JointMechanism"  # a joint body the parties set up
            candidate = Candidate(name, kind, start_offset, reason=f"named like an organisation ('{word}')")
            after = text[end_offset:]
            acronym = re.match(r"\s*\(([A-Z][A-Za-z]{1,9})\)", after)
            if acronym and acronym.group(1) != "M":
                candidate.acronyms.append(acronym.group(1))
            before = text[max(0, start_offset - 14) : start_offset]
            hint = re.search(r"(Malaysia|China)['’]s\s+$", before)
            first = fold(words(name)[0]) if words(name) else ""
            if hint:
                candidate.country_hint = hint.group(1)
            elif first in _DEMONYMS:
                candidate.country_hint = _DEMONYMS[first]
            found.append(candidate)
        i = max(end + 1, i + 1)
    return found


def people(text: str) -> list[Candidate]:
    """Names after a title ("Minister Fahmi Fadzil") or before one ("Huang Yidong, Vice …")."""
    found: list[Candidate] = []
    title_words = "|".join(re.escape(t) for t in sorted(_TITLES, key=len, reverse=True))
    name = r"((?:[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?)(?:\s+[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?){0,3})"
    after_title = re.compile(
        rf"\b(?i:{title_words})(?:\s+to\s+[A-Z][a-z]+)?\s+(?:(?:Datuk Seri|Tan Sri|Datuk|Dr)\s+)?{name}"
    )
    for match in after_title.finditer(text):
        person = match.group(1)
        if not _plausible_person(person):
            continue
        title = match.group(0)[: match.start(1) - match.start(0)].strip()
        start = match.start(1)
        if len(person.split()) == 1:  # "Premier Li", "Sultan Ibrahim": the text's whole name
            last_title = re.search(rf"(?i:{title_words})\s*$", title)
            if last_title:
                head = last_title.group(0).strip()
                head = head[0].upper() + head[1:]
                person = f"{head.split()[-1]} {person}"
                start = match.start(1) - len(head.split()[-1]) - 1
        found.append(Candidate(person, "Person", start, reason=f"after the title '{title}'"))
    before_title = re.compile(rf"{name},\s+(?:a\s+|the\s+)?(?i:{title_words})\b")
    for match in before_title.finditer(text):
        person = match.group(1)
        if _plausible_person(person):
            found.append(Candidate(person, "Person", match.start(1), reason="before a title"))
    return found


_CAMEL = re.compile(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b")
_COMPANY_NOUNS = r"(?:firms?|compan(?:y|ies)|conglomerates?|brands?|platforms?|makers?|giants?|investments?)"
_LIST_CUE = re.compile(
    rf"\b{_COMPANY_NOUNS}\b[^.;]{{0,40}}?\b(?:such as|like|including|from|by)\s+|"
    rf"\b(?:social media|e-commerce|tech) platform\s+"
)
_NAME = r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}"
_MEDIA_CUE = re.compile(
    rf"\b(?:reported by|reported|according to|as (?P<agency>{_NAME}) reported)\s*(?P<name>{_NAME})?"
)


def companies(text: str) -> list[Candidate]:
    """Companies named without a head word: "firms such as GDS and Chindata Group",
    "investments from Geely and Chery", "the TikTok platform", and CamelCase brands."""
    found: list[Candidate] = []
    for cue in _LIST_CUE.finditer(text):
        rest = text[cue.end() :]
        items = re.match(rf"({_NAME})((?:,\s+{_NAME})*)(?:,?\s+(?:and|or)\s+({_NAME}))?", rest)
        if not items:
            continue
        names = [items.group(1)]
        names += [n.strip() for n in items.group(2).split(",") if n.strip()]
        if items.group(3):
            names.append(items.group(3))
        for name in names:
            if not _plausible_org(name):
                continue
            found.append(
                Candidate(name, "Company", cue.end() + rest.find(name), reason="listed as a company")
            )
    for match in _CAMEL.finditer(text):
        if _plausible_org(match.group(0)):
            found.append(Candidate(match.group(0), "Company", match.start(), reason="a brand-like name"))
    for match in _MEDIA_CUE.finditer(text):
        name = match.group("agency") or match.group("name")
        if name and _plausible_org(name):
            start = match.start("agency") if match.group("agency") else match.start("name")
            found.append(Candidate(name, "MediaOrganization", start, reason="cited as a news source"))
    return found


def _plausible_org(name: str) -> bool:
    name_words = words(name)
    return (
        bool(name_words) and not any(w in _NOT_NAMES for w in name_words) and fold(name) not in _COUNTRY_NAMES
    )


def _plausible_person(name: str) -> bool:
    name_words = words(name)
    if not name_words or any(w in _NOT_NAMES for w in name_words):
        return False
    if any(w in _ORG_HEADS for w in name_words) or fold(name) in _COUNTRY_NAMES:
        return False
    return not any(fold(name).startswith(t) for t in _TITLES)


def places(text: str, dateline_place_used: bool = False) -> list[Candidate]:
    """Countries by name, towns after "in", "to", "at", buildings ("The Exchange 106 skyscraper"),
    and the dateline's town ("LIMA:") where the story refers to it as "here"."""
    found: list[Candidate] = []
    for match in re.finditer(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}\b", text):
        phrase = match.group(0)
        for size in range(len(phrase.split()), 0, -1):
            part = " ".join(phrase.split()[:size])
            if fold(part) in _COUNTRY_NAMES:
                found.append(
                    Candidate(_COUNTRY_NAMES[fold(part)], "Country", match.start(), reason="a country")
                )
                break
    for match in re.finditer(r"(?:^|\n)\s*(?:date \S+\s+)?([A-Z]{3,}(?:\s[A-Z]{3,})?):", text):
        if dateline_place_used:
            town = match.group(1).title()
            found.append(
                Candidate(town, "City", match.start(1), reason="the dateline, which the story calls 'here'")
            )
    for match in re.finditer(
        r"((?:The\s+)?[A-Z][\w-]*(?:\s+[A-Z0-9][\w-]*){0,3})\s+(?:skyscraper|tower|building|complex)\b", text
    ):
        found.append(Candidate(match.group(1), "Building", match.start(1), reason="named as a building"))
    for match in re.finditer(r"\b(?:in|to|at)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\b", text):
        town = match.group(1)
        if fold(town) in _COUNTRY_NAMES or any(w in _NOT_NAMES for w in words(town)):
            continue
        if fold(town.split()[0]) in _DEMONYMS or any(w in _ORG_HEADS for w in words(town)):
            continue
        following = text[match.end() : match.end() + 2]
        if following.startswith(("’", "'")) or (
            following[:1] == " " and text[match.end() + 1 : match.end() + 2].isupper()
        ):
            continue  # "in Malaysia's", "to Chinese Tourists": part of a longer name
        found.append(
            Candidate(town, "City", match.start(1), reason=f"a place ('{match.group(0).split()[0]} …')")
        )
    return found

"""A deterministic synthetic corpus shaped like the curated facts, at any number of articles.

The benchmark must measure the product on data that looks like the real facts (the same YAML
records, so the same quads with evidence) but at sizes the five curated articles cannot reach.
So this module writes a facts folder (`entities.yaml` + `articles/*.yaml`) and the article texts
beside it, each quote a verbatim sentence of its article and each article YAML carrying its
text's SHA-256, so `jalinan validate --articles` passes and ingest does all its real checks.

Shape, as in the real corpus: agreements of every type and status (planned and announced ones
too), parties on two sides with representatives, signatories and witnesses, visits with visitor,
host country and included meetings, events, projects, statistics, topics from the ontology, and
dates at day, month or year precision, stated or inferred. Shared entities (ministries, agencies,
companies, universities, people with their posts, cities) are defined once in `entities.yaml`
and reused across articles; the pool grows with the square root of the article count (a few
hundred at 10,000 articles), with aliases and acronyms so name lookups meet realistic keys.

Everything depends only on (articles, seed): the same call writes byte-identical files.
"""

import hashlib
import random
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_Dumper: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

TOPICS = [
    "digital-economy", "e-commerce", "digital-transformation", "smart-city", "data-centres",
    "data-governance", "digital-infrastructure", "5g", "artificial-intelligence", "cybersecurity",
    "online-safety", "telecommunications", "media", "broadcasting", "news-exchange",
    "creative-industry", "postal-services", "higher-education", "science-and-technology", "robotics",
    "research-and-development", "people-to-people-exchange", "visa-exemption", "talent-development",
    "investment", "trade", "cross-border-trade", "manufacturing", "entrepreneurship", "agriculture",
    "housing-and-urban-development", "green-development", "blue-economy", "tourism",
    "new-quality-productive-forces", "new-energy-vehicles", "construction", "diplomatic-relations",
]  # fmt: skip
SECTORS = [
    "technology",
    "social-media",
    "e-commerce",
    "construction",
    "data-centres",
    "automotive",
    "telecommunications",
    "media",
    "satellite",
    "conglomerate",
    "real-estate",
]
AGREEMENT_TYPES = [
    ("MemorandumOfUnderstanding", 50, "memorandum of understanding"),
    ("LetterOfIntent", 10, "letter of intent"),
    ("JointStatement", 10, "joint statement"),
    ("Protocol", 8, "protocol"),
    ("CooperationProgramme", 8, "cooperation programme"),
    ("IntergovernmentalAgreement", 6, "intergovernmental agreement"),
]
AGREEMENT_STATUSES = [
    ("signed", 35, "signed"),
    ("exchanged", 25, "exchanged"),
    ("planned", 15, "will sign"),
    ("announced", 15, "announced"),
    ("in-force", 5, "brought into force"),
    ("expired", 5, "let expire"),
]
VISIT_TYPES = [
    ("StateVisit", 2, "state visit"),
    ("OfficialVisit", 5, "official visit"),
    ("WorkingVisit", 4, "working visit"),
]
VISIT_STATUSES = [
    ("held", 60, "made"),
    ("planned", 20, "will make"),
    ("invited", 10, "was invited on"),
    ("scheduled", 10, "is scheduled to make"),
]
EVENT_TYPES = [
    ("Meeting", 5, "meeting"),
    ("Ceremony", 3, "ceremony"),
    ("Summit", 1, "summit"),
    ("Conference", 2, "conference"),
    ("Exhibition", 1, "exhibition"),
    ("PressConference", 1, "press conference"),
]
MY_PORTFOLIOS = [
    "Investment, Trade and Industry", "Finance", "Digital", "Communications", "Higher Education",
    "Science, Technology and Innovation", "Tourism, Arts and Culture", "Home Affairs",
    "Agriculture and Food Security", "Housing and Local Government", "Transport", "Health",
    "Energy Transition and Water Transformation", "Education", "Works", "Economy", "Foreign Affairs",
    "Defence", "Human Resources", "Youth and Sports", "Plantation and Commodities",
    "Rural and Regional Development", "Natural Resources and Environmental Sustainability",
    "Entrepreneur and Cooperatives Development", "Domestic Trade and Cost of Living", "National Unity",
]  # fmt: skip
CN_PORTFOLIOS = [
    "Commerce", "Foreign Affairs", "Industry and Information Technology", "Science and Technology",
    "Education", "Finance", "Transport", "Culture and Tourism", "Agriculture and Rural Affairs",
    "Housing and Urban-Rural Development", "Natural Resources", "Ecology and Environment",
    "Human Resources and Social Security", "Water Resources", "Emergency Management",
]  # fmt: skip
FIELDS = [
    "Digital Economy",
    "Data",
    "Investment",
    "Trade",
    "Energy",
    "Space",
    "Standards",
    "Postal",
    "Halal",
    "Cyber Security",
    "Innovation",
    "Broadcasting",
    "Customs",
    "Tourism",
    "Ports",
    "Railways",
    "Maritime",
    "Semiconductor",
    "Biotechnology",
    "Skills",
    "Research",
    "Aviation",
]
BODY_FORMS = ["Authority", "Commission", "Council", "Agency", "Corporation", "Board"]
CO_STEMS = [
    "Huaxin",
    "Zhongke",
    "Tianyu",
    "Jinlong",
    "Hengtai",
    "Xinhai",
    "Lianhe",
    "Haoyun",
    "Mingda",
    "Baiwei",
    "Kaida",
    "Ruifeng",
    "Sinar",
    "Cahaya",
    "Gemilang",
    "Mutiara",
    "Puncak",
    "Teras",
    "Bintang",
    "Harapan",
    "Setia",
    "Permata",
    "Wawasan",
    "Bayu",
]
CO_FIELDS = [
    "Digital",
    "Cloud",
    "Data",
    "Solar",
    "Rail",
    "Auto",
    "Media",
    "Telecom",
    "Satellite",
    "Property",
    "Logistics",
    "Robotics",
    "Semiconductor",
    "Battery",
    "Payments",
]
CO_FORMS = ["Group", "Holdings", "Technology", "Industries", "Berhad", "Limited"]
UNIVERSITIES = [
    "Tsinghua",
    "Fudan",
    "Wuhan",
    "Xiamen",
    "Nanjing",
    "Sun Yat-sen",
    "Shandong",
    "Jilin",
    "Malaya",
    "Putra Malaysia",
    "Sains Malaysia",
    "Kebangsaan Malaysia",
    "Teknologi Malaysia",
    "Utara Malaysia",
    "Malaysia Sabah",
    "Malaysia Sarawak",
]
MY_GIVEN = [
    "Ahmad",
    "Aziz",
    "Farid",
    "Hassan",
    "Ismail",
    "Kamal",
    "Nazri",
    "Rafizi",
    "Salleh",
    "Zaid",
    "Siti",
    "Nurul",
    "Aminah",
    "Hannah",
    "Teresa",
    "Liew",
    "Loke",
    "Chong",
    "Gobinath",
    "Kumar",
]
MY_FAMILY = [
    "Rahman",
    "Abdullah",
    "Hamid",
    "Yusof",
    "Ibrahim",
    "Osman",
    "Razak",
    "Hussein",
    "Kok",
    "Siew Fook",
    "Vui Keong",
    "Tiong",
    "Subramaniam",
    "Ramasamy",
    "Wong",
    "Tan",
]
CN_FAMILY = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Xu",
    "Sun",
    "Ma",
    "Zhu",
    "Hu",
    "Guo",
    "He",
    "Lin",
    "Gao",
    "Luo",
]
CN_GIVEN = [
    "Wei",
    "Qiang",
    "Jun",
    "Yan",
    "Ming",
    "Hua",
    "Jie",
    "Lei",
    "Ping",
    "Hong",
    "Bo",
    "Xiaoming",
    "Jianguo",
    "Yujing",
    "Shanjie",
    "Wentao",
    "Haiyan",
    "Guoqing",
    "Lijun",
    "Zhiwei",
]
CITIES = [
    ("kuala-lumpur", "Kuala Lumpur", "malaysia"),
    ("putrajaya", "Putrajaya", "malaysia"),
    ("cyberjaya", "Cyberjaya", "malaysia"),
    ("penang", "Penang", "malaysia"),
    ("johor-bahru", "Johor Bahru", "malaysia"),
    ("kuching", "Kuching", "malaysia"),
    ("beijing", "Beijing", "china"),
    ("shanghai", "Shanghai", "china"),
    ("shenzhen", "Shenzhen", "china"),
    ("hangzhou", "Hangzhou", "china"),
    ("guangzhou", "Guangzhou", "china"),
    ("nanning", "Nanning", "china"),
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _pick(rng: random.Random, weighted: list[tuple[str, int, str]]) -> tuple[str, str]:
    name, _, words = rng.choices(weighted, weights=[w for _, w, _ in weighted])[0]
    return name, words


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Entity:
    """A shared entity: its YAML record, the sentence that introduces it, and how to name it."""

    id: str
    type: str
    label: str
    country: str | None
    record: dict[str, Any]
    intro: str  # the sentence of its introducing article that the record quotes
    short: str  # how an article mentions it
    acronym: str | None = None
    article: int = 0  # index of the article that introduces it


@dataclass
class Samples:
    """Realistic parameter values for the canned queries, drawn from the corpus written."""

    party: str = ""  # an acronym of the most-used party
    visit: str = ""  # the id of a visit with agreements concluded during it
    person: str = ""  # a person's name, as an article writes it
    country: str = "China"
    entity: str = ""  # id of the most-used shared entity
    agreement: str = ""  # id of an agreement
    search: str = "ministry"
    date_from: str = "2024-04"
    date_to: str = "2024-09"
    changed_article: str = ""  # the file name of the article the re-ingest bench edits


@dataclass
class GeneratedCorpus:
    root: Path
    facts_dir: Path
    articles_dir: Path
    articles: int
    seed: int
    entities: int
    samples: Samples
    counts: Counter[str] = field(default_factory=Counter)


class _Builder:
    """Builds the entity pool, then the articles one by one, each from its own seeded RNG."""

    def __init__(self, articles: int, seed: int):
        self.n = articles
        self.seed = seed
        self.rng = random.Random(f"jalinan-bench:{seed}:entities")
        self.entities: dict[str, Entity] = {}
        self.by_kind: dict[str, list[Entity]] = {}
        self.sentences: dict[int, list[str]] = {}  # article index -> intro sentences it must hold
        self.usage: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.visits_with_agreements: list[str] = []
        self.agreements: list[str] = []

    # -- shared entities -------------------------------------------------------------------
    def add(self, kind: str, entity: Entity) -> Entity:
        if entity.id in self.entities:
            return self.entities[entity.id]
        entity.article = self.rng.randrange(self.n)
        entity.record["quote"] = entity.intro
        self.entities[entity.id] = entity
        self.by_kind.setdefault(kind, []).append(entity)
        self.sentences.setdefault(entity.article, []).append(entity.intro)
        self.counts[entity.type] += 1
        return entity

    def build_entities(self) -> None:
        pool = max(30, int(30 * (self.n / 100) ** 0.5))
        rng = self.rng
        self.add("country", _country("malaysia", "Malaysia", "马来西亚"))
        self.add("country", _country("china", "China", "中国"))
        for gid, label, cid in (
            ("government-of-malaysia", "Government of Malaysia", "malaysia"),
            ("government-of-china", "Government of China", "china"),
        ):
            self.add(
                "government",
                Entity(
                    gid,
                    "NationalGovernment",
                    label,
                    cid,
                    {"id": gid, "type": "NationalGovernment", "label": label, "country": cid},
                    f"The {label} welcomed the cooperation between the two countries.",
                    f"the {label}",
                ),
            )
        acronyms: set[str] = set()
        for country, portfolios in (("malaysia", MY_PORTFOLIOS), ("china", CN_PORTFOLIOS)):
            share = min(len(portfolios), max(6, pool // (4 if country == "malaysia" else 6)))
            for portfolio in portfolios[:share]:
                self.add("ministry", self._ministry(country, portfolio, acronyms))
        for i in range(max(6, pool // 3)):
            country = "malaysia" if i % 2 == 0 else "china"
            field_name = FIELDS[i % len(FIELDS)]
            form = BODY_FORMS[(i // len(FIELDS) + i) % len(BODY_FORMS)]
            adjective = "Malaysian" if country == "malaysia" else ("National" if i % 4 == 1 else "China")
            label = f"{adjective} {field_name} {form}"
            self.add("agency", self._org("GovernmentAgency", label, country, acronyms))
        for i in range(max(8, pool // 2)):
            country = "china" if i % 3 else "malaysia"
            stem = CO_STEMS[i % len(CO_STEMS)]
            label = f"{stem} {CO_FIELDS[(i * 7) % len(CO_FIELDS)]} {CO_FORMS[(i // 3) % len(CO_FORMS)]}"
            entity = self._org("Company", label, country, acronyms)
            entity.record["sector"] = f"sector:{SECTORS[i % len(SECTORS)]}"
            parents = self.by_kind.get("company", [])
            if parents and rng.random() < 0.15:
                entity.record["parentCompany"] = rng.choice(parents).id
            self.add("company", entity)
        for name in UNIVERSITIES[: max(4, min(len(UNIVERSITIES), pool // 10))]:
            country = "malaysia" if "Malaysia" in name or name == "Malaya" else "china"
            label = f"University of {name}" if country == "malaysia" else f"{name} University"
            self.add("university", self._org("University", label, country, acronyms))
        for cid, label, country in CITIES:
            self.add(
                "city",
                Entity(
                    cid,
                    "City",
                    label,
                    country,
                    {"id": cid, "type": "City", "label": label, "country": country, "locatedIn": country},
                    f"Officials gathered in {label} for the talks.",
                    label,
                ),
            )
        self.add(
            "media",
            Entity(
                "bench-news-agency",
                "MediaOrganization",
                "Bench News Agency",
                "malaysia",
                {
                    "id": "bench-news-agency",
                    "type": "MediaOrganization",
                    "label": "Bench News Agency",
                    "acronyms": ["BNA"],
                    "country": "malaysia",
                },
                "This report was published by the Bench News Agency (BNA).",
                "the Bench News Agency",
            ),
        )
        used_names: set[str] = set()
        for i in range(max(10, pool // 2)):
            self._person(i, used_names)

    def _ministry(self, country: str, portfolio: str, acronyms: set[str]) -> Entity:
        label = f"Ministry of {portfolio}" + (" (China)" if country == "china" else "")
        alias = f"{portfolio} Ministry"
        words = [w for w in re.split(r"[ ,]+", portfolio) if w and w[0].isupper()]
        acronym = ("Mo" if country == "malaysia" else "MO") + "".join(w[0].lower() for w in words)
        entity = self._org("Ministry", label, country, acronyms, acronym=acronym, alias=alias)
        entity.record["subOrganizationOf"] = f"government-of-{country}"
        return entity

    def _org(
        self,
        kind: str,
        label: str,
        country: str,
        acronyms: set[str],
        *,
        acronym: str | None = None,
        alias: str | None = None,
    ) -> Entity:
        oid = _slug(label)
        if acronym is None:
            acronym = "".join(w[0] for w in re.split(r"[ -]+", label) if w and w[0].isupper())
        if acronym.casefold() in acronyms or len(acronym) < 2:
            acronym = None
        else:
            acronyms.add(acronym.casefold())
        record: dict[str, Any] = {"id": oid, "type": kind, "label": label}
        if alias:
            record["aliases"] = [alias]
        if acronym:
            record["acronyms"] = [acronym]
        record["country"] = country
        named = f"the {alias or label}" + (f" ({acronym})" if acronym else "")
        side = "Malaysian" if country == "malaysia" else "Chinese"
        intro = (
            f"Among the {side} bodies taking part was {named}, "
            "which has worked with partners in both countries."
        )
        return Entity(oid, kind, label, country, record, intro, named, acronym)

    def _person(self, i: int, used: set[str]) -> None:
        rng = self.rng
        country = "malaysia" if i % 2 == 0 else "china"
        for _ in range(100):
            if country == "malaysia":
                name = f"{rng.choice(MY_GIVEN)} {rng.choice(MY_FAMILY)}"
            else:
                name = f"{rng.choice(CN_FAMILY)} {rng.choice(CN_GIVEN)}"
            if name not in used:
                break
        else:
            name = f"{name} {i}"
        used.add(name)
        pid = _slug(name)
        orgs = [
            e
            for k in ("ministry", "agency", "company", "university")
            for e in self.by_kind.get(k, [])
            if e.country == country
        ]
        org = orgs[i % len(orgs)]
        title = {
            "Ministry": "Minister",
            "GovernmentAgency": "Chairman",
            "Company": "Chief Executive Officer",
            "University": "Vice-Chancellor",
        }[org.type]
        post_label = (
            f"{title} of the {org.label}" if org.type != "Ministry" else f"{title} of {org.label[12:]}"
        )
        post_id = f"post-{_slug(title)}-{org.id}-{pid}"
        quote = f"{post_label} {name} attended the session."
        short = name.split()[0] if country == "malaysia" else name
        record = {"id": pid, "type": "Person", "label": name, "country": country, "holdsPost": post_id}
        if country == "malaysia":
            record["aliases"] = [f"Datuk {name}", short]
        self.add("person", Entity(pid, "Person", name, country, record, quote, name))
        post = Entity(
            post_id,
            "Post",
            post_label,
            country,
            {"id": post_id, "type": "Post", "label": post_label, "aliases": [title], "postIn": org.id},
            quote,
            post_label,
        )
        post.article = self.entities[pid].article
        post.record["quote"] = quote
        self.entities[post_id] = post
        self.by_kind.setdefault("post", []).append(post)
        self.counts["Post"] += 1

    # -- articles --------------------------------------------------------------------------
    def party(self, rng: random.Random, country: str) -> Entity:
        kinds = ["country", "ministry", "ministry", "agency", "agency", "company", "university"]
        for _ in range(20):
            candidates = [e for e in self.by_kind[rng.choice(kinds)] if e.country == country]
            if candidates:
                # a few parties recur much more often than others, as in the news
                entity = candidates[min(len(candidates) - 1, int(rng.paretovariate(1.2)) - 1)]
                self.usage[entity.id] += 1
                return entity
        return self.entities[country]

    def person(self, rng: random.Random, country: str) -> Entity:
        people = [e for e in self.by_kind["person"] if e.country == country]
        entity = people[min(len(people) - 1, int(rng.paretovariate(1.0)) - 1)]
        self.usage[entity.id] += 1
        return entity

    def article(self, index: int) -> tuple[dict[str, Any], str]:
        rng = random.Random(f"jalinan-bench:{self.seed}:article:{index}")
        hex_id = hashlib.sha256(f"{self.seed}:{index}".encode()).hexdigest()[:16]
        year = 2023 + rng.randrange(3)
        month = rng.randrange(1, 13)
        day = rng.randrange(2, 29)
        city = rng.choice(self.by_kind["city"])
        sentences: list[str] = []
        facts: list[dict[str, Any]] = []
        dateline = f"date {year}-{month:02d}-{day:02d}"
        facts.append(
            {"about": "article", "quote": dateline, "publicationDate": f"{year}-{month:02d}-{day:02d}"}
        )
        if rng.random() < 0.3:
            sentences.append("This report was published by the Bench News Agency (BNA).")
            facts.append({"about": "article", "quote": sentences[-1], "publisher": "bench-news-agency"})
        visit_id = None
        if rng.random() < 0.4:
            visit_id = self._visit(rng, index, year, month, day, facts, sentences)
        agreement_ids = [
            self._agreement(rng, index, k, year, month, day, visit_id, facts, sentences)
            for k in range(1 if rng.random() < 0.6 else 2)
        ]
        if len(agreement_ids) == 2 and rng.random() < 0.3:
            cid = f"collection-{hex_id}"
            sentence = (
                f"In all, {len(agreement_ids) + 3} documents were exchanged between Malaysia and "
                f"China at the occasion."
            )
            sentences.append(sentence)
            facts.append(
                {
                    "id": cid,
                    "type": "AgreementCollection",
                    "label": f"Documents exchanged between Malaysia and China ({hex_id})",
                    "quote": sentence,
                    "documentCount": len(agreement_ids) + 3,
                    "hasStatus": "agreement-status:exchanged",
                    "hasParty": ["malaysia", "china"],
                    "includesAgreement": agreement_ids,
                }
            )
            self.counts["AgreementCollection"] += 1
        if rng.random() < 0.25:
            self._event(rng, index, year, month, facts, sentences)
        if rng.random() < 0.1:
            self._project(rng, index, year, facts, sentences)
        if rng.random() < 0.15:
            value = round(rng.uniform(300, 500), 2)
            ref = year - 1
            sentence = (
                f"Total trade between Malaysia and China in {ref} was valued at RM{value} billion, "
                "officials said."
            )
            sentences.append(sentence)
            facts.append(
                {
                    "id": f"stat-trade-{hex_id}",
                    "type": "Statistic",
                    "label": f"Malaysia–China trade value, {ref} (article {hex_id})",
                    "quote": sentence,
                    "measure": "measure:bilateral-trade-value",
                    "value": value,
                    "unit": "MYR billion",
                    "referencePeriod": str(ref),
                    "concerns": ["malaysia", "china"],
                }
            )
            self.counts["Statistic"] += 1
        intro = self.sentences.get(index, [])
        headline = f"Malaysia and China deepen cooperation, report {index + 1}"
        text = (
            "\n\n".join(
                [
                    f"{headline}",
                    f" {dateline} {city.label.upper()}: " + " ".join(sentences[:3]),
                    " ".join(sentences[3:]),
                    " ".join(intro),
                ]
            )
            + "\n"
        )
        meta = {
            "id": hex_id,
            "source_file": f"{index:05d}_{hex_id}.txt",
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "headline": headline,
        }
        self.counts["SourceArticle"] += 1
        return {"article": meta, "facts": facts}, text

    def _date(self, rng: random.Random, year: int, month: int, day: int) -> tuple[Any, str] | None:
        """A date for a fact and the words that state it, at day, month or year precision."""
        roll = rng.random()
        if roll < 0.25:
            return None
        if roll < 0.4:
            note = f"'yesterday' against the dateline {year}-{month:02d}-{day:02d}"
            return {
                "value": f"{year}-{month:02d}-{day - 1:02d}",
                "basis": "inferred",
                "note": note,
            }, "yesterday"
        if roll < 0.7:
            return f"{year}-{month:02d}-{day:02d}", f"on {day} {MONTHS[month - 1]} {year}"
        if roll < 0.9:
            return f"{year}-{month:02d}", f"in {MONTHS[month - 1]} {year}"
        return str(year), f"in {year}"

    def _agreement(
        self,
        rng: random.Random,
        index: int,
        k: int,
        year: int,
        month: int,
        day: int,
        visit_id: str | None,
        facts: list[dict[str, Any]],
        sentences: list[str],
    ) -> str:
        kind, kind_words = _pick(rng, AGREEMENT_TYPES)
        status, status_words = _pick(rng, AGREEMENT_STATUSES)
        my, cn = self.party(rng, "malaysia"), self.party(rng, "china")
        topics = rng.sample(TOPICS[:5] * 3 + TOPICS, k=rng.choice([1, 1, 2, 3]))
        topics = sorted(set(topics), key=topics.index)
        topic_words = " and ".join(t.replace("-", " ") for t in topics)
        aid = f"{_slug(kind)[:12]}-{index:05d}-{k}"
        date = self._date(rng, year, month, day)
        when = f" {date[1]}" if date and status not in ("planned",) else ""
        sentence = (
            f"{my.short[0].upper()}{my.short[1:]} and {cn.short} {status_words} a {kind_words} on "
            f"{topic_words}{when}."
        )
        sentences.append(sentence)
        record: dict[str, Any] = {
            "id": aid,
            "type": kind,
            "label": f"{my.label}–{cn.label} {kind_words} on {topic_words} ({index}-{k})",
            "quote": sentence,
            "hasStatus": f"agreement-status:{status}",
        }
        sided = rng.random() < 0.5
        record["hasParty"] = {"malaysia": [my.id], "china": [cn.id]} if sided else [my.id, cn.id]
        record["hasTopic"] = [f"topic:{t}" for t in topics]
        if when:
            record["date"] = date[0]  # type: ignore[index]
        claims = []
        if status in ("signed", "exchanged", "in-force") and rng.random() < 0.6:
            p1, p2 = self.person(rng, "malaysia"), self.person(rng, "china")
            s2 = f"The documents were signed by {p1.short} and {p2.short} on behalf of their governments."
            sentences.append(s2)
            claim: dict[str, Any] = {"quote": s2, "signatory": [p1.id, p2.id]}
            if rng.random() < 0.5:
                claim["hasParty"] = {
                    "malaysia": [{"party": my.id, "representedBy": p1.id}],
                    "china": [{"party": cn.id, "representedBy": p2.id}],
                }
            if rng.random() < 0.4:
                w1 = self.person(rng, "malaysia")
                s3 = f"The signing was witnessed by {w1.short}."
                sentences.append(s3)
                claims.append({"quote": s3, "witness": [w1.id]})
            claims.insert(0, claim)
            self.counts["signed-with-signatories"] += 1
        if visit_id and status in ("signed", "exchanged"):
            s4 = f"The {kind_words} was one of the outcomes of the visit ({index}-{k})."
            sentences.append(s4)
            claims.append({"quote": s4, "concludedDuring": visit_id})
            self.visits_with_agreements.append(visit_id)
        if rng.random() < 0.2:
            other = self.party(rng, "malaysia")
            if other.type != "Country" and other.id != my.id:
                who = f"{other.short[0].upper()}{other.short[1:]}"
                s5 = f"{who} will also be involved in the work ({index}-{k})."
                sentences.append(s5)
                claims.append({"quote": s5, "involves": [other.id]})
        if claims:
            record["claims"] = claims
        facts.append(record)
        self.counts[kind] += 1
        self.agreements.append(aid)
        return aid

    def _visit(
        self,
        rng: random.Random,
        index: int,
        year: int,
        month: int,
        day: int,
        facts: list[dict[str, Any]],
        sentences: list[str],
    ) -> str:
        kind, kind_words = _pick(rng, VISIT_TYPES)
        status, status_words = _pick(rng, VISIT_STATUSES)
        visitor_country = "china" if rng.random() < 0.5 else "malaysia"
        host = "malaysia" if visitor_country == "china" else "china"
        visitor = self.person(rng, visitor_country)
        place = rng.choice([c for c in self.by_kind["city"] if c.country == host])
        vid = f"visit-{index:05d}"
        date = self._date(rng, year, month, day) if status == "held" else None
        when = f" {date[1]}" if date else ""
        sentence = f"{visitor.short} {status_words} an {kind_words} to {place.label}{when}."
        sentence = sentence.replace(" an state", " a state").replace(" an working", " a working")
        sentences.append(sentence)
        record: dict[str, Any] = {
            "id": vid,
            "type": kind,
            "label": f"{visitor.label}'s {kind_words} to {place.label} ({index})",
            "quote": sentence,
            "hasStatus": f"activity-status:{status}",
            "visitor": visitor.id,
            "hostCountry": host,
            "visitedPlace": place.id,
        }
        if date:
            record["date"] = date[0]
        if rng.random() < 0.5:
            record["hasTopic"] = ["topic:diplomatic-relations"]
        if status == "held" and rng.random() < 0.6:
            mid = f"meeting-{index:05d}"
            counterpart = self.person(rng, host)
            s2 = f"During the visit, {visitor.short} met {counterpart.short} for talks ({index})."
            sentences.append(s2)
            facts.append(
                {
                    "id": mid,
                    "type": "Meeting",
                    "label": f"{visitor.label} meets {counterpart.label} ({index})",
                    "quote": s2,
                    "hasStatus": "activity-status:held",
                    "participant": [visitor.id, counterpart.id],
                }
            )
            record["claims"] = [{"quote": s2, "includesEvent": [mid]}]
            self.counts["Meeting"] += 1
        facts.append(record)
        self.counts[kind] += 1
        return vid

    def _event(
        self,
        rng: random.Random,
        index: int,
        year: int,
        month: int,
        facts: list[dict[str, Any]],
        sentences: list[str],
    ) -> None:
        kind, words = _pick(rng, EVENT_TYPES)
        place = rng.choice(self.by_kind["city"])
        who = [self.person(rng, "malaysia"), self.party(rng, "china")]
        topic = rng.choice(TOPICS)
        sentence = (
            f"A {words} on {topic.replace('-', ' ')} was held in {place.label} in {MONTHS[month - 1]} "
            f"{year} with {who[0].short} and {who[1].short}."
        )
        sentences.append(sentence)
        facts.append(
            {
                "id": f"event-{_slug(kind)}-{index:05d}",
                "type": kind,
                "label": f"{words.capitalize()} on {topic.replace('-', ' ')} in {place.label} ({index})",
                "quote": sentence,
                "hasStatus": "activity-status:held",
                "location": place.id,
                "participant": [w.id for w in who],
                "hasTopic": [f"topic:{topic}"],
                "date": f"{year}-{month:02d}",
            }
        )
        self.counts[kind] += 1

    def _project(
        self, rng: random.Random, index: int, year: int, facts: list[dict[str, Any]], sentences: list[str]
    ) -> None:
        builder = rng.choice(self.by_kind["company"])
        place = rng.choice([c for c in self.by_kind["city"] if c.country == "malaysia"])
        sentence = (
            f"A data centre in {place.label} is being built by {builder.short} and is expected to be "
            f"completed in {year + 2}."
        )
        sentences.append(sentence)
        facts.append(
            {
                "id": f"project-{index:05d}",
                "type": "Project",
                "label": f"{builder.label} data centre in {place.label} ({index})",
                "quote": sentence,
                "hasStatus": "project-status:under-construction",
                "builder": builder.id,
                "location": place.id,
                "hasTopic": ["topic:data-centres"],
                "expectedCompletion": str(year + 2),
            }
        )
        self.counts["Project"] += 1


def _country(cid: str, label: str, zh: str) -> Entity:
    record = {"id": cid, "type": "Country", "label": label, "labels": {"ms": label, "zh": zh}}
    return Entity(
        cid,
        "Country",
        label,
        cid,
        record,
        "Malaysia and China have agreed to deepen their cooperation across many fields.",
        label,
    )


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)


def generate(root: Path, articles: int, seed: int = 1) -> GeneratedCorpus:
    """Write `root/facts/` and `root/articles/` for `articles` articles; the same call, the same bytes."""
    if articles < 1:
        raise ValueError("at least one article")
    builder = _Builder(articles, seed)
    builder.build_entities()
    facts_dir, texts_dir = root / "facts", root / "articles"
    for folder in (facts_dir, texts_dir):
        if folder.exists():
            shutil.rmtree(folder)
    (facts_dir / "articles").mkdir(parents=True)
    texts_dir.mkdir(parents=True)
    samples = Samples()
    article_ids: list[str] = []
    names: list[str] = []
    for index in range(articles):
        data, text = builder.article(index)
        name = data["article"]["source_file"].removesuffix(".txt")
        (facts_dir / "articles" / f"{name}.yaml").write_text(_dump(data), encoding="utf-8")
        (texts_dir / f"{name}.txt").write_text(text, encoding="utf-8")
        article_ids.append(data["article"]["id"])
        names.append(name)
    records = []
    for entity in builder.entities.values():
        record = dict(entity.record)
        record["article"] = article_ids[entity.article]
        records.append(record)
    header = f"# Synthetic shared entities for the benchmark: {articles} articles, seed {seed}.\n"
    (facts_dir / "entities.yaml").write_text(header + _dump({"entities": records}), encoding="utf-8")

    top = [e for e, _ in builder.usage.most_common() if builder.entities[e].acronym]
    samples.party = builder.entities[top[0]].acronym or top[0] if top else "Malaysia"
    samples.entity = top[0] if top else "malaysia"
    people = [e for e, _ in builder.usage.most_common() if builder.entities[e].type == "Person"]
    samples.person = builder.entities[people[0]].label if people else ""
    visits = Counter(builder.visits_with_agreements).most_common(1)
    samples.visit = visits[0][0] if visits else (f"visit-{0:05d}")
    samples.agreement = builder.agreements[len(builder.agreements) // 2]
    samples.changed_article = names[len(names) // 2]
    return GeneratedCorpus(
        root=root,
        facts_dir=facts_dir,
        articles_dir=texts_dir,
        articles=articles,
        seed=seed,
        entities=len(builder.entities),
        samples=samples,
        counts=builder.counts,
    )


def change_one_article(corpus: GeneratedCorpus) -> Path:
    """Edit one article's YAML as a curator would (a revised label): valid, and one graph changes."""
    path = corpus.facts_dir / "articles" / f"{corpus.samples.changed_article}.yaml"
    text = path.read_text(encoding="utf-8")
    match = re.search(r"^  label: (.*)$", text, flags=re.MULTILINE)
    if match is None:
        raise RuntimeError(f"{path}: no label to revise")
    label = match.group(1)
    revised = label[:-1] + " revised'" if label.endswith("'") else label + " (revised)"
    path.write_text(text[: match.start(1)] + revised + text[match.end(1) :], encoding="utf-8")
    return path

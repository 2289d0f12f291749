"""`python -m bench.draft_bench`: how close `jalinan draft` comes to the curated files.

Leave-one-out over the curated articles: each article is drafted with a gazetteer that leaves
out the entities that article introduced (its own records, and the shared entities whose
defining quote comes from it), as if it were new; the draft is then compared with the curated
file:

- entity mentions: the people, organisations, countries and places the curated facts use for
  that article, against those the draft names (known ids, and new names matched to the curated
  entity by name, acronym or alias); recall and precision;
- agreements: the curated agreements and collections found by a draft proposal quoting the same
  sentence, with the same kind (document or collection) and the right status;
- every proposed quote verbatim in the article; no name from site furniture proposed.

The texts are in `../shared/articles/`; without them the bench says so and stops.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jalinan.ingest.drafting.draft import Draft, draft_article
from jalinan.ingest.drafting.gazetteer import Gazetteer, entries_from_records, kind_of, words
from jalinan.ingest.drafting.names import canonical
from jalinan.ingest.drafting.writer import find_known
from jalinan.ingest.pipeline import default_facts_dir, read_facts
from jalinan.ingest.records import ARTICLE_SELF, FactsFile, NodeDef

ARTICLES = Path(__file__).resolve().parents[2] / "shared" / "articles"
AGREEMENT_KINDS = {
    "Agreement",
    "MemorandumOfUnderstanding",
    "LetterOfIntent",
    "JointStatement",
    "Protocol",
    "CooperationProgramme",
    "IntergovernmentalAgreement",
    "AgreementCollection",
}
TARGETS = {"mention_recall": 0.9, "mention_precision": 0.8, "agreements_found": 0.8}


@dataclass
class ArticleScore:
    article: str
    gold_entities: set[str]
    found_entities: set[str]
    wrong_names: list[str]
    gold_agreements: list[str]
    found_agreements: list[str]
    quotes_verbatim: bool
    furniture_names: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return len(self.found_entities & self.gold_entities) / max(1, len(self.gold_entities))

    @property
    def precision(self) -> float:
        right = len(self.found_entities & self.gold_entities)
        return right / max(1, right + len(self.wrong_names))

    @property
    def agreement_share(self) -> float:
        return len(self.found_agreements) / len(self.gold_agreements) if self.gold_agreements else 1.0


def _values(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for k, item in value.items() for v in [*_values(k), *_values(item)]]
    if isinstance(value, list):
        return [v for item in value for v in _values(item)]
    return []


def gold_entities(article_file: FactsFile, entities_file: FactsFile, nodes: dict[str, NodeDef]) -> set[str]:
    article_id = article_file.article.id if article_file.article else ""
    used = {n.id for n in article_file.nodes}
    for claim in article_file.claims:
        used.add(claim.subject)
        used.update(_values(claim.value))
    used.update(n.id for n in entities_file.nodes if n.article == article_id)
    used.update(c.subject for c in entities_file.claims if c.article == article_id)
    return {u for u in used if u in nodes and kind_of(nodes[u].type) is not None}


def introduced_by(article_file: FactsFile, entities_file: FactsFile) -> set[str]:
    article_id = article_file.article.id if article_file.article else ""
    return {n.id for n in article_file.nodes} | {n.id for n in entities_file.nodes if n.article == article_id}


def _names_of(node: NodeDef) -> list[str]:
    return [node.label, *node.aliases, *node.acronyms, *node.labels.values()]


def match_candidate(name: str, acronyms: list[str], gold: set[str], nodes: dict[str, NodeDef]) -> str | None:
    """The curated entity a new name stands for, by its name, an alias or an acronym."""
    wanted = canonical(name)
    best, best_ratio = None, 0.0
    for node_id in sorted(gold):
        node = nodes[node_id]
        for known in _names_of(node):
            if canonical(known) == wanted or (acronyms and known in acronyms):
                return node_id
            ratio = difflib.SequenceMatcher(None, wanted, canonical(known)).ratio()
            if ratio > best_ratio:
                best, best_ratio = node_id, ratio
    return best if best_ratio >= 0.85 else None


def _quotes_of(agreement: str, article_file: FactsFile, nodes: dict[str, NodeDef]) -> set[str]:
    quotes = {nodes[agreement].quote} if agreement in nodes else set()
    quotes |= {c.quote for c in article_file.claims if c.subject == agreement}
    return {" ".join(q.split()) for q in quotes}


def _status_of(agreement: str, article_file: FactsFile) -> str | None:
    for claim in article_file.claims:
        if claim.subject == agreement and claim.prop == "hasStatus":
            return str(claim.value).split(":", 1)[-1]
    return None


def score(
    article_file: FactsFile,
    entities_file: FactsFile,
    nodes: dict[str, NodeDef],
    draft: Draft,
    text: str,
    gazetteer: Gazetteer,
) -> ArticleScore:
    gold = gold_entities(article_file, entities_file, nodes)
    found: set[str] = set()
    wrong: list[str] = []
    for entry in draft.names.known_entries():
        if entry.id in gold and entry.id not in found:
            found.add(entry.id)
        else:
            wrong.append(f"{entry.label} (known)")
    if draft.publisher:
        known = find_known(gazetteer, draft.publisher)
        publisher = known.id if known else match_candidate(draft.publisher, [], gold, nodes)
        if publisher in gold:
            found.add(publisher)
        else:
            wrong.append(f"{draft.publisher} (publisher)")
    for candidate in draft.names.candidates.values():
        matched = match_candidate(candidate.name, candidate.acronyms, gold, nodes)
        if matched and matched not in found:
            found.add(matched)
        else:
            wrong.append(candidate.name)
    furniture_words = {w for p in draft.skipped for w in words(p.text) if len(w) > 3}
    furniture_names = [
        c.name
        for c in draft.names.candidates.values()
        if set(words(c.name)) & furniture_words
        and not set(words(c.name)) & set(w for s in draft.story for w in words(s.text))
    ]
    gold_agreements = [n.id for n in article_file.nodes if n.type in AGREEMENT_KINDS]
    found_agreements: list[str] = []
    taken: set[int] = set()
    for agreement in gold_agreements:
        quotes = _quotes_of(agreement, article_file, nodes)
        is_collection = nodes[agreement].type == "AgreementCollection"
        status = _status_of(agreement, article_file)
        for index, proposal in enumerate(draft.agreements):
            if index in taken or (proposal.kind == "AgreementCollection") != is_collection:
                continue
            proposal_quotes = {" ".join(q.split()) for q in proposal.quotes()}
            overlap = any(q in p or p in q for q in quotes for p in proposal_quotes)
            if overlap and (status is None or proposal.status == status):
                taken.add(index)
                found_agreements.append(agreement)
                break
    flat = " ".join(text.split())
    verbatim = all(" ".join(q.split()) in flat for q in draft.all_quotes())
    return ArticleScore(
        article=article_file.path.name,
        gold_entities=gold,
        found_entities=found,
        wrong_names=wrong,
        gold_agreements=gold_agreements,
        found_agreements=found_agreements,
        quotes_verbatim=verbatim,
        furniture_names=furniture_names,
    )


def run(articles_dir: Path, facts_dir: Path, verbose: bool = False) -> list[ArticleScore]:
    files_read = read_facts(facts_dir)
    entities_file = next(f for f in files_read if f.article is None)
    article_files = [f for f in files_read if f.article is not None]
    nodes = {n.id: n for f in files_read for n in f.nodes}
    scores = []
    for article_file in article_files:
        assert article_file.article is not None
        text_path = articles_dir / article_file.article.source_file
        leave_out = introduced_by(article_file, entities_file)
        gazetteer = Gazetteer(entries_from_records(files_read, leave_out))
        date = next(
            (
                str(c.value)
                for c in article_file.claims
                if c.subject == ARTICLE_SELF and c.prop == "publicationDate"
            ),
            None,
        )
        text = text_path.read_text(encoding="utf-8")
        publisher = next(
            (
                nodes[str(c.value)].label
                for c in article_file.claims
                if c.subject == ARTICLE_SELF and c.prop == "publisher" and str(c.value) in nodes
            ),
            None,
        )
        # the curator gives the date and the publisher, as on the command line
        draft = draft_article(text, gazetteer, source_file=text_path.name, date=date, publisher=publisher)
        result = score(article_file, entities_file, nodes, draft, text, gazetteer)
        scores.append(result)
        if verbose:
            print(f"--- {result.article}")
            print("  missed:", sorted(result.gold_entities - result.found_entities))
            print("  wrong: ", result.wrong_names)
            print("  agreements missed:", sorted(set(result.gold_agreements) - set(result.found_agreements)))
    return scores


def report(scores: list[ArticleScore]) -> tuple[str, bool]:
    lines = [
        "| article | mentions recall | mentions precision | agreements found | quotes verbatim "
        "| furniture names |",
        "|---|---:|---:|---:|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.article} | {s.recall:.2f} "
            f"({len(s.found_entities & s.gold_entities)}/{len(s.gold_entities)}) "
            f"| {s.precision:.2f} ({len(s.wrong_names)} wrong) "
            f"| {s.agreement_share:.2f} ({len(s.found_agreements)}/{len(s.gold_agreements)}) "
            f"| {'yes' if s.quotes_verbatim else 'NO'} | {', '.join(s.furniture_names) or 'none'} |"
        )
    gold = sum(len(s.gold_entities) for s in scores)
    right = sum(len(s.found_entities & s.gold_entities) for s in scores)
    wrong = sum(len(s.wrong_names) for s in scores)
    agreements = sum(len(s.gold_agreements) for s in scores)
    agreements_found = sum(len(s.found_agreements) for s in scores)
    totals = {
        "mention_recall": right / max(1, gold),
        "mention_precision": right / max(1, right + wrong),
        "agreements_found": agreements_found / max(1, agreements),
    }
    verbatim = all(s.quotes_verbatim for s in scores)
    no_furniture = not any(s.furniture_names for s in scores)
    lines.append(
        f"| **total** | {totals['mention_recall']:.2f} ({right}/{gold}) | {totals['mention_precision']:.2f} "
        f"({wrong} wrong) | {totals['agreements_found']:.2f} ({agreements_found}/{agreements}) "
        f"| {'yes' if verbatim else 'NO'} | {'none' if no_furniture else 'SOME'} |"
    )
    passed = all(totals[k] >= v for k, v in TARGETS.items()) and verbatim and no_furniture
    lines.append("")
    for key, target in TARGETS.items():
        verdict = "PASS" if totals[key] >= target else "FAIL"
        lines.append(f"- {key.replace('_', ' ')}: target ≥ {target}, measured {totals[key]:.2f}: {verdict}")
    lines.append(f"- every quote verbatim: {'PASS' if verbatim else 'FAIL'}")
    lines.append(f"- no furniture name proposed: {'PASS' if no_furniture else 'FAIL'}")
    return "\n".join(lines), passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, default=ARTICLES)
    parser.add_argument("--facts", type=Path, default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="list what each draft missed")
    args = parser.parse_args(argv)
    if not args.articles.is_dir():
        print(f"draft bench: the article texts are not at {args.articles}; nothing to measure")
        return 1
    scores = run(args.articles, args.facts or default_facts_dir(), args.verbose)
    table, passed = report(scores)
    print(table)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

"""`jalinan draft`, `jalinan validate FILE` and `jalinan diff`: from an article's text to reviewed facts.

The drafts are made from small articles written here (and, where they are beside the project,
from the source articles), against a gazetteer of the curated facts or of a real on-disk store.
"""

import shutil
from pathlib import Path

import pytest

from jalinan.cli import main
from jalinan.ingest.drafting.draft import draft_article
from jalinan.ingest.drafting.gazetteer import Entry, Gazetteer, entries_from_records, entries_from_store
from jalinan.ingest.drafting.writer import write_draft
from jalinan.ingest.errors import FactsInvalid
from jalinan.ingest.pipeline import build_corpus, default_facts_dir, read_facts
from tests.support import ingest_into, shared_articles

ARTICLE = "\n".join(
    [
        "Malaysia And China Sign Science Pacts",
        "",
        (
            "date 2025-04-17 PUTRAJAYA: The SCIENCE, TECHNOLOGY AND INNOVATION MINISTRY (MOSTI) "
            "and China's Ministry of Quantum Affairs signed two memoranda of understanding "
            "yesterday."
        ),
        "",
        (
            "The MoUs were exchanged by Digital Minister Gobind Singh Deo and Quantum Minister "
            "Wang Lixin, in a ceremony witnessed by Chinese President Xi Jinping."
        ),
        "",
        "Malaysia and China will sign a letter of intent on robotics in September.",
        "",
        "Advertisement",
        "",
        "Subscribe to our Telegram channel for the latest stories and updates.",
        "",
        ("Qlik offers real-time data integration and analytics solutions. For more information, visit"),
        "",
        "Previous Post",
        "",
    ]
)


@pytest.fixture(scope="module")
def curated_gazetteer() -> Gazetteer:
    return Gazetteer(entries_from_records(read_facts(default_facts_dir())))


@pytest.fixture(scope="module")
def draft(curated_gazetteer):
    return draft_article(ARTICLE, curated_gazetteer, source_file="sample.txt")


def test_known_entities_are_found_whatever_their_case_or_punctuation(draft):
    known = {entry.id for entry in draft.names.known_entries()}
    assert {"mosti", "malaysia", "china", "gobind-singh-deo", "xi-jinping"} <= known


def test_a_name_with_a_small_spelling_difference_is_found():
    gazetteer = Gazetteer(
        [Entry("infinaxis", "Company", "Infinaxis Data Centre", names=[("Infinaxis Data Centre", "label")])]
    )
    [mention] = gazetteer.find("the Infinaxis data center in Cyberjaya")
    assert mention.entry.id == "infinaxis"


def test_new_names_are_proposed_as_candidates_with_a_guessed_kind(draft):
    candidates = {c.name: c.kind for c in draft.names.candidates.values()}
    assert candidates.get("Ministry of Quantum Affairs") == "Ministry"
    assert candidates.get("Wang Lixin") == "Person"
    assert "mosti" not in {c.name.lower() for c in draft.names.candidates.values()}  # never re-proposed


def test_a_counted_signing_gives_that_many_agreements_with_their_status_and_date(draft):
    mous = [a for a in draft.agreements if a.kind == "MemorandumOfUnderstanding"]
    assert len(mous) == 2
    for mou in mous:
        assert mou.status == "exchanged"  # the later "were exchanged" says more than "signed"
        assert mou.date is not None and mou.date.value == "2025-04-16" and mou.date.basis == "inferred"
        assert "yesterday" in mou.date.note
        exchanged_by = {m.entry.id for m in mou.more[0].exchangers if hasattr(m, "entry")}
        assert exchanged_by == {"gobind-singh-deo"} and mou.more[0].signatories == []


def test_a_planned_agreement_is_planned_and_dated_to_the_coming_month(draft):
    [loi] = [a for a in draft.agreements if a.kind == "LetterOfIntent"]
    assert loi.status == "planned"
    assert loi.date is not None and loi.date.value == "2025-09"


def test_without_an_article_date_relative_dates_are_left_out(curated_gazetteer):
    text = ARTICLE.replace("date 2025-04-17 ", "")
    undated = draft_article(text, curated_gazetteer, source_file="sample.txt")
    assert undated.date is None
    assert all(a.date is None for a in undated.agreements)


def test_a_large_or_vague_count_is_a_collection(curated_gazetteer):
    text = "Fourteen memoranda, agreements and protocols were exchanged between Malaysia and China."
    [collection] = draft_article(text, curated_gazetteer, source_file="x.txt").agreements
    assert collection.kind == "AgreementCollection" and collection.count == 14


def test_site_furniture_is_skipped_and_never_proposed(draft):
    skipped = " ".join(p.text for p in draft.skipped)
    assert "Advertisement" in skipped and "Subscribe" in skipped and "Previous Post" in skipped
    assert "Qlik" in skipped
    assert not any("Qlik" in c.name for c in draft.names.candidates.values())
    assert all("Qlik" not in s.text for s in draft.story)


def test_every_quote_in_a_draft_is_verbatim(draft):
    flat = " ".join(ARTICLE.split())
    assert draft.all_quotes()
    for quote in draft.all_quotes():
        assert " ".join(quote.split()) in flat


def _write_sample(tmp_path: Path, gazetteer: Gazetteer) -> tuple[Path, Path]:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "sample.txt").write_text(ARTICLE, encoding="utf-8")
    draft = draft_article(ARTICLE, gazetteer, source_file="sample.txt")
    yaml_file = tmp_path / "sample.yaml"
    yaml_file.write_text(write_draft(draft, gazetteer), encoding="utf-8")
    return yaml_file, texts


def test_validating_a_draft_lists_only_its_review_markers_as_remaining_work(tmp_path, curated_gazetteer):
    yaml_file, _ = _write_sample(tmp_path, curated_gazetteer)
    with pytest.raises(FactsInvalid) as raised:  # (quotes verbatim: see the test above)
        build_corpus(extra=[yaml_file], check_shapes=False)
    problems = raised.value.errors
    assert problems and all(p.field == "review" and p.path == yaml_file for p in problems), problems
    lines = yaml_file.read_text(encoding="utf-8").splitlines()
    assert all(lines[p.line - 1].strip().startswith("review:") for p in problems)


def test_a_reviewed_draft_validates(tmp_path, curated_gazetteer):
    yaml_file, _ = _write_sample(tmp_path, curated_gazetteer)
    reviewed = [
        line
        for line in yaml_file.read_text(encoding="utf-8").splitlines()
        if not line.strip().startswith("review:")
    ]
    yaml_file.write_text("\n".join(reviewed) + "\n", encoding="utf-8")
    corpus = build_corpus(extra=[yaml_file])  # with the SHACL shapes
    draft_id = yaml_file.read_text(encoding="utf-8").split("  id: ", 1)[1].split()[0]
    assert draft_id in corpus.article_ids


def test_draft_command_uses_the_stores_names_and_refuses_to_overwrite(tmp_path, capsys):
    store = tmp_path / "store"
    ingest_into(store)
    text = tmp_path / "sample.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "draft.yaml"
    assert main(["draft", str(text), "--store", str(store), "-o", str(out)]) == 0
    written = out.read_text(encoding="utf-8")
    assert "hasParty: {malaysia: [mosti]" in written
    assert "the names in the store" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="exists"):
        main(["draft", str(text), "--store", str(store), "-o", str(out)])


def test_draft_command_names_a_bad_date_and_a_missing_file(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["draft", str(tmp_path / "x.txt"), "--date", "17/04/2025"])
    assert "--date" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="no such file"):
        main(["draft", str(tmp_path / "missing.txt")])


def test_the_store_gazetteer_holds_the_curated_names(tmp_path):
    store_path = tmp_path / "store"
    ingest_into(store_path)
    from jalinan.graph import open_store

    with open_store(store_path, read_only=True) as store:
        from_store = {e.id: {n for n, _ in e.names} for e in entries_from_store(store)}
    from_records = {
        e.id: {n for n, _ in e.names} for e in entries_from_records(read_facts(default_facts_dir()))
    }
    assert from_store == from_records


def test_diff_lists_what_an_edited_article_would_remove_and_add(tmp_path, capsys):
    store = tmp_path / "store"
    ingest_into(store)
    curated = next(
        p
        for p in sorted((default_facts_dir() / "articles").glob("*.yaml"))
        if "hasStatus: agreement-status:signed" in p.read_text(encoding="utf-8")
    )
    edited = tmp_path / curated.name
    shutil.copy(curated, edited)
    assert main(["diff", str(edited), "--store", str(store)]) == 0
    assert "no change" in capsys.readouterr().out
    text = edited.read_text(encoding="utf-8")
    edited.write_text(
        text.replace("hasStatus: agreement-status:signed", "hasStatus: agreement-status:planned", 1),
        encoding="utf-8",
    )
    assert main(["diff", str(edited), "--store", str(store)]) == 0
    shown = capsys.readouterr().out
    assert "facts removed (1)" in shown and "facts added (1)" in shown
    removed = shown.split("facts removed")[1].split("facts added")[0]
    added = shown.split("facts added")[1]
    assert "status" in removed and "signed" in removed
    assert "status" in added and "planned" in added


def test_diff_names_the_problem_of_an_invalid_file_and_writes_nothing(tmp_path, capsys):
    store = tmp_path / "store"
    ingest_into(store)
    curated = sorted((default_facts_dir() / "articles").glob("*.yaml"))[0]
    edited = tmp_path / curated.name
    edited.write_text(
        curated.read_text(encoding="utf-8").replace("  quote:", "  quote_:", 1), encoding="utf-8"
    )
    assert main(["diff", str(edited), "--store", str(store)]) == 2
    assert f"{edited}:" in capsys.readouterr().err


def test_diff_of_a_new_article_lists_its_entities_facts_and_quotes(tmp_path, capsys, curated_gazetteer):
    store = tmp_path / "store"
    ingest_into(store)
    yaml_file, texts = _write_sample(tmp_path, curated_gazetteer)
    reviewed = [
        line
        for line in yaml_file.read_text(encoding="utf-8").splitlines()
        if not line.strip().startswith("review:")
    ]
    yaml_file.write_text("\n".join(reviewed) + "\n", encoding="utf-8")
    assert main(["diff", str(yaml_file), "--store", str(store), "--articles", str(texts)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("new article")
    assert "entities added" in shown and "MemorandumOfUnderstanding" in shown
    assert "Ministry of Science, Technology and Innovation (mosti)" in shown
    assert "quotes added" in shown and "yesterday" in shown


def test_drafts_of_the_source_articles_quote_verbatim_and_skip_furniture(curated_gazetteer):
    articles = shared_articles()
    from bench.draft_bench import run

    scores = run(articles, default_facts_dir())
    assert scores
    for score in scores:
        assert score.quotes_verbatim, score.article
        assert not score.furniture_names, (score.article, score.furniture_names)

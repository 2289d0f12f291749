"""Search ranks a word's holders with a short name (an organisation's, a person's, a place's, a
topic's) before the long titles of agreements and articles, shortest first, and reads those
first without reading the word's every holder: ingest writes each short name's words with the
name's length (`jl:shortNameToken`), and the page query reads them by a window before the rest.
"""

import shutil

import httpx
import pytest

from jalinan.api.reading import read
from jalinan.cli import main
from jalinan.graph import open_store
from jalinan.graph.keys import SHORT_NAME_WORDS, name_length, search_tokens, short_name_tokens
from jalinan.ingest.pipeline import default_facts_dir
from jalinan.queries.catalogue import Page, load_catalogue
from tests.support import curated_nodes

SEARCH = load_catalogue()["search"]
JL = "https://w3id.org/jalinan/ontology#"


def _ids(http: httpx.Client, q: str, size: int = 500) -> list[str]:
    answer = http.get("/search", params={"q": q, "_size": size})
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def _names(node: dict) -> list[str]:
    return [
        node["label"],
        *(node.get("labels") or {}).values(),
        *(node.get("aliases") or []),
        *(node.get("acronyms") or []),
    ]


def _shortest(node: dict, word: str) -> int | None:
    """The length of the node's shortest short name holding `word`, if any."""
    lengths = [name_length(search_tokens(n)) for n in _names(node) if word in search_tokens(n)]
    short = [length for length in lengths if length <= SHORT_NAME_WORDS]
    return min(short) if short else None


# --- the words of short names ---------------------------------------------------------------


def test_a_names_length_leaves_out_the_stop_words_a_searcher_leaves_out() -> None:
    assert name_length(search_tokens("Ministry of Science, Technology and Innovation")) == 4
    assert name_length(search_tokens("of the")) == 1


def test_each_word_of_a_short_name_is_keyed_with_the_length_of_the_shortest_name_holding_it() -> None:
    keys = short_name_tokens(["Ministry of Science, Technology and Innovation", "MOSTI", "Science Ministry"])
    assert "1 mosti" in keys and "2 science" in keys and "2 ministry" in keys and "4 technology" in keys
    assert len(keys) == len({key.split(" ", 1)[1] for key in keys}), "each word once, at its shortest"


def test_a_long_title_has_no_short_name_words() -> None:
    title = "Ministry of Investment, Trade and Industry–China joint statement on new energy vehicles"
    assert short_name_tokens([title]) == []


# --- the order ------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["ministry", "china", "malaysia"])
def test_one_word_finds_its_holders_with_short_names_first_shortest_first(
    http: httpx.Client, word: str
) -> None:
    ids = _ids(http, word)
    nodes = {node["id"]: node for node in curated_nodes()}
    exact = {i for i, node in nodes.items() if word in {n.casefold() for n in _names(node)}}
    found = [i for i in ids if i not in exact]  # (named exactly by the word: first of all)
    short = [i for i in found if i in nodes and _shortest(nodes[i], word) is not None]
    assert short, f"the curated facts name something {word!r} in a short name"
    assert found[: len(short)] == short, "short names before every long title"
    assert len(found) > len(short), "long titles hold the word too"
    lengths = [_shortest(nodes[i], word) for i in short]
    assert lengths == sorted(lengths), "the shortest names first"


@pytest.mark.parametrize("word", ["ministry", "china", "digital", "minstry", "kementerian"])
@pytest.mark.parametrize("size", [1, 2, 5, 25])
def test_a_first_page_read_by_its_window_is_the_first_page_of_the_whole_answer(
    http: httpx.Client, word: str, size: int
) -> None:
    """The first page comes from the short names alone when they fill it; the whole answer
    (a page of 500, more than the window holds) reads every holder."""
    whole = _ids(http, word)
    assert whole
    assert _ids(http, word, size) == whole[:size]


def test_kind_and_country_narrow_the_window_as_they_narrow_the_whole_answer(http: httpx.Client) -> None:
    for filters in ({"kind": "Organization"}, {"kind": "Agreement"}, {"country": "China"}):
        whole = http.get("/search", params={"q": "ministry", "_size": 500, **filters}).json()["items"]
        first = http.get("/search", params={"q": "ministry", "_size": 3, **filters}).json()["items"]
        assert [i["id"] for i in first] == [i["id"] for i in whole[:3]], filters


# --- ingest keeps them ----------------------------------------------------------------------


def test_reingesting_one_article_with_a_new_short_alias_ranks_its_entity_among_the_short_names(
    tmp_path,
) -> None:
    facts = tmp_path / "facts"
    shutil.copytree(default_facts_dir(), facts, ignore=shutil.ignore_patterns("__*"))
    article = facts / "articles" / "003_420124348f4a3cdc.yaml"
    store = tmp_path / "store"
    assert main(["ingest", "--store", str(store), "--facts", str(facts)]) == 0
    agreement = "https://w3id.org/jalinan/id/mou-communications-ministry-china-media-group"

    def first_page_and_keys() -> tuple[list[str], set[str]]:
        with open_store(store, read_only=True) as opened:
            page = read(opened, SEARCH, {"q": "ministry"}, Page(1, 500))
            keys = opened.query(f"SELECT ?key WHERE {{ <{agreement}> <{JL}shortNameToken> ?key }}")
        ids = list(dict.fromkeys(row["entity"].value for row in page.rows))
        return ids, {row["key"].value for row in keys.rows}  # type: ignore[union-attr]

    before, keys = first_page_and_keys()
    assert keys == set() and agreement in before
    label = "  label: Communications Ministry–China Media Group MoU on media cooperation\n"
    text = article.read_text(encoding="utf-8")
    assert label in text
    article.write_text(text.replace(label, label + "  aliases: [Media Ministry MoU]\n", 1), encoding="utf-8")
    assert main(["ingest", "--store", str(store), "--facts", str(facts), str(article)]) == 0

    after, keys = first_page_and_keys()
    assert keys == {"3 media", "3 ministry", "3 mou"}
    assert after.index(agreement) < before.index(agreement)
    with open_store(store, read_only=True) as opened:
        short = opened.query(
            f'SELECT ?e WHERE {{ ?e <{JL}shortNameToken> ?k FILTER (STRENDS(?k, " ministry")) }}'
        )
    assert after.index(agreement) < len({row["e"].value for row in short.rows})  # type: ignore[union-attr]

    article.write_text(text, encoding="utf-8")  # the alias gone again: so are its words
    assert main(["ingest", "--store", str(store), "--facts", str(facts), str(article)]) == 0
    assert first_page_and_keys() == (before, set())

"""The people list in a browser: one entry per post a person holds, naming the organisation any
article gives it, citing every article that states it; the canned `people` keeps every fact."""

import re
from html import unescape

import httpx
from pyoxigraph import Literal, NamedNode

from jalinan.api.explorer.lists import _posts

BROWSER = {"Accept": "text/html"}
SPARQL_JSON = {"Accept": "application/sparql-results+json"}
ID = "https://w3id.org/jalinan/id/"
ARTICLE = ID + "article/"


def _posts_cells(http: httpx.Client) -> dict[str, list[dict]]:
    """Each person's Posts cell on the people list (all people on one page): its entries, each
    with the post's link, its text, and the articles it cites."""
    page = http.get("/people", params={"_size": "500"}, headers=BROWSER)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    cells = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S):
        person = re.search(r'<td><a href="/id/([^"]+)">', row)
        posts = re.findall(r"<td>(.*?)</td>", row, re.S)
        if person is None or len(posts) < 2:
            continue
        entries = []
        for item in re.findall(r"<li>(.*?)</li>", posts[1], re.S):
            link = re.match(r'<a href="([^"]+)">([^<]*)</a>', item)
            assert link, item
            cites = re.findall(r'<a class="cite" href="([^"]+)"', item)
            entries.append({"href": link[1], "text": unescape(link[2]), "cites": cites})
        cells[person[1]] = entries
    return cells


def _post_facts(http: httpx.Client, person: str) -> dict[str, dict[str, set[str]]]:
    """The posts `person` holds, from the canned `people` rows: post id → its organisations'
    labels and the articles that state it."""
    answer = http.get("/queries/people", params={"person": person}, headers=SPARQL_JSON)
    facts: dict[str, dict[str, set[str]]] = {}
    for row in answer.json()["results"]["bindings"]:
        if row["relation"]["value"] != "holds post":
            continue
        fact = facts.setdefault(
            row["object"]["value"].removeprefix(ID), {"organisations": set(), "sources": set()}
        )
        if "organisationLabel" in row:
            fact["organisations"].add(row["organisationLabel"]["value"])
        fact["sources"].add(row["source"]["value"])
    return facts


def test_a_post_in_a_ministry_and_its_country_is_listed_once_naming_the_ministry(http: httpx.Client) -> None:
    entries = _posts_cells(http)["fahmi-fadzil"]
    assert [entry["href"] for entry in entries] == ["/id/post-communications-digital-minister-fahmi"]
    assert "Ministry of Communications and Digital" in entries[0]["text"]


def test_each_post_is_listed_once_citing_every_article_that_states_it(http: httpx.Client) -> None:
    cells = _posts_cells(http)
    assert len(cells) >= 3
    for person, entries in cells.items():
        hrefs = [entry["href"] for entry in entries]
        assert len(hrefs) == len(set(hrefs)), (person, hrefs)
        facts = _post_facts(http, person)
        assert {href.removeprefix("/id/") for href in hrefs} == set(facts), person
        for entry in entries:
            fact = facts[entry["href"].removeprefix("/id/")]
            cited = {ARTICLE + href.removeprefix("/id/article/") for href in entry["cites"]}
            assert cited == fact["sources"], (person, entry)
            for organisation in fact["organisations"]:
                assert organisation in entry["text"], (person, entry, organisation)


def _row(post: str, label: str, source: str, organisation: str | None = None) -> dict:
    row = {
        "post": NamedNode(ID + post),
        "postLabel": Literal(label, language="en"),
        "postSource": NamedNode(ARTICLE + source),
    }
    if organisation:
        row["organisationLabel"] = Literal(organisation, language="en")
    return row


def test_a_role_from_two_articles_one_without_its_organisation_is_one_entry_citing_both() -> None:
    rows = [
        _row("post-minister", "Minister of Digital", "a1", "Ministry of Digital"),
        _row("post-minister", "Minister of Digital", "a2"),
        _row("post-minister-2", "minister of digital", "a3"),  # the same role, another node
        _row("post-other", "Member of Parliament", "a2"),
    ]
    (minister, member) = _posts(rows)["list"]
    assert minister["text"] == "Minister of Digital, Ministry of Digital"
    assert [cite["href"] for cite in minister["cites"]] == [
        "/id/article/a1",
        "/id/article/a2",
        "/id/article/a3",
    ]
    assert [cite["text"] for cite in minister["cites"]] == ["[1]", "[2]", "[3]"]
    assert member["text"] == "Member of Parliament" and len(member["cites"]) == 1


def test_a_persons_page_names_each_post_once(http: httpx.Client) -> None:
    page = http.get("/id/fahmi-fadzil", headers=BROWSER).text
    (posts,) = re.findall(r"<dt>Posts held</dt><dd>(.*?)</dd>", page, re.S)
    items = re.findall(r"<li>(.*?)</li>", posts, re.S)
    assert len(items) == 1 and "/id/ministry-of-communications-and-digital" in items[0], items
    (lede,) = re.findall(r'<p class="lede">(.*?)</p>', page, re.S)
    assert unescape(lede).count("Communications and Digital Minister") == 1, lede

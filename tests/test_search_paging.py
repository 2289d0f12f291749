"""Pages of a search, whatever the number of words (`queries/search/page.rq` finds one word,
two words and more in branches of their own): following the next links one entity at a time
gives the whole answer once, in its order, the names equal to the text first."""

from urllib.parse import urljoin

import httpx
import pytest

# one word; two words that are a topic's name; four words that are an agency's name
TEXTS = ["ministry", "digital economy", "Malaysia Digital Economy Corporation"]


def _entities(response: httpx.Response) -> list[str]:
    rows = response.json()["results"]["bindings"]
    return list(dict.fromkeys(row["entity"]["value"] for row in rows))


@pytest.mark.parametrize("text", TEXTS)
def test_pages_of_one_give_the_whole_search_once_in_its_order(http: httpx.Client, text: str) -> None:
    whole = http.get("/queries/search", params={"q": text, "_size": 500})
    assert whole.status_code == 200 and "next" not in whole.links
    expected = _entities(whole)
    assert len(expected) >= 2, "the curated facts should give this text several results"
    url: str | None = httpx.URL("/queries/search", params={"q": text, "_size": 1}).raw_path.decode()
    paged: list[str] = []
    while url is not None:
        response = http.get(url)
        assert response.status_code == 200, response.text
        paged += _entities(response)
        following = response.links.get("next")
        url = urljoin(url, following["url"]) if following else None
    assert paged == expected


def test_a_name_equal_to_a_text_of_several_words_comes_first(http: httpx.Client) -> None:
    rows = http.get("/queries/search", params={"q": TEXTS[-1]}).json()["results"]["bindings"]
    assert rows[0]["exact"]["value"] == "true"
    assert rows[0]["entity"]["value"].endswith("/mdec")
    assert len({row["entity"]["value"] for row in rows}) >= 2  # (and another entity after it)

"""The curation page (`/curation`): the write-token holder pastes an article and reviews the draft.

Against the session's real server (started with the test write token), over HTTP as a browser
sends it: a plain form, no JavaScript.
"""

import httpx
import yaml

from tests.conftest import ApiServer

BROWSER = {"Accept": "text/html,application/xhtml+xml"}
ARTICLE = (
    "date 2025-04-17 PUTRAJAYA: The Science, Technology and Innovation Ministry (Mosti) and China's "
    "Ministry of Quantum Affairs signed two memoranda of understanding yesterday.\n\n"
    "Advertisement\n\n"
    "The MoUs were exchanged by Digital Minister Gobind Singh Deo and Quantum Minister Wang Lixin.\n"
)


def _post(api_server: ApiServer, path: str = "/curation", **fields: str) -> httpx.Response:
    data = {
        "token": api_server.write_token,
        "text": ARTICLE,
        "date": "",
        "publisher": "",
        "url": "",
        **fields,
    }
    return httpx.post(api_server.url(path), data=data, headers=BROWSER, timeout=60)


def test_the_curation_page_is_a_form_with_labelled_fields(api_server: ApiServer):
    response = httpx.get(api_server.url("/curation"), headers=BROWSER, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    for field in ("c-text", "c-file", "c-date", "c-publisher", "c-url", "c-token"):
        assert f'<label for="{field}">' in response.text and f'id="{field}"' in response.text


def test_a_draft_shows_the_article_beside_its_proposals_with_quotes_highlighted(api_server: ApiServer):
    response = _post(api_server)
    assert response.status_code == 200
    page = response.text
    assert "<mark>" in page and "Ministry of Quantum Affairs signed two memoranda" in page
    assert 'href="#p-' in page and 'id="p-' in page  # a highlight links to its record
    assert "skipped: advertisement" in page
    assert "review:" in page and "mosti" in page  # known by its id, from the store's names


def test_the_downloaded_yaml_is_the_curated_format_with_review_markers(api_server: ApiServer):
    response = _post(api_server, "/curation/draft.yaml", name="quantum-pact.txt")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="quantum-pact.yaml"'
    data = yaml.safe_load(response.text)
    assert data["article"]["source_file"] == "quantum-pact.txt"
    assert any(record.get("type") == "MemorandumOfUnderstanding" for record in data["facts"])
    assert all("review" in record for record in data["facts"] if "id" in record)


def test_a_wrong_token_is_refused_and_the_form_kept(api_server: ApiServer):
    response = _post(api_server, token="not-the-token")
    assert response.status_code == 403
    assert "not this server" in response.text and 'aria-invalid="true"' in response.text
    assert "Ministry of Quantum Affairs" in response.text  # the pasted text is not lost
    assert "not-the-token" not in response.text


def test_a_missing_text_or_a_bad_date_is_named(api_server: ApiServer):
    empty = _post(api_server, text="")
    assert empty.status_code == 422 and "Paste the article" in empty.text
    bad_date = _post(api_server, date="17/04/2025")
    assert bad_date.status_code == 422 and "is not a date" in bad_date.text

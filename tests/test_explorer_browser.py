"""Journeys in a real browser (Playwright driving Debian's chromium) against the real server.

Each test opens pages through `offline_page`, which records every request; each ends by
checking that none left 127.0.0.1 (they are aborted, and the test fails naming them).
"""

import importlib.metadata

import pytest

from tests.browser import assert_stayed_local, offline_page
from tests.conftest import ApiServer

PHONE = {"viewport": {"width": 375, "height": 740}}


def test_smoke_playwright_and_chromium_versions(browser: object, capsys: pytest.CaptureFixture) -> None:
    version = browser.version  # type: ignore[attr-defined]
    with capsys.disabled():  # shown in every run: the two versions differ and both matter
        print(f"\n[browser] playwright {importlib.metadata.version('playwright')}, chromium {version}")
    assert version.split(".")[0].isdigit()


def test_the_outside_request_check_fails_when_a_page_calls_another_host(
    browser: object, api_server: ApiServer
) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/static/site.css"))  # type: ignore[attr-defined]
        page.evaluate("fetch('https://example.org/').catch(() => null)")  # type: ignore[attr-defined]
        page.wait_for_timeout(300)  # type: ignore[attr-defined]
    assert log.outside_requests == ["https://example.org/"]
    with pytest.raises(AssertionError):
        assert_stayed_local(log)


def test_home_page_shows_counts_and_its_search_box_submits(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/"))  # type: ignore[attr-defined]
        counts = page.locator("ul.counts li")  # type: ignore[attr-defined]
        assert counts.count() == 5
        assert "agreements" in counts.first.inner_text()
        assert counts.first.locator("strong").inner_text().replace(",", "").isdigit()
        page.get_by_label("Find a ministry, company, person or topic").fill("Mosti")  # type: ignore[attr-defined]
        page.get_by_label("Find a ministry, company, person or topic").press("Enter")  # type: ignore[attr-defined]
        page.wait_for_url("**/search?q=Mosti")  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_the_sparql_editor_runs_a_query(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/sparql"))  # type: ignore[attr-defined]
        page.locator(".yasqe .CodeMirror").wait_for()  # type: ignore[attr-defined]
        assert page.locator("#plain-form").is_hidden()  # type: ignore[attr-defined]
        page.locator(".yasqe_queryButton").click()  # type: ignore[attr-defined]
        results = page.locator(".yasr")  # type: ignore[attr-defined]
        results.get_by_text("Ministry of Science, Technology and Innovation").first.wait_for(timeout=15_000)
    assert_stayed_local(log)
    assert any(url.startswith(api_server.url("/sparql")) for url in log.urls)


def test_choosing_an_example_loads_it_into_the_editor(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/sparql"))  # type: ignore[attr-defined]
        page.locator(".yasqe .CodeMirror").wait_for()  # type: ignore[attr-defined]
        page.get_by_role("link", name="Agreements by party").click()  # type: ignore[attr-defined]
        text = page.evaluate("() => document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue()")  # type: ignore[attr-defined]
        assert text.startswith("# title: Agreements by party")
        assert page.url == api_server.url("/sparql")  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_tab_leaves_the_sparql_editor(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/sparql"))  # type: ignore[attr-defined]
        editor = page.locator(".yasqe .CodeMirror")  # type: ignore[attr-defined]
        editor.click()
        typing_area = "() => document.activeElement === document.querySelector('.yasqe .CodeMirror textarea')"
        assert page.evaluate(typing_area)  # type: ignore[attr-defined]
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        assert not page.evaluate(typing_area), "Tab stayed in the editor: a keyboard user is trapped"  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_the_sparql_editor_knows_jalinan_prefixes(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/sparql"))  # type: ignore[attr-defined]
        page.locator(".yasqe .CodeMirror").wait_for()  # type: ignore[attr-defined]
        text = page.evaluate(  # type: ignore[attr-defined]
            """() => { const cm = document.querySelector('.yasqe .CodeMirror').CodeMirror;
                cm.setValue('SELECT ?m WHERE { ?m a jl:Ministry }'); return cm.getValue(); }"""
        )
        assert "PREFIX jl: <https://w3id.org/jalinan/ontology#>" in text
    assert_stayed_local(log)


def test_the_sparql_form_works_without_javascript(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser, java_script_enabled=False) as (page, log):
        page.goto(api_server.url("/sparql"))  # type: ignore[attr-defined]
        page.get_by_role("button", name="Run query").click()  # type: ignore[attr-defined]
        table = page.locator("section.results table")  # type: ignore[attr-defined]
        table.get_by_text("Ministry of Science, Technology and Innovation").first.wait_for()
        assert table.locator('a[href="/id/mosti"]').count() == 1
    assert_stayed_local(log)


def test_the_ontology_page_lists_agreement(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/ontology"))  # type: ignore[attr-defined]
        page.get_by_role("link", name="Agreement", exact=True).first.click()  # type: ignore[attr-defined]
        heading = page.locator("#jl-Agreement h3")  # type: ignore[attr-defined]
        assert heading.is_visible() and "jl:Agreement" in heading.inner_text()
        assert page.url.endswith("#jl-Agreement")  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_the_home_page_is_usable_by_keyboard_alone(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/"))  # type: ignore[attr-defined]
        reached: list[dict] = []
        for _ in range(16):
            page.keyboard.press("Tab")  # type: ignore[attr-defined]
            reached.append(
                page.evaluate(  # type: ignore[attr-defined]
                    """() => { const e = document.activeElement, s = getComputedStyle(e);
                    return {id: e.id, text: e.textContent.trim(), tag: e.tagName,
                            outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0}; }"""
                )
            )
        ids = [r["id"] for r in reached]
        texts = [r["text"] for r in reached if r["tag"] == "A"]
        assert "site-search" in ids, "Tab never reached the search box"
        for label in ("Agreements", "Visits", "Organisations", "People", "SPARQL", "Ontology"):
            assert label in texts, f"Tab never reached the {label} link"
        assert all(r["outline"] for r in reached), "an element reached by Tab shows no focus outline"
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert_stayed_local(log)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sparql",
        "/ontology",
        "/id/nothing-here",
        "/search?q=Mosti",
        "/search?q=data+center",
        "/search?q=zzqqxx",
        "/sparql?format=html&query=SELECT%20*%20%7B%3Fs%20a%20%3Chttps%3A%2F%2Fw3id.org%2Fjalinan%2Fontology%23Ministry%3E%7D",
    ],
)
def test_pages_fit_a_phone(browser: object, api_server: ApiServer, path: str) -> None:
    with offline_page(browser, **PHONE) as (page, log):
        page.goto(api_server.url(path), wait_until="networkidle")  # type: ignore[attr-defined]
        width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert width <= 375, f"the page is {width} px wide on a 375 px screen"
    assert_stayed_local(log)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_docs_render_offline(browser: object, api_server: ApiServer, path: str) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url(path))  # type: ignore[attr-defined]
        page.get_by_text("/agreements").first.wait_for(timeout=15_000)  # type: ignore[attr-defined]
    assert_stayed_local(log)

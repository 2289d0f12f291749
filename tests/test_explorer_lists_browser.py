"""Journeys through the lists and the canned-query forms in a real browser (Playwright driving
Debian's chromium), each ending with the check that no request left 127.0.0.1."""

import csv
from pathlib import Path

import pytest

from tests.browser import assert_stayed_local, offline_page
from tests.conftest import ApiServer
from tests.test_explorer_browser import PHONE

ID = "https://w3id.org/jalinan/id/"


def _listed(page: object) -> list[str]:
    """The entity ids the page's table links to, in order (first column)."""
    hrefs = page.locator("table.list tbody tr td:first-child a").evaluate_all(  # type: ignore[attr-defined]
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [href.removeprefix("/id/") for href in hrefs]


def downloaded_agreements(page: object, folder: Path) -> list[str]:
    """Click the page's CSV link as a reader would: the agreement ids of the file, in order."""
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_role("link", name="CSV").click()  # type: ignore[attr-defined]
    saved = folder / "agreements.csv"
    info.value.save_as(saved)
    with saved.open(newline="", encoding="utf-8") as file:
        return list(dict.fromkeys(row["agreement"].removeprefix(ID) for row in csv.DictReader(file)))


def test_agreements_filtered_by_topic_and_year_download_as_csv(
    browser: object, api_server: ApiServer, tmp_path: Path
) -> None:
    with offline_page(browser, accept_downloads=True) as (page, log):
        page.goto(api_server.url("/"))  # type: ignore[attr-defined]
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/agreements")  # type: ignore[attr-defined]
        everything = _listed(page)
        topic = page.locator("section.facet", has=page.get_by_role("heading", name="Topic"))  # type: ignore[attr-defined]
        topic.get_by_role("link", name="Digital economy").click()
        page.wait_for_url("**/agreements?topic=digital-economy")  # type: ignore[attr-defined]
        year = page.locator("section.facet", has=page.get_by_role("heading", name="Year"))  # type: ignore[attr-defined]
        year.get_by_role("link", name="2025").click()
        page.wait_for_url("**/agreements?topic=digital-economy&year=2025")  # type: ignore[attr-defined]
        shown = _listed(page)
        assert shown and len(shown) < len(everything)
        downloaded = downloaded_agreements(page, tmp_path)
    assert downloaded == shown
    assert_stayed_local(log)


def test_a_canned_query_form_answers_a_table_that_leads_to_an_entity_page(
    browser: object, api_server: ApiServer
) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/queries"))  # type: ignore[attr-defined]
        page.get_by_role("link", name="Agreements by party").click()  # type: ignore[attr-defined]
        field = page.get_by_label("Party (required)")  # type: ignore[attr-defined]
        field.fill("Mosti")
        field.press("Enter")
        page.wait_for_url("**/queries/agreements-by-party?party=Mosti*")  # type: ignore[attr-defined]
        first = page.locator("table.list tbody tr td:first-child a").first  # type: ignore[attr-defined]
        label = first.inner_text()
        first.click()
        page.wait_for_url("**/id/**")  # type: ignore[attr-defined]
        assert label in page.locator("h1").inner_text()  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_a_facet_can_be_chosen_by_name_with_the_keyboard(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/agreements"))  # type: ignore[attr-defined]
        field = page.get_by_label("Find a party by name")  # type: ignore[attr-defined]
        field.focus()
        page.keyboard.type("Mosti")  # type: ignore[attr-defined]
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        page.wait_for_url("**/agreements?party=Mosti")  # type: ignore[attr-defined]
        assert "mou-mosti-sti-people-exchange" in _listed(page)
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"  # type: ignore[attr-defined]
    assert_stayed_local(log)


@pytest.mark.parametrize(
    "path",
    [
        "/agreements",
        "/agreements?topic=digital-economy",
        "/organisations",
        "/visits",
        "/people",
        "/queries",
        "/queries/agreements-by-party?party=Mosti",
    ],
)
def test_lists_and_forms_fit_a_phone(browser: object, api_server: ApiServer, path: str) -> None:
    with offline_page(browser, **PHONE) as (page, log):
        page.goto(api_server.url(path), wait_until="networkidle")  # type: ignore[attr-defined]
        width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert width <= 375, f"{path} is {width} px wide on a 375 px screen"
    assert_stayed_local(log)

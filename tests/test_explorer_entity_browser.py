"""The entity pages in a real browser (Playwright driving Debian's chromium), against the real
server: a journalist goes from a ministry to its MoU to the article with the quote, by clicking,
by keyboard, and on a phone; no request leaves 127.0.0.1."""

import pytest

from tests.browser import assert_stayed_local, offline_page
from tests.conftest import ApiServer

PHONE = {"viewport": {"width": 375, "height": 740}}
MOU = "Mosti–China MoU on a science and technology people-to-people exchange programme"
QUOTE = "exchanged an MoU focused on a science and technology people-to-people exchange programme"


def test_ministry_to_its_mou_to_the_article_with_the_quote(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/id/mosti"))  # type: ignore[attr-defined]
        assert page.locator("h1").inner_text() == "Ministry of Science, Technology and Innovation"  # type: ignore[attr-defined]
        agreements = page.locator("#in-hasParty")  # type: ignore[attr-defined]
        agreements.get_by_role("link", name=MOU).click()
        page.wait_for_url("**/id/mou-mosti-sti-people-exchange")  # type: ignore[attr-defined]
        parties = page.locator("#parties")  # type: ignore[attr-defined]
        assert "Malaysian side" in parties.inner_text() and "Chinese side" in parties.inner_text()
        quote = parties.locator("blockquote").first
        assert QUOTE in quote.inner_text()
        parties.locator("figcaption a").first.click()
        page.wait_for_url("**/id/article/420124348f4a3cdc")  # type: ignore[attr-defined]
        assert page.locator("h1").inner_text() == "Malaysia and China Focus on Tech and Digital Growth"  # type: ignore[attr-defined]
        assert page.get_by_text(QUOTE).count() >= 1  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_the_agreement_link_is_reached_by_keyboard(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/id/mosti"))  # type: ignore[attr-defined]
        for _ in range(80):
            page.keyboard.press("Tab")  # type: ignore[attr-defined]
            focused = page.evaluate("document.activeElement.textContent.trim()")  # type: ignore[attr-defined]
            if focused == MOU:
                break
        else:
            pytest.fail("the MoU's link was not reached with Tab")
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        page.wait_for_url("**/id/mou-mosti-sti-people-exchange")  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_entity_pages_fit_a_phone(browser: object, api_server: ApiServer) -> None:
    for path in ("/id/mosti", "/id/mou-malaysia-ndrc-digital-economy", "/id/visit-xi-malaysia-state-visit"):
        with offline_page(browser, **PHONE) as (page, log):
            page.goto(api_server.url(path))  # type: ignore[attr-defined]
            width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
            assert width <= 375, f"{path} is {width} px wide on a 375 px phone"
        assert_stayed_local(log)

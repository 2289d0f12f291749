"""The agreements list's order in a real browser (Playwright driving Debian's chromium): a reader
sorts A–Z, goes to page 2, and downloads that page as CSV in the same order; the control works
from the keyboard. Each journey ends with the check that no request left 127.0.0.1."""

from pathlib import Path

from tests.browser import assert_stayed_local, offline_page
from tests.conftest import ApiServer
from tests.test_explorer_browser import PHONE
from tests.test_explorer_lists_browser import _listed, downloaded_agreements


def test_sorting_a_to_z_then_page_two_downloads_the_same_order_as_csv(
    browser: object, api_server: ApiServer, tmp_path: Path
) -> None:
    with offline_page(browser, accept_downloads=True) as (page, log):
        page.goto(api_server.url("/agreements?_size=5"))  # type: ignore[attr-defined]
        newest = _listed(page)
        order = page.get_by_role("navigation", name="Order of the list")  # type: ignore[attr-defined]
        order.get_by_role("link", name="By name, A–Z").click()
        page.wait_for_url("**/agreements?_size=5&sort=a-z")  # type: ignore[attr-defined]
        assert order.get_by_role("link", name="By name, A–Z").get_attribute("aria-current") == "true"
        first = page.locator("table.list tbody tr td:first-child a").all_inner_texts()  # type: ignore[attr-defined]
        assert _listed(page) != newest
        page.get_by_role("link", name="Next →").click()  # type: ignore[attr-defined]
        page.wait_for_url("**/agreements?*sort=a-z*_page=2")  # type: ignore[attr-defined]
        second = page.locator("table.list tbody tr td:first-child a").all_inner_texts()  # type: ignore[attr-defined]
        names = [name.casefold() for name in first + second]
        assert names == sorted(names), names
        shown = _listed(page)
        downloaded = downloaded_agreements(page, tmp_path)
    assert downloaded == shown
    assert_stayed_local(log)


def test_the_order_is_chosen_with_the_keyboard_and_keeps_the_filter(
    browser: object, api_server: ApiServer
) -> None:
    with offline_page(browser) as (page, log):
        page.goto(api_server.url("/agreements?status=signed"))  # type: ignore[attr-defined]
        link = page.get_by_role("navigation", name="Order of the list").get_by_role(
            "link", name="Oldest first"
        )  # type: ignore[attr-defined]
        link.focus()
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        page.wait_for_url("**/agreements?status=signed&sort=oldest")  # type: ignore[attr-defined]
        assert "status: " in page.locator("p.filters").inner_text()  # type: ignore[attr-defined]
    assert_stayed_local(log)


def test_the_order_control_fits_a_phone(browser: object, api_server: ApiServer) -> None:
    with offline_page(browser, **PHONE) as (page, log):
        page.goto(api_server.url("/agreements?sort=oldest"), wait_until="networkidle")  # type: ignore[attr-defined]
        width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert width <= 375, f"the sorted list is {width} px wide on a 375 px screen"
        box = page.get_by_role("navigation", name="Order of the list").bounding_box()  # type: ignore[attr-defined]
        assert box is not None and box["x"] + box["width"] <= 375
    assert_stayed_local(log)

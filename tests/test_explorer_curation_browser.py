"""The curation journey in a real browser: paste an article, review the draft, download it."""

import pytest
import yaml

from tests.browser import offline_page
from tests.conftest import ApiServer
from tests.test_explorer_curation import ARTICLE


@pytest.mark.parametrize("width", [1280, 375])
def test_paste_an_article_review_the_highlights_and_download_the_yaml(
    browser: object, api_server: ApiServer, width: int
) -> None:
    with offline_page(browser, viewport={"width": width, "height": 900}) as (page, log):
        page.goto(api_server.url("/curation"))  # type: ignore[attr-defined]
        page.get_by_label("Article text").fill(ARTICLE)  # type: ignore[attr-defined]
        page.get_by_label("Write token").fill(api_server.write_token)  # type: ignore[attr-defined]
        page.get_by_role("button", name="Draft").click()  # type: ignore[attr-defined]
        page.locator("#draft").wait_for()  # type: ignore[attr-defined]
        assert "Ministry of Quantum Affairs" in page.locator("mark").first.inner_text()  # type: ignore[attr-defined]
        link = page.locator("a.proposal-link").first  # type: ignore[attr-defined]
        target = link.get_attribute("href")
        link.click()
        assert page.url.endswith(target)  # type: ignore[attr-defined]
        assert page.locator(target).inner_text().startswith("- id: ")  # type: ignore[attr-defined]
        scroll_width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
        assert scroll_width <= width, f"the draft page is {scroll_width} px wide on a {width} px screen"
        with page.expect_download() as download_info:  # type: ignore[attr-defined]
            page.get_by_role("button", name="Download the YAML").click()  # type: ignore[attr-defined]
        draft = yaml.safe_load(download_info.value.path().read_text(encoding="utf-8"))
        assert any(record.get("type") == "MemorandumOfUnderstanding" for record in draft["facts"])
    assert not log.outside_requests, log.outside_requests

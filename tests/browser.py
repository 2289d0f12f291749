"""Driving a real browser: Playwright (PyPI, pinned) with Debian's chromium.

Playwright cannot download its own browser here, so it launches `/usr/bin/chromium` (or
`$JALINAN_CHROMIUM`). Where there is none, browser tests skip with one line saying how to
install it, except under `CI=true`, where a missing browser fails. Every page opened through
`offline_page` records each request's URL; `outside_requests` lists those that left
127.0.0.1, and those requests are aborted, never sent.
"""

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.support import missing_component

CHROMIUM = os.environ.get("JALINAN_CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = "install Debian's chromium (`sudo apt-get install chromium`, or `make browser` as root)"


def chromium_path() -> str:
    """The browser to drive; skip (fail under CI=true) when it is missing."""
    found = shutil.which(CHROMIUM) or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    if found is None:
        message = f"no chromium at {CHROMIUM}: {INSTALL_HINT}"
        missing_component(message)
    return found


@dataclass
class RequestLog:
    """Every URL the page asked for, and those that were not for 127.0.0.1."""

    urls: list[str] = field(default_factory=list)

    @property
    def outside_requests(self) -> list[str]:
        return [url for url in self.urls if not _is_local(url)]


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


def assert_stayed_local(log: RequestLog) -> None:
    """The page asked for something, and nothing of it left 127.0.0.1."""
    assert log.urls, "the page made no request at all: nothing was checked"
    assert not log.outside_requests, f"requests left 127.0.0.1: {log.outside_requests}"


@contextmanager
def launched_browser() -> Iterator[object]:
    """Playwright's chromium (headless), closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def offline_page(browser: object, **context_options: object) -> Iterator[tuple[object, RequestLog]]:
    """A fresh page whose requests are all recorded; any to another host is aborted."""
    log = RequestLog()
    context = browser.new_context(**context_options)  # type: ignore[attr-defined]

    def route(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        log.urls.append(url)
        if _is_local(url):
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    page = context.new_page()
    try:
        yield page, log
    finally:
        context.close()


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[object]:
    """`browser`: one chromium per test module (registered for every test by conftest.py)."""
    chromium_path()
    with launched_browser() as launched:
        yield launched

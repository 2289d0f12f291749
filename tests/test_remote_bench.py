"""The remote bench's profile of a query on Virtuoso (`bench/remote_bench.py`,
`virtuoso_profile`): the query runs as written, whatever its text holds, so that the reason a
page is slow can be given in the words of Virtuoso's own profile."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.remote_bench import virtuoso_profile
from tests.backends import Backend, virtuoso_server

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    directory: Path = tmp_path_factory.mktemp("virtuoso")
    with virtuoso_server(directory) as server:
        yield server


def test_the_profile_runs_the_query_as_written(virtuoso: Backend) -> None:
    """A `+` (which ISQL's `exec=` argument reads as a space), a quote in a comment and text
    outside ASCII (which ISQL echoes in another encoding) all reach Virtuoso as written."""
    sparql = (
        "# the reader's sum … of two numbers\nSELECT ?sum WHERE { VALUES ?n { 40 } BIND (?n + 2 AS ?sum) }\n"
    )
    profile = virtuoso_profile(virtuoso.isql, sparql)
    assert "\n42" in profile, profile
    assert "fanout" in profile and "Compilation:" in profile, profile

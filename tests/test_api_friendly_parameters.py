"""Friendly JSON refuses what it would otherwise ignore: an unknown parameter (a typo such as
`partyy` used to answer the whole, unfiltered list), a repeated one (the last used to win) or
an invalid one, each with a 422 problem naming the parameter, as `/queries/{name}` does."""

import httpx
import pytest

ROUTES = {
    "/agreements": {"party": "Mosti"},
    "/visits": {"visitor": "Anwar"},
    "/people": {"person": "Gobind"},
    "/organisations": {"country": "China"},
    "/search": {"q": "ministry"},
}


def _problem(response: httpx.Response, parameter: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["parameter"] == parameter


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_misspelt_parameter_is_422_naming_it_not_the_whole_list(http: httpx.Client, route: str) -> None:
    (name, value), *_ = ROUTES[route].items()
    _problem(http.get(route, params={**ROUTES[route], name + "y": value}), name + "y")


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_repeated_parameter_is_422_naming_it(http: httpx.Client, route: str) -> None:
    (name, value), *_ = ROUTES[route].items()
    _problem(http.get(route, params=[(name, value), (name, value)]), name)


def test_the_typo_in_the_issue_is_refused(http: httpx.Client) -> None:
    _problem(http.get("/agreements", params={"partyy": "Mosti"}), "partyy")


def test_a_repeated_page_parameter_is_422_naming_it(http: httpx.Client) -> None:
    _problem(http.get("/agreements", params=[("_size", "2"), ("_size", "3")]), "_size")


def test_an_invalid_value_is_422_naming_its_parameter(http: httpx.Client) -> None:
    _problem(http.get("/visits", params={"visitor": "x" * 500}), "visitor")
    _problem(http.get("/organisations", params={"kind": "Spaceship"}), "kind")


def test_the_parameters_each_route_documents_are_accepted(http: httpx.Client) -> None:
    for route, params in ROUTES.items():
        assert http.get(route, params={**params, "_size": "2", "_page": "1"}).status_code == 200, route
    both = {"from": "2024", "to": "2025"}
    assert http.get("/agreements", params=both).status_code == 200

"""A list filtered by a status or topic that names nothing is a 404 naming the parameter with
the closest known names (#15), in the canned query and the friendly JSON alike: an empty 200
would read as "no agreements"."""

import httpx
import pytest


@pytest.mark.parametrize(
    ("url", "parameter", "closest"),
    [
        ("/queries/agreements-by-status?status=sined", "status", "signed"),
        ("/agreements?status=sined", "status", "signed"),
        ("/queries/agreements-by-topic?topic=digital-econmy", "topic", "digital-economy"),
        ("/agreements?topic=digital-econmy", "topic", "digital-economy"),
    ],
)
def test_an_unknown_concept_is_404_with_the_closest_names(
    http: httpx.Client, url: str, parameter: str, closest: str
) -> None:
    response = http.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 404
    problem = response.json()
    assert problem["parameter"] == parameter
    assert closest in problem["detail"]


def test_a_known_status_no_agreement_has_is_an_empty_list_not_a_404(http: httpx.Client) -> None:
    response = http.get("/queries/agreements-by-status", params={"status": "expired"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []

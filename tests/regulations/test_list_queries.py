"""Every regulations list page and API list filters through its FilterSet in a pinned number of
queries; three classified systems give each list rows whose related rows must be loaded."""

import pytest
from django.urls import reverse

from regulations.models import ClassificationResult, Deadline
from regulations.services import classification_run


@pytest.fixture
def systems(loaded_zz, make_system):
    made = [make_system(name=f"Screener {i}") for i in range(3)]
    for system in made:
        classification_run(system=system)
    assert Deadline.objects.filter(system=made[0]).exists()
    return made


def _month(system) -> str:
    """The month of the system's first deadline, so the calendar shows at least one."""
    return Deadline.objects.filter(system=system).order_by("due_date")[0].due_date.strftime("%Y-%m")


def _rows(route, response) -> list:
    if route.startswith("api-"):
        return response.json()["results"]
    if route == "regulations:regime-list":
        return response.context["rows"]
    if route == "regulations:deadline-calendar":
        return [d for week in response.context["grid"] for day in week for d in day["items"]]
    return list(response.context["page"])


LISTS = [
    ("regulations:regime-list", lambda s: {"code": "zz"}, 8),
    ("regulations:deadline-list", lambda s: {"system": s[0].pk}, 11),
    ("regulations:deadline-calendar", lambda s: {"system": s[0].pk, "month": _month(s[0])}, 9),
    ("api-regime-list", lambda s: {"code": "zz"}, 7),
    ("api-result-list", lambda s: {"system": s[0].pk}, 6),
    ("api-deadline-list", lambda s: {"system": s[0].pk}, 6),
]


@pytest.mark.parametrize(("route", "params", "queries"), LISTS, ids=[r for r, _p, _q in LISTS])
def test_list_filters_in_pinned_queries(
    client, auditor, systems, route, params, queries, django_assert_num_queries
):
    client.force_login(auditor)
    with django_assert_num_queries(queries):
        response = client.get(reverse(route), params(systems))
    assert response.status_code == 200
    rows = _rows(route, response)
    if "regime" in route:
        assert len(rows) == 1
    elif route == "api-result-list":
        expected = ClassificationResult.objects.filter(system=systems[0]).count()
        assert [r["system"] for r in rows] == [systems[0].pk] * expected
    elif route == "api-deadline-list":
        assert rows and {r["system"] for r in rows} == {systems[0].pk}
    else:
        assert rows and {d.system_id for d in rows} == {systems[0].pk}

"""Every URL pattern x every role -> expected status. A pattern missing from tests/matrix/ fails."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.matrix
from tests.conftest import PASSWORD
from tests.matrix.common import ROLES

IGNORED_PREFIXES = ("admin:",)  # Django admin guards itself (is_staff)
UNNAMED_OK = {"api-root"}


def matrix_rows():
    rows = []
    for info in pkgutil.iter_modules(tests.matrix.__path__):
        if info.name == "common":
            continue
        rows.extend(importlib.import_module(f"tests.matrix.{info.name}").ROWS)
    return rows


def url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, ns)
        elif isinstance(pattern, URLPattern):
            names.add(
                f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"
            )
    return names


def test_every_url_pattern_is_in_the_matrix():
    covered = {row.route for row in matrix_rows()}
    missing = sorted(
        name
        for name in url_names()
        if not name.startswith(IGNORED_PREFIXES)
        and name not in UNNAMED_OK
        and not name.startswith("<unnamed ")
    )
    missing = [name for name in missing if name not in covered]
    assert missing == [], f"URL patterns missing from tests/matrix/: {missing}"


CASES = [
    pytest.param(row, role, id=f"{row.method.upper()} {row.route}{row.query} as {role}")
    for row in matrix_rows()
    for role in ROLES
]


@pytest.mark.parametrize(("row", "role"), CASES)
def test_role_matrix(client, users, row, role):
    ctx = row.setup(users) if row.setup else {}
    kwargs = row.kwargs(ctx) if callable(row.kwargs) else row.kwargs
    data = row.data(ctx) if callable(row.data) else row.data
    if role != "anonymous":
        client.login(username=users[role].username, password=PASSWORD)
    url = reverse(row.route, kwargs=kwargs) + row.query
    send = getattr(client, row.method)
    extra = {"content_type": row.content_type} if row.content_type else {}
    response = send(url, data, **extra) if data is not None else send(url, **extra)
    expected = row.expect.get(role, row.expect["norole"])
    assert response.status_code == expected, (
        f"{row.method.upper()} {url} as {role}: got {response.status_code}, expected {expected}"
    )

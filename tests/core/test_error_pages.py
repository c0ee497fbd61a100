"""403, 404 and 500 use the site layout, say what happened and link back."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_not_found_page_uses_the_layout_and_links_back(client, officer):
    client.force_login(officer)
    response = client.get("/inventory/systems/987654/")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'class="topbar"' in body and 'id="nav-menu"' in body
    assert "There is nothing at this address" in body
    assert f'href="{reverse("home")}"' in body


def test_forbidden_page_explains_a_missing_role(client, norole):
    client.force_login(norole)
    response = client.get(reverse("audit-list"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "has no Sightline role" in body
    assert 'class="skip-link"' in body


def test_forbidden_page_for_a_role_without_the_permission(client, procurement):
    client.force_login(procurement)
    response = client.get(reverse("audit-export"))
    assert response.status_code == 403
    assert "Nothing was changed" in response.content.decode()


def test_server_error_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert 'href="/"' in body and 'class="topbar"' in body


def test_favicon_is_linked_and_served(client, officer):
    client.force_login(officer)
    body = client.get(reverse("audit-list")).content.decode()
    assert 'rel="icon"' in body
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.svg")

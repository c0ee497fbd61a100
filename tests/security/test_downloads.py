"""Every download/export URL answers as an attachment with a content type a browser will not render."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.test_role_matrix import matrix_rows

FILE_ROUTE_WORDS = ("download", "export", "pem", "ics", "feed", "csv")
RENDERABLE = ("text/html", "application/xhtml", "image/svg", "text/xml", "application/xml")


def _file_rows():
    seen = set()
    for row in matrix_rows():
        if row.method != "get" or not any(w in row.route.split(":")[-1] for w in FILE_ROUTE_WORDS):
            continue
        if not any(row.expect[r] == 200 for r in ("admin", "auditor", "compliance_officer")):
            continue  # e.g. the ICS feed with a bad token; tested with real tokens in test_idor.py
        key = (row.route, row.query, repr(row.kwargs) if not callable(row.kwargs) else row.route)
        if key in seen:
            continue
        seen.add(key)
        yield pytest.param(row, id=f"{row.route}{row.query}")


@pytest.mark.parametrize("row", list(_file_rows()))
def test_file_responses_are_attachments_with_safe_types(client, users, row):
    role = next(r for r in ("admin", "auditor", "compliance_officer") if row.expect[r] == 200)
    ctx = row.setup(users) if row.setup else {}
    kwargs = row.kwargs(ctx) if callable(row.kwargs) else row.kwargs
    client.login(username=users[role].username, password=PASSWORD)
    response = client.get(reverse(row.route, kwargs=kwargs) + row.query)
    assert response.status_code == 200
    content_type = response["Content-Type"].lower()
    assert not content_type.startswith(RENDERABLE), f"{row.route} served as {content_type}"
    if not content_type.startswith("text/plain"):  # plain-text previews may show inline
        assert response["Content-Disposition"].startswith("attachment"), row.route
    assert response["X-Content-Type-Options"] == "nosniff"


def test_uploaded_html_is_refused_so_it_can_never_be_served(client, procurement, officer):
    """An HTML page (with script) is refused by content sniffing, whatever its name says."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.models import EvidenceFile
    from tests.matrix.assessments import checklist

    ctx = checklist({"compliance_officer": officer, "procurement": procurement})
    before = EvidenceFile.objects.count()
    client.login(username=procurement.username, password=PASSWORD)
    evil = b"<html><body><script>alert(document.cookie)</script></body></html>"
    for name in ("report.html", "report.txt", "report.pdf"):
        response = client.post(
            reverse("assessments:evidence-upload", kwargs={"pk": ctx["item"]}),
            {"file": SimpleUploadedFile(name, evil, content_type="application/pdf")},
            follow=True,
        )
        assert response.status_code == 200
        assert "not allowed" in response.content.decode(), name
    assert EvidenceFile.objects.count() == before

"""Evidence upload rows: one form open at a time, the checklist summary swapped out of band,
and a rejected upload that keeps the dates typed."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.assessments import samples

HX = {"HTTP_HX_REQUEST": "true"}


def _post(client, user, row, data):
    client.force_login(user)
    return client.post(reverse("assessments:evidence-upload", args=[row.pk]), data, **HX)


def test_a_rejected_upload_keeps_the_dates_and_the_form_open(client, procurement, checklist):
    row = checklist.items.first()
    html = _post(
        client,
        procurement,
        row,
        {
            "file": SimpleUploadedFile("soc2.pdf", samples.EXE),
            "effective_date": "2026-01-15",
            "expiry_date": "2027-01-14",
        },
    ).content.decode()
    assert "Upload rejected" in html
    assert 'name="effective_date" value="2026-01-15"' in html
    assert 'name="expiry_date" value="2027-01-14"' in html
    assert re.search(r'<details class="upload" name="evidence-upload" open>', html)


def test_an_upload_swaps_the_summary_out_of_band(client, procurement, checklist):
    row = checklist.items.first()
    total = checklist.items.count()
    html = _post(
        client, procurement, row, {"file": SimpleUploadedFile("ifu.pdf", samples.PDF)}
    ).content.decode()
    summary = re.search(r'<p id="checklist-summary" hx-swap-oob="true">(.*?)</p>', html, re.S)
    assert summary and f"{total - 1} missing" in summary.group(1)


def test_the_page_has_one_exclusive_upload_group(client, procurement, checklist):
    client.force_login(procurement)
    html = client.get(reverse("assessments:checklist-detail", args=[checklist.pk])).content
    n = checklist.items.count()
    assert html.count(b'<details class="upload" name="evidence-upload" >') == n
    assert b'id="checklist-summary"' in html and b"hx-swap-oob" not in html

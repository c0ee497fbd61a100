"""Per-object checks (IDOR): one user's secret or restricted object is not reachable by another."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.matrix.assessments import draft
from tests.matrix.evidence import _done_pack


def _feed(client, token):
    return client.get(reverse("regulations:calendar-feed", kwargs={"token": token}))


def test_ics_feed_answers_only_to_its_own_current_token(client, officer, officer2):
    from regulations.services.calendar import calendar_token_issue

    mine = calendar_token_issue(actor=officer)
    theirs = calendar_token_issue(actor=officer2)
    first = _feed(client, mine)
    assert first.status_code == 200
    assert f"({officer.username})".encode() in first.content
    assert f"({officer2.username})".encode() not in first.content
    assert f"({officer2.username})".encode() in _feed(client, theirs).content
    assert _feed(client, mine[:-1] + ("A" if mine[-1] != "A" else "B")).status_code == 404


def test_ics_token_is_revocable_and_reissue_kills_the_old_url(client, officer):
    from regulations.services.calendar import calendar_token_issue

    client.login(username=officer.username, password=PASSWORD)
    old = calendar_token_issue(actor=officer)
    new = calendar_token_issue(actor=officer)
    assert _feed(client, old).status_code == 404
    assert _feed(client, new).status_code == 200
    response = client.post(reverse("regulations:calendar-token"), {"action": "revoke"})
    assert response.status_code == 200
    assert _feed(client, new).status_code == 404


def test_ics_feed_of_a_user_without_a_role_or_past_end_date_stops(client, officer, admin_user):
    from core.access import external_auditor_grant
    from core.models import AccountExpiry
    from regulations.services.calendar import calendar_token_issue

    ext = external_auditor_grant(
        actor=admin_user,
        username="ext",
        email="e@example.com",
        expires_on=timezone.now().date() + dt.timedelta(days=3),
    )
    token = calendar_token_issue(actor=ext)
    assert _feed(client, token).status_code == 200
    AccountExpiry.objects.filter(user=ext).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _feed(client, token).status_code == 404
    other = calendar_token_issue(actor=officer)
    officer.groups.clear()
    assert _feed(client, other).status_code == 404


def test_attachment_of_one_assessment_is_not_served_through_another(client, users):
    from assessments.models import Assessment
    from assessments.services import assessment_start
    from tests.assessments import factories

    first = draft(users)
    template = Assessment.objects.get(pk=first["pk"]).template
    other = factories.system(name="Other system")
    factories.classify_high_risk(other, template.content_version)
    second = assessment_start(actor=users["compliance_officer"], system=other, template=template)
    client.login(username=users["auditor"].username, password=PASSWORD)
    own = reverse(
        "assessments:attachment-download", kwargs={"pk": first["pk"], "sha256": first["sha"]}
    )
    assert client.get(own).status_code == 200
    crossed = reverse(
        "assessments:attachment-download", kwargs={"pk": second.pk, "sha256": first["sha"]}
    )
    assert client.get(crossed).status_code == 404


@pytest.mark.parametrize("kind", ["zip", "pdf"])
def test_pack_download_is_refused_to_a_role_without_export(client, users, kind):
    ctx = _done_pack(users)
    url = reverse("evidence:pack-download", kwargs={"pk": ctx["pk"], "kind": kind})
    client.login(username=users["procurement"].username, password=PASSWORD)
    assert client.get(url).status_code == 403
    client.login(username=users["norole"].username, password=PASSWORD)
    assert client.get(url).status_code == 403


def test_evidence_file_download_needs_a_role(client, users):
    from tests.matrix.assessments import checklist

    ctx = checklist(users)
    url = reverse("assessments:evidence-download", kwargs={"pk": ctx["file"]})
    assert client.get(url).status_code == 302
    client.login(username=users["norole"].username, password=PASSWORD)
    assert client.get(url).status_code == 403
    client.login(username=users["auditor"].username, password=PASSWORD)
    assert client.get(url).status_code == 200


def test_api_token_of_a_user_without_a_role_reads_nothing(client, norole):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=norole)
    response = client.get("/api/evidence-packs/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 403

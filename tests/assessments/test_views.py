"""HTTP-level behaviour: autosave fragments, conflicts, submit validation, downloads, uploads."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Assessment
from assessments.services import (
    answer_save,
    attachment_add,
    evidence_upload,
)
from regulations.selectors import templates_for_system
from tests.assessments import factories, samples
from tests.conftest import PASSWORD

HX = {"HTTP_HX_REQUEST": "true"}


def client_for(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def save_url(assessment, qid):
    return reverse("assessments:answer-save", args=[assessment.pk, qid])


def test_detail_renders_sections_progress_and_prefill(client, officer, assessment):
    page = client_for(client, officer).get(
        reverse("assessments:assessment-detail", args=[assessment.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Processes and period of use" in html and "Affected persons and risks" in html
    assert "prefilled from inventory" in html
    assert html.count('id="progress-a"') == 1 and "1/3 answered" in html
    assert 'hx-sync="this:queue last"' in html and "Save</button>" not in html


def test_autosave_returns_saved_state_new_base_version_and_progress(client, officer, assessment):
    response = client_for(client, officer).post(
        save_url(assessment, "a.frequency"), {"value": "weekly", "base_version": "0"}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "✓ Saved" in html
    assert 'name="base_version" value="1"' in html
    assert 'id="progress-a"' in html and 'hx-swap-oob="true"' in html and "2/3 answered" in html
    assert Assessment.objects.get(pk=assessment.pk).revision().answers["a.frequency"] == "weekly"


def test_stale_save_over_http_shows_both_values_and_changes_nothing(
    client, officer, officer2, assessment
):
    answer_save(
        actor=officer2,
        assessment=assessment,
        question_id="a.process",
        raw="Theirs: shortlisting",
        base_version=1,
    )
    response = client_for(client, officer).post(
        save_url(assessment, "a.process"), {"value": "Mine: interviews", "base_version": "1"}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Conflict" in html and "nothing was overwritten" in html
    assert "Mine: interviews" in html and "Theirs: shortlisting" in html and "officer2" in html
    assert 'name="base_version" value="1"' in html  # still stale until the user chooses
    assert "Keep mine" in html and "Use theirs" in html
    assert assessment.revision().answers["a.process"] == "Theirs: shortlisting"
    # "Keep mine" posts against the version the user has now seen.
    kept = client.post(
        save_url(assessment, "a.process"), {"value": "Mine: interviews", "base_version": "2"}, **HX
    )
    assert "✓ Saved" in kept.content.decode()
    assert assessment.revision().answers["a.process"] == "Mine: interviews"


def test_invalid_value_is_reported_not_saved(client, officer, assessment):
    response = client_for(client, officer).post(
        save_url(assessment, "a.start"), {"value": "next tuesday", "base_version": "0"}, **HX
    )
    assert response.status_code == 200
    assert "Not saved: Enter a date as YYYY-MM-DD." in response.content.decode()


def test_submit_with_missing_answers_lists_links_to_the_fields(client, officer, assessment):
    response = client_for(client, officer).post(
        reverse("assessments:assessment-submit", args=[assessment.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 required questions must be answered" in html
    assert 'href="#q-a-frequency"' in html and 'href="#q-c-groups"' in html
    assert Assessment.objects.get(pk=assessment.pk).state == "draft"


def test_attachment_download_is_an_attachment_with_a_safe_type(
    client, officer, auditor, assessment
):
    rev, _ = attachment_add(
        actor=officer,
        assessment=assessment,
        question_id="f.dpia",
        upload=SimpleUploadedFile("dpia.pdf", samples.PDF),
        base_version=0,
    )
    sha = rev.attachments["f.dpia"][0]["sha256"]
    response = client_for(client, auditor).get(
        reverse("assessments:attachment-download", args=[assessment.pk, sha])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dpia.pdf"')
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == samples.PDF


def test_upload_of_renamed_exe_returns_the_row_with_a_clear_message(client, procurement, checklist):
    row = checklist.items.first()
    response = client_for(client, procurement).post(
        reverse("assessments:evidence-upload", args=[row.pk]),
        {"file": SimpleUploadedFile("soc2-report.pdf", samples.EXE)},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Upload rejected (soc2-report.pdf)" in html and "Windows executable" in html
    assert row.files.count() == 0


def test_upload_of_pdf_marks_the_item_provided(client, procurement, checklist):
    row = checklist.items.first()
    response = client_for(client, procurement).post(
        reverse("assessments:evidence-upload", args=[row.pk]),
        {"file": SimpleUploadedFile("instructions.pdf", samples.PDF), "expiry_date": "2099-01-01"},
        **HX,
    )
    html = response.content.decode()
    assert "Stored instructions.pdf as version 1" in html and 'data-status="provided"' in html


def test_text_evidence_is_downloaded_as_plain_text_attachment(
    client, procurement, auditor, checklist
):
    row = checklist.items.first()
    evidence = evidence_upload(
        actor=procurement,
        item_status=row,
        upload=SimpleUploadedFile("notes.html", b"plain notes, no markup\n"),
    )
    response = client_for(client, auditor).get(
        reverse("assessments:evidence-download", args=[evidence.pk])
    )
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="notes.txt"')


def test_system_page_offers_the_fria_through_the_panel_and_starting_opens_it(
    client, officer, credit_system
):
    client = client_for(client, officer)
    html = client.get(reverse("inventory:system-detail", args=[credit_system.pk])).content.decode()
    assert "Assessments and vendor evidence" in html
    assert "Fundamental-rights impact assessment (Art 27)" in html and "Start assessment" in html
    fria = next(t for t in templates_for_system(credit_system) if t.key.endswith(".fria"))
    response = client.post(
        reverse("assessments:assessment-start"), {"system": credit_system.pk, "template": fria.pk}
    )
    assessment = Assessment.objects.get(system=credit_system, template=fria)
    assert response["Location"] == reverse("assessments:assessment-detail", args=[assessment.pk])
    answers = {k.rsplit(".", 1)[-1]: v for k, v in assessment.revision().answers.items()}
    assert answers["fria-a-decisions"] == "substantial_factor"
    assert answers["fria-e-review"] == {"value": "yes", "explanation": ""}
    assert "creditworthiness" in answers["fria-a-processes"]


def test_auditor_sees_the_panel_without_a_start_button(client, auditor, credit_system):
    url = reverse("inventory:system-detail", args=[credit_system.pk])
    html = client_for(client, auditor).get(url).content.decode()
    assert (
        "Fundamental-rights impact assessment (Art 27)" in html and "Start assessment" not in html
    )


def test_approval_uses_the_obligation_cadence_of_real_content(officer, officer2, credit_system):
    from regulations.services.deadlines import review_period

    fria = next(t for t in templates_for_system(credit_system) if t.key.endswith(".fria"))
    assert review_period(fria)[0] is not None


def test_reviewer_comment_is_added_and_shown_under_the_question(client, officer, assessment):
    client = client_for(client, officer)
    url = reverse("assessments:comment-add", args=[assessment.pk, "a.process"])
    html = client.post(url, {"body": "Please cite the DPIA section"}, **HX).content.decode()
    assert 'id="qc-a-process"' in html and "Please cite the DPIA section" in html
    assert "Reviewer comments (1)" in html
    empty = client.post(url, {"body": "  "}, **HX).content.decode()
    assert "The comment is empty." in empty


def test_start_refuses_a_template_the_classification_does_not_call_for(client, officer):
    other = factories.system(name="Unclassified bot")
    response = client_for(client, officer).post(
        reverse("assessments:assessment-start"),
        {"system": other.pk, "template": factories.fria().pk},
    )
    assert response.status_code == 302 and "/inventory/systems/" in response["Location"]
    assert not Assessment.objects.filter(system=other).exists()

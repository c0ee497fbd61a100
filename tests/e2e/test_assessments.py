"""Chromium: an EU FRIA from start to sign-off, a revision after approval, and a conflict."""

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment
from assessments.services import answer_save
from regulations.selectors import templates_for_system
from tests.conftest import PASSWORD
from tests.e2e.conftest import SCREENSHOTS, forget_session, screenshot

pytestmark = pytest.mark.usefixtures("storage_dir")

ANSWERS = {
    "fria-b-period": ("text", "From January 2028 for at least three years"),
    "fria-b-frequency": ("select", "Daily"),
    "fria-b-start": ("date", "2028-01-10"),
    "fria-c-groups": (
        "text",
        "Consumer loan applicants in Germany and Ireland, including thin-file applicants",
    ),
    "fria-c-vulnerable": ("yesno", ("yes", "Young adults with little credit history")),
    "fria-d-risks": (
        "rich",
        ["Indirect discrimination by ", ("bold", "postcode"), " proxies."],
    ),
    "fria-e-oversight": ("text", "Underwriters review every decline; scores are advisory."),
    "fria-f-measures": (
        "text",
        "Suspend automated scoring on drift alerts; risk committee review.",
    ),
    "fria-f-complaints": ("text", "Complaints via the lending portal; answered within 15 days."),
    "fria-notify-date": ("date", "2027-12-20"),
}


def shot(locator, name: str) -> None:
    """A screenshot of one part of the page (full pages of a long form are unreadable)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    locator.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def slug(qid: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in qid)


def full_id(template, short: str) -> str:
    return next(
        q["id"] for s in template.sections for q in s["questions"] if q["id"].endswith(short)
    )


def switch_user(page, login, user):
    forget_session(page)
    return login(user)


def type_answer(page, s: str, value) -> None:
    """A long answer is typed into its rich-text editor (no tags typed); a short one is filled."""
    editor = page.locator(f"#q-{s} .pell-content")
    if editor.count() == 0:
        page.locator(f"#in-{s}").fill(value)
        page.locator(f"#in-{s}").press("Tab")
        return
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    for part in value if isinstance(value, list) else [value]:
        if isinstance(part, tuple):  # ("bold", text): through the toolbar
            page.locator(f"#q-{s} .pell-button[title=Bold]").click()
            page.keyboard.type(part[1])
            page.locator(f"#q-{s} .pell-button[title=Bold]").click()
        else:
            page.keyboard.type(part)
    page.keyboard.press("Tab")


def answer(page, template, short, kind, value):
    s = slug(full_id(template, short))
    if kind in ("text", "rich"):
        type_answer(page, s, value)
    elif kind == "select":
        page.locator(f"#in-{s}").select_option(value)
    elif kind == "date":
        page.locator(f"#in-{s}").fill(value)
    elif kind == "yesno":
        choice, explanation = value
        page.locator(f"#q-{s} input[value={choice}]").check()
        expect(page.locator(f"#qs-{s} .saved")).to_be_visible()
        page.locator(f"#q-{s} textarea[name=explanation]").fill(explanation)
        page.locator(f"#q-{s} textarea[name=explanation]").press("Tab")
    expect(page.locator(f"#qs-{s} .saved")).to_be_visible()


def test_fria_autosave_submit_four_eyes_approval_and_revision_two(
    page, login, live_server, officer, officer2, credit_system
):
    # The officer starts the FRIA from the system page: the template comes from the classification.
    page = login(officer)
    page.goto(f"{live_server.url}/inventory/systems/{credit_system.pk}/")
    expect(page.locator("#assessments-panel")).to_contain_text(
        "Fundamental-rights impact assessment"
    )
    page.locator("#assessments-panel button[data-template$='.fria']").click()
    expect(page.locator("h1")).to_have_text("Fundamental-rights impact assessment (Art 27)")
    assessment = Assessment.objects.get(system=credit_system)
    template = assessment.template
    expect(page.locator(".badge.prefill").first).to_be_visible()

    # A slow connection (2 s latency, emulated by Chromium): "Saving…" until the server answers.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 2000, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    period = slug(full_id(template, "fria-b-period"))
    page.locator(f"#in-{period}").fill(ANSWERS["fria-b-period"][1])
    page.locator(f"#in-{period}").press("Tab")
    expect(page.locator(f"#qs-{period} .saving")).to_be_visible()
    shot(page.locator(f"#q-{period}"), "assessments-autosave-saving")
    expect(page.locator(f"#qs-{period} .saved")).to_be_visible(timeout=10000)
    shot(page.locator(f"#q-{period}"), "assessments-autosave-saved")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )

    # Submitting too early lists the missing questions with links to them.
    page.locator("#submit-review").click()
    expect(page.locator("#missing-list")).to_contain_text("must be answered before submitting")
    first_missing = page.locator("#missing-list a").first
    assert first_missing.get_attribute("href").startswith("#q-")

    for short, (kind, value) in ANSWERS.items():
        if short != "fria-b-period":
            answer(page, template, short, kind, value)
    section_b = slug(template.sections[1]["id"])
    expect(page.locator(f"#progress-{section_b}")).to_contain_text("3/3 answered")
    screenshot(page, "assessments-form-filled")
    assert (
        "".join(
            Assessment.objects.get(pk=assessment.pk)
            .revision()
            .answers[full_id(template, "fria-d-risks")]
        )
        == "<p>Indirect discrimination by <strong>postcode</strong> proxies.</p>"
    )

    page.locator("#submit-review").click()
    expect(page.locator("#state-badge")).to_have_text("In review")
    expect(page.locator("#four-eyes")).to_contain_text("another compliance officer must approve")
    expect(page.locator("#approve")).to_have_count(0)

    # A second officer approves; the hash is shown and re-verified.
    page = switch_user(page, login, officer2)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    # Sign-off asks for the attestation and the password again; a wrong one approves nothing.
    page.locator("#attest").check()
    page.fill("#approve-password", "not-the-password")
    page.locator("#approve").click()
    expect(page.locator(".messages")).to_contain_text("password is not right")
    expect(page.locator("#state-badge")).to_have_text("In review")
    page.locator("#attest").check()
    page.fill("#approve-password", PASSWORD)
    page.locator("#approve").click()
    expect(page.locator("#state-badge")).to_have_text("Approved")
    revision = Assessment.objects.get(pk=assessment.pk).revisions.get(number=1)
    expect(page.locator("#approval-hash")).to_have_text(revision.approval_hash)
    expect(page.locator("#hash-status")).to_have_text("verified")
    expect(page.locator("#approval-record")).to_contain_text("by officer2")
    expect(page.locator("#reassessment")).to_contain_text("Next reassessment due")
    # The rich-text answer shows formatted (sanitised HTML), never as tags.
    risks = slug(full_id(template, "fria-d-risks"))
    expect(page.locator(f"#rh-{risks} strong")).to_have_text("postcode")
    expect(page.locator(f"#in-{risks}")).to_be_hidden()  # the raw HTML is never on show
    screenshot(page, "assessments-approved")
    shot(page.locator("article.workflow"), "assessments-approval-record")

    # Editing after approval opens revision 2; revision 1 stays verified; the diff shows the change.
    complaints = slug(full_id(template, "fria-f-complaints"))
    expect(page.locator(f"#in-{complaints}")).to_be_disabled()  # asks first
    page.locator("#start-revision").click()
    expect(page.locator("#revision-label")).to_contain_text(
        "revision 2 (draft; revision 1 is approved)"
    )
    type_answer(page, complaints, "Complaints via the portal or by post; answered within 10 days.")
    expect(page.locator(f"#qs-{complaints} .saved")).to_be_visible()
    expect(page.locator("#revision-banner")).to_contain_text("Revision 2 started")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/revisions/")
    expect(page.locator("#revision-table tbody tr")).to_have_count(2)
    expect(page.locator("#revision-table tbody tr").first).to_contain_text("verified")
    expect(page.locator("#diff-summary")).to_contain_text("1 of")
    changed = page.locator("#diff-table tr.changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("td.old")).to_contain_text("answered within 15 days")
    expect(changed.locator("td.new")).to_contain_text("answered within 10 days")
    screenshot(page, "assessments-revision-diff")


def test_concurrent_edit_shows_conflict_and_keep_mine(
    page, login, live_server, officer, officer2, credit_system
):
    fria = next(t for t in templates_for_system(credit_system) if t.key.endswith(".fria"))
    from assessments.services import assessment_start

    assessment = assessment_start(actor=officer, system=credit_system, template=fria)
    qid = full_id(fria, "fria-b-period")
    page = login(officer)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    # Meanwhile a colleague saves the same field.
    answer_save(
        actor=officer2,
        assessment=assessment,
        question_id=qid,
        raw="Until the model is retired",
        base_version=0,
    )
    field = page.locator(f"#in-{slug(qid)}")
    field.fill("Three years from January 2028")
    field.press("Tab")
    conflict = page.locator(f"#qs-{slug(qid)} .conflict")
    expect(conflict).to_contain_text("nothing was overwritten")
    expect(conflict.locator("pre.mine")).to_have_text("Three years from January 2028")
    expect(conflict.locator("pre.theirs")).to_have_text("Until the model is retired")
    shot(page.locator(f"#q-{slug(qid)}"), "assessments-conflict")
    assert assessment.revision().answers[qid] == "Until the model is retired"
    conflict.locator("button.keep-mine").click()
    expect(page.locator(f"#qs-{slug(qid)} .saved")).to_be_visible()
    assert assessment.revision().answers[qid] == "Three years from January 2028"


def test_assessments_page_lists_the_missing_fria_and_starts_it(
    page, login, live_server, officer, credit_system
):
    page = login(officer)
    page.goto(f"{live_server.url}/assessments/")
    row = page.locator("#missing tr", has_text=credit_system.name).filter(
        has_text="Fundamental-rights impact assessment (Art 27)"
    )
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Start").click()
    expect(page.locator("h1")).to_have_text("Fundamental-rights impact assessment (Art 27)")
    assert Assessment.objects.filter(system=credit_system).count() == 1
    page.goto(f"{live_server.url}/assessments/")
    expect(
        page.locator("#missing tr", has_text="Fundamental-rights impact assessment (Art 27)")
    ).to_have_count(0)

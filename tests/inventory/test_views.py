import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEntry
from inventory.models import AISystem, Vendor
from tests.conftest import PASSWORD
from tests.factories import AISystemFactory, VendorFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}

FORM = {
    "name": "Interview scheduler",
    "model_type": "generative_app",
    "lifecycle": "in_use",
    "sanction_status": "under_review",
    "origin": "declared",
    "decision_role": "supportive",
    "roles": ["deployer"],
    "jurisdictions": ["CO", "FR"],
    "domains": ["employment"],
    "models_used": "gpt-4o, whisper",
    "tags": "hr",
}


def names(response) -> list[str]:
    return [s.name for s in response.context["page"].object_list]


def test_list_filters_by_jurisdiction_and_eu_means_member_states(as_officer):
    AISystemFactory(name="Colorado only", jurisdictions=["CO"])
    AISystemFactory(name="German", jurisdictions=["DE"])
    AISystemFactory(name="EU-wide", jurisdictions=["EU", "CA"])
    url = reverse("inventory:system-list")
    assert names(as_officer.get(url, {"jurisdiction": "CO"})) == ["Colorado only"]
    assert names(as_officer.get(url, {"jurisdiction": "EU"})) == ["EU-wide", "German"]
    assert names(as_officer.get(url, {"jurisdiction": ["CA", "CO"]})) == [
        "Colorado only",
        "EU-wide",
    ]


def test_list_filters_lists_exactly_not_by_substring(as_officer):
    AISystemFactory(name="Insurance", domains=["insurance"])
    AISystemFactory(name="Life", domains=["insurance_life_health"])
    response = as_officer.get(reverse("inventory:system-list"), {"domain": "insurance"})
    assert names(response) == ["Insurance"]


def test_list_search_sort_and_booleans(as_officer):
    vendor = VendorFactory(name="Zeta Labs")
    AISystemFactory(name="Alpha", vendor=vendor, consumer_facing=True, data_categories=["health"])
    AISystemFactory(name="Beta", team="Risk", consumer_facing=False, description="Scores LOANS")
    url = reverse("inventory:system-list")
    assert names(as_officer.get(url, {"q": "zeta"})) == ["Alpha"]
    assert names(as_officer.get(url, {"q": "loans"})) == ["Beta"]
    assert names(as_officer.get(url, {"q": "risk"})) == ["Beta"]
    assert names(as_officer.get(url, {"o": "-name"})) == ["Beta", "Alpha"]
    assert names(as_officer.get(url, {"consumer_facing": "true"})) == ["Alpha"]
    assert names(as_officer.get(url, {"sensitive_data": "true"})) == ["Alpha"]
    assert names(as_officer.get(url, {"sensitive_data": "false"})) == ["Beta"]
    assert names(as_officer.get(url, {"in_house": "true"})) == ["Beta"]


def test_list_choice_filters_need_no_select_distinct(as_officer):
    AISystemFactory(name="Live", lifecycle="in_use", sanction_status="sanctioned")
    AISystemFactory(name="Trial", lifecycle="in_development", sanction_status="under_review")
    AISystemFactory(name="Gone", lifecycle="retired", sanction_status="sanctioned")
    url = reverse("inventory:system-list")
    params = {
        "lifecycle": ["in_use", "in_development"],
        "sanction_status": ["sanctioned", "under_review"],
    }
    with CaptureQueriesContext(connection) as queries:
        response = as_officer.get(url, params)
    assert names(response) == ["Live", "Trial"]
    listing = [
        q["sql"] for q in queries.captured_queries if 'FROM "inventory_aisystem"' in q["sql"]
    ]
    assert listing and not any("DISTINCT" in sql.upper() for sql in listing)


def test_list_htmx_request_gets_the_table_partial(as_officer):
    AISystemFactory(name="Alpha")
    response = as_officer.get(reverse("inventory:system-list"), **HX)
    body = response.content.decode()
    assert "<html" not in body and "Alpha" in body and 'id="result-count"' in body
    full = as_officer.get(reverse("inventory:system-list")).content.decode()
    assert "<html" in full and 'id="system-filters"' in full


def test_list_paginates(as_officer):
    AISystemFactory.create_batch(30)
    response = as_officer.get(reverse("inventory:system-list"), {"per_page": 25, "page": 2})
    assert len(names(response)) == 5
    assert "Page 2 of 2" in response.content.decode()


LIST_QUERIES = 11


def test_list_query_count_is_constant(as_officer, django_assert_num_queries):
    owner_vendor = VendorFactory()
    AISystemFactory.create_batch(3, vendor=owner_vendor)
    url = reverse("inventory:system-list")
    params = {"o": "vendor", "jurisdiction": "CO", "q": "System"}
    # session, user, account expiry, groups (roles), user perms, group perms,
    # vendors matching the search, count, page, vendor and owner choices: the same whether there
    # are 3 systems or 10,000.
    with django_assert_num_queries(LIST_QUERIES):
        as_officer.get(url, params)
    for _ in range(60):
        AISystemFactory(vendor=VendorFactory())
    with django_assert_num_queries(LIST_QUERIES):
        response = as_officer.get(url, params)
    assert len(names(response)) == 50


def test_detail_shows_facts_and_history(as_officer, officer):
    from inventory.services import ai_system_create, ai_system_update

    system = ai_system_create(
        actor=officer,
        data={"name": "Scorer", "model_type": "ml_classifier", "jurisdictions": ["CO"]},
    )
    ai_system_update(actor=officer, system=system, data={"lifecycle": "in_use"})
    body = as_officer.get(reverse("inventory:system-detail", args=[system.pk])).content.decode()
    assert "Colorado" in body
    assert "system.create" in body and "system.update" in body
    assert 'id="edit-system"' in body


def test_auditor_sees_no_edit_buttons(as_auditor):
    system = AISystemFactory()
    body = as_auditor.get(reverse("inventory:system-detail", args=[system.pk])).content.decode()
    assert 'id="edit-system"' not in body and 'id="delete-system"' not in body
    listing = as_auditor.get(reverse("inventory:system-list")).content.decode()
    assert 'id="new-system"' not in listing and 'id="export-csv"' in listing


def test_create_invalid_rerenders_form_partial_with_errors(as_officer):
    data = dict(FORM, name="", jurisdictions=["XX"])
    response = as_officer.post(reverse("inventory:system-create"), data, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="system-form"' in body
    assert "This field is required." in body and "XX is not one of the available choices" in body
    assert not AISystem.objects.exists()


def test_create_valid_redirects_client_and_audits(as_officer):
    response = as_officer.post(reverse("inventory:system-create"), FORM, **HX)
    system = AISystem.objects.get()
    assert response.headers["HX-Redirect"] == reverse("inventory:system-detail", args=[system.pk])
    assert system.models_used == ["gpt-4o", "whisper"]
    assert system.jurisdictions == ["CO", "FR"]
    assert AuditEntry.objects.filter(action="system.create", target_id=str(system.pk)).exists()


def test_create_without_htmx_redirects_normally(as_officer):
    response = as_officer.post(reverse("inventory:system-create"), FORM)
    assert response.status_code == 302


def test_inline_validation_returns_only_that_fields_errors(as_officer):
    url = reverse("inventory:system-validate")
    bad = as_officer.post(url, dict(FORM, name="", _field="name"), **HX)
    assert bad.status_code == 200 and "This field is required." in bad.content.decode()
    ok = as_officer.post(url, dict(FORM, name="", _field="team"), **HX)
    assert ok.content.decode().strip() == ""
    flops = as_officer.post(url, dict(FORM, training_flops="lots", _field="training_flops"), **HX)
    assert "Enter a number." in flops.content.decode()


def test_edit_updates_and_records_diff(as_officer):
    system = AISystemFactory(name="Old", lifecycle="planned")
    form = dict(FORM, name="New")
    response = as_officer.post(reverse("inventory:system-edit", args=[system.pk]), form, **HX)
    assert response.headers["HX-Redirect"].endswith(f"/systems/{system.pk}/")
    entry = AuditEntry.objects.get(action="system.update")
    assert entry.changes["name"] == ["Old", "New"]


def test_delete_confirms_then_deletes(as_officer):
    system = AISystemFactory()
    url = reverse("inventory:system-delete", args=[system.pk])
    assert "cannot be undone" in as_officer.get(url).content.decode()
    assert AISystem.objects.filter(pk=system.pk).exists()
    assert as_officer.post(url).status_code == 302
    assert not AISystem.objects.filter(pk=system.pk).exists()


def test_auditor_post_is_forbidden_and_writes_nothing(as_auditor):
    response = as_auditor.post(reverse("inventory:system-create"), FORM)
    assert response.status_code == 403
    assert not AISystem.objects.exists()


def test_vendor_create_validates_unique_name_inline(client, procurement):
    client.login(username=procurement.username, password=PASSWORD)
    Vendor.objects.create(name="Acme")
    url = reverse("inventory:vendor-validate")
    response = client.post(url, {"name": "Acme", "_field": "name"}, **HX)
    assert "already exists" in response.content.decode()
    created = client.post(
        reverse("inventory:vendor-create"), {"name": "Beta AI", "is_ai_developer": "on"}, **HX
    )
    assert "HX-Redirect" in created.headers
    assert AuditEntry.objects.filter(action="vendor.create").count() == 1


def test_vendor_in_use_delete_shows_message(client, procurement):
    client.login(username=procurement.username, password=PASSWORD)
    vendor = VendorFactory()
    AISystemFactory(vendor=vendor)
    response = client.post(reverse("inventory:vendor-delete", args=[vendor.pk]), follow=True)
    assert "reassign or delete them first" in response.content.decode()
    assert Vendor.objects.filter(pk=vendor.pk).exists()


def test_list_vendor_filter_keeps_chosen_vendor_selected_and_escapes_names(as_auditor):
    chosen = VendorFactory(name="Acme & <Sons>")
    VendorFactory(name="Other")
    response = as_auditor.get(reverse("inventory:system-list"), {"vendor": chosen.pk})
    html = response.content.decode()
    assert f'<option value="{chosen.pk}" selected>Acme &amp; &lt;Sons&gt;</option>' in html
    assert '<select id="id_vendor" name="vendor"><option value="">Any vendor</option>' in html

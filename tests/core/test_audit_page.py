"""The audit trail page: every stored diff shape reads correctly, filters select, CSV exports."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.audit_display import changes_html, changes_of, changes_text

pytestmark = pytest.mark.django_db

SHA = "ad6869e10b53b5058ddde554937d9cf67db67d0ce7821f3ec465e322bc5d7c5b"


def test_a_string_pair_is_old_and_new_not_its_characters():
    html = changes_html("x.update", {"content_type": ["application/pdf", "text/plain"]})
    assert '<del><span class="v-text">application/pdf</span></del>' in html
    assert '<ins><span class="v-text">text/plain</span></ins>' in html


def test_a_plain_scalar_string_is_shown_whole():
    html = changes_html("evidence.upload", {"content_type": "application/pdf"})
    assert "application/pdf" in html
    assert "→" not in html


def test_numbers_are_shown_with_separators_not_a_blank_arrow():
    html = changes_html("x", {"size": 678, "employees": [0, 2400], "ratio": 0.5})
    assert ">678<" in html
    assert '<del><span class="v-num">0</span></del>' in html
    assert ">2,400<" in html
    assert ">0.5<" in html


def test_creation_shows_the_new_value_without_an_arrow():
    rows = changes_of("system.create", {"name": [None, "Chatbot"]})
    assert rows[0].kind == "set" and rows[0].new == "Chatbot"
    assert "→" not in changes_html("system.create", {"name": [None, "Chatbot"]})


def test_deletion_shows_the_old_value_as_removed():
    html = changes_html("system.delete", {"name": ["Chatbot", None]})
    assert '<del><span class="v-text">Chatbot</span></del>' in html
    assert "removed" in html


def test_long_hash_is_shortened_with_a_copy_button_carrying_the_whole_value():
    html = changes_html("evidence.upload", {"sha256": SHA})
    assert f'data-copy="{SHA}"' in html
    assert f">{SHA[:12]}…<" in html
    assert f">{SHA}<" not in html


def test_list_change_shows_removed_and_added_items():
    html = changes_html("organisation.update", {"does_business_in": [["CO", "EU"], ["CO", "CA"]]})
    assert '<del><span class="v-text">EU</span></del>' in html
    assert '<ins><span class="v-text">CA</span></ins>' in html
    assert ">CO<" not in html  # unchanged items are not repeated


def test_a_plain_two_item_list_is_not_read_as_a_pair():
    rows = changes_of("checklist.sync", {"added": ["item-a", "item-b"]})
    assert rows[0].kind == "value" and rows[0].new == ["item-a", "item-b"]
    assert (
        changes_text("checklist.sync", {"added": ["item-a", "item-b"]})
        == "added = [item-a, item-b]"
    )


def test_a_mapping_value_lists_its_keys():
    html = changes_html(
        "assessment.attach", {"file": {"name": "a.pdf", "size": 678, "sha256": SHA}}
    )
    assert "a.pdf" in html and ">678<" in html and f'data-copy="{SHA}"' in html


def test_booleans_and_empty_values_read_as_words():
    html = changes_html("x", {"active": [False, True], "note": [None, ""]})
    assert ">no<" in html and ">yes<" in html
    assert "left empty: note" in html


def test_rich_text_reads_as_its_words():
    html = changes_html("assessment.answer", {"value": [None, "<p>Human review</p>"]})
    assert "Human review" in html
    assert "&lt;p&gt;" not in html


def test_markup_in_values_is_escaped():
    html = changes_html("x", {"name": [None, "<script>alert(1)</script>"]})
    assert "<script>" not in html


def test_page_draws_each_shape(client, auditor):
    audit_record(
        actor=auditor,
        action="evidence.upload",
        target_type="t",
        target_id="1",
        changes={"sha256": SHA, "size": 751, "status": ["missing", "provided"]},
    )
    client.force_login(auditor)
    body = client.get(reverse("audit-list")).content.decode()
    assert f'data-copy="{SHA}"' in body
    assert ">751<" in body
    assert '<del><span class="v-text">missing</span></del>' in body


def _entries(officer, auditor):
    audit_record(
        actor=officer,
        action="system.update",
        target_type="inventory.aisystem",
        target_id="7",
        target_repr="Chatbot",
        changes={"name": ["a", "b"]},
    )
    audit_record(
        actor=auditor,
        action="pack.create",
        target_type="evidence.evidencepack",
        target_id="3",
        target_repr='=HYPERLINK("x")',
        changes={},
    )
    old = audit_record(
        actor=officer,
        action="system.create",
        target_type="inventory.aisystem",
        target_id="8",
        target_repr="Old system",
        changes={},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET created_at = %s WHERE seq = %s",
            [timezone.now() - dt.timedelta(days=40), old.seq],
        )


def _listed(client, query: str) -> set[str]:
    response = client.get(reverse("audit-list") + query)
    assert response.status_code == 200
    return {e.target_repr for e in response.context["page"]}


def test_filters_by_actor_action_object_and_date(client, officer, auditor):
    _entries(officer, auditor)
    client.force_login(auditor)
    assert _listed(client, "?actor=officer") == {"Chatbot", "Old system"}
    assert _listed(client, "?action=pack.") == {'=HYPERLINK("x")'}
    assert _listed(client, "?object_type=inventory.aisystem&object_id=7") == {"Chatbot"}
    assert _listed(client, "?object=old") == {"Old system"}
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert _listed(client, f"?date_from={since}") == {"Chatbot", '=HYPERLINK("x")'}
    until = (timezone.localdate() - dt.timedelta(days=39)).isoformat()
    assert _listed(client, f"?date_to={until}") == {"Old system"}


def test_bad_filter_input_is_ignored_with_a_message(client, officer, auditor):
    _entries(officer, auditor)
    client.force_login(auditor)
    response = client.get(reverse("audit-list") + "?date_from=yesterday&actor=officer")
    assert response.status_code == 200
    assert {e.target_repr for e in response.context["page"]} == {"Chatbot", "Old system"}
    assert "Enter a valid date" in response.content.decode()


def test_csv_export_follows_the_filters_and_neutralises_formulas(client, officer, auditor):
    _entries(officer, auditor)
    client.force_login(auditor)
    response = client.get(reverse("audit-export") + "?action=pack.")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["action"] for r in rows] == ["pack.create"]
    assert rows[0]["object"] == '\'=HYPERLINK("x")'
    assert rows[0]["actor"] == "auditor"


def test_csv_export_writes_changes_as_text_and_json(client, officer, auditor):
    _entries(officer, auditor)
    client.force_login(auditor)
    response = client.get(reverse("audit-export") + "?object_id=7")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["changes"] == "name: a → b"
    assert rows[0]["changes_json"] == '{"name": ["a", "b"]}'


def test_procurement_cannot_export(client, procurement):
    client.force_login(procurement)
    assert client.get(reverse("audit-export")).status_code == 403

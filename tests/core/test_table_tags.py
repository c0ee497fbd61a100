"""The fast table helpers print exactly what the built-ins they replace print."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import engines
from django.template.defaultfilters import date as date_filter
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.templatetags.table_tags import display, num, stamp
from discovery.models import Finding

MOMENTS = [
    dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 23, 5, 7, tzinfo=dt.UTC),
    dt.datetime(999, 1, 2, 3, 4, tzinfo=dt.UTC),
]


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Denver"])
def test_stamp_matches_the_date_filter_in_the_current_time_zone(moment, zone):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        expected = date_filter(timezone.localtime(moment), "Y-m-d H:i")
        assert stamp(moment) == expected
        assert stamp(moment, 10) == expected[:10]


def test_stamp_of_a_date_and_of_nothing():
    assert stamp(dt.date(2026, 2, 3)) == "2026-02-03"
    assert stamp(None) == "" and stamp("") == ""


@pytest.mark.parametrize("value", [0, 7, 999, 1000, 1234567, -45210, 10**12])
def test_num_matches_intcomma(value):
    assert num(value) == intcomma(value)


def test_num_of_nothing_and_of_text():
    assert num(None) == ""
    assert num("n/a") == "n/a"


def test_display_matches_get_field_display():
    for kind, _label in Finding.Kind.choices:
        finding = Finding(kind=kind, severity="high", state="open")
        assert display(finding, "kind") == finding.get_kind_display()
        assert display(finding, "severity") == finding.get_severity_display()
    assert display(Finding(kind="not-a-kind"), "kind") == "not-a-kind"


def test_pk_url_matches_url_for_each_route_and_row():
    request = RequestFactory().get("/")
    template = engines["django"].from_string(
        "{% load table_tags %}{% for pk in pks %}{% pk_url 'discovery:finding-detail' pk %} "
        "{% pk_url 'inventory:system-detail' pk %};{% endfor %}"
    )
    pks = [1, 42, 10**9]
    expected = "".join(
        f"{reverse('discovery:finding-detail', args=[pk])} "
        f"{reverse('inventory:system-detail', args=[pk])};"
        for pk in pks
    )
    assert template.render({"pks": pks, "request": request}) == expected
    assert template.render({"pks": pks}) == expected  # no request: reversed each time

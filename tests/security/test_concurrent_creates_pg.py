"""Simultaneous creates on PostgreSQL: one row wins, everyone else is redirected to it or told
why (400/409) — never a 500 and never a duplicate."""

import threading
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connections
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment
from discovery.models import IngestRun
from inventory.models import Vendor
from tests.assessments import factories
from tests.discovery.conftest import SQUID

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only", "storage_dir"),
]
N = 8


def all_at_once(request) -> list:
    """Run `request(client)` in N threads released together; each thread logs in its own client."""
    barrier = threading.Barrier(N)
    results: list = [None] * N

    def work(i: int) -> None:
        try:
            client = Client(raise_request_exception=False)
            client.force_login(request.user)
            barrier.wait()
            results[i] = request(client)
        except Exception as exc:  # the test reports it; a thread must not die silently
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


class As:
    def __init__(self, user, fn):
        self.user, self.fn = user, fn

    def __call__(self, client):
        return self.fn(client)


def test_eight_simultaneous_starts_make_one_assessment(officer):
    content = factories.eu_content()
    system = factories.system(vendor_obj=factories.vendor())
    factories.classify_high_risk(system, content)
    template = factories.fria()
    url = reverse("assessments:assessment-start")
    responses = all_at_once(
        As(officer, lambda c: c.post(url, {"system": system.pk, "template": template.pk}))
    )
    assert [getattr(r, "status_code", r) for r in responses] == [302] * N
    assessment = Assessment.objects.get()
    target = reverse("assessments:assessment-detail", args=[assessment.pk])
    assert {r["Location"] for r in responses} == {target}
    assert assessment.revisions.count() == 1


def test_a_second_open_assessment_is_refused_by_the_database(officer):
    system = factories.system()
    template = factories.fria()
    Assessment.objects.create(system=system, template=template, created_by=officer)
    with pytest.raises(IntegrityError):
        Assessment.objects.create(system=system, template=template, created_by=officer)


def test_simultaneous_vendor_creates_give_one_vendor_and_no_500(officer):
    url = reverse("api-vendor-list")
    responses = all_at_once(
        As(officer, lambda c: c.post(url, {"name": "Acme AI"}, content_type="application/json"))
    )
    codes = Counter(getattr(r, "status_code", repr(r)) for r in responses)
    assert codes[201] == 1 and codes[201] + codes[400] + codes[409] == N, codes
    assert Vendor.objects.filter(name="Acme AI").count() == 1


@pytest.fixture
def eager_tasks(settings):
    from sightline.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_simultaneous_uploads_of_one_log_give_one_run_and_no_500(officer, eager_tasks):
    from discovery.catalog_loader import load_catalog

    load_catalog(check=False)
    url = reverse("discovery:run-upload")
    data = SQUID.read_bytes()

    def upload(client):
        return client.post(url, {"file": SimpleUploadedFile("access.log", data)})

    responses = all_at_once(As(officer, upload))
    codes = Counter(getattr(r, "status_code", repr(r)) for r in responses)
    assert set(codes) <= {302, 400, 409}, codes
    run = IngestRun.objects.get()
    assert {r["Location"] for r in responses if r.status_code == 302} == {
        reverse("discovery:run-detail", args=[run.pk])
    }

"""manage.py load_content: idempotent, immutable versions, never deletes, --check writes nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEntry
from regulations.models import ContentVersion, Obligation, Regime, Rule
from tests.regulations.content_factory import write_version


def run(content_dir, *args, **kwargs):
    out = io.StringIO()
    call_command(
        "load_content", *args, content_dir=content_dir, no_classify=True, stdout=out, **kwargs
    )
    return out.getvalue()


@pytest.mark.django_db
def test_load_stores_version_with_sha_and_rows(content_dir):
    path = write_version(content_dir)
    out = run(content_dir)
    cv = ContentVersion.objects.get(regime__code="zz", version="v1")
    import hashlib

    assert cv.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert cv.status == "in_force"
    assert cv.data["rules"][0]["id"] == "zz.v1.rule.in-domain"
    assert Rule.objects.filter(content_version=cv).count() == 3
    assert Obligation.objects.get(key="zz.v1.obligation.review").cadence.startswith("annual")
    assert "1 version(s) loaded" in out
    assert AuditEntry.objects.filter(action="content_version.load").count() == 1


@pytest.mark.django_db
def test_loading_identical_content_again_is_a_noop(content_dir):
    write_version(content_dir)
    run(content_dir)
    out = run(content_dir)
    assert "0 version(s) loaded, 1 unchanged" in out
    assert ContentVersion.objects.count() == 1
    assert Rule.objects.count() == 3
    assert AuditEntry.objects.filter(action="content_version.load").count() == 1


@pytest.mark.django_db
def test_changed_content_of_a_known_version_is_an_error_naming_the_file(content_dir):
    write_version(content_dir)
    run(content_dir)
    write_version(content_dir, extra_rule=True)  # same version v1, new content
    with pytest.raises(CommandError) as excinfo:
        run(content_dir)
    assert "zz/v1.yaml" in str(excinfo.value)
    assert "new version file" in str(excinfo.value)
    assert Rule.objects.count() == 3  # nothing changed


@pytest.mark.django_db
def test_a_removed_file_never_deletes_its_version(content_dir):
    path = write_version(content_dir)
    write_version(content_dir, version="v2", status="pending", effective_from="2030-01-01")
    run(content_dir)
    path.unlink()
    run(content_dir)
    assert set(ContentVersion.objects.values_list("version", flat=True)) == {"v1", "v2"}


@pytest.mark.django_db
def test_check_validates_without_writing(content_dir):
    write_version(content_dir)
    out = run(content_dir, check=True)
    assert "1 content file(s) valid" in out
    assert ContentVersion.objects.count() == 0
    assert Regime.objects.count() == 0


@pytest.mark.django_db
def test_invalid_file_is_reported_with_file_and_key_and_nothing_is_loaded(content_dir):
    write_version(content_dir)
    bad = write_version(content_dir, regime="yy")
    bad.write_text(bad.read_text().replace("confidence: H", "confidence: X", 1))
    with pytest.raises(CommandError) as excinfo:
        run(content_dir)
    message = str(excinfo.value)
    assert "yy/v1.yaml" in message
    assert "confidence" in message
    assert ContentVersion.objects.count() == 0


@pytest.mark.django_db
def test_real_content_files_are_valid():
    out = io.StringIO()
    call_command("load_content", check=True, stdout=out)
    assert "content file(s) valid" in out.getvalue()

"""Demo data: sample logs of several formats produce findings at first login, and seeding is idempotent."""

import io

from discovery.models import Finding, IngestRun, ModelUsageDay, OAuthGrant, UsageRollup


def seed_all():
    from core import demo as core_demo
    from discovery import demo
    from inventory import demo as inventory_demo

    out = io.StringIO()
    core_demo.seed(stdout=out)
    inventory_demo.seed(stdout=out)
    demo.seed(stdout=out)
    return out.getvalue()


def test_demo_ingests_network_oauth_and_gateway_formats_and_opens_findings(db):
    out = seed_all()
    assert sorted(IngestRun.objects.values_list("format", flat=True)) == [
        "cloudtrail",
        "entra_audit",
        "gws_token",
        "litellm",
        "otel_genai",
        "squid",
        "zeek_ssl",
    ]
    assert all(r.status == "done" for r in IngestRun.objects.all())
    kinds = set(Finding.objects.values_list("kind", flat=True))
    assert {"unsanctioned_use", "new_app", "usage_spike", "possible_ai", "llmjacking"} <= kinds
    # ChatGPT Enterprise is sanctioned in the inventory demo, so ChatGPT traffic is not a finding.
    assert not Finding.objects.filter(
        app_key="chatgpt", kind__in=["unsanctioned_use", "new_app", "usage_spike"]
    ).exists()
    # OAuth grants (one revoked) and gateway and trace usage with tokens and cost
    assert set(OAuthGrant.objects.filter(active=True).values_list("app_key", flat=True)) == {
        "chatgpt",
        "otter-ai",
        "claude",
        "notion-ai",
        "",
    }
    assert OAuthGrant.objects.filter(user="alice@example.com", active=False).exists()
    assert set(ModelUsageDay.objects.values_list("source", flat=True)) == {"litellm", "otel_genai"}
    assert ModelUsageDay.objects.filter(team="hr", key_alias="research-assistant").exists()
    assert UsageRollup.objects.filter(app_key="chatgpt").exists()
    assert UsageRollup.objects.exclude(team="").exists()
    assert "Discovery demo" in out


def test_demo_seeding_twice_changes_nothing(db):
    seed_all()
    counts = (
        IngestRun.objects.count(),
        Finding.objects.count(),
        UsageRollup.objects.count(),
        OAuthGrant.objects.count(),
        sum(ModelUsageDay.objects.values_list("requests", flat=True)),
    )
    requests = sum(UsageRollup.objects.values_list("requests", flat=True))
    seed_all()
    assert (
        IngestRun.objects.count(),
        Finding.objects.count(),
        UsageRollup.objects.count(),
        OAuthGrant.objects.count(),
        sum(ModelUsageDay.objects.values_list("requests", flat=True)),
    ) == counts
    assert sum(UsageRollup.objects.values_list("requests", flat=True)) == requests

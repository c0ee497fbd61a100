"""Demo discovery data: sample logs ingested on first start so findings exist at first login."""

from pathlib import Path

from django.contrib.auth import get_user_model

from discovery.catalog_loader import load_catalog
from discovery.models import CatalogHost, IdentityMapping, LogSource
from discovery.selectors import catalog_version_current
from discovery.services import ingest_run_create, ingest_run_execute
from discovery.services.sources import identity_mapping_import, log_source_create
from discovery.services.triage import discovered_app_link
from inventory.models import AISystem

DEMO_DIR = Path(__file__).resolve().parent / "demo_logs"
DEMO_SOURCES = [
    ("Head-office Squid proxy", LogSource.Kind.PROXY, "squid", "squid-access.log"),
    ("Zeek sensor (TLS SNI)", LogSource.Kind.PROXY, "zeek_ssl", "zeek-ssl.log"),
    (
        "AWS CloudTrail (org trail)",
        LogSource.Kind.CLOUDTRAIL,
        "cloudtrail",
        "111122223333_CloudTrail_us-east-1_20261119T0320Z_DemoProbe0001.json.gz",
    ),
    ("Google Workspace (OAuth tokens)", LogSource.Kind.OAUTH, "gws_token",
     "workspace-token-activity.json"),
    ("Microsoft Entra ID (audit log)", LogSource.Kind.OAUTH, "entra_audit",
     "entra-audit-consents.json"),
    ("LiteLLM gateway", LogSource.Kind.GATEWAY, "litellm", "litellm-spend-logs.jsonl"),
    ("Support bot traces (OTLP)", LogSource.Kind.GATEWAY, "otel_genai", "otel-genai-traces.json"),
]  # fmt: skip
# Inventory demo systems that are the sanctioned form of a catalogue app (matched by host).
SANCTIONED = [("ChatGPT Enterprise", "chatgpt.com"), ("GitHub Copilot", "api.githubcopilot.com")]


def _actor():
    return get_user_model().objects.filter(username="admin").first() or "seed_demo"


def seed(*, stdout) -> None:
    actor = _actor()
    if catalog_version_current() is None:
        load_catalog(check=False, stdout=stdout)
    if not IdentityMapping.objects.exists():
        with open(DEMO_DIR / "identity-mapping.csv", "rb") as fh:
            identity_mapping_import(actor=actor, fileobj=fh)
        with open(DEMO_DIR / "dhcpd.leases", "rb") as fh:
            identity_mapping_import(actor=actor, fileobj=fh)
    version = catalog_version_current()
    for system_name, host in SANCTIONED:
        system = AISystem.objects.filter(name=system_name).first()
        rule = (
            CatalogHost.objects.filter(app__version=version, host=host)
            .select_related("app")
            .first()
        )
        if system and rule:
            discovered_app_link(app_key=rule.app.key, system=system, actor=actor)
    for name, kind, fmt, file_name in DEMO_SOURCES:
        source = LogSource.objects.filter(name=name).first() or log_source_create(
            actor=actor, data={"name": name, "kind": kind, "format": fmt}
        )
        run, created = ingest_run_create(
            path=DEMO_DIR / file_name, actor=actor, source=source, file_name=file_name
        )
        if created:
            run = ingest_run_execute(run_id=run.pk)
        stdout.write(
            f"Discovery demo: {file_name} → run #{run.pk} {run.status}, "
            f"{run.lines_matched} matched, {run.findings_count} findings.\n"
        )

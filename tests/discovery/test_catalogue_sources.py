"""Catalogue 2026-12: size, a source per service, suffix rules for AI vendors, SaaS AI features."""

import pytest
import yaml

from discovery import catalog_files
from discovery.engine.matching import Catalog

LATEST = catalog_files()[-1]
CAT = Catalog.from_yaml(LATEST)
ENTRIES = yaml.safe_load(LATEST.read_text(encoding="utf-8"))["services"]


def test_latest_catalogue_has_at_least_250_services_each_with_a_source_url():
    assert len(CAT) >= 250
    for entry in ENTRIES:
        sources = entry.get("sources")
        assert isinstance(sources, list) and sources, entry["key"]
        assert all(isinstance(s, str) and s.startswith("https://") for s in sources), entry["key"]


def test_every_version_file_is_kept_so_loaded_versions_stay_immutable():
    stems = [p.stem for p in catalog_files()]
    assert stems[:2] == ["2026-11", "2026-12"]


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("app.grammarly.com", "grammarly"),
        ("capi.grammarly.com", "grammarly"),
        ("grammarly.com", "grammarly"),
        ("eu.api.exa.ai", "exa"),
        ("api.einstein.ai", "salesforce-einstein"),
        ("mcp.atlassian.com", "atlassian-intelligence"),
        ("foo.gemini.google.com", "gemini-app"),
        ("arena.ai", "lmarena"),
        ("smith.langchain.com", "langchain-langsmith"),
        ("us-south.ml.cloud.ibm.com", "ibm-watsonx-ai"),
    ],
)
def test_vendor_subdomains_and_feature_hosts_match(host, key):
    assert CAT.match(host) == key


@pytest.mark.parametrize(
    "host",
    [
        "atlassian.net",
        "acme.atlassian.net",
        "slack.com",
        "acme.slack.com",
        "salesforce.com",
        "acme.my.salesforce.com",
        "canva.com",
        "www.notion.so",
        "zoom.us",
        "cloud.ibm.com",
        "oraclecloud.com",
        "www.google.com",
        "notgrammarly.com",
    ],
)
def test_shared_hosts_of_mainstream_saas_never_match_by_suffix(host):
    assert CAT.match(host) is None


@pytest.mark.parametrize(
    ("host", "path", "key"),
    [
        ("www.notion.so", "/api/v3/runInferenceTranscript", "notion-ai"),
        ("www.canva.com", "/ai/code", "canva-magic-studio"),
        ("slack.com", "/api/assistant.threads.setStatus", "slack-ai"),
        ("api.salesforce.com", "/einstein/platform/v1/models/m/generations", "salesforce-einstein"),
    ],
)
def test_saas_ai_features_match_by_path_on_the_shared_host(host, path, key):
    assert CAT.match_path(host, path) == key
    assert CAT.match_path(host, "/api/v3/loadPageChunk") is None

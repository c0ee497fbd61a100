"""Catalogue content and matching rules (reference section 3) and heuristics (4.4)."""

import pytest

from discovery import CATALOG_DIR, catalog_files
from discovery.engine.matching import Catalog, CatalogError, heuristics

CAT = Catalog.from_yaml(catalog_files()[-1])
CAT_2026_11 = Catalog.from_yaml(CATALOG_DIR / "2026-11.yaml")


def test_catalogue_has_at_least_150_services_with_vendor_and_category():
    assert CAT_2026_11.version == "2026-11"
    assert len(CAT_2026_11) >= 150
    for app in CAT.apps.values():
        assert app.vendor and app.category, app.key


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("chatgpt.com", "chatgpt"),
        ("api.openai.com", "openai-api-platform"),
        ("x.claude.ai", "claude"),
        ("generativelanguage.googleapis.com", "gemini-api-ai-studio"),
        ("us-central1-aiplatform.googleapis.com", "vertex-ai"),
        ("bedrock-runtime.us-west-2.amazonaws.com", "amazon-bedrock"),
        ("myresource.openai.azure.com", "azure-openai-ai-foundry"),
        ("api.business.githubcopilot.com", "github-copilot"),
        ("api.deepseek.com", "deepseek-api"),
        ("chat.deepseek.com", "deepseek"),
        ("grok.com", "grok"),
        ("groq.com", "groq"),
    ],
)
def test_exact_and_suffix_matches(host, key):
    assert CAT.match(host) == key


@pytest.mark.parametrize(
    "host",
    [
        "googleapis.com",
        "www.googleapis.com",
        "notclaude.ai",
        "amazonaws.com",
        "s3.amazonaws.com",
        "raw.githubusercontent.com",
        "github.com",
        "deepseek.chat",
        "www.example.com",
        "microsoft.com",
        "canva.com",
        "notion.so",
    ],
)
def test_shared_and_lookalike_hosts_never_match(host):
    assert CAT.match(host) is None


def test_longest_suffix_wins():
    cat = Catalog.from_entries(
        [
            {"key": "broad", "name": "Broad", "suffixes": ["example.ai"]},
            {"key": "narrow", "name": "Narrow", "suffixes": ["api.example.ai"]},
        ]
    )
    assert cat.match("v1.api.example.ai") == "narrow"
    assert cat.match("www.example.ai") == "broad"
    assert cat.match("example.ai") is None  # a suffix rule needs a label in front


def test_path_rules_for_p_flag_services():
    assert CAT.match_path("huggingface.co", "/chat/conversation") == "huggingchat"
    assert CAT.match_path("huggingface.co", "/models") is None
    assert CAT.match_path("api.github.com", "/copilot_internal/v2/token") == "github-copilot"


def test_risk_attributes_only_where_sourced():
    with_risk = {k for k, a in CAT.apps.items() if a.risk}
    assert {"openai-api-platform", "claude", "deepseek", "amazon-bedrock"} <= with_risk
    for key in with_risk:
        assert CAT.apps[key].risk.get("source"), key
    assert CAT.apps["openai-api-platform"].risk["certifications"] == ["SOC 2 Type 2", "CSA STAR"]


def test_bad_catalogue_entries_are_rejected_with_the_key():
    with pytest.raises(CatalogError, match="dup"):
        Catalog.from_entries([{"key": "dup", "name": "A"}, {"key": "dup", "name": "B"}])
    with pytest.raises(CatalogError, match="#0"):
        Catalog.from_entries([{"name": "no key"}])


@pytest.mark.parametrize(
    ("host", "path", "method", "ua", "mime", "codes"),
    [
        ("llm.corp.example", "/v1/chat/completions", "POST", "", "", ["H1", "H5"]),
        ("gw.corp.example", "/v1/messages", "POST", "", "", ["H1"]),
        ("gw.corp.example", "/v1beta/models/gemini-pro:generateContent", "POST", "", "", ["H1"]),
        ("gw.corp.example", "/api/chat", "POST", "", "", ["H1"]),
        ("gw.corp.example", "/stream", "POST", "", "text/event-stream", ["H2"]),
        ("gw.corp.example", "/stream", "GET", "", "text/event-stream", []),
        ("gw.corp.example", "/", "POST", "openai-python/1.30.0", "", ["H4"]),
        ("gw.corp.example", "/", "POST", "langchain/0.2", "", ["H4"]),
        ("newthing.ai", "/", "GET", "Mozilla/5.0", "", ["H5"]),
        ("my-ai.example.com", "", "", "", "", ["H5"]),
        ("www.example.com", "/v2/items", "GET", "Mozilla/5.0", "text/html", []),
    ],
)
def test_heuristics_each_have_their_own_code(host, path, method, ua, mime, codes):
    assert heuristics(host, path, method, ua, mime) == codes


def test_prefilter_token_minimisation_keeps_every_catalogue_line_a_candidate():
    from discovery.engine.parsers.prefilter import _tokens

    kept = _tokens(CAT, False)
    assert len(kept) < len(CAT.prefilter_tokens())
    for tok in CAT.prefilter_tokens():
        assert any(k in tok.lower() for k in kept), tok

"""A known batch for the OAuth and gateway-usage rules: Workspace grants (active and revoked),
LiteLLM spend with a spike, a shared key and a new team, a Bedrock call in an unrecorded region,
and the inventory and budgets they are judged against. EXPECTED lists every finding it must
produce, and nothing else."""

import datetime as dt
import json
import zlib
from pathlib import Path

from discovery.models import DiscoveredApp, IngestRun, UsageBudget
from discovery.services import ingest_batch_create, ingest_run_execute
from inventory.services import ai_system_create

NOV = dt.date(2026, 11, 1)
GOOGLE = "https://www.googleapis.com/auth/"
CHATGPT_ID = "1111-chatgptscenario.apps.googleusercontent.com"
CLAUDE_ID = "2222-claudescenario.apps.googleusercontent.com"
ZOOM_ID = "3333-zoomscenario.apps.googleusercontent.com"
SALES_USERS = ["alice@example.com", "bob@example.com", "dave@example.com", "frank@example.com"]


def _activity(when: str, user: str, name: str, client_id: str, app: str, scopes: list[str]) -> dict:
    params = [{"name": "client_id", "value": client_id}, {"name": "app_name", "value": app}]
    if scopes:
        params.append({"name": "scope", "multiValue": scopes})
    return {
        "kind": "admin#reports#activity",
        "id": {
            "time": when,
            "uniqueQualifier": str(zlib.crc32(f"{when} {user} {name}".encode())),
            "applicationName": "token",
            "customerId": "C0scenario",
        },
        "actor": {"callerType": "USER", "email": user},
        "events": [{"type": "auth", "name": name, "parameters": params}],
    }


def grant_lines() -> str:
    """Grants: alice and bob connect ChatGPT (mail and Drive), carol connects Claude (calendar),
    erin connects Zoom (not an AI app)."""
    rows = [
        _activity("2026-11-02T09:00:00Z", "alice@example.com", "authorize", CHATGPT_ID, "ChatGPT",
                  [GOOGLE + "gmail.readonly", GOOGLE + "drive.readonly", "openid"]),
        _activity("2026-11-03T09:00:00Z", "bob@example.com", "authorize", CHATGPT_ID, "ChatGPT",
                  [GOOGLE + "drive.readonly"]),
        _activity("2026-11-04T09:00:00Z", "carol@example.com", "authorize", CLAUDE_ID, "Claude",
                  [GOOGLE + "calendar.readonly"]),
        _activity("2026-11-04T10:00:00Z", "erin@example.com", "authorize", ZOOM_ID, "Zoom",
                  [GOOGLE + "calendar.readonly"]),
    ]  # fmt: skip
    return "".join(json.dumps(r) + "\n" for r in rows)


def revoke_lines() -> str:
    """Revokes, later in event time: bob's ChatGPT grant and carol's Claude grant."""
    rows = [
        _activity("2026-11-05T09:00:00Z", "bob@example.com", "revoke", CHATGPT_ID, "ChatGPT", []),
        _activity("2026-11-06T09:00:00Z", "carol@example.com", "revoke", CLAUDE_ID, "Claude", []),
    ]
    return "".join(json.dumps(r) + "\n" for r in rows)


ENTRA_CHATGPT_ID = "e0476654-c1d5-430b-ab80-70cbd947616a"


def entra_consents() -> str:
    """Entra ID: henry consents to ChatGPT (mail, offline access), as the Graph API lists it."""
    permissions = (
        "[] => [[Id: scenario1, ClientId: 5d2f1a7e-0000-4000-8000-00000000sc01, PrincipalId: "
        "h-1, ResourceId: graph, ConsentType: Principal, Scope:  Mail.Read offline_access "
        "User.Read, CreatedDateTime: , LastModifiedDateTime ]]; "
    )
    event = {
        "id": "Directory_scenario_1",
        "category": "ApplicationManagement",
        "result": "success",
        "activityDisplayName": "Consent to application",
        "activityDateTime": "2026-11-07T08:00:00.0000000Z",
        "loggedByService": "Core Directory",
        "operationType": "Assign",
        "initiatedBy": {"user": {"id": "h-1", "userPrincipalName": "henry@example.com"}},
        "targetResources": [
            {
                "id": "5d2f1a7e-0000-4000-8000-00000000sc01",
                "displayName": "ChatGPT",
                "type": "ServicePrincipal",
                "modifiedProperties": [
                    {
                        "displayName": "ConsentAction.Permissions",
                        "oldValue": None,
                        "newValue": json.dumps(permissions),
                    },
                    {
                        "displayName": "TargetId.ServicePrincipalNames",
                        "oldValue": None,
                        "newValue": json.dumps(ENTRA_CHATGPT_ID),
                    },
                ],
            }
        ],
        "additionalDetails": [{"key": "AppId", "value": ENTRA_CHATGPT_ID}],
    }
    return json.dumps({"value": [event]})


def _spend(n: int, day: dt.date, hour: int, *, user: str, team: str, key: str, model: str,
           spend: float, provider: str = "openai") -> dict:  # fmt: skip
    base = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"}
    when = f"{day.isoformat()}T{hour:02d}:00:00.000Z"
    return {
        "request_id": f"scenario-{n:05d}",
        "call_type": "acompletion",
        "api_key": f"hashed-{key}",
        "spend": spend,
        "prompt_tokens": 1000,
        "completion_tokens": 200,
        "total_tokens": 1200,
        "startTime": when,
        "endTime": when,
        "model": model,
        "model_group": model,
        "custom_llm_provider": provider,
        "api_base": base[provider],
        "user": user,
        "metadata": {
            "user_api_key_alias": key,
            "user_api_key_team_alias": team,
            "user_api_key_user_id": user,
        },
        "team_id": f"team-{team.lower()}",
        "end_user": "",
        "status": "success",
    }


def spend_baseline() -> str:
    """Sales on the sales-assistant key, 1 USD a day with gpt-4o, 1 to 19 November."""
    rows = [
        _spend(i, NOV + dt.timedelta(days=i), 9, user=SALES_USERS[i % 2], team="Sales",
               key="sales-assistant", model="gpt-4o", spend=1.0)
        for i in range(19)
    ]  # fmt: skip
    return "".join(json.dumps(r) + "\n" for r in rows)


def spend_rest() -> str:
    """20-29 November: Sales goes on at 1 USD a day and spends 50 USD on the 29th; Recruiting
    uses the same key (a shared key, a new team); Sales tries gpt-4o-mini on the 21st; the pilot
    bot calls a Claude model its record does not list."""
    rows = []
    for i in range(19, 28):
        rows.append(
            _spend(i, NOV + dt.timedelta(days=i), 9, user=SALES_USERS[i % 2], team="Sales",
                   key="sales-assistant", model="gpt-4o", spend=1.0)
        )  # fmt: skip
    day20, day21, day29 = NOV + dt.timedelta(19), NOV + dt.timedelta(20), NOV + dt.timedelta(28)
    rows += [
        _spend(100, day20, 14, user="erin@example.com", team="Recruiting", key="sales-assistant",
               model="gpt-4o", spend=1.0),
        _spend(101, day21, 15, user="dave@example.com", team="Sales", key="sales-assistant",
               model="gpt-4o-mini", spend=0.5),
        _spend(102, day29, 9, user="frank@example.com", team="Sales", key="sales-assistant",
               model="gpt-4o", spend=50.0),
        _spend(103, day21, 16, user="gina@example.com", team="Ops", key="pilot-bot",
               model="claude-3-haiku-20240307", spend=0.2, provider="anthropic"),
    ]  # fmt: skip
    return "".join(json.dumps(r) + "\n" for r in rows)


def bedrock_lines() -> str:
    """The claims summariser on Bedrock, called in us-east-1 (its record says EU)."""
    row = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": "2026-11-10T10:00:00Z",
        "accountId": "111122223333",
        "identity": {"arn": "arn:aws:sts::111122223333:assumed-role/claims-role/i-0scenario"},
        "region": "us-east-1",
        "requestId": "scenario-bedrock-0001",
        "operation": "InvokeModel",
        "modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "input": {"inputContentType": "application/json", "inputTokenCount": 500},
        "output": {"outputContentType": "application/json", "outputTokenCount": 100},
    }
    return json.dumps(row) + "\n"


FILES = {
    "grants.jsonl": grant_lines,
    "revokes.jsonl": revoke_lines,
    "entra.json": entra_consents,
    "spend_baseline.jsonl": spend_baseline,
    "spend_rest.jsonl": spend_rest,
    "bedrock.jsonl": bedrock_lines,
}


def batch(paths) -> IngestRun:
    """The files registered as one batch and run in this process."""
    result = ingest_batch_create(files=[(Path(p), Path(p).name) for p in paths], actor="test")
    assert result.created
    return ingest_run_execute(run_id=result.run.pk)


def write_files(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, make in FILES.items():
        paths[name] = folder / name
        paths[name].write_text(make(), encoding="utf-8")
    return paths


def setup_inventory(actor) -> dict:
    """The systems and budgets the batch is judged against."""
    sales = ai_system_create(
        actor=actor,
        data={
            "name": "Sales assistant",
            "description": "Drafts sales e-mails.",
            "owner": actor,
            "model_type": "generative_app",
            "roles": ["deployer"],
            "jurisdictions": ["DE"],
            "domains": ["productivity"],
            "decision_role": "substantial_factor",
            "lifecycle": "in_use",
            "sanction_status": "sanctioned",
            "team": "Sales",
            "teams_using": ["Sales"],
            "models_used": ["gpt-4o"],
            "model_allowlist": ["gpt-4o"],
            "gateway_aliases": ["sales-assistant"],
            "data_regions": ["EU"],
            "expected_users": 2,
        },
    )
    claims = ai_system_create(
        actor=actor,
        data={
            "name": "Claims summariser",
            "description": "Summarises claims.",
            "owner": actor,
            "model_type": "generative_app",
            "roles": ["deployer"],
            "jurisdictions": ["DE"],
            "domains": ["productivity"],
            "decision_role": "supportive",
            "lifecycle": "in_use",
            "sanction_status": "sanctioned",
            "models_used": ["claude-3-5-sonnet"],
            "data_regions": ["EU"],
        },
    )
    pilot = ai_system_create(
        actor=actor,
        data={
            "name": "Pilot bot",
            "description": "A pilot under review.",
            "model_type": "generative_app",
            "roles": ["deployer"],
            "jurisdictions": ["DE"],
            "domains": ["productivity"],
            "lifecycle": "in_development",
            "sanction_status": "under_review",
            "models_used": ["gpt-4o"],
            "gateway_aliases": ["pilot-bot"],
        },
    )
    DiscoveredApp.objects.create(app_key="amazon-bedrock", name="Amazon Bedrock", system=claims)
    UsageBudget.objects.create(scope="team", name="Sales", monthly_spend=60)
    UsageBudget.objects.create(
        scope="team", name="Recruiting", monthly_tokens=10**9, model_allowlist=["claude-*"]
    )
    return {"sales": sales, "claims": claims, "pilot": pilot}


def expected(systems: dict) -> dict[str, tuple[str, str]]:
    """dedupe key -> (kind, severity) of every finding the batch must produce."""
    s, c, p = systems["sales"].pk, systems["claims"].pk, systems["pilot"].pk
    return {
        "oauth_app:chatgpt": ("oauth_app", "medium"),
        "oauth_app:claude": ("oauth_app", "info"),
        f"drift:{s}:teams:recruiting": ("drift", "high"),
        f"drift:{s}:models:gpt-4o-mini": ("drift", "low"),
        f"drift:{s}:volume:2026-11": ("drift", "medium"),
        f"drift:{c}:regions:us-east-1": ("drift", "medium"),
        "shared_key:sales-assistant": ("shared_key", "medium"),
        f"model_not_allowed:system:{s}:gpt-4o-mini": ("model_not_allowed", "medium"),
        "model_not_allowed:team:Recruiting:gpt-4o": ("model_not_allowed", "medium"),
        f"unlisted_model:{p}:claude-3-haiku-20240307": ("unlisted_model", "low"),
        "spend_spike:team:Sales:2026-11-29": ("spend_spike", "medium"),
        f"spend_spike:system:{s}:2026-11-29": ("spend_spike", "medium"),
        "budget:team:Sales:2026-11:80": ("budget", "medium"),
        "budget:team:Sales:2026-11:100": ("budget", "high"),
    }

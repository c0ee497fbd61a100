"""Regenerates the non-network demo exports (deterministic):
`python discovery/demo_logs/make_usage_demo_logs.py`.

- workspace-token-activity.json: Admin SDK Reports `activities.list` for applicationName=token
- entra-audit-consents.json: Graph `GET /auditLogs/directoryAudits` (consents to apps)
- litellm-spend-logs.jsonl: LiteLLM_SpendLogs rows, four weeks of two teams' gateway use
- otel-genai-traces.json: an OTLP JSON export of a support bot's GenAI spans

Synthetic values only: users at example.com (the people of identity-mapping.csv), IPs from
RFC 5737, AWS account 111122223333.
"""

import datetime as dt
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = dt.datetime(2026, 11, 5, tzinfo=dt.UTC)
G = "https://www.googleapis.com/auth/"


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _activity(n: int, t: dt.datetime, email: str, name: str, client: str, app: str, scopes):
    return {
        "kind": "admin#reports#activity",
        "id": {
            "time": _iso(t),
            "uniqueQualifier": str(7300000000000000000 + n),
            "applicationName": "token",
            "customerId": "C03az79cb",
        },
        "actor": {
            "callerType": "USER",
            "email": email,
            "profileId": str(100000000000000000000 + n),
        },
        "ipAddress": f"192.0.2.{10 + n % 8}",
        "events": [
            {
                "type": "auth",
                "name": name,
                "parameters": [
                    {"name": "client_id", "value": client},
                    {"name": "app_name", "value": app},
                    {"name": "client_type", "value": "WEB"},
                    {"name": "scope", "multiValue": [G + s if "." in s else s for s in scopes]},
                ],
            }
        ],
    }


def workspace() -> dict:
    chatgpt = "111122223333-demochatgpt.apps.googleusercontent.com"
    otter = "111122223333-demootter.apps.googleusercontent.com"
    planner = "111122223333-demoplanner.apps.googleusercontent.com"
    d = START + dt.timedelta(hours=9)
    rows = [
        (d + dt.timedelta(days=1), "gina@example.com", "authorize", chatgpt, "ChatGPT",
         ["drive.readonly", "gmail.readonly", "openid", "userinfo.email"]),
        (d + dt.timedelta(days=2), "alice@example.com", "authorize", chatgpt, "ChatGPT",
         ["drive.readonly", "openid"]),
        (d + dt.timedelta(days=3), "harry@example.com", "authorize", otter, "Otter.ai",
         ["calendar.readonly", "userinfo.email"]),
        (d + dt.timedelta(days=6), "alice@example.com", "revoke", chatgpt, "ChatGPT", []),
        (d + dt.timedelta(days=8), "dave@example.com", "authorize", planner, "Example Planner",
         ["calendar.events"]),
    ]  # fmt: skip
    items = [_activity(i, *r) for i, r in enumerate(rows)]
    items.sort(key=lambda a: a["id"]["time"], reverse=True)  # the API lists newest first
    return {"kind": "admin#reports#activities", "etag": '"demo"', "items": items}


def _audit(n: int, t: dt.datetime, upn: str, app: str, app_id: str, scopes: str) -> dict:
    perms = f'"[] => [[Id: demo{n}, ClientId: 0f0f0f0f-0000-4000-8000-00000000000{n}, ConsentType: Principal, Scope:  {scopes}, CreatedDateTime: ]]; "'  # noqa: E501
    return {
        "id": f"Directory_DEMO{n:04d}",
        "category": "ApplicationManagement",
        "correlationId": f"9e0c1d2b-0000-4000-8000-00000000000{n}",
        "result": "success",
        "activityDisplayName": "Consent to application",
        "activityDateTime": t.isoformat().replace("+00:00", "Z"),
        "loggedByService": "Core Directory",
        "operationType": "Assign",
        "initiatedBy": {
            "app": None,
            "user": {"userPrincipalName": upn, "ipAddress": "192.0.2.12", "id": f"u-{n}"},
        },
        "targetResources": [
            {
                "id": f"5d2f1a7e-0000-4000-8000-00000000000{n}",
                "displayName": app,
                "type": "ServicePrincipal",
                "modifiedProperties": [
                    {"displayName": "ConsentContext.IsAdminConsent", "oldValue": None, "newValue": '"False"'},
                    {"displayName": "ConsentAction.Permissions", "oldValue": None, "newValue": perms},
                ],
            }
        ],
        "additionalDetails": [{"key": "User-Agent", "value": "Mozilla/5.0"}, {"key": "AppId", "value": app_id}],
    }  # fmt: skip


def entra() -> dict:
    d = START + dt.timedelta(hours=14)
    return {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits",
        "value": [
            _audit(1, d + dt.timedelta(days=4), "carol@example.com", "Claude",
                   "a1b2c3d4-0000-4000-8000-00000000c1a0", "Mail.Read Files.Read.All offline_access User.Read"),
            _audit(2, d + dt.timedelta(days=9), "erin@example.com", "Notion",
                   "a1b2c3d4-0000-4000-8000-00000000n071", "Files.ReadWrite.All User.Read"),
        ],
    }  # fmt: skip


def litellm() -> list[dict]:
    rng = random.Random(18)
    rows = []
    plan = [  # team alias, team id, key alias, users, model, api base, provider, price per 1k
        ("research", "team-research", "research-assistant", ["frank@example.com", "dave@example.com"],
         "gpt-4o", "https://api.openai.com/v1", "openai", 0.005),
        ("research", "team-research", "research-assistant", ["frank@example.com"],
         "claude-3-5-sonnet-20241022", "https://api.anthropic.com", "anthropic", 0.006),
        ("legal", "team-legal", "contract-review", ["carol@example.com"],
         "gpt-4o-mini", "https://api.openai.com/v1", "openai", 0.0006),
    ]  # fmt: skip
    n = 0
    for day in range(28):
        for team, team_id, alias, users, model, base, prov, price in plan:
            for _ in range(rng.randint(3, 6)):
                n += 1
                t = START + dt.timedelta(days=day, seconds=rng.randint(8 * 3600, 18 * 3600))
                pin, pout = rng.randint(200, 3000), rng.randint(50, 800)
                rows.append(_spend(n, t, team, team_id, alias, rng.choice(users), model, base,
                                   prov, pin, pout, round((pin + pout) / 1000 * price, 6)))  # fmt: skip
    # the last three days: HR starts using the research assistant's key, on a new model
    for day in range(25, 28):
        for _ in range(4):
            n += 1
            t = START + dt.timedelta(days=day, seconds=rng.randint(9 * 3600, 17 * 3600))
            rows.append(_spend(n, t, "hr", "team-hr", "research-assistant", "bob@example.com",
                               "gpt-4.1", "https://api.openai.com/v1", "openai", 2500, 600, 0.0124))  # fmt: skip
    rows.sort(key=lambda r: r["startTime"])
    return rows


def _spend(n, t, team, team_id, alias, user, model, base, prov, pin, pout, cost) -> dict:
    return {
        "request_id": f"chatcmpl-demo{n:05d}",
        "call_type": "acompletion",
        "api_key": f"{n * 7919:064x}"[-64:],
        "spend": cost,
        "total_tokens": pin + pout,
        "prompt_tokens": pin,
        "completion_tokens": pout,
        "startTime": _iso(t),
        "endTime": _iso(t + dt.timedelta(seconds=2)),
        "model": model,
        "model_group": model,
        "custom_llm_provider": prov,
        "api_base": base,
        "user": user,
        "team_id": team_id,
        "end_user": "",
        "metadata": {
            "user_api_key_alias": alias,
            "user_api_key_team_id": team_id,
            "user_api_key_team_alias": team,
            "user_api_key_user_id": user,
        },
        "cache_hit": "False",
        "request_tags": [],
        "status": "success",
    }


def otel() -> dict:
    rng = random.Random(1818)

    def a(k, v):
        if isinstance(v, int):
            return {"key": k, "value": {"intValue": str(v)}}
        return {"key": k, "value": {"stringValue": v}}

    spans = []
    for day in range(0, 28, 2):
        t = START + dt.timedelta(days=day, hours=10)
        for i in range(3):
            start = int((t + dt.timedelta(minutes=7 * i)).timestamp() * 1e9)
            spans.append(
                {
                    "traceId": f"{day:04d}{i:04d}" + "5b8efff798038103d269b633",
                    "spanId": f"{day:04d}{i:04d}c3c1b175",
                    "name": "chat anthropic.claude-3-haiku",
                    "kind": 3,
                    "startTimeUnixNano": str(start),
                    "endTimeUnixNano": str(start + 900_000_000),
                    "attributes": [
                        a("gen_ai.operation.name", "chat"),
                        a("gen_ai.provider.name", "aws.bedrock"),
                        a("gen_ai.request.model", "anthropic.claude-3-haiku-20240307-v1:0"),
                        a("gen_ai.usage.input_tokens", rng.randint(300, 1500)),
                        a("gen_ai.usage.output_tokens", rng.randint(50, 400)),
                    ],
                }
            )
    resource = {"attributes": [a("service.name", "support-bot"), a("cloud.region", "eu-central-1")]}
    return {
        "resourceSpans": [
            {
                "resource": resource,
                "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.botocore"}, "spans": spans}],
            }
        ]
    }  # fmt: skip


def main() -> None:
    (HERE / "workspace-token-activity.json").write_text(json.dumps(workspace(), indent=1) + "\n")
    (HERE / "entra-audit-consents.json").write_text(json.dumps(entra(), indent=1) + "\n")
    (HERE / "litellm-spend-logs.jsonl").write_text(
        "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in litellm())
    )
    (HERE / "otel-genai-traces.json").write_text(json.dumps(otel(), indent=1) + "\n")


if __name__ == "__main__":
    main()

"""One positive and one negative case per LLMjacking rule (reference 4.2)."""

from itertools import count

import pytest

from discovery.engine import llmjacking as lj
from discovery.engine.parsers.records import CloudEvent

T0 = 1714990000.0
USER = "arn:aws:iam::111122223333:user/ci-deployer"
KEY = "AKIAIOSFODNN7EXAMPLE"
_ids = count(1)


def ev(
    name,
    t=0.0,
    *,
    source="bedrock.amazonaws.com",
    region="us-east-1",
    err="",
    principal=USER,
    key=KEY,
    ip="203.0.113.77",
    model="anthropic.claude-v2",
    itype="IAMUser",
    params=None,
    bearer=False,
):
    return CloudEvent(
        event_id=f"e{next(_ids)}",
        ts=T0 + t,
        event_source=source,
        event_name=name,
        region=region,
        principal=principal,
        arn=principal if principal.startswith("arn:") else "",
        access_key_id=key,
        identity_type=itype,
        source_ip=ip,
        error_code=err,
        model_id=model if name in lj.INVOKE_EVENTS else "",
        params=params or {},
        bearer_token=bearer,
    )


SEEN = {"principals_seen": [USER], "key_ips": {KEY: ["203.0.113.77"]}}


def rules(events, allowlist=frozenset(), history=None):
    return [d.rule_id for d in lj.detect(events, allowlist=set(allowlist), history=history)]


def test_l1_probe_sequence_from_new_principal():
    events = [
        ev("GetCallerIdentity", 0, source="sts.amazonaws.com"),
        ev("ListFoundationModels", 60),
        ev("InvokeModel", 120, err="ValidationException"),
    ]
    dets = [d for d in lj.detect(events, allowlist=set(), history=None) if d.rule_id == "L1"]
    assert len(dets) == 1
    d = dets[0]
    assert d.severity == "high" and d.principal == USER and d.source_ip == "203.0.113.77"
    assert "sequence" in d.summary
    assert d.event_ids == [e.event_id for e in events]
    assert d.first_ts < d.last_ts and d.regions == ["us-east-1"]


def test_l1_multi_region_probe_by_known_principal():
    events = [
        ev("InvokeModel", 0, err="ValidationException"),
        ev("InvokeModel", 30, region="us-west-2", err="ValidationException"),
    ]
    assert "L1" in rules(events, history=SEEN)


def test_l1_negative_single_probe_by_known_principal():
    events = [ev("InvokeModel", 0, err="ValidationException")]
    assert "L1" not in rules(events, history=SEEN)


def test_l1_negative_probes_far_apart_in_two_regions():
    events = [
        ev("InvokeModel", 0, err="ValidationException"),
        ev("InvokeModel", 3600, region="us-west-2", err="ValidationException"),
    ]
    assert "L1" not in rules(events, history=SEEN)


def test_l2_denied_invocations_and_negative():
    assert "L2" in rules([ev("InvokeModel", 0, err="AccessDeniedException")], history=SEEN)
    assert "L2" not in rules([ev("InvokeModel", 0, err="ThrottlingException")], history=SEEN)


def test_l3_listing_failures_threshold():
    many = [ev("ListFoundationModels", i, err="AccessDenied") for i in range(10)]
    few = [ev("ListFoundationModels", i, err="AccessDenied") for i in range(9)]
    assert "L3" in rules(many, history=SEEN)
    assert "L3" not in rules(few, history=SEEN)


def test_l4_multi_region_sweep():
    sweep = [
        ev("ListFoundationModels", i * 60, region=r)
        for i, r in enumerate(["us-east-1", "us-west-2", "eu-west-3"])
    ]
    slow = [
        ev("ListFoundationModels", i * 1200, region=r)
        for i, r in enumerate(["us-east-1", "us-west-2", "eu-west-3"])
    ]
    assert "L4" in rules(sweep, history=SEEN)
    assert "L4" not in rules(slow, history=SEEN)


def test_l5_enumerate_then_invoke_with_long_term_key_only():
    seq = [ev("ListFoundationModels", 0), ev("InvokeModel", 300)]
    assert "L5" in rules(seq, history=SEEN)
    temp = [
        ev("ListFoundationModels", 0, key="ASIAEXAMPLE"),
        ev("InvokeModel", 300, key="ASIAEXAMPLE"),
    ]
    assert "L5" not in rules(temp, history=SEEN)


def test_l6_logging_recon_low_alone_high_with_invoke():
    alone = lj.detect(
        [ev("GetModelInvocationLoggingConfiguration", 0)], allowlist=set(), history=SEEN
    )
    assert [(d.rule_id, d.severity) for d in alone] == [("L6", "low")]
    both = lj.detect(
        [ev("GetModelInvocationLoggingConfiguration", 0), ev("InvokeModel", 600)],
        allowlist=set(),
        history=SEEN,
    )
    assert ("L6", "high") in [(d.rule_id, d.severity) for d in both]


def test_l6_negative_for_allowlisted_admin_role():
    role = "arn:aws:sts::111122223333:assumed-role/BedrockAdmin/ops"
    e = ev("GetModelInvocationLoggingConfiguration", 0, principal=role, key="ASIAX")
    assert rules([e], allowlist={"BedrockAdmin"}, history=SEEN) == []


def test_l7_delete_is_high_even_for_allowlisted_and_put_is_medium():
    dets = lj.detect(
        [ev("DeleteModelInvocationLoggingConfiguration", 0)], allowlist={USER}, history=SEEN
    )
    assert [(d.rule_id, d.severity) for d in dets] == [("L7", "high")]
    put = lj.detect(
        [ev("PutModelInvocationLoggingConfiguration", 0)], allowlist=set(), history=SEEN
    )
    assert ("L7", "medium") in [(d.rule_id, d.severity) for d in put]
    assert "L7" not in rules(
        [ev("PutModelInvocationLoggingConfiguration", 0)], allowlist={USER}, history=SEEN
    )


@pytest.mark.parametrize(
    "name",
    ["PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"],
)
def test_l8_model_enablement(name):
    assert "L8" in rules([ev(name, 0, err="AccessDeniedException")], history=SEEN)
    assert "L8" not in rules([ev(name, 0)], allowlist={KEY}, history=SEEN)


def test_l9_api_diversity_over_threshold_only():
    names = sorted(lj.PROWLER_NAMES)
    six = [ev(n, i * 60) for i, n in enumerate(names[:6])]  # 6/14 = 0.43 > 0.4
    five = [ev(n, i * 60) for i, n in enumerate(names[:5])]  # 5/14 = 0.36
    assert "L9" in rules(six, history=SEEN)
    assert "L9" not in rules(five, history=SEEN)
    no_arn = [ev(n, i * 60, principal=KEY) for i, n in enumerate(names[:6])]
    assert "L9" not in rules(no_arn, history=SEEN)


def test_l10_identity_check_from_new_ip_then_bedrock():
    seq = [
        ev("GetCallerIdentity", 0, source="sts.amazonaws.com", ip="198.51.100.9"),
        ev("ListFoundationModels", 120, ip="198.51.100.9"),
    ]
    assert "L10" in rules(seq, history=SEEN)
    known_ip = [
        ev("GetCallerIdentity", 0, source="sts.amazonaws.com"),
        ev("ListFoundationModels", 120),
    ]
    assert "L10" not in rules(known_ip, history=SEEN)
    late = [
        ev("GetCallerIdentity", 0, source="sts.amazonaws.com", ip="198.51.100.9"),
        ev("ListFoundationModels", 1200, ip="198.51.100.9"),
    ]
    assert "L10" not in rules(late, history=SEEN)


def test_l11_bedrock_api_keys():
    iam = "iam.amazonaws.com"
    found = lj.detect(
        [
            ev(
                "CreateServiceSpecificCredential",
                0,
                source=iam,
                params={"serviceName": "bedrock.amazonaws.com"},
            ),
            ev("CreateAccessKey", 10, source=iam, params={"userName": "BedrockAPIKey-ab12"}),
            ev("InvokeModel", 20, bearer=True, ip="198.51.100.99"),
        ],
        allowlist=set(),
        history=SEEN,
    )
    sev = sorted(d.severity for d in found if d.rule_id == "L11")
    assert sev == ["critical", "high", "medium"]
    other = [
        ev(
            "CreateServiceSpecificCredential",
            0,
            source=iam,
            params={"serviceName": "codecommit.amazonaws.com"},
        )
    ]
    assert "L11" not in rules(other, history=SEEN)


def test_l11_known_ips_belong_to_their_own_key():
    """An address another principal's key uses is still unknown for this key."""
    other = "arn:aws:iam::111122223333:user/build-bot"
    history = {
        "principals_seen": [USER, other],
        "key_ips": {KEY: ["203.0.113.77"], "AKIAOTHERKEY0000": ["198.51.100.99"]},
    }
    found = lj.detect(
        [
            ev("InvokeModel", 0, bearer=True, ip="203.0.113.77"),
            ev("InvokeModel", 10, bearer=True, ip="198.51.100.99"),
            ev("InvokeModel", 20, bearer=True, ip="198.51.100.99"),
        ],
        allowlist=set(),
        history=history,
    )
    bearer = [d for d in found if d.rule_id == "L11"]
    assert len(bearer) == 1 and "198.51.100.99" in bearer[0].summary


def test_l12_first_use_spike_and_new_model():
    first = rules([ev("InvokeModel", 0)], history={"principals_seen": []})
    assert "L12" in first
    assert "L12" not in rules([ev("InvokeModel", 0)], history=SEEN)
    spike = [ev("InvokeModel", i) for i in range(51)]
    dets = lj.detect(spike, allowlist=set(), history=SEEN)
    assert [d.name for d in dets if d.rule_id == "L12"] == ["Invocation spike"]
    calm = [ev("InvokeModel", i) for i in range(50)]
    assert "L12" not in rules(calm, history=SEEN)
    hist = dict(SEEN, models_seen=["amazon.titan-text"])
    names = [d.name for d in lj.detect([ev("InvokeModel", 0)], allowlist=set(), history=hist)]
    assert names == ["New model"]


def test_l13_root_and_quarantined_key():
    root = ev("ListFoundationModels", 0, principal="arn:aws:iam::111122223333:root", itype="Root")
    dets = lj.detect([root], allowlist={"arn:aws:iam::111122223333:root"}, history=SEEN)
    assert [(d.rule_id, d.severity) for d in dets] == [("L13", "critical")]
    quarantined = [
        ev(
            "AttachUserPolicy",
            0,
            source="iam.amazonaws.com",
            principal="arn:aws:iam::111122223333:user/admin",
            params={
                "userName": "ci-deployer",
                "policyArn": "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2",
            },
        ),
        ev("ListFoundationModels", 60),
    ]
    assert "L13" in rules(quarantined, history=SEEN)
    assert "L13" not in rules([ev("ListFoundationModels", 60)], history=SEEN)


def test_duplicate_event_ids_are_counted_once():
    e = ev("InvokeModel", 0, err="AccessDeniedException")
    dets = lj.detect([e, e], allowlist=set(), history=SEEN)
    assert [d.event_ids for d in dets if d.rule_id == "L2"] == [[e.event_id]]

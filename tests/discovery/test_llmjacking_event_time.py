"""LLMjacking engine by event time: 'new' is judged over the 30 days before each event, the
learning period caps first-use style rules at info, baseline principals stay quiet, every
sub-detection has its own key and techniques, and summaries count each event once."""

from datetime import UTC, datetime

from discovery.engine import llmjacking as lj
from discovery.engine.llmjacking.core import DAY, HOUR
from tests.discovery.test_llmjacking import KEY, T0, USER, ev

APP = "arn:aws:sts::111122223333:assumed-role/app-bot/i-1"


def keys(dets, principal=USER):
    return sorted({d.key for d in dets if d.principal == principal})


def test_a_principal_idle_for_more_than_30_days_is_new_again():
    calls = [ev("InvokeModel", 0), ev("InvokeModel", 5 * DAY), ev("InvokeModel", 40 * DAY)]
    first = [d for d in lj.detect(calls, allowlist=set()) if d.key == "L12.first_use"]
    assert [d.first_ts.timestamp() - T0 for d in first] == [0, 40 * DAY]


def test_the_result_does_not_depend_on_the_order_events_are_given_in():
    calls = [ev("InvokeModel", i * HOUR, model=f"m{i % 3}") for i in range(30)]
    calls += [ev("InvokeModel", 3 * HOUR, err="ValidationException", region=r) for r in ("a", "b")]
    forward = lj.detect(calls, allowlist=set())
    backward = lj.detect(list(reversed(calls)), allowlist=set())
    assert [(d.key, d.severity, d.event_ids) for d in forward] == [
        (d.key, d.severity, d.event_ids) for d in backward
    ]


def test_first_use_style_rules_are_info_during_the_learning_period():
    until = T0 + 14 * DAY
    during = lj.detect([ev("InvokeModel", DAY)], allowlist=set(), learning_until=until)
    assert [(d.key, d.severity, d.learning) for d in during] == [("L12.first_use", "info", True)]
    after = lj.detect([ev("InvokeModel", 20 * DAY)], allowlist=set(), learning_until=until)
    assert [(d.key, d.severity, d.learning) for d in after] == [("L12.first_use", "medium", False)]


def test_probes_enablement_and_logging_checks_alert_during_the_learning_period():
    until = T0 + 14 * DAY
    calls = [
        ev("InvokeModel", 0, err="ValidationException"),
        ev("PutUseCaseForModelAccess", 10),
        ev("GetModelInvocationLoggingConfiguration", 20),
        ev("DeleteModelInvocationLoggingConfiguration", 30),
    ]
    sev = {d.key: d.severity for d in lj.detect(calls, allowlist=set(), learning_until=until)}
    assert sev["L1"] == "high" and sev["L8"] == "high" and sev["L7.delete"] == "high"
    assert sev["L6"] == "low"


def test_steady_use_before_the_window_ends_makes_a_baseline_principal():
    until = T0 + 14 * DAY
    steady = [ev("InvokeModel", d * DAY, principal=APP, key="ASIAAPP") for d in range(3)]
    # after 40 idle days it is "new" again, but a baseline principal stays at info
    late = ev("InvokeModel", 45 * DAY, principal=APP, key="ASIAAPP")
    dets = lj.detect([*steady, late], allowlist=set(), learning_until=until)
    last = [d for d in dets if d.key == "L12.first_use" and d.first_ts.timestamp() == late.ts]
    assert [(d.severity, d.baseline) for d in last] == [("info", True)]
    once = [ev("InvokeModel", DAY), ev("InvokeModel", 45 * DAY)]
    dets = lj.detect(once, allowlist=set(), learning_until=until)
    assert [d.severity for d in dets if d.first_ts.timestamp() == T0 + 45 * DAY] == ["medium"]


def test_a_model_new_to_a_known_principal_is_its_own_sub_detection():
    calls = [ev("InvokeModel", 0, model="m1"), ev("InvokeModel", HOUR, model="m2")]
    dets = lj.detect(calls, allowlist=set())
    assert keys(dets) == ["L12.first_use", "L12.new_model"]
    assert [d.techniques for d in dets if d.key == "L12.new_model"] == [["T1496"]]


def test_spike_is_judged_against_the_principals_own_hourly_p99():
    busy = [ev("InvokeModel", d * DAY + i) for d in range(10) for i in range(60)]
    spike_hour = [ev("InvokeModel", 10 * DAY + i) for i in range(61)]
    at = datetime.fromtimestamp(T0 + 10 * DAY, tz=UTC)

    def spikes(dets):
        return [d.first_ts for d in dets if d.key == "L12.spike"]

    # 61 in an hour is normal for a principal that did 60 an hour on each of 10 days (its first
    # busy hours, before the p99 has enough history, are spikes)
    busy_spikes = spikes(lj.detect([*busy, *spike_hour], allowlist=set()))
    assert at not in busy_spikes and busy_spikes[0] == datetime.fromtimestamp(T0, tz=UTC)
    quiet = [ev("InvokeModel", d * DAY) for d in range(10)]
    assert spikes(lj.detect([*quiet, *spike_hour], allowlist=set())) == [at]


def test_every_sub_detection_has_techniques_and_its_own_key():
    for key, techniques in lj.TECHNIQUES.items():
        assert techniques and all(t.startswith("T1") for t in techniques), key
    assert lj.TECHNIQUES["L1"][0] == "T1078.004" and "T1496" in lj.TECHNIQUES["L1"]
    assert lj.TECHNIQUES["L7.delete"] == ("T1562.008",)


def test_summaries_count_a_shared_event_once_and_show_totals():
    probe = [ev("InvokeModel", i * 60, err="ValidationException", region=r)
             for i, r in enumerate(["us-east-1", "us-west-2", "eu-west-3"])]  # fmt: skip
    later = [ev("InvokeModel", DAY + i * 60, err="ValidationException", region="us-east-1",
                ip="203.0.113.9") for i in range(5)]  # fmt: skip
    events = [*probe, *later]
    dets = lj.detect(events, allowlist=set())
    sums = {s.key: s for s in lj.summarise(dets, {e.event_id: e for e in events})}
    l1 = sums["L1"]
    assert l1.episodes == 2 and l1.events == 8
    assert l1.regions == ["eu-west-3", "us-east-1", "us-west-2"]
    assert l1.source_ips == ["203.0.113.77", "203.0.113.9"]
    assert l1.first_ts == datetime.fromtimestamp(T0, tz=UTC)
    assert l1.title.startswith("Invoke probe [L1 · T1078.004, T1526, T1496]: ")
    assert "(8 events, 3 regions, 1 model," in l1.title
    assert l1.evidence()["events_total"] == 8 and l1.evidence()["access_key_ids"] == [KEY]
    assert all("raw_ref" not in s for s in l1.sample_events)
    assert l1.dedupe_key == f"llmjacking:L1:{USER}"

"""cloudwatch_metric_math_alarm and cloudwatch_composite_alarm against the emulator (CloudWatch alarms in the
emulator: ext/cloudwatch_alarms.py): refusals before any call, check mode without mutating calls, diff, create,
a second run without change, an update, AWS's refusal of a rule naming a missing alarm, delete in order."""
from tests.integration.harness import run_module

REGION = "us-west-2"
LB = "app/alb-mm-primary-region/0123456789abcdef"


def _query(query_id, metric):
    return {"id": query_id, "metric_stat": {"metric": {"namespace": "AWS/ApplicationELB", "metric_name": metric,
                                                       "dimensions": {"LoadBalancer": LB}},
                                            "period": 60, "stat": "Sum"}}


RATE = {"name": "mm-rate", "comparison": "GreaterThanThreshold", "threshold": 5, "evaluation_periods": 2,
        "treat_missing_data": "notBreaching", "description": "5XX rate",
        "metrics": [_query("target5xx", "HTTPCode_Target_5XX_Count"), _query("elb5xx", "HTTPCode_ELB_5XX_Count"),
                    _query("requests", "RequestCount"),
                    {"id": "rate", "expression": "100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests",
                     "label": "5XX %", "return_data": True}]}
COMPOSITE = {"name": "mm-region", "alarm_rule": 'ALARM("mm-rate")', "description": "the region"}


def _run(aws, module, args, **kwargs):
    return run_module(module, args, aws.env(), region=REGION, **kwargs)


def test_alarms_check_mode_create_idempotent_update_and_delete(aws):
    cw = aws.client("cloudwatch", REGION)
    mark = aws.control.last_seq()
    refused = _run(aws, "cloudwatch_metric_math_alarm",
                   dict(RATE, metrics=[dict(q, return_data=True) for q in RATE["metrics"]]))
    assert refused.get("failed") and "exactly one query must have return_data" in refused["msg"], refused
    refused = _run(aws, "cloudwatch_composite_alarm", dict(COMPOSITE, alarm_rule="ALARM(mm-rate) AND"))
    assert refused.get("failed") and "alarm_rule" in refused["msg"], refused
    assert aws.control.calls(since=mark) == []  # refused before any call, reads included

    plan = _run(aws, "cloudwatch_metric_math_alarm", RATE, check=True, diff=True)
    assert plan["changed"] and plan["diff"]["before"] == {}, plan
    assert plan["diff"]["after"]["Metrics"][3]["Expression"].startswith("100 *")
    assert aws.control.mutating_calls(since=mark) == []

    created = _run(aws, "cloudwatch_metric_math_alarm", RATE)
    assert created["changed"] and created["alarm"]["threshold"] == 5.0, created
    composite = _run(aws, "cloudwatch_composite_alarm", COMPOSITE, diff=True)
    assert composite["changed"] and composite["alarm"]["alarm_rule"] == 'ALARM("mm-rate")', composite

    mark = aws.control.last_seq()
    for module, args in (("cloudwatch_metric_math_alarm", RATE), ("cloudwatch_composite_alarm", COMPOSITE)):
        again = _run(aws, module, args)
        assert not again["changed"] and again["changes"] == [], again
    assert aws.control.mutating_calls(since=mark) == []

    updated = _run(aws, "cloudwatch_composite_alarm", dict(COMPOSITE, alarm_rule='ALARM("mm-rate") OR FALSE'),
                   diff=True)
    assert updated["changed"] and updated["changes"] == ["AlarmRule"], updated
    assert updated["diff"]["before"]["AlarmRule"] == 'ALARM("mm-rate")'
    (stored,) = cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    assert stored["AlarmRule"] == 'ALARM("mm-rate") OR FALSE' and stored["AlarmDescription"] == "the region"

    missing = _run(aws, "cloudwatch_composite_alarm", dict(COMPOSITE, name="mm-other", alarm_rule="ALARM(nope)"))
    assert missing.get("failed") and "do not exist" in missing["msg"], missing

    clash = _run(aws, "cloudwatch_composite_alarm", dict(COMPOSITE, name="mm-rate", alarm_rule="TRUE"))
    assert clash.get("failed") and "is a metric alarm" in clash["msg"], clash

    # the composite alarm first (AWS refuses to delete an alarm a composite alarm depends on), then its alarm
    blocked = _run(aws, "cloudwatch_metric_math_alarm", {"name": "mm-rate", "state": "absent"})
    assert blocked.get("failed") and "composite" in blocked["msg"], blocked
    plan = _run(aws, "cloudwatch_composite_alarm", {"name": "mm-region", "state": "absent"}, check=True)
    assert plan["changed"] and cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    for module, name in (("cloudwatch_composite_alarm", "mm-region"), ("cloudwatch_metric_math_alarm", "mm-rate")):
        gone = _run(aws, module, {"name": name, "state": "absent"})
        assert gone["changed"] and gone["alarm"] == {}, gone
        assert not _run(aws, module, {"name": name, "state": "absent"})["changed"]
    assert cw.describe_alarms(AlarmTypes=["CompositeAlarm", "MetricAlarm"])["MetricAlarms"] == []

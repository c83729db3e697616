"""cloudwatch_composite_alarm / cloudwatch_metric_math_alarm: input checks, requests, the plan on alarms shaped as
DescribeAlarms returns them (API_DescribeAlarms.html, CompositeAlarm and MetricAlarm data types)."""
import datetime

import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import cloudwatch_alarm as cwa

STAMP = datetime.datetime(2026, 12, 1, 22, 15, 30, tzinfo=datetime.timezone.utc)

# A CompositeAlarms entry of DescribeAlarms, every field the API reference lists for CompositeAlarm.
DESCRIBED_COMPOSITE = {
    "ActionsEnabled": True, "AlarmActions": [], "AlarmArn": "arn:aws:cloudwatch:us-west-2:123456789012:alarm:region",
    "AlarmConfigurationUpdatedTimestamp": STAMP, "AlarmDescription": "d", "AlarmName": "region",
    "AlarmRule": "ALARM(a) OR ALARM(\"b\")", "InsufficientDataActions": [], "OKActions": [],
    "StateReason": "arbitrary text", "StateReasonData": "{}", "StateUpdatedTimestamp": STAMP,
    "StateValue": "OK", "StateTransitionedTimestamp": STAMP, "ActionsSuppressedBy": "None",
    "ActionsSuppressedReason": "",
}

COMPOSITE_PARAMS = {"name": "region", "state": "present", "alarm_rule": "ALARM(a) OR ALARM(\"b\")",
                    "description": "d", "actions_enabled": True, "alarm_actions": [], "ok_actions": [],
                    "insufficient_data_actions": []}


def _lb(metric, query_id):
    return {"id": query_id, "metric_stat": {
        "metric": {"namespace": "AWS/ApplicationELB", "metric_name": metric,
                   "dimensions": {"LoadBalancer": "app/alb/1", "AvailabilityZone": "us-west-2a"}},
        "period": 60, "stat": "Sum"}}


MATH_PARAMS = {"name": "rate", "state": "present", "comparison": "GreaterThanThreshold", "threshold": 5,
               "evaluation_periods": 2, "datapoints_to_alarm": None, "treat_missing_data": "notBreaching",
               "description": None, "actions_enabled": True, "alarm_actions": [], "ok_actions": [],
               "insufficient_data_actions": [],
               "metrics": [_lb("HTTPCode_ELB_5XX_Count", "errors"), _lb("RequestCount", "requests"),
                           {"id": "rate", "expression": "100 * FILL(errors, 0) / requests", "label": "5XX %",
                            "return_data": True}]}


def _described_query(metric, query_id):
    # as DescribeAlarms answers: dimensions in the order AWS keeps, ReturnData false spelled out
    return {"Id": query_id, "ReturnData": False, "MetricStat": {
        "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": metric,
                   "Dimensions": [{"Name": "LoadBalancer", "Value": "app/alb/1"},
                                  {"Name": "AvailabilityZone", "Value": "us-west-2a"}]},
        "Period": 60, "Stat": "Sum"}}


DESCRIBED_MATH = {
    "AlarmName": "rate", "AlarmArn": "arn:aws:cloudwatch:us-west-2:123456789012:alarm:rate",
    "AlarmConfigurationUpdatedTimestamp": STAMP, "ActionsEnabled": True, "OKActions": [], "AlarmActions": [],
    "InsufficientDataActions": [], "StateValue": "INSUFFICIENT_DATA", "StateReason": "Unchecked: Initial alarm creation",
    "StateUpdatedTimestamp": STAMP, "Dimensions": [], "EvaluationPeriods": 2, "Threshold": 5.0,
    "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
    "Metrics": [_described_query("HTTPCode_ELB_5XX_Count", "errors"), _described_query("RequestCount", "requests"),
                {"Id": "rate", "Expression": "100 * FILL(errors, 0) / requests", "Label": "5XX %",
                 "ReturnData": True}],
    "StateTransitionedTimestamp": STAMP,
}


# ------------------------------------------------------------------ the rule

@pytest.mark.parametrize("rule", [
    "ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh)",
    "ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)",
    "(ALARM(a) OR ALARM(b)) AND OK(\"c d\") AND NOT INSUFFICIENT_DATA(arn:aws:cloudwatch:us-west-2:1:alarm:e)",
    "TRUE", "FALSE", "NOT (TRUE)",
])
def test_documented_rules_are_accepted(rule):
    cwa.check_rule(rule)


@pytest.mark.parametrize("rule", ["", "ALARM(a) AND", "ALARM(a) ALARM(b)", "(ALARM(a)", "ALARM(a))",
                                  "ALARM(a) XOR OK(b)", "ALARM()", "alarm(a)", "ALARM(a) OR " * 1000 + "TRUE"])
def test_broken_rules_are_refused_naming_the_option(rule):
    with pytest.raises(cwa.AlarmError, match="alarm_rule"):
        cwa.check_rule(rule)


def test_rule_alarms_lists_each_name_once_in_order():
    assert cwa.rule_alarms('ALARM(a) OR OK("b c") OR ALARM(a) OR INSUFFICIENT_DATA( d )') == ["a", "b c", "d"]


def test_composite_refuses_naming_itself_and_bad_actions_before_any_call():
    with pytest.raises(cwa.AlarmError, match="itself"):
        cwa.check_composite(dict(COMPOSITE_PARAMS, alarm_rule="ALARM(region)"))
    with pytest.raises(cwa.AlarmError, match="alarm_actions must be ARNs"):
        cwa.check_composite(dict(COMPOSITE_PARAMS, alarm_actions=["my-topic"]))
    with pytest.raises(cwa.AlarmError, match="ok_actions: at most 5"):
        cwa.check_composite(dict(COMPOSITE_PARAMS, ok_actions=["arn:aws:sns:us-west-2:1:t%d" % i for i in range(6)]))
    with pytest.raises(cwa.AlarmError, match="name must be"):
        cwa.check_composite(dict(COMPOSITE_PARAMS, name="x" * 256))
    cwa.check_composite({"name": "region", "state": "absent"})  # no rule needed to delete


# ------------------------------------------------------------------ composite plan

def test_unchanged_composite_alarm_plans_nothing():
    current = cwa.current_request(DESCRIBED_COMPOSITE, "composite")
    assert cwa.plan(current, cwa.composite_request(COMPOSITE_PARAMS)) == {}


def test_changed_rule_and_dropped_description_are_planned():
    current = cwa.current_request(DESCRIBED_COMPOSITE, "composite")
    wanted = cwa.composite_request(dict(COMPOSITE_PARAMS, alarm_rule="ALARM(a)", description=None))
    assert cwa.plan(current, wanted) == {"AlarmRule": ("ALARM(a) OR ALARM(\"b\")", "ALARM(a)"),
                                         "AlarmDescription": ("d", None)}
    assert "AlarmDescription" not in wanted  # PutCompositeAlarm without it: no description


def test_missing_alarm_plans_every_key():
    wanted = cwa.composite_request(COMPOSITE_PARAMS)
    assert set(cwa.plan(None, wanted)) == set(wanted)


def test_described_alarm_without_optional_fields_equals_defaults():
    described = {"AlarmName": "region", "AlarmRule": "TRUE", "AlarmArn": "arn:x", "StateValue": "OK"}
    wanted = cwa.composite_request(dict(COMPOSITE_PARAMS, alarm_rule="TRUE", description=None))
    assert cwa.plan(cwa.current_request(described, "composite"), wanted) == {}


# ------------------------------------------------------------------ metric math

def test_unchanged_metric_math_alarm_plans_nothing_whatever_the_dimension_order():
    current = cwa.current_request(DESCRIBED_MATH, "metric_math")
    assert cwa.plan(current, cwa.metric_math_request(MATH_PARAMS)) == {}


def test_changed_threshold_and_query_are_planned():
    current = cwa.current_request(DESCRIBED_MATH, "metric_math")
    params = dict(MATH_PARAMS, threshold=10, metrics=[dict(q) for q in MATH_PARAMS["metrics"]])
    params["metrics"][2] = dict(params["metrics"][2], expression="100 * errors / requests")
    assert sorted(cwa.plan(current, cwa.metric_math_request(params))) == ["Metrics", "Threshold"]


def test_described_query_without_return_data_counts_as_returned():
    described = dict(DESCRIBED_MATH, Metrics=[dict(q) for q in DESCRIBED_MATH["Metrics"]])
    del described["Metrics"][2]["ReturnData"]  # AWS's default is true
    current = cwa.current_request(described, "metric_math")
    assert cwa.plan(current, cwa.metric_math_request(MATH_PARAMS)) == {}


@pytest.mark.parametrize("change,message", [
    ({"metrics": [dict(_lb("RequestCount", "m"), return_data=False)]}, "exactly one query must have return_data"),
    ({"metrics": [{"id": "Rate", "expression": "1", "return_data": True}]}, r"metrics\[0\].id"),
    ({"metrics": [{"id": "e", "return_data": True}]}, "exactly one of expression and metric_stat"),
    ({"metrics": [{"id": "e", "expression": "1", "return_data": True}, {"id": "e", "expression": "2"}]},
     "used twice"),
    ({"comparison": "Above"}, "comparison must be one of"),
    ({"threshold": "five"}, "threshold must be a number"),
    ({"evaluation_periods": 0}, "evaluation_periods"),
    ({"datapoints_to_alarm": 3}, "datapoints_to_alarm"),
    ({"metrics": []}, "metrics must list"),
])
def test_metric_math_input_is_refused_naming_the_option(change, message):
    with pytest.raises(cwa.AlarmError, match=message):
        cwa.check_metric_math(dict(MATH_PARAMS, **change))


def test_snake_view_of_a_described_alarm():
    view = cwa.snake_view(DESCRIBED_COMPOSITE, "composite")
    assert view["alarm_rule"] == "ALARM(a) OR ALARM(\"b\")"
    assert view["ok_actions"] == [] and view["alarm_arn"].endswith(":alarm:region")
    assert view["state_value"] == "OK"
    assert cwa.snake_view(None, "composite") == {}

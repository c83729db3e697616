"""Composite alarms and metric math alarms, as the CloudWatch API Reference documents them.

- API_PutCompositeAlarm.html: AlarmRule is built from ALARM(), OK(), INSUFFICIENT_DATA() (alarm names, quoted or
  not, or ARNs), TRUE, FALSE, AND, OR, NOT and parentheses, at most 10240 characters; an alarm named in the rule
  must exist ("Could not save the composite alarm as alarms [...] in the alarm rule do not exist").
- API_DescribeAlarms.html, AlarmTypes: "If you omit this parameter, only metric alarms are returned, even if
  composite alarms exist in the account."
- API_DeleteAlarms.html: at most one composite alarm a call; an alarm a composite alarm depends on cannot be
  deleted; "If you specify an incorrect alarm name or make any other error in the operation, no alarms are
  deleted."
- API_PutMetricAlarm.html, Metrics: not together with Namespace, MetricName, Dimensions, Period, Unit,
  Statistic, ExtendedStatistic; one query with ReturnData true; API_MetricDataQuery.html: Id starts with a
  lower-case letter, one of MetricStat and Expression.
"""
import botocore.exceptions
import pytest

from tests.emulator.ext.cloudwatch_alarms import RuleError, parse_rule


def _metric_alarm(cw, name):
    cw.put_metric_alarm(AlarmName=name, Namespace="AWS/ApplicationELB", MetricName="UnHealthyHostCount",
                        Dimensions=[{"Name": "TargetGroup", "Value": "targetgroup/tg/1"},
                                    {"Name": "LoadBalancer", "Value": "app/alb/1"}],
                        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=0,
                        ComparisonOperator="GreaterThanThreshold")


def _error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_composite_alarm_is_stored_with_its_rule_and_listed_only_when_asked_for(aws):
    cw = aws.client("cloudwatch")
    _metric_alarm(cw, "a")
    _metric_alarm(cw, "b b")
    cw.put_composite_alarm(AlarmName="region", AlarmRule='ALARM(a) OR ALARM("b b")', AlarmDescription="d",
                           ActionsEnabled=False)
    plain = cw.describe_alarms()
    assert [a["AlarmName"] for a in plain["MetricAlarms"]] == ["a", "b b"]
    assert plain["CompositeAlarms"] == []
    both = cw.describe_alarms(AlarmTypes=["CompositeAlarm"])
    assert both["MetricAlarms"] == []
    (composite,) = both["CompositeAlarms"]
    assert composite["AlarmName"] == "region"
    assert composite["AlarmRule"] == 'ALARM(a) OR ALARM("b b")'
    assert composite["AlarmDescription"] == "d"
    assert composite["ActionsEnabled"] is False
    assert composite["AlarmArn"].endswith(":alarm:region")
    named = cw.describe_alarms(AlarmNames=["region"], AlarmTypes=["CompositeAlarm", "MetricAlarm"])
    assert [a["AlarmName"] for a in named["CompositeAlarms"]] == ["region"]


def test_rule_naming_a_missing_alarm_is_refused_and_nothing_is_stored(aws):
    cw = aws.client("cloudwatch")
    _metric_alarm(cw, "a")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        cw.put_composite_alarm(AlarmName="region", AlarmRule="ALARM(a) OR ALARM(gone)")
    assert _error(excinfo) == ("ValidationError", "Could not save the composite alarm as alarms [gone] in the "
                                                  "alarm rule do not exist")
    assert cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"] == []


def test_rule_may_name_an_alarm_by_arn_of_its_own_region_only(aws):
    cw = aws.client("cloudwatch")
    _metric_alarm(cw, "a")
    arn = cw.describe_alarms(AlarmNames=["a"])["MetricAlarms"][0]["AlarmArn"]
    cw.put_composite_alarm(AlarmName="ok", AlarmRule='ALARM("%s")' % arn)
    other = arn.replace(":us-west-2:", ":us-east-1:")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        cw.put_composite_alarm(AlarmName="bad", AlarmRule='ALARM("%s")' % other)
    assert _error(excinfo)[0] == "ValidationError"


@pytest.mark.parametrize("rule", ["", "ALARM(a) AND", "ALARM(a) ALARM(a)", "alarm(a)", "ALARM()", "(ALARM(a)",
                                  "ALARM(a) XOR OK(a)", 'ALARM("a)', "ALARM(a) AND " * 900 + "TRUE"])
def test_invalid_rules_are_refused(aws, rule):
    cw = aws.client("cloudwatch")
    _metric_alarm(cw, "a")
    with pytest.raises((botocore.exceptions.ClientError, botocore.exceptions.ParamValidationError)) as excinfo:
        cw.put_composite_alarm(AlarmName="region", AlarmRule=rule)
    if isinstance(excinfo.value, botocore.exceptions.ClientError):
        assert _error(excinfo)[0] == "ValidationError"
    assert cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"] == []


def test_documented_rule_forms_parse():
    assert parse_rule("ALARM(CPUUtilizationTooHigh) AND ALARM(DiskReadOpsTooHigh)") == [
        "CPUUtilizationTooHigh", "DiskReadOpsTooHigh"]
    assert parse_rule("ALARM(CPUUtilizationTooHigh) AND NOT ALARM(DeploymentInProgress)") == [
        "CPUUtilizationTooHigh", "DeploymentInProgress"]
    assert parse_rule("(ALARM(a) OR ALARM(b)) AND OK(c) AND NOT INSUFFICIENT_DATA(\"d\")") == ["a", "b", "c", "d"]
    assert parse_rule("TRUE") == []
    with pytest.raises(RuleError):
        parse_rule("AT_LEAST(2, ALARM, (a, b))")


def test_alarm_a_composite_depends_on_cannot_be_deleted_and_nothing_is_deleted(aws):
    cw = aws.client("cloudwatch")
    _metric_alarm(cw, "a")
    _metric_alarm(cw, "b")
    cw.put_composite_alarm(AlarmName="region", AlarmRule="ALARM(a)")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        cw.delete_alarms(AlarmNames=["b", "a"])
    assert _error(excinfo)[0] == "ValidationError"
    assert {a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]} == {"a", "b"}
    cw.delete_alarms(AlarmNames=["region", "a"])  # the composite with what it depends on: allowed
    assert [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]] == ["b"]
    assert cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"] == []


def test_at_most_one_composite_a_call_and_unknown_names_delete_nothing(aws):
    cw = aws.client("cloudwatch")
    _metric_alarm(cw, "a")
    cw.put_composite_alarm(AlarmName="c1", AlarmRule="ALARM(a)")
    cw.put_composite_alarm(AlarmName="c2", AlarmRule="ALARM(a)")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        cw.delete_alarms(AlarmNames=["c1", "c2"])
    assert _error(excinfo)[0] == "ValidationError"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        cw.delete_alarms(AlarmNames=["c1", "nope"])
    assert _error(excinfo)[0] == "ResourceNotFound"
    assert len(cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]) == 2


def _query(query_id, metric, return_data=False):
    return {"Id": query_id, "ReturnData": return_data,
            "MetricStat": {"Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": metric,
                                      "Dimensions": [{"Name": "LoadBalancer", "Value": "app/alb/1"}]},
                           "Period": 60, "Stat": "Sum"}}


RATE = [_query("errors", "HTTPCode_ELB_5XX_Count"), _query("requests", "RequestCount"),
        {"Id": "rate", "Expression": "100 * FILL(errors, 0) / requests", "Label": "5XX %", "ReturnData": True}]


def test_metric_math_alarm_is_stored_and_described(aws):
    cw = aws.client("cloudwatch")
    cw.put_metric_alarm(AlarmName="rate", Metrics=RATE, ComparisonOperator="GreaterThanThreshold", Threshold=5,
                        EvaluationPeriods=2, DatapointsToAlarm=2, TreatMissingData="notBreaching")
    (alarm,) = cw.describe_alarms(AlarmNames=["rate"])["MetricAlarms"]
    assert [m["Id"] for m in alarm["Metrics"]] == ["errors", "requests", "rate"]
    assert alarm["Metrics"][2]["Expression"] == "100 * FILL(errors, 0) / requests"
    assert alarm["Metrics"][0]["MetricStat"]["Metric"]["MetricName"] == "HTTPCode_ELB_5XX_Count"
    assert [m["ReturnData"] for m in alarm["Metrics"]] == [False, False, True]


@pytest.mark.parametrize("metrics,extra", [
    ([dict(q, ReturnData=True) for q in RATE], {}),                       # three ReturnData true
    ([_query("errors", "HTTPCode_ELB_5XX_Count")], {}),                   # none true
    ([{"Id": "Rate", "Expression": "1", "ReturnData": True}], {}),        # id starts upper case
    ([{"Id": "e", "ReturnData": True}], {}),                              # neither MetricStat nor Expression
    (RATE, {"Namespace": "AWS/ApplicationELB"}),                          # with a single-metric parameter
    (RATE, {"Period": 60}),
])
def test_invalid_metric_math_alarms_are_refused(aws, metrics, extra):
    cw = aws.client("cloudwatch")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        cw.put_metric_alarm(AlarmName="rate", Metrics=metrics, ComparisonOperator="GreaterThanThreshold",
                            Threshold=5, EvaluationPeriods=2, **extra)
    assert _error(excinfo)[0] == "ValidationError"
    assert cw.describe_alarms()["MetricAlarms"] == []

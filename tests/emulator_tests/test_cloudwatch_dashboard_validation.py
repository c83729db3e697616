"""PutDashboard validates the body as AWS documents it, and a rejected body changes nothing.

AWS: an invalid body fails with ``DashboardInvalidInputError`` (code
``InvalidParameterInput``, HTTP 400) listing ``dashboardValidationMessages``
``{DataPath, Message}``; the stored dashboard stays as it was.
"""
import json

import botocore.exceptions
import pytest

VALID = {
    "start": "-PT6H",
    "periodOverride": "inherit",
    "widgets": [
        {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
         "properties": {"metrics": [["AWS/EC2", "CPUUtilization", "InstanceId", "i-012345"],
                                    [".", "NetworkIn", ".", ".", {"label": "in", "period": 60, "yAxis": "right"}],
                                    [{"expression": "m1*2", "label": "twice", "id": "e1"}]],
                        "period": 300, "stat": "Average", "region": "us-east-1", "title": "EC2 Instance CPU",
                        "view": "timeSeries", "stacked": True}},
        {"type": "text", "x": 0, "y": 7, "width": 3, "height": 3, "properties": {"markdown": "Hello world"}},
    ],
}


def _widget(**overrides):
    widget = {"type": "metric", "x": 0, "y": 0, "width": 6, "height": 6,
              "properties": {"region": "us-west-2", "title": "t",
                             "metrics": [["AWS/EC2", "CPUUtilization", "InstanceId", "i-1"]]}}
    widget.update(overrides)
    return widget


def _put(aws, body, name="dash"):
    return aws.client("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=json.dumps(body))


def test_documented_example_body_is_accepted_and_stored_verbatim(aws):
    answer = _put(aws, VALID)
    assert answer["DashboardValidationMessages"] == []
    stored = aws.client("cloudwatch").get_dashboard(DashboardName="dash")
    assert json.loads(stored["DashboardBody"]) == VALID


@pytest.mark.parametrize("widget,path,message", [
    (_widget(width=25), "/widgets/0/width", "Should be <= 24"),
    (_widget(width=0), "/widgets/0/width", "Should be >= 1"),
    (_widget(x=24), "/widgets/0/x", "Should be <= 23"),
    (_widget(y=-1), "/widgets/0/y", "Should be >= 0"),
    (_widget(height=1001), "/widgets/0/height", "Should be <= 1000"),
    (_widget(height="6"), "/widgets/0/height", "Should be integer"),
    (_widget(type="graph"), "/widgets/0/type", "Should be equal to one of the allowed values"),
    ({"x": 0, "properties": {"markdown": "m"}}, "/widgets/0", "Should have required property 'type'"),
    ({"type": "text"}, "/widgets/0", "Should have required property 'properties'"),
    ({"type": "text", "properties": {}}, "/widgets/0/properties", "Should have required property 'markdown'"),
    (_widget(properties={"title": "t", "metrics": []}), "/widgets/0/properties",
     "Should have required property 'region'"),
    (_widget(properties={"region": "us-west-2", "metrics": "AWS/EC2"}), "/widgets/0/properties/metrics",
     "Should be array"),
    (_widget(properties={"region": "us-west-2", "metrics": [[".", "CPUUtilization"]]}),
     "/widgets/0/properties/metrics/0/0", "The first metric of the array cannot use the \".\" shorthand"),
    (_widget(properties={"region": "us-west-2", "metrics": [["AWS/EC2", "CPUUtilization", "InstanceId"]]}),
     "/widgets/0/properties/metrics/0", "Dimensions should be name/value pairs"),
    (_widget(properties={"region": "us-west-2", "metrics": [["AWS/EC2", 5]]}),
     "/widgets/0/properties/metrics/0/1", "Should be string"),
    (_widget(properties={"region": "us-west-2", "metrics": [["AWS/EC2", "CPU", {"period": "60"}]]}),
     "/widgets/0/properties/metrics/0/2/period", "Should be integer"),
    (_widget(properties={"region": "us-west-2", "metrics": [["AWS/EC2", "CPU", {"yAxis": "top"}]]}),
     "/widgets/0/properties/metrics/0/2/yAxis", "Should be equal to one of the allowed values"),
    (_widget(properties={"region": "us-west-2", "metrics": [[{"label": "no expression"}]]}),
     "/widgets/0/properties/metrics/0", "Should have required property 'expression'"),
    (_widget(properties={"region": "us-west-2", "view": "donut"}), "/widgets/0/properties/view",
     "Should be equal to one of the allowed values"),
])
def test_invalid_widget_is_rejected_with_its_data_path(aws, widget, path, message):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        _put(aws, {"widgets": [_widget(properties={"region": "us-west-2", "title": "ok"}), widget]})
    response = raised.value.response
    assert response["Error"]["Code"] == "InvalidParameterInput"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    expected_path = path.replace("/widgets/0", "/widgets/1", 1)
    assert {"DataPath": expected_path, "Message": message} in response["dashboardValidationMessages"]
    assert "The dashboard body is invalid, there are" in response["Error"]["Message"]
    assert expected_path in response["Error"]["Message"]


def test_modelled_exception_class_is_raised(aws):
    client = aws.client("cloudwatch")
    with pytest.raises(client.exceptions.DashboardInvalidInputError):
        _put(aws, {"widgets": [_widget(width=30)]})


@pytest.mark.parametrize("body,path", [
    ({}, ""),
    ({"widgets": {}}, "/widgets"),
    ({"widgets": [], "periodOverride": "sometimes"}, "/periodOverride"),
    ([], ""),
])
def test_invalid_top_level_is_rejected(aws, body, path):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        _put(aws, body)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterInput"
    assert path in [m["DataPath"] for m in raised.value.response["dashboardValidationMessages"]]


def test_every_error_is_listed(aws):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        _put(aws, {"widgets": [_widget(width=30, x=-1), {"type": "text", "properties": {}}]})
    paths = sorted(m["DataPath"] for m in raised.value.response["dashboardValidationMessages"])
    assert paths == ["/widgets/0/width", "/widgets/0/x", "/widgets/1/properties"]
    assert "there are 3 validation errors" in raised.value.response["Error"]["Message"]


def test_rejected_body_leaves_stored_dashboard_unchanged(aws):
    _put(aws, VALID)
    with pytest.raises(botocore.exceptions.ClientError):
        _put(aws, {"widgets": [_widget(width=99)]})
    stored = aws.client("cloudwatch").get_dashboard(DashboardName="dash")
    assert json.loads(stored["DashboardBody"]) == VALID


def test_rejected_body_does_not_create_a_dashboard(aws):
    client = aws.client("cloudwatch")
    with pytest.raises(botocore.exceptions.ClientError):
        _put(aws, {"widgets": [_widget(width=99)]}, name="never")
    assert [d["DashboardName"] for d in client.list_dashboards()["DashboardEntries"]] == []


def test_invalid_json_is_still_rejected(aws):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        aws.client("cloudwatch").put_dashboard(DashboardName="d", DashboardBody="{not json")
    assert raised.value.response["Error"]["Code"] == "InvalidParameterInput"


def test_concurrent_save_hook_lands_after_the_read_is_answered(aws):
    client = aws.client("cloudwatch")
    _put(aws, VALID)
    theirs = {"widgets": [_widget(properties={"region": "us-west-2", "title": "theirs"})]}
    aws.control.post("cloudwatch/concurrent_saves", {"region": "us-west-2", "name": "dash", "bodies": [theirs]})
    first = client.get_dashboard(DashboardName="dash")
    assert json.loads(first["DashboardBody"]) == VALID  # the reader saw the old body
    second = client.get_dashboard(DashboardName="dash")
    assert json.loads(second["DashboardBody"]) == theirs
    assert aws.control.get("cloudwatch/concurrent_saves")["pending"] == {"us-west-2/dash": 0}
    aws.control.reset()
    assert aws.control.get("cloudwatch/concurrent_saves")["pending"] == {}


# The console's "View/edit source" writes "..." for "the previous row, except the trailing values written after
# it" (rows such as ["...", {"stat": "p99"}] in console-saved dashboards kept in public repositories, e.g.
# Terraform dashboard bodies); PutDashboard accepts what the console saves. Dashboard Body Structure and Syntax
# documents "." (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html,
# "Metric Widget: Format for Each Metric in the Array"). The emulator checks the name/value pairing on the
# expanded row, and refuses either shorthand in the first row (stricter where unsure).
CONSOLE_ROWS = [
    ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", "app/alb/1", {"stat": "p50"}],
    ["...", {"stat": "p99"}],
    ["...", "app/alb/2", {"region": "us-east-1"}],
    [".", "RequestCount", ".", ".", {"stat": "Sum"}],
]


def test_console_saved_ellipsis_rows_are_accepted(aws):
    body = {"widgets": [_widget(properties={"region": "us-west-2", "title": "latency", "metrics": CONSOLE_ROWS})]}
    assert _put(aws, body)["DashboardValidationMessages"] == []
    stored = json.loads(aws.client("cloudwatch").get_dashboard(DashboardName="dash")["DashboardBody"])
    assert stored["widgets"][0]["properties"]["metrics"] == CONSOLE_ROWS


@pytest.mark.parametrize("rows,path,message", [
    ([["...", {"stat": "p99"}]], "/widgets/1/properties/metrics/0/0",
     "The first metric of the array cannot use the \"...\" shorthand"),
    ([["NS", "M", "D", "v"], ["...", "a", "b", "c", "d", "e"]], "/widgets/1/properties/metrics/1",
     "Dimensions should be name/value pairs"),
])
def test_ellipsis_rows_that_expand_to_nothing_valid_are_rejected(aws, rows, path, message):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        _put(aws, {"widgets": [_widget(properties={"region": "us-west-2", "title": "ok"}),
                               _widget(properties={"region": "us-west-2", "metrics": rows})]})
    assert {"DataPath": path, "Message": message} in raised.value.response["dashboardValidationMessages"]


ALARM_ARN = "arn:aws:cloudwatch:us-west-2:123456789012:alarm:mysfits-us-west-2-failover"


@pytest.mark.parametrize("properties,path,message", [
    ({"title": "a"}, "/widgets/0/properties", "Should have required property 'alarms'"),
    ({"alarms": []}, "/widgets/0/properties/alarms", "Should NOT have fewer than 1 items"),
    ({"alarms": [ALARM_ARN] * 101}, "/widgets/0/properties/alarms", "Should NOT have more than 100 items"),
    ({"alarms": ["mysfits-us-west-2-failover"]}, "/widgets/0/properties/alarms/0",
     "Should match pattern of an alarm ARN"),
    ({"alarms": [ALARM_ARN], "sortBy": "name"}, "/widgets/0/properties/sortBy",
     "Should be equal to one of the allowed values"),
    ({"alarms": [ALARM_ARN], "states": ["BROKEN"]}, "/widgets/0/properties/states",
     "Should be equal to one of the allowed values"),
])
def test_alarm_status_widget_properties_are_checked(aws, properties, path, message):
    """Dashboard body structure, "Alarm Status Widget Object Properties": alarms (required, 1-100 ARNs),
    sortBy (default, stateUpdatedTimestamp, timestamp), states (ALARM, INSUFFICIENT_DATA, OK), title."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        _put(aws, {"widgets": [{"type": "alarm", "properties": properties}]})
    response = raised.value.response
    assert response["Error"]["Code"] == "InvalidParameterInput"
    assert {"DataPath": path, "Message": message} in response["dashboardValidationMessages"]


def test_alarm_status_widget_with_arns_is_accepted(aws):
    answer = _put(aws, {"widgets": [{"type": "alarm", "x": 0, "y": 0, "width": 6, "height": 6, "properties": {
        "title": "us-west-2 failover alarms", "alarms": [ALARM_ARN], "sortBy": "stateUpdatedTimestamp",
        "states": ["ALARM", "OK"]}}]})
    assert answer["DashboardValidationMessages"] == []

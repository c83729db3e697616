"""cloudwatch_dashboard on a dashboard as the console saves it, "..." rows included (issue 14, item 5).

The console writes ``["...", {"stat": "p99"}]`` for "the previous metric again, other options" and
``["...", "<value>"]`` for "the previous metric with its last value replaced"; the module must see the metrics
those rows draw (no duplicate appended) and write them back as they were.
"""
import copy
import json

NAME = "MythicalMysfits-Dashboard"
LB = "app/alb-mm-primary-region/50dc6c495c0c9188"
LB2 = "app/alb-mm-secondary-region/7a1b2c3d4e5f6a7b"
CONSOLE_BODY = {"widgets": [
    {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6, "properties": {
        "title": "ALB Requests Per Minute", "region": "us-west-2", "view": "timeSeries", "stat": "Sum",
        "period": 60, "metrics": [
            ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB],
            ["...", LB2, {"region": "us-east-1"}],
            [".", "HTTPCode_Target_5XX_Count", ".", ".", {"region": "us-east-1"}]]}},
    {"type": "metric", "x": 12, "y": 0, "width": 12, "height": 6, "properties": {
        "title": "Latency", "region": "us-west-2", "view": "timeSeries", "period": 60, "metrics": [
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB, {"stat": "p50"}],
            ["...", {"stat": "p90"}],
            ["...", {"stat": "p99"}]]}},
]}


def _put(aws, body):
    aws.client("cloudwatch").put_dashboard(DashboardName=NAME, DashboardBody=json.dumps(body))


def _stored(aws):
    return json.loads(aws.client("cloudwatch").get_dashboard(DashboardName=NAME)["DashboardBody"])


def _run(module_runner, metrics):
    return module_runner("cloudwatch_dashboard", {"name": NAME, "metrics": metrics}, region="us-west-2")


def test_metrics_drawn_by_ellipsis_rows_are_not_added_again(aws, module_runner):
    _put(aws, CONSOLE_BODY)
    since = aws.control.last_seq()
    result = _run(module_runner, [
        {"widget": "ALB Requests Per Minute",
         "metric": ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB2, {"region": "us-east-1"}]},
        {"widget": "ALB Requests Per Minute",
         "metric": ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", LB2, {"region": "us-east-1"}]},
        {"widget": "Latency", "metric": ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB,
                                         {"stat": "p99"}]},
    ])
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert aws.control.mutating_calls(since) == []
    assert _stored(aws) == CONSOLE_BODY


def test_a_new_row_is_appended_and_the_console_rows_stay_as_written(aws, module_runner):
    _put(aws, CONSOLE_BODY)
    new_row = ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", "LoadBalancer", LB2, {"region": "us-east-1"}]
    result = _run(module_runner, [{"widget": "ALB Requests Per Minute", "metric": new_row}])
    assert not result.get("failed"), result
    assert result["changed"] is True
    expected = copy.deepcopy(CONSOLE_BODY)
    expected["widgets"][0]["properties"]["metrics"].append(new_row)
    assert _stored(aws) == expected
    assert _run(module_runner, [{"widget": "ALB Requests Per Minute", "metric": new_row}])["changed"] is False

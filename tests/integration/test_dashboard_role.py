"""The dashboard role against the emulator: the Lab 3 widgets from the mm_regions facts."""
import json
import os
import sys

import pytest
import yaml

from tests.integration.harness import run_playbook
from tests.integration.test_cloudwatch_dashboard import (
    NAME,
    PRIMARY_CLUSTER,
    PRIMARY_LB,
    TABLE,
    by_title,
    dashboard_names,
    lab2_body,
    overlapping,
    put_body,
    stored,
)

PRIMARY = "us-west-2"
LB_IDS = {"us-east-1": "7c2e3f9a1b4d5e6f", "eu-west-1": "0a1b2c3d4e5f6a7b"}


def region_facts(region, role):
    stack = "mm-primary-region" if role == "primary" else "mm-secondary-region"
    lb = PRIMARY_LB if role == "primary" else "app/alb-%s/%s" % (stack, LB_IDS[region])
    cluster = PRIMARY_CLUSTER if role == "primary" else "Cluster-%s" % stack
    services = ({"core": "CoreEcsService-mm-primary-region", "like": "LikeEcsService-mm-primary-region"}
                if role == "primary" else {"core": "CoreEcsService-%s" % region, "like": "LikeEcsService-%s" % region})
    outputs = {"CurrentRegion": region, "LoadBalancerFullName": lb, "EcsClusterName": cluster}
    if role == "primary":
        outputs["DynamoTable"] = TABLE
    return {"region": region, "role": role, "account": "123456789012", "stack_name": stack,
            "stack_status": "CREATE_COMPLETE", "outputs": outputs, "cluster": cluster,
            "load_balancer_dns": "%s.%s.elb.amazonaws.com" % (lb.split("/")[1], region),
            "load_balancer_full_name": lb, "target_groups": {"core": "arn:tg/core", "like": "arn:tg/like"},
            "services": services, "ecr": {}}


def mm_regions(*secondaries):
    facts = {PRIMARY: region_facts(PRIMARY, "primary")}
    for region in secondaries:
        facts[region] = region_facts(region, "secondary")
    return facts


@pytest.fixture
def run_role(aws, tmp_path):
    """run_role(secondaries, check=False, diff=False, **vars) -> (PlaybookRun, registered module result)."""
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"primary": {"hosts": {PRIMARY: {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))

    def run(secondaries=("us-east-1",), check=False, diff=False, **extra):
        out = tmp_path / "result.json"
        if out.exists():
            out.unlink()
        play = [{"hosts": "primary", "gather_facts": False,
                 "vars": dict({"mm_regions": mm_regions(*secondaries)}, **extra),
                 "roles": ["mysfits.multi_region.dashboard"],
                 "post_tasks": [{"name": "save result", "check_mode": False,
                                 "ansible.builtin.copy": {"content": "{{ dashboard_result | to_json }}",
                                                          "dest": str(out), "mode": "0600"}}]}]
        playbook = tmp_path / "play.yml"
        playbook.write_text(yaml.safe_dump(play))
        run_ = run_playbook(str(playbook), aws.env(PRIMARY), inventory=str(inventory), check=check, diff=diff)
        result = json.loads(out.read_text()) if os.path.exists(out) else None
        return run_, result
    return run


def rows_of(widget):
    """Expanded rows of a widget (the "." shorthand resolved)."""
    from ansible_collections.mysfits.multi_region.plugins.module_utils.dashboard import expand_rows
    return expand_rows(widget["properties"].get("metrics", []))


def labelled(widget):
    """{label: (metric name, dimensions, region, stat)} of a widget's rows."""
    result = {}
    for row in rows_of(widget):
        values, options = (row[:-1], row[-1]) if isinstance(row[-1], dict) else (row, {})
        result[options.get("label")] = (values[1], dict(zip(values[2::2], values[3::2])),
                                        options.get("region", widget["properties"]["region"]),
                                        options.get("stat", widget["properties"].get("stat")))
    return result


def assert_multi_region_widgets(body, regions):
    widgets = by_title(body)
    lbs = {r: region_facts(r, "primary" if r == PRIMARY else "secondary")["load_balancer_full_name"]
           for r in regions}
    requests = widgets["ALB Requests Per Minute"]
    assert requests["properties"]["stacked"] is True and requests["properties"]["view"] == "timeSeries"
    assert labelled(requests) == {r: ("RequestCount", {"LoadBalancer": lbs[r]}, r, "Sum") for r in regions}
    assert all(row[-1]["period"] == 60 for row in rows_of(requests))
    responses = widgets["ALB HTTP Responses"]
    assert responses["properties"]["stacked"] is True
    assert labelled(responses) == {"%s %s" % (r, code): ("HTTPCode_Target_%s_Count" % code, {"LoadBalancer": lbs[r]},
                                                         r, "Sum")
                                   for r in regions for code in ("2XX", "4XX", "5XX")}
    for region in regions:
        facts = region_facts(region, "primary" if region == PRIMARY else "secondary")
        for name, title in (("core", "Core"), ("like", "Like")):
            widget = widgets["%s %s Service Metrics" % (region, title)]
            assert widget["properties"]["view"] == "singleValue"
            assert widget["properties"]["region"] == region
            dims = {"ClusterName": facts["cluster"], "ServiceName": facts["services"][name]}
            assert labelled(widget) == {"%s %s CPU" % (region, title): ("CPUUtilization", dims, region, "Average"),
                                        "%s %s Memory" % (region, title): ("MemoryUtilization", dims, region,
                                                                           "Average")}
    table = labelled(widgets["DynamoDB Global Table"])
    expected = {}
    for region in regions:
        expected["%s read" % region] = ("ConsumedReadCapacityUnits", {"TableName": TABLE}, region, "Sum")
        expected["%s write" % region] = ("ConsumedWriteCapacityUnits", {"TableName": TABLE}, region, "Sum")
    for region in regions[1:]:
        expected["%s to %s replication latency" % (PRIMARY, region)] = (
            "ReplicationLatency", {"TableName": TABLE, "ReceivingRegion": region}, PRIMARY, "Average")
    assert table == expected
    header = [w for w in body["widgets"] if w["type"] == "text"]
    assert len(header) == 1
    assert all(region in header[0]["properties"]["markdown"] for region in regions)
    assert overlapping(body["widgets"]) == []


def test_lab2_dashboard_gets_every_widget_then_is_idempotent(aws, run_role):
    put_body(aws, lab2_body())
    run, result = run_role()
    assert run.rc == 0, run
    assert result["changed"] is True
    body = stored(aws)
    assert_multi_region_widgets(body, [PRIMARY, "us-east-1"])
    # Lab 2 widgets the role does not own are kept as the person saved them.
    original = by_title(lab2_body())
    for title in ("Core Service Metrics", "Like Service Metrics", "DynamoDB Read/Write"):
        assert by_title(body)[title] == original[title]

    mark = aws.control.last_seq()
    run, result = run_role()
    assert run.rc == 0, run
    assert result["changed"] is False
    assert aws.control.mutating_calls(since=mark) == []


def test_check_mode_makes_no_mutating_call(aws, run_role):
    put_body(aws, lab2_body())
    mark = aws.control.last_seq()
    run, result = run_role(check=True, diff=True)
    assert run.rc == 0, run
    assert result["changed"] is True
    assert aws.control.mutating_calls(since=mark) == []
    assert stored(aws) == lab2_body()
    assert dashboard_names(aws) == [NAME]
    assert_multi_region_widgets(json.loads(result["diff"]["after"]), [PRIMARY, "us-east-1"])


def test_hand_made_widget_keeps_properties_and_position(aws, run_role):
    body = lab2_body()
    hand = {"type": "metric", "x": 7, "y": 12, "width": 9, "height": 5,
            "properties": {"title": "Whatever a person added", "region": PRIMARY, "view": "bar",
                           "legend": {"position": "right"}, "metrics": [["Custom/App", "Orders"],
                                                                        [".", "Refunds"]]}}
    body["widgets"].append(hand)
    put_body(aws, body)
    run, _ = run_role()
    assert run.rc == 0, run
    after = stored(aws)
    assert by_title(after)["Whatever a person added"] == hand
    assert overlapping(after["widgets"]) == []


def test_backup_written_once_only_on_change(aws, run_role):
    put_body(aws, lab2_body())
    run, result = run_role()
    assert run.rc == 0, run
    assert result["backup_name"] == NAME + "-backup"
    assert stored(aws, NAME + "-backup") == lab2_body()
    backups = [c for c in aws.control.calls() if c["operation"] == "PutDashboard"]
    assert len(backups) == 3  # Lab 2 save, backup, merge
    run, result = run_role()
    assert result["changed"] is False and result["backup_name"] is None
    assert len([c for c in aws.control.calls() if c["operation"] == "PutDashboard"]) == 3
    assert dashboard_names(aws) == [NAME, NAME + "-backup"]


def test_console_shorthand_after_the_role_is_no_change(aws, run_role):
    """The role's result re-saved by the console with "." rows compares equal: no spurious change."""
    put_body(aws, lab2_body())
    run_role()
    body = stored(aws)
    for widget in body["widgets"]:
        rows = widget["properties"].get("metrics")
        if not rows:
            continue
        previous = None
        short = []
        for row in rows:
            values = row[:-1] if isinstance(row[-1], dict) else row
            tail = row[len(values):]
            if previous is not None:
                values = ["." if i < len(previous) and v == previous[i] else v for i, v in enumerate(values)]
            previous = row[:len(values)]
            short.append(values + tail)
        widget["properties"]["metrics"] = short
    assert any("." in row for w in body["widgets"] for row in w["properties"].get("metrics", []))
    put_body(aws, body)
    mark = aws.control.last_seq()
    run, result = run_role()
    assert run.rc == 0, run
    assert result["changed"] is False
    assert aws.control.mutating_calls(since=mark) == []


def test_missing_dashboard_is_created_with_lab2_and_multi_region_widgets(aws, run_role):
    run, result = run_role()
    assert run.rc == 0, run
    assert result["created"] is True and result["backup_name"] is None
    body = stored(aws)
    assert_multi_region_widgets(body, [PRIMARY, "us-east-1"])
    widgets = by_title(body)
    ddb_rows = rows_of(widgets["DynamoDB Read/Write"])
    assert [(r[1], r[3]) for r in ddb_rows] == [("ConsumedReadCapacityUnits", TABLE),
                                                ("ConsumedWriteCapacityUnits", TABLE)]
    assert widgets["DynamoDB Read/Write"]["properties"]["stat"] == "Sum"
    for title, service in (("Core Service Metrics", "CoreEcsService-mm-primary-region"),
                           ("Like Service Metrics", "LikeEcsService-mm-primary-region")):
        rows = rows_of(widgets[title])
        assert [r[1] for r in rows] == ["CPUUtilization", "MemoryUtilization"]
        assert all(dict(zip(r[2::2], r[3::2])) == {"ClusterName": PRIMARY_CLUSTER, "ServiceName": service}
                   for r in rows)
    assert dashboard_names(aws) == [NAME]


def test_two_secondary_regions_every_widget_has_both(aws, run_role):
    put_body(aws, lab2_body())
    run, result = run_role(secondaries=("us-east-1", "eu-west-1"))
    assert run.rc == 0, run
    assert_multi_region_widgets(stored(aws), [PRIMARY, "eu-west-1", "us-east-1"])
    mark = aws.control.last_seq()
    run, result = run_role(secondaries=("us-east-1", "eu-west-1"))
    assert result["changed"] is False and aws.control.mutating_calls(since=mark) == []


def test_missing_facts_fail_with_a_clear_message(aws, run_role):
    run, result = run_role(mm_regions={PRIMARY: region_facts(PRIMARY, "primary")})
    assert run.rc != 0
    assert "at least one" in run.stdout and "secondary_stack" in run.stdout
    assert aws.control.mutating_calls() == []

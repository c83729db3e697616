"""cloudwatch_dashboard through ansible-playbook against the emulator, with the call log as witness."""
import copy
import json
import re

MODULE = "cloudwatch_dashboard"
NAME = "MythicalMysfits-Dashboard"
PRIMARY_LB = "app/alb-mm-primary-region/50dc6c495c0c9188"
PRIMARY_CLUSTER = "Cluster-mm-primary-region"
TABLE = "MythicalMysfits-DDBTable"


def lab2_body(lb=PRIMARY_LB, cluster=PRIMARY_CLUSTER, core="CoreEcsService-mm-primary-region",
              like="LikeEcsService-mm-primary-region", table=TABLE, region="us-west-2"):
    """The Lab 2 dashboard as a person saves it from the console ("." shorthand, positions set)."""
    def widget(x, y, width, height, **props):
        return {"type": "metric", "x": x, "y": y, "width": width, "height": height,
                "properties": dict(props, region=region)}
    return {"widgets": [
        widget(0, 0, 12, 6, title="ALB Requests Per Minute", view="timeSeries", stacked=False, stat="Sum",
               period=60, metrics=[["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb]]),
        widget(12, 0, 12, 6, title="ALB HTTP Responses", view="timeSeries", stacked=False, stat="Sum", period=60,
               metrics=[["AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", "LoadBalancer", lb],
                        [".", "HTTPCode_Target_4XX_Count", ".", "."],
                        [".", "HTTPCode_Target_5XX_Count", ".", "."]]),
        widget(0, 6, 6, 6, title="Core Service Metrics", view="singleValue", stat="Average", period=300,
               metrics=[["AWS/ECS", "CPUUtilization", "ServiceName", core, "ClusterName", cluster],
                        [".", "MemoryUtilization", ".", ".", ".", "."]]),
        widget(6, 6, 6, 6, title="Like Service Metrics", view="singleValue", stat="Average", period=300,
               metrics=[["AWS/ECS", "CPUUtilization", "ServiceName", like, "ClusterName", cluster],
                        [".", "MemoryUtilization", ".", ".", ".", "."]]),
        widget(12, 6, 12, 6, title="DynamoDB Read/Write", view="timeSeries", stacked=True, stat="Sum", period=300,
               metrics=[["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", table],
                        [".", "ConsumedWriteCapacityUnits", ".", "."]]),
    ]}


def put_body(aws, body, name=NAME, region="us-west-2"):
    aws.client("cloudwatch", region).put_dashboard(DashboardName=name, DashboardBody=json.dumps(body))


def stored(aws, name=NAME, region="us-west-2"):
    return json.loads(aws.client("cloudwatch", region).get_dashboard(DashboardName=name)["DashboardBody"])


def dashboard_names(aws, region="us-west-2"):
    return sorted(d["DashboardName"] for d in aws.client("cloudwatch", region).list_dashboards()["DashboardEntries"])


def by_title(body):
    result = {}
    for widget in body["widgets"]:
        props = widget.get("properties", {})
        result[props.get("title") or props.get("markdown", "").splitlines()[0]] = widget
    return result


def args(**overrides):
    base = {"name": NAME, "region": "us-west-2"}
    base.update(overrides)
    return base


EAST_LB = "app/alb-mm-secondary-region/7c2e3f9a1b4d5e6f"
ALB_WIDGET = {"type": "metric", "properties": {"title": "ALB Requests Per Minute", "view": "timeSeries",
                                               "stacked": True, "region": "us-west-2", "stat": "Sum", "period": 60}}
ALB_ROWS = [
    {"widget": "ALB Requests Per Minute",
     "metric": ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", PRIMARY_LB,
                {"label": "us-west-2", "region": "us-west-2"}]},
    {"widget": "ALB Requests Per Minute",
     "metric": ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", EAST_LB,
                {"label": "us-east-1", "region": "us-east-1"}]},
]
NEW_WIDGET = {"type": "metric", "width": 12, "height": 6,
              "properties": {"title": "us-east-1 Core Service Metrics", "view": "singleValue", "region": "us-east-1",
                             "metrics": [["AWS/ECS", "CPUUtilization", "ClusterName", "Cluster-mm-secondary-region",
                                          "ServiceName", "CoreEcsService"]]}}


def overlapping(widgets):
    rects = [(w["x"], w["y"], w["width"], w["height"]) for w in widgets]
    return [(a, b) for i, a in enumerate(rects) for b in rects[i + 1:]
            if a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]]


def test_merge_updates_owned_widget_adds_new_one_and_keeps_the_rest(aws, module_runner):
    put_body(aws, lab2_body())
    result = module_runner(MODULE, args(widgets=[ALB_WIDGET, NEW_WIDGET], metrics=ALB_ROWS))
    assert not result.get("failed"), result
    assert result["changed"] and not result["created"]
    assert result["widgets_updated"] == ["ALB Requests Per Minute"]
    assert result["widgets_added"] == ["us-east-1 Core Service Metrics"]
    body = stored(aws)
    assert body == result["body"]
    widgets = by_title(body)
    alb = widgets["ALB Requests Per Minute"]
    assert (alb["x"], alb["y"], alb["width"], alb["height"]) == (0, 0, 12, 6)
    assert alb["properties"]["stacked"] is True
    assert [row[-1] for row in alb["properties"]["metrics"]] == [
        {"label": "us-west-2", "region": "us-west-2"}, {"label": "us-east-1", "region": "us-east-1"}]
    original = by_title(lab2_body())
    for title in ("ALB HTTP Responses", "Core Service Metrics", "Like Service Metrics", "DynamoDB Read/Write"):
        assert widgets[title] == original[title]  # foreign widgets written back as they were, "." included
    assert overlapping(body["widgets"]) == []


def test_second_run_is_unchanged_with_no_mutating_call(aws, module_runner):
    put_body(aws, lab2_body())
    first = module_runner(MODULE, args(widgets=[ALB_WIDGET, NEW_WIDGET], metrics=ALB_ROWS))
    assert first["changed"], first
    mark = aws.control.last_seq()
    second = module_runner(MODULE, args(widgets=[ALB_WIDGET, NEW_WIDGET], metrics=ALB_ROWS))
    assert not second.get("failed"), second
    assert second["changed"] is False
    assert aws.control.mutating_calls(since=mark) == []
    assert [c["operation"] for c in aws.control.calls(since=mark)] == ["GetDashboard"]


def test_check_mode_makes_no_mutating_call_and_diff_shows_both_bodies(aws, module_runner):
    put_body(aws, lab2_body())
    mark = aws.control.last_seq()
    result = module_runner(MODULE, args(widgets=[ALB_WIDGET], metrics=ALB_ROWS, backup=True), check=True, diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert aws.control.mutating_calls(since=mark) == []
    assert stored(aws) == lab2_body()
    assert dashboard_names(aws) == [NAME]
    assert json.loads(result["diff"]["before"]) == lab2_body()
    after = json.loads(result["diff"]["after"])
    assert by_title(after)["ALB Requests Per Minute"]["properties"]["stacked"] is True


def test_missing_dashboard_is_created_with_initial_widgets(aws, module_runner):
    initial = [w for w in lab2_body()["widgets"] if w["properties"]["title"] == "Core Service Metrics"]
    result = module_runner(MODULE, args(widgets=[NEW_WIDGET], initial_widgets=initial, backup=True))
    assert not result.get("failed"), result
    assert result["changed"] and result["created"]
    assert result["backup_name"] is None  # nothing existed to back up
    assert dashboard_names(aws) == [NAME]
    assert sorted(by_title(stored(aws))) == ["Core Service Metrics", "us-east-1 Core Service Metrics"]
    assert overlapping(stored(aws)["widgets"]) == []


def test_console_shorthand_compares_equal_to_its_expansion(aws, module_runner):
    """The HTTP widget saved with "." equals the same three rows written out in full: no change, no call."""
    put_body(aws, lab2_body())
    full_rows = [["AWS/ApplicationELB", "HTTPCode_Target_%s_Count" % code, "LoadBalancer", PRIMARY_LB]
                 for code in ("2XX", "4XX", "5XX")]
    widget = {"type": "metric", "properties": {"title": "ALB HTTP Responses", "metrics": full_rows}}
    rows = [{"widget": "Core Service Metrics",
             "metric": ["AWS/ECS", "MemoryUtilization", "ClusterName", PRIMARY_CLUSTER,
                        "ServiceName", "CoreEcsService-mm-primary-region"]}]
    mark = aws.control.last_seq()
    result = module_runner(MODULE, args(widgets=[widget], metrics=rows))
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert aws.control.mutating_calls(since=mark) == []


def test_backup_written_once_and_only_on_change(aws, module_runner):
    put_body(aws, lab2_body())
    first = module_runner(MODULE, args(widgets=[ALB_WIDGET], metrics=ALB_ROWS, backup=True))
    assert first["changed"] and first["backup_name"] == NAME + "-backup"
    assert stored(aws, NAME + "-backup") == lab2_body()
    puts = [c for c in aws.control.calls() if c["operation"] == "PutDashboard"]
    assert len(puts) == 3  # the test's own Lab 2 save, the backup, the merge
    mark = aws.control.last_seq()
    second = module_runner(MODULE, args(widgets=[ALB_WIDGET], metrics=ALB_ROWS, backup=True))
    assert second["changed"] is False and second["backup_name"] is None
    assert aws.control.mutating_calls(since=mark) == []
    assert stored(aws, NAME + "-backup") == lab2_body()
    assert dashboard_names(aws) == [NAME, NAME + "-backup"]


def test_backup_is_taken_before_the_change(aws, module_runner):
    put_body(aws, lab2_body())
    mark = aws.control.last_seq()
    module_runner(MODULE, args(widgets=[ALB_WIDGET], backup=True, backup_name="before-lab3"))
    ops = [(c["operation"]) for c in aws.control.calls(since=mark) if c["service"] == "cloudwatch"]
    # read, is there a first backup yet (no), save it, read again (a save meanwhile?), write
    assert ops == ["GetDashboard", "GetDashboard", "PutDashboard", "GetDashboard", "PutDashboard"]
    assert stored(aws, "before-lab3") == lab2_body()


def test_the_first_backup_is_the_original_dashboard_and_is_never_overwritten(aws, module_runner):
    put_body(aws, lab2_body())
    first = module_runner(MODULE, args(widgets=[ALB_WIDGET], metrics=ALB_ROWS, backup=True))
    assert first["changed"] and first["backup_name"] == NAME + "-backup"
    after_first = stored(aws)
    second = module_runner(MODULE, args(widgets=[NEW_WIDGET], backup=True))
    assert second["changed"] is True and second["backup_name"] is None, second
    assert stored(aws, NAME + "-backup") == lab2_body()
    assert stored(aws) != after_first
    assert dashboard_names(aws) == [NAME, NAME + "-backup"]


def test_every_change_keeps_the_original_and_saves_later_backups_named_apart(aws, module_runner):
    put_body(aws, lab2_body())
    module_runner(MODULE, args(widgets=[ALB_WIDGET], metrics=ALB_ROWS, backup=True, backup_mode="every_change"))
    after_first = stored(aws)
    second = module_runner(MODULE, args(widgets=[NEW_WIDGET], backup=True, backup_mode="every_change"))
    assert second["changed"] is True, second
    later = second["backup_name"]
    assert re.match(r"^%s-backup-[0-9]{8}T[0-9]{6}Z$" % NAME, later), later
    assert stored(aws, NAME + "-backup") == lab2_body()
    assert stored(aws, later) == after_first
    assert dashboard_names(aws) == sorted([NAME, NAME + "-backup", later])
    # nothing to change: no backup at all
    third = module_runner(MODULE, args(widgets=[NEW_WIDGET], backup=True, backup_mode="every_change"))
    assert third["changed"] is False and third["backup_name"] is None


def test_rejected_body_reports_the_widget_and_leaves_dashboard_unchanged(aws, module_runner):
    put_body(aws, lab2_body())
    no_region = {"type": "metric", "properties": {"title": "Broken widget",
                                                  "metrics": [["AWS/ECS", "CPUUtilization"]]}}
    result = module_runner(MODULE, args(widgets=[no_region]))
    assert result.get("failed"), result
    assert "Broken widget" in result["msg"]
    assert "Should have required property 'region'" in result["msg"]
    assert result["validation_messages"][0]["DataPath"] == "/widgets/5/properties"
    assert stored(aws) == lab2_body()


def test_bad_input_fails_before_any_call_naming_the_parameter(aws, module_runner):
    put_body(aws, lab2_body())
    mark = aws.control.last_seq()
    result = module_runner(MODULE, args(widgets=[{"type": "metric", "width": 30,
                                                  "properties": {"title": "Too wide", "region": "us-west-2"}}]))
    assert result.get("failed")
    assert "widgets[0].width" in result["msg"] and "1 to 24" in result["msg"]
    assert aws.control.calls(since=mark) == []


def test_rows_for_an_unknown_widget_fail_before_any_write(aws, module_runner):
    put_body(aws, lab2_body())
    mark = aws.control.last_seq()
    result = module_runner(MODULE, args(metrics=[{"widget": "No such widget", "metric": ["NS", "M"]}]))
    assert result.get("failed")
    assert "'No such widget'" in result["msg"] and "metrics" in result["msg"]
    assert aws.control.mutating_calls(since=mark) == []


def test_absent_widgets_are_removed_and_absent_state_deletes(aws, module_runner):
    put_body(aws, lab2_body())
    result = module_runner(MODULE, args(absent_widgets=["Like Service Metrics"]))
    assert result["changed"] and result["widgets_removed"] == ["Like Service Metrics"]
    assert "Like Service Metrics" not in by_title(stored(aws))
    gone = module_runner(MODULE, args(state="absent"))
    assert gone["changed"] and dashboard_names(aws) == []
    mark = aws.control.last_seq()
    again = module_runner(MODULE, args(state="absent"))
    assert again["changed"] is False and aws.control.mutating_calls(since=mark) == []


def _someone_saves(aws, *bodies):
    aws.control.post("cloudwatch/concurrent_saves", {"region": "us-west-2", "name": NAME, "bodies": list(bodies)})


def test_save_between_read_and_write_is_merged_not_overwritten(aws, module_runner):
    """A person saves (adds a widget) right after the module's first read: the module re-reads,
    merges again on their body and writes; their widget survives, ours is added."""
    put_body(aws, lab2_body())
    theirs = lab2_body()
    theirs["widgets"].append({"type": "text", "x": 0, "y": 12, "width": 24, "height": 2,
                              "properties": {"markdown": "Saved by a person meanwhile"}})
    _someone_saves(aws, theirs)
    result = module_runner(MODULE, args(widgets=[ALB_WIDGET, NEW_WIDGET], metrics=ALB_ROWS))
    assert not result.get("failed"), result
    assert result["changed"] and result["replanned"] is True
    widgets = by_title(stored(aws))
    assert widgets["Saved by a person meanwhile"] == theirs["widgets"][-1]
    assert "us-east-1 Core Service Metrics" in widgets
    assert widgets["ALB Requests Per Minute"]["properties"]["stacked"] is True
    assert overlapping(stored(aws)["widgets"]) == []


def test_dashboard_moving_twice_fails_without_writing(aws, module_runner):
    put_body(aws, lab2_body())
    first, second = lab2_body(), lab2_body()
    first["widgets"][0]["properties"]["period"] = 300
    second["widgets"][0]["properties"]["period"] = 900
    _someone_saves(aws, first, second)
    mark = aws.control.last_seq()
    result = module_runner(MODULE, args(widgets=[NEW_WIDGET]))
    assert result.get("failed"), result
    assert "saved by someone else" in result["msg"] and "nothing was written" in result["msg"]
    assert [c for c in aws.control.calls(since=mark) if c["operation"] == "PutDashboard"] == []
    assert stored(aws) == second


def test_normal_save_reads_again_just_before_writing(aws, module_runner):
    put_body(aws, lab2_body())
    mark = aws.control.last_seq()
    result = module_runner(MODULE, args(widgets=[ALB_WIDGET]))
    assert result["changed"] and result["replanned"] is False
    ops = [c["operation"] for c in aws.control.calls(since=mark) if c["service"] == "cloudwatch"]
    assert ops == ["GetDashboard", "GetDashboard", "PutDashboard"]


def test_lab2_body_helper_is_valid_for_the_service(aws):
    body = copy.deepcopy(lab2_body())
    put_body(aws, body, name="probe")
    assert stored(aws, "probe") == body

"""Merge, layout and comparison of dashboard bodies (no AWS)."""
import copy

import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import dashboard as d

LB = "app/alb-mm-primary-region/0123456789abcdef"


def metric_widget(title, rows=None, x=0, y=0, width=12, height=6, region="us-west-2", **props):
    properties = dict(title=title, region=region, **props)
    if rows is not None:
        properties["metrics"] = rows
    return {"type": "metric", "x": x, "y": y, "width": width, "height": height, "properties": properties}


# ------------------------------------------------------------------ shorthand

def test_expand_rows_repeats_previous_values_by_position():
    rows = [["AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", "LoadBalancer", LB],
            [".", "HTTPCode_Target_4XX_Count", ".", ".", {"stat": "Sum"}],
            [".", "HTTPCode_Target_5XX_Count", ".", "."]]
    assert d.expand_rows(rows) == [
        ["AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", "LoadBalancer", LB],
        ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", "LoadBalancer", LB, {"stat": "Sum"}],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", LB],
    ]


def test_expand_rows_chains_through_expanded_rows_and_keeps_input():
    rows = [["NS", "A", "D", "1"], [".", "B", ".", "."], [".", ".", ".", "2"]]
    before = copy.deepcopy(rows)
    assert d.expand_rows(rows)[2] == ["NS", "B", "D", "2"]
    assert rows == before


def test_shorthand_rows_equal_their_expansion():
    short = [["AWS/ECS", "CPUUtilization", "ServiceName", "s", "ClusterName", "c"],
             [".", "MemoryUtilization", ".", ".", ".", "."]]
    full = [["AWS/ECS", "CPUUtilization", "ServiceName", "s", "ClusterName", "c"],
            ["AWS/ECS", "MemoryUtilization", "ServiceName", "s", "ClusterName", "c"]]
    assert d.rows_equal(short, full)
    assert not d.rows_equal(short, full[:1])


def test_row_identity_ignores_dimension_order_and_uses_widget_region():
    a = ["AWS/ECS", "CPUUtilization", "ServiceName", "s", "ClusterName", "c"]
    b = ["AWS/ECS", "CPUUtilization", "ClusterName", "c", "ServiceName", "s", {"region": "us-west-2"}]
    assert d.row_identity(a, "us-west-2") == d.row_identity(b, "us-east-1")
    assert d.row_identity(a, "us-east-1") != d.row_identity(b, "us-east-1")


# ------------------------------------------------------------------ ensure_row

def test_ensure_row_appends_new_row_in_full():
    widget = metric_widget("W", [["NS", "A", "D", "1"], [".", "B", ".", "."]])
    assert d.ensure_row(widget, ["NS", "C", "D", "1", {"label": "c"}]) == "added"
    assert widget["properties"]["metrics"] == [
        ["NS", "A", "D", "1"], [".", "B", ".", "."], ["NS", "C", "D", "1", {"label": "c"}]]


def test_ensure_row_matching_shorthand_row_is_no_change():
    widget = metric_widget("W", [["NS", "A", "D", "1"], [".", "B", ".", ".", {"label": "b", "stat": "Sum"}]])
    before = copy.deepcopy(widget)
    assert d.ensure_row(widget, ["NS", "B", "D", "1", {"label": "b"}]) is None
    assert widget == before


def test_ensure_row_sets_options_and_keeps_other_options_and_rows():
    widget = metric_widget("W", [["NS", "A", "D", "1", {"color": "#ff0000"}], [".", "B", ".", "."]])
    assert d.ensure_row(widget, ["NS", "A", "D", "1", {"label": "a", "region": "us-west-2"}]) == "updated"
    rows = widget["properties"]["metrics"]
    assert rows[0] == ["NS", "A", "D", "1", {"color": "#ff0000", "label": "a", "region": "us-west-2"}]
    assert rows[1] == [".", "B", ".", "."]  # untouched, and still resolves to the same metric
    assert d.expand_rows(rows)[1] == ["NS", "B", "D", "1"]


def test_same_metric_in_another_region_is_another_row():
    widget = metric_widget("W", [["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", "t"]])
    assert d.ensure_row(widget, ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", "t",
                                 {"region": "us-east-1"}]) == "added"
    assert d.ensure_row(widget, ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", "t",
                                 {"region": "us-west-2"}]) == "updated"
    assert len(widget["properties"]["metrics"]) == 2


def test_expression_rows_are_identified_by_id():
    widget = metric_widget("W", [[{"expression": "m1+m2", "id": "e1"}]])
    assert d.ensure_row(widget, [{"expression": "m1+m2", "id": "e1", "label": "sum"}]) == "updated"
    assert d.ensure_row(widget, [{"expression": "m1*2", "id": "e2"}]) == "added"


# ------------------------------------------------------------------ layout

def test_first_fit_fills_beside_then_below():
    occupied = [(0, 0, 12, 6)]
    assert d.first_fit(occupied, 12, 6) == (12, 0)
    occupied.append((12, 0, 12, 6))
    assert d.first_fit(occupied, 6, 6) == (0, 6)


def test_first_fit_respects_width_at_the_right_edge():
    assert d.first_fit([(0, 0, 20, 3)], 6, 3) == (0, 3)
    assert d.first_fit([(0, 0, 18, 3)], 6, 3) == (18, 0)


def test_first_fit_never_overlaps_irregular_layouts():
    occupied = [(0, 0, 7, 5), (9, 2, 10, 4), (3, 6, 21, 2), (20, 0, 4, 1)]
    for width in (1, 3, 6, 12, 24):
        for height in (1, 3, 6):
            x, y = d.first_fit(occupied, width, height)
            assert 0 <= x and x + width <= 24
            assert not any(d.overlaps((x, y, width, height), rect) for rect in occupied)


def test_place_honours_free_requested_position_and_moves_a_taken_one():
    widgets = [metric_widget("A", x=0, y=0, width=12, height=6)]
    assert d.place(widgets, {"x": 12, "y": 0, "width": 12, "height": 6}) == (12, 0)
    assert d.place(widgets, {"x": 6, "y": 0, "width": 12, "height": 6}) == (12, 0)


def test_unpositioned_widgets_are_avoided():
    widgets = [{"type": "text", "width": 24, "height": 2, "properties": {"markdown": "# x"}}]
    assert d.place(widgets, {"width": 6, "height": 6}) == (0, 2)


# ------------------------------------------------------------------ plan

def lab2_body():
    return {"widgets": [
        metric_widget("ALB Requests Per Minute", [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB,
                                                   {"stat": "Sum", "period": 60}]], x=0, y=0),
        metric_widget("ALB HTTP Responses", [["AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", "LoadBalancer", LB],
                                             [".", "HTTPCode_Target_4XX_Count", ".", "."],
                                             [".", "HTTPCode_Target_5XX_Count", ".", "."]], x=12, y=0, stat="Sum"),
        metric_widget("Hand made", [["AWS/EC2", "CPUUtilization"]], x=3, y=6, width=5, height=4,
                      legend={"position": "right"}),
    ]}


def test_plan_without_changes_is_unchanged():
    plan = d.plan_dashboard(lab2_body(), widgets=[{"type": "metric", "properties": {
        "title": "ALB HTTP Responses", "stat": "Sum"}}])
    assert not plan.changed
    assert plan.after == lab2_body()


def test_plan_updates_owned_widget_in_place_and_keeps_foreign_ones():
    widgets = [{"type": "metric", "width": 24, "x": 0, "y": 40,
                "properties": {"title": "ALB Requests Per Minute", "stacked": True, "view": "timeSeries"}}]
    metrics = [{"widget": "ALB Requests Per Minute",
                "metric": ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB,
                           {"label": "us-west-2", "region": "us-west-2"}]},
               {"widget": "ALB Requests Per Minute",
                "metric": ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/alb-east/1",
                           {"label": "us-east-1", "region": "us-east-1"}]}]
    plan = d.plan_dashboard(lab2_body(), widgets=widgets, metrics=metrics)
    assert plan.changed and plan.updated == ["ALB Requests Per Minute"] and plan.added == []
    alb = plan.after["widgets"][0]
    assert (alb["x"], alb["y"], alb["width"], alb["height"]) == (0, 0, 12, 6)
    assert alb["properties"]["stacked"] is True
    assert alb["properties"]["metrics"] == [
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB,
         {"stat": "Sum", "period": 60, "label": "us-west-2", "region": "us-west-2"}],
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/alb-east/1",
         {"label": "us-east-1", "region": "us-east-1"}]]
    assert plan.after["widgets"][1:] == lab2_body()["widgets"][1:]
    again = d.plan_dashboard(plan.after, widgets=widgets, metrics=metrics)
    assert not again.changed


def test_plan_adds_new_widgets_without_overlap():
    widgets = [metric_widget("New %d" % i, width=w, height=h) for i, (w, h) in
               enumerate([(12, 6), (6, 6), (24, 2), (8, 3), (6, 6)])]
    for widget in widgets:
        del widget["x"], widget["y"]
    plan = d.plan_dashboard(lab2_body(), widgets=widgets)
    assert plan.added == ["New %d" % i for i in range(5)]
    assert d.find_overlaps(plan.after["widgets"]) == []
    assert all(w["x"] + w["width"] <= 24 for w in plan.after["widgets"])
    hand = [w for w in plan.after["widgets"] if d.widget_key(w) == "Hand made"][0]
    assert hand == lab2_body()["widgets"][2]


def test_plan_creates_missing_dashboard_with_initial_widgets():
    initial = [metric_widget("Core Service Metrics", [["AWS/ECS", "CPUUtilization"]])]
    widgets = [metric_widget("ALB Requests Per Minute", [])]
    plan = d.plan_dashboard(None, widgets=widgets, initial_widgets=initial)
    assert plan.created and plan.changed
    assert [d.widget_key(w) for w in plan.after["widgets"]] == ["Core Service Metrics", "ALB Requests Per Minute"]
    assert d.find_overlaps(plan.after["widgets"]) == []


def test_initial_widgets_are_ignored_on_an_existing_dashboard():
    plan = d.plan_dashboard(lab2_body(), initial_widgets=[metric_widget("Core Service Metrics", [])])
    assert not plan.changed


def test_plan_removes_absent_widgets():
    plan = d.plan_dashboard(lab2_body(), absent_widgets=["Hand made", "Not there"])
    assert plan.removed == ["Hand made"]
    assert [d.widget_key(w) for w in plan.after["widgets"]] == ["ALB Requests Per Minute", "ALB HTTP Responses"]


def test_full_metrics_list_compares_after_expansion():
    full = [["AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", "LoadBalancer", LB],
            ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", "LoadBalancer", LB],
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", LB]]
    widget = {"type": "metric", "properties": {"title": "ALB HTTP Responses", "metrics": full}}
    assert not d.plan_dashboard(lab2_body(), widgets=[widget]).changed
    widget["properties"]["metrics"] = full[:2]
    plan = d.plan_dashboard(lab2_body(), widgets=[widget])
    assert plan.updated == ["ALB HTTP Responses"]
    assert plan.after["widgets"][1]["properties"]["metrics"] == full[:2]


def test_text_widget_is_identified_by_its_first_markdown_line():
    header = {"type": "text", "width": 24, "height": 2,
              "properties": {"markdown": "# Mythical Mysfits\nRegions: us-west-2"}}
    plan = d.plan_dashboard(lab2_body(), widgets=[header])
    assert plan.added == ["# Mythical Mysfits"]
    header2 = copy.deepcopy(header)
    header2["properties"]["markdown"] = "# Mythical Mysfits\nRegions: us-west-2, us-east-1"
    plan2 = d.plan_dashboard(plan.after, widgets=[header2])
    assert plan2.updated == ["# Mythical Mysfits"] and plan2.added == []
    assert len(plan2.after["widgets"]) == len(plan.after["widgets"])


def test_metrics_into_missing_widget_fail_naming_it():
    with pytest.raises(d.DashboardError, match="'Nope'"):
        d.plan_dashboard(lab2_body(), metrics=[{"widget": "Nope", "metric": ["NS", "M"]}])


def test_owned_title_twice_on_dashboard_is_an_error():
    body = lab2_body()
    body["widgets"].append(copy.deepcopy(body["widgets"][0]))
    with pytest.raises(d.DashboardError, match="2 widgets titled 'ALB Requests Per Minute'"):
        d.plan_dashboard(body, widgets=[{"type": "metric", "properties": {"title": "ALB Requests Per Minute"}}])


def test_shorthand_in_desired_metrics_expands_against_previous_entry():
    metrics = [{"widget": "W", "metric": ["NS", "A", "D", "1"]}, {"widget": "W", "metric": [".", "B", ".", "."]}]
    plan = d.plan_dashboard({"widgets": [metric_widget("W", [])]}, metrics=metrics)
    assert plan.after["widgets"][0]["properties"]["metrics"] == [["NS", "A", "D", "1"], ["NS", "B", "D", "1"]]


# ------------------------------------------------------------------ input checks

@pytest.mark.parametrize("kwargs,needle", [
    ({"name": "bad name"}, "name must be"),
    ({"widgets": [{"type": "metric", "properties": {}}]}, "widgets[0] has no identity"),
    ({"widgets": [{"type": "graph", "properties": {"title": "t"}}]}, "widgets[0].type"),
    ({"widgets": [{"properties": {"title": "t"}, "width": 30}]}, "widgets[0].width"),
    ({"widgets": [{"properties": {"title": "t"}, "x": 20, "width": 6}]}, "x + width"),
    ({"widgets": [{"properties": {"title": "t"}}, {"properties": {"title": "t"}}]}, "twice"),
    ({"widgets": [{"properties": {"title": "t", "metrics": [[".", "M"]]}}]}, "previous row"),
    ({"metrics": [{"widget": "t", "metric": ["NS"]}]}, "metrics[0].metric"),
    ({"metrics": [{"widget": "t", "metric": ["NS", "M", "D"]}]}, "name/value pairs"),
    ({"metrics": [{"widget": "t", "metric": [{"label": "x"}]}]}, "expression"),
    ({"initial_widgets": [{"properties": {"title": "t"}, "height": 0}]}, "initial_widgets[0].height"),
    ({"widgets": [{"properties": {"title": "t"}}], "absent_widgets": ["t"]}, "both"),
])
def test_check_options_names_the_parameter(kwargs, needle):
    args = dict(name="dash", widgets=[], metrics=[], absent_widgets=[], initial_widgets=[])
    args.update(kwargs)
    with pytest.raises(d.DashboardError) as raised:
        d.check_options(**args)
    assert needle in str(raised.value)


# ------------------------------------------------------------------ validation messages

def test_validation_messages_name_the_widget():
    body = lab2_body()
    lines = d.describe_validation_messages(
        [{"DataPath": "/widgets/2/width", "Message": "Should be <= 24"},
         {"DataPath": "/periodOverride", "Message": "Should be equal to one of the allowed values"}], body)
    assert lines == ["widget 'Hand made' (/widgets/2/width): Should be <= 24",
                     "/periodOverride: Should be equal to one of the allowed values"]


# ------------------------------------------------------------------ save with recheck

class Store:
    def __init__(self, texts):
        self.reads = list(texts)
        self.backups = []
        self.writes = []

    def read(self):
        return self.reads.pop(0)


def _plan_for(text):
    body = d.parse_body(text)
    return d.plan_dashboard(body, widgets=[metric_widget("Mine", [])])


def test_save_writes_when_nothing_moved():
    store = Store(['{"widgets": []}'])
    plan = d.save_with_recheck(store.read, _plan_for, store.backups.append, store.writes.append, '{"widgets": []}')
    assert store.writes == [plan] and store.backups == ['{"widgets": []}'] and not plan.replanned


def test_save_replans_once_on_the_fresh_body():
    moved = d.body_text({"widgets": [metric_widget("Theirs", [], x=0, y=0, width=24)]})
    store = Store([moved, moved])
    plan = d.save_with_recheck(store.read, _plan_for, store.backups.append, store.writes.append, '{"widgets": []}')
    assert store.writes == [plan] and plan.replanned
    assert [d.widget_key(w) for w in plan.after["widgets"]] == ["Theirs", "Mine"]
    assert store.backups == ['{"widgets": []}', moved]


def test_save_fails_when_the_body_moves_twice():
    store = Store(['{"widgets": [], "start": "-PT1H"}', '{"widgets": [], "start": "-PT2H"}'])
    with pytest.raises(d.ConcurrentChange):
        d.save_with_recheck(store.read, _plan_for, store.backups.append, store.writes.append, '{"widgets": []}')
    assert store.writes == []


def test_save_does_nothing_when_the_other_save_already_did_it():
    done = d.body_text({"widgets": [d.plan_dashboard({"widgets": []},
                                                     widgets=[metric_widget("Mine", [])]).after["widgets"][0]]})
    store = Store([done])
    plan = d.save_with_recheck(store.read, _plan_for, store.backups.append, store.writes.append, '{"widgets": []}')
    assert not plan.changed and store.writes == []


def test_save_unchanged_plan_reads_and_writes_nothing():
    done = d.body_text({"widgets": [metric_widget("Mine", [])]})
    store = Store([])
    plan = d.save_with_recheck(store.read, _plan_for, store.backups.append, store.writes.append, done)
    assert not plan.changed and store.writes == [] and store.backups == []


# ------------------------------------------------------------------ the console's "..." shorthand
# Bodies as the console's "View/edit source" saves them: "..." is the previous row's values except the
# trailing ones written after it; "." the value at the same position of the previous (expanded) row
# (Dashboard Body Structure and Syntax, "Metric Widget: Format for Each Metric in the Array",
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).

LB2 = "app/alb-mm-secondary-region/fedcba9876543210"
PERCENTILES = [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB, {"stat": "p50"}],
               ["...", {"stat": "p90"}],
               ["..."],
               ["...", {"stat": "p99"}]]


def test_ellipsis_row_is_the_previous_metric_with_its_own_options():
    assert d.expand_rows(PERCENTILES) == [
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB, {"stat": "p50"}],
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB, {"stat": "p90"}],
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB],
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB, {"stat": "p99"}],
    ]


def test_ellipsis_with_trailing_values_replaces_the_last_ones():
    rows = [["AWS/ECS", "CPUUtilization", "ServiceName", "core", "ClusterName", "c"],
            ["...", "like", ".", "."],
            ["...", "other-cluster"]]
    assert d.expand_rows(rows) == [
        ["AWS/ECS", "CPUUtilization", "ServiceName", "core", "ClusterName", "c"],
        ["AWS/ECS", "CPUUtilization", "ServiceName", "like", "ClusterName", "c"],
        ["AWS/ECS", "CPUUtilization", "ServiceName", "like", "ClusterName", "other-cluster"],
    ]


def test_dot_row_after_ellipsis_row_refers_to_what_the_ellipsis_stands_for():
    rows = [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB],
            ["...", LB2, {"region": "us-east-1"}],
            [".", "HTTPCode_Target_5XX_Count", ".", ".", {"region": "us-east-1"}]]
    assert d.expand_rows(rows)[2] == ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", LB2,
                                      {"region": "us-east-1"}]


def test_dot_after_an_expression_row_refers_to_the_previous_metric():
    rows = [["NS", "A", "D", "1", {"id": "m1"}], [{"expression": "m1*2", "id": "e1"}], [".", "B", ".", "."]]
    assert d.expand_rows(rows)[2] == ["NS", "B", "D", "1"]


def test_ensure_row_finds_a_metric_drawn_by_an_ellipsis_row_and_appends_no_duplicate():
    rows = [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB], ["...", LB2]]
    widget = metric_widget("W", copy.deepcopy(rows))
    assert d.ensure_row(widget, ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB2]) is None
    assert widget["properties"]["metrics"] == rows


def test_ensure_row_leaves_the_other_percentile_lines_alone():
    widget = metric_widget("W", copy.deepcopy(PERCENTILES))
    assert d.ensure_row(widget, ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB,
                                 {"stat": "p99"}]) is None
    assert widget["properties"]["metrics"] == PERCENTILES
    assert d.ensure_row(widget, ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB,
                                 {"stat": "p99", "label": "p99"}]) == "updated"
    rows = widget["properties"]["metrics"]
    assert rows[:3] == PERCENTILES[:3]
    assert rows[3] == ["...", {"stat": "p99", "label": "p99"}]  # written form kept, options merged


def test_ensure_row_updating_an_ellipsis_row_keeps_what_later_rows_resolve_to():
    rows = [["NS", "A", "D", "1"], ["...", "2"], [".", "B", ".", "."]]
    widget = metric_widget("W", copy.deepcopy(rows))
    assert d.ensure_row(widget, ["NS", "A", "D", "2", {"label": "two"}]) == "updated"
    after = widget["properties"]["metrics"]
    assert after[1] == ["...", "2", {"label": "two"}]
    assert d.expand_rows(after)[2] == d.expand_rows(rows)[2] == ["NS", "B", "D", "2"]


def test_console_saved_body_is_unchanged_by_the_rows_it_already_draws():
    body = {"widgets": [metric_widget("Latency", copy.deepcopy(PERCENTILES)),
                        metric_widget("Requests", [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB],
                                                   ["...", LB2, {"region": "us-east-1"}]], x=12)]}
    metrics = [{"widget": "Latency", "metric": ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB,
                                                {"stat": "p90"}]},
               {"widget": "Requests", "metric": ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB2,
                                                 {"region": "us-east-1"}]}]
    plan = d.plan_dashboard(copy.deepcopy(body), metrics=metrics)
    assert not plan.changed and plan.after == body


def test_desired_widget_rows_with_ellipsis_equal_the_stored_rows_written_out():
    stored = metric_widget("W", [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB, {"stat": stat}]
                                 for stat in ("p50", "p90")]
                           + [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB],
                              ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", LB, {"stat": "p99"}]])
    desired = {"type": "metric", "properties": {"title": "W", "metrics": copy.deepcopy(PERCENTILES)}}
    plan = d.plan_dashboard({"widgets": [copy.deepcopy(stored)]}, widgets=[desired])
    assert not plan.changed
    desired["properties"]["metrics"].append(["...", {"stat": "p999"}])
    plan = d.plan_dashboard({"widgets": [copy.deepcopy(stored)]}, widgets=[desired])
    assert plan.changed
    assert plan.after["widgets"][0]["properties"]["metrics"] == PERCENTILES + [["...", {"stat": "p999"}]]


def test_desired_metrics_entries_may_use_ellipsis():
    metrics = [{"widget": "W", "metric": ["NS", "A", "D", "1"]}, {"widget": "W", "metric": ["...", "2"]}]
    assert d.group_metric_rows(metrics) == {"W": [["NS", "A", "D", "1"], ["NS", "A", "D", "2"]]}


@pytest.mark.parametrize("kwargs,needle", [
    ({"widgets": [{"properties": {"title": "t", "metrics": [["...", {"stat": "p99"}]]}}]}, "there is none"),
    ({"metrics": [{"widget": "t", "metric": ["...", "x"]}]}, "metrics[0].metric"),
    ({"metrics": [{"widget": "t", "metric": ["NS", "M"]}, {"widget": "t", "metric": ["...", "D", "..."]}]},
     "once"),
    ({"metrics": [{"widget": "t", "metric": ["NS", "M", "D", "v"]}, {"widget": "u", "metric": ["NS", "M"]},
                  {"widget": "t", "metric": ["...", "a", "b", "c", "d", "e"]}]}, "metrics[2].metric"),
])
def test_check_options_refuses_ellipsis_that_resolves_to_nothing(kwargs, needle):
    args = dict(name="dash", widgets=[], metrics=[], absent_widgets=[], initial_widgets=[])
    args.update(kwargs)
    with pytest.raises(d.DashboardError) as raised:
        d.check_options(**args)
    assert needle in str(raised.value)

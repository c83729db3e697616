"""Role front_door, playbooks/front_door.yml and playbooks/traffic.yml against the emulator.

The regions' stacks are made from the collection's template (the primary as Labs 0-2 leave it, the secondary as
Lab 3 does), so that front_door.yml finds each load balancer exactly as on AWS: secondary_stack publishes
mm_regions[region].load_balancer_dns, elbv2 DescribeLoadBalancers gives the ARN.
"""
import json

import pytest

from tests.integration.harness import (create_lab2_dashboard, create_template_stack, deploy_application,
                                       recap_changed, run_playbook, write_regions_inventory)

PRIMARY, SECONDARY = "us-west-2", "us-east-1"
NAME = "mysfits-front-door"


def _stack(aws, region, name, dr):
    return create_template_stack(aws, region, name, dr)


@pytest.fixture
def world(aws, tmp_path):
    aws.control.set_timing(accelerator_deploy_seconds=0.3, stack_create_seconds=0.2)
    outputs = {PRIMARY: _stack(aws, PRIMARY, "mm-primary-region", "false"),
               SECONDARY: _stack(aws, SECONDARY, "mm-secondary-region", "true")}
    # The ALBs' health follows the ECS services (the template starts them on a placeholder image, which fails
    # the target group's health check): the application runs in both regions, as after Lab 3's deploys.
    for region, region_outputs in outputs.items():
        deploy_application(aws, region, region_outputs)
    create_lab2_dashboard(aws, PRIMARY, outputs[PRIMARY])  # the front door's alarms and flows go on it
    inventory = write_regions_inventory(str(tmp_path / "regions.yml"), PRIMARY, [SECONDARY])
    return {"inventory": inventory, "outputs": outputs}


def mutating(aws, since, service="globalaccelerator"):
    return [c["operation"] for c in aws.control.mutating_calls(since=since) if c["service"] == service]


def ga_calls(aws, since):
    return [c["operation"] for c in aws.control.calls(since=since) if c["service"] == "globalaccelerator"]


def groups(aws):
    ga = aws.client("globalaccelerator")
    [accelerator] = ga.list_accelerators()["Accelerators"]
    [listener] = ga.list_listeners(AcceleratorArn=accelerator["AcceleratorArn"])["Listeners"]
    return accelerator, listener, {g["EndpointGroupRegion"]: g for g in ga.list_endpoint_groups(
        ListenerArn=listener["ListenerArn"])["EndpointGroups"]}


def albs(aws):
    out = {}
    for region in (PRIMARY, SECONDARY):
        [lb] = aws.client("elbv2", region=region).describe_load_balancers()["LoadBalancers"]
        out[region] = lb
    return out


def alarms(aws, region):
    cw = aws.client("cloudwatch", region=region)
    answer = cw.describe_alarms(AlarmNamePrefix="mysfits-", AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    return {a["AlarmName"]: a for a in answer["MetricAlarms"]}, {a["AlarmName"]: a for a in answer["CompositeAlarms"]}


def dashboard_widgets(aws):
    body = aws.client("cloudwatch").get_dashboard(DashboardName="MythicalMysfits-Dashboard")["DashboardBody"]
    return {w["properties"].get("title"): w for w in json.loads(body)["widgets"]}


def check_alarms_and_dashboard(aws, world, accelerator, listener):
    """Per region: the 5XX rate, each target group's unhealthy hosts, the replication latency towards the other
    region (in the source region), one composite alarm over them; on the dashboard an alarm widget per region and
    the accelerator's flows per endpoint group. Every name as the stacks publish it."""
    for region, other in ((PRIMARY, SECONDARY), (SECONDARY, PRIMARY)):
        outputs = world["outputs"][region]
        metric, composite = alarms(aws, region)
        prefix = "mysfits-%s-" % region
        assert sorted(metric) == sorted(prefix + n for n in ("alb-5xx-rate", "unhealthy-core", "unhealthy-like",
                                                             "replication-latency-" + other))
        rate = metric[prefix + "alb-5xx-rate"]
        assert {m["Id"]: m.get("ReturnData") for m in rate["Metrics"]}["rate"] is True
        assert {d["Value"] for m in rate["Metrics"] if "MetricStat" in m
                for d in m["MetricStat"]["Metric"]["Dimensions"]} == {outputs["LoadBalancerFullName"]}
        unhealthy = {d["Name"]: d["Value"] for d in metric[prefix + "unhealthy-core"]["Dimensions"]}
        assert unhealthy == {"TargetGroup": outputs["CoreTargetGroupArn"].split(":")[-1],
                             "LoadBalancer": outputs["LoadBalancerFullName"]}
        latency = metric[prefix + "replication-latency-" + other]
        assert (latency["Namespace"], latency["MetricName"]) == ("AWS/DynamoDB", "ReplicationLatency")
        assert {d["Name"]: d["Value"] for d in latency["Dimensions"]} == {
            "TableName": world["outputs"][PRIMARY]["DynamoTable"], "ReceivingRegion": other}
        assert list(composite) == [prefix + "failover"]
        assert composite[prefix + "failover"]["AlarmRule"] == " OR ".join(
            'ALARM("%s")' % name for name in (prefix + "alb-5xx-rate", prefix + "unhealthy-core",
                                              prefix + "unhealthy-like", prefix + "replication-latency-" + other))
    widgets = dashboard_widgets(aws)
    assert widgets["ALB Requests Per Minute"]["properties"]["metrics"]  # the person's widget is kept
    for region in (PRIMARY, SECONDARY):
        shown = widgets["%s failover alarms" % region]
        assert shown["type"] == "alarm"
        assert shown["properties"]["alarms"][0].endswith(":%s:123456789012:alarm:mysfits-%s-failover" % (region, region))
        assert len(shown["properties"]["alarms"]) == 5
    flows = widgets["Front door flows per endpoint group"]["properties"]
    assert flows["region"] == "us-west-2"
    assert [row[:8] for row in flows["metrics"]] == [
        ["AWS/GlobalAccelerator", metric, "Accelerator", accelerator["AcceleratorArn"].split("/")[-1],
         "Listener", listener["ListenerArn"].split("/")[-1], "EndpointGroup", region]
        for region in (PRIMARY, SECONDARY) for metric in ("NewFlowCount", "ProcessedBytesIn")]


def test_front_door_plan_converge_again_and_traffic_dials(aws, world):
    inventory = world["inventory"]
    mark = aws.control.last_seq()
    plan = run_playbook("playbooks/front_door.yml", aws.env(), inventory=inventory, check=True, diff=True)
    assert plan.rc == 0, plan
    assert [c for c in aws.control.mutating_calls(since=mark)] == []
    assert "CreateAccelerator" in plan.stdout or "mysfits-front-door" in plan.stdout

    mark = aws.control.last_seq()
    converge = run_playbook("playbooks/front_door.yml", aws.env(), inventory=inventory)
    assert converge.rc == 0, converge
    assert mutating(aws, mark) == ["CreateAccelerator", "CreateListener", "CreateEndpointGroup",
                                   "CreateEndpointGroup"]
    assert mutating(aws, mark, "elasticloadbalancing") == []
    accelerator, listener, by_region = groups(aws)
    assert accelerator["Status"] == "DEPLOYED" and accelerator["Name"] == NAME
    assert (listener["Protocol"], listener["PortRanges"], listener["ClientAffinity"]) == (
        "TCP", [{"FromPort": 80, "ToPort": 80}], "NONE")
    lbs = albs(aws)
    assert {r: [e["EndpointId"] for e in g["EndpointDescriptions"]] for r, g in by_region.items()} == {
        r: [lb["LoadBalancerArn"]] for r, lb in lbs.items()}
    # The endpoints are the load balancers whose DNS names the stacks publish.
    assert lbs[PRIMARY]["DNSName"] == world["outputs"][PRIMARY]["LoadBalancerDNS"]
    assert all(e["HealthState"] == "HEALTHY" for g in by_region.values() for e in g["EndpointDescriptions"])
    assert "http://%s" % accelerator["DnsName"] in converge.stdout
    check_alarms_and_dashboard(aws, world, accelerator, listener)

    mark = aws.control.last_seq()
    again = run_playbook("playbooks/front_door.yml", aws.env(), inventory=inventory)
    assert again.rc == 0, again
    assert recap_changed(again, PRIMARY) == 0 and recap_changed(again, SECONDARY) == 0
    assert aws.control.mutating_calls(since=mark) == []

    # traffic.yml: 90/10, then the refusals.
    mark = aws.control.last_seq()
    dials = run_playbook("playbooks/traffic.yml", aws.env(), inventory=inventory,
                         extra_args=["-e", 'dials={"us-west-2": 90, "us-east-1": 10}'])
    assert dials.rc == 0, dials.stdout[-6000:]
    assert mutating(aws, mark) == ["UpdateEndpointGroup", "UpdateEndpointGroup"]
    _, _, by_region = groups(aws)
    assert {r: g["TrafficDialPercentage"] for r, g in by_region.items()} == {PRIMARY: 90.0, SECONDARY: 10.0}
    assert all(len(g["EndpointDescriptions"]) == 1 for g in by_region.values())

    for bad in ('dials={"us-west-2": 0, "us-east-1": 0}', 'dials={"us-west-2": 120}', 'dials={"eu-west-1": 50}'):
        mark = aws.control.last_seq()
        refused = run_playbook("playbooks/traffic.yml", aws.env(), inventory=inventory, extra_args=["-e", bad])
        assert refused.rc != 0, (bad, refused)
        assert "dials" in refused.stdout
        assert ga_calls(aws, mark) == [], bad  # refused before any call

    # us-east-1 to 0 while us-west-2 is at 0 too: known only after reading; refused before any change.
    run_playbook("playbooks/traffic.yml", aws.env(), inventory=inventory, extra_args=["-e", 'dials={"us-west-2": 0}'])
    mark = aws.control.last_seq()
    refused = run_playbook("playbooks/traffic.yml", aws.env(), inventory=inventory,
                           extra_args=["-e", 'dials={"us-east-1": 0}'])
    assert refused.rc != 0 and "no traffic anywhere" in refused.stdout, refused
    assert mutating(aws, mark) == [] and ga_calls(aws, mark) != []

    # A second front_door.yml keeps the dials someone set (the role names none).
    mark = aws.control.last_seq()
    kept = run_playbook("playbooks/front_door.yml", aws.env(), inventory=inventory)
    assert kept.rc == 0 and aws.control.mutating_calls(since=mark) == [], kept


def test_front_door_absent_removes_everything_it_made(aws, world):
    assert run_playbook("playbooks/front_door.yml", aws.env(), inventory=world["inventory"]).rc == 0
    mark = aws.control.last_seq()
    gone = run_playbook("playbooks/front_door.yml", aws.env(), inventory=world["inventory"],
                        extra_vars={"front_door_state": "absent"})
    assert gone.rc == 0, gone
    assert mutating(aws, mark) == ["UpdateAccelerator", "DeleteEndpointGroup", "DeleteEndpointGroup",
                                   "DeleteListener", "DeleteAccelerator"]
    assert aws.client("globalaccelerator").list_accelerators()["Accelerators"] == []
    # every alarm and widget of the front door went with it; the person's widget stayed
    for region in (PRIMARY, SECONDARY):
        assert alarms(aws, region) == ({}, {})
    assert sorted(dashboard_widgets(aws)) == ["ALB Requests Per Minute"]
    # The load balancers and stacks are not the front door's: untouched.
    assert len(albs(aws)) == 2


def test_a_region_without_a_load_balancer_fails_naming_it_and_changes_nothing(aws, world, tmp_path):
    inventory = write_regions_inventory(str(tmp_path / "three.yml"), PRIMARY, [SECONDARY, "eu-west-1"])
    playbook = tmp_path / "play.yml"
    playbook.write_text(json.dumps([{"hosts": "primary", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_role": {"name": "mysfits.multi_region.front_door"},
         "vars": {"mm_regions": {r: {"load_balancer_dns": lb["DNSName"]} for r, lb in albs(aws).items()}}}]}]))
    mark = aws.control.last_seq()
    run = run_playbook(str(playbook), aws.env(), inventory=inventory)
    assert run.rc != 0 and "eu-west-1" in run.stdout and "front_door_load_balancer_dns" in run.stdout, run
    assert ga_calls(aws, mark) == []


def _teardown_alarms_play(tmp_path):
    """The alarms and front door part of playbooks/teardown.yml for the secondary, its tasks as teardown.yml has
    them (the rest of it needs pipelines this world lacks)."""
    import yaml
    with open("playbooks/teardown.yml") as handle:
        [removal] = [play for play in yaml.safe_load(handle) if play["name"].startswith("Remove the region")]
    steps = {task["name"]: task for task in removal["tasks"]}
    alarms_step = dict(steps["Remove the region's alarms and its alarm widget"],
                       vars={"alarms_regions": [PRIMARY], "alarms_absent_regions": [SECONDARY],
                             "alarms_update_only": True})
    front_door_step = steps["Remove the region's endpoint group from the front door"]
    assert front_door_step["vars"] == {"front_door_absent_regions": ["{{ confirm_teardown }}"]}
    playbook = tmp_path / "teardown-alarms.yml"
    playbook.write_text(json.dumps([
        {"hosts": "regions", "gather_facts": False, "tasks": [
            {"ansible.builtin.include_role": {"name": "mysfits.multi_region.secondary_stack", "tasks_from": "wait"}}]},
        {"hosts": "primary", "gather_facts": False, "vars": {"confirm_teardown": SECONDARY},
         "tasks": [alarms_step, front_door_step]}]))
    return str(playbook)


def test_teardown_of_a_region_removes_its_alarms_and_widget_and_creates_none(aws, world, tmp_path):
    play = _teardown_alarms_play(tmp_path)
    # Without alarms (no front door yet) the teardown's alarm step creates nothing.
    mark = aws.control.last_seq()
    nothing = run_playbook(play, aws.env(), inventory=world["inventory"])
    assert nothing.rc == 0, nothing
    assert mutating(aws, mark, "cloudwatch") == []
    assert alarms(aws, PRIMARY) == ({}, {}) and alarms(aws, SECONDARY) == ({}, {})
    # ... and without a front door its front door step creates none (it only lists the accelerators)
    assert mutating(aws, mark) == [] and set(ga_calls(aws, mark)) == {"ListAccelerators"}

    assert run_playbook("playbooks/front_door.yml", aws.env(), inventory=world["inventory"]).rc == 0
    # the accelerator disabled by hand: taking a region out never enables it again
    accelerator, listener, before = groups(aws)
    ga = aws.client("globalaccelerator")
    ga.update_accelerator(AcceleratorArn=accelerator["AcceleratorArn"], Enabled=False)
    ga.update_endpoint_group(EndpointGroupArn=before[PRIMARY]["EndpointGroupArn"], TrafficDialPercentage=70)

    mark = aws.control.last_seq()
    planned = run_playbook(play, aws.env(), inventory=world["inventory"], check=True, diff=True)
    assert planned.rc == 0, planned
    assert aws.control.mutating_calls(since=mark) == []
    assert recap_changed(planned, PRIMARY) > 0

    mark = aws.control.last_seq()
    torn = run_playbook(play, aws.env(), inventory=world["inventory"])
    assert torn.rc == 0, torn
    # The secondary's endpoint group leaves the front door (before its load balancer would go with its stack);
    # the primary's group keeps its dial, the listener and the accelerator (still disabled) stay.
    assert mutating(aws, mark) == ["DeleteEndpointGroup"]
    accelerator, after_listener, after = groups(aws)
    assert sorted(after) == [PRIMARY] and after_listener["ListenerArn"] == listener["ListenerArn"]
    assert after[PRIMARY]["TrafficDialPercentage"] == 70 and accelerator["Enabled"] is False
    operations = [(c["region"], c["operation"]) for c in aws.control.mutating_calls(since=mark)
                  if c["service"] == "cloudwatch"]
    # The primary's composite alarm stops naming the replication alarm towards the secondary before it goes;
    # the secondary's composite alarm goes before its metric alarms.
    assert operations.index((PRIMARY, "PutCompositeAlarm")) < operations.index((PRIMARY, "DeleteAlarms"))
    assert (PRIMARY, "PutDashboard") in operations
    assert alarms(aws, SECONDARY) == ({}, {})
    metric, composite = alarms(aws, PRIMARY)
    prefix = "mysfits-%s-" % PRIMARY
    assert sorted(metric) == [prefix + "alb-5xx-rate", prefix + "unhealthy-core", prefix + "unhealthy-like"]
    assert SECONDARY not in composite[prefix + "failover"]["AlarmRule"]
    widgets = dashboard_widgets(aws)
    assert "%s failover alarms" % SECONDARY not in widgets
    assert len(widgets["%s failover alarms" % PRIMARY]["properties"]["alarms"]) == 4
    assert "ALB Requests Per Minute" in widgets

    mark = aws.control.last_seq()
    again = run_playbook(play, aws.env(), inventory=world["inventory"])
    assert again.rc == 0 and mutating(aws, mark, "cloudwatch") == [], again
    assert mutating(aws, mark) == []
    assert recap_changed(again, PRIMARY) == 0  # reading which regions have alarms changes nothing

"""global_accelerator and global_accelerator_info against the emulator's Global Accelerator (us-west-2 only)."""
import uuid

import pytest

from tests.emulator_tests.test_globalaccelerator import make_alb

NAME = "mysfits-front-door"


@pytest.fixture
def albs(aws):
    aws.control.set_timing(accelerator_deploy_seconds=0.3)
    return {region: make_alb(aws, region, "alb-" + region)[0] for region in ("us-west-2", "us-east-1")}


def front_door(albs, **extra):
    args = {"name": NAME, "listeners": [{
        "protocol": "TCP", "port_ranges": [{"from_port": 80, "to_port": 80}], "client_affinity": "NONE",
        "endpoint_groups": [{"region": region, "endpoints": [arn]} for region, arn in sorted(albs.items())]}]}
    args.update(extra)
    return args


def ops(aws, since):
    return [c["operation"] for c in aws.control.mutating_calls(since=since)]


def describe_groups(aws):
    ga = aws.client("globalaccelerator")
    [accelerator] = ga.list_accelerators()["Accelerators"]
    [listener] = ga.list_listeners(AcceleratorArn=accelerator["AcceleratorArn"])["Listeners"]
    groups = ga.list_endpoint_groups(ListenerArn=listener["ListenerArn"])["EndpointGroups"]
    return accelerator, listener, {g["EndpointGroupRegion"]: g for g in groups}


def test_check_then_create_then_idempotent_with_any_region_option(aws, albs, module_runner):
    mark = aws.control.last_seq()
    planned = module_runner("global_accelerator", front_door(albs), check=True, diff=True, region="us-east-1")
    assert planned["changed"] is True, planned
    assert ops(aws, mark) == []
    assert planned["operations"] == ["CreateAccelerator", "CreateListener", "CreateEndpointGroup",
                                     "CreateEndpointGroup"]
    assert planned["diff"]["before"] == {} and planned["diff"]["after"]["accelerator"]["Name"] == NAME

    mark = aws.control.last_seq()
    # region us-east-1 for the module: its client still goes to us-west-2, where the API is.
    created = module_runner("global_accelerator", front_door(albs), region="us-east-1")
    assert created["changed"] is True, created
    assert ops(aws, mark) == ["CreateAccelerator", "CreateListener", "CreateEndpointGroup", "CreateEndpointGroup"]
    assert {c["region"] for c in aws.control.calls(since=mark) if c["service"] == "globalaccelerator"} == {
        "us-west-2"}
    accelerator = created["accelerator"]
    assert accelerator["status"] == "DEPLOYED" and accelerator["dns_name"].endswith(".awsglobalaccelerator.com")
    [listener] = accelerator["listeners"]
    assert listener["client_affinity"] == "NONE" and listener["port_ranges"] == [{"from_port": 80, "to_port": 80}]
    by_region = {g["endpoint_group_region"]: g for g in listener["endpoint_groups"]}
    assert {r: [e["endpoint_id"] for e in g["endpoint_descriptions"]] for r, g in by_region.items()} == {
        r: [arn] for r, arn in albs.items()}

    mark = aws.control.last_seq()
    again = module_runner("global_accelerator", front_door(albs), diff=True)
    assert again["changed"] is False, again
    assert ops(aws, mark) == []
    assert again["diff"]["before"] == again["diff"]["after"]


def test_merge_keeps_what_others_added_and_purge_removes_it(aws, albs, module_runner):
    module_runner("global_accelerator", front_door(albs))
    # Someone else: a second ALB in us-east-1, a dial on us-west-2, an endpoint group in eu-west-1.
    other_alb = make_alb(aws, "us-east-1", "alb-other")[0]
    ga = aws.client("globalaccelerator")
    _, listener, groups = describe_groups(aws)
    ga.add_endpoints(EndpointGroupArn=groups["us-east-1"]["EndpointGroupArn"],
                     EndpointConfigurations=[{"EndpointId": other_alb}])
    ga.update_endpoint_group(EndpointGroupArn=groups["us-west-2"]["EndpointGroupArn"], TrafficDialPercentage=40)
    ga.create_endpoint_group(ListenerArn=listener["ListenerArn"], EndpointGroupRegion="eu-west-1",
                             IdempotencyToken=str(uuid.uuid4()))

    mark = aws.control.last_seq()
    kept = module_runner("global_accelerator", front_door(albs))
    assert kept["changed"] is False, kept
    assert ops(aws, mark) == []
    _, _, groups = describe_groups(aws)
    assert set(groups) == {"us-west-2", "us-east-1", "eu-west-1"}
    assert groups["us-west-2"]["TrafficDialPercentage"] == 40.0
    assert len(groups["us-east-1"]["EndpointDescriptions"]) == 2

    mark = aws.control.last_seq()
    purged = module_runner("global_accelerator", front_door(albs, purge_endpoints=True, purge_endpoint_groups=True),
                           diff=True)
    assert purged["changed"] is True
    assert sorted(ops(aws, mark)) == ["DeleteEndpointGroup", "RemoveEndpoints"]
    _, _, groups = describe_groups(aws)
    assert set(groups) == {"us-west-2", "us-east-1"}
    assert [e["EndpointId"] for e in groups["us-east-1"]["EndpointDescriptions"]] == [albs["us-east-1"]]
    assert groups["us-west-2"]["TrafficDialPercentage"] == 40.0  # a dial the task does not name is kept


def test_dial_and_health_settings_update_only_the_group(aws, albs, module_runner):
    module_runner("global_accelerator", front_door(albs))
    args = {"name": NAME, "listeners": [{"port_ranges": [{"from_port": 80}], "endpoint_groups": [
        {"region": "us-east-1", "traffic_dial_percentage": 10, "health_check_interval_seconds": 10,
         "threshold_count": 2}]}]}
    mark = aws.control.last_seq()
    planned = module_runner("global_accelerator", args, check=True, diff=True)
    assert planned["changed"] is True and ops(aws, mark) == []
    result = module_runner("global_accelerator", args, diff=True)
    assert result["changed"] is True, result
    assert ops(aws, mark) == ["UpdateEndpointGroup"]
    before = {g["EndpointGroupRegion"]: g for g in result["diff"]["before"]["listeners"][0]["EndpointGroups"]}
    after = {g["EndpointGroupRegion"]: g for g in result["diff"]["after"]["listeners"][0]["EndpointGroups"]}
    assert (before["us-east-1"]["TrafficDialPercentage"], after["us-east-1"]["TrafficDialPercentage"]) == (100.0, 10.0)
    _, _, groups = describe_groups(aws)
    assert (groups["us-east-1"]["TrafficDialPercentage"], groups["us-east-1"]["HealthCheckIntervalSeconds"],
            groups["us-east-1"]["ThresholdCount"]) == (10.0, 10, 2)
    assert groups["us-west-2"]["TrafficDialPercentage"] == 100.0
    assert [e["EndpointId"] for e in groups["us-east-1"]["EndpointDescriptions"]] == [albs["us-east-1"]]
    mark = aws.control.last_seq()
    assert module_runner("global_accelerator", args)["changed"] is False
    assert ops(aws, mark) == []


def test_absent_disables_waits_and_deletes_in_order(aws, albs, module_runner):
    module_runner("global_accelerator", front_door(albs))
    mark = aws.control.last_seq()
    planned = module_runner("global_accelerator", {"name": NAME, "state": "absent"}, check=True)
    assert planned["changed"] is True and ops(aws, mark) == []
    removed = module_runner("global_accelerator", {"name": NAME, "state": "absent"})
    assert removed["changed"] is True, removed
    assert ops(aws, mark) == ["UpdateAccelerator", "DeleteEndpointGroup", "DeleteEndpointGroup", "DeleteListener",
                              "DeleteAccelerator"]
    assert aws.client("globalaccelerator").list_accelerators()["Accelerators"] == []
    mark = aws.control.last_seq()
    assert module_runner("global_accelerator", {"name": NAME, "state": "absent"})["changed"] is False
    assert ops(aws, mark) == []


@pytest.mark.parametrize("group, parameter", [
    ({"region": "us-east-1", "health_check_interval_seconds": 20},
     "listeners[0].endpoint_groups[0].health_check_interval_seconds"),
    ({"region": "us-east-1", "traffic_dial_percentage": 120}, "listeners[0].endpoint_groups[0].traffic_dial_percentage"),
    ({"region": "us-east-1", "threshold_count": 0}, "listeners[0].endpoint_groups[0].threshold_count"),
    ({"region": "useast1"}, "listeners[0].endpoint_groups[0].region"),
])
def test_bad_input_fails_before_any_call_naming_the_parameter(aws, module_runner, group, parameter):
    mark = aws.control.last_seq()
    result = module_runner("global_accelerator", {"name": NAME, "listeners": [
        {"port_ranges": [{"from_port": 80}], "endpoint_groups": [group]}]})
    assert result.get("failed") is True and result["msg"].startswith(parameter + ":"), result
    assert [c for c in aws.control.calls(since=mark) if c["service"] == "globalaccelerator"] == []


def test_info_lists_the_accelerator_with_health(aws, albs, module_runner):
    assert module_runner("global_accelerator_info", {"name": NAME})["accelerators"] == []
    module_runner("global_accelerator", front_door(albs, tags={"app": "mysfits"}))
    info = module_runner("global_accelerator_info", {"name": NAME}, region="eu-west-1")
    [accelerator] = info["accelerators"]
    assert accelerator["tags"] == {"app": "mysfits"}
    health = [e["health_state"] for g in accelerator["listeners"][0]["endpoint_groups"]
              for e in g["endpoint_descriptions"]]
    assert health == ["HEALTHY", "HEALTHY"]
    assert len(module_runner("global_accelerator_info", {})["accelerators"]) == 1

"""global_accelerator's plans on bodies shaped as Global Accelerator returns them (ListAccelerators, ListListeners,
ListEndpointGroups, ListTagsForResource); no AWS, no emulator."""
import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import global_accelerator as ga

ACC = "arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdef01"
LIS = ACC + "/listener/0123abcd"
WEST_ALB = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/alb-west/50dc6c495c0c9188"
EAST_ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb-east/7e1a2b3c4d5e6f70"
OTHER_ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/alb-other/0a1b2c3d4e5f6071"


def accelerator(enabled=True, status="DEPLOYED"):
    return {"AcceleratorArn": ACC, "Name": "front", "IpAddressType": "IPV4", "Enabled": enabled,
            "IpSets": [{"IpFamily": "IPv4", "IpAddresses": ["75.2.0.1", "99.83.0.1"], "IpAddressFamily": "IPv4"}],
            "DnsName": "a0123456789abcdef.awsglobalaccelerator.com", "Status": status,
            "CreatedTime": 1764633600.0, "LastModifiedTime": 1764633600.0}


def group(region, endpoints, dial=100.0, suffix="0123456789ab"):
    return {"EndpointGroupArn": LIS + "/endpoint-group/" + suffix, "EndpointGroupRegion": region,
            "EndpointDescriptions": [{"EndpointId": e, "Weight": 128, "HealthState": "HEALTHY",
                                      "ClientIPPreservationEnabled": True} for e in endpoints],
            "TrafficDialPercentage": dial, "HealthCheckPort": 80, "HealthCheckProtocol": "TCP",
            "HealthCheckPath": "/", "HealthCheckIntervalSeconds": 30, "ThresholdCount": 3, "PortOverrides": []}


def current(groups=None, enabled=True, tags=None):
    listener = {"ListenerArn": LIS, "PortRanges": [{"FromPort": 80, "ToPort": 80}], "Protocol": "TCP",
                "ClientAffinity": "NONE",
                "EndpointGroups": groups if groups is not None else [
                    group("us-west-2", [WEST_ALB], suffix="aaaaaaaaaaaa"),
                    group("us-east-1", [EAST_ALB], suffix="bbbbbbbbbbbb")]}
    return {"accelerator": accelerator(enabled), "tags": tags or {}, "listeners": [listener]}


def desired(groups=None, **extra):
    params = {"name": "front", "enabled": True, "tags": {}, "listeners": [{
        "protocol": "TCP", "port_ranges": [{"from_port": 80, "to_port": 80}], "client_affinity": "NONE",
        "endpoint_groups": groups if groups is not None else [
            {"region": "us-west-2", "endpoints": [WEST_ALB]}, {"region": "us-east-1", "endpoints": [EAST_ALB]}]}]}
    params.update(extra)
    return ga.normalise_input(params)


def present_steps(*args, **kwargs):
    return ga.plan_present(*args, **kwargs)[0]


def absent_steps(state):
    return ga.plan_absent(state)[0]


def operations(steps):
    return [s["operation"] for s in steps]


def test_nothing_there_creates_accelerator_listener_and_groups_with_refs():
    steps, after = ga.plan_present({"accelerator": None, "tags": {}, "listeners": []}, desired(tags={"app": "mm"}))
    assert operations(steps) == ["CreateAccelerator", "CreateListener", "CreateEndpointGroup", "CreateEndpointGroup"]
    assert steps[0]["produces"] == "accelerator" and steps[0]["params"]["Tags"] == [{"Key": "app", "Value": "mm"}]
    assert steps[1]["needs"] == {"AcceleratorArn": "accelerator"} and steps[1]["produces"] == "listener:0"
    assert steps[1]["params"] == {"Protocol": "TCP", "PortRanges": [{"FromPort": 80, "ToPort": 80}],
                                  "ClientAffinity": "NONE"}
    assert steps[2]["needs"] == {"ListenerArn": "listener:0"}
    assert steps[2]["params"] == {"EndpointGroupRegion": "us-west-2", "EndpointConfigurations": [
        {"EndpointId": WEST_ALB}]}
    # diff mode lists the groups by region
    assert [g["Endpoints"] for g in ga.diff_view(after)["listeners"][0]["EndpointGroups"]] == [
        [{"EndpointId": EAST_ALB}], [{"EndpointId": WEST_ALB}]]


def test_same_state_plans_nothing():
    steps, after = ga.plan_present(current(), desired())
    assert steps == []
    assert ga.diff_view(after) == ga.diff_view(current())


def test_dial_change_is_one_update_of_that_group_only():
    steps, after = ga.plan_present(current(), desired([{"region": "us-east-1", "traffic_dial_percentage": 10}]))
    assert steps == [{"operation": "UpdateEndpointGroup", "params": {
        "EndpointGroupArn": LIS + "/endpoint-group/bbbbbbbbbbbb", "TrafficDialPercentage": 10.0}}]
    groups = {g["EndpointGroupRegion"]: g for g in after["listeners"][0]["EndpointGroups"]}
    assert groups["us-east-1"]["TrafficDialPercentage"] == 10.0
    assert groups["us-west-2"]["TrafficDialPercentage"] == 100.0  # not named: kept


def test_dial_given_as_integer_equals_the_float_aws_returns():
    steps = present_steps(current([group("us-east-1", [EAST_ALB], dial=10.0)]),
                          desired([{"region": "us-east-1", "traffic_dial_percentage": 10}]))
    assert steps == []


def test_endpoints_and_groups_others_added_are_kept_unless_purged():
    theirs = current([group("us-west-2", [WEST_ALB], suffix="aaaaaaaaaaaa"),
                      group("us-east-1", [EAST_ALB, OTHER_ALB], suffix="bbbbbbbbbbbb"),
                      group("eu-west-1", [], suffix="cccccccccccc")])
    steps, after = ga.plan_present(theirs, desired())
    assert steps == []
    assert {g["EndpointGroupRegion"] for g in after["listeners"][0]["EndpointGroups"]} == {
        "us-west-2", "us-east-1", "eu-west-1"}
    steps, after = ga.plan_present(theirs, desired(), purge_endpoint_groups=True, purge_endpoints=True)
    assert steps == [
        {"operation": "RemoveEndpoints", "params": {"EndpointGroupArn": LIS + "/endpoint-group/bbbbbbbbbbbb",
                                                    "EndpointIdentifiers": [{"EndpointId": OTHER_ALB}]}},
        {"operation": "DeleteEndpointGroup", "params": {"EndpointGroupArn": LIS + "/endpoint-group/cccccccccccc"}}]
    assert {g["EndpointGroupRegion"] for g in after["listeners"][0]["EndpointGroups"]} == {"us-west-2", "us-east-1"}


def test_new_endpoint_is_added_without_touching_the_others():
    steps = present_steps(current(), desired([{"region": "us-east-1", "endpoints": [OTHER_ALB]}]))
    assert steps == [{"operation": "AddEndpoints", "params": {
        "EndpointGroupArn": LIS + "/endpoint-group/bbbbbbbbbbbb", "EndpointConfigurations": [
            {"EndpointId": OTHER_ALB}]}}]


def test_weight_change_updates_the_group_with_every_endpoint_passed_on():
    theirs = current([group("us-east-1", [EAST_ALB, OTHER_ALB], suffix="bbbbbbbbbbbb")])
    steps = present_steps(theirs, desired([{"region": "us-east-1", "endpoints": [
        {"endpoint_id": EAST_ALB, "weight": 200}]}]))
    assert steps == [{"operation": "UpdateEndpointGroup", "params": {
        "EndpointGroupArn": LIS + "/endpoint-group/bbbbbbbbbbbb", "EndpointConfigurations": [
            {"EndpointId": EAST_ALB, "Weight": 200, "ClientIPPreservationEnabled": True},
            {"EndpointId": OTHER_ALB, "Weight": 128, "ClientIPPreservationEnabled": True}]}}]


def test_new_region_gets_a_group_on_the_existing_listener():
    steps = present_steps(current(), desired([{"region": "eu-west-1", "endpoints": []}]))
    assert steps == [{"operation": "CreateEndpointGroup", "params": {
        "ListenerArn": LIS, "EndpointGroupRegion": "eu-west-1", "EndpointConfigurations": []}}]


def test_listener_matched_by_overlapping_ports_gets_its_ranges_and_affinity_set():
    wanted = ga.normalise_input({"name": "front", "listeners": [{
        "port_ranges": [{"from_port": 80, "to_port": 81}], "client_affinity": "SOURCE_IP"}]})
    steps = present_steps(current(), wanted)
    assert steps == [{"operation": "UpdateListener", "params": {
        "ListenerArn": LIS, "PortRanges": [{"FromPort": 80, "ToPort": 81}], "ClientAffinity": "SOURCE_IP"}}]


def test_unnamed_listener_is_kept_or_purged_with_its_groups():
    wanted = ga.normalise_input({"name": "front", "listeners": [{"protocol": "UDP", "port_ranges": [
        {"from_port": 53}]}]})
    steps = present_steps(current(), wanted)
    assert operations(steps) == ["CreateListener"]
    steps = present_steps(current(), wanted, purge_listeners=True)
    assert operations(steps) == ["CreateListener", "DeleteEndpointGroup", "DeleteEndpointGroup", "DeleteListener"]


def test_enable_and_tags_are_merged():
    steps, after = ga.plan_present(current(enabled=False, tags={"owner": "platform"}),
                                   desired(tags={"app": "mm"}))
    assert steps == [{"operation": "UpdateAccelerator", "params": {"AcceleratorArn": ACC, "Enabled": True}},
                     {"operation": "TagResource", "params": {"ResourceArn": ACC,
                                                             "Tags": [{"Key": "app", "Value": "mm"}]}}]
    assert after["tags"] == {"owner": "platform", "app": "mm"}


def test_absent_disables_waits_deletes_groups_listeners_waits_and_deletes():
    steps = absent_steps(current())
    assert operations(steps) == ["UpdateAccelerator", "Wait", "DeleteEndpointGroup", "DeleteEndpointGroup",
                                 "DeleteListener", "Wait", "DeleteAccelerator"]
    assert steps[0]["params"] == {"AcceleratorArn": ACC, "Enabled": False}
    steps = absent_steps(current(enabled=False, groups=[]))
    assert operations(steps) == ["Wait", "DeleteListener", "Wait", "DeleteAccelerator"]
    assert ga.plan_absent({"accelerator": None, "tags": {}, "listeners": []})[0] == []


@pytest.mark.parametrize("group_input, parameter", [
    ({"region": "us-east-1", "health_check_interval_seconds": 20},
     "listeners[0].endpoint_groups[0].health_check_interval_seconds"),
    ({"region": "us-east-1", "threshold_count": 11}, "listeners[0].endpoint_groups[0].threshold_count"),
    ({"region": "us-east-1", "traffic_dial_percentage": 100.5}, "listeners[0].endpoint_groups[0].traffic_dial_percentage"),
    ({"region": "us-east-1", "health_check_path": "health"}, "listeners[0].endpoint_groups[0].health_check_path"),
    ({"region": "us-east-1", "endpoints": [{"endpoint_id": EAST_ALB, "weight": 256}]},
     "listeners[0].endpoint_groups[0].endpoints[0].weight"),
    ({"region": "us-east-1", "endpoints": [EAST_ALB, EAST_ALB]}, "listeners[0].endpoint_groups[0].endpoints"),
    ({"region": "Virginia"}, "listeners[0].endpoint_groups[0].region"),
])
def test_bad_group_input_names_the_parameter(group_input, parameter):
    with pytest.raises(ga.AcceleratorInputError) as raised:
        desired([group_input])
    assert raised.value.parameter == parameter


def test_bad_listener_and_name_input():
    with pytest.raises(ga.AcceleratorInputError) as raised:
        ga.normalise_input({"name": "front", "listeners": [{"port_ranges": [{"from_port": 90, "to_port": 80}]}]})
    assert raised.value.parameter == "listeners[0].port_ranges[0]"
    with pytest.raises(ga.AcceleratorInputError) as raised:
        ga.normalise_input({"name": "front", "listeners": [
            {"port_ranges": [{"from_port": 80}], "endpoint_groups": [{"region": "us-east-1"}, {"region": "us-east-1"}]}]})
    assert raised.value.parameter == "listeners[0].endpoint_groups"
    with pytest.raises(ga.AcceleratorInputError) as raised:
        ga.normalise_input({"name": "-front", "listeners": []})
    assert raised.value.parameter == "name"


def test_two_accelerators_of_one_name_is_an_error():
    with pytest.raises(ga.AcceleratorInputError) as raised:
        ga.find_accelerator([accelerator(), dict(accelerator(), AcceleratorArn=ACC[:-2] + "02")], "front")
    assert raised.value.parameter == "name"


def test_read_current_walks_every_list():
    pages = {"list_accelerators": [accelerator()],
             ("list_listeners", ACC): [{k: v for k, v in current()["listeners"][0].items() if k != "EndpointGroups"}],
             ("list_endpoint_groups", LIS): current()["listeners"][0]["EndpointGroups"]}

    def paged(operation, key, **params):
        arg = params.get("AcceleratorArn") or params.get("ListenerArn")
        return pages[(operation, arg) if arg else operation]
    read = ga.read_current(paged, lambda arn: [{"Key": "app", "Value": "mm"}], "front")
    assert read == current(tags={"app": "mm"})
    assert ga.read_current(paged, None, "absent-one") == {"accelerator": None, "tags": {}, "listeners": []}


def test_absent_endpoint_group_deletes_that_region_only_and_keeps_the_others():
    # teardown of one region (playbooks/teardown.yml): the listener named by its port, no wanted groups
    theirs = current([group("us-west-2", [WEST_ALB], suffix="aaaaaaaaaaaa"),
                      group("us-east-1", [EAST_ALB], suffix="bbbbbbbbbbbb"),
                      group("eu-west-1", [], suffix="cccccccccccc")])
    wanted = desired([], listeners=[{"port_ranges": [{"from_port": 80}], "absent_endpoint_groups": ["us-east-1"]}])
    steps, after = ga.plan_present(theirs, wanted)
    assert steps == [{"operation": "DeleteEndpointGroup",
                      "params": {"EndpointGroupArn": LIS + "/endpoint-group/bbbbbbbbbbbb"}}]
    assert {g["EndpointGroupRegion"] for g in after["listeners"][0]["EndpointGroups"]} == {"us-west-2", "eu-west-1"}
    # gone already (a re-run of the teardown): nothing to do
    assert present_steps(current([group("us-west-2", [WEST_ALB], suffix="aaaaaaaaaaaa")]), wanted) == []


def test_absent_endpoint_group_also_wanted_is_refused_naming_the_option():
    with pytest.raises(ga.AcceleratorInputError) as raised:
        desired(listeners=[{"port_ranges": [{"from_port": 80}], "absent_endpoint_groups": ["us-east-1"],
                            "endpoint_groups": [{"region": "us-east-1", "endpoints": [EAST_ALB]}]}])
    assert raised.value.parameter == "listeners[0].absent_endpoint_groups"
    assert "us-east-1 also in endpoint_groups" in str(raised.value)
    with pytest.raises(ga.AcceleratorInputError) as raised:
        desired(listeners=[{"port_ranges": [{"from_port": 80}], "absent_endpoint_groups": [""]}])
    assert raised.value.parameter == "listeners[0].absent_endpoint_groups"


def test_enabled_not_given_leaves_an_existing_accelerator_as_it_is_and_enables_a_new_one():
    dials_only = desired([{"region": "us-east-1", "traffic_dial_percentage": 10}], enabled=None)
    steps = present_steps(current(enabled=False), dials_only)
    assert operations(steps) == ["UpdateEndpointGroup"]  # no UpdateAccelerator: it stays disabled
    steps = present_steps({"accelerator": None, "tags": {}, "listeners": []}, desired(enabled=None))
    assert steps[0]["operation"] == "CreateAccelerator" and steps[0]["params"]["Enabled"] is True
    assert operations(present_steps(current(enabled=False), desired(enabled=True)))[0] == "UpdateAccelerator"
    with pytest.raises(ga.AcceleratorInputError) as raised:
        desired(enabled="yes")
    assert raised.value.parameter == "enabled"

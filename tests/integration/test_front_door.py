"""Role front_door, playbooks/front_door.yml and playbooks/traffic.yml against the emulator.

The regions' stacks are made from the collection's template (the primary as Labs 0-2 leave it, the secondary as
Lab 3 does), so that front_door.yml finds each load balancer exactly as on AWS: secondary_stack publishes
mm_regions[region].load_balancer_dns, elbv2 DescribeLoadBalancers gives the ARN.
"""
import json

import pytest

from tests.integration.harness import (create_template_stack, deploy_application, recap_changed, run_playbook,
                                       write_regions_inventory)

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

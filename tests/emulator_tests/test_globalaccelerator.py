"""Global Accelerator API of the emulator (moto 5.2.5 has none), called with boto3 exactly as against AWS.

Each rule names the page of the AWS Global Accelerator API reference it follows
(https://docs.aws.amazon.com/global-accelerator/latest/api/<page>) or of the developer guide
(https://docs.aws.amazon.com/global-accelerator/latest/dg/<page>); the field limits are those of the
pages' "Type / Valid Range / Array Members" lines (the same as botocore's service model).
"""
import time
import uuid

import boto3
import botocore.config
import botocore.exceptions
import pytest

CONTROL = "us-west-2"


@pytest.fixture
def ga(aws):
    return aws.client("globalaccelerator", region=CONTROL)


def _code(raised):
    return raised.value.response["Error"]["Code"]


def make_alb(aws, region, name="alb-front"):
    """An Application Load Balancer in ``region`` with one target group behind a listener on port 80."""
    ec2 = aws.client("ec2", region=region)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.%d.0/24" % i, AvailabilityZone=zone)["Subnet"]["SubnetId"]
               for i, zone in enumerate(zones)]
    elb = aws.client("elbv2", region=region)
    lb = elb.create_load_balancer(Name=name, Subnets=subnets, Type="application")["LoadBalancers"][0]
    group = elb.create_target_group(Name=name + "-tg", Protocol="HTTP", Port=80, VpcId=vpc,
                                    TargetType="ip")["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
    return lb["LoadBalancerArn"], group["TargetGroupArn"]


def wait_deployed(ga, arn, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        accelerator = ga.describe_accelerator(AcceleratorArn=arn)["Accelerator"]
        if accelerator["Status"] == "DEPLOYED":
            return accelerator
        time.sleep(0.1)
    raise AssertionError("not deployed: %r" % accelerator)


def new_accelerator(ga, name="front", **kwargs):
    return ga.create_accelerator(Name=name, IdempotencyToken=str(uuid.uuid4()), **kwargs)["Accelerator"]


# ------------------------------------------------------------------------------------- the control region

def test_only_us_west_2_serves_the_api(aws, ga):
    # dg/preserve-client-ip-address.regions.html: "AWS Global Accelerator is a global service. However, you
    # must specify the US West (Oregon) Region ... when you create resources, such as accelerators."
    other = aws.client("globalaccelerator", region="us-east-1")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        other.list_accelerators()
    assert _code(raised) == "UnknownEndpoint"
    assert ga.list_accelerators()["Accelerators"] == []


# ------------------------------------------------------------------------------------- accelerators

def test_create_accelerator_in_progress_then_deployed(aws, ga):
    # API_CreateAccelerator.html, API_Accelerator.html: Status DEPLOYED | IN_PROGRESS; DnsName "a lowercase
    # letter a, followed by a 16-bit random hex string, followed by .awsglobalaccelerator.com"; by default
    # two static IP addresses; Enabled defaults to true.
    aws.control.set_timing(accelerator_deploy_seconds=0.5)
    accelerator = new_accelerator(ga, Tags=[{"Key": "app", "Value": "mysfits"}])
    assert accelerator["Status"] == "IN_PROGRESS"
    assert accelerator["Enabled"] is True and accelerator["IpAddressType"] == "IPV4"
    assert accelerator["AcceleratorArn"].startswith("arn:aws:globalaccelerator::123456789012:accelerator/")
    dns = accelerator["DnsName"]
    assert dns.startswith("a") and dns.endswith(".awsglobalaccelerator.com") and len(dns.split(".")[0]) == 17
    assert len(accelerator["IpSets"][0]["IpAddresses"]) == 2
    deployed = wait_deployed(ga, accelerator["AcceleratorArn"])
    assert deployed["DnsName"] == dns
    assert ga.list_tags_for_resource(ResourceArn=accelerator["AcceleratorArn"])["Tags"] == [
        {"Key": "app", "Value": "mysfits"}]


def test_create_is_idempotent_per_token(ga):
    # API_CreateAccelerator.html: IdempotencyToken "A unique, case-sensitive identifier that you create to
    # ensure the idempotency—that is, the uniqueness—of an accelerator."
    token = str(uuid.uuid4())
    first = ga.create_accelerator(Name="front", IdempotencyToken=token)["Accelerator"]
    again = ga.create_accelerator(Name="front", IdempotencyToken=token)["Accelerator"]
    assert first["AcceleratorArn"] == again["AcceleratorArn"]
    assert len(ga.list_accelerators()["Accelerators"]) == 1


@pytest.mark.parametrize("name", ["-front", "front.", "a" * 65, "front door", ""])
def test_accelerator_name_rules(ga, name):
    # API_CreateAccelerator.html, Name: "maximum of 64 characters, must contain only alphanumeric characters,
    # periods (.), or hyphens (-), and must not begin or end with a hyphen or period."
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.create_accelerator(Name=name, IdempotencyToken=str(uuid.uuid4()))
    assert _code(raised) == "InvalidArgumentException"


def test_update_sets_in_progress_and_describe_unknown_is_not_found(aws, ga):
    # API_UpdateAccelerator.html; API_DescribeAccelerator.html errors: AcceleratorNotFoundException,
    # InvalidArgumentException (a value that is not an accelerator ARN).
    aws.control.set_timing(accelerator_deploy_seconds=0.3)
    arn = new_accelerator(ga)["AcceleratorArn"]
    wait_deployed(ga, arn)
    updated = ga.update_accelerator(AcceleratorArn=arn, Enabled=False)["Accelerator"]
    assert updated["Enabled"] is False and updated["Status"] == "IN_PROGRESS"
    wait_deployed(ga, arn)
    unknown = arn.rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.describe_accelerator(AcceleratorArn=unknown)
    assert _code(raised) == "AcceleratorNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.describe_accelerator(AcceleratorArn="not-an-arn")
    assert _code(raised) == "InvalidArgumentException"


def test_delete_needs_disabled_deployed_and_no_listeners(aws, ga):
    # API_DeleteAccelerator.html: "Before you can delete an accelerator, you must disable it and remove all
    # dependent resources (listeners and endpoint groups)." Errors AcceleratorNotDisabledException,
    # AssociatedListenerFoundException. API_DeleteListener.html: AssociatedEndpointGroupFoundException.
    aws.control.set_timing(accelerator_deploy_seconds=0.3)
    arn = new_accelerator(ga)["AcceleratorArn"]
    listener = ga.create_listener(AcceleratorArn=arn, Protocol="TCP", PortRanges=[{"FromPort": 80, "ToPort": 80}],
                                  IdempotencyToken=str(uuid.uuid4()))["Listener"]["ListenerArn"]
    group = ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="us-east-1",
                                     IdempotencyToken=str(uuid.uuid4()))["EndpointGroup"]["EndpointGroupArn"]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.delete_accelerator(AcceleratorArn=arn)
    assert _code(raised) == "AcceleratorNotDisabledException"
    ga.update_accelerator(AcceleratorArn=arn, Enabled=False)
    with pytest.raises(botocore.exceptions.ClientError) as raised:  # disabling is not deployed yet
        ga.delete_accelerator(AcceleratorArn=arn)
    assert _code(raised) == "AcceleratorNotDisabledException"
    wait_deployed(ga, arn)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.delete_accelerator(AcceleratorArn=arn)
    assert _code(raised) == "AssociatedListenerFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.delete_listener(ListenerArn=listener)
    assert _code(raised) == "AssociatedEndpointGroupFoundException"
    ga.delete_endpoint_group(EndpointGroupArn=group)
    ga.delete_listener(ListenerArn=listener)
    wait_deployed(ga, arn)
    ga.delete_accelerator(AcceleratorArn=arn)
    assert ga.list_accelerators()["Accelerators"] == []


def test_list_pages_with_max_results_limits(ga):
    # API_ListAccelerators.html: MaxResults "The default value is 10", Valid Range 1-100; NextToken;
    # InvalidNextTokenException.
    arns = [new_accelerator(ga, name="front-%d" % i)["AcceleratorArn"] for i in range(12)]
    first = ga.list_accelerators()
    assert len(first["Accelerators"]) == 10 and "NextToken" in first
    second = ga.list_accelerators(NextToken=first["NextToken"])
    assert "NextToken" not in second
    assert [a["AcceleratorArn"] for a in first["Accelerators"] + second["Accelerators"]] == arns
    paged = [a["AcceleratorArn"] for page in ga.get_paginator("list_accelerators").paginate(
        PaginationConfig={"PageSize": 5}) for a in page["Accelerators"]]
    assert paged == arns
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.list_accelerators(NextToken="garbage")
    assert _code(raised) == "InvalidNextTokenException"


# ------------------------------------------------------------------------------------- listeners

def test_listener_create_update_and_port_rules(ga):
    # API_CreateListener.html: Protocol TCP | UDP, ClientAffinity NONE | SOURCE_IP (default NONE), PortRanges
    # 1-10 items of FromPort/ToPort 1-65535; InvalidPortRangeException. API_UpdateListener.html.
    arn = new_accelerator(ga)["AcceleratorArn"]
    listener = ga.create_listener(AcceleratorArn=arn, Protocol="TCP", PortRanges=[{"FromPort": 80, "ToPort": 80}],
                                  IdempotencyToken=str(uuid.uuid4()))["Listener"]
    assert listener["ClientAffinity"] == "NONE" and listener["ListenerArn"].startswith(arn + "/listener/")
    for ranges in ([{"FromPort": 90, "ToPort": 85}], [{"FromPort": 79, "ToPort": 81}]):
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            ga.create_listener(AcceleratorArn=arn, Protocol="TCP", PortRanges=ranges,
                               IdempotencyToken=str(uuid.uuid4()))
        assert _code(raised) == "InvalidPortRangeException"
    updated = ga.update_listener(ListenerArn=listener["ListenerArn"], ClientAffinity="SOURCE_IP")["Listener"]
    assert updated["ClientAffinity"] == "SOURCE_IP" and updated["PortRanges"] == [{"FromPort": 80, "ToPort": 80}]
    assert ga.describe_listener(ListenerArn=listener["ListenerArn"])["Listener"] == updated
    assert ga.list_listeners(AcceleratorArn=arn)["Listeners"] == [updated]
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.describe_listener(ListenerArn=arn + "/listener/0123abcd")
    assert _code(raised) == "ListenerNotFoundException"


# ------------------------------------------------------------------------------------- endpoint groups

def test_endpoint_group_defaults_and_one_per_region(aws, ga):
    # API_CreateEndpointGroup.html / API_EndpointGroup.html: TrafficDialPercentage default 100,
    # HealthCheckIntervalSeconds default 30, ThresholdCount default 3, HealthCheckProtocol default TCP,
    # HealthCheckPort default the listener's (first) port, HealthCheckPath default "/"; "A listener can have
    # only one endpoint group in a specific Region": EndpointGroupAlreadyExistsException.
    alb, _ = make_alb(aws, "us-east-1")
    arn = new_accelerator(ga)["AcceleratorArn"]
    listener = ga.create_listener(AcceleratorArn=arn, Protocol="TCP", PortRanges=[{"FromPort": 80, "ToPort": 81}],
                                  IdempotencyToken=str(uuid.uuid4()))["Listener"]["ListenerArn"]
    group = ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="us-east-1",
                                     EndpointConfigurations=[{"EndpointId": alb}],
                                     IdempotencyToken=str(uuid.uuid4()))["EndpointGroup"]
    assert group["TrafficDialPercentage"] == 100.0
    assert (group["HealthCheckIntervalSeconds"], group["ThresholdCount"]) == (30, 3)
    assert (group["HealthCheckProtocol"], group["HealthCheckPort"], group["HealthCheckPath"]) == ("TCP", 80, "/")
    # EndpointConfiguration: Weight default 128 (dg/about-endpoints-endpoint-weights.html);
    # ClientIPPreservationEnabled "The default value is true for Application Load Balancer endpoints."
    [endpoint] = group["EndpointDescriptions"]
    assert (endpoint["EndpointId"], endpoint["Weight"], endpoint["ClientIPPreservationEnabled"]) == (alb, 128, True)
    assert endpoint["HealthState"] == "INITIAL"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="us-east-1",
                                 IdempotencyToken=str(uuid.uuid4()))
    assert _code(raised) == "EndpointGroupAlreadyExistsException"
    assert [g["EndpointGroupRegion"] for g in ga.list_endpoint_groups(ListenerArn=listener)["EndpointGroups"]] == [
        "us-east-1"]


@pytest.mark.parametrize("setting", [
    {"TrafficDialPercentage": 100.5},          # API_UpdateEndpointGroup.html: Valid Range 0-100
    {"TrafficDialPercentage": -1.0},
    {"HealthCheckIntervalSeconds": 20},        # "The time—10 seconds or 30 seconds—between health checks"
    {"ThresholdCount": 11},                    # Valid Range 1-10
    {"ThresholdCount": 0},
    {"HealthCheckPath": "health"},             # Pattern ^/[-a-zA-Z0-9@:%_\\+.~#?&/=]*$
    {"EndpointConfigurations": [{"EndpointId": "not-an-endpoint"}]},
])
def test_endpoint_group_values_out_of_range(ga, setting):
    arn = new_accelerator(ga)["AcceleratorArn"]
    listener = ga.create_listener(AcceleratorArn=arn, Protocol="TCP", PortRanges=[{"FromPort": 80, "ToPort": 80}],
                                  IdempotencyToken=str(uuid.uuid4()))["Listener"]["ListenerArn"]
    group = ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="us-east-1",
                                     IdempotencyToken=str(uuid.uuid4()))["EndpointGroup"]["EndpointGroupArn"]
    client = ga
    if any(isinstance(v, (int, float)) and not 0 <= v <= 100 for v in setting.values()) or setting.get(
            "ThresholdCount") == 0:
        # botocore validates ranges itself; turn that off to see what the service answers.
        client = boto3.client("globalaccelerator", region_name=CONTROL, endpoint_url=ga.meta.endpoint_url,
                              aws_access_key_id="AKIAEMULATOR0000TEST",
                              aws_secret_access_key="emulator-dummy-secret-key-do-not-use",
                              config=botocore.config.Config(parameter_validation=False))
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.update_endpoint_group(EndpointGroupArn=group, **setting)
    assert _code(raised) == "InvalidArgumentException"
    assert ga.describe_endpoint_group(EndpointGroupArn=group)["EndpointGroup"]["TrafficDialPercentage"] == 100.0


def test_endpoint_must_exist_in_the_group_region(aws, ga):
    # API_CreateEndpointGroup.html: "A resource must be valid and active when you add it as an endpoint."
    alb, _ = make_alb(aws, "us-east-1")
    arn = new_accelerator(ga)["AcceleratorArn"]
    listener = ga.create_listener(AcceleratorArn=arn, Protocol="TCP", PortRanges=[{"FromPort": 80, "ToPort": 80}],
                                  IdempotencyToken=str(uuid.uuid4()))["Listener"]["ListenerArn"]
    with pytest.raises(botocore.exceptions.ClientError) as raised:  # the ALB is in us-east-1
        ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="us-west-2",
                                 EndpointConfigurations=[{"EndpointId": alb}], IdempotencyToken=str(uuid.uuid4()))
    assert _code(raised) == "InvalidArgumentException"
    gone = alb[:-4] + "0000"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="us-east-1",
                                 EndpointConfigurations=[{"EndpointId": gone}], IdempotencyToken=str(uuid.uuid4()))
    assert _code(raised) == "InvalidArgumentException"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="mars-north-1",
                                 IdempotencyToken=str(uuid.uuid4()))
    assert _code(raised) == "InvalidArgumentException"


def test_add_and_remove_endpoints_and_dial(aws, ga):
    # API_AddEndpoints.html ("you don't need to specify the current endpoints that are already in the endpoint
    # group"), API_RemoveEndpoints.html, API_UpdateEndpointGroup.html (TrafficDialPercentage);
    # API_DescribeEndpointGroup.html: EndpointGroupNotFoundException.
    aws.control.set_timing(accelerator_deploy_seconds=0.2)
    first, _ = make_alb(aws, "us-east-1", "alb-one")
    second, _ = make_alb(aws, "us-east-1", "alb-two")
    arn = new_accelerator(ga)["AcceleratorArn"]
    listener = ga.create_listener(AcceleratorArn=arn, Protocol="TCP", PortRanges=[{"FromPort": 80, "ToPort": 80}],
                                  IdempotencyToken=str(uuid.uuid4()))["Listener"]["ListenerArn"]
    group = ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="us-east-1",
                                     EndpointConfigurations=[{"EndpointId": first, "Weight": 200}],
                                     IdempotencyToken=str(uuid.uuid4()))["EndpointGroup"]["EndpointGroupArn"]
    added = ga.add_endpoints(EndpointGroupArn=group, EndpointConfigurations=[
        {"EndpointId": second, "ClientIPPreservationEnabled": False}])
    assert [d["EndpointId"] for d in added["EndpointDescriptions"]] == [second]
    assert ga.describe_accelerator(AcceleratorArn=arn)["Accelerator"]["Status"] == "IN_PROGRESS"
    described = ga.describe_endpoint_group(EndpointGroupArn=group)["EndpointGroup"]
    assert [(d["EndpointId"], d["Weight"], d["ClientIPPreservationEnabled"])
            for d in described["EndpointDescriptions"]] == [(first, 200, True), (second, 128, False)]
    dialled = ga.update_endpoint_group(EndpointGroupArn=group, TrafficDialPercentage=10)["EndpointGroup"]
    assert dialled["TrafficDialPercentage"] == 10.0 and len(dialled["EndpointDescriptions"]) == 2
    ga.remove_endpoints(EndpointGroupArn=group, EndpointIdentifiers=[{"EndpointId": first}])
    assert [d["EndpointId"] for d in ga.describe_endpoint_group(
        EndpointGroupArn=group)["EndpointGroup"]["EndpointDescriptions"]] == [second]
    ga.delete_endpoint_group(EndpointGroupArn=group)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.describe_endpoint_group(EndpointGroupArn=group)
    assert _code(raised) == "EndpointGroupNotFoundException"


# ------------------------------------------------------------------------------------- endpoint health

def test_health_initial_then_from_target_health_then_control_route(aws, ga):
    # API_EndpointDescription.html: HealthState INITIAL | HEALTHY | UNHEALTHY. API_EndpointGroup.html,
    # ThresholdCount: "The number of consecutive health checks required to set the state of a healthy endpoint
    # to unhealthy, or to set an unhealthy endpoint to healthy": a change shows after interval x threshold.
    aws.control.set_timing(accelerator_deploy_seconds=0.2)
    alb, target_group = make_alb(aws, "us-east-1")
    arn = new_accelerator(ga)["AcceleratorArn"]
    listener = ga.create_listener(AcceleratorArn=arn, Protocol="TCP", PortRanges=[{"FromPort": 80, "ToPort": 80}],
                                  IdempotencyToken=str(uuid.uuid4()))["Listener"]["ListenerArn"]
    group = ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="us-east-1",
                                     EndpointConfigurations=[{"EndpointId": alb}], HealthCheckIntervalSeconds=10,
                                     ThresholdCount=1,
                                     IdempotencyToken=str(uuid.uuid4()))["EndpointGroup"]["EndpointGroupArn"]

    def health():
        return ga.describe_endpoint_group(EndpointGroupArn=group)["EndpointGroup"]["EndpointDescriptions"][0][
            "HealthState"]
    assert health() == "INITIAL"
    wait_deployed(ga, arn)
    assert health() == "HEALTHY"  # no registered target to judge by
    aws.client("elbv2", region="us-east-1").register_targets(TargetGroupArn=target_group,
                                                             Targets=[{"Id": "10.9.0.10", "Port": 80}])
    target = aws.client("elbv2", region="us-east-1").describe_target_health(TargetGroupArn=target_group)
    expected = "HEALTHY" if target["TargetHealthDescriptions"][0]["TargetHealth"]["State"] == "healthy" else (
        "UNHEALTHY")
    assert health() == expected
    aws.control.post("globalaccelerator/health", {"endpoint_id": alb, "state": "UNHEALTHY"})
    assert health() == expected  # 10 s x 1 check not over yet
    routes = aws.control.get("globalaccelerator/health")["health"]
    assert routes[alb]["state"] == "UNHEALTHY" and routes[alb]["before"] == expected
    aws.control.post("globalaccelerator/health", {"endpoint_id": alb, "state": None})
    assert aws.control.get("globalaccelerator/health")["health"] == {}


def test_health_change_shows_after_interval_times_threshold(aws, ga, monkeypatch):
    # Same rule as above, observed to its end: ThresholdCount 1 at 10 s (the smallest floor the API allows).
    aws.control.set_timing(accelerator_deploy_seconds=0)
    alb, _ = make_alb(aws, "us-east-1")
    arn = new_accelerator(ga)["AcceleratorArn"]
    listener = ga.create_listener(AcceleratorArn=arn, Protocol="TCP", PortRanges=[{"FromPort": 80, "ToPort": 80}],
                                  IdempotencyToken=str(uuid.uuid4()))["Listener"]["ListenerArn"]
    group = ga.create_endpoint_group(ListenerArn=listener, EndpointGroupRegion="us-east-1",
                                     EndpointConfigurations=[{"EndpointId": alb}], HealthCheckIntervalSeconds=10,
                                     ThresholdCount=1,
                                     IdempotencyToken=str(uuid.uuid4()))["EndpointGroup"]["EndpointGroupArn"]
    set_at = time.monotonic()
    aws.control.post("globalaccelerator/health", {"endpoint_id": alb, "state": "UNHEALTHY"})
    seen = []
    while time.monotonic() - set_at < 12:
        state = ga.describe_endpoint_group(EndpointGroupArn=group)["EndpointGroup"]["EndpointDescriptions"][0][
            "HealthState"]
        seen.append((time.monotonic() - set_at, state))
        if state == "UNHEALTHY":
            break
        time.sleep(0.5)
    assert seen[0][1] == "HEALTHY"
    assert seen[-1][1] == "UNHEALTHY" and seen[-1][0] >= 9.5  # not before 10 s (clock skew of the two processes)


def test_tags_on_accelerators(ga):
    # API_TagResource.html, API_UntagResource.html, API_ListTagsForResource.html.
    arn = new_accelerator(ga)["AcceleratorArn"]
    ga.tag_resource(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "platform"}, {"Key": "app", "Value": "mm"}])
    ga.tag_resource(ResourceArn=arn, Tags=[{"Key": "app", "Value": "mysfits"}])
    assert sorted((t["Key"], t["Value"]) for t in ga.list_tags_for_resource(ResourceArn=arn)["Tags"]) == [
        ("app", "mysfits"), ("owner", "platform")]
    ga.untag_resource(ResourceArn=arn, TagKeys=["owner"])
    assert ga.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "app", "Value": "mysfits"}]
    unknown = arn.rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ga.list_tags_for_resource(ResourceArn=unknown)
    assert _code(raised) == "AcceleratorNotFoundException"

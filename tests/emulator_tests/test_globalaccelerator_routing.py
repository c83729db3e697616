"""Requests sent to an accelerator's DNS name: routed by traffic dial and endpoint health, as AWS documents.

* "Endpoints for standard accelerators": Global Accelerator "routes traffic only to the active endpoints that
  are healthy. If Global Accelerator doesn't have any healthy endpoints to route traffic to, it routes traffic
  to all endpoints" (https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints.html).
* "How failover works for unhealthy endpoints": with no healthy endpoint of weight > 0 in an endpoint group,
  "Global Accelerator tries to fail over to a healthy endpoint with a weight greater than zero in another
  endpoint group ... Global Accelerator ignores the traffic dial setting" for this failover; with none found it
  "routes traffic to a random endpoint in the endpoint group that is closest to the client. That is, it fails
  open" (https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-endpoint-weights.unhealthy-endpoints.html).
* "Endpoint groups for standard accelerators": the traffic dial sets "the percentage of traffic to send to an
  endpoint group" (https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoint-groups.html).
* API reference, EndpointGroup, ThresholdCount: "The number of consecutive health checks required to set the
  state of a healthy endpoint to unhealthy, or to set an unhealthy endpoint to healthy", with
  HealthCheckIntervalSeconds 10 or 30 (https://docs.aws.amazon.com/global-accelerator/latest/api/API_EndpointGroup.html):
  a change of the load balancer's health shows after interval x threshold.
"""
import random
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.emulator.ext import globalaccelerator as ext
from tests.integration.harness import create_template_stack, deploy_application

PRIMARY, SECONDARY = "us-west-2", "us-east-1"


# ----------------------------------------------------------------------------- the choice, as a pure function

class _E:
    def __init__(self, name, weight=128):
        self.id, self.weight = name, weight


class _G:
    def __init__(self, region, dial, endpoints):
        self.region, self.dial, self.endpoints = region, dial, endpoints


def _draw(groups, health, n=400):
    rng = random.Random(1)
    seen = {}
    for _ in range(n):
        group, endpoint, why = ext.choose_endpoint(groups, health, rng)
        key = (group.region, endpoint.id, why)
        seen[key] = seen.get(key, 0) + 1
    return seen


def test_choice_by_dial_among_healthy_endpoints():
    a, b = _G("us-west-2", 90.0, [_E("alb-a")]), _G("us-east-1", 10.0, [_E("alb-b")])
    seen = _draw([a, b], lambda g, e: "HEALTHY")
    assert set(seen) == {("us-west-2", "alb-a", "dial"), ("us-east-1", "alb-b", "dial")}
    assert 0.8 < seen[("us-west-2", "alb-a", "dial")] / 400 < 0.97
    # dial 0: the group receives nothing while it is not needed for failover
    assert set(_draw([_G("us-west-2", 100.0, [_E("alb-a")]), _G("us-east-1", 0.0, [_E("alb-b")])],
                     lambda g, e: "HEALTHY")) == {("us-west-2", "alb-a", "dial")}


def test_unhealthy_group_fails_over_ignoring_dial_zero():
    a, b = _G("us-west-2", 100.0, [_E("alb-a")]), _G("us-east-1", 0.0, [_E("alb-b")])
    seen = _draw([a, b], lambda g, e: "UNHEALTHY" if e.id == "alb-a" else "HEALTHY")
    assert set(seen) == {("us-east-1", "alb-b", "failover")}
    # INITIAL is not healthy either; weight 0 endpoints take no traffic
    seen = _draw([_G("us-west-2", 100.0, [_E("alb-a"), _E("alb-c", weight=0)]), b],
                 lambda g, e: "INITIAL" if e.id == "alb-a" else "HEALTHY")
    assert set(seen) == {("us-east-1", "alb-b", "failover")}


def test_no_healthy_endpoint_anywhere_fails_open_in_the_chosen_group():
    a, b = _G("us-west-2", 100.0, [_E("alb-a"), _E("alb-c")]), _G("us-east-1", 0.0, [_E("alb-b")])
    seen = _draw([a, b], lambda g, e: "UNHEALTHY")
    assert set(seen) == {("us-west-2", "alb-a", "fail-open"), ("us-west-2", "alb-c", "fail-open")}


# ----------------------------------------------------------------------------- through the proxy, end to end

def _stack(aws, region, name, dr):
    return create_template_stack(aws, region, name, dr)


@pytest.fixture
def front(aws):
    aws.control.set_timing(accelerator_deploy_seconds=0.2, stack_create_seconds=0.2)
    outputs = {PRIMARY: _stack(aws, PRIMARY, "mm-primary-region", "false"),
               SECONDARY: _stack(aws, SECONDARY, "mm-secondary-region", "true")}
    for region, region_outputs in outputs.items():
        deploy_application(aws, region, region_outputs)
    ga = aws.client("globalaccelerator", region="us-west-2")
    accelerator = ga.create_accelerator(Name="front", IdempotencyToken=str(uuid.uuid4()))["Accelerator"]
    listener = ga.create_listener(AcceleratorArn=accelerator["AcceleratorArn"], Protocol="TCP",
                                  PortRanges=[{"FromPort": 80, "ToPort": 80}],
                                  IdempotencyToken=str(uuid.uuid4()))["Listener"]["ListenerArn"]
    groups = {}
    for region in (PRIMARY, SECONDARY):
        [lb] = aws.client("elbv2", region=region).describe_load_balancers()["LoadBalancers"]
        groups[region] = ga.create_endpoint_group(
            ListenerArn=listener, EndpointGroupRegion=region, HealthCheckIntervalSeconds=10, ThresholdCount=1,
            EndpointConfigurations=[{"EndpointId": lb["LoadBalancerArn"]}],
            IdempotencyToken=str(uuid.uuid4()))["EndpointGroup"]["EndpointGroupArn"]
    time.sleep(0.4)  # deployed: the endpoints leave INITIAL
    return {"ga": ga, "dns": accelerator["DnsName"], "groups": groups, "outputs": outputs,
            "arn": accelerator["AcceleratorArn"]}


def get(dns, path="/", method="GET"):
    """(status, serving region from the emulator's header, body) of one request through the proxy."""
    request = urllib.request.Request("http://%s%s" % (dns, path), method=method, data=b"" if method == "POST" else None)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler())  # the proxy of the environment now
    try:
        with opener.open(request, timeout=10) as answer:
            return answer.status, answer.headers.get("X-Emulator-Endpoint-Region"), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Emulator-Endpoint-Region"), error.read().decode()


def _set_desired(aws, region, outputs, count):
    ecs = aws.client("ecs", region=region)
    cluster = outputs[region]["EcsClusterName"]
    for arn in ecs.list_services(cluster=cluster)["serviceArns"]:
        ecs.update_service(cluster=cluster, service=arn, desiredCount=count)


def test_dials_route_and_the_page_names_the_serving_region(aws, front):
    ga, dns, groups = front["ga"], front["dns"], front["groups"]
    answers = [get(dns) for _ in range(40)]
    assert {a[0] for a in answers} == {200}
    assert {a[1] for a in answers} == {PRIMARY, SECONDARY}  # 100/100: both
    for status, region, body in answers:
        assert "Current region: %s" % region in body  # the application's own page says it too
    ga.update_endpoint_group(EndpointGroupArn=groups[PRIMARY], TrafficDialPercentage=0)
    assert {get(dns)[1] for _ in range(20)} == {SECONDARY}
    # the like service behind the same ALB, through the accelerator
    mysfits = aws.client("dynamodb", region=SECONDARY)
    assert get(dns, "/mysfits")[0] == 200 or mysfits  # the table may be empty; the route answers


def test_failover_after_interval_times_threshold_and_back(aws, front):
    ga, dns, groups, outputs = front["ga"], front["dns"], front["groups"], front["outputs"]
    ga.update_endpoint_group(EndpointGroupArn=groups[SECONDARY], TrafficDialPercentage=0)
    assert {get(dns)[1] for _ in range(10)} == {PRIMARY}
    broken = time.monotonic()
    _set_desired(aws, PRIMARY, outputs, 0)
    timeline = []
    while time.monotonic() - broken < 20:
        status, region, _ = get(dns)
        timeline.append((time.monotonic() - broken, status, region))
        if region == SECONDARY:
            break
        time.sleep(0.25)
    # Until the health checks (10 s x 1) see it, the accelerator still sends to the primary, whose ALB has no
    # task left: 503. Then everything goes to the secondary although its dial is 0 (failover ignores dials).
    assert timeline[0][1:] == (503, PRIMARY)
    assert timeline[-1][2] == SECONDARY and 9.0 <= timeline[-1][0] < 12.0, timeline
    assert {get(dns)[1:2] for _ in range(10)} == {(SECONDARY,)}
    health = ga.describe_endpoint_group(EndpointGroupArn=groups[PRIMARY])["EndpointGroup"][
        "EndpointDescriptions"][0]["HealthState"]
    assert health == "UNHEALTHY"

    restored = time.monotonic()
    _set_desired(aws, PRIMARY, outputs, 1)
    while time.monotonic() - restored < 20:
        status, region, _ = get(dns)
        if region == PRIMARY:
            break
        assert (status, region) == (200, SECONDARY)  # served by the secondary until the primary is seen healthy
        time.sleep(0.25)
    assert region == PRIMARY and 9.0 <= time.monotonic() - restored < 12.0


def test_no_healthy_endpoint_fails_open_and_disabled_accelerator_refuses(aws, front):
    ga, dns, outputs = front["ga"], front["dns"], front["outputs"]
    ga.update_endpoint_group(EndpointGroupArn=front["groups"][SECONDARY], TrafficDialPercentage=0)
    _set_desired(aws, PRIMARY, outputs, 0)
    _set_desired(aws, SECONDARY, outputs, 0)
    time.sleep(10.6)
    answers = [get(dns) for _ in range(10)]
    assert {(a[0], a[1]) for a in answers} == {(503, PRIMARY)}  # fails open: to the closest (dialled) group
    ga.update_accelerator(AcceleratorArn=front["arn"], Enabled=False)
    assert get(dns)[0] == 502
    assert get("a0000000000000000.awsglobalaccelerator.com")[0] == 502

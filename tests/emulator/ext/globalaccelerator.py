"""AWS Global Accelerator (standard accelerators): the control plane moto 5.2.5 does not have.

moto 5.2.5 has no ``globalaccelerator`` backend at all; this extension answers the service itself
(JSON 1.1, ``X-Amz-Target: GlobalAccelerator_V20180706.<Operation>``) through ``app.SERVICE_APPS``.

Operations: ``CreateAccelerator``, ``DescribeAccelerator``, ``ListAccelerators``, ``UpdateAccelerator``,
``DeleteAccelerator``; ``CreateListener``, ``DescribeListener``, ``ListListeners``, ``UpdateListener``,
``DeleteListener``; ``CreateEndpointGroup``, ``DescribeEndpointGroup``, ``ListEndpointGroups``,
``UpdateEndpointGroup``, ``DeleteEndpointGroup``, ``AddEndpoints``, ``RemoveEndpoints``; ``TagResource``,
``UntagResource``, ``ListTagsForResource``.

Rules (each cited in tests/emulator_tests/test_globalaccelerator.py; API reference
https://docs.aws.amazon.com/global-accelerator/latest/api/):

* The API is served in US West (Oregon) only ("you must specify the US West (Oregon) Region to create,
  update, or otherwise work with accelerators"). AWS has no ``globalaccelerator`` host in other regions
  (botocore cannot connect); the emulator, which receives every region on one host, answers a request
  signed for another region with HTTP 400 ``UnknownEndpoint``, so a client pointed at the wrong region
  fails as surely as against AWS.
* An accelerator's ``Status`` is ``IN_PROGRESS`` after its creation and after every change to it, its
  listeners, endpoint groups or endpoints, and turns ``DEPLOYED`` after ``accelerator_deploy_seconds``
  (timing control, ``/_emulator/timing``).
* ``DeleteAccelerator`` needs the accelerator disabled (``Enabled`` false, and that change deployed:
  ``AcceleratorNotDisabledException`` before) and without listeners (``AssociatedListenerFoundException``);
  ``DeleteListener`` needs no endpoint groups (``AssociatedEndpointGroupFoundException``).
* One endpoint group per region per listener (``EndpointGroupAlreadyExistsException``).
* Values outside the API's ranges: ``InvalidArgumentException`` (``InvalidPortRangeException`` for ports).
* Endpoints: a load balancer's ARN must name a load balancer that exists (moto's elbv2) in the endpoint
  group's region ("A resource must be valid and active when you add it as an endpoint"). ``Weight``
  defaults to 128, ``ClientIPPreservationEnabled`` to true for Application Load Balancers.
* List operations page with ``MaxResults`` 1-100 (default 10) and an opaque ``NextToken``.

Endpoint health (``HealthState``): ``INITIAL`` while the change that added the endpoint is not deployed;
then, in this order: a state set through the control route ``/_emulator/globalaccelerator/health``
(``POST {"endpoint_id": <ALB ARN or id>, "state": "HEALTHY" | "UNHEALTHY" | null}``; null clears it),
which the endpoint group reports after ``HealthCheckIntervalSeconds`` x ``ThresholdCount`` seconds
("The number of consecutive health checks required to set the state of a healthy endpoint to unhealthy,
or to set an unhealthy endpoint to healthy"); else the ALB's target health in moto's elbv2 (HEALTHY when
one registered target of its target groups is healthy, UNHEALTHY when targets are registered but none
is); else, with no registered target to judge by, HEALTHY. ``GET`` on the route lists the set states.

A load balancer's target health counts ECS: a target group that an active ECS service names, with no task
running, has no healthy target, and its load balancer is ``UNHEALTHY`` (the workshop's Lab 5: desired count 0,
"the ALB turns unhealthy"). Changes of the target health reach the endpoint groups after the same
``HealthCheckIntervalSeconds`` x ``ThresholdCount``: a sampler thread (``SAMPLE_SECONDS``) notices each change
of every endpoint's load balancer, as the accelerator's health checkers would, and the endpoint group reports
the new state that long after it. (A simplification the issue asks for: AWS says that for load balancer endpoints
the health-check settings are those of Elastic Load Balancing - "For Network Load Balancer and Application Load
Balancer endpoints, configure health check settings on the ELB console", "Endpoint groups for standard
accelerators" - so on AWS the lag is the target group's, plus Global Accelerator's own polling.)

Routing (``route``): an HTTP request through the proxy whose ``Host`` is an accelerator's ``DnsName`` is
forwarded to one endpoint's load balancer (``application.serve``) with the port of the listener (or its
endpoint group's ``PortOverrides``). The endpoint group is chosen by ``TrafficDialPercentage`` (a group with
dial 0 receives nothing; the emulator has no client location, so "the closest" group is one drawn by dial),
then one of its ``HEALTHY`` endpoints by ``Weight``. With none, the accelerator fails over to a group with a
healthy endpoint of weight > 0, ignoring the dials; with none anywhere it "fails open" to a random endpoint
of the chosen group ("How failover works for unhealthy endpoints", Global Accelerator developer guide,
https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-endpoint-weights.unhealthy-endpoints.html).
A disabled accelerator, or a port no listener has, answers 502 as a proxy that cannot connect. The answer
carries ``X-Emulator-Endpoint-Region``, ``X-Emulator-Endpoint`` and ``X-Emulator-Routing`` (which endpoint
served it, and why), for tests.
"""
import itertools
import json
import random
import re
import threading
import time
import uuid

from moto.core import DEFAULT_ACCOUNT_ID

from .. import app, state, wire

SERVICE = "globalaccelerator"
CONTROL_REGION = "us-west-2"
TARGET_PREFIX = "GlobalAccelerator_V20180706."
# AWS Regions where endpoint groups can be (Global Accelerator developer guide, "AWS Region availability").
ENDPOINT_REGIONS = frozenset((
    "us-east-2", "us-east-1", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1", "ap-south-2",
    "ap-southeast-3", "ap-southeast-4", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-5",
    "ap-northeast-1", "ap-northeast-2", "ca-central-1", "ca-west-1", "eu-central-1", "eu-west-1", "eu-west-2",
    "eu-south-1", "eu-west-3", "eu-south-2", "eu-north-1", "eu-central-2", "il-central-1", "me-south-1",
    "me-central-1", "sa-east-1"))
NAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$")
PATH_PATTERN = re.compile(r"^/[-a-zA-Z0-9@:%_\\+.~#?&/=]*$")
ARN_PREFIX = "arn:aws:globalaccelerator::"
ACCELERATOR_ARN = re.compile(r"^arn:aws:globalaccelerator::\d{12}:accelerator/[0-9a-f-]{36}$")
LISTENER_ARN = re.compile(r"^arn:aws:globalaccelerator::\d{12}:accelerator/[0-9a-f-]{36}/listener/[0-9a-f]{8}$")
GROUP_ARN = re.compile(
    r"^arn:aws:globalaccelerator::\d{12}:accelerator/[0-9a-f-]{36}/listener/[0-9a-f]{8}/endpoint-group/[0-9a-f]{12}$")
LB_ARN = re.compile(r"^arn:aws:elasticloadbalancing:([a-z0-9-]+):(\d{12}):loadbalancer/(app|net)/[^/]+/[0-9a-f]+$")
MAX_LISTENERS = 10          # quotas: listeners per accelerator
MAX_ENDPOINTS = 10          # EndpointConfigurations: at most 10 items
MAX_PORT_RANGES = 10
DEFAULT_PAGE = 10
HEALTH_STATES = ("HEALTHY", "UNHEALTHY")

_LOCK = threading.RLock()
_COUNTER = itertools.count(1)
ACCELERATORS = {}   # arn -> _Accelerator
TOKENS = {}         # (operation, idempotency token) -> arn
HEALTH = {}         # endpoint id -> (state, time set)
OBSERVED = {}       # endpoint id -> (target health now, time it changed, what was reported before the change)
SAMPLE_SECONDS = 0.25
ACCELERATOR_HOST_SUFFIX = ".awsglobalaccelerator.com"
_RANDOM = random.Random(0)
_sampler = {"thread": None}


class GAError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def _invalid(message):
    return GAError("InvalidArgumentException", message)


def _now():
    return state.now()


def _reset():
    with _LOCK:
        ACCELERATORS.clear()
        TOKENS.clear()
        HEALTH.clear()
        OBSERVED.clear()


class _Accelerator:
    def __init__(self, name, enabled, ip_type, tags):
        n = next(_COUNTER)
        self.arn = "%s%s:accelerator/%s" % (ARN_PREFIX, DEFAULT_ACCOUNT_ID, uuid.uuid4())
        self.name = name
        self.enabled = enabled
        self.ip_type = ip_type
        self.tags = list(tags)
        self.dns = "a%s.awsglobalaccelerator.com" % uuid.uuid4().hex[:16]
        # Two static anycast IPv4 addresses, from the ranges AWS announces for Global Accelerator.
        self.ips = ["75.2.%d.%d" % (n // 250 % 250, n % 250 + 1), "99.83.%d.%d" % (n // 250 % 250, n % 250 + 1)]
        self.created = _now()
        self.modified = self.created
        self.deployed_at = self.created + state.TIMING.get("accelerator_deploy_seconds")
        self.listeners = {}  # arn -> _Listener, in creation order

    def touch(self):
        """A change: the accelerator is IN_PROGRESS until it is deployed."""
        self.modified = _now()
        self.deployed_at = self.modified + state.TIMING.get("accelerator_deploy_seconds")

    @property
    def status(self):
        return "DEPLOYED" if _now() >= self.deployed_at else "IN_PROGRESS"

    def describe(self):
        return {
            "AcceleratorArn": self.arn,
            "Name": self.name,
            "IpAddressType": self.ip_type,
            "Enabled": self.enabled,
            "IpSets": [{"IpFamily": "IPv4", "IpAddresses": list(self.ips), "IpAddressFamily": "IPv4"}],
            "DnsName": self.dns,
            "Status": self.status,
            "CreatedTime": self.created,
            "LastModifiedTime": self.modified,
        }


class _Listener:
    def __init__(self, accelerator, port_ranges, protocol, affinity):
        self.accelerator = accelerator
        self.arn = "%s/listener/%s" % (accelerator.arn, uuid.uuid4().hex[:8])
        self.port_ranges = port_ranges
        self.protocol = protocol
        self.affinity = affinity
        self.groups = {}  # arn -> _EndpointGroup

    def describe(self):
        return {"ListenerArn": self.arn, "PortRanges": [dict(r) for r in self.port_ranges],
                "Protocol": self.protocol, "ClientAffinity": self.affinity}


class _Endpoint:
    def __init__(self, config, initial_until=0.0):
        self.id = config["EndpointId"]
        self.weight = config["Weight"]
        self.preserve = config["ClientIPPreservationEnabled"]
        self.initial_until = initial_until  # HealthState INITIAL until the change that added it is deployed


class _EndpointGroup:
    def __init__(self, listener, region):
        self.listener = listener
        self.arn = "%s/endpoint-group/%s" % (listener.arn, uuid.uuid4().hex[:12])
        self.region = region
        self.dial = 100.0
        self.port = listener.port_ranges[0]["FromPort"]
        self.protocol = "TCP"
        self.path = "/"
        self.interval = 30
        self.threshold = 3
        self.port_overrides = []
        self.endpoints = []  # [_Endpoint]

    def describe(self):
        accelerator = self.listener.accelerator
        return {
            "EndpointGroupArn": self.arn,
            "EndpointGroupRegion": self.region,
            "EndpointDescriptions": [self._endpoint(e, accelerator) for e in self.endpoints],
            "TrafficDialPercentage": self.dial,
            "HealthCheckPort": self.port,
            "HealthCheckProtocol": self.protocol,
            "HealthCheckPath": self.path,
            "HealthCheckIntervalSeconds": self.interval,
            "ThresholdCount": self.threshold,
            "PortOverrides": [dict(p) for p in self.port_overrides],
        }

    def _endpoint(self, endpoint, accelerator):
        health = "INITIAL" if _now() < endpoint.initial_until else (
            endpoint_health(endpoint.id, self.region, self.interval * self.threshold))
        return {"EndpointId": endpoint.id, "Weight": endpoint.weight, "HealthState": health,
                "ClientIPPreservationEnabled": endpoint.preserve}


# --- endpoint health -------------------------------------------------------------------------------

def _target_health(endpoint_id, region):
    """HEALTHY / UNHEALTHY from the load balancer's registered targets in moto, or None when it cannot tell."""
    match = LB_ARN.match(endpoint_id)
    if not match:
        return None
    from moto.elbv2.models import elbv2_backends
    backend = elbv2_backends[match.group(2)][region]
    states = []
    for group in list(backend.target_groups.values()):
        if endpoint_id not in getattr(group, "load_balancer_arns", []):
            continue
        try:
            states += [h.status for h in backend.describe_target_health(group.arn, [])]
        except Exception:  # noqa: BLE001 - a target group moto cannot describe tells nothing
            continue
    if not states:
        return "UNHEALTHY" if _served_by_ecs(match.group(2), region, backend, endpoint_id) else None
    return "HEALTHY" if "healthy" in states else "UNHEALTHY"


def _served_by_ecs(account_id, region, elb_backend, endpoint_id):
    """True when an active ECS service names one of the load balancer's target groups (whatever it runs)."""
    from moto.ecs.models import ecs_backends
    groups = {g.arn for g in list(elb_backend.target_groups.values())
              if endpoint_id in getattr(g, "load_balancer_arns", [])}
    for service in list(ecs_backends[account_id][region].services.values()):
        if service.status != "ACTIVE":
            continue
        for mapping in service.load_balancers or []:
            if (mapping.get("targetGroupArn") or mapping.get("TargetGroupArn")) in groups:
                return True
    return False


def _observed(endpoint_id, region, lag):
    """The target health as the endpoint group reports it: a change shows ``lag`` seconds after it happened."""
    raw = _target_health(endpoint_id, region) or "HEALTHY"
    now = _now()
    with _LOCK:
        seen = OBSERVED.get(endpoint_id)
        if seen is None:
            OBSERVED[endpoint_id] = (raw, now - lag, raw)
            return raw
        current, since, before = seen
        reported = current if now - since >= lag else before
        if raw != current:
            OBSERVED[endpoint_id] = (raw, now, reported)
            since, current, before = now, raw, reported
        return current if now - since >= lag else before


def endpoint_health(endpoint_id, region, lag):
    with _LOCK:
        override = HEALTH.get(endpoint_id)
    if override:
        wanted, since, before = override
        return wanted if _now() - since >= lag else before
    return _observed(endpoint_id, region, lag)


def _sample_once():
    with _LOCK:
        groups = [g for a in ACCELERATORS.values() for li in a.listeners.values() for g in li.groups.values()]
        work = [(e.id, g.region, g.interval * g.threshold) for g in groups for e in g.endpoints]
    for endpoint_id, region, lag in work:
        try:
            endpoint_health(endpoint_id, region, lag)
        except Exception:  # noqa: BLE001 - a load balancer deleted meanwhile: nothing to notice
            continue


def _sample_forever():
    while True:
        time.sleep(SAMPLE_SECONDS)
        _sample_once()


def _start_sampler():
    if _sampler["thread"] is None:
        thread = threading.Thread(target=_sample_forever, name="globalaccelerator-health", daemon=True)
        _sampler["thread"] = thread
        thread.start()


# --- routing of requests sent to an accelerator's DNS name ----------------------------------------

def is_accelerator_host(environ):
    host = (environ.get("HTTP_HOST") or "").split(":")[0].lower()
    return host.endswith(ACCELERATOR_HOST_SUFFIX)


def _weighted(items, weight, rng):
    """One of ``items`` drawn by ``weight(item)`` (> 0), or None."""
    items = [i for i in items if weight(i) > 0]
    if not items:
        return None
    total = sum(weight(i) for i in items)
    point = rng.uniform(0, total)
    for item in items:
        point -= weight(item)
        if point <= 0:
            return item
    return items[-1]


def choose_endpoint(groups, health, rng=None):
    """``(group, endpoint, why)`` for one new connection, as the accelerator routes it.

    ``groups``: endpoint groups (``.dial``, ``.endpoints`` with ``.id``/``.weight``); ``health(group,
    endpoint)``: its reported HealthState. ``why``: ``dial`` (the group drawn by dial had a healthy endpoint),
    ``failover`` (another group's, dials ignored), ``fail-open`` (no healthy endpoint anywhere).
    """
    rng = rng or _RANDOM
    if not groups:
        return None, None, None
    chosen = _weighted(groups, lambda g: g.dial, rng) or groups[0]

    def healthy(group):
        return [e for e in group.endpoints if e.weight > 0 and health(group, e) == "HEALTHY"]
    endpoint = _weighted(healthy(chosen), lambda e: e.weight, rng)
    if endpoint is not None:
        return chosen, endpoint, "dial"
    others = [g for g in groups if g is not chosen and healthy(g)]
    if others:
        group = rng.choice(others)
        return group, _weighted(healthy(group), lambda e: e.weight, rng), "failover"
    if chosen.endpoints:
        return chosen, rng.choice(chosen.endpoints), "fail-open"
    candidates = [g for g in groups if g.endpoints]
    if not candidates:
        return None, None, None
    group = rng.choice(candidates)
    return group, rng.choice(group.endpoints), "fail-open"


def _group_health(group, endpoint):
    if _now() < (endpoint.initial_until or 0):
        return "INITIAL"
    return endpoint_health(endpoint.id, group.region, group.interval * group.threshold)


def _load_balancer_dns(endpoint_id, region):
    match = LB_ARN.match(endpoint_id)
    if not match:
        return None
    from moto.elbv2.models import elbv2_backends
    lb = elbv2_backends[match.group(2)][region].load_balancers.get(endpoint_id)
    return lb.dns_name if lb is not None else None


def route(environ, start_response):
    """Answer a request sent to an accelerator's DNS name with the application behind one endpoint."""
    from werkzeug.wrappers import Response

    from . import application
    host = (environ.get("HTTP_HOST") or "").lower()
    name, _, port = host.partition(":")
    port = int(port or 80)
    with _LOCK:
        accelerator = next((a for a in ACCELERATORS.values() if a.dns == name), None)
        listener = None
        if accelerator is not None and accelerator.enabled:
            listener = next((li for li in accelerator.listeners.values() if li.protocol == "TCP" and any(
                r["FromPort"] <= port <= r["ToPort"] for r in li.port_ranges)), None)
        groups = list(listener.groups.values()) if listener else []
    if listener is None:
        return Response("emulator proxy: %s:%d cannot be reached (no enabled accelerator listens there)"
                        % (name, port), status=502)(environ, start_response)
    group, endpoint, why = choose_endpoint(groups, _group_health)
    dns = _load_balancer_dns(endpoint.id, group.region) if endpoint else None
    if dns is None:
        return Response("emulator proxy: %s:%d has no endpoint to route to" % (name, port),
                        status=502)(environ, start_response)
    target_port = next((o["EndpointPort"] for o in group.port_overrides if o["ListenerPort"] == port), port)
    forwarded = dict(environ, HTTP_HOST="%s:%d" % (dns, target_port))
    extra = [("X-Emulator-Endpoint-Region", group.region), ("X-Emulator-Endpoint", endpoint.id),
             ("X-Emulator-Routing", why)]

    def tagged_start_response(status, headers, exc_info=None):
        return start_response(status, list(headers) + extra, exc_info)
    return application.serve(forwarded, tagged_start_response)


@app.control_route("globalaccelerator/health")
def _health_route(request):
    if request.method == "POST":
        body = json.loads(request.data or b"{}")
        endpoint_id = body["endpoint_id"]
        wanted = body.get("state")
        if wanted not in HEALTH_STATES + (None,):
            raise ValueError("state must be one of %s or null" % ", ".join(HEALTH_STATES))
        with _LOCK:
            if wanted is None:
                HEALTH.pop(endpoint_id, None)
            else:
                # What the endpoint groups reported until now: where the change starts from.
                previous = HEALTH.get(endpoint_id)
                before = previous[0] if previous else (_target_health_any_region(endpoint_id) or "HEALTHY")
                HEALTH[endpoint_id] = (wanted, _now(), before)
    with _LOCK:
        return 200, {"health": {k: {"state": v[0], "since": v[1], "before": v[2]} for k, v in HEALTH.items()}}


def _target_health_any_region(endpoint_id):
    match = LB_ARN.match(endpoint_id)
    return _target_health(endpoint_id, match.group(1)) if match else None


# --- validation ------------------------------------------------------------------------------------

def _bool(params, key, default=None):
    value = params.get(key, default)
    if value is not None and not isinstance(value, bool):
        raise _invalid("%s must be a boolean" % key)
    return value


def _int(params, key, low, high, default=None, choices=None):
    value = params.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid("%s must be an integer from %d to %d, got %r" % (key, low, high, value))
    if choices and value not in choices:
        raise _invalid("%s must be one of %s, got %r" % (key, ", ".join(map(str, choices)), value))
    return value


def _enum(params, key, values, default=None):
    value = params.get(key, default)
    if value is not None and value not in values:
        raise _invalid("%s must be one of %s, got %r" % (key, ", ".join(values), value))
    return value


def _name(value):
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        raise _invalid("Name %r: the name can have a maximum of 64 characters, must contain only alphanumeric "
                       "characters, periods (.), or hyphens (-), and must not begin or end with a hyphen or period"
                       % (value,))
    return value


def _tags(tags):
    if not isinstance(tags, list):
        raise _invalid("Tags must be a list")
    out = []
    for tag in tags:
        key, value = tag.get("Key"), tag.get("Value")
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or not isinstance(value, str) or len(value) > 256:
            raise _invalid("Tag keys are 1-128 characters and values 0-256 characters: %r" % (tag,))
        out.append({"Key": key, "Value": value})
    return out


def _port_ranges(ranges):
    if not isinstance(ranges, list) or not 1 <= len(ranges) <= MAX_PORT_RANGES:
        raise _invalid("PortRanges must hold 1 to %d port ranges" % MAX_PORT_RANGES)
    out = []
    for item in ranges:
        low, high = item.get("FromPort"), item.get("ToPort")
        if not all(isinstance(p, int) and 1 <= p <= 65535 for p in (low, high)) or low > high:
            raise GAError("InvalidPortRangeException",
                          "The port numbers and port ranges are not formatted correctly: %r" % (item,))
        out.append({"FromPort": low, "ToPort": high})
    ordered = sorted((r["FromPort"], r["ToPort"]) for r in out)
    for (_, high), (low, _) in zip(ordered, ordered[1:]):
        if low <= high:
            raise GAError("InvalidPortRangeException", "The port ranges overlap: %r" % (ranges,))
    return out


def _overlap(ranges, other):
    return any(a["FromPort"] <= b["ToPort"] and b["FromPort"] <= a["ToPort"] for a in ranges for b in other)


# --- lookups -----------------------------------------------------------------------------------------

def _accelerator(arn):
    if not isinstance(arn, str) or not ACCELERATOR_ARN.match(arn):
        raise _invalid("AcceleratorArn %r is not an accelerator ARN" % (arn,))
    accelerator = ACCELERATORS.get(arn)
    if accelerator is None:
        raise GAError("AcceleratorNotFoundException", "The accelerator that you specified doesn't exist.")
    return accelerator


def _listener(arn):
    if not isinstance(arn, str) or not LISTENER_ARN.match(arn):
        raise _invalid("ListenerArn %r is not a listener ARN" % (arn,))
    accelerator = ACCELERATORS.get(arn.split("/listener/")[0])
    listener = accelerator.listeners.get(arn) if accelerator else None
    if listener is None:
        raise GAError("ListenerNotFoundException", "The listener that you specified doesn't exist.")
    return listener


def _group(arn):
    if not isinstance(arn, str) or not GROUP_ARN.match(arn):
        raise _invalid("EndpointGroupArn %r is not an endpoint group ARN" % (arn,))
    accelerator = ACCELERATORS.get(arn.split("/listener/")[0])
    listener = accelerator.listeners.get(arn.split("/endpoint-group/")[0]) if accelerator else None
    group = listener.groups.get(arn) if listener else None
    if group is None:
        raise GAError("EndpointGroupNotFoundException", "The endpoint group that you specified doesn't exist.")
    return group


def _endpoint_configs(configs, region, existing=()):
    if not isinstance(configs, list) or len(configs) > MAX_ENDPOINTS:
        raise _invalid("EndpointConfigurations hold at most %d endpoints" % MAX_ENDPOINTS)
    out = []
    seen = set(existing)
    for config in configs:
        endpoint_id = config.get("EndpointId")
        if not isinstance(endpoint_id, str) or not endpoint_id or len(endpoint_id) > 255:
            raise _invalid("EndpointId is required (a load balancer ARN, an Elastic IP allocation ID or an "
                           "EC2 instance ID)")
        if endpoint_id in seen:
            raise _invalid("Endpoint %s is in the endpoint group more than once" % endpoint_id)
        seen.add(endpoint_id)
        weight = _int(config, "Weight", 0, 255, default=128)
        is_alb = False
        match = LB_ARN.match(endpoint_id)
        if match:
            if match.group(1) != region:
                raise _invalid("Endpoint %s is in %s, not in the endpoint group's region %s"
                               % (endpoint_id, match.group(1), region))
            from moto.elbv2.models import elbv2_backends
            if endpoint_id not in elbv2_backends[match.group(2)][region].load_balancers:
                raise _invalid("Endpoint %s: the load balancer does not exist (a resource must be valid and "
                               "active when you add it as an endpoint)" % endpoint_id)
            is_alb = match.group(3) == "app"
        elif not re.match(r"^(i-[0-9a-f]{8,17}|eipalloc-[0-9a-f]{8,17})$", endpoint_id):
            raise _invalid("EndpointId %r is not a load balancer ARN, an Elastic IP allocation ID or an EC2 "
                           "instance ID" % endpoint_id)
        preserve = _bool(config, "ClientIPPreservationEnabled", default=is_alb)
        out.append({"EndpointId": endpoint_id, "Weight": weight, "ClientIPPreservationEnabled": preserve})
    return out


def _page(items, params):
    limit = _int(params, "MaxResults", 1, 100, default=DEFAULT_PAGE)
    token = params.get("NextToken")
    start = 0
    if token is not None:
        try:
            start = int(token.split(":", 1)[1]) if token.startswith("ga-page:") else -1
        except ValueError:
            start = -1
        if not 0 <= start <= len(items):
            raise GAError("InvalidNextTokenException", "There isn't another item to return.")
    page = items[start:start + limit]
    following = "ga-page:%d" % (start + limit) if start + limit < len(items) else None
    return page, following


def _idempotent(operation, params, create):
    token = params.get("IdempotencyToken")
    if not isinstance(token, str) or not token or len(token) > 255:
        raise _invalid("IdempotencyToken is required")
    key = (operation, token)
    arn = TOKENS.get(key)
    if arn:
        return arn, False
    arn = create()
    TOKENS[key] = arn
    return arn, True


# --- operations ----------------------------------------------------------------------------------------

def create_accelerator(params):
    name = _name(params.get("Name"))
    enabled = _bool(params, "Enabled", default=True)
    ip_type = _enum(params, "IpAddressType", ("IPV4", "DUAL_STACK"), default="IPV4")
    if ip_type != "IPV4":
        raise _invalid("IpAddressType DUAL_STACK needs dual-stack endpoints; this emulator supports IPV4 only")
    if params.get("IpAddresses"):
        raise _invalid("IpAddresses (bring your own IP addresses) is not supported by this emulator")
    tags = _tags(params.get("Tags", []))

    def create():
        accelerator = _Accelerator(name, enabled, ip_type, tags)
        ACCELERATORS[accelerator.arn] = accelerator
        return accelerator.arn
    arn, _ = _idempotent("CreateAccelerator", params, create)
    return {"Accelerator": ACCELERATORS[arn].describe()}


def describe_accelerator(params):
    return {"Accelerator": _accelerator(params.get("AcceleratorArn")).describe()}


def list_accelerators(params):
    items = sorted(ACCELERATORS.values(), key=lambda a: a.created)
    page, token = _page(items, params)
    answer = {"Accelerators": [a.describe() for a in page]}
    if token:
        answer["NextToken"] = token
    return answer


def update_accelerator(params):
    accelerator = _accelerator(params.get("AcceleratorArn"))
    name = _name(params["Name"]) if "Name" in params else accelerator.name
    enabled = _bool(params, "Enabled", default=accelerator.enabled)
    ip_type = _enum(params, "IpAddressType", ("IPV4", "DUAL_STACK"), default=accelerator.ip_type)
    if ip_type != "IPV4":
        raise _invalid("IpAddressType DUAL_STACK is not supported by this emulator")
    if (name, enabled, ip_type) != (accelerator.name, accelerator.enabled, accelerator.ip_type):
        accelerator.name, accelerator.enabled, accelerator.ip_type = name, enabled, ip_type
        accelerator.touch()
    return {"Accelerator": accelerator.describe()}


def delete_accelerator(params):
    accelerator = _accelerator(params.get("AcceleratorArn"))
    if accelerator.enabled or accelerator.status != "DEPLOYED":
        raise GAError("AcceleratorNotDisabledException",
                      "The accelerator that you specified could not be disabled: update it with Enabled false, "
                      "and wait until its status is DEPLOYED, before you delete it.")
    if accelerator.listeners:
        raise GAError("AssociatedListenerFoundException",
                      "The accelerator that you specified has a listener associated with it. You must remove all "
                      "dependent resources from an accelerator before you can delete it.")
    del ACCELERATORS[accelerator.arn]
    return {}


def create_listener(params):
    accelerator = _accelerator(params.get("AcceleratorArn"))
    ranges = _port_ranges(params.get("PortRanges"))
    protocol = _enum(params, "Protocol", ("TCP", "UDP"))
    if protocol is None:
        raise _invalid("Protocol is required")
    affinity = _enum(params, "ClientAffinity", ("NONE", "SOURCE_IP"), default="NONE")

    def create():
        if len(accelerator.listeners) >= MAX_LISTENERS:
            raise GAError("LimitExceededException", "An accelerator can have at most %d listeners" % MAX_LISTENERS)
        for other in accelerator.listeners.values():
            if other.protocol == protocol and _overlap(ranges, other.port_ranges):
                raise GAError("InvalidPortRangeException",
                              "The port ranges overlap those of listener %s" % other.arn)
        listener = _Listener(accelerator, ranges, protocol, affinity)
        accelerator.listeners[listener.arn] = listener
        accelerator.touch()
        return listener.arn
    arn, _ = _idempotent("CreateListener", params, create)
    return {"Listener": _listener(arn).describe()}


def describe_listener(params):
    return {"Listener": _listener(params.get("ListenerArn")).describe()}


def list_listeners(params):
    accelerator = _accelerator(params.get("AcceleratorArn"))
    page, token = _page(list(accelerator.listeners.values()), params)
    answer = {"Listeners": [item.describe() for item in page]}
    if token:
        answer["NextToken"] = token
    return answer


def update_listener(params):
    listener = _listener(params.get("ListenerArn"))
    ranges = _port_ranges(params["PortRanges"]) if "PortRanges" in params else listener.port_ranges
    protocol = _enum(params, "Protocol", ("TCP", "UDP"), default=listener.protocol)
    affinity = _enum(params, "ClientAffinity", ("NONE", "SOURCE_IP"), default=listener.affinity)
    for other in listener.accelerator.listeners.values():
        if other is not listener and other.protocol == protocol and _overlap(ranges, other.port_ranges):
            raise GAError("InvalidPortRangeException", "The port ranges overlap those of listener %s" % other.arn)
    if (ranges, protocol, affinity) != (listener.port_ranges, listener.protocol, listener.affinity):
        listener.port_ranges, listener.protocol, listener.affinity = ranges, protocol, affinity
        listener.accelerator.touch()
    return {"Listener": listener.describe()}


def delete_listener(params):
    listener = _listener(params.get("ListenerArn"))
    if listener.groups:
        raise GAError("AssociatedEndpointGroupFoundException",
                      "The listener that you specified has an endpoint group associated with it. You must remove "
                      "all dependent resources from a listener before you can delete it.")
    del listener.accelerator.listeners[listener.arn]
    listener.accelerator.touch()
    return {}


def _group_settings(group, params):
    """Apply the optional settings of Create/UpdateEndpointGroup to ``group`` (validated first, then set)."""
    dial = params.get("TrafficDialPercentage", group.dial)
    if isinstance(dial, bool) or not isinstance(dial, (int, float)) or not 0 <= dial <= 100:
        raise _invalid("TrafficDialPercentage must be a number from 0 to 100, got %r" % (dial,))
    port = _int(params, "HealthCheckPort", 1, 65535, default=group.port)
    protocol = _enum(params, "HealthCheckProtocol", ("TCP", "HTTP", "HTTPS"), default=group.protocol)
    path = params.get("HealthCheckPath", group.path)
    if not isinstance(path, str) or len(path) > 255 or not PATH_PATTERN.match(path):
        raise _invalid("HealthCheckPath %r must start with / and hold only URL characters" % (path,))
    interval = _int(params, "HealthCheckIntervalSeconds", 10, 30, default=group.interval, choices=(10, 30))
    threshold = _int(params, "ThresholdCount", 1, 10, default=group.threshold)
    overrides = params.get("PortOverrides", group.port_overrides)
    if not isinstance(overrides, list) or len(overrides) > 10:
        raise _invalid("PortOverrides hold at most 10 items")
    for item in overrides:
        _int(item, "ListenerPort", 1, 65535)
        _int(item, "EndpointPort", 1, 65535)
    return dict(dial=float(dial), port=port, protocol=protocol, path=path, interval=interval,
                threshold=threshold, port_overrides=[dict(p) for p in overrides])


def create_endpoint_group(params):
    listener = _listener(params.get("ListenerArn"))
    region = params.get("EndpointGroupRegion")
    if region not in ENDPOINT_REGIONS:
        raise _invalid("EndpointGroupRegion %r is not a Region where Global Accelerator supports endpoints"
                       % (region,))

    def create():
        if any(g.region == region for g in listener.groups.values()):
            raise GAError("EndpointGroupAlreadyExistsException",
                          "The endpoint group that you specified already exists: a listener can have only one "
                          "endpoint group in a specific Region (%s)." % region)
        group = _EndpointGroup(listener, region)
        settings = _group_settings(group, params)
        configs = _endpoint_configs(params.get("EndpointConfigurations", []), region)
        for key, value in settings.items():
            setattr(group, key, value)
        listener.groups[group.arn] = group
        listener.accelerator.touch()
        group.endpoints = [_Endpoint(c, listener.accelerator.deployed_at) for c in configs]
        return group.arn
    arn, _ = _idempotent("CreateEndpointGroup", params, create)
    return {"EndpointGroup": _group(arn).describe()}


def describe_endpoint_group(params):
    return {"EndpointGroup": _group(params.get("EndpointGroupArn")).describe()}


def list_endpoint_groups(params):
    listener = _listener(params.get("ListenerArn"))
    page, token = _page(list(listener.groups.values()), params)
    answer = {"EndpointGroups": [g.describe() for g in page]}
    if token:
        answer["NextToken"] = token
    return answer


def update_endpoint_group(params):
    group = _group(params.get("EndpointGroupArn"))
    settings = _group_settings(group, params)
    endpoints = group.endpoints
    if "EndpointConfigurations" in params:
        # The list replaces the group's endpoints; an endpoint that stays keeps its health.
        configs = _endpoint_configs(params["EndpointConfigurations"], group.region)
        kept = {e.id: e for e in group.endpoints}
        endpoints = [_Endpoint(c, kept[c["EndpointId"]].initial_until if c["EndpointId"] in kept else None)
                     for c in configs]
    before = _group_key(group)
    for key, value in settings.items():
        setattr(group, key, value)
    group.endpoints = endpoints
    if _group_key(group) != before:
        accelerator = group.listener.accelerator
        accelerator.touch()
        for endpoint in group.endpoints:
            if endpoint.initial_until is None:
                endpoint.initial_until = accelerator.deployed_at
    return {"EndpointGroup": group.describe()}


def _group_key(group):
    return ((group.dial, group.port, group.protocol, group.path, group.interval, group.threshold,
             group.port_overrides), [(e.id, e.weight, e.preserve) for e in group.endpoints])


def delete_endpoint_group(params):
    group = _group(params.get("EndpointGroupArn"))
    del group.listener.groups[group.arn]
    group.listener.accelerator.touch()
    return {}


def add_endpoints(params):
    group = _group(params.get("EndpointGroupArn"))
    configs = params.get("EndpointConfigurations")
    if not isinstance(configs, list) or not configs:
        raise _invalid("EndpointConfigurations is required")
    # An endpoint already in the group is updated (weight, client IP preservation); new ones are added.
    present = {e.id: e for e in group.endpoints}
    checked = _endpoint_configs(configs, group.region)
    if len(set(present) | {c["EndpointId"] for c in checked}) > MAX_ENDPOINTS:
        raise GAError("LimitExceededException", "An endpoint group can have at most %d endpoints" % MAX_ENDPOINTS)
    accelerator = group.listener.accelerator
    accelerator.touch()
    for config in checked:
        if config["EndpointId"] in present:
            endpoint = present[config["EndpointId"]]
            endpoint.weight, endpoint.preserve = config["Weight"], config["ClientIPPreservationEnabled"]
        else:
            group.endpoints.append(_Endpoint(config, accelerator.deployed_at))
    described = {d["EndpointId"]: d for d in group.describe()["EndpointDescriptions"]}
    return {"EndpointDescriptions": [described[c["EndpointId"]] for c in checked], "EndpointGroupArn": group.arn}


def remove_endpoints(params):
    group = _group(params.get("EndpointGroupArn"))
    identifiers = params.get("EndpointIdentifiers")
    if not isinstance(identifiers, list) or not 1 <= len(identifiers) <= 10:
        raise _invalid("EndpointIdentifiers must hold 1 to 10 endpoints")
    present = {e.id for e in group.endpoints}
    ids = []
    for identifier in identifiers:
        endpoint_id = identifier.get("EndpointId")
        if endpoint_id not in present:
            raise GAError("EndpointNotFoundException", "The endpoint that you specified doesn't exist: %s"
                          % (endpoint_id,))
        ids.append(endpoint_id)
    group.endpoints = [e for e in group.endpoints if e.id not in ids]
    group.listener.accelerator.touch()
    return {}


def _tagged(arn):
    if isinstance(arn, str) and ACCELERATOR_ARN.match(arn):
        return _accelerator(arn)
    raise _invalid("ResourceArn %r: only accelerators are tagged" % (arn,))


def tag_resource(params):
    accelerator = _tagged(params.get("ResourceArn"))
    tags = _tags(params.get("Tags"))
    merged = {t["Key"]: t["Value"] for t in accelerator.tags}
    merged.update({t["Key"]: t["Value"] for t in tags})
    if len(merged) > 50:
        raise _invalid("A resource can have at most 50 tags")
    accelerator.tags = [{"Key": k, "Value": v} for k, v in merged.items()]
    return {}


def untag_resource(params):
    accelerator = _tagged(params.get("ResourceArn"))
    keys = params.get("TagKeys")
    if not isinstance(keys, list):
        raise _invalid("TagKeys is required")
    accelerator.tags = [t for t in accelerator.tags if t["Key"] not in keys]
    return {}


def list_tags_for_resource(params):
    return {"Tags": [dict(t) for t in _tagged(params.get("ResourceArn")).tags]}


OPERATIONS = {
    "CreateAccelerator": create_accelerator,
    "DescribeAccelerator": describe_accelerator,
    "ListAccelerators": list_accelerators,
    "UpdateAccelerator": update_accelerator,
    "DeleteAccelerator": delete_accelerator,
    "CreateListener": create_listener,
    "DescribeListener": describe_listener,
    "ListListeners": list_listeners,
    "UpdateListener": update_listener,
    "DeleteListener": delete_listener,
    "CreateEndpointGroup": create_endpoint_group,
    "DescribeEndpointGroup": describe_endpoint_group,
    "ListEndpointGroups": list_endpoint_groups,
    "UpdateEndpointGroup": update_endpoint_group,
    "DeleteEndpointGroup": delete_endpoint_group,
    "AddEndpoints": add_endpoints,
    "RemoveEndpoints": remove_endpoints,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}


def _answer(start_response, status, payload):
    body = json.dumps(payload).encode()
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", str(uuid.uuid4())),
               ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]


def _error(start_response, code, message, status="400 Bad Request"):
    return _answer(start_response, status, {"__type": code, "Message": message})


def service_app(environ, start_response):
    """The WSGI app for requests signed for ``globalaccelerator``."""
    described = wire.describe_request(environ)
    if described["region"] != CONTROL_REGION:
        return _error(start_response, "UnknownEndpoint",
                      "Global Accelerator has no endpoint in %s: its API is served in %s only (send the request "
                      "to globalaccelerator.%s.amazonaws.com)" % (described["region"], CONTROL_REGION,
                                                                  CONTROL_REGION))
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
    handler = OPERATIONS.get(operation)
    if handler is None:
        return _error(start_response, "UnknownOperationException", "Unknown operation %r" % target)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b"{}"
    try:
        params = json.loads(raw or b"{}")
    except ValueError:
        return _error(start_response, "SerializationException", "The request body is not JSON")
    try:
        with _LOCK:
            payload = handler(params)
    except GAError as exc:
        return _error(start_response, exc.code, exc.message)
    return _answer(start_response, "200 OK", payload)


def install():
    app.SERVICE_APPS[SERVICE] = service_app
    _start_sampler()
    if _reset not in app.RESET_HOOKS:
        app.RESET_HOOKS.append(_reset)

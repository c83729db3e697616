# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans for the ``global_accelerator`` module (pure, no boto3).

An accelerator (found by name) has listeners (matched by protocol and overlapping port ranges), each
listener has at most one endpoint group per region, each endpoint group has endpoints (matched by id).
The module owns what its task names and MERGES it into what exists: a listener, endpoint group,
endpoint, dial or health-check setting the task does not name is kept, unless a ``purge_*`` option asks
to remove what the task does not name.

``read`` shapes (as the API returns them, one place): ``{"accelerator": <Accelerator> | None,
"tags": {key: value}, "listeners": [<Listener> + {"EndpointGroups": [<EndpointGroup>]}]}``.

A plan is a list of steps ``{"operation", "params", "needs": {param: ref}, "produces": ref}`` where a ref
names an ARN made earlier in the same run (``accelerator``, ``listener:<i>``); ``{"operation": "Wait"}``
waits until the accelerator is DEPLOYED (AWS deletes an accelerator only once its disabling is deployed).
"""

from __future__ import annotations

import copy
import re

CONTROL_REGION = "us-west-2"
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$")
PATH_PATTERN = re.compile(r"^/[-a-zA-Z0-9@:%_\\+.~#?&/=]*$")
MAX_LISTENERS = 10
MAX_PORT_RANGES = 10
MAX_ENDPOINTS = 10
# Module option -> API field of an endpoint group's settings.
GROUP_SETTINGS = {
    "traffic_dial_percentage": "TrafficDialPercentage",
    "health_check_port": "HealthCheckPort",
    "health_check_protocol": "HealthCheckProtocol",
    "health_check_path": "HealthCheckPath",
    "health_check_interval_seconds": "HealthCheckIntervalSeconds",
    "threshold_count": "ThresholdCount",
}
ENDPOINT_SETTINGS = {"weight": "Weight", "client_ip_preservation_enabled": "ClientIPPreservationEnabled"}


class AcceleratorInputError(Exception):
    """Bad module input: ``parameter`` names the option, the message says the fix."""

    def __init__(self, parameter, message):
        self.parameter = parameter
        super().__init__("%s: %s" % (parameter, message))


# ------------------------------------------------------------------------------------------------- input

def _number(where, value, low, high, integer=True, choices=None):
    if value is None:
        return None
    if isinstance(value, bool):
        raise AcceleratorInputError(where, "give a number from %s to %s, not %r" % (low, high, value))
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise AcceleratorInputError(where, "give a number from %s to %s, not %r" % (low, high, value))
    if integer and float(value) != number:
        raise AcceleratorInputError(where, "give a whole number from %s to %s, not %r" % (low, high, value))
    if not low <= number <= high:
        raise AcceleratorInputError(where, "must be from %s to %s, got %r" % (low, high, value))
    if choices and number not in choices:
        raise AcceleratorInputError(where, "must be one of %s, got %r" % (", ".join(map(str, choices)), value))
    return number


def _port_ranges(where, ranges):
    if not ranges or len(ranges) > MAX_PORT_RANGES:
        raise AcceleratorInputError(where, "give 1 to %d port ranges" % MAX_PORT_RANGES)
    out = []
    for i, item in enumerate(ranges):
        low = _number("%s[%d].from_port" % (where, i), item.get("from_port"), 1, 65535)
        high = item.get("to_port")
        high = low if high is None else _number("%s[%d].to_port" % (where, i), high, 1, 65535)
        if low is None:
            raise AcceleratorInputError("%s[%d].from_port" % (where, i), "is required")
        if low > high:
            raise AcceleratorInputError("%s[%d]" % (where, i), "from_port %d is above to_port %d" % (low, high))
        out.append({"FromPort": low, "ToPort": high})
    ordered = sorted((r["FromPort"], r["ToPort"]) for r in out)
    for before, following in zip(ordered, ordered[1:]):
        if following[0] <= before[1]:
            raise AcceleratorInputError(where, "the port ranges overlap")
    return out


def _overlap(ranges, other):
    return any(a["FromPort"] <= b["ToPort"] and b["FromPort"] <= a["ToPort"] for a in ranges for b in other)


def normalise_endpoint(where, item):
    if isinstance(item, str):
        item = {"endpoint_id": item}
    if not isinstance(item, dict) or not item.get("endpoint_id"):
        raise AcceleratorInputError(where, "each endpoint is an id (an ALB or NLB ARN, an EC2 instance id, an "
                                    "Elastic IP allocation id) or a dict with endpoint_id")
    unknown = set(item) - {"endpoint_id"} - set(ENDPOINT_SETTINGS)
    if unknown:
        raise AcceleratorInputError(where, "unknown keys %s (known: endpoint_id, %s)" % (
            ", ".join(sorted(unknown)), ", ".join(sorted(ENDPOINT_SETTINGS))))
    endpoint = {"EndpointId": str(item["endpoint_id"])}
    weight = _number(where + ".weight", item.get("weight"), 0, 255)
    if weight is not None:
        endpoint["Weight"] = weight
    preserve = item.get("client_ip_preservation_enabled")
    if preserve is not None:
        if not isinstance(preserve, bool):
            raise AcceleratorInputError(where + ".client_ip_preservation_enabled", "give true or false")
        endpoint["ClientIPPreservationEnabled"] = preserve
    return endpoint


def normalise_group(where, item):
    if not isinstance(item, dict):
        raise AcceleratorInputError(where, "each endpoint group is a dict with at least region")
    known = {"region", "endpoints"} | set(GROUP_SETTINGS)
    unknown = set(item) - known
    if unknown:
        raise AcceleratorInputError(where, "unknown keys %s (known: %s)" % (
            ", ".join(sorted(unknown)), ", ".join(sorted(known))))
    region = item.get("region")
    if not isinstance(region, str) or not REGION_PATTERN.match(region):
        raise AcceleratorInputError(where + ".region", "%r is not an AWS region name (like us-east-1)" % (region,))
    settings = {}
    dial = _number(where + ".traffic_dial_percentage", item.get("traffic_dial_percentage"), 0, 100, integer=False)
    if dial is not None:
        settings["TrafficDialPercentage"] = dial
    port = _number(where + ".health_check_port", item.get("health_check_port"), 1, 65535)
    if port is not None:
        settings["HealthCheckPort"] = port
    protocol = item.get("health_check_protocol")
    if protocol is not None:
        if protocol not in ("TCP", "HTTP", "HTTPS"):
            raise AcceleratorInputError(where + ".health_check_protocol", "must be TCP, HTTP or HTTPS")
        settings["HealthCheckProtocol"] = protocol
    path = item.get("health_check_path")
    if path is not None:
        if not isinstance(path, str) or len(path) > 255 or not PATH_PATTERN.match(path):
            raise AcceleratorInputError(where + ".health_check_path", "must start with / (like /health), got %r"
                                        % (path,))
        settings["HealthCheckPath"] = path
    interval = _number(where + ".health_check_interval_seconds", item.get("health_check_interval_seconds"),
                       10, 30, choices=(10, 30))
    if interval is not None:
        settings["HealthCheckIntervalSeconds"] = interval
    threshold = _number(where + ".threshold_count", item.get("threshold_count"), 1, 10)
    if threshold is not None:
        settings["ThresholdCount"] = threshold
    given = item.get("endpoints") or []
    endpoints = [normalise_endpoint("%s.endpoints[%d]" % (where, i), e) for i, e in enumerate(given)]
    if len(endpoints) > MAX_ENDPOINTS:
        raise AcceleratorInputError(where + ".endpoints", "at most %d endpoints per endpoint group" % MAX_ENDPOINTS)
    ids = [e["EndpointId"] for e in endpoints]
    if len(set(ids)) != len(ids):
        raise AcceleratorInputError(where + ".endpoints", "an endpoint is named twice")
    return {"Region": region, "Settings": settings, "Endpoints": endpoints}


def normalise_listener(where, item):
    if not isinstance(item, dict):
        raise AcceleratorInputError(where, "each listener is a dict with port_ranges")
    known = {"protocol", "port_ranges", "client_affinity", "endpoint_groups", "absent_endpoint_groups"}
    unknown = set(item) - known
    if unknown:
        raise AcceleratorInputError(where, "unknown keys %s (known: %s)" % (
            ", ".join(sorted(unknown)), ", ".join(sorted(known))))
    protocol = item.get("protocol") or "TCP"
    if protocol not in ("TCP", "UDP"):
        raise AcceleratorInputError(where + ".protocol", "must be TCP or UDP")
    affinity = item.get("client_affinity")
    if affinity is not None and affinity not in ("NONE", "SOURCE_IP"):
        raise AcceleratorInputError(where + ".client_affinity", "must be NONE or SOURCE_IP")
    groups = [normalise_group("%s.endpoint_groups[%d]" % (where, i), g)
              for i, g in enumerate(item.get("endpoint_groups") or [])]
    regions = [g["Region"] for g in groups]
    if len(set(regions)) != len(regions):
        raise AcceleratorInputError(where + ".endpoint_groups", "a listener has at most one endpoint group per "
                                    "region; merge the groups of %s" % ", ".join(sorted(
                                        r for r in set(regions) if regions.count(r) > 1)))
    absent = item.get("absent_endpoint_groups") or []
    if not isinstance(absent, list) or not all(isinstance(r, str) and r for r in absent):
        raise AcceleratorInputError(where + ".absent_endpoint_groups", "give a list of region names")
    both = sorted(set(absent) & set(regions))
    if both:
        raise AcceleratorInputError(where + ".absent_endpoint_groups", "%s also in endpoint_groups: a region's "
                                    "group is either wanted or removed, not both" % ", ".join(both))
    return {"Protocol": protocol, "PortRanges": _port_ranges(where + ".port_ranges", item.get("port_ranges")),
            "ClientAffinity": affinity, "EndpointGroups": groups, "AbsentEndpointGroups": sorted(set(absent))}


def normalise_input(params):
    """The module's options -> the desired state, validated (raises AcceleratorInputError naming the option)."""
    name = params.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise AcceleratorInputError("name", "at most 64 letters, digits, periods or hyphens, not beginning or "
                                    "ending with a hyphen or period; got %r" % (name,))
    listeners = [normalise_listener("listeners[%d]" % i, item) for i, item in enumerate(params.get("listeners")
                                                                                        or [])]
    if len(listeners) > MAX_LISTENERS:
        raise AcceleratorInputError("listeners", "at most %d listeners per accelerator" % MAX_LISTENERS)
    for i, listener in enumerate(listeners):
        for j in range(i):
            other = listeners[j]
            if other["Protocol"] == listener["Protocol"] and _overlap(other["PortRanges"], listener["PortRanges"]):
                raise AcceleratorInputError("listeners[%d].port_ranges" % i, "overlap those of listeners[%d]" % j)
    tags = params.get("tags") or {}
    if not isinstance(tags, dict):
        raise AcceleratorInputError("tags", "give a dict of tag names and values")
    for key, value in tags.items():
        if not 1 <= len(str(key)) <= 128 or len(str(value)) > 256:
            raise AcceleratorInputError("tags", "keys are 1-128 characters and values at most 256: %r" % key)
    enabled = params.get("enabled", True)
    if enabled is not None and not isinstance(enabled, bool):
        raise AcceleratorInputError("enabled", "true, false, or not given (left as it is)")
    return {"Name": name, "Enabled": enabled, "Tags": {str(k): str(v) for k, v in tags.items()},
            "Listeners": listeners}


# ------------------------------------------------------------------------------------------------- plan

def find_accelerator(accelerators, name):
    """The accelerator named ``name`` among ListAccelerators' answers, or None; two of that name is an error."""
    found = [a for a in accelerators if a.get("Name") == name]
    if len(found) > 1:
        raise AcceleratorInputError("name", "%d accelerators are named %s (%s); rename all but one" % (
            len(found), name, ", ".join(a["AcceleratorArn"] for a in found)))
    return found[0] if found else None


def match_listener(listeners, wanted):
    """The existing listener of the same protocol whose port ranges overlap the wanted ones, or None."""
    for listener in listeners:
        ranges = listener.get("PortRanges", [])
        if listener.get("Protocol") == wanted["Protocol"] and _overlap(ranges, wanted["PortRanges"]):
            return listener
    return None


def _range_key(port_range):
    return (port_range["FromPort"], port_range["ToPort"])


def _same_ranges(a, b):
    return sorted(map(_range_key, a)) == sorted(map(_range_key, b))


def _setting_differs(current, key, value):
    have = current.get(key)
    if key == "TrafficDialPercentage":
        return have is None or abs(float(have) - float(value)) > 1e-9
    return have != value


def _endpoint_view(endpoint):
    return {k: endpoint[k] for k in ("EndpointId", "Weight", "ClientIPPreservationEnabled") if k in endpoint}


def plan_group(group, wanted, purge_endpoints):
    """Steps that bring an existing endpoint group to ``wanted``; returns (steps, group after)."""
    after = copy.deepcopy(group)
    steps = []
    arn = group["EndpointGroupArn"]
    settings = {k: v for k, v in wanted["Settings"].items() if _setting_differs(group, k, v)}
    current = {e["EndpointId"]: e for e in group.get("EndpointDescriptions", [])}
    new = [e for e in wanted["Endpoints"] if e["EndpointId"] not in current]
    changed = [e for e in wanted["Endpoints"] if e["EndpointId"] in current and any(
        current[e["EndpointId"]].get(k) != v for k, v in e.items() if k != "EndpointId")]
    wanted_ids = {e["EndpointId"] for e in wanted["Endpoints"]}
    extra = [i for i in current if i not in wanted_ids] if purge_endpoints else []
    if len(set(current) - set(extra) | {e["EndpointId"] for e in new}) > MAX_ENDPOINTS:
        raise AcceleratorInputError("endpoints", "endpoint group %s would hold more than %d endpoints (it has %s); "
                                    "set purge_endpoints or name fewer" % (
                                        group["EndpointGroupRegion"], MAX_ENDPOINTS, ", ".join(current)))
    after.update(settings)
    if changed:
        # Weight / client IP preservation of an endpoint already there: UpdateEndpointGroup with the whole list
        # (the API's only way); the other endpoints are passed on as they are.
        merged = []
        by_id = {e["EndpointId"]: e for e in changed}
        for endpoint_id, endpoint in current.items():
            if endpoint_id in extra:
                continue
            merged.append(dict(_endpoint_view(endpoint), **by_id.get(endpoint_id, {})))
        merged += new
        steps.append({"operation": "UpdateEndpointGroup",
                      "params": dict(settings, EndpointGroupArn=arn, EndpointConfigurations=merged)})
        after["EndpointDescriptions"] = [dict(current.get(e["EndpointId"], {}), **e) for e in merged]
        return steps, after
    if settings:
        steps.append({"operation": "UpdateEndpointGroup", "params": dict(settings, EndpointGroupArn=arn)})
    if extra:
        steps.append({"operation": "RemoveEndpoints", "params": {
            "EndpointGroupArn": arn, "EndpointIdentifiers": [{"EndpointId": i} for i in extra]}})
    if new:
        steps.append({"operation": "AddEndpoints", "params": {"EndpointGroupArn": arn, "EndpointConfigurations": new}})
    after["EndpointDescriptions"] = [e for i, e in current.items() if i not in extra] + [dict(e) for e in new]
    return steps, after


def _create_group_step(listener_ref, listener_arn, wanted):
    params = dict(wanted["Settings"], EndpointGroupRegion=wanted["Region"],
                  EndpointConfigurations=[dict(e) for e in wanted["Endpoints"]])
    step = {"operation": "CreateEndpointGroup", "params": params}
    if listener_arn:
        params["ListenerArn"] = listener_arn
    else:
        step["needs"] = {"ListenerArn": listener_ref}
    view = dict(wanted["Settings"], EndpointGroupRegion=wanted["Region"],
                EndpointDescriptions=[dict(e) for e in wanted["Endpoints"]])
    return step, view


def plan_present(current, desired, purge_listeners=False, purge_endpoint_groups=False, purge_endpoints=False):
    """Steps from ``current`` (read shape) to ``desired`` (normalise_input); returns (steps, after in read shape)."""
    steps = []
    accelerator = current.get("accelerator")
    after = {"accelerator": copy.deepcopy(accelerator), "tags": dict(current.get("tags") or {}), "listeners": []}
    if accelerator is None:
        steps.append({"operation": "CreateAccelerator", "produces": "accelerator", "params": {
            "Name": desired["Name"], "Enabled": desired["Enabled"] is not False, "IpAddressType": "IPV4",
            "Tags": [{"Key": k, "Value": v} for k, v in sorted(desired["Tags"].items())]}})
        after["accelerator"] = {"Name": desired["Name"], "Enabled": desired["Enabled"] is not False,
                                "IpAddressType": "IPV4"}
        after["tags"] = dict(desired["Tags"])
        accelerator_arn = None
    else:
        accelerator_arn = accelerator["AcceleratorArn"]
        if desired["Enabled"] is not None and accelerator.get("Enabled") != desired["Enabled"]:
            steps.append({"operation": "UpdateAccelerator", "params": {
                "AcceleratorArn": accelerator_arn, "Enabled": desired["Enabled"]}})
            after["accelerator"]["Enabled"] = desired["Enabled"]
        missing = {k: v for k, v in desired["Tags"].items() if after["tags"].get(k) != v}
        if missing:
            steps.append({"operation": "TagResource", "params": {
                "ResourceArn": accelerator_arn, "Tags": [{"Key": k, "Value": v} for k, v in sorted(missing.items())]}})
            after["tags"].update(missing)

    existing = list(current.get("listeners") or [])
    matched = set()
    for index, wanted in enumerate(desired["Listeners"]):
        ref = "listener:%d" % index
        listener = match_listener([item for item in existing if item["ListenerArn"] not in matched], wanted)
        if listener is None:
            params = {"Protocol": wanted["Protocol"], "PortRanges": [dict(r) for r in wanted["PortRanges"]],
                      "ClientAffinity": wanted["ClientAffinity"] or "NONE"}
            step = {"operation": "CreateListener", "produces": ref, "params": params}
            if accelerator_arn:
                params["AcceleratorArn"] = accelerator_arn
            else:
                step["needs"] = {"AcceleratorArn": "accelerator"}
            steps.append(step)
            view = dict(params, EndpointGroups=[])
            view.pop("AcceleratorArn", None)
            for group in wanted["EndpointGroups"]:
                group_step, group_view = _create_group_step(ref, None, group)
                steps.append(group_step)
                view["EndpointGroups"].append(group_view)
            after["listeners"].append(view)
            continue
        matched.add(listener["ListenerArn"])
        view = copy.deepcopy(listener)
        update = {}
        if not _same_ranges(listener["PortRanges"], wanted["PortRanges"]):
            update["PortRanges"] = [dict(r) for r in wanted["PortRanges"]]
        if wanted["ClientAffinity"] and listener.get("ClientAffinity") != wanted["ClientAffinity"]:
            update["ClientAffinity"] = wanted["ClientAffinity"]
        if update:
            steps.append({"operation": "UpdateListener", "params": dict(update, ListenerArn=listener["ListenerArn"])})
            view.update(update)
        groups = {g["EndpointGroupRegion"]: g for g in listener.get("EndpointGroups", [])}
        views = []
        for group in wanted["EndpointGroups"]:
            have = groups.pop(group["Region"], None)
            if have is None:
                group_step, group_view = _create_group_step(ref, listener["ListenerArn"], group)
                steps.append(group_step)
            else:
                group_steps, group_view = plan_group(have, group, purge_endpoints)
                steps += group_steps
            views.append(group_view)
        for region, group in groups.items():  # groups the task does not name (or names as absent)
            if purge_endpoint_groups or region in wanted["AbsentEndpointGroups"]:
                steps.append({"operation": "DeleteEndpointGroup",
                              "params": {"EndpointGroupArn": group["EndpointGroupArn"]}})
            else:
                views.append(copy.deepcopy(group))
        view["EndpointGroups"] = views
        after["listeners"].append(view)
    for listener in existing:  # listeners the task does not name
        if listener["ListenerArn"] in matched:
            continue
        if purge_listeners:
            for group in listener.get("EndpointGroups", []):
                steps.append({"operation": "DeleteEndpointGroup",
                              "params": {"EndpointGroupArn": group["EndpointGroupArn"]}})
            steps.append({"operation": "DeleteListener", "params": {"ListenerArn": listener["ListenerArn"]}})
        else:
            after["listeners"].append(copy.deepcopy(listener))
    return steps, after


def plan_absent(current):
    """Steps that remove the accelerator: disable, wait until deployed, delete groups and listeners, wait, delete."""
    accelerator = current.get("accelerator")
    if accelerator is None:
        return [], {"accelerator": None, "tags": {}, "listeners": []}
    arn = accelerator["AcceleratorArn"]
    steps = []
    if accelerator.get("Enabled"):
        steps.append({"operation": "UpdateAccelerator", "params": {"AcceleratorArn": arn, "Enabled": False}})
    steps.append({"operation": "Wait"})
    for listener in current.get("listeners") or []:
        for group in listener.get("EndpointGroups", []):
            steps.append({"operation": "DeleteEndpointGroup", "params": {"EndpointGroupArn": group["EndpointGroupArn"]}})
        steps.append({"operation": "DeleteListener", "params": {"ListenerArn": listener["ListenerArn"]}})
    # AWS deletes an accelerator only when it is disabled and that change (and every other) is deployed.
    steps.append({"operation": "Wait"})
    steps.append({"operation": "DeleteAccelerator", "params": {"AcceleratorArn": arn}})
    return steps, {"accelerator": None, "tags": {}, "listeners": []}


def endpoint_health(after):
    """[(region, endpoint id, HealthState)] of every endpoint in ``after`` (read shape)."""
    out = []
    for listener in after.get("listeners") or []:
        for group in listener.get("EndpointGroups", []):
            for endpoint in group.get("EndpointDescriptions", []):
                out.append((group.get("EndpointGroupRegion"), endpoint.get("EndpointId"), endpoint.get("HealthState")))
    return out


def diff_view(state):
    """The read shape without what changes by itself (status, times, health): what diff mode shows."""
    if not state or state.get("accelerator") is None:
        return {}
    accelerator = {k: v for k, v in state["accelerator"].items()
                   if k in ("AcceleratorArn", "Name", "Enabled", "IpAddressType", "DnsName")}
    listeners = []
    for listener in state.get("listeners") or []:
        groups = []
        for group in listener.get("EndpointGroups", []):
            view = {k: v for k, v in group.items() if k not in ("EndpointDescriptions",)}
            view["Endpoints"] = [_endpoint_view(e) for e in group.get("EndpointDescriptions", [])]
            groups.append(view)
        view = {k: v for k, v in listener.items() if k != "EndpointGroups"}
        view["EndpointGroups"] = sorted(groups, key=lambda g: g.get("EndpointGroupRegion", ""))
        listeners.append(view)
    return {"accelerator": accelerator, "tags": dict(state.get("tags") or {}), "listeners": listeners}


# ------------------------------------------------------------------------------------------------- reads
# The one place that reads an accelerator through the API (both modules use it); ``paged(operation, key,
# **params)`` is the caller's botocore paginator with its retry, so nothing here imports boto3.

def read_listeners(paged, accelerator_arn):
    listeners = []
    for listener in paged("list_listeners", "Listeners", AcceleratorArn=accelerator_arn):
        listener = dict(listener)
        listener["EndpointGroups"] = paged("list_endpoint_groups", "EndpointGroups",
                                           ListenerArn=listener["ListenerArn"])
        listeners.append(listener)
    return listeners


def read_current(paged, list_tags, name, accelerators=None):
    """The read shape of the accelerator named ``name`` (``accelerator`` None when there is none)."""
    if accelerators is None:
        accelerators = paged("list_accelerators", "Accelerators")
    accelerator = find_accelerator(accelerators, name)
    if accelerator is None:
        return {"accelerator": None, "tags": {}, "listeners": []}
    tags = {t["Key"]: t["Value"] for t in list_tags(accelerator["AcceleratorArn"])}
    return {"accelerator": accelerator, "tags": tags, "listeners": read_listeners(paged, accelerator["AcceleratorArn"])}

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: global_accelerator
short_description: An AWS Global Accelerator with its listeners and endpoint groups, merged into what exists
version_added: 0.2.0
description:
  - Finds the standard accelerator named O(name) and brings it, its listeners (matched by protocol and
    overlapping port ranges) and their endpoint groups (one per region, matched by region) to what the task
    names. Nothing the task does not name is removed unless a C(purge_*) option asks for it (or
    O(listeners[].absent_endpoint_groups) names the region); a setting the task
    leaves out (a traffic dial, a health-check setting, an endpoint weight) is left as it is.
  - Global Accelerator's API is served in US West (Oregon) only. The module always creates its client for
    V(us-west-2), whatever O(region) (or C(AWS_REGION)) says; the endpoint groups name their own regions.
  - O(state=absent) disables the accelerator, waits until that is deployed, deletes its endpoint groups and
    listeners, waits again and deletes the accelerator (AWS deletes only a disabled, deployed accelerator).
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  name:
    description:
      - The accelerator's name (at most 64 letters, digits, periods or hyphens; no hyphen or period at either
        end). The module fails when two accelerators have this name.
    type: str
    required: true
  state:
    description: V(present) creates or updates; V(absent) removes the accelerator with everything under it.
    type: str
    choices: [present, absent]
    default: present
  enabled:
    description:
      - Whether the accelerator accepts traffic. Not given, a new accelerator is enabled and an existing one is
        left as it is (a task that only sets dials or removes a region never enables a disabled accelerator).
    type: bool
  tags:
    description: Tags merged into the accelerator's tags (other tags are kept).
    type: dict
    default: {}
  listeners:
    description: Listeners of the accelerator.
    type: list
    elements: dict
    default: []
    suboptions:
      protocol:
        description: V(TCP) or V(UDP).
        type: str
        default: TCP
        choices: [TCP, UDP]
      port_ranges:
        description: Port ranges (1-10); an existing listener of the same protocol whose ranges overlap these is
          this listener (its ranges are set to these).
        type: list
        elements: dict
        required: true
        suboptions:
          from_port:
            description: First port (1-65535).
            type: int
            required: true
          to_port:
            description: Last port; default O(listeners[].port_ranges[].from_port).
            type: int
      client_affinity:
        description: V(NONE) or V(SOURCE_IP); left as it is when not given (V(NONE) for a new listener).
        type: str
        choices: [NONE, SOURCE_IP]
      endpoint_groups:
        description: Endpoint groups, at most one per region.
        type: list
        elements: dict
        default: []
        suboptions:
          region:
            description: The endpoint group's region (C(EndpointGroupRegion)).
            type: str
            required: true
          traffic_dial_percentage:
            description: Share of the traffic this region would get that it gets (0-100; AWS default 100).
            type: float
          health_check_interval_seconds:
            description: V(10) or V(30) (AWS default 30).
            type: int
          threshold_count:
            description: Consecutive checks that change an endpoint's health (1-10; AWS default 3).
            type: int
          health_check_path:
            description: Path of HTTP/HTTPS health checks (starts with C(/)).
            type: str
          health_check_port:
            description: Port of the health checks (default the listener's first port).
            type: int
          health_check_protocol:
            description: V(TCP), V(HTTP) or V(HTTPS) (AWS default TCP).
            type: str
          endpoints:
            description:
              - Endpoints, each an id (an Application or Network Load Balancer ARN, an EC2 instance id, an Elastic
                IP allocation id) or a dict with C(endpoint_id), C(weight) (0-255, AWS default 128) and
                C(client_ip_preservation_enabled).
            type: list
            elements: raw
            default: []
      absent_endpoint_groups:
        description:
          - Regions whose endpoint groups this listener must not have; an existing one is deleted (the other groups
            are left as they are without O(purge_endpoint_groups)). Removing one region, as
            C(playbooks/teardown.yml) does, names only that region here and no O(listeners[].endpoint_groups).
          - A region cannot be both here and in O(listeners[].endpoint_groups).
        type: list
        elements: str
        default: []
  purge_listeners:
    description: Delete listeners (with their endpoint groups) that the task does not name.
    type: bool
    default: false
  purge_endpoint_groups:
    description: Delete endpoint groups of a named listener whose region the task does not name.
    type: bool
    default: false
  purge_endpoints:
    description: Remove endpoints of a named endpoint group that the task does not name.
    type: bool
    default: false
  wait:
    description: Wait until the accelerator's status is C(DEPLOYED) (with backoff).
    type: bool
    default: true
  wait_healthy:
    description: With O(wait), also wait until every endpoint of the accelerator is C(HEALTHY).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait at most (each wait of O(state=absent) included).
    type: int
    default: 900
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode makes no mutating call; diff mode shows the accelerator, listeners and endpoint groups before and
    after (status, times and health left out).
  - A second run with the same options reports C(changed=false).
  - The client is created for V(us-west-2) whatever O(region) is.
"""

EXAMPLES = r"""
- name: A front door over two regions' load balancers
  mysfits.multi_region.global_accelerator:
    name: mysfits-front-door
    listeners:
      - protocol: TCP
        port_ranges: [{from_port: 80, to_port: 80}]
        client_affinity: NONE
        endpoint_groups:
          - region: us-west-2
            endpoints: ["{{ west_alb_arn }}"]
          - region: us-east-1
            endpoints: ["{{ east_alb_arn }}"]
    wait: true

- name: Dial us-east-1 down to 10 percent (other settings and endpoints kept)
  mysfits.multi_region.global_accelerator:
    name: mysfits-front-door
    listeners:
      - port_ranges: [{from_port: 80}]
        endpoint_groups:
          - region: us-east-1
            traffic_dial_percentage: 10

- name: Take us-east-1 out (its endpoint group goes; the other groups and settings are kept)
  mysfits.multi_region.global_accelerator:
    name: mysfits-front-door
    listeners:
      - port_ranges: [{from_port: 80}]
        absent_endpoint_groups: [us-east-1]

- name: Remove it (disable, wait, delete)
  mysfits.multi_region.global_accelerator:
    name: mysfits-front-door
    state: absent
"""

RETURN = r"""
accelerator:
  description:
    - The accelerator after the task (as planned in check mode), snake_cased, with C(listeners) (each with
      C(endpoint_groups)) and C(tags); empty when absent.
  returned: success
  type: dict
  sample: {"accelerator_arn": "arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh",
           "name": "mysfits-front-door", "enabled": true, "status": "DEPLOYED",
           "dns_name": "a1234567890abcdef.awsglobalaccelerator.com", "listeners": [], "tags": {}}
operations:
  description: The API operations the task made (planned, in check mode), in order.
  returned: success
  type: list
  elements: str
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import WaitTimeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import fail_on_timeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import wait_for
from ansible_collections.mysfits.multi_region.plugins.module_utils import global_accelerator as ga
from ansible_collections.mysfits.multi_region.plugins.module_utils.global_accelerator_api import Runner
from ansible_collections.mysfits.multi_region.plugins.module_utils.global_accelerator_api import snake


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        enabled=dict(type="bool"),
        tags=dict(type="dict", default={}),
        listeners=dict(type="list", elements="dict", default=[], options=dict(
            protocol=dict(type="str", default="TCP", choices=["TCP", "UDP"]),
            port_ranges=dict(type="list", elements="dict", required=True, options=dict(
                from_port=dict(type="int", required=True),
                to_port=dict(type="int"),
            )),
            client_affinity=dict(type="str", choices=["NONE", "SOURCE_IP"]),
            endpoint_groups=dict(type="list", elements="dict", default=[], options=dict(
                region=dict(type="str", required=True),
                traffic_dial_percentage=dict(type="float"),
                health_check_interval_seconds=dict(type="int"),
                threshold_count=dict(type="int"),
                health_check_path=dict(type="str"),
                health_check_port=dict(type="int"),
                health_check_protocol=dict(type="str"),
                endpoints=dict(type="list", elements="raw", default=[]),
            )),
            absent_endpoint_groups=dict(type="list", elements="str", default=[]),
        )),
        purge_listeners=dict(type="bool", default=False),
        purge_endpoint_groups=dict(type="bool", default=False),
        purge_endpoints=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_healthy=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["wait_timeout"] < 0:
        module.fail_json(msg="wait_timeout: must be 0 or more seconds, got %s" % params["wait_timeout"])
    try:
        desired = ga.normalise_input(params)
    except ga.AcceleratorInputError as e:
        module.fail_json(msg=str(e))

    deadline = time.monotonic() + params["wait_timeout"]

    def deadline_left():
        return max(0.0, deadline - time.monotonic())

    runner = Runner(module)
    try:
        current = runner.read(params["name"])
    except ga.AcceleratorInputError as e:
        module.fail_json(msg=str(e))
    try:
        if params["state"] == "absent":
            steps, after = ga.plan_absent(current)
        else:
            steps, after = ga.plan_present(current, desired, params["purge_listeners"],
                                           params["purge_endpoint_groups"], params["purge_endpoints"])
    except ga.AcceleratorInputError as e:
        module.fail_json(msg=str(e))
    mutating = [s["operation"] for s in steps if s["operation"] != "Wait"]
    changed = bool(mutating)
    result = dict(changed=changed, operations=mutating)
    if module._diff:
        result["diff"] = dict(before=ga.diff_view(current), after=ga.diff_view(after))
    if module.check_mode:
        result["accelerator"] = snake(after)
        module.exit_json(**result)

    arn = current["accelerator"]["AcceleratorArn"] if current["accelerator"] else None
    if changed:
        arn = runner.apply(steps, deadline_left, arn)
    result["operations"] = runner.operations
    if params["state"] == "absent":
        result["accelerator"] = {}
        module.exit_json(**result)
    final = runner.read(params["name"]) if changed else current
    if params["wait"]:
        final["accelerator"] = runner.wait_deployed(arn, deadline_left)
        if params["wait_healthy"]:
            def healthy(state):
                health = ga.endpoint_health(state)
                return all(entry[2] == "HEALTHY" for entry in health)
            try:
                final = wait_for(lambda: runner.read(params["name"]), healthy,
                                 "every endpoint of %s to be HEALTHY" % params["name"], timeout=deadline_left(),
                                 delay=2.0, max_delay=15.0,
                                 describe=lambda s: ", ".join("%s %s: %s" % h for h in ga.endpoint_health(s)))
            except WaitTimeout as e:
                fail_on_timeout(module, e, changed=changed, operations=runner.operations)
    result["accelerator"] = snake(final)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: global_accelerator_info
short_description: Read AWS Global Accelerator accelerators with their listeners, endpoint groups and tags
version_added: 0.2.0
description:
  - Lists the account's standard accelerators (every page), or the one named O(name), each with its listeners,
    their endpoint groups (traffic dials, health-check settings, endpoints and their C(health_state)) and tags.
  - Global Accelerator's API is served in US West (Oregon) only. The module always creates its client for
    V(us-west-2), whatever O(region) says.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  name:
    description: Only the accelerator with this name (none found is not an error; two found is).
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The front door and its endpoints' health
  mysfits.multi_region.global_accelerator_info:
    name: mysfits-front-door
  register: front_door

- name: Every endpoint healthy
  ansible.builtin.assert:
    that: >-
      front_door.accelerators[0].listeners | map(attribute='endpoint_groups') | flatten
      | map(attribute='endpoint_descriptions') | flatten | map(attribute='health_state') | unique == ['HEALTHY']
"""

RETURN = r"""
accelerators:
  description: The accelerators, snake_cased as M(mysfits.multi_region.global_accelerator) returns one.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "mysfits-front-door", "status": "DEPLOYED", "dns_name": "a1234567890abcdef.awsglobalaccelerator.com",
            "listeners": [{"protocol": "TCP", "port_ranges": [{"from_port": 80, "to_port": 80}],
                           "endpoint_groups": [{"endpoint_group_region": "us-east-1", "traffic_dial_percentage": 100.0,
                                                "endpoint_descriptions": []}]}], "tags": {}}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils import global_accelerator as ga
from ansible_collections.mysfits.multi_region.plugins.module_utils.global_accelerator_api import Runner
from ansible_collections.mysfits.multi_region.plugins.module_utils.global_accelerator_api import snake


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str")), supports_check_mode=True)
    runner = Runner(module)
    accelerators = runner.paged("list_accelerators", "Accelerators")
    name = module.params["name"]
    if name is not None:
        try:
            accelerators = [a for a in [ga.find_accelerator(accelerators, name)] if a]
        except ga.AcceleratorInputError as e:
            module.fail_json(msg=str(e))
    out = []
    for accelerator in accelerators:
        arn = accelerator["AcceleratorArn"]
        tags = {t["Key"]: t["Value"] for t in runner.list_tags(arn)}
        out.append(snake({"accelerator": accelerator, "tags": tags, "listeners": ga.read_listeners(runner.paged, arn)}))
    module.exit_json(changed=False, accelerators=out)


if __name__ == "__main__":
    main()

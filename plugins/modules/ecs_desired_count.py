#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_desired_count
short_description: Set the desired task count of ECS services, and nothing else
version_added: 0.3.0
description:
  - Sets C(desiredCount) of the named services of one cluster (C(UpdateService) with only the desired count),
    as the workshop's Lab 5 does to break a region (every service to 0) and as a failback restores it.
  - Touches no other setting of a service (task definition, load balancers, network); never creates or deletes
    a service.
  - Idempotent (no call when a service already has the count); check mode makes no call; diff shows the desired
    counts before and after.
  - With O(wait), waits until each named service runs its desired count with a single deployment (botocore's
    C(services_stable) rule).
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  cluster:
    description: Name or ARN of the ECS cluster.
    type: str
    required: true
  services:
    description: Service name to desired count (0 or more).
    type: dict
    required: true
  wait:
    description: Wait until the services run their desired counts.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Break the primary region as Lab 5 does (every service to 0 tasks)
  mysfits.multi_region.ecs_desired_count:
    region: us-west-2
    cluster: MythicalMysfits-Cluster
    services:
      MythicalMysfits-Service: 0
      MythicalMysfits-Like-Service: 0
    wait: false

- name: Restore the counts recorded before
  mysfits.multi_region.ecs_desired_count:
    region: us-west-2
    cluster: MythicalMysfits-Cluster
    services: "{{ recorded_counts }}"
"""

RETURN = r"""
before:
  description: Service name to desired count before the change.
  returned: always
  type: dict
services:
  description: Service name to C({desired, running}) as ECS reports them at the end.
  returned: always
  type: dict
updated_at:
  description:
    - When the first C(UpdateService) call was sent (seconds since the epoch, this machine's clock), so that a
      drill can time what follows from the change itself rather than from the task's start.
  returned: when a desired count was changed
  type: float
"""

import time

try:
    import botocore  # noqa: F401
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import WaitTimeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import fail_on_timeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import wait_for
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecs_scale import desired_plan
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecs_scale import settled
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecs_scale import summary


def _describe(module, client, cluster, names):
    found = []
    names = list(names)
    try:
        for start in range(0, len(names), 10):  # DescribeServices: at most 10 services a call
            found += client.describe_services(cluster=cluster, services=names[start:start + 10],
                                              aws_retry=True)["services"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not describe the services of cluster %s in %s" % (cluster, module.region))
    return [s for s in found if s.get("status") == "ACTIVE"]


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            services=dict(type="dict", required=True),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    params = module.params
    wanted = {}
    for name, count in (params["services"] or {}).items():
        try:
            wanted[name] = int(count) if not isinstance(count, bool) and str(count).strip().isdigit() else count
        except (TypeError, ValueError):
            wanted[name] = count
    if not wanted:
        module.fail_json(msg="services: name at least one service")
    client = aws_client(module, "ecs")
    described = _describe(module, client, params["cluster"], wanted)
    current = {s["serviceName"]: s.get("desiredCount") for s in described}
    try:
        plan = desired_plan(current, wanted)
    except ValueError as e:
        module.fail_json(msg="cluster %s in %s: %s" % (params["cluster"], module.region, e))
    result = dict(changed=bool(plan), before=current, services=summary(described))
    if plan:
        result["diff"] = {"before": {n: b for n, (b, a) in plan.items()},
                          "after": {n: a for n, (b, a) in plan.items()}}
    if plan and not module.check_mode:
        result["updated_at"] = time.time()
        for name, (before, after) in plan.items():
            try:
                client.update_service(cluster=params["cluster"], service=name, desiredCount=after, aws_retry=True)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="Could not set the desired count of %s to %d" % (name, after))
    if params["wait"] and not module.check_mode:
        try:
            described = wait_for(lambda: _describe(module, client, params["cluster"], wanted),
                                 lambda services: settled(services, wanted),
                                 "services %s to run %s" % (", ".join(sorted(wanted)), wanted),
                                 timeout=params["wait_timeout"], delay=1.0, max_delay=10.0,
                                 describe=summary)
        except WaitTimeout as e:
            fail_on_timeout(module, e, **result)
        result["services"] = summary(described)
    elif plan and not module.check_mode:
        result["services"] = summary(_describe(module, client, params["cluster"], wanted))
    module.exit_json(**result)


if __name__ == "__main__":
    main()

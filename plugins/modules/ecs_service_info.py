#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ecs_service_info
short_description: Read ECS services, the image digests their running tasks run and their targets' health
version_added: 0.2.0
description:
  - For each named service of a cluster, returns its desired, running and pending counts (C(DescribeServices)),
    the container images and image digests its running tasks run (C(ListTasks), C(DescribeTasks)), and the
    health of the targets of each target group it is registered with (C(DescribeTargetHealth)).
  - What the readiness report compares across regions (the image digest each region's services run, running
    count against desired count, healthy targets). Reads only.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  cluster:
    description: Name or ARN of the ECS cluster.
    type: str
    required: true
  services:
    description:
      - "Service key to service name or ARN (for example C({core: CoreService, like: LikeService})). The keys
        name the services in RV(services)."
    type: dict
    required: true
  target_health:
    description: Also read the health of each target group the service is registered with.
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the application's services in the secondary region
  mysfits.multi_region.ecs_service_info:
    region: us-east-2
    cluster: MythicalMysfits-Cluster
    services:
      core: CoreService
      like: LikeService
  register: services
"""

RETURN = r"""
services:
  description: Service key to what the report needs of it.
  returned: always
  type: dict
  contains:
    found:
      description: Whether the service exists (and is not INACTIVE).
      type: bool
    name:
      description: The service's name.
      type: str
    status:
      description: The service's status (ACTIVE, DRAINING).
      type: str
    desired:
      description: Desired count.
      type: int
    running:
      description: Running count.
      type: int
    pending:
      description: Pending count.
      type: int
    task_definition:
      description: The ARN of the service's task definition.
      type: str
    tasks:
      description: How many running tasks were described.
      type: int
    digests:
      description: Container name to the sorted image digests its running tasks run.
      type: dict
    images:
      description: Container name to the sorted image references its running tasks run.
      type: dict
    target_groups:
      description: Each target group of the service, C({arn, states}), states counting targets per health state.
      type: list
      elements: dict
"""

try:
    import botocore  # noqa: F401
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.readiness import service_summary

# DescribeServices takes up to 10 services, DescribeTasks up to 100 tasks per call (ECS API Reference).
DESCRIBE_SERVICES_MAX = 10
DESCRIBE_TASKS_MAX = 100


def read_services(module, ecs, elbv2, cluster, names, target_health):
    found = {}
    wanted = list(names.values())
    for start in range(0, len(wanted), DESCRIBE_SERVICES_MAX):
        chunk = wanted[start:start + DESCRIBE_SERVICES_MAX]
        answer = ecs.describe_services(cluster=cluster, services=chunk, aws_retry=True)
        for service in answer.get("services") or []:
            if service.get("status") == "INACTIVE":
                continue
            found[service.get("serviceName")] = service
            found[service.get("serviceArn")] = service
    result = {}
    for key, name in names.items():
        service = found.get(name)
        if service is None:
            result[key] = service_summary(None, [], {})
            continue
        arns = []
        paginator = ecs.get_paginator("list_tasks")
        for page in paginator.paginate(cluster=cluster, serviceName=service["serviceName"], desiredStatus="RUNNING"):
            arns.extend(page.get("taskArns") or [])
        tasks = []
        for start in range(0, len(arns), DESCRIBE_TASKS_MAX):
            tasks.extend(ecs.describe_tasks(cluster=cluster, tasks=arns[start:start + DESCRIBE_TASKS_MAX],
                                            aws_retry=True).get("tasks") or [])
        health = {}
        if target_health:
            for mapping in service.get("loadBalancers") or []:
                arn = mapping.get("targetGroupArn")
                if arn and arn not in health:
                    health[arn] = elbv2.describe_target_health(
                        TargetGroupArn=arn, aws_retry=True).get("TargetHealthDescriptions") or []
        result[key] = service_summary(service, tasks, health)
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            services=dict(type="dict", required=True),
            target_health=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    names = module.params["services"]
    bad = sorted(str(key) for key, value in names.items() if not isinstance(value, str) or not value)
    if bad:
        module.fail_json(msg="services: each value must be a service name or ARN; not one for %s" % ", ".join(bad))
    ecs = aws_client(module, "ecs")
    elbv2 = aws_client(module, "elbv2") if module.params["target_health"] else None
    try:
        services = read_services(module, ecs, elbv2, module.params["cluster"], names, module.params["target_health"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the services of cluster %s in %s" % (
            module.params["cluster"], module.region))
    module.exit_json(changed=False, services=services)


if __name__ == "__main__":
    main()

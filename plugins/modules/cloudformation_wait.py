#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudformation_wait
short_description: Wait, with backoff, until a CloudFormation stack is no longer in progress
version_added: 0.1.0
description:
  - Polls C(DescribeStacks) until the stack's status no longer ends in C(_IN_PROGRESS), waiting
    O(delay) seconds after the first poll and O(backoff) times longer after each further poll, up to
    O(max_delay); with the defaults a stack that takes ten minutes is read about 25 times, not every few seconds.
  - Returns the stack as M(amazon.aws.cloudformation_info) does (RV(cloudformation) keyed by the
    stack name, with C(stack_description), C(stack_outputs), C(stack_parameters), C(stack_tags)
    and C(stack_events)), so a role can use either.
  - Changes nothing; the same in check mode. Use it after a create or update started without
    waiting, by M(mysfits.multi_region.cloudformation_stack) (or M(amazon.aws.cloudformation) with C(async)
    and C(poll=0)).
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  stack_name:
    description: Name (or id) of the stack.
    type: str
    required: true
  wait_timeout:
    description:
      - Seconds to wait for the stack to leave its in-progress state; the module fails after that
        (the operation itself continues in AWS).
    type: int
    default: 3600
  delay:
    description: Seconds between the first two polls; each further wait is 1.5 times longer.
    type: float
    default: 2.0
  max_delay:
    description: Longest wait between two polls, in seconds.
    type: float
    default: 30.0
  backoff:
    description:
      - How much longer each wait is than the one before (until O(max_delay)). With V(1.5), a stack that finishes is
        noticed at most half the time already waited after it finished; with V(1.25), a quarter, for a few more polls
        early on. V(1.0) polls every O(delay) seconds.
    type: float
    default: 1.5
  absent_timeout:
    description:
      - Seconds during which a stack that does not exist is waited for (its create was started
        asynchronously and may not have reached AWS yet). With V(0), a missing stack is returned at
        once with RV(exists=false).
    type: int
    default: 0
  stack_events:
    description:
      - When to read the stack's events (C(DescribeStackEvents)) after the wait.
      - V(on_failure) reads them only when the stack did not end in a C(_COMPLETE) state other than
        a rollback, which is when their reasons are needed.
    type: str
    choices: [always, on_failure, never]
    default: on_failure
  stack_resources:
    description:
      - Also list the stack's resources (C(ListStackResources), every page) when the wait ends in a successful
        C(_COMPLETE) state, as M(amazon.aws.cloudformation_info) does with its option of the same name
        (RV(cloudformation.stack_resource_list)). The stack's outputs and resources are then known from this one
        run, without a further read.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Needs C(cloudformation:DescribeStacks) and, for events, C(cloudformation:DescribeStackEvents); for
    O(stack_resources), C(cloudformation:ListStackResources).
  - A missing stack is not an error; check RV(exists).
seealso:
  - module: mysfits.multi_region.cloudformation_stack
  - module: amazon.aws.cloudformation
  - module: amazon.aws.cloudformation_info
"""

EXAMPLES = r"""
- name: Start the stack without waiting
  mysfits.multi_region.cloudformation_stack:
    region: us-east-1
    stack_name: mm-secondary-region
    template_body: "{{ lookup('ansible.builtin.file', 'core.yml') }}"
    parameters:
      IsDrRegion: "true"
  register: started

- name: Wait for it with backoff
  mysfits.multi_region.cloudformation_wait:
    region: us-east-1
    stack_name: mm-secondary-region
  register: stack

- name: Use its outputs
  ansible.builtin.debug:
    msg: "{{ stack.cloudformation['mm-secondary-region'].stack_outputs.LoadBalancerDNS }}"
"""

RETURN = r"""
exists:
  description: Whether the stack exists (after the wait).
  returned: always
  type: bool
  sample: true
stack_status:
  description: The stack's status after the wait, C(ABSENT) when it does not exist.
  returned: always
  type: str
  sample: CREATE_COMPLETE
polls:
  description: How many times C(DescribeStacks) was called.
  returned: always
  type: int
  sample: 9
waited:
  description: Seconds spent waiting.
  returned: always
  type: float
  sample: 41.3
failure_message:
  description:
    - When the stack did not end in a successful C(_COMPLETE) state (a rollback, a failure, absent excepted), why
      - the failed resources with their reasons from the stack events (with the default
      O(stack_events=on_failure)) - and what to do.
  returned: when the stack exists and its last operation did not succeed
  type: str
  sample: "The stack mm-secondary-region in us-east-1 is ROLLBACK_COMPLETE. Failed resources: ..."
cloudformation:
  description:
    - The stack keyed by its name, as M(amazon.aws.cloudformation_info) returns it; empty when the
      stack does not exist.
  returned: always
  type: dict
  contains:
    stack_description:
      description: C(DescribeStacks)'s description of the stack, keys in snake_case.
      returned: when the stack exists
      type: dict
    stack_outputs:
      description: Output key to value.
      returned: when the stack exists
      type: dict
    stack_parameters:
      description: Parameter key to value.
      returned: when the stack exists
      type: dict
    stack_tags:
      description: Tag key to value.
      returned: when the stack exists
      type: dict
    stack_events:
      description: The stack's events, newest first, keys in snake_case.
      returned: when the stack exists and O(stack_events) asked for them
      type: list
      elements: dict
    stack_resource_list:
      description: C(ListStackResources)'s summaries of the stack's resources, keys in snake_case.
      returned: with O(stack_resources=true), when the stack ended in a successful C(_COMPLETE) state
      type: list
      elements: dict
      sample: [{"logical_resource_id": "ECSCluster", "physical_resource_id": "mm-secondary-region-ECSCluster-1",
                "resource_type": "AWS::ECS::Cluster", "resource_status": "CREATE_COMPLETE"}]
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_message
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import WaitTimeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import fail_on_timeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import wait_for
from ansible_collections.mysfits.multi_region.plugins.module_utils.stack import failure_message
from ansible_collections.mysfits.multi_region.plugins.module_utils.stack import in_progress
from ansible_collections.mysfits.multi_region.plugins.module_utils.stack import stack_facts
from ansible_collections.mysfits.multi_region.plugins.module_utils.stack import succeeded
from ansible_collections.mysfits.multi_region.plugins.module_utils.stack import wants_events

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    argument_spec = dict(
        stack_name=dict(type="str", required=True),
        wait_timeout=dict(type="int", default=3600),
        delay=dict(type="float", default=2.0),
        max_delay=dict(type="float", default=30.0),
        backoff=dict(type="float", default=1.5),
        absent_timeout=dict(type="int", default=0),
        stack_events=dict(type="str", choices=["always", "on_failure", "never"], default="on_failure"),
        stack_resources=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    for name in ("wait_timeout", "delay", "max_delay", "absent_timeout"):
        if params[name] < 0:
            module.fail_json(msg="%s must be 0 or more, got %s" % (name, params[name]))
    if params["backoff"] < 1.0:
        module.fail_json(msg="backoff must be 1.0 or more (each wait that many times the one before), got %s"
                         % params["backoff"])
    if params["max_delay"] < params["delay"]:
        module.fail_json(msg="max_delay (%s) must be at least delay (%s); raise max_delay or lower delay"
                         % (params["max_delay"], params["delay"]))
    name = params["stack_name"]
    client = aws_client(module, "cloudformation")
    started = time.monotonic()
    polls = {"count": 0}

    def fetch():
        polls["count"] += 1
        try:
            return client.describe_stacks(aws_retry=True, StackName=name)["Stacks"][0]
        except is_boto3_error_message("does not exist"):
            return None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Could not describe the stack %s" % name)

    def done(stack):
        if stack is None:
            return time.monotonic() - started >= params["absent_timeout"]
        return not in_progress(stack.get("StackStatus"))

    try:
        stack = wait_for(fetch, done, "the stack %s to leave its in-progress state" % name,
                         timeout=params["wait_timeout"], delay=params["delay"], max_delay=params["max_delay"],
                         backoff=params["backoff"],
                         describe=lambda s: s.get("StackStatus") if s else "ABSENT")
    except WaitTimeout as e:
        fail_on_timeout(module, e, polls=polls["count"], waited=round(time.monotonic() - started, 1))

    result = {"changed": False, "polls": polls["count"], "waited": round(time.monotonic() - started, 1),
              "exists": stack is not None, "stack_status": stack["StackStatus"] if stack else "ABSENT",
              "cloudformation": {}}
    if stack is not None:
        events = None
        if wants_events(params["stack_events"], stack["StackStatus"]):
            try:
                paginator = client.get_paginator("describe_stack_events")
                events = paginator.paginate(StackName=name).build_full_result()["StackEvents"]
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="Could not read the events of the stack %s" % name)
        resources = None
        if params["stack_resources"] and succeeded(stack["StackStatus"]):
            try:
                paginator = client.get_paginator("list_stack_resources")
                resources = paginator.paginate(StackName=stack["StackId"]).build_full_result()["StackResourceSummaries"]
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="Could not list the resources of the stack %s" % name)
        result["cloudformation"][stack["StackName"]] = stack_facts(stack, events, resources)
        if not succeeded(stack["StackStatus"]):
            result["failure_message"] = failure_message(name, module.region, stack["StackStatus"], events)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudwatch_composite_alarm
short_description: A CloudWatch composite alarm whose rule combines other alarms of its region
version_added: 0.3.0
description:
  - Creates, updates or deletes one composite alarm (C(PutCompositeAlarm), C(DeleteAlarms)); amazon.aws has no
    module for composite alarms.
  - Reads the alarm first (C(DescribeAlarms) with C(AlarmTypes)) and writes only when the rule, description,
    actions or C(ActionsEnabled) differ; C(PutCompositeAlarm) replaces the whole alarm, so every option is
    compared (an option left out means none). A second run reports C(changed=false).
  - The rule is checked before any call (functions V(ALARM), V(OK), V(INSUFFICIENT_DATA) of an alarm name,
    quoted or not, or ARN; V(TRUE), V(FALSE); V(AND), V(OR), V(NOT), parentheses; at most 10240 characters).
    AWS itself refuses a rule that names an alarm that does not exist in the region, so create the metric
    alarms first.
  - A metric alarm of the same name is an error (the module never replaces one).
  - Check mode makes no mutating call; diff mode shows the request before and after.
  - V(absent) deletes the alarm; AWS refuses while another composite alarm's rule names it.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  name:
    description: The alarm's name, unique in the region (1 to 255 characters).
    type: str
    required: true
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
  alarm_rule:
    description:
      - The rule, for example C(ALARM(mysfits-us-west-2-5xx) OR ALARM("mysfits-us-west-2-unhealthy-core")).
      - Required with O(state=present).
    type: str
  description:
    description: The alarm's description (at most 1024 characters); not given means none.
    type: str
  actions_enabled:
    description: Whether the actions run on state changes.
    type: bool
    default: true
  alarm_actions:
    description: ARNs (SNS topics) notified when the alarm goes to C(ALARM); at most 5.
    type: list
    elements: str
    default: []
  ok_actions:
    description: ARNs notified when the alarm goes to C(OK); at most 5.
    type: list
    elements: str
    default: []
  insufficient_data_actions:
    description: ARNs notified when the alarm goes to C(INSUFFICIENT_DATA); at most 5.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: One alarm that says the region should be failed away from
  mysfits.multi_region.cloudwatch_composite_alarm:
    region: us-west-2
    name: mysfits-us-west-2-failover
    description: Any of the region's failover alarms is in ALARM
    alarm_rule: >-
      ALARM("mysfits-us-west-2-alb-5xx-rate") OR ALARM("mysfits-us-west-2-unhealthy-core")
      OR ALARM("mysfits-us-west-2-replication-latency-us-east-1")

- name: Remove it (before the alarms it names)
  mysfits.multi_region.cloudwatch_composite_alarm:
    region: us-west-2
    name: mysfits-us-west-2-failover
    state: absent
"""

RETURN = r"""
alarm:
  description:
    - The alarm after the task (before it, in check mode), with C(alarm_arn), C(state_value), C(state_reason),
      C(alarm_rule), C(alarm_description), C(actions_enabled), C(alarm_actions), C(ok_actions),
      C(insufficient_data_actions); empty when there is none.
  returned: always
  type: dict
  sample: {"alarm_name": "mysfits-us-west-2-failover", "alarm_rule": "ALARM(a) OR ALARM(b)",
           "state_value": "INSUFFICIENT_DATA", "actions_enabled": true, "alarm_actions": []}
changes:
  description: The request keys that differed (C(AlarmName) alone when the alarm is deleted).
  returned: always
  type: list
  elements: str
  sample: ["AlarmRule"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.cloudwatch_alarm import check_composite
from ansible_collections.mysfits.multi_region.plugins.module_utils.cloudwatch_alarm import composite_request
from ansible_collections.mysfits.multi_region.plugins.module_utils.cloudwatch_alarm_api import run


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            alarm_rule=dict(type="str"),
            description=dict(type="str"),
            actions_enabled=dict(type="bool", default=True),
            alarm_actions=dict(type="list", elements="str", default=[]),
            ok_actions=dict(type="list", elements="str", default=[]),
            insufficient_data_actions=dict(type="list", elements="str", default=[]),
        ),
        required_if=[("state", "present", ["alarm_rule"])],
        supports_check_mode=True,
    )
    run(module, "composite", check_composite, composite_request)


if __name__ == "__main__":
    main()

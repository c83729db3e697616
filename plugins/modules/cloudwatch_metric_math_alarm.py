#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudwatch_metric_math_alarm
short_description: A CloudWatch metric alarm on a metric math expression, idempotent
version_added: 0.3.0
description:
  - Creates, updates or deletes one metric alarm whose value is a metric math expression over other metrics
    (C(PutMetricAlarm) with C(Metrics)), for example a 5XX rate of a load balancer.
  - Why not M(amazon.aws.cloudwatch_metric_alarm), which takes C(metrics) since 5.5.0 - in amazon.aws 10.1 it
    leaves C(Metrics) out of its comparison but sends it, so an alarm with C(metrics) reports C(changed) and is
    written again on every run. This module compares the queries too (dimensions in any order) and writes only
    when something differs; a second run reports C(changed=false). Use the amazon.aws module for single-metric
    alarms.
  - Checked before any call, as C(PutMetricAlarm) documents them - query ids (a lower-case letter first), one
    of O(metrics[].expression) and O(metrics[].metric_stat) each, exactly one query with O(metrics[].return_data)
    true.
  - A composite alarm of the same name is an error. Check mode makes no mutating call; diff mode shows the
    request before and after.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  name:
    description: The alarm's name, unique in the region.
    type: str
    required: true
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
  metrics:
    description: The queries; one of them (O(metrics[].return_data=true)) is what the alarm watches.
    type: list
    elements: dict
    default: []
    suboptions:
      id:
        description: Short name, used in expressions (a lower-case letter, then letters, digits, underscores).
        type: str
        required: true
      expression:
        description: A metric math expression over other queries' ids.
        type: str
      metric_stat:
        description: A metric with its statistic and period.
        type: dict
        suboptions:
          metric:
            description: C(namespace), C(metric_name) and C(dimensions) (a dict, or a list of C(name)/C(value)).
            type: dict
            required: true
          period:
            description: Seconds.
            type: int
            required: true
          stat:
            description: The statistic (V(Sum), V(Average), V(Maximum), ...).
            type: str
            required: true
          unit:
            description: The unit.
            type: str
      label:
        description: A label for the query.
        type: str
      period:
        description: Seconds, for an expression.
        type: int
      return_data:
        description: True for the one query the alarm watches, false for the others.
        type: bool
        default: false
  comparison:
    description: How the watched value is compared with O(threshold).
    type: str
    choices: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold]
  threshold:
    description: The threshold.
    type: float
  evaluation_periods:
    description: How many periods are evaluated.
    type: int
  datapoints_to_alarm:
    description: How many of those periods must breach (default all).
    type: int
  treat_missing_data:
    description: How missing data counts.
    type: str
    choices: [breaching, notBreaching, ignore, missing]
    default: missing
  description:
    description: The alarm's description; not given means none.
    type: str
  actions_enabled:
    description: Whether the actions run on state changes.
    type: bool
    default: true
  alarm_actions:
    description: ARNs notified when the alarm goes to C(ALARM).
    type: list
    elements: str
    default: []
  ok_actions:
    description: ARNs notified when the alarm goes to C(OK).
    type: list
    elements: str
    default: []
  insufficient_data_actions:
    description: ARNs notified when the alarm goes to C(INSUFFICIENT_DATA).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: 5XX answers of the load balancer over 5 % of its requests, two minutes in a row
  mysfits.multi_region.cloudwatch_metric_math_alarm:
    region: us-west-2
    name: mysfits-us-west-2-alb-5xx-rate
    comparison: GreaterThanThreshold
    threshold: 5
    evaluation_periods: 2
    treat_missing_data: notBreaching
    metrics:
      - id: target5xx
        metric_stat:
          metric: {namespace: AWS/ApplicationELB, metric_name: HTTPCode_Target_5XX_Count,
                   dimensions: {LoadBalancer: app/alb-mm-primary-region/0123456789abcdef}}
          period: 60
          stat: Sum
      - id: elb5xx
        metric_stat:
          metric: {namespace: AWS/ApplicationELB, metric_name: HTTPCode_ELB_5XX_Count,
                   dimensions: {LoadBalancer: app/alb-mm-primary-region/0123456789abcdef}}
          period: 60
          stat: Sum
      - id: requests
        metric_stat:
          metric: {namespace: AWS/ApplicationELB, metric_name: RequestCount,
                   dimensions: {LoadBalancer: app/alb-mm-primary-region/0123456789abcdef}}
          period: 60
          stat: Sum
      - id: rate
        expression: 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests
        label: 5XX %
        return_data: true
"""

RETURN = r"""
alarm:
  description:
    - The alarm after the task (before it, in check mode) - C(alarm_arn), C(state_value), C(metrics) (the API's
      shape), C(comparison_operator), C(threshold), C(evaluation_periods), C(treat_missing_data), actions;
      empty when there is none.
  returned: always
  type: dict
changes:
  description: The request keys that differed (C(AlarmName) alone when the alarm is deleted).
  returned: always
  type: list
  elements: str
  sample: ["Threshold"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.cloudwatch_alarm import check_metric_math
from ansible_collections.mysfits.multi_region.plugins.module_utils.cloudwatch_alarm import metric_math_request
from ansible_collections.mysfits.multi_region.plugins.module_utils.cloudwatch_alarm_api import run


def main():
    query = dict(
        id=dict(type="str", required=True),
        expression=dict(type="str"),
        metric_stat=dict(type="dict", options=dict(
            metric=dict(type="dict", required=True),
            period=dict(type="int", required=True),
            stat=dict(type="str", required=True),
            unit=dict(type="str"),
        )),
        label=dict(type="str"),
        period=dict(type="int"),
        return_data=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            metrics=dict(type="list", elements="dict", default=[], options=query),
            comparison=dict(type="str", choices=["GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
                                                 "LessThanThreshold", "LessThanOrEqualToThreshold"]),
            threshold=dict(type="float"),
            evaluation_periods=dict(type="int"),
            datapoints_to_alarm=dict(type="int"),
            treat_missing_data=dict(type="str", choices=["breaching", "notBreaching", "ignore", "missing"],
                                    default="missing"),
            description=dict(type="str"),
            actions_enabled=dict(type="bool", default=True),
            alarm_actions=dict(type="list", elements="str", default=[]),
            ok_actions=dict(type="list", elements="str", default=[]),
            insufficient_data_actions=dict(type="list", elements="str", default=[]),
        ),
        required_if=[("state", "present", ["metrics", "comparison", "threshold", "evaluation_periods"])],
        supports_check_mode=True,
    )
    run(module, "metric_math", check_metric_math, metric_math_request)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudwatch_metric_info
short_description: Read the statistics of one CloudWatch metric over a time window
version_added: 0.3.0
description:
  - Reads one metric's datapoints with C(GetMetricStatistics) (namespace, metric name, every dimension given) from
    O(start_time) to O(end_time), oldest first, and the largest and smallest value of each statistic over the
    window. Read-only; runs in check mode.
  - The failover drill reads DynamoDB C(ReplicationLatency) with it (in the table's source region, dimensions
    C(TableName) and C(ReceivingRegion)) for the RPO in seconds.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  namespace:
    description: The metric's namespace (V(AWS/DynamoDB), ...).
    type: str
    required: true
  metric_name:
    description: The metric's name.
    type: str
    required: true
  dimensions:
    description: Dimension name to value; every dimension of the metric must be given (CloudWatch matches exactly).
    type: dict
    default: {}
  start_time:
    description: Start of the window, seconds since the epoch (UTC).
    type: float
    required: true
  end_time:
    description: End of the window (excluded), seconds since the epoch; later than O(start_time).
    type: float
    required: true
  period:
    description: Seconds of one datapoint (60 or a multiple of 60).
    type: int
    default: 60
  statistics:
    description: The statistics to read.
    type: list
    elements: str
    choices: [SampleCount, Average, Sum, Minimum, Maximum]
    default: [Maximum, SampleCount]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Replication latency from us-west-2 to the replica in us-east-1 during the last 10 minutes
  mysfits.multi_region.cloudwatch_metric_info:
    region: us-west-2
    namespace: AWS/DynamoDB
    metric_name: ReplicationLatency
    dimensions:
      TableName: MythicalMysfits-DDBTable
      ReceivingRegion: us-east-1
    start_time: "{{ now(utc=true).timestamp() - 600 }}"
    end_time: "{{ now(utc=true).timestamp() }}"
  register: latency
"""

RETURN = r"""
datapoints:
  description: The datapoints, oldest first; C(timestamp) in seconds since the epoch, C(unit), and one key per statistic.
  returned: always
  type: list
  elements: dict
  sample: [{"timestamp": 1796249700.0, "unit": "Milliseconds", "maximum": 812.0, "sample_count": 14.0}]
maximum:
  description: Per statistic (snake case), the largest value over the window; null when there is no datapoint.
  returned: always
  type: dict
  sample: {"maximum": 812.0, "sample_count": 14.0}
minimum:
  description: Per statistic (snake case), the smallest value over the window; null when there is no datapoint.
  returned: always
  type: dict
"""

import datetime

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client

SNAKE = {"SampleCount": "sample_count", "Average": "average", "Sum": "sum", "Minimum": "minimum",
         "Maximum": "maximum"}


def _epoch(value):
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.timestamp()


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            namespace=dict(type="str", required=True),
            metric_name=dict(type="str", required=True),
            dimensions=dict(type="dict", default={}),
            start_time=dict(type="float", required=True),
            end_time=dict(type="float", required=True),
            period=dict(type="int", default=60),
            statistics=dict(type="list", elements="str", default=["Maximum", "SampleCount"],
                            choices=list(SNAKE)),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["end_time"] <= params["start_time"]:
        module.fail_json(msg="end_time must be later than start_time; got %s and %s"
                         % (params["start_time"], params["end_time"]))
    if params["period"] < 60 or params["period"] % 60:
        module.fail_json(msg="period must be 60 or a multiple of 60; got %d" % params["period"])
    if not params["statistics"]:
        module.fail_json(msg="statistics: name at least one")
    utc = datetime.timezone.utc
    client = aws_client(module, "cloudwatch")
    try:
        answer = client.get_metric_statistics(
            Namespace=params["namespace"], MetricName=params["metric_name"],
            Dimensions=[{"Name": k, "Value": str(v)} for k, v in sorted(params["dimensions"].items())],
            StartTime=datetime.datetime.fromtimestamp(params["start_time"], utc),
            EndTime=datetime.datetime.fromtimestamp(params["end_time"], utc),
            Period=params["period"], Statistics=params["statistics"], aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read %s %s in %s"
                             % (params["namespace"], params["metric_name"], module.region))
    points = []
    for point in sorted(answer.get("Datapoints") or [], key=lambda p: p["Timestamp"]):
        row = {"timestamp": _epoch(point["Timestamp"]), "unit": point.get("Unit")}
        for stat in params["statistics"]:
            if stat in point:
                row[SNAKE[stat]] = float(point[stat])
        points.append(row)
    keys = [SNAKE[stat] for stat in params["statistics"]]
    module.exit_json(
        changed=False, datapoints=points,
        maximum={k: max([p[k] for p in points if k in p] or [None], key=lambda v: -1e308 if v is None else v)
                 for k in keys},
        minimum={k: min([p[k] for p in points if k in p] or [None], key=lambda v: 1e308 if v is None else v)
                 for k in keys})


if __name__ == "__main__":
    main()

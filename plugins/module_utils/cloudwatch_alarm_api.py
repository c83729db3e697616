# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CloudWatch side of ``cloudwatch_composite_alarm`` and ``cloudwatch_metric_math_alarm``: read the alarm,
plan (pure, ``cloudwatch_alarm.py``), apply. One retry layer: botocore's (common.py)."""

from __future__ import annotations

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils import cloudwatch_alarm as cwa

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

# kind -> (DescribeAlarms AlarmType, the answer's list, the other kind's list, the put operation)
KINDS = {"composite": ("CompositeAlarm", "CompositeAlarms", "MetricAlarms", "put_composite_alarm"),
         "metric_math": ("MetricAlarm", "MetricAlarms", "CompositeAlarms", "put_metric_alarm")}


def _describe(module, client, name, kind):
    """``(the alarm of this kind or None, True when an alarm of the other kind has the name)``."""
    try:
        answer = client.describe_alarms(AlarmNames=[name], AlarmTypes=["CompositeAlarm", "MetricAlarm"],
                                        aws_retry=True)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the alarm %s in %s" % (name, module.region))
    dummy, mine, other, dummy = KINDS[kind]
    found = [alarm for alarm in answer.get(mine) or [] if alarm.get("AlarmName") == name]
    clash = any(alarm.get("AlarmName") == name for alarm in answer.get(other) or [])
    return (found[0] if found else None), clash


def run(module, kind, check, request_of):
    """Check the input, read, plan, apply (not in check mode), and exit with the result and a diff."""
    params = module.params
    try:
        check(params)
        wanted = request_of(params) if params["state"] == "present" else None
    except cwa.AlarmError as e:
        module.fail_json(msg=str(e))
    client = aws_client(module, "cloudwatch")
    name = params["name"]
    described, clash = _describe(module, client, name, kind)
    if clash:
        module.fail_json(msg="%s in %s is a %s alarm; this module manages %s alarms only: choose another name"
                         % (name, module.region, "metric" if kind == "composite" else "composite",
                            "composite" if kind == "composite" else "metric math"))
    current = cwa.current_request(described, kind)
    if params["state"] == "absent":
        changes = {"AlarmName": (name, None)} if described else {}
        after = None
    else:
        changes = cwa.plan(current, wanted)
        after = wanted
    result = dict(changed=bool(changes), changes=sorted(changes), alarm=cwa.snake_view(described, kind))
    if changes:
        result["diff"] = {"before": current or {}, "after": after or {}}
    if changes and not module.check_mode:
        try:
            if params["state"] == "absent":
                client.delete_alarms(AlarmNames=[name], aws_retry=True)
            else:
                getattr(client, KINDS[kind][3])(aws_retry=True, **wanted)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not %s the alarm %s in %s" % (
                "delete" if params["state"] == "absent" else "put", name, module.region), **result)
        described, dummy = _describe(module, client, name, kind)
        result["alarm"] = cwa.snake_view(described, kind)
    module.exit_json(**result)

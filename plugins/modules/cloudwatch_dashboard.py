#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudwatch_dashboard
short_description: Merge widgets and metric rows into a CloudWatch dashboard that people also edit
version_added: 0.1.0
description:
  - Reads the dashboard (C(GetDashboard)), merges what the task owns into it and writes the whole body back
    (C(PutDashboard)) only when something changed. A missing dashboard is created.
  - A widget is identified by its C(properties.title); a text widget, which has no title, by the first line of
    its C(properties.markdown). Widgets with other titles keep their properties, rows and places.
  - An owned widget that exists is updated in place, keeping its position and size; a new widget is placed on
    the 24-column grid at the first free spot (top to bottom, left to right) where it overlaps no other widget.
  - The metric-row shorthand of the console (V(.) repeats the value at the same position of the previous row)
    is expanded before comparing, so a console-saved dashboard equals the same rows written out in full.
    Rows the module does not change are written back exactly as they were; new rows are written in full.
  - If someone saves the dashboard between the read and the write, the module reads it again and merges once
    more; if it moved again, the module fails without writing. C(PutDashboard) has no conditional write, so a
    save landing in the single round trip between the last read and the write can still be overwritten.
  - Validation messages of C(PutDashboard) are returned as the module's error, each naming the widget it
    concerns; the dashboard is then unchanged.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  name:
    description: Name of the dashboard (letters, digits, V(-) and V(_), up to 255 characters).
    type: str
    required: true
  state:
    description:
      - V(present) creates or merges the dashboard; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  widgets:
    description:
      - Widgets to ensure, each a widget dictionary of the dashboard body (C(type), C(properties), optional
        C(x), C(y), C(width), C(height)) whose C(properties.title) identifies it.
      - For an existing widget, C(type) and every given property are set; other properties stay.
        C(properties.metrics), when given, is the complete list of rows of that widget (compared after
        shorthand expansion); leave it out and use O(metrics) to add rows next to the ones a person made.
      - C(x), C(y), C(width) and C(height) are used when the module creates the widget (C(width) and C(height)
        default to 6; C(x)/C(y) are honoured when that spot is free). An existing widget keeps its place and size.
    type: list
    elements: dict
    default: []
  initial_widgets:
    description:
      - Widgets added only when the dashboard does not exist yet and is created by this task, in the same form
        as O(widgets). On an existing dashboard they are ignored, so a person's edits to them are kept.
    type: list
    elements: dict
    default: []
  metrics:
    description:
      - Metric rows to ensure inside widgets, each in the widget named by O(metrics[].widget), which must be on
        the dashboard or in O(widgets).
      - A row is the same metric as an existing one when namespace, metric name, dimensions, region (the row's
        C(region) option, else the widget's C(region)) and C(accountId) match; its options (C(label), C(stat),
        C(region), ...) are then set on the existing row, whose other options stay. Otherwise the row is appended.
    type: list
    elements: dict
    default: []
    suboptions:
      widget:
        description: Title of the widget that holds the row.
        type: str
        required: true
      metric:
        description:
          - "The row, as in the dashboard body: C([namespace, metric name, dimension name, dimension value, ...,
            {options}]), or C([{expression: ..., id: ...}])."
          - V(.) repeats the value of the previous row given for the same widget.
        type: list
        elements: raw
        required: true
  absent_widgets:
    description: Titles of widgets to remove from the dashboard.
    type: list
    elements: str
    default: []
  backup:
    description:
      - Before changing or deleting an existing dashboard, save its current body as the dashboard
        O(backup_name) - once (see O(backup_mode)). Nothing is saved when nothing changes, nor in check mode.
    type: bool
    default: false
  backup_mode:
    description:
      - V(first) - the first backup is kept for good. O(backup_name) is written only when it does not exist yet,
        so it holds the dashboard as it was before the first change and is never overwritten (a later change
        writes no backup). Delete that dashboard yourself to take a new first backup.
      - V(every_change) - the same first backup, and in addition, at every later change, the body before that
        change as a dashboard of its own named O(backup_name) followed by V(-) and the UTC time of the change
        (for example C(MythicalMysfits-Dashboard-backup-20261201T221530Z)); those dashboards are never
        removed by the module.
    type: str
    choices: [first, every_change]
    default: first
  backup_name:
    description:
      - Name of the first backup dashboard. Defaults to O(name) followed by V(-backup).
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode makes no mutating call; diff mode shows the dashboard body before and after, as JSON.
  - CloudWatch dashboards are global to the account; call the module with any one region.
"""

EXAMPLES = r"""
- name: Stack the ALB requests of two regions in the Lab 2 widget
  mysfits.multi_region.cloudwatch_dashboard:
    name: MythicalMysfits-Dashboard
    region: us-west-2
    backup: true
    widgets:
      - type: metric
        properties:
          title: ALB Requests Per Minute
          view: timeSeries
          stacked: true
          region: us-west-2
          stat: Sum
          period: 60
    metrics:
      - widget: ALB Requests Per Minute
        metric: [AWS/ApplicationELB, RequestCount, LoadBalancer, app/alb-mm-primary-region/0123456789abcdef,
                 {label: us-west-2, region: us-west-2}]
      - widget: ALB Requests Per Minute
        metric: [AWS/ApplicationELB, RequestCount, LoadBalancer, app/alb-mm-secondary-region/fedcba9876543210,
                 {label: us-east-1, region: us-east-1}]

- name: Add a text header and remove an old widget
  mysfits.multi_region.cloudwatch_dashboard:
    name: MythicalMysfits-Dashboard
    widgets:
      - type: text
        width: 24
        height: 2
        properties:
          markdown: "# Mythical Mysfits\nRegions: us-west-2, us-east-1"
    absent_widgets:
      - Old widget

- name: Delete a dashboard
  mysfits.multi_region.cloudwatch_dashboard:
    name: scratch-dashboard
    state: absent
"""

RETURN = r"""
dashboard_name:
  description: Name of the dashboard.
  returned: always
  type: str
  sample: MythicalMysfits-Dashboard
body:
  description: The dashboard body after the task (as planned, in check mode); absent when the dashboard is deleted.
  returned: when state=present
  type: dict
  sample: {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6, "properties": {}}]}
created:
  description: Whether the dashboard did not exist and was (or in check mode would be) created.
  returned: when state=present
  type: bool
widgets_added:
  description: Titles of the widgets added.
  returned: when state=present
  type: list
  elements: str
widgets_updated:
  description: Titles of the existing widgets whose type, properties or rows changed.
  returned: when state=present
  type: list
  elements: str
widgets_removed:
  description: Titles of the widgets removed.
  returned: when state=present
  type: list
  elements: str
backup_name:
  description:
    - Name of the backup dashboard written by this run, or null when none was written (nothing changed, or
      the first backup exists already and O(backup_mode=first)).
  returned: always
  type: str
  sample: MythicalMysfits-Dashboard-backup
replanned:
  description: Whether the dashboard changed under the task and the merge was done again on the new body.
  returned: when state=present
  type: bool
validation_messages:
  description: Warnings C(PutDashboard) returned with a successful save (widgets that may not render).
  returned: when state=present
  type: list
  elements: dict
"""

import json
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.dashboard import (
    ConcurrentChange,
    DashboardError,
    body_text,
    check_options,
    describe_validation_messages,
    parse_body,
    plan_dashboard,
    save_with_recheck,
)


def read_body(module, client, name):
    """The stored body text, or None when the dashboard does not exist."""
    try:
        return client.get_dashboard(DashboardName=name, aws_retry=True)["DashboardBody"]
    except is_boto3_error_code("ResourceNotFound"):
        return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not read dashboard %s" % name)


def pretty(body):
    return json.dumps(body, indent=2, sort_keys=True) + "\n" if body is not None else ""


def put(module, client, name, text, planned_body, what, **result):
    try:
        answer = client.put_dashboard(DashboardName=name, DashboardBody=text, aws_retry=True)
    except is_boto3_error_code("InvalidParameterInput") as e:
        messages = e.response.get("dashboardValidationMessages") or []
        lines = describe_validation_messages(messages, planned_body)
        detail = "; ".join(lines) if lines else e.response.get("Error", {}).get("Message", "")
        failure = dict(result, validation_messages=messages, error=e.response.get("Error", {}))
        module.fail_json(msg="CloudWatch rejected %s %s, which is unchanged: %s" % (what, name, detail), **failure)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not save %s %s" % (what, name), **result)
    return answer.get("DashboardValidationMessages") or []


# Suffix of the later backups (backup_mode=every_change): "-" and the UTC time, 17 characters.
LATER_BACKUP_TIME = "%Y%m%dT%H%M%SZ"
LATER_BACKUP_SUFFIX_LENGTH = 17


def save_backup(module, client, backup_name, text, result, clock=time.gmtime):
    """Save ``text`` (the body before a change) as a backup, as O(backup_mode) says; return the name written.

    The first backup (``backup_name``) is written only when it does not exist: the original dashboard is
    never overwritten. With ``every_change`` a later change is saved under ``backup_name-<UTC time>``.
    """
    if not module.params["backup"] or text is None:
        return None
    if read_body(module, client, backup_name) is None:
        target = backup_name
    elif module.params["backup_mode"] == "every_change":
        target = "%s-%s" % (backup_name, time.strftime(LATER_BACKUP_TIME, clock()))
    else:
        return None
    put(module, client, target, text, parse_body(text), "the backup dashboard", **result)
    result["backup_name"] = target
    return target


def ensure_absent(module, client, name, backup_name):
    current = read_body(module, client, name)
    result = {"dashboard_name": name, "backup_name": None}
    if current is None:
        module.exit_json(changed=False, **result)
    diff = {"before": pretty(parse_body(current)), "after": ""}
    if not module.check_mode:
        save_backup(module, client, backup_name, current, result)
        try:
            client.delete_dashboards(DashboardNames=[name], aws_retry=True)
        except is_boto3_error_code("ResourceNotFound"):
            pass
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Could not delete dashboard %s" % name, **result)
    module.exit_json(changed=True, diff=diff, **result)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        widgets=dict(type="list", elements="dict", default=[]),
        initial_widgets=dict(type="list", elements="dict", default=[]),
        metrics=dict(type="list", elements="dict", default=[], options=dict(
            widget=dict(type="str", required=True),
            metric=dict(type="list", elements="raw", required=True),
        )),
        absent_widgets=dict(type="list", elements="str", default=[]),
        backup=dict(type="bool", default=False),
        backup_mode=dict(type="str", default="first", choices=["first", "every_change"]),
        backup_name=dict(type="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    name = params["name"]
    backup_name = params["backup_name"] or "%s-backup" % name

    try:
        check_options(name, params["widgets"], params["metrics"], params["absent_widgets"],
                      params["initial_widgets"])
        if params["backup"]:
            check_options(backup_name, [], [], [], [])
            if params["backup_mode"] == "every_change" and len(backup_name) + LATER_BACKUP_SUFFIX_LENGTH > 255:
                raise DashboardError("backup_name must be at most %d characters with backup_mode=every_change "
                                     "(a dashboard name has at most 255 and the later backups add '-' and the "
                                     "time); got %d" % (255 - LATER_BACKUP_SUFFIX_LENGTH, len(backup_name)))
    except DashboardError as e:
        module.fail_json(msg=str(e))
    if params["backup"] and backup_name == name:
        module.fail_json(msg="backup_name must differ from name, or the backup would replace the dashboard")

    client = aws_client(module, "cloudwatch")
    if params["state"] == "absent":
        ensure_absent(module, client, name, backup_name)

    def plan_for(text):
        return plan_dashboard(parse_body(text), params["widgets"], params["metrics"], params["absent_widgets"],
                              params["initial_widgets"])

    first = read_body(module, client, name)
    try:
        plan = plan_for(first)
    except DashboardError as e:
        module.fail_json(msg=str(e), dashboard_name=name)

    result = {"dashboard_name": name, "backup_name": None, "replanned": False, "validation_messages": []}
    written = {}

    if plan.changed and not module.check_mode:
        def backup(text):
            save_backup(module, client, backup_name, text, result)

        def write(final):
            written["warnings"] = put(module, client, name, body_text(final.after), final.after, "dashboard",
                                      **result)

        try:
            final = save_with_recheck(lambda: read_body(module, client, name), plan_for, backup, write, first)
        except ConcurrentChange as e:
            module.fail_json(msg="dashboard %s: %s" % (name, e), **result)
        except DashboardError as e:
            module.fail_json(msg=str(e), **result)
        result["replanned"] = final.replanned
        plan = final
        for message in written.get("warnings", []):
            module.warn("PutDashboard: %s %s" % (message.get("DataPath", ""), message.get("Message", "")))
        result["validation_messages"] = written.get("warnings", [])

    result.update(plan.as_result())
    changed = plan.changed
    module.exit_json(changed=changed, created=plan.created and changed, body=plan.after,
                     diff={"before": pretty(plan.before), "after": pretty(plan.after)}, **result)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cloudwatch_dashboard_info
short_description: Read a CloudWatch dashboard's body
version_added: 0.1.0
description:
  - Returns whether the dashboard exists, its parsed body and the titles of its widgets (C(GetDashboard)).
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  name:
    description: Name of the dashboard.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the Lab 2 dashboard
  mysfits.multi_region.cloudwatch_dashboard_info:
    region: us-west-2
    name: MythicalMysfits-Dashboard
  register: dashboard
"""

RETURN = r"""
exists:
  description: Whether the dashboard exists.
  returned: always
  type: bool
body:
  description: The dashboard body, parsed; empty when it does not exist.
  returned: always
  type: dict
widget_titles:
  description: The C(properties.title) of each widget, in order (null for a widget without one).
  returned: always
  type: list
  elements: str
"""

import json

try:
    import botocore  # noqa: F401
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    client = aws_client(module, "cloudwatch")
    try:
        body = json.loads(client.get_dashboard(DashboardName=module.params["name"], aws_retry=True)["DashboardBody"])
    except is_boto3_error_code("ResourceNotFound"):
        module.exit_json(changed=False, exists=False, body={}, widget_titles=[])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not read dashboard %s" % module.params["name"])
    titles = [widget.get("properties", {}).get("title") for widget in body.get("widgets", [])]
    module.exit_json(changed=False, exists=True, body=body, widget_titles=titles)


if __name__ == "__main__":
    main()

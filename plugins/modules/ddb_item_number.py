#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ddb_item_number
short_description: Read, or set back, a number attribute of one DynamoDB item
version_added: 0.2.0
description:
  - Reads one number attribute of one item with a strongly consistent C(GetItem) (RV(value)).
  - With O(value), sets it (C(UpdateItem)) under the condition that it still holds O(expected), so that a change
    made by someone else in between is never overwritten; the readiness report uses it to undo the likes its
    like check posted (the application has no "unlike").
  - Never creates or deletes an item, never touches another attribute.
  - Idempotent (no change when the attribute already holds O(value)); check mode makes no write; diff shows the
    number before and after.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  table:
    description: Name of the table.
    type: str
    required: true
  key:
    description: "The item's key, attribute name to string value (for example C({MysfitId: 4e53920c-...}))."
    type: dict
    required: true
  attribute:
    description: The number attribute.
    type: str
    required: true
  value:
    description: The number to set. Omitted - read only.
    type: int
  expected:
    description:
      - The number the attribute must hold for O(value) to be set (a conditional write). When it holds another
        number the module fails, naming both, and writes nothing. Required with O(value).
    type: int
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the likes of a mysfit in the primary region
  mysfits.multi_region.ddb_item_number:
    region: us-west-2
    table: MythicalMysfits-DDBTable
    key: {MysfitId: 4e53920c-505a-4a90-a694-b9300791f0ae}
    attribute: Likes
  register: likes

- name: Take back the two likes the check posted
  mysfits.multi_region.ddb_item_number:
    region: us-west-2
    table: MythicalMysfits-DDBTable
    key: {MysfitId: 4e53920c-505a-4a90-a694-b9300791f0ae}
    attribute: Likes
    expected: "{{ likes.value + 2 }}"
    value: "{{ likes.value }}"
"""

RETURN = r"""
exists:
  description: Whether the item exists.
  returned: always
  type: bool
value:
  description: The attribute's number before any change (null when the item or attribute is missing).
  returned: always
  type: int
"""

try:
    import botocore  # noqa: F401
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.readiness import number_plan


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            table=dict(type="str", required=True),
            key=dict(type="dict", required=True, no_log=False),
            attribute=dict(type="str", required=True),
            value=dict(type="int"),
            expected=dict(type="int"),
        ),
        required_by={"value": "expected"},
        supports_check_mode=True,
    )
    params = module.params
    if not params["key"] or not all(isinstance(v, str) and v for v in params["key"].values()):
        module.fail_json(msg="key: give the item's key as attribute name to a non-empty string value, "
                             "for example {MysfitId: <id>}")
    key = {name: {"S": value} for name, value in params["key"].items()}
    client = aws_client(module, "dynamodb")
    try:
        item = client.get_item(TableName=params["table"], Key=key, ConsistentRead=True, aws_retry=True).get("Item")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read item %s of table %s in %s" % (params["key"], params["table"],
                                                                                  module.region))
    current = None
    if item is not None and "N" in (item.get(params["attribute"]) or {}):
        current = int(float(item[params["attribute"]]["N"]))
    action, message = number_plan(item is not None, current, params["value"], params["expected"],
                                  params["attribute"])
    if action == "refuse":
        module.fail_json(msg=message, exists=item is not None, value=current)
    result = dict(exists=item is not None, value=current, changed=action == "set")
    if action == "set":
        result["diff"] = {"before": {params["attribute"]: current}, "after": {params["attribute"]: params["value"]}}
        if not module.check_mode:
            try:
                client.update_item(
                    TableName=params["table"], Key=key, UpdateExpression="SET #a = :value",
                    ConditionExpression="#a = :expected",
                    ExpressionAttributeNames={"#a": params["attribute"]},
                    ExpressionAttributeValues={":value": {"N": str(params["value"])},
                                               ":expected": {"N": str(params["expected"])}},
                    aws_retry=True)
            except is_boto3_error_code("ConditionalCheckFailedException"):
                module.fail_json(msg="%s of item %s changed while it was being set back (someone else wrote it); "
                                     "nothing was written" % (params["attribute"], params["key"]))
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg="Could not update item %s of table %s" % (params["key"], params["table"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()

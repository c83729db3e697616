#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ddb_replica_check
short_description: Check in data that the replicas of a DynamoDB global table hold the same items
version_added: 0.1.0
description:
  - Counts the items of the table in its own region and in every replica region (C(Scan) with
    C(Select=COUNT), which reads the whole table; meant for small tables such as the workshop's) until the
    counts agree or O(timeout) passes.
  - With O(canary=true), then writes a canary item in the table's region, waits until each replica can
    read it (measuring how long that took), deletes it and waits until the deletion reached every replica.
    The canary is deleted whatever happens. It is a check, so the module reports no change.
  - In check mode only the counts are read; no canary is written.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  name:
    description: Name of the table, in its own region (O(region)).
    type: str
    required: true
  replica_regions:
    description: Replica regions to check. Default, every replica region C(DescribeTable) lists.
    type: list
    elements: str
  canary:
    description: Write, read back in every replica and delete a canary item.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for the counts to agree and for the canary (and its deletion) to arrive.
    type: int
    default: 120
  fail_on_mismatch:
    description: Fail when the replicas disagree. With V(false) the verdict is only in RV(ok).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - The canary item's key matches the table's key schema; it carries the attribute C(mm_canary).
"""

EXAMPLES = r"""
- name: Check that every replica of the table has the same data
  mysfits.multi_region.ddb_replica_check:
    region: us-west-2
    name: MythicalMysfits-DDBTable
  register: data_check
"""

RETURN = r"""
ok:
  description: Whether the counts agree and the canary reached every replica (when asked).
  returned: always
  type: bool
counts:
  description: Region to item count.
  returned: always
  type: dict
canary_seen:
  description: Region to the seconds the canary took to be readable there.
  returned: always
  type: dict
canary_key:
  description: The canary item's key (deleted again).
  returned: when a canary was written
  type: dict
msg:
  description: The verdict in words.
  returned: always
  type: str
"""

import time

try:
    import botocore  # noqa: F401
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import WaitTimeout, aws_client, wait_for
from ansible_collections.mysfits.multi_region.plugins.module_utils.ddb_replica_check import (
    canary_key,
    counts_agree,
    describe_counts,
    replica_regions_of,
)


def count_items(client, table):
    total, kwargs = 0, {"TableName": table, "Select": "COUNT", "ConsistentRead": True}
    while True:
        page = client.scan(aws_retry=True, **kwargs)
        total += page["Count"]
        if not page.get("LastEvaluatedKey"):
            return total
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def run_check(module, clients, table, home, regions, timeout, canary, description):
    result = {"ok": True, "counts": {}, "canary_seen": {}}
    missing = []
    for region in regions:
        try:
            clients[region].describe_table(TableName=table, aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            missing.append(region)
    if missing:
        result.update(ok=False, msg="There is no replica of %s in %s: the table does not exist there. Add the "
                                    "replica (mysfits.multi_region.ddb_global_replica) or check replica_regions."
                      % (table, ", ".join(missing)))
        return result
    try:
        result["counts"] = wait_for(lambda: {r: count_items(clients[r], table) for r in [home] + regions},
                                    counts_agree, "equal item counts", timeout=timeout, delay=1.0, max_delay=10.0)
    except WaitTimeout as error:
        result.update(ok=False, counts=error.last, msg=(
            "The replicas of %s hold different numbers of items after %ss: %s. A replica that misses writes is not "
            "a copy of the table; look at its ReplicaStatus and the table's ReplicationLatency and "
            "PendingReplicationCount metrics, and repair or recreate the replica."
            % (table, timeout, describe_counts(error.last))))
        return result
    if not canary or not regions or module.check_mode:
        result["msg"] = "Item counts are equal: %s." % describe_counts(result["counts"])
        return result

    key = canary_key(description)
    result["canary_key"] = key
    clients[home].put_item(TableName=table, Item=dict(key, mm_canary={"S": "mysfits.multi_region"}), aws_retry=True)
    written = time.monotonic()

    def present(region):
        return "Item" in clients[region].get_item(TableName=table, Key=key, ConsistentRead=True, aws_retry=True)

    missing = None
    try:
        for region in regions:
            try:
                wait_for(lambda r=region: present(r), bool, "the canary in %s" % region, timeout=timeout,
                         delay=0.2, max_delay=5.0)
                result["canary_seen"][region] = round(time.monotonic() - written, 3)
            except WaitTimeout:
                missing = region
                break
    finally:
        clients[home].delete_item(TableName=table, Key=key, aws_retry=True)
    if missing:
        result.update(ok=False, msg=(
            "A canary item written into %s in %s was not readable in %s within %ss: writes do not reach that replica. "
            "Look at its ReplicaStatus and the replication metrics, and repair or recreate the replica. (The canary "
            "was deleted from %s.)" % (table, home, missing, timeout, home)))
        return result
    for region in regions:
        try:
            wait_for(lambda r=region: not present(r), bool, "the canary's deletion in %s" % region,
                     timeout=timeout, delay=0.2, max_delay=5.0)
        except WaitTimeout:
            result.update(ok=False, msg="The deletion of the canary %s did not reach %s within %ss; delete it "
                                        "there by hand." % (key, region, timeout))
            return result
    result["msg"] = "Item counts are equal (%s) and a canary item reached %s." % (
        describe_counts(result["counts"]),
        ", ".join("%s in %ss" % (r, result["canary_seen"][r]) for r in regions))
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            replica_regions=dict(type="list", elements="str"),
            canary=dict(type="bool", default=True),
            timeout=dict(type="int", default=120),
            fail_on_mismatch=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    table, home = module.params["name"], module.region
    if module.params["timeout"] <= 0:
        module.fail_json(msg="timeout must be a positive number of seconds, got %s." % module.params["timeout"])
    home_client = aws_client(module, "dynamodb")
    try:
        description = home_client.describe_table(TableName=table, aws_retry=True)["Table"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read table %s in %s (check the name option and the region)" % (table, home))
    regions = module.params["replica_regions"]
    if regions is None:
        regions = replica_regions_of(description, home)
    regions = [r for r in regions if r != home]
    clients = {home: home_client}
    clients.update({r: aws_client(module, "dynamodb", region=r) for r in regions})
    try:
        result = run_check(module, clients, table, home, regions, module.params["timeout"],
                           module.params["canary"], description)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="AWS error while checking the replicas of %s" % table)
    if not result["ok"] and module.params["fail_on_mismatch"]:
        module.fail_json(changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()

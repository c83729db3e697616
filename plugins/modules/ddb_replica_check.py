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
  - Reads the whole table in its own region and in every replica region (C(Scan) with C(ConsistentRead), all
    pages; meant for small tables such as the workshop's) and compares them item by item - the item count and a
    SHA-256 digest of each item's attributes per key - reading again with backoff until every region holds the
    same items or O(timeout) passes (replication lag is tolerated, a lasting difference is not).
  - By default the module writes nothing into the table (O(canary=false)).
  - With O(canary=true), it then also writes a canary item in the table's region, waits until each replica can
    read it with the same content (measuring how long that took), deletes it and waits until the deletion reached
    every replica. The canary is shaped as the table's items (see O(canary_attributes)) so that an application
    reading every item finds the attributes it reads, and carries the marker attribute C(mm_canary)
    (C(mysfits.multi_region <UTC time>)). It is deleted whatever happens; a canary a killed run left behind is
    found by its marker and deleted by the next run (canary or not), which then reports a change.
  - Canary items are never part of the comparison.
  - In check mode only reads are made; no canary is written and a canary left behind is only reported.
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
    description:
      - Also write a canary item, read it back in every replica and delete it again (data-plane writes into the
        table). V(false) (default) compares without writing anything.
    type: bool
    default: false
  canary_attributes:
    description:
      - 'Attributes of the canary item besides its key and marker, as typed DynamoDB values, for example
        C(Name) mapped to C({"S": "Replication check"}) and C(Age) to C({"N": "0"}).'
      - Default, the attributes of one item of the table, each with a neutral value of the same type (C(S)
        V(mm-canary), C(N) V(0), C(BOOL) V(false), ...); given attributes replace those.
    type: dict
  timeout:
    description: Seconds to wait for the regions to hold the same items and for the canary (and its deletion).
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
  - The canary item's key matches the table's key schema (C(mm-canary-<random hex>) for a string key).
  - Attributes whose names start with C(aws:rep:) (added by legacy 2017.11.29 global tables) are not compared.
  - Diff mode shows the canary items left behind by an earlier run that this run removes.
"""

EXAMPLES = r"""
- name: Check that every replica of the table has the same data (reads only)
  mysfits.multi_region.ddb_replica_check:
    region: us-west-2
    name: MythicalMysfits-DDBTable
  register: data_check

- name: Also measure replication with a canary item shaped as the table's items
  mysfits.multi_region.ddb_replica_check:
    region: us-west-2
    name: MythicalMysfits-DDBTable
    canary: true
    canary_attributes:
      Name: {S: Replication check}
"""

RETURN = r"""
ok:
  description: Whether every region holds the same items and the canary reached every replica (when asked).
  returned: always
  type: bool
counts:
  description: Region to item count (canary items left out).
  returned: always
  type: dict
digests:
  description: Region to a SHA-256 digest of all its items (equal digests, equal data).
  returned: always
  type: dict
differences:
  description: Region to the keys that are C(missing) there, C(extra) there or C(different), against the table's region.
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
leftover_canaries:
  description: Keys of canary items an earlier run left behind; removed unless in check mode.
  returned: always
  type: list
  elements: dict
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
    MARKER_ATTRIBUTE,
    MARKER_VALUE,
    canary_item,
    canary_key,
    compare,
    counts_of,
    describe_counts,
    describe_differences,
    item_digest,
    key_names,
    replica_regions_of,
    snapshot,
    table_digest,
)


def read_region(client, table, names):
    """Every item of the table in one region (consistent reads, all pages): its snapshot and a sample item."""
    items, sample = [], None
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items.extend(page["Items"])
    snap = snapshot(items, names)
    for item in items:
        if MARKER_ATTRIBUTE not in item:
            sample = item
            break
    return snap, sample


def remove_leftovers(module, client, table, leftovers):
    """Delete canary items an earlier run left behind, only while they still carry the marker."""
    for key in leftovers:
        try:
            client.delete_item(TableName=table, Key=key, aws_retry=True,
                               ConditionExpression="begins_with(#m, :v)",
                               ExpressionAttributeNames={"#m": MARKER_ATTRIBUTE},
                               ExpressionAttributeValues={":v": {"S": MARKER_VALUE}})
        except is_boto3_error_code("ConditionalCheckFailedException"):
            pass  # gone already (or no longer ours): nothing to remove


def run_check(module, clients, table, home, regions, timeout, canary, description):
    result = {"ok": True, "changed": False, "counts": {}, "digests": {}, "differences": {}, "canary_seen": {},
              "leftover_canaries": []}
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
    names = key_names(description)
    samples = {}

    def read_all():
        snaps = {}
        for region in [home] + regions:
            snaps[region], samples[region] = read_region(clients[region], table, names)
        return snaps

    agreed = True
    try:
        snaps = wait_for(read_all, lambda s: not compare(s, home), "the same items in every region",
                         timeout=timeout, delay=1.0, max_delay=10.0)
    except WaitTimeout as error:
        snaps, agreed = error.last, False
    result["counts"] = counts_of(snaps)
    result["digests"] = {region: table_digest(snap["items"]) for region, snap in snaps.items()}
    result["differences"] = compare(snaps, home)

    leftovers = {}
    for region in [home] + regions:
        for key in snaps[region]["canaries"]:
            leftovers.setdefault(item_digest(key), key)
    result["leftover_canaries"] = list(leftovers.values())
    if leftovers:
        if module._diff:
            result["diff"] = {"before": {"canary_items": result["leftover_canaries"]}, "after": {"canary_items": []}}
        if not module.check_mode:
            remove_leftovers(module, clients[home], table, result["leftover_canaries"])
        result["changed"] = True

    if not agreed:
        result.update(ok=False, msg=(
            "The replicas of %s do not hold the same items after %ss: %s (counts %s). A replica that misses or "
            "changes writes is not a copy of the table; look at its ReplicaStatus and the table's ReplicationLatency "
            "and PendingReplicationCount metrics, and repair or recreate the replica."
            % (table, timeout, describe_differences(result["differences"], home), describe_counts(result["counts"]))))
        return result
    verdict = "Every region holds the same %d items (digest %s)" % (
        result["counts"][home], result["digests"][home][:12])
    if leftovers:
        verdict += "; %s %d canary item(s) an earlier run left behind" % (
            "would remove" if module.check_mode else "removed", len(leftovers))
    if not canary or not regions or module.check_mode:
        result["msg"] = verdict + "."
        return result

    key = canary_key(description)
    item = canary_item(description, key, sample=samples.get(home),
                       attributes=module.params["canary_attributes"],
                       written_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    result["canary_key"] = key
    clients[home].put_item(TableName=table, Item=item, aws_retry=True)
    written = time.monotonic()
    expected = item_digest(item)

    def seen(region):
        found = clients[region].get_item(TableName=table, Key=key, ConsistentRead=True, aws_retry=True).get("Item")
        return found is not None and item_digest(found) == expected

    def gone(region):
        return "Item" not in clients[region].get_item(TableName=table, Key=key, ConsistentRead=True, aws_retry=True)

    missing = None
    try:
        for region in regions:
            try:
                wait_for(lambda r=region: seen(r), bool, "the canary in %s" % region, timeout=timeout,
                         delay=0.2, max_delay=5.0)
                result["canary_seen"][region] = round(time.monotonic() - written, 3)
            except WaitTimeout:
                missing = region
                break
    finally:
        clients[home].delete_item(TableName=table, Key=key, aws_retry=True)
    if missing:
        result.update(ok=False, msg=(
            "A canary item written into %s in %s was not readable (with the same content) in %s within %ss: writes "
            "do not reach that replica. Look at its ReplicaStatus and the replication metrics, and repair or recreate "
            "the replica. (The canary was deleted from %s.)" % (table, home, missing, timeout, home)))
        return result
    for region in regions:
        try:
            wait_for(lambda r=region: gone(r), bool, "the canary's deletion in %s" % region,
                     timeout=timeout, delay=0.2, max_delay=5.0)
        except WaitTimeout:
            result.update(ok=False, msg="The deletion of the canary %s did not reach %s within %ss; the next run "
                                        "of this check removes it (it carries the attribute %s)."
                                        % (key, region, timeout, MARKER_ATTRIBUTE))
            return result
    result["msg"] = "%s, and a canary item reached %s." % (
        verdict, ", ".join("%s in %ss" % (r, result["canary_seen"][r]) for r in regions))
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            replica_regions=dict(type="list", elements="str"),
            canary=dict(type="bool", default=False),
            canary_attributes=dict(type="dict"),
            timeout=dict(type="int", default=120),
            fail_on_mismatch=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    table, home = module.params["name"], module.region
    if module.params["timeout"] <= 0:
        module.fail_json(msg="timeout must be a positive number of seconds, got %s." % module.params["timeout"])
    attributes = module.params["canary_attributes"] or {}
    for attr, value in attributes.items():
        if not (isinstance(value, dict) and len(value) == 1
                and next(iter(value)) in ("S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M")):
            module.fail_json(msg="canary_attributes.%s must be one typed DynamoDB value such as {\"S\": \"text\"} or "
                                 "{\"N\": \"0\"}, got %r." % (attr, value))
        if attr == MARKER_ATTRIBUTE:
            module.fail_json(msg="canary_attributes must not set %s: the module sets it to mark its canary items."
                             % MARKER_ATTRIBUTE)
    home_client = aws_client(module, "dynamodb")
    try:
        description = home_client.describe_table(TableName=table, aws_retry=True)["Table"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read table %s in %s (check the name option and the region)" % (table, home))
    keys = set(key_names(description))
    if keys & set(attributes):
        module.fail_json(msg="canary_attributes must not set the key attribute(s) %s of %s: the module chooses the "
                             "canary's key." % (", ".join(sorted(keys & set(attributes))), table))
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
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

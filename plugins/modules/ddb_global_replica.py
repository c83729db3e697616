#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ddb_global_replica
short_description: Manage the replicas of an existing DynamoDB table (global tables version 2019.11.21)
version_added: 0.1.0
description:
  - Adds or removes replicas of an existing DynamoDB table with C(UpdateTable) C(ReplicaUpdates), which makes
    the table a global table of version 2019.11.21. The module does not own the table; it never creates it,
    changes its keys, capacity or indexes, or deletes it in its own region.
  - With O(state=present), a stream with view type C(NEW_AND_OLD_IMAGES) is turned on when the table has
    none (O(enable_streams)); a stream with another view type is an error, since replacing it would break
    its consumers.
  - AWS accepts one replica operation at a time per table, so replicas are created (or deleted) one after
    the other, each waited on until it is C(ACTIVE) (or gone) before the next. A replica that is already
    C(CREATING), for example after an interrupted run, is waited on, never created again.
  - "Waiting reads C(DescribeTable) with backoff: from 1 s, each wait a tenth longer, up to 10 s. A replica created
    after another one is expected to take as long as the one before it took (or, for one already C(CREATING) when
    the module started, as long as it was waited for): a read is made just before that time, so each replica of a
    chain is noticed about as soon as it is C(ACTIVE)."
  - Before any change the module refuses, with the fix in its message, a table of a legacy 2017.11.29
    global table, a replica region equal to the table's region or not a DynamoDB region of the table's
    partition known to botocore, a provisioned-capacity table without write auto scaling, a table that
    is not C(ACTIVE), a wanted replica in a state that cannot become C(ACTIVE), and a table encrypted with a
    customer managed KMS key when O(replica_kms_keys) has no key for a replica to create.
  - A replica that turns C(CREATION_FAILED), C(REGION_DISABLED), C(INACCESSIBLE_ENCRYPTION_CREDENTIALS),
    C(ARCHIVING), C(ARCHIVED) or C(REPLICATION_NOT_AUTHORIZED) while the module waits for it ends the wait at
    once, with what the state means and what to do; waiting would not make it C(ACTIVE).
  - The legacy check calls C(DescribeGlobalTable). In a region where version 2017.11.29 never existed AWS answers
    with a C(ValidationException) saying so, which means the table cannot be a legacy global table; any other
    error ends the module with the error and nothing changed.
  - Write auto scaling is read with botocore paginators (C(DescribeScalableTargets) pages at 50,
    C(DescribeScalingPolicies) at 10), so a policy on a later page is found.
  - Region names are checked in two steps. First their syntax (C(us-east-1), C(us-gov-west-1), ...). Then
    membership in botocore's list of DynamoDB regions of the table's partition, which includes the opt-in
    regions (C(af-south-1), C(me-south-1), ...). Whether an opt-in region is enabled for the account is
    not checked beforehand; AWS refuses the C(UpdateTable) call for a disabled region and the module
    reports that error.
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  name:
    description:
      - Name or ARN of the table. With an ARN, the ARN's region is the table's region; O(region), when
        given, must be the same.
    type: str
    required: true
  replica_regions:
    description:
      - Regions of the replicas to add (O(state=present)) or remove (O(state=absent)).
      - The table's own region is refused.
    type: list
    elements: str
    default: []
  state:
    description:
      - V(present) makes sure a replica exists and is C(ACTIVE) in every region of O(replica_regions).
      - V(absent) deletes the replicas in O(replica_regions) only; the table in its own region is never
        deleted.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also delete the replicas in regions that are not in O(replica_regions).
    type: bool
    default: false
  enable_streams:
    description:
      - With O(state=present), turn on a stream with view type C(NEW_AND_OLD_IMAGES) when the table has no
        stream (replicas need it).
      - With V(false), a table without a stream is an error.
    type: bool
    default: true
  replica_kms_keys:
    description:
      - For a table encrypted with a customer managed KMS key, the key each new replica is encrypted with, as a
        mapping from replica region to the key id, key ARN, alias name (V(alias/...)) or alias ARN of a key in
        that region (C(ReplicaUpdates) C(Create) C(KMSMasterKeyId)). A key ARN of another region is refused.
      - Required for every replica to create when the table uses a customer managed key; refused for a table
        encrypted with an AWS owned or AWS managed key. Whether the table's key is customer managed is read
        with C(kms:DescribeKey); every given key is checked the same way in its region before any change.
      - Only used when a replica is created; an existing replica keeps its key. Entries for regions not being
        created are ignored.
    type: dict
    default: {}
  wait:
    description:
      - Wait for every replica operation to finish (C(ACTIVE), or gone for a deletion).
      - With V(false) the module starts the first replica operation it needs and returns; the operations
        that must wait for it are returned in RV(pending_operations) and done by a later run. Enabling the
        stream is always waited on (it takes seconds and a replica cannot be added before).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait in total for the operations to finish.
    type: int
    default: 1800
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode makes no mutating call and reports in RV(operations) what would be done; diff mode shows the
    replica regions and the stream view type before and after.
  - Needs C(dynamodb:DescribeTable), C(dynamodb:DescribeGlobalTable), C(dynamodb:UpdateTable) and the
    permissions AWS lists for creating replicas; for provisioned-capacity tables also
    C(application-autoscaling:DescribeScalableTargets) and C(application-autoscaling:DescribeScalingPolicies);
    for a KMS-encrypted table C(kms:DescribeKey) (and the KMS permissions AWS lists for replicas of such a table).
seealso:
  - name: Global tables version 2019.11.21
    description: How DynamoDB global tables work.
    link: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html
  - name: Upgrading a legacy global table
    description: The upgrade path from version 2017.11.29.
    link: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_upgrade.html
"""

EXAMPLES = r"""
- name: Replicate the application table to us-east-1
  mysfits.multi_region.ddb_global_replica:
    name: MythicalMysfits-DDBTable
    region: us-west-2
    replica_regions: [us-east-1]

- name: Start the replica now, wait for it later
  mysfits.multi_region.ddb_global_replica:
    name: MythicalMysfits-DDBTable
    region: us-west-2
    replica_regions: [us-east-1, eu-west-1]
    wait: false

- name: Exactly these replicas, by ARN
  mysfits.multi_region.ddb_global_replica:
    name: arn:aws:dynamodb:us-west-2:123456789012:table/MythicalMysfits-DDBTable
    replica_regions: [us-east-1]
    purge: true

- name: Replicate a table encrypted with a customer managed key (one key per replica region)
  mysfits.multi_region.ddb_global_replica:
    name: MythicalMysfits-DDBTable
    region: us-west-2
    replica_regions: [us-east-1, eu-west-1]
    replica_kms_keys:
      us-east-1: alias/mysfits-table
      eu-west-1: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab

- name: Remove the replica in us-east-1 (the table in us-west-2 stays)
  mysfits.multi_region.ddb_global_replica:
    name: MythicalMysfits-DDBTable
    region: us-west-2
    replica_regions: [us-east-1]
    state: absent
"""

RETURN = r"""
table_name:
  description: The table's name.
  returned: always
  type: str
  sample: MythicalMysfits-DDBTable
table_arn:
  description: The table's ARN in its own region.
  returned: always
  type: str
  sample: arn:aws:dynamodb:us-west-2:123456789012:table/MythicalMysfits-DDBTable
region:
  description: The table's own region.
  returned: always
  type: str
  sample: us-west-2
table_status:
  description:
    - C(TableStatus) of the table (C(ACTIVE), C(UPDATING), ...) as last read.
    - Also returned when the module refuses to act (with RV(problems)), and null when the table does not exist
      (the module then fails), so that a caller running the module with C(failed_when=false) can tell the cases apart.
  returned: always, and on failure once the table was looked up
  type: str
  sample: ACTIVE
global_table_version:
  description: C(GlobalTableVersion) of the table; null while it has no replica.
  returned: always
  type: str
  sample: "2019.11.21"
stream_arn:
  description: C(LatestStreamArn) of the table; null without a stream.
  returned: always
  type: str
  sample: arn:aws:dynamodb:us-west-2:123456789012:table/MythicalMysfits-DDBTable/stream/2026-01-01T00:00:00.000
stream_view_type:
  description: View type of the table's stream; null without a stream.
  returned: always
  type: str
  sample: NEW_AND_OLD_IMAGES
replicas:
  description:
    - The table's replicas as DescribeTable lists them after the run (in check mode, before), with keys in
      snake case.
  returned: always
  type: list
  elements: dict
  contains:
    region_name:
      description: Region of the replica.
      type: str
      sample: us-east-1
    replica_status:
      description: C(CREATING), C(ACTIVE), C(UPDATING), C(DELETING), C(CREATION_FAILED), ...
      type: str
      sample: ACTIVE
    replica_status_description:
      description: Detail of the status, when AWS gives one.
      type: str
      returned: when AWS gives one
operations:
  description:
    - The planned operations in order; C(action) is one of C(enable_streams), C(wait_active), C(wait_gone),
      C(create_replica), C(delete_replica); C(region) names the replica; C(kms_key) is the key a new replica of
      a table with a customer managed key is encrypted with.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "enable_streams"}, {"action": "create_replica", "region": "us-east-1"}]
pending_operations:
  description: With O(wait=false), the planned operations left for a later run (they wait for one that started).
  returned: always
  type: list
  elements: dict
  sample: [{"action": "create_replica", "region": "eu-west-1"}]
replica_status:
  description:
    - The C(ReplicaStatus) that ended a wait at once because waiting cannot turn it into C(ACTIVE)
      (C(CREATION_FAILED), C(REGION_DISABLED), C(INACCESSIBLE_ENCRYPTION_CREDENTIALS), C(ARCHIVING), C(ARCHIVED),
      C(REPLICATION_NOT_AUTHORIZED)); the message says what it means and what to do.
  returned: on failure, when a replica waited for reached such a state
  type: str
  sample: REGION_DISABLED
problems:
  description: Every reason the module refused to act, each with its fix.
  returned: on failure before any change
  type: list
  elements: str
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import WaitTimeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import fail_on_timeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import wait_for
from ansible_collections.mysfits.multi_region.plugins.module_utils import ddb_replica as plan_lib
from ansible_collections.mysfits.multi_region.plugins.module_utils import ddb_replica_api as api


class Replicas(api.TableReads):
    """The table's reads (module_utils ddb_replica_api, shared with application_info) and its changes."""

    def __init__(self, module):
        self.module = module
        arn_region, table_name = plan_lib.table_region_from_arn(module.params["name"])
        explicit = module.params.get("region")
        if arn_region and explicit and explicit != arn_region:
            module.fail_json(msg="name is an ARN in region %s but region is %s: they must be the same (or leave "
                                 "region out)." % (arn_region, explicit))
        region = arn_region or module.region
        if not region:
            module.fail_json(msg="The table's region is unknown: set region (or use a table ARN as name).")
        super().__init__(lambda service, where: aws_client(module, service, region=where), region, table_name,
                         module.warn)
        self.operations = []

    def describe(self):
        try:
            return super().describe()
        except api.CheckFailed as failed:
            refuse(self.module, failed)

    # changes
    def update(self, **kwargs):
        try:
            self.client.update_table(aws_retry=True, TableName=self.table_name, **kwargs)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            self.module.fail_json_aws(error, msg="UpdateTable on %s failed" % self.table_name)

    def wait(self, done, description, deadline_left, expect=None):
        def describe(table):
            replicas = ", ".join("%s=%s" % (r.get("RegionName"), r.get("ReplicaStatus"))
                                 for r in table.get("Replicas") or []) or "no replica"
            return "table %s, replicas: %s" % (table.get("TableStatus"), replicas)

        try:
            return wait_for(self.describe, done, description, timeout=deadline_left(), delay=1.0,
                            max_delay=10.0, describe=describe, expect=expect)
        except WaitTimeout as error:
            fail_on_timeout(self.module, error, table_name=self.table_name)

    def replica_status(self, table, region):
        """The replica's status; a status that waiting cannot turn into ACTIVE ends the module at once."""
        for replica in table.get("Replicas") or []:
            if replica.get("RegionName") == region:
                status = replica.get("ReplicaStatus")
                message = plan_lib.stuck_message(self.table_name, region, status,
                                                 replica.get("ReplicaStatusDescription"))
                if message:
                    self.module.fail_json(msg=message, replica_status=status,
                                          **plan_lib.result_of(table, self.region, self.operations, []))
                return status
        return None


def refuse(module, failed):
    if failed.error is not None:
        module.fail_json_aws(failed.error, msg=failed.msg, **failed.extra)
    module.fail_json(msg=failed.msg, **failed.extra)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        replica_regions=dict(type="list", elements="str", default=[]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge=dict(type="bool", default=False),
        enable_streams=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        replica_kms_keys=dict(type="dict", default={}, no_log=False),  # key ids and ARNs, not key material
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["wait_timeout"] <= 0:
        module.fail_json(msg="wait_timeout must be a positive number of seconds, got %s." % params["wait_timeout"])

    replicas = Replicas(module)
    # Region names that are wrong in themselves fail before any call at all.
    problems = plan_lib.validate_regions(params["replica_regions"], replicas.region)
    problems += plan_lib.validate_regions(sorted(params["replica_kms_keys"]), replicas.region,
                                          parameter="replica_kms_keys")
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)

    table = replicas.describe()
    try:
        operations = api.check(replicas, table, params["replica_regions"], state=params["state"],
                               purge=params["purge"], enable_streams=params["enable_streams"],
                               replica_kms_keys=params["replica_kms_keys"])
    except api.CheckFailed as failed:
        refuse(module, failed)

    replicas.operations = operations
    changed = plan_lib.is_change(operations)
    diff = plan_lib.diff_state(table, replicas.region, operations)
    if module.check_mode:
        module.exit_json(changed=changed, diff=diff, **plan_lib.result_of(table, replicas.region, operations, []))

    deadline = time.monotonic() + params["wait_timeout"]

    def left():
        return max(1.0, deadline - time.monotonic())

    def table_active(t):
        return t.get("TableStatus") == "ACTIVE"

    # AWS adds one replica at a time: each one is requested when the one before is noticed ACTIVE, so how late
    # each is noticed adds up along the chain. A replica is expected to take as long as the one before it in this
    # run (same table, same size): the wait reads just before that (common.wait_for's expect).
    last_create = None
    blocked = False  # wait=false and an operation is under way that the next ones must wait for
    pending = []
    changed = False
    acted = False  # an update was made or waited for: the table is read again at the end
    for op in operations:
        action, region = op["action"], op.get("region")
        if blocked:
            pending.append(op)
            continue
        if action in plan_lib.MUTATING_ACTIONS:
            changed = True
        if action == "enable_streams":
            replicas.update(StreamSpecification={"StreamEnabled": True,
                                                 "StreamViewType": plan_lib.STREAM_VIEW_TYPE})
            replicas.wait(lambda t: table_active(t) and (t.get("StreamSpecification") or {}).get("StreamEnabled"),
                          "the stream of %s to be enabled" % replicas.table_name, left)
        elif action in ("wait_active", "wait_gone"):
            if not params["wait"]:
                blocked = True
                pending.append(op)
                continue
            acted = True
            if action == "wait_active":
                began = time.monotonic()
                replicas.wait(lambda t, r=region: replicas.replica_status(t, r) == "ACTIVE" and table_active(t),
                              "the replica in %s to be ACTIVE" % region, left)
                # it was requested before this wait began (by an earlier run, or the same task with wait=false):
                # it took at least this long, the replica after it is expected to take as long
                last_create = time.monotonic() - began
            else:
                replicas.wait(lambda t, r=region: replicas.replica_status(t, r) is None and table_active(t),
                              "the replica in %s to be deleted" % region, left)
        elif action == "create_replica":
            create = {"RegionName": region}
            if op.get("kms_key"):
                create["KMSMasterKeyId"] = op["kms_key"]
            requested = time.monotonic()
            replicas.update(ReplicaUpdates=[{"Create": create}])
            if params["wait"]:
                replicas.wait(lambda t, r=region: replicas.replica_status(t, r) == "ACTIVE" and table_active(t),
                              "the new replica in %s to be ACTIVE" % region, left, expect=last_create)
                last_create = time.monotonic() - requested
            else:
                blocked = True
        elif action == "delete_replica":
            replicas.update(ReplicaUpdates=[{"Delete": {"RegionName": region}}])
            if params["wait"]:
                replicas.wait(lambda t, r=region: replicas.replica_status(t, r) is None and table_active(t),
                              "the replica in %s to be deleted" % region, left)
            else:
                blocked = True

    # Nothing done (no operation, or only ones left pending): the first read is the state; no second DescribeTable.
    final = replicas.describe() if acted or changed else table
    module.exit_json(changed=changed, diff=diff, **plan_lib.result_of(final, replicas.region, operations, pending))


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure planning for the replicas of a DynamoDB global table (version 2019.11.21).

``plan_replicas`` turns what DescribeTable returned (plus a few facts read
elsewhere) and what the user wants into an ordered list of operations, or a
:class:`PlanError` listing every reason to refuse. Nothing here imports boto3
or talks to AWS; the module reads, calls this, then applies the operations in
order.

Operations (dicts with ``action`` and, for replica operations, ``region``):

``enable_streams``
    UpdateTable StreamSpecification {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}.
``wait_active``
    a replica is CREATING or UPDATING (an earlier run, or someone else): wait
    until it is ACTIVE. Not a change.
``wait_gone``
    a replica is DELETING: wait until it disappears. Not a change.
``create_replica`` / ``delete_replica``
    UpdateTable ReplicaUpdates [{Create|Delete: {RegionName}}]; a created replica
    of a table encrypted with a customer managed KMS key carries ``kms_key``
    (Create KMSMasterKeyId). AWS accepts one replica operation at a time, so the
    module waits for each to finish before the next one.

Replica states that waiting cannot turn into ``ACTIVE`` (:data:`STUCK_STATES`)
are refused in the plan and stop a wait at once (:func:`stuck_message`).
"""

from __future__ import annotations

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

UPGRADE_DOC = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_upgrade.html"
CURRENT_VERSION = "2019.11.21"
LEGACY_VERSION = "2017.11.29"
STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"

# Syntax of an AWS region name: partition prefix, optional gov/iso marker, direction, number.
# us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1, cn-north-1, us-isob-east-1, mx-central-1.
REGION_RE = re.compile(r"^[a-z]{2}(-(gov|iso[a-z]?))?-[a-z]+-[0-9]{1,2}$")

TRANSITIONAL = ("CREATING", "UPDATING")
MUTATING_ACTIONS = ("enable_streams", "create_replica", "delete_replica")

# ReplicaDescription.ReplicaStatus values that no amount of waiting turns into ACTIVE, each with what it
# means and what to do (DynamoDB API Reference, ReplicaDescription,
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicaDescription.html; "DynamoDB
# global tables security", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables-security.html;
# SSEDescription.InaccessibleEncryptionDateTime for the archival after seven days).
STUCK_STATES = {
    "CREATION_FAILED": (
        "DynamoDB could not create it",
        "read the reason in DescribeTable's ReplicaStatusDescription for this region, remove the replica "
        "(state=absent for that region), fix the cause and run again"),
    "REGION_DISABLED": (
        "the region has been disabled for the account, so the replica is inaccessible; after 20 hours DynamoDB "
        "removes it from the replication group (the table stays, replication to and from it stops)",
        "enable the region again for the account (AWS console: Account > AWS Regions, or account:EnableRegion) "
        "and run again once the replica is ACTIVE, or remove the region from the replica regions"),
    "INACCESSIBLE_ENCRYPTION_CREDENTIALS": (
        "the KMS key that encrypts the replica is inaccessible (disabled, scheduled for deletion, or its key "
        "policy or grants no longer let DynamoDB use it); after 20 hours DynamoDB removes the replica from the "
        "replication group",
        "enable the key in that region or restore DynamoDB's access to it (replica_kms_keys names the key used "
        "for new replicas), then run again once the replica is ACTIVE"),
    "ARCHIVING": (
        "DynamoDB is archiving the replica because its KMS key stayed inaccessible for more than seven days",
        "restore access to the KMS key; an archived table is restored from its archival backup, then added "
        "again"),
    "ARCHIVED": (
        "DynamoDB archived the replica because its KMS key stayed inaccessible for more than seven days",
        "restore the table from its archival backup (DynamoDB console, Backups) or remove the replica "
        "(state=absent for that region) and add it again"),
    "REPLICATION_NOT_AUTHORIZED": (
        "a resource-based policy denies the replication service-linked role "
        "(AWSServiceRoleForDynamoDBReplication) permissions it needs; after 20 hours the replica becomes a "
        "single-region table for good",
        "remove the deny from the table's resource-based policy in that region and run again once the replica "
        "is ACTIVE"),
}

KMS_ARN_RE = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):[0-9]{12}:(key|alias)/.+$")


class PlanError(Exception):
    """The request cannot be carried out; ``problems`` lists every reason with its fix."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


def stuck_message(table_name, region, status, description=None):
    """What a replica in one of :data:`STUCK_STATES` means and what to do, or None for any other status."""
    if status not in STUCK_STATES:
        return None
    meaning, fix = STUCK_STATES[status]
    detail = " (AWS says: %s)" % description if description else ""
    return ("The replica of %s in %s is %s: %s%s. Waiting does not change that: %s."
            % (table_name, region, status, meaning, detail, fix))


def legacy_not_supported(message):
    """True when a ValidationException of DescribeGlobalTable says version 2017.11.29 does not exist there.

    AWS words it "One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not
    supported in this region '<region>'" (or without the region part). Any other validation error is not that.
    """
    text = (message or "").lower()
    return LEGACY_VERSION in text and "not supported" in text


def table_kms_key(table):
    """The KMS key ARN that encrypts the table (SSEDescription), or None for an AWS owned key."""
    sse = table.get("SSEDescription") or {}
    if sse.get("SSEType") == "KMS" and sse.get("Status") in (None, "ENABLED", "UPDATING"):
        return sse.get("KMSMasterKeyArn")
    return None


def table_region_from_arn(name):
    """``(region, table name)`` from a table ARN, ``(None, name)`` for a plain name."""
    match = re.match(r"^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):[0-9]{12}:table/([A-Za-z0-9_.-]{3,255})$", name or "")
    if match:
        return match.group(1), match.group(2)
    return None, name


def valid_region_syntax(region):
    return bool(REGION_RE.match(region or ""))


def current_replicas(table, table_region):
    """``{region: status}`` of the table's replicas, the table's own region excluded."""
    replicas = {}
    for replica in table.get("Replicas") or []:
        region = replica.get("RegionName")
        if region and region != table_region:
            replicas[region] = replica.get("ReplicaStatus", "ACTIVE")
    return replicas


def billing_mode(table):
    """PROVISIONED or PAY_PER_REQUEST; AWS omits BillingModeSummary for tables always provisioned."""
    return (table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"


def stream_view_type(table):
    spec = table.get("StreamSpecification") or {}
    if not spec.get("StreamEnabled"):
        return None
    return spec.get("StreamViewType")


def validate_regions(regions, table_region, known_regions=None, parameter="replica_regions"):
    """Problems with the requested region names (empty list when all are usable)."""
    problems = []
    for region in regions:
        if region == table_region:
            problems.append(
                "%s contains %s, the table's own region: a replica lives in another region, and "
                "this module never touches the table in its own region. Remove %s from %s."
                % (parameter, region, region, parameter))
        elif not valid_region_syntax(region):
            problems.append(
                "%s contains %r, which is not an AWS region name (like us-east-1). Fix the name in %s."
                % (parameter, region, parameter))
        elif known_regions is not None and region not in known_regions:
            problems.append(
                "%s contains %s, which is not a DynamoDB region of the table's partition known to this "
                "botocore. Fix the name in %s (or upgrade botocore if the region is new)."
                % (parameter, region, parameter))
    return problems


def plan_replicas(table, table_region, replica_regions, state="present", purge=False, enable_streams=True,
                  known_regions=None, legacy=False, unscaled_writes=None, replica_kms_keys=None,
                  customer_managed_key=None):
    """Return the ordered operations that bring the table's replicas to what is wanted.

    ``table``: the ``Table`` of DescribeTable in ``table_region``.
    ``known_regions``: DynamoDB regions of the table's partition (None: no membership check).
    ``legacy``: the table belongs to a version 2017.11.29 global table (DescribeGlobalTable answered).
    ``unscaled_writes``: the resources (``table/<name>``, ``table/<name>/index/<index>``) whose
    write capacity has no auto scaling (target and policy); only consulted for a provisioned
    table that needs a new replica (None: not read).
    ``replica_kms_keys``: ``{region: KMS key id, ARN, alias name or alias ARN}`` for new replicas.
    ``customer_managed_key``: True when the table is encrypted with a customer managed KMS key (then every
    new replica needs a key of its own region in ``replica_kms_keys``), False when not, None when unknown.
    Raises :class:`PlanError` with every problem found.
    """
    wanted = []
    for region in replica_regions or []:
        if region not in wanted:
            wanted.append(region)
    problems = validate_regions(wanted, table_region, known_regions)
    name = table.get("TableName", "?")

    version = table.get("GlobalTableVersion")
    if legacy or version == LEGACY_VERSION:
        problems.append(
            "Table %s belongs to a global table of the legacy version %s; this module manages version %s "
            "replicas only (UpdateTable ReplicaUpdates). Upgrade it first: %s"
            % (name, LEGACY_VERSION, CURRENT_VERSION, UPGRADE_DOC))

    status = table.get("TableStatus")
    current = current_replicas(table, table_region)
    replica_transition = any(s in TRANSITIONAL + ("DELETING",) for s in current.values())
    if status != "ACTIVE" and not (status == "UPDATING" and replica_transition):
        problems.append(
            "Table %s is %s, not ACTIVE: wait until it is ACTIVE (or fix what keeps it %s) and run again."
            % (name, status, status))

    operations = []
    if state == "present":
        after = dict((r, current.get(r, "CREATING")) for r in wanted)
        if not purge:
            for region, rstatus in current.items():
                after.setdefault(region, rstatus)
    else:
        after = dict((r, s) for r, s in current.items() if r not in wanted)
    to_create = [r for r in wanted if r not in current] if state == "present" else []
    to_delete = []
    if state == "absent":
        to_delete = [r for r in wanted if r in current and current[r] != "DELETING"]
    elif purge:
        to_delete = [r for r in current if r not in wanted and current[r] != "DELETING"]

    if state == "present":
        for region in wanted:
            rstatus = current.get(region)
            if rstatus == "DELETING":
                to_create.append(region)  # gone first, then created again
            elif rstatus in STUCK_STATES:
                problems.append(stuck_message(name, region, rstatus, replica_description(table, region)))
            elif rstatus not in (None, "ACTIVE", "CREATING", "UPDATING"):
                problems.append(
                    "The replica in %s is %s: this module can neither use nor repair it; see the DynamoDB "
                    "console or DescribeTable's ReplicaStatusDescription for %s." % (region, rstatus, region))

    spec_type = stream_view_type(table)
    needs_stream = state == "present" and bool(after)
    stream_on = False
    if needs_stream:
        if spec_type is None:
            if enable_streams:
                stream_on = True
            else:
                problems.append(
                    "Table %s has no stream; replicas need a stream with %s. Set enable_streams=true "
                    "(or enable the stream yourself)." % (name, STREAM_VIEW_TYPE))
        elif spec_type != STREAM_VIEW_TYPE:
            problems.append(
                "Table %s has a stream with view type %s; replicas need %s, and replacing the stream would "
                "break its current consumers. Move the consumers off the stream, change the view type to %s, "
                "and run again." % (name, spec_type, STREAM_VIEW_TYPE, STREAM_VIEW_TYPE))

    if to_create and billing_mode(table) == "PROVISIONED" and unscaled_writes:
        problems.append(
            "Table %s uses provisioned capacity without write auto scaling on %s; a replica needs either "
            "on-demand billing (PAY_PER_REQUEST) or auto scaling of the write capacity of the table and of "
            "each global secondary index. Register a scalable target and a scaling policy for "
            "dynamodb:table:WriteCapacityUnits (dynamodb:index:WriteCapacityUnits for an index) with "
            "application-autoscaling, or switch the table to on-demand, then run again."
            % (name, ", ".join(unscaled_writes)))

    keys = dict(replica_kms_keys or {})
    problems.extend(kms_key_problems(name, table_region, keys, to_create if state == "present" else [],
                                     customer_managed_key))

    if problems:
        raise PlanError(problems)

    changing = bool(to_create or to_delete or stream_on)
    if stream_on:
        operations.append({"action": "enable_streams"})
    # A transition in progress blocks every other replica operation (one at a time), and a wanted
    # replica that is still CREATING must be waited on rather than created again.
    for region, rstatus in current.items():
        blocks = changing
        ours = region in wanted
        if rstatus in TRANSITIONAL and (blocks or (ours and state == "present")):
            operations.append({"action": "wait_active", "region": region})
        elif rstatus == "DELETING" and (blocks or ours):
            operations.append({"action": "wait_gone", "region": region})
    for region in to_create:
        op = {"action": "create_replica", "region": region}
        if customer_managed_key and keys.get(region):
            op["kms_key"] = keys[region]
        operations.append(op)
    for region in to_delete:
        operations.append({"action": "delete_replica", "region": region})
    return operations


def replica_description(table, region):
    for replica in table.get("Replicas") or []:
        if replica.get("RegionName") == region:
            return replica.get("ReplicaStatusDescription")
    return None


def kms_key_problems(name, table_region, keys, to_create, customer_managed_key):
    """Problems with ``replica_kms_keys`` for the replicas about to be created."""
    problems = []
    for region, key in sorted(keys.items()):
        if region == table_region:
            problems.append(
                "replica_kms_keys names %s, the table's own region, whose key this module never changes. Remove "
                "%s from replica_kms_keys." % (region, region))
            continue
        if not isinstance(key, str) or not key.strip():
            problems.append("replica_kms_keys[%s] is empty: give the key id, key ARN, alias name or alias ARN of "
                            "a KMS key in %s." % (region, region))
            continue
        match = KMS_ARN_RE.match(key)
        if match and match.group(1) != region:
            problems.append(
                "replica_kms_keys[%s] is a key of %s; a replica's KMS key must be in the replica's own region. "
                "Give a key of %s." % (region, match.group(1), region))
    if not to_create:
        return problems
    if customer_managed_key:
        missing = [r for r in to_create if not keys.get(r)]
        if missing:
            problems.append(
                "Table %s is encrypted with a customer managed KMS key, and a replica of such a table must be "
                "given a KMS key of its own region: replica_kms_keys has no key for %s. Add "
                "replica_kms_keys: {%s} (key id, key ARN, alias name or alias ARN) and run again."
                % (name, ", ".join(missing), ", ".join("%s: <key in %s>" % (r, r) for r in missing)))
    elif customer_managed_key is False:
        given = [r for r in to_create if keys.get(r)]
        if given:
            problems.append(
                "replica_kms_keys gives a key for %s, but table %s is not encrypted with a customer managed KMS key "
                "(its replicas use the same AWS owned or AWS managed key). Remove those entries, or encrypt the "
                "table with a customer managed key first." % (", ".join(given), name))
    return problems


def is_change(operations):
    return any(op["action"] in MUTATING_ACTIONS for op in operations)


def replica_set_after(table, table_region, operations):
    """The replica regions once ``operations`` are applied (for diff and check mode)."""
    regions = set(current_replicas(table, table_region))
    for op in operations:
        if op["action"] == "create_replica":
            regions.add(op["region"])
        elif op["action"] in ("delete_replica", "wait_gone"):
            regions.discard(op["region"])
    return sorted(regions)


def diff_state(table, table_region, operations):
    """``{"before": ..., "after": ...}`` for diff mode: replica regions and the stream's view type."""
    before_view = stream_view_type(table)
    after_view = STREAM_VIEW_TYPE if any(op["action"] == "enable_streams" for op in operations) else before_view
    return {
        "before": {"replica_regions": sorted(current_replicas(table, table_region)), "stream_view_type": before_view},
        "after": {"replica_regions": replica_set_after(table, table_region, operations),
                  "stream_view_type": after_view},
    }


def result_of(table, region, operations, pending):
    """What ddb_global_replica returns about the table as read, with its planned and pending operations."""
    spec = table.get("StreamSpecification") or {}
    return {
        "table_name": table.get("TableName"),
        "table_arn": table.get("TableArn"),
        "table_status": table.get("TableStatus"),
        "region": region,
        "global_table_version": table.get("GlobalTableVersion"),
        "stream_arn": table.get("LatestStreamArn") if spec.get("StreamEnabled") else None,
        "stream_view_type": spec.get("StreamViewType") if spec.get("StreamEnabled") else None,
        "replicas": [camel_dict_to_snake_dict(r) for r in table.get("Replicas") or []],
        "operations": operations,
        "pending_operations": pending,
    }

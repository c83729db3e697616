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
    UpdateTable ReplicaUpdates [{Create|Delete: {RegionName}}]. AWS accepts one
    replica operation at a time, so the module waits for each to finish before
    the next one.
"""

from __future__ import annotations

import re

UPGRADE_DOC = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_upgrade.html"
CURRENT_VERSION = "2019.11.21"
LEGACY_VERSION = "2017.11.29"
STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"

# Syntax of an AWS region name: partition prefix, optional gov/iso marker, direction, number.
# us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1, cn-north-1, us-isob-east-1, mx-central-1.
REGION_RE = re.compile(r"^[a-z]{2}(-(gov|iso[a-z]?))?-[a-z]+-[0-9]{1,2}$")

TRANSITIONAL = ("CREATING", "UPDATING")
MUTATING_ACTIONS = ("enable_streams", "create_replica", "delete_replica")


class PlanError(Exception):
    """The request cannot be carried out; ``problems`` lists every reason with its fix."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


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
                  known_regions=None, legacy=False, unscaled_writes=None):
    """Return the ordered operations that bring the table's replicas to what is wanted.

    ``table``: the ``Table`` of DescribeTable in ``table_region``.
    ``known_regions``: DynamoDB regions of the table's partition (None: no membership check).
    ``legacy``: the table belongs to a version 2017.11.29 global table (DescribeGlobalTable answered).
    ``unscaled_writes``: the resources (``table/<name>``, ``table/<name>/index/<index>``) whose
    write capacity has no auto scaling (target and policy); only consulted for a provisioned
    table that needs a new replica (None: not read).
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
            elif rstatus == "CREATION_FAILED":
                problems.append(
                    "The replica in %s is CREATION_FAILED: remove it (state=absent for %s), read the reason in "
                    "the table's ReplicaStatusDescription, fix it and run again." % (region, region))
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
        operations.append({"action": "create_replica", "region": region})
    for region in to_delete:
        operations.append({"action": "delete_replica", "region": region})
    return operations


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

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reads behind ``ddb_global_replica``'s plan, shared with ``application_info``.

:func:`check` reads what the plan of :mod:`ddb_replica` needs beyond DescribeTable (the legacy 2017.11.29
check, the write auto scaling of a provisioned table, the table's KMS key and the replicas' keys) and returns
the operations, exactly as ``ddb_global_replica`` plans them. It never fails a module itself: every refusal is a
:class:`CheckFailed` that the caller turns into ``fail_json`` (the module) or into data (the discovery, which
reports the table check beside its other reads). One retry layer: botocore's (common.py).
"""

from __future__ import annotations

try:
    import boto3
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.mysfits.multi_region.plugins.module_utils import ddb_replica as plan_lib


class CheckFailed(Exception):
    """A refusal before any change: ``msg``, the AWS ``error`` behind it (or None) and extra result keys."""

    def __init__(self, msg, error=None, **extra):
        super().__init__(msg)
        self.msg = msg
        self.error = error
        self.extra = extra

    def as_result(self):
        """The refusal as data (no ``failed`` key: the caller decides whether it fails)."""
        msg = self.msg if self.error is None else "%s: %s" % (self.msg, self.error)
        return dict(self.extra, msg=msg)


def known_dynamodb_regions(table_region):
    """DynamoDB regions of the table's partition in botocore's endpoint data, or None if unknown."""
    try:
        session = boto3.session.Session()
        partition = session.get_partition_for_region(table_region)
        regions = session.get_available_regions("dynamodb", partition_name=partition)
    except (ValueError, botocore.exceptions.BotoCoreError, AttributeError):
        return None
    return set(regions) or None


class TableReads:
    """The reads of one table; ``client_for(service, region)`` gives a client, ``warn(text)`` a warning."""

    def __init__(self, client_for, region, table_name, warn):
        self.client_for = client_for
        self.region = region
        self.table_name = table_name
        self.warn = warn
        self.client = client_for("dynamodb", region)

    def not_found(self):
        return CheckFailed("Table %s does not exist in %s: check name and region (this module adds replicas to an "
                           "existing table, it does not create it)." % (self.table_name, self.region),
                           table_status=None)

    def describe(self):
        try:
            return self.client.describe_table(aws_retry=True, TableName=self.table_name)["Table"]
        except is_boto3_error_code("ResourceNotFoundException"):
            raise self.not_found()
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:  # pylint: disable=duplicate-except
            raise CheckFailed("Could not describe table %s" % self.table_name, error)

    def is_legacy(self, table):
        if table.get("GlobalTableVersion") == plan_lib.CURRENT_VERSION:
            return False
        if table.get("GlobalTableVersion") == plan_lib.LEGACY_VERSION:
            return True
        try:
            self.client.describe_global_table(aws_retry=True, GlobalTableName=self.table_name)
        except is_boto3_error_code("GlobalTableNotFoundException"):
            return False
        except is_boto3_error_code("AccessDeniedException"):  # pylint: disable=duplicate-except
            self.warn("No permission for dynamodb:DescribeGlobalTable; the legacy (2017.11.29) check relies on "
                      "DescribeTable's GlobalTableVersion only.")
            return False
        except is_boto3_error_code("ValidationException") as error:  # pylint: disable=duplicate-except
            if plan_lib.legacy_not_supported(error.response.get("Error", {}).get("Message")):
                # Version 2017.11.29 does not exist in this region: no table here can belong to one.
                return False
            raise CheckFailed("DescribeGlobalTable refused the legacy (2017.11.29) check of %s in %s with a "
                              "validation error that does not say the legacy version is unavailable there; nothing "
                              "was changed. Check the table name and region." % (self.table_name, self.region),
                              error)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:  # pylint: disable=duplicate-except
            raise CheckFailed("Could not check whether %s is a legacy (2017.11.29) global table; nothing was "
                              "changed" % self.table_name, error)
        return True

    def unscaled_writes(self, table):
        """Resources (the table, its global secondary indexes) whose write capacity has no auto scaling.

        Auto scaling means a scalable target on the write dimension and a scaling policy for it.
        """
        scaling = self.client_for("application-autoscaling", self.region)
        wanted = [("table/%s" % self.table_name, "dynamodb:table:WriteCapacityUnits")]
        for index in table.get("GlobalSecondaryIndexes") or []:
            wanted.append(("table/%s/index/%s" % (self.table_name, index["IndexName"]),
                           "dynamodb:index:WriteCapacityUnits"))
        try:
            # Both lists page (DescribeScalableTargets at 50, DescribeScalingPolicies at 10): read every page.
            targets = scaling.get_paginator("describe_scalable_targets").paginate(
                ServiceNamespace="dynamodb",
                ResourceIds=sorted(set(resource for resource, _dimension in wanted))).build_full_result()[
                    "ScalableTargets"]
            policies = []
            for resource in sorted(set(t["ResourceId"] for t in targets)):
                policies += scaling.get_paginator("describe_scaling_policies").paginate(
                    ServiceNamespace="dynamodb", ResourceId=resource).build_full_result()["ScalingPolicies"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise CheckFailed("Could not read the write auto scaling of %s" % self.table_name, error)
        have_target = set((t["ResourceId"], t["ScalableDimension"]) for t in targets)
        have_policy = set((p["ResourceId"], p["ScalableDimension"]) for p in policies)
        return [resource for resource, dimension in wanted
                if (resource, dimension) not in have_target or (resource, dimension) not in have_policy]

    def customer_managed_key(self, table, to_create, replica_keys):
        """True/False: the table's KMS key is (not) customer managed; None when no replica is to be created.

        Also reads each key of ``replica_keys`` for a replica to create in its region, so that a key that does
        not exist there fails before any change.
        """
        key_arn = plan_lib.table_kms_key(table)
        if not key_arn:
            return False  # an AWS owned key
        if not to_create:
            return None  # no replica to create: not needed, not read
        try:
            manager = self.describe_key(self.region, key_arn)["KeyManager"]
        except is_boto3_error_code("AccessDeniedException"):
            if all(replica_keys.get(region) for region in to_create):
                self.warn("No permission for kms:DescribeKey on the table's key; going by replica_kms_keys, which "
                          "names a key for every new replica.")
                return True
            raise CheckFailed("Table %s is encrypted with KMS key %s, and without kms:DescribeKey the module cannot "
                              "tell whether it is customer managed (then every new replica needs a key in "
                              "replica_kms_keys). Allow kms:DescribeKey or give replica_kms_keys for %s."
                              % (self.table_name, key_arn, ", ".join(to_create)), table_status=table.get("TableStatus"))
        cmk = manager == "CUSTOMER"
        if cmk:
            for region in to_create:
                key = replica_keys.get(region)
                if not key:
                    continue
                try:
                    self.describe_key(region, key)
                except is_boto3_error_code("NotFoundException"):
                    raise CheckFailed("replica_kms_keys[%s]: no KMS key %s in %s. Give a key of that region (key id, "
                                      "key ARN, alias name or alias ARN)." % (region, key, region),
                                      table_status=table.get("TableStatus"))
        return cmk

    def describe_key(self, region, key):
        kms = self.client_for("kms", region)
        try:
            return kms.describe_key(aws_retry=True, KeyId=key)["KeyMetadata"]
        except is_boto3_error_code(["AccessDeniedException", "NotFoundException"]):
            raise
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:  # pylint: disable=duplicate-except
            raise CheckFailed("Could not read KMS key %s in %s" % (key, region), error)


def check(reads, table, replica_regions, state="present", purge=False, enable_streams=True, replica_kms_keys=None):
    """The operations ``ddb_global_replica`` would run on ``table`` (as DescribeTable returned it).

    Makes the reads the plan needs beyond DescribeTable; raises :class:`CheckFailed` for every refusal.
    """
    replica_kms_keys = replica_kms_keys or {}
    legacy = reads.is_legacy(table)
    current = plan_lib.current_replicas(table, reads.region)
    unscaled = None
    if (state == "present" and plan_lib.billing_mode(table) == "PROVISIONED"
            and any(r not in current for r in replica_regions) and not legacy):
        unscaled = reads.unscaled_writes(table)
    to_create = [r for r in replica_regions if current.get(r) in (None, "DELETING")] if state == "present" else []
    cmk = reads.customer_managed_key(table, to_create, replica_kms_keys) if not legacy else None
    try:
        return plan_lib.plan_replicas(
            table, reads.region, replica_regions, state=state, purge=purge, enable_streams=enable_streams,
            known_regions=known_dynamodb_regions(reads.region), legacy=legacy, unscaled_writes=unscaled,
            replica_kms_keys=replica_kms_keys, customer_managed_key=cmk)
    except plan_lib.PlanError as error:
        raise CheckFailed(str(error), problems=error.problems, table_status=table.get("TableStatus"))


def check_result(reads, table, replica_regions):
    """What ``ddb_global_replica`` (state present, wait false) returns in check mode, or its refusal as data.

    ``table`` is DescribeTable's answer already read, None when the table does not exist.
    """
    problems = plan_lib.validate_regions(replica_regions, reads.region)
    if problems:
        return {"msg": " ".join(problems), "problems": problems}
    try:
        if table is None:
            raise reads.not_found()
        operations = check(reads, table, replica_regions)
    except CheckFailed as failed:
        return failed.as_result()
    return dict(plan_lib.result_of(table, reads.region, operations, []), changed=plan_lib.is_change(operations))

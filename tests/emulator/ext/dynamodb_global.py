"""DynamoDB global tables for moto: version 2019.11.21 replicas and legacy 2017.11.29 groups.

moto 5.2.5 parses ``UpdateTable`` ``ReplicaUpdates`` and ignores them, and has no
``CreateGlobalTable``. This extension adds, as AWS documents and as AWS was
observed to behave:

* ``UpdateTable`` ``ReplicaUpdates`` ``Create`` / ``Update`` / ``Delete``. A
  created replica is a real table in the target region's moto backend (same
  key schema, attribute definitions, indexes, billing mode, stream), filled
  with a copy of the items. ``ReplicaStatus`` is ``CREATING`` for
  ``replica_create_seconds`` (the requesting table ``UPDATING`` meanwhile),
  then ``ACTIVE``; a deleted replica is ``DELETING`` for
  ``replica_delete_seconds``, then leaves ``Replicas`` and its region.
  States are computed from timestamps whenever a table is looked up: no threads.
* Replication: every item write in any member region (PutItem, UpdateItem,
  DeleteItem, BatchWriteItem, TransactWriteItems, PartiQL) sends the final
  item image to the other members once the request has succeeded.
  Replicated writes do not replicate again. Each replicated request publishes
  one ``ReplicationLatency`` datapoint per receiving region into the source
  region's CloudWatch (``AWS/DynamoDB``, ``TableName`` + ``ReceivingRegion``,
  milliseconds): the time from the request's start to the item's arrival in
  that replica (a write the ``drop-replication`` route drops never arrives and
  publishes none).
* ``DescribeTable`` in every member region: ``Replicas`` and
  ``GlobalTableVersion``; ``TableStatus`` ``UPDATING`` while an operation runs.
* Prerequisites and errors with AWS's exception types and messages: replica
  already there, the local region, an unknown region, an operation in
  progress, provisioned write capacity without auto scaling, disabling the
  stream of a replica. Without a stream, adding a replica turns one on with
  ``NEW_AND_OLD_IMAGES``; an existing stream is kept as it is.
* ``UpdateTable`` with ``StreamSpecification`` or ``BillingMode`` puts the
  table in ``UPDATING`` for ``table_update_seconds``; another ``UpdateTable``
  meanwhile is a ``ResourceInUseException``.
* Legacy 2017.11.29: ``CreateGlobalTable``, ``DescribeGlobalTable``,
  ``ListGlobalTables`` (to model an account that still has such a table);
  ``DescribeTable`` of a member reports ``GlobalTableVersion: "2017.11.29"``.

* Replica states that do not end by waiting (``ReplicaDescription.ReplicaStatus``):
  a replica whose KMS key (moto's KMS, in the replica's region) is disabled or
  pending deletion is ``INACCESSIBLE_ENCRYPTION_CREDENTIALS``; the control route
  ``dynamodb/replica-status`` puts a replica into ``REGION_DISABLED``,
  ``INACCESSIBLE_ENCRYPTION_CREDENTIALS``, ``CREATION_FAILED``, ``ARCHIVING``,
  ``ARCHIVED`` or ``REPLICATION_NOT_AUTHORIZED`` now, or makes the next created
  replica of a table in a region end in it instead of ``ACTIVE``. Such a
  replica blocks no other replica operation and can be deleted.
* Encryption: a replica of a table encrypted with a customer managed KMS key
  needs ``KMSMasterKeyId`` in its ``Create`` (a key of the replica's region);
  a key that does not exist there, an ARN of another region, or a key for a
  table without a customer managed key is a ``ValidationException``. The key
  moto makes for ``alias/aws/dynamodb`` is AWS managed (``KeyManager: AWS``).
* Legacy 2017.11.29 operations in a region where that version never existed
  are a ``ValidationException`` saying so.

Control route ``dynamodb/drop-replication``: POST ``{"table", "region",
"count"}`` silently drops the next ``count`` replicated writes into that
region's replica (a divergent replica on purpose); GET lists pending drops;
DELETE clears them.
"""
import copy
import functools
import threading
import time
from collections import OrderedDict

from .. import app, state

VERSION_CURRENT = "2019.11.21"
VERSION_LEGACY = "2017.11.29"
# The regions of version 2017.11.29 (the enum AWS answered with for CreateGlobalTable's RegionName,
# hashicorp/terraform-provider-aws#11601); elsewhere AWS says the version "is not supported in this region".
LEGACY_REGIONS = ("us-west-1", "us-west-2", "ap-northeast-1", "ap-northeast-2", "us-east-1", "eu-west-1",
                  "ap-southeast-1", "us-east-2", "eu-west-2", "ap-southeast-2", "eu-central-1")
# ReplicaStatus values that do not end by waiting (DynamoDB API Reference, ReplicaDescription).
STUCK_STATES = ("CREATION_FAILED", "REGION_DISABLED", "INACCESSIBLE_ENCRYPTION_CREDENTIALS", "ARCHIVING", "ARCHIVED",
                "REPLICATION_NOT_AUTHORIZED")

# All state of this module; cleared by the reset hook (moto's reset recreates the backends).
_LOCK = threading.RLock()
_GROUPS = {}   # (account_id, table name) -> GlobalTable
_DROPS = {}    # (table name, region) -> number of replicated writes still to drop
_DROPPED = []  # what was dropped, for the control route
_NEXT_STATUS = {}  # (table name, region) -> (status, description) the next created replica ends in
_local = threading.local()
_installed = False


# ----------------------------------------------------------------------------------------------
# errors, worded as AWS words them (sources in tests/emulator_tests/test_dynamodb_global.py)

def _validation(message):
    from moto.dynamodb.exceptions import MockValidationException
    return MockValidationException(message)


def _in_use(message):
    from moto.dynamodb.exceptions import ResourceInUseException
    return ResourceInUseException(message)


def _being_updated(name):
    return _in_use("Attempt to change a resource which is still in use: Table: %s is in the process of being updated."
                   % name)


def _json_error(code, message):
    from moto.core.exceptions import JsonRESTError
    return JsonRESTError("com.amazonaws.dynamodb.v20120810#" + code, message)


# ----------------------------------------------------------------------------------------------
# model

class Replica:
    """One member region of a global table and its lifecycle timestamps."""

    def __init__(self, region, ready_at, kms_key=None, throughput_override=None, gsi_overrides=None,
                 table_class=None, account_id=None, end_status=None):
        self.region = region
        self.account_id = account_id
        self.end_status = end_status    # (status, description) reached instead of ACTIVE at ready_at
        self.forced = None              # (status, description) set through the control route
        self.ready_at = ready_at        # CREATING until then
        self.delete_at = None           # DELETING from then ...
        self.gone_at = None             # ... until then
        self.updating_until = 0.0       # UPDATING (ReplicaUpdates Update) until then
        self.kms_key = kms_key
        self.throughput_override = throughput_override
        self.gsi_overrides = gsi_overrides or {}
        self.table_class = table_class
        self.table_class_updated = _utcnow()

    def stuck(self, now):
        """``(status, description)`` of a state waiting does not end, or None."""
        if self.delete_at is not None or now < self.ready_at:
            return None
        if self.forced:
            return self.forced
        if self.end_status:
            return self.end_status
        if self.kms_key and self.account_id and not _key_usable(self.account_id, self.region, self.kms_key):
            return ("INACCESSIBLE_ENCRYPTION_CREDENTIALS", None)
        return None

    def status(self, now):
        if self.delete_at is not None:
            return "DELETING"
        if now < self.ready_at:
            return "CREATING"
        stuck = self.stuck(now)
        if stuck:
            return stuck[0]
        if now < self.updating_until:
            return "UPDATING"
        return "ACTIVE"

    def describe(self, table, now):
        out = {"RegionName": self.region, "ReplicaStatus": self.status(now)}
        stuck = self.stuck(now)
        if stuck and stuck[1]:
            out["ReplicaStatusDescription"] = stuck[1]
        if self.kms_key:
            out["KMSMasterKeyId"] = self.kms_key
        if self.throughput_override:
            out["ProvisionedThroughputOverride"] = dict(self.throughput_override)
        gsis = []
        for index in table.global_indexes if table is not None else []:
            entry = {"IndexName": index.name}
            override = self.gsi_overrides.get(index.name)
            if override:
                entry["ProvisionedThroughputOverride"] = dict(override)
            gsis.append(entry)
        if gsis:
            out["GlobalSecondaryIndexes"] = gsis
        if self.table_class:
            out["ReplicaTableClassSummary"] = {"TableClass": self.table_class,
                                               "LastUpdateDateTime": self.table_class_updated}
        return out


class GlobalTable:
    """The replicas of one table name in one account; members are peers."""

    def __init__(self, account_id, name, version):
        self.account_id = account_id
        self.name = name
        self.version = version
        self.created = _utcnow()
        self.replicas = OrderedDict()   # region -> Replica, in the order they joined
        self.busy = {}                  # region -> time its table stays UPDATING until

    def table(self, region):
        return _backend(self.account_id, region).tables.get(self.name)

    def in_progress(self, now):
        """A replica operation that has not finished (AWS allows one at a time).

        A replica in a state that waiting does not end (CREATION_FAILED, REGION_DISABLED, ...) is no operation
        in progress: it blocks nothing, and can be deleted.
        """
        return any(r.status(now) in ("CREATING", "UPDATING", "DELETING") for r in self.replicas.values()) or \
            any(until > now for until in self.busy.values())

    def settle(self, now=None):
        """Apply what the clock says has happened: deleted replicas leave."""
        now = time.time() if now is None else now
        for region, replica in list(self.replicas.items()):
            if replica.gone_at is not None and now >= replica.gone_at:
                _backend(self.account_id, region).tables.pop(self.name, None)
                del self.replicas[region]
                self.busy.pop(region, None)
        if len(self.replicas) < 2 and not self.in_progress(now):
            # A table left alone is a regional table again (its stream stays on).
            _GROUPS.pop((self.account_id, self.name), None)

    def remove_member(self, region):
        self.replicas.pop(region, None)
        self.busy.pop(region, None)
        if len(self.replicas) < 2:
            _GROUPS.pop((self.account_id, self.name), None)


def _utcnow():
    from moto.core.utils import utcnow
    return utcnow()


def _backend(account_id, region):
    from moto.dynamodb.models import dynamodb_backends
    return dynamodb_backends[account_id][region]


def _kms_backend(account_id, region):
    from moto.kms.models import kms_backends
    return kms_backends[account_id][region]


def _find_key(account_id, region, key):
    """moto's KMS key for a key id, key ARN, alias name or alias ARN in ``region``, or None."""
    if not isinstance(key, str) or not key:
        return None
    if key.startswith("arn:") and (len(key.split(":")) < 4 or key.split(":")[3] != region):
        return None
    backend = _kms_backend(account_id, region)
    try:
        key_id = backend.any_id_to_key_id(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return backend.keys.get(key_id) if key_id else None


def _key_usable(account_id, region, key):
    found = _find_key(account_id, region, key)
    return found is not None and found.key_state == "Enabled"


def _table_key_manager(table):
    """``CUSTOMER`` / ``AWS`` for a table encrypted with a KMS key, None for an AWS owned key."""
    sse = table.sse_specification or {}
    if not sse.get("Enabled") or not sse.get("KMSMasterKeyId"):
        return None
    found = _find_key(table.account_id, table.region_name, sse["KMSMasterKeyId"])
    return getattr(found, "key_manager", "CUSTOMER") if found is not None else "CUSTOMER"


def _table_name(name_or_arn):
    if name_or_arn and name_or_arn.startswith("arn:") and ":table/" in name_or_arn:
        return name_or_arn.split(":table/", 1)[1].split("/", 1)[0]
    return name_or_arn


def _group_of(account_id, name, region=None):
    group = _GROUPS.get((account_id, _table_name(name)))
    if group is not None:
        group.settle()
        group = _GROUPS.get((account_id, _table_name(name)))
    if group is not None and region is not None and region not in group.replicas:
        return None
    return group


def _settle_account(account_id):
    for (account, name) in list(_GROUPS):
        if account == account_id and (account, name) in _GROUPS:
            _GROUPS[(account, name)].settle()


# ----------------------------------------------------------------------------------------------
# table status

def _set_updating(table, seconds):
    table.emulator_updating_until = max(getattr(table, "emulator_updating_until", 0.0), time.time() + seconds)


def _table_status(table, now):
    group = _GROUPS.get((table.account_id, table.name))
    if group is not None and table.region_name in group.replicas:
        replica_status = group.replicas[table.region_name].status(now)
        if replica_status in ("CREATING", "DELETING"):
            return replica_status
        if group.busy.get(table.region_name, 0) > now:
            return "UPDATING"
    if getattr(table, "emulator_updating_until", 0.0) > now:
        return "UPDATING"
    return "ACTIVE"


# ----------------------------------------------------------------------------------------------
# replication

def _record_write(table, hash_key, range_key):
    """Called for every item change made by a table; remembered until the request ends."""
    if getattr(_local, "suppress", False) or not getattr(_local, "depth", 0):
        return
    _local.touched[(table.account_id, table.region_name, table.name, hash_key, range_key)] = None


def _write_entry_point(method):
    """Wrap a backend write: replicate the final images of what it touched once it succeeded."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if getattr(_local, "suppress", False):
            return method(self, *args, **kwargs)
        with _LOCK:
            outer = not getattr(_local, "depth", 0)
            if outer:
                _local.touched = OrderedDict()
                _local.started = time.time()
            _local.depth = getattr(_local, "depth", 0) + 1
            try:
                result = method(self, *args, **kwargs)
                if method.__name__ == "update_item" and result is not None:
                    # UpdateItem changes the stored item in place: record it by its key.
                    table = self.get_table(args[0] if args else kwargs["table_name"])
                    _record_write(table, result.hash_key, result.range_key)
            except BaseException:
                if outer:
                    _local.touched = OrderedDict()
                raise
            finally:
                _local.depth -= 1
            if outer:
                touched, _local.touched = _local.touched, OrderedDict()
                _replicate(touched, _local.started)
            return result
    return wrapper


def _replicate(touched, started=None):
    now = time.time()
    started = now if started is None else started
    arrived = {}  # (account, source region, table, receiving region) -> seconds from the write to the last arrival
    for (account_id, region, name, hash_key, range_key) in touched:
        group = _GROUPS.get((account_id, name))
        if group is None or region not in group.replicas:
            continue
        source = group.table(region)
        if source is None:
            continue
        item = source.get_item(hash_key, range_key)
        image = copy.deepcopy(item.to_json()["Attributes"]) if item is not None else None
        for target_region, replica in group.replicas.items():
            if target_region == region or replica.delete_at is not None:
                continue
            target = group.table(target_region)
            if target is None:
                continue
            if _take_drop(name, target_region):
                _DROPPED.append({"table": name, "region": target_region, "source_region": region,
                                 "time": now, "deleted": image is None})
                continue
            _apply_image(target, image, hash_key, range_key)
            arrived[(account_id, region, name, target_region)] = time.time() - started
    for key, seconds in arrived.items():
        _publish_latency(*key, seconds=seconds)


def _publish_latency(account_id, source_region, name, receiving_region, seconds):
    """One ``ReplicationLatency`` datapoint (milliseconds) in the SOURCE region's CloudWatch, dimensions
    ``TableName`` and ``ReceivingRegion``, as DynamoDB publishes it for every source and destination pair
    (developer guide, "Monitoring global tables"; metrics and dimensions: ReplicationLatency, Units:
    Milliseconds, Dimensions: TableName, ReceivingRegion)."""
    from moto.cloudwatch.models import MetricDatum, cloudwatch_backends

    backend = cloudwatch_backends[account_id][source_region]
    backend.metric_data.append(MetricDatum(
        "AWS/DynamoDB", "ReplicationLatency", seconds * 1000.0,
        [{"Name": "TableName", "Value": name}, {"Name": "ReceivingRegion", "Value": receiving_region}],
        None, "Milliseconds"))


def _apply_image(table, image, hash_key, range_key):
    _local.suppress = True
    try:
        if image is None:
            table.delete_item(hash_key, range_key)
        else:
            table.put_item(copy.deepcopy(image), overwrite=True)
    finally:
        _local.suppress = False


def _take_drop(name, region):
    pending = _DROPS.get((name, region), 0)
    if pending <= 0:
        return False
    if pending == 1:
        del _DROPS[(name, region)]
    else:
        _DROPS[(name, region)] = pending - 1
    return True


# ----------------------------------------------------------------------------------------------
# ReplicaUpdates

def _autoscaled_writes(account_id, region, resource_id, dimension):
    """A scalable target AND a scaling policy on the write dimension, as AWS requires."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends
    backend = applicationautoscaling_backends[account_id][region]
    if resource_id not in backend.targets.get(dimension, {}):
        return False
    return any(p.service_namespace == "dynamodb" and p.resource_id == resource_id and p.scalable_dimension == dimension
               for p in backend.policies.values())


def _check_write_capacity(table):
    if table.billing_mode == "PAY_PER_REQUEST":
        return
    resource = "table/%s" % table.name
    if not _autoscaled_writes(table.account_id, table.region_name, resource, "dynamodb:table:WriteCapacityUnits"):
        raise _validation("Table write capacity should either be Pay-Per-Request or AutoScaled.")
    for index in table.global_indexes:
        if not _autoscaled_writes(table.account_id, table.region_name, "%s/index/%s" % (resource, index.name),
                                  "dynamodb:index:WriteCapacityUnits"):
            raise _validation("GSI write capacity should either be Pay-Per-Request or AutoScaled.")


def _not_members(regions):
    return _validation("Update global table operation failed because one or more replicas were not part of the "
                       "global table. Please retry the request without these replicas: [%s]." % ", ".join(regions))


def _parse_replica_updates(backend, table, updates):
    """Static validation, before any state is looked at (as AWS orders it)."""
    from moto.dynamodb.models import dynamodb_backends
    parsed = []
    for update in updates:
        actions = [key for key in ("Create", "Update", "Delete") if update.get(key) is not None]
        if not actions:
            raise _validation("There are no actions specified in the Replica Update Action of the request.")
        if len(actions) > 1:
            raise _validation("Update table operation with more than one type of replica actions not allowed.")
        action = actions[0]
        spec = update[action] or {}
        region = spec.get("RegionName") or ""
        if action == "Update" and not set(spec) - {"RegionName"}:
            raise _validation("There are no actions specified in the Replica Update Action of the request.")
        parsed.append((action, region, spec))
    if sum(1 for action, _, _ in parsed if action in ("Create", "Delete")) > 1:
        raise _validation("Update table operation with more than one create or delete replica actions not allowed")
    supported = sorted(dynamodb_backends[backend.account_id].regions)
    for action, region, spec in parsed:
        if region not in supported:
            raise _validation("Region %s is not supported. The latest version of global tables are only supported "
                              "in the following regions: [%s]." % (region, ", ".join(supported)))
        if region == backend.region_name:
            raise _validation("Cannot add or delete the local region through ReplicaUpdates. Use CreateTable, "
                              "DeleteTable, or UpdateTable as required.")
    return parsed


def update_table_replicas(backend, name, updates):
    """``UpdateTable`` with ``ReplicaUpdates``: add, change or remove replicas of table ``name``."""
    with _LOCK:
        table = backend.get_table(name)
        parsed = _parse_replica_updates(backend, table, updates)
        now = time.time()
        group = _group_of(backend.account_id, table.name)
        if group is not None and group.version == VERSION_LEGACY:
            # Not found in AWS's documentation word for word; AWS requires upgrading a legacy table first.
            raise _validation("Table %s is a global table version 2017.11.29 (Legacy); ReplicaUpdates only applies to "
                              "version 2019.11.21. Upgrade the global table first." % table.name)
        if _table_status(table, now) != "ACTIVE" or (group is not None and group.in_progress(now)):
            raise _being_updated(table.name)
        for action, region, spec in parsed:
            if action == "Create":
                _create_replica(backend, table, group, region, spec, now)
            elif action == "Delete":
                _delete_replica(backend, table, group, region, now)
            else:
                _update_replica(backend, table, group, region, spec, now)
        return table


def _create_replica(backend, table, group, region, spec, now):
    target_backend = _backend(backend.account_id, region)
    if (group is not None and region in group.replicas) or table.name in target_backend.tables:
        raise _validation("Failed to create a the new replica of table with name: \u2018%s\u2019 because one or more "
                          "replicas already existed as tables." % table.name)
    _check_write_capacity(table)
    _check_replica_key(table, region, spec)
    if not (table.stream_specification or {}).get("StreamEnabled"):
        # DynamoDB turns a stream on itself; an existing stream of any view type is kept.
        table.set_stream_specification({"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    if group is None:
        group = GlobalTable(backend.account_id, table.name, VERSION_CURRENT)
        group.replicas[backend.region_name] = Replica(backend.region_name, ready_at=0.0)
        _GROUPS[(backend.account_id, table.name)] = group
    seconds = state.TIMING.get("replica_create_seconds")
    gsi_overrides = {g["IndexName"]: g.get("ProvisionedThroughputOverride")
                     for g in spec.get("GlobalSecondaryIndexes") or [] if g.get("ProvisionedThroughputOverride")}
    kms_key = spec.get("KMSMasterKeyId")
    if kms_key:
        kms_key = _find_key(backend.account_id, region, kms_key).arn
    group.replicas[region] = Replica(region, ready_at=now + seconds, kms_key=kms_key,
                                     throughput_override=spec.get("ProvisionedThroughputOverride"),
                                     gsi_overrides=gsi_overrides, table_class=spec.get("TableClassOverride"),
                                     account_id=backend.account_id,
                                     end_status=_NEXT_STATUS.pop((table.name, region), None))
    group.busy[backend.region_name] = now + seconds
    replica_table = _create_replica_table(target_backend, table, spec, gsi_overrides)
    _local.suppress = True
    try:
        for item in table.all_items():
            replica_table.put_item(copy.deepcopy(item.to_json()["Attributes"]), overwrite=True)
    finally:
        _local.suppress = False


def _check_replica_key(table, region, spec):
    """A replica of a table with a customer managed key needs a key of its own region (and only then a key).

    CreateReplicationGroupMemberAction.KMSMasterKeyId (DynamoDB API Reference): "key ID, Amazon Resource Name
    (ARN), alias name, or alias ARN", "only ... if the key is different from the default DynamoDB KMS key
    alias/aws/dynamodb"; AWS::DynamoDB::GlobalTable ReplicaSSESpecification: "The key must be created in the
    same region as the replica." The wording of these messages is the emulator's own (stricter where unsure).
    """
    manager = _table_key_manager(table)
    key = spec.get("KMSMasterKeyId")
    if manager == "CUSTOMER" and not key:
        raise _validation("One or more parameter values were invalid: KMSMasterKeyId must be specified for each "
                          "replica of a table encrypted with a customer managed key (replica region %s)." % region)
    if key and manager != "CUSTOMER":
        raise _validation("One or more parameter values were invalid: KMSMasterKeyId can only be specified for a "
                          "replica of a table encrypted with a customer managed key.")
    if key and _find_key(table.account_id, region, key) is None:
        raise _validation("One or more parameter values were invalid: KMS key %s was not found in region %s; the "
                          "key of a replica must be in the replica's region." % (key, region))
    if key and not _key_usable(table.account_id, region, key):
        raise _validation("One or more parameter values were invalid: KMS key %s in region %s is not enabled."
                          % (key, region))


def _create_replica_table(target_backend, table, spec, gsi_overrides):
    throughput = None
    if table.billing_mode != "PAY_PER_REQUEST":
        throughput = {"ReadCapacityUnits": table.throughput.get("ReadCapacityUnits", 0),
                      "WriteCapacityUnits": table.throughput.get("WriteCapacityUnits", 0)}
        override = spec.get("ProvisionedThroughputOverride") or {}
        if override.get("ReadCapacityUnits"):
            throughput["ReadCapacityUnits"] = override["ReadCapacityUnits"]
    global_indexes = []
    for index in table.global_indexes:
        described = index.describe()
        entry = {"IndexName": index.name, "KeySchema": copy.deepcopy(described["KeySchema"]),
                 "Projection": copy.deepcopy(described["Projection"])}
        if table.billing_mode != "PAY_PER_REQUEST":
            entry["ProvisionedThroughput"] = {"ReadCapacityUnits": index.throughput.get("ReadCapacityUnits", 0),
                                              "WriteCapacityUnits": index.throughput.get("WriteCapacityUnits", 0)}
            override = gsi_overrides.get(index.name) or {}
            if override.get("ReadCapacityUnits"):
                entry["ProvisionedThroughput"]["ReadCapacityUnits"] = override["ReadCapacityUnits"]
        global_indexes.append(entry)
    local_indexes = [copy.deepcopy(index.describe()) for index in table.indexes]
    sse = None
    if table.sse_specification and table.sse_specification.get("Enabled"):
        sse = {"Enabled": True, "SSEType": table.sse_specification.get("SSEType", "KMS")}
        if spec.get("KMSMasterKeyId"):
            sse["KMSMasterKeyId"] = _find_key(table.account_id, target_backend.region_name, spec["KMSMasterKeyId"]).arn
    return _ORIGINAL["create_table"](
        target_backend,
        name=table.name,
        schema=copy.deepcopy(table.schema),
        throughput=throughput,
        attr=copy.deepcopy(table.attr),
        global_indexes=global_indexes,
        indexes=local_indexes,
        streams=copy.deepcopy(table.stream_specification),
        billing_mode=table.billing_mode,
        sse_specification=sse,
        tags=[],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )


def _delete_replica(backend, table, group, region, now):
    if group is None or region not in group.replicas:
        raise _not_members([region])
    seconds = state.TIMING.get("replica_delete_seconds")
    replica = group.replicas[region]
    replica.delete_at = now
    replica.gone_at = now + seconds
    group.busy[backend.region_name] = now + seconds


def _update_replica(backend, table, group, region, spec, now):
    if group is None or region not in group.replicas:
        raise _not_members([region])
    replica = group.replicas[region]
    if spec.get("ProvisionedThroughputOverride") is not None:
        replica.throughput_override = spec["ProvisionedThroughputOverride"]
    for gsi in spec.get("GlobalSecondaryIndexes") or []:
        if gsi.get("ProvisionedThroughputOverride"):
            replica.gsi_overrides[gsi["IndexName"]] = gsi["ProvisionedThroughputOverride"]
    if spec.get("TableClassOverride"):
        replica.table_class = spec["TableClassOverride"]
        replica.table_class_updated = _utcnow()
    seconds = state.TIMING.get("table_update_seconds")
    replica.updating_until = now + seconds
    group.busy[backend.region_name] = now + seconds


# ----------------------------------------------------------------------------------------------
# legacy 2017.11.29 global tables

def _global_table_arn(account_id, name):
    return "arn:aws:dynamodb::%s:global-table/%s" % (account_id, name)


def _describe_group(group):
    return {
        "ReplicationGroup": [{"RegionName": region} for region in group.replicas],
        "GlobalTableArn": _global_table_arn(group.account_id, group.name),
        "CreationDateTime": group.created,
        "GlobalTableStatus": "ACTIVE",
        "GlobalTableName": group.name,
    }


def _check_legacy_region(region):
    if region not in LEGACY_REGIONS:
        # rrahul963/serverless-create-global-dynamodb-table#22 (eu-west-3) records AWS's answer.
        raise _validation("One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is "
                          "not supported in this region '%s'" % region)


def create_global_table(backend, name, replication_group):
    _check_legacy_region(backend.region_name)
    with _LOCK:
        if (backend.account_id, name) in _GROUPS:
            raise _json_error("GlobalTableAlreadyExistsException", "Global table with this name already exists")
        regions = []
        for member in replication_group:
            region = member.get("RegionName")
            table = _backend(backend.account_id, region).tables.get(name)
            if table is None:
                raise _json_error("TableNotFoundException", "Table not found: %s" % name)
            spec = table.stream_specification or {}
            if not spec.get("StreamEnabled") or spec.get("StreamViewType") != "NEW_AND_OLD_IMAGES":
                # UpdateGlobalTable/CreateGlobalTable docs: each replica must have streams with new and old images.
                raise _validation("One or more parameter values were invalid: Table %s in region %s must have "
                                  "DynamoDB Streams enabled with StreamViewType NEW_AND_OLD_IMAGES" % (name, region))
            regions.append(region)
        group = GlobalTable(backend.account_id, name, VERSION_LEGACY)
        for region in regions:
            group.replicas[region] = Replica(region, ready_at=0.0)
        _GROUPS[(backend.account_id, name)] = group
        return _describe_group(group)


def describe_global_table(backend, name):
    _check_legacy_region(backend.region_name)
    with _LOCK:
        group = _GROUPS.get((backend.account_id, name))
        if group is None or group.version != VERSION_LEGACY:
            raise _json_error("GlobalTableNotFoundException", "Global table with name '%s' does not exist." % name)
        return _describe_group(group)


def list_global_tables(backend, region_name=None):
    with _LOCK:
        return [{"GlobalTableName": g.name, "ReplicationGroup": [{"RegionName": r} for r in g.replicas]}
                for (account, _), g in _GROUPS.items()
                if account == backend.account_id and g.version == VERSION_LEGACY
                and (not region_name or region_name in g.replicas)]


# ----------------------------------------------------------------------------------------------
# patches of moto's classes

_ORIGINAL = {}


def _patch_backend(DynamoDBBackend):
    for method_name in ("put_item", "update_item", "delete_item", "transact_write_items",
                        "execute_statement", "execute_transaction", "batch_execute_statement"):
        original = getattr(DynamoDBBackend, method_name)
        _ORIGINAL[method_name] = original
        setattr(DynamoDBBackend, method_name, _write_entry_point(original))

    original_get_table = DynamoDBBackend.get_table
    original_list_tables = DynamoDBBackend.list_tables
    original_update_table = DynamoDBBackend.update_table
    original_delete_table = DynamoDBBackend.delete_table
    _ORIGINAL["create_table"] = DynamoDBBackend.create_table

    def get_table(self, table_name):
        with _LOCK:
            _group_of(self.account_id, table_name)
            return original_get_table(self, table_name)

    def list_tables(self, *args, **kwargs):
        with _LOCK:
            _settle_account(self.account_id)
            return original_list_tables(self, *args, **kwargs)

    def update_table(self, name, attr_definitions, global_index, throughput, billing_mode, stream_spec,
                     deletion_protection_enabled, warm_throughput):
        with _LOCK:
            table = self.get_table(name)
            now = time.time()
            if _table_status(table, now) != "ACTIVE":
                raise _being_updated(table.name)
            group = _group_of(self.account_id, table.name, self.region_name)
            if group is not None and stream_spec is not None and stream_spec.get("StreamEnabled") is False:
                raise _validation("One or more parameter values were invalid: Disabling Stream is not allowed for a "
                                  "Global Table replica.")
            before_billing = table.billing_mode
            result = original_update_table(self, name, attr_definitions, global_index, throughput, billing_mode,
                                           stream_spec, deletion_protection_enabled, warm_throughput)
            if stream_spec or (billing_mode and billing_mode != before_billing):
                _set_updating(table, state.TIMING.get("table_update_seconds"))
            return result

    def delete_table(self, name):
        with _LOCK:
            table = self.get_table(name)
            group = _group_of(self.account_id, table.name, self.region_name)
            if group is not None:
                status = group.replicas[self.region_name].status(time.time())
                if status == "CREATING":
                    raise _in_use("Attempt to change a resource which is still in use: Table: %s is being used."
                                  % table.name)
            result = original_delete_table(self, name)
            if group is not None:
                group.remove_member(self.region_name)
            return result

    def update_table_replicas_method(self, name, replica_updates):
        return update_table_replicas(self, name, replica_updates)

    DynamoDBBackend.get_table = get_table
    DynamoDBBackend.list_tables = list_tables
    DynamoDBBackend.update_table = update_table
    DynamoDBBackend.delete_table = delete_table
    DynamoDBBackend.update_table_replicas = update_table_replicas_method
    DynamoDBBackend.create_global_table = create_global_table
    DynamoDBBackend.describe_global_table = describe_global_table
    DynamoDBBackend.list_global_tables = list_global_tables


def _patch_table(Table):
    original_put = Table.put_item
    original_delete = Table.delete_item
    original_describe = Table.describe

    @functools.wraps(original_put)
    def put_item(self, item_attrs, *args, **kwargs):
        item = original_put(self, item_attrs, *args, **kwargs)
        _record_write(self, item.hash_key, item.range_key)
        return item

    @functools.wraps(original_delete)
    def delete_item(self, hash_key, range_key):
        item = original_delete(self, hash_key, range_key)
        _record_write(self, hash_key, range_key)
        return item

    @functools.wraps(original_describe)
    def describe(self, base_key="TableDescription"):
        result = original_describe(self, base_key)
        with _LOCK:
            now = time.time()
            description = result[base_key]
            description["TableStatus"] = _table_status(self, now)
            group = _GROUPS.get((self.account_id, self.name))
            if group is not None and self.region_name in group.replicas:
                description["GlobalTableVersion"] = group.version
                if group.version == VERSION_CURRENT:
                    description["Replicas"] = [replica.describe(self, now) for replica in group.replicas.values()]
        return result

    original_default_key = Table._get_default_encryption_key

    def _get_default_encryption_key(self, account_id, region):
        arn = original_default_key(self, account_id, region)
        # The key behind alias/aws/dynamodb is AWS managed (AWS KMS Developer Guide, "AWS managed keys");
        # moto makes it a customer managed one.
        found = _find_key(account_id, region, arn)
        if found is not None:
            found.key_manager = "AWS"
        return arn

    Table.put_item = put_item
    Table.delete_item = delete_item
    Table.describe = describe
    Table._get_default_encryption_key = _get_default_encryption_key


def _patch_responses(DynamoHandler):
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoResult

    original_update_table = DynamoHandler.update_table

    def update_table(self):
        updates = self.body.get("ReplicaUpdates")
        if not updates:
            return original_update_table(self)
        table = self.dynamodb_backend.update_table_replicas(self.body["TableName"], updates)
        return DynamoResult(table.describe())

    def create_global_table(self):
        description = self.dynamodb_backend.create_global_table(self.body["GlobalTableName"],
                                                                self.body.get("ReplicationGroup") or [])
        return ActionResult({"GlobalTableDescription": description})

    def describe_global_table(self):
        description = self.dynamodb_backend.describe_global_table(self.body["GlobalTableName"])
        return ActionResult({"GlobalTableDescription": description})

    def list_global_tables(self):
        return ActionResult({"GlobalTables": self.dynamodb_backend.list_global_tables(self.body.get("RegionName"))})

    DynamoHandler.update_table = update_table
    DynamoHandler.create_global_table = create_global_table
    DynamoHandler.describe_global_table = describe_global_table
    DynamoHandler.list_global_tables = list_global_tables


# ----------------------------------------------------------------------------------------------
# control route and reset

@app.control_route("dynamodb/drop-replication")
def _drop_replication(request):
    with _LOCK:
        if request.method == "POST":
            body = app._json(request)
            table, region = body["table"], body["region"]
            count = int(body.get("count", 1))
            if count < 1:
                raise ValueError("count must be >= 1")
            _DROPS[(table, region)] = _DROPS.get((table, region), 0) + count
        elif request.method == "DELETE":
            _DROPS.clear()
        return 200, {
            "pending": [{"table": t, "region": r, "count": c} for (t, r), c in sorted(_DROPS.items())],
            "dropped": list(_DROPPED),
        }


@app.control_route("dynamodb/replica-status")
def _replica_status(request):
    """POST {"table", "region", "status", "description"?, "on": "now" | "create"}; DELETE clears pending ones.

    ``now`` puts the existing replica into the state; ``create`` makes the next replica created in that region
    end in it once CREATING is over. ``status`` is one of STUCK_STATES.
    """
    with _LOCK:
        if request.method == "POST":
            body = app._json(request)
            table, region, status = body["table"], body["region"], body["status"]
            if status not in STUCK_STATES:
                raise ValueError("status must be one of %s" % ", ".join(STUCK_STATES))
            entry = (status, body.get("description"))
            when = body.get("on", "now")
            if when == "create":
                _NEXT_STATUS[(table, region)] = entry
            elif when == "now":
                found = [g for (account, name), g in _GROUPS.items() if name == table and region in g.replicas]
                if not found:
                    raise KeyError("table %s has no replica in %s" % (table, region))
                for group in found:
                    group.replicas[region].forced = entry
            else:
                raise ValueError("on must be 'now' or 'create'")
        elif request.method == "DELETE":
            _NEXT_STATUS.clear()
        return 200, {"pending": [{"table": t, "region": r, "status": st, "description": d}
                                 for (t, r), (st, d) in sorted(_NEXT_STATUS.items())]}


def reset():
    with _LOCK:
        _NEXT_STATUS.clear()
        _GROUPS.clear()
        _DROPS.clear()
        del _DROPPED[:]


def install():
    global _installed
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    _patch_backend(DynamoDBBackend)
    _patch_table(Table)
    _patch_responses(DynamoHandler)
    app.RESET_HOOKS.append(reset)
    _installed = True

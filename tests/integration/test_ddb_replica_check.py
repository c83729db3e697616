"""ddb_replica_check against the emulator's global tables: counts, canary round trip, check mode."""

TABLE = "CheckTable"


def _global_table(aws, items=3):
    ddb = aws.client("dynamodb", "us-west-2")
    ddb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "MysfitId", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    for i in range(items):
        ddb.put_item(TableName=TABLE, Item={"MysfitId": {"S": "m-%d" % i}})
    aws.control.set_timing(replica_create_seconds=0, table_update_seconds=0)
    ddb.update_table(TableName=TABLE, ReplicaUpdates=[{"Create": {"RegionName": "us-east-1"}}])
    return ddb


def test_agreeing_replicas_pass_and_the_canary_is_deleted(aws, module_runner):
    _global_table(aws)
    mark = aws.control.last_seq()
    result = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 20}, region="us-west-2")
    assert not result.get("failed"), result
    assert result["ok"] is True and result["changed"] is False
    assert result["counts"] == {"us-west-2": 3, "us-east-1": 3}
    assert list(result["canary_seen"]) == ["us-east-1"]  # replica regions from DescribeTable
    writes = [c["operation"] for c in aws.control.calls(since=mark) if c["mutating"]]
    assert writes == ["PutItem", "DeleteItem"]  # the canary, and nothing else
    assert aws.control.mutating_calls(since=mark) == []  # no control-plane change
    for region in ("us-west-2", "us-east-1"):
        assert aws.client("dynamodb", region).scan(TableName=TABLE, Select="COUNT")["Count"] == 3


def test_a_dropped_write_is_caught_and_named(aws, module_runner):
    ddb = _global_table(aws)
    aws.control.post("dynamodb/drop-replication", {"table": TABLE, "region": "us-east-1", "count": 1})
    ddb.put_item(TableName=TABLE, Item={"MysfitId": {"S": "late"}})
    result = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 2}, region="us-west-2")
    assert result["failed"] and result["ok"] is False
    assert "us-east-1=3, us-west-2=4" in result["msg"]
    relaxed = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 2, "fail_on_mismatch": False},
                            region="us-west-2")
    assert not relaxed.get("failed") and relaxed["ok"] is False


def test_check_mode_reads_only(aws, module_runner):
    _global_table(aws)
    mark = aws.control.last_seq()
    result = module_runner("ddb_replica_check", {"name": TABLE}, region="us-west-2", check=True)
    assert result["ok"] is True and result["canary_seen"] == {}
    assert [c for c in aws.control.calls(since=mark) if c["mutating"]] == []


def test_missing_table_names_the_option(aws, module_runner):
    result = module_runner("ddb_replica_check", {"name": "Nope"}, region="us-west-2")
    assert result["failed"] and "name option" in result["msg"]


def test_a_region_without_the_table_is_a_failed_verdict_not_an_error(aws, module_runner):
    _global_table(aws)
    result = module_runner("ddb_replica_check", {"name": TABLE, "replica_regions": ["us-east-1", "eu-west-1"],
                                                 "fail_on_mismatch": False}, region="us-west-2")
    assert not result.get("failed"), result
    assert result["ok"] is False and "no replica of CheckTable in eu-west-1" in result["msg"]

"""ddb_replica_check against the emulator's global tables: a read-only comparison by default, the canary
only when asked (shaped as the app's items, removed by the next run if a run dies), check mode."""
import json
import pathlib
import threading
import time

TABLE = "CheckTable"
MYSFITS = json.loads((pathlib.Path(__file__).parents[1] / "fixture" / "workshop" / "mysfits.json").read_text())


def _global_table(aws, items=3):
    ddb = aws.client("dynamodb", "us-west-2")
    ddb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "MysfitId", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    for item in MYSFITS[:items]:
        ddb.put_item(TableName=TABLE, Item=item)
    aws.control.set_timing(replica_create_seconds=0, table_update_seconds=0)
    ddb.update_table(TableName=TABLE, ReplicaUpdates=[{"Create": {"RegionName": "us-east-1"}}])
    return ddb


def _data_writes(aws, since):
    return [(c["region"], c["operation"]) for c in aws.control.calls(since=since) if c["mutating"]]


def _items(aws, region):
    return aws.client("dynamodb", region).scan(TableName=TABLE, ConsistentRead=True)["Items"]


def test_by_default_the_check_compares_content_and_writes_nothing(aws, module_runner):
    _global_table(aws)
    mark = aws.control.last_seq()
    result = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 20}, region="us-west-2")
    assert not result.get("failed"), result
    assert result["ok"] is True and result["changed"] is False
    assert result["counts"] == {"us-west-2": 3, "us-east-1": 3}
    assert result["digests"]["us-west-2"] == result["digests"]["us-east-1"]
    assert result["differences"] == {} and result["canary_seen"] == {} and "canary_key" not in result
    assert _data_writes(aws, mark) == []  # not a single write, data plane included


def test_a_changed_item_with_equal_counts_is_caught_and_named(aws, module_runner):
    ddb = _global_table(aws)
    aws.control.post("dynamodb/drop-replication", {"table": TABLE, "region": "us-east-1", "count": 1})
    mysfit = MYSFITS[0]["MysfitId"]["S"]
    ddb.update_item(TableName=TABLE, Key={"MysfitId": {"S": mysfit}}, UpdateExpression="SET Likes = :l",
                    ExpressionAttributeValues={":l": {"N": "7"}})
    result = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 2, "fail_on_mismatch": False},
                           region="us-west-2")
    assert not result.get("failed"), result
    assert result["ok"] is False and result["counts"] == {"us-west-2": 3, "us-east-1": 3}
    assert result["differences"] == {"us-east-1": {"missing": [], "extra": [], "different": [mysfit]}}
    assert result["digests"]["us-west-2"] != result["digests"]["us-east-1"]
    assert "us-east-1: 1 different (%s)" % mysfit in result["msg"]


def test_a_dropped_write_is_caught_and_named(aws, module_runner):
    ddb = _global_table(aws)
    aws.control.post("dynamodb/drop-replication", {"table": TABLE, "region": "us-east-1", "count": 1})
    late = dict(MYSFITS[3])
    ddb.put_item(TableName=TABLE, Item=late)
    result = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 2}, region="us-west-2")
    assert result["failed"] and result["ok"] is False
    assert "us-east-1=3, us-west-2=4" in result["msg"]
    assert "1 missing (%s)" % late["MysfitId"]["S"] in result["msg"]
    relaxed = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 2, "fail_on_mismatch": False},
                            region="us-west-2")
    assert not relaxed.get("failed") and relaxed["ok"] is False


def test_replication_lag_is_tolerated_by_reading_again(aws, module_runner):
    ddb = _global_table(aws)
    # the write reaches us-east-1 late: dropped there, then written there by hand while the module re-reads
    aws.control.post("dynamodb/drop-replication", {"table": TABLE, "region": "us-east-1", "count": 1})
    ddb.put_item(TableName=TABLE, Item=MYSFITS[3])

    def arrive():
        time.sleep(1.5)
        aws.client("dynamodb", "us-east-1").put_item(TableName=TABLE, Item=MYSFITS[3])
    threading.Thread(target=arrive).start()
    result = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 30}, region="us-west-2")
    assert not result.get("failed"), result
    assert result["counts"] == {"us-west-2": 4, "us-east-1": 4}


def test_the_canary_only_when_asked_and_shaped_as_the_apps_items(aws, module_runner):
    _global_table(aws)
    mark = aws.control.last_seq()
    result = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 20, "canary": True}, region="us-west-2")
    assert not result.get("failed"), result
    assert result["ok"] is True and result["changed"] is False
    assert list(result["canary_seen"]) == ["us-east-1"]  # replica regions from DescribeTable
    assert _data_writes(aws, mark) == [("us-west-2", "PutItem"), ("us-west-2", "DeleteItem")]
    assert aws.control.mutating_calls(since=mark) == []  # no control-plane change
    for region in ("us-west-2", "us-east-1"):
        assert len(_items(aws, region)) == 3


def test_a_canary_left_behind_by_a_killed_run_is_removed_by_the_next_run(aws, module_runner):
    _global_table(aws)
    # the run dies between the write and the delete: every DeleteItem fails
    aws.control.set_faults([{"service": "dynamodb", "operation": "DeleteItem", "rate": 1.0, "error": "http500"}])
    died = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 20, "canary": True}, region="us-west-2")
    assert died.get("failed")
    aws.control.set_faults([])
    for region in ("us-west-2", "us-east-1"):
        left = [i for i in _items(aws, region) if "mm_canary" in i]
        assert len(left) == 1, region
    canary = left[0]
    # shaped as the app's items: every attribute the workshop app reads, of the same type, and the marker
    shape = {name: next(iter(value)) for name, value in MYSFITS[0].items()}
    assert {n: next(iter(v)) for n, v in canary.items() if n != "mm_canary"} == shape
    assert canary["mm_canary"]["S"].startswith("mysfits.multi_region ")
    assert canary["MysfitId"]["S"].startswith("mm-canary-")

    check = module_runner("ddb_replica_check", {"name": TABLE}, region="us-west-2", check=True, diff=True)
    assert check["changed"] is True and check["leftover_canaries"] == [{"MysfitId": canary["MysfitId"]}]
    assert check["diff"]["after"] == {"canary_items": []}
    assert len(_items(aws, "us-west-2")) == 4  # check mode: reported only

    mark = aws.control.last_seq()
    result = module_runner("ddb_replica_check", {"name": TABLE, "timeout": 20}, region="us-west-2")
    assert not result.get("failed"), result
    assert result["changed"] is True and result["leftover_canaries"] == [{"MysfitId": canary["MysfitId"]}]
    assert result["counts"] == {"us-west-2": 3, "us-east-1": 3}  # the canary is not application data
    assert _data_writes(aws, mark) == [("us-west-2", "DeleteItem")]
    for region in ("us-west-2", "us-east-1"):
        assert [i for i in _items(aws, region) if "mm_canary" in i] == [], region
        assert len(_items(aws, region)) == 3
    again = module_runner("ddb_replica_check", {"name": TABLE}, region="us-west-2")
    assert again["changed"] is False and again["leftover_canaries"] == []


def test_check_mode_reads_only(aws, module_runner):
    _global_table(aws)
    mark = aws.control.last_seq()
    result = module_runner("ddb_replica_check", {"name": TABLE, "canary": True}, region="us-west-2", check=True)
    assert result["ok"] is True and result["canary_seen"] == {}
    assert _data_writes(aws, mark) == []


def test_missing_table_names_the_option(aws, module_runner):
    result = module_runner("ddb_replica_check", {"name": "Nope"}, region="us-west-2")
    assert result["failed"] and "name option" in result["msg"]


def test_bad_canary_attributes_fail_before_any_write(aws, module_runner):
    _global_table(aws)
    mark = aws.control.last_seq()
    result = module_runner("ddb_replica_check", {"name": TABLE, "canary": True,
                                                 "canary_attributes": {"Name": "plain"}}, region="us-west-2")
    assert result["failed"] and "canary_attributes.Name" in result["msg"]
    key = module_runner("ddb_replica_check", {"name": TABLE, "canary": True,
                                              "canary_attributes": {"MysfitId": {"S": "x"}}}, region="us-west-2")
    assert key["failed"] and "key attribute(s) MysfitId" in key["msg"]
    assert _data_writes(aws, mark) == []


def test_a_region_without_the_table_is_a_failed_verdict_not_an_error(aws, module_runner):
    _global_table(aws)
    result = module_runner("ddb_replica_check", {"name": TABLE, "replica_regions": ["us-east-1", "eu-west-1"],
                                                 "fail_on_mismatch": False}, region="us-west-2")
    assert not result.get("failed"), result
    assert result["ok"] is False and "no replica of CheckTable in eu-west-1" in result["msg"]

"""ddb_global_replica against the emulator: replicas of an existing table, with the call log as witness."""
import pytest
from botocore.exceptions import ClientError

PRIMARY = "us-west-2"
TABLE = "MythicalMysfits-DDBTable"
UPGRADE_DOC = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_upgrade.html"


def make_table(aws, region=PRIMARY, stream=None, billing="PAY_PER_REQUEST", items=3):
    ddb = aws.client("dynamodb", region)
    kwargs = {}
    if billing == "PAY_PER_REQUEST":
        kwargs["BillingMode"] = "PAY_PER_REQUEST"
    else:
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    ddb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "MysfitId", "AttributeType": "S"}], **kwargs)
    for n in range(items):
        ddb.put_item(TableName=TABLE, Item={"MysfitId": {"S": "m-%d" % n}, "Name": {"S": "Mysfit %d" % n}})
    return ddb


def items(aws, region):
    return sorted(i["MysfitId"]["S"] for i in aws.client("dynamodb", region).scan(TableName=TABLE)["Items"])


def mutating(aws, since):
    return aws.control.mutating_calls(since)


def replicas_of(result):
    return {r["region_name"]: r["replica_status"] for r in result["replicas"]}


def run(module_runner, **args):
    args.setdefault("name", TABLE)
    return module_runner("ddb_global_replica", args, region=PRIMARY)


def test_fresh_table_gets_an_active_replica_with_its_data_and_a_rerun_changes_nothing(aws, module_runner):
    make_table(aws)
    result = run(module_runner, replica_regions=["us-east-1"])
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert replicas_of(result)["us-east-1"] == "ACTIVE"
    assert result["global_table_version"] == "2019.11.21"
    assert result["stream_view_type"] == "NEW_AND_OLD_IMAGES" and result["stream_arn"]
    assert items(aws, "us-east-1") == items(aws, PRIMARY) == ["m-0", "m-1", "m-2"]

    since = aws.control.last_seq()
    again = run(module_runner, replica_regions=["us-east-1"])
    assert not again.get("failed"), again
    assert again["changed"] is False
    assert mutating(aws, since) == []
    # Nothing to do: the one DescribeTable is the state returned, not read a second time.
    assert [c["operation"] for c in aws.control.calls(since)] == ["DescribeTable"]
    assert again["table_status"] == "ACTIVE" and replicas_of(again)["us-east-1"] == "ACTIVE"


def test_check_mode_reports_the_change_and_makes_no_mutating_call(aws, module_runner):
    make_table(aws)
    since = aws.control.last_seq()
    result = module_runner("ddb_global_replica", {"name": TABLE, "replica_regions": ["us-east-1"]},
                           region=PRIMARY, check=True, diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert [op["action"] for op in result["operations"]] == ["enable_streams", "create_replica"]
    assert result["diff"]["before"]["replica_regions"] == []
    assert result["diff"]["after"]["replica_regions"] == ["us-east-1"]
    assert mutating(aws, since) == []
    assert "Replicas" not in aws.client("dynamodb").describe_table(TableName=TABLE)["Table"]


def test_check_mode_on_a_table_already_replicated_is_unchanged(aws, module_runner):
    make_table(aws)
    assert not run(module_runner, replica_regions=["us-east-1"]).get("failed")
    since = aws.control.last_seq()
    result = module_runner("ddb_global_replica", {"name": TABLE, "replica_regions": ["us-east-1"]},
                           region=PRIMARY, check=True)
    assert result["changed"] is False and result["operations"] == []
    assert mutating(aws, since) == []


def test_streams_off_are_turned_on_before_the_replica(aws, module_runner):
    make_table(aws)
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=["us-east-1"])
    assert not result.get("failed"), result
    spec = aws.client("dynamodb").describe_table(TableName=TABLE)["Table"]["StreamSpecification"]
    assert spec == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    updates = [c for c in mutating(aws, since) if c["operation"] == "UpdateTable"]
    # one UpdateTable for the stream, one for the replica, both accepted
    assert [c["status"] for c in updates] == [200, 200]


def test_stream_with_another_view_type_is_refused_without_a_mutating_call(aws, module_runner):
    make_table(aws, stream="KEYS_ONLY")
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=["us-east-1"])
    assert result.get("failed")
    assert "KEYS_ONLY" in result["msg"] and "NEW_AND_OLD_IMAGES" in result["msg"]
    assert mutating(aws, since) == []
    spec = aws.client("dynamodb").describe_table(TableName=TABLE)["Table"]["StreamSpecification"]
    assert spec["StreamViewType"] == "KEYS_ONLY"


def test_legacy_global_table_is_refused_with_the_upgrade_path(aws, module_runner):
    for region in (PRIMARY, "us-east-1"):
        make_table(aws, region=region, stream="NEW_AND_OLD_IMAGES", items=0)
    aws.client("dynamodb").create_global_table(
        GlobalTableName=TABLE, ReplicationGroup=[{"RegionName": PRIMARY}, {"RegionName": "us-east-1"}])
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=["eu-west-1"])
    assert result.get("failed")
    assert "2017.11.29" in result["msg"] and UPGRADE_DOC in result["msg"]
    assert mutating(aws, since) == []


@pytest.mark.parametrize("region,words", [
    (PRIMARY, "own region"),
    ("us-west-9", "not a DynamoDB region"),
    ("useast1", "not an AWS region name"),
])
def test_bad_replica_region_is_refused_before_any_mutating_call(aws, module_runner, region, words):
    make_table(aws)
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=[region])
    assert result.get("failed")
    assert words in result["msg"] and "replica_regions" in result["msg"]
    assert mutating(aws, since) == []


def test_provisioned_table_without_write_autoscaling_is_refused(aws, module_runner):
    make_table(aws, billing="PROVISIONED")
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=["us-east-1"])
    assert result.get("failed")
    assert "auto scaling" in result["msg"] and "table/%s" % TABLE in result["msg"]
    assert result["table_status"] == "ACTIVE" and result["problems"]  # refused, not missing
    assert mutating(aws, since) == []


def test_missing_table_fails_with_a_null_table_status(aws, module_runner):
    result = module_runner("ddb_global_replica", {"name": "NoSuchTable", "replica_regions": ["us-east-1"]},
                           region=PRIMARY, check=True)
    assert result.get("failed") and "does not exist" in result["msg"], result
    assert "table_status" in result and result["table_status"] is None


def test_provisioned_table_with_write_autoscaling_gets_its_replica(aws, module_runner):
    make_table(aws, billing="PROVISIONED")
    scaling = aws.client("application-autoscaling")
    resource = "table/%s" % TABLE
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=resource, MinCapacity=5,
                                     MaxCapacity=50, ScalableDimension="dynamodb:table:WriteCapacityUnits")
    scaling.put_scaling_policy(
        PolicyName="writes", ServiceNamespace="dynamodb", ResourceId=resource,
        ScalableDimension="dynamodb:table:WriteCapacityUnits", PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"}})
    result = run(module_runner, replica_regions=["us-east-1"])
    assert not result.get("failed"), result
    assert replicas_of(result)["us-east-1"] == "ACTIVE"


def test_replica_already_creating_is_waited_on_not_created_again(aws, module_runner):
    make_table(aws, stream="NEW_AND_OLD_IMAGES")
    aws.control.set_timing(replica_create_seconds=15)  # outlasts ansible-playbook start-up
    aws.client("dynamodb").update_table(TableName=TABLE, ReplicaUpdates=[{"Create": {"RegionName": "us-east-1"}}])
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=["us-east-1"])
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert [op["action"] for op in result["operations"]] == ["wait_active"]
    assert replicas_of(result)["us-east-1"] == "ACTIVE"
    assert mutating(aws, since) == []


def test_two_regions_are_added_one_operation_at_a_time(aws, module_runner):
    make_table(aws, stream="NEW_AND_OLD_IMAGES")
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=["us-east-1", "eu-west-1"])
    assert not result.get("failed"), result
    assert replicas_of(result) == {PRIMARY: "ACTIVE", "us-east-1": "ACTIVE", "eu-west-1": "ACTIVE"}
    updates = [c for c in mutating(aws, since) if c["operation"] == "UpdateTable"]
    # AWS (and the emulator) refuse a replica operation while another one runs: both accepted means
    # the module waited for the first before it sent the second.
    assert [c["status"] for c in updates] == [200, 200]
    assert items(aws, "eu-west-1") == items(aws, "us-east-1") == items(aws, PRIMARY)


def test_wait_false_starts_the_first_replica_and_leaves_the_rest_for_a_later_run(aws, module_runner):
    make_table(aws, stream="NEW_AND_OLD_IMAGES")
    aws.control.set_timing(replica_create_seconds=3)
    started = run(module_runner, replica_regions=["us-east-1", "eu-west-1"], wait=False)
    assert not started.get("failed"), started
    assert started["changed"] is True
    assert started["pending_operations"] == [{"action": "create_replica", "region": "eu-west-1"}]
    assert replicas_of(started)["us-east-1"] == "CREATING"
    assert "eu-west-1" not in replicas_of(started)

    finished = run(module_runner, replica_regions=["us-east-1", "eu-west-1"])
    assert not finished.get("failed"), finished
    assert finished["changed"] is True
    assert [op["action"] for op in finished["operations"]][-1] == "create_replica"
    assert replicas_of(finished) == {PRIMARY: "ACTIVE", "us-east-1": "ACTIVE", "eu-west-1": "ACTIVE"}


def test_absent_removes_the_replica_and_leaves_the_table_and_its_items(aws, module_runner):
    make_table(aws)
    assert not run(module_runner, replica_regions=["us-east-1"]).get("failed")
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=["us-east-1"], state="absent")
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert "us-east-1" not in replicas_of(result)
    assert not [c for c in mutating(aws, since) if c["operation"] == "DeleteTable"]
    assert aws.client("dynamodb").describe_table(TableName=TABLE)["Table"]["TableStatus"] == "ACTIVE"
    assert items(aws, PRIMARY) == ["m-0", "m-1", "m-2"]
    with pytest.raises(ClientError) as caught:
        aws.client("dynamodb", "us-east-1").describe_table(TableName=TABLE)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_absent_never_deletes_the_table_in_its_own_region(aws, module_runner):
    make_table(aws)
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=[PRIMARY], state="absent")
    assert result.get("failed") and "own region" in result["msg"]
    assert mutating(aws, since) == []
    assert items(aws, PRIMARY) == ["m-0", "m-1", "m-2"]


# ---------------------------------------------------------------------------------------------- issue 14, item 7

def test_a_replica_that_cannot_become_active_ends_the_wait_with_its_meaning(aws, module_runner):
    make_table(aws, stream="NEW_AND_OLD_IMAGES")
    aws.control.post("dynamodb/replica-status", {"table": TABLE, "region": "us-east-1", "status": "REGION_DISABLED",
                                                  "on": "create"})
    result = run(module_runner, replica_regions=["us-east-1"], wait_timeout=120)
    assert result.get("failed"), result
    assert "REGION_DISABLED" in result["msg"] and "enable the region" in result["msg"], result["msg"]
    assert "Timed out" not in result["msg"]
    assert result["replica_status"] == "REGION_DISABLED"
    # A second run refuses it before any change, with the same meaning.
    since = aws.control.last_seq()
    again = run(module_runner, replica_regions=["us-east-1"])
    assert again.get("failed") and "REGION_DISABLED" in again["msg"]
    assert mutating(aws, since) == []


def _cmk_table(aws):
    key = aws.client("kms", PRIMARY).create_key(Description="table key")["KeyMetadata"]["Arn"]
    ddb = aws.client("dynamodb", PRIMARY)
    ddb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "MysfitId", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
    replica_kms = aws.client("kms", "us-east-1")
    replica_key = replica_kms.create_key(Description="replica key")["KeyMetadata"]
    replica_kms.create_alias(AliasName="alias/mysfits-replica", TargetKeyId=replica_key["KeyId"])
    return replica_key["Arn"]


def test_cmk_table_without_replica_key_is_refused_before_any_change(aws, module_runner):
    _cmk_table(aws)
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=["us-east-1"])
    assert result.get("failed"), result
    assert "customer managed" in result["msg"] and "replica_kms_keys" in result["msg"] and "us-east-1" in result["msg"]
    assert mutating(aws, since) == []


def test_cmk_table_replica_is_created_with_the_key_given_for_its_region(aws, module_runner):
    key_arn = _cmk_table(aws)
    args = {"replica_regions": ["us-east-1"], "replica_kms_keys": {"us-east-1": "alias/mysfits-replica"}}
    since = aws.control.last_seq()
    checked = module_runner("ddb_global_replica", dict(args, name=TABLE), region=PRIMARY, check=True)
    assert not checked.get("failed"), checked
    assert {"action": "create_replica", "region": "us-east-1", "kms_key": "alias/mysfits-replica"} in checked["operations"]
    assert mutating(aws, since) == []
    result = run(module_runner, **args)
    assert not result.get("failed"), result
    replica = [r for r in result["replicas"] if r["region_name"] == "us-east-1"][0]
    assert replica["replica_status"] == "ACTIVE" and replica["kms_master_key_id"] == key_arn
    assert run(module_runner, **args)["changed"] is False


def test_replica_key_missing_in_its_region_is_refused_before_any_change(aws, module_runner):
    _cmk_table(aws)
    since = aws.control.last_seq()
    result = run(module_runner, replica_regions=["us-east-1"], replica_kms_keys={"us-east-1": "alias/nope"})
    assert result.get("failed") and "replica_kms_keys[us-east-1]" in result["msg"], result
    assert mutating(aws, since) == []


def test_legacy_check_in_a_region_without_the_legacy_version_is_not_an_error(aws, module_runner):
    make_table(aws, region="eu-west-3")
    result = module_runner("ddb_global_replica", {"name": TABLE, "replica_regions": ["eu-west-1"]},
                           region="eu-west-3")
    assert not result.get("failed"), result
    assert replicas_of(result)["eu-west-1"] == "ACTIVE"
    assert "DescribeGlobalTable" in [c["operation"] for c in aws.control.calls() if c["region"] == "eu-west-3"]

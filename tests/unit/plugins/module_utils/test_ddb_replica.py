"""The replica plan: DescribeTable's answer + the wanted replicas -> ordered operations, or every reason to refuse."""
import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import ddb_replica as p

KNOWN = {"us-west-2", "us-east-1", "eu-west-1", "af-south-1", "ap-southeast-2"}


def table(status="ACTIVE", replicas=(), stream=None, billing="PAY_PER_REQUEST", version=None):
    t = {"TableName": "Mysfits", "TableStatus": status,
         "TableArn": "arn:aws:dynamodb:us-west-2:123456789012:table/Mysfits"}
    if billing:
        t["BillingModeSummary"] = {"BillingMode": billing}
    if stream:
        t["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    if replicas:
        t["Replicas"] = [{"RegionName": r, "ReplicaStatus": s} for r, s in replicas]
        t["GlobalTableVersion"] = "2019.11.21"
    if version:
        t["GlobalTableVersion"] = version
    return t


def plan(t, regions, **kw):
    kw.setdefault("known_regions", KNOWN)
    return p.plan_replicas(t, "us-west-2", regions, **kw)


def actions(ops):
    return [(o["action"], o.get("region")) for o in ops]


def problems(t, regions, **kw):
    with pytest.raises(p.PlanError) as caught:
        plan(t, regions, **kw)
    return caught.value.problems


# present
def test_fresh_table_without_stream_gets_stream_then_replica():
    assert actions(plan(table(), ["us-east-1"])) == [("enable_streams", None), ("create_replica", "us-east-1")]


def test_stream_already_new_and_old_images_is_kept():
    assert actions(plan(table(stream="NEW_AND_OLD_IMAGES"), ["us-east-1"])) == [("create_replica", "us-east-1")]


def test_active_replica_means_nothing_to_do():
    t = table(stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", "ACTIVE")])
    ops = plan(t, ["us-east-1"])
    assert ops == [] and not p.is_change(ops)


def test_creating_replica_is_waited_on_not_created_again():
    t = table(stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", "CREATING")])
    ops = plan(t, ["us-east-1"])
    assert actions(ops) == [("wait_active", "us-east-1")]
    assert not p.is_change(ops)


def test_creating_replica_blocks_the_next_creation():
    t = table(status="UPDATING", stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", "CREATING")])
    assert actions(plan(t, ["us-east-1", "eu-west-1"])) == [("wait_active", "us-east-1"), ("create_replica", "eu-west-1")]


def test_two_regions_one_operation_each_in_the_given_order():
    assert actions(plan(table(stream="NEW_AND_OLD_IMAGES"), ["eu-west-1", "us-east-1", "eu-west-1"])) == [
        ("create_replica", "eu-west-1"), ("create_replica", "us-east-1")]


def test_unlisted_replicas_are_kept_without_purge_and_deleted_with_purge():
    t = table(stream="NEW_AND_OLD_IMAGES", replicas=[("eu-west-1", "ACTIVE")])
    assert actions(plan(t, ["us-east-1"])) == [("create_replica", "us-east-1")]
    assert actions(plan(t, ["us-east-1"], purge=True)) == [("create_replica", "us-east-1"), ("delete_replica", "eu-west-1")]


def test_unrelated_transition_is_only_waited_on_when_something_must_change():
    t = table(status="UPDATING", stream="NEW_AND_OLD_IMAGES",
              replicas=[("eu-west-1", "CREATING"), ("us-east-1", "ACTIVE")])
    assert plan(t, ["us-east-1"]) == []
    assert actions(plan(t, ["us-east-1", "ap-southeast-2"])) == [("wait_active", "eu-west-1"), ("create_replica", "ap-southeast-2")]


def test_wanted_replica_being_deleted_is_waited_away_then_created():
    t = table(status="UPDATING", stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", "DELETING")])
    assert actions(plan(t, ["us-east-1"])) == [("wait_gone", "us-east-1"), ("create_replica", "us-east-1")]


def test_own_region_listed_in_replicas_is_ignored():
    t = table(stream="NEW_AND_OLD_IMAGES", replicas=[("us-west-2", "ACTIVE"), ("us-east-1", "ACTIVE")])
    assert plan(t, ["us-east-1"], purge=True) == []
    assert p.current_replicas(t, "us-west-2") == {"us-east-1": "ACTIVE"}


def test_streams_off_and_enable_streams_false_is_refused():
    (problem,) = problems(table(), ["us-east-1"], enable_streams=False)
    assert "enable_streams=true" in problem


def test_stream_with_other_view_type_is_refused():
    (problem,) = problems(table(stream="KEYS_ONLY"), ["us-east-1"])
    assert "KEYS_ONLY" in problem and "NEW_AND_OLD_IMAGES" in problem and "consumers" in problem


def test_no_stream_needed_when_no_replica_is_wanted():
    assert plan(table(), [], purge=True) == []


# refusals
def test_legacy_global_table_is_refused_with_the_upgrade_path():
    for kw in ({"legacy": True}, {}):
        t = table(version="2017.11.29") if not kw else table()
        (problem,) = problems(t, ["us-east-1"], **kw)
        assert "2017.11.29" in problem and p.UPGRADE_DOC in problem


def test_own_region_is_refused_in_both_states():
    for state in ("present", "absent"):
        (problem,) = problems(table(stream="NEW_AND_OLD_IMAGES"), ["us-west-2"], state=state)
        assert "us-west-2" in problem and "own region" in problem and "replica_regions" in problem


@pytest.mark.parametrize("bad", ["useast1", "US-EAST-1", "us-east", "", "us_east_1", "us-east-1a"])
def test_malformed_region_is_refused(bad):
    (problem,) = problems(table(stream="NEW_AND_OLD_IMAGES"), [bad])
    assert "not an AWS region name" in problem and "replica_regions" in problem


def test_well_formed_but_unknown_region_is_refused():
    (problem,) = problems(table(stream="NEW_AND_OLD_IMAGES"), ["us-west-9"])
    assert "us-west-9" in problem and "botocore" in problem


def test_opt_in_region_in_the_partition_list_is_accepted():
    assert actions(plan(table(stream="NEW_AND_OLD_IMAGES"), ["af-south-1"])) == [("create_replica", "af-south-1")]


def test_without_a_region_list_only_syntax_is_checked():
    assert actions(plan(table(stream="NEW_AND_OLD_IMAGES"), ["us-west-9"], known_regions=None)) == [
        ("create_replica", "us-west-9")]


@pytest.mark.parametrize("region", ["us-gov-west-1", "cn-north-1", "us-isob-east-1", "ap-southeast-4"])
def test_region_syntax_accepts_every_partition(region):
    assert p.valid_region_syntax(region)


def test_provisioned_without_write_autoscaling_is_refused():
    for billing in ("PROVISIONED", None):  # no BillingModeSummary means provisioned
        (problem,) = problems(table(billing=billing, stream="NEW_AND_OLD_IMAGES"), ["us-east-1"],
                              unscaled_writes=["table/Mysfits", "table/Mysfits/index/ByName"])
        assert "auto scaling" in problem and "PAY_PER_REQUEST" in problem
        assert "table/Mysfits, table/Mysfits/index/ByName" in problem


def test_provisioned_with_write_autoscaling_is_accepted():
    t = table(billing="PROVISIONED", stream="NEW_AND_OLD_IMAGES")
    assert actions(plan(t, ["us-east-1"], unscaled_writes=[])) == [("create_replica", "us-east-1")]


def test_provisioned_without_autoscaling_may_still_delete():
    t = table(billing="PROVISIONED", stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", "ACTIVE")])
    assert actions(plan(t, ["us-east-1"], state="absent", unscaled_writes=["table/Mysfits"])) == [
        ("delete_replica", "us-east-1")]


@pytest.mark.parametrize("status", ["CREATING", "DELETING", "UPDATING", "ARCHIVED", "INACCESSIBLE_ENCRYPTION_CREDENTIALS"])
def test_table_not_active_is_refused(status):
    (problem,) = problems(table(status=status, stream="NEW_AND_OLD_IMAGES"), ["us-east-1"])
    assert status in problem and "ACTIVE" in problem


def test_every_problem_is_reported_at_once():
    found = problems(table(status="CREATING", stream="KEYS_ONLY", version="2017.11.29"), ["us-west-2", "nowhere"])
    assert len(found) == 5


def test_failed_replica_is_refused_with_the_way_out():
    t = table(stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", "CREATION_FAILED")])
    (problem,) = problems(t, ["us-east-1"])
    assert "CREATION_FAILED" in problem and "state=absent" in problem
    assert actions(plan(t, ["us-east-1"], state="absent")) == [("delete_replica", "us-east-1")]


# absent
def test_absent_deletes_only_the_named_replicas():
    t = table(stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", "ACTIVE"), ("eu-west-1", "ACTIVE")])
    assert actions(plan(t, ["us-east-1"], state="absent")) == [("delete_replica", "us-east-1")]


def test_absent_of_missing_replica_is_nothing():
    assert plan(table(stream="NEW_AND_OLD_IMAGES"), ["us-east-1"], state="absent") == []


def test_absent_never_turns_streams_on():
    assert plan(table(), ["us-east-1"], state="absent") == []


def test_absent_waits_for_a_creating_replica_before_deleting_it():
    t = table(status="UPDATING", stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", "CREATING")])
    assert actions(plan(t, ["us-east-1"], state="absent")) == [("wait_active", "us-east-1"), ("delete_replica", "us-east-1")]


def test_absent_of_a_replica_already_deleting_waits_without_change():
    t = table(status="UPDATING", stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", "DELETING")])
    ops = plan(t, ["us-east-1"], state="absent")
    assert actions(ops) == [("wait_gone", "us-east-1")] and not p.is_change(ops)


# helpers
def test_arn_gives_region_and_name():
    assert p.table_region_from_arn("arn:aws:dynamodb:eu-west-1:123456789012:table/Mysfits") == ("eu-west-1", "Mysfits")
    assert p.table_region_from_arn("Mysfits") == (None, "Mysfits")


def test_diff_shows_replica_set_and_stream_before_and_after():
    t = table(replicas=[("eu-west-1", "ACTIVE")], stream=None)
    t.pop("StreamSpecification", None)
    ops = [{"action": "enable_streams"}, {"action": "create_replica", "region": "us-east-1"},
           {"action": "delete_replica", "region": "eu-west-1"}]
    assert p.diff_state(t, "us-west-2", ops) == {
        "before": {"replica_regions": ["eu-west-1"], "stream_view_type": None},
        "after": {"replica_regions": ["us-east-1"], "stream_view_type": "NEW_AND_OLD_IMAGES"},
    }


# states waiting cannot end (DynamoDB API Reference, ReplicaDescription.ReplicaStatus)

def test_every_status_of_the_api_is_either_waited_on_or_explained():
    import botocore.session
    model = botocore.session.get_session().get_service_model("dynamodb")
    statuses = set(model.shape_for("ReplicaStatus").enum)
    handled = set(p.STUCK_STATES) | {"ACTIVE", "DELETING"} | set(p.TRANSITIONAL)
    assert statuses <= handled, statuses - handled


@pytest.mark.parametrize("status,words", [
    ("REGION_DISABLED", "enable the region"),
    ("INACCESSIBLE_ENCRYPTION_CREDENTIALS", "KMS key"),
    ("CREATION_FAILED", "state=absent"),
    ("ARCHIVED", "archival backup"),
    ("ARCHIVING", "seven days"),
    ("REPLICATION_NOT_AUTHORIZED", "resource-based policy"),
])
def test_wanted_replica_in_a_state_waiting_cannot_end_is_refused_with_its_meaning(status, words):
    t = table(stream="NEW_AND_OLD_IMAGES", replicas=[("us-east-1", status)])
    (problem,) = problems(t, ["us-east-1"])
    assert status in problem and words in problem and "us-east-1" in problem


def test_stuck_message_carries_aws_description_and_is_none_for_waitable_states():
    message = p.stuck_message("T", "eu-west-1", "INACCESSIBLE_ENCRYPTION_CREDENTIALS", "key disabled")
    assert "key disabled" in message and "eu-west-1" in message and "Waiting does not change that" in message
    assert all(p.stuck_message("T", "eu-west-1", s) is None for s in ("ACTIVE", "CREATING", "UPDATING", "DELETING"))


def test_stuck_replica_of_another_region_blocks_nothing():
    t = table(stream="NEW_AND_OLD_IMAGES", replicas=[("eu-west-1", "REGION_DISABLED")])
    assert actions(plan(t, ["us-east-1"])) == [("create_replica", "us-east-1")]


# customer managed KMS keys
def cmk_table(**kw):
    t = table(stream="NEW_AND_OLD_IMAGES", **kw)
    t["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS",
                           "KMSMasterKeyArn": "arn:aws:kms:us-west-2:123456789012:key/1111"}
    return t


def test_table_kms_key_is_read_from_sse_description():
    assert p.table_kms_key(cmk_table()) == "arn:aws:kms:us-west-2:123456789012:key/1111"
    assert p.table_kms_key(table()) is None


def test_cmk_table_without_a_key_for_a_new_replica_is_refused_naming_the_option():
    (problem,) = problems(cmk_table(), ["us-east-1", "eu-west-1"], replica_kms_keys={"us-east-1": "alias/k"},
                          customer_managed_key=True)
    assert "replica_kms_keys" in problem and "eu-west-1" in problem and "us-east-1:" not in problem


def test_cmk_table_gets_each_replica_created_with_its_key():
    ops = plan(cmk_table(), ["us-east-1", "eu-west-1"],
               replica_kms_keys={"us-east-1": "alias/k", "eu-west-1": "arn:aws:kms:eu-west-1:123456789012:key/2"},
               customer_managed_key=True)
    assert ops == [{"action": "create_replica", "region": "us-east-1", "kms_key": "alias/k"},
                   {"action": "create_replica", "region": "eu-west-1",
                    "kms_key": "arn:aws:kms:eu-west-1:123456789012:key/2"}]


def test_existing_replica_needs_no_key_and_keys_for_other_regions_are_ignored():
    t = cmk_table(replicas=[("us-east-1", "ACTIVE")])
    assert plan(t, ["us-east-1"], replica_kms_keys={"ap-southeast-2": "alias/k"}, customer_managed_key=True) == []


@pytest.mark.parametrize("keys,words", [
    ({"us-east-1": "arn:aws:kms:us-west-2:123456789012:key/1111"}, "own region"),
    ({"us-east-1": "alias/k", "us-west-2": "alias/t"}, "table's own region"),
    ({"us-east-1": " "}, "is empty"),
])
def test_bad_replica_keys_are_refused(keys, words):
    found = problems(cmk_table(), ["us-east-1"], replica_kms_keys=keys, customer_managed_key=True)
    assert any(words in problem for problem in found), found


def test_key_for_a_table_without_customer_managed_key_is_refused():
    (problem,) = problems(table(stream="NEW_AND_OLD_IMAGES"), ["us-east-1"], replica_kms_keys={"us-east-1": "alias/k"},
                          customer_managed_key=False)
    assert "not encrypted with a customer managed KMS key" in problem


def test_absent_ignores_replica_keys():
    t = cmk_table(replicas=[("us-east-1", "ACTIVE")])
    assert actions(plan(t, ["us-east-1"], state="absent", customer_managed_key=True)) == [
        ("delete_replica", "us-east-1")]


# legacy check
@pytest.mark.parametrize("message,expected", [
    ("One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not supported in this "
     "region 'eu-west-3'", True),
    ("One or more parameter values were invalid: DynamoDB global tables version 2017.11.29 is not supported. We "
     "recommend using DynamoDB global tables version 2019.11.21", True),
    ("1 validation error detected: Value 'x y' at 'globalTableName' failed to satisfy constraint", False),
    (None, False),
])
def test_legacy_not_supported_reads_only_that_validation_error(message, expected):
    assert p.legacy_not_supported(message) is expected

"""The replica check's reads (shared by ddb_global_replica and application_info's table_check), on stubbed
botocore clients answering as DynamoDB, Application Auto Scaling and KMS do: which reads it makes, the plan it
returns, and every refusal returned as data."""
import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.mysfits.multi_region.plugins.module_utils import common
from ansible_collections.mysfits.multi_region.plugins.module_utils import ddb_replica_api as api

REGION = "us-west-2"
SECONDARY = "us-east-1"


class Clients:
    """One stubbed client per (service, region), wrapped as common.aws_client wraps it (``aws_retry``); every
    response must be queued, every queued one used."""

    def __init__(self):
        self.stubs = {}

    def __call__(self, service, region):
        if (service, region) not in self.stubs:
            client = boto3.client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x")
            stub = Stubber(client)
            stub.activate()
            self.stubs[(service, region)] = stub
        return RetryingBotoClientWrapper(self.stubs[(service, region)].client, common.no_retry)

    def stub(self, service, region=REGION):
        self(service, region)
        return self.stubs[(service, region)]

    def verify(self):
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


@pytest.fixture
def clients():
    made = Clients()
    yield made
    made.verify()


def reads(clients, warnings=None):
    return api.TableReads(clients, REGION, "Mysfits", (warnings if warnings is not None else []).append)


def table(billing="PAY_PER_REQUEST", replicas=(), stream=None, version=None, sse=None):
    """DescribeTable's Table, as DynamoDB returns it."""
    t = {"TableName": "Mysfits", "TableStatus": "ACTIVE", "ItemCount": 12,
         "TableArn": "arn:aws:dynamodb:us-west-2:123456789012:table/Mysfits",
         "BillingModeSummary": {"BillingMode": billing}}
    if stream:
        t["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    if replicas:
        t["Replicas"] = [{"RegionName": r, "ReplicaStatus": s} for r, s in replicas]
    if version:
        t["GlobalTableVersion"] = version
    if sse:
        t["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": sse}
    return t


def test_missing_table_is_refused_as_data_without_a_call(clients):
    result = api.check_result(reads(clients), None, [SECONDARY])
    assert "does not exist" in result["msg"] and result["table_status"] is None
    assert "operations" not in result and "failed" not in result
    # nothing queued: any call would have raised botocore's UnStubbedResponseError (an AssertionError)


def test_bad_region_is_refused_before_any_read(clients):
    result = api.check_result(reads(clients), table(), ["us-east-one"])
    assert result["problems"] and "us-east-one" in result["msg"] and "replica_regions" in result["msg"]
    assert "operations" not in result


def test_fresh_table_reads_the_legacy_check_and_plans_stream_then_replica(clients):
    # DescribeGlobalTable for a table without GlobalTableVersion (API reference: GlobalTableNotFoundException
    # when the table is not a 2017.11.29 global table).
    clients.stub("dynamodb").add_client_error("describe_global_table", "GlobalTableNotFoundException",
                                              expected_params={"GlobalTableName": "Mysfits"})
    result = api.check_result(reads(clients), table(), [SECONDARY])
    assert result["changed"] is True
    assert [(o["action"], o.get("region")) for o in result["operations"]] == [
        ("enable_streams", None), ("create_replica", SECONDARY)]


def test_table_with_every_replica_makes_no_read(clients):
    current = table(replicas=[(SECONDARY, "ACTIVE")], stream="NEW_AND_OLD_IMAGES", version="2019.11.21")
    result = api.check_result(reads(clients), current, [SECONDARY])
    assert result["changed"] is False and result["operations"] == []
    # the only client made is the table's own, with nothing asked of it
    assert list(clients.stubs) == [("dynamodb", REGION)]


def test_provisioned_table_without_write_auto_scaling_is_refused_with_its_problems(clients):
    clients.stub("dynamodb").add_client_error("describe_global_table", "GlobalTableNotFoundException")
    clients.stub("application-autoscaling").add_response(
        "describe_scalable_targets", {"ScalableTargets": []},
        expected_params={"ServiceNamespace": "dynamodb", "ResourceIds": ["table/Mysfits"]})
    result = api.check_result(reads(clients), table(billing="PROVISIONED"), [SECONDARY])
    assert "operations" not in result
    assert result["table_status"] == "ACTIVE" and result["problems"]
    assert "auto scaling" in result["msg"].lower()


def test_access_denied_on_the_legacy_check_warns_and_goes_on(clients):
    clients.stub("dynamodb").add_client_error("describe_global_table", "AccessDeniedException")
    warnings = []
    result = api.check_result(reads(clients, warnings), table(stream="NEW_AND_OLD_IMAGES"), [SECONDARY])
    assert [o["action"] for o in result["operations"]] == ["create_replica"]
    assert len(warnings) == 1 and "DescribeGlobalTable" in warnings[0]


def test_aws_error_is_returned_with_its_code(clients):
    clients.stub("dynamodb").add_client_error("describe_global_table", "InternalServerError", http_status_code=400)
    result = api.check_result(reads(clients), table(), [SECONDARY])
    assert "legacy" in result["msg"] and "InternalServerError" in result["msg"]
    assert "operations" not in result


def test_customer_managed_key_without_a_replica_key_is_refused(clients):
    key = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    clients.stub("kms").add_response("describe_key", {"KeyMetadata": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
                                                                      "KeyManager": "CUSTOMER"}},
                                     expected_params={"KeyId": key})
    current = table(stream="NEW_AND_OLD_IMAGES", version="2019.11.21", sse=key)
    result = api.check_result(reads(clients), current, [SECONDARY])
    assert "operations" not in result and "replica_kms_keys" in result["msg"]

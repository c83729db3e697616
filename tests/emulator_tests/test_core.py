"""The emulator's own machinery: call log, fault injection, timing control, reset.

Faults are asserted in AWS's wire format as botocore parses it: the error code
botocore's retry handler recognises (``ThrottlingException`` for JSON services,
``Throttling`` for query services, ``SlowDown`` for S3) and the HTTP status.
"""
import botocore.exceptions
import pytest
from botocore.config import Config

NO_RETRY = Config(retries={"mode": "standard", "max_attempts": 1})


def test_call_log_records_region_service_operation_and_kind(aws):
    aws.client("dynamodb", "us-east-1").list_tables()
    aws.client("sts").get_caller_identity()
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="calllog-bucket", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.get_bucket_versioning(Bucket="calllog-bucket")
    aws.client("cloudwatch").put_dashboard(DashboardName="d", DashboardBody='{"widgets": []}')
    calls = aws.control.calls()
    summary = [(c["region"], c["service"], c["operation"], c["mutating"], c["status"]) for c in calls]
    assert summary == [
        ("us-east-1", "dynamodb", "ListTables", False, 200),
        ("us-west-2", "sts", "GetCallerIdentity", False, 200),
        ("us-west-2", "s3", "CreateBucket", True, 200),
        ("us-west-2", "s3", "GetBucketVersioning", False, 200),
        ("us-west-2", "cloudwatch", "PutDashboard", True, 200),
    ]
    assert [c["seq"] for c in calls] == sorted(c["seq"] for c in calls)


def test_call_log_separates_item_writes_from_control_plane(aws):
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName="t", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="t", Item={"k": {"S": "1"}})
    planes = {c["operation"]: c["plane"] for c in aws.control.calls()}
    assert planes == {"CreateTable": "control", "PutItem": "data"}
    assert [c["operation"] for c in aws.control.mutating_calls()] == ["CreateTable"]


def test_call_log_reset_and_since(aws):
    aws.client("sts").get_caller_identity()
    mark = aws.control.last_seq()
    aws.client("sts").get_caller_identity()
    assert len(aws.control.calls(since=mark)) == 1
    aws.control.reset_calls()
    assert aws.control.calls() == []


@pytest.mark.parametrize("service,call,code,status", [
    ("dynamodb", lambda c: c.list_tables(), "ThrottlingException", 400),
    ("cloudformation", lambda c: c.list_stacks(), "Throttling", 400),
    ("s3", lambda c: c.list_buckets(), "SlowDown", 503),
    ("cloudwatch", lambda c: c.list_dashboards(), "ThrottlingException", 400),
    ("codepipeline", lambda c: c.list_pipelines(), "ThrottlingException", 400),
])
def test_throttling_in_wire_format(aws, service, call, code, status):
    aws.control.set_faults([{"service": service, "rate": 1.0, "error": "throttling"}])
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(_no_retry(aws, service))
    err = raised.value.response
    assert err["Error"]["Code"] == code
    assert err["ResponseMetadata"]["HTTPStatusCode"] == status
    # botocore's standard retry mode classes it as throttling: the retry is not hand-written anywhere.
    from botocore.retries.standard import RetryContext, ThrottledRetryableChecker
    ctx = RetryContext(attempt_number=1, parsed_response=err, http_response=None, caught_exception=None)
    assert ThrottledRetryableChecker().is_retryable(ctx)


def _no_retry(aws, service):
    import boto3
    return boto3.client(service, region_name="us-west-2", endpoint_url=aws.endpoint, config=NO_RETRY,
                        aws_access_key_id="x", aws_secret_access_key="y")


def test_provisioned_throughput_and_5xx(aws):
    ddb = _no_retry(aws, "dynamodb")
    aws.control.set_faults([{"service": "dynamodb", "operation": "ListTables", "rate": 1.0,
                             "error": "provisioned_throughput"}])
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException):
        ddb.list_tables()
    for kind, status in (("http500", 500), ("http503", 503)):
        aws.control.set_faults([{"service": "dynamodb", "rate": 1.0, "error": kind}])
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            ddb.list_tables()
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    cfn = _no_retry(aws, "cloudformation")
    aws.control.set_faults([{"service": "cloudformation", "rate": 1.0, "error": "http500"}])
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        cfn.list_stacks()
    assert raised.value.response["Error"]["Code"] == "InternalFailure"


def test_faults_only_hit_the_named_operation(aws):
    aws.control.set_faults([{"service": "dynamodb", "operation": "DescribeTable", "rate": 1.0}])
    ddb = _no_retry(aws, "dynamodb")
    ddb.list_tables()  # not faulted
    with pytest.raises(botocore.exceptions.ClientError):
        ddb.describe_table(TableName="nope")
    injected = {(c["operation"], c["injected"]) for c in aws.control.calls()}
    assert injected == {("ListTables", None), ("DescribeTable", "throttling")}


def test_fault_sequence_is_reproducible_with_a_seed(aws):
    def run(seed):
        aws.control.set_faults([{"service": "sts", "rate": 0.5}], seed=seed)
        sts = _no_retry(aws, "sts")
        outcome = []
        for _ in range(30):
            try:
                sts.get_caller_identity()
                outcome.append(True)
            except botocore.exceptions.ClientError:
                outcome.append(False)
        return outcome
    first, second, other = run(7), run(7), run(8)
    assert first == second
    assert first != other
    assert 5 < first.count(False) < 25  # a share, not all or nothing


def test_botocore_retries_through_injected_faults(aws):
    """With retries on (standard mode), a 50 % throttled operation still succeeds."""
    import boto3
    aws.control.set_faults([{"service": "sts", "rate": 0.5}], seed=3)
    sts = boto3.client("sts", region_name="us-west-2", endpoint_url=aws.endpoint,
                       aws_access_key_id="x", aws_secret_access_key="y",
                       config=Config(retries={"mode": "standard", "max_attempts": 10}))
    for _ in range(5):
        assert sts.get_caller_identity()["Account"]
    assert aws.control.get("faults")["injected"] > 0


def test_bad_fault_rule_is_rejected(aws):
    with pytest.raises(RuntimeError, match="unknown error kind"):
        aws.control.set_faults([{"service": "sts", "rate": 0.5, "error": "boom"}])
    with pytest.raises(RuntimeError, match="rate"):
        aws.control.set_faults([{"service": "sts", "rate": 2}])


def test_timing_control(aws):
    before = aws.control.get("timing")
    after = aws.control.set_timing(stack_create_seconds=7)
    assert after["stack_create_seconds"] == 7
    assert {k: v for k, v in after.items() if k != "stack_create_seconds"} == \
        {k: v for k, v in before.items() if k != "stack_create_seconds"}
    with pytest.raises(RuntimeError, match="unknown timing keys"):
        aws.control.set_timing(warp_speed=1)
    aws.control.reset()
    assert aws.control.get("timing") == before  # back to the values given at start


def test_reset_empties_every_backend(aws):
    aws.client("s3").create_bucket(Bucket="reset-me", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    aws.control.reset()
    assert aws.client("s3").list_buckets()["Buckets"] == []


def test_faults_can_target_one_region(aws):
    """A rule with "region" answers only requests signed for that region (a region that does not answer)."""
    import boto3
    aws.control.set_faults([{"service": "dynamodb", "region": "eu-west-1", "rate": 1.0, "error": "http500"}])
    far = boto3.client("dynamodb", region_name="eu-west-1", endpoint_url=aws.endpoint, config=NO_RETRY,
                       aws_access_key_id="x", aws_secret_access_key="y")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        far.list_tables()
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    _no_retry(aws, "dynamodb").list_tables()  # us-west-2: not faulted
    calls = aws.control.calls()
    assert {(c["region"], c["injected"]) for c in calls} == {("eu-west-1", "http500"), ("us-west-2", None)}


@pytest.mark.parametrize("service,call,code,status", [
    # "Common Errors" of the API references: AccessDeniedException, HTTP 400
    # (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html).
    ("dynamodb", lambda c: c.list_tables(), "AccessDeniedException", 400),
    ("cloudformation", lambda c: c.list_stacks(), "AccessDeniedException", 400),
    # Amazon S3 "Error responses": AccessDenied, 403 Forbidden
    # (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
    ("s3", lambda c: c.list_buckets(), "AccessDenied", 403),
])
def test_access_denied_in_wire_format_is_not_retried(aws, service, call, code, status):
    import boto3
    aws.control.set_faults([{"service": service, "rate": 1.0, "error": "access_denied"}])
    client = boto3.client(service, region_name="us-west-2", endpoint_url=aws.endpoint,
                          config=Config(retries={"mode": "standard", "max_attempts": 5}),
                          aws_access_key_id="x", aws_secret_access_key="y")
    mark = aws.control.last_seq()
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(client)
    err = raised.value.response
    assert err["Error"]["Code"] == code
    assert err["ResponseMetadata"]["HTTPStatusCode"] == status
    # botocore's standard retry mode does not retry it: one request only.
    assert len(aws.control.calls(since=mark)) == 1

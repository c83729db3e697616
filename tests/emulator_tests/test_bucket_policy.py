"""Bucket policies are decided with their conditions, in the context of a request over TLS (ext/bucket_policy.py).

References:
- Amazon S3 user guide, "Bucket policy examples" (example-bucket-policies.html), "Managing access based on
  HTTP or HTTPS requests": a Deny with ``"Bool": {"aws:SecureTransport": "false"}`` refuses plain-HTTP
  requests only; requests over HTTPS are decided by the rest of the policy.
- IAM user guide, "AWS global condition context keys" (reference_policies_condition-keys.html),
  aws:SecureTransport: "whether the request was sent using TLS"; S3's endpoints answer over HTTPS.
- IAM user guide, "Policy evaluation logic": an explicit Deny that applies overrides any Allow.
- Amazon S3 API reference, DeleteObjects: HTTP 200, the objects not deleted listed under Errors (in quiet
  mode only those), each with Key, Code (e.g. AccessDenied) and Message.
"""
import json

import pytest

from tests.emulator.ext.bucket_policy import decide_bucket_policy

BUCKET = "codepipeline-us-east-1-123456789012-0a1b2c3d"
OBJECT = "arn:aws:s3:::%s/CorePipeline/BuildArtif/abc" % BUCKET
TLS_DENY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::%s" % BUCKET, "arn:aws:s3:::%s/*" % BUCKET],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def _policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_the_tls_deny_does_not_apply_to_requests_over_tls():
    assert decide_bucket_policy(_policy(TLS_DENY), "s3:DeleteObject", OBJECT) == "neutral"
    # The same statement without its condition denies everything.
    unconditional = {k: v for k, v in TLS_DENY.items() if k != "Condition"}
    assert decide_bucket_policy(_policy(unconditional), "s3:DeleteObject", OBJECT) == "deny"
    # Over plain HTTP (not what AWS's endpoints are) it would apply.
    assert decide_bucket_policy(_policy(TLS_DENY), "s3:DeleteObject", OBJECT,
                                {"aws:SecureTransport": "false"}) == "deny"


def test_an_unknown_condition_operator_makes_a_deny_apply():
    strange = dict(TLS_DENY, Condition={"NumericGreaterThanEqualsSometimes": {"s3:max-keys": "3"}})
    assert decide_bucket_policy(_policy(strange), "s3:DeleteObject", OBJECT) == "deny"


def _bucket_with_an_artifact(s3, policy):
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=BUCKET, Key="CorePipeline/BuildArtif/abc", Body=b"zip")
    s3.put_bucket_policy(Bucket=BUCKET, Policy=policy)
    versions = s3.list_object_versions(Bucket=BUCKET)["Versions"]
    return [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]


def test_a_bucket_with_the_tls_deny_can_be_emptied_and_deleted(aws):
    s3 = aws.client("s3", region="us-east-1")
    objects = _bucket_with_an_artifact(s3, _policy(TLS_DENY))
    answer = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": objects, "Quiet": True})
    assert not answer.get("Errors")
    assert "Versions" not in s3.list_object_versions(Bucket=BUCKET)
    s3.delete_bucket(Bucket=BUCKET)


def test_a_deny_that_applies_is_answered_under_errors(aws):
    s3 = aws.client("s3", region="us-east-1")
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::%s/*" % BUCKET}
    objects = _bucket_with_an_artifact(s3, _policy(deny))
    answer = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": objects, "Quiet": True})
    assert [(e["Key"], e["Code"]) for e in answer["Errors"]] == [("CorePipeline/BuildArtif/abc", "AccessDenied")]
    with pytest.raises(s3.exceptions.ClientError) as raised:
        s3.delete_bucket(Bucket=BUCKET)
    assert raised.value.response["Error"]["Code"] == "BucketNotEmpty"

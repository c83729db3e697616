"""delete_bucket: an artifact written while the bucket is emptied (a pipeline still running) is emptied again."""
from botocore.exceptions import ClientError

import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils.artifact_bucket import BucketEmptyError
from ansible_collections.mysfits.multi_region.plugins.module_utils.artifact_bucket import delete_bucket


class Paginator:
    def __init__(self, client):
        self.client = client

    def paginate(self, Bucket):
        # ListObjectVersions as S3 answers it: Versions and DeleteMarkers, each with Key and VersionId.
        yield {"Versions": [{"Key": k, "VersionId": "v1"} for k in sorted(self.client.objects)], "DeleteMarkers": []}


class FakeS3:
    def __init__(self, objects, late_writes, refused=()):
        self.objects = set(objects)
        self.refused = set(refused)  # keys DeleteObjects reports under Errors (a policy's Deny, object lock)
        self.late_writes = list(late_writes)  # written by a running pipeline after each emptying
        self.calls = []

    def get_paginator(self, name):
        assert name == "list_object_versions"
        self.calls.append("ListObjectVersions")
        return Paginator(self)

    def delete_objects(self, Bucket, Delete, aws_retry=False):
        self.calls.append("DeleteObjects")
        errors = []
        for item in Delete["Objects"]:
            if item["Key"] in self.refused:
                errors.append({"Key": item["Key"], "VersionId": item["VersionId"], "Code": "AccessDenied",
                               "Message": "Access Denied"})
            else:
                self.objects.discard(item["Key"])
        # DeleteObjects (S3 API reference): HTTP 200; in quiet mode only the failed keys, under Errors.
        return {"Errors": errors} if errors else {}

    def delete_bucket(self, Bucket, aws_retry=False):
        self.calls.append("DeleteBucket")
        if self.late_writes:
            self.objects.add(self.late_writes.pop(0))
        if self.objects:
            raise ClientError({"Error": {"Code": "BucketNotEmpty", "Message": "The bucket you tried to delete is not empty"}},
                              "DeleteBucket")


def test_an_artifact_written_during_the_delete_is_emptied_again():
    s3 = FakeS3({"a"}, late_writes=["late"])
    assert delete_bucket(s3, "codepipeline-us-east-1-123456789012-abcdef01") is True
    assert s3.calls == ["ListObjectVersions", "DeleteObjects", "DeleteBucket",
                        "ListObjectVersions", "DeleteObjects", "DeleteBucket"]


def test_a_bucket_that_keeps_filling_fails_after_the_attempts():
    s3 = FakeS3({"a"}, late_writes=["w%d" % i for i in range(10)])
    try:
        delete_bucket(s3, "b", attempts=3)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "BucketNotEmpty"
    else:
        raise AssertionError("expected BucketNotEmpty")
    assert s3.calls.count("DeleteBucket") == 3


def test_objects_deleteobjects_refuses_fail_with_their_keys_before_deletebucket():
    s3 = FakeS3({"a", "locked"}, late_writes=[], refused={"locked"})
    with pytest.raises(BucketEmptyError) as raised:
        delete_bucket(s3, "codepipeline-us-east-1-123456789012-abcdef01")
    assert raised.value.errors[0]["Key"] == "locked"
    assert "AccessDenied" in str(raised.value)
    assert s3.calls == ["ListObjectVersions", "DeleteObjects"]

"""Emptying ECR repositories: digests from ListImages, batches for BatchDeleteImage, its failures.

Bodies as the ECR API reference shows them: ListImages ``imageIds`` carry ``imageDigest`` and, when tagged,
``imageTag`` (one entry per tag); BatchDeleteImage takes 1-100 ``imageIds`` and answers ``failures`` with
``imageId``, ``failureCode`` (e.g. ``ImageNotFound``, ``InvalidImageDigest``) and ``failureReason``.
"""
import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_images import ImageDeleteError
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_images import check_failures
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_images import delete_batches
from ansible_collections.mysfits.multi_region.plugins.module_utils.ecr_images import digests

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64


def test_a_digest_with_several_tags_is_deleted_once():
    image_ids = [{"imageDigest": B, "imageTag": "latest"}, {"imageDigest": B, "imageTag": "abc1234"},
                 {"imageDigest": A}]
    assert digests(image_ids) == [A, B]
    assert digests([]) == []


def test_batches_hold_at_most_100_ids():
    many = ["sha256:%064x" % n for n in range(205)]
    batches = delete_batches(many)
    assert [len(b) for b in batches] == [100, 100, 5]
    assert batches[2][-1] == {"imageDigest": many[-1]}
    assert delete_batches([]) == []
    with pytest.raises(ValueError):
        delete_batches(many, size=101)


def test_failures_other_than_image_not_found_are_errors():
    check_failures("repo", {"imageIds": [{"imageDigest": A}], "failures": []})
    check_failures("repo", {"failures": [{"imageId": {"imageDigest": A}, "failureCode": "ImageNotFound",
                                          "failureReason": "Requested image not found"}]})
    with pytest.raises(ImageDeleteError) as raised:
        check_failures("repo", {"failures": [{"imageId": {"imageDigest": B}, "failureCode": "InvalidImageDigest",
                                              "failureReason": "Invalid request parameters: image digest"}]})
    assert "repo" in str(raised.value) and B in str(raised.value) and "InvalidImageDigest" in str(raised.value)

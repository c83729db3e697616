"""ecr_images against the emulator (moto's ECR: ListImages, BatchDeleteImage)."""
import json

REGION = "us-east-1"
REPO = "mm-secondary-region/core-service"


def _push(ecr, repository, tags, layer):
    # An image manifest as docker pushes it (schema 2); the digest is ECR's, computed from the manifest.
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7,
                                      "digest": "sha256:%064x" % layer},
                           "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                                       "size": 32, "digest": "sha256:%064x" % (1000 + layer)}]})
    for tag in tags:
        ecr.put_image(repositoryName=repository, imageManifest=manifest, imageTag=tag)


def _digests(ecr, repository):
    return {i["imageDigest"] for i in ecr.list_images(repositoryName=repository)["imageIds"]}


def test_empties_the_repositories_check_mode_first_then_idempotent(aws, module_runner):
    ecr = aws.client("ecr", region=REGION)
    ecr.create_repository(repositoryName=REPO)
    ecr.create_repository(repositoryName="mm-secondary-region/xray-daemon")
    _push(ecr, REPO, ["latest", "abc1234"], 1)
    _push(ecr, REPO, ["0f00ba1"], 2)
    before = _digests(ecr, REPO)
    assert len(before) == 2
    args = {"repositories": [REPO, "mm-secondary-region/xray-daemon", "not-there"]}

    mark = aws.control.last_seq()
    planned = module_runner("ecr_images", args, region=REGION, check=True, diff=True)
    assert planned["changed"] is True, planned
    assert set(planned["deleted"][REPO]) == before
    assert planned["missing"] == ["not-there"]
    assert planned["diff"]["before"][REPO] == sorted(before) and planned["diff"]["after"][REPO] == []
    assert aws.control.mutating_calls(since=mark) == []
    assert _digests(ecr, REPO) == before

    mark = aws.control.last_seq()
    done = module_runner("ecr_images", args, region=REGION)
    assert done["changed"] is True, done
    assert _digests(ecr, REPO) == set()
    assert [c["operation"] for c in aws.control.mutating_calls(since=mark)] == ["BatchDeleteImage"]
    # The repositories stay; only their images go.
    assert {r["repositoryName"] for r in ecr.describe_repositories()["repositories"]} >= {REPO}

    mark = aws.control.last_seq()
    again = module_runner("ecr_images", args, region=REGION)
    assert again["changed"] is False and again["deleted"] == {}
    assert aws.control.mutating_calls(since=mark) == []


def test_an_empty_repository_name_is_refused_before_any_call(aws, module_runner):
    mark = aws.control.last_seq()
    result = module_runner("ecr_images", {"repositories": [REPO, ""]}, region=REGION)
    assert result.get("failed") is True
    assert "repositories" in result["msg"]
    assert aws.control.calls(since=mark) == []

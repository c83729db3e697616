"""codepipeline_stage against the emulator: the lab's cross-region stage, foreign content, races, absent.

The pipelines are built here with boto3 in the workshop's shape (Source /
Build_Docker_Container / Deploy, one artifactStore), so that these tests do
not depend on the fixture stack.
"""
import copy
import json

import botocore.exceptions
import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import pipeline as pl

PRIMARY = "us-west-2"
SECONDARY = "us-east-1"
PIPELINE = "CorePipeline-mm-primary-region"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def make_pipeline(aws, name=PIPELINE, repository="core-service-mm-primary-region", extra_stages=(),
                  artifact_stores=None):
    iam = aws.client("iam")
    try:
        role = iam.create_role(RoleName="CodePipelineRole", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="CodePipelineRole")["Role"]["Arn"]
    s3 = aws.client("s3")
    try:
        s3.create_bucket(Bucket="mm-primary-artifacts", CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    declaration = {
        "name": name, "roleArn": role,
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit",
                                                   "version": "1"},
                "configuration": {"RepositoryName": repository, "BranchName": "master",
                                  "PollForSourceChanges": "false"},
                "outputArtifacts": [{"name": "SourceArtifact"}]}]},
            {"name": "Build_Docker_Container", "actions": [{
                "name": "Build", "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild",
                                                  "version": "1"},
                "configuration": {"ProjectName": "core-build"},
                "inputArtifacts": [{"name": "SourceArtifact"}], "outputArtifacts": [{"name": "BuildArtifact"}]}]},
            {"name": "Deploy", "actions": [{
                "name": "Deploy", "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS",
                                                   "version": "1"},
                "configuration": {"ClusterName": "Cluster-mm-primary-region", "ServiceName": "CoreService",
                                  "FileName": "imagedefinitions_primary.json"},
                "inputArtifacts": [{"name": "BuildArtifact"}]}]},
        ] + list(extra_stages),
    }
    if artifact_stores:
        declaration["artifactStores"] = artifact_stores
    else:
        declaration["artifactStore"] = {"type": "S3", "location": "mm-primary-artifacts"}
    aws.client("codepipeline").create_pipeline(pipeline=declaration)
    return get(aws, name)


def get(aws, name=PIPELINE):
    return aws.client("codepipeline").get_pipeline(name=name)["pipeline"]


def tags(aws, name=PIPELINE):
    arn = "arn:aws:codepipeline:%s:%s:%s" % (PRIMARY, account(aws), name)
    return aws.client("codepipeline").list_tags_for_resource(resourceArn=arn)["tags"]


def account(aws):
    return aws.client("sts").get_caller_identity()["Account"]


def ecs_action(region=SECONDARY, name="CrossRegionDeploy", file_name="imagedefinitions_secondary.json",
               service="CoreEcsService"):
    return {"name": name, "region": region,
            "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
            "inputArtifacts": [{"name": "BuildArtifact"}],
            "configuration": {"ClusterName": "Cluster-mm-secondary-region", "ServiceName": service,
                              "FileName": file_name}}


def stage_args(actions=None, **extra):
    args = {"pipeline": PIPELINE, "name": "CrossRegionDeploy", "after": "Deploy",
            "actions": [ecs_action()] if actions is None else actions}
    args.update(extra)
    return args


def without_version(declaration):
    return {k: v for k, v in declaration.items() if k != "version"}


def assert_secure_bucket(aws, bucket, region):
    s3 = aws.client("s3", region)
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] in (region, None if region == "us-east-1"
                                                                             else region)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    deny = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny[0]["Action"] in ("s3:*", ["s3:*"])


def test_lab_case_adds_stage_converts_store_creates_secure_bucket(aws, module_runner):
    original = make_pipeline(aws)
    mark = aws.control.last_seq()
    result = module_runner("codepipeline_stage", stage_args(), region=PRIMARY)
    assert not result.get("failed"), result
    assert result["changed"] is True
    after = get(aws)
    assert [s["name"] for s in after["stages"]] == ["Source", "Build_Docker_Container", "Deploy", "CrossRegionDeploy"]
    assert after["stages"][:3] == original["stages"]
    bucket = pl.artifact_bucket_name(PIPELINE, account(aws), SECONDARY)
    assert "artifactStore" not in after
    assert after["artifactStores"] == {PRIMARY: original["artifactStore"],
                                       SECONDARY: {"type": "S3", "location": bucket}}
    assert after["version"] == original["version"] + 1
    assert result["artifact_buckets"] == {SECONDARY: bucket}
    assert_secure_bucket(aws, bucket, SECONDARY)
    writes = [(c["service"], c["region"], c["operation"]) for c in aws.control.mutating_calls(since=mark)]
    assert ("codepipeline", PRIMARY, "UpdatePipeline") in writes and writes[-1][2] == "UpdatePipeline"
    assert ("s3", SECONDARY, "CreateBucket") in writes

    mark = aws.control.last_seq()
    again = module_runner("codepipeline_stage", stage_args(), region=PRIMARY)
    assert again["changed"] is False, again
    assert aws.control.mutating_calls(since=mark) == []
    assert get(aws)["version"] == after["version"]


def test_check_mode_makes_no_mutating_call_and_diff_shows_declarations(aws, module_runner):
    original = make_pipeline(aws)
    mark = aws.control.last_seq()
    result = module_runner("codepipeline_stage", stage_args(), region=PRIMARY, check=True, diff=True)
    assert result["changed"] is True, result
    assert aws.control.mutating_calls(since=mark) == []
    assert get(aws) == original
    assert without_version(result["diff"]["before"]) == without_version(original)
    assert [s["name"] for s in result["diff"]["after"]["stages"]][-1] == "CrossRegionDeploy"
    assert SECONDARY in result["diff"]["after"]["artifactStores"]
    assert result["bucket_changes"][SECONDARY][0] == "create"
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        aws.client("s3", SECONDARY).head_bucket(Bucket=pl.artifact_bucket_name(PIPELINE, account(aws), SECONDARY))
    assert raised.value.response["Error"]["Code"] == "404"


def test_foreign_stage_after_deploy_and_existing_artifact_stores_untouched(aws, module_runner):
    approval = {"name": "Approve", "actions": [{
        "name": "ManualApproval", "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual",
                                                   "version": "1"}}]}
    eu_deploy = {"name": "EuropeDeploy", "actions": [ecs_action(region="eu-west-1", name="EuDeploy")]}
    theirs = {PRIMARY: {"type": "S3", "location": "mm-primary-artifacts",
                        "encryptionKey": {"id": "alias/their-key", "type": "KMS"}},
              "eu-west-1": {"type": "S3", "location": "their-eu-artifacts"}}
    original = make_pipeline(aws, extra_stages=[approval, eu_deploy], artifact_stores=theirs)
    result = module_runner("codepipeline_stage", stage_args(), region=PRIMARY)
    assert result["changed"] is True, result
    after = get(aws)
    assert [s["name"] for s in after["stages"]] == ["Source", "Build_Docker_Container", "Deploy",
                                                    "CrossRegionDeploy", "Approve", "EuropeDeploy"]
    assert after["stages"][4:] == original["stages"][3:]
    assert after["artifactStores"][PRIMARY] == theirs[PRIMARY]
    assert after["artifactStores"]["eu-west-1"] == theirs["eu-west-1"]
    assert set(after["artifactStores"]) == {PRIMARY, "eu-west-1", SECONDARY}

    # and removing our stage gives back exactly their pipeline (their stores are still needed or theirs)
    removed = module_runner("codepipeline_stage", {"pipeline": PIPELINE, "name": "CrossRegionDeploy",
                                                   "state": "absent"}, region=PRIMARY)
    assert removed["changed"] is True, removed
    assert without_version(get(aws)) == without_version(original)


def test_absent_restores_the_single_region_declaration_and_keeps_the_bucket_on_request(aws, module_runner):
    original = make_pipeline(aws)
    assert module_runner("codepipeline_stage", stage_args(), region=PRIMARY)["changed"] is True
    bucket = pl.artifact_bucket_name(PIPELINE, account(aws), SECONDARY)
    args = {"pipeline": PIPELINE, "name": "CrossRegionDeploy", "state": "absent", "delete_unused_buckets": False}
    result = module_runner("codepipeline_stage", args, region=PRIMARY, diff=True)
    assert result["changed"] is True, result
    assert without_version(get(aws)) == without_version(original)
    assert "artifactStores" in result["diff"]["before"] and "artifactStore" in result["diff"]["after"]
    aws.client("s3", SECONDARY).head_bucket(Bucket=bucket)  # kept
    assert tags(aws) == []
    mark = aws.control.last_seq()
    again = module_runner("codepipeline_stage", args, region=PRIMARY)
    assert again["changed"] is False and aws.control.mutating_calls(since=mark) == []


def test_two_secondary_regions_two_actions_two_stores_two_buckets(aws, module_runner):
    make_pipeline(aws)
    actions = [ecs_action(region, "CrossRegionDeploy-%s" % region, "imagedefinitions_%s.json" % region)
               for region in (SECONDARY, "eu-west-1")]
    result = module_runner("codepipeline_stage", stage_args(actions), region=PRIMARY)
    assert result["changed"] is True, result
    after = get(aws)
    stage = after["stages"][3]
    assert sorted(a["name"] for a in stage["actions"]) == ["CrossRegionDeploy-eu-west-1",
                                                           "CrossRegionDeploy-us-east-1"]
    assert {a["region"] for a in stage["actions"]} == {SECONDARY, "eu-west-1"}
    assert set(after["artifactStores"]) == {PRIMARY, SECONDARY, "eu-west-1"}
    for region in (SECONDARY, "eu-west-1"):
        assert_secure_bucket(aws, pl.artifact_bucket_name(PIPELINE, account(aws), region), region)


def test_region_purged_from_the_stage_loses_its_store_and_generated_bucket(aws, module_runner):
    make_pipeline(aws)
    actions = [ecs_action(region, "CrossRegionDeploy-%s" % region, "imagedefinitions_%s.json" % region)
               for region in (SECONDARY, "eu-west-1")]
    assert module_runner("codepipeline_stage", stage_args(actions), region=PRIMARY)["changed"] is True
    result = module_runner("codepipeline_stage", stage_args(actions[:1]), region=PRIMARY)  # purge_actions: true
    assert result["changed"] is True, result
    after = get(aws)
    assert set(after["artifactStores"]) == {PRIMARY, SECONDARY}
    assert [a["region"] for a in after["stages"][3]["actions"]] == [SECONDARY]
    bucket = pl.artifact_bucket_name(PIPELINE, account(aws), "eu-west-1")
    assert result["deleted_buckets"] == {"eu-west-1": bucket}
    assert bucket not in [b["Name"] for b in aws.client("s3", "eu-west-1").list_buckets()["Buckets"]]


def test_absent_with_delete_unused_buckets_deletes_only_the_generated_bucket(aws, module_runner):
    make_pipeline(aws)
    assert module_runner("codepipeline_stage", stage_args(), region=PRIMARY)["changed"] is True
    bucket = pl.artifact_bucket_name(PIPELINE, account(aws), SECONDARY)
    s3 = aws.client("s3", SECONDARY)
    # The emulator speaks plain HTTP, which the bucket's deny-non-TLS policy refuses: lift it to fill the bucket.
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="artifact.zip", Body=b"v1")
    s3.put_object(Bucket=bucket, Key="artifact.zip", Body=b"v2")  # versioned: two versions to delete
    args = {"pipeline": PIPELINE, "name": "CrossRegionDeploy", "state": "absent", "delete_unused_buckets": True}
    mark = aws.control.last_seq()
    checked = module_runner("codepipeline_stage", args, region=PRIMARY, check=True)
    assert checked["changed"] is True and checked["deleted_buckets"] == {SECONDARY: bucket}
    assert aws.control.mutating_calls(since=mark) == []
    result = module_runner("codepipeline_stage", args, region=PRIMARY)
    assert result["deleted_buckets"] == {SECONDARY: bucket}, result
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "artifactStores" not in get(aws) and get(aws)["artifactStore"]["location"]
    again = module_runner("codepipeline_stage", args, region=PRIMARY)
    assert again["changed"] is False and again["deleted_buckets"] == {}


def test_given_store_is_used_and_no_bucket_is_created(aws, module_runner):
    make_pipeline(aws)
    aws.client("s3", SECONDARY).create_bucket(Bucket="my-east-artifacts")
    mark = aws.control.last_seq()
    result = module_runner("codepipeline_stage", stage_args(artifact_stores={
        SECONDARY: {"bucket": "my-east-artifacts", "encryption_key": "alias/mine"}}), region=PRIMARY)
    assert result["changed"] is True, result
    assert get(aws)["artifactStores"][SECONDARY] == {"type": "S3", "location": "my-east-artifacts",
                                                     "encryptionKey": {"id": "alias/mine", "type": "KMS"}}
    # no bucket call: the tag records the store as given (u), then the pipeline is updated
    assert [c["operation"] for c in aws.control.mutating_calls(since=mark)] == ["TagResource", "UpdatePipeline"]
    assert tags(aws)[0]["value"].endswith(" us-east-1=u")


@pytest.mark.parametrize("args,words", [
    ({"after": "Deplyo"}, "after: pipeline CorePipeline-mm-primary-region has no stage 'Deplyo'"),
    ({"after": "Source"}, "actions: action 'CrossRegionDeploy' needs input artifact 'BuildArtifact'"),
    ({"actions": [dict(ecs_action(), region="us-middle-earth")]}, "actions: 'us-middle-earth' is not an AWS region"),
    ({"actions": [dict(ecs_action(), actionTypeId={"category": "Source", "owner": "AWS", "provider": "CodeCommit",
                                                    "version": "1"}, inputArtifacts=[])]},
     "cannot run in another region"),
    ({"create_artifact_buckets": False}, "artifact_stores: an action runs in us-east-1"),
])
def test_bad_input_fails_before_any_mutating_call(aws, module_runner, args, words):
    original = make_pipeline(aws)
    mark = aws.control.last_seq()
    result = module_runner("codepipeline_stage", stage_args(**args), region=PRIMARY)
    assert result.get("failed") is True
    assert words in result["msg"]
    assert aws.control.mutating_calls(since=mark) == []
    assert get(aws) == original


def test_after_and_before_are_mutually_exclusive(aws, module_runner):
    make_pipeline(aws)
    result = module_runner("codepipeline_stage", stage_args(before="Deploy"), region=PRIMARY)
    assert result.get("failed") is True and "after" in result["msg"] and "before" in result["msg"]


# ---------------------------------------------------------------- merge, absent_actions, exact inverse

def two_actions():
    return [ecs_action(region, "CrossRegionDeploy-%s" % region, "imagedefinitions_%s.json" % region)
            for region in (SECONDARY, "eu-west-1")]


def snapshot(aws):
    """What teardown must give back: the declaration, the pipeline's tags, every bucket of the account."""
    return {"pipeline": without_version(get(aws)), "tags": sorted((t["key"], t["value"]) for t in tags(aws)),
            "buckets": sorted(b["Name"] for b in aws.client("s3").list_buckets()["Buckets"])}


def test_merge_keeps_a_region_whose_action_is_not_given_and_grants_the_role(aws, module_runner):
    original = make_pipeline(aws)
    first = module_runner("codepipeline_stage", stage_args(two_actions(), purge_actions=False), region=PRIMARY)
    assert first["changed"] is True, first
    converged = get(aws)
    for region in (SECONDARY, "eu-west-1"):
        bucket = pl.artifact_bucket_name(PIPELINE, account(aws), region)
        policy = json.loads(aws.client("s3", region).get_bucket_policy(Bucket=bucket)["Policy"])
        granted = [s for s in policy["Statement"] if s.get("Principal") == {"AWS": original["roleArn"]}]
        assert {s["Resource"] for s in granted} == {"arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket}
    # eu-west-1's facts are missing on the second converge: only us-east-1's action is given
    mark = aws.control.last_seq()
    second = module_runner("codepipeline_stage", stage_args(two_actions()[:1], purge_actions=False), region=PRIMARY)
    assert second["changed"] is False, second
    assert aws.control.mutating_calls(since=mark) == []
    assert get(aws) == converged


def test_teardown_region_by_region_is_an_exact_inverse(aws, module_runner):
    make_pipeline(aws)
    arn = "arn:aws:codepipeline:%s:%s:%s" % (PRIMARY, account(aws), PIPELINE)
    aws.client("codepipeline").tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "mysfits"}])
    before = snapshot(aws)
    assert module_runner("codepipeline_stage", stage_args(two_actions(), purge_actions=False),
                         region=PRIMARY)["changed"] is True
    assert sorted(t["key"] for t in tags(aws)) == sorted(["team", pl.RECORD_TAG])
    east_bucket = pl.artifact_bucket_name(PIPELINE, account(aws), SECONDARY)
    eu_bucket = pl.artifact_bucket_name(PIPELINE, account(aws), "eu-west-1")

    one = {"pipeline": PIPELINE, "name": "CrossRegionDeploy", "absent_actions": ["CrossRegionDeploy-eu-west-1"]}
    mark = aws.control.last_seq()
    planned = module_runner("codepipeline_stage", one, region=PRIMARY, check=True, diff=True)
    assert planned["changed"] is True and aws.control.mutating_calls(since=mark) == []
    assert planned["deleted_buckets"] == {"eu-west-1": eu_bucket}
    assert [a["name"] for a in planned["diff"]["after"]["stages"][3]["actions"]] == ["CrossRegionDeploy-us-east-1"]
    assert set(planned["diff"]["after"]["artifactStores"]) == {PRIMARY, SECONDARY}

    removed = module_runner("codepipeline_stage", one, region=PRIMARY)
    assert removed["deleted_buckets"] == {"eu-west-1": eu_bucket}, removed
    after_one = get(aws)
    assert [a["name"] for a in after_one["stages"][3]["actions"]] == ["CrossRegionDeploy-us-east-1"]
    assert set(after_one["artifactStores"]) == {PRIMARY, SECONDARY}
    names = [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]]
    assert east_bucket in names and eu_bucket not in names

    last = dict(one, absent_actions=["CrossRegionDeploy-us-east-1"])
    assert module_runner("codepipeline_stage", last, region=PRIMARY)["changed"] is True
    assert snapshot(aws) == before
    mark = aws.control.last_seq()
    again = module_runner("codepipeline_stage", last, region=PRIMARY)
    assert again["changed"] is False and aws.control.mutating_calls(since=mark) == []


def test_a_store_map_the_team_had_stays_a_map_after_removal(aws, module_runner):
    theirs = {PRIMARY: {"type": "S3", "location": "mm-primary-artifacts"}}
    make_pipeline(aws, artifact_stores=theirs)
    before = snapshot(aws)
    assert module_runner("codepipeline_stage", stage_args(), region=PRIMARY)["changed"] is True
    assert module_runner("codepipeline_stage", {"pipeline": PIPELINE, "name": "CrossRegionDeploy",
                                                "state": "absent"}, region=PRIMARY)["changed"] is True
    assert get(aws)["artifactStores"] == theirs and "artifactStore" not in get(aws)
    assert snapshot(aws) == before


# ---------------------------------------------------------------- concurrent change between read and write
#
# A pipeline changed by someone else between the module's GetPipeline and its
# UpdatePipeline cannot be produced through ansible-playbook (the emulator has
# no hook between two requests). These tests run the module's own
# read-plan-write path (pipeline.apply_stage, which the module calls with thin
# GetPipeline/UpdatePipeline wrappers) in-process against the emulator, with a
# real boto3 client whose GetPipeline is followed by a foreign UpdatePipeline.

class Meddler:
    """GetPipeline/UpdatePipeline on a real client; after chosen GetPipeline calls, someone else updates."""

    def __init__(self, aws, meddle_after):
        self.client = aws.client("codepipeline")
        self.other = aws.client("codepipeline")
        self.meddle_after = meddle_after
        self.gets = 0

    def get_pipeline(self, name):
        answer = self.client.get_pipeline(name=name)
        self.gets += 1
        if self.gets in self.meddle_after:
            theirs = copy.deepcopy(self.other.get_pipeline(name=name)["pipeline"])
            theirs["stages"][2]["actions"][0]["configuration"]["ServiceName"] = "TheirService-%d" % self.gets
            self.other.update_pipeline(pipeline=theirs)
        return answer

    def update_pipeline(self, declaration):
        return self.client.update_pipeline(pipeline=declaration)


def plan_kwargs(actions=None):
    return dict(pipeline=PIPELINE, name="CrossRegionDeploy", actions=actions or [ecs_action(region=PRIMARY)],
                pipeline_region=PRIMARY, after="Deploy")


def test_concurrent_change_between_read_and_write_survives(aws):
    make_pipeline(aws)
    meddler = Meddler(aws, meddle_after={1})
    outcome = pl.apply_stage(meddler.get_pipeline, meddler.update_pipeline, plan_kwargs())
    assert outcome["changed"] and outcome["replanned"]
    after = get(aws)
    assert after["stages"][2]["actions"][0]["configuration"]["ServiceName"] == "TheirService-1"
    assert [s["name"] for s in after["stages"]][-1] == "CrossRegionDeploy"
    assert after["version"] == 3  # created 1, theirs 2, ours 3


def test_pipeline_that_keeps_changing_fails_without_overwriting(aws):
    make_pipeline(aws)
    mark = aws.control.last_seq()
    meddler = Meddler(aws, meddle_after={1, 2, 3, 4})
    with pytest.raises(pl.ConcurrentChange) as raised:
        pl.apply_stage(meddler.get_pipeline, meddler.update_pipeline, plan_kwargs())
    assert "nothing was written" in str(raised.value)
    after = get(aws)
    assert "CrossRegionDeploy" not in [s["name"] for s in after["stages"]]
    updates = [c for c in aws.control.mutating_calls(since=mark) if c["operation"] == "UpdatePipeline"]
    assert len(updates) == meddler.gets  # only theirs: one after each of our reads


def test_emulated_codepipeline_rejects_cross_region_action_without_store(aws):
    """The premise of the conversion: AWS rejects a cross-region action without artifactStores."""
    declaration = make_pipeline(aws)
    declaration["stages"].append({"name": "CrossRegionDeploy", "actions": [ecs_action()]})
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        aws.client("codepipeline").update_pipeline(pipeline=declaration)
    assert raised.value.response["Error"]["Code"] == "InvalidStructureException"

"""A cross-region action's artifact store must be usable by the pipeline's role (tests/emulator/ext/artifact_access.py).

References:
- CodePipeline user guide, "Manage the CodePipeline service role"
  (https://docs.aws.amazon.com/codepipeline/latest/userguide/how-to-custom-role.html): the service role
  policy grants on each artifact bucket s3:GetBucketVersioning (GetBucketAcl, GetBucketLocation) and on its
  objects s3:GetObject, s3:GetObjectVersion, s3:PutObject (PutObjectAcl, tagging): CodePipeline reads and
  writes the artifacts of every store with that role.
- CodePipeline user guide, "Add a cross-Region action in CodePipeline" (actions-create-cross-region.html):
  the artifacts of a cross-region action are copied to the artifact store of the action's region.
- IAM user guide, "Policy evaluation logic" (reference_policies_evaluation-logic.html): an explicit deny in
  any policy overrides any allow; within one account a request is allowed when an identity-based policy or a
  resource-based policy allows it; otherwise it is implicitly denied.
"""
import json

import pytest

from tests.emulator.ext import artifact_access as access

PRIMARY, SECONDARY = "us-west-2", "eu-west-1"
ACCOUNT = "123456789012"
ROLE = "arn:aws:iam::%s:role/CodePipelineRole" % ACCOUNT
OBJECT = "arn:aws:s3:::store/CorePipeline/BuildArtif/abc"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def allow(action, resource, principal=None, **extra):
    statement = dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)
    if principal is not None:
        statement["Principal"] = principal
    return {"Version": "2012-10-17", "Statement": [statement]}


# --- the evaluation alone ---------------------------------------------------------------------

def test_identity_policy_or_bucket_policy_naming_the_role_allows():
    assert access.decide("s3:GetObject", OBJECT, ROLE, [allow("s3:Get*", "arn:aws:s3:::store/*")]) == "allow"
    assert access.decide("s3:GetObject", OBJECT, ROLE, [], allow("s3:GetObject", "arn:aws:s3:::store/*",
                                                                  {"AWS": ROLE})) == "allow"
    assert access.decide("s3:GetObject", OBJECT, ROLE, [], None) == "implicit"


def test_a_policy_for_another_bucket_action_or_principal_does_not_allow():
    assert access.decide("s3:GetObject", OBJECT, ROLE, [allow("s3:GetObject", "arn:aws:s3:::primary/*")]) == \
        "implicit"
    assert access.decide("s3:PutObject", OBJECT, ROLE, [allow("s3:GetObject", "arn:aws:s3:::store/*")]) == "implicit"
    other = allow("s3:GetObject", "arn:aws:s3:::store/*", {"AWS": "arn:aws:iam::%s:role/Other" % ACCOUNT})
    assert access.decide("s3:GetObject", OBJECT, ROLE, [], other) == "implicit"
    # naming the account delegates to its identity policies: grants the role nothing by itself
    account = allow("s3:GetObject", "arn:aws:s3:::store/*", {"AWS": "arn:aws:iam::%s:root" % ACCOUNT})
    assert access.decide("s3:GetObject", OBJECT, ROLE, [], account) == "implicit"


def test_an_explicit_deny_wins_over_any_allow():
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                    "Resource": ["arn:aws:s3:::store", "arn:aws:s3:::store/*"]}]}
    assert access.decide("s3:GetObject", OBJECT, ROLE, [allow("s3:*", "*")], deny) == "deny"


def test_conditions_the_lab_policies_use():
    tls_deny = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::store/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    # CodePipeline's requests use TLS: the deny-non-TLS statement does not apply to them
    assert access.decide("s3:GetObject", OBJECT, ROLE, [allow("s3:GetObject", "*")], tls_deny,
                         {"aws:SecureTransport": "true"}) == "allow"
    assert access.decide("s3:GetObject", OBJECT, ROLE, [allow("s3:GetObject", "*")], tls_deny,
                         {"aws:SecureTransport": "false"}) == "deny"
    same_account = allow("s3:GetObject", "*", Condition={"StringEquals": {"aws:ResourceAccount": ACCOUNT}})
    assert access.decide("s3:GetObject", OBJECT, ROLE, [same_account], None,
                         {"aws:ResourceAccount": ACCOUNT}) == "allow"
    assert access.decide("s3:GetObject", OBJECT, ROLE, [same_account], None,
                         {"aws:ResourceAccount": "999999999999"}) == "implicit"


def test_an_unknown_condition_operator_is_stricter_than_aws():
    odd = {"NumericGreaterThanEquals": {"s3:max-keys": "10"}}
    assert access.decide("s3:GetObject", OBJECT, ROLE, [allow("s3:GetObject", "*", Condition=odd)]) == "implicit"
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                                                    "Resource": "*", "Condition": odd}]}
    assert access.decide("s3:GetObject", OBJECT, ROLE, [allow("s3:GetObject", "*")], deny) == "deny"


# --- a pipeline execution ---------------------------------------------------------------------

def _setup(aws, role_policy_buckets):
    iam = aws.client("iam")
    role = iam.create_role(RoleName="CodePipelineRole", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    resources = []
    for bucket in role_policy_buckets:
        resources += ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket]
    # as the lab's CodePipelineRole: the S3 actions scoped to the primary artifact bucket
    iam.put_role_policy(RoleName="CodePipelineRole", PolicyName="codepipeline", PolicyDocument=json.dumps(
        allow(["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketVersioning", "s3:PutObject"], resources)))
    for region in (PRIMARY, SECONDARY):
        aws.client("s3", region).create_bucket(Bucket="artifacts-%s" % region,
                                               CreateBucketConfiguration={"LocationConstraint": region})
    cc = aws.client("codecommit", PRIMARY)
    cc.create_repository(repositoryName="core-service-mm")
    cc.put_file(repositoryName="core-service-mm", branchName="master", fileContent=b"v1", filePath="Dockerfile",
                commitMessage="initial")
    deploy = {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"}
    aws.client("codepipeline", PRIMARY).create_pipeline(pipeline={
        "name": "CorePipeline-mm", "roleArn": role,
        "artifactStores": {r: {"type": "S3", "location": "artifacts-%s" % r} for r in (PRIMARY, SECONDARY)},
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit",
                                                   "version": "1"},
                "configuration": {"RepositoryName": "core-service-mm", "BranchName": "master"},
                "outputArtifacts": [{"name": "SourceArtifact"}]}]},
            {"name": "Deploy", "actions": [{
                "name": "Deploy", "actionTypeId": deploy, "inputArtifacts": [{"name": "SourceArtifact"}],
                "configuration": {"ClusterName": "c", "ServiceName": "s", "FileName": "i.json"}}]},
            {"name": "CrossRegionDeploy", "actions": [{
                "name": "CrossRegionDeploy", "region": SECONDARY, "actionTypeId": deploy,
                "inputArtifacts": [{"name": "SourceArtifact"}],
                "configuration": {"ClusterName": "c2", "ServiceName": "s2", "FileName": "i2.json"}}]},
        ]})
    aws.control.set_timing(pipeline_run_seconds=0)
    return role


def _run(aws):
    cp = aws.client("codepipeline", PRIMARY)
    execution_id = cp.start_pipeline_execution(name="CorePipeline-mm")["pipelineExecutionId"]
    status = cp.get_pipeline_execution(pipelineName="CorePipeline-mm", pipelineExecutionId=execution_id)[
        "pipelineExecution"]["status"]
    stages = {s["stageName"]: s for s in cp.get_pipeline_state(name="CorePipeline-mm")["stageStates"]}
    return status, stages


def test_a_role_scoped_to_the_primary_bucket_fails_the_cross_region_action(aws):
    _setup(aws, ["artifacts-%s" % PRIMARY])
    status, stages = _run(aws)
    assert status == "Failed"
    assert stages["Deploy"]["latestExecution"]["status"] == "Succeeded"
    action = stages["CrossRegionDeploy"]["actionStates"][0]["latestExecution"]
    assert action["status"] == "Failed"
    assert "artifacts-%s" % SECONDARY in action["errorDetails"]["message"]
    assert "AccessDenied" in action["errorDetails"]["message"]
    assert "s3:GetBucketVersioning" in action["errorDetails"]["message"]


@pytest.mark.parametrize("grant", ["role policy", "bucket policy"])
def test_the_role_policy_or_the_bucket_policy_lets_it_through(aws, grant):
    role = _setup(aws, ["artifacts-%s" % PRIMARY] + (["artifacts-%s" % SECONDARY] if grant == "role policy" else []))
    if grant == "bucket policy":
        bucket = "artifacts-%s" % SECONDARY
        aws.client("s3", SECONDARY).put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "s3:GetBucketVersioning",
                 "Resource": "arn:aws:s3:::%s" % bucket},
                {"Effect": "Allow", "Principal": {"AWS": role}, "Resource": "arn:aws:s3:::%s/*" % bucket,
                 "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]}]}))
    status, stages = _run(aws)
    assert status == "Succeeded", stages["CrossRegionDeploy"]


def test_a_bucket_policy_deny_wins_over_the_role_policy(aws):
    _setup(aws, ["artifacts-%s" % PRIMARY, "artifacts-%s" % SECONDARY])
    bucket = "artifacts-%s" % SECONDARY
    aws.client("s3", SECONDARY).put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                                                "Resource": "arn:aws:s3:::%s/*" % bucket}]}))
    status, stages = _run(aws)
    assert status == "Failed"
    message = stages["CrossRegionDeploy"]["actionStates"][0]["latestExecution"]["errorDetails"]["message"]
    assert "s3:PutObject" in message and "explicitly denied" in message

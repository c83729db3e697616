"""One retry layer: a read the emulator answers HTTP 500 every time is sent exactly as often as botocore's
retry setting says, not that number times AWSRetry's tries (issue 14: about 30 requests per read).

The faults come from the emulator's fault injection (``/_emulator/faults``, error kind ``http500``).
The attempts are set with the module's ``aws_config`` (amazon.aws) so that the test does not sit through
botocore's backoff ten times; the default (10 attempts, standard mode) is checked in
tests/unit/plugins/module_utils/test_common.py.
"""
import json

import pytest


def _pipeline(aws, name="retry-p"):
    role = aws.client("iam").create_role(RoleName="retry-pipeline", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "codepipeline.amazonaws.com"}}]}))
    aws.client("s3").create_bucket(Bucket="retry-artifacts",
                                   CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    aws.client("codepipeline").create_pipeline(pipeline={
        "name": name, "roleArn": role["Role"]["Arn"],
        "artifactStore": {"type": "S3", "location": "retry-artifacts"},
        "stages": [
            {"name": "Source", "actions": [{"name": "Source", "actionTypeId": {
                "category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
                "configuration": {"RepositoryName": "repo", "BranchName": "master"},
                "outputArtifacts": [{"name": "SourceArtifact"}]}]},
            {"name": "Deploy", "actions": [{"name": "Deploy", "actionTypeId": {
                "category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
                "configuration": {"ClusterName": "c", "ServiceName": "s", "FileName": "i.json"},
                "inputArtifacts": [{"name": "SourceArtifact"}]}]},
        ]})


def _attempts(aws, since, operation):
    return [c for c in aws.control.calls(since) if c["service"] == "codepipeline" and c["operation"] == operation]


@pytest.mark.parametrize("attempts", [1, 3])
def test_a_read_answered_http500_is_sent_as_often_as_botocore_says(aws, module_runner, attempts):
    _pipeline(aws)
    aws.control.set_faults([{"service": "codepipeline", "operation": "GetPipeline", "rate": 1.0,
                             "error": "http500"}])
    try:
        mark = aws.control.last_seq()
        result = module_runner("codepipeline_info", {
            "names": ["retry-p"],
            "aws_config": {"retries": {"mode": "standard", "total_max_attempts": attempts}}}, region="us-west-2")
    finally:
        aws.control.clear_faults()
    assert result.get("failed") is True, result
    sent = _attempts(aws, mark, "GetPipeline")
    assert all(c["injected"] == "http500" for c in sent)
    # one layer: exactly the configured attempts (two stacked layers send attempts x AWSRetry's tries)
    assert len(sent) == attempts, [c["seq"] for c in sent]


def test_a_read_that_fails_once_is_retried_and_answered(aws, module_runner):
    _pipeline(aws)
    # about half the GetPipeline requests refused: with the default 10 attempts the read gets through
    aws.control.set_faults([{"service": "codepipeline", "operation": "GetPipeline", "rate": 0.5,
                             "error": "http500"}], seed=3)
    try:
        mark = aws.control.last_seq()
        result = module_runner("codepipeline_info", {"names": ["retry-p"]}, region="us-west-2")
    finally:
        aws.control.clear_faults()
    assert not result.get("failed"), result
    sent = _attempts(aws, mark, "GetPipeline")
    assert sent[-1]["injected"] is None and sent[-1]["status"] == 200
    assert len(sent) - 1 == len([c for c in sent if c["injected"]])

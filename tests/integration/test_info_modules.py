"""codepipeline_info and cloudwatch_dashboard_info: read-only, found / missing, no mutating call."""
import json

import pytest


def _pipeline(aws, name):
    role = aws.client("iam").create_role(RoleName="pipeline", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "codepipeline.amazonaws.com"}}]}))
    aws.client("s3").create_bucket(Bucket="info-artifacts", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    aws.client("codecommit").create_repository(repositoryName="repo")
    aws.client("codepipeline").create_pipeline(pipeline={
        "name": name, "roleArn": role["Role"]["Arn"],
        "artifactStore": {"type": "S3", "location": "info-artifacts"},
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


def test_codepipeline_info_reads_and_lists_missing(aws, module_runner):
    _pipeline(aws, "p1")
    aws.client("codepipeline").start_pipeline_execution(name="p1")
    mark = aws.control.last_seq()
    result = module_runner("codepipeline_info", {"names": ["p1", "nope"], "last_execution": True}, region="us-west-2")
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["missing"] == ["nope"]
    assert result["pipelines"]["p1"]["stage_names"] == ["Source", "Deploy"]
    assert result["pipelines"]["p1"]["version"] == 1
    assert result["pipelines"]["p1"]["last_execution"]["status"] in ("InProgress", "Succeeded", "Failed")
    # configuration keys stay as the API spells them
    deploy = result["pipelines"]["p1"]["declaration"]["stages"][1]["actions"][0]
    assert deploy["configuration"]["ClusterName"] == "c"
    assert aws.control.mutating_calls(since=mark) == []


def test_codepipeline_info_fail_on_missing_names_the_pipeline(aws, module_runner):
    result = module_runner("codepipeline_info", {"names": ["ghost"], "fail_on_missing": True}, region="us-west-2")
    assert result["failed"]
    assert "ghost" in result["msg"] and "us-west-2" in result["msg"]


@pytest.mark.parametrize("exists", [True, False])
def test_cloudwatch_dashboard_info(aws, module_runner, exists):
    body = {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 2, "properties": {"markdown": "hi"}},
                        {"type": "metric", "x": 6, "y": 0, "width": 6, "height": 6,
                         "properties": {"title": "ALB Requests Per Minute", "region": "us-west-2",
                                        "metrics": [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/x/1"]]}}]}
    if exists:
        aws.client("cloudwatch").put_dashboard(DashboardName="dash", DashboardBody=json.dumps(body))
    mark = aws.control.last_seq()
    result = module_runner("cloudwatch_dashboard_info", {"name": "dash"}, region="us-west-2")
    assert not result.get("failed"), result
    assert result["exists"] is exists
    assert result["widget_titles"] == ([None, "ALB Requests Per Minute"] if exists else [])
    assert (result["body"] == body) if exists else (result["body"] == {})
    assert aws.control.mutating_calls(since=mark) == []

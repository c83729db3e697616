"""codepipeline_execution's wait at a manual approval, against the emulator's approval (which waits for
PutApprovalResult, "Approve or reject an approval action in CodePipeline",
https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-approve-or-reject.html): the wait stops at
once with a message saying how to approve, unless wait_for_approval is set."""
import json
import time

PIPELINE = "ApprovedPipeline"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "codepipeline.amazonaws.com"}}]}


def _action(name, category, provider, config, outputs=()):
    return {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
            "configuration": config, "inputArtifacts": [], "outputArtifacts": [{"name": n} for n in outputs],
            "runOrder": 1}


def _pipeline_at_approval(aws):
    """A pipeline Source -> Approve started by a commit; returns its execution id once it waits for approval."""
    role = aws.client("iam").create_role(RoleName="pipeline", AssumeRolePolicyDocument=json.dumps(TRUST))
    aws.client("s3").create_bucket(Bucket="approval-artifacts",
                                   CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    cc = aws.client("codecommit")
    cc.create_repository(repositoryName="repo")
    cp = aws.client("codepipeline")
    cp.create_pipeline(pipeline={"name": PIPELINE, "roleArn": role["Role"]["Arn"], "artifactStore": {
        "type": "S3", "location": "approval-artifacts"}, "stages": [
        {"name": "Source", "actions": [_action("Source", "Source", "CodeCommit", {
            "RepositoryName": "repo", "BranchName": "master"}, outputs=["SourceArtifact"])]},
        {"name": "ApproveRelease", "actions": [_action("ManagerApproval", "Approval", "Manual", {})]}]})
    cc.put_file(repositoryName="repo", branchName="master", fileContent=b"x", filePath="README",
                commitMessage="first")
    return cp, cp.list_pipeline_executions(pipelineName=PIPELINE)["pipelineExecutionSummaries"][0][
        "pipelineExecutionId"]


def _token(cp):
    for _ in range(300):
        for stage in cp.get_pipeline_state(name=PIPELINE)["stageStates"]:
            for action in stage.get("actionStates", []):
                token = (action.get("latestExecution") or {}).get("token")
                if action["actionName"] == "ManagerApproval" and token:
                    return token
        time.sleep(0.1)
    raise AssertionError("the approval never waited")


def test_wait_stops_at_a_pending_approval_and_says_how_to_approve(aws, module_runner):
    cp, execution_id = _pipeline_at_approval(aws)
    token = _token(cp)
    # A timeout far beyond the test: the module must stop because of the approval, not the timeout.
    result = module_runner("codepipeline_execution", {"pipeline": PIPELINE, "start": False, "wait": True,
                                                      "wait_timeout": 120})
    assert result["failed"]
    msg = result["msg"]
    assert "Timed out" not in msg
    for part in [execution_id, PIPELINE, "stage ApproveRelease", "action ManagerApproval", "put-approval-result",
                 "--token %s" % token, "console", "wait_for_approval=true"]:
        assert part in msg, part
    assert result["status"] == "InProgress"
    assert result["pending_approvals"] == [{"stage": "ApproveRelease", "action": "ManagerApproval", "token": token}]

    # Approved: the same wait follows the execution to its end.
    cp.put_approval_result(pipelineName=PIPELINE, stageName="ApproveRelease", actionName="ManagerApproval",
                           result={"summary": "ok", "status": "Approved"}, token=token)
    result = module_runner("codepipeline_execution", {"pipeline": PIPELINE, "start": False, "execution_id": execution_id,
                                                      "wait": True, "wait_timeout": 120})
    assert not result.get("failed"), result
    assert result["status"] == "Succeeded"


def test_wait_for_approval_keeps_waiting(aws, module_runner):
    cp, execution_id = _pipeline_at_approval(aws)
    _token(cp)
    result = module_runner("codepipeline_execution", {"pipeline": PIPELINE, "start": False, "wait": True,
                                                      "wait_timeout": 3, "wait_for_approval": True})
    assert result["failed"]
    assert "Timed out" in result["msg"] and execution_id in result["msg"]
    assert "pending_approvals" not in result


def test_pipeline_without_approval_reads_no_state_while_waiting(aws, module_runner):
    """No approval action: the wait costs no GetPipelineState (only a failure reads it)."""
    cp, _ = _pipeline_at_approval(aws)
    declaration = cp.get_pipeline(name=PIPELINE)["pipeline"]
    mark = aws.control.last_seq()
    declaration["stages"] = declaration["stages"][:1]
    cp.update_pipeline(pipeline=declaration)
    result = module_runner("codepipeline_execution", {"pipeline": PIPELINE, "wait": True, "wait_timeout": 120})
    assert result["status"] == "Succeeded", result
    operations = [c["operation"] for c in aws.control.calls(since=mark) if c["service"] == "codepipeline"]
    assert "GetPipelineState" not in operations, operations

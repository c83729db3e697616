"""CodePipeline in the emulator, called with boto3 exactly as against AWS.

References:
- API reference, PipelineDeclaration
  (https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html):
  "You must include either artifactStore or artifactStores in your pipeline, but you cannot use both.
  If you create a cross-region action in your pipeline, you must use artifactStores." and "There must be
  an artifact store for the pipeline Region and for each cross-region action in the pipeline." AWS does
  not publish the message texts, so the tests check the error code (InvalidStructureException, which
  the CreatePipeline/UpdatePipeline pages list) and that the message names the offending part.
- User guide, pipeline structure reference (reference-pipeline-structure.html): stage names unique
  within a pipeline, action names unique within a stage, an input artifact is the output of an action
  that runs before it; actions-create-cross-region.html: source actions cannot be cross-region.
- PipelineDeclaration.version: "A new pipeline always has a version number of 1. This number is
  incremented when a pipeline is updated."
- User guide, CodeCommit source action reference (action-reference-CodeCommit.html): "Starts the
  pipeline when a new commit is made on the configured CodeCommit repository and branch."

Executions take the emulator's ``pipeline_run_seconds``; the tests set it to 0 (an execution is over as
soon as it starts) or to a long time (it is still in its first step when read), so that no assertion
depends on how fast the machine is.
"""
import json
import time

import pytest

PRIMARY, SECONDARY = "us-west-2", "eu-west-1"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.fixture
def role_arn(aws):
    iam = aws.client("iam")
    arn = iam.create_role(RoleName="CodePipelineRole", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    # the role can use the artifact stores of declaration() (test_artifact_access.py: a cross-region action fails
    # otherwise)
    iam.put_role_policy(RoleName="CodePipelineRole", PolicyName="artifacts", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                "Resource": ["arn:aws:s3:::artifacts-*", "arn:aws:s3:::artifacts-*/*"]}]}))
    return arn


@pytest.fixture
def cp(aws):
    return aws.client("codepipeline", PRIMARY)


def _action(name, category, provider, config, inputs=(), outputs=(), region=None, run_order=1):
    action = {
        "name": name,
        "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
        "configuration": config,
        "inputArtifacts": [{"name": n} for n in inputs],
        "outputArtifacts": [{"name": n} for n in outputs],
        "runOrder": run_order,
    }
    if region:
        action["region"] = region
    return action


def declaration(role_arn, name="CorePipeline-mm", repo="core-service-mm", branch="master", poll=None,
                cross_region=None, stores=None):
    source_config = {"RepositoryName": repo, "BranchName": branch}
    if poll is not None:
        source_config["PollForSourceChanges"] = poll
    stages = [
        {"name": "Source", "actions": [_action("Source", "Source", "CodeCommit", source_config,
                                               outputs=["SourceArtifact"])]},
        {"name": "Build_Docker_Container", "actions": [_action("Build", "Build", "CodeBuild",
                                                               {"ProjectName": "core-build"},
                                                               inputs=["SourceArtifact"],
                                                               outputs=["BuildArtifact"])]},
        {"name": "Deploy", "actions": [_action("Deploy", "Deploy", "ECS", {
            "ClusterName": "Cluster-mm", "ServiceName": "core", "FileName": "imagedefinitions_primary.json"},
            inputs=["BuildArtifact"])]},
    ]
    if cross_region:
        stages.append({"name": "CrossRegionDeploy", "actions": [_action("CrossRegionDeploy", "Deploy", "ECS", {
            "ClusterName": "Cluster-mm-secondary", "ServiceName": "CoreEcsService",
            "FileName": "imagedefinitions_secondary.json"}, inputs=["BuildArtifact"], region=cross_region)]})
    pipeline = {"name": name, "roleArn": role_arn, "stages": stages}
    if stores is None:
        pipeline["artifactStore"] = {"type": "S3", "location": "artifacts-%s" % PRIMARY}
    else:
        pipeline["artifactStores"] = {r: {"type": "S3", "location": "artifacts-%s" % r} for r in stores}
    return pipeline


def _structure_error(cp, call, *args, **kwargs):
    with pytest.raises(cp.exceptions.InvalidStructureException) as raised:
        call(*args, **kwargs)
    return raised.value.response["Error"]["Message"]


# --- validation -------------------------------------------------------------------------------

def test_cross_region_action_needs_artifact_stores(cp, role_arn):
    message = _structure_error(cp, cp.create_pipeline,
                               pipeline=declaration(role_arn, cross_region=SECONDARY))
    assert "artifactStores" in message and SECONDARY in message
    # artifactStores without the action's region
    message = _structure_error(cp, cp.create_pipeline,
                               pipeline=declaration(role_arn, cross_region=SECONDARY, stores=[PRIMARY]))
    assert SECONDARY in message
    # artifactStores without the pipeline's own region
    message = _structure_error(cp, cp.create_pipeline,
                               pipeline=declaration(role_arn, cross_region=SECONDARY, stores=[SECONDARY]))
    assert PRIMARY in message
    # both artifactStore and artifactStores
    both = declaration(role_arn, cross_region=SECONDARY, stores=[PRIMARY, SECONDARY])
    both["artifactStore"] = {"type": "S3", "location": "artifacts-%s" % PRIMARY}
    message = _structure_error(cp, cp.create_pipeline, pipeline=both)
    assert "artifactStore" in message and "artifactStores" in message
    assert cp.list_pipelines()["pipelines"] == []

    created = cp.create_pipeline(pipeline=declaration(role_arn, cross_region=SECONDARY,
                                                      stores=[PRIMARY, SECONDARY]))["pipeline"]
    assert created["version"] == 1
    stored = cp.get_pipeline(name="CorePipeline-mm")["pipeline"]
    assert sorted(stored["artifactStores"]) == [SECONDARY, PRIMARY]
    assert "artifactStore" not in stored
    assert stored["stages"][-1]["actions"][0]["region"] == SECONDARY


def test_source_action_cannot_be_cross_region(cp, role_arn):
    pipeline = declaration(role_arn, stores=[PRIMARY, SECONDARY])
    pipeline["stages"][0]["actions"][0]["region"] = SECONDARY
    assert "Source" in _structure_error(cp, cp.create_pipeline, pipeline=pipeline)


def test_update_pipeline_increments_version_and_validates(cp, role_arn):
    cp.create_pipeline(pipeline=declaration(role_arn))
    current = cp.get_pipeline(name="CorePipeline-mm")["pipeline"]
    assert current["version"] == 1
    # The lab's change: a CrossRegionDeploy stage. With the single artifactStore, AWS rejects it ...
    changed = declaration(role_arn, cross_region=SECONDARY)
    changed["version"] = current["version"]
    _structure_error(cp, cp.update_pipeline, pipeline=changed)
    assert cp.get_pipeline(name="CorePipeline-mm")["pipeline"]["version"] == 1
    # ... and accepts it with an artifact store per region.
    changed = declaration(role_arn, cross_region=SECONDARY, stores=[PRIMARY, SECONDARY])
    changed["version"] = 1
    assert cp.update_pipeline(pipeline=changed)["pipeline"]["version"] == 2
    again = cp.get_pipeline(name="CorePipeline-mm")["pipeline"]
    assert again["version"] == 2
    assert [s["name"] for s in again["stages"]][-1] == "CrossRegionDeploy"
    assert cp.update_pipeline(pipeline=again)["pipeline"]["version"] == 3


@pytest.mark.parametrize("breakage, named", [
    ("duplicate_stage", "Deploy"),
    ("duplicate_action", "Build"),
    ("unknown_input", "NoSuchArtifact"),
    ("input_from_later_stage", "BuildArtifact"),
])
def test_structure_rules(cp, role_arn, breakage, named):
    pipeline = declaration(role_arn)
    stages = pipeline["stages"]
    if breakage == "duplicate_stage":
        stages[1]["name"] = "Deploy"
    elif breakage == "duplicate_action":
        stages[1]["actions"].append(dict(stages[1]["actions"][0], outputArtifacts=[]))
    elif breakage == "unknown_input":
        stages[2]["actions"][0]["inputArtifacts"] = [{"name": "NoSuchArtifact"}]
    else:
        stages[1], stages[2] = stages[2], stages[1]
    assert named in _structure_error(cp, cp.create_pipeline, pipeline=pipeline)


def test_input_from_earlier_run_order_in_same_stage_is_valid(cp, role_arn):
    pipeline = declaration(role_arn)
    pipeline["stages"][2]["actions"].append(_action("Smoke", "Test", "CodeBuild", {"ProjectName": "smoke"},
                                                    inputs=["BuildArtifact"], outputs=["SmokeOut"], run_order=1))
    pipeline["stages"][2]["actions"].append(_action("Report", "Test", "CodeBuild", {"ProjectName": "report"},
                                                    inputs=["SmokeOut"], run_order=2))
    assert cp.create_pipeline(pipeline=pipeline)["pipeline"]["version"] == 1
    broken = declaration(role_arn, name="Other")
    broken["stages"][2]["actions"].append(_action("Report", "Test", "CodeBuild", {"ProjectName": "report"},
                                                  inputs=["SmokeOut"], run_order=1))
    broken["stages"][2]["actions"].append(_action("Smoke", "Test", "CodeBuild", {"ProjectName": "smoke"},
                                                  inputs=["BuildArtifact"], outputs=["SmokeOut"], run_order=2))
    assert "SmokeOut" in _structure_error(cp, cp.create_pipeline, pipeline=broken)


# --- executions -------------------------------------------------------------------------------

@pytest.fixture
def repo(aws):
    for region in (PRIMARY, SECONDARY):  # the artifact stores of declaration()
        aws.client("s3", region).create_bucket(Bucket="artifacts-%s" % region,
                                               CreateBucketConfiguration={"LocationConstraint": region})
    cc = aws.client("codecommit", PRIMARY)
    cc.create_repository(repositoryName="core-service-mm")
    head = cc.put_file(repositoryName="core-service-mm", branchName="master", fileContent=b"v1",
                       filePath="Dockerfile", commitMessage="initial")
    return cc, head["commitId"]


def _wait_for_status(cp, name, execution_id, done=("Succeeded", "Failed"), timeout=30):
    deadline = time.time() + timeout
    while True:
        status = cp.get_pipeline_execution(pipelineName=name, pipelineExecutionId=execution_id)[
            "pipelineExecution"]["status"]
        if status in done or time.time() > deadline:
            return status
        time.sleep(0.1)


def test_execution_goes_from_in_progress_to_succeeded(aws, cp, role_arn, repo):
    _, commit_id = repo
    cp.create_pipeline(pipeline=declaration(role_arn))
    aws.control.set_timing(pipeline_run_seconds=1.0)
    execution_id = cp.start_pipeline_execution(name="CorePipeline-mm")["pipelineExecutionId"]
    execution = cp.get_pipeline_execution(pipelineName="CorePipeline-mm",
                                          pipelineExecutionId=execution_id)["pipelineExecution"]
    assert execution["status"] == "InProgress"
    assert execution["pipelineVersion"] == 1
    assert execution["trigger"]["triggerType"] == "StartPipelineExecution"
    assert [(r["name"], r["revisionId"]) for r in execution["artifactRevisions"]] == [
        ("SourceArtifact", commit_id)]
    assert _wait_for_status(cp, "CorePipeline-mm", execution_id) == "Succeeded"
    summary = cp.list_pipeline_executions(pipelineName="CorePipeline-mm")["pipelineExecutionSummaries"][0]
    assert summary["pipelineExecutionId"] == execution_id
    assert summary["status"] == "Succeeded"
    assert summary["lastUpdateTime"] >= summary["startTime"]
    assert summary["sourceRevisions"] == [{"actionName": "Source", "revisionId": commit_id,
                                           "revisionSummary": "initial",
                                           "revisionUrl": summary["sourceRevisions"][0]["revisionUrl"]}]


def test_pipeline_state_while_running_and_after(aws, cp, role_arn, repo):
    cp.create_pipeline(pipeline=declaration(role_arn, cross_region=SECONDARY, stores=[PRIMARY, SECONDARY]))
    state = cp.get_pipeline_state(name="CorePipeline-mm")
    assert state["pipelineName"] == "CorePipeline-mm" and state["pipelineVersion"] == 1
    assert [s["stageName"] for s in state["stageStates"]] == [
        "Source", "Build_Docker_Container", "Deploy", "CrossRegionDeploy"]
    assert all("latestExecution" not in s for s in state["stageStates"])  # never ran

    aws.control.set_timing(pipeline_run_seconds=600)  # still in the first step when read
    running_id = cp.start_pipeline_execution(name="CorePipeline-mm")["pipelineExecutionId"]
    stages = cp.get_pipeline_state(name="CorePipeline-mm")["stageStates"]
    assert stages[0]["latestExecution"] == {"pipelineExecutionId": running_id, "status": "InProgress"}
    assert stages[0]["actionStates"][0]["latestExecution"]["status"] == "InProgress"
    assert all("latestExecution" not in s for s in stages[1:])

    aws.control.set_timing(pipeline_run_seconds=0)  # a run that is over as soon as it starts
    done_id = cp.start_pipeline_execution(name="CorePipeline-mm")["pipelineExecutionId"]
    stages = cp.get_pipeline_state(name="CorePipeline-mm")["stageStates"]
    for stage in stages:
        assert stage["latestExecution"] == {"pipelineExecutionId": done_id, "status": "Succeeded"}
        assert [a["latestExecution"]["status"] for a in stage["actionStates"]] == ["Succeeded"]
    assert "inboundTransitionState" not in stages[0]
    assert stages[1]["inboundTransitionState"]["enabled"] is True
    # The cross-region action is shown in its own region.
    cross = stages[3]["actionStates"][0]
    assert cross["actionName"] == "CrossRegionDeploy"
    assert "region=%s" % SECONDARY in cross["entityUrl"]
    assert "region=%s" % PRIMARY in stages[2]["actionStates"][0]["entityUrl"]
    source = stages[0]["actionStates"][0]
    assert source["currentRevision"]["revisionId"] == repo[1]
    # The older execution is still running; executions are listed newest first.
    summaries = cp.list_pipeline_executions(pipelineName="CorePipeline-mm")["pipelineExecutionSummaries"]
    assert [(s["pipelineExecutionId"], s["status"]) for s in summaries] == [
        (done_id, "Succeeded"), (running_id, "InProgress")]


def test_fail_next_fails_the_named_action(aws, cp, role_arn, repo):
    cp.create_pipeline(pipeline=declaration(role_arn, cross_region=SECONDARY, stores=[PRIMARY, SECONDARY]))
    message = "The ECS service CoreEcsService did not stabilize."
    aws.control.post("codepipeline/fail-next", {"pipeline": "CorePipeline-mm", "stage": "CrossRegionDeploy",
                                                "action": "CrossRegionDeploy", "message": message})
    aws.control.set_timing(pipeline_run_seconds=0)
    failed_id = cp.start_pipeline_execution(name="CorePipeline-mm")["pipelineExecutionId"]
    assert cp.get_pipeline_execution(pipelineName="CorePipeline-mm", pipelineExecutionId=failed_id)[
        "pipelineExecution"]["status"] == "Failed"
    stages = {s["stageName"]: s for s in cp.get_pipeline_state(name="CorePipeline-mm")["stageStates"]}
    assert stages["Deploy"]["latestExecution"]["status"] == "Succeeded"
    assert stages["CrossRegionDeploy"]["latestExecution"]["status"] == "Failed"
    action = stages["CrossRegionDeploy"]["actionStates"][0]["latestExecution"]
    assert action["status"] == "Failed"
    assert action["errorDetails"]["message"] == message
    # It was for the next execution only.
    assert aws.control.get("codepipeline/fail-next")["pending"] == []
    next_id = cp.start_pipeline_execution(name="CorePipeline-mm")["pipelineExecutionId"]
    assert cp.get_pipeline_execution(pipelineName="CorePipeline-mm", pipelineExecutionId=next_id)[
        "pipelineExecution"]["status"] == "Succeeded"


def test_fail_next_in_an_early_stage_stops_the_run(aws, cp, role_arn, repo):
    cp.create_pipeline(pipeline=declaration(role_arn))
    aws.control.post("codepipeline/fail-next", {"pipeline": "CorePipeline-mm", "stage": "Build_Docker_Container",
                                                "action": "Build", "message": "docker build failed"})
    aws.control.set_timing(pipeline_run_seconds=0)
    cp.start_pipeline_execution(name="CorePipeline-mm")
    stages = cp.get_pipeline_state(name="CorePipeline-mm")["stageStates"]
    assert [s.get("latestExecution", {}).get("status") for s in stages] == ["Succeeded", "Failed", None]
    assert stages[1]["actionStates"][0]["latestExecution"]["errorDetails"]["message"] == "docker build failed"


def test_fail_next_rejects_an_unknown_action_and_reset_clears_it(aws, cp, role_arn):
    cp.create_pipeline(pipeline=declaration(role_arn))
    with pytest.raises(RuntimeError, match="no action"):
        aws.control.post("codepipeline/fail-next", {"pipeline": "CorePipeline-mm", "stage": "Deploy",
                                                    "action": "Nope", "message": "x"})
    aws.control.post("codepipeline/fail-next", {"pipeline": "CorePipeline-mm", "stage": "Deploy",
                                                "action": "Deploy", "message": "x"})
    assert len(aws.control.get("codepipeline/fail-next")["pending"]) == 1
    aws.control.reset()
    assert aws.control.get("codepipeline/fail-next")["pending"] == []
    assert aws.client("codepipeline", PRIMARY).list_pipelines()["pipelines"] == []


def test_source_action_fails_without_the_branch(aws, cp, role_arn):
    aws.client("codecommit", PRIMARY).create_repository(repositoryName="core-service-mm")  # empty: no master
    cp.create_pipeline(pipeline=declaration(role_arn))
    aws.control.set_timing(pipeline_run_seconds=0)
    execution_id = cp.start_pipeline_execution(name="CorePipeline-mm")["pipelineExecutionId"]
    assert cp.get_pipeline_execution(pipelineName="CorePipeline-mm", pipelineExecutionId=execution_id)[
        "pipelineExecution"]["status"] == "Failed"
    source = cp.get_pipeline_state(name="CorePipeline-mm")["stageStates"][0]["actionStates"][0]
    assert "no branch named master" in source["latestExecution"]["errorDetails"]["message"]


def test_commit_starts_only_the_pipelines_watching_the_branch(aws, cp, role_arn, repo):
    cc, first_commit = repo
    cp.create_pipeline(pipeline=declaration(role_arn, poll="false"))
    cp.create_pipeline(pipeline=declaration(role_arn, name="OtherBranch", branch="develop"))
    cp.create_pipeline(pipeline=declaration(role_arn, name="OtherRepo", repo="like-service-mm"))
    east = aws.client("codepipeline", "us-east-1")
    # IAM is global: the same role serves the other region.
    east.create_pipeline(pipeline=declaration(role_arn, name="OtherRegion"))
    for name in ("CorePipeline-mm", "OtherBranch", "OtherRepo"):
        assert cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"] == []

    pushed = cc.put_file(repositoryName="core-service-mm", branchName="master", fileContent=b"v2",
                         filePath="Dockerfile", parentCommitId=first_commit, commitMessage="multi-region")
    started = cp.list_pipeline_executions(pipelineName="CorePipeline-mm")["pipelineExecutionSummaries"]
    assert len(started) == 1
    assert started[0]["trigger"]["triggerType"] == "CloudWatchEvent"
    assert started[0]["sourceRevisions"][0]["revisionId"] == pushed["commitId"]
    assert started[0]["sourceRevisions"][0]["revisionSummary"] == "multi-region"
    execution = cp.get_pipeline_execution(pipelineName="CorePipeline-mm",
                                          pipelineExecutionId=started[0]["pipelineExecutionId"])
    assert execution["pipelineExecution"]["artifactRevisions"][0]["revisionId"] == pushed["commitId"]
    for name in ("OtherBranch", "OtherRepo"):
        assert cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"] == []
    assert east.list_pipeline_executions(pipelineName="OtherRegion")["pipelineExecutionSummaries"] == []

    # A branch created at a commit is a new reference too: the develop pipeline starts.
    cc.create_branch(repositoryName="core-service-mm", branchName="develop", commitId=pushed["commitId"])
    develop = cp.list_pipeline_executions(pipelineName="OtherBranch")["pipelineExecutionSummaries"]
    assert len(develop) == 1
    # PollForSourceChanges omitted means polling (action reference): the trigger says so.
    assert develop[0]["trigger"]["triggerType"] == "PollForSourceChanges"


def test_unknown_pipeline(cp):
    with pytest.raises(cp.exceptions.PipelineNotFoundException):
        cp.get_pipeline_state(name="nope")
    with pytest.raises(cp.exceptions.PipelineNotFoundException):
        cp.start_pipeline_execution(name="nope")

"""S1 least privilege: docs/iam-policy.json grants exactly the IAM actions that converge, verify and teardown use.

One scenario against the emulator: the primary fixture (not counted: it stands for Labs 0-2, done by
someone else), then what a user runs — the plan (``--check --diff``), the converge, the converge again
(the stack's template is compared), verify, the teardown of the secondary region (its generated artifact buckets deleted), and the converge
that brings the region back. Every request of those runs in the emulator's call log, failed ones included
(AWS authorizes a request before it answers "not found"), is mapped to the IAM actions it needs
(OPERATION_ACTIONS, from the Service Authorization Reference; dependent actions included), and the union
must EQUAL the policy's actions: a missing action fails the user's run, an extra one grants more than used.

The policy's resources are checked against the resources this run really touched (a small evaluator of
Allow statements: exact action, ``*``/``?`` wildcards in resources), and against two it must NOT reach:
the primary stack (no delete) and the primary application's own artifact bucket (no change).
"""
import fnmatch
import json
import os

import boto3
import pytest

from tests.emulator.client import DUMMY_CREDENTIALS
from tests.integration.harness import REPO_ROOT, run_playbook

POLICY = os.path.join(REPO_ROOT, "docs", "iam-policy.json")
INVENTORY = "inventory/regions.yml"
PRIMARY, SECONDARY = "us-west-2", "us-east-1"
NO_READINESS = ("--skip-tags", "readiness")
ACCOUNT = "123456789012"

# (service as the call log names it, API operation) -> IAM actions the request needs.
# Where the operation and the action differ in name (S3), or the operation needs more than its own
# action (dependent actions), it is said here. Unknown operations fail the test: map them, then update
# docs/iam-policy.json and docs/reliability.md.
OPERATION_ACTIONS = {
    # preflight: do the credentials work, and is every inventory host a region enabled for the account
    # (application_info's first read).
    ("ec2", "DescribeRegions"): ["ec2:DescribeRegions"],
    # application_info: the record tag of every pipeline in one read (codepipeline_stage's
    # mysfits.multi_region/artifact-stores), so that the roles plan from it. The Resource Groups Tagging API
    # (signing name "tagging") authorizes GetResources as tag:GetResources.
    ("tagging", "GetResources"): ["tag:GetResources"],
    ("cloudformation", "DescribeStacks"): ["cloudformation:DescribeStacks"],
    ("cloudformation", "DescribeStackEvents"): ["cloudformation:DescribeStackEvents"],
    ("cloudformation", "GetTemplate"): ["cloudformation:GetTemplate"],
    # teardown: the secondary stack's ECR repositories are emptied before the stack is deleted (ecr_images).
    ("ecr", "ListImages"): ["ecr:ListImages"],
    ("ecr", "BatchDeleteImage"): ["ecr:BatchDeleteImage"],
    # application_info: the primary stack's resources and its nested stacks' (the pipelines), the secondary's.
    ("cloudformation", "ListStackResources"): ["cloudformation:ListStackResources"],
    # application_info: the primary ECS services' containers and target groups.
    ("ecs", "DescribeServices"): ["ecs:DescribeServices"],
    # application_info: the dashboard must exist (the error lists the others); without a name, every dashboard
    # is read (GetDashboard) to find the one that draws the application's metrics.
    ("cloudwatch", "ListDashboards"): ["cloudwatch:ListDashboards"],
    ("cloudformation", "CreateStack"): ["cloudformation:CreateStack"],
    ("cloudformation", "UpdateStack"): ["cloudformation:UpdateStack"],
    ("cloudformation", "DeleteStack"): ["cloudformation:DeleteStack"],
    ("dynamodb", "DescribeTable"): ["dynamodb:DescribeTable"],
    ("dynamodb", "ListTagsOfResource"): ["dynamodb:ListTagsOfResource"],
    ("dynamodb", "DescribeGlobalTable"): ["dynamodb:DescribeGlobalTable"],
    # UpdateTable enables the stream (UpdateTable) and adds / removes replicas (ReplicaUpdates). Per the
    # DynamoDB developer guide (global tables 2019.11.21, IAM): in the source region UpdateTable; in the
    # replica's region CreateTable, CreateTableReplica, Scan, Query, UpdateItem, PutItem, GetItem, DeleteItem,
    # BatchWriteItem to create one, DeleteTable and DeleteTableReplica to delete one; and the first replica
    # of the account creates the service-linked role AWSServiceRoleForDynamoDBReplication.
    ("dynamodb", "UpdateTable"): [
        "dynamodb:UpdateTable", "dynamodb:CreateTable", "dynamodb:CreateTableReplica", "dynamodb:Scan",
        "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem", "dynamodb:DeleteTable", "dynamodb:DeleteTableReplica",
        "iam:CreateServiceLinkedRole"],
    ("dynamodb", "Scan"): ["dynamodb:Scan"],
    ("dynamodb", "GetItem"): ["dynamodb:GetItem"],
    ("dynamodb", "PutItem"): ["dynamodb:PutItem"],
    ("dynamodb", "DeleteItem"): ["dynamodb:DeleteItem"],
    ("codepipeline", "GetPipeline"): ["codepipeline:GetPipeline"],
    # UpdatePipeline passes the pipeline's service role again (roleArn): iam:PassRole is a dependent action.
    ("codepipeline", "UpdatePipeline"): ["codepipeline:UpdatePipeline", "iam:PassRole"],
    ("codepipeline", "ListPipelineExecutions"): ["codepipeline:ListPipelineExecutions"],
    # codepipeline_stage's record of the stores it added (a pipeline tag)
    ("codepipeline", "ListTagsForResource"): ["codepipeline:ListTagsForResource"],
    ("codepipeline", "TagResource"): ["codepipeline:TagResource"],
    ("codepipeline", "UntagResource"): ["codepipeline:UntagResource"],
    ("codepipeline", "GetPipelineExecution"): ["codepipeline:GetPipelineExecution"],
    # codepipeline_execution: a failed execution's failed action, a pipeline with an approval action's state
    ("codepipeline", "GetPipelineState"): ["codepipeline:GetPipelineState"],
    # the readiness report: each region's services, their running tasks (image digests) and targets' health.
    # ListTasks is authorized on the container-instance resource type (Service Authorization Reference, ECS).
    ("ecs", "DescribeServices"): ["ecs:DescribeServices"],
    ("ecs", "ListTasks"): ["ecs:ListTasks"],
    ("ecs", "DescribeTasks"): ["ecs:DescribeTasks"],
    # playbooks/drill.yml (ecs_desired_count): the primary's services to 0 desired tasks and back.
    ("ecs", "UpdateService"): ["ecs:UpdateService"],
    ("elasticloadbalancing", "DescribeTargetHealth"): ["elasticloadbalancing:DescribeTargetHealth"],
    # the like check sets Likes back (ddb_item_number)
    ("dynamodb", "UpdateItem"): ["dynamodb:UpdateItem"],
    ("codecommit", "GetBranch"): ["codecommit:GetBranch"],
    ("codecommit", "GetFile"): ["codecommit:GetFile"],
    ("codecommit", "PutFile"): ["codecommit:PutFile"],
    # teardown of the last region: the buildspec's history is read back to restore it (codecommit_file)
    ("codecommit", "GetCommit"): ["codecommit:GetCommit"],
    ("cloudwatch", "GetDashboard"): ["cloudwatch:GetDashboard"],
    ("cloudwatch", "PutDashboard"): ["cloudwatch:PutDashboard"],
    # S3: the IAM action names differ from the operations'.
    ("s3", "HeadBucket"): ["s3:ListBucket"],
    ("s3", "CreateBucket"): ["s3:CreateBucket"],
    ("s3", "GetBucketEncryption"): ["s3:GetEncryptionConfiguration"],
    ("s3", "PutBucketEncryption"): ["s3:PutEncryptionConfiguration"],
    ("s3", "GetBucketVersioning"): ["s3:GetBucketVersioning"],
    ("s3", "PutBucketVersioning"): ["s3:PutBucketVersioning"],
    ("s3", "GetPublicAccessBlock"): ["s3:GetBucketPublicAccessBlock"],
    ("s3", "PutPublicAccessBlock"): ["s3:PutBucketPublicAccessBlock"],
    ("s3", "GetBucketPolicy"): ["s3:GetBucketPolicy"],
    ("s3", "PutBucketPolicy"): ["s3:PutBucketPolicy"],
    # The front door (playbooks/front_door.yml, traffic.yml): each region's load balancer by its DNS name
    # (amazon.aws.elb_application_lb_info also reads each load balancer's tags), then Global Accelerator in
    # us-west-2. Service Authorization Reference, Global Accelerator: CreateAccelerator with tags needs
    # TagResource; AddEndpoints needs UpdateEndpointGroup.
    ("elasticloadbalancing", "DescribeLoadBalancers"): ["elasticloadbalancing:DescribeLoadBalancers"],
    ("elasticloadbalancing", "DescribeTags"): ["elasticloadbalancing:DescribeTags"],
    ("globalaccelerator", "ListAccelerators"): ["globalaccelerator:ListAccelerators"],
    ("globalaccelerator", "DescribeAccelerator"): ["globalaccelerator:DescribeAccelerator"],
    ("globalaccelerator", "ListTagsForResource"): ["globalaccelerator:ListTagsForResource"],
    ("globalaccelerator", "ListListeners"): ["globalaccelerator:ListListeners"],
    ("globalaccelerator", "ListEndpointGroups"): ["globalaccelerator:ListEndpointGroups"],
    ("globalaccelerator", "CreateAccelerator"): ["globalaccelerator:CreateAccelerator", "globalaccelerator:TagResource"],
    ("globalaccelerator", "UpdateAccelerator"): ["globalaccelerator:UpdateAccelerator"],
    ("globalaccelerator", "DeleteAccelerator"): ["globalaccelerator:DeleteAccelerator"],
    ("globalaccelerator", "CreateListener"): ["globalaccelerator:CreateListener"],
    ("globalaccelerator", "UpdateListener"): ["globalaccelerator:UpdateListener"],
    ("globalaccelerator", "DeleteListener"): ["globalaccelerator:DeleteListener"],
    ("globalaccelerator", "CreateEndpointGroup"): ["globalaccelerator:CreateEndpointGroup"],
    ("globalaccelerator", "UpdateEndpointGroup"): ["globalaccelerator:UpdateEndpointGroup"],
    ("globalaccelerator", "DeleteEndpointGroup"): ["globalaccelerator:DeleteEndpointGroup"],
    ("globalaccelerator", "AddEndpoints"): ["globalaccelerator:AddEndpoints", "globalaccelerator:UpdateEndpointGroup"],
    ("globalaccelerator", "RemoveEndpoints"): ["globalaccelerator:RemoveEndpoints"],
    ("globalaccelerator", "TagResource"): ["globalaccelerator:TagResource"],
    # The failover alarms (role alarms, from front_door.yml; teardown removes a region's): read by name with
    # AlarmTypes, metric alarms (amazon.aws.cloudwatch_metric_alarm, cloudwatch_metric_math_alarm), composite
    # alarms, deleted by name. Service Authorization Reference, CloudWatch: each on the alarm resource type.
    ("cloudwatch", "DescribeAlarms"): ["cloudwatch:DescribeAlarms"],
    ("cloudwatch", "PutMetricAlarm"): ["cloudwatch:PutMetricAlarm"],
    ("cloudwatch", "PutCompositeAlarm"): ["cloudwatch:PutCompositeAlarm"],
    ("cloudwatch", "DeleteAlarms"): ["cloudwatch:DeleteAlarms"],
    # the drill's RPO in seconds: DynamoDB ReplicationLatency (cloudwatch_metric_info)
    ("cloudwatch", "GetMetricStatistics"): ["cloudwatch:GetMetricStatistics"],
    # teardown empties (every version) and deletes the generated artifact buckets
    ("s3", "ListObjectVersions"): ["s3:ListBucketVersions"],
    ("s3", "DeleteObjects"): ["s3:DeleteObject", "s3:DeleteObjectVersion"],
    ("s3", "DeleteBucket"): ["s3:DeleteBucket"],
    # teardown: is there a bucket holding the secondary stack's staged template (secondary_stack unstage.yml)
    ("s3", "ListBuckets"): ["s3:ListAllMyBuckets"],
}
# Operations a module makes only on a path these runs do not take; their actions stay in the policy and their
# entries in the mapping. codecommit_file calls GetBranch only when the file or the branch does not exist yet
# (the lab's repositories hold buildspec_prod.yml from Labs 0-2; pipeline_cross_region_buildspec_path may name
# a new file).
# cloudformation_stack calls UpdateStack when the template, a parameter or the tags of a secondary stack
# change (a new collection version, another table name): not in these runs, tested in test_secondary_stack_role.py.
# global_accelerator adds or removes single endpoints, changes a listener's ports or affinity and tags an existing
# accelerator only when someone changed what the front door made (tested in test_global_accelerator.py).
# codepipeline_stage reads an existing generated bucket's settings only when its store is added again while the
# bucket is still there (kept with delete_unused_buckets=false, or a run stopped before the UpdatePipeline) or the
# pipeline's role changed; these runs create the buckets, and teardown deletes them (tested in
# test_codepipeline_stage.py). The emulator's executions write no artifacts, so the buckets teardown empties hold
# no object (DeleteObjects: the versioned-bucket test in test_codepipeline_stage.py).
NOT_IN_THESE_RUNS = {("codecommit", "GetBranch"), ("cloudformation", "UpdateStack"),
                     ("globalaccelerator", "AddEndpoints"), ("globalaccelerator", "RemoveEndpoints"),
                     ("globalaccelerator", "UpdateListener"), ("globalaccelerator", "TagResource"),
                     ("s3", "GetBucketEncryption"), ("s3", "GetBucketVersioning"), ("s3", "GetPublicAccessBlock"),
                     ("s3", "GetBucketPolicy"), ("s3", "DeleteObjects"), ("codepipeline", "GetPipelineState"),
                     # the replica check's canary item: written and deleted only when asked
                     # (global_table_verify_canary / ddb_replica_check canary=true), not in these runs
                     ("dynamodb", "PutItem"), ("dynamodb", "DeleteItem"),
                     # the failover drill (playbooks/drill.yml) is not among these runs (tests/integration/test_drill.py)
                     ("ecs", "UpdateService"), ("cloudwatch", "GetMetricStatistics")}
# Actions whose Service Authorization Reference entry lists no resource type: only "Resource": "*" works.
NO_RESOURCE_LEVEL = {"ec2:DescribeRegions", "cloudwatch:ListDashboards", "elasticloadbalancing:DescribeLoadBalancers",
                     "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTargetHealth",
                     "globalaccelerator:CreateAccelerator", "globalaccelerator:ListAccelerators",
                     "cloudwatch:GetMetricStatistics", "s3:ListAllMyBuckets",
                     # Service Authorization Reference, Amazon Resource Group Tagging API
                     # (https://docs.aws.amazon.com/IAM/latest/UserGuide/list_amazonresourcegrouptaggingapi.html):
                     # its actions have no resource types, so they are granted on "*".
                     "tag:GetResources"}


def load_policy():
    with open(POLICY) as handle:
        return json.load(handle)


def _list(value):
    return value if isinstance(value, list) else [value]


def policy_actions(policy):
    return {action for statement in policy["Statement"] for action in _list(statement["Action"])}


def allows(policy, action, resource):
    """Whether an Allow statement of ``policy`` names ``action`` and a resource pattern matching ``resource``."""
    for statement in policy["Statement"]:
        if statement["Effect"] != "Allow" or action not in _list(statement["Action"]):
            continue
        if any(fnmatch.fnmatchcase(resource, pattern) for pattern in _list(statement["Resource"])):
            return True
    return False


# ------------------------------------------------------------------------------------------ the policy alone

def test_policy_is_well_formed_and_names_every_action_in_full():
    policy = load_policy()
    assert policy["Version"] == "2012-10-17"
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert set(statement) <= {"Sid", "Effect", "Action", "Resource", "Condition"}, statement  # no NotAction
        for action in _list(statement["Action"]):
            service, _, name = action.partition(":")
            assert service and name and "*" not in action and "?" not in action, action


def test_resource_star_only_where_the_api_has_no_resource_level_permission():
    for statement in load_policy()["Statement"]:
        if "*" in _list(statement["Resource"]):
            assert set(_list(statement["Action"])) <= NO_RESOURCE_LEVEL, statement
        else:
            assert not set(_list(statement["Action"])) & NO_RESOURCE_LEVEL, statement


# ------------------------------------------------------------------------------------------ against the call log

class _Sandbox:
    """What the module-scoped runs need of the ``aws`` fixture (which is per test) on the worker's emulator."""

    def __init__(self, emulator):
        self.control = emulator.client
        self.env = emulator.env
        self.client = lambda service, region=PRIMARY: boto3.client(
            service, region_name=region, endpoint_url=emulator.endpoint, **{
                key.lower(): value for key, value in DUMMY_CREDENTIALS.items()})


@pytest.fixture(scope="module")
def lab_runs(emulator, tmp_path_factory):
    """Plan, converge, converge again, verify, teardown, converge: once for the module's tests (5-6 minutes)."""
    emulator.client.reset()
    aws = _Sandbox(emulator)
    tmp_path = tmp_path_factory.mktemp("iam-policy")
    fixture = run_playbook("tests/fixture/primary.yml", aws.env())
    assert fixture.rc == 0, fixture
    mark = aws.control.last_seq()
    reports = {"readiness_report_dir": str(tmp_path / "reports")}
    runs = [
        ("plan", run_playbook("playbooks/multi_region.yml", aws.env(), inventory=INVENTORY, extra_vars=reports,
                              check=True, diff=True)),
        # The converges without their readiness report: its calls are those of the "verify" run below (the site
        # playbook imports verify.yml), made once.
        ("converge", run_playbook("playbooks/multi_region.yml", aws.env(), inventory=INVENTORY, extra_vars=reports,
                                  extra_args=NO_READINESS)),
        ("converge again", run_playbook("playbooks/multi_region.yml", aws.env(), inventory=INVENTORY,
                                        extra_vars=reports, extra_args=NO_READINESS)),
        ("verify", run_playbook("playbooks/verify.yml", aws.env(), inventory=INVENTORY, extra_vars=reports)),
        # The front door: plan, create, again, dials, and removed again (before the region's teardown).
        ("front door plan", run_playbook("playbooks/front_door.yml", aws.env(), inventory=INVENTORY, check=True,
                                         diff=True)),
        ("front door", run_playbook("playbooks/front_door.yml", aws.env(), inventory=INVENTORY)),
        ("front door again", run_playbook("playbooks/front_door.yml", aws.env(), inventory=INVENTORY)),
        ("dials", run_playbook("playbooks/traffic.yml", aws.env(), inventory=INVENTORY,
                               extra_vars={"dials": {PRIMARY: 90, SECONDARY: 10}})),
    ]
    for name, run in runs:
        assert run.rc == 0, (name, run)
    # What exists after the converge, to check the policy's resources against (before the teardown removes it).
    # These reads are the test's own: their calls are left out of the window.
    before_reads = aws.control.last_seq()
    touched = {
        "buckets": [b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]],
        "pipelines": [p["name"] for p in aws.client("codepipeline").list_pipelines()["pipelines"]],
        "role": aws.client("codepipeline").get_pipeline(name="CorePipeline-mm-primary-region")["pipeline"]["roleArn"],
        "dashboards": [d["DashboardName"] for d in aws.client("cloudwatch").list_dashboards()["DashboardEntries"]],
        "primary_stack": aws.client("cloudformation").describe_stacks(
            StackName="mm-primary-region")["Stacks"][0],
    }
    front_door_arn = aws.client("globalaccelerator").list_accelerators()["Accelerators"][0]["AcceleratorArn"]
    touched["front_door"] = front_door_arn
    after_reads = aws.control.last_seq()
    gone = run_playbook("playbooks/front_door.yml", aws.env(), inventory=INVENTORY,
                        extra_vars={"front_door_state": "absent"})
    assert gone.rc == 0, gone
    teardown = run_playbook("playbooks/teardown.yml", aws.env(), inventory=INVENTORY,
                            extra_vars={"confirm_teardown": SECONDARY})
    assert teardown.rc == 0, teardown
    # The region back (teardown.yml: "converge again to bring it back"): teardown deleted the generated artifact
    # buckets, so the stage module creates them again.
    back = run_playbook("playbooks/multi_region.yml", aws.env(), inventory=INVENTORY, extra_vars=reports,
                        extra_args=NO_READINESS)
    assert back.rc == 0, back
    calls = [c for c in aws.control.calls(since=mark) if not before_reads < c["seq"] <= after_reads]
    assert not [c for c in calls if c.get("injected")]
    return calls, touched


def test_policy_actions_equal_the_actions_the_lab_uses(lab_runs):
    calls, _ = lab_runs
    operations = {(c["service"], c["operation"]) for c in calls}
    unmapped = sorted(operations - set(OPERATION_ACTIONS))
    assert unmapped == [], "map these operations to IAM actions (and update docs/iam-policy.json): %s" % unmapped
    used = {action for op in operations for action in OPERATION_ACTIONS[op]}
    other_paths = {action for op in NOT_IN_THESE_RUNS for action in OPERATION_ACTIONS[op]} - used
    granted = policy_actions(load_policy())
    assert sorted(used - granted) == [], "used but not granted"
    assert sorted(granted - used) == sorted(other_paths), "granted but not used (nor listed in NOT_IN_THESE_RUNS)"
    # The mapping holds no stale entry either: every operation it knows was used by these runs (or is listed).
    assert sorted(set(OPERATION_ACTIONS) - operations - NOT_IN_THESE_RUNS) == []


def test_policy_resources_cover_what_the_lab_touched_and_no_more(lab_runs):
    _, touched = lab_runs
    policy = load_policy()
    artifact_buckets = [b for b in touched["buckets"] if b.startswith("codepipeline-")]
    assert artifact_buckets, touched["buckets"]
    for bucket in artifact_buckets:
        for action in ("s3:CreateBucket", "s3:ListBucket", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration",
                       "s3:PutBucketVersioning", "s3:PutBucketPublicAccessBlock", "s3:GetBucketPolicy"):
            assert allows(policy, action, "arn:aws:s3:::%s" % bucket), (action, bucket)
    for pipeline in touched["pipelines"]:
        arn = "arn:aws:codepipeline:%s:%s:%s" % (PRIMARY, ACCOUNT, pipeline)
        for action in ("codepipeline:GetPipeline", "codepipeline:UpdatePipeline",
                       "codepipeline:ListPipelineExecutions", "codepipeline:GetPipelineExecution"):
            assert allows(policy, action, arn), (action, arn)
    assert allows(policy, "iam:PassRole", touched["role"])
    for repository in ("core-service-mm-primary-region", "like-service-mm-primary-region"):
        arn = "arn:aws:codecommit:%s:%s:%s" % (PRIMARY, ACCOUNT, repository)
        for action in ("codecommit:GetBranch", "codecommit:GetCommit", "codecommit:GetFile", "codecommit:PutFile"):
            assert allows(policy, action, arn), (action, arn)
    assert sorted(touched["dashboards"]) == ["MythicalMysfits-Dashboard", "MythicalMysfits-Dashboard-backup"]
    for dashboard in touched["dashboards"]:
        assert allows(policy, "cloudwatch:PutDashboard", "arn:aws:cloudwatch::%s:dashboard/%s" % (ACCOUNT, dashboard))
    # the failover alarms: the collection's own (named mysfits-<region>-...), in every region, and no other
    for region in (PRIMARY, SECONDARY):
        for name in ("mysfits-%s-failover" % region, "mysfits-%s-alb-5xx-rate" % region):
            arn = "arn:aws:cloudwatch:%s:%s:alarm:%s" % (region, ACCOUNT, name)
            for action in ("cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:PutCompositeAlarm",
                           "cloudwatch:DeleteAlarms"):
                assert allows(policy, action, arn), (action, arn)
    assert not allows(policy, "cloudwatch:DeleteAlarms", "arn:aws:cloudwatch:%s:%s:alarm:Someone-Elses" % (
        PRIMARY, ACCOUNT))
    # discovery reads every dashboard of the region to find the one that draws the application (issue 12)
    assert allows(policy, "cloudwatch:GetDashboard", "arn:aws:cloudwatch::%s:dashboard/Someone-Elses" % ACCOUNT)
    assert not allows(policy, "cloudwatch:PutDashboard", "arn:aws:cloudwatch::%s:dashboard/Someone-Elses" % ACCOUNT)
    for region in (PRIMARY, SECONDARY):
        table = "arn:aws:dynamodb:%s:%s:table/MythicalMysfits-DDBTable" % (region, ACCOUNT)
        for action in ("dynamodb:DescribeTable", "dynamodb:Scan", "dynamodb:GetItem"):
            assert allows(policy, action, table), (action, table)
    assert allows(policy, "dynamodb:UpdateTable", "arn:aws:dynamodb:%s:%s:table/MythicalMysfits-DDBTable" % (
        PRIMARY, ACCOUNT))
    secondary_stack = "arn:aws:cloudformation:%s:%s:stack/mm-secondary-region/0f1e" % (SECONDARY, ACCOUNT)
    assert allows(policy, "cloudformation:CreateStack", secondary_stack)
    assert allows(policy, "cloudformation:DeleteStack", secondary_stack)
    for repository in ("mm-secondary-region/core-service", "mm-secondary-region-mythicalservicerepo-1a2b3c4d5e6f"):
        arn = "arn:aws:ecr:%s:%s:repository/%s" % (SECONDARY, ACCOUNT, repository)
        for action in ("ecr:ListImages", "ecr:BatchDeleteImage"):
            assert allows(policy, action, arn), (action, arn)
    assert not allows(policy, "ecr:BatchDeleteImage", "arn:aws:ecr:%s:%s:repository/mm-primary-region/core-service" % (
        PRIMARY, ACCOUNT))

    accelerator = touched["front_door"]
    for arn in (accelerator, accelerator + "/listener/0123abcd", accelerator + "/listener/0123abcd/endpoint-group/ab"):
        for action in ("globalaccelerator:DescribeAccelerator", "globalaccelerator:ListListeners",
                       "globalaccelerator:CreateEndpointGroup", "globalaccelerator:UpdateEndpointGroup",
                       "globalaccelerator:DeleteEndpointGroup", "globalaccelerator:DeleteListener"):
            assert allows(policy, action, arn), (action, arn)

    # What the policy must not reach: deleting the primary stack, changing the primary's artifact bucket.
    primary_stack = touched["primary_stack"]["StackId"]
    assert primary_stack.startswith("arn:aws:cloudformation:%s:" % PRIMARY)
    assert not allows(policy, "cloudformation:DeleteStack", primary_stack)
    assert allows(policy, "cloudformation:DescribeStacks", primary_stack)
    assert allows(policy, "cloudformation:ListStackResources", primary_stack)
    nested = primary_stack.replace("stack/mm-primary-region/", "stack/mm-primary-region-MythicalCiCdStack-1AB2/")
    assert allows(policy, "cloudformation:ListStackResources", nested)
    assert allows(policy, "ecs:DescribeServices",
                  "arn:aws:ecs:%s:%s:service/Cluster-mm-primary-region/CoreEcsService-mm-primary-region" % (
                      PRIMARY, ACCOUNT))
    primary_bucket = {o["OutputKey"]: o["OutputValue"] for o in touched["primary_stack"]["Outputs"]}["ArtifactBucket"]
    for action in ("s3:PutBucketPolicy", "s3:ListBucket", "s3:CreateBucket"):
        assert not allows(policy, action, "arn:aws:s3:::%s" % primary_bucket), (action, primary_bucket)

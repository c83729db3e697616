"""R3: a catalogue of wrong inputs, each refused before any mutating call, with a message naming the fix.

One table-driven test. Each case builds what it needs with boto3 (``setup``), takes the
call-log mark after that, runs one module (through ansible-playbook, as a user runs it)
or one playbook on a temporary inventory, and checks:

* the run failed (or, for the few ``ok`` cases, did not — an info module reporting a
  missing resource is not an error);
* the message contains every expected substring (the parameter and the fix);
* the emulator's call log holds no mutating call after the mark, on any plane (control
  or data).

Cases that the collection does not yet handle as its documentation promises are kept
and marked ``xfail(strict=True)`` with the reason, so that fixing them turns the mark
into an error that asks for its removal.
"""
import json
import os
import shutil
import sys
import tempfile
import time

import pytest
import yaml

from tests.integration.harness import REPO_ROOT, run_module, run_playbook

PRIMARY = "us-west-2"
SECONDARY = "us-east-1"
TABLE = "MythicalMysfits-DDBTable"
PIPELINE = "CorePipeline-mm-primary-region"
REPOSITORY = "core-service-mm-primary-region"
DASHBOARD = "MythicalMysfits-Dashboard"
SITE = os.path.join(REPO_ROOT, "playbooks", "multi_region.yml")
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


# ---------------------------------------------------------------------------------------------
# set-up helpers (boto3 straight to the emulator)

def make_table(aws, region=PRIMARY, stream=None, billing="PAY_PER_REQUEST"):
    kwargs = {
        "TableName": TABLE,
        "KeySchema": [{"AttributeName": "MysfitId", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "MysfitId", "AttributeType": "S"}],
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    client = aws.client("dynamodb", region)
    client.create_table(**kwargs)
    client.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def make_legacy_global_table(aws):
    for region in (PRIMARY, SECONDARY):
        make_table(aws, region=region, stream="NEW_AND_OLD_IMAGES")
    aws.client("dynamodb", PRIMARY).create_global_table(
        GlobalTableName=TABLE, ReplicationGroup=[{"RegionName": PRIMARY}, {"RegionName": SECONDARY}])


def _action(name, category, provider, configuration, inputs=(), outputs=(), region=None):
    action = {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider,
                                             "version": "1"},
              "configuration": configuration,
              "inputArtifacts": [{"name": n} for n in inputs],
              "outputArtifacts": [{"name": n} for n in outputs]}
    if region:
        action["region"] = region
    return action


def make_pipeline(aws, with_deploy=True):
    """The workshop's pipeline shape: Source / Build_Docker_Container / Deploy, one artifactStore."""
    iam = aws.client("iam")
    role = iam.create_role(RoleName="CodePipelineRole", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    aws.client("s3", PRIMARY).create_bucket(Bucket="mm-primary-artifacts",
                                            CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    stages = [
        {"name": "Source", "actions": [_action(
            "Source", "Source", "CodeCommit",
            {"RepositoryName": REPOSITORY, "BranchName": "master", "PollForSourceChanges": "false"},
            outputs=["SourceArtifact"])]},
        {"name": "Build_Docker_Container", "actions": [_action(
            "Build", "Build", "CodeBuild", {"ProjectName": "core-build"},
            inputs=["SourceArtifact"], outputs=["BuildArtifact"])]},
    ]
    if with_deploy:
        stages.append({"name": "Deploy", "actions": [_action(
            "Deploy", "Deploy", "ECS", {"ClusterName": "Cluster-mm-primary-region", "ServiceName": "CoreService",
                                        "FileName": "imagedefinitions_primary.json"},
            inputs=["BuildArtifact"])]})
    aws.client("codepipeline", PRIMARY).create_pipeline(pipeline={
        "name": PIPELINE, "roleArn": role, "stages": stages,
        "artifactStore": {"type": "S3", "location": "mm-primary-artifacts"}})


def pipeline_without_deploy(aws):
    make_pipeline(aws, with_deploy=False)


def make_repository(aws):
    aws.client("codecommit", PRIMARY).create_repository(repositoryName=REPOSITORY)


def make_dashboard(aws):
    body = {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 6, "height": 6, "properties": {
        "title": "ALB Requests Per Minute", "region": PRIMARY, "stat": "Sum", "period": 60,
        "metrics": [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/alb-mm-primary-region/1"]]}}]}
    aws.client("cloudwatch", PRIMARY).put_dashboard(DashboardName=DASHBOARD, DashboardBody=json.dumps(body))


def make_primary_stack(aws):
    """A stand-in for the primary stack (only its status and DynamoTable output are read before the template)."""
    template = {"AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                "Outputs": {"DynamoTable": {"Value": TABLE}}}
    cfn = aws.client("cloudformation", PRIMARY)
    cfn.create_stack(StackName="mm-primary-region", TemplateBody=json.dumps(template))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = cfn.describe_stacks(StackName="mm-primary-region")["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            break
        time.sleep(0.5)
    assert status == "CREATE_COMPLETE", status


def nothing(aws):
    return None


def ecs_stage_action(region=SECONDARY, inputs=("BuildArtifact",)):
    return _action("CrossRegionDeploy", "Deploy", "ECS",
                   {"ClusterName": "Cluster-mm-secondary-region", "ServiceName": "CoreEcsService",
                    "FileName": "imagedefinitions_secondary.json"}, inputs=inputs, region=region)


def source_stage_action(region=SECONDARY):
    return _action("OtherSource", "Source", "CodeCommit",
                   {"RepositoryName": REPOSITORY, "BranchName": "master"}, outputs=["OtherSource"], region=region)


def widget(title="Core Service - us-east-1", **properties):
    props = {"title": title, "region": SECONDARY, "view": "singleValue",
             "metrics": [["AWS/ECS", "CPUUtilization", "ServiceName", "CoreEcsService"]]}
    props.update(properties)
    return {"type": "metric", "width": 6, "height": 6, "properties": props}


# ---------------------------------------------------------------------------------------------
# inventories for the playbook cases

def inventory(primary, secondary, region_vars=None):
    groups = {"children": {}, "vars": {"ansible_connection": "local",
                                       "ansible_python_interpreter": sys.executable}}
    groups["children"]["primary"] = {"hosts": {h: None for h in primary}}
    if secondary is not None:
        groups["children"]["secondary"] = {"hosts": {h: None for h in secondary}}
    groups["vars"].update(region_vars or {})
    return {"regions": groups}


# ---------------------------------------------------------------------------------------------
# the catalogue

def case(case_id, setup, expect, module=None, args=None, playbook=None, inv=None, extra_vars=None,
         failed=True, check=None, xfail=None):
    values = dict(setup=setup, module=module, args=args or {}, playbook=playbook, inv=inv,
                  extra_vars=extra_vars, expect=expect, failed=failed, check=check)
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    return pytest.param(values, id=case_id, marks=marks)


CASES = [
    # --- DynamoDB global table (ddb_global_replica) --------------------------------------------
    case("ddb-replica-in-the-table-region", make_table,
         ["replica_regions", PRIMARY, "own region"],
         module="ddb_global_replica", args={"name": TABLE, "replica_regions": [PRIMARY]}),
    case("ddb-replica-unknown-region", make_table,
         ["replica_regions", "us-west-9", "not a DynamoDB region"],
         module="ddb_global_replica", args={"name": TABLE, "replica_regions": ["us-west-9"]}),
    case("ddb-replica-not-a-region-name", make_table,
         ["replica_regions", "useast1", "not an AWS region name"],
         module="ddb_global_replica", args={"name": TABLE, "replica_regions": ["useast1"]}),
    case("ddb-missing-table", nothing,
         ["NoSuchTable", "name"],
         module="ddb_global_replica", args={"name": "NoSuchTable", "replica_regions": [SECONDARY]}),
    case("ddb-stream-with-another-view-type", lambda aws: make_table(aws, stream="KEYS_ONLY"),
         ["KEYS_ONLY", "NEW_AND_OLD_IMAGES"],
         module="ddb_global_replica", args={"name": TABLE, "replica_regions": [SECONDARY]}),
    case("ddb-legacy-global-table", make_legacy_global_table,
         ["2017.11.29", "V2globaltables_upgrade"],
         module="ddb_global_replica", args={"name": TABLE, "replica_regions": ["eu-west-1"]}),
    case("ddb-provisioned-table-without-write-autoscaling", lambda aws: make_table(aws, billing="PROVISIONED"),
         ["auto scaling", "PAY_PER_REQUEST"],
         module="ddb_global_replica", args={"name": TABLE, "replica_regions": [SECONDARY]}),
    case("ddb-no-stream-and-enable-streams-off", make_table,
         ["enable_streams", "NEW_AND_OLD_IMAGES"],
         module="ddb_global_replica", args={"name": TABLE, "replica_regions": [SECONDARY], "enable_streams": False}),
    case("ddb-replica-regions-a-dict", make_table,
         ["replica_regions", "list"],
         module="ddb_global_replica", args={"name": TABLE, "replica_regions": {SECONDARY: True}}),
    case("ddb-wait-timeout-not-a-number", make_table,
         ["wait_timeout", "int"],
         module="ddb_global_replica", args={"name": TABLE, "replica_regions": [SECONDARY], "wait_timeout": "soon"}),
    case("ddb-table-arn-of-another-region", make_table,
         ["name", "region", SECONDARY],
         module="ddb_global_replica",
         args={"name": "arn:aws:dynamodb:%s:123456789012:table/%s" % (SECONDARY, TABLE),
               "replica_regions": ["eu-west-1"]}),

    # --- CodePipeline stage (codepipeline_stage) -----------------------------------------------
    case("stage-missing-pipeline", nothing,
         ["NoSuchPipeline", "pipeline"],
         module="codepipeline_stage",
         args={"pipeline": "NoSuchPipeline", "name": "CrossRegionDeploy", "actions": [ecs_stage_action()]}),
    case("stage-after-a-stage-the-pipeline-lacks", pipeline_without_deploy,
         ["after", "Deploy"],
         module="codepipeline_stage",
         args={"pipeline": PIPELINE, "name": "CrossRegionDeploy", "after": "Deploy",
               "actions": [ecs_stage_action()]}),
    case("stage-input-artifact-nobody-produces", make_pipeline,
         ["actions", "NoSuchArtifact", "after/before"],
         module="codepipeline_stage",
         args={"pipeline": PIPELINE, "name": "CrossRegionDeploy", "after": "Deploy",
               "actions": [ecs_stage_action(inputs=["NoSuchArtifact"])]}),
    case("stage-actions-a-string", make_pipeline,
         ["actions"],
         module="codepipeline_stage",
         args={"pipeline": PIPELINE, "name": "CrossRegionDeploy", "actions": "CrossRegionDeploy"}),
    case("stage-after-and-before", make_pipeline,
         ["after", "before", "mutually exclusive"],
         module="codepipeline_stage",
         args={"pipeline": PIPELINE, "name": "CrossRegionDeploy", "after": "Deploy", "before": "Deploy",
               "actions": [ecs_stage_action()]}),
    case("stage-present-without-actions", make_pipeline,
         ["actions"],
         module="codepipeline_stage", args={"pipeline": PIPELINE, "name": "CrossRegionDeploy", "after": "Deploy"}),
    case("stage-action-in-an-unknown-region", make_pipeline,
         ["region", "mars-north-1"],
         module="codepipeline_stage",
         args={"pipeline": PIPELINE, "name": "CrossRegionDeploy", "after": "Deploy",
               "actions": [ecs_stage_action(region="mars-north-1")]}),
    case("stage-cross-region-source-action", make_pipeline,
         ["Source", "region"],
         module="codepipeline_stage",
         args={"pipeline": PIPELINE, "name": "OtherSource", "before": "Build_Docker_Container",
               "actions": [source_stage_action()]}),
    case("stage-no-store-and-bucket-creation-off", make_pipeline,
         ["artifact_stores", SECONDARY],
         module="codepipeline_stage",
         args={"pipeline": PIPELINE, "name": "CrossRegionDeploy", "after": "Deploy",
               "actions": [ecs_stage_action()], "create_artifact_buckets": False}),
    case("stage-action-both-wanted-and-absent", make_pipeline,
         ["absent_actions", "'CrossRegionDeploy' also in actions"],
         module="codepipeline_stage",
         args={"pipeline": PIPELINE, "name": "CrossRegionDeploy", "after": "Deploy", "purge_actions": False,
               "actions": [ecs_stage_action()], "absent_actions": ["CrossRegionDeploy"]}),

    # --- CodeCommit file (codecommit_file) -----------------------------------------------------
    case("file-missing-repository", nothing,
         ["NoSuchRepository", "repository"],
         module="codecommit_file",
         args={"repository": "NoSuchRepository", "path": "buildspec_prod.yml", "content": "version: 0.2\n"}),
    case("file-content-and-src", make_repository,
         ["content", "src", "mutually exclusive"],
         module="codecommit_file",
         args={"repository": REPOSITORY, "path": "buildspec_prod.yml", "content": "version: 0.2\n",
               "src": os.path.join(REPO_ROOT, "README.md")}),
    case("file-neither-content-nor-src", make_repository,
         ["content", "src"],
         module="codecommit_file", args={"repository": REPOSITORY, "path": "buildspec_prod.yml"}),
    case("file-src-does-not-exist", make_repository,
         ["src", "/nonexistent/buildspec_prod.yml"],
         module="codecommit_file",
         args={"repository": REPOSITORY, "path": "buildspec_prod.yml", "src": "/nonexistent/buildspec_prod.yml"}),

    # --- CloudWatch dashboard (cloudwatch_dashboard, cloudwatch_dashboard_info) -----------------
    case("dashboard-widget-without-title", make_dashboard,
         ["widgets", "title"],
         module="cloudwatch_dashboard",
         args={"name": DASHBOARD, "widgets": [{"type": "metric", "properties": {
             "region": SECONDARY, "metrics": [["AWS/ECS", "CPUUtilization"]]}}]}),
    case("dashboard-widget-metrics-not-a-list", make_dashboard,
         ["widgets[0].properties.metrics", "list"],
         module="cloudwatch_dashboard", args={"name": DASHBOARD, "widgets": [widget(metrics="CPUUtilization")]}),
    case("dashboard-widget-of-an-unknown-type", make_dashboard,
         ["widgets[0].type", "pie", "metric"],
         module="cloudwatch_dashboard", args={"name": DASHBOARD, "widgets": [dict(widget(), type="pie")]}),
    case("dashboard-metrics-into-a-widget-nobody-has", make_dashboard,
         ["metrics", "No Such Widget"],
         module="cloudwatch_dashboard",
         args={"name": DASHBOARD, "metrics": [{"widget": "No Such Widget", "metric": [
             "AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/alb-mm-secondary-region/2"]}]}),
    case("dashboard-backup-name-too-long-for-later-backups", make_dashboard,
         ["backup_name", "backup_mode=every_change", "at most 238"],
         module="cloudwatch_dashboard",
         args={"name": DASHBOARD, "widgets": [widget()], "backup": True, "backup_mode": "every_change",
               "backup_name": "b" * 240}),
    case("dashboard-name-with-spaces", nothing,
         ["name", "Mythical Dashboard"],
         module="cloudwatch_dashboard", args={"name": "Mythical Dashboard", "widgets": [widget()]}),
    case("dashboard-missing-is-not-an-error-for-the-info-module", nothing,
         [], module="cloudwatch_dashboard_info", args={"name": "NoSuchDashboard"}, failed=False,
         check=lambda result: result["exists"] is False),

    # --- pipelines read / run (codepipeline_info, codepipeline_execution) ------------------------
    case("pipeline-info-missing-with-fail-on-missing", nothing,
         ["NoSuchPipeline"],
         module="codepipeline_info", args={"names": ["NoSuchPipeline"], "fail_on_missing": True}),
    case("pipeline-info-missing-is-listed-not-an-error", nothing,
         [], module="codepipeline_info", args={"names": ["NoSuchPipeline"]}, failed=False,
         check=lambda result: result["missing"] == ["NoSuchPipeline"]),
    case("execution-missing-pipeline", nothing,
         ["NoSuchPipeline", "pipeline"],
         module="codepipeline_execution", args={"pipeline": "NoSuchPipeline"}),
    case("execution-wait-timeout-a-list", make_pipeline,
         ["wait_timeout", "int"],
         module="codepipeline_execution", args={"pipeline": PIPELINE, "wait": True, "wait_timeout": [30]}),

    # --- the helpers of the roles (ddb_replica_check, cloudformation_wait) -------------------------
    case("replica-check-missing-table", nothing,
         ["NoSuchTable"],
         module="ddb_replica_check", args={"name": "NoSuchTable"}),
    # --- the readiness report's like check undo (ddb_item_number) ---------------------------------
    case("item-number-value-without-expected", make_table,
         ["expected", "value"],
         module="ddb_item_number", args={"table": TABLE, "key": {"MysfitId": "a"}, "attribute": "Likes", "value": 3}),
    case("item-number-key-not-a-string", make_table,
         ["key", "non-empty string"],
         module="ddb_item_number", args={"table": TABLE, "key": {"MysfitId": ""}, "attribute": "Likes",
                                         "value": 3, "expected": 4}),
    case("item-number-missing-item-never-created", make_table,
         ["does not exist", "never creates"],
         module="ddb_item_number", args={"table": TABLE, "key": {"MysfitId": "nobody"}, "attribute": "Likes",
                                         "value": 3, "expected": 4}),
    case("stack-wait-unknown-events-choice", nothing,
         ["stack_events", "on_failure"],
         module="cloudformation_wait", args={"stack_name": "mm-secondary-region", "stack_events": "sometimes"}),

    # --- ECR replication (ecr_replication) -------------------------------------------------------
    case("ecr-destination-is-the-own-region", nothing,
         ["destinations", PRIMARY],
         module="ecr_replication", args={"destinations": [{"region": PRIMARY}]}),
    case("ecr-destination-unknown-region", nothing,
         ["destinations", "mars-north-1"],
         module="ecr_replication", args={"destinations": [{"region": "mars-north-1"}]}),
    case("ecr-destination-a-list-not-a-region", nothing,
         ["destinations", "region name or a dict"],
         module="ecr_replication", args={"destinations": [[SECONDARY]]}),

    # --- the site playbook and its roles on a wrong inventory or wrong variables ----------------
    case("site-two-primaries", nothing,
         ["exactly one host in the group 'primary'", "us-west-2", "eu-west-1"],
         playbook=SITE, inv=inventory([PRIMARY, "eu-west-1"], [SECONDARY])),
    case("site-no-secondary", nothing,
         ["one or more hosts in the group 'secondary'"],
         playbook=SITE, inv=inventory([PRIMARY], None)),
    case("site-secondary-equals-primary", nothing,
         ["'secondary'", "none of them the primary"],
         playbook=SITE, inv=inventory([PRIMARY], [PRIMARY])),
    case("site-host-not-a-region-name", nothing,
         ["must be AWS region names", "frankfurt"],
         playbook=SITE, inv=inventory([PRIMARY], ["frankfurt"])),
    case("site-host-a-region-name-of-no-region", make_primary_stack,
         ["us-west-9"],
         playbook=SITE, inv=inventory([PRIMARY], ["us-west-9"])),
    case("site-missing-primary-stack", nothing,
         ["mm_primary_stack_name", "NoSuchStack"],
         playbook=SITE, inv=inventory([PRIMARY], [SECONDARY]), extra_vars={"mm_primary_stack_name": "NoSuchStack"}),
    case("site-services-a-string", make_primary_stack,
         ["mm_services"],
         playbook=SITE, inv=inventory([PRIMARY], [SECONDARY]), extra_vars={"mm_services": "core"}),
    case("secondary-stack-wrong-template-path", make_primary_stack,
         ["secondary_stack_template", "/nonexistent/core.yml"],
         playbook="secondary_stack", inv=inventory([PRIMARY], [SECONDARY]),
         extra_vars={"secondary_stack_template": "/nonexistent/core.yml"}),
]


# ---------------------------------------------------------------------------------------------
# running a case

def _failure_messages(json_text):
    """Every failed task result's msg (and its results' msgs) from the ansible.posix.json callback output."""
    start = json_text.find("{")
    report = json.loads(json_text[start:])
    messages = []
    for play in report.get("plays", []):
        for task in play.get("tasks", []):
            for host, result in task.get("hosts", {}).items():
                items = [result] + list(result.get("results", []) if isinstance(result.get("results"), list) else [])
                for item in items:
                    if isinstance(item, dict) and (item.get("failed") or item.get("unreachable")):
                        messages.append("%s: %s" % (host, item.get("msg", json.dumps(item))))
    return messages


def _run_playbook_case(aws, values, workdir):
    playbook = values["playbook"]
    if playbook == "secondary_stack":
        playbook = os.path.join(workdir, "role.yml")
        with open(playbook, "w") as handle:
            yaml.safe_dump([{"name": "The secondary_stack role alone", "hosts": "regions", "gather_facts": False,
                             "tasks": [{"name": "Deploy the secondary stacks", "ansible.builtin.include_role": {
                                 "name": "mysfits.multi_region.secondary_stack"}}]}], handle)
    # the temporary inventory gets the project's group_vars beside it, as inventory/regions.yml has
    shutil.copytree(os.path.join(REPO_ROOT, "inventory", "group_vars"), os.path.join(workdir, "group_vars"))
    inv_path = os.path.join(workdir, "regions.yml")
    with open(inv_path, "w") as handle:
        yaml.safe_dump(values["inv"], handle)
    run = run_playbook(playbook, aws.env(PRIMARY), inventory=inv_path, extra_vars=values["extra_vars"],
                       env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
                            "ANSIBLE_PYTHON_INTERPRETER": sys.executable})
    try:
        messages = _failure_messages(run.stdout)
    except ValueError:
        messages = []
    text = "\n".join(messages) if messages else run.stdout + run.stderr
    return run.rc != 0, text, run


@pytest.mark.parametrize("values", CASES)
def test_bad_input_is_refused_before_any_mutating_call(aws, values):
    values["setup"](aws)
    mark = aws.control.last_seq()
    with tempfile.TemporaryDirectory(prefix="bad-input-") as workdir:
        if values["module"]:
            result = run_module(values["module"], values["args"], aws.env(PRIMARY), region=PRIMARY)
            failed, text, detail = bool(result.get("failed")), str(result.get("msg", "")), result
        else:
            failed, text, detail = _run_playbook_case(aws, values, workdir)

    mutating = aws.control.mutating_calls(since=mark, plane=None)
    assert mutating == [], "mutating calls after the mark: %s\n%s" % (
        [(c["region"], c["operation"]) for c in mutating], text)
    assert failed is values["failed"], "expected failed=%s; message: %s\n%r" % (values["failed"], text, detail)
    missing = [word for word in values["expect"] if word not in text]
    assert not missing, "message lacks %s: %s" % (missing, text)
    if values["check"]:
        assert values["check"](detail), detail

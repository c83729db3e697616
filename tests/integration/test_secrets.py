"""S3: with -vvv, neither the secret access key nor the session token appears in Ansible's output.

Known dummy credentials (the emulator accepts any) are given the two ways a user gives
them: in the environment (AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, as the AWX "Amazon Web
Services" credential injects them) and as module parameters through the collection's action
group (module_defaults ``group/mysfits.multi_region.aws``). Every module of the collection
runs at least once; then the site playbook runs on the primary fixture. stdout and stderr
must not contain either value, whole or in the pieces a line wrap could make.
"""
import glob
import json
import os
import sys
import tempfile

import yaml

from tests.integration.harness import REPO_ROOT, run_playbook

PRIMARY = "us-west-2"
SECONDARY = "us-east-1"
ACCESS_KEY = "AKIAMYSFITSLEAKTEST1"
SECRET_KEY = "Mysfits+Secret/Key-7c1e5d9a3b8f4e2d6a0c-DoNotLeak"
SESSION_TOKEN = "FwoGZXIvYXdzEMysfitsSessionToken//3f9a1c7e5b2d8f6a4c0e-IQoJb3JpZ2luX2Vj-DoNotLeak"
# The parameter-path play uses a second pair, so a leak says which path it came from.
PARAM_SECRET_KEY = "Param+Secret/Key-91b3d7f5e2a4c6081d3f-DoNotLeak"
PARAM_SESSION_TOKEN = "ParamSessionToken//0a2c4e6f8b1d3f5a7c9e-DoNotLeak"
SECRETS = [SECRET_KEY, SESSION_TOKEN, PARAM_SECRET_KEY, PARAM_SESSION_TOKEN]

TABLE = "SecretsTable"
PIPELINE = "SecretsPipeline"
REPOSITORY = "secrets-repo"
DASHBOARD = "Secrets-Dashboard"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def secret_env():
    return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_SESSION_TOKEN": SESSION_TOKEN, "AWS_SECURITY_TOKEN": SESSION_TOKEN,
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable}


def leaks(text):
    """Which secrets (or any 16-character piece of one) occur in text."""
    found = []
    for secret in SECRETS:
        pieces = {secret[i:i + 16] for i in range(0, len(secret) - 15)}
        if secret in text or any(piece in text for piece in pieces):
            found.append(secret)
    return found


def collection_modules():
    return sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(REPO_ROOT, "plugins", "modules", "*.py"))
                  if not os.path.basename(p).startswith("_"))


def setup_resources(aws):
    dynamodb = aws.client("dynamodb", PRIMARY)
    dynamodb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    dynamodb.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    aws.client("codecommit", PRIMARY).create_repository(repositoryName=REPOSITORY)
    role = aws.client("iam").create_role(RoleName="SecretsPipelineRole",
                                         AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    aws.client("s3", PRIMARY).create_bucket(Bucket="secrets-artifacts",
                                            CreateBucketConfiguration={"LocationConstraint": PRIMARY})

    def action(name, category, provider, configuration, inputs=(), outputs=()):
        return {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider,
                                               "version": "1"}, "configuration": configuration,
                "inputArtifacts": [{"name": n} for n in inputs], "outputArtifacts": [{"name": n} for n in outputs]}
    aws.client("codepipeline", PRIMARY).create_pipeline(pipeline={
        "name": PIPELINE, "roleArn": role, "artifactStore": {"type": "S3", "location": "secrets-artifacts"},
        "stages": [
            {"name": "Source", "actions": [action("Source", "Source", "CodeCommit", {
                "RepositoryName": REPOSITORY, "BranchName": "master", "PollForSourceChanges": "false"},
                outputs=["SourceArtifact"])]},
            {"name": "Build", "actions": [action("Build", "Build", "CodeBuild", {"ProjectName": "secrets-build"},
                                                 inputs=["SourceArtifact"], outputs=["BuildArtifact"])]},
            {"name": "Deploy", "actions": [action("Deploy", "Deploy", "ECS", {
                "ClusterName": "c", "ServiceName": "s", "FileName": "imagedefinitions_primary.json"},
                inputs=["BuildArtifact"])]},
        ]})


def module_tasks(suffix):
    """One task per module of the collection (plus amazon.aws for reference); each must succeed."""
    prefix = "mysfits.multi_region."
    return [
        {"name": "caller", "amazon.aws.aws_caller_info": {}},
        {"name": "replica", prefix + "ddb_global_replica": {"name": TABLE, "replica_regions": [SECONDARY]}},
        {"name": "file", prefix + "codecommit_file": {
            "repository": REPOSITORY, "path": "README-%s.md" % suffix, "content": "secrets test %s\n" % suffix}},
        {"name": "stage", prefix + "codepipeline_stage": {
            "pipeline": PIPELINE, "name": "CrossRegionDeploy", "after": "Deploy",
            "actions": [{"name": "CrossRegionDeploy", "region": SECONDARY,
                         "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
                         "inputArtifacts": [{"name": "BuildArtifact"}],
                         "configuration": {"ClusterName": "c2", "ServiceName": "s2",
                                           "FileName": "imagedefinitions_secondary.json"}}]}},
        {"name": "execution", prefix + "codepipeline_execution": {"pipeline": PIPELINE, "start": True}},
        {"name": "pipelines", prefix + "codepipeline_info": {"names": [PIPELINE], "last_execution": True}},
        {"name": "ecr", prefix + "ecr_replication": {"destinations": [{"region": SECONDARY}]}},
        {"name": "dashboard", prefix + "cloudwatch_dashboard": {"name": DASHBOARD, "widgets": [{
            "type": "metric", "properties": {"title": "Secrets %s" % suffix, "region": PRIMARY,
                                             "metrics": [["AWS/DynamoDB", "ConsumedReadCapacityUnits",
                                                          "TableName", TABLE]]}}]}},
        {"name": "dashboard info", prefix + "cloudwatch_dashboard_info": {"name": DASHBOARD}},
        {"name": "math alarm", prefix + "cloudwatch_metric_math_alarm": {
            "name": "secrets-rate-%s" % suffix, "comparison": "GreaterThanThreshold", "threshold": 5,
            "evaluation_periods": 1, "metrics": [
                {"id": "m", "metric_stat": {"metric": {"namespace": "AWS/DynamoDB",
                                                       "metric_name": "ConsumedReadCapacityUnits",
                                                       "dimensions": {"TableName": TABLE}},
                                            "period": 60, "stat": "Sum"}},
                {"id": "e", "expression": "m / 60", "return_data": True}]}},
        {"name": "metric statistics", prefix + "cloudwatch_metric_info": {
            "namespace": "AWS/DynamoDB", "metric_name": "ReplicationLatency",
            "dimensions": {"TableName": TABLE, "ReceivingRegion": SECONDARY},
            "start_time": 1796249700, "end_time": 1796250000}},
        {"name": "composite alarm", prefix + "cloudwatch_composite_alarm": {
            "name": "secrets-region-%s" % suffix, "alarm_rule": "ALARM(secrets-rate-%s)" % suffix}},
        {"name": "replica data", prefix + "ddb_replica_check": {"name": TABLE, "replica_regions": [SECONDARY]}},
        {"name": "stack wait", prefix + "cloudformation_wait": {"stack_name": "no-such-stack-%s" % suffix}},
        {"name": "item number", prefix + "ddb_item_number": {
            "table": TABLE, "key": {"id": "secrets-%s" % suffix}, "attribute": "Likes"}, "failed_when": False},
        {"name": "services", prefix + "ecs_service_info": {"cluster": "secrets-cluster", "services": {"core": "s"}},
         "failed_when": False},
        {"name": "desired counts", prefix + "ecs_desired_count": {
            "cluster": "secrets-cluster", "services": {"s": 0}}, "failed_when": False},
        {"name": "images", prefix + "ecr_images": {"repositories": ["secrets-images-%s" % suffix]}},
        {"name": "front door", prefix + "global_accelerator": {
            "name": "secrets-front-door-%s" % suffix, "listeners": [{
                "protocol": "TCP", "port_ranges": [{"from_port": 80, "to_port": 80}], "client_affinity": "NONE",
                "endpoint_groups": []}], "wait": False}},
        {"name": "front door info", prefix + "global_accelerator_info": {"name": "secrets-front-door-%s" % suffix}},
        {"name": "stack start", prefix + "cloudformation_stack": {
            "stack_name": "secrets-stack-%s" % suffix, "parameters": {"Colour": "red"},
            "template_body": '{"Parameters": {"Colour": {"Type": "String"}}, '
                             '"Resources": {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}'}},
    ]


def test_no_secret_in_verbose_output_of_any_module(aws):
    setup_resources(aws)
    plays = [
        {"name": "credentials from the environment", "hosts": "localhost", "connection": "local",
         "gather_facts": False, "module_defaults": {"group/mysfits.multi_region.aws": {"region": PRIMARY}},
         "tasks": module_tasks("env")},
        {"name": "credentials as module parameters (action group defaults)", "hosts": "localhost",
         "connection": "local", "gather_facts": False,
         "vars": {"param_secret_key": PARAM_SECRET_KEY, "param_session_token": PARAM_SESSION_TOKEN},
         "module_defaults": {"group/mysfits.multi_region.aws": {
             "region": PRIMARY, "access_key": ACCESS_KEY, "secret_key": "{{ param_secret_key }}",
             "session_token": "{{ param_session_token }}"}},
         "tasks": module_tasks("param")},
    ]
    covered = {key.split(".")[-1] for play in plays for task in play["tasks"] for key in task
               if key.startswith("mysfits.multi_region.")}
    # application_info needs the whole application (a stack, its pipelines, services): the site playbook's test
    # below runs it (secondary_stack discovers through it) with the same secrets.
    assert covered | {"application_info"} == set(collection_modules()), "every module of the collection runs"

    with tempfile.TemporaryDirectory(prefix="secrets-") as workdir:
        playbook = os.path.join(workdir, "play.yml")
        with open(playbook, "w") as handle:
            yaml.safe_dump(plays, handle)
        since = aws.control.last_seq()
        run = run_playbook(playbook, aws.env(PRIMARY), inventory="localhost,", extra_args=["-vvv"],
                           env=secret_env())

    output = run.stdout + run.stderr
    assert leaks(output) == [], "secrets in the -vvv output: %s" % leaks(output)
    # the run was real: every task ran and reached the emulator, with the arguments printed
    assert run.rc == 0, run
    assert "module_args" in run.stdout
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.stdout
    operations = {c["operation"] for c in aws.control.calls(since)}
    assert {"UpdateTable", "PutFile", "UpdatePipeline", "StartPipelineExecution", "PutReplicationConfiguration",
            "PutDashboard", "GetDashboard", "GetPipeline"} <= operations, operations


def test_no_secret_in_verbose_output_of_the_site_playbook(aws):
    fixture = run_playbook(os.path.join(REPO_ROOT, "tests", "fixture", "primary.yml"), aws.env(PRIMARY),
                           inventory="localhost,", env={"ANSIBLE_PYTHON_INTERPRETER": sys.executable})
    assert fixture.rc == 0, fixture
    run = run_playbook(os.path.join(REPO_ROOT, "playbooks", "multi_region.yml"), aws.env(PRIMARY),
                       inventory=os.path.join(REPO_ROOT, "inventory", "regions.yml"), extra_args=["-vvv"],
                       env=secret_env())
    output = run.stdout + run.stderr
    assert leaks(output) == [], "secrets in the -vvv output: %s" % leaks(output)
    assert run.rc == 0, run
    assert "module_args" in run.stdout
    assert "primary_stack_name" in run.stdout  # application_info's module_args were printed: it ran

"""application_info against the emulator: discovery on the collection's own world (tests/fixture's template).

The workshop-shaped world (nested CI/CD stack, services made outside CloudFormation) is covered by
test_application_info_workshop once its fixture exists.
"""
import json
import os

from tests.integration.harness import REPO_ROOT

PRIMARY = "us-west-2"
SECONDARY = "us-east-1"
TEMPLATE = os.path.join(REPO_ROOT, "roles", "secondary_stack", "files", "core.yml")
CAPABILITIES = ["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
# Outputs of the collection's template that the workshop's template does not have: discovery must not need them.
OWN_OUTPUTS = ["CoreServiceName", "LikeServiceName", "LoadBalancerFullName", "CoreTargetGroupArn",
               "LikeTargetGroupArn", "CorePipelineName", "LikePipelineName", "CoreServiceRepoName",
               "LikeServiceRepoName"]


def create_stack(aws, region, name, dr):
    cfn = aws.client("cloudformation", region)
    with open(TEMPLATE) as handle:
        cfn.create_stack(StackName=name, TemplateBody=handle.read(), Capabilities=CAPABILITIES,
                         Parameters=[{"ParameterKey": "IsDrRegion", "ParameterValue": "true" if dr else "false"}])
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def calls(aws, since=0):
    return aws.control.calls()[since:]


def test_discovers_the_collection_world_without_its_own_outputs(aws, module_runner):
    primary = create_stack(aws, PRIMARY, "mm-primary-region", dr=False)
    secondary = create_stack(aws, SECONDARY, "mm-secondary-region", dr=True)
    result = module_runner("application_info", {
        "primary_stack_name": "mm-primary-region", "secondary_regions": [SECONDARY, "eu-west-1"],
    }, region=PRIMARY)
    assert not result.get("failed"), result

    core, like = result["services"]
    assert core["pipeline"] == primary["CorePipelineName"] and like["pipeline"] == primary["LikePipelineName"]
    assert core["repository"] == primary["CoreServiceRepoName"] and core["branch"] == "master"
    assert (core["container"], like["container"]) == ("service", "like-service")
    assert result["table_name"] == primary["DynamoTable"]
    assert result["absent"] == ["eu-west-1"] and "eu-west-1" not in result["regions"]

    # What the collection's own outputs say, found without reading them.
    for region, outputs in ((PRIMARY, primary), (SECONDARY, secondary)):
        fact = result["regions"][region]
        assert fact["load_balancer_full_name"] == outputs["LoadBalancerFullName"], region
        assert fact["services"] == {"core": outputs["CoreServiceName"], "like": outputs["LikeServiceName"]}, region
        assert fact["target_groups"] == {"core": outputs["CoreTargetGroupArn"],
                                         "like": outputs["LikeTargetGroupArn"]}, region
        assert fact["cluster"] == outputs["EcsClusterName"]
    assert result["regions"][SECONDARY]["ecr"] == {
        "core": secondary["SecondaryMythicalServiceEcrRepo"], "like": secondary["SecondaryLikeServiceEcrRepo"],
        "xray": secondary["SecondaryXrayEcrRepo"]}
    assert result["regions"][PRIMARY]["role"] == "primary" and result["regions"][SECONDARY]["role"] == "secondary"


def test_discovery_reads_no_output_the_workshop_template_lacks(aws, module_runner):
    # The same world with the collection's own outputs hidden behind names nobody reads: the answer is the same.
    create_stack(aws, PRIMARY, "mm-primary-region", dr=False)
    before = module_runner("application_info", {"primary_stack_name": "mm-primary-region"}, region=PRIMARY)
    assert not before.get("failed"), before
    for key in OWN_OUTPUTS:
        # No service key defaults to one of these outputs.
        assert all(key not in service.values() for service in before["services"]), key


def test_names_set_by_the_user_win(aws, module_runner):
    primary = create_stack(aws, PRIMARY, "mm-primary-region", dr=False)
    result = module_runner("application_info", {
        "primary_stack_name": "mm-primary-region",
        "services": [{"name": "mythical", "title": "Core", "container": "web", "branch": "main",
                      "primary_ecr_output": "MythicalServiceEcrRepo"},
                     {"name": "like", "pipeline": primary["LikePipelineName"], "service_output": "LikeServiceName"}],
        "table_name": "OtherTable",
    }, region=PRIMARY)
    assert not result.get("failed"), result
    mythical, like = result["services"]
    assert mythical["pipeline"] == primary["CorePipelineName"] and mythical["container"] == "web"
    assert mythical["branch"] == "main"
    assert result["regions"][PRIMARY]["ecr"]["mythical"] == primary["MythicalServiceEcrRepo"]
    assert result["regions"][PRIMARY]["services"]["like"] == primary["LikeServiceName"]
    assert result["table_name"] == "OtherTable"


def test_a_missing_secondary_is_planned_from_the_primary_template(aws, module_runner):
    create_stack(aws, PRIMARY, "mm-primary-region", dr=False)
    result = module_runner("application_info", {
        "primary_stack_name": "mm-primary-region", "secondary_regions": [SECONDARY], "plan_missing": True,
        "secondary_stack_name": "mm-dr",
    }, region=PRIMARY, check=True)
    assert not result.get("failed"), result
    planned = result["regions"][SECONDARY]
    assert planned["stack_status"] == "PLANNED" and planned["cluster"] == "Cluster-mm-dr"
    # The collection's template fixes the service names: planned as they will be.
    assert planned["services"] == {"core": "CoreEcsService-mm-dr", "like": "LikeEcsService-mm-dr"}
    account = result["regions"][PRIMARY]["account"]
    assert planned["ecr"]["like"] == "%s.dkr.ecr.%s.amazonaws.com/mm-dr/like-service" % (account, SECONDARY)


def test_the_primary_template_and_parameters(aws, module_runner):
    create_stack(aws, PRIMARY, "mm-primary-region", dr=False)
    result = module_runner("application_info", {"primary_stack_name": "mm-primary-region", "template": True},
                           region=PRIMARY)
    assert not result.get("failed"), result
    with open(TEMPLATE) as handle:
        assert result["primary_template"]["body"] == handle.read()
    assert result["primary_template"]["parameters"]["IsDrRegion"] == "false"
    assert result["primary_template"]["size"] == os.path.getsize(TEMPLATE)


def test_a_missing_primary_stack_names_the_variable(aws, module_runner):
    result = module_runner("application_info", {"primary_stack_name": "nope"}, region=PRIMARY)
    assert result["failed"] and "mm_primary_stack_name" in result["msg"] and "nope" in result["msg"]


def test_a_dashboard_that_does_not_exist_is_an_error_listing_those_there_are(aws, module_runner):
    create_stack(aws, PRIMARY, "mm-primary-region", dr=False)
    cw = aws.client("cloudwatch", PRIMARY)
    body = '{"widgets": []}'
    for name in ("ReInvent-App-Dashboard", "Other"):
        cw.put_dashboard(DashboardName=name, DashboardBody=body)
    args = {"primary_stack_name": "mm-primary-region", "dashboard_name": "MythicalMysfits-Dashboard"}
    result = module_runner("application_info", args, region=PRIMARY)
    assert result["failed"]
    assert "Other, ReInvent-App-Dashboard" in result["msg"] and "mm_dashboard_name" in result["msg"]
    created = module_runner("application_info", dict(args, dashboard_create=True), region=PRIMARY)
    assert not created.get("failed"), created
    found = module_runner("application_info", dict(args, dashboard_name="ReInvent-App-Dashboard"), region=PRIMARY)
    assert not found.get("failed") and sorted(found["dashboards"]) == ["Other", "ReInvent-App-Dashboard"]


def test_the_dashboard_that_draws_the_application_is_found(aws, module_runner):
    """No dashboard name (issue 12): the one whose metric rows draw the primary's load balancer, table, cluster or
    services is found; the collection's own backup of it is neither read nor chosen; none or several is an error."""
    create_stack(aws, PRIMARY, "mm-primary-region", dr=False)
    args = {"primary_stack_name": "mm-primary-region", "dashboard_discover": True}
    cw = aws.client("cloudwatch", PRIMARY)
    cw.put_dashboard(DashboardName="Billing", DashboardBody=json.dumps({"widgets": [{"type": "metric", "properties": {
        "region": PRIMARY, "title": "Charges", "metrics": [["AWS/Billing", "EstimatedCharges", "Currency", "USD"]]}}]}))
    none = module_runner("application_info", args, region=PRIMARY)
    assert none["failed"] and "No dashboard in %s draws the application's metrics" % PRIMARY in none["msg"]
    assert "Dashboards there: Billing" in none["msg"] and "mm_dashboard_name" in none["msg"]

    fact = none["regions"][PRIMARY]
    lab2 = json.dumps({"widgets": [{"type": "metric", "properties": {
        "region": PRIMARY, "title": "ALB Requests Per Minute", "stat": "Sum", "period": 60,
        "metrics": [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", fact["load_balancer_full_name"]]]}}]})
    for name in ("ReInvent-App-Dashboard", "ReInvent-App-Dashboard-backup"):
        cw.put_dashboard(DashboardName=name, DashboardBody=lab2)
    since = aws.control.last_seq()
    found = module_runner("application_info", args, region=PRIMARY)
    assert not found.get("failed"), found
    assert found["dashboard_name"] == "ReInvent-App-Dashboard"
    assert sorted(found["dashboards"]) == ["Billing", "ReInvent-App-Dashboard", "ReInvent-App-Dashboard-backup"]
    read = [c for c in aws.control.calls(since) if c["operation"] == "GetDashboard"]
    assert len(read) == 2, read  # Billing and ReInvent-App-Dashboard: the backup is not read
    assert [c for c in aws.control.calls(since) if c["mutating"]] == []

    # a team dashboard that also draws the table: the choice is the user's
    table = json.dumps({"widgets": [{"type": "metric", "properties": {
        "region": PRIMARY, "title": "Reads", "metrics": [["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName",
                                                          found["table_name"]]]}}]})
    cw.put_dashboard(DashboardName="Team", DashboardBody=table)
    several = module_runner("application_info", args, region=PRIMARY)
    assert several["failed"] and "ReInvent-App-Dashboard, Team" in several["msg"]
    named = module_runner("application_info", dict(args, dashboard_name="Team"), region=PRIMARY)
    assert not named.get("failed") and named["dashboard_name"] == "Team"


def test_the_reads_the_roles_plan_from(aws, module_runner):
    """What the roles plan from in a re-run (plugins/filter/plan.py): the enabled regions, the table, each service's
    buildspec, the pipelines' record tags (one GetResources), the dashboard's body; the primary's template only when a
    secondary stack needs it. Read-only."""
    primary = create_stack(aws, PRIMARY, "mm-primary-region", dr=False)
    create_stack(aws, SECONDARY, "mm-secondary-region", dr=True)
    pipelines = aws.client("codepipeline", PRIMARY)
    arn = pipelines.get_pipeline(name=primary["CorePipelineName"])["metadata"]["pipelineArn"]
    pipelines.tag_resource(resourceArn=arn, tags=[{"key": "mysfits.multi_region/artifact-stores",
                                                   "value": "form=artifactStore us-east-1=g"}])
    repo = aws.client("codecommit", PRIMARY)
    # the repository's first commit (the template makes it empty)
    repo.put_file(repositoryName=primary["CoreServiceRepoName"], branchName="master", filePath="buildspec_prod.yml",
                  fileContent=b"version: 0.2\n", commitMessage="buildspec")
    args = {"primary_stack_name": "mm-primary-region", "secondary_regions": [SECONDARY], "template": True,
            "template_on_demand": True, "enabled_regions": True, "table": True, "service_file": "buildspec_prod.yml",
            "pipeline_records": True, "dashboard_discover": True}
    lab2 = json.dumps({"widgets": [{"type": "metric", "properties": {
        "region": PRIMARY, "title": "Reads", "metrics": [["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName",
                                                          primary["DynamoTable"]]]}}]})
    aws.client("cloudwatch", PRIMARY).put_dashboard(DashboardName="Lab2", DashboardBody=lab2)
    since = aws.control.last_seq()
    result = module_runner("application_info", args, region=PRIMARY)
    assert not result.get("failed"), result
    made = aws.control.calls(since)
    assert [c for c in made if c["mutating"]] == []
    assert made[0]["operation"] == "DescribeRegions"  # first: credentials that do not work fail before anything
    assert PRIMARY in result["enabled_regions"] and SECONDARY in result["enabled_regions"]
    assert result["table"]["TableName"] == primary["DynamoTable"] and result["table"]["TableStatus"] == "ACTIVE"
    core, like = result["service_files"]["core"], result["service_files"]["like"]
    assert core["content"] == "version: 0.2\n" and core["exists"] is True and core["commit_id"]
    assert core["repository"] == primary["CoreServiceRepoName"] and core["path"] == "buildspec_prod.yml"
    # an empty repository (no branch yet): nothing to compare with, the role's module reads it again itself
    assert like["content"] is None and like["exists"] is not True
    assert result["pipeline_records"] == {primary["CorePipelineName"]: "form=artifactStore us-east-1=g"}
    assert [c["operation"] for c in made].count("GetResources") == 1
    assert result["dashboard_name"] == "Lab2" and json.loads(result["dashboard_body"]) == json.loads(lab2)
    assert [c["operation"] for c in made].count("GetDashboard") == 1  # the body read while looking, kept
    # every secondary stack exists and is stable: no GetTemplate of the primary stack
    assert "body" not in result["primary_template"] and result["primary_template"]["parameters"]["IsDrRegion"] == "false"
    assert [c["region"] for c in made if c["operation"] == "GetTemplate"] == [SECONDARY]
    assert result["secondary_stacks"][SECONDARY]["StackStatus"] == "CREATE_COMPLETE"

    # a secondary stack to create: the primary's template is read
    needed = module_runner("application_info", dict(args, secondary_regions=[SECONDARY, "eu-west-1"]), region=PRIMARY)
    with open(TEMPLATE) as handle:
        assert needed["primary_template"]["body"] == handle.read()


def test_a_host_that_is_not_an_enabled_region_fails_before_any_other_read(aws, module_runner):
    since = aws.control.last_seq()
    result = module_runner("application_info", {"primary_stack_name": "mm-primary-region", "enabled_regions": True,
                                                "secondary_regions": ["us-west-9"]}, region=PRIMARY)
    assert result["failed"] and "Not a region enabled for this account (ec2 describe-regions): us-west-9" in result["msg"]
    assert [c["operation"] for c in aws.control.calls(since)] == ["DescribeRegions"]


def test_the_table_checked_as_the_replica_module_checks_it(aws, module_runner):
    """table_check: ddb_global_replica's check-mode result from the discovery's own DescribeTable (no second one),
    the same plan as the module's; with every replica there, no read beyond DescribeTable. Read-only."""
    primary = create_stack(aws, PRIMARY, "mm-primary-region", dr=False)
    args = {"primary_stack_name": "mm-primary-region", "secondary_regions": [SECONDARY], "table": True,
            "table_check": True}
    since = aws.control.last_seq()
    result = module_runner("application_info", args, region=PRIMARY)
    assert not result.get("failed"), result
    made = aws.control.calls(since)
    assert [c for c in made if c["mutating"]] == []
    assert [c["operation"] for c in made].count("DescribeTable") == 1
    module = module_runner("ddb_global_replica", {"name": primary["DynamoTable"], "replica_regions": [SECONDARY],
                                                  "wait": False}, region=PRIMARY, check=True)
    assert not module.get("failed"), module
    for key in ("changed", "operations", "pending_operations", "replicas", "table_status"):
        assert result["table_check"][key] == module[key], key
    assert [o["action"] for o in result["table_check"]["operations"]][-1] == "create_replica"

    # every replica there: DescribeTable only, nothing to change
    module_runner("ddb_global_replica", {"name": primary["DynamoTable"], "replica_regions": [SECONDARY]},
                  region=PRIMARY)
    since = aws.control.last_seq()
    again = module_runner("application_info", args, region=PRIMARY)
    table_reads = [c["operation"] for c in aws.control.calls(since) if c["service"] in (
        "dynamodb", "application-autoscaling", "kms")]
    assert table_reads == ["DescribeTable"]
    assert again["table_check"]["changed"] is False and again["table_check"]["operations"] == []

    # a table that does not exist: the refusal as data, the module does not fail
    missing = module_runner("application_info", dict(args, table_name="NoSuchTable"), region=PRIMARY)
    assert not missing.get("failed"), missing
    assert missing["table"] is None and missing["table_check"]["table_status"] is None
    assert "does not exist" in missing["table_check"]["msg"] and "operations" not in missing["table_check"]

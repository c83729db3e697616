"""application_info on the workshop's world (tests/fixture/workshop): a nested CI/CD stack names the pipelines and
repositories, the primary ECS services are made outside CloudFormation, the secondary ones get generated names,
and the outputs are the workshop's only."""
import pytest

from tests.fixture import workshop

PRIMARY = "us-west-2"
SECONDARY = "us-east-1"
STACK = workshop.DEFAULT_STACK


@pytest.fixture
def world(aws):
    return workshop.build(region=PRIMARY, log=lambda message: None)


def create_secondary_as_the_lab_does(aws, name="mm-secondary-region"):
    """Lab 3's own command: the same core template, IsDrRegion=true, in the secondary region."""
    cfn = aws.client("cloudformation", SECONDARY)
    with open(workshop.CORE_TEMPLATE) as handle:
        cfn.create_stack(StackName=name, TemplateBody=handle.read(), Capabilities=workshop.CAPABILITIES,
                         Parameters=[{"ParameterKey": "IsDrRegion", "ParameterValue": "true"}])
    cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 180})
    return cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]


def test_discovers_the_workshop_primary_from_the_stack_name_alone(world, module_runner):
    result = module_runner("application_info", {"primary_stack_name": STACK}, region=PRIMARY)
    assert not result.get("failed"), result
    core, like = result["services"]
    assert core["pipeline"] == world["pipelines"]["core"] and like["pipeline"] == world["pipelines"]["like"]
    assert core["pipeline"] == "CorePipeline-" + world["nested_stack_name"]
    assert core["repository"] == "core-service-" + world["nested_stack_name"]
    assert (core["branch"], like["branch"]) == ("master", "master")
    assert core["primary_service"] == STACK + "_Mythical-Service" and like["primary_service"] == STACK + "_Like-Service"
    assert (core["container"], like["container"]) == ("service", "like-service")
    fact = result["regions"][PRIMARY]
    assert fact["cluster"] == world["cluster"] == "Cluster-" + STACK
    assert fact["services"] == {"core": STACK + "_Mythical-Service", "like": STACK + "_Like-Service"}
    assert fact["load_balancer_full_name"] == world["load_balancer_full_name"]
    outputs = fact["outputs"]
    assert fact["target_groups"] == {"core": outputs["MythicalServiceTargetGroupArn"],
                                     "like": outputs["LikeServiceTargetGroupArn"]}
    assert fact["ecr"] == {"core": outputs["MythicalServiceEcrRepo"], "like": outputs["LikeServiceEcrRepo"],
                           "xray": outputs["XrayEcrRepo"]}
    assert result["table_name"] == world["table"]


def test_a_missing_secondary_is_planned_from_the_workshop_template(world, module_runner):
    result = module_runner("application_info", {"primary_stack_name": STACK, "secondary_regions": [SECONDARY],
                                                "plan_missing": True}, region=PRIMARY, check=True)
    assert not result.get("failed"), result
    planned = result["regions"][SECONDARY]
    assert planned["stack_status"] == "PLANNED" and planned["cluster"] == "Cluster-mm-secondary-region"
    # The workshop's secondary services have no ServiceName: CloudFormation generates it.
    assert planned["services"]["core"].startswith("mm-secondary-region-CoreEcsService-")
    assert planned["ecr"]["core"].startswith("%s.dkr.ecr.%s.amazonaws.com/" % (planned["account"], SECONDARY))


def test_the_secondary_services_are_the_secondary_stack_resources(world, aws, module_runner):
    resources = create_secondary_as_the_lab_does(aws)
    physical = dict((r["LogicalResourceId"], r["PhysicalResourceId"]) for r in resources)
    result = module_runner("application_info", {"primary_stack_name": STACK, "secondary_regions": [SECONDARY]},
                           region=PRIMARY)
    assert not result.get("failed"), result
    fact = result["regions"][SECONDARY]
    assert fact["services"] == {"core": physical["CoreEcsService"].rsplit("/", 1)[-1],
                                "like": physical["LikeEcsService"].rsplit("/", 1)[-1]}
    outputs = fact["outputs"]
    assert fact["ecr"] == {"core": outputs["SecondaryMythicalServiceEcrRepo"],
                           "like": outputs["SecondaryLikeServiceEcrRepo"], "xray": outputs["SecondaryXrayEcrRepo"]}
    assert fact["load_balancer_dns"] == outputs["SecondaryLoadBalancerDNS"]
    assert fact["load_balancer_full_name"].startswith("app/alb-mm-secondary-region/")
    assert fact["target_groups"]["like"] == outputs["LikeServiceTargetGroupArn"]

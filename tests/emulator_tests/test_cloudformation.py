"""The emulator's CloudFormation: the collection's template deploys in both roles, through CreateStack
and through change sets, with AWS's status progression, outputs, events, failures and deletion.

AWS behaviour asserted (CloudFormation user guide, "Stack status codes" and "Viewing stack
events"; API reference DescribeStacks/ExecuteChangeSet): a stack reports ``CREATE_IN_PROGRESS``
before ``CREATE_COMPLETE`` and shows its outputs only once complete; a failed resource yields a
``CREATE_FAILED`` event carrying its reason and the stack rolls back to ``ROLLBACK_COMPLETE``; an
update with nothing to change is refused with "No updates are to be performed."; a deleted stack
is no longer found by name.
"""
import os
import re

import botocore.exceptions
import pytest

TEMPLATE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "roles", "secondary_stack", "files", "core.yml")
COMMON = {"CurrentRegion", "CurrentAccount", "VPCId", "PublicSubnetOne", "PublicSubnetTwo", "PrivateSubnetOne",
          "PrivateSubnetTwo", "LoadBalancerDNS", "LoadBalancerFullName", "EcsClusterName", "StackName",
          "CoreTargetGroupArn", "LikeTargetGroupArn", "CoreServiceName", "LikeServiceName"}
PRIMARY = COMMON | {"DynamoTable", "MythicalServiceEcrRepo", "LikeServiceEcrRepo", "XrayEcrRepo",
                    "CoreServiceRepoName", "LikeServiceRepoName", "CoreServiceCloneUrl", "LikeServiceCloneUrl",
                    "CodeBuildRole", "CodePipelineRole", "ArtifactBucket", "CorePipelineName", "LikePipelineName"}
SECONDARY = COMMON | {"SecondaryMythicalServiceEcrRepo", "SecondaryLikeServiceEcrRepo", "SecondaryXrayEcrRepo",
                      "SecondaryLoadBalancerDNS"}
WAIT = {"Delay": 1, "MaxAttempts": 60}


# An ECS service is created only when its tasks can run (ext/ecs_deploy.py): these tests exercise the
# stack lifecycle, so the services start on a public placeholder image instead of the stack's own empty
# repositories (test_ecs_deploy.py shows what happens to a service whose image is not there).
PLACEHOLDER = "docker.io/nginx:latest"  # what the template declares (the workshop's placeholder)


def _body():
    with open(TEMPLATE) as handle:
        return re.sub(r"(?m)^(\s+Image: ).*RepositoryUri.*$", lambda m: m.group(1) + PLACEHOLDER, handle.read())


def _params(is_dr):
    return [{"ParameterKey": "IsDrRegion", "ParameterValue": is_dr}]


def _deploy(cfn, name, is_dr, via):
    if via == "create_stack":
        cfn.create_stack(StackName=name, TemplateBody=_body(), Parameters=_params(is_dr),
                         Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
    else:
        change_set = cfn.create_change_set(StackName=name, ChangeSetName="initial", ChangeSetType="CREATE",
                                           TemplateBody=_body(), Parameters=_params(is_dr),
                                           Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
        cfn.get_waiter("change_set_create_complete").wait(ChangeSetName=change_set["Id"], WaiterConfig=WAIT)
        assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
        cfn.execute_change_set(ChangeSetName=change_set["Id"])


def _stack(cfn, name):
    return cfn.describe_stacks(StackName=name)["Stacks"][0]


def _outputs(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _active_clusters(aws, region):
    ecs = aws.client("ecs", region)
    arns = ecs.list_clusters()["clusterArns"]
    if not arns:
        return []
    return [c["clusterName"] for c in ecs.describe_clusters(clusters=arns)["clusters"] if c["status"] == "ACTIVE"]


def _stack_statuses(cfn, name):
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return [e["ResourceStatus"] for e in reversed(events) if e["ResourceType"] == "AWS::CloudFormation::Stack"]


@pytest.mark.parametrize("via", ["create_stack", "change_set"])
@pytest.mark.parametrize("region,is_dr,stack_name,expected", [
    ("us-west-2", "false", "mm-primary-region", PRIMARY),
    ("us-east-1", "true", "mm-secondary-region", SECONDARY),
])
def test_template_deploys_with_progress_and_outputs(aws, via, region, is_dr, stack_name, expected):
    aws.control.set_timing(stack_create_seconds=3)
    cfn = aws.client("cloudformation", region)
    _deploy(cfn, stack_name, is_dr, via)

    early = _stack(cfn, stack_name)
    assert early["StackStatus"] == "CREATE_IN_PROGRESS"
    assert "Outputs" not in early  # AWS shows outputs once the stack is complete

    cfn.get_waiter("stack_create_complete").wait(StackName=stack_name, WaiterConfig=WAIT)
    stack = _stack(cfn, stack_name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    statuses = _stack_statuses(cfn, stack_name)
    assert statuses[-2:] == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    resource_events = [e for e in cfn.describe_stack_events(StackName=stack_name)["StackEvents"]
                       if e["LogicalResourceId"] == "ECSCluster"]
    assert [e["ResourceStatus"] for e in reversed(resource_events)] == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]

    outputs = _outputs(stack)
    assert set(outputs) == expected
    assert outputs["CurrentRegion"] == region
    assert outputs["StackName"] == stack_name
    assert outputs["EcsClusterName"] == "Cluster-" + stack_name

    elbv2 = aws.client("elbv2", region)
    lb = elbv2.describe_load_balancers(Names=["alb-" + stack_name])["LoadBalancers"][0]
    assert re.fullmatch(r"app/alb-%s/[0-9a-f]+" % re.escape(stack_name), outputs["LoadBalancerFullName"])
    assert lb["LoadBalancerArn"].endswith(":loadbalancer/" + outputs["LoadBalancerFullName"])
    assert outputs["LoadBalancerDNS"] == lb["DNSName"]
    listener = elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"][0]
    assert listener["Port"] == 80
    rules = elbv2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
    like_rule = [r for r in rules if not r["IsDefault"]][0]
    assert like_rule["Conditions"][0]["Values"] == ["/mysfits/*/like"]
    assert like_rule["Actions"][0]["TargetGroupArn"] == outputs["LikeTargetGroupArn"]
    groups = elbv2.describe_target_groups(TargetGroupArns=[outputs["CoreTargetGroupArn"],
                                                           outputs["LikeTargetGroupArn"]])["TargetGroups"]
    assert {(g["TargetType"], g["Port"], g["HealthCheckPath"]) for g in groups} == {("ip", 8080, "/")}

    ecr_outputs = ([k for k in outputs if k.endswith("EcrRepo")])
    assert len(ecr_outputs) == 3
    uris = {r["repositoryUri"] for r in aws.client("ecr", region).describe_repositories()["repositories"]}
    for key in ecr_outputs:
        assert re.fullmatch(r"\d{12}\.dkr\.ecr\.%s\.amazonaws\.com/[a-z0-9._/-]+" % region, outputs[key]), key
        assert outputs[key] in uris

    ecs = aws.client("ecs", region)
    services = ecs.describe_services(cluster=outputs["EcsClusterName"],
                                     services=[outputs["CoreServiceName"], outputs["LikeServiceName"]])["services"]
    assert [s["desiredCount"] for s in services] == [1, 1]
    assert "Core" in outputs["CoreServiceName"] and "Like" in outputs["LikeServiceName"]


def test_primary_creates_table_pipelines_and_repositories(aws):
    cfn = aws.client("cloudformation", "us-west-2")
    _deploy(cfn, "mm-primary-region", "false", "create_stack")
    cfn.get_waiter("stack_create_complete").wait(StackName="mm-primary-region", WaiterConfig=WAIT)
    outputs = _outputs(_stack(cfn, "mm-primary-region"))

    table = aws.client("dynamodb", "us-west-2").describe_table(TableName=outputs["DynamoTable"])["Table"]
    assert table["TableName"] == "MythicalMysfits-DDBTable"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["KeySchema"] == [{"AttributeName": "MysfitId", "KeyType": "HASH"}]
    indexes = {i["IndexName"]: (i["KeySchema"], i["Projection"]["ProjectionType"])
               for i in table["GlobalSecondaryIndexes"]}
    assert indexes == {
        "LawChaosIndex": ([{"AttributeName": "LawChaos", "KeyType": "HASH"},
                           {"AttributeName": "MysfitId", "KeyType": "RANGE"}], "ALL"),
        "GoodEvilIndex": ([{"AttributeName": "GoodEvil", "KeyType": "HASH"},
                           {"AttributeName": "MysfitId", "KeyType": "RANGE"}], "ALL"),
    }

    codecommit = aws.client("codecommit", "us-west-2")
    for service in ("core", "like"):
        repo = codecommit.get_repository(repositoryName="%s-service-mm-primary-region" % service)
        assert repo["repositoryMetadata"]["cloneUrlHttp"] == outputs["%sServiceCloneUrl" % service.title()]

    codepipeline = aws.client("codepipeline", "us-west-2")
    for key, service_output, repo_output in (("CorePipelineName", "CoreServiceName", "CoreServiceRepoName"),
                                             ("LikePipelineName", "LikeServiceName", "LikeServiceRepoName")):
        pipeline = codepipeline.get_pipeline(name=outputs[key])["pipeline"]
        assert pipeline["name"] == key[:4] + "Pipeline-mm-primary-region"
        assert pipeline["artifactStore"] == {"type": "S3", "location": outputs["ArtifactBucket"]}
        assert pipeline["roleArn"] == outputs["CodePipelineRole"]
        assert [s["name"] for s in pipeline["stages"]] == ["Source", "Build_Docker_Container", "Deploy"]
        source, build, deploy = (s["actions"][0] for s in pipeline["stages"])
        assert source["actionTypeId"]["provider"] == "CodeCommit"
        assert source["configuration"]["RepositoryName"] == outputs[repo_output]
        assert source["configuration"]["BranchName"] == "master"
        assert source["outputArtifacts"] == [{"name": "SourceArtifact"}]
        assert build["actionTypeId"]["provider"] == "CodeBuild"
        assert build["outputArtifacts"] == [{"name": "BuildArtifact"}]
        assert deploy["actionTypeId"]["provider"] == "ECS"
        assert deploy["configuration"] == {"ClusterName": outputs["EcsClusterName"],
                                           "ServiceName": outputs[service_output],
                                           "FileName": "imagedefinitions_primary.json"}
    projects = aws.client("codebuild", "us-west-2").list_projects()["projects"]
    assert len(projects) == 2
    aws.client("s3", "us-west-2").head_bucket(Bucket=outputs["ArtifactBucket"])


def test_secondary_creates_no_table_and_no_cicd(aws):
    cfn = aws.client("cloudformation", "us-east-1")
    _deploy(cfn, "mm-secondary-region", "true", "change_set")
    cfn.get_waiter("stack_create_complete").wait(StackName="mm-secondary-region", WaiterConfig=WAIT)
    assert aws.client("dynamodb", "us-east-1").list_tables()["TableNames"] == []
    assert aws.client("codepipeline", "us-east-1").list_pipelines()["pipelines"] == []
    ecs = aws.client("ecs", "us-east-1")
    outputs = _outputs(_stack(cfn, "mm-secondary-region"))
    service = ecs.describe_services(cluster=outputs["EcsClusterName"],
                                    services=[outputs["CoreServiceName"]])["services"][0]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    container = task["containerDefinitions"][0]
    assert container["name"] == "service"
    assert {"name": "DDB_TABLE_NAME", "value": "MythicalMysfits-DDBTable"} in container["environment"]
    assert container["image"] == PLACEHOLDER  # what _body() declared


@pytest.mark.parametrize("via", ["create_stack", "change_set"])
def test_fail_next_rolls_back_with_reason_in_events(aws, via):
    reason = "Resource handler returned message: \"Invalid request provided: CreateService\""
    aws.control.post("cloudformation/fail-next",
                     {"stack": "mm-secondary-region", "resource": "CoreEcsService", "reason": reason})
    cfn = aws.client("cloudformation", "us-east-1")
    _deploy(cfn, "mm-secondary-region", "true", via)
    with pytest.raises(botocore.exceptions.WaiterError):
        cfn.get_waiter("stack_create_complete").wait(StackName="mm-secondary-region", WaiterConfig=WAIT)
    stack = _stack(cfn, "mm-secondary-region")
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "Outputs" not in stack
    events = cfn.describe_stack_events(StackName="mm-secondary-region")["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert [(e["LogicalResourceId"], e["ResourceType"], e["ResourceStatusReason"]) for e in failed] == [
        ("CoreEcsService", "AWS::ECS::Service", reason)]
    assert _stack_statuses(cfn, "mm-secondary-region")[-3:] == [
        "CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"]
    # the rollback removed what the create had built
    assert _active_clusters(aws, "us-east-1") == []
    assert aws.client("ec2", "us-east-1").describe_vpcs(
        Filters=[{"Name": "cidr", "Values": ["10.0.0.0/16"]}])["Vpcs"] == []
    assert aws.control.get("cloudformation/fail-next")["pending"] == []

    # a stack in ROLLBACK_COMPLETE can only be deleted; the failure was for the next create only
    cfn.delete_stack(StackName="mm-secondary-region")
    cfn.get_waiter("stack_delete_complete").wait(StackName="mm-secondary-region", WaiterConfig=WAIT)
    _deploy(cfn, "mm-secondary-region", "true", via)
    cfn.get_waiter("stack_create_complete").wait(StackName="mm-secondary-region", WaiterConfig=WAIT)


def test_update_without_changes_is_refused_and_a_real_update_progresses(aws):
    cfn = aws.client("cloudformation", "us-east-1")
    _deploy(cfn, "mm-secondary-region", "true", "create_stack")
    cfn.get_waiter("stack_create_complete").wait(StackName="mm-secondary-region", WaiterConfig=WAIT)
    before = _outputs(_stack(cfn, "mm-secondary-region"))
    with pytest.raises(botocore.exceptions.ClientError, match="No updates are to be performed"):
        cfn.update_stack(StackName="mm-secondary-region", TemplateBody=_body(), Parameters=_params("true"),
                         Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])

    aws.control.set_timing(stack_update_seconds=3)
    changed = _body().replace("Workshop IDE", "Workshop IDE (updated)")
    cfn.update_stack(StackName="mm-secondary-region", TemplateBody=changed, Parameters=_params("true"),
                     Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
    during = _stack(cfn, "mm-secondary-region")
    assert during["StackStatus"] == "UPDATE_IN_PROGRESS"
    assert _outputs(during) == before  # the previous outputs stay visible during an update
    with pytest.raises(botocore.exceptions.ClientError, match="UPDATE_IN_PROGRESS state and can not be updated"):
        cfn.update_stack(StackName="mm-secondary-region", TemplateBody=_body(), Parameters=_params("true"),
                         Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
    cfn.get_waiter("stack_update_complete").wait(StackName="mm-secondary-region", WaiterConfig=WAIT)
    assert _stack_statuses(cfn, "mm-secondary-region")[-2:] == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert _outputs(_stack(cfn, "mm-secondary-region")) == before


def test_delete_progresses_and_removes_resources(aws):
    cfn = aws.client("cloudformation", "us-west-2")
    _deploy(cfn, "mm-primary-region", "false", "change_set")
    cfn.get_waiter("stack_create_complete").wait(StackName="mm-primary-region", WaiterConfig=WAIT)
    stack_id = _stack(cfn, "mm-primary-region")["StackId"]

    aws.control.set_timing(stack_delete_seconds=3)
    cfn.delete_stack(StackName="mm-primary-region")
    assert _stack(cfn, "mm-primary-region")["StackStatus"] == "DELETE_IN_PROGRESS"
    cfn.get_waiter("stack_delete_complete").wait(StackName="mm-primary-region", WaiterConfig=WAIT)
    with pytest.raises(botocore.exceptions.ClientError, match="does not exist"):
        cfn.describe_stacks(StackName="mm-primary-region")
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    assert _stack_statuses(cfn, stack_id)[-2:] == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    assert aws.client("codepipeline", "us-west-2").list_pipelines()["pipelines"] == []
    assert aws.client("dynamodb", "us-west-2").list_tables()["TableNames"] == []
    assert _active_clusters(aws, "us-west-2") == []
    assert aws.client("ec2", "us-west-2").describe_vpcs(
        Filters=[{"Name": "cidr", "Values": ["10.0.0.0/16"]}])["Vpcs"] == []
    codecommit = aws.client("codecommit", "us-west-2")
    for name in ("core-service-mm-primary-region", "like-service-mm-primary-region"):
        with pytest.raises(codecommit.exceptions.RepositoryDoesNotExistException):
            codecommit.get_repository(repositoryName=name)


def test_update_of_the_tags_alone_is_an_update_and_an_empty_list_removes_them(aws):
    """UpdateStack API reference, Tags: "If you don't specify this parameter, CloudFormation doesn't modify the
    stack's tags. If you specify an empty value, CloudFormation removes all associated tags."
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html). A change of the tags
    alone is an update (the tags are propagated to the stack's resources); the same tags again are no update."""
    cfn = aws.client("cloudformation", "us-east-1")
    _deploy(cfn, "mm-secondary-region", "true", "create_stack")
    cfn.get_waiter("stack_create_complete").wait(StackName="mm-secondary-region", WaiterConfig=WAIT)
    same = dict(StackName="mm-secondary-region", UsePreviousTemplate=True, Parameters=_params("true"),
                Capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])

    cfn.update_stack(Tags=[{"Key": "team", "Value": "mysfits"}], **same)
    cfn.get_waiter("stack_update_complete").wait(StackName="mm-secondary-region", WaiterConfig=WAIT)
    assert _stack(cfn, "mm-secondary-region")["Tags"] == [{"Key": "team", "Value": "mysfits"}]

    with pytest.raises(botocore.exceptions.ClientError, match="No updates are to be performed"):
        cfn.update_stack(Tags=[{"Key": "team", "Value": "mysfits"}], **same)
    # no Tags parameter: the tags are kept (and nothing else changes: no update)
    with pytest.raises(botocore.exceptions.ClientError, match="No updates are to be performed"):
        cfn.update_stack(**same)
    assert _stack(cfn, "mm-secondary-region")["Tags"] == [{"Key": "team", "Value": "mysfits"}]

    cfn.update_stack(Tags=[], **same)
    cfn.get_waiter("stack_update_complete").wait(StackName="mm-secondary-region", WaiterConfig=WAIT)
    assert _stack(cfn, "mm-secondary-region").get("Tags", []) == []

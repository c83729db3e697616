"""The workshop's world (tests/fixture/workshop) on a fresh emulator: what Labs 0-2 of the workshop leave.

The facts checked come from the workshop's public repository (hub714/multi-region-workshop: cfn/core.yml,
cfn/cicd.yml, bootstrap/, lab-0-init and lab-2-agg READMEs), reproduced in our own files: the core stack
``mm-multi-region`` with exactly the outputs of the workshop's template, the nested CI/CD stack named
``<stack>-MythicalCiCdStack-<13 characters>`` making every CI/CD name, the ECS services the bootstrap creates
outside CloudFormation, the mysfits with their attributes, one commit of sources per repository, the Lab 2
dashboard. Then: the same template deploys as the lab's secondary stack, and a second build changes nothing.
"""
import json
import os
import re
import subprocess
import sys

from tests.fixture import workshop

REGION = "us-west-2"
STACK = "mm-multi-region"
# The workshop's core template: the outputs of a primary (IsDrRegion=false) and of a secondary stack.
COMMON_OUTPUTS = {
    "CurrentRegion", "CurrentAccount", "EcsServiceRole", "ECSTaskRole", "VPCId", "PublicSubnetOne", "PublicSubnetTwo",
    "PrivateSubnetOne", "PrivateSubnetTwo", "FargateContainerSecurityGroup", "LoadBalancerDNS",
    "MythicalServiceTargetGroupArn", "LikeServiceTargetGroupArn", "EcsClusterName", "StackName"}
PRIMARY_OUTPUTS = COMMON_OUTPUTS | {
    "CodeBuildRole", "CodePipelineRole", "DynamoTable", "ProfileName", "MythicalServiceEcrRepo", "LikeServiceEcrRepo",
    "XrayEcrRepo", "MythicalServiceTaskDefinition", "LikeServiceTaskDefinition", "MythicalLikeGitRepositoryCloneUrl",
    "MythicalLikeGitRepositoryName", "MythicalCoreGitRepositoryCloneUrl", "MythicalCoreGitRepositoryName",
    "MythicalInfraGitRepositoryCloneUrl", "MythicalInfraGitRepositoryName"}
SECONDARY_OUTPUTS = COMMON_OUTPUTS | {
    "SecondaryLoadBalancerDNS", "SecondaryMythicalServiceEcrRepo", "SecondaryLikeServiceEcrRepo",
    "SecondaryXrayEcrRepo", "SecondaryMythicalServiceTaskDefinition", "SecondaryLikeServiceTaskDefinition"}
ITEM_ATTRIBUTES = {"MysfitId": "S", "Name": "S", "Species": "S", "Description": "S", "Age": "N", "GoodEvil": "S",
                   "LawChaos": "S", "ThumbImageUri": "S", "ProfileImageUri": "S", "Likes": "N", "Adopted": "BOOL"}


def _outputs(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _env(container):
    return {e["name"]: e["value"] for e in container.get("environment", [])}


def _document(value):
    return json.loads(value) if isinstance(value, str) else value


def test_workshop_world_is_built_as_labs_0_to_2_leave_it_and_a_second_build_changes_nothing(aws):
    summary = workshop.Builder(region=REGION, stack_name=STACK, log=lambda message: None, poll_seconds=0.2).build()

    cfn = aws.client("cloudformation", REGION)
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "IsDrRegion": "false", "DDBTableName": "MythicalMysfits-DDBTable"}
    outputs = _outputs(stack)
    assert set(outputs) == PRIMARY_OUTPUTS
    assert outputs["StackName"] == STACK and outputs["EcsClusterName"] == "Cluster-" + STACK
    assert outputs["DynamoTable"] == "MythicalMysfits-DDBTable" and outputs["CurrentRegion"] == REGION
    exports = {e["Name"] for e in cfn.list_exports()["Exports"]}
    assert {STACK + ":MythicalMysfitsServiceCodeBuildServiceRole", STACK + ":VPCId"} <= exports

    # the nested CI/CD stack and the names made from its own name
    resources = cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    [nested_id] = [r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "MythicalCiCdStack"]
    nested = cfn.describe_stacks(StackName=nested_id)["Stacks"][0]
    cicd = nested["StackName"]
    assert re.fullmatch(r"mm-multi-region-MythicalCiCdStack-[A-Z0-9]{13}", cicd)
    assert nested["StackStatus"] == "CREATE_COMPLETE" and summary["nested_stack_name"] == cicd
    assert {p["ParameterKey"]: p["ParameterValue"] for p in nested["Parameters"]} == {
        "MythicalEcsCluster": "Cluster-" + STACK, "CoreServiceName": STACK + "_Mythical-Service",
        "LikeServiceName": STACK + "_Like-Service", "CfnStackName": STACK}
    nested_resources = {r["LogicalResourceId"]: r for r in
                        cfn.list_stack_resources(StackName=nested_id)["StackResourceSummaries"]}
    assert {k: r["ResourceType"] for k, r in nested_resources.items()} == {
        "MythicalLikeGitRepository": "AWS::CodeCommit::Repository",
        "MythicalCoreGitRepository": "AWS::CodeCommit::Repository",
        "MythicalInfraGitRepository": "AWS::CodeCommit::Repository",
        "MythicalMysfitsServiceCodePipelineServiceRole": "AWS::IAM::Role",
        "MythicalMysfitsServiceCodeBuildServiceRole": "AWS::IAM::Role",
        "InfraCfnServiceRole": "AWS::IAM::Role",
        "MythicalArtifactBucket": "AWS::S3::Bucket",
        "DockerBuildCodeBuildProject": "AWS::CodeBuild::Project",
        "CoreBuildCodeBuildProject": "AWS::CodeBuild::Project",
        "MythicalLikeServicePipeline": "AWS::CodePipeline::Pipeline",
        "MythicalCoreServicePipeline": "AWS::CodePipeline::Pipeline",
        "CodeCommitCloudWatchEventRole": "AWS::IAM::Role",
        "CodeCommitCloudWatchEventRule": "AWS::Events::Rule",
        "CoreServiceCodeCommitCloudWatchEventRule": "AWS::Events::Rule"}
    nested_outputs = _outputs(nested)
    bucket = nested_outputs["MythicalArtifactBucket"]
    assert outputs["CodePipelineRole"] == nested_outputs["MythicalMysfitsServiceCodePipelineServiceRoleArn"]

    # repositories: named after the nested stack, outputs of the core stack
    codecommit = aws.client("codecommit", REGION)
    repositories = {"core": "core-service-" + cicd, "like": "like-service-" + cicd}
    assert outputs["MythicalCoreGitRepositoryName"] == repositories["core"]
    assert outputs["MythicalLikeGitRepositoryName"] == repositories["like"]
    assert outputs["MythicalInfraGitRepositoryName"] == "Infra-" + cicd
    assert outputs["MythicalCoreGitRepositoryCloneUrl"] == codecommit.get_repository(
        repositoryName=repositories["core"])["repositoryMetadata"]["cloneUrlHttp"]
    listed = {r["repositoryName"] for r in codecommit.list_repositories()["repositories"]}
    assert listed == set(repositories.values()) | {"Infra-" + cicd}
    assert summary["repositories"] == repositories

    # build projects
    projects = aws.client("codebuild", REGION).batch_get_projects(
        names=["core-service-build-" + cicd, "like-service-build-" + cicd])["projects"]
    assert {p["environment"]["image"] for p in projects} == {"aws/codebuild/docker:17.09.0"}
    assert {p["source"]["buildspec"] for p in projects} == {"buildspec_prod.yml"}

    # pipelines: Source / Build_Docker_Container / Deploy into the bootstrap's services
    codepipeline = aws.client("codepipeline", REGION)
    for key, service in (("core", STACK + "_Mythical-Service"), ("like", STACK + "_Like-Service")):
        name = ("CorePipeline-" if key == "core" else "LikePipeline-") + cicd
        assert summary["pipelines"][key] == name
        pipeline = codepipeline.get_pipeline(name=name)["pipeline"]
        assert [s["name"] for s in pipeline["stages"]] == ["Source", "Build_Docker_Container", "Deploy"]
        assert pipeline["artifactStore"] == {"type": "S3", "location": bucket}
        source, build, deploy = (stage["actions"][0] for stage in pipeline["stages"])
        assert source["configuration"]["RepositoryName"] == repositories[key]
        assert source["configuration"]["BranchName"] == "master"
        assert source["outputArtifacts"] == [{"name": "SourceArtifact"}]
        assert build["outputArtifacts"] == [{"name": "BuildArtifact"}]
        assert deploy["actionTypeId"] == {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"}
        assert deploy["configuration"] == {"ClusterName": "Cluster-" + STACK, "ServiceName": service,
                                           "FileName": "imagedefinitions_primary.json"}
        assert pipeline["roleArn"] == outputs["CodePipelineRole"]
    # the pipeline role's S3 grant names its own artifact bucket only
    iam = aws.client("iam", REGION)
    role_name = outputs["CodePipelineRole"].rsplit("/", 1)[1]
    [policy_name] = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    policy = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
    statements = _document(policy)["Statement"]
    s3_resources = {r for s in statements if any(a.startswith("s3:") for a in s["Action"]) for r in s["Resource"]}
    assert s3_resources == {"arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket}
    trust = _document(iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"])
    assert trust["Statement"][0]["Principal"]["Service"] == ["codepipeline.amazonaws.com"]

    # ECR: three repositories with generated lower-case names
    ecr_names = {r["repositoryName"] for r in aws.client("ecr", REGION).describe_repositories()["repositories"]}
    for key, logical_id in (("MythicalServiceEcrRepo", "mythicalservicerepo"),
                            ("LikeServiceEcrRepo", "likeservicerepo"), ("XrayEcrRepo", "xray")):
        match = re.fullmatch(r"123456789012\.dkr\.ecr\.us-west-2\.amazonaws\.com/(mm-multi-region-%s-[a-z0-9]{12})"
                             % logical_id, outputs[key])
        assert match and match.group(1) in ecr_names, outputs[key]

    # network facts the template's features produce
    ec2 = aws.client("ec2", REGION)
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    subnets = ec2.describe_subnets(SubnetIds=[outputs["PublicSubnetOne"], outputs["PrivateSubnetTwo"]])["Subnets"]
    assert {s["SubnetId"]: s["AvailabilityZone"] for s in subnets} == {
        outputs["PublicSubnetOne"]: zones[0], outputs["PrivateSubnetTwo"]: zones[1]}
    group = ec2.describe_security_groups(GroupIds=[outputs["FargateContainerSecurityGroup"]])["SecurityGroups"][0]
    assert [(p["IpProtocol"], p.get("FromPort"), p["IpRanges"][0]["CidrIp"]) for p in group["IpPermissions"]] == [
        ("-1", None, "10.0.0.0/16")]

    # the ECS services the bootstrap created outside the stack, from the stack's task definitions
    ecs = aws.client("ecs", REGION)
    services = ecs.describe_services(cluster=outputs["EcsClusterName"],
                                     services=[STACK + "_Mythical-Service", STACK + "_Like-Service"])["services"]
    assert [s["serviceName"] for s in services] == [STACK + "_Mythical-Service", STACK + "_Like-Service"]
    assert summary["services"] == {"core": STACK + "_Mythical-Service", "like": STACK + "_Like-Service"}
    for service, task_output, target_output, container in (
            (services[0], "MythicalServiceTaskDefinition", "MythicalServiceTargetGroupArn", "service"),
            (services[1], "LikeServiceTaskDefinition", "LikeServiceTargetGroupArn", "like-service")):
        assert (service["status"], service["desiredCount"], service["launchType"]) == ("ACTIVE", 1, "FARGATE")
        # The stack's task definition, or a later revision of its family: the bootstrap's first push starts the
        # pipelines, whose Deploy action registers a new revision (Labs 0-2 end with the app deployed).
        family, revision = outputs[task_output].rsplit(":", 1)
        running_family, running_revision = service["taskDefinition"].rsplit(":", 1)
        assert running_family == family and int(running_revision) >= int(revision), service["taskDefinition"]
        assert service["loadBalancers"] == [{"targetGroupArn": outputs[target_output], "containerName": container,
                                             "containerPort": 8080}]
        task = ecs.describe_task_definition(taskDefinition=outputs[task_output])["taskDefinition"]
        assert [c["name"] for c in task["containerDefinitions"]] == [container, "xray-daemon"]
        assert _env(task["containerDefinitions"][0])["DDB_TABLE_NAME"] == outputs["DynamoTable"]
    like_task = ecs.describe_task_definition(taskDefinition=outputs["LikeServiceTaskDefinition"])["taskDefinition"]
    assert _env(like_task["containerDefinitions"][0]) == {
        "CHAOSMODE": "on", "DDB_TABLE_NAME": outputs["DynamoTable"], "LOGLEVEL": "ERROR"}
    assert like_task["family"] == "Like-Service-" + STACK

    # the mysfits, with the attributes (and types) of the bootstrap's items
    items = aws.client("dynamodb", REGION).scan(TableName=outputs["DynamoTable"])["Items"]
    assert len(items) == 12
    assert all({k: list(v)[0] for k, v in item.items()} == ITEM_ATTRIBUTES for item in items)
    with open(workshop.ITEMS) as handle:
        wanted = json.load(handle)
    by_id = lambda item: item["MysfitId"]["S"]  # noqa: E731
    assert sorted(items, key=by_id) == sorted(wanted, key=by_id)
    assert {i["GoodEvil"]["S"] for i in items} == {"Good", "Neutral", "Evil"}
    assert {i["LawChaos"]["S"] for i in items} == {"Lawful", "Neutral", "Chaotic"}

    # each repository: one commit on master with the service's source, Dockerfile and buildspec_prod.yml
    for key, ecr_output, container, app_file in (
            ("core", "MythicalServiceEcrRepo", "service", "service/mythicalMysfitsService.py"),
            ("like", "LikeServiceEcrRepo", "like-service", "service/mysfits_like.py")):
        head = codecommit.get_branch(repositoryName=repositories[key], branchName="master")["branch"]["commitId"]
        assert codecommit.get_commit(repositoryName=repositories[key], commitId=head)["commit"]["parents"] == []
        top = codecommit.get_folder(repositoryName=repositories[key], commitSpecifier=head, folderPath="/")
        assert sorted(f["relativePath"] for f in top["files"]) == ["Dockerfile", "buildspec_prod.yml"]
        inner = codecommit.get_folder(repositoryName=repositories[key], commitSpecifier=head, folderPath="service")
        assert app_file in [f["absolutePath"] for f in inner["files"]]
        buildspec = codecommit.get_file(repositoryName=repositories[key], commitSpecifier="master",
                                        filePath="buildspec_prod.yml")["fileContent"].decode()
        assert "PRIMARY_REPO_URI=%s\n" % outputs[ecr_output] in buildspec
        assert '"name":"%s"' % container in buildspec and "> imagedefinitions_primary.json" in buildspec
        assert "imagedefinitions_secondary.json" not in buildspec and "@" not in buildspec.split("version:")[1]

    # the Lab 2 dashboard under the participant's name
    balancer = aws.client("elbv2", REGION).describe_load_balancers(Names=["alb-" + STACK])["LoadBalancers"][0]
    full_name = balancer["LoadBalancerArn"].split(":loadbalancer/", 1)[1]
    assert summary["load_balancer_full_name"] == full_name and balancer["DNSName"] == outputs["LoadBalancerDNS"]
    dashboards = [d["DashboardName"] for d in aws.client("cloudwatch", REGION).list_dashboards()["DashboardEntries"]]
    assert dashboards == ["ReInvent-App-Dashboard"]
    body = json.loads(aws.client("cloudwatch", REGION).get_dashboard(
        DashboardName="ReInvent-App-Dashboard")["DashboardBody"])
    widgets = {w["properties"]["title"]: w["properties"] for w in body["widgets"]}
    assert set(widgets) == {"ALB Requests Per Minute", "ALB HTTP Responses", "Mythical Service Metrics",
                            "Like Service Metrics", "DynamoDB Read/Write"}
    assert {p["region"] for p in widgets.values()} == {REGION}
    requests = widgets["ALB Requests Per Minute"]
    assert requests["metrics"] == [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", full_name]]
    assert (requests["stat"], requests["period"], requests["view"]) == ("Sum", 60, "timeSeries")
    responses = widgets["ALB HTTP Responses"]
    assert [m[1] for m in responses["metrics"]] == ["HTTPCode_Target_2XX_Count", "HTTPCode_Target_4XX_Count",
                                                    "HTTPCode_Target_5XX_Count"]
    assert responses["stacked"] is True and responses["stat"] == "Sum"
    for title, service in (("Mythical Service Metrics", STACK + "_Mythical-Service"),
                           ("Like Service Metrics", STACK + "_Like-Service")):
        assert widgets[title]["view"] == "singleValue"
        assert widgets[title]["metrics"][0] == ["AWS/ECS", "CPUUtilization", "ServiceName", service,
                                                "ClusterName", "Cluster-" + STACK]
        assert widgets[title]["metrics"][1][1] == "MemoryUtilization"
    assert widgets["DynamoDB Read/Write"]["metrics"][0][3] == outputs["DynamoTable"]

    # a second build (as `make` runs it) changes nothing and makes no mutating call
    mark = aws.control.last_seq()
    rerun = subprocess.run([sys.executable, "-m", "tests.fixture.workshop", "--quiet"], capture_output=True, text=True,
                           env=dict(os.environ, **aws.env(REGION)), cwd=os.path.dirname(os.path.dirname(
                               os.path.dirname(os.path.abspath(__file__)))), timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    again = json.loads(rerun.stdout)
    assert again["changes"] == []
    assert {k: again[k] for k in ("nested_stack_name", "pipelines", "repositories", "services")} == {
        k: summary[k] for k in ("nested_stack_name", "pipelines", "repositories", "services")}
    changes = [(c["service"], c["operation"]) for c in aws.control.mutating_calls(since=mark, plane=None)
               if c["status"] < 300]
    assert changes == []


def test_the_same_template_deploys_as_the_labs_secondary_stack(aws):
    """Lab 3 step 1: the primary's template with IsDrRegion=true in the secondary region."""
    workshop.Builder(region=REGION, stack_name=STACK, log=lambda message: None, poll_seconds=0.2).build()
    body = aws.client("cloudformation", REGION).get_template(StackName=STACK)["TemplateBody"]
    cfn = aws.client("cloudformation", "us-east-1")
    cfn.create_stack(StackName="mm-secondary-region", TemplateBody=body if isinstance(body, str) else json.dumps(body),
                     Parameters=[{"ParameterKey": "IsDrRegion", "ParameterValue": "true"},
                                 {"ParameterKey": "DDBTableName", "ParameterValue": "MythicalMysfits-DDBTable"}],
                     Capabilities=workshop.CAPABILITIES)
    cfn.get_waiter("stack_create_complete").wait(StackName="mm-secondary-region",
                                                 WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    stack = cfn.describe_stacks(StackName="mm-secondary-region")["Stacks"][0]
    outputs = _outputs(stack)
    assert set(outputs) == SECONDARY_OUTPUTS
    assert outputs["SecondaryLoadBalancerDNS"] == outputs["LoadBalancerDNS"]
    resources = {r["LogicalResourceId"]: r for r in
                 cfn.list_stack_resources(StackName="mm-secondary-region")["StackResourceSummaries"]}
    assert "MythicalCiCdStack" not in resources and "MythicalDynamoTable" not in resources
    ecs = aws.client("ecs", "us-east-1")
    arns = ecs.list_services(cluster=outputs["EcsClusterName"])["serviceArns"]
    services = ecs.describe_services(cluster=outputs["EcsClusterName"], services=arns)["services"]
    names = sorted(s["serviceName"] for s in services)
    # CloudFormation-generated names: the lab picks them by "Core" / "Like" in the name
    assert len(names) == 2 and "CoreEcsService" in names[0] and "LikeEcsService" in names[1]
    assert resources["CoreEcsService"]["PhysicalResourceId"].endswith("/" + names[0])
    like = [s for s in services if "LikeEcsService" in s["serviceName"]][0]
    task = ecs.describe_task_definition(taskDefinition=like["taskDefinition"])["taskDefinition"]
    assert [c["name"] for c in task["containerDefinitions"]] == ["like-service", "xray-daemon"]
    assert _env(task["containerDefinitions"][0]) == {
        "CHAOSMODE": "off", "DDB_TABLE_NAME": "MythicalMysfits-DDBTable", "LOGLEVEL": "ERROR"}

"""Discovery of the application's names (module_utils.discovery) on bodies shaped as AWS returns them."""
import json

import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import discovery as d

ACCOUNT = "123456789012"
CORE = "mm-multi-region"
NESTED = "mm-multi-region-MythicalCiCdStack-1T6ZQGB8AX9OI"
NESTED_ARN = "arn:aws:cloudformation:us-west-2:%s:stack/%s/0f6c6a40-b0a1-11ee-9f7f-0a1b2c3d4e5f" % (ACCOUNT, NESTED)
LB_ARN = "arn:aws:elasticloadbalancing:us-west-2:%s:loadbalancer/app/alb-mm-multi-region/50dc6c495c0c9188" % ACCOUNT
TG = "arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s"


def stack(name, region="us-west-2", outputs=None, parameters=None, status="CREATE_COMPLETE"):
    """A DescribeStacks ``Stack``."""
    return {
        "StackId": "arn:aws:cloudformation:%s:%s:stack/%s/5b1e3c10-b0a1-11ee-8c2a-0a1b2c3d4e5f" % (region, ACCOUNT, name),
        "StackName": name, "StackStatus": status, "CreationTime": "2026-11-30T10:00:00Z",
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
        "Outputs": [{"OutputKey": k, "OutputValue": v, "Description": "-"} for k, v in (outputs or {}).items()],
    }


def resource(logical, physical, kind, status="CREATE_COMPLETE"):
    """One ListStackResources ``StackResourceSummaries`` entry."""
    return {"LogicalResourceId": logical, "PhysicalResourceId": physical, "ResourceType": kind,
            "LastUpdatedTimestamp": "2026-11-30T10:05:00Z", "ResourceStatus": status,
            "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"}}


def pipeline(name, repository, cluster, service, extra_stages=()):
    """A GetPipeline ``pipeline`` as the workshop's cicd.yml declares it."""
    return {
        "name": name, "roleArn": "arn:aws:iam::%s:role/pipeline" % ACCOUNT, "version": 1,
        "artifactStore": {"type": "S3", "location": "mm-artifacts"},
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Source", "runOrder": 1, "inputArtifacts": [], "outputArtifacts": [{"name": "SourceArtifact"}],
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
                "configuration": {"BranchName": "master", "RepositoryName": repository}}]},
            {"name": "Build_Docker_Container", "actions": [{
                "name": "Build_Docker_Container", "runOrder": 1, "inputArtifacts": [{"name": "SourceArtifact"}],
                "outputArtifacts": [{"name": "BuildArtifact"}],
                "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                "configuration": {"ProjectName": "core-service-build-" + NESTED}}]},
            {"name": "Deploy", "actions": [{
                "name": "Deploy", "runOrder": 1, "inputArtifacts": [{"name": "BuildArtifact"}], "outputArtifacts": [],
                "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
                "configuration": {"ClusterName": cluster, "ServiceName": service,
                                  "FileName": "imagedefinitions_primary.json"}}]},
        ] + list(extra_stages),
    }


WORKSHOP_OUTPUTS = {
    "CurrentRegion": "us-west-2", "CurrentAccount": ACCOUNT, "StackName": CORE, "EcsClusterName": "Cluster-" + CORE,
    "LoadBalancerDNS": "alb-mm-multi-region-1234567890.us-west-2.elb.amazonaws.com",
    "DynamoTable": "MythicalMysfits-DDBTable",
    "MythicalServiceEcrRepo": "%s.dkr.ecr.us-west-2.amazonaws.com/mm-mul-mythi-1abc" % ACCOUNT,
    "LikeServiceEcrRepo": "%s.dkr.ecr.us-west-2.amazonaws.com/mm-mul-likes-2def" % ACCOUNT,
    "XrayEcrRepo": "%s.dkr.ecr.us-west-2.amazonaws.com/mm-mul-xray-3ghi" % ACCOUNT,
    "MythicalServiceTargetGroupArn": TG % ("us-west-2", ACCOUNT, "mm-mu-Mythi-AAA", "1111"),
    "LikeServiceTargetGroupArn": TG % ("us-west-2", ACCOUNT, "mm-mu-LikeS-BBB", "2222"),
    "MythicalCoreGitRepositoryName": "core-service-" + NESTED,
    "MythicalLikeGitRepositoryName": "like-service-" + NESTED,
}

WORKSHOP_RESOURCES = [
    resource("MythicalEcsCluster", "Cluster-" + CORE, d.ECS_CLUSTER_TYPE),
    resource("MythicalLoadBalancer", LB_ARN, d.LOAD_BALANCER_TYPE),
    resource("MythicalCiCdStack", NESTED_ARN, d.NESTED_STACK_TYPE),
]
NESTED_RESOURCES = [
    resource("MythicalCoreServicePipeline", "CorePipeline-" + NESTED, d.PIPELINE_TYPE),
    resource("MythicalLikeServicePipeline", "LikePipeline-" + NESTED, d.PIPELINE_TYPE),
    resource("MythicalCoreGitRepository", "0b5e3a3c-core", "AWS::CodeCommit::Repository"),
]
DECLARATIONS = {
    "CorePipeline-" + NESTED: pipeline("CorePipeline-" + NESTED, "core-service-" + NESTED, "Cluster-" + CORE,
                                       CORE + "_Mythical-Service"),
    "LikePipeline-" + NESTED: pipeline("LikePipeline-" + NESTED, "like-service-" + NESTED, "Cluster-" + CORE,
                                       CORE + "_Like-Service"),
}


def resolved(services=None, outputs=None, declarations=None):
    return d.resolve_services(d.merge_services(services), WORKSHOP_OUTPUTS if outputs is None else outputs,
                              d.pipeline_candidates(WORKSHOP_RESOURCES + NESTED_RESOURCES),
                              DECLARATIONS if declarations is None else declarations)


# ------------------------------------------------------------------------------------------- services

def test_no_services_given_are_the_workshop_two():
    services = d.merge_services(None)
    assert [s["name"] for s in services] == ["core", "like"]
    assert services[0]["primary_ecr_output"] == "MythicalServiceEcrRepo"
    assert services[1]["secondary_ecr_output"] == "SecondaryLikeServiceEcrRepo"


def test_a_key_the_user_sets_wins_and_the_others_come_from_the_defaults():
    services = d.merge_services([{"name": "core", "pipeline": "mine"}, {"name": "like"}])
    assert services[0]["pipeline"] == "mine"
    assert services[0]["primary_ecr_output"] == "MythicalServiceEcrRepo"


def test_a_service_need_not_be_called_core_or_like():
    services = d.merge_services([{"name": "mythical", "primary_ecr_output": "X"}])
    assert services == [{"name": "mythical", "title": "Mythical", "primary_ecr_output": "X"}]


@pytest.mark.parametrize("given, words", [
    ([], ["non-empty list"]),
    ("core", ["non-empty list"]),
    ([{"title": "Core"}], ["mm_services[0]", "name"]),
    ([{"name": "core", "pipelin": "x"}], ["unknown keys pipelin"]),
    ([{"name": "core"}, {"name": "core"}], ["twice"]),
])
def test_malformed_services_are_refused_with_what_to_fix(given, words):
    with pytest.raises(d.DiscoveryError) as error:
        d.merge_services(given)
    for word in words:
        assert word in str(error.value)


# ------------------------------------------------------------------------------------------- pipelines

def test_pipeline_actions_reads_source_build_and_deploy():
    facts = d.pipeline_actions(DECLARATIONS["CorePipeline-" + NESTED])
    assert facts == {"repository": "core-service-" + NESTED, "branch": "master", "cluster": "Cluster-" + CORE,
                     "service": CORE + "_Mythical-Service", "build_project": "core-service-build-" + NESTED}


def test_a_cross_region_deploy_action_is_not_the_primary_deploy():
    cross = {"name": "CrossRegionDeploy", "actions": [{
        "name": "CrossRegionDeploy", "region": "us-east-1",
        "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
        "configuration": {"ClusterName": "other", "ServiceName": "other"}}]}
    body = pipeline("p", "r", "c", "s")
    body["stages"].insert(2, cross)
    assert d.pipeline_actions(body)["service"] == "s"


def test_workshop_pipelines_are_found_in_the_nested_stack_with_their_repositories_and_services():
    core, like = resolved()
    assert core["pipeline"] == "CorePipeline-" + NESTED and like["pipeline"] == "LikePipeline-" + NESTED
    assert core["repository"] == "core-service-" + NESTED and core["branch"] == "master"
    assert core["primary_cluster"] == "Cluster-" + CORE
    assert core["primary_service"] == CORE + "_Mythical-Service"
    assert like["primary_service"] == CORE + "_Like-Service"


def test_the_repository_decides_before_the_title():
    # The pipeline names swapped: the Source repository still tells which pipeline builds which service.
    swapped = {"CorePipeline-" + NESTED: DECLARATIONS["LikePipeline-" + NESTED],
               "LikePipeline-" + NESTED: DECLARATIONS["CorePipeline-" + NESTED]}
    core, like = resolved(declarations=swapped)
    assert core["pipeline"] == "LikePipeline-" + NESTED
    assert like["pipeline"] == "CorePipeline-" + NESTED


def test_without_repository_outputs_the_title_finds_the_pipeline():
    outputs = dict((k, v) for k, v in WORKSHOP_OUTPUTS.items() if "GitRepository" not in k)
    core, like = resolved(outputs=outputs)
    assert core["pipeline"] == "CorePipeline-" + NESTED and like["repository"] == "like-service-" + NESTED


def test_a_pipeline_set_by_the_user_is_used_and_must_exist():
    services = [{"name": "core", "pipeline": "LikePipeline-" + NESTED}, {"name": "like", "pipeline": "nope"}]
    with pytest.raises(d.DiscoveryError) as error:
        resolved(services)
    assert "nope" in str(error.value) and "mm_services[name=like].pipeline" in str(error.value)


def test_no_matching_pipeline_names_the_candidates_and_the_variable():
    with pytest.raises(d.DiscoveryError) as error:
        resolved([{"name": "frontend"}])
    message = str(error.value)
    assert "CorePipeline-" + NESTED in message and "mm_services[name=frontend].pipeline" in message


def test_service_output_set_by_the_user_names_the_primary_service():
    core, _like = resolved([{"name": "core", "service_output": "StackName"}, {"name": "like"}])
    assert core["primary_service"] == CORE


def test_nested_stacks_and_deleted_resources():
    resources = WORKSHOP_RESOURCES + [resource("Gone", "x", d.PIPELINE_TYPE, status="DELETE_COMPLETE")]
    assert d.nested_stack_ids(resources) == [NESTED_ARN]
    assert d.pipeline_candidates(resources) == []


# ------------------------------------------------------------------------------------------- regions

def described_services():
    """DescribeServices ``services`` of the primary (services made by the bootstrap scripts)."""
    return [{"serviceArn": "arn:aws:ecs:us-west-2:%s:service/Cluster-%s/%s" % (ACCOUNT, CORE, name),
             "serviceName": name, "clusterArn": "arn:aws:ecs:us-west-2:%s:cluster/Cluster-%s" % (ACCOUNT, CORE),
             "status": "ACTIVE", "desiredCount": 1, "runningCount": 1, "launchType": "FARGATE",
             "taskDefinition": "arn:aws:ecs:us-west-2:%s:task-definition/%s:3" % (ACCOUNT, family),
             "loadBalancers": [{"targetGroupArn": tg, "containerName": container, "containerPort": 8080}]}
            for name, family, tg, container in [
                (CORE + "_Mythical-Service", "mythicalmysfitsservice", "tg-core", "service"),
                (CORE + "_Like-Service", "likeservice", "tg-like", "like-service")]]


def test_primary_region_fact_of_the_workshop():
    services = resolved()
    details = d.ecs_service_details(described_services())
    names = dict((s["name"], s["primary_service"]) for s in services)
    services = d.containers(services, details, names)
    assert [s["container"] for s in services] == ["service", "like-service"]
    fact = d.region_fact("us-west-2", "primary", stack(CORE, outputs=WORKSHOP_OUTPUTS), WORKSHOP_RESOURCES,
                         services, details, cluster="Cluster-" + CORE, service_names=names)
    assert fact["account"] == ACCOUNT and fact["stack_name"] == CORE and fact["role"] == "primary"
    assert fact["load_balancer_full_name"] == "app/alb-mm-multi-region/50dc6c495c0c9188"
    assert fact["load_balancer_dns"] == WORKSHOP_OUTPUTS["LoadBalancerDNS"]
    # The workshop's outputs name the target groups; they win over the ECS services' entries.
    assert fact["target_groups"] == {"core": WORKSHOP_OUTPUTS["MythicalServiceTargetGroupArn"],
                                     "like": WORKSHOP_OUTPUTS["LikeServiceTargetGroupArn"]}
    assert fact["services"] == {"core": CORE + "_Mythical-Service", "like": CORE + "_Like-Service"}
    assert fact["ecr"] == {"core": WORKSHOP_OUTPUTS["MythicalServiceEcrRepo"],
                           "like": WORKSHOP_OUTPUTS["LikeServiceEcrRepo"], "xray": WORKSHOP_OUTPUTS["XrayEcrRepo"]}


def test_a_container_the_user_sets_wins_and_none_found_is_the_default():
    services = resolved([{"name": "core", "container": "web"}, {"name": "like"}])
    out = d.containers(services, {}, {"core": "a", "like": "b"})
    assert [s["container"] for s in out] == ["web", "like-service"]
    with pytest.raises(d.DiscoveryError):
        d.containers(resolved([{"name": "other", "pipeline": "CorePipeline-" + NESTED}]), {}, {"other": "x"})


def test_secondary_services_are_the_stack_resources_with_generated_names():
    outputs = {"EcsClusterName": "Cluster-mm-secondary-region", "SecondaryLoadBalancerDNS": "alb-sec.us-east-1.elb",
               "LoadBalancerDNS": "alb-sec.us-east-1.elb",
               "SecondaryMythicalServiceEcrRepo": "%s.dkr.ecr.us-east-1.amazonaws.com/mm-sec-mythi-9x" % ACCOUNT,
               "SecondaryLikeServiceEcrRepo": "%s.dkr.ecr.us-east-1.amazonaws.com/mm-sec-likes-8y" % ACCOUNT,
               "SecondaryXrayEcrRepo": "%s.dkr.ecr.us-east-1.amazonaws.com/mm-sec-xray-7z" % ACCOUNT}
    service_arn = "arn:aws:ecs:us-east-1:%s:service/Cluster-mm-secondary-region/%s" % (ACCOUNT, "%s")
    resources = [
        resource("CoreEcsService", service_arn % "mm-secondary-region-CoreEcsService-Xy12AbC", d.ECS_SERVICE_TYPE),
        resource("LikeEcsService", service_arn % "mm-secondary-region-LikeEcsService-Qw34ErT", d.ECS_SERVICE_TYPE),
        resource("MythicalLoadBalancer", LB_ARN.replace("us-west-2", "us-east-1").replace("alb-mm-multi-region",
                                                                                          "alb-mm-secondary-region"),
                 d.LOAD_BALANCER_TYPE),
    ]
    services = resolved()
    names = d.stack_service_names(services, resources, outputs)
    assert names == {"core": "mm-secondary-region-CoreEcsService-Xy12AbC",
                     "like": "mm-secondary-region-LikeEcsService-Qw34ErT"}
    details = {names["core"]: {"target_group": "tg-c"}, names["like"]: {"target_group": "tg-l"}}
    fact = d.region_fact("us-east-1", "secondary", stack("mm-secondary-region", "us-east-1", outputs), resources,
                         services, details, service_names=names)
    assert fact["cluster"] == "Cluster-mm-secondary-region"
    assert fact["load_balancer_full_name"].startswith("app/alb-mm-secondary-region/")
    assert fact["target_groups"] == {"core": "tg-c", "like": "tg-l"}
    assert fact["ecr"]["like"].endswith("/mm-sec-likes-8y") and fact["ecr"]["xray"].endswith("/mm-sec-xray-7z")
    assert fact["load_balancer_dns"] == "alb-sec.us-east-1.elb"


def test_a_secondary_service_resource_set_by_the_user_wins_over_the_title():
    resources = [resource("Web", "arn:aws:ecs:r:1:service/c/web-1", d.ECS_SERVICE_TYPE),
                 resource("CoreEcsService", "arn:aws:ecs:r:1:service/c/core-1", d.ECS_SERVICE_TYPE)]
    services = [{"name": "core", "title": "Core", "secondary_service_resource": "Web"}]
    assert d.stack_service_names(services, resources, {}) == {"core": "web-1"}


def test_two_resources_matching_a_title_are_not_guessed():
    resources = [resource("CoreEcsService", "a", d.ECS_SERVICE_TYPE),
                 resource("CoreEcsServiceCanary", "b", d.ECS_SERVICE_TYPE)]
    assert d.stack_service_names([{"name": "core", "title": "Core"}], resources, {}) == {"core": None}


def test_physical_names_and_load_balancer_full_names():
    assert d.physical_name("arn:aws:ecs:us-east-1:1:service/Cluster-x/svc-name") == "svc-name"
    assert d.physical_name("svc-name") == "svc-name"
    assert d.load_balancer_full_name(LB_ARN) == "app/alb-mm-multi-region/50dc6c495c0c9188"
    assert d.load_balancer_full_name("not-an-arn") is None


# ------------------------------------------------------------------------------------------- templates

WORKSHOP_LIKE_TEMPLATE = """
Parameters:
  IsDrRegion: {Type: String, Default: "false"}
Conditions:
  IsDr: !Equals [!Ref IsDrRegion, "true"]
Resources:
  MythicalServiceRepo:
    Type: AWS::ECR::Repository
  Xray:
    Type: AWS::ECR::Repository
  LikeServiceRepo:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: !Sub "${AWS::StackName}/like-service"
  MythicalEcsCluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: !Sub Cluster-${AWS::StackName}
  MythicalLoadBalancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Name: !Join ["-", ["alb", !Ref "AWS::StackName"]]
  CoreEcsService:
    Type: AWS::ECS::Service
    Condition: IsDr
    Properties:
      Cluster: !Ref MythicalEcsCluster
  LikeEcsService:
    Type: AWS::ECS::Service
    Condition: IsDr
    Properties:
      ServiceName: !Sub "${AWS::StackName}-like"
      Cluster: !GetAtt MythicalEcsCluster.Arn
Outputs:
  SecondaryMythicalServiceEcrRepo:
    Condition: IsDr
    Value: !Sub ${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/${MythicalServiceRepo}
  SecondaryLikeServiceEcrRepo:
    Value: !GetAtt LikeServiceRepo.RepositoryUri
  SecondaryXrayEcrRepo:
    Value: !GetAtt Xray.RepositoryUri
"""


def test_parse_template_reads_short_forms_json_and_dicts():
    template = d.parse_template(WORKSHOP_LIKE_TEMPLATE)
    assert template["Conditions"]["IsDr"] == {"Fn::Equals": [{"Ref": "IsDrRegion"}, "true"]}
    assert template["Resources"]["LikeEcsService"]["Properties"]["Cluster"] == {
        "Fn::GetAtt": ["MythicalEcsCluster", "Arn"]}
    as_json = json.dumps(template)
    assert d.parse_template(as_json) == template and d.parse_template(template) is template


def test_a_missing_secondary_is_planned_from_the_primary_template():
    fact = d.plan_region_fact("us-east-1", "mm-secondary-region", ACCOUNT, WORKSHOP_LIKE_TEMPLATE,
                              d.merge_services(None))
    assert fact["stack_status"] == "PLANNED" and fact["role"] == "secondary"
    assert fact["cluster"] == "Cluster-mm-secondary-region"
    assert fact["load_balancer_full_name"] == "app/alb-mm-secondary-region/" + d.GENERATED
    # A name the template fixes is planned as it will be; one CloudFormation generates is marked.
    assert fact["services"]["like"] == "mm-secondary-region-like"
    assert fact["services"]["core"] == "mm-secondary-region-CoreEcsService-" + d.GENERATED
    registry = "%s.dkr.ecr.us-east-1.amazonaws.com/" % ACCOUNT
    assert fact["ecr"]["like"] == registry + "mm-secondary-region/like-service"
    assert fact["ecr"]["xray"] == registry + ("mm-secondary-region-Xray-" + d.GENERATED).lower()
    # The workshop's form: !Sub ...amazonaws.com/${MythicalServiceRepo} (Ref of a repository is its name).
    assert fact["ecr"]["core"] == registry + ("mm-secondary-region-MythicalServiceRepo-" + d.GENERATED).lower()


def test_a_value_that_needs_more_than_is_known_is_not_guessed():
    pseudo = {"AWS::StackName": "s"}
    assert d.resolve_value({"Fn::Sub": "x-${Unknown}"}, pseudo) is None
    assert d.resolve_value({"Fn::GetAtt": ["Lb", "DNSName"]}, pseudo) is None
    assert d.resolve_value({"Fn::Sub": ["${AWS::StackName}-${X}", {"X": "y"}]}, pseudo) is None
    assert d.resolve_value({"Ref": "AWS::StackName"}, pseudo) == "s"


def test_template_text_of_a_json_template_dict():
    assert json.loads(d.template_text({"Resources": {}})) == {"Resources": {}}
    assert d.template_text("Resources: {}\n") == "Resources: {}\n"


# ------------------------------------------------------------------------------------------- table, dashboard

def test_table_name():
    assert d.table_name("mine", WORKSHOP_OUTPUTS) == "mine"
    assert d.table_name("", WORKSHOP_OUTPUTS) == "MythicalMysfits-DDBTable"
    assert d.table_name("", {}) == d.DEFAULT_TABLE


def test_a_dashboard_that_does_not_exist_lists_those_there_are():
    assert d.dashboard_problem("ReInvent-App-Dashboard", ["ReInvent-App-Dashboard"], False) is None
    assert d.dashboard_problem("Missing", ["B", "A"], True) is None
    message = d.dashboard_problem("Missing", ["B", "A"], False)
    assert "Missing" in message and "A, B" in message and "mm_dashboard_create" in message
    assert "none" in d.dashboard_problem("Missing", [], False)


def test_target_groups_from_outputs_then_ecs_then_the_stack_resource_by_title():
    services = d.merge_services(None)
    resources = [resource("CoreTargetGroup", "tg-core-res", d.TARGET_GROUP_TYPE),
                 resource("LikeTargetGroup", "tg-like-res", d.TARGET_GROUP_TYPE)]
    names = {"core": "c", "like": "l"}
    own = stack("mine", outputs={})
    assert d.region_fact("r", "primary", own, resources, services, {}, service_names=names)["target_groups"] == {
        "core": "tg-core-res", "like": "tg-like-res"}
    details = {"c": {"target_group": "tg-core-ecs"}}
    assert d.region_fact("r", "primary", own, resources, services, details,
                         service_names=names)["target_groups"]["core"] == "tg-core-ecs"
    workshop = stack("w", outputs={"MythicalServiceTargetGroupArn": "tg-core-out"})
    assert d.region_fact("r", "primary", workshop, resources, services, details,
                         service_names=names)["target_groups"]["core"] == "tg-core-out"


# ------------------------------------------------------------------------------- the dashboard to extend
# Bodies as GetDashboard returns them (DashboardBody is a JSON string) and as the console saves Lab 2's widgets:
# the console writes "." for "same as the row above" and "..." for "the row above, then these values".
LB_FULL = "app/alb-mm-multi-region/50dc6c495c0c9188"
LAB2_BODY = json.dumps({"widgets": [
    {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
     "properties": {"view": "timeSeries", "stacked": False, "region": "us-west-2", "stat": "Sum", "period": 60,
                    "title": "ALB Requests Per Minute",
                    "metrics": [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", LB_FULL]]}},
    {"type": "metric", "x": 12, "y": 0, "width": 12, "height": 3,
     "properties": {"view": "singleValue", "region": "us-west-2", "stat": "Average", "period": 300, "title": "Core",
                    "metrics": [["AWS/ECS", "CPUUtilization", "ServiceName", "mm-multi-region_Mythical-Service",
                                 "ClusterName", "Cluster-mm-multi-region"],
                                [".", "MemoryUtilization", ".", ".", ".", "."]]}}]})
OTHER_BODY = json.dumps({"widgets": [
    {"type": "metric", "properties": {"region": "us-west-2", "title": "Billing", "metrics": [
        ["AWS/Billing", "EstimatedCharges", "Currency", "USD"]]}},
    {"type": "text", "properties": {"markdown": "# Team notes: %s" % LB_FULL}}]})
FACT = {"load_balancer_full_name": LB_FULL, "cluster": "Cluster-mm-multi-region",
        "services": {"core": "mm-multi-region_Mythical-Service", "like": "mm-multi-region_Like-Service"}}


def test_the_markers_are_the_primary_resources_dimension_values():
    assert d.dashboard_markers(FACT, "MysfitsTable") == [
        LB_FULL, "MysfitsTable", "Cluster-mm-multi-region", "mm-multi-region_Like-Service",
        "mm-multi-region_Mythical-Service"]
    assert d.dashboard_markers({"services": {}}, "") == []


def test_a_dashboard_shows_the_application_by_a_metric_row_only():
    markers = d.dashboard_markers(FACT, "MysfitsTable")
    assert d.dashboard_shows(LAB2_BODY, markers)
    # the load balancer named in a text widget is not a metric of it
    assert not d.dashboard_shows(OTHER_BODY, markers)
    assert d.dashboard_shows(LAB2_BODY, ["Cluster-mm-multi-region"])
    assert not d.dashboard_shows("not json", markers)
    assert not d.dashboard_shows('{"widgets": [{"type": "metric"}]}', markers)
    assert not d.dashboard_shows("[]", markers)


def test_the_backups_the_dashboard_module_writes_are_recognised():
    names = ["ReInvent-App-Dashboard", "ReInvent-App-Dashboard-backup", "ReInvent-App-Dashboard-backup-20261201T221530Z",
             "Other-backup"]
    assert not d.is_backup_of("ReInvent-App-Dashboard", names)
    assert d.is_backup_of("ReInvent-App-Dashboard-backup", names)
    assert d.is_backup_of("ReInvent-App-Dashboard-backup-20261201T221530Z", names)
    # a dashboard a person named "...-backup" without the original beside it is theirs
    assert not d.is_backup_of("Other-backup", names)


def test_the_one_dashboard_that_shows_the_application_is_chosen_its_backups_left_out():
    shown = ["ReInvent-App-Dashboard", "ReInvent-App-Dashboard-backup"]
    assert d.choose_dashboard(shown, shown + ["Billing"], "us-west-2", [LB_FULL]) == "ReInvent-App-Dashboard"


def test_no_dashboard_is_an_error_listing_those_there_are_and_the_variables():
    with pytest.raises(d.DiscoveryError) as error:
        d.choose_dashboard([], ["Billing", "Alpha"], "us-west-2", [LB_FULL, "MysfitsTable"])
    message = str(error.value)
    assert "No dashboard in us-west-2" in message and "Dashboards there: Alpha, Billing" in message
    assert LB_FULL in message and "mm_dashboard_name" in message and "mm_dashboard_create" in message
    with pytest.raises(d.DiscoveryError, match="Dashboards there: none"):
        d.choose_dashboard([], [], "us-west-2", [LB_FULL])


def test_several_dashboards_are_an_error_naming_them():
    with pytest.raises(d.DiscoveryError) as error:
        d.choose_dashboard(["Team", "ReInvent-App-Dashboard"], ["Team", "ReInvent-App-Dashboard"], "us-west-2",
                           [LB_FULL])
    assert "Several dashboards in us-west-2" in str(error.value)
    assert "ReInvent-App-Dashboard, Team" in str(error.value) and "mm_dashboard_name" in str(error.value)


def _secondary_world():
    outputs = {"EcsClusterName": "Cluster-mm-secondary-region", "SecondaryLoadBalancerDNS": "alb-sec.us-east-1.elb",
               "SecondaryMythicalServiceEcrRepo": "%s.dkr.ecr.us-east-1.amazonaws.com/mm-sec-mythi-9x" % ACCOUNT,
               "SecondaryLikeServiceEcrRepo": "%s.dkr.ecr.us-east-1.amazonaws.com/mm-sec-likes-8y" % ACCOUNT,
               "SecondaryXrayEcrRepo": "%s.dkr.ecr.us-east-1.amazonaws.com/mm-sec-xray-7z" % ACCOUNT}
    service_arn = "arn:aws:ecs:us-east-1:%s:service/Cluster-mm-secondary-region/%s" % (ACCOUNT, "%s")
    group = TG % ("us-east-1", ACCOUNT, "%s", "6d0ecf831eec9f09")
    resources = [
        resource("CoreEcsService", service_arn % "mm-secondary-region-CoreEcsService-Xy12AbC", d.ECS_SERVICE_TYPE),
        resource("LikeEcsService", service_arn % "mm-secondary-region-LikeEcsService-Qw34ErT", d.ECS_SERVICE_TYPE),
        resource("CoreTargetGroup", group % "mm-se-CoreT-1", d.TARGET_GROUP_TYPE),
        resource("LikeTargetGroup", group % "mm-se-LikeT-2", d.TARGET_GROUP_TYPE),
        resource("ECSCluster", "Cluster-mm-secondary-region", d.ECS_CLUSTER_TYPE),
        resource("MythicalLoadBalancer", LB_ARN.replace("us-west-2", "us-east-1").replace("alb-mm-multi-region",
                                                                                          "alb-mm-secondary-region"),
                 d.LOAD_BALANCER_TYPE),
    ]
    return stack("mm-secondary-region", "us-east-1", outputs), resources


def test_the_fact_of_a_waited_stack_is_the_discovery_s_fact_of_the_same_reads():
    from ansible_collections.mysfits.multi_region.plugins.module_utils.stack import stack_facts

    described, resources = _secondary_world()
    services = resolved()
    expected, lacking = d.secondary_fact("us-east-1", described, resources, services)
    assert lacking == [] and expected["target_groups"]["core"].endswith("/mm-se-CoreT-1/6d0ecf831eec9f09")
    # cloudformation_wait returns the stack as amazon.aws.cloudformation_info does (snake_case, stack_resource_list)
    waited = stack_facts(described, resources=resources)
    assert d.secondary_fact_of_wait("us-east-1", waited, services) == expected


def test_a_waited_stack_whose_facts_need_more_reads_is_left_to_the_discovery():
    from ansible_collections.mysfits.multi_region.plugins.module_utils.stack import stack_facts

    described, resources = _secondary_world()
    services = resolved()
    # a target group known only to its ECS service (DescribeServices)
    no_groups = [r for r in resources if r["ResourceType"] != d.TARGET_GROUP_TYPE]
    assert d.secondary_fact("us-east-1", described, no_groups, services)[1] == ["core", "like"]
    assert d.secondary_fact_of_wait("us-east-1", stack_facts(described, resources=no_groups), services) is None
    # nested stacks: the discovery reads their resources too
    nested = resources + [resource("Nested", NESTED_ARN, d.NESTED_STACK_TYPE)]
    assert d.secondary_fact_of_wait("us-east-1", stack_facts(described, resources=nested), services) is None
    # resources not listed, or no stack
    assert d.secondary_fact_of_wait("us-east-1", stack_facts(described), services) is None
    assert d.secondary_fact_of_wait("us-east-1", {}, services) is None

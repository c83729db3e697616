"""The plan filters (plugins/filter/plan.py): the modules' own plans, computed on the controller from the discovery's
reads, so that a role runs a mutating module only where it would change something.

Every body below is shaped as AWS returns it (DescribeStacks, GetTemplate, DescribeTable, GetPipeline, GetDashboard).
The filters must never answer "nothing to change" where the module would change something: each test that finds
nothing to change has a twin in which one thing differs and the filter says so.
"""
import copy
import datetime
import json

from ansible._internal._datatag._tags import Origin
from ansible.errors import AnsibleFilterError
from ansible.module_utils._internal._datatag import AnsibleTagHelper
from ansible_collections.mysfits.multi_region.plugins.filter import plan as f
from ansible_collections.mysfits.multi_region.plugins.module_utils import pipeline as pl

ACCOUNT = "123456789012"
PRIMARY, SECONDARY = "us-west-2", "us-east-1"
TEMPLATE = "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  IsDrRegion: {Type: String}\nResources: {}\n"


def describe_stack(status="UPDATE_COMPLETE", parameters=None, tags=None):
    """DescribeStacks' Stacks[0] for the secondary stack (ansible hands datetimes over as strings)."""
    params = parameters if parameters is not None else {"IsDrRegion": "true", "DDBTableName": "MythicalMysfits-DDBTable"}
    return {
        "StackId": "arn:aws:cloudformation:%s:%s:stack/mm-secondary-region/0a1b" % (SECONDARY, ACCOUNT),
        "StackName": "mm-secondary-region",
        "CreationTime": str(datetime.datetime(2026, 12, 1, 10, 0, 0)),
        "StackStatus": status,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {"managed-by": "mysfits.multi_region"}).items()],
        "Outputs": [{"OutputKey": "SecondaryLoadBalancerDNS", "OutputValue": "alb-s.us-east-1.elb.amazonaws.com"}],
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
    }


WANTED_PARAMETERS = {"IsDrRegion": "true", "DDBTableName": "MythicalMysfits-DDBTable"}
TAGS = {"managed-by": "mysfits.multi_region"}


# ------------------------------------------------------------------ stack_plan

def test_stack_as_wanted_plans_nothing_and_carries_the_modules_result_shape():
    stack = describe_stack()
    result = f.stack_plan(stack, TEMPLATE, TEMPLATE, WANTED_PARAMETERS, TAGS)
    assert result["operation"] == "none" and result["changed"] is False
    assert result["stack_status"] == "UPDATE_COMPLETE" and result["differences"] == []
    assert result["stack_id"] == stack["StackId"]
    # wait.yml reads the status where cloudformation_stack / cloudformation_wait put it
    facts = result["cloudformation"]["mm-secondary-region"]
    assert facts["stack_description"]["stack_status"] == "UPDATE_COMPLETE"
    assert facts["stack_outputs"] == {"SecondaryLoadBalancerDNS": "alb-s.us-east-1.elb.amazonaws.com"}


def test_stack_with_one_parameter_changed_by_hand_is_an_update():
    stack = describe_stack(parameters=dict(WANTED_PARAMETERS, IsDrRegion="false"))
    result = f.stack_plan(stack, TEMPLATE, TEMPLATE, WANTED_PARAMETERS, TAGS)
    assert result["operation"] == "update" and result["differences"] == ["parameter IsDrRegion"]


def test_stack_with_tags_changed_or_another_template_is_an_update():
    assert f.stack_plan(describe_stack(tags={"team": "x"}), TEMPLATE, TEMPLATE, WANTED_PARAMETERS,
                        TAGS)["differences"] == ["tags"]
    assert f.stack_plan(describe_stack(), TEMPLATE + "# edited\n", TEMPLATE, WANTED_PARAMETERS,
                        TAGS)["differences"] == ["template"]


def test_json_template_read_as_text_compares_as_a_document():
    body = json.dumps({"Resources": {"A": {"Type": "AWS::SNS::Topic"}}})
    deployed = json.dumps(json.loads(body), indent=2)  # GetTemplate's dict, as the discovery returns it (text)
    assert f.stack_plan(describe_stack(), deployed, body, WANTED_PARAMETERS, TAGS)["operation"] == "none"


def test_stack_in_progress_or_failed_is_left_to_the_module():
    assert f.stack_plan(describe_stack("UPDATE_IN_PROGRESS"), TEMPLATE, TEMPLATE, WANTED_PARAMETERS,
                        TAGS)["operation"] == "in_progress"
    assert f.stack_plan(describe_stack("UPDATE_ROLLBACK_FAILED"), TEMPLATE, TEMPLATE, WANTED_PARAMETERS,
                        TAGS)["operation"] == "blocked"
    assert f.stack_plan(describe_stack("ROLLBACK_COMPLETE"), TEMPLATE, TEMPLATE, WANTED_PARAMETERS, TAGS,
                        "recreate")["operation"] == "recreate"


def test_stack_plan_refuses_to_judge_what_it_cannot_read():
    assert f.stack_plan(describe_stack(), TEMPLATE, {"Resources": {}}, WANTED_PARAMETERS, TAGS)["operation"] == "unknown"
    assert f.stack_plan(None, None, TEMPLATE, WANTED_PARAMETERS, TAGS)["operation"] == "create"


# ------------------------------------------------------------------ replica_plan

def describe_table(replicas=(("us-east-1", "ACTIVE"),), stream="NEW_AND_OLD_IMAGES", version="2019.11.21",
                   status="ACTIVE"):
    """DescribeTable's Table in the primary region."""
    table = {
        "TableName": "MythicalMysfits-DDBTable", "TableStatus": status,
        "TableArn": "arn:aws:dynamodb:%s:%s:table/MythicalMysfits-DDBTable" % (PRIMARY, ACCOUNT),
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "KeySchema": [{"AttributeName": "MysfitId", "KeyType": "HASH"}],
    }
    if stream:
        table["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
        table["LatestStreamArn"] = table["TableArn"] + "/stream/2026-12-01T10:00:00.000"
    if replicas:
        table["Replicas"] = [{"RegionName": r, "ReplicaStatus": s} for r, s in replicas]
    if version:
        table["GlobalTableVersion"] = version
    return table


def test_every_replica_active_plans_nothing_in_the_modules_result_shape():
    result = f.replica_plan(describe_table(), PRIMARY, [SECONDARY])
    assert result["operations"] == [] and result["pending_operations"] == [] and result["changed"] is False
    assert result["replicas"] == [{"region_name": "us-east-1", "replica_status": "ACTIVE"}]
    assert result["table_status"] == "ACTIVE" and result["stream_view_type"] == "NEW_AND_OLD_IMAGES"
    assert result["global_table_version"] == "2019.11.21"


def test_a_replica_still_creating_is_an_operation_to_follow():
    result = f.replica_plan(describe_table(replicas=[("us-east-1", "CREATING")]), PRIMARY, [SECONDARY])
    assert result["operations"] == [{"action": "wait_active", "region": "us-east-1"}]


def test_a_replica_to_create_or_a_table_not_yet_global_is_left_to_the_module():
    # the module reads more before it can plan those: the KMS key, write auto scaling, DescribeGlobalTable
    assert f.replica_plan(describe_table(), PRIMARY, [SECONDARY, "eu-west-1"]) is None
    assert f.replica_plan(describe_table(replicas=(), version=None), PRIMARY, [SECONDARY]) is None
    assert f.replica_plan(describe_table(version="2017.11.29"), PRIMARY, [SECONDARY]) is None
    assert f.replica_plan(describe_table(replicas=[("us-east-1", "DELETING")]), PRIMARY, [SECONDARY]) is None
    assert f.replica_plan(None, PRIMARY, [SECONDARY]) is None


def test_a_refused_table_is_left_to_the_module_and_its_message():
    assert f.replica_plan(describe_table(stream="KEYS_ONLY"), PRIMARY, [SECONDARY]) is None
    assert f.replica_plan(describe_table(status="ARCHIVED"), PRIMARY, [SECONDARY]) is None


# ------------------------------------------------------------------ stage_plan

def get_pipeline(cross_region_action=None, stores=None, role="CodePipelineRole"):
    """GetPipeline's pipeline: the workshop's three stages, then the collection's CrossRegionDeploy."""
    bucket = pl.artifact_bucket_name("CorePipeline", ACCOUNT, SECONDARY)
    declaration = {
        "name": "CorePipeline",
        "roleArn": "arn:aws:iam::%s:role/%s" % (ACCOUNT, role),
        "artifactStores": stores if stores is not None else {
            PRIMARY: {"type": "S3", "location": "mm-artifacts"},
            SECONDARY: {"type": "S3", "location": bucket}},
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit",
                                                   "version": "1"},
                "runOrder": 1, "configuration": {"RepositoryName": "core-service", "BranchName": "master"},
                "outputArtifacts": [{"name": "SourceArtifact"}], "inputArtifacts": []}]},
            {"name": "Build", "actions": [{
                "name": "Build", "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild",
                                                  "version": "1"},
                "runOrder": 1, "configuration": {"ProjectName": "build"},
                "outputArtifacts": [{"name": "BuildArtifact"}], "inputArtifacts": [{"name": "SourceArtifact"}]}]},
            {"name": "Deploy", "actions": [{
                "name": "Deploy", "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS",
                                                   "version": "1"},
                "runOrder": 1, "configuration": {"ClusterName": "Cluster-p", "ServiceName": "core",
                                                 "FileName": "imagedefinitions_primary.json"},
                "outputArtifacts": [], "inputArtifacts": [{"name": "BuildArtifact"}]}]},
            {"name": "CrossRegionDeploy", "actions": [cross_region_action or api_action()]},
        ],
        "version": 3,
    }
    return declaration


def api_action(service="CoreEcsService"):
    """The action as GetPipeline gives it back: runOrder, empty outputArtifacts, region."""
    return {"name": "CrossRegionDeploy", "region": SECONDARY, "runOrder": 1,
            "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
            "inputArtifacts": [{"name": "BuildArtifact"}], "outputArtifacts": [],
            "configuration": {"ClusterName": "Cluster-s", "ServiceName": service,
                              "FileName": "imagedefinitions_secondary.json"}}


def role_action():
    """As the pipeline_cross_region role builds it."""
    return {"name": "CrossRegionDeploy", "region": SECONDARY, "runOrder": 1,
            "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
            "inputArtifacts": [{"name": "BuildArtifact"}],
            "configuration": {"ClusterName": "Cluster-s", "ServiceName": "CoreEcsService",
                              "FileName": "imagedefinitions_secondary.json"}}


def record_of(declaration):
    """The tag codepipeline_stage writes once it added the secondary region's store."""
    return pl.format_record({"form": "artifactStore", "role": pl.role_digest(declaration["roleArn"]),
                             "added": {SECONDARY: "generated"}})


def stage(declaration, record, actions=None):
    return f.stage_plan(declaration, record, name="CrossRegionDeploy", actions=actions or [role_action()],
                        pipeline_region=PRIMARY, account=ACCOUNT, after="Deploy", artifact_stores={},
                        create_artifact_buckets=True, purge_actions=False)


def test_stage_stores_and_record_as_the_module_left_them_plan_nothing():
    declaration = get_pipeline()
    assert stage(declaration, record_of(declaration)) == {"changed": False, "why": []}


def test_the_same_plan_as_the_module_would_make():
    declaration = get_pipeline()
    planned = pl.plan_stage(declaration, "CrossRegionDeploy", [role_action()], PRIMARY, ACCOUNT, after="Deploy",
                            artifact_stores={}, purge_actions=False, record=record_of(declaration))
    assert planned["changed"] is False and planned["buckets"] == {} and planned["record"] == record_of(declaration)


def test_an_action_edited_by_hand_is_a_change():
    declaration = get_pipeline(cross_region_action=api_action(service="SomethingElse"))
    assert stage(declaration, record_of(declaration)) == {"changed": True, "why": ["stage"]}


def test_a_lost_record_tag_or_a_new_pipeline_role_is_a_change():
    declaration = get_pipeline()
    lost = stage(declaration, None)
    assert lost["changed"] and "record tag" in lost["why"]
    old_role = record_of(get_pipeline(role="OldRole"))
    moved = stage(declaration, old_role)
    assert moved["changed"] and "artifact buckets" in moved["why"] and "record tag" in moved["why"]


def test_a_stage_removed_by_hand_is_a_change():
    declaration = get_pipeline()
    record = record_of(declaration)
    declaration["stages"] = declaration["stages"][:3]
    result = stage(declaration, record)
    assert result["changed"] and "stage" in result["why"]


def test_a_plan_error_is_left_to_the_module_and_its_message():
    declaration = get_pipeline()
    result = stage(declaration, "not a record this module wrote")
    assert result["changed"] and "did not write" in result["why"][0]
    assert f.stage_plan(None, None, "CrossRegionDeploy", [], PRIMARY, ACCOUNT)["changed"] is True


def _tagged(value):
    """``value`` as ansible-core hands it to a filter: every string, int and float tagged with where it came from."""
    origin = Origin(path="/inventory/group_vars/all.yml", line_num=3)
    if isinstance(value, dict):
        return {origin.tag(k): _tagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, (str, float)) or (isinstance(value, int) and not isinstance(value, bool)):
        return origin.tag(value)
    return value


def _untagged(value):
    """Raises when anything in ``value`` is not a plain builtin."""
    if isinstance(value, dict):
        for k, v in value.items():
            _untagged(k)
            _untagged(v)
    elif isinstance(value, list):
        for v in value:
            _untagged(v)
    else:
        assert type(value) in (str, int, float, bool, type(None)), (type(value), value)


def test_the_filters_hand_the_plans_plain_values(monkeypatch):
    # ansible-core 2.19 tags every templated value with its origin; a deep copy of those tags in the plan cost
    # about a second per pipeline on the no-op re-run. The filters as ansible calls them take the plain values once.
    filters = f.FilterModule().filters()
    declaration = get_pipeline()
    record = record_of(declaration)
    seen = []
    real = pl.plan_stage

    def spy(*args, **kwargs):
        seen.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(f.pipe, "plan_stage", spy)
    tagged = _tagged(declaration)
    assert AnsibleTagHelper.tags(tagged["name"])  # the fixture really is tagged
    result = filters["stage_plan"](tagged, _tagged(record), name=_tagged("CrossRegionDeploy"),
                                   actions=_tagged([role_action()]), pipeline_region=_tagged(PRIMARY),
                                   account=_tagged(ACCOUNT), after=_tagged("Deploy"), artifact_stores={},
                                   create_artifact_buckets=True, purge_actions=False)
    assert result == {"changed": False, "why": []}
    args, kwargs = seen[0]
    _untagged(list(args))
    _untagged(kwargs)
    # Each filter is the function it names, with its arguments made plain first.
    for name in ("stack_plan", "replica_plan", "stage_plan", "dashboard_plan", "deploy_targets", "deploy_regions"):
        assert filters[name].__name__ == name


# ------------------------------------------------------------------ deploy_targets

def region_facts():
    ecr = "%s.dkr.ecr.{region}.amazonaws.com/{stack}-core" % ACCOUNT
    return {PRIMARY: {"role": "primary", "cluster": "Cluster-p", "services": {"core": "core"},
                      "ecr": {"core": ecr.format(region=PRIMARY, stack="mm-primary-region")}},
            SECONDARY: {"role": "secondary", "cluster": "Cluster-s", "services": {"core": "CoreEcsService"},
                        "ecr": {"core": ecr.format(region=SECONDARY, stack="mm-secondary-region")}}}


def deploy(declaration, facts=None):
    return f.FilterModule().filters()["deploy_targets"](
        _tagged(declaration), stage_name="CrossRegionDeploy", pipeline="CorePipeline-mm-primary-region",
        pipeline_region=PRIMARY, service="core", regions=_tagged(facts or region_facts()),
        inventory_regions=[SECONDARY], secondaries=[SECONDARY], unknown=[], absent_regions=[],
        input_artifact="BuildArtifact")


def test_deploy_targets_of_a_converged_pipeline_are_what_the_stage_already_has():
    # The role's chain on a re-run: the actions worked out from the stage as read plan nothing (the twin: an action
    # edited by hand is a change, above). Every name comes from the stage that is there.
    declaration = get_pipeline()
    got = deploy(declaration)
    assert got["actions"] == [role_action()]
    assert stage(declaration, record_of(declaration), got["actions"]) == {"changed": False, "why": []}
    assert got["targets"][0]["registry"] == "%s.dkr.ecr.%s.amazonaws.com" % (ACCOUNT, SECONDARY)
    # A declaration that is not there (not read) is a pipeline without the stage: the lab's names.
    assert deploy(None)["existing"] == {} and deploy(None)["actions"] == [role_action()]


def test_deploy_targets_names_the_region_facts_that_lack_the_service():
    facts = region_facts()
    del facts[SECONDARY]["services"]["core"]
    try:
        deploy(get_pipeline(), facts)
    except AnsibleFilterError as e:
        assert "lack 'core'" in str(e) and "re-run secondary_stack" in str(e)
    else:
        raise AssertionError("no error for region facts without the service")


# ------------------------------------------------------------------ dashboard_plan

WIDGET = {"type": "metric", "width": 12, "height": 6,
          "properties": {"title": "Latency by region", "region": PRIMARY, "view": "timeSeries", "stat": "Average",
                         "metrics": []}}
ROW = {"widget": "Latency by region",
       "metric": ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", "app/alb-s/1", {"region": SECONDARY}]}


def dashboard_body(rows):
    """GetDashboard's DashboardBody (text): the console's widget, plus the rows given."""
    console = {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
               "properties": {"title": "Requests", "region": PRIMARY,
                              "metrics": [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/alb-p/1"]]}}
    ours = copy.deepcopy(WIDGET)
    ours.update(x=12, y=0)
    ours["properties"]["metrics"] = rows
    return json.dumps({"widgets": [console, ours]})


def test_dashboard_merged_already_plans_nothing():
    body = dashboard_body([ROW["metric"]])
    result = f.dashboard_plan(body, [WIDGET], [ROW], [], [])
    assert result["changed"] is False and result["widgets_added"] == [] and result["created"] is False
    assert result["body"] == json.loads(body)


def test_dashboard_missing_a_row_or_a_widget_is_a_change():
    missing_row = f.dashboard_plan(dashboard_body([]), [WIDGET], [ROW], [], [])
    assert missing_row["changed"] and missing_row["widgets_updated"] == ["Latency by region"]
    without = json.dumps({"widgets": json.loads(dashboard_body([]))["widgets"][:1]})
    missing_widget = f.dashboard_plan(without, [WIDGET], [ROW], [], [])
    assert missing_widget["changed"] and missing_widget["widgets_added"] == ["Latency by region"]


def test_dashboard_that_is_not_there_or_not_json_is_left_to_the_module():
    assert f.dashboard_plan(None, [WIDGET], [ROW], [], [])["changed"] is True
    assert f.dashboard_plan("{not json", [WIDGET], [ROW], [], [])["changed"] is True


# ------------------------------------------------------------------ deploy_regions (the readiness check's judge)

def regions_of(declaration, stage_name="CrossRegionDeploy"):
    return f.FilterModule().filters()["deploy_regions"](_tagged(declaration), stage_name, _tagged(PRIMARY))


def test_deploy_regions_are_the_ecs_actions_regions_of_the_stage():
    declaration = get_pipeline()
    assert regions_of(declaration) == [SECONDARY]
    # A user's stage with more than the collection's action: a manual approval in another region and an ECS action in
    # the pipeline's own region (GetPipeline leaves its region out) deploy nothing elsewhere; a second ECS region does.
    approval = {"name": "Approve", "region": "eu-west-1", "runOrder": 1,
                "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}}
    same_region = dict(api_action(), name="Here")
    del same_region["region"]
    third = dict(api_action(), name="CrossRegionDeploy-ap-south-1", region="ap-south-1")
    declaration["stages"][-1]["actions"] = [approval, same_region, api_action(), third]
    assert regions_of(declaration) == ["ap-south-1", SECONDARY]


def test_deploy_regions_of_a_pipeline_without_the_stage_or_not_read_are_none():
    declaration = get_pipeline()
    declaration["stages"].pop()
    assert regions_of(declaration) == []
    # Another stage deploying elsewhere is not the stage asked about.
    assert regions_of(get_pipeline(), stage_name="Deploy") == []
    assert regions_of(None) == [] and regions_of({}) == []

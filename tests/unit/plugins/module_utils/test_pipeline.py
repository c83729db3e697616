"""Plans of codepipeline_stage / codecommit_file / codepipeline_execution, and the artifact bucket checks."""
import copy
import json

import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import artifact_bucket as ab
from ansible_collections.mysfits.multi_region.plugins.module_utils import pipeline as pl

ACCOUNT = "123456789012"
REGION = "us-west-2"


def lab_pipeline(name="CorePipeline-mm-primary-region"):
    """The workshop's pipeline as GetPipeline returns it: three stages, one artifactStore."""
    return {
        "name": name,
        "roleArn": "arn:aws:iam::%s:role/CodePipelineRole" % ACCOUNT,
        "artifactStore": {"type": "S3", "location": "mm-artifacts-bucket",
                          "encryptionKey": {"id": "alias/aws/s3", "type": "KMS"}},
        "stages": [
            {"name": "Source", "actions": [{
                "name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit",
                                                   "version": "1"},
                "runOrder": 1, "configuration": {"RepositoryName": "core-service", "BranchName": "master"},
                "outputArtifacts": [{"name": "SourceArtifact"}], "inputArtifacts": []}]},
            {"name": "Build_Docker_Container", "actions": [{
                "name": "Build", "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild",
                                                  "version": "1"},
                "runOrder": 1, "configuration": {"ProjectName": "build"},
                "outputArtifacts": [{"name": "BuildArtifact"}], "inputArtifacts": [{"name": "SourceArtifact"}]}]},
            {"name": "Deploy", "actions": [{
                "name": "Deploy", "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS",
                                                   "version": "1"},
                "runOrder": 1,
                "configuration": {"ClusterName": "Cluster-p", "ServiceName": "core",
                                  "FileName": "imagedefinitions_primary.json"},
                "outputArtifacts": [], "inputArtifacts": [{"name": "BuildArtifact"}]}]},
        ],
        "version": 1,
    }


def ecs_action(region="us-east-1", name="CrossRegionDeploy", file_name="imagedefinitions_secondary.json"):
    """As a user writes it: no runOrder, no outputArtifacts."""
    return {"name": name, "region": region,
            "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
            "inputArtifacts": [{"name": "BuildArtifact"}],
            "configuration": {"ClusterName": "Cluster-s", "ServiceName": "CoreEcsService", "FileName": file_name}}


def plan(declaration, actions=None, **kwargs):
    kwargs.setdefault("after", "Deploy")
    return pl.plan_stage(declaration, "CrossRegionDeploy", [ecs_action()] if actions is None else actions,
                         REGION, ACCOUNT, **kwargs)


def stage_names(declaration):
    return [s["name"] for s in declaration["stages"]]


def test_bucket_name_is_deterministic_short_lowercase():
    name = pl.artifact_bucket_name("CorePipeline-mm-primary-region", ACCOUNT, "us-east-1")
    assert name == pl.artifact_bucket_name("CorePipeline-mm-primary-region", ACCOUNT, "us-east-1")
    assert name.startswith("codepipeline-us-east-1-123456789012-") and len(name) <= 63 and name == name.lower()
    assert name != pl.artifact_bucket_name("LikePipeline-mm-primary-region", ACCOUNT, "us-east-1")
    assert len(pl.artifact_bucket_name("x" * 200, ACCOUNT, "ap-southeast-4")) <= 63


def test_account_from_arn():
    assert pl.account_from_arn("arn:aws:codepipeline:us-west-2:123456789012:CorePipeline") == ACCOUNT
    assert pl.account_from_arn(None) is None


def test_normalise_fills_api_defaults_and_stringifies_configuration():
    type_id = {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": 1}
    action = pl.normalise_action({"name": "a", "actionTypeId": type_id,
                                  "configuration": {"DeploymentTimeout": 15, "Flag": True}, "namespace": None})
    assert action == {"name": "a", "runOrder": 1, "inputArtifacts": [], "outputArtifacts": [],
                      "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
                      "configuration": {"DeploymentTimeout": "15", "Flag": "true"}}


def test_own_region_explicit_or_implicit_compares_equal():
    explicit = dict(ecs_action(region=REGION))
    implicit = {k: v for k, v in explicit.items() if k != "region"}
    assert pl.stages_equal({"name": "s", "actions": [explicit]}, {"name": "s", "actions": [implicit]}, REGION)
    assert not pl.stages_equal({"name": "s", "actions": [ecs_action()]}, {"name": "s", "actions": [implicit]},
                               REGION)


def test_lab_case_adds_stage_after_deploy_and_converts_artifact_store():
    before = lab_pipeline()
    result = plan(before)
    after = result["declaration"]
    assert result["changed"] and result["stage_changed"] and result["stores_changed"]
    assert stage_names(after) == ["Source", "Build_Docker_Container", "Deploy", "CrossRegionDeploy"]
    bucket = pl.artifact_bucket_name(before["name"], ACCOUNT, "us-east-1")
    assert "artifactStore" not in after
    assert after["artifactStores"] == {
        REGION: before["artifactStore"],  # kept, encryption key included
        "us-east-1": {"type": "S3", "location": bucket},
    }
    assert result["buckets"] == {"us-east-1": bucket}
    assert after["version"] == 1
    new_action = after["stages"][3]["actions"][0]
    assert new_action["runOrder"] == 1 and new_action["region"] == "us-east-1"
    assert before == lab_pipeline(), "the input declaration is not modified"


def test_applying_the_plan_again_changes_nothing():
    done = plan(lab_pipeline())
    first = done["declaration"]
    # as AWS answers it: defaults filled in, version bumped
    stored = copy.deepcopy(first)
    stored["version"] = 2
    again = plan(stored, record=done["record"])
    assert again["record"] == done["record"]
    assert not again["changed"]
    assert again["declaration"] == stored
    assert again["buckets"] == {}  # the store exists: its bucket was ensured when it was added


def test_changed_configuration_replaces_only_our_stage():
    stored = plan(lab_pipeline())["declaration"]
    changed = ecs_action()
    changed["configuration"]["ServiceName"] = "Other"
    result = plan(stored, [changed])
    assert result["changed"] and result["stage_changed"] and not result["stores_changed"]
    assert result["declaration"]["stages"][:3] == stored["stages"][:3]
    assert result["declaration"]["stages"][3]["actions"][0]["configuration"]["ServiceName"] == "Other"


def test_foreign_stage_after_deploy_and_existing_artifact_stores_untouched():
    before = lab_pipeline()
    before["stages"].append({"name": "Approve", "actions": [{
        "name": "Approval", "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual",
                                             "version": "1"}, "runOrder": 1, "configuration": {},
        "inputArtifacts": [], "outputArtifacts": []}]})
    theirs = {"type": "S3", "location": "their-eu-bucket", "encryptionKey": {"id": "k", "type": "KMS"}}
    before["artifactStores"] = {REGION: before.pop("artifactStore"), "eu-west-1": theirs}
    result = plan(before)
    after = result["declaration"]
    assert stage_names(after) == ["Source", "Build_Docker_Container", "Deploy", "CrossRegionDeploy", "Approve"]
    assert after["stages"][4] == before["stages"][3]
    assert after["artifactStores"][REGION] == before["artifactStores"][REGION]
    assert after["artifactStores"]["eu-west-1"] == theirs
    assert set(after["artifactStores"]) == {REGION, "eu-west-1", "us-east-1"}


def test_user_given_store_is_used_and_no_bucket_is_created():
    result = plan(lab_pipeline(), artifact_stores={"us-east-1": {"bucket": "mine", "encryption_key": "alias/k"}})
    assert result["declaration"]["artifactStores"]["us-east-1"] == {
        "type": "S3", "location": "mine", "encryptionKey": {"id": "alias/k", "type": "KMS"}}
    assert result["buckets"] == {}


def test_missing_store_without_bucket_creation_is_an_error():
    with pytest.raises(pl.PlanError) as raised:
        plan(lab_pipeline(), create_artifact_buckets=False)
    assert raised.value.parameter == "artifact_stores" and "us-east-1" in str(raised.value)


def test_two_secondary_regions_two_actions_two_stores():
    actions = [ecs_action("us-east-1", "CrossRegionDeploy-us-east-1", "imagedefinitions_us-east-1.json"),
               ecs_action("eu-west-1", "CrossRegionDeploy-eu-west-1", "imagedefinitions_eu-west-1.json")]
    result = plan(lab_pipeline(), actions)
    assert set(result["declaration"]["artifactStores"]) == {REGION, "us-east-1", "eu-west-1"}
    assert set(result["buckets"]) == {"us-east-1", "eu-west-1"}
    assert len(result["declaration"]["stages"][3]["actions"]) == 2


def test_region_taken_out_of_the_stage_loses_its_store_but_foreign_stores_stay():
    two = [ecs_action("us-east-1", "CrossRegionDeploy-us-east-1", "imagedefinitions_us-east-1.json"),
           ecs_action("eu-west-1", "CrossRegionDeploy-eu-west-1", "imagedefinitions_eu-west-1.json")]
    declaration = plan(lab_pipeline(), two)["declaration"]
    declaration["artifactStores"]["ap-south-1"] = {"type": "S3", "location": "someone-elses-store"}
    declaration["stages"].insert(3, {"name": "Theirs", "actions": [ecs_action("eu-west-1", "TheirDeploy")]})
    result = plan(declaration, [ecs_action("us-east-1")])
    # us-east-1 still used by our stage, eu-west-1 still used by their stage, ap-south-1 never ours
    assert set(result["declaration"]["artifactStores"]) == {REGION, "us-east-1", "eu-west-1", "ap-south-1"}
    del declaration["stages"][3]
    result = plan(declaration, [ecs_action("us-east-1")])
    assert set(result["declaration"]["artifactStores"]) == {REGION, "us-east-1", "ap-south-1"}
    assert result["stores_changed"]


def test_same_region_action_keeps_single_artifact_store():
    result = plan(lab_pipeline(), [ecs_action(region=REGION)])
    assert result["declaration"]["artifactStore"] == lab_pipeline()["artifactStore"]
    assert "artifactStores" not in result["declaration"] and result["buckets"] == {}


def test_absent_restores_single_region_declaration():
    original = lab_pipeline()
    added = plan(original)["declaration"]
    result = pl.plan_stage(added, "CrossRegionDeploy", [], REGION, ACCOUNT, state="absent")
    assert result["changed"]
    assert result["declaration"] == original


def test_absent_keeps_stores_other_stages_need():
    added = plan(lab_pipeline())["declaration"]
    added["stages"].insert(3, {"name": "Theirs", "actions": [ecs_action("us-east-1", "TheirDeploy")]})
    result = pl.plan_stage(added, "CrossRegionDeploy", [], REGION, ACCOUNT, state="absent")
    assert set(result["declaration"]["artifactStores"]) == {REGION, "us-east-1"}
    assert stage_names(result["declaration"]) == ["Source", "Build_Docker_Container", "Deploy", "Theirs"]


def test_absent_releases_only_buckets_this_module_generated():
    two = [ecs_action("us-east-1", "CrossRegionDeploy-us-east-1", "imagedefinitions_us-east-1.json"),
           ecs_action("eu-west-1", "CrossRegionDeploy-eu-west-1", "imagedefinitions_eu-west-1.json")]
    added = plan(lab_pipeline(), two, artifact_stores={"eu-west-1": {"bucket": "given-by-someone"}})
    assert added["record"] == "form=artifactStore role=%s eu-west-1=u us-east-1=g" % pl.role_digest(
        lab_pipeline()["roleArn"])
    result = pl.plan_stage(added["declaration"], "CrossRegionDeploy", [], REGION, ACCOUNT, state="absent",
                           record=added["record"])
    assert result["released"] == {"us-east-1": pl.artifact_bucket_name(lab_pipeline()["name"], ACCOUNT, "us-east-1")}
    assert result["record"] is None
    assert result["declaration"] == lab_pipeline()


def test_absent_when_missing_is_no_change():
    result = pl.plan_stage(lab_pipeline(), "CrossRegionDeploy", [], REGION, ACCOUNT, state="absent")
    assert not result["changed"] and result["declaration"] == lab_pipeline()


def test_position_before_and_default_last_and_kept():
    assert stage_names(plan(lab_pipeline(), after=None, before="Deploy")["declaration"])[2] == "CrossRegionDeploy"
    assert stage_names(plan(lab_pipeline(), after=None)["declaration"])[-1] == "CrossRegionDeploy"
    placed = plan(lab_pipeline(), after=None, before="Deploy", actions=[ecs_action(region=REGION)])["declaration"]
    # no position given: an existing stage stays where it is
    again = plan(placed, after=None, actions=[ecs_action(region=REGION)])
    assert not again["changed"]


@pytest.mark.parametrize("kwargs,parameter,words", [
    ({"after": "Deplyo"}, "after", "no stage 'Deplyo'"),
    ({"after": None, "before": "Nope"}, "before", "no stage 'Nope'"),
    ({"after": "CrossRegionDeploy"}, "after", "itself"),
    ({"after": "Source"}, "actions", "BuildArtifact"),
    ({"actions": [dict(ecs_action(), region="mars-north-1")]}, "actions", "not an AWS region"),
    ({"actions": [dict(ecs_action(), region="useast1")]}, "actions", "not an AWS region"),
    ({"actions": []}, "actions", "at least one action"),
    ({"actions": [ecs_action(), ecs_action()]}, "actions", "unique"),
    ({"actions": [{"name": "x", "actionTypeId": {"category": "Deploy"}}]}, "actions", "owner, provider, version"),
    ({"actions": [dict(ecs_action(), actionTypeId={"category": "Source", "owner": "AWS",
                                                   "provider": "CodeCommit", "version": "1"})]},
     "actions", "cannot run in another region"),
    ({"artifact_stores": {"us-east-1": {"encryption_key": "k"}}}, "artifact_stores", "needs 'bucket'"),
    ({"artifact_stores": {"nowhere": {"bucket": "b"}}}, "artifact_stores", "not an AWS region"),
])
def test_bad_input_names_the_parameter(kwargs, parameter, words):
    with pytest.raises(pl.PlanError) as raised:
        plan(lab_pipeline(), **kwargs)
    assert raised.value.parameter == parameter
    assert words in str(raised.value)


def test_input_artifact_from_lower_run_order_of_same_stage_is_valid():
    producer = dict(ecs_action(region=REGION, name="Produce"), outputArtifacts=[{"name": "Made"}])
    consumer = dict(ecs_action(region=REGION, name="Consume"), inputArtifacts=[{"name": "Made"}], runOrder=2)
    assert plan(lab_pipeline(), [producer, consumer])["changed"]
    with pytest.raises(pl.PlanError):
        plan(lab_pipeline(), [producer, dict(consumer, runOrder=1)])


# ------------------------------------------------------------ merge, absent_actions, the record, exact inverse

def two_regions():
    return [ecs_action("us-east-1", "CrossRegionDeploy-us-east-1", "imagedefinitions_us-east-1.json"),
            ecs_action("eu-west-1", "CrossRegionDeploy-eu-west-1", "imagedefinitions_eu-west-1.json")]


def converged(declaration=None, actions=None, **kwargs):
    """A declaration after a converge as AWS stores it (version bumped), and the tag value written."""
    done = plan(declaration or lab_pipeline(), two_regions() if actions is None else actions, **kwargs)
    stored = dict(copy.deepcopy(done["declaration"]), version=2)
    return stored, done["record"]


def test_record_round_trip_and_refuses_what_it_did_not_write():
    text = "form=artifactStore role=0a1b2c3d eu-west-1=u us-east-1=g"
    record = pl.parse_record(text)
    assert record == {"form": "artifactStore", "role": "0a1b2c3d",
                      "added": {"us-east-1": "generated", "eu-west-1": "given"}}
    assert pl.format_record(record) == text
    assert pl.parse_record(None) is None
    for bad in ("", "hello", "form=artifactStore us-east-1=x", "role=0a1b2c3d us-east-1=g"):
        with pytest.raises(pl.PlanError) as raised:
            pl.parse_record(bad)
        assert raised.value.parameter == "pipeline" and pl.RECORD_TAG in str(raised.value)


def test_merge_keeps_the_actions_and_stores_of_a_region_not_given():
    stored, record = converged()
    # second converge: eu-west-1's facts are missing, only us-east-1's action is given
    result = plan(stored, [ecs_action("us-east-1", "CrossRegionDeploy-us-east-1", "imagedefinitions_us-east-1.json")],
                  purge_actions=False, record=record)
    assert not result["changed"]
    assert result["declaration"] == stored
    assert result["released"] == {} and result["record"] == record


def test_merge_replaces_by_name_and_adds_new_actions_after_the_kept_ones():
    stored, record = converged()
    changed = dict(ecs_action("eu-west-1", "CrossRegionDeploy-eu-west-1", "imagedefinitions_eu-west-1.json"))
    changed["configuration"] = dict(changed["configuration"], ServiceName="Other")
    third = ecs_action("ap-south-1", "CrossRegionDeploy-ap-south-1", "imagedefinitions_ap-south-1.json")
    result = plan(stored, [third, changed], purge_actions=False, record=record)
    actions = result["declaration"]["stages"][3]["actions"]
    assert [a["name"] for a in actions] == ["CrossRegionDeploy-us-east-1", "CrossRegionDeploy-eu-west-1",
                                            "CrossRegionDeploy-ap-south-1"]
    assert actions[1]["configuration"]["ServiceName"] == "Other"
    assert actions[0] == stored["stages"][3]["actions"][0]
    assert set(result["declaration"]["artifactStores"]) == {REGION, "us-east-1", "eu-west-1", "ap-south-1"}
    assert set(result["buckets"]) == {"ap-south-1"}
    assert "ap-south-1=g" in result["record"] and "us-east-1=g" in result["record"]


def test_purge_drops_actions_not_given_and_the_store_the_module_added():
    stored, record = converged()
    result = plan(stored, two_regions()[:1], record=record)
    assert [a["name"] for a in result["declaration"]["stages"][3]["actions"]] == ["CrossRegionDeploy-us-east-1"]
    assert set(result["declaration"]["artifactStores"]) == {REGION, "us-east-1"}
    assert set(result["released"]) == {"eu-west-1"}


def test_absent_actions_remove_exactly_one_region_and_rename_nothing():
    stored, record = converged()
    result = pl.plan_stage(stored, "CrossRegionDeploy", [], REGION, ACCOUNT, absent_actions=[
        "CrossRegionDeploy-eu-west-1"], record=record)
    stage = result["declaration"]["stages"][3]
    assert stage["actions"] == stored["stages"][3]["actions"][:1]
    assert set(result["declaration"]["artifactStores"]) == {REGION, "us-east-1"}
    assert result["declaration"]["artifactStores"]["us-east-1"] == stored["artifactStores"]["us-east-1"]
    assert result["released"] == {"eu-west-1": pl.artifact_bucket_name(stored["name"], ACCOUNT, "eu-west-1")}
    assert "eu-west-1" not in result["record"] and "us-east-1=g" in result["record"]
    # the same with purge_actions=false and the remaining region's action given
    merged = pl.plan_stage(stored, "CrossRegionDeploy", two_regions()[:1], REGION, ACCOUNT, purge_actions=False,
                           absent_actions=["CrossRegionDeploy-eu-west-1"], after="Deploy", record=record)
    assert merged["declaration"] == result["declaration"]


def test_absent_actions_of_the_last_region_give_back_the_pipeline_as_it_was():
    stored, record = converged()
    first = pl.plan_stage(stored, "CrossRegionDeploy", [], REGION, ACCOUNT,
                          absent_actions=["CrossRegionDeploy-eu-west-1"], record=record)
    stored = dict(first["declaration"], version=3)
    last = pl.plan_stage(stored, "CrossRegionDeploy", [], REGION, ACCOUNT,
                         absent_actions=["CrossRegionDeploy-us-east-1"], record=first["record"])
    assert {k: v for k, v in last["declaration"].items() if k != "version"} == {
        k: v for k, v in lab_pipeline().items() if k != "version"}
    assert last["record"] is None
    assert set(last["released"]) == {"us-east-1"}


def test_a_store_map_the_team_had_stays_a_map():
    theirs = lab_pipeline()
    theirs["artifactStores"] = {REGION: theirs.pop("artifactStore")}
    stored, record = converged(theirs)
    assert record.startswith("form=artifactStores ")
    removed = pl.plan_stage(stored, "CrossRegionDeploy", [], REGION, ACCOUNT, state="absent", record=record)
    assert removed["declaration"] == dict(theirs, version=2)
    assert removed["record"] is None


def test_stores_the_module_did_not_add_are_never_removed():
    declaration = lab_pipeline()
    declaration["artifactStores"] = {REGION: declaration.pop("artifactStore"),
                                     "eu-west-1": {"type": "S3", "location": "team-eu-store"}}
    stored, record = converged(declaration)
    assert "eu-west-1" not in record  # it was there before
    removed = pl.plan_stage(stored, "CrossRegionDeploy", [], REGION, ACCOUNT, state="absent", record=record)
    assert removed["declaration"]["artifactStores"] == declaration["artifactStores"]
    assert removed["released"] == {"us-east-1": pl.artifact_bucket_name(stored["name"], ACCOUNT, "us-east-1")}


def test_a_changed_pipeline_role_has_the_generated_buckets_ensured_again():
    stored, record = converged()
    assert plan(stored, two_regions(), record=record)["buckets"] == {}
    stored["roleArn"] = "arn:aws:iam::%s:role/another" % ACCOUNT
    again = plan(stored, two_regions(), record=record)
    assert set(again["buckets"]) == {"us-east-1", "eu-west-1"} and not again["changed"]
    assert again["record"] != record and pl.role_digest(stored["roleArn"]) in again["record"]


def test_a_pipeline_without_the_tag_has_its_generated_stores_adopted():
    stored = converged()[0]
    adopted = pl.adopted_record(stored, REGION, ACCOUNT)
    assert adopted == {"form": "artifactStore", "role": None,
                       "added": {"us-east-1": "generated", "eu-west-1": "generated"}}
    removed = pl.plan_stage(stored, "CrossRegionDeploy", [], REGION, ACCOUNT, state="absent")
    assert "artifactStore" in removed["declaration"] and "artifactStores" not in removed["declaration"]


def test_a_store_gone_but_still_recorded_releases_its_bucket():
    """A teardown that stopped after UpdatePipeline: the next run deletes the bucket and forgets the region."""
    stored, record = converged()
    gone = pl.plan_stage(stored, "CrossRegionDeploy", [], REGION, ACCOUNT, state="absent", record=record)
    again = pl.plan_stage(dict(gone["declaration"], version=3), "CrossRegionDeploy", [], REGION, ACCOUNT,
                          state="absent", record=record)
    assert not again["changed"]
    assert set(again["released"]) == {"us-east-1", "eu-west-1"} and again["record"] is None


@pytest.mark.parametrize("kwargs,words", [
    ({"absent_actions": ["CrossRegionDeploy"]}, "also in actions"),
    ({"absent_actions": [""]}, "action name"),
])
def test_bad_absent_actions_name_the_parameter(kwargs, words):
    with pytest.raises(pl.PlanError) as raised:
        plan(lab_pipeline(), **kwargs)
    assert raised.value.parameter == "absent_actions" and words in str(raised.value)


def test_absent_actions_without_actions_keep_the_others_even_with_purge():
    stored, record = converged()
    result = pl.plan_stage(stored, "CrossRegionDeploy", [], REGION, ACCOUNT, purge_actions=True,
                           absent_actions=["nothing-by-that-name"], record=record)
    assert not result["changed"] and result["released"] == {}


# ------------------------------------------------------------ apply_stage: read, re-read, write

class FakePipelines:
    """GetPipeline/UpdatePipeline over one stored declaration; ``meddle`` runs after each GetPipeline."""

    def __init__(self, declaration, meddle=None):
        self.stored = copy.deepcopy(declaration)
        self.meddle = meddle
        self.gets = 0
        self.updates = []

    def get(self, name):
        self.gets += 1
        answer = {"pipeline": copy.deepcopy(self.stored),
                  "metadata": {"pipelineArn": "arn:aws:codepipeline:%s:%s:%s" % (REGION, ACCOUNT, name)}}
        if self.meddle:
            self.meddle(self)
        return answer

    def update(self, declaration):
        self.updates.append(copy.deepcopy(declaration))
        self.stored = dict(copy.deepcopy(declaration), version=self.stored["version"] + 1)
        return {"pipeline": copy.deepcopy(self.stored)}

    def foreign_change(self, tag):
        self.stored["stages"][2]["actions"][0]["configuration"]["Tag"] = tag
        self.stored["version"] += 1


def kwargs():
    return dict(pipeline="CorePipeline-mm-primary-region", name="CrossRegionDeploy", actions=[ecs_action()],
                pipeline_region=REGION, after="Deploy")


def test_apply_writes_once_and_ensures_buckets_first():
    fake = FakePipelines(lab_pipeline())
    ensured = []
    outcome = pl.apply_stage(fake.get, fake.update, kwargs(), ensure_buckets=lambda b, role: ensured.append(
        (dict(b), len(fake.updates))))
    assert outcome["changed"] and not outcome["replanned"]
    assert len(fake.updates) == 1 and fake.updates[0]["version"] == 1
    assert ensured == [({"us-east-1": pl.artifact_bucket_name(fake.stored["name"], ACCOUNT, "us-east-1")}, 0)]


class FakeTags:
    def __init__(self, value=None, log=None):
        self.value = value
        self.log = log if log is not None else []

    def read(self, arn):
        return self.value

    def write(self, arn, value):
        self.log.append(("tag", value))
        self.value = value


def test_apply_writes_the_tag_before_adding_and_after_removing():
    fake = FakePipelines(lab_pipeline())
    log = []
    tags = FakeTags(log=log)
    update = fake.update

    def logged_update(declaration):
        log.append(("update", len(declaration["stages"])))
        return update(declaration)

    def release(buckets):
        log.append(("release", sorted(buckets)))
        return dict(buckets)

    pl.apply_stage(fake.get, logged_update, kwargs(), read_record=tags.read, write_record=tags.write,
                   release_buckets=release)
    assert [entry[0] for entry in log] == ["tag", "update"] and tags.value.endswith("us-east-1=g")
    del log[:]
    outcome = pl.apply_stage(fake.get, logged_update, dict(kwargs(), state="absent", actions=[]),
                             read_record=tags.read, write_record=tags.write, release_buckets=release)
    assert log == [("update", 3), ("release", ["us-east-1"]), ("tag", None)]
    assert outcome["released"] == {"us-east-1": pl.artifact_bucket_name(fake.stored["name"], ACCOUNT, "us-east-1")}
    assert "artifactStore" in fake.stored and "artifactStores" not in fake.stored


def test_apply_check_mode_never_writes():
    fake = FakePipelines(lab_pipeline())
    tags = FakeTags()
    outcome = pl.apply_stage(fake.get, fake.update, kwargs(), ensure_buckets=None, check_mode=True,
                             read_record=tags.read, write_record=tags.write, release_buckets=lambda b: 1 / 0)
    assert outcome["changed"] and fake.updates == [] and tags.log == []
    assert outcome["record_changed"]
    assert stage_names(outcome["after"])[-1] == "CrossRegionDeploy"


def test_apply_replans_once_on_a_concurrent_change_and_keeps_it():
    def meddle(fake):
        if fake.gets == 1:
            fake.foreign_change("theirs")
    fake = FakePipelines(lab_pipeline(), meddle)
    outcome = pl.apply_stage(fake.get, fake.update, kwargs())
    assert outcome["replanned"]
    assert len(fake.updates) == 1
    assert fake.stored["stages"][2]["actions"][0]["configuration"]["Tag"] == "theirs"
    assert stage_names(fake.stored)[-1] == "CrossRegionDeploy"


def test_apply_gives_up_when_the_pipeline_keeps_changing():
    def meddle(fake):
        fake.foreign_change("theirs-%d" % fake.gets)
    fake = FakePipelines(lab_pipeline(), meddle)
    with pytest.raises(pl.ConcurrentChange) as raised:
        pl.apply_stage(fake.get, fake.update, kwargs())
    assert fake.updates == []
    assert "nothing was written" in str(raised.value)


# ------------------------------------------------------------ executions and files

def test_failed_actions_from_pipeline_state():
    state = {"stageStates": [
        {"stageName": "Deploy", "latestExecution": {"pipelineExecutionId": "e1", "status": "Succeeded"},
         "actionStates": [{"actionName": "Deploy", "latestExecution": {"status": "Succeeded"}}]},
        {"stageName": "CrossRegionDeploy", "latestExecution": {"pipelineExecutionId": "e1", "status": "Failed"},
         "actionStates": [{"actionName": "CrossRegionDeploy", "latestExecution": {
             "status": "Failed", "errorDetails": {"code": "JobFailed", "message": "service not stable"}}}]},
    ]}
    assert pl.failed_actions(state, "e1") == [
        {"stage": "CrossRegionDeploy", "action": "CrossRegionDeploy", "message": "service not stable"}]


def test_execution_for_revision_picks_the_commit():
    summaries = [{"pipelineExecutionId": "new", "sourceRevisions": [{"revisionId": "c2"}]},
                 {"pipelineExecutionId": "old", "sourceRevisions": [{"revisionId": "c1"}]}]
    assert pl.execution_for_revision(summaries, "c1")["pipelineExecutionId"] == "old"
    assert pl.execution_for_revision(summaries, "c3") is None


def test_file_change_and_diff_text():
    assert pl.file_change(None, b"x") and pl.file_change(b"x", b"y") and not pl.file_change(b"x", b"x")
    assert pl.text_for_diff(None) == "" and pl.text_for_diff(b"a: 1\n") == "a: 1\n"
    assert "binary" in pl.text_for_diff(b"\xff\xfe\x00")


# ------------------------------------------------------------ artifact bucket settings

def compliant(bucket="b"):
    return {"exists": True, "encryption": [ab.encryption_rule()], "versioning": "Enabled",
            "public_access_block": dict(ab.PUBLIC_ACCESS_BLOCK),
            "policy": json.dumps({"Version": "2012-10-17", "Statement": [ab.deny_insecure_statement(bucket)]})}


def test_compliant_bucket_needs_nothing():
    assert ab.bucket_changes(compliant(), "b") == []


def test_missing_bucket_needs_everything():
    assert ab.bucket_changes({"exists": False}, "b") == ["create", "encryption", "versioning",
                                                         "public_access_block", "policy"]


@pytest.mark.parametrize("field,value,change", [
    ("encryption", None, "encryption"),
    ("versioning", "Suspended", "versioning"),
    ("public_access_block", dict(ab.PUBLIC_ACCESS_BLOCK, RestrictPublicBuckets=False), "public_access_block"),
    ("policy", None, "policy"),
])
def test_each_missing_setting_is_found(field, value, change):
    state = dict(compliant(), **{field: value})
    assert ab.bucket_changes(state, "b") == [change]


def test_kms_key_must_match_when_given():
    assert ab.bucket_changes(compliant(), "b", kms_key="alias/k") == ["encryption"]
    state = dict(compliant(), encryption=[ab.encryption_rule("alias/k")])
    assert ab.bucket_changes(state, "b", kms_key="alias/k") == []


def test_policy_merge_keeps_other_statements():
    other = {"Sid": "Theirs", "Effect": "Allow", "Principal": {"AWS": "x"}, "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::b/*"}
    merged = json.loads(ab.desired_policy("b", json.dumps({"Version": "2012-10-17", "Statement": [other]})))
    assert merged["Statement"][0] == other
    assert merged["Statement"][1]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert ab.desired_policy("b", json.dumps(merged)) is None


ROLE = "arn:aws:iam::%s:role/mm-primary-region-CodePipelineRole-X" % ACCOUNT


def test_policy_grants_the_pipeline_role_what_codepipeline_needs():
    policy = json.loads(ab.desired_policy("b", None, ROLE))
    by_sid = {s.get("Sid"): s for s in policy["Statement"]}
    bucket, objects = by_sid[ab.ROLE_BUCKET_SID], by_sid[ab.ROLE_OBJECTS_SID]
    assert bucket["Principal"] == objects["Principal"] == {"AWS": ROLE}
    assert bucket["Resource"] == "arn:aws:s3:::b" and objects["Resource"] == "arn:aws:s3:::b/*"
    # the user guide's service role statements for artifact buckets
    assert {"s3:GetBucketVersioning", "s3:GetBucketAcl", "s3:GetBucketLocation"} == set(bucket["Action"])
    assert {"s3:PutObject", "s3:PutObjectAcl", "s3:GetObject", "s3:GetObjectVersion"} <= set(objects["Action"])
    assert by_sid[ab.DENY_INSECURE_SID]["Effect"] == "Deny"
    assert ab.desired_policy("b", json.dumps(policy), ROLE) is None


def test_policy_is_compared_by_meaning_not_text():
    policy = json.loads(ab.desired_policy("b", None, ROLE))
    for statement in policy["Statement"]:
        if statement.get("Sid") == ab.ROLE_OBJECTS_SID:
            statement["Action"] = [a.upper() for a in reversed(statement["Action"])]
            statement["Principal"] = {"AWS": [ROLE]}
            statement["Resource"] = ["arn:aws:s3:::b/*"]
    policy["Statement"].reverse()
    assert ab.desired_policy("b", json.dumps(policy, indent=4), ROLE) is None


def test_policy_of_another_role_is_replaced_and_others_kept():
    theirs = {"Sid": "Theirs", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:role/r"},
              "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    old = json.loads(ab.desired_policy("b", None, "arn:aws:iam::%s:role/old" % ACCOUNT))
    old["Statement"].insert(0, theirs)
    new = json.loads(ab.desired_policy("b", json.dumps(old), ROLE))
    assert new["Statement"][0] == theirs
    assert len(new["Statement"]) == 4
    assert {json.dumps(s["Principal"]) for s in new["Statement"] if s.get("Sid", "").startswith("PipelineRole")} == {
        json.dumps({"AWS": ROLE})}
    assert ab.bucket_changes(dict(compliant(), policy=json.dumps(old)), "b", role_arn=ROLE) == ["policy"]


# ------------------------------------------------------------ ensure_file: one re-read on a push race

class FakeBranch:
    def __init__(self, content=None, races=0):
        self.head = "c0" if content is not None else None
        self.content = content
        self.races = races
        self.puts = []

    def read(self):
        return self.head, self.content, None

    def put(self, parent):
        if self.races:
            self.races -= 1
            self.head = "foreign-%d" % self.races
            raise pl.OutdatedParent()
        assert parent == self.head
        self.puts.append(parent)
        self.head = "c%d" % (len(self.puts))
        return {"commitId": self.head, "blobId": "b"}


def test_ensure_file_same_content_no_commit():
    branch = FakeBranch(b"x")
    assert pl.ensure_file(branch.read, branch.put, b"x")["changed"] is False and branch.puts == []


def test_ensure_file_commits_on_head_and_in_empty_repo():
    branch = FakeBranch(b"x")
    outcome = pl.ensure_file(branch.read, branch.put, b"y")
    assert outcome["changed"] and outcome["commit_id"] == "c1" and branch.puts == ["c0"]
    empty = FakeBranch()
    assert pl.ensure_file(empty.read, empty.put, b"y")["parent_commit_id"] is None and empty.puts == [None]


def test_ensure_file_check_mode_no_commit():
    branch = FakeBranch(b"x")
    assert pl.ensure_file(branch.read, branch.put, b"y", check_mode=True)["changed"] and branch.puts == []


def test_ensure_file_rereads_once_then_gives_up():
    branch = FakeBranch(b"x", races=1)
    outcome = pl.ensure_file(branch.read, branch.put, b"y")
    assert outcome["changed"] and branch.puts == ["foreign-0"]
    stubborn = FakeBranch(b"x", races=2)
    with pytest.raises(pl.ConcurrentChange):
        pl.ensure_file(stubborn.read, stubborn.put, b"y")
    assert stubborn.puts == []


def test_a_given_store_in_place_of_a_generated_one_is_recorded_as_given_and_never_deleted():
    stored, record = converged()
    result = plan(stored, two_regions(), artifact_stores={"eu-west-1": {"bucket": "their-eu-bucket"}}, record=record)
    assert result["declaration"]["artifactStores"]["eu-west-1"] == {"type": "S3", "location": "their-eu-bucket"}
    assert "eu-west-1=u" in result["record"]
    removed = pl.plan_stage(dict(result["declaration"], version=3), "CrossRegionDeploy", [], REGION, ACCOUNT,
                            state="absent", record=result["record"])
    assert set(removed["released"]) == {"us-east-1"}


# --- approvals ------------------------------------------------------------------------------------

def test_pending_approvals_only_for_approval_actions_of_this_execution():
    from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import (
        approval_actions, approval_message, pending_approvals)
    declaration = {"stages": [
        {"name": "Source", "actions": [{"name": "Source", "actionTypeId": {"category": "Source"}}]},
        {"name": "Approve", "actions": [{"name": "Manager", "actionTypeId": {"category": "Approval"}}]},
        {"name": "Deploy", "actions": [{"name": "Deploy", "actionTypeId": {"category": "Deploy"}}]}]}
    approvals = approval_actions(declaration)
    assert approvals == {("Approve", "Manager")}
    # GetPipelineState as CodePipeline answers it: the approval's latestExecution carries the token.
    state = {"stageStates": [
        {"stageName": "Source", "latestExecution": {"pipelineExecutionId": "e1", "status": "Succeeded"},
         "actionStates": [{"actionName": "Source", "latestExecution": {"status": "Succeeded"}}]},
        {"stageName": "Approve", "latestExecution": {"pipelineExecutionId": "e1", "status": "InProgress"},
         "actionStates": [{"actionName": "Manager", "latestExecution": {"status": "InProgress", "token": "t-1"}}]},
        {"stageName": "Deploy", "latestExecution": {"pipelineExecutionId": "e0", "status": "InProgress"},
         "actionStates": [{"actionName": "Deploy", "latestExecution": {"status": "InProgress"}}]}]}
    assert pending_approvals(state, approvals, "e1") == [{"stage": "Approve", "action": "Manager", "token": "t-1"}]
    assert pending_approvals(state, approvals, "e9") == []  # another execution waits there
    assert pending_approvals(state, set(), "e1") == []
    message = approval_message("P", "us-west-2", "e1", pending_approvals(state, approvals, "e1"))
    assert "stage Approve, action Manager" in message and "--token t-1" in message


# --- restore_point: the content before the collection's commits (teardown of the last secondary region) -------

from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import restore_point  # noqa: E402

OURS = "Build once and push the image to every region (mysfits.multi_region)"


def _change(commit, message, parent, parent_has_file=True):
    # GetCommit's commit: "message" as CodeCommit stores it (a trailing newline is common), "parents" ids.
    return {"commit": commit, "message": message, "parent": parent, "parent_has_file": parent_has_file}


def test_restore_point_is_the_parent_of_the_oldest_of_the_newest_own_commits():
    changes = [_change("c3", OURS + "\n", "c2"), _change("c2", OURS, "c1"), _change("c1", "Initial commit", "c0")]
    assert restore_point(changes, OURS) == ("c1", None)


def test_restore_point_stops_reading_at_the_first_foreign_change():
    def changes():
        yield _change("c3", OURS, "c2")
        yield _change("c2", "the team's own edit", "c1")
        raise AssertionError("read further than needed")
    assert restore_point(changes(), OURS) == ("c2", None)


def test_nothing_to_restore_when_someone_edited_the_file_since():
    point, reason = restore_point([_change("c4", "fix a typo", "c3"), _change("c3", OURS, "c2")], OURS)
    assert point is None and "not a commit with the message" in reason


def test_nothing_to_restore_when_the_collection_created_the_file():
    point, reason = restore_point([_change("c1", OURS, "c0", parent_has_file=False)], OURS)
    assert point is None and "did not exist before commit c1" in reason
    assert restore_point([], OURS)[0] is None


# ---------------------------------------------------------------- deployment targets (pipeline_cross_region role)

def region_facts(region, role="secondary", stack="mm-secondary-region"):
    """An mm_region fact as the discovery publishes it: cluster, ECS services and ECR repositories by service."""
    return {"role": role, "cluster": "Cluster-%s" % region,
            "services": {"core": "CoreEcsService-%s" % stack, "like": "LikeEcsService-%s" % stack},
            "ecr": {s: "%s.dkr.ecr.%s.amazonaws.com/%s-%s" % (ACCOUNT, region, stack, s) for s in ("core", "like")}}


FACTS = {REGION: region_facts(REGION, "primary", "mm-primary-region"), "us-east-1": region_facts("us-east-1"),
         "eu-west-1": region_facts("eu-west-1")}


def targets(declaration=None, inventory=("us-east-1",), secondaries=None, unknown=(), absent=(), service="core"):
    secondaries = sorted(inventory) if secondaries is None else secondaries
    return pl.deploy_targets(lab_pipeline() if declaration is None else declaration, "CrossRegionDeploy",
                             "CorePipeline-mm-primary-region", REGION, service, FACTS, list(inventory),
                             list(secondaries), list(unknown), list(absent), "BuildArtifact")


def with_stage(*actions):
    declaration = lab_pipeline()
    declaration["stages"].append({"name": "CrossRegionDeploy", "actions": list(actions)})
    return declaration


def test_first_secondary_region_gets_the_lab_names_and_an_ecs_action():
    got = targets()
    assert got["existing"] == {}
    assert got["buildspec_ok"] is True and got["restore"] is False
    assert got["primary_uri"] == FACTS[REGION]["ecr"]["core"]
    assert got["targets"] == [{
        "region": "us-east-1", "repository_uri": FACTS["us-east-1"]["ecr"]["core"],
        "registry": "%s.dkr.ecr.us-east-1.amazonaws.com" % ACCOUNT, "cluster": "Cluster-us-east-1",
        "service": "CoreEcsService-mm-secondary-region", "action": "CrossRegionDeploy",
        "imagedefinitions": "imagedefinitions_secondary.json"}]
    assert got["actions"] == [{
        "name": "CrossRegionDeploy", "region": "us-east-1",
        "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"},
        "runOrder": 1, "inputArtifacts": [{"name": "BuildArtifact"}],
        "configuration": {"ClusterName": "Cluster-us-east-1", "ServiceName": "CoreEcsService-mm-secondary-region",
                          "FileName": "imagedefinitions_secondary.json"}}]
    assert got["problems"] == {} and got["deferred"] == [] and got["absent_actions"] == []
    # The plan accepts the actions as they are (codepipeline_stage's input).
    assert plan(lab_pipeline(), got["actions"])["stage_changed"]


def test_several_regions_get_names_with_the_region():
    got = targets(inventory=("us-east-1", "eu-west-1"))
    assert [(t["region"], t["action"], t["imagedefinitions"]) for t in got["targets"]] == [
        ("eu-west-1", "CrossRegionDeploy-eu-west-1", "imagedefinitions_eu-west-1.json"),
        ("us-east-1", "CrossRegionDeploy-us-east-1", "imagedefinitions_us-east-1.json")]


def test_names_found_in_the_stage_are_kept_when_a_region_is_added():
    # The hand-made lab stage (one action, the lab's names); a second region is added: the first keeps its names.
    got = targets(with_stage(ecs_action()), inventory=("us-east-1", "eu-west-1"))
    assert got["existing"] == {"us-east-1": {"action": "CrossRegionDeploy",
                                             "imagedefinitions": "imagedefinitions_secondary.json"}}
    by_region = {t["region"]: (t["action"], t["imagedefinitions"]) for t in got["targets"]}
    assert by_region == {"us-east-1": ("CrossRegionDeploy", "imagedefinitions_secondary.json"),
                         "eu-west-1": ("CrossRegionDeploy-eu-west-1", "imagedefinitions_eu-west-1.json")}


def test_only_the_first_ecs_action_of_a_region_outside_the_pipeline_region_is_found():
    approval = {"name": "Approve", "actionTypeId": {"category": "Approval", "owner": "AWS", "provider": "Manual",
                                                    "version": "1"}, "region": "eu-west-1"}
    own_region = ecs_action(region=REGION, name="SameRegion")
    no_region = dict(ecs_action(name="NoRegion"))
    del no_region["region"]  # GetPipeline leaves region out for an action in the pipeline's region
    unnamed_file = ecs_action(name="Second", file_name="")
    found = pl.existing_deploy_actions(
        with_stage(approval, own_region, no_region, ecs_action(), unnamed_file), "CrossRegionDeploy", REGION)
    assert found == {"us-east-1": {"action": "CrossRegionDeploy",
                                   "imagedefinitions": "imagedefinitions_secondary.json"}}
    # Another stage's ECS actions are not ours; an action without FileName is found with ''.
    other = lab_pipeline()
    other["stages"].append({"name": "Elsewhere", "actions": [ecs_action()]})
    other["stages"].append({"name": "CrossRegionDeploy", "actions": [ecs_action(region="eu-west-1", file_name="")]})
    assert pl.existing_deploy_actions(other, "CrossRegionDeploy", REGION) == {
        "eu-west-1": {"action": "CrossRegionDeploy", "imagedefinitions": ""}}
    assert pl.existing_deploy_actions({}, "CrossRegionDeploy", REGION) == {}


def test_an_unknown_region_keeps_the_buildspec_and_defers_the_new_regions():
    # us-east-1 deploys already; eu-west-1 is new; ap-south-1 had no stack facts in this run.
    got = targets(with_stage(ecs_action()), inventory=("us-east-1", "eu-west-1", "ap-south-1"),
                  secondaries=["eu-west-1", "us-east-1"], unknown=["ap-south-1"])
    assert got["buildspec_ok"] is False
    assert [t["region"] for t in got["targets"]] == ["us-east-1"]
    assert got["deferred"] == ["eu-west-1"]
    assert got["problems"] == {"eu-west-1": "not added to CorePipeline-mm-primary-region: the buildspec, shared by "
                                            "every region, cannot be rewritten while ap-south-1 is not known"}


def test_a_region_deploying_but_missing_from_the_inventory_is_an_orphan_and_kept():
    got = targets(with_stage(ecs_action(), ecs_action(region="eu-west-1", name="CrossRegionDeploy-eu-west-1")),
                  inventory=("us-east-1",))
    assert got["orphans"] == ["eu-west-1"] and got["buildspec_ok"] is False
    # The orphan's action is not named to the module (which keeps what it is not given), nor taken out.
    assert [a["region"] for a in got["actions"]] == ["us-east-1"] and got["absent_actions"] == []
    assert "eu-west-1" in got["problems"] and "not in the inventory" in got["problems"]["eu-west-1"]


def test_teardown_of_the_last_region_restores_and_names_the_action_to_take_out():
    got = targets(with_stage(ecs_action()), inventory=("us-east-1",), secondaries=[], absent=["us-east-1"])
    assert got["restore"] is True and got["buildspec_ok"] is True
    assert got["targets"] == [] and got["actions"] == []
    assert got["absent_actions"] == ["CrossRegionDeploy"]
    assert got["orphans"] == [] and got["problems"] == {}


def test_region_facts_without_the_service_raise():
    facts = copy.deepcopy(FACTS)
    del facts["us-east-1"]["ecr"]["core"]
    with pytest.raises(KeyError):
        pl.deploy_targets(lab_pipeline(), "CrossRegionDeploy", "P", REGION, "core", facts, ["us-east-1"],
                          ["us-east-1"], [], [], "BuildArtifact")

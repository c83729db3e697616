"""The pipeline_cross_region role against the emulator, with mm_regions given as vars.

Each test builds the workshop's primary CI/CD (two repositories holding a
single-region buildspec, two pipelines Source/Build_Docker_Container/Deploy
with one artifactStore) with boto3, then runs the role on the primary host.
"""
import json
import os
import re

import yaml

from ansible_collections.mysfits.multi_region.plugins.module_utils import pipeline as pl
from tests.integration.harness import run_playbook
from tests.integration.test_codepipeline_stage import assert_secure_bucket, make_pipeline

PRIMARY = "us-west-2"
STACK = "mm-primary-region"
SERVICES = {"core": ("CorePipeline-%s" % STACK, "core-service-%s" % STACK, "service"),
            "like": ("LikePipeline-%s" % STACK, "like-service-%s" % STACK, "like-service")}
SINGLE_REGION_BUILDSPEC = b"""version: 0.2
phases:
  build:
    commands:
      - docker build -t "$REPOSITORY_URI:latest" .
artifacts:
  files:
    - imagedefinitions_primary.json
"""


def account(aws):
    return aws.client("sts").get_caller_identity()["Account"]


def ecr_uri(aws, region, name):
    return "%s.dkr.ecr.%s.amazonaws.com/%s" % (account(aws), region, name)


def region_facts(aws, region, role, same_names=False):
    prefix = STACK if (role == "primary" or same_names) else "mm-secondary-region"
    return {
        "region": region, "role": role, "account": account(aws),
        "stack_name": STACK if role == "primary" else "mm-secondary-region", "stack_status": "CREATE_COMPLETE",
        "outputs": {}, "cluster": "Cluster-%s" % prefix if role == "primary" else "Cluster-mm-secondary-region",
        "services": {"core": "CoreEcsService-%s" % region, "like": "LikeEcsService-%s" % region},
        "ecr": {"core": ecr_uri(aws, region, "%s-mythicalservicerepo" % prefix),
                "like": ecr_uri(aws, region, "%s-likeservicerepo" % prefix),
                "xray": ecr_uri(aws, region, "%s-xrayrepo" % prefix)},
    }


def primary_environment(aws):
    cc = aws.client("codecommit")
    for name, (pipeline, repository, _) in SERVICES.items():
        cc.create_repository(repositoryName=repository)
        cc.put_file(repositoryName=repository, branchName="master", filePath="buildspec_prod.yml",
                    fileContent=SINGLE_REGION_BUILDSPEC, commitMessage="initial")
    originals = {}
    for name, (pipeline, repository, _) in SERVICES.items():
        originals[name] = make_pipeline(aws, name=pipeline, repository=repository)
    return originals


def run_role(aws, tmp_path, secondaries, extra_vars=None, check=False, same_names=False, published=None):
    """The role on the primary host of an inventory with ``secondaries``; ``published``: the secondary regions
    with facts in mm_regions (default: every one; the others are regions whose stack step failed)."""
    facts = {PRIMARY: region_facts(aws, PRIMARY, "primary")}
    for region in (secondaries if published is None else published):
        facts[region] = region_facts(aws, region, "secondary", same_names)
    inventory = {"regions": {"children": {"primary": {"hosts": {PRIMARY: None}},
                                          "secondary": {"hosts": {r: None for r in secondaries}}},
                             "vars": {"ansible_connection": "local",
                                      "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = [{"hosts": "primary", "gather_facts": False, "vars": {"mm_regions": facts},
             "roles": [{"role": "mysfits.multi_region.pipeline_cross_region"}]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    run = run_playbook(str(tmp_path / "play.yml"), aws.env(PRIMARY), inventory=str(tmp_path / "inventory.yml"),
                       extra_vars=extra_vars, check=check)
    return run, facts


def recap(run):
    match = re.search(r"%s\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)" % PRIMARY, run.stdout)
    assert match, run
    return {"ok": int(match.group(1)), "changed": int(match.group(2)), "failed": int(match.group(4))}


def buildspec(aws, repository):
    text = aws.client("codecommit").get_file(repositoryName=repository, commitSpecifier="master",
                                             filePath="buildspec_prod.yml")["fileContent"]
    return yaml.safe_load(text)


def latest_execution(aws, pipeline):
    return aws.client("codepipeline").list_pipeline_executions(pipelineName=pipeline)["pipelineExecutionSummaries"][0]


def test_lab_case_then_idempotent(aws, tmp_path):
    originals = primary_environment(aws)
    run, facts = run_role(aws, tmp_path, ["us-east-1"])
    assert run.rc == 0, run
    cp = aws.client("codepipeline")
    for name, (pipeline, repository, container) in SERVICES.items():
        declaration = cp.get_pipeline(name=pipeline)["pipeline"]
        assert [s["name"] for s in declaration["stages"]] == ["Source", "Build_Docker_Container", "Deploy",
                                                              "CrossRegionDeploy"]
        assert declaration["stages"][:3] == originals[name]["stages"]
        (action,) = declaration["stages"][3]["actions"]
        assert action["name"] == "CrossRegionDeploy" and action["region"] == "us-east-1"
        assert action["actionTypeId"] == {"category": "Deploy", "owner": "AWS", "provider": "ECS", "version": "1"}
        assert action["inputArtifacts"] == [{"name": "BuildArtifact"}]
        assert action["configuration"] == {"ClusterName": "Cluster-mm-secondary-region",
                                           "ServiceName": facts["us-east-1"]["services"][name],
                                           "FileName": "imagedefinitions_secondary.json"}
        bucket = pl.artifact_bucket_name(pipeline, account(aws), "us-east-1")
        assert declaration["artifactStores"] == {PRIMARY: originals[name]["artifactStore"],
                                                 "us-east-1": {"type": "S3", "location": bucket}}
        assert_secure_bucket(aws, bucket, "us-east-1")
        spec = buildspec(aws, repository)
        variables = spec["env"]["variables"]
        assert variables["PRIMARY_REPOSITORY_URI"] == facts[PRIMARY]["ecr"][name]
        assert variables["SECONDARY_1_REPOSITORY_URI"] == facts["us-east-1"]["ecr"][name]
        assert variables["SECONDARY_1_REGION"] == "us-east-1" and variables["CONTAINER_NAME"] == container
        assert spec["artifacts"]["files"] == ["imagedefinitions_primary.json", "imagedefinitions_secondary.json"]
        head = aws.client("codecommit").get_branch(repositoryName=repository, branchName="master")["branch"]["commitId"]
        execution = latest_execution(aws, pipeline)
        assert execution["status"] == "Succeeded"
        assert [s["revisionId"] for s in execution["sourceRevisions"]] == [head]

    mark = aws.control.last_seq()
    again, _ = run_role(aws, tmp_path, ["us-east-1"])
    assert again.rc == 0, again
    assert recap(again)["changed"] == 0
    assert aws.control.mutating_calls(since=mark) == []


def test_check_mode_makes_no_mutating_call(aws, tmp_path):
    originals = primary_environment(aws)
    mark = aws.control.last_seq()
    run, _ = run_role(aws, tmp_path, ["us-east-1"], check=True)
    assert run.rc == 0, run
    assert recap(run)["changed"] >= 4  # two stages and two buildspecs would change
    assert aws.control.mutating_calls(since=mark) == []
    for name, (pipeline, _, _) in SERVICES.items():
        assert aws.client("codepipeline").get_pipeline(name=pipeline)["pipeline"] == originals[name]


def test_two_secondary_regions(aws, tmp_path):
    primary_environment(aws)
    run, facts = run_role(aws, tmp_path, ["us-east-1", "eu-west-1"], extra_vars={"pipeline_cross_region_wait": False})
    assert run.rc == 0, run
    pipeline, repository, _ = SERVICES["core"]
    declaration = aws.client("codepipeline").get_pipeline(name=pipeline)["pipeline"]
    actions = {a["name"]: a for a in declaration["stages"][3]["actions"]}
    assert sorted(actions) == ["CrossRegionDeploy-eu-west-1", "CrossRegionDeploy-us-east-1"]
    for region in ("us-east-1", "eu-west-1"):
        assert actions["CrossRegionDeploy-%s" % region]["region"] == region
        assert actions["CrossRegionDeploy-%s" % region]["configuration"]["FileName"] == "imagedefinitions_%s.json" % region
    assert set(declaration["artifactStores"]) == {PRIMARY, "us-east-1", "eu-west-1"}
    spec = buildspec(aws, repository)
    assert sorted(spec["artifacts"]["files"]) == sorted(["imagedefinitions_primary.json",
                                                          "imagedefinitions_us-east-1.json",
                                                          "imagedefinitions_eu-west-1.json"])
    assert {spec["env"]["variables"]["SECONDARY_%d_REPOSITORY_URI" % i] for i in (1, 2)} == {
        facts["us-east-1"]["ecr"]["core"], facts["eu-west-1"]["ecr"]["core"]}


def test_failed_cross_region_action_fails_the_role_with_its_message(aws, tmp_path):
    primary_environment(aws)
    # the stage must exist for fail-next to name its action: add it first without waiting
    run, _ = run_role(aws, tmp_path, ["us-east-1"], extra_vars={"pipeline_cross_region_wait": False})
    assert run.rc == 0, run
    aws.control.post("codepipeline/fail-next", {"pipeline": SERVICES["like"][0], "stage": "CrossRegionDeploy",
                                                "action": "CrossRegionDeploy",
                                                "message": "ECS service LikeEcsService did not stabilize"})
    run, _ = run_role(aws, tmp_path, ["us-east-1"], extra_vars={"pipeline_cross_region_deploy": True})
    assert run.rc != 0
    assert "CrossRegionDeploy/CrossRegionDeploy: ECS service LikeEcsService did not stabilize" in run.stdout
    assert latest_execution(aws, SERVICES["core"][0])["status"] == "Succeeded"


def test_nothing_changed_and_deploy_asked_starts_the_pipelines(aws, tmp_path):
    primary_environment(aws)
    assert run_role(aws, tmp_path, ["us-east-1"], extra_vars={"pipeline_cross_region_wait": False})[0].rc == 0
    mark = aws.control.last_seq()
    run, _ = run_role(aws, tmp_path, ["us-east-1"], extra_vars={"pipeline_cross_region_deploy": True})
    assert run.rc == 0, run
    started = [c for c in aws.control.mutating_calls(since=mark)]
    assert sorted(c["operation"] for c in started) == ["StartPipelineExecution", "StartPipelineExecution"]
    for pipeline, _, _ in SERVICES.values():
        execution = latest_execution(aws, pipeline)
        assert execution["status"] == "Succeeded" and execution["trigger"]["triggerType"] == "StartPipelineExecution"


def test_ecr_replication_needs_same_repository_names(aws, tmp_path):
    primary_environment(aws)
    mark = aws.control.last_seq()
    run, _ = run_role(aws, tmp_path, ["us-east-1"], extra_vars={"pipeline_cross_region_image_replication":
                                                                 "ecr_replication"})
    assert run.rc != 0
    assert "replication copies an image into the repository of the same name" in " ".join(run.stdout.split())
    assert aws.control.mutating_calls(since=mark) == []


def test_ecr_replication_with_same_names_replicates_and_pushes_once(aws, tmp_path):
    primary_environment(aws)
    run, facts = run_role(aws, tmp_path, ["us-east-1"], same_names=True,
                          extra_vars={"pipeline_cross_region_image_replication": "ecr_replication"})
    assert run.rc == 0, run
    rules = aws.client("ecr").describe_registry()["replicationConfiguration"]["rules"]
    assert rules == [{"destinations": [{"region": "us-east-1", "registryId": account(aws)}],
                      "repositoryFilters": [
                          {"filter": "%s-mythicalservicerepo" % STACK, "filterType": "PREFIX_MATCH"},
                          {"filter": "%s-likeservicerepo" % STACK, "filterType": "PREFIX_MATCH"}]}]
    commands = buildspec(aws, SERVICES["core"][1])["phases"]["post_build"]["commands"]
    assert [c for c in commands if c.startswith("docker push")] == ['docker push "$PRIMARY_REPOSITORY_URI:$IMAGE_TAG"']


def test_teardown_takes_the_regions_out_of_the_replication_rule_exactly(aws, tmp_path):
    """Teardown with ecr_replication (issue 14, exact inverse): each region taken out leaves the rule, the rule goes
    with its last destination, and the registry's configuration is what it was before the collection."""
    primary_environment(aws)
    ecr = aws.client("ecr")
    theirs = {"rules": [{"destinations": [{"region": "eu-central-1", "registryId": account(aws)}],
                         "repositoryFilters": [{"filter": "team-", "filterType": "PREFIX_MATCH"}]}]}
    ecr.put_replication_configuration(replicationConfiguration=theirs)
    before = ecr.describe_registry()["replicationConfiguration"]
    replication = {"pipeline_cross_region_image_replication": "ecr_replication", "pipeline_cross_region_wait": False}
    run, _ = run_role(aws, tmp_path, ["us-east-1", "eu-west-1"], same_names=True, extra_vars=replication)
    assert run.rc == 0, run.stdout[-3000:]
    rules = ecr.describe_registry()["replicationConfiguration"]["rules"]
    assert len(rules) == 2 and rules[0] == theirs["rules"][0]
    assert sorted(d["region"] for d in rules[1]["destinations"]) == ["eu-west-1", "us-east-1"]
    run, _ = run_role(aws, tmp_path, ["us-east-1", "eu-west-1"], same_names=True, extra_vars=dict(
        replication, pipeline_cross_region_inventory_regions=["eu-west-1"],
        pipeline_cross_region_absent_regions=["us-east-1"]))
    assert run.rc == 0, run
    rules = ecr.describe_registry()["replicationConfiguration"]["rules"]
    assert [d["region"] for d in rules[1]["destinations"]] == ["eu-west-1"] and rules[0] == theirs["rules"][0]
    run, _ = run_role(aws, tmp_path, ["eu-west-1"], same_names=True, extra_vars=dict(
        replication, pipeline_cross_region_inventory_regions=[], pipeline_cross_region_absent_regions=["eu-west-1"]))
    assert run.rc == 0, run
    assert ecr.describe_registry()["replicationConfiguration"] == before


def stage_actions(aws, pipeline):
    declaration = aws.client("codepipeline").get_pipeline(name=pipeline)["pipeline"]
    (stage,) = [s for s in declaration["stages"] if s["name"] == "CrossRegionDeploy"]
    return {a["region"]: (a["name"], a["configuration"]["FileName"]) for a in stage["actions"]}


def test_adding_a_region_renames_no_other(aws, tmp_path):
    """Names are found in the stage, not recomputed from the number of regions (issue 14)."""
    primary_environment(aws)
    run, _ = run_role(aws, tmp_path, ["us-east-1"], extra_vars={"pipeline_cross_region_wait": False})
    assert run.rc == 0, run
    run, facts = run_role(aws, tmp_path, ["us-east-1", "eu-west-1"], extra_vars={"pipeline_cross_region_wait": False})
    assert run.rc == 0, run
    for name, (pipeline, repository, _) in SERVICES.items():
        assert stage_actions(aws, pipeline) == {
            "us-east-1": ("CrossRegionDeploy", "imagedefinitions_secondary.json"),
            "eu-west-1": ("CrossRegionDeploy-eu-west-1", "imagedefinitions_eu-west-1.json")}
        spec = buildspec(aws, repository)
        assert sorted(spec["artifacts"]["files"]) == ["imagedefinitions_eu-west-1.json",
                                                      "imagedefinitions_primary.json",
                                                      "imagedefinitions_secondary.json"]
        variables = spec["env"]["variables"]
        written = {variables["SECONDARY_%d_REGION" % i]: variables["SECONDARY_%d_IMAGEDEFINITIONS" % i] for i in (1, 2)}
        assert written == {"us-east-1": "imagedefinitions_secondary.json", "eu-west-1": "imagedefinitions_eu-west-1.json"}
        assert variables["SECONDARY_1_REPOSITORY_URI"] in (facts["us-east-1"]["ecr"][name], facts["eu-west-1"]["ecr"][name])


def test_region_without_facts_keeps_everything_and_the_buildspec_stays(aws, tmp_path):
    """A region of the inventory whose stack step failed (no facts) loses nothing; no buildspec commit, no run."""
    primary_environment(aws)
    run, _ = run_role(aws, tmp_path, ["us-east-1", "eu-west-1"], extra_vars={"pipeline_cross_region_wait": False})
    assert run.rc == 0, run
    cp = aws.client("codepipeline")
    before = {p: cp.get_pipeline(name=p)["pipeline"] for p, _, _ in SERVICES.values()}
    specs = {r: buildspec(aws, r) for _, r, _ in SERVICES.values()}
    mark = aws.control.last_seq()
    run, _ = run_role(aws, tmp_path, ["us-east-1", "eu-west-1"], published=["us-east-1"])
    assert run.rc != 0
    assert "eu-west-1: no stack outputs in this run" in " ".join(run.stdout.split())
    assert aws.control.mutating_calls(since=mark) == []
    for pipeline, repository, _ in SERVICES.values():
        assert cp.get_pipeline(name=pipeline)["pipeline"] == before[pipeline]
        assert buildspec(aws, repository) == specs[repository]


def test_region_left_out_of_the_inventory_is_not_removed(aws, tmp_path):
    """Only teardown removes: a region with actions that the inventory no longer lists keeps them."""
    primary_environment(aws)
    run, _ = run_role(aws, tmp_path, ["us-east-1", "eu-west-1"], extra_vars={"pipeline_cross_region_wait": False})
    assert run.rc == 0, run
    cp = aws.client("codepipeline")
    before = {p: cp.get_pipeline(name=p)["pipeline"] for p, _, _ in SERVICES.values()}
    mark = aws.control.last_seq()
    run, _ = run_role(aws, tmp_path, ["us-east-1"])
    assert run.rc != 0
    assert "eu-west-1: has deploy actions in" in " ".join(run.stdout.split())
    assert aws.control.mutating_calls(since=mark) == []
    for pipeline, _, _ in SERVICES.values():
        assert cp.get_pipeline(name=pipeline)["pipeline"] == before[pipeline]


def test_absent_regions_remove_exactly_their_actions(aws, tmp_path):
    """Teardown's path: the named region's actions go (absent_actions); the other keeps its names."""
    primary_environment(aws)
    run, _ = run_role(aws, tmp_path, ["us-east-1"], extra_vars={"pipeline_cross_region_wait": False})
    assert run.rc == 0, run
    run, _ = run_role(aws, tmp_path, ["us-east-1", "eu-west-1"], extra_vars={"pipeline_cross_region_wait": False})
    assert run.rc == 0, run
    run, _ = run_role(aws, tmp_path, ["us-east-1", "eu-west-1"],
                      extra_vars={"pipeline_cross_region_wait": False,
                                  "pipeline_cross_region_inventory_regions": ["eu-west-1"],
                                  "pipeline_cross_region_absent_regions": ["us-east-1"]})
    assert run.rc == 0, run
    for pipeline, repository, _ in SERVICES.values():
        assert stage_actions(aws, pipeline) == {
            "eu-west-1": ("CrossRegionDeploy-eu-west-1", "imagedefinitions_eu-west-1.json")}
        spec = buildspec(aws, repository)
        assert spec["artifacts"]["files"] == ["imagedefinitions_primary.json", "imagedefinitions_eu-west-1.json"]


def test_taking_out_the_last_region_restores_the_buildspec_byte_for_byte(aws, tmp_path):
    """Teardown of the last secondary: the buildspec is put back as it was (a restoring commit), once."""
    primary_environment(aws)
    cc = aws.client("codecommit")
    original = {r: cc.get_file(repositoryName=r, commitSpecifier="master", filePath="buildspec_prod.yml")["fileContent"]
                for _, r, _ in SERVICES.values()}
    run, _ = run_role(aws, tmp_path, ["us-east-1"], extra_vars={"pipeline_cross_region_wait": False})
    assert run.rc == 0, run
    assert all(buildspec(aws, r) != yaml.safe_load(original[r]) for r in original)
    absent = {"pipeline_cross_region_wait": False, "pipeline_cross_region_inventory_regions": [],
              "pipeline_cross_region_absent_regions": ["us-east-1"]}
    run, _ = run_role(aws, tmp_path, ["us-east-1"], extra_vars=absent)
    assert run.rc == 0, run
    for repository, content in original.items():
        head = cc.get_file(repositoryName=repository, commitSpecifier="master", filePath="buildspec_prod.yml")
        assert head["fileContent"] == content, repository
        commit = cc.get_commit(repositoryName=repository, commitId=head["commitId"])["commit"]
        assert commit["message"].strip() == "Restore the buildspec as it was before mysfits.multi_region"
    mark = aws.control.last_seq()
    again, _ = run_role(aws, tmp_path, ["us-east-1"], extra_vars=absent)
    assert again.rc == 0, again
    assert [c["operation"] for c in aws.control.mutating_calls(since=mark) if c["service"] == "codecommit"] == []

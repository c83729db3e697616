"""README step 3 as written: a copy of inventory/regions.yml (no group_vars) that sets nothing but the regions and
mm_primary_stack_name runs the site playbook; names come from discovery, not from inventory defaults.

One emulator for the module (the primary fixture built once), like test_site_playbook.
"""
import json
import os
import re
import shutil

import pytest
import yaml

from tests.conftest import FAST_TIMING
from tests.emulator.client import EmulatorProcess
from tests.integration.harness import REPO_ROOT, run_playbook

SITE = "playbooks/multi_region.yml"
PRIMARY = "us-west-2"
SECONDARY = "us-east-1"


class World:
    def __init__(self, tmp):
        self.tmp = str(tmp)
        self.emulator = EmulatorProcess(timing=FAST_TIMING).start()

    def client(self, service, region=PRIMARY):
        import boto3
        return boto3.client(service, region_name=region, endpoint_url=self.emulator.endpoint,
                            aws_access_key_id="AKIAEMULATOR0000TEST",
                            aws_secret_access_key="emulator-dummy-secret-key-do-not-use")

    def inventory(self, name, **variables):
        """inventory/regions.yml copied alone into a folder of its own, with ``variables`` added to its vars."""
        folder = os.path.join(self.tmp, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "regions.yml")
        shutil.copy(os.path.join(REPO_ROOT, "inventory", "regions.yml"), path)
        with open(path) as handle:
            inventory = yaml.safe_load(handle)
        inventory["regions"]["vars"].update(variables)
        with open(path, "w") as handle:
            yaml.safe_dump(inventory, handle)
        assert not os.path.exists(os.path.join(folder, "group_vars"))
        return path

    def play(self, inventory, **kwargs):
        extra = {"readiness_report_dir": os.path.join(self.tmp, "reports")}
        return run_playbook(SITE, self.emulator.env(), inventory=inventory, extra_vars=extra, **kwargs)

    def mark(self):
        return self.emulator.client.last_seq()

    def mutating(self, since):
        return [c for c in self.emulator.client.calls(since=since) if c["mutating"]]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    site = World(tmp_path_factory.mktemp("readme"))
    try:
        run = run_playbook("tests/fixture/primary.yml", site.emulator.env())
        assert run.rc == 0, run
        yield site
    finally:
        site.emulator.stop()


def test_a_dashboard_that_does_not_exist_stops_preflight_listing_the_dashboards(world):
    inventory = world.inventory("dashboard", mm_primary_stack_name="mm-primary-region",
                                mm_dashboard_name="ReInvent-App-Dashboard")
    since = world.mark()
    run = world.play(inventory)
    assert run.rc != 0, run
    text = re.sub(r"\s+", " ", run.stdout)
    assert "The dashboard ReInvent-App-Dashboard does not exist" in text
    assert "Dashboards there: MythicalMysfits-Dashboard" in text
    assert "PLAY [Start the secondary stacks and the table's replicas]" not in run.stdout
    assert world.mutating(since) == []


def test_check_mode_plans_with_discovered_and_planned_names(world):
    inventory = world.inventory("check", mm_primary_stack_name="mm-primary-region")
    since = world.mark()
    run = world.play(inventory, check=True, diff=True)
    assert run.rc == 0, run
    assert world.mutating(since) == []
    assert "Would create the stack mm-secondary-region in us-east-1." in run.stdout
    # The cross-region stage names the service the secondary stack will have, planned from the primary's template.
    assert re.search(r"^\+\s+ServiceName: CoreEcsService-mm-secondary-region$", run.stdout, re.MULTILINE), run


def test_readme_step_3_copy_of_regions_yml_converges(world):
    inventory = world.inventory("converge", mm_primary_stack_name="mm-primary-region")
    run = world.play(inventory)
    assert run.rc == 0, run
    secondary = world.client("cloudformation", SECONDARY).describe_stacks(
        StackName="mm-secondary-region")["Stacks"][0]
    assert secondary["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in secondary["Outputs"]}
    stage = [s for s in world.client("codepipeline").get_pipeline(name="CorePipeline-mm-primary-region")
             ["pipeline"]["stages"] if s["name"] == "CrossRegionDeploy"]
    assert stage, "no CrossRegionDeploy stage"
    config = stage[0]["actions"][0]["configuration"]
    assert config["ServiceName"] == outputs["CoreServiceName"]
    assert config["ClusterName"] == outputs["EcsClusterName"]


# ------------------------------------------------------------------------------------------ the workshop's world

@pytest.fixture(scope="module")
def workshop_world(tmp_path_factory):
    from tests.fixture import workshop

    site = World(tmp_path_factory.mktemp("readme-workshop"))
    saved = dict(os.environ)
    try:
        os.environ.update(site.emulator.env())
        site.summary = workshop.build(region=PRIMARY, log=lambda message: None)
        # As the workshop left them, to compare with after the teardown.
        site.summary_declarations = {service: site.client("codepipeline").get_pipeline(name=name)["pipeline"]
                                     for service, name in site.summary["pipelines"].items()}
        site.summary_buildspecs = {}
        for repository in site.summary["repositories"].values():
            site.summary_buildspecs[repository] = site.client("codecommit").get_file(
                repositoryName=repository, commitSpecifier="master", filePath="buildspec_prod.yml")["fileContent"]
        yield site
    finally:
        os.environ.clear()
        os.environ.update(saved)
        site.emulator.stop()


def test_the_workshop_world_converges_with_only_the_regions_and_the_stack_name(workshop_world):
    world = workshop_world
    # README step 3: the regions and mm_primary_stack_name; the Lab 2 dashboard is found by what it draws
    inventory = world.inventory("workshop", mm_primary_stack_name=world.summary["stack_name"])
    cloudwatch = world.client("cloudwatch")

    def dashboard():
        return json.loads(cloudwatch.get_dashboard(DashboardName=world.summary["dashboard"])["DashboardBody"])

    before = dashboard()
    check = world.play(inventory, check=True, diff=True)
    assert check.rc == 0, check
    run = world.play(inventory)
    assert run.rc == 0, run
    cfn = world.client("cloudformation", SECONDARY)
    secondary = cfn.describe_stacks(StackName="mm-secondary-region")["Stacks"][0]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in secondary["Parameters"]}
    assert parameters["IsDrRegion"] == "true"
    services = {r["LogicalResourceId"]: r["PhysicalResourceId"].rsplit("/", 1)[-1]
                for r in cfn.list_stack_resources(StackName="mm-secondary-region")["StackResourceSummaries"]
                if r["ResourceType"] == "AWS::ECS::Service"}
    declaration = world.client("codepipeline").get_pipeline(name=world.summary["pipelines"]["core"])["pipeline"]
    stage = [s for s in declaration["stages"] if s["name"] == "CrossRegionDeploy"]
    assert stage, "no CrossRegionDeploy stage"
    assert stage[0]["actions"][0]["configuration"]["ServiceName"] == services["CoreEcsService"]
    # the Lab 2 dashboard was found and extended (the secondary region drawn), its widgets kept
    extended = dashboard()
    assert SECONDARY in json.dumps(extended)
    titles = [w["properties"].get("title") for w in extended["widgets"]]
    assert all(w["properties"]["title"] in titles for w in before["widgets"]), titles
    again = world.play(inventory)
    assert again.rc == 0, again
    assert all(counts["changed"] == 0 for counts in _recap(again.stdout).values()), again.stdout[-3000:]

    # verify.yml on its own (as a user runs it later): every check passes with the discovered names.
    reports = os.path.join(world.tmp, "verify-reports")
    verify = run_playbook("playbooks/verify.yml", world.emulator.env(), inventory=inventory,
                          extra_vars={"readiness_report_dir": reports})
    assert verify.rc == 0, verify
    with open(os.path.join(reports, "readiness.md")) as handle:
        report = handle.read()
    assert "**FAIL**" not in report, report
    assert "service core tasks" in report and "HTTP /mysfits" in report, report

    # teardown.yml: the exact inverse - the secondary stack, the stage and the artifact stores go, the
    # buildspecs are byte for byte what the workshop's bootstrap committed.
    teardown = run_playbook("playbooks/teardown.yml", world.emulator.env(), inventory=inventory,
                            extra_vars={"confirm_teardown": SECONDARY})
    assert teardown.rc == 0, teardown
    assert [s["StackName"] for s in cfn.describe_stacks()["Stacks"] if s["StackStatus"] != "DELETE_COMPLETE"] == []
    for service, pipeline in world.summary["pipelines"].items():
        after = world.client("codepipeline").get_pipeline(name=pipeline)["pipeline"]
        assert [s["name"] for s in after["stages"]] == [s["name"] for s in world.summary_declarations[service]["stages"]]
        assert ("artifactStores" in after) == ("artifactStores" in world.summary_declarations[service])
    cc = world.client("codecommit")
    for repository, content in world.summary_buildspecs.items():
        assert cc.get_file(repositoryName=repository, commitSpecifier="master",
                           filePath="buildspec_prod.yml")["fileContent"] == content, repository
    # the dashboard as Lab 2 left it: the same widgets, each with the properties it had
    assert [w["properties"] for w in dashboard()["widgets"]] == [w["properties"] for w in before["widgets"]]


def _recap(stdout):
    section = stdout[stdout.rindex("PLAY RECAP"):]
    return {host: {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", fields)}
            for host, fields in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", section, re.MULTILINE)}

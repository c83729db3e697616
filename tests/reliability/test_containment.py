"""One region's failure never undoes another, and teardown is an exact inverse (issue 14).

One emulator for the whole scenario (module-scoped), two secondary regions (us-east-1, eu-west-1) in an
inventory written to a temporary folder, with the lab's group_vars beside it:

1. the primary fixture; snapshot S0 (the account before the collection);
2. a good converge; snapshot S1;
3. every request to eu-west-1 is refused (access denied), then answered with HTTP 500: nothing changes
   anywhere, the run ends non-zero naming eu-west-1 (the emulator's per-region fault rules);
4. eu-west-1's stack fails: it is gone (deleted behind the collection's back) and its new create rolls back
   (the emulator's ``cloudformation/fail-next``); a second converge; snapshot S2. Everything the collection
   made for eu-west-1 (its deploy actions, artifact store, buildspec lines, dashboard widgets and rows,
   replica) is untouched, us-east-1 is still complete, no buildspec commit and no pipeline execution was
   started, and the run ends non-zero with a per-region summary and a readiness report naming eu-west-1;
5. a converge that recreates the rolled-back stack (``secondary_stack_recreate_rolled_back``), then the
   teardown of each secondary region: the pipelines, the dashboard, the buckets, the table's replicas and
   the stacks are as in S0.

No ``readiness_report_dir`` is given and ``PWD`` points elsewhere: the report goes beside the inventory.
"""
import json
import os
import shutil
import time

import pytest

from tests.conftest import FAST_TIMING
from tests.emulator.client import EmulatorProcess
from tests.integration.harness import REPO_ROOT, run_playbook, write_regions_inventory
from tests.reliability import runner, state

PRIMARY = "us-west-2"
HEALTHY = "us-east-1"
FAILING = "eu-west-1"
SECONDARIES = (HEALTHY, FAILING)
SECONDARY_STACK = "mm-secondary-region"
SITE = "playbooks/multi_region.yml"
TEARDOWN = "playbooks/teardown.yml"
PIPELINES = ("CorePipeline-mm-primary-region", "LikePipeline-mm-primary-region")
DASHBOARD = "MythicalMysfits-Dashboard"
FAULT_KINDS = ("access_denied", "http500")
CHANGING = ("PutFile", "StartPipelineExecution", "UpdatePipeline", "PutDashboard", "DeleteBucket", "DeletePipeline",
            "DeleteDashboards", "UpdateTable", "DeleteStack")


class World:
    def __init__(self, tmp):
        self.tmp = tmp
        self.emulator = EmulatorProcess(timing=FAST_TIMING).start()
        self.control = self.emulator.client
        folder = tmp / "inventory"
        folder.mkdir()
        shutil.copytree(os.path.join(REPO_ROOT, "inventory", "group_vars"), folder / "group_vars")
        self.inventory = write_regions_inventory(str(folder / "regions.yml"), PRIMARY, list(SECONDARIES))
        self.reports = folder / "reports"

    def client(self, service, region=PRIMARY):
        return runner.client_factory(self.emulator.endpoint)(service, region)

    def play(self, playbook, extra_vars=None):
        # PWD names a folder that is not the inventory's: the report must not follow it.
        run = run_playbook(playbook, self.emulator.env(), inventory=self.inventory, extra_vars=extra_vars,
                           env={"PWD": str(self.tmp / "elsewhere")})
        self.runs = getattr(self, "runs", 0) + 1
        (self.tmp / ("run-%d.out" % self.runs)).write_text(run.stdout + "\n" + run.stderr)
        return run

    def snapshot(self, tokens=None):
        return state.snapshot(runner.client_factory(self.emulator.endpoint), secondaries=SECONDARIES, tokens=tokens)

    def tokens(self):
        return state.stack_tokens(runner.client_factory(self.emulator.endpoint), secondaries=SECONDARIES)

    def executions(self):
        cp = self.client("codepipeline")
        return {name: len(cp.list_pipeline_executions(pipelineName=name)["pipelineExecutionSummaries"])
                for name in PIPELINES}

    def delete_stack(self, region):
        cfn = self.client("cloudformation", region)
        # The pipelines pushed images into the stack's repositories: CloudFormation cannot delete an ECR
        # repository that holds images (RepositoryNotEmptyException), so they go first, as teardown does.
        ecr = self.client("ecr", region)
        for resource in cfn.list_stack_resources(StackName=SECONDARY_STACK)["StackResourceSummaries"]:
            if resource["ResourceType"] == "AWS::ECR::Repository":
                images = ecr.list_images(repositoryName=resource["PhysicalResourceId"])["imageIds"]
                if images:
                    ecr.batch_delete_image(repositoryName=resource["PhysicalResourceId"], imageIds=images)
        cfn.delete_stack(StackName=SECONDARY_STACK)
        deadline = time.time() + 60
        while time.time() < deadline:
            stacks = [s for s in cfn.list_stacks()["StackSummaries"]
                      if s["StackName"] == SECONDARY_STACK and s["StackStatus"] != "DELETE_COMPLETE"]
            if not stacks:
                return
            time.sleep(0.2)
        raise AssertionError("the stack in %s was not deleted" % region)


def without_stack(snapshot, region):
    """The snapshot without one region's secondary stack (the step that fails on purpose)."""
    copy = json.loads(json.dumps(snapshot))
    copy["stacks"].pop("%s/%s" % (region, SECONDARY_STACK), None)
    return copy


def summary_text(stdout):
    """The output of the summary play, whitespace collapsed (the callback may wrap long lines)."""
    assert "PLAY [Per-region summary]" in stdout, "no per-region summary in the output"
    return " ".join(stdout[stdout.rindex("PLAY [Per-region summary]"):].split())


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = World(tmp_path_factory.mktemp("containment"))
    try:
        runner.build_primary(world.emulator.env())
        world.s0 = world.snapshot()
        world.first = world.play(SITE)
        assert world.first.rc == 0, "\n".join(runner.failures(world.first.stdout)) + repr(world.first)
        world.s1 = world.snapshot()
        world.first_report = (world.reports / "readiness.md").read_text()

        # A region that refuses every request (access denied), then one that answers none (HTTP 500 for every
        # request, after botocore's retries): nothing anywhere changes, the run ends non-zero naming it.
        world.unanswering = {}
        for kind in FAULT_KINDS:
            world.control.set_faults([{"service": "*", "region": FAILING, "rate": 1.0, "error": kind}])
            mark = world.control.last_seq()
            try:
                run = world.play(SITE)
            finally:
                world.control.clear_faults()
            world.unanswering[kind] = (run, world.control.calls(since=mark), world.snapshot())

        # The failing region's stack goes: what still names its resources is normalised as in S1.
        world.s1_tokens = world.tokens()
        world.delete_stack(FAILING)
        world.control.post("cloudformation/fail-next", {"stack": SECONDARY_STACK, "resource": "PublicLoadBalancer",
                                                         "reason": "quota of load balancers reached",
                                                         "region": FAILING})
        world.executions_before = world.executions()
        world.mark = world.control.last_seq()
        world.second = world.play(SITE)
        world.second_calls = world.control.calls(since=world.mark)
        world.s2 = world.snapshot(tokens=world.s1_tokens)
        world.second_report = (world.reports / "readiness.md").read_text()
        world.executions_after = world.executions()
        yield world
    finally:
        world.emulator.stop()


def test_first_converge_sets_up_both_regions_with_stable_names(world):
    for name in PIPELINES:
        stage = [s for s in world.s1["pipelines"][name]["stages"] if s["name"] == "CrossRegionDeploy"]
        assert len(stage) == 1, world.s1["pipelines"][name]
        actions = {a["region"]: (a["name"], a["configuration"]["FileName"]) for a in stage[0]["actions"]}
        assert actions == {r: ("CrossRegionDeploy-%s" % r, "imagedefinitions_%s.json" % r) for r in SECONDARIES}
    assert "us-east-1" in world.first_report and "eu-west-1" in world.first_report


def test_failed_region_keeps_everything_and_healthy_region_stays_complete(world):
    assert world.s2["stacks"]["%s/%s" % (FAILING, SECONDARY_STACK)]["status"] == "ROLLBACK_COMPLETE"
    # Pipelines (actions, names, stores), buildspecs and their history, dashboards (backup included), buckets,
    # the table and its replicas: all as the good converge left them.
    assert without_stack(world.s2, FAILING) == without_stack(world.s1, FAILING), \
        state.diff(without_stack(world.s1, FAILING), without_stack(world.s2, FAILING))


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_region_that_refuses_or_does_not_answer_changes_nothing(world, kind):
    run, calls, snapshot = world.unanswering[kind]
    assert [c for c in calls if c.get("injected")], "no request to %s was refused" % FAILING
    assert snapshot == world.s1, state.diff(world.s1, snapshot)
    assert [c["operation"] for c in calls if c["operation"] in CHANGING and not c.get("injected")] == []
    assert run.rc != 0
    text = summary_text(run.stdout)
    assert "%s | failed | " % FAILING in text and "%s | ok | " % HEALTHY in text, text
    assert "HostVarsVars" not in run.stdout


def test_no_buildspec_commit_and_no_pipeline_execution_started(world):
    started = [c["operation"] for c in world.second_calls if c["operation"] in CHANGING]
    assert started == []
    assert world.executions_after == world.executions_before


def test_run_ends_non_zero_with_a_per_region_summary(world):
    assert world.second.rc != 0
    text = summary_text(world.second.stdout)
    assert "%s | failed | secondary stack failed: The stack mm-secondary-region in %s is ROLLBACK_COMPLETE" % (
        FAILING, FAILING) in text
    assert "%s | ok | " % HEALTHY in text and "%s | ok | " % PRIMARY in text
    assert "Failed: %s." % FAILING in text


def test_readiness_reports_every_region_beside_the_inventory(world):
    assert "HostVarsVars" not in world.second.stdout
    report = world.second_report
    assert report != world.first_report
    header = [line for line in report.splitlines() if line.startswith("| check |")][0]
    assert PRIMARY in header and HEALTHY in header and FAILING in header
    assert "**FAIL**" in report
    assert not (world.tmp / "elsewhere").exists()


@pytest.fixture(scope="module")
def torn(world):
    world.control.delete("cloudformation/fail-next")
    world.third = world.play(SITE, extra_vars={"secondary_stack_recreate_rolled_back": True})
    assert world.third.rc == 0, "\n".join(runner.failures(world.third.stdout)) + repr(world.third)
    world.s3 = world.snapshot()
    world.teardowns = []
    remaining = list(SECONDARIES)
    for region in SECONDARIES:
        world.teardowns.append(world.play(TEARDOWN, extra_vars={"confirm_teardown": region}))
        # As the teardown playbook says: afterwards, the region leaves the inventory.
        remaining.remove(region)
        write_regions_inventory(world.inventory, PRIMARY, remaining)
    world.s_end = world.snapshot()
    return world


def test_recovered_region_converges_again_with_the_same_names(torn):
    assert torn.s3["pipelines"] == torn.s1["pipelines"], state.diff(torn.s1["pipelines"], torn.s3["pipelines"])


def test_teardown_of_every_region_restores_the_state_before_the_collection(torn):
    for run in torn.teardowns:
        assert run.rc == 0, "\n".join(runner.failures(run.stdout)) + repr(run)
    before, after = torn.s0, torn.s_end
    assert after["pipelines"] == before["pipelines"], state.diff(before["pipelines"], after["pipelines"])
    assert after["buckets"] == before["buckets"], state.diff(before["buckets"], after["buckets"])
    assert after["stacks"] == before["stacks"], state.diff(before["stacks"], after["stacks"])
    assert {r: t and t["replicas"] for r, t in after["table"].items()} == \
        {r: t and t["replicas"] for r, t in before["table"].items()}
    assert after["dashboards"][PRIMARY][DASHBOARD] == before["dashboards"][PRIMARY][DASHBOARD], \
        state.diff(before["dashboards"][PRIMARY][DASHBOARD], after["dashboards"][PRIMARY][DASHBOARD])
    # The buildspecs: the files on each branch as before (their history grows: a restoring commit, not a rewrite).
    files = {name: {branch: b["files"] for branch, b in branches.items()} for name, branches in
             after["repositories"].items()}
    assert files == {name: {branch: b["files"] for branch, b in branches.items()} for name, branches in
                     before["repositories"].items()}, state.diff(before["repositories"], after["repositories"])

"""R2: a converge killed (SIGKILL) part-way, then run again, ends in the fault-free state with nothing doubled.

Each case: a fresh emulator state, the primary fixture, a converge killed at one exact point (see
tests/reliability/interrupt.py for how the point is hit), then an ordinary converge. The state after it must
equal the reference (tests/reliability/conftest.py), and — said explicitly, although the equality implies
it — no stage, action, widget, bucket or commit may be doubled.

Points ("before" = the request never reaches AWS; "after" = AWS applied it, the caller never got the answer):
- ``replica``: after the table's ``UpdateTable`` with ``ReplicaUpdates`` (the replica is being created);
- ``stack_wait``: while the secondary stack is ``CREATE_IN_PROGRESS`` and the playbook waits for it
  (``stack_create_seconds`` raised so that the window exists);
- ``bucket``: after the cross-region artifact bucket's ``CreateBucket``, before its encryption, versioning,
  public access block and policy;
- ``pipeline_write``: between the module's ``GetPipeline`` of a pipeline and its ``UpdatePipeline``;
- ``commit``: after the first ``PutFile`` (a commit on ``master`` whose answer is lost);
- ``dashboard_write``: after the backup dashboard is saved and the module's re-read ``GetDashboard``,
  before the ``PutDashboard`` of the dashboard itself.
"""
import json
from collections import Counter

import pytest

from tests.reliability import interrupt, runner, state

SECONDARY = "us-east-1"
STACK_SECONDS = 20.0  # long enough for the wait play to poll the stack while it is CREATE_IN_PROGRESS


def _json(body):
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return {}


class AfterReplicaRequest(interrupt.KillPoint):
    name = "after the replica request"

    def decide(self, described, body):
        if (described["service"], described["operation"]) == ("dynamodb", "UpdateTable") \
                and "ReplicaUpdates" in _json(body):
            self.context["request"] = _json(body)["ReplicaUpdates"]
            return "after"
        return "forward"


class DuringStackWait(interrupt.KillPoint):
    name = "during the stack wait"
    timing = {"stack_create_seconds": STACK_SECONDS}

    def __init__(self, client):
        super().__init__()
        self.client = client

    def decide(self, described, body):
        started = (SECONDARY, "cloudformation", "CreateStack") in self.seen
        replica_requested = ("us-west-2", "dynamodb", "UpdateTable") in self.seen
        if started and replica_requested and (described["region"], described["service"], described["operation"]) \
                == (SECONDARY, "cloudformation", "DescribeStacks"):
            stack = self.client("cloudformation", SECONDARY).describe_stacks(
                StackName=state.STACKS["secondary"])["Stacks"][0]
            if stack["StackStatus"] == "CREATE_IN_PROGRESS":
                self.context["status"] = stack["StackStatus"]
                return "before"
        return "forward"


class AfterBucketCreate(interrupt.KillPoint):
    name = "after the artifact bucket's CreateBucket"

    def decide(self, described, body):
        if (described["service"], described["operation"]) == ("s3", "CreateBucket"):
            return "after"
        return "forward"


class BeforePipelineWrite(interrupt.KillPoint):
    name = "between the pipeline read and write"

    def __init__(self):
        super().__init__()
        self.last_read = None

    def decide(self, described, body):
        if described["service"] != "codepipeline":
            return "forward"
        if described["operation"] == "GetPipeline":
            self.last_read = _json(body).get("name")
        elif described["operation"] == "UpdatePipeline":
            self.context.update(read=self.last_read, previous=self.seen[-1],
                                written=_json(body).get("pipeline", {}).get("name"))
            return "before"
        return "forward"


class AfterCommit(interrupt.KillPoint):
    name = "after a commit (PutFile) whose answer is lost"

    def decide(self, described, body):
        if (described["service"], described["operation"]) == ("codecommit", "PutFile"):
            self.context["file"] = _json(body).get("filePath")
            return "after"
        return "forward"


class BeforeDashboardWrite(interrupt.KillPoint):
    name = "before the dashboard write"

    def decide(self, described, body):
        # The dashboard's name is in the body as UTF-8 text (JSON or CBOR, whichever botocore speaks).
        if (described["service"], described["operation"]) == ("cloudwatch", "PutDashboard"):
            if b"MythicalMysfits-Dashboard-backup" in body:
                self.context["backup_written"] = True
                return "forward"
            self.context["previous"] = self.seen[-1]
            return "before"
        return "forward"


POINTS = {
    "replica": lambda client: AfterReplicaRequest(),
    "stack_wait": DuringStackWait,
    "bucket": lambda client: AfterBucketCreate(),
    "pipeline_write": lambda client: BeforePipelineWrite(),
    "commit": lambda client: AfterCommit(),
    "dashboard_write": lambda client: BeforeDashboardWrite(),
}


def widget_titles(body):
    return Counter(w.get("properties", {}).get("title") for w in body.get("widgets", []))


def assert_nothing_doubled(snapshot, reference):
    for name, declaration in snapshot["pipelines"].items():
        stages = [s["name"] for s in declaration["stages"]]
        assert len(stages) == len(set(stages)), "%s: a stage twice: %s" % (name, stages)
        for stage in declaration["stages"]:
            actions = [a["name"] for a in stage["actions"]]
            assert len(actions) == len(set(actions)), "%s/%s: an action twice: %s" % (name, stage["name"], actions)
        assert stages == [s["name"] for s in reference["pipelines"][name]["stages"]]
    for region, dashboards in snapshot["dashboards"].items():
        for name, body in dashboards.items():
            assert widget_titles(body) == widget_titles(reference["dashboards"][region][name]), (region, name)
    assert sorted(snapshot["buckets"]) == sorted(reference["buckets"])
    commits = {(repo, branch): data["commits"] for repo, branches in snapshot["repositories"].items()
               for branch, data in branches.items()}
    expected = {(repo, branch): data["commits"] for repo, branches in reference["repositories"].items()
                for branch, data in branches.items()}
    assert commits == expected


@pytest.mark.parametrize("point_name", list(POINTS))
def test_killed_converge_then_converge_again_ends_in_the_reference_state(aws, reference, tmp_path, point_name):
    runner.build_primary(aws.env())
    client = runner.client_factory(aws.endpoint)
    point = POINTS[point_name](client)
    if getattr(point, "timing", None):
        aws.control.set_timing(**point.timing)
    killed_dir = tmp_path / "killed"
    killed_dir.mkdir()
    interrupted = interrupt.converge_until_killed(aws.env(), point, killed_dir)
    print("R2 %s: killed at %s" % (point_name, json.dumps(point.fired, sort_keys=True)))

    assert interrupted.killed and point.fired, "the kill point was never reached: %r" % interrupted
    assert interrupted.returncode == -9, interrupted
    if point_name == "stack_wait":
        assert point.context["status"] == "CREATE_IN_PROGRESS"
    if point_name == "pipeline_write":
        # The kill fell between this pipeline's read and its write.
        assert point.context["previous"] == ("us-west-2", "codepipeline", "GetPipeline")
        assert point.context["read"] == point.context["written"]
    if point_name == "dashboard_write":
        assert point.context.get("backup_written") and point.context["previous"] == (
            "us-west-2", "cloudwatch", "GetDashboard")

    again_dir = tmp_path / "again"
    again_dir.mkdir()
    # judged by the state it leaves (the snapshot), so without the readiness report (it changes nothing)
    run = runner.converge(aws.env(), again_dir, readiness=False)
    assert run.rc == 0, "converge after the kill (%s) failed: %s\n%r" % (
        point_name, "\n".join(runner.failures(run.stdout)), run)

    snapshot = runner.snapshot(aws.endpoint)
    assert_nothing_doubled(snapshot, reference)
    assert snapshot == reference, state.diff(reference, snapshot)

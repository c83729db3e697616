"""The site playbook (playbooks/multi_region.yml) end to end over a regions inventory, against the emulator.

Each scenario gets its own emulator (module-scoped: built once, shared by the assertions of that scenario),
so that the per-test reset of the ``aws`` fixture cannot wipe a converged state in the middle of a scenario.
Timings are the suite's fast ones (tests/conftest.py).
"""
import json
import os
import re

import pytest

from tests.conftest import FAST_TIMING
from tests.emulator.client import EmulatorProcess
from tests.integration.harness import REPO_ROOT, run_playbook

SITE = "playbooks/multi_region.yml"
VERIFY = "playbooks/verify.yml"
LAB = "inventory/regions.yml"
THREE = "inventory/three_secondaries.yml"
PRIMARY = "us-west-2"
PIPELINES = ["CorePipeline-mm-primary-region", "LikePipeline-mm-primary-region"]
REPOSITORIES = ["core-service-mm-primary-region", "like-service-mm-primary-region"]
TABLE = "MythicalMysfits-DDBTable"
DASHBOARD = "MythicalMysfits-Dashboard"


# ------------------------------------------------------------------------------------------ helpers

class Site:
    """One emulator with the primary fixture built, and helpers to run playbooks against it."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.emulator = EmulatorProcess(timing=FAST_TIMING).start()
        self.control = self.emulator.client
        self.runs = 0

    def stop(self):
        self.emulator.stop()

    def client(self, service, region=PRIMARY):
        import boto3
        return boto3.client(service, region_name=region, endpoint_url=self.emulator.endpoint,
                            aws_access_key_id="AKIAEMULATOR0000TEST",
                            aws_secret_access_key="emulator-dummy-secret-key-do-not-use")

    def build_fixture(self):
        run = run_playbook("tests/fixture/primary.yml", self.emulator.env())
        assert run.rc == 0, run
        return run

    def play(self, playbook, inventory=LAB, extra_vars=None, env=None, **kwargs):
        """Run a playbook; the readiness report goes to a folder of this run (returned as run.reports)."""
        self.runs += 1
        reports = os.path.join(str(self.tmp), "reports-%d" % self.runs)
        extra = dict(extra_vars or {}, readiness_report_dir=reports)
        aws_env = self.emulator.env()
        aws_env.update(env or {})
        run = run_playbook(playbook, aws_env, inventory=inventory, extra_vars=extra, **kwargs)
        run.reports = reports
        return run

    def mark(self):
        return self.control.last_seq()


def start_site(tmp_path_factory, name, fixture=True):
    site = Site(tmp_path_factory.mktemp(name))
    try:
        if fixture:
            site.build_fixture()
    except BaseException:
        site.stop()
        raise
    return site


def recap(stdout):
    """PLAY RECAP of an ansible-playbook run: host -> {ok, changed, unreachable, failed, ...} as ints."""
    section = stdout[stdout.rindex("PLAY RECAP"):]
    hosts = {}
    for host, fields in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", section, re.MULTILINE):
        hosts[host] = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", fields)}
    assert hosts, "no PLAY RECAP in the output"
    return hosts


def task_sections(stdout, title):
    """The output of every task whose header contains ``title`` (header to the next TASK/PLAY header)."""
    parts = re.split(r"^(?=TASK \[|PLAY \[|PLAY RECAP)", stdout, flags=re.MULTILINE)
    return [part for part in parts if part.startswith("TASK [") and title in part.splitlines()[0]]


def pipeline(site, name):
    return site.client("codepipeline").get_pipeline(name=name)["pipeline"]


def cross_region_stage(declaration):
    stages = [s for s in declaration["stages"] if s["name"] == "CrossRegionDeploy"]
    return stages[0] if stages else None


def table(site, region=PRIMARY):
    return site.client("dynamodb", region).describe_table(TableName=TABLE)["Table"]


def dashboard_body(site):
    return json.loads(site.client("cloudwatch").get_dashboard(DashboardName=DASHBOARD)["DashboardBody"])


def summarize(calls):
    return sorted({(c["region"], c["service"], c["operation"]) for c in calls})


# ------------------------------------------------------------------------------------------ the lab inventory

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The lab's inventory: converge, converge again (measured), then verify."""
    site = start_site(tmp_path_factory, "lab")
    try:
        site.mark_first = site.mark()
        site.first = site.play(SITE)
        site.mark_second = site.mark()
        site.second = site.play(SITE)
        site.mark_verify = site.mark()
        site.verify = site.play(VERIFY)
        yield site
    finally:
        site.stop()


def test_lab_converge_is_green_and_builds_every_piece(lab):
    assert lab.first.rc == 0, lab.first
    assert all(host["failed"] == 0 for host in recap(lab.first.stdout).values())
    stack = lab.client("cloudformation", "us-east-1").describe_stacks(StackName="mm-secondary-region")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    replicas = {r["RegionName"]: r["ReplicaStatus"] for r in table(lab).get("Replicas", [])}
    assert replicas.get("us-east-1") == "ACTIVE"
    for name in PIPELINES:
        stage = cross_region_stage(pipeline(lab, name))
        assert stage is not None and [a["region"] for a in stage["actions"]] == ["us-east-1"]
    assert "us-east-1" in json.dumps(dashboard_body(lab))


def first_calls(site, since, until, service, operation):
    return [c for c in site.control.calls(since=since)
            if c["seq"] <= until and (c["service"], c["operation"]) == (service, operation)]


def test_lab_one_replica_starts_after_the_stack(lab):
    # One replica to add: the stack is the longer wait and starts first (playbooks/multi_region.yml).
    stacks = first_calls(lab, lab.mark_first, lab.mark_second, "cloudformation", "CreateStack")
    updates = first_calls(lab, lab.mark_first, lab.mark_second, "dynamodb", "UpdateTable")
    assert len(stacks) == 1 and updates, (stacks, updates)
    assert stacks[0]["seq"] < updates[0]["seq"]


def test_lab_second_converge_changes_nothing(lab):
    assert lab.second.rc == 0, lab.second
    assert {host: counts["changed"] for host, counts in recap(lab.second.stdout).items()} == {
        "us-west-2": 0, "us-east-1": 0}
    calls = lab.control.calls(since=lab.mark_second)
    window = [c for c in calls if c["seq"] <= lab.mark_verify]
    control = [c for c in window if c["mutating"] and c["plane"] == "control"]
    assert control == [], summarize(control)
    # The data check (the verify tasks the site playbook ends with) writes nothing; the like check posts likes
    # through the load balancers (the application's own writes, not a client's call) and sets Likes back in the
    # primary's table (UpdateItem): data plane, counted apart, and nothing else is written.
    data = [c for c in window if c["mutating"] and c["plane"] == "data"]
    assert {(c["region"], c["service"], c["operation"]) for c in data} == {(PRIMARY, "dynamodb", "UpdateItem")}
    reads = {(c["service"], c["operation"]) for c in window if c["service"] == "dynamodb" and c["region"] == "us-east-1"}
    assert ("dynamodb", "Scan") in reads  # the replica's items were read and compared
    assert ("dynamodb", "GetItem") in reads  # the like was read back in the replica's region


def test_lab_second_converge_reads_each_thing_once(lab):
    """The no-op plans from the discovery's reads (plugins/filter/plan.py): the roles' modules do not read again."""
    window = [c for c in lab.control.calls(since=lab.mark_second) if c["seq"] <= lab.mark_verify]
    site = [c for c in window if not c["mutating"]]

    def count(service, operation, region=PRIMARY):
        return len([c for c in site if (c["service"], c["operation"], c["region"]) == (service, operation, region)])

    assert count("ec2", "DescribeRegions") == 1
    assert count("codecommit", "GetFile") == len(REPOSITORIES)
    # the record tags of every pipeline in one GetResources; no ListTagsForResource per pipeline
    assert count("codepipeline", "ListTagsForResource") == 0
    assert count("cloudformation", "GetTemplate") == 0  # the primary's template: no secondary stack needs it
    assert count("cloudformation", "GetTemplate", "us-east-1") == 1


def test_lab_verify_is_green_and_writes_the_report(lab):
    assert lab.verify.rc == 0, lab.verify
    assert lab.control.mutating_calls(since=lab.mark_verify, plane="control") == []
    with open(os.path.join(lab.verify.reports, "readiness.md")) as handle:
        markdown = handle.read()
    with open(os.path.join(lab.verify.reports, "readiness.html")) as handle:
        html = handle.read()
    assert "**FAIL**" not in markdown
    header = re.search(r"<tr><th>check</th>(.*?)</tr>", html).group(1)
    assert re.findall(r"<th>([^<]*)</th>", header) == ["us-west-2", "us-east-1"]
    for check in ["stack", "global table replica", "items", "item content", "like replication", "dashboard",
                  "CorePipeline-mm-primary-region CrossRegionDeploy", "LikePipeline-mm-primary-region last run"]:
        assert "<tr><th>%s</th>" % check in html, check
    assert 'class="fail"' not in html
    # Every check ran: the load balancers answered (through the runner's http_proxy), nothing was skipped.
    assert "0 failed, 0 skipped" in markdown, markdown
    cells = _cells(markdown)
    assert cells[("HTTP /", "us-east-1")].startswith("PASS: same page as us-west-2 with region names masked")
    assert cells[("HTTP /mysfits", "us-east-1")].startswith("PASS: same data as us-west-2 (12 records")
    assert cells[("like replication", "us-east-1")].startswith("PASS: a like of ")
    for service in ("core", "like"):
        assert cells[("service %s tasks" % service, "us-east-1")].startswith("PASS: 1 running of 1 desired")
        assert cells[("service %s targets" % service, "us-east-1")].startswith("PASS")
        assert cells[("service %s image" % service, "us-east-1")].startswith("PASS: same digest as us-west-2")
    # The secondary's services run the digest the primary's run (read here independently of the role).
    assert _digests(lab, "us-east-1") == _digests(lab, PRIMARY) != {}
    # The likes the checks posted (in the site playbook's verify and in this one) were set back exactly.
    with open(os.path.join(REPO_ROOT, "tests", "fixture", "files", "mysfits.json")) as handle:
        fixture = {item["MysfitId"]["S"]: item["Likes"]["N"] for item in json.load(handle)}
    for region in (PRIMARY, "us-east-1"):
        items = lab.client("dynamodb", region).scan(TableName=TABLE)["Items"]
        assert {i["MysfitId"]["S"]: i["Likes"]["N"] for i in items} == fixture, region


def _cells(markdown):
    """(check, region) -> cell of the Markdown report."""
    lines = markdown.splitlines()
    regions = [c.strip() for c in lines[lines.index("# Multi-region readiness") + 2].strip("|").split("|")][1:]
    cells = {}
    for line in lines:
        row = [c.strip() for c in line.strip("|").split("|")]
        if len(row) == len(regions) + 1 and row[0] not in ("check", "---"):
            for region, cell in zip(regions, row[1:]):
                cells[(row[0], region)] = cell
    return cells


def _digests(site, region):
    ecs = site.client("ecs", region)
    stack = site.client("cloudformation", region).describe_stacks(
        StackName="mm-primary-region" if region == PRIMARY else "mm-secondary-region")["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    found = {}
    for key in ("CoreServiceName", "LikeServiceName"):
        arns = ecs.list_tasks(cluster=outputs["EcsClusterName"], serviceName=outputs[key])["taskArns"]
        tasks = ecs.describe_tasks(cluster=outputs["EcsClusterName"], tasks=arns)["tasks"] if arns else []
        found[key] = sorted({c.get("imageDigest") for t in tasks for c in t["containers"]})
    return found


def test_lab_secondary_scaled_to_zero_fails_the_report(lab):
    ecs = lab.client("ecs", "us-east-1")
    stack = lab.client("cloudformation", "us-east-1").describe_stacks(StackName="mm-secondary-region")["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    for key in ("CoreServiceName", "LikeServiceName"):
        ecs.update_service(cluster=outputs["EcsClusterName"], service=outputs[key], desiredCount=0)
    try:
        run = lab.play(VERIFY)
        assert run.rc != 0
        with open(os.path.join(run.reports, "readiness.md")) as handle:
            cells = _cells(handle.read())
        assert cells[("service core tasks", "us-east-1")] == "**FAIL**: desired count is 0: no task serves " + \
            outputs["CoreServiceName"]
        assert cells[("HTTP /", "us-east-1")] == "**FAIL**: HTTP 503 (server error)"
        assert cells[("like replication", "us-east-1")].startswith("**FAIL**")
        assert cells[("service core tasks", PRIMARY)].startswith("PASS")
    finally:
        for key in ("CoreServiceName", "LikeServiceName"):
            ecs.update_service(cluster=outputs["EcsClusterName"], service=outputs[key], desiredCount=1)


def test_lab_drift_made_by_hand_is_repaired_by_the_next_run(lab):
    """What a person changes by hand after a converge is found and put back by the next run, which plans from the
    discovery's reads: a module that is not run because its plan found nothing to change must not hide a change."""
    core, like = PIPELINES
    pipelines = lab.client("codepipeline")
    # 1. the cross-region stage removed from the Core pipeline, as in the console
    declaration = pipeline(lab, core)
    declaration["stages"] = [s for s in declaration["stages"] if s["name"] != "CrossRegionDeploy"]
    pipelines.update_pipeline(pipeline=declaration)
    # 2. the record tag of the Like pipeline removed
    like_arn = pipelines.get_pipeline(name=like)["metadata"]["pipelineArn"]
    pipelines.untag_resource(resourceArn=like_arn, tagKeys=["mysfits.multi_region/artifact-stores"])
    # 3. the Core buildspec edited back to a single-region one
    commit = lab.client("codecommit")
    head = commit.get_branch(repositoryName=REPOSITORIES[0], branchName="master")["branch"]["commitId"]
    commit.put_file(repositoryName=REPOSITORIES[0], branchName="master", filePath="buildspec_prod.yml",
                    fileContent=b"version: 0.2\nphases:\n  build:\n    commands:\n      - echo one region\n",
                    parentCommitId=head, commitMessage="back to one region")
    # 4. the secondary region's widgets taken off the dashboard
    body = dashboard_body(lab)
    body["widgets"] = [w for w in body["widgets"] if "us-east-1" not in json.dumps(w)]
    lab.client("cloudwatch").put_dashboard(DashboardName=DASHBOARD, DashboardBody=json.dumps(body))
    # 5. the secondary stack's tags changed (UpdateStack, previous template and parameters); the role manages
    # them (secondary_stack_tags, none by default)
    stacks = lab.client("cloudformation", "us-east-1")
    current = stacks.describe_stacks(StackName="mm-secondary-region")["Stacks"][0]
    assert current.get("Tags", []) == []
    stacks.update_stack(StackName="mm-secondary-region", UsePreviousTemplate=True,
                        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
                        Parameters=[{"ParameterKey": p["ParameterKey"], "UsePreviousValue": True}
                                    for p in current["Parameters"]],
                        Tags=[{"Key": "edited-by", "Value": "hand"}])
    stacks.get_waiter("stack_update_complete").wait(StackName="mm-secondary-region",
                                                    WaiterConfig={"Delay": 1, "MaxAttempts": 120})

    repaired = lab.play(SITE, extra_args=("--skip-tags", "readiness"))
    assert repaired.rc == 0, repaired
    assert recap(repaired.stdout)["us-west-2"]["changed"] > 0
    stage = cross_region_stage(pipeline(lab, core))
    assert stage is not None and [a["region"] for a in stage["actions"]] == ["us-east-1"]
    tags = {t["key"]: t["value"] for t in pipelines.list_tags_for_resource(resourceArn=like_arn)["tags"]}
    assert "us-east-1=g" in tags.get("mysfits.multi_region/artifact-stores", "")
    buildspec = commit.get_file(repositoryName=REPOSITORIES[0], commitSpecifier="master",
                                filePath="buildspec_prod.yml")["fileContent"].decode()
    assert "us-east-1" in buildspec and "echo one region" not in buildspec
    assert "us-east-1" in json.dumps(dashboard_body(lab))
    assert stacks.describe_stacks(StackName="mm-secondary-region")["Stacks"][0].get("Tags", []) == []

    again = lab.play(SITE, extra_args=("--skip-tags", "readiness"))
    assert again.rc == 0, again
    assert {host: counts["changed"] for host, counts in recap(again.stdout).items()} == {"us-west-2": 0, "us-east-1": 0}


# ------------------------------------------------------------------------------------------ three secondaries

@pytest.fixture(scope="module")
def three(tmp_path_factory):
    site = start_site(tmp_path_factory, "three")
    try:
        # the report is verify.yml's, right after: the converge leaves its own copy out
        site.mark_converge = site.mark()
        site.converge = site.play(SITE, inventory=THREE, extra_args=("--skip-tags", "readiness"))
        site.mark_verify = site.mark()
        site.verify = site.play(VERIFY, inventory=THREE)
        yield site
    finally:
        site.stop()


def test_three_secondaries_converge_and_verify(three):
    secondaries = {"us-east-1", "eu-west-1", "ap-southeast-2"}
    assert three.converge.rc == 0, three.converge
    assert three.verify.rc == 0, three.verify
    for name in PIPELINES:
        declaration = pipeline(three, name)
        stage = cross_region_stage(declaration)
        assert stage is not None
        assert sorted(a["region"] for a in stage["actions"]) == sorted(secondaries)
        assert all(a["actionTypeId"]["provider"] == "ECS" for a in stage["actions"])
        assert "artifactStore" not in declaration
        assert set(declaration["artifactStores"]) == secondaries | {PRIMARY}
    replicas = {r["RegionName"]: r["ReplicaStatus"] for r in table(three).get("Replicas", [])}
    assert {region for region, status in replicas.items() if status == "ACTIVE"} >= secondaries
    assert len([r for r in secondaries if replicas.get(r) == "ACTIVE"]) == 3
    with open(os.path.join(three.verify.reports, "readiness.html")) as handle:
        header = re.search(r"<tr><th>check</th>(.*?)</tr>", handle.read()).group(1)
    assert set(re.findall(r"<th>([^<]*)</th>", header)) == secondaries | {PRIMARY}


def test_three_secondaries_start_the_replica_chain_before_the_stacks(three):
    # Three replicas to add (AWS adds them one at a time): the chain is the longer wait and starts first; the stream,
    # then the first replica, are requested before any secondary stack is created (playbooks/multi_region.yml).
    stacks = first_calls(three, three.mark_converge, three.mark_verify, "cloudformation", "CreateStack")
    updates = first_calls(three, three.mark_converge, three.mark_verify, "dynamodb", "UpdateTable")
    assert len(stacks) == 3 and len(updates) == 4, (stacks, updates)  # the stream and three replicas
    assert updates[0]["seq"] < min(c["seq"] for c in stacks)


# ------------------------------------------------------------------------------------------ check mode, preflight

@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The primary fixture only: nothing of Lab 3 yet."""
    site = start_site(tmp_path_factory, "fresh")
    try:
        yield site
    finally:
        site.stop()


def test_check_diff_on_a_fresh_fixture_plans_every_change_and_calls_nothing_mutating(fresh):
    mark = fresh.mark()
    run = fresh.play(SITE, check=True, diff=True)
    assert run.rc == 0, run
    mutating = [c for c in fresh.control.calls(since=mark) if c["mutating"]]
    assert mutating == [], summarize(mutating)  # neither control plane nor item writes
    out = run.stdout
    assert "Would create the stack mm-secondary-region in us-east-1." in out
    replicas = task_sections(out, "Start the replicas of the table in the secondary regions")
    assert replicas and re.search(r"^\+\s+replica_regions:\n\+\s+- us-east-1", replicas[0], re.MULTILINE)
    assert "changed: [us-west-2]" in replicas[0]
    for name in PIPELINES:
        section = task_sections(out, "Ensure the cross-region deploy stage of %s" % name)
        assert section and "changed: [us-west-2]" in section[0], name
        assert re.search(r"^\+\s+name: CrossRegionDeploy$", section[0], re.MULTILINE), name
        assert re.search(r"^\+\s+region: us-east-1$", section[0], re.MULTILINE), name
    for name in REPOSITORIES:
        section = task_sections(out, "Commit the multi-region buildspec of %s" % name)
        assert section and "changed: [us-west-2]" in section[0], name
        assert "+++ after: %s:buildspec_prod.yml@master" % name in section[0]
    section = task_sections(out, "Merge the multi-region widgets into the dashboard")
    assert section and "changed: [us-west-2]" in section[0]
    assert re.search(r'^\+.*"us-east-1', section[0], re.MULTILINE)
    # Nothing happened: no secondary stack, no replica, no stage.
    assert "Replicas" not in table(fresh) or table(fresh)["Replicas"] == []
    assert all(cross_region_stage(pipeline(fresh, name)) is None for name in PIPELINES)


def _write_inventory(tmp, name, primary, secondary):
    text = "regions:\n  children:\n    primary:\n      hosts:\n%s    secondary:\n      hosts:\n%s  vars:\n" \
           "    ansible_connection: local\n    ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n" % (
               "".join("        %s:\n" % h for h in primary), "".join("        %s:\n" % h for h in secondary))
    path = os.path.join(str(tmp), name)
    with open(path, "w") as handle:
        handle.write(text)
    # The documented variables of inventory/group_vars apply to every inventory of this test.
    link = os.path.join(str(tmp), "group_vars")
    if not os.path.exists(link):
        os.symlink(os.path.join(REPO_ROOT, "inventory", "group_vars"), link)
    return path


NO_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials", "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
}

PREFLIGHT_CASES = {
    "two primaries": dict(inventory=(["us-west-2", "eu-central-1"], ["us-east-1"]),
                          message="needs exactly one host in the group 'primary'"),
    "no secondary": dict(inventory=(["us-west-2"], []),
                         message="needs one or more hosts in the group 'secondary'"),
    "host name not a region": dict(inventory=(["us-west-2"], ["virginia"]),
                                   message="not region names: virginia"),
    "no credentials": dict(env=NO_CREDENTIALS, message="The AWS credentials do not work in us-west-2"),
    "missing primary stack": dict(extra_vars={"mm_primary_stack_name": "no-such-stack"},
                                  message="The primary stack 'no-such-stack' in us-west-2 is not found"),
    "missing table": dict(extra_vars={"mm_table_name": "NoSuchTable"},
                          message="The table 'NoSuchTable' in us-west-2 is not found"),
    # The replica step's own refusal (ddb_global_replica: a provisioned table needs write auto scaling before a
    # replica, DynamoDB developer guide "Global tables: best practices and requirements"), made by the discovery's
    # table check before anything changes.
    "table the replica step refuses": dict(extra_vars={"mm_table_name": "ProvisionedTable"},
                                           setup="provisioned_table",
                                           message="The table 'ProvisionedTable' in us-west-2 (ACTIVE) cannot get the "
                                                   "replicas the global_table role would add"),
    "missing pipeline": dict(extra_vars={"mm_primary_stack_name": "mm-primary-region",
                                         "mm_services": [{"name": "core", "title": "Core", "pipeline": "NoSuchPipeline",
                                                          "repository": "core-service-mm-primary-region",
                                                          "branch": "master", "container": "service"}]},
                             message="NoSuchPipeline"),
}


@pytest.mark.parametrize("case", sorted(PREFLIGHT_CASES))
def test_preflight_failure_stops_before_any_mutating_call(fresh, tmp_path, case):
    spec = PREFLIGHT_CASES[case]
    inventory = LAB
    if "inventory" in spec:
        inventory = _write_inventory(tmp_path, "inventory.yml", *spec["inventory"])
    dynamodb = fresh.client("dynamodb")
    if spec.get("setup") == "provisioned_table":
        dynamodb.create_table(TableName="ProvisionedTable", BillingMode="PROVISIONED",
                              AttributeDefinitions=[{"AttributeName": "MysfitId", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
                              ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
        dynamodb.get_waiter("table_exists").wait(TableName="ProvisionedTable", WaiterConfig={"Delay": 1})
    mark = fresh.mark()
    try:
        run = fresh.play(SITE, inventory=inventory, extra_vars=spec.get("extra_vars"), env=spec.get("env"))
        mutating = [c for c in fresh.control.calls(since=mark) if c["mutating"]]
    finally:
        if spec.get("setup") == "provisioned_table":
            dynamodb.delete_table(TableName="ProvisionedTable")
    assert run.rc != 0, run
    text = re.sub(r"\s+", " ", run.stdout)
    assert spec["message"] in text, run
    if spec.get("setup") == "provisioned_table":
        assert "write auto scaling" in text, run
    # It failed in the validation play: the secondary stacks were never started.
    assert "PLAY [Start the secondary stacks and the table's replicas]" not in run.stdout
    assert mutating == []

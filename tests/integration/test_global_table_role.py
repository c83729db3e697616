"""The global_table role against the emulator: replicas in every secondary region, checked in data."""
import os
import tempfile

import yaml

from tests.integration.harness import recap_changed, run_playbook, write_regions_inventory

PRIMARY = "us-west-2"
SECONDARY = "us-east-1"
TABLE = "MythicalMysfits-DDBTable"


def make_table(aws, items=3):
    ddb = aws.client("dynamodb", PRIMARY)
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "MysfitId", "AttributeType": "S"}])
    for n in range(items):
        ddb.put_item(TableName=TABLE, Item={"MysfitId": {"S": "m-%d" % n}, "Name": {"S": "Mysfit %d" % n}})
    return ddb


def keys(aws, region):
    return sorted(i["MysfitId"]["S"] for i in aws.client("dynamodb", region).scan(TableName=TABLE)["Items"])


def replica_status(aws):
    table = aws.client("dynamodb", PRIMARY).describe_table(TableName=TABLE)["Table"]
    return {r["RegionName"]: r["ReplicaStatus"] for r in table.get("Replicas", [])}


class Regions:
    def __init__(self, secondaries=(SECONDARY,)):
        self.dir = tempfile.mkdtemp(prefix="globaltable-")
        self.inventory = os.path.join(self.dir, "inventory.yml")
        write_regions_inventory(self.inventory, PRIMARY, secondaries)

    def run(self, aws, extra_vars=None, check=False, tasks_from=("main",)):
        tasks = [{"name": "role %s" % entry, "ansible.builtin.include_role": {
            "name": "mysfits.multi_region.global_table", "tasks_from": entry}} for entry in tasks_from]
        path = os.path.join(self.dir, "play.yml")
        with open(path, "w") as handle:
            yaml.safe_dump([{"name": "regions", "hosts": "regions", "gather_facts": False, "tasks": tasks}], handle)
        return run_playbook(path, aws.env(PRIMARY), inventory=self.inventory, extra_vars=extra_vars, check=check)


DATA_CHECK = {"Scan", "PutItem", "GetItem", "DeleteItem"}  # what ddb_replica_check calls (DescribeTable aside)


def data_check_calls(aws, since):
    return [(c["operation"], c["region"]) for c in aws.control.calls(since)
            if c["service"] == "dynamodb" and c["operation"] in DATA_CHECK]


def test_replica_is_active_with_the_data_and_a_rerun_makes_no_control_plane_change(aws):
    make_table(aws)
    regions = Regions()
    since = aws.control.last_seq()
    run = regions.run(aws)
    assert run.rc == 0, run
    assert replica_status(aws) == {PRIMARY: "ACTIVE", SECONDARY: "ACTIVE"}
    assert keys(aws, SECONDARY) == keys(aws, PRIMARY) == ["m-0", "m-1", "m-2"]
    # The replica was created in this run: the data check ran (both regions read), writing nothing.
    first = data_check_calls(aws, since)
    assert {("Scan", PRIMARY), ("Scan", SECONDARY)} == set(first), first
    assert aws.control.mutating_calls(since, plane="data") == []

    since = aws.control.last_seq()
    again = regions.run(aws)
    assert again.rc == 0, again
    assert aws.control.mutating_calls(since, plane="control") == []
    # Nothing was created, changed or waited for: the data check is left to playbooks/verify.yml.
    assert aws.control.mutating_calls(since, plane="data") == []
    assert data_check_calls(aws, since) == []
    assert "the data check is left to playbooks/verify.yml" in " ".join(again.stdout.split())
    assert recap_changed(again, PRIMARY) == 0
    assert keys(aws, SECONDARY) == keys(aws, PRIMARY) == ["m-0", "m-1", "m-2"]


def test_rerun_runs_the_data_check_when_asked_to(aws):
    make_table(aws)
    regions = Regions()
    assert regions.run(aws).rc == 0
    since = aws.control.last_seq()
    again = regions.run(aws, extra_vars={"global_table_verify_unchanged": True})
    assert again.rc == 0, again
    assert aws.control.mutating_calls(since, plane="control") == []
    assert aws.control.mutating_calls(since, plane="data") == []  # the check reads only
    assert ("Scan", SECONDARY) in data_check_calls(aws, since)
    assert recap_changed(again, PRIMARY) == 0
    assert keys(aws, SECONDARY) == keys(aws, PRIMARY) == ["m-0", "m-1", "m-2"]


def test_the_canary_is_written_only_when_asked_and_a_leftover_is_removed_by_the_next_run(aws):
    ddb = make_table(aws)
    regions = Regions()
    assert regions.run(aws).rc == 0
    since = aws.control.last_seq()
    asked = regions.run(aws, extra_vars={"global_table_verify_unchanged": True, "global_table_verify_canary": True})
    assert asked.rc == 0, asked
    data = [(c["operation"], c["region"]) for c in aws.control.mutating_calls(since, plane="data")]
    assert data == [("PutItem", PRIMARY), ("DeleteItem", PRIMARY)]  # the canary, written then deleted
    assert keys(aws, SECONDARY) == keys(aws, PRIMARY) == ["m-0", "m-1", "m-2"]
    # a canary a killed run left behind (it carries the marker) is removed by the next data check
    ddb.put_item(TableName=TABLE, Item={"MysfitId": {"S": "mm-canary-dead"}, "Name": {"S": "mm-canary"},
                                        "mm_canary": {"S": "mysfits.multi_region 2026-12-01T00:00:00Z"}})
    assert "mm-canary-dead" in keys(aws, SECONDARY)
    since = aws.control.last_seq()
    cleaned = regions.run(aws, extra_vars={"global_table_verify_unchanged": True})
    assert cleaned.rc == 0, cleaned
    data = [(c["operation"], c["region"]) for c in aws.control.mutating_calls(since, plane="data")]
    assert data == [("DeleteItem", PRIMARY)]
    assert keys(aws, SECONDARY) == keys(aws, PRIMARY) == ["m-0", "m-1", "m-2"]
    assert recap_changed(cleaned, PRIMARY) == 1


def test_check_mode_makes_no_mutating_call(aws):
    make_table(aws)
    since = aws.control.last_seq()
    run = Regions().run(aws, check=True)
    assert run.rc == 0, run
    assert aws.control.mutating_calls(since, plane=None) == []
    assert recap_changed(run, PRIMARY) >= 1
    assert replica_status(aws) == {}


def test_data_check_catches_a_replica_that_missed_a_write(aws):
    ddb = make_table(aws)
    regions = Regions()
    assert regions.run(aws).rc == 0
    aws.control.post("dynamodb/drop-replication", {"table": TABLE, "region": SECONDARY, "count": 1})
    ddb.put_item(TableName=TABLE, Item={"MysfitId": {"S": "m-new"}, "Name": {"S": "Late"}})
    assert "m-new" not in keys(aws, SECONDARY)

    run = regions.run(aws, extra_vars={"global_table_verify_timeout": 3, "global_table_verify_unchanged": True})
    assert run.rc != 0
    flat = " ".join(run.stdout.split())
    assert "do not hold the same items" in flat
    assert "us-east-1: 1 missing (m-new)" in flat and "us-east-1=3, us-west-2=4" in flat


def test_data_check_catches_a_canary_that_does_not_reach_the_replica(aws):
    make_table(aws)
    regions = Regions()
    assert regions.run(aws).rc == 0
    aws.control.post("dynamodb/drop-replication", {"table": TABLE, "region": SECONDARY, "count": 1})
    run = regions.run(aws, extra_vars={"global_table_verify_timeout": 3, "global_table_verify_unchanged": True,
                                       "global_table_verify_canary": True})
    assert run.rc != 0
    assert "was not readable (with the same content) in us-east-1" in " ".join(run.stdout.split())
    assert keys(aws, PRIMARY) == keys(aws, SECONDARY) == ["m-0", "m-1", "m-2"]  # the canary was deleted


def test_data_check_can_be_turned_off(aws):
    make_table(aws)
    regions = Regions()
    assert regions.run(aws).rc == 0
    aws.control.post("dynamodb/drop-replication", {"table": TABLE, "region": SECONDARY, "count": 1})
    since = aws.control.last_seq()
    run = regions.run(aws, extra_vars={"global_table_verify_data": False, "global_table_verify_unchanged": True})
    assert run.rc == 0, run
    assert aws.control.mutating_calls(since, plane=None) == []


def test_start_returns_with_the_replica_creating_and_wait_finishes_two_regions(aws):
    make_table(aws)
    aws.control.set_timing(replica_create_seconds=15)  # outlasts ansible-playbook start-up
    regions = Regions(secondaries=(SECONDARY, "eu-west-1"))
    started = regions.run(aws, tasks_from=("start",))
    assert started.rc == 0, started
    # one replica operation at a time: the first secondary of the inventory is CREATING, the other waits
    status = replica_status(aws)
    assert status.pop(PRIMARY) == "ACTIVE"
    assert list(status.values()) == ["CREATING"] and set(status) <= {SECONDARY, "eu-west-1"}

    waited = regions.run(aws, tasks_from=("wait",))
    assert waited.rc == 0, waited
    assert replica_status(aws) == {PRIMARY: "ACTIVE", SECONDARY: "ACTIVE", "eu-west-1": "ACTIVE"}
    assert keys(aws, "eu-west-1") == keys(aws, SECONDARY) == keys(aws, PRIMARY)


def test_wait_alone_checks_the_data_of_a_replica_an_earlier_run_started(aws):
    make_table(aws)
    aws.control.set_timing(replica_create_seconds=15)  # outlasts ansible-playbook start-up
    regions = Regions()
    assert regions.run(aws, tasks_from=("start",)).rc == 0
    assert replica_status(aws)[SECONDARY] == "CREATING"

    since = aws.control.last_seq()
    waited = regions.run(aws, tasks_from=("wait",))
    assert waited.rc == 0, waited
    assert replica_status(aws) == {PRIMARY: "ACTIVE", SECONDARY: "ACTIVE"}
    # This run created nothing (changed=0) but waited for the replica: the data check ran.
    assert recap_changed(waited, PRIMARY) == 0
    assert aws.control.mutating_calls(since, plane="control") == []
    assert ("Scan", SECONDARY) in data_check_calls(aws, since)
    assert aws.control.mutating_calls(since, plane="data") == []  # no canary unless asked


def run_background_play(aws, regions, extra_vars=None):
    """start, wait in the background, a marker call (DescribeStacks in eu-central-1), finish."""
    role = "mysfits.multi_region.global_table"
    tasks = [
        {"name": "start", "ansible.builtin.include_role": {"name": role, "tasks_from": "start"}},
        {"name": "wait in the background", "ansible.builtin.include_role": {"name": role, "tasks_from": "wait"},
         "vars": {"global_table_wait_in_background": True}},
        {"name": "marker: the play goes on", "amazon.aws.cloudformation_info": {
            "region": "eu-central-1", "stack_name": "marker"}, "run_once": True},
        {"name": "finish", "ansible.builtin.include_role": {"name": role, "tasks_from": "finish"}},
    ]
    path = os.path.join(regions.dir, "background.yml")
    with open(path, "w") as handle:
        yaml.safe_dump([{"name": "regions", "hosts": "regions", "gather_facts": False, "tasks": tasks}], handle)
    return run_playbook(path, aws.env(PRIMARY), inventory=regions.inventory, extra_vars=extra_vars)


def test_wait_in_the_background_lets_the_play_go_on_while_the_replica_chain_runs(aws):
    make_table(aws)
    aws.control.set_timing(replica_create_seconds=6)
    regions = Regions(secondaries=(SECONDARY, "eu-west-1"))
    since = aws.control.last_seq()
    run = run_background_play(aws, regions)
    assert run.rc == 0, run
    assert replica_status(aws) == {PRIMARY: "ACTIVE", SECONDARY: "ACTIVE", "eu-west-1": "ACTIVE"}
    calls = aws.control.calls(since)
    marker = [c["seq"] for c in calls if c["operation"] == "DescribeStacks" and c["region"] == "eu-central-1"]
    replica_updates = [c["seq"] for c in calls if c["operation"] == "UpdateTable" and c["region"] == PRIMARY]
    # UpdateTable: the stream, the first replica (start), the second replica (the background job).
    assert len(marker) == 1 and len(replica_updates) == 3, (marker, replica_updates)
    # The task after the wait ran before the background job asked for the second replica (one at a time).
    assert marker[0] < replica_updates[-1]
    # finish collected the job, then checked the data in both secondaries.
    checked = [c["seq"] for c in calls if c["operation"] == "Scan" and c["region"] in (SECONDARY, "eu-west-1")]
    assert len(checked) == 2 and min(checked) > replica_updates[-1]
    assert keys(aws, "eu-west-1") == keys(aws, SECONDARY) == keys(aws, PRIMARY)
    # The job's result is the wait's: changed (it added the second replica).
    assert recap_changed(run, PRIMARY) >= 2


def test_a_background_wait_that_fails_fails_finish_with_the_modules_message(aws):
    make_table(aws)
    aws.control.set_timing(replica_create_seconds=30)
    regions = Regions()
    run = run_background_play(aws, regions, extra_vars={"global_table_wait_timeout": 2})
    assert run.rc != 0, run
    out = " ".join(run.stdout.split())
    assert "Timed out after 2s" in out and "wait_timeout" in out, run.stdout[-3000:]
    assert "Wait for the replica chain running in the background" in out


def test_start_in_background_and_a_finish_that_collects_only_a_job_that_is_over(aws):
    # start (global_table_start_in_background) launches the start and the wait as one async job and returns; a
    # finish with global_table_finish_if_done looks once and leaves the running chain alone; a later finish waits
    # for it and checks the data; a third finish has nothing to collect.
    make_table(aws)
    aws.control.set_timing(replica_create_seconds=6)
    regions = Regions(secondaries=(SECONDARY, "eu-west-1"))
    role = "mysfits.multi_region.global_table"
    show = {"name": "show", "ansible.builtin.debug": {
        "msg": "finished={{ global_table_finished | default('undefined') }} settled={{ global_table_settled }}"},
        "run_once": True}
    tasks = [
        {"name": "start", "ansible.builtin.include_role": {"name": role, "tasks_from": "start"},
         "vars": {"global_table_start_in_background": True}},
        {"name": "marker: the play goes on", "amazon.aws.cloudformation_info": {
            "region": "eu-central-1", "stack_name": "marker"}, "run_once": True},
        {"name": "look", "ansible.builtin.include_role": {"name": role, "tasks_from": "finish"},
         "vars": {"global_table_finish_if_done": True}},
        show,
        {"name": "finish", "ansible.builtin.include_role": {"name": role, "tasks_from": "finish"}},
        show,
        {"name": "finish again", "ansible.builtin.include_role": {"name": role, "tasks_from": "finish"}},
    ]
    path = os.path.join(regions.dir, "start-background.yml")
    with open(path, "w") as handle:
        yaml.safe_dump([{"name": "regions", "hosts": "regions", "gather_facts": False, "tasks": tasks}], handle)
    since = aws.control.last_seq()
    run = run_playbook(path, aws.env(PRIMARY), inventory=regions.inventory)
    assert run.rc == 0, run
    assert replica_status(aws) == {PRIMARY: "ACTIVE", SECONDARY: "ACTIVE", "eu-west-1": "ACTIVE"}
    out = " ".join(run.stdout.split())
    # The look found the chain running (two replicas of 6 s each): not collected; the finish after it collected it.
    assert out.count('msg: finished=False settled=False') == 1, run.stdout[-3000:]
    assert out.count('msg: finished=True settled=False') == 1, run.stdout[-3000:]
    calls = aws.control.calls(since)
    marker = [c["seq"] for c in calls if c["operation"] == "DescribeStacks" and c["region"] == "eu-central-1"]
    replica_updates = [c["seq"] for c in calls if c["operation"] == "UpdateTable" and c["region"] == PRIMARY]
    # UpdateTable: the stream, then both replicas, all by the background job; the play went on before the first.
    assert len(marker) == 1 and len(replica_updates) == 3, (marker, replica_updates)
    assert marker[0] < replica_updates[1]
    # The data check ran once (the third finish collected nothing), after the last replica.
    checked = [c["seq"] for c in calls if c["operation"] == "Scan" and c["region"] in (SECONDARY, "eu-west-1")]
    assert len(checked) == 2 and min(checked) > replica_updates[-1], checked


def test_start_in_background_starts_nothing_on_a_settled_table(aws):
    # The preflight role's reading (mm_table_state) planned nothing: no job, no call, settled.
    make_table(aws)
    regions = Regions()
    assert regions.run(aws).rc == 0
    state = {"name": TABLE, "region": PRIMARY, "replica_regions": [SECONDARY],
             "result": {"operations": [], "pending_operations": [],
                        "replicas": [{"region_name": SECONDARY, "replica_status": "ACTIVE"}]}}
    since = aws.control.last_seq()
    run = regions.run(aws, extra_vars={"mm_table_state": state, "global_table_start_in_background": True},
                      tasks_from=("start", "finish"))
    assert run.rc == 0, run
    assert [c for c in aws.control.calls(since) if c["service"] == "dynamodb"] == []
    assert "async" not in run.stdout and recap_changed(run, PRIMARY) == 0


def test_replica_kms_keys_reach_the_module_for_a_table_with_a_customer_managed_key(aws):
    key = aws.client("kms", PRIMARY).create_key(Description="table key")["KeyMetadata"]["Arn"]
    ddb = aws.client("dynamodb", PRIMARY)
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "MysfitId", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "MysfitId", "AttributeType": "S"}],
                     SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
    replica_key = aws.client("kms", SECONDARY).create_key(Description="replica key")["KeyMetadata"]["Arn"]
    regions = Regions()
    since = aws.control.last_seq()
    refused = regions.run(aws)
    assert refused.rc != 0 and "replica_kms_keys" in refused.stdout, refused
    assert aws.control.mutating_calls(since, plane="control") == []
    run = regions.run(aws, extra_vars={"global_table_replica_kms_keys": {SECONDARY: replica_key}})
    assert run.rc == 0, run
    table = aws.client("dynamodb", PRIMARY).describe_table(TableName=TABLE)["Table"]
    replica = [r for r in table["Replicas"] if r["RegionName"] == SECONDARY][0]
    assert replica["ReplicaStatus"] == "ACTIVE" and replica["KMSMasterKeyId"] == replica_key

"""playbooks/teardown.yml: one secondary region out, in reverse order, and back again with a new converge.

One emulator for the whole scenario (module-scoped): fixture, converge, the two refusals, the teardown,
the checks of what is gone and what is untouched, then a new converge.
"""
import json

import botocore.exceptions
import pytest

from tests.integration.test_site_playbook import (
    LAB, PIPELINES, PRIMARY, SITE, TABLE, cross_region_stage, dashboard_body, pipeline, recap, start_site,
    summarize, table)

TEARDOWN = "playbooks/teardown.yml"
NO_READINESS = ("--skip-tags", "readiness")
SECONDARY = "us-east-1"
# An item of tests/fixture/files/mysfits.json.
ITEM_KEY = {"MysfitId": {"S": "8e83ba57-66b5-57ee-aa09-a6fc271593f6"}}


def _items(site):
    ddb = site.client("dynamodb")
    count = ddb.scan(TableName=TABLE, Select="COUNT", ConsistentRead=True)["Count"]
    item = ddb.get_item(TableName=TABLE, Key=ITEM_KEY, ConsistentRead=True)["Item"]
    return count, item


def _stack_error(site):
    """The error DescribeStacks gives for the secondary stack, or its status when it exists."""
    try:
        return site.client("cloudformation", SECONDARY).describe_stacks(
            StackName="mm-secondary-region")["Stacks"][0]["StackStatus"]
    except botocore.exceptions.ClientError as error:
        return str(error)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    site = start_site(tmp_path_factory, "teardown")
    try:
        site.dashboard_before = dashboard_body(site)
        # Converges judged by the state they leave: without the readiness report (it reads and changes nothing;
        # test_verify and test_site_playbook judge it).
        site.converge = site.play(SITE, extra_args=NO_READINESS)
        assert site.converge.rc == 0, site.converge
        site.items_before = _items(site)
        outputs = site.client("cloudformation").describe_stacks(StackName="mm-primary-region")["Stacks"][0]["Outputs"]
        site.primary_bucket = {o["OutputKey"]: o["OutputValue"] for o in outputs}["ArtifactBucket"]
        mark = site.mark()
        site.refused_primary = site.play(TEARDOWN, extra_vars={"confirm_teardown": PRIMARY})
        site.refused_missing = site.play(TEARDOWN)
        site.refusal_calls = [c for c in site.control.calls(since=mark) if c["mutating"]]
        site.mark_teardown = site.mark()
        site.teardown = site.play(TEARDOWN, extra_vars={"confirm_teardown": SECONDARY})
        site.teardown_calls = site.control.calls(since=site.mark_teardown)
        site.after_teardown = {
            "dashboard": dashboard_body(site),
            "pipelines": {name: pipeline(site, name) for name in PIPELINES},
            "table": table(site),
            "items": _items(site),
            "secondary_tables": site.client("dynamodb", SECONDARY).list_tables()["TableNames"],
            "secondary_stacks": _stack_error(site),
        }
        site.reconverge = site.play(SITE, extra_args=NO_READINESS)
        yield site
    finally:
        site.stop()


def test_teardown_refuses_the_primary_and_a_missing_confirmation(world):
    assert world.refused_primary.rc != 0
    assert "us-west-2 is the primary region" in world.refused_primary.stdout
    assert world.refused_missing.rc != 0
    assert "-e confirm_teardown=<region>" in " ".join(world.refused_missing.stdout.split())
    assert world.refusal_calls == [], summarize(world.refusal_calls)


def test_teardown_removes_the_region_in_reverse_order(world):
    assert world.teardown.rc == 0, world.teardown
    calls = [c for c in world.teardown_calls if c["mutating"]]
    order = [(c["service"], c["operation"]) for c in calls]
    # Reverse order of the site playbook: dashboard, pipelines, replica, stack.
    first = {key: order.index(key) for key in [("cloudwatch", "PutDashboard"), ("codepipeline", "UpdatePipeline"),
                                               ("dynamodb", "UpdateTable"), ("cloudformation", "DeleteStack")]}
    assert first[("cloudwatch", "PutDashboard")] < first[("codepipeline", "UpdatePipeline")] \
        < first[("dynamodb", "UpdateTable")] < first[("cloudformation", "DeleteStack")]
    # Dashboard: no widget or metric row of the region is left.
    body = world.after_teardown["dashboard"]
    assert SECONDARY not in json.dumps(body)
    # The last secondary region went: the dashboard is the Lab 2 one again, exactly (issue 14: teardown is an
    # exact inverse; the widgets the collection made are gone, the ones it changed are as they were).
    assert body == world.dashboard_before
    # Pipelines: the only secondary is gone, so is the stage; one artifact store again, the primary's bucket.
    for name, declaration in world.after_teardown["pipelines"].items():
        assert cross_region_stage(declaration) is None, name
        assert [s["name"] for s in declaration["stages"]] == ["Source", "Build_Docker_Container", "Deploy"]
        stores = declaration.get("artifactStores")
        if stores is not None:
            assert list(stores) == [PRIMARY], name
            assert stores[PRIMARY]["location"] == world.primary_bucket, name
        else:
            assert declaration["artifactStore"]["location"] == world.primary_bucket, name
    # Replica gone, stack gone.
    assert SECONDARY not in [r["RegionName"] for r in world.after_teardown["table"].get("Replicas", [])]
    assert TABLE not in world.after_teardown["secondary_tables"]
    assert "does not exist" in world.after_teardown["secondary_stacks"]


def test_teardown_never_touches_the_primary_table_items(world):
    assert world.teardown.rc == 0, world.teardown
    assert world.after_teardown["items"] == world.items_before
    writes = [c for c in world.teardown_calls if c["mutating"] and c["plane"] == "data"]
    assert writes == [], summarize(writes)
    # The primary's own resources stay.
    assert [c for c in world.teardown_calls if c["mutating"] and c["service"] == "cloudformation"
            and c["region"] == PRIMARY] == []


def test_a_new_converge_brings_the_region_back(world):
    assert world.reconverge.rc == 0, world.reconverge
    assert all(host["failed"] == 0 for host in recap(world.reconverge.stdout).values())
    replicas = {r["RegionName"]: r["ReplicaStatus"] for r in table(world).get("Replicas", [])}
    assert replicas.get(SECONDARY) == "ACTIVE"
    for name in PIPELINES:
        stage = cross_region_stage(pipeline(world, name))
        assert stage is not None and [a["region"] for a in stage["actions"]] == [SECONDARY]
    stack = world.client("cloudformation", SECONDARY).describe_stacks(StackName="mm-secondary-region")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert "us-east-1 Core Service Metrics" in json.dumps(dashboard_body(world))
    assert _items(world) == world.items_before

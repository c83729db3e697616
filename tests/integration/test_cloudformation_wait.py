"""cloudformation_wait against the emulator: waits with backoff, returns cloudformation_info's shape, reads only."""
import json

import pytest

from ansible_collections.mysfits.multi_region.plugins.modules.cloudformation_wait import in_progress
from ansible_collections.mysfits.multi_region.plugins.modules.cloudformation_wait import succeeded
from ansible_collections.mysfits.multi_region.plugins.modules.cloudformation_wait import wants_events

REGION = "us-east-1"
STACK = "wait-stack"
TEMPLATE = json.dumps({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Colour": {"Type": "String", "Default": "blue"}},
    "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
    "Outputs": {"Colour": {"Value": {"Ref": "Colour"}}},
})


def create(aws, **extra):
    aws.client("cloudformation", REGION).create_stack(
        StackName=STACK, TemplateBody=TEMPLATE, Parameters=[{"ParameterKey": "Colour", "ParameterValue": "red"}],
        Tags=[{"Key": "team", "Value": "mysfits"}], **extra)


def describe_calls(aws, since):
    return [c for c in aws.control.calls(since) if c["operation"] == "DescribeStacks" and c["region"] == REGION]


@pytest.mark.parametrize("status, expected", [
    ("CREATE_IN_PROGRESS", True), ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", True),
    ("ROLLBACK_IN_PROGRESS", True), ("CREATE_COMPLETE", False), ("ROLLBACK_COMPLETE", False), (None, False)])
def test_in_progress_is_any_status_ending_in_in_progress(status, expected):
    assert in_progress(status) is expected


@pytest.mark.parametrize("status, expected", [
    ("CREATE_COMPLETE", True), ("UPDATE_COMPLETE", True), ("IMPORT_COMPLETE", True),
    ("ROLLBACK_COMPLETE", False), ("UPDATE_ROLLBACK_COMPLETE", False), ("DELETE_COMPLETE", False),
    ("CREATE_FAILED", False)])
def test_succeeded_excludes_rollbacks_and_deletes(status, expected):
    assert succeeded(status) is expected


def test_events_are_read_on_failure_only_by_default():
    assert wants_events("on_failure", "ROLLBACK_COMPLETE")
    assert not wants_events("on_failure", "CREATE_COMPLETE")
    assert wants_events("always", "CREATE_COMPLETE")
    assert not wants_events("never", "ROLLBACK_COMPLETE")
    assert not wants_events("always", None)


def test_waits_for_the_create_with_growing_gaps_and_returns_cloudformation_info_shape(aws, module_runner):
    # long enough for several polls also when the module takes seconds to start on a loaded machine
    aws.control.set_timing(stack_create_seconds=12)
    create(aws)
    since = aws.control.last_seq()
    result = module_runner("mysfits.multi_region.cloudformation_wait",
                           {"stack_name": STACK, "delay": 0.5, "max_delay": 4}, region=REGION)
    assert not result.get("failed"), result
    assert result["changed"] is False
    assert result["exists"] is True
    assert result["stack_status"] == "CREATE_COMPLETE"
    entry = result["cloudformation"][STACK]
    assert entry["stack_description"]["stack_status"] == "CREATE_COMPLETE"
    assert entry["stack_outputs"] == {"Colour": "red"}
    assert entry["stack_parameters"] == {"Colour": "red"}
    assert entry["stack_tags"] == {"team": "mysfits"}
    assert "stack_events" not in entry  # a success needs no events (stack_events=on_failure)
    assert "failure_message" not in result
    calls = describe_calls(aws, since)
    assert len(calls) == result["polls"] >= 3
    gaps = [b["time"] - a["time"] for a, b in zip(calls, calls[1:])]
    # Backoff (1.5 times longer each time, 0.5 s first): the last wait is far longer than the first.
    assert gaps[-1] > 2 * gaps[0], gaps
    assert not [c for c in aws.control.calls(since) if c["mutating"]]


def test_a_missing_stack_is_returned_at_once_without_absent_timeout(aws, module_runner):
    since = aws.control.last_seq()
    result = module_runner("mysfits.multi_region.cloudformation_wait", {"stack_name": STACK}, region=REGION)
    assert not result.get("failed"), result
    assert result["exists"] is False
    assert result["stack_status"] == "ABSENT"
    assert result["cloudformation"] == {}
    assert len(describe_calls(aws, since)) == 1


def test_a_missing_stack_is_polled_for_absent_timeout(aws, module_runner):
    since = aws.control.last_seq()
    result = module_runner("mysfits.multi_region.cloudformation_wait",
                           {"stack_name": STACK, "absent_timeout": 2, "delay": 0.5, "max_delay": 1}, region=REGION)
    assert not result.get("failed"), result
    assert result["exists"] is False
    assert len(describe_calls(aws, since)) >= 2


def test_a_rolled_back_create_is_returned_with_the_events_that_explain_it(aws, module_runner):
    aws.control.set_timing(stack_create_seconds=2)
    aws.control.post("cloudformation/fail-next", {"stack": STACK, "resource": "Handle", "reason": "quota reached"})
    create(aws)
    result = module_runner("mysfits.multi_region.cloudformation_wait",
                           {"stack_name": STACK, "delay": 0.5, "max_delay": 1}, region=REGION)
    assert not result.get("failed"), result
    assert result["stack_status"] == "ROLLBACK_COMPLETE"
    events = result["cloudformation"][STACK]["stack_events"]
    failed = [e for e in events if e["resource_status"] == "CREATE_FAILED"]
    assert failed and failed[0]["logical_resource_id"] == "Handle"
    assert "quota reached" in failed[0]["resource_status_reason"]
    # ... and the reasons and what to do, in one message a role can fail with.
    message = result["failure_message"]
    assert "ROLLBACK_COMPLETE" in message and "Handle (AWS::CloudFormation::WaitConditionHandle)" in message
    assert "quota reached" in message and "delete-stack --stack-name %s --region %s" % (STACK, REGION) in message


def test_times_out_with_a_message_that_says_what_to_do(aws, module_runner):
    aws.control.set_timing(stack_create_seconds=60)
    create(aws)
    result = module_runner("mysfits.multi_region.cloudformation_wait",
                           {"stack_name": STACK, "wait_timeout": 2, "delay": 0.5, "max_delay": 1}, region=REGION)
    assert result["failed"]
    assert "CREATE_IN_PROGRESS" in result["msg"] and "wait_timeout" in result["msg"]


def test_bad_delays_fail_before_any_call_naming_the_parameter(aws, module_runner):
    since = aws.control.last_seq()
    shrinking = module_runner("mysfits.multi_region.cloudformation_wait", {"stack_name": STACK, "backoff": 0.5},
                              region=REGION)
    assert shrinking["failed"] and "backoff must be 1.0 or more" in shrinking["msg"]
    result = module_runner("mysfits.multi_region.cloudformation_wait",
                           {"stack_name": STACK, "delay": 10, "max_delay": 1}, region=REGION)
    assert result["failed"]
    assert "max_delay" in result["msg"] and "delay" in result["msg"]
    assert aws.control.calls(since) == []


def test_check_mode_reads_the_same_and_changes_nothing(aws, module_runner):
    aws.control.set_timing(stack_create_seconds=1)
    create(aws)
    since = aws.control.last_seq()
    result = module_runner("mysfits.multi_region.cloudformation_wait", {"stack_name": STACK, "delay": 0.5},
                           region=REGION, check=True)
    assert not result.get("failed"), result
    assert result["stack_status"] == "CREATE_COMPLETE"
    assert not [c for c in aws.control.calls(since) if c["mutating"]]

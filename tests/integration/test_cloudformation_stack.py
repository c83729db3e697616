"""cloudformation_stack against the emulator: starts a create/update only when needed, never waits."""
import json

REGION = "us-east-1"
STACK = "start-stack"
MODULE = "mysfits.multi_region.cloudformation_stack"
TEMPLATE = json.dumps({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {"Colour": {"Type": "String", "Default": "blue"}, "IsDrRegion": {"Type": "String"}},
    "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
    "Outputs": {"Colour": {"Value": {"Ref": "Colour"}}},
}, indent=2)
ARGS = {"stack_name": STACK, "template_body": TEMPLATE, "parameters": {"Colour": "red", "IsDrRegion": True},
        "tags": {"team": "mysfits"}}


def calls(aws, since):
    return [c for c in aws.control.calls(since) if c["service"] == "cloudformation"]


def mutating(aws, since):
    return [c["operation"] for c in aws.control.calls(since) if c["mutating"]]


def wait(module_runner, status="CREATE_COMPLETE"):
    result = module_runner("mysfits.multi_region.cloudformation_wait",
                           {"stack_name": STACK, "delay": 0.2, "max_delay": 1}, region=REGION)
    assert result["stack_status"] == status, result
    return result


def stack(aws):
    return aws.client("cloudformation", REGION).describe_stacks(StackName=STACK)["Stacks"][0]


def test_creates_without_waiting_then_a_rerun_changes_nothing_and_only_reads_twice(aws, module_runner):
    # Long enough that the module's return is seen before the stack completes even on a loaded machine (3 s was
    # not: CI, 3 pytest workers on 2 cores); the wait below sleeps, it costs no CPU.
    aws.control.set_timing(stack_create_seconds=15)
    since = aws.control.last_seq()
    first = module_runner(MODULE, ARGS, region=REGION)
    assert not first.get("failed"), first
    assert first["changed"] is True and first["operation"] == "create"
    assert first["stack_status"] == "ABSENT" and first["differences"] == ["stack"]
    assert first["stack_id"].startswith("arn:aws:cloudformation:%s:" % REGION)
    assert [c["operation"] for c in calls(aws, since)] == ["DescribeStacks", "CreateStack"]
    # It returned while CloudFormation was still creating: no polling inside the module.
    assert stack(aws)["StackStatus"] == "CREATE_IN_PROGRESS"
    created = stack(aws)
    assert {p["ParameterKey"]: p["ParameterValue"] for p in created["Parameters"]}["IsDrRegion"] == "true"
    assert {t["Key"]: t["Value"] for t in created["Tags"]} == {"team": "mysfits"}

    wait(module_runner)
    since = aws.control.last_seq()
    second = module_runner(MODULE, ARGS, region=REGION)
    assert not second.get("failed"), second
    assert second["changed"] is False and second["operation"] == "none"
    assert [c["operation"] for c in calls(aws, since)] == ["DescribeStacks", "GetTemplate"]
    # Nothing to wait for: the read is the final state, in cloudformation_info's shape.
    entry = second["cloudformation"][STACK]
    assert entry["stack_outputs"] == {"Colour": "red"}
    assert entry["stack_description"]["stack_status"] == "CREATE_COMPLETE"


def test_check_mode_on_a_missing_stack_reports_the_create_with_a_diff_and_calls_nothing_mutating(aws, module_runner):
    since = aws.control.last_seq()
    result = module_runner(MODULE, ARGS, region=REGION, check=True, diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["operation"] == "create"
    assert mutating(aws, since) == []
    summary, template = result["diff"]
    assert summary["before"]["status"] == "ABSENT"
    assert summary["after"]["parameters"] == {"Colour": "red", "IsDrRegion": "true"}
    assert template["after"] == TEMPLATE


def test_a_changed_parameter_is_one_update_shown_in_the_diff_and_check_mode_does_not_send_it(aws, module_runner):
    aws.control.set_timing(stack_create_seconds=0.5, stack_update_seconds=0.5)
    module_runner(MODULE, ARGS, region=REGION)
    wait(module_runner)
    changed = dict(ARGS, parameters={"Colour": "green", "IsDrRegion": True})
    since = aws.control.last_seq()
    planned = module_runner(MODULE, changed, region=REGION, check=True, diff=True)
    assert planned["changed"] is True and planned["operation"] == "update"
    assert planned["differences"] == ["parameter Colour"]
    assert planned["diff"]["before"]["parameters"]["Colour"] == "red"
    assert planned["diff"]["after"]["parameters"]["Colour"] == "green"
    assert mutating(aws, since) == []

    result = module_runner(MODULE, changed, region=REGION)
    assert result["changed"] is True and result["operation"] == "update"
    assert mutating(aws, since) == ["UpdateStack"]
    wait(module_runner, "UPDATE_COMPLETE")
    assert module_runner(MODULE, changed, region=REGION)["changed"] is False


def test_tags_not_given_are_left_as_they_are(aws, module_runner):
    aws.control.set_timing(stack_create_seconds=0.5)
    module_runner(MODULE, ARGS, region=REGION)
    wait(module_runner)
    since = aws.control.last_seq()
    untagged = {k: v for k, v in ARGS.items() if k != "tags"}
    assert module_runner(MODULE, untagged, region=REGION)["changed"] is False
    assert mutating(aws, since) == []


def test_a_stack_in_progress_is_left_alone_with_a_warning(aws, module_runner):
    aws.control.set_timing(stack_create_seconds=30)
    module_runner(MODULE, ARGS, region=REGION)
    since = aws.control.last_seq()
    result = module_runner(MODULE, dict(ARGS, parameters={"Colour": "green", "IsDrRegion": "true"}), region=REGION)
    assert not result.get("failed"), result
    assert result["changed"] is False and result["operation"] == "in_progress"
    assert result["stack_status"] == "CREATE_IN_PROGRESS"
    assert any("CREATE_IN_PROGRESS" in w and "cloudformation_wait" in w for w in result.get("warnings", []))
    assert mutating(aws, since) == []


def test_a_rolled_back_stack_is_refused_with_its_reasons_or_recreated_when_asked(aws, module_runner):
    aws.control.set_timing(stack_create_seconds=1, stack_delete_seconds=1)
    aws.control.post("cloudformation/fail-next", {"stack": STACK, "resource": "Handle", "reason": "quota reached"})
    module_runner(MODULE, ARGS, region=REGION)
    wait(module_runner, "ROLLBACK_COMPLETE")

    since = aws.control.last_seq()
    refused = module_runner(MODULE, ARGS, region=REGION)
    assert refused["failed"]
    assert "ROLLBACK_COMPLETE" in refused["msg"] and "quota reached" in refused["msg"]
    assert "on_rolled_back=recreate" in refused["msg"]
    assert mutating(aws, since) == []

    planned = module_runner(MODULE, dict(ARGS, on_rolled_back="recreate"), region=REGION, check=True)
    assert planned["changed"] is True and planned["operation"] == "recreate"
    assert mutating(aws, since) == []

    old_id = stack(aws)["StackId"]
    result = module_runner(MODULE, dict(ARGS, on_rolled_back="recreate"), region=REGION)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["operation"] == "recreate"
    assert mutating(aws, since) == ["DeleteStack", "CreateStack"]
    assert result["stack_id"] != old_id
    wait(module_runner)


def test_bad_input_fails_before_any_call_naming_the_parameter(aws, module_runner):
    since = aws.control.last_seq()
    empty = module_runner(MODULE, dict(ARGS, template_body="  \n"), region=REGION)
    assert empty["failed"] and "template_body" in empty["msg"] and "lookup" in empty["msg"]
    nested = module_runner(MODULE, dict(ARGS, parameters={"Colour": {"nested": 1}}), region=REGION)
    assert nested["failed"] and "parameters.Colour" in nested["msg"]
    capability = module_runner(MODULE, dict(ARGS, capabilities=["CAPABILITY_EVERYTHING"]), region=REGION)
    assert capability["failed"] and "capabilities" in capability["msg"]
    assert aws.control.calls(since) == []

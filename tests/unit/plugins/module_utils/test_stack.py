"""The plan of cloudformation_stack and the failure messages, without AWS."""
import json

import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils import stack as st

YAML = "Resources:\n  H:\n    Type: AWS::CloudFormation::WaitConditionHandle\n"
JSON_DOC = {"Resources": {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}


def described(status="CREATE_COMPLETE", parameters=None, tags=None):
    return {"StackName": "s", "StackId": "arn:aws:cloudformation:us-east-1:1:stack/s/1", "StackStatus": status,
            "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
            "Outputs": [{"OutputKey": "Out", "OutputValue": "1"}]}


def test_a_missing_stack_is_created():
    planned = st.plan(None, None, YAML, {"A": "1"}, None)
    assert planned == {"operation": "create", "status": "ABSENT", "differences": ["stack"]}


def test_a_deleted_stack_is_created_again():
    assert st.plan(described("DELETE_COMPLETE"), None, YAML, {}, None)["operation"] == "create"


def test_same_template_parameters_and_tags_is_nothing_to_do():
    planned = st.plan(described(parameters={"A": "1", "B": "x"}, tags={"team": "m"}), YAML, YAML,
                      {"A": "1"}, {"team": "m"})
    assert planned == {"operation": "none", "status": "CREATE_COMPLETE", "differences": []}


@pytest.mark.parametrize("kwargs, difference", [
    ({"deployed": YAML + "# changed\n"}, "template"),
    ({"parameters": {"A": "2"}}, "parameter A"),
    ({"parameters": {"New": "v"}}, "parameter New"),
    ({"tags": {"team": "other"}}, "tags"),
    ({"tags": {}}, "tags"),
])
def test_each_difference_is_an_update_that_names_it(kwargs, difference):
    stack = described(parameters={"A": "1"}, tags={"team": "m"})
    planned = st.plan(stack, kwargs.get("deployed", YAML), YAML, kwargs.get("parameters", {"A": "1"}),
                      kwargs.get("tags", {"team": "m"}))
    assert planned["operation"] == "update"
    assert planned["differences"] == [difference]


def test_parameters_not_given_and_tags_not_given_are_not_compared():
    stack = described(parameters={"A": "1", "Other": "kept"}, tags={"owner": "someone"})
    assert st.plan(stack, YAML, YAML, {"A": "1"}, None)["operation"] == "none"


def test_booleans_and_numbers_compare_as_cloudformation_stores_them():
    stack = described(parameters={"IsDrRegion": "true", "Count": "2", "Zones": "a,b"})
    planned = st.plan(stack, YAML, YAML, {"IsDrRegion": True, "Count": 2, "Zones": ["a", "b"]}, None)
    assert planned["operation"] == "none", planned
    assert st.parameter_list({"IsDrRegion": False}) == [{"ParameterKey": "IsDrRegion", "ParameterValue": "false"}]


def test_json_templates_compare_as_documents():
    # GetTemplate returns a JSON template as a document (boto3 parses it); the wanted body is text.
    assert st.plan(described(), JSON_DOC, json.dumps(JSON_DOC, indent=4), {}, None)["operation"] == "none"
    assert st.same_template(json.dumps(JSON_DOC), json.dumps(JSON_DOC, indent=1))
    assert not st.same_template({"Resources": {}}, json.dumps(JSON_DOC))
    assert not st.same_template(None, YAML)


@pytest.mark.parametrize("status", ["CREATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "ROLLBACK_IN_PROGRESS",
                                    "DELETE_IN_PROGRESS"])
def test_a_stack_in_progress_is_left_alone(status):
    planned = st.plan(described(status), None, YAML, {"A": "changed"}, None)
    assert planned["operation"] == "in_progress"
    assert planned["status"] == status


@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED",
                                    "UPDATE_ROLLBACK_FAILED", "IMPORT_ROLLBACK_FAILED", "SOMETHING_NEW"])
def test_failed_or_unknown_states_are_blocked(status):
    assert st.plan(described(status), None, YAML, {}, None)["operation"] == "blocked"


def test_a_rolled_back_create_is_recreated_only_when_asked():
    assert st.plan(described("ROLLBACK_COMPLETE"), None, YAML, {}, None, "recreate")["operation"] == "recreate"
    assert st.plan(described("ROLLBACK_FAILED"), None, YAML, {}, None, "recreate")["operation"] == "blocked"


def test_update_rollback_complete_is_updatable():
    stack = described("UPDATE_ROLLBACK_COMPLETE", parameters={"A": "1"})
    assert st.plan(stack, YAML, YAML, {"A": "1"}, None)["operation"] == "none"
    assert st.plan(stack, YAML, YAML, {"A": "2"}, None)["operation"] == "update"


def test_diff_shows_parameters_tags_and_the_template_of_a_create():
    result = st.diff(None, None, YAML, {"A": True}, {"team": "m"}, "create")
    summary, template = result
    assert summary["before"] == {"status": "ABSENT", "parameters": {"A": None}, "tags": {}}
    assert summary["after"] == {"status": "CREATE_COMPLETE", "parameters": {"A": "true"}, "tags": {"team": "m"}}
    assert template["before"] == "" and template["after"] == YAML


def test_diff_of_a_parameter_update_has_no_template_part_and_keeps_unmanaged_tags():
    stack = described(parameters={"A": "1"}, tags={"owner": "x"})
    result = st.diff(stack, YAML, YAML, {"A": "2"}, None, "update")
    assert result["before"]["parameters"] == {"A": "1"}
    assert result["after"]["parameters"] == {"A": "2"}
    assert result["after"]["tags"] == {"owner": "x"}


def test_diff_of_nothing_to_do_is_equal():
    stack = described(parameters={"A": "1"})
    result = st.diff(stack, YAML, YAML, {"A": "1"}, None, "none")
    assert result["before"] == result["after"]


EVENTS = [  # newest first, as DescribeStackEvents returns them
    {"LogicalResourceId": "s", "ResourceType": "AWS::CloudFormation::Stack", "ResourceStatus": "ROLLBACK_COMPLETE"},
    {"LogicalResourceId": "Nat", "ResourceType": "AWS::EC2::NatGateway", "ResourceStatus": "CREATE_FAILED",
     "ResourceStatusReason": "Resource creation cancelled"},
    {"LogicalResourceId": "Eip", "ResourceType": "AWS::EC2::EIP", "ResourceStatus": "CREATE_FAILED",
     "ResourceStatusReason": "The maximum number of addresses has been reached."},
    {"LogicalResourceId": "s", "ResourceType": "AWS::CloudFormation::Stack", "ResourceStatus": "CREATE_IN_PROGRESS",
     "ResourceStatusReason": "User Initiated"},
    # an older operation: not part of the reasons
    {"LogicalResourceId": "Old", "ResourceType": "AWS::S3::Bucket", "ResourceStatus": "CREATE_FAILED",
     "ResourceStatusReason": "older failure"},
]


def test_failure_reasons_are_those_of_the_last_operation_oldest_first():
    reasons = st.failure_reasons(EVENTS)
    assert reasons == ("Eip (AWS::EC2::EIP) CREATE_FAILED: The maximum number of addresses has been reached.; "
                       "Nat (AWS::EC2::NatGateway) CREATE_FAILED: Resource creation cancelled")


def test_failure_reasons_accept_snake_case_events_and_say_when_there_are_none():
    snake = [{"logical_resource_id": "Eip", "resource_type": "AWS::EC2::EIP", "resource_status": "CREATE_FAILED",
              "resource_status_reason": "limit"}]
    assert st.failure_reasons(snake) == "Eip (AWS::EC2::EIP) CREATE_FAILED: limit"
    assert st.failure_reasons([]) == "no failed resource reported in the stack events"


def test_failure_message_names_the_stack_the_reasons_and_the_fix():
    message = st.failure_message("mm-secondary-region", "us-east-1", "ROLLBACK_COMPLETE", EVENTS)
    assert message.startswith("The stack mm-secondary-region in us-east-1 is ROLLBACK_COMPLETE. Failed resources: Eip")
    assert "delete-stack --stack-name mm-secondary-region --region us-east-1" in message
    assert "on_rolled_back=recreate" in message
    assert st.failure_message("s", "r", "WEIRD_STATE", []).endswith("Fix the cause and run again.")


def test_stack_facts_have_cloudformation_info_shape():
    facts = st.stack_facts(described(parameters={"A": "1"}, tags={"t": "v"}), events=[])
    assert facts["stack_outputs"] == {"Out": "1"}
    assert facts["stack_parameters"] == {"A": "1"}
    assert facts["stack_tags"] == {"t": "v"}
    assert facts["stack_description"]["stack_status"] == "CREATE_COMPLETE"
    assert facts["stack_events"] == []

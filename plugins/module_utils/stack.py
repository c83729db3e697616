# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudFormation stacks: statuses, the plan of cloudformation_stack, failure messages.

Pure functions (no AWS call): the modules read the stack, ask :func:`plan` what to do,
and do it. ``stack`` arguments are ``DescribeStacks`` entries (CamelCase, as boto3 returns them).
"""

from __future__ import annotations

import json

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

# A stack in one of these can be updated (or left alone).
STABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
          "IMPORT_ROLLBACK_COMPLETE")
# A stack in one of these can be neither updated nor left as it is: someone has to act.
FAILED = ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED", "DELETE_FAILED", "UPDATE_FAILED",
          "UPDATE_ROLLBACK_FAILED", "IMPORT_ROLLBACK_FAILED")

ADVICE = {
    "ROLLBACK_COMPLETE": (
        "Its creation failed and was rolled back; CloudFormation cannot update such a stack. Fix the cause, "
        "then delete it (aws cloudformation delete-stack --stack-name {stack} --region {region}) and run again, "
        "or run again with on_rolled_back=recreate (role: secondary_stack_recreate_rolled_back=true) to delete "
        "and create it."),
    "ROLLBACK_FAILED": (
        "Its creation failed and so did the rollback. Delete it (aws cloudformation delete-stack --stack-name "
        "{stack} --region {region}, with --retain-resources for what cannot be deleted), fix the cause and run "
        "again."),
    "DELETE_FAILED": (
        "Its deletion failed. Delete it again (aws cloudformation delete-stack --stack-name {stack} --region "
        "{region} --retain-resources <the failed resources>), then run again."),
    "UPDATE_ROLLBACK_FAILED": (
        "An update failed and so did its rollback. Run aws cloudformation continue-update-rollback --stack-name "
        "{stack} --region {region} (with --resources-to-skip if needed), fix the cause and run again."),
    "UPDATE_ROLLBACK_COMPLETE": (
        "The update failed and was rolled back; the previous version of the stack is in place. Fix the cause "
        "and run again."),
}
DEFAULT_ADVICE = "Fix the cause and run again."


def in_progress(status):
    """True while CloudFormation is still working on the stack."""
    return bool(status) and status.endswith("_IN_PROGRESS")


def succeeded(status):
    """A stable state the stack's last operation reached without failing."""
    return bool(status) and status.endswith("_COMPLETE") and "ROLLBACK" not in status and status != "DELETE_COMPLETE"


def wants_events(mode, status):
    """Whether to read the events: always, never, or when the operation did not succeed."""
    if mode == "always":
        return status is not None
    if mode == "never":
        return False
    return status is not None and not succeeded(status)


def stack_facts(stack, events=None, resources=None):
    """One stack as amazon.aws.cloudformation_info returns it (keys in snake_case); ``resources``: its
    ListStackResources summaries (cloudformation_info's ``stack_resource_list``)."""
    facts = {
        "stack_description": stack,
        "stack_outputs": {o["OutputKey"]: o.get("OutputValue") for o in stack.get("Outputs") or []},
        "stack_parameters": {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters") or []},
        "stack_tags": {t["Key"]: t.get("Value") for t in stack.get("Tags") or []},
    }
    if events is not None:
        facts["stack_events"] = events
    if resources is not None:
        facts["stack_resource_list"] = resources
    return camel_dict_to_snake_dict(facts, ignore_list=("stack_outputs", "stack_parameters", "stack_tags"))


def parameter_value(value):
    """The string CloudFormation stores for a parameter value (YAML booleans as true/false, lists joined)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(parameter_value(v) for v in value)
    return str(value)


def normalise_parameters(parameters):
    return {str(k): parameter_value(v) for k, v in (parameters or {}).items()}


def normalise_tags(tags):
    if tags is None:
        return None
    return {str(k): parameter_value(v) for k, v in tags.items()}


def same_template(deployed, wanted):
    """Whether the deployed template (GetTemplate's body: a str, or a dict for JSON) is the wanted body."""
    if deployed is None:
        return False
    if isinstance(deployed, str) and deployed == wanted:
        return True
    try:
        wanted_doc = json.loads(wanted)
    except ValueError:
        return False
    if isinstance(deployed, str):
        try:
            deployed = json.loads(deployed)
        except ValueError:
            return False
    return deployed == wanted_doc


def template_text(template):
    """A deployed template as text, for diffs."""
    if template is None or isinstance(template, str):
        return template or ""
    return json.dumps(template, indent=2, sort_keys=True)


def differences(stack, deployed_template, template_body, parameters, tags):
    """What differs between the deployed stack and the wanted one, as a list of short descriptions.

    Only the parameters given are compared (the others keep the template's defaults); tags only when
    given (``None``: not managed).
    """
    out = []
    if not same_template(deployed_template, template_body):
        out.append("template")
    current = {p["ParameterKey"]: p.get("ParameterValue") for p in stack.get("Parameters") or []}
    for key, value in sorted(normalise_parameters(parameters).items()):
        if current.get(key) != value:
            out.append("parameter %s" % key)
    wanted_tags = normalise_tags(tags)
    if wanted_tags is not None:
        current_tags = {t["Key"]: t.get("Value") for t in stack.get("Tags") or []}
        if current_tags != wanted_tags:
            out.append("tags")
    return out


def plan(stack, deployed_template, template_body, parameters, tags, on_rolled_back="fail"):
    """What cloudformation_stack does with the stack as read.

    Returns a dict: ``operation`` one of ``create``, ``recreate`` (delete a rolled-back stack, then
    create it), ``update``, ``none``, ``in_progress`` (another operation runs; nothing is started),
    ``blocked`` (a failed state someone has to resolve); ``status`` (``ABSENT`` for no stack) and
    ``differences``.
    """
    if stack is None or stack.get("StackStatus") == "DELETE_COMPLETE":
        return {"operation": "create", "status": "ABSENT", "differences": ["stack"]}
    status = stack["StackStatus"]
    if in_progress(status):
        return {"operation": "in_progress", "status": status, "differences": []}
    if status == "ROLLBACK_COMPLETE" and on_rolled_back == "recreate":
        return {"operation": "recreate", "status": status, "differences": ["stack"]}
    if status in FAILED or status not in STABLE:
        return {"operation": "blocked", "status": status, "differences": []}
    diff = differences(stack, deployed_template, template_body, parameters, tags)
    return {"operation": "update" if diff else "none", "status": status, "differences": diff}


def parameter_list(parameters):
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(normalise_parameters(parameters).items())]


def tag_list(tags):
    return [{"Key": k, "Value": v} for k, v in sorted((normalise_tags(tags) or {}).items())]


def diff(stack, deployed_template, template_body, parameters, tags, operation):
    """Ansible's diff (before/after) of what the operation changes."""
    current = stack or {}
    current_parameters = {p["ParameterKey"]: p.get("ParameterValue") for p in current.get("Parameters") or []}
    current_tags = {t["Key"]: t.get("Value") for t in current.get("Tags") or []}
    before = {"status": current.get("StackStatus", "ABSENT") if stack else "ABSENT",
              "parameters": {k: current_parameters.get(k) for k in sorted(normalise_parameters(parameters))},
              "tags": current_tags if stack else {}}
    after = dict(before)
    if operation in ("create", "recreate", "update"):
        after = {"status": "%s_COMPLETE" % ("UPDATE" if operation == "update" else "CREATE"),
                 "parameters": normalise_parameters(parameters),
                 "tags": current_tags if tags is None and operation == "update" else (normalise_tags(tags) or {})}
    result = {"before": before, "after": after}
    new_template = operation == "update" and not same_template(deployed_template, template_body)
    if operation in ("create", "recreate") or new_template:
        result = [result, {"before": "" if operation != "update" else template_text(deployed_template),
                           "after": template_body, "before_header": "template (deployed)",
                           "after_header": "template (wanted)"}]
    return result


def failure_reasons(events):
    """The failed resources of the stack's last operation, one "LogicalId (Type) STATUS: reason" each.

    ``events`` are ``DescribeStackEvents`` entries (CamelCase or snake_case), newest first; the
    operation starts at the stack's own "User Initiated" event.
    """
    lines = []
    for event in events or []:
        get = _getter(event)
        status = get("ResourceStatus", "resource_status") or ""
        reason = get("ResourceStatusReason", "resource_status_reason") or ""
        rtype = get("ResourceType", "resource_type") or ""
        if status.endswith("FAILED") and reason:
            lines.append("%s (%s) %s: %s" % (get("LogicalResourceId", "logical_resource_id"), rtype, status, reason))
        if rtype == "AWS::CloudFormation::Stack" and status.endswith("_IN_PROGRESS") and reason == "User Initiated":
            break
    return "; ".join(reversed(lines)) if lines else "no failed resource reported in the stack events"


def _getter(event):
    def get(camel, snake):
        return event.get(camel, event.get(snake))
    return get


def failure_message(stack_name, region, status, events):
    """Why a stack is not usable and what to do about it."""
    advice = ADVICE.get(status, DEFAULT_ADVICE).format(stack=stack_name, region=region)
    return "The stack %s in %s is %s. Failed resources: %s. %s" % (
        stack_name, region, status, failure_reasons(events), advice)

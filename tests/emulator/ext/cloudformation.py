"""CloudFormation: stack lifecycle with latency, outputs on every path, the template's resource types.

Gaps of moto 5.2.5 measured with ``roles/secondary_stack/files/core.yml`` and what this
extension does about each (all patches are applied by ``install()`` in the server process):

Stack lifecycle
* moto creates, updates and deletes synchronously and answers ``*_COMPLETE`` at once. Here
  the resources are still created (updated, deleted) during the request, but the stack
  *reports* ``CREATE_IN_PROGRESS`` / ``UPDATE_IN_PROGRESS`` / ``DELETE_IN_PROGRESS`` for
  ``state.TIMING`` ``stack_create_seconds`` / ``stack_update_seconds`` /
  ``stack_delete_seconds`` (read when the request arrives) and then ``*_COMPLETE``. The
  transition is computed lazily: every CloudFormation read or write of a region first
  "settles" that region's stacks whose phase has ended (no threads, no timers). Stack events
  show the progression: ``CREATE_IN_PROGRESS`` "User Initiated" and one
  ``CREATE_IN_PROGRESS`` per resource at the request, then one ``CREATE_COMPLETE`` per
  resource and the stack's ``CREATE_COMPLETE`` when the phase ends.
* ``DescribeStacks`` shows no ``Outputs`` while a stack is ``CREATE_IN_PROGRESS`` (as AWS:
  outputs appear with ``CREATE_COMPLETE``), the previous outputs while
  ``UPDATE_IN_PROGRESS``, the last outputs while ``DELETE_IN_PROGRESS`` and none after a
  rollback.
* A stack created through a change set (``CreateChangeSet`` ``ChangeSetType=CREATE`` then
  ``ExecuteChangeSet``) had no ``Outputs`` in moto (its output map was built from the empty
  placeholder template); it is rebuilt from the executed template. ``ExecuteChangeSet`` gets
  the same latency and events; the change set reports ``EXECUTE_IN_PROGRESS`` then
  ``EXECUTE_COMPLETE``.
* ``UpdateStack``/``ExecuteChangeSet``/``DeleteStack`` on a stack that is ``*_IN_PROGRESS``
  fail with ``ValidationError`` "... is in X state and can not be updated." as in AWS
  (``DeleteStack`` is accepted again while a delete is running, and is a no-op).
* A deleted stack stays visible by name while ``DELETE_IN_PROGRESS``; afterwards only by
  stack id (moto's ``deleted_stacks``).
* ``UpdateStack`` with the stack's template and parameters was refused ("No updates are to be
  performed.") only when every parameter was passed; parameters left to their defaults made
  moto run a no-op update. Defaults are now resolved before the comparison, as AWS does.
* An update that changes a resource whose ``Condition`` is false crashed moto (it "updated"
  the resource that was never created); such resources are left alone.
* ``ListStackResources``/``DescribeStackResources`` listed an empty entry for every resource
  whose ``Condition`` is false; those are left out (AWS does not list them).

Templates shaped as the workshop's own (cfn/core.yml, cfn/cicd.yml of hub714/multi-region-workshop)
* ``Fn::GetAZs`` took its argument as a literal region name: ``{"Ref": "AWS::Region"}`` became the
  zone ``{'Ref': 'AWS::Region'}a`` and ``""`` meant us-east-1. The argument is resolved; ``""`` and
  the stack's own region give the zones of the stack's region (the EC2 backend's list), as AWS
  ("Fn::GetAZs", CloudFormation user guide, intrinsic function reference).
* ``Fn::GetAtt`` with a dotted attribute (``!GetAtt Stack.Outputs.Name`` in the short form, which
  splits at the first dot only) and ``${Resource.Attribute.With.Dots}`` inside ``Fn::Sub`` lost
  everything after the second part. ``Fn::Sub`` is evaluated here: ``${Name}`` is a parameter,
  pseudo parameter or resource ``Ref``, ``${Logical.Attr}`` a ``GetAtt`` on the part before the
  first dot, ``${!Literal}`` stays literal, variables of the second (map) argument win.
* Nested stacks (``AWS::CloudFormation::Stack`` with an S3 ``TemplateURL``): the nested stack is
  named ``<parent>-<LogicalId>-<13 upper case letters and digits>``, ``Ref`` is its stack id (ARN),
  ``GetAtt Outputs.<Name>`` its output (unknown output: a template error, as AWS), ``DescribeStacks``
  shows its ``ParentId`` and ``RootId``, and it reports
  ``CREATE_IN_PROGRESS`` for as long as its parent and then ``CREATE_COMPLETE``.
* Generated names of ECR repositories (no ``RepositoryName``) were upper case and rejected by
  ECR's name rule; they are ``<stack>-<logicalid>-<suffix>`` in lower case, as CloudFormation makes them.
  Generated IAM role and Lambda function names are cut to their 64-character limit (the stack and
  logical id part shortened, the random suffix kept).
* Short-form tags on a mapping (``!GetAZs {Ref: AWS::Region}``) were left as raw YAML nodes; they
  are read like the long form. ``!GetAtt a.b.c`` splits at the first dot only.
* Security-group ingress rules with ``IpProtocol: -1`` and no ports failed (``KeyError: 'FromPort'``);
  they allow every protocol and port; tcp/udp rules without ports fail, as EC2 refuses them.
* An ``AWS::CodePipeline::Pipeline``'s declaration keeps the API's types (see below), so
  ``GetPipeline`` answers ``actionTypeId.version`` ``"1"`` for a template's ``Version: 1``.
* ``ExportName`` of an output is its own ``Export`` (moto matched exports by value).
* Outputs whose ``Condition`` is false were still evaluated for their ``Export`` (a reference to a
  resource that was not created broke the stack); they are skipped, as AWS neither evaluates nor
  lists them.
* A resource that fails while a stack is created (moto raised out of ``CreateStack`` and left a
  half-made stack that answered ``DescribeStacks`` with HTTP 500) now fails the create as AWS does:
  ``CREATE_FAILED`` for that resource with the error as reason, rollback, ``ROLLBACK_COMPLETE``.
* Inline ``Policies`` of an ``AWS::IAM::Role`` were stored as Python dicts, so ``GetRolePolicy``
  answered their repr (not JSON); they are stored as the JSON documents IAM keeps.
* ``TemplateBody`` longer than 51,200 characters, a ``TemplateURL`` longer than 5,120 and a template
  in S3 over 1 MB are refused with ``ValidationError`` (API reference, CreateStack "Length
  Constraints"; user guide "CloudFormation quotas"); moto accepted any size.
* YAML timestamps (``Version: 2012-10-17`` unquoted) were read as dates; CloudFormation reads
  every scalar of a template as text, so they stay the text written.

Failure injection
* Control route ``cloudformation/fail-next``: POST ``{"stack": name, "resource": logical id,
  "reason": text[, "region": r]}`` makes the next create of that stack (``CreateStack`` or
  a ``CREATE`` change set) end in ``ROLLBACK_COMPLETE``: half-way through the create phase
  the stack turns ``ROLLBACK_IN_PROGRESS`` with a ``CREATE_FAILED`` event for that resource
  carrying the reason, and a stack event "The following resource(s) failed to create: [id].
  Rollback requested by user."; at the end the created resources are deleted (one
  ``DELETE_COMPLETE`` event each) and the stack is ``ROLLBACK_COMPLETE``. ``DisableRollback``
  is not honoured (always rolls back). GET lists the pending failures, DELETE clears them.

Attributes moto does not resolve
* ``Fn::GetAtt [<AWS::ElasticLoadBalancingV2::LoadBalancer>, LoadBalancerFullName]`` came
  back as the unresolved ``{"Fn::GetAtt": ...}`` dict; it is ``app/<name>/<id>``, the part
  of the ARN after ``loadbalancer/`` (the CloudWatch ``LoadBalancer`` dimension).
* ``AWS::ElasticLoadBalancingV2::TargetGroup`` had no ``get_cfn_attribute`` at all; it
  resolves ``TargetGroupFullName`` (``targetgroup/<name>/<id>``), ``TargetGroupName``,
  ``TargetGroupArn`` and ``LoadBalancerArns``.

Resource types of the template moto's CloudFormation does not support (checked against
``moto.cloudformation.parsing.get_model_map()``; every other type of the template - EC2
VPC/subnets/IGW/NAT/EIP/routes/VPC endpoint/security groups, IAM, ECR, ECS, Logs, ELBv2,
DynamoDB, S3, Events, Lambda - is moto's own):
* ``AWS::CodeCommit::Repository``: created in moto's CodeCommit backend (so the
  CodeCommit extension's file API works on it). ``Ref`` = repository id; ``GetAtt`` ``Arn``,
  ``Name``, ``CloneUrlHttp``, ``CloneUrlSsh``. The ``Code`` property (initial content from S3)
  and ``Triggers`` are ignored.
* ``AWS::CodeBuild::Project``: created in moto's CodeBuild backend (properties converted
  to the API's shapes). ``Ref`` = name; ``GetAtt`` ``Arn``.
* ``AWS::CodePipeline::Pipeline``: created in moto's CodePipeline backend through
  ``create_pipeline`` (so the CodePipeline extension validates the declaration and runs
  executions); the CloudFormation shape (``ArtifactStore``, ``Stages``/``Actions``,
  ``ArtifactStores`` as a list of ``{Region, ArtifactStore}``) is converted to the API's
  declaration, configuration values to strings (``false`` -> ``"false"``). ``Ref`` = name;
  ``GetAtt`` ``Version``. Template values are converted to the types of botocore's
  ``PipelineDeclaration`` shape (numbers to strings for String members, text to integers for
  Integer members), as CloudFormation does. AWS starts a first execution when a pipeline is
  created; so does this model (``StartPipelineExecution`` in the backend), unless the backend refuses.
  Updates go through ``update_pipeline``.
* ``AWS::Cloud9::EnvironmentEC2``: moto has no Cloud9 backend; a placeholder resource with
  an environment id (``Ref``), ``GetAtt`` ``Arn`` and ``Name`` - nothing else can see it.
* Custom resources (``Custom::*`` / ``AWS::CloudFormation::CustomResource``) backed by a
  Lambda function: moto invokes the function (Docker) and waits for its callback; there is
  no Lambda runtime here, so the resource answers SUCCESS at once without invoking anything
  (no ``Data`` attributes). The function itself is still created in moto's Lambda backend.
"""
import json
import random
import re
import string
import threading
import time
import uuid

from moto.cloudformation import parsing
from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.cloudformation.models import CloudFormationBackend, Event, Stack, cloudformation_backends
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudformation.utils import get_stack_from_s3_url
from moto.codebuild.models import codebuild_backends
from moto.codecommit.models import codecommit_backends
from moto.codepipeline.models import codepipeline_backends
from moto.core.common_models import CloudFormationModel
from moto.ec2.models.security_groups import SecurityGroup
from moto.elbv2.models import FakeLoadBalancer, FakeTargetGroup
from moto.iam.models import Role

from .. import app, state

_LOCK = threading.RLock()
# pending failures: list of {"stack", "resource", "reason", "region" (or None)}
FAIL_NEXT = []
_installed = False

IN_PROGRESS = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS",
               "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "REVIEW_IN_PROGRESS")


def _reset():
    with _LOCK:
        del FAIL_NEXT[:]


# ----------------------------------------------------------------------------- events and phases

def _event(stack, logical_id, physical_id, resource_type, status, reason=None):
    return Event(stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
                 physical_resource_id=physical_id, resource_type=resource_type, resource_status=status,
                 resource_status_reason=reason, resource_properties=None)


def _stack_event(stack, status, reason=None):
    return _event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", status, reason)


def _created_resources(stack):
    """(logical id, physical id, type) of every resource the stack holds, in template order."""
    resource_map = stack.resource_map
    result = []
    for logical_id, definition in resource_map._resource_json_map.items():
        resource = resource_map._parsed_resources.get(logical_id)
        if resource is None or isinstance(resource, (str, dict, list)):
            continue
        physical = getattr(resource, "physical_resource_id", None) or ""
        result.append((logical_id, str(physical), definition.get("Type", "")))
    return result


def _strip_final_events(stack, count_before):
    """Drop the *_COMPLETE stack events moto added synchronously after index count_before."""
    kept = stack.events[:count_before]
    for event in stack.events[count_before:]:
        if event.resource_type == "AWS::CloudFormation::Stack" and event.resource_status.endswith("_COMPLETE"):
            continue
        kept.append(event)
    stack.events[:] = kept


def _schedule(stack, phases):
    """phases: list of dicts {at, status, events: [callable(stack) -> [Event]], action: callable|None}."""
    stack._emu_phases = list(phases)


def _settle_stack(stack, backend):
    phases = getattr(stack, "_emu_phases", None)
    now = time.time()
    while phases and phases[0]["at"] <= now:
        gate = phases[0].get("gate")
        if gate is not None:
            # the phase waits for its resources to stabilise (ECS services: ext/ecs_deploy.py)
            ready, failure = gate(stack)
            if not ready:
                if failure is None:
                    break
                phases[:] = phases[0]["on_gate_failure"](stack, failure)
                continue
        phase = phases.pop(0)
        if phase.get("action"):
            phase["action"](stack, backend)
        for make in phase.get("events", []):
            stack.events.extend(make(stack))
        stack.status = phase["status"]


def _settle(backend):
    with _LOCK:
        for stack in list(backend.stacks.values()):
            _settle_stack(stack, backend)


def _settling(original):
    def wrapper(self, *args, **kwargs):
        with _LOCK:
            _settle(self)
            return original(self, *args, **kwargs)
    wrapper.__name__ = original.__name__
    wrapper.__wrapped__ = original
    return wrapper


def _take_failure(stack_name, region):
    with _LOCK:
        for index, rule in enumerate(FAIL_NEXT):
            if rule["stack"] == stack_name and rule.get("region") in (None, region):
                return FAIL_NEXT.pop(index)
    return None


def _resource_complete_events(status):
    def make(stack):
        return [_event(stack, logical, physical, rtype, status)
                for logical, physical, rtype in _created_resources(stack)]
    return make


def _stack_events(status, reason=None):
    return lambda stack: [_stack_event(stack, status, reason)]


def _create_phases(stack, failure, on_done=None):
    """The phases of a create (plain or change set) that started now."""
    start = time.time()
    duration = state.TIMING.get("stack_create_seconds")
    resources = _created_resources(stack)
    stack.events.extend(_event(stack, logical, "", rtype, "CREATE_IN_PROGRESS") for logical, _, rtype in resources)
    stack.status = "CREATE_IN_PROGRESS"
    if failure is None:
        def done(stack, backend):
            if on_done:
                on_done()

        def gate_failed(stack, gate_failure):
            logical_id, reason = gate_failure
            return _create_failure_phases(stack, logical_id, reason, time.time(), duration, on_done)
        _schedule(stack, [{"at": start + duration, "status": "CREATE_COMPLETE", "action": done,
                           "gate": _ecs_gate(start), "on_gate_failure": gate_failed,
                           "events": [_resource_complete_events("CREATE_COMPLETE"),
                                      _stack_events("CREATE_COMPLETE")]}])
        return
    _schedule(stack, _create_failure_phases(stack, failure["resource"], failure["reason"], start, duration, on_done))


def _ecs_gate(started):
    from . import ecs_deploy
    return lambda stack: ecs_deploy.stack_gate(stack, started)


def _create_failure_phases(stack, failed_id, reason, start, duration, on_done):
    """A create that fails at resource ``failed_id``: rolled back and ROLLBACK_COMPLETE at start + duration."""
    failed_type = stack.resource_map._resource_json_map.get(failed_id, {}).get("Type", "")

    def fail_events(stack):
        events = [_event(stack, logical, physical, rtype, "CREATE_COMPLETE")
                  for logical, physical, rtype in _created_resources(stack) if logical != failed_id]
        events.append(_event(stack, failed_id, "", failed_type, "CREATE_FAILED", reason))
        events.append(_stack_event(
            stack, "ROLLBACK_IN_PROGRESS",
            "The following resource(s) failed to create: [%s]. Rollback requested by user." % failed_id))
        return events

    def roll_back(stack, backend):
        stack._emu_rolled_back = _created_resources(stack)
        try:
            stack.resource_map.delete()
        except Exception:  # noqa: BLE001 - a resource moto cannot delete stays; the stack still rolls back
            pass
        if on_done:
            on_done()

    def rollback_events(stack):
        return [_event(stack, logical, physical, rtype, "DELETE_COMPLETE")
                for logical, physical, rtype in getattr(stack, "_emu_rolled_back", [])]

    return [
        {"at": start + duration / 2.0, "status": "ROLLBACK_IN_PROGRESS", "events": [fail_events]},
        {"at": start + duration, "status": "ROLLBACK_COMPLETE", "action": roll_back,
         "events": [rollback_events, _stack_events("ROLLBACK_COMPLETE")]},
    ]


def _update_phases(stack, on_done=None):
    start = time.time()
    stack.status = "UPDATE_IN_PROGRESS"

    def done(stack, backend):
        stack._emu_previous_outputs = None
        if on_done:
            on_done()
    def gate_failed(stack, gate_failure):
        # the resources keep the update (the emulator does not restore the previous properties)
        logical_id, reason = gate_failure
        failed_type = stack.resource_map._resource_json_map.get(logical_id, {}).get("Type", "")
        at = time.time()
        return [
            {"at": at, "status": "UPDATE_ROLLBACK_IN_PROGRESS", "events": [
                lambda stack: [_event(stack, logical_id, "", failed_type, "UPDATE_FAILED", reason),
                               _stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS",
                                            "The following resource(s) failed to update: [%s]. " % logical_id)]]},
            {"at": at + state.TIMING.get("stack_update_seconds"), "status": "UPDATE_ROLLBACK_COMPLETE",
             "action": done, "events": [_stack_events("UPDATE_ROLLBACK_COMPLETE")]},
        ]
    _schedule(stack, [{"at": start + state.TIMING.get("stack_update_seconds"), "status": "UPDATE_COMPLETE",
                       "action": done, "gate": _ecs_gate(start), "on_gate_failure": gate_failed,
                       "events": [_stack_events("UPDATE_COMPLETE")]}])


def _refuse_if_busy(stack, operation="updated"):
    if stack.status in IN_PROGRESS and stack.status != "REVIEW_IN_PROGRESS":
        raise ValidationError(stack.stack_id, message="Stack:%s is in %s state and can not be %s."
                              % (stack.stack_id, stack.status, operation))


# ----------------------------------------------------------------------------- backend patches

def _outputs_now(stack):
    """The stack's outputs now; ExportName from the output's own Export (moto matched exports by value, so an
    output whose value equals an exported one's showed that export's name)."""
    output_map = stack.output_map
    declared = output_map._output_json_map or {}
    outputs = []
    for key in output_map.outputs:
        output = output_map[key]
        if not output:
            continue
        export = (declared.get(key) or {}).get("Export")
        outputs.append({"OutputKey": output.key, "OutputValue": output.value, "Description": output.description,
                        "ExportName": _clean_json(export.get("Name"), output_map._resource_map) if export else None})
    return outputs or None


def _outputs(stack):
    status = stack.status
    if status in ("CREATE_IN_PROGRESS", "REVIEW_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE",
                  "DELETE_COMPLETE", "CREATE_FAILED"):
        return None
    if status == "UPDATE_IN_PROGRESS" and getattr(stack, "_emu_previous_outputs", None) is not None:
        return stack._emu_previous_outputs or None
    if status == "DELETE_IN_PROGRESS":
        return getattr(stack, "_emu_previous_outputs", None) or None
    return _outputs_now(stack)


def _stack_resources(stack):
    return [resource for resource in stack.resource_map.values()
            if resource is not None and not isinstance(resource, (str, dict, list))]


def _failing_resource(stack):
    """The logical id of the resource whose create raised (the innermost one), else the stack's name."""
    return getattr(stack.resource_map, "_emu_failed", None) or stack.name


def _parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
    try:
        return _ORIGINALS["parse_and_create_resource"](logical_id, resource_json, resources_map, account_id,
                                                       region_name)
    except Exception:
        if getattr(resources_map, "_emu_failed", None) is None:
            resources_map._emu_failed = logical_id
        raise


def create_stack(self, name, *args, **kwargs):
    with _LOCK:
        _settle(self)
        failure = _take_failure(name, self.region_name)
        known = set(self.stacks)
        try:
            stack = _ORIGINALS["create_stack"](self, name, *args, **kwargs)
            _outputs_now(stack)  # an output that cannot be resolved fails the create, not every later read
        except Exception as exc:  # noqa: BLE001 - a resource failed: AWS rolls the stack back
            half_made = [s for key, s in self.stacks.items() if key not in known and s.name == name]
            if not half_made:
                raise  # refused before the stack existed (template or parameter error)
            stack = half_made[0]
            message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
            failure = {"stack": name, "resource": _failing_resource(stack), "reason": message}
        _strip_final_events(stack, 1)
        _create_phases(stack, failure)
        return stack


def execute_change_set(self, change_set_name, stack_name=None):
    with _LOCK:
        _settle(self)
        change_set = self.describe_change_set(change_set_name)
        stack = self.stacks[change_set.stack_id]
        if change_set.execution_status != "AVAILABLE":
            raise ValidationError(stack.stack_id, message="ChangeSet [%s] cannot be executed in its current "
                                  "execution status of [%s]" % (change_set.change_set_id, change_set.execution_status))
        _refuse_if_busy(stack)
        previous = _outputs_now(stack) if change_set.change_set_type == "UPDATE" else None
        failure = _take_failure(stack.name, self.region_name) if change_set.change_set_type == "CREATE" else None
        count_before = len(stack.events)
        _ORIGINALS["execute_change_set"](self, change_set_name, stack_name)
        # moto built the output map from the template the stack had before; rebuild it from the executed one
        stack.template = change_set.template
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()
        if change_set.parameters:
            stack.parameters = dict(change_set.parameters)
        _strip_final_events(stack, count_before + 1)
        change_set.execution_status = "EXECUTE_IN_PROGRESS"

        def done():
            change_set.execution_status = "EXECUTE_COMPLETE"
        if change_set.change_set_type == "CREATE":
            _create_phases(stack, failure, on_done=done)
        else:
            stack._emu_previous_outputs = previous or []
            _update_phases(stack, on_done=done)


def update_stack(self, name, *args, **kwargs):
    with _LOCK:
        _settle(self)
        stack = self.get_stack(name)
        _refuse_if_busy(stack)
        previous = _outputs_now(stack)
        count_before = len(stack.events)
        stack = _ORIGINALS["update_stack"](self, name, *args, **kwargs)
        _strip_final_events(stack, count_before + 1)
        stack._emu_previous_outputs = previous or []
        _update_phases(stack)
        return stack


def delete_stack(self, name_or_stack_id):
    with _LOCK:
        _settle(self)
        stack = None
        for candidate in self.stacks.values():
            if name_or_stack_id in (candidate.stack_id, candidate.name):
                stack = candidate
                break
        if stack is None:
            return  # AWS: deleting a stack that does not exist succeeds
        if stack.status == "DELETE_IN_PROGRESS":
            return
        try:
            stack._emu_previous_outputs = _outputs_now(stack) or []
        except Exception:  # noqa: BLE001 - outputs of a half-built stack may not resolve
            stack._emu_previous_outputs = []
        stack.events.append(_stack_event(stack, "DELETE_IN_PROGRESS", "User Initiated"))
        deleted = _created_resources(stack)
        error = None
        try:
            stack.resource_map.delete()
        except Exception as exc:  # noqa: BLE001 - reported as DELETE_FAILED like AWS
            error = str(exc) or exc.__class__.__name__
        stack.status = "DELETE_IN_PROGRESS"
        start = time.time()
        duration = state.TIMING.get("stack_delete_seconds")
        if error:
            _schedule(stack, [{"at": start + duration, "status": "DELETE_FAILED",
                               "events": [_stack_events("DELETE_FAILED", error)]}])
            return

        def finish(stack, backend):
            backend.stacks.pop(stack.stack_id, None)
            backend.deleted_stacks[stack.stack_id] = stack
            for export in list(backend.exports.values()):
                if export.exporting_stack_id == stack.stack_id:
                    backend.exports.pop(export.name, None)
            stack._emu_previous_outputs = None

        def resource_events(stack):
            return [_event(stack, logical, physical, rtype, "DELETE_COMPLETE") for logical, physical, rtype in deleted]
        _schedule(stack, [{"at": start + duration, "status": "DELETE_COMPLETE", "action": finish,
                           "events": [resource_events, _stack_events("DELETE_COMPLETE")]}])


def create_change_set(self, stack_name, *args, **kwargs):
    with _LOCK:
        _settle(self)
        if kwargs.get("change_set_type") == "UPDATE":
            for stack in self.stacks.values():
                if stack.name == stack_name:
                    _refuse_if_busy(stack)
        return _ORIGINALS["create_change_set"](self, stack_name, *args, **kwargs)


def _requested_tags(response):
    """The Tags of an UpdateStack request: None when the request has none; {} when it gives an empty list.

    UpdateStack API reference, Tags: "If you don't specify this parameter, CloudFormation doesn't modify the
    stack's tags. If you specify an empty value, CloudFormation removes all associated tags." (botocore sends an
    empty list as ``Tags=``; moto could not tell it from no Tags at all.)
    """
    given = [k for k in (getattr(response, "querystring", None) or {}) if k == "Tags" or k.startswith("Tags.")]
    if not given:
        return None
    return {item["Key"]: item["Value"] for item in response._get_param("Tags", []) or []}


def _validate_different_update(self, incoming_params, stack_body, old_stack):
    """AWS refuses an update whose template, (default-resolved) parameters and tags equal the stack's.

    A change of the stack's tags alone is an update (UpdateStack, Tags: the tags are propagated to the stack's
    resources).
    """
    wanted_tags = _requested_tags(self)
    if wanted_tags is not None and wanted_tags != dict(old_stack.tags or {}):
        return
    if not stack_body or old_stack.template != stack_body:
        return
    new = self._get_param_values(incoming_params or [], old_stack.stack_parameters)
    try:
        declared = (Stack.parse_template(stack_body) or {}).get("Parameters") or {}
    except Exception:  # noqa: BLE001 - moto reports template errors itself
        return
    for key, spec in declared.items():
        if key not in new and isinstance(spec, dict) and "Default" in spec:
            new[key] = spec["Default"]
    as_text = lambda params: {k: str(v) for k, v in params.items()}  # noqa: E731
    if as_text(new) == as_text(old_stack.stack_parameters):
        raise ValidationError(old_stack.name, message="No updates are to be performed.")


def _parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):
    """moto updated a changed resource even when its Condition is false (and crashed on the missing original)."""
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return resources_map._parsed_resources.get(logical_id)
    return _ORIGINALS["parse_and_update_resource"](logical_id, resource_json, resources_map, account_id,
                                                   region_name)


# ----------------------------------------------------------------------------- attributes

def _load_balancer_get_cfn_attribute(self, attribute_name):
    if attribute_name == "LoadBalancerFullName":
        return self.arn.split(":loadbalancer/", 1)[1]
    if attribute_name == "LoadBalancerArn":
        return self.arn
    return _ORIGINALS["lb_get_cfn_attribute"](self, attribute_name)


def _target_group_get_cfn_attribute(self, attribute_name):
    if attribute_name == "TargetGroupFullName":
        return self.arn.split(":", 5)[5]
    if attribute_name == "TargetGroupName":
        return self.name
    if attribute_name == "TargetGroupArn":
        return self.arn
    if attribute_name == "LoadBalancerArns":
        return list(getattr(self, "load_balancer_arns", []))
    raise UnformattedGetAttTemplateException()


# ----------------------------------------------------------------------------- intrinsic functions

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _availability_zones(resources_map, region):
    from moto.ec2.models import ec2_backends
    try:
        zones = ec2_backends[resources_map._account_id][region].describe_availability_zones()
        names = [zone.name for zone in zones]
    except Exception:  # noqa: BLE001 - a region moto has no zones for
        names = []
    return names or ["%s%s" % (region, letter) for letter in "abc"]


def _get_azs(argument, resources_map):
    region = _ORIGINALS["clean_json"](argument, resources_map)
    if region in ("", None):
        region = resources_map._region_name
    if not isinstance(region, str):
        raise ValidationError(message="Template error: Fn::GetAZs needs a region name, got %r" % (region,))
    return _availability_zones(resources_map, region)


def _get_att(argument, resources_map):
    if isinstance(argument, str):
        argument = argument.split(".", 1)
    argument = list(argument)
    if len(argument) < 2:
        raise ValidationError(message="Template error: every Fn::GetAtt object requires two non-empty parameters")
    logical_id = argument[0]
    attribute = ".".join(str(_ORIGINALS["clean_json"](part, resources_map)) for part in argument[1:])
    return _ORIGINALS["clean_json"]({"Fn::GetAtt": [logical_id, attribute]}, resources_map)


def _sub(argument, resources_map):
    if isinstance(argument, list):
        template, variables = argument[0], argument[1] if len(argument) > 1 else {}
    else:
        template, variables = argument, {}
    if not isinstance(template, str):
        raise ValidationError(message="Template error: Fn::Sub needs a string")
    values = {key: _clean_json(value, resources_map) for key, value in (variables or {}).items()}

    def replace(match):
        name = match.group(1).strip()
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in values:
            value = values[name]
        elif "." in name:
            value = _get_att(name, resources_map)
        else:
            value = _ORIGINALS["clean_json"]({"Ref": name}, resources_map)
        if value is None or isinstance(value, (dict, list)):
            raise ValidationError(message="Template error: variable %s in Fn::Sub cannot be resolved" % name)
        return str(value)
    return _SUB_VARIABLE.sub(replace, template)


def _clean_json(resource_json, resources_map):
    """moto's clean_json with Fn::GetAZs, dotted Fn::GetAtt and Fn::Sub as AWS evaluates them."""
    if isinstance(resource_json, dict) and len(resource_json) == 1:
        (key, argument), = resource_json.items()
        if key == "Fn::GetAZs":
            return _get_azs(argument, resources_map)
        if key == "Fn::GetAtt":
            return _get_att(argument, resources_map)
        if key == "Fn::Sub":
            return _sub(argument, resources_map)
    return _ORIGINALS["clean_json"](resource_json, resources_map)


def _plain_yaml_loader():
    """CloudFormation reads YAML scalars as text: no timestamps (``2012-10-17`` stays a string)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass
    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def short_form(loader, name, node):
        """!Ref x -> {"Ref": x}; !Fn y -> {"Fn::Fn": y} for a scalar, a sequence or a mapping
        (moto's constructor left a mapping's raw nodes); !GetAtt a.b.c splits at the first dot only."""
        key = "Ref" if name == "Ref" else "Fn::" + name  # name: the tag without its "!"
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if name == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {key: value}
    Loader.add_multi_constructor("!", short_form)
    return Loader


def _parse_template_text(template):
    """Stack.parse_template, with timestamps left as text."""
    import yaml
    try:
        return yaml.load(template, Loader=_YAML_LOADER[0])
    except yaml.YAMLError:
        return json.loads(template)


# ----------------------------------------------------------------------------- generated names

_NAME_LIMITS = {"AWS::IAM::Role": 64, "AWS::Lambda::Function": 64}


def _generate_resource_name(resource_type, stack_name, logical_id):
    if resource_type == "AWS::CloudFormation::Stack":
        suffix = "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(13))
        return "%s-%s-%s" % (stack_name, logical_id, suffix)
    if resource_type in _NAME_LIMITS:
        # IAM CreateRole RoleName / Lambda FunctionName: at most 64 characters; CloudFormation shortens
        # the stack and logical id parts and keeps the random suffix.
        suffix = "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(12))
        prefix = ("%s-%s" % (stack_name, logical_id))[:_NAME_LIMITS[resource_type] - len(suffix) - 1].rstrip("-")
        return "%s-%s" % (prefix, suffix)
    name = _ORIGINALS["generate_resource_name"](resource_type, stack_name, logical_id)
    if resource_type == "AWS::ECR::Repository":
        return name.lower()  # ECR: "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
    return name


# ----------------------------------------------------------------------------- nested stacks

def _nested_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """A nested stack from its S3 TemplateURL, created with its parent and complete with it."""
    from moto.utilities.utils import get_partition

    properties = cloudformation_json["Properties"]
    if "TemplateURL" not in properties:
        raise ValidationError(message="Template error: AWS::CloudFormation::Stack needs a TemplateURL")
    try:
        body = get_stack_from_s3_url(properties["TemplateURL"], account_id=account_id,
                                     partition=get_partition(region_name))
    except Exception as exc:  # noqa: BLE001 - AWS: the nested stack fails with this reason
        raise ValidationError(message="TemplateURL must reference a valid S3 object to which you have access. "
                              "(%s: %s)" % (properties["TemplateURL"], exc)) from exc
    parameters = {key: str(value) for key, value in (properties.get("Parameters") or {}).items()}
    backend = cloudformation_backends[account_id][region_name]
    known = set(backend.stacks)
    try:
        stack = _ORIGINALS["create_stack"](backend, name=resource_name, template=body, parameters=parameters)
    except Exception:
        # The nested stack failed: its parent rolls back and, in AWS, deletes it; so does this one at once.
        for key, half_made in list(backend.stacks.items()):
            if key not in known:
                try:
                    half_made.resource_map.delete()
                except Exception:  # noqa: BLE001 - what cannot be deleted stays, as after a failed rollback
                    pass
                half_made.status = "DELETE_COMPLETE"
                backend.stacks.pop(key, None)
                backend.deleted_stacks[key] = half_made
        raise
    _strip_final_events(stack, 1)
    _create_phases(stack, None)
    # DescribeStacks of a nested stack names its parent and its root (the top-level stack)
    parent_id = kwargs.get("StackId")
    parent = backend.stacks.get(parent_id)
    stack.parent_id = parent_id
    stack.root_id = getattr(parent, "root_id", None) or parent_id
    return stack


def _nested_physical_resource_id(self):
    # Ref of an AWS::CloudFormation::Stack is the nested stack's id.
    return self.stack_id


def _stack_get_cfn_attribute(self, attribute_name):
    if attribute_name.startswith("Outputs."):
        key = attribute_name[len("Outputs."):]
        for output in _outputs_now(self) or []:
            if output["OutputKey"] == key:
                return output["OutputValue"]
        raise ValidationError(message="Template error: resource %s does not have an output named %s"
                              % (self.name, key))
    raise UnformattedGetAttTemplateException()


def _exports(self):
    """OutputMap.exports without the outputs whose Condition is false (AWS does not evaluate them)."""
    from moto.cloudformation.models import Export

    exports = []
    for key, value in (self._output_json_map or {}).items():
        if not value.get("Export"):
            continue
        condition = value.get("Condition")
        if condition and not self._resource_map.lazy_condition_map.get(condition):
            continue
        name = _clean_json(value["Export"].get("Name"), self._resource_map)
        exports.append(Export(self._stack_id, name, _clean_json(value.get("Value"), self._resource_map)))
    return exports


# ----------------------------------------------------------------------------- security groups

_PORTED_PROTOCOLS = ("tcp", "udp", "6", "17")


def _security_group_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """AWS::EC2::SecurityGroup whose SecurityGroupIngress rules may omit the ports (IpProtocol -1)."""
    from moto.ec2.models import ec2_backends

    properties = dict(cloudformation_json.get("Properties") or {})
    rules = properties.pop("SecurityGroupIngress", None) or []
    for rule in rules:
        protocol = str(rule.get("IpProtocol", "")).lower()
        if protocol in _PORTED_PROTOCOLS and (rule.get("FromPort") is None or rule.get("ToPort") is None):
            # EC2 AuthorizeSecurityGroupIngress: "For the TCP/UDP protocols ... you must specify the port range"
            raise ValidationError(message="Invalid value for portRange. Must specify both from and to ports "
                                  "with TCP/UDP.")
    group = _ORIGINALS["security_group_create"].__func__(
        cls, resource_name, dict(cloudformation_json, Properties=properties), account_id, region_name, **kwargs)
    backend = ec2_backends[account_id][region_name]
    for rule in rules:
        protocol = str(rule["IpProtocol"]).lower()
        ported = protocol not in ("-1", "all")
        source = {}
        if rule.get("SourceSecurityGroupId"):
            source["GroupId"] = rule["SourceSecurityGroupId"]
        if rule.get("SourceSecurityGroupName"):
            source["GroupName"] = rule["SourceSecurityGroupName"]
        backend.authorize_security_group_ingress(
            group_name_or_id=group.id, ip_protocol="-1" if not ported else protocol,
            from_port=rule.get("FromPort") if ported else None, to_port=rule.get("ToPort") if ported else None,
            ip_ranges=rule.get("CidrIp", []), source_groups=[source] if source else [], vpc_id=properties.get("VpcId"))
    return group


# ----------------------------------------------------------------------------- IAM roles

def _role_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """AWS::IAM::Role whose inline Policies keep their documents as JSON (moto stored the dict, and
    GetRolePolicy then answered its Python repr, which no client can parse)."""
    properties = dict(cloudformation_json.get("Properties") or {})
    if properties.get("Policies"):
        properties["Policies"] = [
            dict(policy, PolicyDocument=policy["PolicyDocument"] if isinstance(policy.get("PolicyDocument"), str)
                 else json.dumps(policy.get("PolicyDocument")))
            for policy in properties["Policies"]]
    return _ORIGINALS["role_create"].__func__(cls, resource_name, dict(cloudformation_json, Properties=properties),
                                              account_id, region_name, **kwargs)


# ----------------------------------------------------------------------------- template size limits

TEMPLATE_BODY_MAX = 51200        # CreateStack/UpdateStack/...: TemplateBody "Maximum length of 51200"
TEMPLATE_URL_MAX = 5120          # TemplateURL "Maximum length of 5120"
TEMPLATE_S3_MAX = 1024 * 1024    # "Template size: 1 MB" for a template in S3 (CloudFormation quotas)


def _template_limits(original):
    """The API's length constraints on TemplateBody and TemplateURL (moto accepted any length)."""
    def wrapper(self):
        body = self._get_param("TemplateBody")
        if body is not None and len(body) > TEMPLATE_BODY_MAX:
            raise ValidationError(message="1 validation error detected: Value at 'templateBody' failed to satisfy "
                                  "constraint: Member must have length less than or equal to %d" % TEMPLATE_BODY_MAX)
        url = self._get_param("TemplateURL")
        if url is not None and len(url) > TEMPLATE_URL_MAX:
            raise ValidationError(message="1 validation error detected: Value at 'templateURL' failed to satisfy "
                                  "constraint: Member must have length less than or equal to %d" % TEMPLATE_URL_MAX)
        return original(self)
    wrapper.__name__ = original.__name__
    return wrapper


def _update_stack_clears_tags(original):
    """UpdateStack with an empty Tags list removes the stack's tags (moto kept them)."""
    def wrapper(self):
        wanted = _requested_tags(self)
        answer = original(self)
        if wanted == {}:
            self.cloudformation_backend.get_stack(self._get_param("StackName")).tags = {}
        return answer
    wrapper.__name__ = original.__name__
    return wrapper


def _get_stack_from_s3_url(self, template_url):
    body = _ORIGINALS["get_stack_from_s3_url"](self, template_url)
    if len(body.encode("utf-8")) > TEMPLATE_S3_MAX:
        raise ValidationError(message="Template may not exceed %d bytes in size." % TEMPLATE_S3_MAX)
    return body


# ----------------------------------------------------------------------------- custom resources

def _custom_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    resource = CustomModel(region_name, str(uuid.uuid4()), kwargs["LogicalId"], resource_name)
    resource.set_data({})  # SUCCESS, no Data: the Lambda function is not invoked
    stack = cloudformation_backends[account_id][region_name].get_stack(kwargs["StackId"])
    stack.add_custom_resource(resource)
    return resource


# ----------------------------------------------------------------------------- resource types

def _lower_first(key):
    return key[:1].lower() + key[1:]


def _camel(value, keep_keys_under=()):
    """PascalCase keys -> camelCase keys, recursively; dicts under keep_keys_under keep their keys."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in keep_keys_under:
                result[_lower_first(key)] = {k: _config_value(v) for k, v in item.items()}
            else:
                result[_lower_first(key)] = _camel(item, keep_keys_under)
        return result
    if isinstance(value, list):
        return [_camel(item, keep_keys_under) for item in value]
    return value


def _config_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


class CodeCommitRepositoryModel(CloudFormationModel):
    def __init__(self, account_id, region_name, metadata):
        self.account_id = account_id
        self.region_name = region_name
        self.metadata = metadata
        self.name = metadata["repositoryName"]

    @staticmethod
    def cloudformation_type():
        return "AWS::CodeCommit::Repository"

    @staticmethod
    def cloudformation_name_type():
        return "RepositoryName"

    @property
    def physical_resource_id(self):
        return self.metadata["repositoryId"]

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Arn", "Name", "CloneUrlHttp", "CloneUrlSsh")

    def get_cfn_attribute(self, attribute_name):
        mapping = {"Arn": "Arn", "Name": "repositoryName", "CloneUrlHttp": "cloneUrlHttp",
                   "CloneUrlSsh": "cloneUrlSsh"}
        if attribute_name in mapping:
            return self.metadata[mapping[attribute_name]]
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name,
                                        **kwargs):
        properties = cloudformation_json.get("Properties", {})
        backend = codecommit_backends[account_id][region_name]
        metadata = backend.create_repository(resource_name, properties.get("RepositoryDescription", ""))
        return cls(account_id, region_name, metadata)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        if new_resource_name == original_resource.name:
            description = cloudformation_json.get("Properties", {}).get("RepositoryDescription", "")
            original_resource.metadata["repositoryDescription"] = description
            return original_resource
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id, region_name):
        codecommit_backends[account_id][region_name].delete_repository(self.name)


class CodeBuildProjectModel(CloudFormationModel):
    def __init__(self, account_id, region_name, name, metadata):
        self.account_id = account_id
        self.region_name = region_name
        self.name = name
        self.metadata = metadata

    @staticmethod
    def cloudformation_type():
        return "AWS::CodeBuild::Project"

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @property
    def physical_resource_id(self):
        return self.name

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Arn",)

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "Arn":
            return self.metadata.get("arn")
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name,
                                        **kwargs):
        properties = cloudformation_json.get("Properties", {})
        source = _camel(properties.get("Source", {}))
        if "buildSpec" in source:
            source["buildspec"] = source.pop("buildSpec")
        tags = [{"key": t["Key"], "value": t["Value"]} for t in properties.get("Tags", [])]
        metadata = codebuild_backends[account_id][region_name].create_project(
            project_name=resource_name,
            description=properties.get("Description"),
            project_source=source,
            artifacts=_camel(properties.get("Artifacts", {})),
            environment=_camel(properties.get("Environment", {})),
            service_role=properties.get("ServiceRole"),
            tags=tags,
            cache=_camel(properties["Cache"]) if "Cache" in properties else None,
            timeout=properties.get("TimeoutInMinutes"),
            queued_timeout=properties.get("QueuedTimeoutInMinutes"),
            source_version=properties.get("SourceVersion"),
            logs_config=_camel(properties["LogsConfig"]) if "LogsConfig" in properties else None,
            vpc_config=_camel(properties["VpcConfig"]) if "VpcConfig" in properties else None,
        )
        return cls(account_id, region_name, resource_name, metadata)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        if new_resource_name != original_resource.name:
            original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id, region_name):
        codebuild_backends[account_id][region_name].delete_project(self.name)


def _api_shape(service, shape_name):
    import botocore.session
    return botocore.session.get_session().get_service_model(service).shape_for(shape_name)


def coerce_to_shape(value, shape):
    """A template value as the API's type: CloudFormation turns 1 into "1" for a String member, "1" into 1
    for an Integer, true into "true" (GetPipeline then answers what the API documents, not the YAML type)."""
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        return {key: coerce_to_shape(item, shape.members.get(key)) for key, item in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [coerce_to_shape(item, shape.member) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {str(key): coerce_to_shape(item, shape.value) for key, item in value.items()}
    if shape.type_name == "string" and isinstance(value, (bool, int, float)):
        return _config_value(value)
    if shape.type_name in ("integer", "long") and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if shape.type_name == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def pipeline_declaration(name, properties):
    """The CodePipeline API's declaration for an AWS::CodePipeline::Pipeline's properties."""
    return coerce_to_shape(_pipeline_declaration(name, properties), _api_shape("codepipeline", "PipelineDeclaration"))


def _pipeline_declaration(name, properties):
    declaration = {"name": name, "roleArn": properties["RoleArn"]}
    if "ArtifactStore" in properties:
        declaration["artifactStore"] = _camel(properties["ArtifactStore"])
    if "ArtifactStores" in properties:
        declaration["artifactStores"] = {
            entry["Region"]: _camel(entry["ArtifactStore"]) for entry in properties["ArtifactStores"]}
    declaration["stages"] = _camel(properties.get("Stages", []), keep_keys_under=("Configuration",))
    for key in ("PipelineType", "ExecutionMode"):
        if key in properties:
            declaration[_lower_first(key)] = properties[key]
    return declaration


class CodePipelineModel(CloudFormationModel):
    def __init__(self, account_id, region_name, name):
        self.account_id = account_id
        self.region_name = region_name
        self.name = name

    @staticmethod
    def cloudformation_type():
        return "AWS::CodePipeline::Pipeline"

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @property
    def physical_resource_id(self):
        return self.name

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Version",)

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "Version":
            backend = codepipeline_backends[self.account_id][self.region_name]
            return str(backend.pipelines[self.name].pipeline["version"])
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name,
                                        **kwargs):
        properties = cloudformation_json.get("Properties", {})
        backend = codepipeline_backends[account_id][region_name]
        tags = [{"key": t["Key"], "value": t["Value"]} for t in properties.get("Tags", [])]
        backend.create_pipeline(pipeline_declaration(resource_name, properties), tags or None)
        try:
            backend.start_pipeline_execution(resource_name, None)  # AWS runs a new pipeline once
        except Exception:  # noqa: BLE001 - an execution that cannot start does not fail the resource
            pass
        return cls(account_id, region_name, resource_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        if new_resource_name != original_resource.name:
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id,
                                                       region_name)
        backend = codepipeline_backends[account_id][region_name]
        backend.update_pipeline(pipeline_declaration(new_resource_name, cloudformation_json.get("Properties", {})))
        return original_resource

    def delete(self, account_id, region_name):
        codepipeline_backends[account_id][region_name].delete_pipeline(self.name)


class Cloud9EnvironmentModel(CloudFormationModel):
    def __init__(self, account_id, region_name, name):
        self.environment_id = uuid.uuid4().hex
        self.name = name
        self.arn = "arn:aws:cloud9:%s:%s:environment:%s" % (region_name, account_id, self.environment_id)

    @staticmethod
    def cloudformation_type():
        return "AWS::Cloud9::EnvironmentEC2"

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @property
    def physical_resource_id(self):
        return self.environment_id

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("Arn", "Name")

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "Arn":
            return self.arn
        if attribute_name == "Name":
            return self.name
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name,
                                        **kwargs):
        return cls(account_id, region_name, resource_name)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                        account_id, region_name):
        original_resource.name = new_resource_name
        return original_resource

    def delete(self, account_id, region_name):
        return None


# ----------------------------------------------------------------------------- deletes moto lacks

def _ec2(account_id, region_name):
    from moto.ec2.models import ec2_backends
    return ec2_backends[account_id][region_name]


def _ecs(account_id, region_name):
    from moto.ecs.models import ecs_backends
    return ecs_backends[account_id][region_name]


def _elbv2(account_id, region_name):
    from moto.elbv2.models import elbv2_backends
    return elbv2_backends[account_id][region_name]


def _delete_eip(self, account_id, region_name):
    _ec2(account_id, region_name).release_address(allocation_id=self.allocation_id)


def _delete_igw(self, account_id, region_name):
    _ec2(account_id, region_name).delete_internet_gateway(self.id)


def _delete_gateway_attachment(self, account_id, region_name):
    backend = _ec2(account_id, region_name)
    if self.gateway_id.startswith("igw-"):
        backend.detach_internet_gateway(self.gateway_id, self.vpc_id)
    else:
        backend.detach_vpn_gateway(self.gateway_id, self.vpc_id)


def _delete_nat_gateway(self, account_id, region_name):
    backend = _ec2(account_id, region_name)
    backend.delete_nat_gateway(self.id)
    backend.nat_gateways.pop(self.id, None)


def _delete_route(self, account_id, region_name):
    _ec2(account_id, region_name).delete_route(self.route_table.id, self.destination_cidr_block)


def _delete_route_table(self, account_id, region_name):
    _ec2(account_id, region_name).delete_route_table(self.id)


def _delete_subnet_association(self, account_id, region_name):
    backend = _ec2(account_id, region_name)
    route_table = backend.route_tables.get(self.route_table_id)
    if route_table is None:
        return
    for association_id, subnet_id in list(route_table._associations.items()):
        if subnet_id == self.subnet_id:
            backend.disassociate_route_table(association_id)


def _delete_vpc_endpoint(self, account_id, region_name):
    backend = _ec2(account_id, region_name)
    backend.delete_vpc_endpoints([self.id])
    backend.vpc_end_points.pop(self.id, None)


def _delete_ecs_cluster(self, account_id, region_name):
    _ecs(account_id, region_name).delete_cluster(self.name)


def _delete_ecs_service(self, account_id, region_name):
    _ecs(account_id, region_name).delete_service(self.cluster_name, self.name, force=True)


def _delete_task_definition(self, account_id, region_name):
    _ecs(account_id, region_name).deregister_task_definition(self.arn)


def _delete_listener(self, account_id, region_name):
    _elbv2(account_id, region_name).delete_listener(self.arn)


def _delete_listener_rule(self, account_id, region_name):
    _elbv2(account_id, region_name).delete_rule(self.arn)


def _delete_target_group(self, account_id, region_name):
    _elbv2(account_id, region_name).delete_target_group(self.arn)


def _install_deletes():
    """moto 5.2.5 silently skips these types when a stack is deleted; give them a delete()."""
    from moto.ec2.models.elastic_ip_addresses import ElasticAddress
    from moto.ec2.models.internet_gateways import InternetGateway
    from moto.ec2.models.nat_gateways import NatGateway
    from moto.ec2.models.route_tables import Route, RouteTable
    from moto.ec2.models.subnets import SubnetRouteTableAssociation
    from moto.ec2.models.vpcs import VPCEndPoint
    from moto.ec2.models.vpn_gateway import VPCGatewayAttachment
    from moto.ecs.models import Cluster, Service, TaskDefinition
    from moto.elbv2.models import FakeListener, FakeListenerRule

    def tolerant(delete):
        def wrapper(self, account_id, region_name):
            try:
                delete(self, account_id, region_name)
            except Exception as exc:  # noqa: BLE001 - gone already (e.g. a listener deleted with its ALB)
                if "NotFound" not in type(exc).__name__ and "NotFound" not in str(exc):
                    raise
        return wrapper

    for cls, delete in ((ElasticAddress, _delete_eip), (InternetGateway, _delete_igw),
                        (VPCGatewayAttachment, _delete_gateway_attachment), (NatGateway, _delete_nat_gateway),
                        (Route, _delete_route), (RouteTable, _delete_route_table),
                        (SubnetRouteTableAssociation, _delete_subnet_association), (VPCEndPoint, _delete_vpc_endpoint),
                        (Cluster, _delete_ecs_cluster), (Service, _delete_ecs_service),
                        (TaskDefinition, _delete_task_definition), (FakeListener, _delete_listener),
                        (FakeListenerRule, _delete_listener_rule), (FakeTargetGroup, _delete_target_group)):
        if not callable(getattr(cls, "delete", None)):
            cls.delete = tolerant(delete)


# ----------------------------------------------------------------------------- control route

@app.control_route("cloudformation/fail-next")
def _fail_next_route(request):
    if request.method == "POST":
        body = app._json(request)
        for key in ("stack", "resource", "reason"):
            if not body.get(key):
                raise ValueError("cloudformation/fail-next needs %r" % key)
        with _LOCK:
            FAIL_NEXT.append({"stack": body["stack"], "resource": body["resource"], "reason": body["reason"],
                              "region": body.get("region")})
    elif request.method == "DELETE":
        _reset()
    with _LOCK:
        return 200, {"pending": [dict(rule) for rule in FAIL_NEXT]}


# ----------------------------------------------------------------------------- install

_ORIGINALS = {}
_YAML_LOADER = [None]


def install():
    global _installed
    if _installed:
        return
    _installed = True
    _ORIGINALS.update(
        create_stack=CloudFormationBackend.create_stack,
        execute_change_set=CloudFormationBackend.execute_change_set,
        update_stack=CloudFormationBackend.update_stack,
        create_change_set=CloudFormationBackend.create_change_set,
        lb_get_cfn_attribute=FakeLoadBalancer.get_cfn_attribute,
        parse_and_update_resource=parsing.parse_and_update_resource,
        clean_json=parsing.clean_json,
        security_group_create=SecurityGroup.create_from_cloudformation_json,
        role_create=Role.create_from_cloudformation_json,
        get_stack_from_s3_url=CloudFormationResponse._get_stack_from_s3_url,
        parse_and_create_resource=parsing.parse_and_create_resource,
        generate_resource_name=parsing.generate_resource_name,
    )
    parsing.parse_and_update_resource = _parse_and_update_resource
    parsing.clean_json = _clean_json
    SecurityGroup.create_from_cloudformation_json = classmethod(_security_group_create)
    Role.create_from_cloudformation_json = classmethod(_role_create)
    for name in ("create_stack", "update_stack", "create_change_set", "validate_template", "get_template_summary"):
        setattr(CloudFormationResponse, name, _template_limits(getattr(CloudFormationResponse, name)))
    CloudFormationResponse.update_stack = _update_stack_clears_tags(CloudFormationResponse.update_stack)
    CloudFormationResponse._get_stack_from_s3_url = _get_stack_from_s3_url
    parsing.parse_and_create_resource = _parse_and_create_resource
    parsing.generate_resource_name = _generate_resource_name
    _YAML_LOADER[0] = _plain_yaml_loader()
    Stack.parse_template = staticmethod(_parse_template_text)
    Stack.create_from_cloudformation_json = classmethod(_nested_create)
    Stack.physical_resource_id = property(_nested_physical_resource_id)
    Stack.get_cfn_attribute = _stack_get_cfn_attribute
    parsing.OutputMap.exports = property(_exports)
    CloudFormationBackend.create_stack = create_stack
    CloudFormationBackend.execute_change_set = execute_change_set
    CloudFormationBackend.update_stack = update_stack
    CloudFormationBackend.delete_stack = delete_stack
    CloudFormationBackend.create_change_set = create_change_set
    for name in ("describe_stacks", "list_stacks", "get_stack", "describe_stack_events", "describe_stack_resource",
                 "describe_stack_resources", "list_stack_resources", "get_template", "describe_change_set",
                 "list_change_sets", "delete_change_set", "list_exports"):
        setattr(CloudFormationBackend, name, _settling(getattr(CloudFormationBackend, name)))
    CloudFormationResponse._validate_different_update = _validate_different_update
    Stack.outputs = property(_outputs)
    Stack.stack_resources = property(_stack_resources)

    FakeLoadBalancer.get_cfn_attribute = _load_balancer_get_cfn_attribute
    FakeTargetGroup.get_cfn_attribute = _target_group_get_cfn_attribute
    FakeTargetGroup.has_cfn_attr = classmethod(
        lambda cls, attr: attr in ("TargetGroupFullName", "TargetGroupName", "TargetGroupArn", "LoadBalancerArns"))

    _install_deletes()
    CustomModel.create_from_cloudformation_json = classmethod(_custom_create)

    # new CloudFormationModel subclasses exist now: let moto's type map see them
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()

    if _reset not in app.RESET_HOOKS:
        app.RESET_HOOKS.append(_reset)

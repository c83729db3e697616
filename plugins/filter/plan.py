# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plans from what the discovery read: the same functions the modules plan with, run on the controller.

The roles run a mutating module only where its plan has something to change. These filters compute that plan
from the reads ``mysfits.multi_region.application_info`` made earlier in the same run (one module run for all of
them) instead of a module run per resource that would read the same thing again. A filter that cannot tell from
what it is given answers that the module must run; the module then reads, plans and changes as always.

``stack | mysfits.multi_region.stack_plan(deployed_template, template_body, parameters, tags, on_rolled_back)``:
what ``cloudformation_stack`` would return for the stack as read (``operation`` ``none`` when nothing differs).

``table | mysfits.multi_region.replica_plan(table_region, replica_regions, replica_kms_keys)``: what
``ddb_global_replica`` (``state=present``, check mode) would return, or None when the plan needs reads the
discovery did not make (a replica to create, a table that is not a version 2019.11.21 global table yet).

``declaration | mysfits.multi_region.stage_plan(record, name=..., actions=..., pipeline_region=..., account=...)``:
``{"changed": bool, "why": [...]}``, whether ``codepipeline_stage`` would change the pipeline, its stores, its
record tag or the generated buckets.

``declaration | mysfits.multi_region.deploy_targets(stage_name=..., pipeline=..., pipeline_region=..., service=...,
regions=..., inventory_regions=..., secondaries=..., unknown=..., absent_regions=..., input_artifact=...)``: the
cross-region deploy actions already in the stage, the deployment targets and actions the pipeline_cross_region role
ensures for one service, and what waits (module_utils.pipeline.deploy_targets).

``declaration | mysfits.multi_region.deploy_regions(stage_name, pipeline_region)``: the regions, sorted, that stage
``stage_name`` of a GetPipeline declaration deploys to with an Amazon ECS action, the pipeline's own region left
out (module_utils.pipeline.existing_deploy_actions: the readiness check judges what the role finds).

``body | mysfits.multi_region.dashboard_plan(widgets, metrics, absent_widgets, initial_widgets)``: what
``cloudwatch_dashboard`` would return about the merge (``changed``, ``widgets_added``...).

``waited | mysfits.multi_region.secondary_region_fact(region, services)``: the mm_region fact of a secondary region
from ``cloudformation_wait``'s reading of its stack (``stack_resources: true``), as ``application_info`` makes it
from the same reads (module_utils.discovery), or None when the discovery would read more.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.mysfits.multi_region.plugins.module_utils import dashboard as dash
from ansible_collections.mysfits.multi_region.plugins.module_utils import discovery
from ansible_collections.mysfits.multi_region.plugins.module_utils import ddb_replica
from ansible_collections.mysfits.multi_region.plugins.module_utils import pipeline as pipe
from ansible_collections.mysfits.multi_region.plugins.module_utils import stack as st


def _plain(value):
    """``value`` as plain dicts, lists, str, int and float.

    ansible-core hands a filter lazily templated containers whose strings carry tags (where each came from);
    the plan functions deep-copy what they compare, and a deep copy of those tags costs about a second per pipeline
    (measured with py-spy on the no-op re-run). The plan needs the values only, so they are taken once, here.
    """
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def _plain_args(function):
    def planned(*args, **kwargs):
        return function(*[_plain(a) for a in args], **{k: _plain(v) for k, v in kwargs.items()})
    planned.__name__ = function.__name__
    planned.__doc__ = function.__doc__
    return planned


def stack_plan(stack, deployed_template, template_body, parameters=None, tags=None, on_rolled_back="fail"):
    if stack is not None and not isinstance(stack, dict):
        return {"operation": "unknown", "differences": ["the stack as read is not a DescribeStacks stack"]}
    if not isinstance(template_body, str):
        return {"operation": "unknown", "differences": ["template body is not text"]}
    planned = st.plan(stack, deployed_template, template_body, parameters or {}, tags, on_rolled_back)
    result = {"changed": planned["operation"] in ("create", "recreate", "update"), "operation": planned["operation"],
              "stack_status": planned["status"], "differences": planned["differences"], "cloudformation": {}}
    if stack is not None:
        result["cloudformation"] = {stack["StackName"]: st.stack_facts(stack)}
        result["stack_id"] = stack.get("StackId")
    return result


def replica_plan(table, table_region, replica_regions, replica_kms_keys=None):
    if not isinstance(table, dict):
        return None
    current = ddb_replica.current_replicas(table, table_region)
    # A replica to create needs reads the discovery does not make (the table's KMS key, write auto scaling);
    # a table that is not a 2019.11.21 global table yet needs DescribeGlobalTable (the legacy check).
    if table.get("GlobalTableVersion") != ddb_replica.CURRENT_VERSION:
        return None
    if any(current.get(region) in (None, "DELETING") for region in replica_regions or []):
        return None
    try:
        operations = ddb_replica.plan_replicas(table, table_region, replica_regions, state="present",
                                               replica_kms_keys=replica_kms_keys or {})
    except ddb_replica.PlanError:
        return None  # the module says why, with its own message
    return dict(ddb_replica.result_of(table, table_region, operations, []),
                changed=ddb_replica.is_change(operations))


def stage_plan(declaration, record, name, actions, pipeline_region, account, after=None, before=None,
               artifact_stores=None, create_artifact_buckets=True, purge_actions=True, absent_actions=None):
    if not isinstance(declaration, dict):
        return {"changed": True, "why": ["no declaration"]}
    try:
        plan = pipe.plan_stage(declaration, name, actions or [], pipeline_region, account, state="present",
                               after=after, before=before, artifact_stores=artifact_stores or {},
                               create_artifact_buckets=create_artifact_buckets, purge_actions=purge_actions,
                               absent_actions=absent_actions or [], record=record)
    except pipe.PlanError as e:
        return {"changed": True, "why": [str(e)]}
    why = []
    if plan["stage_changed"]:
        why.append("stage")
    if plan["stores_changed"]:
        why.append("artifact stores")
    if plan["buckets"]:
        why.append("artifact buckets")
    if plan["released"]:
        why.append("released buckets")
    if plan["record"] != record:
        why.append("record tag")
    return {"changed": bool(why), "why": why}


def deploy_targets(declaration, stage_name, pipeline, pipeline_region, service, regions, inventory_regions,
                   secondaries, unknown, absent_regions, input_artifact):
    try:
        return pipe.deploy_targets(declaration if isinstance(declaration, dict) else {}, stage_name, pipeline,
                                   pipeline_region, service, regions, inventory_regions or [], secondaries or [],
                                   unknown or [], absent_regions or [], input_artifact)
    except KeyError as e:
        raise AnsibleFilterError("deploy_targets: the region facts lack %s for service %s (regions %s): re-run "
                                 "secondary_stack for that region" % (e, service, ", ".join(sorted(regions))))


def deploy_regions(declaration, stage_name, pipeline_region):
    return sorted(pipe.existing_deploy_actions(declaration if isinstance(declaration, dict) else {}, stage_name,
                                               pipeline_region))


def dashboard_plan(body, widgets=None, metrics=None, absent_widgets=None, initial_widgets=None):
    try:
        dash.check_options("dashboard", widgets or [], metrics or [], absent_widgets or [], initial_widgets or [])
        plan = dash.plan_dashboard(dash.parse_body(body), widgets or [], metrics or [], absent_widgets or [],
                                   initial_widgets or [])
    except dash.DashboardError as e:
        return {"changed": True, "why": str(e)}
    return dict(plan.as_result(), changed=plan.changed, created=plan.created and plan.changed, body=plan.after)


def secondary_region_fact(facts, region, services):
    """mm_region of a secondary region from cloudformation_wait's result for its stack (with stack_resources), as
    the discovery makes it from the same reads; None when the discovery has more to read."""
    return discovery.secondary_fact_of_wait(region, facts, services)


class FilterModule:
    def filters(self):
        return {
            "stack_plan": _plain_args(stack_plan),
            "replica_plan": _plain_args(replica_plan),
            "stage_plan": _plain_args(stage_plan),
            "deploy_targets": _plain_args(deploy_targets),
            "deploy_regions": _plain_args(deploy_regions),
            "dashboard_plan": _plain_args(dashboard_plan),
            "secondary_region_fact": _plain_args(secondary_region_fact),
        }

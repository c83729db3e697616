#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: codepipeline_execution
short_description: Start an AWS CodePipeline execution, or follow one, and optionally wait for its result
version_added: 0.1.0
description:
  - With O(start=true) starts a new execution of the pipeline (C(StartPipelineExecution)); this always
    reports a change.
  - With O(start=false) follows an existing execution, chosen by O(execution_id), by O(source_revision)
    (the execution whose source revisions include that commit, for example the one a commit started) or,
    without either, the most recent one.
  - With O(wait=true) polls C(GetPipelineExecution) until the execution ends and fails when it did not
    succeed, with the failed action's message from C(GetPipelineState).
  - An execution that reaches a manual approval action stops the wait at once, with a message saying how to
    approve it, unless O(wait_for_approval=true).
author:
  - mysfits.multi_region contributors (@mysfits)
options:
  pipeline:
    description: Name of the pipeline.
    type: str
    required: true
  start:
    description: Start a new execution.
    type: bool
    default: true
  execution_id:
    description: Execution to follow when O(start=false).
    type: str
  source_revision:
    description:
      - When O(start=false), follow the execution whose source revisions include this revision (a commit id).
      - With O(wait=true) the module also waits for that execution to appear (a commit starts it
        asynchronously).
    type: str
  wait:
    description: Wait until the execution has ended; fail unless it succeeded.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 1800
  wait_for_approval:
    description:
      - With O(wait=true), what to do when the execution reaches a manual approval action (category C(Approval))
        that waits for an answer (C(InProgress)).
      - V(false) (default) - stop waiting and fail at once with a message naming the pipeline, the stage, the
        action and how to approve it (the console's Review button, or C(PutApprovalResult) with the token
        C(GetPipelineState) shows), instead of waiting into O(wait_timeout). RV(pending_approvals) lists them.
      - V(true) - keep waiting (up to O(wait_timeout)) for someone to approve it.
      - Pipelines without an approval action cost no extra call.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Check mode starts nothing and does not wait.
"""

EXAMPLES = r"""
- name: Run the pipeline and wait for it
  mysfits.multi_region.codepipeline_execution:
    region: us-west-2
    pipeline: CorePipeline-mm-primary-region
    wait: true

- name: Wait for the execution a commit started
  mysfits.multi_region.codepipeline_execution:
    region: us-west-2
    pipeline: CorePipeline-mm-primary-region
    start: false
    source_revision: "{{ commit.commit_id }}"
    wait: true
"""

RETURN = r"""
execution_id:
  description: The execution started or followed.
  returned: success, except in check mode with O(start=true)
  type: str
status:
  description: Its status (C(InProgress), C(Succeeded), C(Failed), C(Stopped), C(Superseded), ...).
  returned: when an execution was found
  type: str
failed_actions:
  description: Actions that failed, each with C(stage), C(action) and C(message).
  returned: when the execution failed
  type: list
  elements: dict
pending_approvals:
  description: Manual approval actions the execution waits on, each with C(stage), C(action) and C(token).
  returned: when the module stopped waiting at an approval
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import WaitTimeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import aws_client
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import fail_on_timeout
from ansible_collections.mysfits.multi_region.plugins.module_utils.common import wait_for
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import FAILED_STATUSES
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import TERMINAL_STATUSES
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import approval_actions
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import approval_message
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import execution_for_revision
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import failed_actions
from ansible_collections.mysfits.multi_region.plugins.module_utils.pipeline import pending_approvals

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    argument_spec = dict(
        pipeline=dict(type="str", required=True),
        start=dict(type="bool", default=True),
        execution_id=dict(type="str"),
        source_revision=dict(type="str"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=1800),
        wait_for_approval=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              mutually_exclusive=[("execution_id", "source_revision")])
    params = module.params
    name = params["pipeline"]
    if params["start"] and (params["execution_id"] or params["source_revision"]):
        module.fail_json(msg="execution_id/source_revision: follow an existing execution with start=false")
    client = aws_client(module, "codepipeline")
    result = dict(changed=False)
    declaration = None
    waiting = []

    def fail_aws(e, msg):
        module.fail_json_aws(e, msg=msg)

    try:
        if params["start"]:
            # A pipeline that does not exist is refused before any mutating call (and in check mode too).
            try:
                declaration = client.get_pipeline(aws_retry=True, name=name)["pipeline"]
            except is_boto3_error_code("PipelineNotFoundException"):
                module.fail_json(msg="pipeline: no pipeline named %s in %s. Check the pipeline option (the name "
                                     "CodePipeline shows) and the region." % (name, module.region))
            result["changed"] = True
            if module.check_mode:
                module.exit_json(**result)
            execution_id = client.start_pipeline_execution(aws_retry=True, name=name)["pipelineExecutionId"]
        elif params["execution_id"]:
            execution_id = params["execution_id"]
        else:
            def find():
                # Newest first; ListPipelineExecutions pages (100 at most a page), so the execution of an
                # older revision may be on a later page: read pages until it is found.
                pages = client.get_paginator("list_pipeline_executions").paginate(pipelineName=name)
                for page in pages:
                    summaries = page.get("pipelineExecutionSummaries") or []
                    if not params["source_revision"]:
                        return summaries[0] if summaries else None
                    found = execution_for_revision(summaries, params["source_revision"])
                    if found is not None:
                        return found
                return None
            found = find()
            if found is None and params["wait"] and not module.check_mode:
                try:
                    found = wait_for(find, lambda s: s is not None, "an execution of %s for revision %s" % (
                        name, params["source_revision"]), timeout=min(params["wait_timeout"], 600))
                except WaitTimeout as e:
                    fail_on_timeout(module, e, **result)
            if found is None:
                module.fail_json(msg="pipeline %s has no execution%s" % (name, (
                    " for source revision %s" % params["source_revision"]) if params["source_revision"] else ""))
            execution_id = found["pipelineExecutionId"]
        result["execution_id"] = execution_id

        def fetch():
            return client.get_pipeline_execution(aws_retry=True, pipelineName=name,
                                                 pipelineExecutionId=execution_id)["pipelineExecution"]
        execution = fetch()
        if params["wait"] and not module.check_mode:
            approvals = set()
            if not params["wait_for_approval"]:
                if declaration is None:
                    declaration = client.get_pipeline(aws_retry=True, name=name)["pipeline"]
                approvals = approval_actions(declaration)

            def ended(e):
                if e.get("status") in TERMINAL_STATUSES:
                    return True
                if approvals and e.get("status") == "InProgress":
                    # Only a pipeline with an approval action reads its state while waiting.
                    waiting[:] = pending_approvals(client.get_pipeline_state(aws_retry=True, name=name), approvals,
                                                   execution_id)
                    return bool(waiting)
                return False
            try:
                execution = wait_for(fetch, ended,
                                     "execution %s of %s to end" % (execution_id, name),
                                     timeout=params["wait_timeout"], describe=lambda e: e.get("status"))
            except WaitTimeout as e:
                fail_on_timeout(module, e, **result)
        result["status"] = execution.get("status")
        if params["wait"] and not module.check_mode and waiting and execution.get("status") not in TERMINAL_STATUSES:
            result["pending_approvals"] = list(waiting)
            module.fail_json(msg=approval_message(name, module.region, execution_id, waiting), **result)
        if params["wait"] and execution.get("status") in FAILED_STATUSES:
            state = client.get_pipeline_state(aws_retry=True, name=name)
            result["failed_actions"] = failed_actions(state, execution_id)
            detail = "; ".join("%s/%s: %s" % (f["stage"], f["action"], f["message"]) for f in result["failed_actions"])
            module.fail_json(msg="execution %s of pipeline %s ended %s%s" % (
                execution_id, name, execution.get("status"),
                (": " + detail) if detail else (
                    (" (%s)" % execution["statusSummary"]) if execution.get("statusSummary") else "")), **result)
    except is_boto3_error_code("PipelineNotFoundException"):
        module.fail_json(msg="pipeline: no pipeline named %s in %s" % (name, module.region))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        fail_aws(e, "CodePipeline call failed for pipeline %s" % name)
    module.exit_json(**result)


if __name__ == "__main__":
    main()

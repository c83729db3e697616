"""CodePipeline: structure validation, executions that progress, pipeline state.

moto 5.2.5 stores pipelines (Create/Get/Update/Delete/ListPipelines, version
increments on UpdatePipeline) and records executions that are ``Succeeded``
the moment they start, with no ``GetPipelineState``. This extension:

* validates on ``CreatePipeline``/``UpdatePipeline`` what AWS documents for the
  pipeline declaration (API reference, PipelineDeclaration:
  https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html
  "You must include either artifactStore or artifactStores in your pipeline, but
  you cannot use both. If you create a cross-region action in your pipeline, you
  must use artifactStores." / "There must be an artifact store for the pipeline
  Region and for each cross-region action in the pipeline.") and the structure
  rules of the user guide (reference-pipeline-structure.html: unique stage
  names, unique action names in a stage, an input artifact is the output of a
  preceding action; actions-create-cross-region.html: no cross-region source
  actions), all as ``InvalidStructureException``. AWS's exact message texts are
  not published; ours state the documented rule.
* replaces moto's execution by one that progresses. A pipeline that names
  something the emulator can run (a CodeBuild project or ECS cluster that exists,
  a manual approval) is *run* by ``pipeline_engine`` in a thread: builds run their
  buildspec, ECS actions deploy, approvals wait for ``PutApprovalResult`` (added
  here), each step lasting at least its share of ``pipeline_run_seconds``. Any
  other pipeline keeps the clock model: its status is computed from timestamps at
  read time (no threads), the run takes ``state.TIMING["pipeline_run_seconds"]``
  (read when the execution starts), split evenly over the pipeline's steps (a
  step = the actions of one stage with the same runOrder), stage after stage.
* resolves a CodeCommit source action's revision from the CodeCommit extension
  (the branch head when the execution starts); a missing repository or branch
  fails the source action, as in AWS.
* fails a cross-region action whose role cannot use its region's artifact store
  (``artifact_access.role_store_access``: the role's policies or the bucket policy must allow it).
* adds ``GetPipelineState``.
* starts the pipelines whose CodeCommit source watches a branch when the branch
  gets a new head (called by the CodeCommit extension), like the EventBridge
  rule in AWS (action reference "CodeCommit": "Starts the pipeline when a new
  commit is made on the configured CodeCommit repository and branch.").
* ``CreatePipeline``: moto's check that the role trusts CodePipeline read only a trust policy whose
  ``Statement`` is a list and whose ``Principal.Service`` is one string; IAM's policy grammar
  (IAM user guide, "IAM JSON policy elements: Principal" - "you can specify more than one service
  principal ... in an array"; "Statement" - a statement or an array of statements) allows both
  forms, so the check reads either (``create_pipeline`` below, otherwise moto's).
* control route ``codepipeline/fail-next``: POST ``{"pipeline", "stage",
  "action", "message"[, "region", "code"]}`` makes the next execution of that
  pipeline fail at that action with that message; GET lists the pending
  failures; DELETE clears them.
"""
import copy
import json
import threading
import time
import uuid

from moto.codepipeline.exceptions import InvalidStructureException, PipelineNotFoundException
from moto.codepipeline.models import CodePipelineBackend, codepipeline_backends
from moto.codepipeline.responses import CodePipelineResponse

from .. import app, state

_LOCK = threading.RLock()
# pending failures: list of {"pipeline", "stage", "action", "message", "code", "region"}
FAIL_NEXT = []
_installed = False


def _reset():
    from . import pipeline_engine
    with _LOCK:
        FAIL_NEXT.clear()
    pipeline_engine.reset()


# --- validation -------------------------------------------------------------------------------

def _run_order(action):
    return int(action.get("runOrder") or 1)


def _actions(pipeline):
    for stage in pipeline.get("stages") or []:
        for action in stage.get("actions") or []:
            yield stage, action


def validate_declaration(pipeline, region):
    """Raise InvalidStructureException for what AWS rejects in a pipeline declaration."""
    store, stores = pipeline.get("artifactStore"), pipeline.get("artifactStores")
    if store and stores:
        raise InvalidStructureException(
            "Pipeline has both artifactStore and artifactStores: you must include either artifactStore or "
            "artifactStores in your pipeline, but you cannot use both.")
    if not store and not stores:
        raise InvalidStructureException(
            "Pipeline has neither artifactStore nor artifactStores: you must include one of them.")
    if stores and region not in stores:
        raise InvalidStructureException(
            "artifactStores has no artifact store for the pipeline region %s: there must be an artifact "
            "store for the pipeline Region and for each cross-region action in the pipeline." % region)
    for stage, action in _actions(pipeline):
        action_region = action.get("region") or region
        if action_region == region:
            continue
        where = "Action '%s' in stage '%s'" % (action.get("name"), stage.get("name"))
        if (action.get("actionTypeId") or {}).get("category") == "Source":
            raise InvalidStructureException(
                "%s is a Source action in region %s: source actions cannot be cross-region actions." % (
                    where, action_region))
        if not stores:
            raise InvalidStructureException(
                "%s is a cross-region action (region %s, pipeline region %s): a pipeline with a cross-region "
                "action must use artifactStores, with an artifact store for each region, instead of "
                "artifactStore." % (where, action_region, region))
        if action_region not in stores:
            raise InvalidStructureException(
                "%s is in region %s, which has no artifact store in artifactStores: there must be an artifact "
                "store for the pipeline Region and for each cross-region action in the pipeline." % (
                    where, action_region))
    _validate_names_and_artifacts(pipeline)


def _validate_names_and_artifacts(pipeline):
    stage_names = set()
    produced = set()
    for stage in pipeline.get("stages") or []:
        name = stage.get("name")
        if name in stage_names:
            raise InvalidStructureException(
                "Pipeline has more than one stage named '%s': all stage names within a pipeline must be "
                "unique." % name)
        stage_names.add(name)
        actions = stage.get("actions") or []
        action_names = set()
        for action in actions:
            if action.get("name") in action_names:
                raise InvalidStructureException(
                    "Stage '%s' has more than one action named '%s': action names must be unique within a "
                    "stage." % (name, action.get("name")))
            action_names.add(action.get("name"))
        for run_order in sorted({_run_order(a) for a in actions}):
            group = [a for a in actions if _run_order(a) == run_order]
            for action in group:
                for artifact in action.get("inputArtifacts") or []:
                    if artifact.get("name") not in produced:
                        raise InvalidStructureException(
                            "Input artifact '%s' of action '%s' in stage '%s' is not the output artifact of "
                            "an action that runs before it." % (artifact.get("name"), action.get("name"), name))
            for action in group:
                for artifact in action.get("outputArtifacts") or []:
                    if artifact.get("name") in produced:
                        raise InvalidStructureException(
                            "Output artifact name '%s' is declared by more than one action: output artifact "
                            "names must be unique within a pipeline." % artifact.get("name"))
                    produced.add(artifact.get("name"))


# --- executions -------------------------------------------------------------------------------

def _entity_url(action, region):
    provider = (action.get("actionTypeId") or {}).get("provider")
    config = action.get("configuration") or {}
    console = "https://console.aws.amazon.com"
    if provider == "CodeCommit":
        return "%s/codecommit/home?region=%s#/repository/%s/browse/%s/--/" % (
            console, region, config.get("RepositoryName"), config.get("BranchName"))
    if provider == "CodeBuild":
        return "%s/codebuild/home?region=%s#/projects/%s/view" % (console, region, config.get("ProjectName"))
    if provider == "ECS":
        return "%s/ecs/home?region=%s#/clusters/%s/services/%s/details" % (
            console, region, config.get("ClusterName"), config.get("ServiceName"))
    return "%s/codesuite/codepipeline/home?region=%s" % (console, region)


class Execution:
    """One pipeline execution; every status is derived from the clock when read."""

    def __init__(self, backend, codepipeline, trigger_type, trigger_detail, variables=None):
        self.pipeline_execution_id = str(uuid.uuid4())
        declaration = codepipeline.pipeline
        self.pipeline_name = declaration["name"]
        self.pipeline_version = declaration["version"]
        self.region = backend.region_name
        self.execution_mode = declaration.get("executionMode") or "SUPERSEDED"
        self.stages = copy.deepcopy(declaration["stages"])
        self.variables = variables or []
        self.trigger = {"triggerType": trigger_type, "triggerDetail": trigger_detail}
        self.start = time.time()
        self.duration = float(state.TIMING.get("pipeline_run_seconds"))
        # steps: (stage index, runOrder) in execution order
        self.steps = []
        for index, stage in enumerate(self.stages):
            for run_order in sorted({_run_order(a) for a in stage["actions"]}):
                self.steps.append((index, run_order))
        self.step_length = self.duration / len(self.steps) if self.steps else 0.0
        self.revisions = {}  # action name -> commit (GetCommit shape) + artifact name
        self.failure = None  # (step index, stage name, action name, code, message)
        # run mode (pipeline_engine): steps and actions as they really ran
        self.windows = {}    # step -> [begin, end or None]
        self.results = {}    # (stage name, action name) -> ActionExecution fields
        self.approvals = {}  # (stage name, action name) -> pending approval
        self.finished_at = None
        self.superseded = False
        self.stopped = False
        self._resolve_sources(backend.account_id)
        self._check_artifact_access(backend.account_id, declaration)
        self._apply_fail_next()
        from . import pipeline_engine
        self.run_mode = pipeline_engine.needs_run(backend.account_id, self.region, self.stages)
        if self.run_mode:
            if self.failure is not None:
                # a source that cannot be read (or an injected failure) ends the run at that step, as in clock mode
                self.run_mode = False
            else:
                pipeline_engine.Runner(self, backend.account_id, copy.deepcopy(declaration)).start()

    # - setup -
    def _step_of(self, stage_name, action_name):
        for index, stage in enumerate(self.stages):
            if stage["name"] != stage_name:
                continue
            for action in stage["actions"]:
                if action["name"] == action_name:
                    return self.steps.index((index, _run_order(action)))
        return None

    def _fail(self, stage_name, action_name, code, message):
        step = self._step_of(stage_name, action_name)
        if step is None:
            return
        if self.failure is None or step < self.failure[0]:
            self.failure = (step, stage_name, action_name, code, message)

    def _resolve_sources(self, account_id):
        from . import codecommit_files
        for stage in self.stages:
            for action in stage["actions"]:
                type_id = action.get("actionTypeId") or {}
                if type_id.get("category") != "Source" or type_id.get("provider") != "CodeCommit":
                    continue
                config = action.get("configuration") or {}
                repo, branch = config.get("RepositoryName"), config.get("BranchName")
                commit = codecommit_files.branch_head(account_id, self.region, repo, branch)
                if commit is None:
                    # Modelled on the console message for a CodeCommit source whose branch is missing.
                    self._fail(stage["name"], action["name"], "JobFailed",
                               "The action failed because no branch named %s was found in the selected AWS "
                               "CodeCommit repository %s. Make sure you are using the correct branch name, "
                               "and then try again." % (branch, repo))
                    continue
                outputs = action.get("outputArtifacts") or []
                self.revisions[action["name"]] = dict(
                    commit, artifact=outputs[0]["name"] if outputs else None,
                    url="https://console.aws.amazon.com/codecommit/home?region=%s#/repository/%s/commit/%s" % (
                        self.region, repo, commit["commitId"]))

    def _check_artifact_access(self, account_id, declaration):
        """A cross-region action whose role cannot use its region's artifact store fails (artifact_access.py)."""
        from . import artifact_access
        stores = declaration.get("artifactStores") or {}
        for stage in self.stages:
            for action in stage["actions"]:
                region = action.get("region") or self.region
                if region == self.region or region not in stores:
                    continue
                bucket = stores[region].get("location")
                role = action.get("roleArn") or declaration.get("roleArn")
                key = "%s/%s/%s" % (self.pipeline_name[:20], (action.get("inputArtifacts") or [{}])[0].get(
                    "name", "artifact")[:10], self.pipeline_execution_id[:7])
                refused = artifact_access.role_store_access(account_id, role, bucket, key,
                                                            encrypted_with_kms=True)
                if refused:
                    # Modelled on the console's message for an artifact store the role cannot use.
                    self._fail(stage["name"], action["name"], "JobFailed",
                               "Insufficient permissions: the service role or action role doesn't have the "
                               "permissions required to access the Amazon S3 bucket named %s (the artifact store "
                               "of %s: %s). Update the IAM role permissions, and then try again. Error: Amazon "
                               "S3:AccessDenied:Access Denied" % (bucket, region, refused))

    def _apply_fail_next(self):
        with _LOCK:
            for rule in list(FAIL_NEXT):
                if rule["pipeline"] != self.pipeline_name or rule.get("region") not in (None, self.region):
                    continue
                FAIL_NEXT.remove(rule)
                self._fail(rule["stage"], rule["action"], rule.get("code") or "JobFailed", rule["message"])
                break

    # - clock (run mode: what the runner recorded) -
    def _last_step(self):
        return self.failure[0] if self.failure else len(self.steps) - 1

    def _step_window(self, step):
        if self.run_mode:
            begin, end = self.windows.get(step) or (None, None)
            return begin, end
        return self.start + step * self.step_length, self.start + (step + 1) * self.step_length

    def _step_phase(self, step, now):
        """'pending', 'running' or 'done' for a step at time ``now``."""
        if step > self._last_step():
            return "pending"
        begin, end = self._step_window(step)
        if begin is None or now < begin:
            return "pending"
        if end is None or now < end:
            return "running"
        return "done"

    def _end_time(self):
        if self.run_mode:
            return self.finished_at if self.finished_at is not None else float("inf")
        return self._step_window(self._last_step())[1] if self.steps else self.start

    def status(self, now=None):
        now = time.time() if now is None else now
        if self.run_mode and self.superseded:
            return "Superseded"
        if now < self._end_time():
            return "InProgress"
        return "Failed" if self.failure else "Succeeded"

    def last_update(self, now):
        now = min(now, self._end_time())
        changes = [self.start]
        for step in range(self._last_step() + 1):
            for moment in self._step_window(step):
                if moment is not None and moment <= now:
                    changes.append(moment)
        return max(changes)

    def action_execution(self, stage_index, action, now):
        """ActionExecution of an action in this execution, or None when it has not started."""
        step = self.steps.index((stage_index, _run_order(action)))
        phase = self._step_phase(step, now)
        if phase == "pending":
            return None
        if self.run_mode:
            return self._run_action_execution(stage_index, action)
        begin, end = self._step_window(step)
        result = {
            "actionExecutionId": str(uuid.uuid5(uuid.NAMESPACE_URL, "%s/%s/%s" % (
                self.pipeline_execution_id, self.stages[stage_index]["name"], action["name"]))),
            "status": "InProgress" if phase == "running" else "Succeeded",
            "lastStatusChange": begin if phase == "running" else end,
        }
        failure = self.failure
        if phase == "done" and failure and failure[1] == self.stages[stage_index]["name"] \
                and failure[2] == action["name"]:
            result["status"] = "Failed"
            result["errorDetails"] = {"code": failure[3], "message": failure[4]}
            result["summary"] = failure[4]
        elif action["name"] in self.revisions:
            result["summary"] = self.revisions[action["name"]]["message"]
            result["externalExecutionId"] = self.revisions[action["name"]]["commitId"]
        return result

    def _run_action_execution(self, stage_index, action):
        recorded = self.results.get((self.stages[stage_index]["name"], action["name"]))
        if recorded is None:
            return None
        result = {
            "actionExecutionId": recorded["actionExecutionId"],
            "status": recorded["status"],
            "lastStatusChange": recorded["at"],
        }
        for key in ("summary", "externalExecutionId", "externalExecutionUrl", "errorDetails", "token"):
            if recorded.get(key) is not None and not (key == "token" and recorded["status"] != "InProgress"):
                result[key] = recorded[key]
        return result

    def stage_status(self, stage_index, now):
        """StageExecution status, or None when this execution has not reached the stage."""
        phases = [self._step_phase(k, now) for k, (index, _) in enumerate(self.steps) if index == stage_index]
        if not phases or phases[0] == "pending":
            return None
        if "running" in phases:
            return "InProgress"
        if self.failure:
            fail_step = self.failure[0]
            if self.steps[fail_step][0] == stage_index and self._step_phase(fail_step, now) == "done":
                return "Failed"
        if all(p == "done" for p in phases):
            return "Succeeded"
        return "InProgress"

    # - shapes moto's responses serialise -
    def _artifact_revisions(self):
        return [{
            "name": rev["artifact"], "revisionId": rev["commitId"], "revisionChangeIdentifier": rev["commitId"],
            "revisionSummary": rev["message"], "created": self.start, "revisionUrl": rev["url"],
        } for rev in self.revisions.values()]

    def to_dict(self):
        now = time.time()
        return {
            "pipelineName": self.pipeline_name,
            "pipelineVersion": self.pipeline_version,
            "pipelineExecutionId": self.pipeline_execution_id,
            "status": self.status(now),
            "artifactRevisions": self._artifact_revisions(),
            "variables": [{"name": v["name"], "resolvedValue": v["value"]} for v in self.variables],
            "trigger": dict(self.trigger),
            "executionMode": self.execution_mode,
            "executionType": "STANDARD",
        }

    def to_summary_dict(self):
        now = time.time()
        return {
            "pipelineExecutionId": self.pipeline_execution_id,
            "status": self.status(now),
            "startTime": self.start,
            "lastUpdateTime": self.last_update(now),
            "sourceRevisions": [{
                "actionName": name, "revisionId": rev["commitId"], "revisionSummary": rev["message"],
                "revisionUrl": rev["url"],
            } for name, rev in self.revisions.items()],
            "trigger": dict(self.trigger),
            "executionMode": self.execution_mode,
            "executionType": "STANDARD",
        }


def _pipeline(backend, name):
    codepipeline = backend.pipelines.get(name)
    if codepipeline is None:
        raise PipelineNotFoundException(
            "Account '%s' does not have a pipeline with name '%s'" % (backend.account_id, name))
    return codepipeline


def _start(backend, codepipeline, trigger_type, trigger_detail, variables=None):
    execution = Execution(backend, codepipeline, trigger_type, trigger_detail, variables)
    codepipeline.executions[execution.pipeline_execution_id] = execution
    return execution


def start_pipeline_execution(self, name, variables):
    codepipeline = _pipeline(self, name)
    # The trigger detail AWS reports is the caller's ARN; the emulator's callers are anonymous.
    return _start(self, codepipeline, "StartPipelineExecution", "", variables).pipeline_execution_id


def get_pipeline_state(self, name):
    codepipeline = _pipeline(self, name)
    declaration = codepipeline.pipeline
    now = time.time()
    executions = [e for e in reversed(list(codepipeline.executions.values())) if isinstance(e, Execution)]
    stage_states = []
    for index, stage in enumerate(declaration["stages"]):
        stage_state = {"stageName": stage["name"], "actionStates": []}
        if index > 0:
            stage_state["inboundTransitionState"] = {"enabled": True}
        latest = None
        for execution in executions:
            names = [s["name"] for s in execution.stages]
            if stage["name"] in names and execution.stage_status(names.index(stage["name"]), now):
                latest = (execution, names.index(stage["name"]))
                break
        if latest:
            execution, stage_index = latest
            stage_state["latestExecution"] = {
                "pipelineExecutionId": execution.pipeline_execution_id,
                "status": execution.stage_status(stage_index, now),
            }
        for action in stage["actions"]:
            region = action.get("region") or self.region_name
            action_state = {"actionName": action["name"], "entityUrl": _entity_url(action, region)}
            if latest:
                execution, stage_index = latest
                declared = {a["name"]: a for a in execution.stages[stage_index]["actions"]}
                if action["name"] in declared:
                    action_execution = execution.action_execution(stage_index, declared[action["name"]], now)
                    if action_execution:
                        action_state["latestExecution"] = action_execution
                    revision = execution.revisions.get(action["name"])
                    if revision and action_execution and action_execution["status"] == "Succeeded":
                        action_state["currentRevision"] = {
                            "revisionId": revision["commitId"], "revisionChangeId": revision["commitId"],
                            "created": execution.start}
                        action_state["revisionUrl"] = revision["url"]
            stage_state["actionStates"].append(action_state)
        stage_states.append(stage_state)
    meta = codepipeline.metadata
    return {
        "pipelineName": name,
        "pipelineVersion": declaration["version"],
        "stageStates": stage_states,
        "created": meta["created"],
        "updated": meta["updated"],
    }


class _ApprovalError(Exception):
    pass


def put_approval_result(self, pipeline_name, stage_name, action_name, result, token):
    """PutApprovalResult (API reference: https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PutApprovalResult.html)."""
    from moto.core.exceptions import JsonRESTError
    codepipeline = _pipeline(self, pipeline_name)
    stages = {s["name"]: s for s in codepipeline.pipeline["stages"]}
    if stage_name not in stages:
        raise JsonRESTError("StageNotFoundException", "The stage was specified in an invalid format or cannot be "
                            "found: %s" % stage_name)
    if action_name not in {a["name"] for a in stages[stage_name]["actions"]}:
        raise JsonRESTError("ActionNotFoundException", "The specified action cannot be found: %s" % action_name)
    status = (result or {}).get("status")
    if status not in ("Approved", "Rejected"):
        raise JsonRESTError("InvalidApprovalTokenException" if not status else "ValidationException",
                            "result.status must be Approved or Rejected, got %r" % status)
    for execution in codepipeline.executions.values():
        pending = getattr(execution, "approvals", {}).get((stage_name, action_name))
        if pending and pending["token"] == token and pending["result"] is None:
            pending["result"] = {"status": status, "summary": (result or {}).get("summary")}
            pending["event"].set()
            return {"approvedAt": time.time()}
    raise JsonRESTError("InvalidApprovalTokenException",
                        "The approval request already received a response or does not exist")


def _r_put_approval_result(self):
    return json.dumps(self.codepipeline_backend.put_approval_result(
        self._get_param("pipelineName"), self._get_param("stageName"), self._get_param("actionName"),
        self._get_param("result"), self._get_param("token")), default=str)


def on_source_change(account_id, region, provider, repository_name, branch_name, commit):
    """A branch got a new head: start every pipeline whose source action watches it."""
    backend = codepipeline_backends[account_id][region]
    for codepipeline in list(backend.pipelines.values()):
        for _, action in _actions(codepipeline.pipeline):
            type_id = action.get("actionTypeId") or {}
            config = action.get("configuration") or {}
            if (type_id.get("category"), type_id.get("owner"), type_id.get("provider")) != ("Source", "AWS", provider):
                continue
            if config.get("RepositoryName") != repository_name or config.get("BranchName") != branch_name:
                continue
            # PollForSourceChanges omitted or "true": CodePipeline polls; "false": an EventBridge rule starts it.
            if str(config.get("PollForSourceChanges", "true")).lower() == "false":
                trigger = ("CloudWatchEvent", "arn:aws:events:%s:%s:rule/codepipeline-%s-%s" % (
                    region, account_id, repository_name, branch_name))
            else:
                trigger = ("PollForSourceChanges", action["name"])
            _start(backend, codepipeline, *trigger)
            break


# --- role trust (CreatePipeline) ---------------------------------------------------------------

def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def trusts_service(policy_document, service):
    """Whether an IAM trust policy lets ``service`` assume the role (Statement and Service: one or a list)."""
    document = json.loads(policy_document) if isinstance(policy_document, str) else (policy_document or {})
    for statement in _as_list(document.get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        actions = _as_list(statement.get("Action"))
        if not any(action in ("sts:AssumeRole", "sts:*", "*") for action in actions):
            continue
        principal = statement.get("Principal") or {}
        if isinstance(principal, dict) and service in _as_list(principal.get("Service")):
            return True
    return False


def create_pipeline(self, pipeline, tags):
    """moto's CreatePipeline with the trust check above; everything else as moto does it."""
    from moto.codepipeline.models import CodePipeline
    from moto.iam.exceptions import NotFoundException as IAMNotFoundException

    name = pipeline["name"]
    if name in self.pipelines:
        raise InvalidStructureException(
            "A pipeline with the name '%s' already exists in account '%s'" % (name, self.account_id))
    try:
        role = self.iam_backend.get_role_by_arn(pipeline["roleArn"])
    except IAMNotFoundException:
        role = None
    if role is None or not trusts_service(role.assume_role_policy_document, "codepipeline.amazonaws.com"):
        raise InvalidStructureException(
            "CodePipeline is not authorized to perform AssumeRole on role %s" % pipeline["roleArn"])
    if len(pipeline["stages"]) < 2:
        raise InvalidStructureException(
            "Pipeline has only %d stage(s). There should be a minimum of 2 stages in a pipeline"
            % len(pipeline["stages"]))
    self.pipelines[name] = CodePipeline(self.account_id, self.region_name, pipeline)
    if tags is not None:
        self.pipelines[name].validate_tags(tags)
        self.pipelines[name].tags.update({tag["key"]: tag["value"] for tag in tags})
    else:
        tags = []
    return pipeline, sorted(tags, key=lambda tag: tag["key"])


# --- patches ----------------------------------------------------------------------------------

def _wrap_validation(original):
    def wrapper(self, pipeline, *args, **kwargs):
        validate_declaration(pipeline or {}, self.region_name)
        return original(self, pipeline, *args, **kwargs)
    wrapper.__wrapped__ = original
    return wrapper


def _r_get_pipeline_state(self):
    return json.dumps(self.codepipeline_backend.get_pipeline_state(self._get_param("name")), default=str)


@app.control_route("codepipeline/fail-next")
def _fail_next_route(request):
    if request.method == "DELETE":
        _reset()
        return 200, {"pending": []}
    if request.method == "POST":
        body = app._json(request)
        rule = {
            "pipeline": str(body["pipeline"]), "stage": str(body["stage"]), "action": str(body["action"]),
            "message": str(body["message"]), "code": str(body.get("code") or "JobFailed"),
            "region": body.get("region"),
        }
        known = [cp for regions in codepipeline_backends.values() for backend in regions.values()
                 for name, cp in backend.pipelines.items() if name == rule["pipeline"]]
        if known and not any((s.get("name"), a.get("name")) == (rule["stage"], rule["action"])
                             for cp in known for s, a in _actions(cp.pipeline)):
            raise ValueError("pipeline %r has no action %r in a stage %r" % (
                rule["pipeline"], rule["action"], rule["stage"]))
        with _LOCK:
            FAIL_NEXT.append(rule)
    with _LOCK:
        return 200, {"pending": [dict(r) for r in FAIL_NEXT]}


def install():
    global _installed
    if _installed:
        return
    CodePipelineBackend.create_pipeline = _wrap_validation(create_pipeline)
    CodePipelineBackend.update_pipeline = _wrap_validation(CodePipelineBackend.update_pipeline)
    CodePipelineBackend.start_pipeline_execution = start_pipeline_execution
    CodePipelineBackend.get_pipeline_state = get_pipeline_state
    CodePipelineResponse.get_pipeline_state = _r_get_pipeline_state
    CodePipelineBackend.put_approval_result = put_approval_result
    CodePipelineResponse.put_approval_result = _r_put_approval_result
    if _reset not in app.RESET_HOOKS:
        app.RESET_HOOKS.append(_reset)
    _installed = True

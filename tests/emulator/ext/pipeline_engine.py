"""CodePipeline executions that really run their actions.

An execution of a pipeline that has something to run here (a CodeBuild action whose project exists, an
ECS deploy action whose cluster exists, or a manual approval) is *run*, stage after stage, in a thread
(``Runner``); an execution of a pipeline that names nothing the emulator holds keeps the clock model of
``codepipeline.Execution`` (tests of the pipeline API alone). In a run, a missing project, cluster or
service fails its action, as in AWS.

Actions ("CodePipeline action structure reference", https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference.html):

* **Source / CodeCommit**: the files of the commit the execution started on, zipped into the artifact
  store of the pipeline's region as the output artifact ("Input and output artifacts",
  https://docs.aws.amazon.com/codepipeline/latest/userguide/welcome-introducing-artifacts.html: artifacts
  are stored in the artifact store's S3 bucket; the key is ``<pipeline name>/<artifact name>/<id>``,
  each cut to 20/10 characters as the console shows them).
* **Build / CodeBuild** (``ProjectName``): ``codebuild_run.run_build`` on the input artifact's files,
  ``CODEBUILD_RESOLVED_SOURCE_VERSION`` = the source revision (the commit id). The declared artifacts are
  the output artifact. A failed build fails the action with CodeBuild's phase, code and failing command.
* **Deploy / ECS** (``ClusterName``, ``ServiceName``, ``FileName`` default ``imagedefinitions.json``,
  ``DeploymentTimeout`` minutes, action-reference-ECS.html): in a cross-region action the input artifact
  is first copied to the artifact store of the action's region ("Add a cross-Region action",
  https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-create-cross-region.html: "CodePipeline
  ... copies the artifacts to the artifact store in the action's Region"); a store bucket that does not
  exist, or is not in that region, fails the action. Then ``ecs_deploy.deploy_image_definitions`` and a
  wait for the service's deployment (fails with the tasks' stop reason after the deployment timeout).
* **Approval / Manual**: waits for ``PutApprovalResult`` with the token ``GetPipelineState`` shows
  ("Approve or reject an approval action", https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-approve-or-reject.html:
  "If the approver rejects the action, or if no approval response is received within seven days of the
  pipeline stopping for the approval action, the pipeline status changes to Failed.").
  The seven days are ``state.TIMING["approval_timeout_seconds"]``.
* Any other action succeeds after its share of ``pipeline_run_seconds``.

Every step (the actions of one stage with the same runOrder) lasts at least its share of
``pipeline_run_seconds``. Executions in ``SUPERSEDED`` mode (the default) enter a stage one at a time; a
newer execution waiting for the same stage supersedes the older waiting one ("Set or change the pipeline
execution mode", https://docs.aws.amazon.com/codepipeline/latest/userguide/execution-modes.html).
``QUEUED`` executions wait in order; ``PARALLEL`` ones do not wait.
"""
import io
import secrets
import threading
import time
import uuid
import zipfile

from .. import state

_LOCK = threading.Condition(threading.RLock())
# (account, region, pipeline) -> {stage name: execution id holding it}
_HELD = {}
# (account, region, pipeline) -> {stage name: execution waiting for it (SUPERSEDED mode)}
_WAITING = {}
# Called when a cross-region action starts, before its input artifact is copied:
# hook(account_id, pipeline_declaration, stage_name, action, source_store, target_store) -> None or an
# error message that fails the action (see ext/artifact_access.py when present).
CROSS_REGION_HOOKS = []


_RUNNERS = []


def reset():
    """Emulator reset: running executions stop, open approvals are closed."""
    with _LOCK:
        for runner in _RUNNERS:
            runner.execution.stopped = True
            for pending in list(runner.execution.approvals.values()):
                pending["result"] = {"status": "Rejected", "summary": "emulator reset"}
                pending["event"].set()
        del _RUNNERS[:]
        _HELD.clear()
        _WAITING.clear()
        _LOCK.notify_all()


def _run_order(action):
    return int(action.get("runOrder") or 1)


def _type(action):
    type_id = action.get("actionTypeId") or {}
    return type_id.get("category"), type_id.get("provider")


def needs_run(account_id, pipeline_region, stages):
    """Does the pipeline name something the emulator can really run?"""
    from moto.codebuild.models import codebuild_backends
    from moto.ecs.models import ecs_backends
    for stage in stages:
        for action in stage.get("actions") or []:
            region = action.get("region") or pipeline_region
            config = action.get("configuration") or {}
            category, provider = _type(action)
            if category == "Approval":
                return True
            if provider == "CodeBuild" and config.get("ProjectName") in \
                    codebuild_backends[account_id][region].codebuild_projects:
                return True
            if category == "Deploy" and provider == "ECS" and \
                    str(config.get("ClusterName", "")).split("/")[-1] in ecs_backends[account_id][region].clusters:
                return True
    return False


# --- artifact stores ----------------------------------------------------------------------------

class ActionFailed(Exception):
    def __init__(self, message, code="JobFailed", **details):
        super().__init__(message)
        self.code = code
        self.details = details  # externalExecutionId / externalExecutionUrl of the failed job


def _store_for(declaration, region):
    if declaration.get("artifactStores"):
        return (declaration["artifactStores"] or {}).get(region)
    return declaration.get("artifactStore")


def _bucket(account_id, store, region):
    from moto.s3.models import s3_backends
    backend = s3_backends[account_id]["aws"]
    location = (store or {}).get("location")
    bucket = backend.buckets.get(location)
    if bucket is None:
        raise ActionFailed("The artifact store bucket %s for region %s does not exist: create the bucket (in %s) or "
                           "name an existing one in the pipeline's artifactStores" % (location, region, region))
    if bucket.region_name != region:
        raise ActionFailed("The artifact store bucket %s for region %s is in region %s: the artifact store of a "
                           "region must be a bucket in that region" % (location, region, bucket.region_name))
    return backend, location


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(path, files[path])
    return buffer.getvalue()


def _unzip(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def put_artifact(account_id, declaration, region, artifact_name, files):
    store = _store_for(declaration, region)
    backend, bucket = _bucket(account_id, store, region)
    key = "%s/%s/%s" % (declaration["name"][:20], artifact_name[:10], secrets.token_urlsafe(5)[:7])
    backend.put_object(bucket, key, _zip(files))
    return {"region": region, "bucket": bucket, "key": key}


def get_artifact(account_id, location):
    from moto.s3.models import s3_backends
    backend = s3_backends[account_id]["aws"]
    key = backend.get_object(location["bucket"], location["key"])
    if key is None:
        raise ActionFailed("The input artifact s3://%s/%s is gone from the artifact store" % (
            location["bucket"], location["key"]))
    return _unzip(key.value)


# --- the run -----------------------------------------------------------------------------------

class Runner:
    """Runs one execution (``codepipeline.Execution`` in run mode) in a thread."""

    def __init__(self, execution, account_id, declaration):
        self.execution = execution
        self.account_id = account_id
        self.declaration = declaration
        self.key = (account_id, execution.region, execution.pipeline_name)
        self.artifacts = {}  # name -> {"location": {...}, "revision": commit id}

    def start(self):
        with _LOCK:
            _RUNNERS[:] = [r for r in _RUNNERS if r.execution.finished_at is None]
            _RUNNERS.append(self)
        thread = threading.Thread(target=self.run, name="pipeline-%s" % self.execution.pipeline_execution_id,
                                  daemon=True)
        thread.start()

    # stage locks (SUPERSEDED / QUEUED)
    def _enter(self, stage_name):
        mode = self.execution.execution_mode
        if mode == "PARALLEL":
            return True
        my_id = self.execution.pipeline_execution_id
        with _LOCK:
            held = _HELD.setdefault(self.key, {})
            waiting = _WAITING.setdefault(self.key, {})
            while held.get(stage_name) not in (None, my_id):
                if self.execution.superseded or self.execution.stopped:
                    return False
                if mode == "SUPERSEDED":
                    other = waiting.get(stage_name)
                    if other is None or other is self.execution:
                        waiting[stage_name] = self.execution
                    elif other.start <= self.execution.start:
                        other.superseded = True  # the older waiting execution gives way to this newer one
                        waiting[stage_name] = self.execution
                    else:
                        self.execution.superseded = True
                        return False
                _LOCK.wait(0.2)
            if self.execution.superseded or self.execution.stopped:
                return False
            if waiting.get(stage_name) is self.execution:
                del waiting[stage_name]
            held[stage_name] = my_id
            return True

    def _leave(self, stage_name):
        with _LOCK:
            held = _HELD.get(self.key, {})
            if held.get(stage_name) == self.execution.pipeline_execution_id:
                del held[stage_name]
            _LOCK.notify_all()

    def run(self):
        execution = self.execution
        current_stage = None
        try:
            for step, (stage_index, run_order) in enumerate(execution.steps):
                stage = execution.stages[stage_index]
                if execution.stopped:
                    return
                if stage["name"] != current_stage:
                    if current_stage is not None:
                        self._leave(current_stage)
                        current_stage = None
                    if not self._enter(stage["name"]):
                        return
                    current_stage = stage["name"]
                begin = time.time()
                execution.windows[step] = [begin, None]
                actions = [a for a in stage["actions"] if _run_order(a) == run_order]
                threads = [threading.Thread(target=self._run_action, args=(stage, action), daemon=True)
                           for action in actions]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                remaining = begin + execution.step_length - time.time()
                if remaining > 0:
                    time.sleep(remaining)
                failed = [a for a in actions
                          if execution.results.get((stage["name"], a["name"]), {}).get("status") == "Failed"]
                if failed:
                    error = execution.results[(stage["name"], failed[0]["name"])]["errorDetails"]
                    execution.failure = (step, stage["name"], failed[0]["name"], error["code"], error["message"])
                execution.windows[step][1] = time.time()
                if failed:
                    return
        finally:
            if current_stage is not None:
                self._leave(current_stage)
            execution.finished_at = time.time()

    def _set(self, stage, action, **result):
        self.execution.results[(stage["name"], action["name"])] = dict(result, at=time.time())

    def _run_action(self, stage, action):
        if self.execution.stopped:
            return
        started = dict(status="InProgress", actionExecutionId=str(uuid.uuid4()))
        self._set(stage, action, **started)
        category, provider = _type(action)
        region = action.get("region") or self.execution.region
        try:
            if category == "Source" and provider == "CodeCommit":
                outcome = self._source(action)
            elif category == "Build" and provider == "CodeBuild":
                outcome = self._build(stage, action, region)
            elif category == "Deploy" and provider == "ECS":
                outcome = self._ecs(stage, action, region)
            elif category == "Approval":
                outcome = self._approval(stage, action, started)
            else:
                outcome = {}
            self._set(stage, action, status="Succeeded", actionExecutionId=started["actionExecutionId"], **outcome)
        except ActionFailed as exc:
            self._set(stage, action, status="Failed", actionExecutionId=started["actionExecutionId"],
                      summary=str(exc), errorDetails={"code": exc.code, "message": str(exc)}, **exc.details)
        except Exception as exc:  # noqa: BLE001 - an emulator bug shows as the action's error, not a hang
            self._set(stage, action, status="Failed", actionExecutionId=started["actionExecutionId"],
                      errorDetails={"code": "JobFailed", "message": "emulator error: %r" % (exc,)})

    # - actions -
    def _input(self, action, region):
        inputs = action.get("inputArtifacts") or []
        if not inputs:
            raise ActionFailed("The action has no input artifact")
        name = inputs[0]["name"]
        artifact = self.artifacts.get(name)
        if artifact is None:
            raise ActionFailed("The input artifact %s was not produced by an action the emulator ran" % name)
        location = artifact["location"]
        if location["region"] != region:
            location = self._copy_cross_region(action, name, location, region)
        return name, artifact, get_artifact(self.account_id, location)

    def _copy_cross_region(self, action, name, location, region):
        target_store = _store_for(self.declaration, region)
        source_store = _store_for(self.declaration, location["region"])
        for hook in list(CROSS_REGION_HOOKS) + _artifact_access_hooks():
            refusal = hook(self.account_id, self.declaration, self._stage_of(action), action, source_store,
                           target_store)
            if refusal:
                raise ActionFailed(refusal)
        files = get_artifact(self.account_id, location)
        return put_artifact(self.account_id, self.declaration, region, name, files)

    def _stage_of(self, action):
        for stage in self.execution.stages:
            if any(a is action or a.get("name") == action.get("name") for a in stage["actions"]):
                return stage["name"]
        return None

    def _output(self, action, region, files, revision):
        outputs = action.get("outputArtifacts") or []
        if not outputs:
            return
        location = put_artifact(self.account_id, self.declaration, region, outputs[0]["name"], files)
        self.artifacts[outputs[0]["name"]] = {"location": location, "revision": revision}

    def _source(self, action):
        from . import codecommit_files
        revision = self.execution.revisions.get(action["name"])
        if revision is None:
            raise ActionFailed("The source revision could not be resolved")
        config = action.get("configuration") or {}
        files = codecommit_files.commit_files(self.account_id, self.execution.region, config.get("RepositoryName"),
                                              revision["commitId"])
        if files is None:
            raise ActionFailed("The commit %s is not in repository %s" % (revision["commitId"],
                                                                           config.get("RepositoryName")))
        self._output(action, self.execution.region, files, revision["commitId"])
        return {"summary": revision["message"], "externalExecutionId": revision["commitId"]}

    def _build(self, stage, action, region):
        from . import codebuild_run
        name, artifact, files = self._input(action, region)
        project = (action.get("configuration") or {}).get("ProjectName")
        result = codebuild_run.run_build(
            self.account_id, region, project, files, artifact.get("revision"),
            initiator="codepipeline/%s" % self.execution.pipeline_name,
            source_location="arn:aws:s3:::%s/%s" % (artifact["location"]["bucket"], artifact["location"]["key"]))
        if self.execution.stopped:
            raise ActionFailed("Stopped: the emulator was reset during the build")
        url = "https://console.aws.amazon.com/codebuild/home?region=%s#/builds/%s/view/new" % (region,
                                                                                             result.build_id)
        if not result.succeeded:
            raise ActionFailed(result.action_message(), externalExecutionId=result.build_id,
                               externalExecutionUrl=url)
        self._output(action, region, result.artifacts, artifact.get("revision"))
        return {"externalExecutionId": result.build_id, "externalExecutionUrl": url}

    def _ecs(self, stage, action, region):
        from . import ecs_deploy
        config = action.get("configuration") or {}
        file_name = config.get("FileName") or "imagedefinitions.json"
        name, _, files = self._input(action, region)
        if file_name not in files:
            raise ActionFailed("The image definitions file %s does not exist in the input artifact %s (it holds: %s)"
                               % (file_name, name, ", ".join(sorted(files)) or "nothing"))
        cluster = str(config.get("ClusterName", "")).split("/")[-1]
        if self.execution.stopped:
            raise ActionFailed("Stopped: the emulator was reset")
        try:
            deployment_id, service = ecs_deploy.deploy_image_definitions(
                self.account_id, region, cluster, config.get("ServiceName"), file_name, files[file_name])
        except ecs_deploy.DeployError as exc:
            raise ActionFailed(str(exc))
        timeout = state.TIMING.get("ecs_deploy_timeout_seconds")
        if config.get("DeploymentTimeout"):
            timeout = min(timeout, float(config["DeploymentTimeout"]) * 60)
        deadline = time.time() + timeout
        while True:
            if self.execution.stopped:
                raise ActionFailed("Stopped: the emulator was reset")
            outcome = ecs_deploy.deployment_outcome(service, deployment_id)
            if outcome == "done":
                return {"externalExecutionId": deployment_id, "summary": "Deployment %s completed" % deployment_id}
            if outcome == "superseded":
                raise ActionFailed("The deployment %s of service %s was replaced by a newer deployment before it "
                                   "completed" % (deployment_id, service.name))
            if time.time() >= deadline:
                raise ActionFailed("The Amazon ECS service %s did not reach a steady state within the deployment "
                                   "timeout: %s" % (service.name, outcome if outcome != "running" else
                                                    "its tasks did not start"))
            time.sleep(0.1)

    def _approval(self, stage, action, started):
        token = str(uuid.uuid4())
        event = threading.Event()
        pending = {"token": token, "event": event, "result": None}
        self.execution.approvals[(stage["name"], action["name"])] = pending
        self._set(stage, action, status="InProgress", actionExecutionId=started["actionExecutionId"], token=token)
        answered = event.wait(state.TIMING.get("approval_timeout_seconds"))
        self.execution.approvals.pop((stage["name"], action["name"]), None)
        if not answered:
            raise ActionFailed("The approval action was not approved or rejected within the approval timeout "
                               "(seven days in AWS)")
        result = pending["result"]
        if result["status"] != "Approved":
            raise ActionFailed("Rejected: %s" % (result.get("summary") or ""), code="JobFailed")
        return {"summary": result.get("summary") or "", "token": token}


def _artifact_access_hooks():
    """The role check of tests/emulator/ext/artifact_access.py (issue 14), when that module exists:
    ``role_store_access(account_id, role_arn, bucket, key, encrypted_with_kms=True)`` -> refusal or None."""
    try:
        from . import artifact_access
    except ImportError:
        return []
    check = getattr(artifact_access, "role_store_access", None)
    if not callable(check):
        return []

    def hook(account_id, declaration, stage_name, action, source_store, target_store):
        bucket = (target_store or {}).get("location")
        role = action.get("roleArn") or declaration.get("roleArn")
        key = "%s/%s/" % (declaration["name"][:20], ((action.get("inputArtifacts") or [{}])[0].get("name")
                                                     or "artifact")[:10])
        refused = check(account_id, role, bucket, key, encrypted_with_kms=True)
        if refused:
            # Modelled on the console's message for an artifact store the role cannot use.
            return ("Insufficient permissions: the service role or action role doesn't have the permissions "
                    "required to access the Amazon S3 bucket named %s (the artifact store of %s: %s). Update the IAM "
                    "role permissions, and then try again. Error: Amazon S3:AccessDenied:Access Denied"
                    % (bucket, action.get("region"), refused))
        return None
    return [hook]

"""CodeBuild: a build really runs the project's buildspec, in a sandbox shell.

moto 5.2.5 records ``StartBuild`` and reports every build ``SUCCEEDED`` at once; nothing runs. Here a
build started by a pipeline's CodeBuild action (``run_build``):

* gets the source artifact's files (the CodeCommit files at the source revision) in a temporary
  folder, and the buildspec the project names (``Source.BuildSpec``: a file of the source, default
  ``buildspec.yml``, or an inline buildspec) - "Build specification reference for CodeBuild",
  https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html;
* runs the phases ``install``, ``pre_build``, ``build``, ``post_build`` (each ``commands`` then
  ``finally``) in one ``bash`` (version 0.2: "all commands ... run in the same instance of the
  shell"); a failing command ends its phase. Transitions as "Build phase transitions"
  (https://docs.aws.amazon.com/codebuild/latest/userguide/view-build-details-phases.html): a failed
  ``install``/``pre_build`` skips to the end; after a failed ``build`` the ``post_build`` phase still
  runs (``CODEBUILD_BUILD_SUCCEEDING=0``) and "The UPLOAD_ARTIFACTS phase is always attempted, even if
  the BUILD phase fails.";
* with the environment CodeBuild gives ("Environment variables in build environments",
  https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html):
  ``AWS_DEFAULT_REGION``, ``AWS_REGION``, ``CODEBUILD_BUILD_ID``, ``CODEBUILD_BUILD_ARN``,
  ``CODEBUILD_BUILD_NUMBER``, ``CODEBUILD_BUILD_IMAGE``, ``CODEBUILD_INITIATOR``,
  ``CODEBUILD_RESOLVED_SOURCE_VERSION``, ``CODEBUILD_SOURCE_VERSION``, ``CODEBUILD_SRC_DIR``,
  ``CODEBUILD_BUILD_SUCCEEDING``, plus the buildspec's ``env.variables`` and the project's
  environment variables; "The value in the build project definition takes next precedence. The value
  in the buildspec declaration takes lowest precedence." (build-spec-ref.html, env);
* with ``docker`` and ``aws`` stand-ins first on ``PATH`` (``tests/emulator/sandbox/standin.py``),
  whose versions come from the project's image (``BUILD_IMAGES``): the workshop's
  ``aws/codebuild/docker:17.09.0`` has an AWS CLI v1 older than 1.17.10 (no
  ``ecr get-login-password``; "get-login-password ... AWS CLI version 1.17.10 or later", ECR user
  guide, registry_auth.html) and Docker 17.09 (no ``docker login -e``); the ``standard:5.0`` and
  later images have AWS CLI v2 (no ``ecr get-login``: "aws ecr get-login ... removed in AWS CLI
  version 2", AWS CLI v2 migration guide,
  https://docs.aws.amazon.com/cli/latest/userguide/cliv2-migration-changes.html). An image not in the
  table fails the build in ``PROVISIONING`` (the emulator cannot tell its tools);
* within a bounded time: the project's ``timeoutInMinutes`` (default 60), capped by the emulator's
  ``build_timeout_seconds`` timing (a runaway command cannot hold the test run);
* collects the declared ``artifacts.files`` (globs, ``base-directory``, ``discard-paths``): a
  pattern that matches nothing fails the build ("CLIENT_ERROR: no matching artifact paths found");
* writes the build log to CloudWatch Logs, group ``/aws/codebuild/<project>``, stream = the build's
  uuid (or the project's ``logsConfig``), and answers ``BatchGetBuilds`` / ``ListBuildsForProject``
  with the real outcome and phases.

The failing command is named in the result (CodePipeline's action error:
``Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR, Message: Error
while executing command: <command>. Reason: exit status <n>``).
"""
import datetime
import fnmatch
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import yaml

from moto.codebuild.models import CodeBuildBackend, codebuild_backends

from .. import app, state

STANDIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sandbox", "standin.py")

# CodeBuild-managed image -> the AWS CLI and Docker versions on it.
BUILD_IMAGES = {
    "aws/codebuild/docker:17.09.0": {"aws_cli": "1.14.1", "docker": "17.09.0"},
    "aws/codebuild/docker:18.09.0": {"aws_cli": "1.16.59", "docker": "18.09.0"},
    "aws/codebuild/standard:5.0": {"aws_cli": "2.1.30", "docker": "20.10.6"},
    "aws/codebuild/standard:6.0": {"aws_cli": "2.7.0", "docker": "20.10.16"},
    "aws/codebuild/standard:7.0": {"aws_cli": "2.13.0", "docker": "23.0.6"},
    "aws/codebuild/amazonlinux2-x86_64-standard:4.0": {"aws_cli": "2.7.0", "docker": "20.10.17"},
    "aws/codebuild/amazonlinux2-x86_64-standard:5.0": {"aws_cli": "2.13.0", "docker": "23.0.6"},
    "aws/codebuild/amazonlinux2-aarch64-standard:3.0": {"aws_cli": "2.13.0", "docker": "23.0.6"},
}
PHASES = ("install", "pre_build", "build", "post_build")
_LOCK = threading.RLock()
# build id -> BatchGetBuilds shape
BUILDS = {}
_installed = False


# process group ids of the builds running now (an emulator reset ends them)
RUNNING = set()
# how many resets there have been: a build that began before a reset never starts its shell after it
GENERATION = [0]


def _reset():
    with _LOCK:
        GENERATION[0] += 1
        BUILDS.clear()
        for pgid in list(RUNNING):
            try:
                os.killpg(pgid, signal.SIGKILL)
            except OSError:
                pass
        RUNNING.clear()


def _iso(moment):
    return datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).isoformat()


class BuildResult:
    def __init__(self, build_id, arn):
        self.build_id = build_id
        self.arn = arn
        self.status = "IN_PROGRESS"
        self.phase = None
        self.code = None
        self.message = None
        self.log = []
        self.artifacts = {}
        self.log_group = None
        self.log_stream = None

    def fail(self, phase, code, message, status="FAILED"):
        self.status, self.phase, self.code, self.message = status, phase, code, message
        return self

    @property
    def succeeded(self):
        return self.status == "SUCCEEDED"

    def action_message(self):
        """The error CodePipeline shows for a failed CodeBuild action."""
        return "Build terminated with state: %s. Phase: %s, Code: %s, Message: %s" % (
            self.status, self.phase, self.code, self.message)


def _project(account_id, region, name):
    backend = codebuild_backends[account_id][region]
    project = backend.codebuild_projects.get(name)
    return backend, project


def _buildspec_text(source, src_dir):
    spec = (source or {}).get("buildspec") or "buildspec.yml"
    if "\n" in spec:
        return spec, None
    path = os.path.join(src_dir, spec)
    if not os.path.isfile(path):
        return None, "YAML_FILE_ERROR: stat %s: no such file or directory" % os.path.join(
            "/codebuild/output/src/src", spec)
    with open(path) as handle:
        return handle.read(), None


def _commands(value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(c) for c in value]


def _script(spec, state_dir):
    """The bash script that runs the buildspec's phases and records each phase's outcome."""
    lines = [
        "set +e",
        "__emu_ts() { date -u '+%H:%M:%S'; }",
        "__emu_run() {",
        "  printf '[Container] %s Running command %s\\n' \"$(__emu_ts)\" \"$2\"",
        "  printf '%%s\\n%%s' \"$1\" \"$2\" > %s" % shlex.quote(os.path.join(state_dir, "current")),
        "  eval \"$2\"",
        "  __emu_rc=$?",
        "  if [ $__emu_rc -ne 0 ]; then",
        "    printf '[Container] %s Command did not exit successfully %s exit status %d\\n' \"$(__emu_ts)\" "
        "\"$2\" $__emu_rc",
        "    if [ ! -s %s ]; then printf '%%s\\n%%s\\n%%s' \"$1\" \"$__emu_rc\" \"$2\" > %s; fi" % (
            shlex.quote(os.path.join(state_dir, "failure")), shlex.quote(os.path.join(state_dir, "failure"))),
        "    return 1",
        "  fi",
        "  return 0",
        "}",
        "__emu_phase_done() { printf '%s %s\\n' \"$1\" \"$2\" >> " + shlex.quote(
            os.path.join(state_dir, "phases")) + "; "
        "printf '[Container] %s Phase complete: %s State: %s\\n' \"$(__emu_ts)\" \"$1\" \"$2\"; }",
        "__emu_go=1",
        "export CODEBUILD_BUILD_SUCCEEDING=1",
    ]
    phases = spec.get("phases") or {}
    for phase in PHASES:
        body = phases.get(phase)
        if body is None:
            continue
        upper = phase.upper()
        body = body or {}
        commands = _commands(body.get("commands"))
        finally_commands = _commands(body.get("finally"))
        guard = '[ "$__emu_go" = 1 ]' if phase != "post_build" else '[ "$__emu_go" != 0 ]'
        lines.append("if %s; then" % guard)
        lines.append("  printf '[Container] %%s Entering phase %s\\n' \"$(__emu_ts)\"" % upper)
        lines.append("  __emu_ok=1")
        for command in commands:
            lines.append("  if [ $__emu_ok = 1 ]; then __emu_run %s %s || __emu_ok=0; fi" % (
                upper, shlex.quote(command)))
        for command in finally_commands:
            lines.append("  __emu_run %s %s || __emu_ok=0" % (upper, shlex.quote(command)))
        lines.append("  if [ $__emu_ok = 1 ]; then __emu_phase_done %s SUCCEEDED; else __emu_phase_done %s FAILED;"
                     % (upper, upper))
        if phase == "build":
            # a failed BUILD still runs POST_BUILD (CODEBUILD_BUILD_SUCCEEDING=0)
            lines.append("    export CODEBUILD_BUILD_SUCCEEDING=0; __emu_go=2; fi")
        else:
            lines.append("    export CODEBUILD_BUILD_SUCCEEDING=0; __emu_go=0; fi")
        lines.append("fi")
    lines.append("touch %s" % shlex.quote(os.path.join(state_dir, "done")))
    lines.append("exit 0")
    return "\n".join(lines) + "\n"


def _collect_artifacts(spec, src_dir):
    """{artifact path: bytes} of the buildspec's artifacts section, or raise ValueError."""
    artifacts = spec.get("artifacts")
    if not artifacts:
        return {}
    base = os.path.join(src_dir, str(artifacts.get("base-directory") or ""))
    discard = str(artifacts.get("discard-paths", "no")).lower() in ("yes", "true")
    patterns = _commands(artifacts.get("files"))
    found = {}
    files = []
    for root, _, names in os.walk(base):
        for name in names:
            files.append(os.path.relpath(os.path.join(root, name), base).replace(os.sep, "/"))
    for pattern in patterns:
        pattern = pattern.lstrip("./") if pattern not in (".", "./") else "**/*"
        if pattern.endswith("**/*") or pattern == "**/*":
            prefix = pattern[:-4]
            hits = [f for f in files if f.startswith(prefix)]
        else:
            hits = [f for f in files if fnmatch.fnmatchcase(f, pattern)]
        if not hits:
            raise ValueError("no matching artifact paths found")
        for hit in hits:
            with open(os.path.join(base, hit), "rb") as handle:
                found[os.path.basename(hit) if discard else hit] = handle.read()
    return found


def _write_log(account_id, region, group, stream, lines):
    from moto.logs.models import logs_backends
    backend = logs_backends[account_id][region]
    if group not in backend.groups:
        backend.create_log_group(group, {})
    if stream not in backend.groups[group].streams:
        backend.create_log_stream(group, stream)
    now = int(time.time() * 1000)
    events = [{"timestamp": now, "message": line} for line in lines if line] or [
        {"timestamp": now, "message": "(no output)"}]
    for start in range(0, len(events), 1000):
        backend.put_log_events(group, stream, events[start:start + 1000])


def _record(result, project, region, source_version, initiator, started, phases_done):
    phases = [{"phaseType": "SUBMITTED", "phaseStatus": "SUCCEEDED"}, {"phaseType": "QUEUED",
                                                                       "phaseStatus": "SUCCEEDED"}]
    for name, status in phases_done:
        phases.append({"phaseType": name, "phaseStatus": status})
    if result.status != "IN_PROGRESS":
        phases.append({"phaseType": "COMPLETED"})
    build = {
        "id": result.build_id, "arn": result.arn, "buildNumber": len(BUILDS) + 1,
        "startTime": _iso(started), "endTime": _iso(time.time()),
        "currentPhase": "COMPLETED" if result.status != "IN_PROGRESS" else (result.phase or "BUILD"),
        "buildStatus": result.status, "sourceVersion": source_version, "resolvedSourceVersion": source_version,
        "projectName": project["name"], "phases": phases, "initiator": initiator,
        "environment": project.get("environment"), "serviceRole": project.get("serviceRole"),
        "timeoutInMinutes": project.get("timeoutInMinutes") or 60, "buildComplete": result.status != "IN_PROGRESS",
    }
    if result.log_group:
        build["logs"] = {"groupName": result.log_group, "streamName": result.log_stream,
                         "deepLink": "https://console.aws.amazon.com/cloudwatch/home?region=%s#logEvent:group=%s;"
                                     "stream=%s" % (region, result.log_group, result.log_stream)}
    with _LOCK:
        BUILDS[result.build_id] = build


def run_build(account_id, region, project_name, source_files, resolved_version, initiator="",
              source_location=""):
    """Run one build of ``project_name`` on ``source_files`` ({path: bytes}); returns a BuildResult."""
    generation = GENERATION[0]
    backend, project_model = _project(account_id, region, project_name)
    build_uuid = str(uuid.uuid4())
    build_id = "%s:%s" % (project_name, build_uuid)
    result = BuildResult(build_id, "arn:aws:codebuild:%s:%s:build/%s" % (region, account_id, build_id))
    if project_model is None:
        return result.fail("SUBMITTED", "CLIENT_ERROR", "Project cannot be found: arn:aws:codebuild:%s:%s:project/%s"
                           % (region, account_id, project_name))
    project = project_model.project_metadata
    started = time.time()
    environment = project.get("environment") or {}
    image = environment.get("image")
    tools = BUILD_IMAGES.get(image)
    phases_done = [("PROVISIONING", "SUCCEEDED" if tools else "FAILED")]
    logs_config = (project.get("logsConfig") or {}).get("cloudWatchLogs") or {}
    if logs_config.get("status", "ENABLED") == "ENABLED":
        result.log_group = logs_config.get("groupName") or "/aws/codebuild/%s" % project_name
        result.log_stream = ("%s/%s" % (logs_config["streamName"], build_uuid)) if logs_config.get("streamName") \
            else build_uuid
    log = result.log
    log.append("[Container] %s Waiting for agent ping" % time.strftime("%H:%M:%S", time.gmtime()))
    if tools is None:
        result.fail("PROVISIONING", "CLIENT_ERROR",
                    "the emulator knows no AWS CLI and Docker versions for build image %r (known: %s)" % (
                        image, ", ".join(sorted(BUILD_IMAGES))))
        return _finish(result, account_id, region, project, resolved_version, initiator, started, phases_done)
    sandbox = tempfile.mkdtemp(prefix="codebuild-")
    try:
        src_dir = os.path.join(sandbox, "src")
        state_dir = os.path.join(sandbox, "state")
        bin_dir = os.path.join(sandbox, "bin")
        for folder in (src_dir, state_dir, bin_dir):
            os.makedirs(folder)
        for path, content in source_files.items():
            target = os.path.join(src_dir, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(content)
        phases_done.append(("DOWNLOAD_SOURCE", "SUCCEEDED"))
        text, error = _buildspec_text(project.get("source"), src_dir)
        spec = None
        if error is None:
            try:
                spec = yaml.safe_load(text)
                if not isinstance(spec, dict):
                    raise yaml.YAMLError("the buildspec is not a mapping")
                if str(spec.get("version")) not in ("0.1", "0.2"):
                    raise yaml.YAMLError("invalid buildspec version %r: use 0.1 or 0.2" % spec.get("version"))
            except yaml.YAMLError as exc:
                error = "YAML_FILE_ERROR: %s" % str(exc).replace("\n", " ")
        if error:
            phases_done[-1] = ("DOWNLOAD_SOURCE", "FAILED")
            log.append("[Container] %s Phase context status code: %s" % (time.strftime("%H:%M:%S"), error))
            result.fail("DOWNLOAD_SOURCE", "YAML_FILE_ERROR", error.split(": ", 1)[1])
            return _finish(result, account_id, region, project, resolved_version, initiator, started, phases_done)

        for name in ("docker", "aws"):
            wrapper = os.path.join(bin_dir, name)
            with open(wrapper, "w") as handle:
                handle.write("#!/bin/sh\nexec %s %s %s \"$@\"\n" % (
                    shlex.quote(sys.executable), shlex.quote(STANDIN), name))
            os.chmod(wrapper, 0o755)
        env = {
            "PATH": bin_dir + os.pathsep + "/usr/local/bin:/usr/bin:/bin",
            "HOME": os.path.join(sandbox, "home"), "LANG": "C.UTF-8", "SHELL": "/bin/bash",
        }
        os.makedirs(env["HOME"])
        variables = (spec.get("env") or {}).get("variables") or {}
        env.update({str(k): "" if v is None else str(v) for k, v in variables.items()})
        for variable in environment.get("environmentVariables") or []:
            if (variable.get("type") or "PLAINTEXT") != "PLAINTEXT":
                result.fail("PROVISIONING", "CLIENT_ERROR",
                            "environment variable %s of type %s: the emulator resolves only PLAINTEXT variables" % (
                                variable.get("name"), variable.get("type")))
                return _finish(result, account_id, region, project, resolved_version, initiator, started,
                               phases_done)
            env[variable["name"]] = str(variable.get("value", ""))
        env.update({
            "AWS_DEFAULT_REGION": region, "AWS_REGION": region,
            "CODEBUILD_BUILD_ID": build_id, "CODEBUILD_BUILD_ARN": result.arn,
            "CODEBUILD_BUILD_NUMBER": str(len(BUILDS) + 1), "CODEBUILD_BUILD_IMAGE": image,
            "CODEBUILD_INITIATOR": initiator, "CODEBUILD_RESOLVED_SOURCE_VERSION": resolved_version or "",
            "CODEBUILD_SOURCE_VERSION": source_location or resolved_version or "",
            "CODEBUILD_SRC_DIR": src_dir, "CODEBUILD_BUILD_SUCCEEDING": "1",
            "CODEBUILD_START_TIME": str(int(started * 1000)),
            "EMULATOR_ENDPOINT": _endpoint(), "EMULATOR_SANDBOX_STATE": state_dir,
            "EMULATOR_ACCOUNT_ID": account_id, "EMULATOR_AWS_CLI_VERSION": tools["aws_cli"],
            "EMULATOR_DOCKER_VERSION": tools["docker"],
        })
        script = os.path.join(sandbox, "build.sh")
        with open(script, "w") as handle:
            handle.write(_script(spec, state_dir))
        limit = min(float(project.get("timeoutInMinutes") or 60) * 60, state.TIMING.get("build_timeout_seconds"))
        log_path = os.path.join(sandbox, "build.log")
        with open(log_path, "wb") as output:
            process = subprocess.Popen(["bash", script], cwd=src_dir, env=env, stdout=output,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            with _LOCK:
                RUNNING.add(process.pid)
                if GENERATION[0] != generation:
                    # the emulator was reset while this build was being prepared: it ends here, as the
                    # builds running at the reset did
                    os.killpg(process.pid, signal.SIGKILL)
            try:
                process.wait(timeout=limit)
                timed_out = False
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                timed_out = True
            finally:
                with _LOCK:
                    RUNNING.discard(process.pid)
        with open(log_path, "rb") as handle:
            log.extend(handle.read().decode("utf-8", "replace").splitlines())
        phases_file = os.path.join(state_dir, "phases")
        if os.path.exists(phases_file):
            with open(phases_file) as handle:
                phases_done.extend(tuple(line.split()) for line in handle if line.strip())
        if timed_out:
            log.append("[Container] Build timed out after %d seconds" % limit)
            result.fail("BUILD", "BUILD_TIMED_OUT", "Build has timed out. ", status="TIMED_OUT")
            return _finish(result, account_id, region, project, resolved_version, initiator, started, phases_done)
        failure = None
        failure_file = os.path.join(state_dir, "failure")
        if os.path.exists(failure_file):
            with open(failure_file) as handle:
                phase, code, command = (handle.read().split("\n", 2) + ["", ""])[:3]
            failure = (phase, code, command)
        elif not os.path.exists(os.path.join(state_dir, "done")):
            # a command ended the shell itself (exit): the build fails at that command
            with open(os.path.join(state_dir, "current")) as handle:
                phase, command = (handle.read().split("\n", 1) + [""])[:2]
            failure = (phase, str(process.returncode), command)
        pre_failed = failure and failure[0] in ("INSTALL", "PRE_BUILD")
        if not pre_failed:
            try:
                result.artifacts = _collect_artifacts(spec, src_dir)
                phases_done.append(("UPLOAD_ARTIFACTS", "SUCCEEDED"))
            except ValueError as exc:
                phases_done.append(("UPLOAD_ARTIFACTS", "FAILED"))
                log.append("[Container] %s Phase context status code: CLIENT_ERROR Message: %s" % (
                    time.strftime("%H:%M:%S"), exc))
                if failure is None:
                    result.fail("UPLOAD_ARTIFACTS", "CLIENT_ERROR", str(exc))
        phases_done.append(("FINALIZING", "SUCCEEDED"))
        if failure:
            result.fail(failure[0], "COMMAND_EXECUTION_ERROR", "Error while executing command: %s. Reason: exit "
                        "status %s" % (failure[2], failure[1]))
        elif result.status == "IN_PROGRESS":
            result.status = "SUCCEEDED"
        return _finish(result, account_id, region, project, resolved_version, initiator, started, phases_done)
    finally:
        shutil.rmtree(sandbox, ignore_errors=True)


def _finish(result, account_id, region, project, source_version, initiator, started, phases_done):
    if result.status == "IN_PROGRESS":
        result.status = "SUCCEEDED"
    result.log.append("[Container] %s Phase complete: FINALIZING State: %s" % (
        time.strftime("%H:%M:%S", time.gmtime()), "SUCCEEDED"))
    if result.status != "SUCCEEDED":
        result.log.append("[Container] Build %s: %s" % (result.status, result.action_message()))
    if result.log_group:
        _write_log(account_id, region, result.log_group, result.log_stream, result.log)
    _record(result, project, region, source_version, initiator, started, phases_done)
    return result


def _endpoint():
    """The emulator's own endpoint (set by the server at start; the stand-ins call back into it)."""
    return state.ENDPOINT["url"] or os.environ.get("EMULATOR_ENDPOINT", "")


def batch_get_builds(self, ids):
    with _LOCK:
        ours = [dict(BUILDS[i]) for i in ids if i in BUILDS]
    rest = [i for i in ids if i not in BUILDS]
    return ours + (_ORIGINAL["batch_get_builds"](self, rest) if rest else [])


def list_builds_for_project(self, project_name):
    with _LOCK:
        ours = [b["id"] for b in BUILDS.values() if b["projectName"] == project_name]
    return list(reversed(ours)) + _ORIGINAL["list_builds_for_project"](self, project_name)


_ORIGINAL = {}


def _lenient(original, kind):
    """moto requires a location for every source/artifacts type; AWS ignores it for CODEPIPELINE (API reference,
    ProjectSource.location / ProjectArtifacts.location: "If type is set to CODEPIPELINE, CodePipeline ignores this
    value")."""
    def validate(value):
        if (value or {}).get("type") in ("CODEPIPELINE", "NO_SOURCE") and not (value or {}).get("location"):
            if kind == "artifacts" or value.get("type") == "CODEPIPELINE" or value.get("buildspec"):
                return None
        return original(value)
    return validate


def install():
    global _installed
    if _installed:
        return
    from moto.codebuild import responses
    responses._validate_required_params_source = _lenient(responses._validate_required_params_source, "source")
    responses._validate_required_params_artifacts = _lenient(responses._validate_required_params_artifacts,
                                                             "artifacts")
    _ORIGINAL["batch_get_builds"] = CodeBuildBackend.batch_get_builds
    _ORIGINAL["list_builds_for_project"] = CodeBuildBackend.list_builds_for_project
    CodeBuildBackend.batch_get_builds = batch_get_builds
    CodeBuildBackend.list_builds_for_project = list_builds_for_project
    if _reset not in app.RESET_HOOKS:
        app.RESET_HOOKS.append(_reset)
    _installed = True

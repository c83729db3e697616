"""Run the collection's modules and playbooks for real, through ansible-playbook, against the emulator.

Modules run exactly as a user runs them (FQCN, amazon.aws's auth/region/endpoint
handling, check and diff mode); the emulator's call log tells what they sent.
"""
import json
import os
import subprocess
import sys
import tempfile

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def ansible_env(aws_env, extra=None):
    env = dict(os.environ)
    env.update(aws_env)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(REPO_ROOT, "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "PATH": BIN + os.pathsep + env.get("PATH", ""),
        # localhost runs modules with the interpreter that has boto3 (the test's own).
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
    })
    env.update(extra or {})
    return env


class PlaybookRun:
    def __init__(self, proc, results):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.results = results

    def __repr__(self):
        # The failed tasks first (pytest shortens long reprs from the middle, which hid them), then the tail.
        lines = self.stdout.splitlines()
        failed = ["\n".join(lines[n:n + 12])[:3000] for n, line in enumerate(lines)
                  if line.startswith(("fatal:", "failed:")) or "FAILED!" in line]
        return "PlaybookRun(rc=%s)\nfailed tasks:\n%s\n--- tail ---\n%s\n%s" % (
            self.rc, "\n".join(failed[:5]), self.stdout[-4000:], self.stderr[-2000:])


def run_playbook(playbook, aws_env, inventory=None, extra_vars=None, check=False, diff=False,
                 limit=None, extra_args=(), env=None, timeout=900):
    cmd = [os.path.join(BIN, "ansible-playbook"), playbook]
    if inventory:
        cmd += ["-i", inventory]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if limit:
        cmd += ["--limit", limit]
    cmd += list(extra_args)
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=ansible_env(aws_env, env), capture_output=True,
                          text=True, timeout=timeout)
    return PlaybookRun(proc, None)


def run_module(module, args, aws_env, check=False, diff=False, region=None, timeout=600):
    """Run one module task on localhost; return its registered result (failed results included)."""
    if "." not in module:
        module = "mysfits.multi_region." + module
    if region and "region" not in args:
        args = dict(args, region=region)
    workdir = tempfile.mkdtemp(prefix="modrun-")
    play = [{
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "tasks": [{"name": "module under test", module: args, "ignore_errors": True, "diff": diff}],
    }]
    playbook = os.path.join(workdir, "play.yml")
    with open(playbook, "w") as handle:
        yaml.safe_dump(play, handle)
    # The task's result as the json stdout callback prints it (one ansible-playbook process and the module's
    # own: no second task to save the result).
    run = run_playbook(playbook, aws_env, inventory="localhost,", check=check, timeout=timeout,
                       env={"ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json"})
    try:
        result = json.loads(run.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        raise AssertionError("module did not run: %r" % run)
    result["_stdout"] = run.stdout
    return result


def write_regions_inventory(path, primary, secondaries):
    """A regions inventory (host name = region, groups primary/secondary, local connection) at ``path``."""
    with open(path, "w") as handle:
        yaml.safe_dump({"regions": {
            "children": {"primary": {"hosts": {primary: {}}},
                         "secondary": {"hosts": {r: {} for r in secondaries}}},
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        }}, handle)
    return path


def recap_changed(run, host):
    """The changed= count of ``host`` in a run's PLAY RECAP."""
    for line in run.stdout.splitlines():
        if line.startswith(host + " ") and "changed=" in line:
            return int(line.split("changed=")[1].split()[0])
    raise AssertionError("no recap line for %s: %r" % (host, run))


def deploy_application(aws, region, outputs, timeout=60):
    """Deploy the application into one region's ECS services as its pipeline's last step would.

    ``outputs``: the region's stack outputs (the collection's template: ``EcsClusterName`` and the ECR
    repository URIs, ``[Secondary]MythicalServiceEcrRepo`` / ``[Secondary]LikeServiceEcrRepo``). For each
    service of the cluster (the like service is the one whose name says so, the other the core one) an image
    is pushed to its ECR repository through the emulator's docker stand-in routes (a login password, then the
    push, whose image config says which app it runs), a task definition revision with that image is registered
    and the service updated; then the load balancer's targets are waited for until healthy. For tests whose
    world is "the stacks exist and the application runs", without running the pipelines.
    """
    import hashlib
    import time
    ecs = aws.client("ecs", region)
    elbv2 = aws.client("elbv2", region)
    cluster = outputs["EcsClusterName"]
    uris = {"core": outputs.get("MythicalServiceEcrRepo") or outputs["SecondaryMythicalServiceEcrRepo"],
            "like": outputs.get("LikeServiceEcrRepo") or outputs["SecondaryLikeServiceEcrRepo"]}
    account = uris["core"].split(".", 1)[0]
    password = aws.control.post("ecr/login-password", {"account": account, "region": region})["password"]
    arns = ecs.list_services(cluster=cluster)["serviceArns"]
    groups = []
    for service in ecs.describe_services(cluster=cluster, services=arns)["services"]:
        app = "like" if "like" in service["serviceName"].lower() else "core"
        registry, repository = uris[app].split("/", 1)
        task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        mapping = service["loadBalancers"][0]
        groups.append(mapping["targetGroupArn"])
        config = {"app": app, "startup_env": [], "request_env": [], "command": ["python", "service/app.py"]}
        digest = "sha256:" + hashlib.sha256(json.dumps([region, app, config]).encode()).hexdigest()
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                    "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                               "size": len(json.dumps(config)), "digest": digest},
                    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1024,
                                "digest": digest}]}
        aws.control.post("docker/push", {"registry": registry, "repository": repository, "tag": "latest",
                                         "password": password, "manifest": manifest, "config": config})
        containers = [dict(c, image="%s:latest" % uris[app]) if c["name"] == mapping["containerName"] else c
                      for c in task["containerDefinitions"]]
        keep = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "requiresCompatibilities", "cpu",
                "memory")
        revision = ecs.register_task_definition(containerDefinitions=containers,
                                                **{k: task[k] for k in keep if task.get(k)})
        ecs.update_service(cluster=cluster, service=service["serviceArn"],
                           taskDefinition=revision["taskDefinition"]["taskDefinitionArn"])
    states = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [h["TargetHealth"]["State"] for group in groups
                  for h in elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]]
        if groups and states and all(s == "healthy" for s in states):
            return
        time.sleep(0.3)
    raise AssertionError("the application did not become healthy in %s: %s" % (region, states))


def create_template_stack(aws, region, name, dr, timeout=60):
    """A stack from the collection's template (roles/secondary_stack/files/core.yml), primary or DR; its outputs.

    Fails unless the stack ends CREATE_COMPLETE within ``timeout`` seconds.
    """
    import time
    cfn = aws.client("cloudformation", region=region)
    with open(os.path.join(REPO_ROOT, "roles", "secondary_stack", "files", "core.yml")) as handle:
        cfn.create_stack(StackName=name, TemplateBody=handle.read(), Capabilities=["CAPABILITY_NAMED_IAM"],
                         Parameters=[{"ParameterKey": "IsDrRegion", "ParameterValue": dr}])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("IN_PROGRESS"):
            assert stack["StackStatus"] == "CREATE_COMPLETE", stack
            return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        time.sleep(0.2)
    raise AssertionError("stack %s not created" % name)


def create_lab2_dashboard(aws, region, outputs, name="MythicalMysfits-Dashboard"):
    """The Lab 2 dashboard a participant makes in the console: the primary load balancer's requests per minute
    (so that the discovery finds it by what it draws). Returns its name."""
    body = {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6, "properties": {
        "title": "ALB Requests Per Minute", "view": "timeSeries", "stacked": False, "region": region, "stat": "Sum",
        "period": 60, "metrics": [["AWS/ApplicationELB", "RequestCount", "LoadBalancer",
                                   outputs["LoadBalancerFullName"]]]}}]}
    aws.client("cloudwatch", region=region).put_dashboard(DashboardName=name, DashboardBody=json.dumps(body))
    return name

"""The role's buildspec_prod.yml template, rendered by Ansible, parsed as YAML and run as a shell script.

``docker`` and ``aws`` are stubs on PATH that log their arguments (``aws ecr
get-login-password`` prints a dummy password, ``docker login`` logs what it
read on stdin). The commands of the phases run in order in one bash process,
as CodeBuild's buildspec version 0.2 runs them in one shell, with the env
variables of the buildspec exported and CODEBUILD_RESOLVED_SOURCE_VERSION set.
"""
import json
import os
import subprocess
import sys

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(REPO_ROOT, "roles", "pipeline_cross_region", "templates", "buildspec_prod.yml.j2")
BIN = os.path.dirname(sys.executable)
ACCOUNT = "123456789012"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
TAG = COMMIT[:7]


def uri(region, name):
    return "%s.dkr.ecr.%s.amazonaws.com/%s" % (ACCOUNT, region, name)


def targets(regions):
    several = len(regions) > 1
    return [{"region": r, "repository_uri": uri(r, "mm-secondary-region-core-%s" % r),
             "registry": "%s.dkr.ecr.%s.amazonaws.com" % (ACCOUNT, r),
             "imagedefinitions": "imagedefinitions_%s.json" % (r if several else "secondary")} for r in regions]


def render(tmp_path, regions, mode="dual_push"):
    """Render the template with ansible.builtin.template, as the role's lookup does."""
    variables = {
        "pipeline_cross_region_service": {"name": "core", "container": "service"},
        "pipeline_cross_region_primary": "us-west-2",
        "pipeline_cross_region_primary_uri": uri("us-west-2", "mm-primary-region-core"),
        "pipeline_cross_region_targets": targets(regions),
        "pipeline_cross_region_image_replication": mode,
    }
    out = tmp_path / "buildspec_prod.yml"
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "vars": variables,
             "tasks": [{"ansible.builtin.template": {"src": TEMPLATE, "dest": str(out), "mode": "0644"}}]}]
    playbook = tmp_path / "render.yml"
    playbook.write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_CONFIG=os.path.join(REPO_ROOT, "ansible.cfg"))
    proc = subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", str(playbook)],
                          capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out.read_text()


STUB = """#!/bin/bash
echo "$(basename "$0") $*" >> "$STUB_LOG"
if [ "$(basename "$0")" = aws ] && [ "$1 $2" = "ecr get-login-password" ]; then echo dummy-password; fi
if [ "$(basename "$0")" = docker ] && [ "$1" = login ]; then echo "stdin $(cat)" >> "$STUB_LOG"; fi
exit 0
"""

# AWS CLI v1 before 1.17.10 (aws/codebuild/docker:17.09.0): no get-login-password (a parse error, exit status 2),
# get-login prints a docker login command for the registry of each id (AWS CLI v1 reference, ecr get-login).
STUB_V1 = """#!/bin/bash
echo "$(basename "$0") $*" >> "$STUB_LOG"
if [ "$(basename "$0")" = aws ] && [ "$1 $2" = "ecr get-login-password" ]; then
  echo "aws: error: argument operation: Invalid choice" >&2; exit 2; fi
if [ "$(basename "$0")" = aws ] && [ "$1 $2" = "ecr get-login" ]; then
  while [ $# -gt 0 ]; do case "$1" in --region) region=$2; shift;; --registry-ids) id=$2; shift;; esac; shift; done
  echo "docker login -u AWS -p dummy-v1-password https://$id.dkr.ecr.$region.amazonaws.com"; fi
exit 0
"""

# AWS CLI v2 with get-login-password failing for a real reason (a service error, exit status 254).
STUB_V2_DENIED = """#!/bin/bash
echo "$(basename "$0") $*" >> "$STUB_LOG"
if [ "$(basename "$0")" = aws ] && [ "$1 $2" = "ecr get-login-password" ]; then
  echo "An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation" >&2; exit 254; fi
exit 0
"""


def run(tmp_path, text, stub=STUB, expect_rc=0):
    spec = yaml.safe_load(text)
    workdir = tmp_path / "src"
    workdir.mkdir()
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name in ("docker", "aws"):
        (stubs / name).write_text(stub)
        (stubs / name).chmod(0o755)
    lines = ["set -eo pipefail"]
    for phase in ("install", "pre_build", "build", "post_build"):
        lines += (spec["phases"].get(phase) or {}).get("commands", [])
    (tmp_path / "build.sh").write_text("\n".join(lines) + "\n")
    env = {"PATH": "%s:/usr/bin:/bin" % stubs, "STUB_LOG": str(tmp_path / "log"),
           "CODEBUILD_RESOLVED_SOURCE_VERSION": COMMIT, "HOME": str(tmp_path)}
    env.update({k: str(v) for k, v in spec["env"]["variables"].items()})
    proc = subprocess.run(["/bin/bash", str(tmp_path / "build.sh")], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == expect_rc, proc.stdout + proc.stderr
    log = (tmp_path / "log").read_text().splitlines()
    files = {p.name: json.loads(p.read_text()) for p in workdir.iterdir()}
    return spec, log, files


def pushed(log):
    return [line.split()[2] for line in log if line.startswith("docker push ")]


def logins(log):
    return [line.split()[-1] for line in log if line.startswith("docker login ")]


def test_one_secondary_dual_push(tmp_path):
    spec, log, files = run(tmp_path, render(tmp_path, ["us-east-1"]))
    primary, secondary = uri("us-west-2", "mm-primary-region-core"), uri("us-east-1", "mm-secondary-region-core-us-east-1")
    assert pushed(log) == ["%s:%s" % (primary, TAG), "%s:%s" % (secondary, TAG)]
    assert logins(log) == ["%s.dkr.ecr.us-west-2.amazonaws.com" % ACCOUNT, "%s.dkr.ecr.us-east-1.amazonaws.com" % ACCOUNT]
    assert "aws ecr get-login-password --region us-west-2" in log and "aws ecr get-login-password --region us-east-1" in log
    assert log.count("stdin dummy-password") == 2
    assert not any("get-login " in line or line.endswith("get-login") for line in log)
    assert sum(1 for line in log if line.startswith("docker build ")) == 1
    assert files == {
        "imagedefinitions_primary.json": [{"name": "service", "imageUri": "%s:%s" % (primary, TAG)}],
        "imagedefinitions_secondary.json": [{"name": "service", "imageUri": "%s:%s" % (secondary, TAG)}],
    }
    assert spec["artifacts"]["files"] == ["imagedefinitions_primary.json", "imagedefinitions_secondary.json"]
    assert spec["version"] == 0.2


def test_two_secondaries_two_more_files(tmp_path):
    spec, log, files = run(tmp_path, render(tmp_path, ["us-east-1", "eu-west-1"]))
    expected = {"imagedefinitions_primary.json": uri("us-west-2", "mm-primary-region-core")}
    for region in ("us-east-1", "eu-west-1"):
        expected["imagedefinitions_%s.json" % region] = uri(region, "mm-secondary-region-core-%s" % region)
    assert sorted(pushed(log)) == sorted("%s:%s" % (u, TAG) for u in expected.values())
    assert files == {name: [{"name": "service", "imageUri": "%s:%s" % (u, TAG)}] for name, u in expected.items()}
    assert sorted(spec["artifacts"]["files"]) == sorted(expected)


def test_ecr_replication_pushes_once(tmp_path):
    spec, log, files = run(tmp_path, render(tmp_path, ["us-east-1"], mode="ecr_replication"))
    assert pushed(log) == ["%s:%s" % (uri("us-west-2", "mm-primary-region-core"), TAG)]
    assert logins(log) == ["%s.dkr.ecr.us-west-2.amazonaws.com" % ACCOUNT]
    assert files["imagedefinitions_secondary.json"] == [
        {"name": "service", "imageUri": "%s:%s" % (uri("us-east-1", "mm-secondary-region-core-us-east-1"), TAG)}]


@pytest.mark.parametrize("regions", [["us-east-1"], ["us-east-1", "eu-west-1"]])
def test_no_region_account_or_repository_outside_env_variables(tmp_path, regions):
    spec = yaml.safe_load(render(tmp_path, regions))
    commands = "\n".join(c for phase in spec["phases"].values() for c in phase["commands"])
    for literal in [ACCOUNT, "us-west-2", "amazonaws.com", "mm-primary-region"] + regions:
        assert literal not in commands


def test_aws_cli_v1_without_get_login_password_logs_in_with_get_login(tmp_path):
    spec, log, files = run(tmp_path, render(tmp_path, ["us-east-1"]), stub=STUB_V1)
    registries = ["%s.dkr.ecr.us-west-2.amazonaws.com" % ACCOUNT, "%s.dkr.ecr.us-east-1.amazonaws.com" % ACCOUNT]
    assert "aws ecr get-login --no-include-email --region us-west-2 --registry-ids %s" % ACCOUNT in log
    assert "aws ecr get-login --no-include-email --region us-east-1 --registry-ids %s" % ACCOUNT in log
    assert logins(log) == ["https://" + r for r in registries]
    assert [line for line in log if line.startswith("docker login ")] == [
        "docker login -u AWS -p dummy-v1-password https://%s" % r for r in registries]
    assert len(pushed(log)) == 2 and len(files) == 2


def test_a_failing_get_login_password_fails_the_build_without_falling_back(tmp_path):
    spec, log, files = run(tmp_path, render(tmp_path, ["us-east-1"]), stub=STUB_V2_DENIED, expect_rc=254)
    assert log == ["aws ecr get-login-password --region us-west-2"]  # no get-login, no docker command
    assert files == {}

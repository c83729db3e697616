"""The execution environment for AWX / Ansible Automation Platform, and ansible-runner, the engine AWX uses.

* ``ansible-galaxy collection build`` makes a tarball with the collection's content and
  without the development files (galaxy.yml ``build_ignore``).
* ``ansible-builder create`` turns execution-environment.yml, ee/ and that tarball into a
  build context (no container runtime here, so the image itself is not built).
* ``ansible_runner.run`` (process isolation off, no container) runs playbooks against the
  emulator exactly as an AWX job would run them inside the image.
"""
import os
import shutil
import subprocess
import sys
import tarfile

import ansible_runner
import pytest
import yaml

from tests.integration.harness import BIN, REPO_ROOT, run_playbook

PRIMARY = "us-west-2"
EE_FILE = os.path.join(REPO_ROOT, "execution-environment.yml")


def galaxy_version():
    with open(os.path.join(REPO_ROOT, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)["version"]


def build_collection(output_dir):
    proc = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--force",
                           "--output-path", output_dir, REPO_ROOT],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tarball = os.path.join(output_dir, "mysfits-multi_region-%s.tar.gz" % galaxy_version())
    assert os.path.isfile(tarball), os.listdir(output_dir)
    return tarball


@pytest.fixture(scope="module")
def build_context(tmp_path_factory):
    """A copy of the EE definition with the freshly built tarball beside it, and its build context."""
    root = tmp_path_factory.mktemp("ee")
    shutil.copy(EE_FILE, root / "execution-environment.yml")
    shutil.copytree(os.path.join(REPO_ROOT, "ee"), root / "ee",
                    ignore=shutil.ignore_patterns("collections", "*.tar.gz"))
    tarball = build_collection(str(root / "ee" / "collections"))
    context = root / "context"
    proc = subprocess.run([os.path.join(BIN, "ansible-builder"), "create",
                           "-f", str(root / "execution-environment.yml"), "-c", str(context),
                           "--output-filename", "Containerfile"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"tarball": tarball, "context": context, "log": proc.stdout + proc.stderr}


def test_collection_tarball_holds_the_content_and_none_of_the_development_files(build_context):
    with tarfile.open(build_context["tarball"]) as archive:
        names = archive.getnames()
    tops = {name.split("/")[0] for name in names}
    for wanted in ("plugins/modules/ddb_global_replica.py", "plugins/modules/codepipeline_stage.py",
                   "plugins/modules/codecommit_file.py", "plugins/modules/cloudwatch_dashboard.py",
                   "plugins/modules/ecr_replication.py", "meta/runtime.yml", "playbooks/multi_region.yml",
                   "playbooks/verify.yml", "roles/secondary_stack/files/core.yml", "MANIFEST.json", "FILES.json"):
        assert wanted in names, wanted
    modules = {n for n in names if n.startswith("plugins/modules/") and n.endswith(".py")}
    on_disk = {"plugins/modules/" + f for f in os.listdir(os.path.join(REPO_ROOT, "plugins", "modules"))
               if f.endswith(".py")}
    assert modules == on_disk
    for role in os.listdir(os.path.join(REPO_ROOT, "roles")):
        assert any(n.startswith("roles/%s/tasks/" % role) for n in names), role
    for unwanted in ("tests/emulator", "tests/emulator_tests", "tests/integration", "tests/fixture", ".venv",
                     "Makefile", "requirements", "scripts", "pytest.ini", "ansible.cfg"):
        assert not [n for n in names if n == unwanted or n.startswith(unwanted + "/")], unwanted
    # no local state of tools (.ansible of ansible-lint, .pytest_cache, .sanity, ...) and no tarball in a tarball
    assert sorted(t for t in tops if t.startswith(".")) == []
    assert [n for n in names if n.endswith(".tar.gz")] == []


def test_build_context_installs_the_collection_amazon_aws_and_boto3(build_context):
    context = build_context["context"]
    containerfile = (context / "Containerfile").read_text()
    with open(EE_FILE) as handle:
        definition = yaml.safe_load(handle)
    assert definition["version"] == 3
    base_image = definition["images"]["base_image"]["name"]
    assert 'ARG EE_BASE_IMAGE="%s"' % base_image in containerfile
    assert "FROM $EE_BASE_IMAGE AS base" in containerfile

    # ansible-core pinned as for the controller, plus ansible-runner
    with open(os.path.join(REPO_ROOT, "requirements", "runtime.txt")) as handle:
        core_pin = [line.strip() for line in handle if line.startswith("ansible-core==")][0]
    install_refs = [line for line in containerfile.splitlines() if line.startswith("ARG ANSIBLE_INSTALL_REFS=")][0]
    assert core_pin in install_refs and "ansible-runner==" in install_refs

    # the collections: amazon.aws >= 10 and this collection from the tarball in the context
    build = context / "_build"
    galaxy = yaml.safe_load((build / "requirements.yml").read_text())
    collections = {c["name"]: c for c in galaxy["collections"]}
    assert collections["amazon.aws"]["version"] == ">=10.0.0"
    ours = [c for c in galaxy["collections"] if "mysfits-multi_region" in c["name"]]
    assert len(ours) == 1 and ours[0]["type"] == "file"
    # the path the galaxy stage installs from (WORKDIR /build = _build) is the tarball just built
    assert (build / ours[0]["name"]).is_file(), ours
    assert os.path.basename(ours[0]["name"]) == os.path.basename(build_context["tarball"])
    assert "COPY _build /build" in containerfile and "WORKDIR /build" in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    # every collection the playbooks and roles call by FQCN is installed (ansible.* ships with ansible-core)
    used = set()
    for folder in ("playbooks", "roles"):
        for dirpath, _, files in os.walk(os.path.join(REPO_ROOT, folder)):
            for name in files:
                if name.endswith((".yml", ".yaml")):
                    with open(os.path.join(dirpath, name)) as handle:
                        for word in handle.read().split():
                            parts = word.rstrip(":").split(".")
                            if len(parts) == 3 and parts[0] in ("amazon", "community") and parts[2]:
                                used.add(".".join(parts[:2]))
    assert used <= set(collections), used - set(collections)

    # the Python requirements: boto3 and botocore, pinned like requirements/runtime.txt
    python = (build / "requirements.txt").read_text()
    assert "boto3==" in python and "botocore==" in python
    assert "introspect.py introspect --user-pip=requirements.txt" in containerfile


def private_data_dir(tmp_path):
    path = tmp_path / "runner"
    path.mkdir()
    return str(path)


def runner_env(aws):
    env = dict(aws.env(PRIMARY))
    env.update({"ANSIBLE_CONFIG": os.path.join(REPO_ROOT, "ansible.cfg"),
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "ANSIBLE_NOCOLOR": "1",
                "PATH": BIN + os.pathsep + os.environ.get("PATH", "")})
    return env


def failed_events(run):
    return [e for e in run.events if e.get("event") in ("runner_on_failed", "runner_on_unreachable")
            and not e.get("event_data", {}).get("ignore_errors")]


def test_ansible_runner_runs_the_collection_against_the_emulator(aws, tmp_path):
    aws.client("codecommit", PRIMARY).create_repository(repositoryName="runner-repo")
    playbook = tmp_path / "smoke.yml"
    playbook.write_text(yaml.safe_dump([{
        "name": "Smoke test through ansible-runner", "hosts": "localhost", "gather_facts": False,
        "module_defaults": {"group/mysfits.multi_region.aws": {"region": PRIMARY}},
        "tasks": [
            {"name": "Who am I", "amazon.aws.aws_caller_info": {}, "register": "identity"},
            {"name": "Read the pipelines", "mysfits.multi_region.codepipeline_info": {"names": ["NoSuchPipeline"]},
             "register": "pipelines"},
            {"name": "Commit a file", "mysfits.multi_region.codecommit_file": {
                "repository": "runner-repo", "path": "README.md", "content": "from ansible-runner\n"}},
            {"name": "Check what the modules returned", "ansible.builtin.assert": {"that": [
                "identity.account | length == 12", "pipelines.missing == ['NoSuchPipeline']"]}},
        ]}]))
    run = ansible_runner.run(private_data_dir=private_data_dir(tmp_path), playbook=str(playbook),
                             inventory={"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}},
                             envvars=runner_env(aws), process_isolation=False, quiet=True)
    assert run.status == "successful", run.stdout.read()
    assert run.rc == 0
    assert failed_events(run) == []
    ok = [e["event_data"]["task"] for e in run.events if e.get("event") == "runner_on_ok"]
    assert ok == ["Who am I", "Read the pipelines", "Commit a file", "Check what the modules returned"]
    assert run.stats["changed"] == {"localhost": 1}
    content = aws.client("codecommit", PRIMARY).get_file(repositoryName="runner-repo", commitSpecifier="master",
                                                         filePath="README.md")["fileContent"]
    assert content == b"from ansible-runner\n"


def test_ansible_runner_runs_the_site_playbook_on_the_primary_fixture(aws, tmp_path):
    fixture = run_playbook(os.path.join(REPO_ROOT, "tests", "fixture", "primary.yml"), aws.env(PRIMARY),
                           inventory="localhost,", env={"ANSIBLE_PYTHON_INTERPRETER": sys.executable})
    assert fixture.rc == 0, fixture
    run = ansible_runner.run(private_data_dir=private_data_dir(tmp_path), project_dir=REPO_ROOT,
                             playbook=os.path.join(REPO_ROOT, "playbooks", "multi_region.yml"),
                             inventory=os.path.join(REPO_ROOT, "inventory", "regions.yml"),
                             envvars=runner_env(aws), process_isolation=False, quiet=True, timeout=1800)
    assert run.status == "successful", run.stdout.read()[-6000:]
    assert failed_events(run) == []
    hosts = set(run.stats["ok"])
    assert hosts == {"us-west-2", "us-east-1"}
    assert not run.stats["failures"] and not run.stats["dark"]
    # it really changed the regions: the secondary stack and the replica exist
    stack = aws.client("cloudformation", "us-east-1").describe_stacks(StackName="mm-secondary-region")["Stacks"][0]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    table = aws.client("dynamodb", PRIMARY).describe_table(TableName="MythicalMysfits-DDBTable")["Table"]
    replicas = {r["RegionName"]: r["ReplicaStatus"] for r in table.get("Replicas", [])}
    assert replicas["us-east-1"] == "ACTIVE", replicas

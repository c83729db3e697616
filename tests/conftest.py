"""Fixtures shared by every pytest suite of the project.

``emulator``: one emulator per test session (per xdist worker), on a free port,
with short latencies so that state transitions are observable but quick.
``aws``: a test's view of it — the emulator reset to a blank account, the
environment pointing boto3 at it, and helpers for clients and the call log.
"""
import os
import re

import boto3
import pytest

from tests.emulator.client import EmulatorProcess

FAST_TIMING = {
    "stack_create_seconds": 1.0,
    "stack_update_seconds": 0.5,
    "stack_delete_seconds": 0.5,
    "replica_create_seconds": 1.0,
    "replica_delete_seconds": 0.5,
    "table_update_seconds": 0.2,
    "pipeline_run_seconds": 1.0,
    "accelerator_deploy_seconds": 0.5,
    "ecs_deployment_seconds": 0.5,
    # AWS waits 3 hours for an ECS service to stabilise; a test fails after this instead
    "ecs_stabilize_timeout_seconds": 30.0,
    "ecs_deploy_timeout_seconds": 60.0,
}


@pytest.fixture(scope="session")
def emulator():
    process = EmulatorProcess(timing=FAST_TIMING)
    process.start()
    yield process
    process.stop()


class AwsSandbox:
    def __init__(self, emulator):
        self.emulator = emulator
        self.control = emulator.client
        self.endpoint = emulator.endpoint

    def client(self, service, region="us-west-2"):
        return boto3.client(service, region_name=region, endpoint_url=self.endpoint,
                            aws_access_key_id="AKIAEMULATOR0000TEST",
                            aws_secret_access_key="emulator-dummy-secret-key-do-not-use")

    def env(self, region="us-west-2"):
        return self.emulator.env(region)


@pytest.fixture
def aws(emulator, monkeypatch):
    emulator.client.reset()
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    yield AwsSandbox(emulator)


_SHARED_WORLD = re.compile(r"""@pytest\.fixture\(\s*scope\s*=\s*["'](?:module|class|package)["']""")


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope``, but only where a scope is shared: the scheduler of ``make test-integration``.

    A test module that defines a module- (or class-) scoped fixture (a converged world, built once) is one work
    unit, as with loadscope: one worker builds the world and runs the module's tests. Every test of every other
    module is a work unit of its own, handed to whichever worker is free, as with ``--dist load``: a
    parametrized series (the reliability seeds, the interruption points) spreads over the workers instead of
    queueing on one. (pytest-xdist's own ``loadgroup`` cannot do this here: it renames the test ids, which
    pytest 9 no longer lets a plugin do.)
    """
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    root = str(config.rootpath)
    shared = {}

    def module_shares_a_world(module):
        if module not in shared:
            try:
                with open(os.path.join(root, module)) as handle:
                    shared[module] = bool(_SHARED_WORLD.search(handle.read()))
            except OSError:
                shared[module] = True   # unknown: keep its tests together, as loadscope would
        return shared[module]

    class SharedWorldScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if module_shares_a_world(module) else nodeid

    return SharedWorldScheduling(config, log)

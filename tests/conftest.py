"""Fixtures shared by every pytest suite of the project.

``emulator``: one emulator per test session (per xdist worker), on a free port,
with short latencies so that state transitions are observable but quick.
``aws``: a test's view of it — the emulator reset to a blank account, the
environment pointing boto3 at it, and helpers for clients and the call log.
"""
import os

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

import pytest

from tests.integration.harness import run_module


@pytest.fixture
def module_runner(aws):
    """run(module, args, check=False, diff=False, region=None) -> the module's result dict."""
    def run(module, args, **kwargs):
        return run_module(module, args, aws.env(kwargs.pop("env_region", "us-west-2")), **kwargs)
    return run

"""wait_for: polls with backoff up to a cap, returns the value that satisfied the condition, or times out."""
import pytest

from ansible_collections.mysfits.multi_region.plugins.module_utils.common import WaitTimeout, wait_for


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


def test_returns_the_first_value_that_is_done_without_sleeping_more():
    clock = FakeClock()
    values = iter(["CREATING", "CREATING", "ACTIVE", "never read"])
    result = wait_for(lambda: next(values), lambda v: v == "ACTIVE", "the replica", timeout=60,
                      delay=2, sleep=clock.sleep, clock=clock)
    assert result == "ACTIVE"
    assert clock.sleeps == [2, 3.0]


def test_backs_off_up_to_the_cap():
    clock = FakeClock()
    with pytest.raises(WaitTimeout):
        wait_for(lambda: "CREATING", lambda v: False, "the replica", timeout=100, delay=2, max_delay=10,
                 sleep=clock.sleep, clock=clock)
    assert clock.sleeps[:5] == [2, 3.0, 4.5, 6.75, 10]
    assert max(clock.sleeps) == 10
    assert all(b >= a for a, b in zip(clock.sleeps, clock.sleeps[1:-1]))


def test_a_smaller_backoff_factor_grows_the_waits_more_slowly_to_the_same_cap():
    clock = FakeClock()
    with pytest.raises(WaitTimeout):
        wait_for(lambda: "CREATE_IN_PROGRESS", lambda v: False, "the stack", timeout=100, delay=2, max_delay=10,
                 backoff=1.25, sleep=clock.sleep, clock=clock)
    assert clock.sleeps[:4] == [2, 2.5, 3.125, 3.90625]
    assert max(clock.sleeps) == 10
    # each wait at most a quarter longer than the one before: a poll at most 25 % of the time waited so far late
    assert all(b <= 1.25 * a for a, b in zip(clock.sleeps, clock.sleeps[1:]))


def test_timeout_message_names_what_and_the_last_state():
    clock = FakeClock()
    with pytest.raises(WaitTimeout) as raised:
        wait_for(lambda: {"status": "UPDATING"}, lambda v: False, "table T to be ACTIVE", timeout=5,
                 delay=1, describe=lambda v: v["status"], sleep=clock.sleep, clock=clock)
    assert str(raised.value) == "Timed out after 5s waiting for table T to be ACTIVE; last seen: UPDATING"
    assert raised.value.last == "UPDATING"
    assert sum(clock.sleeps) == pytest.approx(5)  # never sleeps past the deadline


def test_timeout_messages_round_the_seconds():
    assert str(WaitTimeout("x", 1.99998999699892, "y")).startswith("Timed out after 2s waiting for x")
    assert str(WaitTimeout("x", 90.25, "y")).startswith("Timed out after 90.2s waiting")


# ---------------------------------------------------------------- clients: one retry layer

class _Module:
    def __init__(self):
        self.calls = []

    def client(self, service, retry_decorator=None, **extra):
        self.calls.append((service, retry_decorator, extra))
        return object()


def test_clients_retry_in_botocore_only_standard_mode_ten_attempts():
    from ansible_collections.mysfits.multi_region.plugins.module_utils import common

    module = _Module()
    common.aws_client(module, "s3", region="us-east-1")
    service, decorator, extra = module.calls[0]
    assert service == "s3" and extra["region"] == "us-east-1"
    assert extra["config"] == {"retries": {"mode": "standard", "total_max_attempts": 10}}
    # the decorator amazon.aws wraps the client with adds no retry: it returns the call itself
    calls = []

    def flaky():
        calls.append(1)
        raise RuntimeError("HTTP 500")

    with pytest.raises(RuntimeError):
        decorator(flaky)()
    assert calls == [1]
    assert decorator(flaky) is flaky

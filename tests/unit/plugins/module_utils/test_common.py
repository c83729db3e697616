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
    assert clock.sleeps == [2, pytest.approx(2.2)]  # the default factor: each wait a tenth longer


def test_backs_off_up_to_the_cap():
    clock = FakeClock()
    with pytest.raises(WaitTimeout):
        wait_for(lambda: "CREATING", lambda v: False, "the replica", timeout=100, delay=2, max_delay=10,
                 backoff=1.5, sleep=clock.sleep, clock=clock)
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


def test_by_default_a_wait_is_at_most_a_tenth_of_the_time_waited_late_and_at_most_10_s():
    clock = FakeClock()
    with pytest.raises(WaitTimeout):
        wait_for(lambda: "UPDATING", lambda v: False, "the table", timeout=600, delay=1,
                 sleep=clock.sleep, clock=clock)
    waited = 0.0
    for wait in clock.sleeps[:-1]:
        # an operation that ends just after a poll is noticed at the next one, `wait` late after `waited` s:
        # at most a tenth of the time waited (plus the first delay)
        assert wait <= 0.1 * waited + 1.0 + 1e-9
        waited += wait
    assert max(clock.sleeps) == 10.0
    # 600 s of waiting: a ramp to the cap, then every 10 s (never a fixed tight loop, never an unbounded one)
    assert len(clock.sleeps) < 80


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


# ---------------------------------------------------------------- clients: one retry layer, one session

class _Module:
    """What aws_client uses of an AnsibleAWSModule: the standard amazon.aws options and the failure calls."""

    _name = "mysfits.multi_region.test"

    def __init__(self, **params):
        self.params = dict(access_key="AKIDEXAMPLE", secret_key="secret", session_token=None, region="us-west-2",
                           profile=None, endpoint_url="http://127.0.0.1:1", validate_certs=True, aws_ca_bundle=None,
                           aws_config=None)
        self.params.update(params)
        self.failures = []

    def fail_json(self, **kwargs):
        self.failures.append(kwargs)
        raise SystemExit(1)

    def fail_json_aws(self, exception, msg=None):
        self.failures.append({"msg": "%s: %s" % (msg, exception)})
        raise SystemExit(1)


def test_clients_retry_in_botocore_only_standard_mode_ten_attempts():
    from ansible_collections.mysfits.multi_region.plugins.module_utils import common

    client = common.aws_client(_Module(), "s3", region="us-east-1")
    assert client.meta.region_name == "us-east-1"
    assert client.meta.endpoint_url == "http://127.0.0.1:1"
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 10}
    # the decorator amazon.aws's wrapper is given adds no retry: it returns the call itself
    calls = []

    def flaky():
        calls.append(1)
        raise RuntimeError("HTTP 500")

    with pytest.raises(RuntimeError):
        client.retry(flaky)()
    assert calls == [1]
    assert client.retry(flaky) is flaky


def test_the_clients_of_one_module_run_share_one_session_and_its_credentials():
    from ansible_collections.mysfits.multi_region.plugins.module_utils import common

    module = _Module()
    one = common.aws_client(module, "dynamodb")
    two = common.aws_client(module, "cloudformation", region="eu-west-1")
    assert list(common._SESSIONS[id(module)]) == [None]  # one session, no profile
    assert one.meta.region_name == "us-west-2" and two.meta.region_name == "eu-west-1"
    for client in (one, two):
        credentials = client.client._request_signer._credentials
        assert (credentials.access_key, credentials.secret_key) == ("AKIDEXAMPLE", "secret")
        assert "mysfits.multi_region" in client.meta.config.user_agent_extra


def test_the_modules_aws_config_is_merged_over_the_retry_default():
    from ansible_collections.mysfits.multi_region.plugins.module_utils import common

    module = _Module(aws_config={"retries": {"mode": "adaptive", "max_attempts": 3}, "connect_timeout": 7})
    client = common.aws_client(module, "s3")
    # botocore counts the first request too: max_attempts 3 (retries) is total_max_attempts 4
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 4}
    assert client.meta.config.connect_timeout == 7


def test_a_client_that_cannot_be_made_fails_the_module_as_amazon_aws_does(monkeypatch, tmp_path):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    from ansible_collections.mysfits.multi_region.plugins.module_utils import common

    module = _Module(endpoint_url="not a url")
    with pytest.raises(SystemExit):
        common.aws_client(module, "s3")
    assert module.failures[0]["msg"].startswith("Couldn't connect to AWS: ")
    module = _Module(region=None)
    with pytest.raises(SystemExit):
        common.aws_client(module, "dynamodb")
    assert "requires a region" in module.failures[0]["msg"]


class Operation:
    """An operation that ends ``takes`` seconds after the wait starts, on the fake clock."""

    def __init__(self, clock, takes):
        self.clock = clock
        self.takes = takes
        self.reads = []

    def __call__(self):
        self.reads.append(self.clock.now)
        return self.clock.now >= self.takes


def test_an_expected_duration_puts_a_read_just_before_it_and_the_end_is_noticed_within_the_first_delay():
    # A chain of replicas, each added when the one before is noticed ACTIVE: the next one is expected to take as
    # long as the one before (21.6 s, of which 1.6 s was the lateness of noticing it).
    clock = FakeClock()
    op = Operation(clock, takes=20.0)
    wait_for(op, bool, "the replica", timeout=600, delay=1.0, expect=21.6, sleep=clock.sleep, clock=clock)
    assert 0.95 * 21.6 in [pytest.approx(t) for t in op.reads]
    assert op.reads[-1] - 20.0 <= 1.0 + 1e-9
    # without the expectation the same operation is noticed later (the backoff steps over its end)
    clock_plain = FakeClock()
    plain = Operation(clock_plain, takes=20.0)
    wait_for(plain, bool, "the replica", timeout=600, delay=1.0, sleep=clock_plain.sleep, clock=clock_plain)
    assert plain.reads[-1] > op.reads[-1]


def test_before_the_expected_duration_the_reads_are_those_of_the_plain_backoff():
    plain_clock, clock = FakeClock(), FakeClock()
    plain, early = Operation(plain_clock, takes=6.0), Operation(clock, takes=6.0)
    wait_for(plain, bool, "x", timeout=600, delay=1.0, sleep=plain_clock.sleep, clock=plain_clock)
    wait_for(early, bool, "x", timeout=600, delay=1.0, expect=60.0, sleep=clock.sleep, clock=clock)
    assert early.reads == plain.reads


def test_an_operation_longer_than_expected_is_read_again_from_the_first_delay_with_backoff():
    clock = FakeClock()
    op = Operation(clock, takes=100.0)
    wait_for(op, bool, "x", timeout=600, delay=1.0, expect=20.0, sleep=clock.sleep, clock=clock)
    after = [t for t in op.reads if t >= 19.0 - 1e-9]
    gaps = [round(b - a, 6) for a, b in zip(after, after[1:])]
    assert gaps[0] == pytest.approx(1.0)
    assert all(b >= a for a, b in zip(gaps, gaps[1:-1]))  # backs off again, never a fixed tight loop
    assert op.reads[-1] - 100.0 <= 10.0 + 1e-9

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mysfits.multi_region contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared plumbing for the collection's modules.

One place for client creation (through amazon.aws, with botocore's retries)
and for waiting on a long AWS operation with a timeout and a readable message.
Nothing here knows which endpoint it talks to: the endpoint comes from the
standard amazon.aws options or from botocore's own configuration
(``AWS_ENDPOINT_URL``, profiles), exactly as for real AWS.
"""

from __future__ import annotations

import time

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:
    pass  # AnsibleAWSModule reports a missing boto3 or botocore before any client is asked for

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

# One retry layer: botocore's. Every client made here retries in botocore's "standard" mode (throttling
# codes, HTTP 500/502/503/504, connection errors and timeouts, exponential backoff with jitter capped at
# 20 s), up to RETRY_ATTEMPTS attempts in all, paginated reads included. The module option ``aws_config``
# (amazon.aws) can set ``retries`` otherwise; it is merged after this default. AWSRetry is not stacked on
# top: with both, each of AWSRetry's tries was itself retried by botocore (10 x 3 = 30 requests for one
# read answered HTTP 500).
RETRY_ATTEMPTS = 10
RETRY_CONFIG = {"retries": {"mode": "standard", "total_max_attempts": RETRY_ATTEMPTS}}

USER_AGENT_EXTRA = "mysfits.multi_region"
# The boto3 sessions of this module run, by module object and profile (see aws_client).
_SESSIONS = {}


def no_retry(function):
    """The ``retry_decorator`` given to amazon.aws's client factory: adds no retry of its own.

    amazon.aws wraps a client only when it gets a decorator, and the wrapper is
    what accepts ``aws_retry=True`` on calls; the modules keep passing it, and
    it changes nothing: botocore retries every call.
    """
    return function


def aws_client(module, service, region=None):
    """A boto3 client with the connection amazon.aws resolves (auth, region, endpoint, profile, ``aws_config``).

    ``region`` overrides the module's region, for modules that touch more than
    one region (a replica, a cross-region artifact store). Retries: botocore's
    only (:data:`RETRY_CONFIG`, then the module's ``aws_config`` merged over it).

    The connection (credentials, endpoint, profile, validation, proxies) is what amazon.aws's
    ``get_aws_connection_info`` resolves from the standard options, as ``AnsibleAWSModule.client`` does. What
    differs from ``AnsibleAWSModule.client``: the clients of one module run come from ONE boto3 session per
    profile. amazon.aws's ``boto3_conn`` makes a new session for every client, and each new session loads
    botocore's endpoint rules and service model again (about 0.1 s a client; the discovery makes a dozen).
    Errors at client creation fail the module as ``boto3_conn`` does ("Couldn't connect to AWS: ...").
    """
    connection_region, endpoint, params = get_aws_connection_info(module)
    params = dict(params)
    profile = params.pop("profile_name", None)
    config = botocore.config.Config(user_agent_extra=USER_AGENT_EXTRA, **RETRY_CONFIG)
    for option in ("config", "aws_config"):
        extra = params.pop(option, None)
        if extra:
            config = config.merge(extra if isinstance(extra, botocore.config.Config) else botocore.config.Config(**extra))
    try:
        sessions = _SESSIONS.setdefault(id(module), {})
        if profile not in sessions:
            sessions[profile] = boto3.session.Session(profile_name=profile)
        client = sessions[profile].client(service, region_name=region or connection_region, endpoint_url=endpoint,
                                          config=config, **params)
    except botocore.exceptions.NoRegionError:
        module.fail_json(msg="The %s module requires a region and none was found in configuration, environment "
                             "variables or module parameters" % module._name)  # pylint: disable=protected-access
    except (ValueError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Couldn't connect to AWS")
    return RetryingBotoClientWrapper(client, no_retry)


def seconds(value):
    """A duration for a message: whole seconds as such, else one decimal (1.99998 -> 2, 2.25 -> 2.2)."""
    rounded = round(float(value), 1)
    return int(rounded) if rounded == int(rounded) else rounded


class WaitTimeout(Exception):
    """Raised by :func:`wait_for` when the condition is not met in time."""

    def __init__(self, description, timeout, last):
        self.description = description
        self.timeout = timeout
        self.last = last
        super().__init__(
            "Timed out after %ss waiting for %s; last seen: %s" % (seconds(timeout), description, last)
        )


def wait_for(fetch, done, description, timeout=600, delay=2.0, max_delay=10.0, describe=None,
             sleep=time.sleep, clock=time.monotonic, backoff=1.1, expect=None):
    """Poll ``fetch()`` until ``done(value)`` is true; return the last value.

    Backs off exponentially from ``delay`` to ``max_delay`` seconds, each wait
    ``backoff`` times the one before (never a tight loop). Before the cap, an
    operation that ends is noticed at most ``backoff - 1`` times the time
    already waited after it ended (a tenth with the default 1.1, a quarter with 1.25, half with 1.5), and
    after it at most ``max_delay`` seconds late. ``describe(value)`` renders the state for the timeout
    message. Raises :class:`WaitTimeout` after ``timeout`` seconds.

    ``expect``: how long the operation is expected to take (for example as long as the same operation just
    before it, in a chain of operations where each one starts when the one before is noticed). A read is made
    at 95 % of it, and the waits start again from ``delay`` there: an operation that takes about as long is
    noticed within about ``delay`` seconds; the reads before that point are the same as without ``expect``.
    """
    start = clock()
    deadline = start + timeout
    wait = delay
    expected_at = start + 0.95 * expect if expect else None
    while True:
        value = fetch()
        if done(value):
            return value
        now = clock()
        remaining = deadline - now
        if remaining <= 0:
            raise WaitTimeout(description, timeout, describe(value) if describe else value)
        step = min(wait, remaining)
        wait = min(wait * backoff, max_delay)
        if expected_at is not None and now + step >= expected_at:
            # the next read lands on the expected end (not after it); the waits start again from there
            step = min(step, max(0.0, expected_at - now))
            expected_at = None
            wait = delay
        sleep(step)


def fail_on_timeout(module, error, **result):
    """Turn a :class:`WaitTimeout` into a module failure that says what to do next."""
    module.fail_json(
        msg="%s. The operation continues in AWS; run again with a larger wait_timeout, "
            "or with wait=false and check later." % error,
        **result
    )

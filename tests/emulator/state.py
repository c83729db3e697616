"""Process-wide state of the emulator: timing settings, call log, fault rules.

Every structure is guarded by a lock: the server is threaded.
"""
import os
import random
import threading
import time

# Seconds a long-running AWS operation stays in its transitional state.
TIMING_DEFAULTS = {
    "stack_create_seconds": 2.0,    # CREATE_IN_PROGRESS -> CREATE_COMPLETE
    "stack_update_seconds": 1.0,    # UPDATE_IN_PROGRESS -> UPDATE_COMPLETE
    "stack_delete_seconds": 1.0,    # DELETE_IN_PROGRESS -> DELETE_COMPLETE
    "replica_create_seconds": 2.0,  # ReplicaStatus CREATING -> ACTIVE
    "replica_delete_seconds": 1.0,  # ReplicaStatus DELETING -> gone
    "table_update_seconds": 0.5,    # TableStatus UPDATING -> ACTIVE (streams, billing)
    "pipeline_run_seconds": 2.0,    # execution InProgress -> Succeeded (at least; builds take their own time)
    "build_timeout_seconds": 600.0,  # cap of one emulated CodeBuild build (the project's timeout applies below it)
    "ecs_deployment_seconds": 2.0,  # an ECS deployment whose images exist: IN_PROGRESS -> COMPLETED (steady)
    # CloudFormation waits this long for an AWS::ECS::Service to stabilise before failing the resource
    # (AWS: 3 hours - see ext/ecs_deploy.py)
    "ecs_stabilize_timeout_seconds": 10800.0,
    # an ECS deploy action waits this long for its deployment (AWS default DeploymentTimeout: 60 minutes)
    "ecs_deploy_timeout_seconds": 3600.0,
    # a manual approval not answered in this time fails (AWS: 7 days)
    "approval_timeout_seconds": 604800.0,
}

# The emulator's own endpoint once the server listens (builds call back into it).
ENDPOINT = {"url": None}


class Timing:
    """Latencies of the emulated long-running operations, in seconds."""

    def __init__(self):
        self._lock = threading.Lock()
        self._values = dict(TIMING_DEFAULTS)
        for key in TIMING_DEFAULTS:
            env = os.environ.get("EMULATOR_" + key.upper())
            if env:
                self._values[key] = float(env)
        self._startup = dict(self._values)

    def get(self, key):
        with self._lock:
            return self._values[key]

    def as_dict(self):
        with self._lock:
            return dict(self._values)

    def update(self, values):
        unknown = sorted(set(values) - set(TIMING_DEFAULTS))
        if unknown:
            raise KeyError("unknown timing keys: %s (known: %s)" % (
                ", ".join(unknown), ", ".join(sorted(TIMING_DEFAULTS))))
        with self._lock:
            for key, value in values.items():
                value = float(value)
                if value < 0:
                    raise ValueError("%s must be >= 0" % key)
                self._values[key] = value

    def mark_startup(self):
        """The current values become what reset() returns to (flags given at start)."""
        with self._lock:
            self._startup = dict(self._values)

    def reset(self):
        with self._lock:
            self._values = dict(self._startup)


class CallLog:
    """Every request the emulator answered, in order."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls = []
        self._seq = 0

    def record(self, entry):
        with self._lock:
            self._seq += 1
            entry = dict(entry, seq=self._seq)
            self._calls.append(entry)
            return entry

    def entries(self, since=0):
        with self._lock:
            return [dict(c) for c in self._calls if c["seq"] > since]

    def reset(self):
        with self._lock:
            self._calls = []
            # seq keeps counting so that a reader's "since" stays meaningful


ERROR_KINDS = ("throttling", "provisioned_throughput", "http500", "http503", "access_denied")


class FaultInjector:
    """Seeded, per service/operation share of requests answered with an error.

    A rule is ``{"service": "dynamodb" | "*", "operation": "PutItem" | "*",
    "region": "eu-west-1" | "*", "rate": 0.1, "error": one of ERROR_KINDS}`` (region: the request's
    signing region; default every region). Rules are tried in order; the first matching rule whose dice
    roll hits decides.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []
        self._seed = 0
        self._rng = random.Random(0)
        self.injected = 0

    def configure(self, rules, seed=0):
        checked = []
        for rule in rules:
            error = rule.get("error", "throttling")
            if error not in ERROR_KINDS:
                raise ValueError("unknown error kind %r (known: %s)" % (error, ", ".join(ERROR_KINDS)))
            rate = float(rule.get("rate", 0))
            if not 0 <= rate <= 1:
                raise ValueError("rate must be within [0, 1], got %r" % rate)
            checked.append({
                "service": rule.get("service", "*").lower(),
                "operation": rule.get("operation", "*"),
                "region": rule.get("region", "*"),
                "rate": rate,
                "error": error,
            })
        with self._lock:
            self._rules = checked
            self._seed = int(seed)
            self._rng = random.Random(self._seed)
            self.injected = 0

    def as_dict(self):
        with self._lock:
            return {"rules": [dict(r) for r in self._rules], "seed": self._seed, "injected": self.injected}

    def pick(self, service, operation, region=None):
        """Return the error kind to inject for this request, or None."""
        with self._lock:
            for rule in self._rules:
                if rule["service"] not in ("*", service):
                    continue
                if rule["operation"] not in ("*", operation):
                    continue
                if rule["region"] not in ("*", region):
                    continue
                if self._rng.random() < rule["rate"]:
                    self.injected += 1
                    return rule["error"]
            return None


TIMING = Timing()
CALLS = CallLog()
FAULTS = FaultInjector()


def now():
    return time.time()

"""Python helpers: start/stop the emulator in a subprocess and talk to its control endpoint."""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAEMULATOR0000TEST",
    "AWS_SECRET_ACCESS_KEY": "emulator-dummy-secret-key-do-not-use",
}


class EmulatorClient:
    """The control endpoint (``/_emulator/``) of a running emulator."""

    def __init__(self, endpoint):
        self.endpoint = endpoint.rstrip("/")

    def _request(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.endpoint + "/_emulator/" + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError("emulator control %s %s: %s" % (method, path, exc.read().decode())) from exc

    def get(self, path):
        return self._request("GET", path)

    def post(self, path, payload):
        return self._request("POST", path, payload)

    def delete(self, path):
        return self._request("DELETE", path)

    def healthy(self):
        try:
            return self.get("health").get("status") == "ok"
        except (OSError, RuntimeError):
            return False

    def reset(self):
        """moto's backends, the extensions' state, the call log, faults and timing, all back to new."""
        return self.post("reset", {})

    # call log
    def calls(self, since=0):
        return self.get("calls?since=%d" % since)["calls"]

    def reset_calls(self):
        self.delete("calls")

    def last_seq(self):
        calls = self.calls()
        return calls[-1]["seq"] if calls else 0

    def mutating_calls(self, since=0, plane="control"):
        return [c for c in self.calls(since) if c["mutating"] and (plane is None or c["plane"] == plane)]

    # timing and faults
    def set_timing(self, **values):
        return self.post("timing", values)

    def reset_timing(self):
        return self.delete("timing")

    def set_faults(self, rules, seed=0):
        return self.post("faults", {"rules": rules, "seed": seed})

    def clear_faults(self):
        return self.delete("faults")


class EmulatorProcess:
    """An emulator in a subprocess on a free port of 127.0.0.1."""

    def __init__(self, port=0, timing=None, log_path=None, python=None):
        self.port = port
        self.timing = timing or {}
        self.log_path = log_path
        self.python = python or sys.executable
        self.process = None
        self._log = None

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def client(self):
        return EmulatorClient(self.endpoint)

    def env(self, region="us-west-2"):
        """Environment variables that point boto3 (and so amazon.aws) at this emulator."""
        # HTTP to a load balancer's DNS name goes through the emulator (its application, ext/application.py);
        # the endpoint itself is reached directly.
        no_proxy = "127.0.0.1,localhost"
        return dict(DUMMY_CREDENTIALS, AWS_ENDPOINT_URL=self.endpoint, AWS_DEFAULT_REGION=region,
                    AWS_REGION=region, EMULATOR_ENDPOINT=self.endpoint,
                    http_proxy=self.endpoint, HTTP_PROXY=self.endpoint, no_proxy=no_proxy, NO_PROXY=no_proxy)

    def start(self, timeout=60):
        workdir = tempfile.mkdtemp(prefix="emulator-")
        port_file = os.path.join(workdir, "port")
        cmd = [self.python, "-m", "tests.emulator", "--port", str(self.port), "--port-file", port_file]
        for key, value in self.timing.items():
            cmd += ["--" + key.replace("_", "-"), str(value)]
        self._log = open(self.log_path or os.path.join(workdir, "emulator.log"), "ab")
        env = dict(os.environ)
        env["PYTHONPATH"] = REPO_ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.process = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("emulator exited with %s; log: %s" % (self.process.returncode, self._log.name))
            if os.path.exists(port_file):
                with open(port_file) as handle:
                    self.port = int(handle.read())
                if self.client.healthy():
                    return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("emulator did not answer within %ss; log: %s" % (timeout, self._log.name))

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

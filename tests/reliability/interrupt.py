"""Kill a converge (SIGKILL, the whole process tree) at an exact point of its conversation with AWS.

Watching the emulator's call log from outside cannot land a kill between a module's read and its write:
the two requests are milliseconds apart. So the converge talks to the emulator through this small HTTP
proxy (``AWS_ENDPOINT_URL`` points at it). The proxy classifies each request exactly as the emulator does
(``tests.emulator.wire.describe_request``) and asks a *kill point* what to do:

- ``"forward"``: pass it on;
- ``"before"``: kill the converge now; the request never reaches AWS (a kill between a read and a write);
- ``"after"``: pass it on, let AWS apply it, then kill the converge before the answer is delivered (the
  request took effect but the caller never learnt so — the harder case for idempotence).

The kill is SIGKILL to the converge's process group (it runs in its own session) and, by process id, to
every process that carries this run's marker in its environment: Ansible's ``async`` jobs (the secondary
stack's create runs as one) detach into their own session, and a real interruption (a lost CI runner, a
killed container) takes them down as well.
"""
import http.client
import http.server
import io
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from urllib.parse import urlsplit

from tests.emulator import wire
from tests.integration.harness import BIN, REPO_ROOT, ansible_env
from tests.reliability import runner

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}


class KillPoint:
    """Decides, per request, whether this is where the converge dies. Subclasses override ``decide``."""

    name = "kill point"

    def __init__(self):
        self.seen = []       # (region, service, operation) forwarded so far
        self.fired = None    # description of the request the kill happened at
        self.context = {}    # what the point checked when it fired (for assertions)

    def decide(self, described, body):
        raise NotImplementedError


def _environ(handler, body):
    path, _, query = handler.path.partition("?")
    environ = {
        "REQUEST_METHOD": handler.command,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": handler.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for key, value in handler.headers.items():
        environ["HTTP_" + key.upper().replace("-", "_")] = value
    return environ


class _Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream, point, on_kill):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = urlsplit(upstream)
        self.point = point
        self.on_kill = on_kill
        self.lock = threading.Lock()
        self.killed = threading.Event()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _handle(self):
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if server.killed.is_set():
            self.close_connection = True
            return
        described = wire.describe_request(_environ(self, body))
        with server.lock:
            decision = "forward" if server.killed.is_set() else server.point.decide(described, body)
            if decision == "before":
                server.point.fired = dict(described, when="before")
                server.on_kill()
                self.close_connection = True
                return
        status, reason, headers, payload = self._forward(body)
        if decision == "after":
            with server.lock:
                server.point.fired = dict(described, when="after", status=status)
                server.on_kill()
            self.close_connection = True
            return
        with server.lock:
            server.point.seen.append((described["region"], described["service"], described["operation"]))
        self.send_response(status, reason)
        for key, value in headers:
            if key.lower() not in HOP_HEADERS and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _forward(self, body):
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.reason, response.getheaders(), response.read()
        finally:
            connection.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _handle


def _marked_pids(marker):
    """Process ids whose environment holds ``RELIABILITY_RUN=<marker>`` (this run's processes only)."""
    needle = ("RELIABILITY_RUN=%s" % marker).encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % entry, "rb") as handle:
                if needle in handle.read().split(b"\0"):
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


def kill_tree(process, marker):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for pid in _marked_pids(marker):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Interrupted:
    """The outcome of :func:`converge_until_killed`."""

    def __init__(self, point, returncode, output, killed):
        self.point = point
        self.returncode = returncode
        self.output = output
        self.killed = killed

    def __repr__(self):
        return "Interrupted(%s, rc=%s, fired=%s)\n%s" % (self.point.name, self.returncode, self.point.fired,
                                                        self.output[-3000:])


def converge_until_killed(emulator_env, point, report_dir, timeout=900):
    """Run the site playbook through the proxy; SIGKILL it when ``point`` says so. Returns :class:`Interrupted`."""
    marker = uuid.uuid4().hex
    holder = {}

    def on_kill():
        holder["killed"] = time.monotonic()
        holder["proxy"].killed.set()
        kill_tree(holder["process"], marker)

    proxy = _Proxy(emulator_env["AWS_ENDPOINT_URL"], point, on_kill)
    holder["proxy"] = proxy
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        aws_env = dict(emulator_env, AWS_ENDPOINT_URL="http://127.0.0.1:%d" % proxy.server_address[1])
        env = ansible_env(aws_env, {"RELIABILITY_RUN": marker})
        cmd = [os.path.join(BIN, "ansible-playbook"), runner.SITE,
               "-i", runner.INVENTORY, "-e", json.dumps({"readiness_report_dir": str(report_dir)})]
        with open(os.path.join(str(report_dir), "interrupted-run.log"), "w+") as log:
            process = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
            holder["process"] = process
            try:
                returncode = process.wait(timeout)
            except subprocess.TimeoutExpired:
                kill_tree(process, marker)
                returncode = process.wait()
            # Anything of this run still alive (an async job that escaped before the kill) goes too.
            for pid in _marked_pids(marker):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            log.seek(0)
            output = log.read()
    finally:
        proxy.shutdown()
        proxy.server_close()
    return Interrupted(point, returncode, output, "killed" in holder)

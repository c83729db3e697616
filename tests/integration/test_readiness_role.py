"""The readiness role's HTTP comparison and report, against local HTTP servers (no AWS involved)."""
import http.server
import os
import threading

import pytest
import yaml

from tests.integration.harness import run_playbook


def _server(pages):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = pages.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def servers():
    started = []

    def start(pages):
        server = _server(pages)
        started.append(server)
        return "http://127.0.0.1:%d" % server.server_port
    yield start
    for server in started:
        server.shutdown()


def _run(tmp_path, endpoints, checks=()):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "tasks": [{"ansible.builtin.include_role": {"name": "mysfits.multi_region.readiness"},
                   "vars": {"readiness_http_endpoints": endpoints, "readiness_http_primary": "us-west-2",
                            "readiness_checks": list(checks),
                            "readiness_report_dir": str(tmp_path / "reports")}}],
    }]))
    run = run_playbook(str(playbook), {}, inventory="localhost,")
    md = (tmp_path / "reports" / "readiness.md")
    html = (tmp_path / "reports" / "readiness.html")
    return run, md.read_text() if md.exists() else None, html.read_text() if html.exists() else None


SITE = {"/": b"<html>mysfits</html>", "/mysfits": b'{"mysfits": [1, 2, 3]}'}


def test_same_site_in_both_regions_passes(tmp_path, servers):
    endpoints = {"us-west-2": servers(SITE), "us-east-1": servers(dict(SITE))}
    run, md, html = _run(tmp_path, endpoints)
    assert run.rc == 0, run
    assert "4 passed, 0 failed, 0 skipped" in md
    assert "| HTTP /mysfits | PASS: same content as us-west-2, 22 bytes | PASS: reference answer, 22 bytes |" in md
    assert html.count('class="pass"') == 4 and 'class="fail"' not in html


def test_different_content_fails_and_names_the_region(tmp_path, servers):
    other = dict(SITE, **{"/mysfits": b'{"mysfits": [1]}'})
    endpoints = {"us-west-2": servers(SITE), "us-east-1": servers(other)}
    run, md, html = _run(tmp_path, endpoints)
    assert run.rc != 0
    assert "Not ready" in run.stdout and "us-east-1: HTTP /mysfits: content differs from us-west-2" in run.stdout
    assert "3 passed, 1 failed, 0 skipped" in md
    assert html.count('class="fail"') == 1


def test_unreachable_endpoint_is_skipped_with_the_reason(tmp_path, servers):
    # A port nothing listens on: connection refused, like an emulated load balancer name that does not resolve.
    endpoints = {"us-west-2": servers(SITE), "us-east-1": "http://127.0.0.1:9"}
    run, md, _ = _run(tmp_path, endpoints, checks=[
        {"region": "us-east-1", "check": "stack", "status": "pass", "detail": "CREATE_COMPLETE"}])
    assert run.rc == 0, run
    assert "| HTTP / |" in md and "skip: not reachable" in md
    assert "3 passed, 0 failed, 2 skipped" in md  # the primary's two reference answers + the stack check


def test_callers_failed_check_fails_the_report(tmp_path):
    run, md, _ = _run(tmp_path, {}, checks=[
        {"region": "us-east-1", "check": "replica", "status": "fail", "detail": "CREATING"}])
    assert run.rc != 0
    assert "0 passed, 1 failed, 0 skipped" in md
    assert os.path.exists(str(tmp_path / "reports" / "readiness.html"))

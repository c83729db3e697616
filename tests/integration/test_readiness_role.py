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
            status = 200
            if isinstance(body, tuple):
                status, body = body
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if body.startswith(b"{") else "text/html")
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


def _run(tmp_path, endpoints, checks=(), services=None):
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "connection": "local", "gather_facts": False,
        "tasks": [{"ansible.builtin.include_role": {"name": "mysfits.multi_region.readiness"},
                   "vars": {"readiness_http_endpoints": endpoints, "readiness_http_primary": "us-west-2",
                            "readiness_checks": list(checks), "readiness_services": services or {},
                            # The like check needs the application's table (tested against the emulator in
                            # test_site_playbook.py); these endpoints are plain HTTP servers.
                            "readiness_like_check": False,
                            "readiness_report_dir": str(tmp_path / "reports")}}],
    }]))
    run = run_playbook(str(playbook), {}, inventory="localhost,")
    md = (tmp_path / "reports" / "readiness.md")
    html = (tmp_path / "reports" / "readiness.html")
    return run, md.read_text() if md.exists() else None, html.read_text() if html.exists() else None


def _site(region, mysfits=(b'{"mysfitId": "a1", "likes": "0"}', b'{"mysfitId": "b2", "likes": "4"}')):
    """What the workshop's core service answers: its region on /, the table's items on /mysfits."""
    return {"/": b"<html><p>Current region: " + region.encode() + b"</p></html>",
            "/mysfits": b'{"mysfits": [' + b", ".join(mysfits) + b"]}"}


def test_same_site_in_both_regions_passes(tmp_path, servers):
    # The page names its own region and the secondary lists the mysfits in another order: the same site.
    endpoints = {"us-west-2": servers(_site("us-west-2")),
                 "us-east-1": servers(_site("us-east-1", (b'{"likes": "4", "mysfitId": "b2"}',
                                                          b'{"mysfitId": "a1", "likes": "0"}')))}
    run, md, html = _run(tmp_path, endpoints)
    assert run.rc == 0, run
    assert "4 passed, 0 failed, 0 skipped" in md
    assert ("| HTTP /mysfits | PASS: same data as us-west-2 (2 records, compared in any order) "
            "| PASS: reference answer, JSON, 81 bytes |") in md
    assert "| HTTP / | PASS: same page as us-west-2 with region names masked" in md
    assert html.count('class="pass"') == 4 and 'class="fail"' not in html


def test_different_content_fails_and_names_the_region(tmp_path, servers):
    endpoints = {"us-west-2": servers(_site("us-west-2")),
                 "us-east-1": servers(_site("us-east-1", (b'{"mysfitId": "a1", "likes": "0"}',)))}
    run, md, html = _run(tmp_path, endpoints)
    assert run.rc != 0
    text = " ".join(run.stdout.split())
    assert "Not ready" in text
    assert "us-east-1: HTTP /mysfits: data differs from us-west-2: 1 record(s) only in us-west-2 (b2)" in text
    assert "3 passed, 1 failed, 0 skipped" in md
    assert html.count('class="fail"') == 1


def test_unreachable_endpoint_fails(tmp_path, servers):
    # A port nothing listens on: connection refused. A region that does not answer is not ready.
    endpoints = {"us-west-2": servers(_site("us-west-2")), "us-east-1": "http://127.0.0.1:9"}
    run, md, _ = _run(tmp_path, endpoints, checks=[
        {"region": "us-east-1", "check": "stack", "status": "pass", "detail": "CREATE_COMPLETE"}])
    assert run.rc != 0
    assert "| HTTP / | **FAIL**: not reachable" in md
    assert "3 passed, 2 failed, 0 skipped" in md  # the primary's two reference answers + the stack check


def test_server_error_fails(tmp_path, servers):
    down = dict(_site("us-east-1"), **{"/mysfits": (503, b"<h1>503 Service Temporarily Unavailable</h1>")})
    endpoints = {"us-west-2": servers(_site("us-west-2")), "us-east-1": servers(down)}
    run, md, _ = _run(tmp_path, endpoints)
    assert run.rc != 0
    assert "| HTTP /mysfits | **FAIL**: HTTP 503 (server error) |" in md


def _summary(desired, running, digest, healthy):
    return {"found": True, "name": "core", "status": "ACTIVE", "desired": desired, "running": running, "pending": 0,
            "task_definition": "arn:aws:ecs:us-east-1:123456789012:task-definition/core:2", "deployments": 1,
            "tasks": running, "digests": {"service": [digest]} if running else {},
            "images": {}, "target_groups": [{"arn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/core/1",
                                             "states": {"healthy": healthy} if healthy else {}}]}


def test_secondary_scaled_to_zero_fails_the_report(tmp_path):
    digest = "sha256:" + "a" * 64
    services = {"us-west-2": {"core": _summary(1, 1, digest, 1)}, "us-east-1": {"core": _summary(0, 0, digest, 0)}}
    run, md, _ = _run(tmp_path, {}, services=services)
    assert run.rc != 0
    assert "| service core tasks | **FAIL**: desired count is 0: no task serves core | PASS: 1 running of 1 desired |" in md
    assert "| service core image | **FAIL**: runs no image with a known digest (no running task) |" in md
    assert "3 passed, 3 failed, 0 skipped" in md


def test_callers_failed_check_fails_the_report(tmp_path):
    run, md, _ = _run(tmp_path, {}, checks=[
        {"region": "us-east-1", "check": "replica", "status": "fail", "detail": "CREATING"}])
    assert run.rc != 0
    assert "0 passed, 1 failed, 0 skipped" in md
    assert os.path.exists(str(tmp_path / "reports" / "readiness.html"))

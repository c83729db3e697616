"""playbooks/verify.yml on a primary region that Lab 3 has not touched yet: every missing piece is a failed
check in the report, the play fails, and nothing is written. The load balancers are local HTTP servers here
(passed with -e readiness_http_endpoints): one serves what the primary serves, one differs, one is down.
"""
import http.server
import os
import re
import socket
import threading

import pytest

from tests.integration.test_site_playbook import PRIMARY, start_site, summarize

VERIFY = "playbooks/verify.yml"
THREE = "inventory/three_secondaries.yml"
SITE_PAGES = {"/": b'{"status": "ok"}', "/mysfits": b'{"mysfits": [{"name": "Evangeline"}]}'}


def _serve(pages):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def verified(tmp_path_factory):
    site = start_site(tmp_path_factory, "verify")
    servers = [_serve(SITE_PAGES), _serve(SITE_PAGES), _serve(dict(SITE_PAGES, **{"/mysfits": b'{"mysfits": []}'}))]
    try:
        endpoints = {
            PRIMARY: "http://127.0.0.1:%d" % servers[0].server_port,
            "us-east-1": "http://127.0.0.1:%d" % servers[1].server_port,
            "eu-west-1": "http://127.0.0.1:%d" % servers[2].server_port,
            "ap-southeast-2": "http://127.0.0.1:%d" % _closed_port(),
        }
        site.mark_verify = site.mark()
        site.run = site.play(VERIFY, inventory=THREE, extra_vars={"readiness_http_endpoints": endpoints})
        site.calls = site.control.calls(since=site.mark_verify)
        with open(os.path.join(site.run.reports, "readiness.md")) as handle:
            site.markdown = handle.read()
        with open(os.path.join(site.run.reports, "readiness.html")) as handle:
            site.html = handle.read()
        # The stage judged is the one the inventory names (pipeline_cross_region_stage_name). The workshop's own
        # Deploy stage has one ECS action, in the pipeline's region, which GetPipeline returns without a region.
        site.deploy_run = site.play(VERIFY, inventory=THREE, extra_vars={"readiness_http_endpoints": endpoints,
                                                                         "pipeline_cross_region_stage_name": "Deploy"})
        with open(os.path.join(site.deploy_run.reports, "readiness.md")) as handle:
            site.deploy_markdown = handle.read()
        yield site
    finally:
        for server in servers:
            server.shutdown()
        site.stop()


def _cell(markdown, check, region):
    """The Markdown report's cell of one check and region."""
    lines = markdown.splitlines()
    regions = [c.strip() for c in lines[lines.index("# Multi-region readiness") + 2].strip("|").split("|")][1:]
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0] == check:
            return cells[1 + regions.index(region)]
    raise AssertionError("no row %r in the report" % check)


def test_verify_fails_and_reports_every_missing_piece(verified):
    assert verified.run.rc != 0
    text = " ".join(verified.run.stdout.split())
    assert "Not ready:" in text
    assert "us-east-1: stack: mm-secondary-region not found" in text
    md = verified.markdown
    assert _cell(md, "stack", PRIMARY).startswith("PASS")
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2"]:
        assert _cell(md, "stack", region).startswith("**FAIL**"), region
        assert _cell(md, "global table replica", region).startswith("**FAIL**"), region
    assert _cell(md, "CorePipeline-mm-primary-region CrossRegionDeploy", PRIMARY) == \
        "**FAIL**: no CrossRegionDeploy stage"
    # A check that cannot run fails, never a skip.
    assert _cell(md, "items", PRIMARY).startswith("**FAIL**: not compared")
    header = re.search(r"<tr><th>check</th>(.*?)</tr>", verified.html).group(1)
    assert re.findall(r"<th>([^<]*)</th>", header) == [PRIMARY, "us-east-1", "eu-west-1", "ap-southeast-2"]
    assert 'class="fail"' in verified.html


def test_verify_compares_each_load_balancer_with_the_primary(verified):
    md = verified.markdown
    assert _cell(md, "HTTP /", PRIMARY).startswith("PASS: reference answer")
    assert _cell(md, "HTTP /", "us-east-1").startswith("PASS: same data as us-west-2")
    assert _cell(md, "HTTP /mysfits", "us-east-1").startswith("PASS: same data as us-west-2")
    for path in ["/", "/mysfits"]:
        # A load balancer that does not answer fails the report (it was a skip).
        assert _cell(md, "HTTP " + path, "ap-southeast-2").startswith("**FAIL**: not reachable")
    assert _cell(md, "HTTP /", "eu-west-1").startswith("PASS")
    assert _cell(md, "HTTP /mysfits", "eu-west-1").startswith("**FAIL**: data differs from us-west-2")
    # The primary's stack (the fixture) runs its services: their checks are in the report.
    assert _cell(md, "service core tasks", PRIMARY) == "PASS: 1 running of 1 desired"
    # Its /mysfits names no mysfit (these servers answer records without mysfitId): the like check says so.
    assert _cell(md, "like replication", PRIMARY).startswith("**FAIL**: the primary's /mysfits named no mysfit")


def test_verify_judges_the_stage_the_inventory_names_by_its_ecs_actions_regions(verified):
    # AWS CodePipeline API reference, ActionDeclaration: "region" is the action's region; GetPipeline leaves it out
    # for an action in the pipeline's own region. Such an action deploys to no secondary region.
    md = verified.deploy_markdown
    assert _cell(md, "CorePipeline-mm-primary-region Deploy", PRIMARY) == \
        "**FAIL**: stage deploys to no secondary region; missing us-east-1, eu-west-1, ap-southeast-2"
    assert "CorePipeline-mm-primary-region CrossRegionDeploy" not in md


def test_verify_writes_nothing(verified):
    writes = [c for c in verified.calls if c["mutating"]]
    assert writes == [], summarize(writes)

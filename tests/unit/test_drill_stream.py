"""roles/drill/files/drill_stream.py: the drill's figures from a request log (pure functions)."""
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "drill_stream", os.path.join(HERE, "..", "..", "roles", "drill", "files", "drill_stream.py"))
drill_stream = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(drill_stream)


def page(t, status, region=None):
    return {"t": t, "done": t + 0.01, "kind": "page", "status": status, "region": region, "error": None}


def like(t, status):
    return {"t": t, "done": t + 0.01, "kind": "like", "status": status, "region": None, "error": None}


def probe(t, status):
    return {"t": t, "done": t + 0.01, "kind": "probe", "status": status, "region": None, "error": None}


def test_rto_is_the_start_of_the_last_run_served_by_a_secondary():
    entries = [page(1, 200, "p"), like(1.1, 200), probe(1.2, 200),
               # break at 2: the primary's load balancer answers 503 from 2.5
               probe(2.5, 503), page(3, 503), like(3.1, 503), page(4, 200, "s"), page(5, 503), page(6, 200, "s"),
               like(6.1, 200), page(7, 200, "s"),
               # failback at 8
               page(9, 200, "p"), like(9.1, 200)]
    summary = drill_stream.analyse_entries(entries, 2, 8, "p", ["s"])
    assert summary["first_secondary_seconds"] == 2  # page at 4
    assert summary["rto_seconds"] == 4               # from the page at 6 on, every page is the secondary's
    assert summary["alb_unhealthy_seconds"] == 0.5
    assert summary["requests"] == 11                 # probes are not requests
    assert summary["failed"] == 3 and summary["failed_during_drill"] == 3
    assert summary["failed_by_kind"] == {"like 503": 1, "page 503": 2}
    assert summary["likes_ok_before_break"] == 1 and summary["likes_ok"] == 3
    assert summary["served_by"] == {"p": 2, "s": 3}


def test_no_rto_when_the_secondary_never_took_everything():
    entries = [page(3, 200, "s"), page(4, 503)]
    summary = drill_stream.analyse_entries(entries, 2, 8, "p", ["s"])
    assert summary["first_secondary_seconds"] == 1 and summary["rto_seconds"] is None


def test_served_by_needs_the_last_pages_and_the_needed_region():
    entries = [page(1, 200, "s"), page(2, 200, "p"), page(3, 200, "p")]
    assert drill_stream.served_by(entries, 0, ["p", "s"], 3)
    assert not drill_stream.served_by(entries, 0, ["p"], 3)
    assert drill_stream.served_by(entries, 1.5, ["p"], 2, need="p")
    assert not drill_stream.served_by(entries, 0, ["p", "s"], 3, need="x")
    assert not drill_stream.served_by(entries, 2.5, ["p"], 2)  # not enough pages yet


def test_svg_timeline_marks_break_failback_and_failures():
    svg = drill_stream.svg_timeline([page(1, 200, "p"), page(3, 503), page(4, 200, "s")], 2, 5, "p", ["s"])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert ">break<" in svg and ">failback<" in svg and svg.count("<circle") == 3 and "#c00" in svg

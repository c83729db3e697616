"""The failover drill's traffic and its analysis (role mysfits.multi_region.drill).

``run``: a steady stream of requests to the front door - ``GET /`` (the application's page names the region
that served it: "Current region: <region>") and ``POST /mysfits/<id>/like`` - one line of JSON per answer
into ``--log``, until ``--stop-file`` exists or ``--max-seconds`` pass. Plain HTTP to a DNS name; the proxy
environment variables (``http_proxy``, ``no_proxy``) are honoured as by any HTTP client.

``--probe URL`` (repeatable) also sends ``GET /`` to each URL every round, logged as ``probe`` entries: the
primary's own load balancer, to time when it stops answering (the ALB turning unhealthy).

``wait``: returns once the last ``--count`` pages sent after ``--after`` were all answered (200) by one of
``--regions``; exits 1 after ``--timeout`` seconds.

``analyse``: reads the log and the drill's times (``--break-at``, ``--failback-at``) and writes a JSON summary:
time from the break to the first page served by a secondary, and to the last page not served by one (RTO), the
failed requests, the likes that succeeded before the break and in all, and an SVG timeline of the answers.
"""
import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

REGION = re.compile(r"Current region:\s*([a-z0-9-]+)")


def _request(url, method, timeout):
    data = b"" if method == "POST" else None
    request = urllib.request.Request(url, method=method, data=data)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler())  # http_proxy / no_proxy of the environment
    try:
        with opener.open(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode("utf-8", "replace"), None
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), None
    except (urllib.error.URLError, OSError) as error:
        return None, "", str(getattr(error, "reason", error))


def run(args):
    base = args.url.rstrip("/")
    started = time.time()
    rounds = [("page", "GET", base + "/"), ("like", "POST", "%s/mysfits/%s/like" % (base, args.mysfit_id))]
    rounds += [("probe", "GET", url.rstrip("/") + "/") for url in args.probe]
    with open(args.log, "a") as log:
        while not os.path.exists(args.stop_file) and time.time() - started < args.max_seconds:
            for kind, method, url in rounds:
                sent = time.time()
                status, body, error = _request(url, method, args.timeout)
                match = REGION.search(body) if kind != "like" else None
                log.write(json.dumps({"t": sent, "done": time.time(), "kind": kind, "status": status,
                                      "region": match.group(1) if match else None, "error": error}) + "\n")
                log.flush()
            time.sleep(args.interval)
    return 0


def served_by(entries, after, regions, count, need=None):
    """True when the last ``count`` pages sent after ``after`` were all answered by one of ``regions`` (and,
    with ``need``, one page after ``after`` by that region)."""
    pages = [e for e in entries if e["kind"] == "page" and e["t"] >= after]
    if need and not any(e["status"] == 200 and e["region"] == need for e in pages):
        return False
    pages = pages[-count:]
    return len(pages) == count and all(e["status"] == 200 and e["region"] in regions for e in pages)


def wait(args):
    regions = [r for r in args.regions.split(",") if r]
    deadline = time.time() + args.timeout
    while time.time() < deadline:
        if os.path.exists(args.log) and served_by(_load(args.log), args.after, regions, args.count, args.need):
            print(json.dumps({"served_by": regions, "at": time.time()}))
            return 0
        time.sleep(0.5)
    print("the last %d pages after %s were not all served by %s within %ss" % (
        args.count, args.after, ", ".join(regions), args.timeout), file=sys.stderr)
    return 1


def _load(path):
    entries = []
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line:
                entries.append(json.loads(line))
    return sorted(entries, key=lambda e: e["t"])


def analyse_entries(entries, break_at, failback_at, primary, secondaries):
    """The drill's figures from the answers (pure: tested in tests/unit).

    Times are seconds from ``break_at``, by the moment a request was sent. ``first_secondary_seconds``: the
    first page after the break answered by a secondary; ``rto_seconds``: the first page of the run of pages,
    lasting until the failback, that were all answered by a secondary (None when there was no such run).
    ``alb_unhealthy_seconds``: the first probe of the primary's load balancer after the break not answered
    200. Probes are not counted among the requests.
    """
    probes = [e for e in entries if e["kind"] == "probe"]
    entries = [e for e in entries if e["kind"] != "probe"]
    pages = [e for e in entries if e["kind"] == "page"]
    during = [e for e in pages if break_at <= e["t"] < failback_at]

    def by_secondary(entry):
        return entry["status"] == 200 and entry["region"] in secondaries
    first_secondary = next((e for e in during if by_secondary(e)), None)
    rto = None
    if during and by_secondary(during[-1]):
        index = len(during) - 1
        while index > 0 and by_secondary(during[index - 1]):
            index -= 1
        rto = during[index]["t"] - break_at
    alb_down = next((p for p in probes if p["t"] >= break_at and p["status"] != 200), None)
    failed = [e for e in entries if e["status"] != 200]
    likes = [e for e in entries if e["kind"] == "like"]

    def rounded(value):
        return round(value, 3) if value is not None else None
    return {
        "requests": len(entries),
        "pages": len(pages),
        "likes_sent": len(likes),
        "failed": len(failed),
        "failed_during_drill": len([e for e in failed if break_at <= e["t"] < failback_at]),
        "failed_outside_drill": len([e for e in failed if not break_at <= e["t"] < failback_at]),
        "failed_by_kind": {"%s %s" % (kind, status): len([e for e in failed if (e["kind"], e["status"]) == (kind, status)])
                           for kind, status in sorted({(e["kind"], e["status"] or 0) for e in failed},
                                                      key=lambda pair: (pair[0], pair[1] or 0))},
        "likes_ok_before_break": len([e for e in likes if e["status"] == 200 and e["done"] < break_at]),
        "likes_ok": len([e for e in likes if e["status"] == 200]),
        "first_secondary_seconds": rounded(first_secondary["t"] - break_at) if first_secondary else None,
        "rto_seconds": rounded(rto),
        "alb_unhealthy_seconds": rounded(alb_down["t"] - break_at) if alb_down else None,
        "served_by": {r: len([e for e in pages if e["status"] == 200 and e["region"] == r])
                      for r in [primary] + list(secondaries)},
        "first_request": entries[0]["t"] if entries else None,
        "last_request": entries[-1]["t"] if entries else None,
    }


def svg_timeline(entries, break_at, failback_at, primary, secondaries, width=760, height=180):
    """An inline SVG: one dot per answer, by time (x) and by who served it (row), failures in red."""
    if not entries:
        return "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='40'></svg>" % width
    rows = [primary] + list(secondaries) + ["failed"]
    start, end = entries[0]["t"], max(entries[-1]["done"], failback_at)
    span = max(end - start, 1.0)
    left, top = 110, 20
    row_height = (height - top - 30) / max(len(rows), 1)

    def x(t):
        return left + (t - start) / span * (width - left - 20)

    parts = ["<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' "
             "font-size='11' role='img' aria-label='drill timeline'>" % (width, height)]
    for i, row in enumerate(rows):
        y = top + (i + 0.5) * row_height
        parts.append("<text x='4' y='%.1f'>%s</text>" % (y + 4, row))
        parts.append("<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/>" % (left, width - 20, y, y))
    for label, moment, colour in (("break", break_at, "#c00"), ("failback", failback_at, "#06c")):
        parts.append("<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' stroke='%s' stroke-dasharray='4'/>"
                     % (x(moment), x(moment), top - 10, height - 25, colour))
        parts.append("<text x='%.1f' y='%d' fill='%s'>%s</text>" % (x(moment) + 3, top - 8, colour, label))
    for entry in entries:
        if entry["kind"] == "probe":
            continue
        if entry["status"] == 200 and entry["kind"] == "page" and entry["region"] in rows:
            row, colour = rows.index(entry["region"]), "#2a2"
        elif entry["status"] == 200:
            continue  # a like that succeeded: its region is not in its answer
        else:
            row, colour = len(rows) - 1, "#c00"
        y = top + (row + 0.5) * row_height
        parts.append("<circle cx='%.1f' cy='%.1f' r='2' fill='%s'/>" % (x(entry["t"]), y, colour))
    parts.append("<text x='%d' y='%d'>seconds from the first request: 0 to %.0f</text>"
                 % (left, height - 8, span))
    parts.append("</svg>")
    return "".join(parts)


def analyse(args):
    entries = _load(args.log)
    secondaries = [s for s in args.secondaries.split(",") if s]
    summary = analyse_entries(entries, args.break_at, args.failback_at, args.primary, secondaries)
    summary["svg"] = svg_timeline(entries, args.break_at, args.failback_at, args.primary, secondaries)
    with open(args.out, "w") as handle:
        json.dump(summary, handle, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != "svg"}))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    one = sub.add_parser("run")
    one.add_argument("--url", required=True)
    one.add_argument("--mysfit-id", required=True)
    one.add_argument("--log", required=True)
    one.add_argument("--stop-file", required=True)
    one.add_argument("--interval", type=float, default=0.2)
    one.add_argument("--timeout", type=float, default=5.0)
    one.add_argument("--max-seconds", type=float, default=900)
    one.add_argument("--probe", action="append", default=[])
    three = sub.add_parser("wait")
    three.add_argument("--log", required=True)
    three.add_argument("--after", type=float, required=True)
    three.add_argument("--regions", required=True)
    three.add_argument("--count", type=int, default=5)
    three.add_argument("--need", default="")
    three.add_argument("--timeout", type=float, default=300)
    two = sub.add_parser("analyse")
    two.add_argument("--log", required=True)
    two.add_argument("--out", required=True)
    two.add_argument("--break-at", type=float, required=True)
    two.add_argument("--failback-at", type=float, required=True)
    two.add_argument("--primary", required=True)
    two.add_argument("--secondaries", required=True)
    args = parser.parse_args(argv)
    return {"run": run, "wait": wait, "analyse": analyse}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

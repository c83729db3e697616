"""``make bench``: how long a converge of the site playbook takes, what a re-run costs, how it scales.

Runs ``playbooks/multi_region.yml`` against its own emulator (tests.emulator.client.EmulatorProcess)
with latency injection (stack create S, replica create R, pipeline run P) and measures, each the
median of ``--runs`` runs with min and max:

* P1 critical path: converge wall / (max(S, R) + P + no-op wall); target <= 1.10. Also the
  sequential figure S + R + P + no-op for comparison.
* P2 re-run cost (readiness left out, its own calls reported apart): control-plane mutating calls
  (target 0), read calls per region (target <= 12), no-op wall / wall of ``benchmarks/ping.yml``
  on the same hosts.
* P3 scaling: converge wall with 4 secondary regions / with 1 (reported), and against its floor
  max(S + P, 4R) + no-op of 4 (AWS adds replicas one at a time); target <= 1.10.
* P5 drift-check cost: no-op re-run wall / ``benchmarks/ping.yml`` wall on the same hosts (in each run both are
  the median of three, run interleaved); target <= 5.
* P4 check mode: ``--check`` wall (on the fresh primary, before the converge) / no-op wall;
  target <= 1.0, with zero mutating calls.
* The API calls of a first converge by service and operation; which are polling, and the gaps
  between polls (backoff, never a fixed tight loop).

Writes ``docs/benchmarks.md`` (keeps its hand-written part below the marker line) and
``benchmarks/results/<label>.json``. Never asserts a time in a test; exits 1 when a target is
missed (2 when a playbook run failed), so it can be watched.
"""
import argparse
import collections
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from tests.emulator.client import EmulatorProcess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
SITE = "playbooks/multi_region.yml"
FIXTURE = "tests/fixture/primary.yml"
PING = "benchmarks/ping.yml"
# The no-op re-run and the ping playbook are each run this many times, interleaved (no-op, ping, no-op, ...): the
# two sides of P5 are taken under the same machine conditions, and each is the median of its samples. One sample
# of either varied by a quarter or more between runs on the same machine (the no-op's own CPU time too).
SAMPLES = 3
INVENTORY_1 = ["-i", "inventory/regions.yml"]
INVENTORY_4 = ["-i", "inventory/regions.yml", "-i", "benchmarks/inventory/four_secondaries.yml"]
DOC = "docs/benchmarks.md"
MARKER = "<!-- Everything below this line is hand-written; benchmarks/run.py keeps it. -->"

# Latencies for building the fixture (not measured) and for everything not under test.
FAST = {"stack_create_seconds": 0.5, "stack_update_seconds": 0.5, "stack_delete_seconds": 0.5,
        "replica_create_seconds": 0.5, "replica_delete_seconds": 0.5, "table_update_seconds": 0.2,
        "pipeline_run_seconds": 0.5}
# P3 is judged against its physical floor (AWS adds a table's replicas one at a time, so converge 4 / converge 1
# cannot reach 1.25 with R large); P5: a no-op re-run used as a scheduled drift check must be cheap.
TARGETS = {"p1": 1.10, "p2_mutating": 0, "p2_reads": 12, "p3_vs_floor": 1.10, "p4": 1.0, "p4_mutating": 0,
           "p5": 5.0}
# Reads that report the state of a long operation: repeated in a converge, they are polling.
STATUS_READS = {
    ("cloudformation", "DescribeStacks"), ("cloudformation", "DescribeStackEvents"),
    ("cloudformation", "DescribeChangeSet"), ("dynamodb", "DescribeTable"),
    ("codepipeline", "GetPipelineExecution"), ("codepipeline", "ListPipelineExecutions"),
    ("codepipeline", "GetPipelineState"),
}


def log(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.logdir = tempfile.mkdtemp(prefix="bench-logs-")
        self.emulator = None
        self.failures = []

    # ------------------------------------------------------------------ running
    def env(self):
        env = dict(os.environ, **self.emulator.env())
        env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
        env["PYTHONPATH"] = ROOT
        env["ANSIBLE_CONFIG"] = os.path.join(ROOT, "ansible.cfg")
        env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
        return env

    def playbook(self, name, args):
        """Run ansible-playbook; return rc, wall seconds and the calls the emulator answered meanwhile."""
        client = self.emulator.client
        since = client.last_seq()
        path = os.path.join(self.logdir, "%s.log" % name)
        cmd = [os.path.join(BIN, "ansible-playbook")] + args
        start = time.monotonic()
        with open(path, "w") as out:
            rc = subprocess.call(cmd, cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT)
        wall = time.monotonic() - start
        calls = client.calls(since)
        log("%-22s rc=%d %6.1f s %4d calls" % (name, rc, wall, len(calls)))
        if rc != 0:
            self.failures.append({"run": name, "rc": rc, "log": path, "tail": tail(path)})
        return {"rc": rc, "wall": wall, "calls": calls, "log": path}

    def fresh_primary(self, name):
        """A blank account holding only the primary region (fast latencies), then the measured latencies."""
        client = self.emulator.client
        client.reset()
        client.set_timing(**FAST)
        result = self.playbook(name, [FIXTURE])
        if result["rc"] != 0:
            raise SystemExit("the fixture failed; log %s:\n%s" % (result["log"], tail(result["log"])))
        client.set_timing(**self.timing())
        return result

    def timing(self):
        return {"stack_create_seconds": self.args.stack, "replica_create_seconds": self.args.replica,
                "pipeline_run_seconds": self.args.pipeline}

    def one_run(self, i):
        site_1 = INVENTORY_1 + [SITE, "--skip-tags", "readiness"]
        site_4 = INVENTORY_4 + [SITE, "--skip-tags", "readiness"]
        run = {}
        self.fresh_primary("fixture-1-run%d" % i)
        run["check"] = self.playbook("check-1-run%d" % i, site_1 + ["--check"])
        run["converge"] = self.playbook("converge-1-run%d" % i, site_1)
        noops, pings = [], []
        for k in range(SAMPLES):
            noops.append(self.playbook("noop-1-run%d-%d" % (i, k), site_1))
            pings.append(self.playbook("ping-1-run%d-%d" % (i, k), INVENTORY_1 + [PING]))
        run["noop"] = median_sample(noops)
        run["ping"] = median_sample(pings)
        run["readiness"] = self.playbook("readiness-1-run%d" % i, INVENTORY_1 + [SITE, "--tags", "readiness"])
        self.fresh_primary("fixture-4-run%d" % i)
        run["converge4"] = self.playbook("converge-4-run%d" % i, site_4)
        if self.args.noop4:
            run["noop4"] = self.playbook("noop-4-run%d" % i, site_4)
        return run

    def main(self):
        started = time.monotonic()
        self.emulator = EmulatorProcess(timing=FAST, log_path=os.path.join(self.logdir, "emulator.log"))
        self.emulator.start()
        log("emulator %s, logs in %s" % (self.emulator.endpoint, self.logdir))
        runs = []
        try:
            for i in range(1, self.args.runs + 1):
                runs.append(self.one_run(i))
        finally:
            self.emulator.stop()
        duration = time.monotonic() - started
        results = summarise(runs, self.args)
        results["machine"] = machine()
        results["versions"] = versions()
        results["latencies"] = dict(FAST, **self.timing())
        results["bench_seconds"] = duration
        results["label"] = self.args.label
        results["date"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        results["failures"] = [{k: v for k, v in f.items() if k != "log"} for f in self.failures]
        os.makedirs(os.path.join(ROOT, "benchmarks", "results"), exist_ok=True)
        with open(os.path.join(ROOT, "benchmarks", "results", "%s.json" % self.args.label), "w") as out:
            json.dump(results, out, indent=1, sort_keys=True)
        baseline = None
        if self.args.baseline and self.args.baseline != self.args.label:
            path = os.path.join(ROOT, "benchmarks", "results", "%s.json" % self.args.baseline)
            if os.path.exists(path):
                with open(path) as handle:
                    baseline = json.load(handle)
        write_doc(os.path.join(ROOT, self.args.doc), results, baseline)
        log("wrote %s in %.0f s" % (self.args.doc, duration))
        for line in verdict_lines(results):
            log(line)
        if any(f["run"].startswith(("converge", "noop", "check")) for f in self.failures):
            for failure in self.failures:
                log("FAILED %s (rc %d), log %s:\n%s" % (failure["run"], failure["rc"], failure["log"], failure["tail"]))
            return 2
        return 0 if all(t["pass"] for t in results["targets"]) else 1


def tail(path, lines=25):
    with open(path, errors="replace") as handle:
        return "".join(handle.readlines()[-lines:])


# ---------------------------------------------------------------------- analysis
def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def by_region(calls, predicate):
    counts = collections.Counter(c["region"] or "global" for c in calls if predicate(c))
    return dict(sorted(counts.items()))


def is_read(call):
    return not call["mutating"]


def is_mutating_control(call):
    return call["mutating"] and call["plane"] == "control"


def operations(calls):
    table = collections.Counter((c["service"], c["operation"], c["region"] or "global", c["mutating"]) for c in calls)
    return [{"service": s, "operation": o, "region": r, "mutating": m, "count": n}
            for (s, o, r, m), n in sorted(table.items())]


def polling(converge_calls, noop_calls):
    """Status reads a converge makes beyond those of a no-op run (which waits for nothing): the polls.

    For every (region, service, operation) of a status read, the gaps between its calls. Four or more
    consecutive gaps under 10 s within 10 % of each other are a fixed tight loop (no backoff); a backoff
    grows every gap (1.5 times) or has reached its cap of 10 s or more.
    """
    noop = collections.Counter((c["region"], c["service"], c["operation"]) for c in noop_calls)
    series = collections.defaultdict(list)
    for call in converge_calls:
        if (call["service"], call["operation"]) in STATUS_READS:
            series[(call["region"], call["service"], call["operation"])].append(call["time"])
    out = []
    for key, times in sorted(series.items()):
        polls = max(0, len(times) - noop.get(key, 0))
        if polls == 0:
            continue
        gaps = [round(b - a, 1) for a, b in zip(times, times[1:])]
        fixed = fixed_loop(gaps)
        out.append({"region": key[0], "service": key[1], "operation": key[2], "calls": len(times),
                    "polls": polls, "gaps": gaps, "fixed_interval": fixed})
    return out


def fixed_loop(gaps, length=4, tolerance=0.10, tight=10.0):
    """The interval of the first run of ``length`` consecutive near-equal gaps under ``tight`` s, or None."""
    for i in range(len(gaps) - length + 1):
        window = gaps[i:i + length]
        if min(window) >= 0.5 and max(window) < tight and max(window) <= (1 + tolerance) * min(window):
            return round(statistics.median(window), 1)
    return None


def median_sample(samples):
    """The sample of median wall time, with every sample's wall and calls kept (the call counts of a no-op are
    judged on its worst sample) and the worst exit code."""
    ordered = sorted(samples, key=lambda x: x["wall"])
    return dict(ordered[len(ordered) // 2], walls=[x["wall"] for x in samples], rc=max(x["rc"] for x in samples),
                samples_calls=[x["calls"] for x in samples])


def worst_reads(sample):
    """Read calls per region of the sample's worst run (each region's largest count)."""
    out = {}
    for calls in sample.get("samples_calls") or [sample["calls"]]:
        for region, count in by_region(calls, is_read).items():
            out[region] = max(out.get(region, 0), count)
    return out


def worst_count(sample, predicate):
    return max(sum(1 for c in calls if predicate(c)) for calls in sample.get("samples_calls") or [sample["calls"]])


def summarise(runs, args):
    s, r, p = args.stack, args.replica, args.pipeline
    res = {"runs": len(runs), "per_run": []}
    p1, seq, p2w, p3, p3floor, p3best, p4 = [], [], [], [], [], [], []
    for run in runs:
        conv, noop, check, ping, conv4 = (run[k]["wall"] for k in ("converge", "noop", "check", "ping", "converge4"))
        floor = max(s, r) + p + noop
        p1.append(conv / floor)
        seq.append(s + r + p + noop)
        p2w.append(noop / ping)
        p3.append(conv4 / conv)
        noop4 = run["noop4"]["wall"] if "noop4" in run else noop
        # DynamoDB adds replicas one at a time (4R), and the site playbook overlaps that chain with the stacks
        # and the pipeline run (S + P): the 4-secondary converge cannot be shorter than max(S + P, 4R) + no-op.
        floor4 = max(s + p, 4 * r) + noop4
        p3floor.append(conv4 / floor4)
        p3best.append(floor4 / floor)
        p4.append(check / noop)
        res["per_run"].append({
            "converge": conv, "noop": noop, "check": check, "ping": ping, "converge4": conv4,
            "noop4": run["noop4"]["wall"] if "noop4" in run else None,
            "readiness": run["readiness"]["wall"], "floor": floor,
            "rc": {k: v["rc"] for k, v in run.items()},
            "noop_walls": run["noop"].get("walls"), "ping_walls": run["ping"].get("walls"),
            "noop_mutating_control": worst_count(run["noop"], is_mutating_control),
            "noop_mutating_data": worst_count(run["noop"], lambda c: c["mutating"] and c["plane"] == "data"),
            "noop_reads": worst_reads(run["noop"]),
            "noop4_reads": by_region(run["noop4"]["calls"], is_read) if "noop4" in run else None,
            "check_mutating": sum(1 for c in run["check"]["calls"] if c["mutating"]),
            "readiness_reads": by_region(run["readiness"]["calls"], is_read),
            "readiness_mutating_control": sum(1 for c in run["readiness"]["calls"] if is_mutating_control(c)),
            "readiness_mutating_data": sum(1 for c in run["readiness"]["calls"] if c["mutating"] and c["plane"] == "data"),
            "converge_calls": len(run["converge"]["calls"]),
            "converge4_calls": len(run["converge4"]["calls"]),
        })
    per = res["per_run"]
    res["converge"] = stats([x["converge"] for x in per])
    res["noop"] = stats([x["noop"] for x in per])
    res["check"] = stats([x["check"] for x in per])
    res["ping"] = stats([x["ping"] for x in per])
    res["converge4"] = stats([x["converge4"] for x in per])
    res["noop4"] = stats([x["noop4"] for x in per])
    res["readiness"] = stats([x["readiness"] for x in per])
    res["p1"] = stats(p1)
    res["sequential"] = stats(seq)
    res["p2_wall_ratio"] = stats(p2w)
    res["p3"] = stats(p3)
    res["p3_vs_floor"] = stats(p3floor)
    res["p3_best"] = stats(p3best)
    res["p4"] = stats(p4)
    regions = sorted({region for x in per for region in x["noop_reads"]})
    res["p2_reads"] = {region: stats([x["noop_reads"].get(region, 0) for x in per]) for region in regions}
    if any(x["noop4_reads"] for x in per):
        regions4 = sorted({region for x in per for region in (x["noop4_reads"] or {})})
        res["p2_reads_4"] = {region: stats([(x["noop4_reads"] or {}).get(region, 0) for x in per])
                             for region in regions4}
    res["p2_mutating"] = stats([x["noop_mutating_control"] for x in per])
    res["p2_mutating_data"] = stats([x["noop_mutating_data"] for x in per])
    res["p4_mutating"] = stats([x["check_mutating"] for x in per])
    first = runs[0]
    res["first_converge_operations"] = operations(first["converge"]["calls"])
    res["first_converge_polling"] = polling(first["converge"]["calls"], first["noop"]["calls"])
    res["readiness_operations"] = operations(first["readiness"]["calls"])
    res["noop_operations"] = operations(first["noop"]["calls"])
    res["first_converge4_polling"] = polling(first["converge4"]["calls"],
                                             first["noop4"]["calls"] if "noop4" in first else [])
    fixed = [x for x in res["first_converge_polling"] + res["first_converge4_polling"] if x["fixed_interval"]]
    max_reads = max((v["max"] for v in res["p2_reads"].values()), default=0)
    res["targets"] = [
        target("P1 critical path (converge / (max(S,R) + P + no-op))", res["p1"]["median"], "<= %.2f" % TARGETS["p1"],
               res["p1"]["median"] <= TARGETS["p1"]),
        target("P2 mutating control-plane calls of a no-op run", res["p2_mutating"]["max"], "= 0",
               res["p2_mutating"]["max"] == 0),
        target("P2 read calls per region of a no-op run (largest region, worst run)", max_reads,
               "<= %d" % TARGETS["p2_reads"], max_reads <= TARGETS["p2_reads"]),
        target("P3 scaling vs its floor (converge 4 / (max(S + P, 4R) + no-op 4))", res["p3_vs_floor"]["median"],
               "<= %.2f" % TARGETS["p3_vs_floor"], res["p3_vs_floor"]["median"] <= TARGETS["p3_vs_floor"]),
        target("P4 check mode (check / no-op)", res["p4"]["median"], "<= %.2f" % TARGETS["p4"],
               res["p4"]["median"] <= TARGETS["p4"]),
        target("P4 mutating calls in check mode", res["p4_mutating"]["max"], "= 0", res["p4_mutating"]["max"] == 0),
        target("P5 no-op re-run / ansible.builtin.ping on the same hosts", res["p2_wall_ratio"]["median"],
               "<= %.1f" % TARGETS["p5"], res["p2_wall_ratio"]["median"] <= TARGETS["p5"]),
        target("Polling backs off (status-read series in a fixed tight loop)", len(fixed), "= 0", not fixed),
    ]
    return res


def target(name, value, goal, ok):
    return {"name": name, "value": value, "goal": goal, "pass": bool(ok)}


# ---------------------------------------------------------------------- environment
def machine():
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as handle:
            models = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        info["cpu"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def versions():
    out = {}
    try:
        from importlib.metadata import version
        for dist in ("ansible-core", "ansible", "boto3", "botocore", "moto"):
            try:
                out[dist] = version(dist)
            except Exception:  # noqa: BLE001 - a missing distribution is reported as such
                out[dist] = "not installed"
    except ImportError:
        pass
    import sysconfig
    site = sysconfig.get_paths()["purelib"]
    for collection in ("amazon/aws", "community/aws"):
        manifest = os.path.join(site, "ansible_collections", collection, "MANIFEST.json")
        try:
            with open(manifest) as handle:
                out[collection.replace("/", ".")] = json.load(handle)["collection_info"]["version"]
        except (OSError, KeyError, ValueError):
            out[collection.replace("/", ".")] = "unknown"
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        match = re.search(r"^version:\s*(\S+)", handle.read(), re.M)
        out["mysfits.multi_region"] = match.group(1) if match else "unknown"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
                               check=False).stdout.strip()
        out["checkout"] = commit + (" + uncommitted changes" if dirty else "")
    except OSError:
        pass
    return out


# ---------------------------------------------------------------------- report
def fmt(st, unit="", digits=2):
    if st is None:
        return "n/a"
    f = "%%.%df%s" % (digits, unit)
    return "%s (min %s, max %s)" % (f % st["median"], f % st["min"], f % st["max"])


def verdict_lines(res):
    return ["%s %s: %s (target %s)" % ("PASS" if t["pass"] else "MISS", t["name"],
                                       ("%.2f" % t["value"]) if isinstance(t["value"], float) else t["value"], t["goal"])
            for t in res["targets"]]


def operations_table(w, ops):
    """A Markdown table of ``operations()`` rows."""
    w("| service | operation | region | mutating | calls |")
    w("| --- | --- | --- | --- | --- |")
    for o in ops:
        w("| %s | %s | %s | %s | %d |" % (o["service"], o["operation"], o["region"], "yes" if o["mutating"] else "",
                                        o["count"]))


def write_doc(path, res, baseline):
    lat = res["latencies"]
    s, r, p = lat["stack_create_seconds"], lat["replica_create_seconds"], lat["pipeline_run_seconds"]
    m, v = res["machine"], res["versions"]
    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("Written by `make bench` (`benchmarks/run.py`) on %s, label `%s`; the part below the marker line "
      "at the end is hand-written. Every figure is the median of %d runs, with min and max. The benchmark "
      "never asserts a time in a test; it exits non-zero when a target is missed." % (res["date"], res["label"], res["runs"]))
    w("")
    w("## Machine and versions")
    w("")
    w("| | |")
    w("| --- | --- |")
    w("| CPUs (nproc) | %s |" % m.get("nproc"))
    w("| CPU model | %s |" % m.get("cpu"))
    w("| memory | %s GiB |" % m.get("memory_gib"))
    w("| load average at the end (1, 5, 15 min) | %s |" % ", ".join(str(x) for x in m.get("load_average", [])))
    w("| platform | %s, Python %s |" % (m.get("platform"), m.get("python")))
    for key in ("ansible", "ansible-core", "amazon.aws", "community.aws", "boto3", "botocore", "moto",
                "mysfits.multi_region", "checkout"):
        w("| %s | %s |" % (key, v.get(key)))
    w("| duration of this `make bench` | %.0f s |" % res["bench_seconds"])
    w("")
    w("## Latencies (emulator)")
    w("")
    w("The primary region is built with fast latencies (`tests/fixture/primary.yml`), then the emulator's "
      "latencies are set for the measured runs: stack create **S = %gs**, replica create **R = %gs**, "
      "pipeline run **P = %gs** (others: stack update %gs, table update %gs, replica delete %gs)."
      % (s, r, p, lat["stack_update_seconds"], lat["table_update_seconds"], lat["replica_delete_seconds"]))
    w("")
    w("Runs, each on a blank emulator account: the fixture; `--check` (P4, on the fresh primary); the "
      "converge; the no-op re-run and `benchmarks/ping.yml`, three times each, interleaved (no-op, ping, no-op, "
      "...; each figure is the median of its three, the no-op's call counts those of its worst sample); the "
      "readiness plays alone (`--tags readiness`); "
      "then again the fixture and the converge with four secondary regions "
      "(`benchmarks/inventory/four_secondaries.yml`)%s. Converge, no-op and check runs leave the readiness "
      "checks out (`--skip-tags readiness`)." % (" and its no-op re-run" if res.get("noop4") else ""))
    w("")
    w("## Targets")
    w("")
    w("| figure | value | target | |")
    w("| --- | --- | --- | --- |")
    for t in res["targets"]:
        value = ("%.2f" % t["value"]) if isinstance(t["value"], float) else str(t["value"])
        w("| %s | %s | %s | %s |" % (t["name"], value, t["goal"], "pass" if t["pass"] else "**MISS**"))
    w("")
    w("## Figures")
    w("")
    w("| figure | median (min, max) |")
    w("| --- | --- |")
    w("| converge, 1 secondary | %s |" % fmt(res["converge"], " s", 1))
    w("| no-op re-run, 1 secondary | %s |" % fmt(res["noop"], " s", 1))
    w("| P1 floor max(S,R) + P + no-op | %s |" % fmt(stats([x["floor"] for x in res["per_run"]]), " s", 1))
    w("| **P1** converge / floor | %s |" % fmt(res["p1"]))
    w("| sequential S + R + P + no-op (by hand, one after the other) | %s |" % fmt(res["sequential"], " s", 1))
    w("| converge / sequential | %s |" % fmt(stats([x["converge"] / (s + r + p + x["noop"]) for x in res["per_run"]])))
    w("| `ansible.builtin.ping` on the same hosts | %s |" % fmt(res["ping"], " s", 1))
    w("| **P2** no-op / ping | %s |" % fmt(res["p2_wall_ratio"]))
    w("| **P2** mutating control-plane calls of a no-op | %s |" % fmt(res["p2_mutating"], "", 0))
    w("| P2 mutating data-plane calls of a no-op (item writes) | %s |" % fmt(res["p2_mutating_data"], "", 0))
    for region, st in res["p2_reads"].items():
        w("| **P2** read calls of a no-op in %s | %s |" % (region, fmt(st, "", 0)))
    for region, st in (res.get("p2_reads_4") or {}).items():
        w("| P2 read calls of a no-op with 4 secondaries in %s | %s |" % (region, fmt(st, "", 0)))
    w("| converge, 4 secondaries | %s |" % fmt(res["converge4"], " s", 1))
    if res.get("noop4"):
        w("| no-op re-run, 4 secondaries | %s |" % fmt(res["noop4"], " s", 1))
    w("| **P3** converge 4 / converge 1 | %s |" % fmt(res["p3"]))
    w("| P3 converge 4 / its floor max(S + P, 4R) + no-op 4 (replicas are created one at a time) | %s |"
      % fmt(res["p3_vs_floor"]))
    w("| best P3 these latencies allow: (max(S + P, 4R) + no-op 4) / (max(S, R) + P + no-op) | %s |"
      % fmt(res.get("p3_best")))
    w("| `--check` on the fresh primary | %s |" % fmt(res["check"], " s", 1))
    w("| **P4** check / no-op | %s |" % fmt(res["p4"]))
    w("| **P4** mutating calls in check mode (all planes) | %s |" % fmt(res["p4_mutating"], "", 0))
    w("| readiness plays alone (`--tags readiness`) | %s |" % fmt(res["readiness"], " s", 1))
    w("")
    w("Per run (seconds):")
    w("")
    w("| run | converge | no-op | check | ping | converge 4 | readiness | exit codes |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for i, x in enumerate(res["per_run"], 1):
        w("| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s |" % (
            i, x["converge"], x["noop"], x["check"], x["ping"], x["converge4"], x["readiness"],
            ", ".join("%s %d" % kv for kv in sorted(x["rc"].items()))))
    w("")
    if res["failures"]:
        w("Failed playbook runs: %s." % ", ".join("%s (rc %d)" % (f["run"], f["rc"]) for f in res["failures"]))
        w("")
    w("## API calls")
    w("")
    w("### First converge (1 secondary), by service and operation")
    w("")
    total = sum(o["count"] for o in res["first_converge_operations"])
    polls = sum(x["polls"] for x in res["first_converge_polling"])
    w("%d calls, of which %d are polling (status reads beyond those of the no-op run)." % (total, polls))
    w("")
    operations_table(w, res["first_converge_operations"])
    w("")
    w("### Polling and the gaps between polls")
    w("")
    w("Gaps in seconds between consecutive calls of the same status read (the first gaps may separate "
      "one-off reads of other tasks from the wait). *fixed* marks four or more consecutive gaps under 10 s "
      "within 10 % of each other: a fixed tight loop, no backoff.")
    w("")
    w("| converge | region | service | operation | calls | polls | gaps (s) | |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, rows in (("1 secondary", res["first_converge_polling"]), ("4 secondaries", res["first_converge4_polling"])):
        for x in rows:
            w("| %s | %s | %s | %s | %d | %d | %s | %s |" % (label, x["region"], x["service"], x["operation"],
                                                           x["calls"], x["polls"], ", ".join(str(g) for g in x["gaps"]),
                                                           ("**fixed %s s**" % x["fixed_interval"]) if x["fixed_interval"] else "backoff"))
    w("")
    w("### No-op re-run (first run), by service and operation")
    w("")
    operations_table(w, res["noop_operations"])
    w("")
    w("### Readiness checks (reported apart)")
    w("")
    ready = res["per_run"][0]
    w("Reads per region: %s; mutating control-plane calls: %d; item writes (canary): %d." % (
        ", ".join("%s %d" % kv for kv in ready["readiness_reads"].items()) or "none",
        ready["readiness_mutating_control"], ready["readiness_mutating_data"]))
    w("")
    operations_table(w, res["readiness_operations"])
    w("")
    if baseline:
        w("## Before and after (`%s` → `%s`)" % (baseline["label"], res["label"]))
        w("")
        w("Baseline measured on %s (checkout %s); same latencies unless stated." % (
            baseline["date"], baseline["versions"].get("checkout")))
        w("")
        w("| figure | %s | %s |" % (baseline["label"], res["label"]))
        w("| --- | --- | --- |")
        for key, name, unit, digits in (("converge", "converge, 1 secondary", " s", 1), ("noop", "no-op", " s", 1),
                                        ("p1", "P1", "", 2), ("p2_wall_ratio", "P2 no-op / ping", "", 2),
                                        ("p2_mutating", "P2 mutating control calls", "", 0),
                                        ("converge4", "converge, 4 secondaries", " s", 1), ("p3", "P3", "", 2),
                                        ("p3_vs_floor", "P3 vs its floor", "", 2),
                                        ("check", "check", " s", 1), ("p4", "P4", "", 2)):
            w("| %s | %s | %s |" % (name, fmt(baseline.get(key), unit, digits), fmt(res.get(key), unit, digits)))
        for region in sorted(set(baseline.get("p2_reads", {})) | set(res["p2_reads"])):
            w("| P2 reads in %s | %s | %s |" % (region, fmt(baseline.get("p2_reads", {}).get(region), "", 0),
                                              fmt(res["p2_reads"].get(region), "", 0)))
        w("| polls in the first converge (1 / 4 secondaries) | %d / %d | %d / %d |" % (
            sum(x["polls"] for x in baseline["first_converge_polling"]),
            sum(x["polls"] for x in baseline["first_converge4_polling"]),
            sum(x["polls"] for x in res["first_converge_polling"]),
            sum(x["polls"] for x in res["first_converge4_polling"])))
        w("")
        for t0 in baseline["targets"]:
            t1 = next((t for t in res["targets"] if t["name"] == t0["name"]), None)
            if t1:
                w("- %s: %s → %s" % (t0["name"], "pass" if t0["pass"] else "miss", "pass" if t1["pass"] else "miss"))
        w("")
    hand = ""
    if os.path.exists(path):
        with open(path) as handle:
            text = handle.read()
        if MARKER in text:
            hand = text.split(MARKER, 1)[1]
    if not hand.strip():
        hand = "\n\n## What changed\n\n(hand-written: causes of missed targets and what was changed)\n"
    with open(path, "w") as handle:
        handle.write("\n".join(out) + "\n" + MARKER + hand)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (>= 3 for the report)")
    parser.add_argument("--stack", type=float, default=30.0, help="S: stack create seconds")
    parser.add_argument("--replica", type=float, default=20.0, help="R: replica create seconds")
    parser.add_argument("--pipeline", type=float, default=10.0, help="P: pipeline run seconds")
    parser.add_argument("--no-noop4", dest="noop4", action="store_false",
                        help="skip the no-op run with 4 secondaries (its wall time is the P3 floor's no-op)")
    parser.add_argument("--label", default="latest", help="results go to benchmarks/results/<label>.json")
    parser.add_argument("--baseline", default="before", help="results label to compare with (before/after table)")
    parser.add_argument("--doc", default=DOC)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    if shutil.which("ansible-playbook", path=BIN) is None:
        parser.error("no ansible-playbook beside %s; run make venv" % sys.executable)
    return Bench(args).main()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Turns JMH JSON results of DecisionBenchmark into a markdown table.

Usage: jmh_table.py [--out FILE] [--header FILE] RESULT.json [RESULT.json ...]

One row per (keys, load, threads). Throughput is in millions of decisions per second with
JMH's 99.9 % confidence half-width; B/op is gc.alloc.rate.norm (needs -prof gc); the denied
fraction is denied/calls from the Cursor aux counters, over all five implementations.
"""
import json
import sys

PEERS = ["bucket4j", "guava", "resilience4j"]
NAMES = {"sluice": "Sluice", "sluiceDecision": "Sluice Decision API", "sluiceHierarchy": "Sluice hierarchy", "bucket4j": "Bucket4j",
         "guava": "Guava", "resilience4j": "Resilience4j"}
KEY_ORDER = {"hot": 0, "zipf": 1}
LOAD_ORDER = {"allowed": 0, "halfDenied": 1}


def load(paths):
    cells = {}
    for path in paths:
        with open(path) as f:
            for r in json.load(f):
                if ".DecisionBenchmark." not in r["benchmark"]:
                    continue
                impl = r["benchmark"].rsplit(".", 1)[1]
                p = r.get("params", {})
                row = (p.get("keys"), p.get("load"), r["threads"])
                sec = r.get("secondaryMetrics", {})
                pm = r["primaryMetric"]
                err = pm.get("scoreError")
                cells.setdefault(row, {})[impl] = {
                    "ops": pm["score"],
                    "err": err if isinstance(err, (int, float)) and err == err else None,
                    "bop": sec.get("gc.alloc.rate.norm", {}).get("score"),
                    "calls": sec.get("calls", {}).get("score"),
                    "denied": sec.get("denied", {}).get("score"),
                }
    return cells


def mops(c):
    if c is None:
        return "–"
    s = "%.2f" % (c["ops"] / 1e6)
    if c["err"] is not None:
        s += " ± %.2f" % (c["err"] / 1e6)
    return s


def bop(c):
    if c is None or c["bop"] is None:
        return "–"
    v = c["bop"]
    return "0" if v < 0.5 else "%.0f" % v


def denied(cs):
    fr = [c["denied"] / c["calls"] for c in cs.values() if c.get("calls")]
    if not fr:
        return "–"
    lo, hi = min(fr), max(fr)
    return "%.3f" % lo if hi - lo < 0.0005 else "%.3f–%.3f" % (lo, hi)


def ratio(c, peers):
    present = [(p, peers[p]) for p in PEERS if peers.get(p)]
    if c is None or not present:
        return "–"
    best_name, best = max(present, key=lambda kv: kv[1]["ops"])
    return "%.2f× (%s)" % (c["ops"] / best["ops"], NAMES[best_name])


def table(cells):
    head = ["keys", "load", "threads", "Sluice", "Bucket4j", "Guava", "Resilience4j",
            "Sluice ÷ fastest peer", "Sluice B/op", "B/op Bucket4j / Guava / R4j",
            "denied", "Sluice hierarchy", "hierarchy ÷ fastest peer", "hierarchy B/op",
            "Sluice Decision API", "Decision ÷ fastest peer", "Decision B/op"]
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join(["---"] * 3 + ["---:"] * (len(head) - 3)) + "|"]
    rows = sorted(cells, key=lambda k: (KEY_ORDER.get(k[0], 9), LOAD_ORDER.get(k[1], 9), k[2]))
    for row in rows:
        cs = cells[row]
        s, h, d = cs.get("sluice"), cs.get("sluiceHierarchy"), cs.get("sluiceDecision")
        out.append("| " + " | ".join([
            str(row[0]), str(row[1]), str(row[2]),
            mops(s), mops(cs.get("bucket4j")), mops(cs.get("guava")), mops(cs.get("resilience4j")),
            ratio(s, cs), bop(s), " / ".join(bop(cs.get(p)) for p in PEERS),
            denied(cs), mops(h), ratio(h, cs), bop(h), mops(d), ratio(d, cs), bop(d)]) + " |")
    return "\n".join(out)


def main(argv):
    out = header = None
    paths = []
    i = 0
    while i < len(argv):
        if argv[i] == "--out":
            out = argv[i + 1]
            i += 2
        elif argv[i] == "--header":
            header = argv[i + 1]
            i += 2
        else:
            paths.append(argv[i])
            i += 1
    if not paths:
        sys.exit(__doc__)
    text = table(load(paths))
    note = ("\nDecisions/s in millions (± JMH 99.9 % CI half-width); B/op = gc.alloc.rate.norm; "
            "denied = denied/calls over the implementations in the row (a range if they differ).\n")
    doc = (open(header).read() if header else "") + text + "\n" + note
    print(doc)
    if out:
        with open(out, "w") as f:
            f.write(doc)


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/env python3
"""Fails (exit 1) when a Sluice benchmark that must not allocate reports allocation under -prof gc.

Usage: jmh_alloc_gate.py RESULT.json [RESULT.json ...]

Checks gc.alloc.rate.norm (bytes per operation) of DecisionBenchmark.sluice and
DecisionBenchmark.sluiceHierarchy, the allocation-free API (Limiter.tryConsume). JMH's own
accounting leaves a few thousandths of a byte per operation on an allocation-free benchmark
(0.0002-0.003 B/op in bench/results), so the limit is 0.5 B/op: anything that rounds to 0 B/op
passes, and one allocated object per decision (>= 16 B) or per 32 decisions fails.
sluiceDecision (Limiter.tryAcquire, which returns a Decision) is reported but not gated.
A result without gc.alloc.rate.norm (run without -prof gc) fails too.
"""
import json
import sys

GATED = ("sluice", "sluiceHierarchy")
LIMIT = 0.5


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    failures = []
    checked = 0
    for path in paths:
        with open(path) as f:
            for r in json.load(f):
                if ".DecisionBenchmark." not in r["benchmark"]:
                    continue
                impl = r["benchmark"].rsplit(".", 1)[1]
                if impl not in GATED:
                    continue
                p = r.get("params", {})
                cell = f"{impl} keys={p.get('keys')} load={p.get('load')} threads={r['threads']}"
                norm = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
                checked += 1
                if norm is None:
                    failures.append(f"{cell}: no gc.alloc.rate.norm (expected: a run with -prof gc)")
                elif norm >= LIMIT:
                    failures.append(f"{cell}: {norm:.3f} B/op (expected: < {LIMIT} B/op)")
    for line in failures:
        print("allocation gate: " + line, file=sys.stderr)
    if failures:
        return 1
    print(f"allocation gate: {checked} Sluice cells at 0 B/op (< {LIMIT})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

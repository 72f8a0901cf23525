#!/usr/bin/env python3
"""Derives data/nasa-http-1995-07.counts.gz from the NASA-HTTP per-second workload file.

Input: workload.tbz2 from reconfigurable-ml-pipeline/web-service-datasets at commit
7404ad6643602943511e75ab3095fb1ccc990fd1 (dataset/nasa/workload.tbz2): one archive member,
workload.txt, holding the requests per second of the July and August 1995 NASA-HTTP logs, both
months one after the other, separated by spaces.

Output: the July log's part only (the first 2,381,550 counts), one integer per line, gzip -9
with no name or time stamp in the header, so the same input gives the same bytes.

Usage: python3 data/derive-nasa-counts.py [WORKLOAD_TBZ2] [OUT]
  (defaults: ../shared/data/nasa/workload.tbz2 beside the clone, data/nasa-http-1995-07.counts.gz)
"""
import gzip
import hashlib
import os
import sys
import tarfile

INPUT_SHA256 = "7fa62292d993dde1f278eaa039b50860203a86fbc93a8f92150a548191be4ded"
JULY_SECONDS = 2_381_550      # the July log's seconds; the August log's first second follows
JULY_REQUESTS = 1_891_714     # requests counted in them
ALL_SECONDS = 5_059_950       # July and August together

here = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data", "nasa", "workload.tbz2")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "nasa-http-1995-07.counts.gz")

with open(src, "rb") as f:
    digest = hashlib.sha256(f.read()).hexdigest()
if digest != INPUT_SHA256:
    sys.exit(f"{src}: sha256 {digest} (expected: {INPUT_SHA256})")

with tarfile.open(src, "r:bz2") as tar:
    member = next(m for m in tar.getmembers() if m.isfile())
    counts = [int(t) for t in tar.extractfile(member).read().split()]
if len(counts) != ALL_SECONDS:
    sys.exit(f"{src}: {len(counts)} counts (expected: {ALL_SECONDS})")

july = counts[:JULY_SECONDS]
# The August log starts right after: its first second has requests, and every July request is counted.
assert sum(july) == JULY_REQUESTS and counts[JULY_SECONDS] > 0, "unexpected July/August boundary"

text = ("\n".join(map(str, july)) + "\n").encode("ascii")
with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
    gz.write(text)
print(f"{out}: {len(july)} seconds, {sum(july)} requests, peak {max(july)}/s, "
      f"{os.path.getsize(out)} bytes; sha256 of the uncompressed counts {hashlib.sha256(text).hexdigest()}")

#!/usr/bin/env python3
"""Interop: covenant's weight processing against the bittensor SDK.

covenant's side is tests/tools/weights_tool (incentive/weights_*.c); the
other is the SDK's own bittensor/utils/weight_utils.py (bittensor 10.2.0 on
the pinned numpy, loaded by sdk_weights.py). On thousands of seeded random
inputs:

  - normalize_max_weight on float32 and float64 arrays: every output float
    bit-identical;
  - process_weights (process_weights_for_netuid's body): same branch, same
    uids, same dtype, every weight bit-identical, and the SDK's IndexError
    where covenant refuses;
  - convert_weights_and_uids_for_emit on the processed weights and on raw
    ones (ties, negatives, empty lists, uneven lengths): same uids and u16
    values, errors where the SDK raises ValueError;
  - generate_weight_hash against covenant's cov_subtensor_weights_hash.

usage: weights.py WEIGHTS_TOOL
"""

import json
import math
import os
import subprocess
import sys
import time

import interop
from interop import log

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import numpy as np
    import scalecodec

    import sdk_weights

    wu = sdk_weights.load()
except ImportError as e:
    interop.skip(f"bittensor SDK weight utilities unavailable ({e}); run scripts/setup-oracles.sh")

F32, F64 = np.float32, np.float64


class Tool:
    """weights_tool: one long-lived process, batched JSON-line requests."""

    def __init__(self, path):
        self.proc = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, encoding="utf-8")

    def results(self, op, items):
        self.proc.stdin.write(json.dumps({"op": op, "items": items}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"weights_tool exited (rc={self.proc.poll()})")
        resp = json.loads(line)
        if not resp.get("ok"):
            raise RuntimeError(f"weights_tool failed on {op}: {resp.get('error')}")
        return resp["results"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def bits(arr):
    """IEEE bits in hex of a float32 or float64 array, as the tool speaks."""
    arr = np.ascontiguousarray(arr)
    if arr.dtype == F32:
        return [f"{b:08x}" for b in arr.view(np.uint32).tolist()]
    if arr.dtype == F64:
        return [f"{b:016x}" for b in arr.view(np.uint64).tolist()]
    raise TypeError(f"unexpected dtype {arr.dtype}")


def f64_bits(x):
    return bits(np.array([x], dtype=F64))[0]


def unbits(hexes, dtype):
    raw = np.array([int(h, 16) for h in hexes], dtype=np.uint32 if dtype == F32 else np.uint64)
    return raw.view(dtype)


# ------------------------------------------------------------------ inputs

def random_weights(rng, n):
    """float32 weights of many shapes: smooth, heavy-tailed, tied, sparse."""
    kind = rng.randrange(8)
    if kind == 0:
        w = [rng.random() for _ in range(n)]
    elif kind == 1:
        w = [rng.expovariate(1.0) for _ in range(n)]
    elif kind == 2:  # twelve orders of magnitude
        w = [10 ** rng.uniform(-6, 6) for _ in range(n)]
    elif kind == 3:  # small integers: many ties
        w = [float(rng.randrange(4)) for _ in range(n)]
    elif kind == 4:  # one dominant weight
        w = [rng.random() * 1e-3 for _ in range(n)]
        w[rng.randrange(n)] = 1.0
    elif kind == 5:  # all equal
        w = [0.25] * n
    elif kind == 6:  # scores as a validator computes them, many zeros
        w = [rng.random() if rng.random() < 0.4 else 0.0 for _ in range(n)]
    else:  # a handful of large and a long tail
        w = [rng.paretovariate(1.2) for _ in range(n)]
    return np.array(w, dtype=F32)


def random_limit(rng, n):
    choice = rng.randrange(6)
    if choice == 0:
        return 0.1
    if choice == 1:
        return sdk_weights.u16_normalized_float(rng.randrange(65536))
    if choice == 2:  # just above / at 1/n, where the uniform shortcut flips
        return (1.0 / n) * (1 + rng.choice([0.0, 1e-9, 1e-7, 1e-4, 0.01]))
    if choice == 3:
        return rng.choice([0.5, 1.0, 0.25, 0.05, 0.01])
    return rng.random()


def random_n(rng):
    r = rng.random()
    if r < 0.05:
        return rng.randint(1, 7)
    if r < 0.95:
        return rng.randint(1, 256)
    return rng.randint(257, 4096)


# ------------------------------------------------------------------ checks

def edge_normalize_cases():
    """Inputs where a float32 and a float64 comparison with the limit
    disagree (float32(1/k) != 1/k), the uniform shortcut's boundary, and
    the spec's vectors (bittensor_sdk.md §4.8)."""
    cases = [([0.1, 0.2, 0.3, 0.4], 0.3), ([1, 1, 1, 10], 0.4), ([1, 2, 3, 4], 0.1),
             ([0, 0, 0, 0, 0], 0.5), ([], 0.1), ([1.0], 0.5), ([5.0] * 3, 1 / 3),
             ([1.0] * 10 + [0.0], 0.1), ([0.0, 0.0, 1.0], 0.4)]
    for k in (3, 5, 7, 9, 10, 11, 13, 100):
        for extra in (1, 2, 5):
            cases.append(([1.0] * k + [0.0] * extra, 1.0 / k))
            cases.append(([1.0] * k + [1e-3] * extra, 1.0 / k))
            cases.append(([2.0] + [1.0] * k + [0.0] * extra, 1.0 / k))
    out = []
    for x, limit in cases:
        out.append((np.array(x, dtype=F32), limit))
        out.append((np.array(x, dtype=F64), limit))
    return out


def check_normalize(tool, rng, res, count):
    cases = edge_normalize_cases()
    for i in range(count):
        n = random_n(rng)
        w = random_weights(rng, n)
        if i % 4 == 3:
            w = w.astype(F64) + 1e-5  # process_weights' padded (float64) path
        limit = random_limit(rng, n)
        cases.append((w, limit))
    items = [{"dtype": "f32" if w.dtype == F32 else "f64", "x": bits(w), "limit": f64_bits(limit)}
             for w, limit in cases]
    got = tool.results("normalize", items)
    for (w, limit), r in zip(cases, got):
        want = wu.normalize_max_weight(w.copy(), limit=limit)
        if res.ok(want.dtype == w.dtype, "normalize dtype", dtype=str(want.dtype)) and \
                res.eq(r.get("y"), bits(want), "normalize_max_weight bits",
                       dtype=str(w.dtype), n=len(w), limit=limit):
            continue
        log(f"  x={w.tolist()[:16]}... want={want.tolist()[:8]} got={unbits(r.get('y', []), w.dtype).tolist()[:8]}")


def random_process_case(rng):
    n_neurons = random_n(rng)
    # Usually one weight per neuron (uids 0..n-1); sometimes fewer weights,
    # sometimes more (the SDK's padded branch then raises IndexError).
    length = n_neurons
    r = rng.random()
    if r < 0.1:
        length = rng.randint(1, n_neurons)
    elif r < 0.15:
        length = n_neurons + rng.randint(1, 8)
    w = random_weights(rng, length)
    for _ in range(rng.choice([0, 0, 1, 3])):
        w[rng.randrange(length)] = rng.choice([0.0, -1.0, float("nan"), -0.0])
    if rng.random() < 0.3:
        uids = list(range(length))
    else:
        uids = rng.sample(range(max(length, 4096)), length)
    min_allowed = rng.choice([0, 1, 8, 64, rng.randint(0, n_neurons + 10),
                              rng.randint(0, 1024)])
    limit = rng.choice([65535, 65535 // 10, rng.randrange(65536), 32768, 6553])
    quantile = rng.choice([0, 0, rng.randrange(65536), 32768, 6554, 65535])
    return dict(uids=uids, w=w, n=n_neurons, min=min_allowed, limit=limit, q=quantile)


def sdk_process(c):
    return wu.process_weights(np.array(c["uids"], dtype=np.int64), c["w"].copy(), c["n"],
                              c["min"], sdk_weights.u16_normalized_float(c["limit"]), c["q"])


def check_process(tool, rng, res, count):
    cases = [random_process_case(rng) for _ in range(count)]
    items = [{"uids": c["uids"], "weights": bits(c["w"]), "n": c["n"], "min": c["min"],
              "limit": c["limit"], "exclude_quantile": c["q"]} for c in cases]
    got = tool.results("process", items)
    outputs = []
    branches = {}
    for c, r in zip(cases, got):
        ctx = dict(n=c["n"], len=len(c["w"]), min=c["min"], limit=c["limit"], q=c["q"])
        try:
            uids, w = sdk_process(c)
        except IndexError as e:
            res.ok("error" in r, "process: SDK raised IndexError, covenant must refuse",
                   sdk=str(e), got=r, **ctx)
            branches["IndexError"] = branches.get("IndexError", 0) + 1
            continue
        branches[r.get("branch")] = branches.get(r.get("branch"), 0) + 1
        if not res.ok("error" not in r, "process: covenant refused what the SDK accepts",
                      got=r, **ctx):
            continue
        res.eq(r["f64"], w.dtype == F64, "process dtype", **ctx)
        res.eq(r["uids"], [int(u) for u in uids], "process uids", **ctx)
        res.eq(r["weights"], bits(w), "process weight bits", branch=r["branch"], **ctx)
        outputs.append((uids, w))
    log(f"  process branches: {branches}")
    return outputs


def check_emit(tool, rng, res, processed, count):
    cases = [(np.asarray(u, dtype=np.int64), np.asarray(w)) for u, w in processed]
    for _ in range(count):
        n = random_n(rng)
        kind = rng.randrange(6)
        uids = np.array(rng.sample(range(65536), n), dtype=np.int64)
        if kind == 0:  # ties: halves of 65535ths
            w = np.array([rng.randrange(2 * 65535) / 2 for _ in range(n)], dtype=F64)
            w[rng.randrange(n)] = 65535.0
        elif kind == 1:
            w = random_weights(rng, n)
        elif kind == 2:  # a negative weight or uid
            w = random_weights(rng, n).astype(F64)
            if rng.random() < 0.5:
                w[rng.randrange(n)] = -rng.random()
            else:
                uids[rng.randrange(n)] = -rng.randint(1, 5)
        elif kind == 3:  # uneven lengths
            w = random_weights(rng, n + rng.choice([-1, 1]) if n > 1 else 2)
        elif kind == 4:  # all zeros
            w = np.zeros(n, dtype=F32)
        else:
            w = np.array([rng.random() * 10 ** rng.uniform(-8, 8) for _ in range(n)], dtype=F64)
        cases.append((uids, w))
    cases.append((np.array([], dtype=np.int64), np.array([], dtype=F32)))
    cases.append((np.array([0, 1], dtype=np.int64), np.array([65535.0, 4.5], dtype=F32)))
    items = [{"uids": [int(u) for u in u_], "weights": bits(w.astype(F64))} for u_, w in cases]
    got = tool.results("emit", items)
    for (uids, w), r in zip(cases, got):
        ctx = dict(n=len(w), uids_head=uids.tolist()[:4], w_head=w.tolist()[:4])
        try:
            want_u, want_v = wu.convert_weights_and_uids_for_emit(uids, w)
        except ValueError as e:
            res.ok("error" in r, "emit: SDK raised ValueError, covenant must refuse",
                   sdk=str(e)[:200], got=r, **ctx)
            continue
        if not res.ok("error" not in r, "emit: covenant refused what the SDK accepts",
                      got=r, **ctx):
            continue
        res.eq(r["uids"], want_u, "emit uids", **ctx)
        res.eq(r["values"], want_v, "emit values", **ctx)


def check_hash(tool, rng, res, count):
    cases = []
    for _ in range(count):
        pub = bytes(rng.getrandbits(8) for _ in range(32))
        n = rng.randint(0, 300)
        netuid, mechid = rng.randrange(4096), rng.choice([0, 0, 1, 2, 15])
        cases.append(dict(pub=pub, netuid=netuid, mechid=mechid,
                          uids=[rng.randrange(65536) for _ in range(n)],
                          values=[rng.randrange(65536) for _ in range(n)],
                          salt=[rng.randrange(256) for _ in range(rng.choice([0, 1, 8, 8, 32]))],
                          version_key=rng.choice([0, 10002000, rng.getrandbits(63)])))
    items = [{"hotkey": "0x" + c["pub"].hex(), "netuid": c["netuid"], "mechid": c["mechid"],
              "uids": c["uids"], "values": c["values"], "salt": c["salt"],
              "version_key": c["version_key"]} for c in cases]
    got = tool.results("hash", items)
    for c, r in zip(cases, got):
        address = scalecodec.ss58_encode(c["pub"].hex(), 42)
        # The SDK takes netuid_index = mechid * 4096 + netuid (GLOBAL_MAX_SUBNET_COUNT).
        want = wu.generate_weight_hash(address, c["mechid"] * 4096 + c["netuid"], c["uids"],
                                       c["values"], c["version_key"], c["salt"])
        res.eq(r.get("hash"), want, "commit hash", netuid=c["netuid"], mechid=c["mechid"],
               n=len(c["uids"]))


def main():
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        interop.skip(f"weights_tool not found: {sys.argv[1:]!r}")
    rng = interop.make_rng()
    log(f"bittensor {sdk_weights.SDK_VERSION} weight_utils on numpy {np.__version__}")
    res = interop.Results("interop_weights")
    tool = Tool(sys.argv[1])
    start = time.monotonic()
    try:
        check_normalize(tool, rng, res, 3000)
        log(f"  normalize_max_weight done ({time.monotonic() - start:.1f}s)")
        processed = check_process(tool, rng, res, 3000)
        log(f"  process_weights done ({time.monotonic() - start:.1f}s)")
        check_emit(tool, rng, res, processed, 1500)
        log(f"  convert_weights_and_uids_for_emit done ({time.monotonic() - start:.1f}s)")
        check_hash(tool, rng, res, 500)
        log(f"  generate_weight_hash done ({time.monotonic() - start:.1f}s)")
    finally:
        tool.close()
    res.finish()


if __name__ == "__main__":
    main()

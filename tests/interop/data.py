#!/usr/bin/env python3
"""Interop: covenant's data assignment and token shards against NumPy and
Templar's own recipes.

  - `covenant data assign` for many random (uid, window, N, pool size),
    against numpy.random.default_rng((uid * 1_000_003 ^ window) & 0xFFFFFFFF)
    .choice(N, size=pool, replace=False), as Templar's MinerSampler calls it;
    both of choice's paths (tail shuffle: N > 10000 and pool > N // 50;
    Floyd's set otherwise), edge sizes (pool 0, 1, N), seeds near 2^32, and
    rank striding pool[rank::world_size];
  - shards from `covenant data synth` and `covenant data prepare` read back
    with NumPy: header fields, tokens equal to the input bytes with EOS (0)
    after each document, cut into seq_len samples;
  - sample ids (blake2b, 8-byte digest, of a sample's token bytes, as a
    little-endian u64) and the sample_digest (blake2b-128 of the sorted ids
    as u64 bytes) computed the way Templar's miner computes them.

usage: data.py COVENANT
"""

import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

import interop
from interop import log


def covenant(path, *args):
    p = subprocess.run([path, "--json", "data", *args], capture_output=True, text=True,
                       timeout=300)
    try:
        out = json.loads(p.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f"covenant data {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return p.returncode, out


def numpy_pool(uid, window, n, size):
    seed = (uid * 1_000_003 ^ window) & 0xFFFFFFFF
    return np.random.default_rng(seed).choice(n, size=size, replace=False)


def check_assign(res, cov, rng):
    cases = [
        # (uid, window, N, pool): Templar's own sizes, both paths, edges
        (0, 0, 30720, 30720), (1, 1, 100000, 30720), (255, 987654, 10_000_000, 30720),
        (7, 3, 10000, 5000), (7, 3, 10001, 201), (7, 3, 10001, 200), (7, 3, 1, 1),
        (9, 9, 50, 0), (4294, 4294967295, 20000, 20000), (123, 2**32 - 1, 5_000_000, 100001),
    ]
    for _ in range(150):
        n = rng.choice([rng.randrange(1, 200), rng.randrange(1, 20000),
                        rng.randrange(10001, 3_000_000), rng.randrange(1, 60_000_000)])
        pool = rng.choice([rng.randrange(0, n + 1), min(n, rng.randrange(0, 40000)),
                           min(n, n // 50 + rng.randrange(-2, 3)) if n > 100 else n])
        pool = max(0, min(pool, n, 200_000))
        cases.append((rng.randrange(0, 256), rng.randrange(0, 2**32), n, pool))
    tail = floyd = 0
    for uid, window, n, pool in cases:
        if n > 10000 and pool > n // 50:
            tail += 1
        else:
            floyd += 1
        want = numpy_pool(uid, window, n, pool).tolist()
        rc, out = covenant(cov, "assign", "--uid", str(uid), "--window", str(window),
                           "--samples", str(n), "--pool", str(pool))
        if not res.eq(rc, 0, "assign exit code", uid=uid, window=window, n=n, pool=pool, out=out):
            continue
        res.eq(out["seed"], (uid * 1_000_003 ^ window) & 0xFFFFFFFF, "window seed", uid=uid,
               window=window)
        if out["indices"] != want:
            first = next((i for i, (a, b) in enumerate(zip(out["indices"], want)) if a != b),
                         min(len(out["indices"]), len(want)))
            res.ok(False, "pool differs from numpy", uid=uid, window=window, n=n, pool=pool,
                   first_difference=first)
        else:
            res.ok(True, "pool")
    log(f"assign: {len(cases)} cases, {tail} tail-shuffle, {floyd} Floyd")

    # rank striding, Templar's pool[rank::world_size]
    for world in (2, 3, 8):
        want = numpy_pool(5, 77, 100000, 30720)
        for rank in range(world):
            rc, out = covenant(cov, "assign", "--uid", "5", "--window", "77", "--samples",
                               "100000", "--rank", str(rank), "--world-size", str(world))
            res.eq(out.get("indices"), want[rank::world].tolist(), "rank slice", rank=rank,
                   world=world)
    # what numpy refuses, covenant refuses
    rc, out = covenant(cov, "assign", "--uid", "1", "--window", "1", "--samples", "10",
                       "--pool", "11")
    res.ok(rc != 0 and "error" in out, "pool larger than the shard refused", out=out)


def read_shard(path):
    raw = open(path, "rb").read()
    magic, version, width, vocab, eos, seq, reserved, count, reserved2, tok_sum, head_sum = \
        struct.unpack("<8sIIIIIIQQQQ", raw[:64])
    dtype = {2: np.uint16, 4: np.uint32}[width]
    tokens = np.frombuffer(raw[64:], dtype=np.dtype(dtype).newbyteorder("<"))
    return dict(magic=magic, version=version, width=width, vocab=vocab, eos=eos, seq=seq,
                count=count), tokens.reshape(count, seq) if count else tokens.reshape(0, seq)


def sample_id(row):
    return struct.unpack("<Q", hashlib.blake2b(row.tobytes(), digest_size=8).digest())[0]


def check_shards(res, cov, rng, tmp):
    # prepare: three documents, seq_len 16, 2 samples per shard
    docs = [b"hello world\n", bytes(rng.randrange(1, 256) for _ in range(50)), b"x" * 33]
    paths = []
    for i, d in enumerate(docs):
        p = os.path.join(tmp, f"doc{i}.txt")
        open(p, "wb").write(d)
        paths.append(p)
    out_dir = os.path.join(tmp, "prep")
    rc, out = covenant(cov, "prepare", *paths, "--out", out_dir, "--seq-len", "16",
                       "--shard-samples", "2")
    res.eq(rc, 0, "prepare exit code", out=out)
    stream = b"".join(d + b"\0" for d in docs)
    n_samples = len(stream) // 16
    res.eq(out.get("samples"), n_samples, "prepare sample count")
    res.eq(out.get("tokens_dropped"), len(stream) - 16 * n_samples, "prepare dropped tail")
    got = []
    for k in range(out.get("shards", 0)):
        head, rows = read_shard(os.path.join(out_dir, f"train_{k:06d}.bin"))
        res.eq((head["magic"], head["version"], head["width"], head["vocab"], head["eos"],
                head["seq"]), (b"COVTOKNS", 1, 2, 256, 0, 16), "prepare header", shard=k)
        got.extend(rows.reshape(-1).tolist())
    res.eq(got, list(stream[:16 * n_samples]), "prepare tokens = bytes + EOS per document")

    # a NUL in the text is refused, and nothing half-written stays behind
    bad = os.path.join(tmp, "bad.bin")
    open(bad, "wb").write(b"abc\0def")
    rc, out = covenant(cov, "prepare", bad, "--out", os.path.join(tmp, "bad"))
    res.ok(rc != 0 and "NUL" in out.get("error", {}).get("message", ""), "NUL refused", out=out)

    # synth, then sample ids and the digest as Templar computes them
    syn = os.path.join(tmp, "syn")
    rc, out = covenant(cov, "synth", "--out", syn, "--tokens", "2000000", "--seed", "42",
                       "--seq-len", "128", "--shard-samples", "100000")
    res.eq(rc, 0, "synth exit code", out=out)
    shard = os.path.join(syn, "train_000000.bin")
    head, rows = read_shard(shard)
    res.eq(head["count"], 2_000_000 // 128, "synth sample count")
    res.ok(int(rows.max()) < 128 and (rows == 0).any(), "synth is ASCII with EOS")
    rc, info = covenant(cov, "info", shard)
    res.eq(info.get("first_sample_id"), str(sample_id(rows[0])), "info: first sample id")
    for uid, window, world, rank in ((3, 1000, 1, 0), (200, 5, 4, 1)):
        rc, out = covenant(cov, "assign", "--uid", str(uid), "--window", str(window), "--shard",
                           shard, "--pool", "3000", "--rank", str(rank), "--world-size",
                           str(world))
        pool = numpy_pool(uid, window, head["count"], 3000)
        ids = [sample_id(rows[i]) for i in pool]
        mine = pool[rank::world]
        res.eq(out.get("sample_ids"), [str(sample_id(rows[i])) for i in mine], "sample ids",
               uid=uid)
        h = hashlib.blake2b(digest_size=16)
        h.update(np.asarray(sorted(ids), dtype=np.uint64).tobytes())
        res.eq(out.get("sample_digest"), h.hexdigest(), "sample_digest", uid=uid)
        res.eq(out.get("sample_count"), 3000, "sample_count")


def main():
    cov = sys.argv[1]
    res = interop.Results("data")
    rng = interop.make_rng()
    log(f"numpy {np.__version__}")
    check_assign(res, cov, rng)
    with tempfile.TemporaryDirectory() as tmp:
        check_shards(res, cov, rng, tmp)
    res.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Interop: covenant's SparseLoCo against a PyTorch reference.

covenant's side is tests/tools/sparseloco_tool (train/sparseloco_*.c,
train/pgrad_*.c); the other is tests/reference/sparseloco_ref.py, written from
the notes. For tensors of many shapes (2-D divisible by 64 and not, 1-D of
64, 4096, 100 and the prime 97, whose chunks hold one element), random and
with many exact ties:

  - compression, two windows in a row (EF carried): identical indices,
    codes and packed bytes; shift, scale, lookup, dequantized values and
    the EF after subtraction within 1e-6;
  - the outer step over 3 and 4 peers, read back through covenant's wire
    format (each peer's pgrad file): theta within 1e-6;
  - the validator's single-peer step at lr * eval_lr_factor, within 1e-6;
  - the same with the optional DCT on a few shapes.

usage: sparseloco.py SPARSELOCO_TOOL
"""

import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "reference"))

import interop  # noqa: E402
from interop import log  # noqa: E402
import sparseloco_ref as ref  # noqa: E402

TOL = 1e-6
SHAPES = [(128, 192), (100, 70), (67, 64), (37, 5), (64,), (4096,), (100,), (97,)]
DCT_SHAPES = [(128, 192), (37, 5), (100,)]


def save(path, t):
    t.numpy().tofile(path)


def load(path, dtype, shape=None):
    a = np.fromfile(path, dtype=dtype)
    return torch.from_numpy(a.reshape(shape) if shape else a)


def close(a, b):
    """max |a - b| <= TOL * max(1, |b|), elementwise; returns (ok, worst)."""
    a, b = a.double(), b.double()
    diff = (a - b).abs()
    worst = float(diff.max()) if diff.numel() else 0.0
    return bool((diff <= TOL * torch.clamp(b.abs(), min=1.0)).all()), worst


def random_tensor(gen, shape, ties):
    if ties:  # a few distinct magnitudes: the tie rule decides the selection
        return (torch.randint(-3, 4, shape, generator=gen).float() * 0.25)
    return torch.randn(shape, generator=gen)


class Case:
    def __init__(self, tool, res, tmp, shape, cfg, gen, label):
        self.tool, self.res, self.tmp = tool, res, tmp
        self.shape, self.cfg, self.gen, self.label = shape, cfg, gen, label

    def compress(self, d, ef, delta, window, uid, what):
        os.makedirs(d, exist_ok=True)
        save(os.path.join(d, "ef.f32"), ef)
        save(os.path.join(d, "delta.f32"), delta)
        pgrad = os.path.join(d, "pgrad.bin")
        got = self.tool.ask({"op": "compress", "dir": d, "shape": list(self.shape),
                             "cfg": self.cfg.to_json(),
                             "pgrad": {"path": pgrad, "window": window, "uid": uid}})
        ctx = {"case": self.label, "step": what}
        if not self.res.ok("error" not in got, "compress answered", answer=got, **ctx):
            return None, None
        want_ef, comp = ref.compress(ef, delta, self.cfg)
        n = comp.idx.numel()
        idx = load(os.path.join(d, "idx.u16"), np.uint16).long().reshape(comp.idx.shape)
        codes = load(os.path.join(d, "codes.u8"), np.uint8).reshape(comp.idx.shape)
        packed = open(os.path.join(d, "packed.u8"), "rb").read()
        deq = load(os.path.join(d, "deq.f32"), np.float32, (n,))
        ef_out = load(os.path.join(d, "ef_out.f32"), np.float32, self.shape)
        self.res.ok(torch.equal(idx, comp.idx), "indices identical", **ctx)
        self.res.ok(torch.equal(codes, comp.codes), "codes identical",
                    differing=int((codes != comp.codes).sum()), **ctx)
        self.res.ok(packed == ref.pack12(comp.idx), "packed bytes identical", **ctx)
        for name, g, w in (("shift", got["shift"], float(comp.shift)),
                           ("scale", got["scale"], float(comp.scale))):
            self.res.ok(abs(g - w) <= TOL * max(1.0, abs(w)), f"{name} within 1e-6", got=g, want=w, **ctx)
        ok, worst = close(torch.tensor(got["lookup"]), comp.lookup)
        self.res.ok(ok, "lookup within 1e-6", got=got["lookup"], want=comp.lookup.tolist(), **ctx)
        ok, worst = close(deq, comp.deq().reshape(-1))
        self.res.ok(ok, "dequantized values within 1e-6", worst=worst, **ctx)
        ok, worst = close(ef_out, want_ef)
        self.res.ok(ok, "EF after subtraction within 1e-6", worst=worst, **ctx)
        return ef_out, (comp, {"path": pgrad, "window": window, "uid": uid})

    def run(self, n_peers, ties):
        window = 1000 + n_peers
        peers, files = [], []
        for uid in range(n_peers):
            d = os.path.join(self.tmp, f"{self.label}-p{n_peers}-u{uid}")
            ef = random_tensor(self.gen, self.shape, ties) * 0.5
            # two windows: the EF carried from the first into the second
            ef, _ = self.compress(d + "-w0", ef, random_tensor(self.gen, self.shape, ties),
                                  window - 1, uid, "window 0")
            if ef is None:
                return
            _, peer = self.compress(d, ef, random_tensor(self.gen, self.shape, ties), window, uid,
                                    "window 1")
            if peer is None:
                return
            peers.append(peer[0])
            files.append(peer[1])
        theta = torch.randn(self.shape, generator=self.gen)
        tin, tout = os.path.join(self.tmp, "theta_in.f32"), os.path.join(self.tmp, "theta_out.f32")
        save(tin, theta)
        ctx = {"case": self.label, "peers": n_peers}
        lr = 0.4
        got = self.tool.ask({"op": "outer", "shape": list(self.shape), "cfg": self.cfg.to_json(),
                             "theta_in": tin, "theta_out": tout, "lr": lr, "peers": files})
        want, applied, median = ref.outer_step(theta, peers, lr, self.cfg)
        if self.res.ok("error" not in got, "outer step answered", answer=got, **ctx):
            self.res.eq(got["applied"], applied, "outer step applied", **ctx)
            self.res.ok(abs(got["median_norm"] - float(median)) <= TOL * max(1.0, float(median)),
                        "median norm within 1e-6", got=got["median_norm"], want=float(median), **ctx)
            ok, worst = close(load(tout, np.float32, self.shape), want)
            self.res.ok(ok, "outer step theta within 1e-6", worst=worst, **ctx)
        # the validator's view: peer 0 alone, clipped by the gather's median
        got = self.tool.ask({"op": "apply_one", "shape": list(self.shape), "cfg": self.cfg.to_json(),
                             "theta_in": tin, "theta_out": tout, "lr": lr, "eval_lr_factor": 0.2,
                             "median_norm": float(median), "peers": files[:1]})
        want, applied = ref.apply_one(theta, peers[0], float(median), lr, 0.2, self.cfg)
        if self.res.ok("error" not in got, "apply_one answered", answer=got, **ctx):
            ok, worst = close(load(tout, np.float32, self.shape), want)
            self.res.ok(ok, "single-peer theta within 1e-6", worst=worst, **ctx)


def main():
    tool = interop.JsonLinesTool(sys.argv[1])
    res = interop.Results("sparseloco")
    rng = interop.make_rng()
    gen = torch.Generator().manual_seed(rng.randrange(1, 2**31))
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        for shape in SHAPES:
            for ties in (False, True):
                label = f"{'x'.join(map(str, shape))}{'-ties' if ties else ''}"
                case = Case(tool, res, tmp, shape, ref.Config(), gen, label)
                for n_peers in (3, 4):
                    case.run(n_peers, ties)
            log(f"shape {shape}: {res.passed} checks passed so far, {len(res.failures)} failed")
        # smaller chunks and topk: odd chunk lengths (e.g. 5x5 = 25 -> k 24)
        for shape in [(100, 70), (37, 5), (97,)]:
            cfg = ref.Config(topk=7, chunk=5, bins=4)
            Case(tool, res, tmp, shape, cfg, gen, f"{'x'.join(map(str, shape))}-chunk5").run(3, False)
        for shape in DCT_SHAPES:
            cfg = ref.Config(dct=True)
            Case(tool, res, tmp, shape, cfg, gen, f"{'x'.join(map(str, shape))}-dct").run(3, False)
    res.finish()


if __name__ == "__main__":
    main()

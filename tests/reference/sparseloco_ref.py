#!/usr/bin/env python3
"""SparseLoCo in PyTorch (CPU), written from the notes (templar.md §2.1, §2.2,
§3.5, §4.3) as an independent check of covenant's train/sparseloco_*.c.

Same math, same documented choices as covenant (train/sparseloco.h):
  - chunks: maxdiv(n, <= chunk) per dim; 2-D [R,C] -> [R/h * C/w, h*w],
    1-D [n] -> [n/w, w]; k = min(topk, L) at least 2, rounded down to even
    (a one-element chunk keeps its element);
  - top-k by |e| descending, ties to the lower chunk-local index (a stable
    descending sort), indices stored ascending;
  - quantizer sums (shift, std, bin means) in float64, rounded to float32
    once; everything elementwise in float32; round half to even;
  - outer step: norms in float64 -> float32, lower median, clip
    min(1, m/(n+1e-8)) in float32, scatter-mean over the peers that chose
    a coordinate, theta - lr*update in float32;
  - optional DCT: orthonormal DCT-II per chunk, products in float64.

Used by tests/interop/sparseloco.py and scripts/bench-sparseloco.sh.
"""

import math

import torch


class Config:
    def __init__(self, topk=64, chunk=64, ef_decay=0.95, bins=4, range_=6.0, dct=False):
        self.topk, self.chunk, self.ef_decay = topk, chunk, ef_decay
        self.bins, self.range, self.dct = bins, range_, dct

    def to_json(self):
        return {"topk": self.topk, "chunk": self.chunk, "ef_decay": self.ef_decay,
                "bins": self.bins, "range": self.range, "dct": self.dct}


def maxdiv(n, limit):
    """Largest divisor of n that is <= limit (n when n <= limit)."""
    if n <= limit:
        return n
    for d in range(limit, 1, -1):
        if n % d == 0:
            return d
    return 1


def chunk_k(length, topk):
    if length < 2:
        return length
    k = max(min(topk, length), 2)
    return k - k % 2


class Geom:
    def __init__(self, shape, cfg):
        self.shape = tuple(shape)
        if len(shape) == 2:
            r, c = shape
            self.h, self.w = maxdiv(r, cfg.chunk), maxdiv(c, cfg.chunk)
            self.y, self.x = r // self.h, c // self.w
        else:
            (n,) = shape
            self.h, self.w = 1, maxdiv(n, cfg.chunk)
            self.y, self.x = n // self.w, 1
        self.length = self.h * self.w
        self.k = chunk_k(self.length, cfg.topk)
        self.n_chunks = self.y * self.x

    def chunk(self, t):
        """Dense tensor -> [n_chunks, h*w] (a copy)."""
        if len(self.shape) == 2:
            return (t.reshape(self.y, self.h, self.x, self.w).permute(0, 2, 1, 3)
                    .reshape(self.n_chunks, self.length).clone())
        return t.reshape(self.n_chunks, self.length).clone()

    def unchunk(self, c):
        if len(self.shape) == 2:
            return (c.reshape(self.y, self.x, self.h, self.w).permute(0, 2, 1, 3)
                    .reshape(self.shape).clone())
        return c.reshape(self.shape).clone()


def dct_basis(n):
    """B[i, b] = s_b cos(pi (2i+1) b / 2n), orthonormal DCT-II, float64."""
    i = torch.arange(n, dtype=torch.float64)[:, None]
    b = torch.arange(n, dtype=torch.float64)[None, :]
    s = torch.where(b == 0, torch.tensor(math.sqrt(1.0 / n), dtype=torch.float64),
                    torch.tensor(math.sqrt(2.0 / n), dtype=torch.float64))
    return s * torch.cos(math.pi * (2 * i + 1) * b / (2.0 * n))


def dct_forward(chunks, g):
    x = chunks.double().reshape(-1, g.h, g.w)
    out = torch.einsum("nkl,kb,ld->nbd", x, dct_basis(g.h), dct_basis(g.w))
    return out.reshape(-1, g.length).float()


def dct_inverse(coefs, g):
    x = coefs.double().reshape(-1, g.h, g.w)
    out = torch.einsum("nbd,kb,ld->nkl", x, dct_basis(g.h), dct_basis(g.w))
    return out.reshape(-1, g.length).float()


def topk_indices(x, k):
    """Per row: the k largest |x|, ties to the lower index, returned ascending."""
    order = torch.sort(x.abs(), dim=-1, descending=True, stable=True).indices
    return torch.sort(order[:, :k], dim=-1).values


def quantize(vals, bins, range_):
    """-> codes (uint8), shift, scale, lookup (float32 tensors / floats)."""
    vals = vals.reshape(-1)
    n = vals.numel()
    shift = (vals.double().sum() / n).float()
    c = vals - shift
    sq = float((c.double() ** 2).sum())
    std = math.sqrt(sq) / math.sqrt(n - 1) if n > 1 else float("nan")
    scale = torch.tensor(range_ * std / bins, dtype=torch.float64).float()
    if not torch.isfinite(scale) or float(scale) == 0.0:
        scale = torch.tensor(1.0, dtype=torch.float32)
    q = torch.round(c / scale + float(bins // 2)).clamp(0, bins - 1)
    codes = q.to(torch.uint8)
    lookup = torch.zeros(bins, dtype=torch.float32)
    for b in range(bins):
        sel = c[codes == b]
        if sel.numel():
            lookup[b] = (sel.double().sum() / sel.numel()).float()
    return codes, shift, scale, lookup


def dequantize(codes, shift, lookup):
    return lookup[codes.long()] + shift


class Compressed:
    def __init__(self, geom, idx, codes, shift, scale, lookup):
        self.geom, self.idx, self.codes = geom, idx, codes
        self.shift, self.scale, self.lookup = shift, scale, lookup

    def deq(self):
        return dequantize(self.codes, self.shift, self.lookup).reshape(self.idx.shape)


def compress(ef, delta, cfg):
    """-> (new ef, Compressed). ef, delta: float32 tensors of the same shape."""
    g = Geom(ef.shape, cfg)
    e = ef * cfg.ef_decay + delta
    chunks = g.chunk(e)
    space = dct_forward(chunks, g) if cfg.dct else chunks
    idx = topk_indices(space, g.k)
    vals = torch.gather(space, 1, idx)
    codes, shift, scale, lookup = quantize(vals, cfg.bins, cfg.range)
    comp = Compressed(g, idx, codes.reshape(idx.shape), shift, scale, lookup)
    sparse = torch.zeros_like(space)
    sparse.scatter_(1, idx, comp.deq())
    if cfg.dct:
        sparse = dct_inverse(sparse, g)
    return e - g.unchunk(sparse), comp


def pack12(idx):
    """12-bit packing of a flat index list (odd count: a last zero index)."""
    flat = [int(i) for i in idx.reshape(-1)]
    if len(flat) % 2:
        flat.append(0)
    out = bytearray()
    for i0, i1 in zip(flat[0::2], flat[1::2]):
        out += bytes([i0 & 0xFF, ((i0 >> 8) & 0x0F) | ((i1 & 0x0F) << 4), (i1 >> 4) & 0xFF])
    return bytes(out)


def _update(peers, clips, cfg):
    g = peers[0].geom
    idx = torch.cat([p.idx for p in peers], dim=1)
    vals = torch.cat([p.deq() * c for p, c in zip(peers, clips)], dim=1)
    upd = torch.zeros(g.n_chunks, g.length, dtype=torch.float32)
    upd.scatter_reduce_(1, idx, vals, reduce="mean", include_self=False)
    if cfg.dct:
        upd = dct_inverse(upd, g)
    return g.unchunk(upd)


def norm(p):
    return torch.sqrt((p.deq().double() ** 2).sum()).float()


def clip_factor(m, n):
    return torch.clamp(m / (n + 1e-8), max=1.0)


def median_norm(peers):
    return torch.median(torch.stack([norm(p) for p in peers]))  # lower median


def outer_step(theta, peers, lr, cfg):
    """-> (new theta, applied, median). theta - lr * scatter_mean(clipped)."""
    m = median_norm(peers)
    clips = [clip_factor(m, norm(p)) for p in peers]
    upd = _update(peers, clips, cfg)
    if not torch.isfinite(upd).all():
        return theta.clone(), False, m
    return theta - torch.tensor(lr, dtype=torch.float32) * upd, True, m


def apply_one(theta, peer, median, lr, eval_lr_factor, cfg):
    clip = clip_factor(torch.tensor(median, dtype=torch.float32), norm(peer))
    upd = _update([peer], [clip], cfg)
    if not torch.isfinite(upd).all():
        return theta.clone(), False
    return theta - torch.tensor(lr * eval_lr_factor, dtype=torch.float32) * upd, True


# --------------------------------------------------------------- timing
# What Templar runs per tensor (torch.topk, fp32 sums, scatter decode), used
# by scripts/bench-sparseloco.sh to time PyTorch beside covenant. Not the
# reference above: torch.topk's order and tie set are its own (errata 4).

def compress_torch(ef, delta, cfg, g):
    """In place on ef: EF update, top-k, quantize, pack, EF subtraction."""
    ef.mul_(cfg.ef_decay).add_(delta)
    if len(g.shape) == 2:
        x = ef.view(g.y, g.h, g.x, g.w).permute(0, 2, 1, 3).reshape(g.n_chunks, g.length)
    else:
        x = ef.view(g.n_chunks, g.length)
    idx = torch.topk(x.abs(), g.k, dim=-1, largest=True, sorted=False).indices
    val = torch.gather(x, 1, idx)
    idx, perm = torch.sort(idx, dim=1)
    val = torch.gather(val, 1, perm)
    shift = val.mean()
    c = val - shift
    std = c.norm() / math.sqrt(c.numel() - 1)
    scale = cfg.range * std / cfg.bins
    if scale == 0 or not torch.isfinite(scale):
        scale = torch.tensor(1.0)
    q = (c / scale + cfg.bins // 2).round().clamp(0, cfg.bins - 1).to(torch.uint8)
    ql = q.flatten().long()
    sums = torch.zeros(cfg.bins).scatter_add_(0, ql, c.flatten())
    counts = torch.zeros(cfg.bins).scatter_add_(0, ql, torch.ones_like(c.flatten()))
    lookup = torch.where(counts > 0, sums / counts, torch.zeros_like(sums))
    deq = lookup[q.long()] + shift
    flat = idx.flatten().to(torch.int32)
    i0, i1 = flat[0::2], flat[1::2]
    packed = torch.stack([i0 & 0xFF, ((i0 >> 8) & 0x0F) | ((i1 & 0x0F) << 4), (i1 >> 4) & 0xFF],
                         dim=1).to(torch.uint8)
    dec = torch.zeros_like(x).scatter_reduce_(1, idx, deq, reduce="mean", include_self=False)
    if len(g.shape) == 2:
        dec = dec.view(g.y, g.x, g.h, g.w).permute(0, 2, 1, 3).reshape(g.shape)
    else:
        dec = dec.view(g.shape)
    ef.sub_(dec)
    return packed, q, lookup


def _bench(reps, threads, as_json):
    import json
    import time
    torch.set_num_threads(threads)
    cfg = Config()
    dim, layers, kv, ffn, vocab = 768, 16, 256, 2816, 256  # the 124m preset
    kinds = [("embed_tokens", (vocab, dim), 1), ("q_proj", (dim, dim), layers),
             ("k_proj", (kv, dim), layers), ("v_proj", (kv, dim), layers),
             ("o_proj", (dim, dim), layers), ("gate_proj", (ffn, dim), layers),
             ("up_proj", (ffn, dim), layers), ("down_proj", (dim, ffn), layers),
             ("norms", (dim,), 2 * layers + 1)]
    gen = torch.Generator().manual_seed(1)

    def case(shape):
        return (torch.zeros(shape), torch.randn(shape, generator=gen), Geom(shape, cfg))

    def timed(cases):
        times = []
        for r in range(reps + 1):
            start = time.perf_counter()
            for (ef, delta, g), count in cases:
                for _ in range(count):
                    compress_torch(ef, delta, cfg, g)
            if r:
                times.append(1e3 * (time.perf_counter() - start))
        return sorted(times)[len(times) // 2]

    def report(name, shape, ms):
        if as_json:
            print(json.dumps({"case": name, "shape": shape, "ms": ms, "threads": threads}))
        else:
            print(f"{name:22s} {shape:12s} {ms:10.3f} ms")

    report("4096x4096", "4096x4096", timed([(case((4096, 4096)), 1)]))
    all_cases = []
    for name, shape, count in kinds:
        c = case(shape)
        all_cases.append((c, count))
        report(name, "x".join(map(str, shape)), timed([(c, 1)]))
    report("124m model", f"{sum(k[2] for k in kinds)} tensors", timed(all_cases))


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="time PyTorch SparseLoCo compression")
    ap.add_argument("--bench", action="store_true", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    _bench(max(1, a.reps), a.threads, a.json)

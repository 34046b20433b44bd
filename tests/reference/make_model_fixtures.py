#!/usr/bin/env python3
"""Reference values for train/'s model, written with plain PyTorch.

A Llama decoder (RMSNorm, RoPE the Hugging Face way, grouped-query causal
attention, SwiGLU, no biases) written out op by op here, independently of
covenant's C, for the "tiny" preset untied and tied. For each it saves:

  model_<variant>.json  config, tokens, targets, loss, clipping and AdamW
                        settings, the tensor names and shapes, section offsets
  model_<variant>.bin   little-endian fp32: weights, logits [B,T,V], every
                        gradient, and the parameters after clip + one AdamW step

plus model_adamw.{json,bin}: torch.optim.AdamW over three steps with changing
learning rates, and the LR schedule (LinearLR then CosineAnnealingLR through
SequentialLR) for a few hundred steps, and model_rope.{json,bin}: RoPE's cos/sin
at positions up to 2047 for two head sizes and thetas.

Weights come from numpy's default_rng with a fixed seed, so the files are the
same on every run. Needs torch and numpy (tests/interop/requirements-torch.txt):

  .venv/bin/python tests/reference/make_model_fixtures.py
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

# train/config.c's "tiny" preset.
TINY = dict(vocab_size=64, dim=32, n_layers=2, n_heads=4, n_kv_heads=2, ffn_dim=48,
            max_seq_len=16, norm_eps=1e-5, rope_theta=10000.0)
B, T = 2, 16
LR, BETAS, EPS, WD = 1e-3, (0.9, 0.95), 1e-8, 0.1


def tensor_shapes(cfg, tied):
    d, f, V = cfg["dim"], cfg["ffn_dim"], cfg["vocab_size"]
    kv = d // cfg["n_heads"] * cfg["n_kv_heads"]
    out = [("model.embed_tokens.weight", [V, d])]
    for i in range(cfg["n_layers"]):
        p = f"model.layers.{i}."
        out += [(p + "input_layernorm.weight", [d]),
                (p + "self_attn.q_proj.weight", [d, d]),
                (p + "self_attn.k_proj.weight", [kv, d]),
                (p + "self_attn.v_proj.weight", [kv, d]),
                (p + "self_attn.o_proj.weight", [d, d]),
                (p + "post_attention_layernorm.weight", [d]),
                (p + "mlp.gate_proj.weight", [f, d]),
                (p + "mlp.up_proj.weight", [f, d]),
                (p + "mlp.down_proj.weight", [d, f])]
    out.append(("model.norm.weight", [d]))
    if not tied:
        out.append(("lm_head.weight", [V, d]))
    return out


def rmsnorm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope_tables(cfg, T):
    hd = cfg["dim"] // cfg["n_heads"]
    inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = torch.arange(T, dtype=torch.float32)[:, None] * inv_freq[None, :]
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def forward(cfg, p, tokens, tied):
    Bn, Tn = tokens.shape
    H, KVH = cfg["n_heads"], cfg["n_kv_heads"]
    hd = cfg["dim"] // H
    cos, sin = rope_tables(cfg, Tn)
    x = p["model.embed_tokens.weight"][tokens]
    mask = torch.full((Tn, Tn), float("-inf")).triu(1)
    for i in range(cfg["n_layers"]):
        w = lambda n: p[f"model.layers.{i}.{n}.weight"]  # noqa: E731
        xn = rmsnorm(x, w("input_layernorm"), cfg["norm_eps"])
        q = (xn @ w("self_attn.q_proj").T).view(Bn, Tn, H, hd).transpose(1, 2)
        k = (xn @ w("self_attn.k_proj").T).view(Bn, Tn, KVH, hd).transpose(1, 2)
        v = (xn @ w("self_attn.v_proj").T).view(Bn, Tn, KVH, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KVH, dim=1)  # query head h reads kv head h // group
        v = v.repeat_interleave(H // KVH, dim=1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + mask, dim=-1) @ v
        x = x + att.transpose(1, 2).reshape(Bn, Tn, -1) @ w("self_attn.o_proj").T
        xn = rmsnorm(x, w("post_attention_layernorm"), cfg["norm_eps"])
        act = F.silu(xn @ w("mlp.gate_proj").T) * (xn @ w("mlp.up_proj").T)
        x = x + act @ w("mlp.down_proj").T
    x = rmsnorm(x, p["model.norm.weight"], cfg["norm_eps"])
    head = p["model.embed_tokens.weight"] if tied else p["lm_head.weight"]
    return x @ head.T


def make_model(variant, tied, seed):
    cfg = dict(TINY, tie_embeddings=tied)
    rng = np.random.default_rng(seed)
    shapes = tensor_shapes(cfg, tied)
    params = {}
    for name, shape in shapes:
        if len(shape) == 1:  # norms near 1, not exactly, so their gradients matter
            a = 1.0 + 0.1 * rng.standard_normal(shape)
        else:
            a = 0.02 * rng.standard_normal(shape)
        params[name] = torch.tensor(a.astype(np.float32), requires_grad=True)
    V = cfg["vocab_size"]
    tokens = rng.integers(0, V, size=(B, T))
    targets = np.concatenate([tokens[:, 1:], rng.integers(0, V, size=(B, 1))], axis=1)
    targets[0, 3] = targets[0, T - 1] = targets[1, 0] = targets[1, 7] = -100
    tok = torch.tensor(tokens)
    tgt = torch.tensor(targets)

    logits = forward(cfg, params, tok, tied)
    loss = F.cross_entropy(logits.view(-1, V), tgt.view(-1), ignore_index=-100)
    loss.backward()
    names = [n for n, _ in shapes]
    weights = [params[n].detach().clone() for n in names]
    grads = [params[n].grad.detach().clone() for n in names]

    # Clip below the actual norm so the scaling is exercised, then one step.
    norm = float(torch.sqrt(sum((g.double() ** 2).sum() for g in grads)))
    max_norm = 0.5 * norm
    plist = [params[n] for n in names]
    pre = float(torch.nn.utils.clip_grad_norm_(plist, max_norm))
    opt = torch.optim.AdamW(plist, lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    opt.step()
    after = [params[n].detach().clone() for n in names]

    sections, blobs, off = {}, [], 0
    for key, arrs in (("weights", weights), ("logits", [logits.detach()]), ("grads", grads),
                      ("after_step", after)):
        flat = np.concatenate([a.numpy().astype("<f4").ravel() for a in arrs])
        sections[key] = {"offset": off, "count": int(flat.size)}
        off += int(flat.size)
        blobs.append(flat)
    np.concatenate(blobs).astype("<f4").tofile(os.path.join(OUT, f"model_{variant}.bin"))
    manifest = {
        "generator": "tests/reference/make_model_fixtures.py", "torch": torch.__version__,
        "config": cfg, "batch": B, "seq": T,
        "tokens": tokens.ravel().tolist(), "targets": targets.ravel().tolist(),
        "loss": float(loss.detach()), "target_count": int((targets != -100).sum()),
        "grad_norm": pre, "max_norm": max_norm,
        "adamw": {"lr": LR, "beta1": BETAS[0], "beta2": BETAS[1], "eps": EPS,
                  "weight_decay": WD},
        "tensors": [{"name": n, "shape": s} for n, s in shapes],
        "sections": sections,
    }
    with open(os.path.join(OUT, f"model_{variant}.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"model_{variant}: loss {float(loss.detach()):.6f}, grad norm {pre:.6f}, {off} floats")


def make_adamw(seed):
    """AdamW over 3 steps with its own grads and learning rates; the schedule."""
    rng = np.random.default_rng(seed)
    n = 257
    p0 = rng.standard_normal(n).astype(np.float32)
    grads = [(rng.standard_normal(n) * 10.0 ** rng.uniform(-9, 0, n)).astype(np.float32)
             for _ in range(3)]
    lrs = [1e-3, 3e-4, 2e-2]
    p = torch.tensor(p0, requires_grad=True)
    opt = torch.optim.AdamW([p], lr=lrs[0], betas=BETAS, eps=EPS, weight_decay=WD)
    states = []
    for g, lr in zip(grads, lrs):
        p.grad = torch.tensor(g)
        opt.param_groups[0]["lr"] = lr
        opt.step()
        states.append(p.detach().clone().numpy())

    sched = {"base_lr": 1.17e-4, "start_factor": 1e-6, "warmup": 15, "t_max": 140,
             "min_ratio": 0.1, "steps": 400}
    q = torch.nn.Parameter(torch.zeros(1))
    o2 = torch.optim.AdamW([q], lr=sched["base_lr"])
    warm = torch.optim.lr_scheduler.LinearLR(o2, start_factor=sched["start_factor"],
                                             end_factor=1.0, total_iters=sched["warmup"])
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(
        o2, T_max=sched["t_max"], eta_min=sched["min_ratio"] * sched["base_lr"])
    seq = torch.optim.lr_scheduler.SequentialLR(o2, [warm, cos], milestones=[sched["warmup"]])
    lrs_sched = []
    for _ in range(sched["steps"]):
        lrs_sched.append(o2.param_groups[0]["lr"])
        o2.step()
        seq.step()

    blob = np.concatenate([p0] + grads + states + [np.array(lrs_sched)]).astype("<f4")
    blob.tofile(os.path.join(OUT, "model_adamw.bin"))
    manifest = {
        "generator": "tests/reference/make_model_fixtures.py", "torch": torch.__version__,
        "n": n, "lrs": lrs,
        "adamw": {"beta1": BETAS[0], "beta2": BETAS[1], "eps": EPS, "weight_decay": WD},
        "layout": "p0[n], grads[3][n], params after steps 1..3 [3][n], schedule lr[steps]",
        "schedule": sched,
    }
    with open(os.path.join(OUT, "model_adamw.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"model_adamw: {blob.size} floats")


def make_rope():
    """RoPE's cos/sin at far positions, the way transformers computes them."""
    cases = [{"head_dim": 128, "theta": 500000.0}, {"head_dim": 64, "theta": 10000.0}]
    positions = [0, 1, 7, 100, 1000, 2047]
    blobs = []
    for c in cases:
        cfg = {"dim": c["head_dim"], "n_heads": 1, "rope_theta": c["theta"]}
        cos, sin = rope_tables(cfg, max(positions) + 1)
        half = c["head_dim"] // 2
        blobs += [cos[positions, :half].numpy().ravel(), sin[positions, :half].numpy().ravel()]
    np.concatenate(blobs).astype("<f4").tofile(os.path.join(OUT, "model_rope.bin"))
    manifest = {"generator": "tests/reference/make_model_fixtures.py",
                "torch": torch.__version__, "positions": positions, "cases": cases,
                "layout": "per case: cos[positions][head_dim/2], then sin the same"}
    with open(os.path.join(OUT, "model_rope.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print("model_rope: written")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    make_model("tiny", tied=False, seed=20250101)
    make_model("tiny_tied", tied=True, seed=20250102)
    make_adamw(seed=20250103)
    make_rope()


if __name__ == "__main__":
    main()

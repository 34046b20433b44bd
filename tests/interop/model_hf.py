#!/usr/bin/env python3
"""Interop: train/'s model is transformers' LlamaForCausalLM.

tests/unit/test_model.c shows that covenant's logits, loss and gradients
match tests/reference/fixtures/model_tiny*.{json,bin} (plain PyTorch) within
1e-5 abs + 1e-4 rel, with covenant's tensor names and order checked against
the manifest. This closes the loop on the other side: it builds
LlamaForCausalLM from the same tiny config (a LlamaConfig written here), loads
the fixture's weights by covenant's names with strict=True (every name must
exist in transformers' state_dict, and only tied lm_head may be missing), and
compares transformers' logits with the fixture's. A checkpoint written from
cov_model_params therefore opens in transformers unchanged. It also checks
transformers' rotary tables at positions up to 2047 (θ 500000 and 10000)
against model_rope, which test_ops checks cov_op_rope_table against.

Exits 77 (skip) when torch or transformers are not installed.
usage: model_hf.py
"""
import json
import os
import sys

try:
    import numpy as np
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding
except ImportError as e:  # the oracle venv lacks them
    print(f"SKIP: {e}")
    sys.exit(77)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference",
                        "fixtures")


def check(stem):
    with open(os.path.join(FIXTURES, stem + ".json")) as f:
        man = json.load(f)
    data = np.fromfile(os.path.join(FIXTURES, stem + ".bin"), dtype="<f4")
    c = man["config"]
    cfg = LlamaConfig(vocab_size=c["vocab_size"], hidden_size=c["dim"],
                      intermediate_size=c["ffn_dim"], num_hidden_layers=c["n_layers"],
                      num_attention_heads=c["n_heads"], num_key_value_heads=c["n_kv_heads"],
                      head_dim=c["dim"] // c["n_heads"],
                      max_position_embeddings=c["max_seq_len"], rms_norm_eps=c["norm_eps"],
                      rope_theta=c["rope_theta"], tie_word_embeddings=c["tie_embeddings"],
                      attention_bias=False, mlp_bias=False, hidden_act="silu",
                      attn_implementation="eager", torch_dtype=torch.float32)
    model = LlamaForCausalLM(cfg).float().eval()
    off = man["sections"]["weights"]["offset"]
    state = {}
    for t in man["tensors"]:
        n = int(np.prod(t["shape"]))
        state[t["name"]] = torch.tensor(data[off:off + n].reshape(t["shape"]))
        off += n
    missing, unexpected = model.load_state_dict(state, strict=False)
    allowed_missing = {"lm_head.weight"} if c["tie_embeddings"] else set()
    if unexpected or set(missing) - allowed_missing:
        print(f"FAIL {stem}: names differ: missing {missing}, unexpected {unexpected}")
        return False
    if c["tie_embeddings"] and model.lm_head.weight.data_ptr() != \
            model.model.embed_tokens.weight.data_ptr():
        print(f"FAIL {stem}: lm_head is not tied to embed_tokens")
        return False
    B, T, V = man["batch"], man["seq"], c["vocab_size"]
    tokens = torch.tensor(man["tokens"]).view(B, T)
    with torch.no_grad():
        logits = model(input_ids=tokens).logits.float()
    s = man["sections"]["logits"]
    want = torch.tensor(data[s["offset"]:s["offset"] + s["count"]].reshape(B, T, V))
    diff = (logits - want).abs().max().item()
    tol = 1e-5 + 1e-4 * want.abs().max().item()
    ok = diff <= tol
    print(f"{'ok' if ok else 'FAIL'} {stem}: transformers vs reference logits, "
          f"max |diff| {diff:.3g} (tolerance {tol:.3g})")
    return ok


def check_rope():
    """transformers' rotary tables at far positions vs model_rope (which
    test_ops checks cov_op_rope_table against)."""
    with open(os.path.join(FIXTURES, "model_rope.json")) as f:
        man = json.load(f)
    data = np.fromfile(os.path.join(FIXTURES, "model_rope.bin"), dtype="<f4")
    pos, off, ok = man["positions"], 0, True
    for c in man["cases"]:
        hd, half = c["head_dim"], c["head_dim"] // 2
        cfg = LlamaConfig(hidden_size=hd, num_attention_heads=1, head_dim=hd,
                          rope_theta=c["theta"], max_position_embeddings=max(pos) + 1)
        rope = LlamaRotaryEmbedding(config=cfg)
        T = max(pos) + 1
        cos, sin = rope(torch.zeros(1, T, hd), torch.arange(T)[None])
        n = len(pos) * half
        for name, got in (("cos", cos), ("sin", sin)):
            want = torch.tensor(data[off:off + n].reshape(len(pos), half))
            off += n
            got = got[0, pos]
            # rotate_half layout: the two halves of a row repeat the same angles
            diff = max((got[:, :half] - want).abs().max().item(),
                       (got[:, half:] - want).abs().max().item())
            good = diff <= 1e-6
            ok &= good
            print(f"{'ok' if good else 'FAIL'} rope {name} head_dim {hd} theta {c['theta']:g}: "
                  f"max |diff| {diff:.3g} at positions up to {max(pos)}")
    return ok


def main():
    results = [check("model_tiny"), check("model_tiny_tied"), check_rope()]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()

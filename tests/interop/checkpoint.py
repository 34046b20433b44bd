#!/usr/bin/env python3
"""Interop: covenant's checkpoints in the Hugging Face stack and back.

covenant's side is tests/tools/checkpoint_tool (train/checkpoint_*.c).

  - covenant saves random weights for several Llama shapes (GQA and not,
    tied and untied embeddings); the `safetensors` package reads every
    tensor bit-identical (blake2b of the fp32 bytes), with covenant's
    metadata; transformers.LlamaForCausalLM.from_pretrained opens the folder
    with no missing or unexpected keys, holds the same bits in every
    parameter, reads the same config and runs a forward pass (finite
    logits of the right shape);
  - transformers saves a randomly initialised model
    (save_pretrained(safe_serialization=True)); covenant reads its
    config.json and loads every tensor bit-identical;
  - a bf16 checkpoint from transformers is refused with a message naming
    the dtype (covenant loads F32 only).

usage: checkpoint.py CHECKPOINT_TOOL
"""

import hashlib
import os
import sys
import tempfile
import warnings

import torch
from safetensors import safe_open
from safetensors.numpy import load_file
import transformers
from transformers import LlamaConfig, LlamaForCausalLM

import interop
from interop import log

warnings.filterwarnings("ignore")
transformers.logging.set_verbosity_error()


def digest(array_bytes):
    return hashlib.blake2b(array_bytes, digest_size=32).hexdigest()


def tensor_digest(t):
    return digest(t.detach().contiguous().to(torch.float32).numpy().tobytes())


SHAPES = [
    dict(preset="tiny"),  # GQA 4/2, untied, odd FFN
    dict(preset="tiny", tie_embeddings=True, norm_eps=1e-6, rope_theta=500000.0),
    dict(preset="tiny", vocab_size=256, dim=48, n_layers=3, n_heads=6, n_kv_heads=6,
         ffn_dim=128, max_seq_len=64, tie_embeddings=True),
    dict(preset="tiny", n_heads=8, n_kv_heads=1, dim=64, ffn_dim=96, n_layers=1),
]


def covenant_to_hf(res, tool, tmp, rng):
    for i, shape in enumerate(SHAPES):
        d = os.path.join(tmp, f"cov{i}")
        meta = {"window": rng.randrange(10**6), "global_step": i, "eos_token_id": 0}
        out = tool.ask({"op": "save", "dir": d, "seed": rng.randrange(2**32), "config": shape,
                        "metadata": meta})
        if not res.ok("tensors" in out, "covenant save", shape=shape, out=out):
            continue
        want = out["tensors"]
        cfg = out["config"]

        # the safetensors package
        arrays = load_file(os.path.join(d, "model.safetensors"))
        res.eq(sorted(arrays), sorted(want), "safetensors: tensor names", shape=i)
        for name, a in arrays.items():
            res.eq(str(a.dtype), "float32", "safetensors: dtype", name=name)
            res.eq(digest(a.tobytes()), want.get(name), "safetensors: bits", name=name)
        with safe_open(os.path.join(d, "model.safetensors"), "np") as f:
            md = f.metadata()
        res.eq(md.get("format"), "pt", "metadata format")
        res.eq(md.get("window"), str(meta["window"]), "metadata window")

        # transformers
        model, info = LlamaForCausalLM.from_pretrained(d, output_loading_info=True)
        res.eq(sorted(info["missing_keys"]), [], "no missing keys",
               shape=i)
        res.eq(sorted(info["unexpected_keys"]), [], "no unexpected keys", shape=i)
        c = model.config
        res.eq((c.vocab_size, c.hidden_size, c.num_hidden_layers, c.num_attention_heads,
                c.num_key_value_heads, c.intermediate_size, c.max_position_embeddings,
                bool(c.tie_word_embeddings)),
               (cfg["vocab_size"], cfg["dim"], cfg["n_layers"], cfg["n_heads"],
                cfg["n_kv_heads"], cfg["ffn_dim"], cfg["max_seq_len"], cfg["tie_embeddings"]),
               "transformers config", shape=i)
        res.eq(torch.tensor(c.rms_norm_eps, dtype=torch.float32).item(),
               torch.tensor(cfg["norm_eps"], dtype=torch.float32).item(), "rms_norm_eps")
        theta = (getattr(c, "rope_parameters", None) or {}).get("rope_theta",
                                                                 getattr(c, "rope_theta", None))
        res.eq(float(theta), cfg["rope_theta"], "rope_theta")
        res.eq(str(next(model.parameters()).dtype), "torch.float32", "loaded as float32")
        sd = model.state_dict()
        for name, h in want.items():
            res.eq(tensor_digest(sd[name]) if name in sd else None, h, "transformers: bits",
                   name=name)
        if cfg["tie_embeddings"]:
            res.ok(model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr(),
                   "tied lm_head shares embed_tokens")
        ids = torch.randint(0, cfg["vocab_size"], (2, min(8, cfg["max_seq_len"])))
        with torch.no_grad():
            logits = model(input_ids=ids).logits
        res.eq(tuple(logits.shape), (2, ids.shape[1], cfg["vocab_size"]), "forward shape")
        res.ok(bool(torch.isfinite(logits).all()), "forward is finite", shape=i)


def hf_to_covenant(res, tool, tmp):
    cases = [
        dict(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
             num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False,
             max_position_embeddings=128, rms_norm_eps=1e-5, rope_theta=10000.0),
        dict(vocab_size=256, hidden_size=64, intermediate_size=176, num_hidden_layers=3,
             num_attention_heads=8, num_key_value_heads=8, tie_word_embeddings=True,
             max_position_embeddings=256, rms_norm_eps=1e-6, rope_theta=500000.0),
    ]
    for i, kw in enumerate(cases):
        theta = kw.pop("rope_theta")
        cfg = LlamaConfig(**kw, rope_parameters={"rope_type": "default", "rope_theta": theta})
        torch.manual_seed(i)
        model = LlamaForCausalLM(cfg).to(torch.float32)
        d = os.path.join(tmp, f"hf{i}")
        model.save_pretrained(d, safe_serialization=True)
        out = tool.ask({"op": "load", "dir": d})
        if not res.ok("tensors" in out, "covenant loads transformers' checkpoint", case=i,
                      out=out):
            continue
        got = out["tensors"]
        sd = {k: v for k, v in model.state_dict().items()
              if not (kw["tie_word_embeddings"] and k == "lm_head.weight")}
        res.eq(sorted(got), sorted(sd), "covenant: tensor names", case=i)
        for name, t in sd.items():
            res.eq(got.get(name), tensor_digest(t), "covenant: bits", name=name)
        c = out["config"]
        res.eq((c["vocab_size"], c["dim"], c["n_layers"], c["n_heads"], c["n_kv_heads"],
                c["ffn_dim"], c["max_seq_len"], c["tie_embeddings"], c["rope_theta"]),
               (kw["vocab_size"], kw["hidden_size"], kw["num_hidden_layers"],
                kw["num_attention_heads"], kw["num_key_value_heads"], kw["intermediate_size"],
                kw["max_position_embeddings"], kw["tie_word_embeddings"], theta),
               "covenant reads transformers' config", case=i)
        res.eq(torch.tensor(c["norm_eps"], dtype=torch.float32).item(),
               torch.tensor(kw["rms_norm_eps"], dtype=torch.float32).item(), "norm_eps", case=i)

    # bf16 is refused by name
    d = os.path.join(tmp, "bf16")
    LlamaForCausalLM(LlamaConfig(**cases[0])).to(torch.bfloat16).save_pretrained(
        d, safe_serialization=True)
    out = tool.ask({"op": "load", "dir": d})
    res.ok("BF16" in out.get("error", {}).get("message", ""), "bf16 refused", out=out)


def main():
    tool = interop.JsonLinesTool(sys.argv[1])
    res = interop.Results("checkpoint")
    rng = interop.make_rng()
    log(f"torch {torch.__version__}, transformers {transformers.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        covenant_to_hf(res, tool, tmp, rng)
        hf_to_covenant(res, tool, tmp)
    res.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Interop (b): covenant's signatures against polkadot-js and schnorrkel-WASM.

For sr25519, ed25519 and ecdsa:
  - covenant-made signatures verify in polkadot-js (every implementation the
    oracle holds: @scure/@noble and the WASM builds; for sr25519 that includes
    schnorrkel itself), by public key and by SS58 address;
  - polkadot-js-made signatures verify in covenant, by --public-key,
    --ss58-address and --suri;
  - a flipped signature bit, a changed message or the wrong key is rejected by
    both sides, and covenant reports that as {"valid":false} with exit 0;
  - ed25519 and ecdsa signatures are deterministic, so covenant's must equal
    the oracle's byte for byte;
  - a signature of the wrong length is malformed input: non-zero exit.

usage: signatures.py COVENANT_BINARY
"""

import interop
from interop import log, norm_hex

CRYPTOS = ["sr25519", "ed25519", "ecdsa"]
SIG_LEN = {"sr25519": 64, "ed25519": 64, "ecdsa": 65}
# Around the sizes where implementations tend to branch: empty, one byte, one
# hash, Substrate's 256-byte payload-hashing threshold, and larger.
MESSAGE_LENGTHS = [0, 1, 31, 32, 33, 64, 255, 256, 257, 1024]
# Substrate's ed25519/ecdsa test seed (sp_core tests).
SUBSTRATE_SEED = "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"


def rand_bytes(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def keys_for(rng, crypto, mnemonics):
    soft = crypto == "sr25519"
    keys = ["//Alice", SUBSTRATE_SEED, "0x" + rand_bytes(rng, 32).hex(), mnemonics[0]]
    keys += [m + f"//{rng.randint(0, 2**32)}//hard{rng.randint(0, 999)}" for m in mnemonics[1:3]]
    keys.append(mnemonics[3] + "///pass" + str(rng.randint(0, 999)))
    if soft:
        keys += ["/soft", mnemonics[4] + "//hard/soft"]
    return keys


def flip_bit(sig_hex, rng, limit=64):
    """Flip one bit inside r||s (never the ecdsa recovery byte)."""
    b = bytearray(bytes.fromhex(sig_hex[2:]))
    pos = rng.randrange(min(limit, len(b)))
    b[pos] ^= 1 << rng.randrange(8)
    return "0x" + b.hex()


def tamper_message(msg_hex):
    b = bytearray(bytes.fromhex(msg_hex[2:]))
    if b:
        b[-1] ^= 0x01
    else:
        b.append(0)
    return "0x" + b.hex()


def main():
    cov = interop.covenant_from_argv()
    rng = interop.make_rng()
    res = interop.Results("interop_signatures")
    oracle = interop.PolkadotOracle()
    try:
        mnemonics = oracle.request({"op": "mnemonic", "count": 5, "words": 12})["mnemonics"]
        for crypto in CRYPTOS:
            keys = keys_for(rng, crypto, mnemonics)
            derived = oracle.request({"op": "derive", "items": [
                {"suri": k, "crypto": crypto} for k in keys]})["results"]
            for k, d in zip(keys, derived):
                if "error" in d:
                    raise RuntimeError(f"oracle could not derive {k!r} ({crypto}): {d['error']}")
            # Two messages per key, of different lengths.
            cases = []
            lengths = MESSAGE_LENGTHS[:]
            rng.shuffle(lengths)
            for i, (k, d) in enumerate(zip(keys, derived)):
                for j in range(2):
                    n = lengths[(2 * i + j) % len(lengths)]
                    cases.append({"suri": k, "key": d, "msg": "0x" + rand_bytes(rng, n).hex()})
            log(f"{crypto}: {len(keys)} keys, {len(cases)} signatures each way")

            oracle_sigs = oracle.request({"op": "sign", "items": [
                {"suri": c["suri"], "crypto": crypto, "message_hex": c["msg"]} for c in cases]})
            for c, s in zip(cases, oracle_sigs["results"]):
                if "error" in s:
                    raise RuntimeError(f"oracle could not sign with {c['suri']!r}: {s['error']}")
                c["sig_o"] = s["signature"]

            # covenant signs; the contract takes the message as plain hex.
            for c in cases:
                r = cov.run("wallet", "sign", "--suri", c["suri"], "--crypto", crypto,
                            "--message-hex", c["msg"][2:])
                ctx = {"suri": c["suri"], "crypto": crypto, "message_hex": c["msg"]}
                c["sig_c"] = None
                if not res.ok(r.ok, "covenant sign failed", **ctx, covenant=r.describe()):
                    continue
                sig = norm_hex(r.get("signature"))
                if not res.eq(len(sig) // 2 - 1 if isinstance(sig, str) else None, SIG_LEN[crypto],
                              "signature length", **ctx, signature=sig):
                    continue
                c["sig_c"] = sig
                if crypto != "sr25519":
                    res.eq(sig, c["sig_o"], f"{crypto} signature must be deterministic "
                           "(covenant vs polkadot-js)", **ctx)

            # polkadot-js verifies covenant's signatures, the right ones and spoiled ones.
            items, expect = [], []
            for i, c in enumerate(cases):
                if not c["sig_c"]:
                    continue
                other = cases[(i + 2) % len(cases)]["key"]  # next key (two messages per key)
                base = {"crypto": crypto, "message_hex": c["msg"], "signature": c["sig_c"]}
                ctx = {"suri": c["suri"], "message_hex": c["msg"], "signature": c["sig_c"]}
                checks = [
                    ({"public_key": c["key"]["public_key"]}, True, "by public key"),
                    ({"ss58_address": c["key"]["ss58_address"]}, True, "by ss58 address"),
                    ({"public_key": c["key"]["public_key"], "signature": flip_bit(c["sig_c"], rng)},
                     False, "flipped signature bit"),
                    ({"public_key": c["key"]["public_key"], "message_hex": tamper_message(c["msg"])},
                     False, "changed message"),
                ]
                if other["public_key"] != c["key"]["public_key"]:
                    checks.append(({"public_key": other["public_key"]}, False, "wrong key"))
                for extra, want, what in checks:
                    items.append({**base, **extra})
                    expect.append((want, what, {**ctx, **extra}))
            verdicts = oracle.request({"op": "verify", "items": items})["results"]
            for (want, what, ctx), v in zip(expect, verdicts):
                res.eq(v.get("valid"), want, f"polkadot-js verify of covenant {crypto} signature, {what}",
                       **ctx, oracle=v)
                if crypto == "sr25519":
                    res.eq(v.get("by", {}).get("schnorrkel-wasm"), want,
                           f"schnorrkel-wasm verify of covenant signature, {what}", **ctx)

            # covenant verifies polkadot-js's signatures, naming the key three ways.
            for i, c in enumerate(cases):
                sig, msg = c["sig_o"], c["msg"]
                key_args = [
                    ["--public-key", c["key"]["public_key"]],
                    ["--ss58-address", c["key"]["ss58_address"]],
                    ["--suri", c["suri"]],
                ][i % 3]
                other = cases[(i + 2) % len(cases)]["key"]
                checks = [
                    (key_args, sig, msg, True, "valid signature"),
                    (key_args, flip_bit(sig, rng), msg, False, "flipped signature bit"),
                    (key_args, sig, tamper_message(msg), False, "changed message"),
                ]
                if other["public_key"] != c["key"]["public_key"]:
                    checks.append((["--public-key", other["public_key"]], sig, msg, False, "wrong key"))
                for kargs, s, m, want, what in checks:
                    r = cov.run("wallet", "verify", "--crypto", crypto, *kargs,
                                "--message-hex", m[2:], "--signature", s)
                    ctx = {"crypto": crypto, "key": kargs, "message_hex": m, "signature": s}
                    if res.ok(r.rc == 0 and isinstance(r.get("valid"), bool),
                              f"covenant verify must exit 0 with a boolean ({what})", **ctx,
                              covenant=r.describe()):
                        res.eq(r.get("valid"), want, f"covenant verify of polkadot-js signature, {what}",
                               **ctx)

            # A signature of the wrong length is malformed input, not a "false".
            c = cases[0]
            short = c["sig_o"][:-2]
            r = cov.run("wallet", "verify", "--crypto", crypto, "--public-key", c["key"]["public_key"],
                        "--message-hex", c["msg"][2:], "--signature", short)
            res.ok(r.is_error, "covenant verify must reject a short signature as malformed",
                   crypto=crypto, signature=short, covenant=r.describe())
        log(f"covenant ran {cov.calls} times")
    finally:
        oracle.close()
    res.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Interop (a): `covenant wallet derive` against polkadot-js and bittensor-wallet.

For each crypto type, ~50 random secret URIs (fresh polkadot-js mnemonics,
hard/soft/numeric/long/unicode junctions, ///password, raw 0x seeds, and
dev-phrase-relative "/..." forms) must give covenant the same public key and
SS58 address as polkadot-js. sr25519 and ed25519 are also checked against
bittensor-wallet's Keypair.create_from_uri, which is sp-core itself; a few
SURIs where polkadot-js departs from sp-core are checked against sp-core only.
Invalid SURIs that both references reject must make covenant fail cleanly.

usage: derive.py COVENANT_BINARY
"""

import interop
from interop import DEV_PHRASE, log, norm_hex

CRYPTOS = ["sr25519", "ed25519", "ecdsa"]
PER_CRYPTO = 50
WORD_COUNTS = [12, 12, 12, 15, 18, 21, 24]
# Formats other than Bittensor's 42: one- and two-byte SS58 prefixes at their edges.
SS58_FORMATS = [0, 2, 63, 64, 255, 1337, 16383]
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# NFC strings only: polkadot-js normalises SURIs to NFC and sp-core does not.
UNICODE_NAMES = ["ünïcödé", "日本語", "straße", "Ωμέγα", "emoji😀"]
PASSWORD_CHARS = ALNUM + " !#$%&()*+,-.:;<=>?@[]^_{|}~"


def word(rng, n=None):
    return "".join(rng.choice(ALNUM) for _ in range(n or rng.randint(1, 12)))


def junction_name(rng):
    kind = rng.choice(["word", "word", "number", "bignumber", "long", "unicode", "space",
                       "leadingzero", "negative"])
    if kind == "number":
        return str(rng.randint(0, 1000))
    if kind == "bignumber":
        return str(rng.choice([2**32, 2**63, 2**64 - 1, rng.randint(2**40, 2**64 - 1)]))
    if kind == "leadingzero":
        return "00" + str(rng.randint(0, 99))  # sp-core parses it as the number
    if kind == "negative":
        return "-" + str(rng.randint(1, 99))  # not a u64: a string junction
    if kind == "long":
        # SCALE string encodings of 32 bytes are padded, 33+ are blake2-hashed;
        # 64+ characters also switch the length prefix to two bytes.
        return word(rng, rng.choice([30, 31, 32, 33, 40, 63, 64, 100]))
    if kind == "unicode":
        return rng.choice(UNICODE_NAMES)
    if kind == "space":
        return f"{word(rng, 4)} {word(rng, 4)}"
    return word(rng)


def path(rng, soft_ok, n=None):
    out = ""
    for _ in range(n if n is not None else rng.randint(1, 3)):
        hard = not soft_ok or rng.random() < 0.5
        out += ("//" if hard else "/") + junction_name(rng)
    return out


def password(rng):
    # Starts and ends with an alphanumeric so no reader can trim it differently.
    inner = "".join(rng.choice(PASSWORD_CHARS) for _ in range(rng.randint(0, 18)))
    return "///" + rng.choice(ALNUM) + inner + rng.choice(ALNUM)


def random_seed(rng):
    return "0x" + bytes(rng.getrandbits(8) for _ in range(32)).hex()


def suri_cases(rng, mnemonics, crypto):
    """~PER_CRYPTO SURIs that polkadot-js and sp-core interpret identically."""
    soft = crypto == "sr25519"
    cases = ["//Alice", "//Bob", "//Alice//stash", "//0", "//1", "///pw", "//Alice///pw",
             DEV_PHRASE, DEV_PHRASE + "//Alice"]
    if soft:
        cases += ["/Alice", "/1", "//Alice/stash", "/0/1", "/soft//hard"]
    # Raw 32-byte seeds; a ///password after a seed is ignored by both references.
    for i in range(6):
        s = random_seed(rng)
        cases.append(s if i == 0 else s + path(rng, soft))
    if crypto != "ecdsa":  # zero is not a valid secp256k1 secret key
        cases.append("0x" + "00" * 32)
    for m in mnemonics:
        cases.append(m)
    while len(cases) < PER_CRYPTO:
        base = rng.choice(mnemonics + [""])  # "" -> dev-relative "/..." form
        s = base + path(rng, soft, rng.choice([0, 1, 1, 2, 3]))
        if rng.random() < 0.3 or s == base:
            s += password(rng)
        cases.append(s)
    return cases


def spcore_only_cases(crypto):
    """SURIs where polkadot-js is known to differ from sp-core (the reference):
    sp-core parses junctions with Rust's u64::from_str ("+5" is 5; 2^64 is a
    string) and never treats "0x.." junctions as raw bytes."""
    cases = ["//+5", "//18446744073709551616", "//0xdeadbeef", "//99999999999999999999"]
    if crypto == "sr25519":
        cases += ["/+7", "/0x00"]
    return cases


def may_reject_cases(rng, crypto):
    """SURIs sp-core accepts but a stricter reader may refuse. covenant may
    answer with an error object; what it must not do is give another key.
    (sp-core and polkadot-js ignore a ///password after a raw hex seed.)"""
    s = random_seed(rng)
    return [s + "///ignored", s + "//hard///ignored"]


def invalid_cases(rng, mnemonics, crypto, oracle):
    """SURIs both references reject; the mnemonic ones are confirmed by polkadot-js."""
    cases = ["0x" + "11" * 31, "0x" + "11" * 33, "not a mnemonic phrase at all sorry"]
    words = mnemonics[0].split()
    for i in range(1, len(words)):
        # Swapping two words keeps the vocabulary but, almost always, breaks the checksum.
        w = words[:]
        w[0], w[i] = w[i], w[0]
        bad = " ".join(w)
        r = oracle.request({"op": "derive", "items": [{"suri": bad, "crypto": crypto}]})
        if "error" in r["results"][0]:
            cases.append(bad)
            break
    if crypto != "sr25519":
        cases += ["//Alice/soft", mnemonics[1] + "/soft"]
    if crypto == "ecdsa":
        cases += ["0x" + "00" * 32, "0x" + "ff" * 32]  # outside [1, n-1]
    return cases


def covenant_derive(cov, suri, crypto, ss58_format, explicit_crypto=True):
    args = ["wallet", "derive", "--suri", suri]
    if explicit_crypto or crypto != "sr25519":
        args += ["--crypto", crypto]
    if ss58_format is not None:
        args += ["--ss58-format", str(ss58_format)]
    return cov.run(*args)


def main():
    cov = interop.covenant_from_argv()
    rng = interop.make_rng()
    res = interop.Results("interop_derive")
    oracle = interop.PolkadotOracle()
    try:
        mnemonics = []
        for n in WORD_COUNTS:
            mnemonics += oracle.request({"op": "mnemonic", "count": 2, "words": n})["mnemonics"]

        for crypto in CRYPTOS:
            cases = suri_cases(rng, mnemonics, crypto)
            # Most cases use the default (42, no flag); a few name a format.
            formats = [None] * len(cases)
            for i, fmt in zip(rng.sample(range(len(cases)), len(SS58_FORMATS)), SS58_FORMATS):
                formats[i] = fmt

            want = {}
            for fmt in sorted(set(f if f is not None else 42 for f in formats)):
                idx = [i for i, f in enumerate(formats) if (f if f is not None else 42) == fmt]
                r = oracle.request({"op": "derive", "ss58_format": fmt,
                                    "items": [{"suri": cases[i], "crypto": crypto} for i in idx]})
                for i, item in zip(idx, r["results"]):
                    want[i] = item
            bt = {}
            if crypto != "ecdsa":
                rc, obj = interop.btwallet("derive", stdin={
                    "items": [{"suri": s, "crypto": crypto} for s in cases]})
                res.ok(rc == 0 and len(obj.get("results", [])) == len(cases),
                       "bittensor-wallet derive batch failed", error=obj.get("error"))
                bt = dict(enumerate(obj.get("results", [])))

            log(f"{crypto}: {len(cases)} SURIs")
            for i, suri in enumerate(cases):
                w = want[i]
                if "error" in w:
                    # The generator should only make SURIs both sides accept.
                    res.ok(False, "oracle rejected a generated SURI", suri=suri, crypto=crypto,
                           error=w["error"])
                    continue
                if i in bt:
                    # polkadot-js and sp-core must agree before either judges covenant.
                    res.eq(bt[i].get("public_key", bt[i].get("error")), w["public_key"],
                           "polkadot-js vs bittensor-wallet (reference disagreement)",
                           suri=suri, crypto=crypto)
                r = covenant_derive(cov, suri, crypto, formats[i], explicit_crypto=i % 2 == 0)
                ctx = {"suri": suri, "crypto": crypto, "ss58_format": formats[i]}
                if not res.ok(r.ok, "covenant derive failed", **ctx, covenant=r.describe()):
                    continue
                res.eq(r.get("crypto"), crypto, "crypto field", **ctx)
                res.eq(norm_hex(r.get("public_key")), w["public_key"], "public_key", **ctx)
                res.eq(r.get("ss58_address"), w["ss58_address"], "ss58_address", **ctx)

            if crypto != "ecdsa":
                extra = spcore_only_cases(crypto)
                rc, obj = interop.btwallet("derive", stdin={
                    "items": [{"suri": s, "crypto": crypto} for s in extra]})
                res.ok(rc == 0, "bittensor-wallet derive batch failed", error=obj.get("error"))
                for suri, w in zip(extra, obj.get("results", [])):
                    ctx = {"suri": suri, "crypto": crypto, "reference": "sp-core (bittensor-wallet)"}
                    if not res.ok("error" not in w, "bittensor-wallet rejected SURI", **ctx, error=w):
                        continue
                    r = covenant_derive(cov, suri, crypto, None)
                    if res.ok(r.ok, "covenant derive failed", **ctx, covenant=r.describe()):
                        res.eq(norm_hex(r.get("public_key")), w["public_key"], "public_key", **ctx)
                        res.eq(r.get("ss58_address"), w["ss58_address"], "ss58_address", **ctx)

            lenient = may_reject_cases(rng, crypto)
            want = oracle.request({"op": "derive", "items": [
                {"suri": x, "crypto": crypto} for x in lenient]})["results"]
            for suri, w in zip(lenient, want):
                r = covenant_derive(cov, suri, crypto, None)
                ctx = {"suri": suri, "crypto": crypto}
                if r.is_error:
                    log(f"note: covenant refuses {suri[:10]}...{suri[66:]} ({crypto}): "
                        f"{r.get('error', 'message')}")
                    continue
                if res.ok(r.ok, "covenant must give the reference key or an error object", **ctx,
                          covenant=r.describe()):
                    res.eq(norm_hex(r.get("public_key")), w["public_key"], "public_key", **ctx)

            for suri in invalid_cases(rng, mnemonics, crypto, oracle):
                w = oracle.request({"op": "derive", "items": [{"suri": suri, "crypto": crypto}]})
                if not res.ok("error" in w["results"][0], "polkadot-js accepted an invalid SURI",
                              suri=suri, crypto=crypto):
                    continue
                r = covenant_derive(cov, suri, crypto, None)
                res.ok(r.is_error, "covenant must reject invalid SURI with an error object",
                       suri=suri, crypto=crypto, covenant=r.describe())
        log(f"covenant ran {cov.calls} times")
    finally:
        oracle.close()
    res.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Interop: covenant's eras, storage keys and v4 extrinsics against polkadot-js.

covenant's side is tests/tools/extrinsic_tool (chain/era.c, storage_key.c,
tx_extension.c, extrinsic.c); the other is extrinsic_oracle.mjs, where
@polkadot/types builds the era, the signing payload and the signed
extrinsic's address, signature and extras from its own definitions. Both
speak the same JSON lines, so each request goes to both unchanged.

  - eras: encoding, period, phase, birth and death for many (current,
    period) pairs, including periods over 4096 where the phase is quantised;
  - storage keys: subtensor's and System's maps with every hasher, and
    covenant's split of each key gives the keys back;
  - extrinsics: four extension lists (subtensor today, subtensor up to spec
    274, an old frame list with CheckEra, an asset-hub style one), immortal
    and mortal eras, metadata-hash mode 0 and 1, nonces and tips at the
    compact-encoding boundaries, calls whose payloads sit just below, at and
    above the 256-byte hashing threshold and far above it:
      * the signing payload and the signed message are identical;
      * ed25519 and ecdsa extrinsics are identical byte for byte;
      * every covenant signature (sr25519 too) verifies in polkadot-js, and
        polkadot-js assembling covenant's signature gives covenant's bytes;
      * covenant decodes its own extrinsic back to the same parts;
      * an unknown extension that is not declared zero-sized is refused by
        both.

usage: extrinsic.py EXTRINSIC_TOOL
"""

import json
import os
import subprocess
import sys

import interop
from interop import log

HERE = os.path.dirname(os.path.abspath(__file__))

CRYPTOS = ["sr25519", "ed25519", "ecdsa"]
SUBSTRATE_SEED = "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
FINNEY_GENESIS = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"

# (extension identifiers in wire order, the ones that are zero-sized customs)
EXTENSION_LISTS = {
    "subtensor": (
        ["CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis",
         "CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment",
         "SudoTransactionExtension", "CheckShieldedTxValidity",
         "SubtensorTransactionExtension", "DrandPriority", "CheckMetadataHash"],
        ["SudoTransactionExtension", "CheckShieldedTxValidity",
         "SubtensorTransactionExtension", "DrandPriority"]),
    "subtensor-274": (
        ["CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis",
         "CheckMortality", "CheckNonce", "CheckWeight", "ChargeTransactionPayment",
         "SubtensorSignedExtension", "CommitmentsSignedExtension", "CheckMetadataHash"],
        ["SubtensorSignedExtension", "CommitmentsSignedExtension"]),
    "frame-old": (
        ["CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckEra", "CheckNonce",
         "CheckWeight", "ChargeTransactionPayment"],
        []),
    "asset-hub": (
        ["CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis",
         "CheckMortality", "CheckNonce", "CheckWeight", "ChargeAssetTxPayment",
         "CheckMetadataHash"],
        []),
}

NONCES = [0, 1, 63, 64, 16383, 16384, 2**30 - 1, 2**30, 2**32 - 1]
TIPS = [0, 1, 63, 64, 10**9, 2**30, 2**32, 2**56, 2**64 - 1]


class JsonLines:
    """One long-lived process answering JSON-line requests."""

    def __init__(self, argv, name):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, encoding="utf-8", cwd=HERE)

    def request(self, req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} exited (rc={self.proc.poll()})")
        resp = json.loads(line)
        if not resp.get("ok"):
            raise RuntimeError(f"{self.name} failed on {req.get('op')}: {resp.get('error')}")
        return resp

    def results(self, op, items):
        return self.request({"op": op, "items": items})["results"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def rand_hex(rng, n):
    return "0x" + bytes(rng.getrandbits(8) for _ in range(n)).hex()


def compact(n):
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return ((n << 2) | 1).to_bytes(2, "little")
    if n < 1 << 30:
        return ((n << 2) | 2).to_bytes(4, "little")
    b = n.to_bytes((n.bit_length() + 7) // 8, "little")
    return bytes([((len(b) - 4) << 2) | 3]) + b


def transfer_call(dest_hex, amount):
    # Balances (5) . transfer_keep_alive (3): MultiAddress::Id(dest), Compact<u64>.
    return "0x" + (bytes([5, 3, 0]) + bytes.fromhex(dest_hex[2:]) + compact(amount)).hex()


def remark_call(rng, n):
    # System (0) . remark (0): Vec<u8>.
    return "0x" + (bytes([0, 0]) + compact(n) + bytes(rng.getrandbits(8) for _ in range(n))).hex()


# ------------------------------------------------------------------ checks

def check_eras(tool, oracle, rng, res):
    periods = [0, 1, 2, 3, 4, 5, 63, 64, 65, 128, 200, 4095, 4096, 4097, 8192, 10000,
               32768, 65535, 65536, 65537, 10**6]
    items = [{"immortal": True}]
    for p in periods:
        # Block numbers are u32 (polkadot-js's birth() also truncates its
        # quotient to 32 bits, so larger ones would fail there).
        for cur in [0, 1, 3, 4095, 4096, 65535, 65536, rng.randrange(2**32), 2**32 - 1]:
            items.append({"current": cur, "period": p})
    mine, theirs = tool.results("era", items), oracle.results("era", items)
    for it, m, t in zip(items, mine, theirs):
        res.eq(m.get("round_trip"), True, "covenant era decodes to itself", era=it, covenant=m)
        m2 = {k: v for k, v in m.items() if k != "round_trip"}
        res.eq(m2, t, "era (encoding, period, phase, birth, death)", era=it)
    log(f"eras: {len(items)} compared")


def check_storage_keys(tool, oracle, rng, res):
    acct = lambda: rand_hex(rng, 32)  # noqa: E731
    u16 = lambda: "0x" + rng.randrange(2**16).to_bytes(2, "little").hex()  # noqa: E731
    items = [
        {"pallet": "System", "item": "Account",
         "keys": [{"hasher": "Blake2_128Concat",
                   "key": "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"}]},
        {"pallet": "SubtensorModule", "item": "TotalIssuance", "keys": []},
    ]
    for _ in range(8):
        items += [
            {"pallet": "System", "item": "Account", "keys": [{"hasher": "Blake2_128Concat", "key": acct()}]},
            {"pallet": "SubtensorModule", "item": "Tempo", "keys": [{"hasher": "Identity", "key": u16()}]},
            {"pallet": "SubtensorModule", "item": "RevealPeriodEpochs",
             "keys": [{"hasher": "Twox64Concat", "key": u16()}]},
            {"pallet": "SubtensorModule", "item": "Uids",
             "keys": [{"hasher": "Identity", "key": u16()}, {"hasher": "Blake2_128Concat", "key": acct()}]},
            {"pallet": "SubtensorModule", "item": "WeightCommits",
             "keys": [{"hasher": "Twox64Concat", "key": u16()}, {"hasher": "Twox64Concat", "key": acct()}]},
            {"pallet": "SubtensorModule", "item": "Alpha",
             "keys": [{"hasher": "Blake2_128Concat", "key": acct()},
                      {"hasher": "Blake2_128Concat", "key": acct()}, {"hasher": "Identity", "key": u16()}]},
            {"pallet": "Opaque", "item": "Hashers",
             "keys": [{"hasher": h, "key": rand_hex(rng, rng.randrange(0, 80))}
                      for h in ["Blake2_128", "Blake2_256", "Twox128", "Twox256"]]},
        ]
    mine, theirs = tool.results("storage_key", items), oracle.results("storage_key", items)
    for it, m, t in zip(items, mine, theirs):
        res.eq(m.get("key"), t.get("key"), "storage key", request=it)
        res.eq(m.get("split_ok"), True, "covenant splits its key back into the keys", request=it)
    log(f"storage keys: {len(items)} compared")


def values_for(rng, era, mode):
    genesis = FINNEY_GENESIS if rng.random() < 0.5 else rand_hex(rng, 32)
    return {
        "spec": rng.choice([1, 274, 385, rng.randrange(2**32)]),
        "txver": rng.choice([1, 2, rng.randrange(2**32)]),
        "genesis": genesis,
        "era": era,
        "era_block_hash": genesis if era is None else rand_hex(rng, 32),
        "nonce": str(rng.choice(NONCES)),
        "tip": str(rng.choice(TIPS)),
        "mode": mode,
        "metadata_hash": rand_hex(rng, 32),
    }


def random_era(rng):
    if rng.random() < 0.25:
        return None
    return {"current": rng.randrange(2**32), "period": rng.choice([4, 16, 64, 128, 256, 2048, 8192, 65536])}


def keys_for(crypto, rng):
    keys = ["//Alice", "//Bob", SUBSTRATE_SEED, rand_hex(rng, 32)]
    if crypto == "sr25519":
        keys.append("//Alice/soft")
    return keys


def extrinsic_items(rng, crypto):
    items = []
    for suri in keys_for(crypto, rng):
        for list_name, (ids, zero) in EXTENSION_LISTS.items():
            mode = 1 if "CheckMetadataHash" in ids and rng.random() < 0.5 else 0
            call = transfer_call(rand_hex(rng, 32), rng.choice([0, 500, 10**9, 2**64 - 1]))
            items.append({"suri": suri, "crypto": crypto, "call": call, "extensions": ids,
                          "zero_sized": zero,
                          "values": values_for(rng, random_era(rng), mode)})
    ids, zero = EXTENSION_LISTS["subtensor"]
    for n in [300, 1000, 5000]:  # payloads far over 256 bytes: signed as blake2b-256
        items.append({"suri": "//Alice", "crypto": crypto, "call": remark_call(rng, n),
                      "extensions": ids, "zero_sized": zero,
                      "values": values_for(rng, random_era(rng), 0)})
    return items


def boundary_items(tool, rng, crypto):
    """Remarks sized so that the payload is 254..259 bytes long."""
    ids, zero = EXTENSION_LISTS["subtensor"]
    items = []
    for era in [None, {"current": 123456, "period": 64}]:
        values = values_for(rng, era, 0)
        base = {"suri": "//Alice", "crypto": crypto, "extensions": ids, "zero_sized": zero,
                "values": values}
        probe = tool.results("extrinsic", [{**base, "call": remark_call(rng, 100)}])[0]
        if "error" in probe:
            raise RuntimeError(f"covenant could not build the probe extrinsic: {probe['error']}")
        fixed = (len(probe["payload"]) - 2) // 2 - 100  # payload bytes besides the remark
        for target in range(254, 260):
            items.append({**base, "call": remark_call(rng, target - fixed)})
    return items


def check_extrinsics(tool, oracle, rng, res):
    total = 0
    for crypto in CRYPTOS:
        items = extrinsic_items(rng, crypto) + boundary_items(tool, rng, crypto)
        mine = tool.results("extrinsic", items)
        for it, m in zip(items, mine):
            if "error" in m:
                res.ok(False, "covenant could not build the extrinsic", request=it, covenant=m)
                it["skip"] = True
            else:
                it["covenant_signature"] = m["signature"]
        asked = [it for it in items if not it.get("skip")]
        theirs = oracle.results("extrinsic", [{k: v for k, v in it.items() if k != "skip"} for it in asked])
        mine = [m for m in mine if "error" not in m]
        lengths = set()
        for it, m, t in zip(asked, mine, theirs):
            ctx = {"crypto": crypto, "suri": it["suri"], "extensions": it["extensions"],
                   "values": it["values"], "call": it["call"][:80]}
            if not res.ok("error" not in t, "oracle could not build the extrinsic", **ctx, oracle=t):
                continue
            lengths.add(len(m["payload"]) // 2 - 1)
            res.eq(m["payload"], t["payload"], "signing payload", **ctx)
            res.eq(m["signing_message"], t["signing_message"], "signed message (hashed over 256)", **ctx)
            res.eq(m["account"], t["account"], "signer account id", **ctx)
            res.eq(m["decode_ok"], True, "covenant decodes its extrinsic to the same parts", **ctx)
            res.eq(m["verifies"], True, "covenant verifies its own signature", **ctx)
            res.eq(t["covenant_signature_valid"], True, "polkadot-js verifies covenant's signature",
                   **ctx, signature=m["signature"])
            res.eq(m["extrinsic"], t["extrinsic_with_covenant_signature"],
                   "extrinsic (polkadot-js assembling covenant's signature)", **ctx)
            if crypto != "sr25519":
                res.eq(m["signature"], t["signature"], f"{crypto} signature (deterministic)", **ctx)
                res.eq(m["extrinsic"], t["extrinsic"], f"{crypto} extrinsic byte for byte", **ctx)
        for edge in (255, 256, 257):
            res.ok(edge in lengths, f"a {crypto} payload of exactly {edge} bytes was tested",
                   lengths=sorted(lengths))
        total += len(asked)

    # An extension whose bytes nobody declared must be refused, not guessed.
    ids, zero = EXTENSION_LISTS["subtensor"]
    bad = {"suri": "//Alice", "crypto": "ed25519", "call": transfer_call(rand_hex(rng, 32), 1),
           "extensions": ids[:-1] + ["SomeNewExtension", ids[-1]], "zero_sized": zero,
           "values": values_for(rng, None, 0)}
    m = tool.results("extrinsic", [bad])[0]
    t = oracle.results("extrinsic", [bad])[0]
    res.ok("error" in m and "SomeNewExtension" in m["error"],
           "covenant refuses an unknown, undeclared extension and names it", covenant=m)
    res.ok("error" in t, "the oracle refuses an unknown, undeclared extension", oracle=t)
    log(f"extrinsics: {total} compared")


def main():
    tool_path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("EXTRINSIC_TOOL", "")
    if not tool_path or not os.access(tool_path, os.X_OK):
        interop.skip(f"extrinsic_tool not found or not executable: {tool_path!r}")
    rng = interop.make_rng()
    res = interop.Results("interop_extrinsic")
    tool = JsonLines([tool_path], "extrinsic_tool")
    oracle = JsonLines(["node", os.path.join(HERE, "extrinsic_oracle.mjs")], "extrinsic oracle")
    try:
        oracle.request({"op": "selftest"})
        check_eras(tool, oracle, rng, res)
        check_storage_keys(tool, oracle, rng, res)
        check_extrinsics(tool, oracle, rng, res)
    finally:
        tool.close()
        oracle.close()
    res.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""End to end: covenant's chain client and CLI against a fake node.

fake_node.mjs is a JSON-RPC server whose blocks, storage values, events,
runtime-API answers and metadata all come from @polkadot/types and the
substrate metadata @polkadot/types-support ships, so every value covenant
decodes here was encoded by an implementation nobody on the project wrote;
and every extrinsic covenant builds is decoded, and its signature verified,
by polkadot-js inside the fake before the fake puts it in a block.

Two fakes run: one serving V15 metadata through the Metadata_metadata_at_version
runtime API (with runtime APIs), one serving V14 from state_getMetadata only.
Against them (covenant with --url and --json):

  - chain info: runtime and transaction version, genesis, best and
    finalized blocks equal the fake's; metadata from the runtime API, then
    from covenant's cache (COVENANT_CACHE_DIR, a fresh folder per fake);
  - chain balance: free/reserved/frozen TAO exactly, including a u128
    balance beyond 2^64 and an account with no entry (defaults);
  - chain storage: one System.Account value (also --at an older block),
    the whole map (523 accounts: two state_getKeysPaged pages of 512) with
    its keys decoded back, --limit, a double map under a partial key
    (Assets.Account), plain values (System.Number, Timestamp.Now); the map
    again while every read that names no block makes a new one (accounts
    come and go): still exactly one block's accounts;
  - chain constant: values equal polkadot-js's decoding of the constants;
  - chain call (V15): Core.version, AccountNonceApi.account_nonce,
    Metadata.metadata_versions; refused clearly on V14;
  - chain block: extrinsic hashes and every event (phase, pallet, variant,
    fields) equal polkadot-js's decoding of the same System.Events bytes;
  - tx transfer --dry-run: polkadot-js decodes Balances.transfer_keep_alive
    to Bob of 1.5 TAO and verifies the signature (sr25519); with ed25519 the
    extrinsic is byte-identical to polkadot-js signing the same payload;
    immortal era, tip and explicit nonce come back as given; a period over
    4096 (quantised phase: the era's birth block is not the current one);
  - tx transfer: included, success, Balances.Transfer event, balances and
    nonce moved; --wait finalized; --wait none then included later; a
    transfer over the balance fails with Balances::InsufficientBalance and
    its doc line, exit code 1; an outdated nonce is the node's 1010 error;
  - tx call System remark / remark_with_event (the Remarked hash checked);
  - errors: unknown pallet, call, storage item, constant, runtime API; bad
    JSON; wrong argument counts; bad addresses; an unreachable node, one
    answering HTTP 500 and one answering garbage, each quickly.

Deterministic: fixed dev keys, fixed chain. Prints "N passed, N failed"
last; exits 1 on any failure, 77 (skip) without node or polkadot-js.

usage: chain_cli.py COVENANT
"""

import hashlib
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

import interop
from interop import log

HERE = os.path.dirname(os.path.abspath(__file__))
RAO = 10**9


def blake2_256(data):
    return "0x" + hashlib.blake2b(data, digest_size=32).hexdigest()


def unhex(s):
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)


def tao_text(rao):
    return f"{rao // RAO}.{rao % RAO:09d}"


def norm(v):
    """One shape for covenant's JSON and polkadot-js's toPrimitive(): field
    names without case or underscores, numbers as ints (covenant writes big
    ones as decimal strings, polkadot-js too), unit enum variants as
    "enum:name" (covenant "Normal", polkadot-js "Normal" or {"normal": null})."""
    if isinstance(v, dict):
        if len(v) == 1:
            ((k, x),) = v.items()
            if x is None:
                return "enum:" + k.replace("_", "").lower()
        return {k.replace("_", "").lower(): norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, str):
        if v.isdigit():
            return int(v)
        if re.fullmatch(r"[A-Za-z]+", v):
            return "enum:" + v.lower()
        if v.startswith("0x"):
            return v.lower()
    return v


def as_int(v):
    return int(v) if isinstance(v, (int, str)) and str(v).isdigit() else v


class FakeNode:
    """fake_node.mjs in a child process; its RPC for the test's own questions."""

    def __init__(self, metadata_version):
        self.version = metadata_version
        self.log = tempfile.TemporaryFile(mode="w+")
        self.cache = tempfile.mkdtemp(prefix=f"covenant-fake-v{metadata_version}-")
        self.proc = subprocess.Popen(
            ["node", os.path.join(HERE, "fake_node.mjs"), "--metadata", str(metadata_version)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True, cwd=HERE)
        self.port = None
        self.url = None

    def wait_ready(self):
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.log.seek(0)
            raise RuntimeError(f"fake node (V{self.version}) did not start: {line!r} {self.log.read()[-3000:]}")
        self.port = int(line)
        self.url = f"http://127.0.0.1:{self.port}"

    def rpc(self, method, *params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        req = urllib.request.Request(self.url, data=body, headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            answer = json.loads(r.read())
        if "error" in answer:
            raise RuntimeError(f"fake node {method}: {answer['error']}")
        return answer["result"]

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        shutil.rmtree(self.cache, ignore_errors=True)


class Tester:
    def __init__(self, covenant):
        self.cov = covenant
        self.r = interop.Results("chain_cli")

    # covenant against one fake
    def run(self, fake, *args):
        env = {"COVENANT_CACHE_DIR": fake.cache}
        t = time.monotonic()
        res = self.cov.run(*args, "--url", fake.url, env=env, timeout=60)
        res.elapsed = time.monotonic() - t
        return res

    def ok(self, cond, what, **ctx):
        return self.r.ok(cond, what, **ctx)

    def eq(self, got, want, what, **ctx):
        return self.r.eq(got, want, what, **ctx)

    def succeeded(self, res, what):
        return self.ok(res.ok, f"{what}: succeeds", **res.describe())

    def failed_with(self, res, what, rc=None, code=None, text=None):
        """A failure in the contract's shape: exit code, error code, message."""
        good = res.is_error and (rc is None or res.rc == rc)
        msg = res.get("error", "message") or ""
        if code is not None:
            good = good and res.get("error", "code") == code
        if text is not None:
            good = good and all(t.lower() in msg.lower() for t in ([text] if isinstance(text, str) else text))
        return self.ok(good, f"{what}: fails as expected (rc {rc}, code {code!r}, message with {text!r})",
                       **res.describe())


# ------------------------------------------------------------------ checks

def check_info(t, fake, tag, first=True):
    before = fake.rpc("fake_stats")
    res = t.run(fake, "chain", "info")
    info = fake.rpc("fake_info")
    after = fake.rpc("fake_stats")
    if not t.succeeded(res, f"{tag} chain info"):
        return info
    o = res.obj
    t.eq(o.get("spec_version"), info["spec_version"], f"{tag} chain info spec_version")
    t.eq(o.get("spec_name"), info["spec_name"], f"{tag} chain info spec_name")
    t.eq(o.get("transaction_version"), info["transaction_version"], f"{tag} chain info transaction_version")
    t.eq(o.get("genesis_hash"), info["genesis_hash"], f"{tag} chain info genesis_hash")
    t.eq(o.get("best_block"), info["best"]["number"], f"{tag} chain info best_block")
    t.eq(o.get("best_hash"), info["best"]["hash"], f"{tag} chain info best_hash")
    t.eq(o.get("finalized_block"), info["finalized"]["number"], f"{tag} chain info finalized_block")
    t.eq(o.get("finalized_hash"), info["finalized"]["hash"], f"{tag} chain info finalized_hash")
    t.eq(o.get("metadata_version"), fake.version, f"{tag} chain info metadata_version")
    t.eq(o.get("chain"), "Covenant Fake Substrate", f"{tag} chain info chain name")
    calls = lambda k: after.get(k, 0) - before.get(k, 0)
    if not first:
        return info
    if fake.version == 15:
        t.eq(calls("state_call:Metadata_metadata_at_version"), 1, f"{tag} V15 read through the runtime API")
        t.eq(calls("state_getMetadata"), 0, f"{tag} state_getMetadata not used with V15 offered")
        # Now cached: the next command reads no metadata from the node.
        before = fake.rpc("fake_stats")
        res = t.run(fake, "chain", "info")
        after = fake.rpc("fake_stats")
        t.succeeded(res, f"{tag} chain info (cached metadata)")
        t.eq(calls("state_call:Metadata_metadata_at_version") + calls("state_getMetadata"), 0,
             f"{tag} second command takes the metadata from the cache")
        t.ok(any(f.endswith(".scale") for f in os.listdir(fake.cache)), f"{tag} metadata cache file written",
             files=os.listdir(fake.cache))
    else:
        t.ok(calls("state_call:Metadata_metadata_at_version") >= 1, f"{tag} V15 asked for first",
             stats=after)
        t.eq(calls("state_getMetadata"), 1, f"{tag} fell back to state_getMetadata")
    return info


def expected_account_json(a):
    return {"nonce": a["nonce"], "consumers": 0, "providers": 1, "sufficients": 0,
            "data": {"free": a["free"], "reserved": a["reserved"], "frozen": a["frozen"], "flags": a["flags"]}}


def check_balance(t, fake, tag, who, ss58):
    a = fake.rpc("fake_account", ss58)
    res = t.run(fake, "chain", "balance", "--ss58-address", ss58)
    if not t.succeeded(res, f"{tag} chain balance {who}"):
        return
    if a is None:  # no entry: the storage item's default, as polkadot-js decodes it
        d = fake.rpc("fake_default", "System", "Account")
        a = {"nonce": d["nonce"], **{k: str(d["data"][k]) for k in ("free", "reserved", "frozen", "flags")}}
        t.eq(norm(res.get("account")), norm(d), f"{tag} chain balance {who}: the default AccountInfo")
    else:
        t.eq(norm(res.get("account")), norm(expected_account_json(a)), f"{tag} chain balance {who}: account")
    t.eq(res.get("ss58_address"), ss58, f"{tag} chain balance {who}: address")
    t.eq(res.get("free_tao"), tao_text(int(a["free"])), f"{tag} chain balance {who}: free_tao")
    t.eq(res.get("reserved_tao"), tao_text(int(a["reserved"])), f"{tag} chain balance {who}: reserved_tao")
    t.eq(res.get("frozen_tao"), tao_text(int(a["frozen"])), f"{tag} chain balance {who}: frozen_tao")
    t.eq(as_int(res.get("free_rao")), int(a["free"]), f"{tag} chain balance {who}: free_rao")


def check_storage(t, fake, tag, keys):
    alice = keys["alice"]
    a = fake.rpc("fake_account", alice)
    res = t.run(fake, "chain", "storage", "System", "Account", json.dumps([alice]))
    if t.succeeded(res, f"{tag} storage System.Account(alice)"):
        t.eq(norm(res.get("value")), norm(expected_account_json(a)), f"{tag} storage System.Account(alice) value")
        # u128 beyond int64 is a decimal string, exactly
        t.eq(res.get("value", "data", "flags"), str(1 << 127), f"{tag} storage u128 flags as decimal text")
    # a bare address is one key, as an array of one is
    res = t.run(fake, "chain", "storage", "System", "Account", alice)
    if t.succeeded(res, f"{tag} storage System.Account with a bare key"):
        t.eq(norm(res.get("value")), norm(expected_account_json(a)), f"{tag} storage bare key value")

    # every account: 523 > one page of 512 keys
    accounts = {x["ss58"]: x for x in fake.rpc("fake_accounts")}
    before = fake.rpc("fake_stats")
    res = t.run(fake, "chain", "storage", "System", "Account", "--limit", "1000")
    after = fake.rpc("fake_stats")
    if t.succeeded(res, f"{tag} storage iterate System.Account"):
        entries = res.get("value") or []
        got_keys = [e["keys"][0] if isinstance(e.get("keys"), list) and len(e["keys"]) == 1 else None
                    for e in entries]
        t.eq(len(entries), len(accounts), f"{tag} iteration lists every account")
        t.eq(sorted(k for k in got_keys if k), sorted(accounts), f"{tag} iteration keys decoded back to the accounts")
        bad = [k for k, e in zip(got_keys, entries)
               if k not in accounts or norm(e["value"]) != norm(expected_account_json(accounts[k]))]
        t.eq(bad[:5], [], f"{tag} iteration values equal the fake's accounts")
        t.ok(alice in got_keys and keys["bob"] in got_keys and keys["eve"] in got_keys,
             f"{tag} iteration includes alice, bob and eve")
        t.ok(after.get("state_getKeysPaged", 0) - before.get("state_getKeysPaged", 0) >= 2,
             f"{tag} iteration went past the first key page", before=before, after=after)
    res = t.run(fake, "chain", "storage", "System", "Account")
    if t.succeeded(res, f"{tag} storage iterate (default limit)"):
        entries = res.get("value") or []
        t.eq(len(entries), 100, f"{tag} default --limit is 100")
        t.eq(len({e["keys"][0] for e in entries}), len(entries), f"{tag} default-limit entries distinct")
    res = t.run(fake, "chain", "storage", "System", "Account", "--limit", "3")
    if t.succeeded(res, f"{tag} storage iterate --limit 3"):
        t.eq(len(res.get("value") or []), 3, f"{tag} --limit 3 gives 3")

    # a double map under a partial key
    assets = fake.rpc("fake_assets")
    res = t.run(fake, "chain", "storage", "Assets", "Account", "[7]")
    if t.succeeded(res, f"{tag} storage Assets.Account[7]"):
        dump = lambda v: json.dumps(v, sort_keys=True)
        want = sorted((dump([7, x["who"]]), dump(norm(x["value"]))) for x in assets if x["asset"] == 7)
        got = sorted((dump(e.get("keys")), dump(norm(e.get("value")))) for e in res.get("value") or [])
        t.eq(got, want, f"{tag} Assets.Account[7] keys and values")
    res = t.run(fake, "chain", "storage", "Assets", "Account", json.dumps([8, alice]))
    if t.succeeded(res, f"{tag} storage Assets.Account[8, alice]"):
        want = [x for x in assets if x["asset"] == 8][0]["value"]
        t.eq(norm(res.get("value")), norm(want), f"{tag} Assets.Account[8, alice] value")

    info = fake.rpc("fake_info")
    res = t.run(fake, "chain", "storage", "System", "Number")
    if t.succeeded(res, f"{tag} storage System.Number"):
        t.eq(res.get("value"), info["best"]["number"], f"{tag} System.Number is the best block")
    res = t.run(fake, "chain", "storage", "Timestamp", "Now", "--at", "3")
    if t.succeeded(res, f"{tag} storage Timestamp.Now --at 3"):
        t.eq(res.get("value"), 1700000000000 + 3 * 12000, f"{tag} Timestamp.Now at block 3")


def check_constants(t, fake, tag):
    for pallet, name in [("Balances", "ExistentialDeposit"), ("Balances", "MaxLocks"),
                         ("System", "SS58Prefix"), ("System", "Version"), ("System", "BlockWeights"),
                         ("System", "BlockHashCount"), ("Timestamp", "MinimumPeriod")]:
        want = fake.rpc("fake_constant", pallet, name)
        res = t.run(fake, "chain", "constant", pallet, name)
        if t.succeeded(res, f"{tag} constant {pallet}.{name}"):
            t.eq(norm(res.get("value")), norm(want), f"{tag} constant {pallet}.{name} equals polkadot-js")
    info = fake.rpc("fake_info")
    res = t.run(fake, "chain", "constant", "Balances", "ExistentialDeposit")
    t.eq(as_int(res.get("value")), int(info["existential_deposit"]), f"{tag} ExistentialDeposit exact")


def check_runtime_calls(t, fake, tag, keys):
    info = fake.rpc("fake_info")
    if fake.version == 14:
        res = t.run(fake, "chain", "call", "Core", "version")
        t.failed_with(res, f"{tag} chain call on V14", text="V15")
        return
    res = t.run(fake, "chain", "call", "Core", "version")
    if t.succeeded(res, f"{tag} chain call Core version"):
        t.eq(norm(res.get("value")), norm(info["core_version"]), f"{tag} Core.version equals polkadot-js's reading")
        t.eq(res.get("value", "spec_version"), info["spec_version"], f"{tag} Core.version spec_version")
    alice = fake.rpc("fake_account", keys["alice"])
    res = t.run(fake, "chain", "call", "AccountNonceApi", "account_nonce", json.dumps([keys["alice"]]))
    if t.succeeded(res, f"{tag} chain call AccountNonceApi account_nonce"):
        t.eq(res.get("value"), alice["nonce"], f"{tag} account_nonce of alice")
    res = t.run(fake, "chain", "call", "AccountNonceApi", "account_nonce", json.dumps({"account": keys["bob"]}))
    if t.succeeded(res, f"{tag} chain call with arguments by name"):
        t.eq(res.get("value"), fake.rpc("fake_account", keys["bob"])["nonce"], f"{tag} account_nonce of bob")
    res = t.run(fake, "chain", "call", "Metadata", "metadata_versions")
    if t.succeeded(res, f"{tag} chain call Metadata metadata_versions"):
        t.eq(res.get("value"), [14, 15], f"{tag} metadata_versions")
    res = t.run(fake, "chain", "call", "Metadata", "metadata_at_version", "[15]")
    if t.succeeded(res, f"{tag} chain call Metadata metadata_at_version 15"):
        v = res.get("value")
        t.ok(isinstance(v, str) and v.startswith("0x6d657461"), f"{tag} metadata_at_version gives the meta bytes",
             got=str(v)[:40])
    # a runtime API the metadata declares but the fake's runtime does not run
    res = t.run(fake, "chain", "call", "Core", "initialize_block",
                json.dumps([{"parent_hash": "0x" + "00" * 32, "number": 1, "state_root": "0x" + "00" * 32,
                             "extrinsics_root": "0x" + "00" * 32, "digest": {"logs": []}}]))
    t.failed_with(res, f"{tag} runtime API the node refuses", rc=1, code="rpc error", text="Core_initialize_block")


def event_tuples_cov(events):
    out = []
    for rec in events or []:
        phase = rec.get("phase")
        ph = f"ApplyExtrinsic:{phase['ApplyExtrinsic']}" if isinstance(phase, dict) else phase
        ((pallet, inner),) = rec["event"].items()
        variant, fields = (inner, None) if isinstance(inner, str) else next(iter(inner.items()))
        out.append((ph, pallet, variant, norm(fields)))
    return out


def event_tuples_pjs(events):
    return [(e["phase"], e["pallet"], e["variant"], norm(e["fields"])) for e in events]


def check_block(t, fake, tag, number, by_hash=False):
    fb = fake.rpc("fake_block", number)
    which = fb["hash"] if by_hash else str(number)
    res = t.run(fake, "chain", "block", which)
    what = f"{tag} chain block {'hash of ' if by_hash else ''}{number}"
    if not t.succeeded(res, what):
        return
    t.eq(res.get("number"), number, f"{what}: number")
    t.eq(res.get("hash"), fb["hash"], f"{what}: hash")
    t.eq(res.get("parent_hash"), fb["parent_hash"], f"{what}: parent hash")
    t.eq([x.get("hash") for x in res.get("extrinsics") or []], [blake2_256(unhex(x)) for x in fb["extrinsics"]],
         f"{what}: extrinsic hashes")
    t.eq([x.get("bytes") for x in res.get("extrinsics") or []], [len(unhex(x)) for x in fb["extrinsics"]],
         f"{what}: extrinsic sizes")
    t.eq(event_tuples_cov(res.get("events")), event_tuples_pjs(fb["events"]),
         f"{what}: events equal polkadot-js's decoding")


def xt_of(res):
    return res.get("extrinsic") if isinstance(res.obj, dict) else None


def check_dry_runs(t, fake, tag, keys):
    alice, bob = keys["alice"], keys["bob"]
    info0 = fake.rpc("fake_info")
    nonce = fake.rpc("fake_account", alice)["nonce"]
    res = t.run(fake, "tx", "transfer", "--suri", "//Alice", "--dest", bob, "--amount", "1.5", "--dry-run")
    if t.succeeded(res, f"{tag} transfer --dry-run (sr25519)"):
        d = fake.rpc("fake_decode", xt_of(res))
        t.ok(d["canonical"], f"{tag} dry-run extrinsic decodes with no bytes left over", decoded=d)
        t.eq((d["section"], d["method"]), ("balances", "transferKeepAlive"), f"{tag} dry-run call")
        t.eq(norm(d["args"]), norm({"dest": {"Id": bob}, "value": 1500000000}), f"{tag} dry-run dest and value")
        t.eq(d.get("signer"), alice, f"{tag} dry-run signer")
        t.eq(d.get("crypto"), "sr25519", f"{tag} dry-run signature type")
        t.ok(d.get("signature_valid"), f"{tag} dry-run sr25519 signature verifies in polkadot-js", decoded=d)
        t.eq(d.get("nonce"), nonce, f"{tag} dry-run nonce from system_accountNextIndex")
        t.eq(d.get("era"), {"period": 64, "phase": info0["best"]["number"] % 64}, f"{tag} dry-run era")
        t.eq(res.get("call_data"), d["call"], f"{tag} dry-run call_data is the extrinsic's call")
        t.eq((res.get("pallet"), res.get("call")), ("Balances", "transfer_keep_alive"), f"{tag} dry-run names")
        # The oracle itself: one flipped signature bit must not verify, and
        # the fake must refuse such an extrinsic as a node would.
        raw = bytearray(unhex(xt_of(res)))
        prefix = {0: 1, 1: 2, 2: 4}.get(raw[0] & 3, 1)
        raw[prefix + 1 + 1 + 32 + 1 + 10] ^= 0x01  # version, MultiAddress::Id, account, sig type
        tampered = "0x" + raw.hex()
        t.eq(fake.rpc("fake_decode", tampered).get("signature_valid"), False, f"{tag} oracle: tampered signature fails")
        try:
            fake.rpc("author_submitExtrinsic", tampered)
            t.ok(False, f"{tag} oracle: fake node refuses a bad signature")
        except RuntimeError as e:
            t.ok("1010" in str(e) and "bad signature" in str(e), f"{tag} oracle: fake node refuses a bad signature",
                 error=str(e))
    info1 = fake.rpc("fake_info")
    t.eq((info1["best"], info1["pool"]), (info0["best"], 0), f"{tag} dry-run submits nothing")

    ed_alice = fake.rpc("fake_address", "//Alice", "ed25519")
    res = t.run(fake, "tx", "transfer", "--suri", "//Alice", "--crypto", "ed25519", "--dest", bob,
                "--amount", "1.5", "--dry-run")
    if t.succeeded(res, f"{tag} transfer --dry-run (ed25519)"):
        xt = xt_of(res)
        d = fake.rpc("fake_decode", xt)
        t.eq(d.get("signer"), ed_alice, f"{tag} ed25519 signer is polkadot-js's //Alice ed25519")
        t.ok(d.get("signature_valid"), f"{tag} ed25519 signature verifies", decoded=d)
        again = fake.rpc("fake_resign", xt, "//Alice", "ed25519")
        t.eq(xt, again["extrinsic"], f"{tag} ed25519 extrinsic byte-identical to polkadot-js's")

    res = t.run(fake, "tx", "transfer", "--suri", "//Alice", "--dest", bob, "--amount", "0.000000001",
                "--era", "0", "--tip", "0.001", "--nonce", "42", "--dry-run")
    if t.succeeded(res, f"{tag} transfer --dry-run --era 0 --tip --nonce"):
        d = fake.rpc("fake_decode", xt_of(res))
        t.eq((d.get("era"), d.get("tip"), d.get("nonce")), (None, "1000000", 42), f"{tag} immortal era, tip, nonce")
        t.eq(norm(d["args"]).get("value"), 1, f"{tag} 1 rao")
        t.ok(d.get("signature_valid"), f"{tag} immortal-era signature verifies (genesis as era block)", decoded=d)

    res = t.run(fake, "tx", "call", "System", "remark", '["0x1234"]', "--suri", "//Bob", "--dry-run")
    if t.succeeded(res, f"{tag} tx call System remark --dry-run"):
        d = fake.rpc("fake_decode", xt_of(res))
        t.eq((d["section"], d["method"], d.get("signer")), ("system", "remark", bob), f"{tag} remark call and signer")
        t.eq(d["args"].get("remark"), "0x1234", f"{tag} remark bytes")
        t.ok(d.get("signature_valid"), f"{tag} remark signature verifies", decoded=d)
    res = t.run(fake, "tx", "call", "System", "remark", "0x1234", "--suri", "//Bob", "--dry-run")
    if t.succeeded(res, f"{tag} tx call with one bare argument"):
        t.eq(fake.rpc("fake_decode", xt_of(res))["args"].get("remark"), "0x1234", f"{tag} bare argument")
    res = t.run(fake, "tx", "call", "Balances", "transfer_keep_alive",
                json.dumps({"dest": {"Id": bob}, "value": "2500000000"}), "--suri", "//Alice", "--dry-run")
    if t.succeeded(res, f"{tag} tx call by argument names"):
        d = fake.rpc("fake_decode", xt_of(res))
        t.eq(norm(d["args"]), norm({"dest": {"Id": bob}, "value": 2500000000}), f"{tag} named arguments")


def events_named(events, pallet, variant):
    return [e[pallet][variant] for e in events or [] if pallet in e and isinstance(e[pallet], dict)
            and variant in e[pallet]]


def check_transfers(t, fake, tag, keys):
    alice, bob = keys["alice"], keys["bob"]
    a0, b0 = fake.rpc("fake_account", alice), fake.rpc("fake_account", bob)
    res = t.run(fake, "tx", "transfer", "--suri", "//Alice", "--dest", bob, "--amount", "1.5")
    info = fake.rpc("fake_info")
    if t.succeeded(res, f"{tag} transfer --wait inclusion"):
        t.eq(res.get("success"), True, f"{tag} transfer success")
        t.eq(res.get("block_number"), info["best"]["number"], f"{tag} transfer block number")
        t.eq(res.get("block_hash"), info["best"]["hash"], f"{tag} transfer block hash")
        t.eq(res.get("index"), 1, f"{tag} transfer index (after the timestamp inherent)")
        fb = fake.rpc("fake_block", info["best"]["number"])
        t.eq(res.get("hash"), blake2_256(unhex(fb["extrinsics"][1])) if len(fb["extrinsics"]) > 1 else None,
             f"{tag} transaction hash is the included extrinsic's")
        tr = events_named(res.get("events"), "Balances", "Transfer")
        t.eq(norm(tr), norm([{"from": alice, "to": bob, "amount": 1500000000}]), f"{tag} Balances.Transfer event")
        t.eq(len(events_named(res.get("events"), "System", "ExtrinsicSuccess")), 1, f"{tag} ExtrinsicSuccess event")
        fee = as_int(events_named(res.get("events"), "Balances", "Withdraw")[0]["amount"])
        check_block(t, fake, tag, info["best"]["number"])
        a1, b1 = fake.rpc("fake_account", alice), fake.rpc("fake_account", bob)
        t.eq(int(b1["free"]) - int(b0["free"]), 1500000000, f"{tag} bob received 1.5 TAO")
        t.eq(int(a0["free"]) - int(a1["free"]), 1500000000 + fee, f"{tag} alice paid 1.5 TAO and the fee")
        t.eq(a1["nonce"], a0["nonce"] + 1, f"{tag} alice's nonce moved on")
        check_balance(t, fake, tag, "bob after", bob)
        res = t.run(fake, "chain", "storage", "System", "Account", json.dumps([alice]), "--at", "5")
        if t.succeeded(res, f"{tag} storage --at 5"):
            t.eq(res.get("value", "nonce"), 7, f"{tag} alice's nonce at block 5 is the old one")

    # more than bob has: the chain says no; exit code 1
    ins = info["insufficient_balance"]
    res = t.run(fake, "tx", "transfer", "--suri", "//Bob", "--dest", alice, "--amount", "1000")
    info = fake.rpc("fake_info")
    t.eq(res.rc, 1, f"{tag} failed transfer exits 1", **res.describe())
    t.eq(res.get("success"), False, f"{tag} failed transfer success false")
    t.eq(res.get("error"), f"Balances::{ins['name']}", f"{tag} failed transfer error name")
    t.eq(res.get("error_doc"), ins["doc"], f"{tag} failed transfer error doc")
    t.ok(bool(res.get("error_doc")), f"{tag} error doc not empty")
    t.eq(res.get("block_number"), info["best"]["number"], f"{tag} failed transfer block number")
    failed = events_named(res.get("events"), "System", "ExtrinsicFailed")
    t.eq(norm([f.get("dispatch_error") for f in failed]),
         norm([{"Module": {"index": info["balances_index"], "error": "0x%02x000000" % ins["index"]}}]),
         f"{tag} ExtrinsicFailed module error")
    check_block(t, fake, tag, info["best"]["number"])

    # finalized: one poll of the fake's finality lags a block
    t0 = time.monotonic()
    res = t.run(fake, "tx", "transfer", "--suri", "//Bob", "--dest", alice, "--amount", "0.25",
                "--wait", "finalized")
    info = fake.rpc("fake_info")
    if t.succeeded(res, f"{tag} transfer --wait finalized"):
        t.eq(res.get("success"), True, f"{tag} finalized transfer success")
        t.ok(info["finalized"]["number"] >= (res.get("block_number") or 1 << 60), f"{tag} reported after finality",
             finalized=info["finalized"], got=res.obj)
    log(f"{tag} --wait finalized took {time.monotonic() - t0:.2f}s")

    # none: just the hash; the block comes with the next head poll
    res = t.run(fake, "tx", "call", "System", "remark_with_event", '["0x1234"]', "--suri", "//Bob",
                "--wait", "none")
    if t.succeeded(res, f"{tag} tx call --wait none"):
        t.eq(sorted(res.obj), ["hash"], f"{tag} --wait none reports only the hash")
        t.eq(fake.rpc("fake_info")["pool"], 1, f"{tag} the extrinsic is in the pool")
        check_info(t, fake, tag + " (after --wait none)", first=False)
        info = fake.rpc("fake_info")
        fb = fake.rpc("fake_block", info["best"]["number"])
        t.eq([blake2_256(unhex(x)) for x in fb["extrinsics"][1:]], [res.get("hash")],
             f"{tag} the next block holds it")
        remarked = [e for e in fb["events"] if e["variant"] == "Remarked"]
        t.eq([as_int(e["fields"]["hash"]) for e in remarked], [blake2_256(bytes([0x12, 0x34]))],
             f"{tag} System.Remarked hash")
        check_block(t, fake, tag, info["best"]["number"])

    res = t.run(fake, "tx", "transfer", "--suri", "//Alice", "--dest", bob, "--amount", "1", "--nonce", "0")
    t.failed_with(res, f"{tag} outdated nonce", rc=1, code="rpc error", text=["1010", "outdated"])


def check_quantized_era(t, fake, tag, keys):
    """A period over 4096 quantises the era's phase, so its birth block is
    not the current one: covenant must sign over the birth block's hash."""
    best = fake.rpc("fake_info")["best"]["number"]
    res = t.run(fake, "tx", "transfer", "--suri", "//Alice", "--dest", keys["bob"], "--amount", "1",
                "--era", "16384", "--dry-run")
    if t.succeeded(res, f"{tag} dry-run --era 16384"):
        d = fake.rpc("fake_decode", xt_of(res))
        phase = best % 16384 // 4 * 4
        t.eq(d.get("era"), {"period": 16384, "phase": phase}, f"{tag} era 16384 at #{best}: phase quantised")
        t.ok(d.get("signature_valid"), f"{tag} era 16384: signed over birth block #{phase}'s hash", decoded=d)


def check_live_iteration(t, fake, tag):
    """Iterating while the chain moves: every page and value must come from
    the block the iteration started at."""
    start = fake.rpc("fake_info")["best"]["number"]
    want = {x["ss58"]: x for x in fake.rpc("fake_accounts_at", start)}
    fake.rpc("fake_busy", True)
    try:
        res = t.run(fake, "chain", "storage", "System", "Account", "--limit", "1000")
    finally:
        fake.rpc("fake_busy", False)
    if not t.succeeded(res, f"{tag} iteration on a busy chain"):
        return
    got = {e["keys"][0]: e["value"] for e in res.get("value") or []}
    t.eq(sorted(got), sorted(want), f"{tag} busy chain: the keys of one block (#{start})")
    bad = [k for k in got if k in want and norm(got[k]) != norm(expected_account_json(want[k]))]
    t.eq(bad[:5], [], f"{tag} busy chain: the values of that block")


def check_errors(t, fake, tag, keys):
    bob = keys["bob"]
    cases = [
        (("tx", "call", "Sistem", "remark", '["0x12"]', "--suri", "//Bob", "--dry-run"), None, "not found", "Sistem"),
        (("tx", "call", "System", "remarkk", '["0x12"]', "--suri", "//Bob", "--dry-run"), None, "not found", "remarkk"),
        (("tx", "call", "System", "remark", '["0x12",1]', "--suri", "//Bob", "--dry-run"), 2, "invalid argument",
         "argument"),
        (("tx", "call", "System", "remark", '["0x12"', "--suri", "//Bob", "--dry-run"), 2, "invalid argument",
         "not valid JSON"),
        (("tx", "call", "System", "remark", '{"nope": "0x12"}', "--suri", "//Bob", "--dry-run"), 2,
         "invalid argument", "remark"),
        (("tx", "call", "Balances", "transfer_keep_alive", json.dumps({"dest": {"Id": bob}, "value": -1}),
          "--suri", "//Bob", "--dry-run"), 2, "invalid argument", "negative"),
        (("chain", "storage", "System", "Acount"), None, "not found", "Acount"),
        (("chain", "storage", "Sistem", "Account"), None, "not found", "Sistem"),
        (("chain", "storage", "System", "Account", '["5Grw'), 2, "invalid argument", "not valid JSON"),
        (("chain", "storage", "System", "Account", '["notanaddress"]'), 2, "invalid argument", "SS58"),
        (("chain", "storage", "System", "Account", "[1,2]"), 2, "invalid argument", "key"),
        (("chain", "constant", "Balances", "Nope"), None, "not found", "Nope"),
        (("chain", "block", "999999"), 1, "not found", "999999"),
        (("tx", "transfer", "--suri", "//Alice", "--dest", "bogus", "--amount", "1", "--dry-run"), None, None,
         None),
        (("tx", "transfer", "--suri", "//Alice", "--dest", bob, "--amount", "1.0000000001", "--dry-run"), 2,
         "invalid argument", "decimals"),
        (("tx", "transfer", "--suri", "//Alice", "--dest", bob, "--dry-run"), 2, "invalid argument", "--amount"),
    ]
    if fake.version == 15:
        cases += [
            (("chain", "call", "AccountNonceApi", "account_nonce"), 2, "invalid argument", "argument"),
            (("chain", "call", "Core", "nope"), None, "not found", "nope"),
            (("chain", "call", "Nope", "version"), None, "not found", "Nope"),
        ]
    for args, rc, code, text in cases:
        res = t.run(fake, *args)
        t.failed_with(res, f"{tag} {' '.join(args)}", rc=rc, code=code, text=text)


class BadServer:
    """An HTTP server that answers every POST with `status` and `body`."""

    def __init__(self, status, body):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("content-length") or 0))
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def check_unreachable(t):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    cache = tempfile.mkdtemp(prefix="covenant-unreachable-")
    env = {"COVENANT_CACHE_DIR": cache}
    for what, url, code, text in [("closed port", f"http://127.0.0.1:{port}", "network error", "connect")]:
        t0 = time.monotonic()
        res = t.cov.run("chain", "info", "--url", url, env=env, timeout=60)
        took = time.monotonic() - t0
        t.failed_with(res, f"unreachable node ({what})", rc=1, code=code, text=text)
        t.ok(took < 10, f"unreachable node ({what}) fails within 10 s", took=took)
        log(f"unreachable node ({what}): {took:.2f}s")
    for what, status, body, code in [("HTTP 500", 500, b"oops", "network error"),
                                     ("not JSON", 200, b"<html>hello</html>", "parse error")]:
        srv = BadServer(status, body)
        t0 = time.monotonic()
        res = t.cov.run("tx", "transfer", "--suri", "//Alice", "--dest",
                        "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty", "--amount", "1", "--url", srv.url,
                        env=env, timeout=60)
        took = time.monotonic() - t0
        srv.close()
        t.failed_with(res, f"bad node ({what})", rc=1, code=code)
        t.ok(took < 10, f"bad node ({what}) fails within 10 s", took=took)
        log(f"bad node ({what}): {took:.2f}s")
    shutil.rmtree(cache, ignore_errors=True)


def main():
    cov = interop.covenant_from_argv()
    if not shutil.which("node"):
        interop.skip("node is not installed")
    t = Tester(cov)
    start = time.monotonic()
    fakes = [FakeNode(15), FakeNode(14)]  # both start at once
    try:
        for f in fakes:
            f.wait_ready()
        log(f"fake nodes ready in {time.monotonic() - start:.2f}s: V15 {fakes[0].url}, V14 {fakes[1].url}")
        for fake in fakes:
            tag = f"[V{fake.version}]"
            info = check_info(t, fake, tag)
            keys = info["keys"]
            for who in ("alice", "bob", "eve"):
                check_balance(t, fake, tag, who, keys[who])
            check_balance(t, fake, tag, "//Charlie (no account)", fake.rpc("fake_address", "//Charlie", "sr25519"))
            check_storage(t, fake, tag, keys)
            check_constants(t, fake, tag)
            check_runtime_calls(t, fake, tag, keys)
            check_block(t, fake, tag, 7)
            check_block(t, fake, tag, 7, by_hash=True)
            check_block(t, fake, tag, 0)
            check_dry_runs(t, fake, tag, keys)
            check_transfers(t, fake, tag, keys)
            check_quantized_era(t, fake, tag, keys)
            check_live_iteration(t, fake, tag)
            check_errors(t, fake, tag, keys)
            log(f"{tag} done at {time.monotonic() - start:.2f}s ({cov.calls} covenant runs so far)")
        check_unreachable(t)
    finally:
        for f in fakes:
            f.close()
    log(f"total {time.monotonic() - start:.2f}s, {cov.calls} covenant runs")
    t.r.finish()


if __name__ == "__main__":
    main()

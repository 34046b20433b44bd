#!/usr/bin/env python3
"""Interop (c): wallets on disk, covenant against bittensor-wallet (btcli's wallet).

  1. A wallet bittensor-wallet makes (encrypted coldkey, coldkeypub.txt,
     unencrypted hotkey) opens in covenant: `show` gives the same addresses;
     covenant signs with the coldkey (password from --password-file, and from
     btwallet's BT_PW_ environment variable) and with the hotkey, and
     bittensor-wallet accepts the signatures; a wrong password is an error.
  2. A wallet covenant makes (new-coldkey with a password, new-hotkey without)
     opens in bittensor-wallet: the coldkey decrypts with the password, the
     addresses match, the mnemonics give the same keys, the files are 0600.
  3. covenant's regen-coldkey / regen-hotkey / regen-coldkeypub from
     bittensor-wallet's mnemonics and address give the same wallet.

Each keyfile encryption or decryption costs ~4 s and 512 MiB (Argon2i), on
both sides, so this test does six of them and no more.

usage: btwallet.py COVENANT_BINARY
"""

import json
import os
import shutil
import tempfile

import interop
from interop import btwallet, log

PASSWORD = "c0venant-Interop!pw"


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)


def wallet_args(path, name, hotkey=None):
    args = ["--wallet.name", name, "--wallet.path", path]
    return args + (["--wallet.hotkey", hotkey] if hotkey else [])


def btwallet_verify(ss58, msg_hex, sig):
    rc, obj = btwallet("verify", "--ss58-address", ss58, "--message-hex", msg_hex,
                       "--signature", sig or "0x")
    return obj.get("valid") if rc == 0 else obj


def part1_btwallet_to_covenant(cov, res, rng, tmp, pw_file, bad_pw_file):
    path = os.path.join(tmp, "bt")
    rc, bt = btwallet("create", "--path", path, "--name", "btw", "--hotkey", "hk",
                      "--password-file", pw_file)
    if not res.ok(rc == 0, "bittensor-wallet create", error=bt):
        return None
    res.eq(bt["coldkey"]["encrypted"], True, "btwallet coldkey is encrypted")
    res.eq(bt["hotkey"]["encrypted"], False, "btwallet hotkey is not encrypted")
    cold, hot = bt["coldkey"]["ss58_address"], bt["hotkey"]["ss58_address"]
    log(f"bittensor-wallet made {path}/btw: coldkey {cold}, hotkey {hot}")

    r = cov.run("wallet", "show", *wallet_args(path, "btw", "hk"))
    if res.ok(r.ok, "covenant show of a bittensor-wallet wallet", covenant=r.describe()):
        res.eq(r.get("name"), "btw", "show: name")
        res.eq(r.get("coldkeypub", "ss58_address"), cold, "show: coldkeypub address")
        res.eq(r.get("hotkey", "name"), "hk", "show: hotkey name")
        res.eq(r.get("hotkey", "ss58_address"), hot, "show: hotkey address")

    r = cov.run("wallet", "list", "--wallet.path", path)
    res.ok(r.ok and "btw" in json.dumps(r.obj), "covenant list names the bittensor-wallet wallet",
           covenant=r.describe())

    msg = "0x" + bytes(rng.getrandbits(8) for _ in range(48)).hex()
    r = cov.run("wallet", "sign", *wallet_args(path, "btw"), "--password-file", pw_file,
                "--message-hex", msg[2:], timeout=180)
    if res.ok(r.ok, "covenant sign with btwallet coldkey (--password-file)", covenant=r.describe()):
        res.eq(btwallet_verify(cold, msg, r.get("signature")), True,
               "btwallet verifies covenant's coldkey signature", signature=r.get("signature"))

    r = cov.run("wallet", "sign", *wallet_args(path, "btw", "hk"), "--use-hotkey",
                "--message-hex", msg[2:])
    if res.ok(r.ok, "covenant sign with btwallet hotkey", covenant=r.describe()):
        res.eq(btwallet_verify(hot, msg, r.get("signature")), True,
               "btwallet verifies covenant's hotkey signature", signature=r.get("signature"))
        # Same signature must not pass for the coldkey: the key really was the hotkey.
        res.eq(btwallet_verify(cold, msg, r.get("signature")), False,
               "hotkey signature does not verify as the coldkey")

    r = cov.run("wallet", "sign", *wallet_args(path, "btw"), "--password-file", bad_pw_file,
                "--message-hex", msg[2:], timeout=180)
    res.ok(r.is_error, "covenant sign with a wrong password must fail with an error object",
           covenant=r.describe())

    # btwallet's own BT_PW_<keyfile path> variable (an XOR+base64 encoding,
    # not the plain password), made by btwallet and read by covenant.
    rc, env = btwallet("password-env", "--path", path, "--name", "btw", "--password-file", pw_file)
    if res.ok(rc == 0, "bittensor-wallet password-env", error=env):
        log(f"password from environment: {env['name']}")
        r = cov.run("wallet", "sign", *wallet_args(path, "btw"), "--message-hex", msg[2:],
                    env={env["name"]: env["value"]}, timeout=180)
        if res.ok(r.ok, "covenant sign with the password in btwallet's BT_PW_ variable",
                  covenant=r.describe(), env_name=env["name"]):
            res.eq(btwallet_verify(cold, msg, r.get("signature")), True,
                   "btwallet verifies covenant's coldkey signature (BT_PW_ password)")
    return bt


def part2_covenant_to_btwallet(cov, res, rng, tmp, pw_file):
    path = os.path.join(tmp, "cov")
    r = cov.run("wallet", "new-coldkey", *wallet_args(path, "cov"), "--n-words", "12",
                "--password-file", pw_file, timeout=180)
    if not res.ok(r.ok, "covenant new-coldkey", covenant=r.describe()):
        return
    cold, cold_m = r.get("ss58_address"), r.get("mnemonic")
    res.eq(r.get("name"), "cov", "new-coldkey: name")
    res.eq(len(cold_m.split()) if isinstance(cold_m, str) else None, 12, "new-coldkey: 12 words")

    r = cov.run("wallet", "new-hotkey", *wallet_args(path, "cov", "hk"), "--no-password")
    if not res.ok(r.ok, "covenant new-hotkey", covenant=r.describe()):
        return
    hot, hot_m = r.get("ss58_address"), r.get("mnemonic")
    log(f"covenant made {path}/cov: coldkey {cold}, hotkey {hot}")

    rc, bt = btwallet("open", "--path", path, "--name", "cov", "--hotkey", "hk",
                      "--password-file", pw_file)
    if res.ok(rc == 0, "bittensor-wallet opens covenant's wallet and decrypts the coldkey", error=bt):
        res.eq(bt["coldkey"].get("encrypted"), True, "covenant coldkey is encrypted (btwallet's view)")
        res.eq(bt["coldkey"].get("decrypted"), True, "btwallet decrypts covenant's coldkey")
        res.eq(bt["coldkey"].get("ss58_address"), cold, "btwallet: coldkey address")
        res.eq(bt["coldkeypub"].get("ss58_address"), cold, "btwallet: coldkeypub address")
        res.eq(bt["hotkey"].get("encrypted"), False, "covenant hotkey is not encrypted")
        res.eq(bt["hotkey"].get("ss58_address"), hot, "btwallet: hotkey address")
        for which in ("coldkey", "coldkeypub", "hotkey"):
            res.eq(bt[which].get("mode"), "0o600", f"{which} file mode", path=bt[which].get("path"))
        if "hotkeypub" in bt:  # optional file (btwallet >= 3.1 writes it)
            res.eq(bt["hotkeypub"]["ss58_address"], hot, "btwallet: hotkeypub address")

    # The mnemonics covenant printed must be the keys it wrote.
    rc, d = btwallet("derive", stdin={"items": [{"suri": cold_m or ""}, {"suri": hot_m or ""}]})
    if res.ok(rc == 0, "bittensor-wallet derive", error=d):
        res.eq(d["results"][0].get("ss58_address"), cold, "btwallet: address of covenant's coldkey mnemonic")
        res.eq(d["results"][1].get("ss58_address"), hot, "btwallet: address of covenant's hotkey mnemonic")

    # btwallet signs with covenant's (unencrypted) hotkey; covenant verifies.
    msg = "0x" + bytes(rng.getrandbits(8) for _ in range(40)).hex()
    rc, s = btwallet("sign", "--path", path, "--name", "cov", "--hotkey", "hk", "--use-hotkey",
                     "--message-hex", msg)
    if res.ok(rc == 0, "bittensor-wallet signs with covenant's hotkey", error=s):
        r = cov.run("wallet", "verify", "--ss58-address", hot, "--message-hex", msg[2:],
                    "--signature", s["signature"])
        res.ok(r.rc == 0 and r.get("valid") is True, "covenant verifies btwallet's signature",
               covenant=r.describe())


def part3_regen(cov, res, tmp, bt):
    path = os.path.join(tmp, "regen")
    cold, hot = bt["coldkey"]["ss58_address"], bt["hotkey"]["ss58_address"]

    r = cov.run("wallet", "regen-coldkey", *wallet_args(path, "rc"), "--mnemonic",
                bt["coldkey"]["mnemonic"], "--no-password")
    if res.ok(r.ok, "covenant regen-coldkey", covenant=r.describe()):
        res.eq(r.get("ss58_address"), cold, "regen-coldkey from btwallet's mnemonic: address")
    r = cov.run("wallet", "regen-hotkey", *wallet_args(path, "rc", "hk2"), "--mnemonic",
                bt["hotkey"]["mnemonic"], "--no-password")
    if res.ok(r.ok, "covenant regen-hotkey", covenant=r.describe()):
        res.eq(r.get("ss58_address"), hot, "regen-hotkey from btwallet's mnemonic: address")
    rc, o = btwallet("open", "--path", path, "--name", "rc", "--hotkey", "hk2")
    if res.ok(rc == 0, "bittensor-wallet opens covenant's regenerated wallet", error=o):
        res.eq(o["coldkey"].get("ss58_address"), cold, "btwallet: regenerated coldkey")
        res.eq(o["coldkeypub"].get("ss58_address"), cold, "btwallet: regenerated coldkeypub")
        res.eq(o["hotkey"].get("ss58_address"), hot, "btwallet: regenerated hotkey")

    for name, args in (("pub1", ["--ss58-address", cold]),
                       ("pub2", ["--public-key", bt["coldkey"]["public_key"]])):
        r = cov.run("wallet", "regen-coldkeypub", *wallet_args(path, name), *args)
        if not res.ok(r.ok, f"covenant regen-coldkeypub {args[0]}", covenant=r.describe()):
            continue
        rc, o = btwallet("open", "--path", path, "--name", name)
        if res.ok(rc == 0, "bittensor-wallet opens a coldkeypub-only wallet", error=o):
            res.eq(o["coldkeypub"].get("ss58_address"), cold, f"regen-coldkeypub {args[0]}: address")
            res.eq(o["coldkey"].get("exists"), False, "regen-coldkeypub writes no coldkey")


def main():
    cov = interop.covenant_from_argv()
    rng = interop.make_rng()
    res = interop.Results("interop_btwallet")
    tmp = tempfile.mkdtemp(prefix="covenant-interop-")
    try:
        pw_file = os.path.join(tmp, "password")
        bad_pw_file = os.path.join(tmp, "wrong-password")
        write(pw_file, PASSWORD + "\n")
        write(bad_pw_file, PASSWORD + "x\n")
        bt = part1_btwallet_to_covenant(cov, res, rng, tmp, pw_file, bad_pw_file)
        part2_covenant_to_btwallet(cov, res, rng, tmp, pw_file)
        if bt:
            part3_regen(cov, res, tmp, bt)
        log(f"covenant ran {cov.calls} times")
    finally:
        if os.environ.get("COVENANT_INTEROP_KEEP"):
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    res.finish()


if __name__ == "__main__":
    main()

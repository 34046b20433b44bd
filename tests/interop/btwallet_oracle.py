#!/usr/bin/env python3
"""bittensor-wallet oracle for covenant's interop tests.

bittensor_wallet is the Rust wallet (sp-core, schnorrkel, libsodium) that btcli
and the Bittensor SDK use, so it is the reference for what a wallet on disk
must look like. Each subcommand prints one JSON object on stdout and exits 0;
on failure it prints {"error": "..."} and exits 1.

  create   --path P --name N --hotkey H --password-file F [--n-words 12]
           Make a wallet the way btcli does: encrypted coldkey, coldkeypub.txt,
           unencrypted hotkey (+ hotkeypub); print addresses and mnemonics.
  open     --path P --name N [--hotkey H] [--password-file F]
           Read a wallet (e.g. one covenant wrote); with a password file, also
           decrypt the coldkey and check it matches coldkeypub.txt.
  sign     (--uri SURI | --path P --name N [--hotkey H --use-hotkey]
           [--password-file F]) --message-hex HEX
  verify   (--ss58-address A | --public-key 0xHEX) --message-hex HEX --signature 0xHEX
  derive   reads {"items":[{"suri":..,"crypto":"sr25519|ed25519"}]} on stdin;
           answers {"results":[...]} using Keypair.create_from_uri.
  password-env --path P --name N --password-file F [--hotkey H --use-hotkey]
           The BT_PW_ variable name and value btwallet would read for that
           keyfile (its own encoding, read back from the process environment).

Encrypting or decrypting a keyfile runs Argon2i with 512 MiB and takes ~4 s,
so callers should keep those operations few.
"""

import argparse
import ctypes
import json
import os
import stat
import sys

# The Rust extension prints progress ("Encrypting...", mnemonics) on fd 1.
# Keep the real stdout for our JSON and send everything else to stderr.
_JSON_FD = os.dup(1)
os.dup2(2, 1)

from bittensor_wallet import CRYPTO_ED25519, CRYPTO_SR25519, Keyfile, Keypair, Wallet  # noqa: E402

CRYPTO_TYPES = {"sr25519": CRYPTO_SR25519, "ed25519": CRYPTO_ED25519}


def emit(obj, code=0):
    os.write(_JSON_FD, (json.dumps(obj) + "\n").encode())
    sys.exit(code)


def read_password(path):
    # Same convention as covenant's --password-file: the first line, no newline.
    with open(path, encoding="utf-8") as f:
        return f.readline().rstrip("\r\n")


def hexbytes(s):
    return bytes.fromhex(s[2:] if s.startswith(("0x", "0X")) else s)


def pub_hex(kp):
    return "0x" + kp.public_key.hex()


def mode_of(path):
    return oct(stat.S_IMODE(os.stat(path).st_mode)) if os.path.exists(path) else None


def keyfile_info(kf):
    return {
        "path": kf.path,
        "exists": kf.exists_on_device(),
        "encrypted": kf.exists_on_device() and kf.is_encrypted(),
        "mode": mode_of(kf.path),
    }


def cmd_create(a):
    pw = read_password(a.password_file)
    cold_m = Keypair.generate_mnemonic(a.n_words)
    hot_m = Keypair.generate_mnemonic(a.n_words)
    w = Wallet(name=a.name, hotkey=a.hotkey, path=a.path)
    # regenerate_* is btcli's "create from this mnemonic"; it writes the same
    # files as create() but lets us know the mnemonic without scraping stdout.
    w.regenerate_coldkey(mnemonic=cold_m, use_password=True, coldkey_password=pw,
                         overwrite=True, suppress=True)
    w.regenerate_hotkey(mnemonic=hot_m, use_password=False, overwrite=True, suppress=True)
    cold = Keypair.create_from_mnemonic(cold_m)
    hot = Keypair.create_from_mnemonic(hot_m)
    return {
        "name": a.name,
        "path": a.path,
        "coldkey": {"ss58_address": cold.ss58_address, "public_key": pub_hex(cold),
                    "mnemonic": cold_m, **keyfile_info(w.coldkey_file)},
        "coldkeypub": {"ss58_address": w.get_coldkeypub().ss58_address,
                       **keyfile_info(w.coldkeypub_file)},
        "hotkey": {"name": a.hotkey, "ss58_address": hot.ss58_address,
                   "public_key": pub_hex(hot), "mnemonic": hot_m,
                   **keyfile_info(w.hotkey_file)},
    }


def cmd_open(a):
    w = Wallet(name=a.name, hotkey=a.hotkey or "default", path=a.path)
    out = {"name": a.name, "path": a.path}
    cpub = w.get_coldkeypub()
    out["coldkeypub"] = {"ss58_address": cpub.ss58_address, "public_key": pub_hex(cpub),
                         **keyfile_info(w.coldkeypub_file)}
    out["coldkey"] = keyfile_info(w.coldkey_file)
    if a.password_file and w.coldkey_file.exists_on_device():
        cold = w.get_coldkey(password=read_password(a.password_file))
        out["coldkey"].update(ss58_address=cold.ss58_address, public_key=pub_hex(cold),
                              decrypted=True,
                              matches_coldkeypub=cold.ss58_address == cpub.ss58_address)
    elif w.coldkey_file.exists_on_device() and not w.coldkey_file.is_encrypted():
        cold = w.get_coldkey()
        out["coldkey"].update(ss58_address=cold.ss58_address, public_key=pub_hex(cold),
                              matches_coldkeypub=cold.ss58_address == cpub.ss58_address)
    if a.hotkey:
        hk = w.hotkey_file
        out["hotkey"] = {"name": a.hotkey, **keyfile_info(hk)}
        if hk.exists_on_device() and not hk.is_encrypted():
            hot = w.get_hotkey()
            out["hotkey"].update(ss58_address=hot.ss58_address, public_key=pub_hex(hot))
        if w.hotkeypub_file.exists_on_device():
            out["hotkeypub"] = {"ss58_address": w.get_hotkeypub().ss58_address,
                                **keyfile_info(w.hotkeypub_file)}
    return out


def wallet_keypair(a):
    w = Wallet(name=a.name, hotkey=a.hotkey or "default", path=a.path)
    pw = read_password(a.password_file) if a.password_file else None
    return w.get_hotkey(password=pw) if a.use_hotkey else w.get_coldkey(password=pw)


def cmd_sign(a):
    if a.uri:
        kp = Keypair.create_from_uri(a.uri, crypto_type=CRYPTO_TYPES[a.crypto])
    else:
        kp = wallet_keypair(a)
    sig = kp.sign(hexbytes(a.message_hex))
    return {"signature": "0x" + sig.hex(), "ss58_address": kp.ss58_address,
            "public_key": pub_hex(kp)}


def cmd_verify(a):
    ct = CRYPTO_TYPES[a.crypto]
    if a.public_key:
        kp = Keypair(public_key=a.public_key, crypto_type=ct)
    else:
        kp = Keypair(ss58_address=a.ss58_address, crypto_type=ct)
    try:
        valid = bool(kp.verify(hexbytes(a.message_hex), hexbytes(a.signature)))
    except Exception:  # malformed signature: not valid, the way a chain sees it
        valid = False
    return {"valid": valid}


def cmd_derive(a):
    req = json.load(sys.stdin)
    results = []
    for item in req["items"]:
        crypto = item.get("crypto", "sr25519")
        try:
            if crypto not in CRYPTO_TYPES:
                raise ValueError(f"bittensor_wallet has no {crypto} keypairs")
            kp = Keypair.create_from_uri(item["suri"], crypto_type=CRYPTO_TYPES[crypto])
            results.append({"suri": item["suri"], "crypto": crypto,
                            "public_key": pub_hex(kp), "ss58_address": kp.ss58_address})
        except Exception as e:  # one bad SURI is an answer, not a crash
            results.append({"suri": item["suri"], "crypto": crypto, "error": str(e)})
    return {"results": results}


def cmd_password_env(a):
    w = Wallet(name=a.name, hotkey=a.hotkey or "default", path=a.path)
    kf = w.hotkey_file if a.use_hotkey else w.coldkey_file
    kf.save_password_to_env(read_password(a.password_file))
    # btwallet sets the variable with Rust's std::env, i.e. libc setenv, which
    # Python's os.environ snapshot does not see; read it the same way.
    libc = ctypes.CDLL(None)
    libc.getenv.restype = ctypes.c_char_p
    name = kf.env_var_name()
    value = libc.getenv(name.encode())
    if value is None:
        raise RuntimeError(f"btwallet did not set {name}")
    return {"name": name, "value": value.decode(), "keyfile": kf.path}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    def wallet_args(sp, hotkey_required=False):
        sp.add_argument("--path", required=True)
        sp.add_argument("--name", required=True)
        sp.add_argument("--hotkey", required=hotkey_required)
        sp.add_argument("--password-file")

    sp = sub.add_parser("create")
    wallet_args(sp, hotkey_required=True)
    sp.add_argument("--n-words", type=int, default=12)

    wallet_args(sub.add_parser("open"))

    sp = sub.add_parser("sign")
    sp.add_argument("--uri")
    sp.add_argument("--crypto", choices=sorted(CRYPTO_TYPES), default="sr25519")
    sp.add_argument("--path")
    sp.add_argument("--name")
    sp.add_argument("--hotkey")
    sp.add_argument("--use-hotkey", action="store_true")
    sp.add_argument("--password-file")
    sp.add_argument("--message-hex", required=True)

    sp = sub.add_parser("verify")
    key = sp.add_mutually_exclusive_group(required=True)
    key.add_argument("--ss58-address")
    key.add_argument("--public-key")
    sp.add_argument("--crypto", choices=sorted(CRYPTO_TYPES), default="sr25519")
    sp.add_argument("--message-hex", required=True)
    sp.add_argument("--signature", required=True)

    sub.add_parser("derive")

    sp = sub.add_parser("password-env")
    wallet_args(sp)
    sp.add_argument("--use-hotkey", action="store_true")

    a = p.parse_args()
    if a.cmd == "sign" and not a.uri and not (a.path and a.name):
        p.error("sign needs --uri or --path and --name")
    if a.cmd == "password-env" and not a.password_file:
        p.error("password-env needs --password-file")
    handler = {"create": cmd_create, "open": cmd_open, "sign": cmd_sign,
               "verify": cmd_verify, "derive": cmd_derive,
               "password-env": cmd_password_env}[a.cmd]
    try:
        emit(handler(a))
    except Exception as e:  # report every failure as JSON, the caller parses stdout
        emit({"error": f"{type(e).__name__}: {e}"}, 1)


if __name__ == "__main__":
    main()

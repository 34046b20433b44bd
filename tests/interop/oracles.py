#!/usr/bin/env python3
"""Interop (0): the oracles themselves, before they judge covenant.

Checks the installed polkadot-js/WASM and bittensor-wallet packages against
published values (dev phrase //Alice etc., bittensor_sdk.md §2.7-2.8, §3.8),
and against each other on a few SURIs. Needs no covenant binary, so a broken
`npm ci` or pip install shows up here rather than as a covenant mismatch.

usage: oracles.py
"""

import interop
from interop import btwallet

# (suri, crypto, public key) from Substrate's and btwallet's own tests.
KNOWN = [
    ("//Alice", "sr25519", "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"),
    ("/Alice", "sr25519", "0xd6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e"),
    ("//Alice/stash", "sr25519", "0x42693199aba1dec4d835602e19d16d173df9b3b7b65359fd7accdf874749bf61"),
    ("0x" + "00" * 32, "sr25519", "0xdef12e42f3e487e9b14095aa8d5cc16a33491f1b50dadcf8811d1480f3fa8627"),
    ("old leopard transfer rib spatial phone calm indicate online fire caution review", "sr25519",
     "0xe4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446"),
    ("//Alice", "ed25519", "0x88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee"),
    ("0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "ed25519",
     "0xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
    ("//Alice", "ecdsa", "0x020a1091341fe5664bfa1782d5e04779689068c916b04cb365ec3153755684d9a1"),
    ("0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "ecdsa",
     "0x028db55b05db86c0b1786ca49f095d76344c9e6056b2f02701a7e7f3c20aabfd91"),
]
# btwallet's tests (tests/test_keypair.py): SURI -> ss58.
OLD_LEOPARD = "old leopard transfer rib spatial phone calm indicate online fire caution review"
KNOWN_SS58 = [
    (OLD_LEOPARD + "//Alice", "5FEiH8iuDUw271xbqWTWuB6WrDjv5dnCeDX1CyHubAniXDNN"),
    (OLD_LEOPARD + "/Alice", "5GNXbA46ma5dg19GXdiKi5JH3mnkZ8Yea3bBtZAvj7t99P9i"),
    # These three are relative to the dev phrase, not to "old leopard"
    # (bittensor_sdk.md §2.7 lists them after it, but both oracles agree).
    ("//Bob/test", "5CJGwWiKXSE16WJaxBdPZhWqUYkotgenLUALv7ZvqQ4TXeqf"),
    ("/Bob//test", "5Cwc8tShrshDJUp1P1M21dKUTcYQpV9GcfSa4hUBNmMdV3Cx"),
    ("//PathNameLongerThan32BytesWhichShouldBeHashed",
     "5GR5pfZeNs1uQiSWVxZaQiZou3wdZiX894eqgvfNfHbEh7W2"),
]
# Known-good sr25519 signature (bittensor_sdk.md §3.8), //Alice, message "bittensor test message".
ALICE_SIG = ("0x4884f25fec82a7252300f0775bceb769eca487d85e65d3f0fbf0a21fe60bd165"
             "a59988771677f7d7c0bbd5e33216920ef469ad291a46ec0df79ca335c984ec8e")
ALICE_MSG = "0x" + b"bittensor test message".hex()
ALICE_SS58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"


def main():
    res = interop.Results("interop_oracles")
    oracle = interop.PolkadotOracle()
    try:
        got = oracle.request({"op": "derive", "items": [
            {"suri": s, "crypto": c} for s, c, _ in KNOWN]})["results"]
        for (suri, crypto, want), g in zip(KNOWN, got):
            res.eq(g.get("public_key"), want, "polkadot-js known public key", suri=suri, crypto=crypto)
        got = oracle.request({"op": "derive", "items": [
            {"suri": s, "crypto": "sr25519"} for s, _ in KNOWN_SS58]})["results"]
        for (suri, want), g in zip(KNOWN_SS58, got):
            res.eq(g.get("ss58_address"), want, "polkadot-js known address", suri=suri)
        v = oracle.request({"op": "verify", "items": [
            {"crypto": "sr25519", "ss58_address": ALICE_SS58, "message_hex": ALICE_MSG,
             "signature": ALICE_SIG}]})["results"][0]
        res.eq(v.get("valid"), True, "polkadot-js verifies known sr25519 signature", by=v.get("by"))
    finally:
        oracle.close()

    items = [{"suri": s, "crypto": c} for s, c, _ in KNOWN if c != "ecdsa"]
    items += [{"suri": s, "crypto": "sr25519"} for s, _ in KNOWN_SS58]
    rc, obj = btwallet("derive", stdin={"items": items})
    if res.ok(rc == 0, "bittensor-wallet derive", error=obj):
        want = [k for _, c, k in KNOWN if c != "ecdsa"] + [a for _, a in KNOWN_SS58]
        for item, w, g in zip(items, want, obj["results"]):
            key = "ss58_address" if w.startswith("5") else "public_key"
            res.eq(g.get(key), w, "bittensor-wallet known value", suri=item["suri"])
    rc, obj = btwallet("verify", "--ss58-address", ALICE_SS58, "--message-hex", ALICE_MSG,
                       "--signature", ALICE_SIG)
    res.eq(obj.get("valid"), True, "bittensor-wallet verifies known sr25519 signature")
    rc, obj = btwallet("verify", "--ss58-address", ALICE_SS58, "--message-hex", ALICE_MSG + "00",
                       "--signature", ALICE_SIG)
    res.eq(obj.get("valid"), False, "bittensor-wallet rejects it on another message")
    res.finish()


if __name__ == "__main__":
    main()

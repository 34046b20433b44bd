#!/usr/bin/env node
// polkadot-js oracle for covenant's eras, storage keys and v4 extrinsics
// (tests/interop/extrinsic.py). No metadata is needed: the call is given as
// bytes, the transaction extensions by identifier, and @polkadot/types builds
// the era, the signing payload (GenericExtrinsicPayloadV4) and the address,
// signature and extras (GenericExtrinsicSignatureV4) from its own extension
// definitions. Keys come from @polkadot/keyring; signatures from its pairs.
//
// Protocol: JSON lines, one request per line, one answer per request:
//   {"op":"era","items":[{"current":N,"period":P} | {"immortal":true}]}
//       -> {"ok":true,"results":[{"encoded","period","phase","birth","death"}]}
//   {"op":"storage_key","items":[{"pallet","item","keys":[{"hasher","key"}]}]}
//       -> {"ok":true,"results":[{"key"}]}
//   {"op":"extrinsic","items":[{"suri","crypto","call","extensions":[ids],
//        "zero_sized":[ids],"values":{...},"covenant_signature"?}]}
//       -> {"ok":true,"results":[{"payload","signing_message","signature",
//           "account","extrinsic","covenant_signature_valid"?,
//           "extrinsic_with_covenant_signature"?} | {"error"}]}
//   {"op":"selftest"}
// values: {"spec","txver","genesis","era":null|{"current","period"},
//          "era_block_hash","nonce","tip","mode","metadata_hash"?}; big
// numbers may be decimal strings. "signature" is the MultiSignature (type
// byte first); ed25519 and ecdsa ones are deterministic.

import { createInterface } from 'node:readline';
import { Keyring } from '@polkadot/keyring';
import { TypeRegistry } from '@polkadot/types';
import { findUnknownExtensions } from '@polkadot/types/extrinsic/signedExtensions';
import { compactAddLength, hexToU8a, u8aConcat, u8aToHex, stringToU8a } from '@polkadot/util';
import {
  blake2AsU8a,
  cryptoWaitReady,
  ed25519Verify,
  secp256k1Verify,
  sr25519Verify,
  xxhashAsU8a,
} from '@polkadot/util-crypto';

const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const SIGNED_V4 = 0x84;
const hex = (u8) => u8aToHex(u8);

// ------------------------------------------------------------------ eras

// polkadot-js builds a MortalEra from {current, period} without rounding the
// phase down for periods over 4096 (it divides in floating point), so its
// birth block would differ from sp_runtime's. Its byte encoding and its
// decoder are sp_runtime's, so the era is re-read from its own bytes.
function makeEra(registry, spec) {
  if (!spec || spec.immortal) return registry.createType('ExtrinsicEra', new Uint8Array([0]));
  const built = registry.createType('ExtrinsicEra', { current: spec.current, period: spec.period });
  return registry.createType('ExtrinsicEra', built.toU8a());
}

function opEra(req) {
  const registry = new TypeRegistry();
  return req.items.map((spec) => {
    const era = makeEra(registry, spec);
    if (era.isImmortalEra) return { encoded: hex(era.toU8a()), mortal: false };
    const m = era.asMortalEra;
    return {
      encoded: hex(era.toU8a()),
      mortal: true,
      period: m.period.toNumber(),
      phase: m.phase.toNumber(),
      birth: m.birth(spec.current),
      death: m.death(spec.current),
    };
  });
}

// ---------------------------------------------------------- storage keys

const HASHERS = {
  Blake2_128: (k) => blake2AsU8a(k, 128),
  Blake2_256: (k) => blake2AsU8a(k, 256),
  Blake2_128Concat: (k) => u8aConcat(blake2AsU8a(k, 128), k),
  Twox128: (k) => xxhashAsU8a(k, 128),
  Twox256: (k) => xxhashAsU8a(k, 256),
  Twox64Concat: (k) => u8aConcat(xxhashAsU8a(k, 64), k),
  Identity: (k) => k,
};

function opStorageKey(req) {
  return req.items.map(({ pallet, item, keys }) => {
    const parts = [xxhashAsU8a(stringToU8a(pallet), 128), xxhashAsU8a(stringToU8a(item), 128)];
    for (const { hasher, key } of keys ?? []) {
      const fn = HASHERS[hasher];
      if (!fn) throw new Error(`unknown hasher ${hasher}`);
      parts.push(fn(hexToU8a(key)));
    }
    return { key: hex(u8aConcat(...parts)) };
  });
}

// ------------------------------------------------------------ extrinsics

function pairOf(suri, crypto) {
  const full = suri.startsWith('/') ? `${DEV_PHRASE}${suri}` : suri;
  return new Keyring({ type: crypto }).addFromUri(full);
}

// A registry that knows exactly this extension list, in this order.
// Unknown zero-sized ones are declared as empty user extensions. polkadot-js
// would treat any other unknown one as empty too (with a warning); here that
// is an error, as it is in covenant.
function registryFor(extensions, zeroSized) {
  const user = {};
  for (const id of zeroSized ?? []) user[id] = { extrinsic: {}, payload: {} };
  const unknown = findUnknownExtensions(extensions, user);
  if (unknown.length) throw new Error(`unknown transaction extensions: ${unknown.join(', ')}`);
  const registry = new TypeRegistry();
  registry.setSignedExtensions(extensions, user, true);
  return registry;
}

function verifyWith(crypto, msg, sig, pair) {
  try {
    if (crypto === 'sr25519') return sr25519Verify(msg, sig, pair.publicKey);
    if (crypto === 'ed25519') return ed25519Verify(msg, sig, pair.publicKey);
    return secp256k1Verify(msg, sig, pair.publicKey, 'blake2');
  } catch {
    return false;
  }
}

const SIG_TYPE = { ed25519: 0, sr25519: 1, ecdsa: 2 };

function assemble(registry, pair, signature, payloadValue, call) {
  const sig = registry.createType('ExtrinsicSignatureV4');
  sig.addSignature(pair.addressRaw, signature, payloadValue);
  return compactAddLength(u8aConcat(new Uint8Array([SIGNED_V4]), sig.toU8a(), call));
}

function opExtrinsic(req) {
  return req.items.map((it) => {
    const { crypto, values: v } = it;
    if (!(crypto in SIG_TYPE)) throw new Error(`unknown crypto ${crypto}`);
    const registry = registryFor(it.extensions, it.zero_sized);
    const pair = pairOf(it.suri, crypto);
    const call = hexToU8a(it.call);
    const era = makeEra(registry, v.era);
    const payloadValue = {
      method: hex(call),
      era,
      nonce: v.nonce,
      tip: v.tip,
      specVersion: v.spec,
      transactionVersion: v.txver,
      genesisHash: v.genesis,
      blockHash: v.era_block_hash,
      mode: v.mode ?? 0,
      metadataHash: v.mode === 1 ? v.metadata_hash : null,
      assetId: null,
    };
    const payload = registry.createType('ExtrinsicPayload', payloadValue, { version: 4 });
    const payloadU8a = payload.toU8a({ method: true });
    const message = payloadU8a.length > 256 ? blake2AsU8a(payloadU8a, 256) : payloadU8a;
    const { signature } = payload.sign(pair);
    const sigU8a = hexToU8a(signature);
    if (sigU8a[0] !== SIG_TYPE[crypto]) throw new Error(`signature type byte ${sigU8a[0]} for ${crypto}`);
    if (!verifyWith(crypto, message, sigU8a.subarray(1), pair)) {
      throw new Error('polkadot-js does not verify its own signature over the payload');
    }
    const out = {
      payload: hex(payloadU8a),
      signing_message: hex(message),
      signature,
      account: hex(pair.addressRaw),
      extrinsic: hex(assemble(registry, pair, sigU8a, payloadValue, call)),
    };
    if (it.covenant_signature) {
      const cs = hexToU8a(it.covenant_signature);
      out.covenant_signature_valid = cs[0] === SIG_TYPE[crypto] && verifyWith(crypto, message, cs.subarray(1), pair);
      out.extrinsic_with_covenant_signature = hex(assemble(registry, pair, cs, payloadValue, call));
    }
    return out;
  });
}

// --------------------------------------------------------------- selftest

// Published values: era.rs's tests, twox128 of well-known names and
// System.Account of //Alice (polkadot.js.org/apps shows the same key).
function opSelftest() {
  const failures = [];
  const want = (what, got, exp) => {
    if (got !== exp) failures.push({ what, got, want: exp });
  };
  const [e1, e2] = opEra({ items: [{ current: 42, period: 64 }, { current: 20000, period: 32768 }] });
  want('era mortal(64, 42)', e1.encoded, '0xa502');
  want('era mortal(32768, 20000)', e2.encoded, '0x4e9c');
  const alice = '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d';
  const [k] = opStorageKey({
    items: [{ pallet: 'System', item: 'Account', keys: [{ hasher: 'Blake2_128Concat', key: alice }] }],
  });
  want(
    'System.Account(//Alice)',
    k.key,
    '0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9' +
      'de1e86a9a8c739864cf3cc5ec2bea59f' +
      alice.slice(2),
  );
  want('//Alice sr25519', hex(pairOf('//Alice', 'sr25519').publicKey), alice);
  if (failures.length) throw new Error(`selftest failed: ${JSON.stringify(failures)}`);
  return { checked: 4 };
}

// Per-item failures are answers (the driver may probe them); a failed
// request is not.
function perItem(fn) {
  return (req) => ({
    results: req.items.map((item) => {
      try {
        return fn({ ...req, items: [item] })[0];
      } catch (e) {
        return { error: e.message };
      }
    }),
  });
}

const OPS = {
  era: perItem(opEra),
  storage_key: perItem(opStorageKey),
  extrinsic: perItem(opExtrinsic),
  selftest: opSelftest,
};

function handle(line) {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `request is not JSON: ${e.message}` };
  }
  const op = OPS[req?.op];
  if (!op) return { ok: false, error: `unknown op ${JSON.stringify(req?.op)}` };
  if (op !== opSelftest && !Array.isArray(req.items)) return { ok: false, error: 'items must be an array' };
  try {
    return { ok: true, ...op(req) };
  } catch (e) {
    return { ok: false, error: e.message };
  }
}

await cryptoWaitReady();
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === '') continue;
  process.stdout.write(`${JSON.stringify(handle(line))}\n`);
}

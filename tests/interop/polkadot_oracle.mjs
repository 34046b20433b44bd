#!/usr/bin/env node
// polkadot-js / schnorrkel-WASM oracle for covenant's interop tests.
//
// Protocol: JSON lines. Every non-empty line on stdin is one request object;
// every request gets exactly one JSON line back on stdout, in order. A test
// driver keeps one process open for a whole batch, because starting node and
// initialising the WASM module costs ~0.5-1 s each time. A single request
// piped in (`echo '{...}' | node polkadot_oracle.mjs`) works the same way.
//
// Requests:
//   {"op":"mnemonic","count":N,"words":12}
//       -> {"ok":true,"mnemonics":[...]}
//   {"op":"derive","ss58_format":42,"items":[{"suri":S,"crypto":"sr25519|ed25519|ecdsa"}]}
//       -> {"ok":true,"results":[{"public_key","ss58_address","account_id"} | {"error"}]}
//   {"op":"sign","items":[{"suri","crypto","message_hex"}]}
//       -> {"ok":true,"results":[{"signature"} | {"error"}]}
//   {"op":"verify","ss58_format":42,"items":[{"crypto","public_key"|"ss58_address","message_hex","signature"}]}
//       -> {"ok":true,"results":[{"valid":bool,"by":{impl:bool}} | {"error"}]}
//   {"op":"selftest"} -> checks the oracle against the published dev-phrase vectors.
//
// Several implementations live in this package (pure JS via @noble/@scure,
// and Rust crates compiled to WASM). Where two of them can compute the same
// thing, the oracle computes it both ways and reports an "oracle disagreement"
// error rather than picking one, so a bug in one oracle cannot silently become
// the expected value.

import { createInterface } from 'node:readline';
import { Keyring } from '@polkadot/keyring';
import { hexToU8a, isHex, u8aToHex, u8aEq } from '@polkadot/util';
import {
  blake2AsU8a,
  cryptoWaitReady,
  decodeAddress,
  ed25519PairFromSeed,
  ed25519Sign,
  ed25519Verify,
  encodeAddress,
  keyExtractSuri,
  keyFromPath,
  mnemonicGenerate,
  mnemonicToMiniSecret,
  secp256k1PairFromSeed,
  secp256k1Sign,
  secp256k1Verify,
  sr25519PairFromSeed,
  sr25519Verify,
} from '@polkadot/util-crypto';
import * as wasm from '@polkadot/wasm-crypto';

// Substrate's DEV_PHRASE: a SURI with an empty phrase means this mnemonic.
const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const CRYPTOS = ['sr25519', 'ed25519', 'ecdsa'];

class OracleDisagreement extends Error {
  constructor(what, a, b) {
    super(`oracle disagreement on ${what}: ${a} vs ${b}`);
  }
}

function hex(u8) {
  return u8aToHex(u8);
}

function agree(what, a, b) {
  if (!u8aEq(a, b)) throw new OracleDisagreement(what, hex(a), hex(b));
  return a;
}

// Substrate resolves an empty phrase to DEV_PHRASE for any SURI starting with
// "/" (hard, soft or ///password). Keyring.createFromUri only does so for
// "//", so expand here before any library sees the SURI.
function expandDev(suri) {
  return suri.startsWith('/') ? `${DEV_PHRASE}${suri}` : suri;
}

function requireCrypto(crypto) {
  if (!CRYPTOS.includes(crypto)) throw new Error(`unknown crypto type ${JSON.stringify(crypto)}`);
}

// The mini-secret (32-byte seed) of a SURI's phrase part, computed by the WASM
// bip39 (Rust) and by the JS pbkdf2 path; they must match.
function seedOf(phrase, password) {
  if (isHex(phrase, 256)) return hexToU8a(phrase);
  if (isHex(phrase)) throw new Error('hex seed must be exactly 32 bytes');
  const words = phrase.split(' ').length;
  if (![12, 15, 18, 21, 24].includes(words)) {
    // polkadot-js would zero-pad a short non-mnemonic string into a raw seed;
    // Substrate rejects it, so the oracle refuses rather than invent a value.
    throw new Error(`phrase has ${words} words; not a mnemonic`);
  }
  const viaWasm = mnemonicToMiniSecret(phrase, password ?? '', undefined, false);
  const viaJs = mnemonicToMiniSecret(phrase, password ?? '', undefined, true);
  return agree('mini-secret', viaWasm, viaJs);
}

const FROM_SEED = {
  sr25519: (seed) => sr25519PairFromSeed(seed),
  ed25519: (seed) => ed25519PairFromSeed(seed, true),
  ecdsa: (seed) => secp256k1PairFromSeed(seed, true),
};

// schnorrkel (WASM) keypair: 96 bytes = secret(64, ed25519 form) || public(32).
function wasmSrPair(seed, path) {
  let pair = wasm.sr25519KeypairFromSeed(seed);
  for (const j of path) {
    pair = j.isHard
      ? wasm.sr25519DeriveKeypairHard(pair, j.chainCode)
      : wasm.sr25519DeriveKeypairSoft(pair, j.chainCode);
  }
  return { publicKey: pair.slice(64), secretKey: pair.slice(0, 64) };
}

// Resolve a SURI to a keypair through util-crypto's primitives, then check the
// public key against Keyring.createFromUri (the API wallets use) and, for
// sr25519, against schnorrkel-WASM.
function resolve(suri, crypto, ss58Format) {
  requireCrypto(crypto);
  const full = expandDev(suri);
  const { password, path, phrase } = keyExtractSuri(full);
  if (crypto !== 'sr25519' && path.some((j) => j.isSoft)) {
    throw new Error(`soft junctions are not supported for ${crypto}`);
  }
  const seed = seedOf(phrase, password);
  const pair = keyFromPath(FROM_SEED[crypto](seed), path, crypto);
  const keyring = new Keyring({ type: crypto, ss58Format });
  agree('public key (util-crypto vs keyring)', pair.publicKey, keyring.createFromUri(full).publicKey);
  let wasmPair = null;
  if (crypto === 'sr25519') {
    wasmPair = wasmSrPair(seed, path);
    agree('sr25519 public key (scure vs schnorrkel-wasm)', pair.publicKey, wasmPair.publicKey);
  }
  // Substrate's AccountId for ecdsa is blake2b-256 of the 33-byte compressed key.
  const accountId = crypto === 'ecdsa' ? blake2AsU8a(pair.publicKey, 256) : pair.publicKey;
  const address = encodeAddress(accountId, ss58Format);
  return { pair, wasmPair, accountId, address };
}

function opDerive(req) {
  const ss58 = req.ss58_format ?? 42;
  return req.items.map(({ suri, crypto }) => {
    const { pair, accountId, address } = resolve(suri, crypto, ss58);
    return {
      suri,
      crypto,
      public_key: hex(pair.publicKey),
      account_id: hex(accountId),
      ss58_address: address,
    };
  });
}

function opSign(req) {
  return req.items.map(({ suri, crypto, message_hex: mh }) => {
    const msg = hexToU8a(mh);
    const { pair, wasmPair } = resolve(suri, crypto, 42);
    let sig;
    if (crypto === 'sr25519') {
      // schnorrkel itself signs; sr25519 signatures are randomised, so there
      // is nothing to compare byte for byte.
      sig = wasm.sr25519Sign(wasmPair.publicKey, wasmPair.secretKey, msg);
    } else if (crypto === 'ed25519') {
      sig = agree('ed25519 signature (noble vs wasm)', ed25519Sign(msg, pair, true), ed25519Sign(msg, pair, false));
    } else {
      // Substrate ecdsa = recoverable secp256k1 over blake2b-256(msg), r||s||recid.
      sig = agree(
        'ecdsa signature (noble vs wasm)',
        secp256k1Sign(msg, pair, 'blake2', true),
        secp256k1Sign(msg, pair, 'blake2', false),
      );
    }
    return { suri, crypto, signature: hex(sig) };
  });
}

// Each verifier answers on its own; a thrown error (bad recovery, bad point)
// counts as "invalid" for that verifier, the way a chain would treat it.
function attempt(fn) {
  try {
    return fn() === true;
  } catch {
    return false;
  }
}

function opVerify(req) {
  const ss58 = req.ss58_format ?? 42;
  return req.items.map((item) => {
    const { crypto } = item;
    requireCrypto(crypto);
    const msg = hexToU8a(item.message_hex);
    const sig = hexToU8a(item.signature);
    // For ecdsa an ss58 address decodes to blake2(pub33); secp256k1Verify
    // accepts either the compressed key or that hash.
    const key = item.public_key ? hexToU8a(item.public_key) : decodeAddress(item.ss58_address, false, ss58);
    let by;
    if (crypto === 'sr25519') {
      by = {
        scure: attempt(() => sr25519Verify(msg, sig, key)),
        'schnorrkel-wasm': attempt(() => wasm.sr25519Verify(sig, msg, key)),
      };
    } else if (crypto === 'ed25519') {
      by = {
        noble: attempt(() => ed25519Verify(msg, sig, key, true)),
        wasm: attempt(() => ed25519Verify(msg, sig, key, false)),
      };
    } else {
      by = {
        noble: attempt(() => secp256k1Verify(msg, sig, key, 'blake2', true)),
        wasm: attempt(() => secp256k1Verify(msg, sig, key, 'blake2', false)),
      };
    }
    const verdicts = new Set(Object.values(by));
    if (verdicts.size !== 1) throw new OracleDisagreement('verify', JSON.stringify(by), 'unanimity');
    return { valid: [...verdicts][0], by };
  });
}

function opMnemonic(req) {
  const words = req.words ?? 12;
  const mnemonics = [];
  for (let i = 0; i < (req.count ?? 1); i++) mnemonics.push(mnemonicGenerate(words));
  return { mnemonics };
}

// Published values (Substrate tests, polkadot-js) that the oracle itself must
// reproduce before anyone trusts its answers.
function opSelftest() {
  const expect = [
    ['//Alice', 'sr25519', '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d'],
    ['/Alice', 'sr25519', '0xd6c71059dbbe9ad2b0ed3f289738b800836eb425544ce694825285b958ca755e'],
    ['//Bob', 'sr25519', '0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48'],
    ['//Alice', 'ed25519', '0x88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee'],
    ['//Alice', 'ecdsa', '0x020a1091341fe5664bfa1782d5e04779689068c916b04cb365ec3153755684d9a1'],
  ];
  const failures = [];
  for (const [suri, crypto, want] of expect) {
    const got = hex(resolve(suri, crypto, 42).pair.publicKey);
    if (got !== want) failures.push({ suri, crypto, want, got });
  }
  const alice = resolve('//Alice', 'sr25519', 42);
  if (alice.address !== '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY') {
    failures.push({ suri: '//Alice', what: 'ss58', got: alice.address });
  }
  // Substrate ecdsa test vector: seed 9d61b1..., empty message, deterministic.
  const seed = '0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  const [sig] = opSign({ items: [{ suri: seed, crypto: 'ecdsa', message_hex: '0x' }] });
  const wantSig =
    '0x3dde91174bd9359027be59a428b8146513df80a2a3c7eda2194f64de04a69ab9' +
    '7b753169e94db6ffd50921a2668a48b94ca11e3d32c1ff19cfe88890aa7e8f3c00';
  if (sig.signature !== wantSig) failures.push({ what: 'ecdsa signature', got: sig.signature });
  if (failures.length) throw new Error(`selftest failed: ${JSON.stringify(failures)}`);
  return { checked: expect.length + 2 };
}

// Per-item failures (bad mnemonic, soft junction on ed25519) are answers, not
// crashes: the caller may be probing exactly that. Oracle disagreements stay
// fatal for the whole request so they cannot be mistaken for a per-item error.
function perItem(fn) {
  return (req) => ({
    results: req.items.map((item) => {
      try {
        return fn({ ...req, items: [item] })[0];
      } catch (e) {
        if (e instanceof OracleDisagreement) throw e;
        return { error: e.message };
      }
    }),
  });
}

const OPS = {
  derive: perItem(opDerive),
  sign: perItem(opSign),
  verify: perItem(opVerify),
  mnemonic: opMnemonic,
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
  if (op !== opMnemonic && op !== opSelftest && !Array.isArray(req.items)) {
    return { ok: false, error: 'items must be an array' };
  }
  try {
    return { ok: true, ...op(req) };
  } catch (e) {
    return { ok: false, error: e.message };
  }
}

await cryptoWaitReady();
await wasm.waitReady();
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (line.trim() === '') continue;
  process.stdout.write(`${JSON.stringify(handle(line))}\n`);
}

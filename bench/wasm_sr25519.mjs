#!/usr/bin/env node
// sr25519 signatures per second through schnorrkel compiled to WASM
// (@polkadot/wasm-crypto), on node's single main thread: the reference point
// that scripts/bench.sh sets beside covenant's bench_sign.
//
//   node bench/wasm_sr25519.mjs [--seconds S]
//   -> {"impl":"schnorrkel-wasm","crypto":"sr25519","sign_per_s":N,"verify_per_s":N}
//
// Same workload as bench_sign: one //Alice keypair, a 32-byte message whose
// first byte changes per signature, batches of 64 between clock reads.
// Needs the oracles installed by scripts/setup-oracles.sh.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package lives in tests/interop/node_modules, which node's resolver
// would not search from bench/; resolve it from there explicitly.
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const requireInterop = createRequire(join(root, 'tests', 'interop', 'package.json'));
let wasm;
try {
  wasm = requireInterop('@polkadot/wasm-crypto');
} catch {
  console.error('wasm_sr25519: @polkadot/wasm-crypto not installed; run scripts/setup-oracles.sh');
  process.exit(1);
}

const args = process.argv.slice(2);
let seconds = 2;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--seconds' && i + 1 < args.length) seconds = Number(args[++i]);
  else {
    console.error('usage: node bench/wasm_sr25519.mjs [--seconds S]');
    process.exit(2);
  }
}
if (!(seconds > 0)) {
  console.error('wasm_sr25519: --seconds must be positive');
  process.exit(2);
}

const BATCH = 64;
// Mini-secret of DEV_PHRASE//Alice (Substrate's SecretUri documentation).
const ALICE_SEED = Uint8Array.from(
  Buffer.from('e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a', 'hex'),
);

function rate(fn, duration) {
  let n = 0;
  const t0 = performance.now();
  let elapsed;
  do {
    for (let i = 0; i < BATCH; i++) fn(i);
    n += BATCH;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < duration);
  return n / elapsed;
}

await wasm.waitReady();
const pair = wasm.sr25519KeypairFromSeed(ALICE_SEED);
const secret = pair.slice(0, 64);
const pub = pair.slice(64);
const msg = new Uint8Array(32).fill(0x42);

let sig = wasm.sr25519Sign(pub, secret, msg);
if (!wasm.sr25519Verify(sig, msg, pub)) {
  // Timing a verifier that rejects would time the wrong code path.
  console.error('wasm_sr25519: schnorrkel-wasm rejected its own signature');
  process.exit(1);
}

const sign = (i) => {
  msg[0] = i;
  sig = wasm.sr25519Sign(pub, secret, msg);
};
const verify = () => {
  if (!wasm.sr25519Verify(sig, msg, pub)) throw new Error('verification failed');
};

// Warm up so the WASM tiers up to optimised code before the clock starts.
rate(sign, Math.min(0.3, seconds));
const signPerS = rate(sign, seconds);
msg[0] = BATCH - 1; // the last signature's message
rate(verify, Math.min(0.3, seconds));
const verifyPerS = rate(verify, seconds);

console.log(
  JSON.stringify({
    impl: 'schnorrkel-wasm',
    crypto: 'sr25519',
    sign_per_s: Math.round(signPerS),
    verify_per_s: Math.round(verifyPerS),
  }),
);

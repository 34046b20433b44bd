#!/usr/bin/env node
// Metadata and events decoding through polkadot-js (@polkadot/types), on
// node's single main thread: the reference point that scripts/bench-chain.sh
// sets beside covenant's bench_chain_decode, on the same two files.
//
//   node bench/polkadot_decode.mjs METADATA.scale EVENTS.scale [--seconds S]
//
// Prints one JSON object per line; each measured row runs for about S
// seconds (default 2) after a warm-up, and MB/s counts 10^6 input bytes.
//   work "metadata", what = ...
//     "construct"            new Metadata(registry, bytes): the eager SCALE
//                            decode of the whole structure into codec objects
//     "decode"               the same, then .asLatest, which polkadot-js
//                            computes lazily (the conversion to its latest
//                            layout and the type aliases); this is the row
//                            set beside covenant's cov_metadata_decode
//     "decode+setMetadata"   the same, then registry.setMetadata(metadata),
//                            which a client needs before it can decode
//                            anything with that metadata
//   work "events", what = ...
//     "createType+toJSON"    registry.createType(<System.Events value type>,
//                            bytes).toJSON(): the full decode to a JSON
//                            tree, which is what covenant's
//                            cov_codec_decode_all produces; set beside it
//     "createType"           the decode to codec objects alone, for
//                            transparency (polkadot-js keeps some parts as
//                            bytes until they are read)
// Every registry here is a new TypeRegistry; the events one has had
// setMetadata from the same metadata bytes (outside the clock).
// Needs the oracles installed by scripts/setup-oracles.sh.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The packages live in tests/interop/node_modules, which node's resolver
// would not search from bench/; resolve them from there explicitly.
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const requireInterop = createRequire(path.join(root, 'tests', 'interop', 'package.json'));
let TypeRegistry, Metadata, typesVersion;
try {
  ({ TypeRegistry, packageInfo: { version: typesVersion } } = requireInterop('@polkadot/types'));
  ({ Metadata } = requireInterop('@polkadot/types/metadata'));
} catch {
  console.error('polkadot_decode: @polkadot/types not installed; run scripts/setup-oracles.sh');
  process.exit(1);
}

const args = process.argv.slice(2);
const files = [];
let seconds = 2;
let bad = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--seconds' && i + 1 < args.length) seconds = Number(args[++i]);
  else if (!args[i].startsWith('--') && files.length < 2) files.push(args[i]);
  else bad = true;
}
if (bad || files.length !== 2 || !(seconds > 0)) {
  console.error('usage: node bench/polkadot_decode.mjs METADATA.scale EVENTS.scale [--seconds S]');
  process.exit(2);
}
const metaBytes = new Uint8Array(fs.readFileSync(files[0]));
const eventBytes = new Uint8Array(fs.readFileSync(files[1]));

// Runs fn until `duration` seconds pass; fn may not keep what it builds.
function rate (fn, duration) {
  let n = 0;
  const t0 = performance.now();
  let elapsed;
  do {
    fn();
    n++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < duration);
  return n / elapsed;
}

function measure (fn) {
  rate(fn, Math.min(0.5, seconds)); // warm-up: let the JIT compile the decoders
  return rate(fn, seconds);
}

const base = { impl: 'polkadot-js', version: typesVersion, node: process.version };
function report (work, what, bytes, perS, extra = {}) {
  console.log(JSON.stringify({
    ...base,
    work,
    what,
    bytes,
    ...extra,
    decodes_per_s: Number(perS.toFixed(2)),
    mb_per_s: Number((perS * bytes / 1e6).toFixed(2))
  }));
}

// A copy per decode: polkadot-js may rewrite the version byte of the input
// (its V9/V10 workaround), so it never gets the one shared buffer.
const freshMeta = () => metaBytes.slice();

// ------------------------------------------------------------ metadata

report('metadata', 'construct', metaBytes.length, measure(() => {
  new Metadata(new TypeRegistry(), freshMeta());
}));
report('metadata', 'decode', metaBytes.length, measure(() => {
  const m = new Metadata(new TypeRegistry(), freshMeta());
  if (!m.asLatest) throw new Error('no asLatest');
}));
report('metadata', 'decode+setMetadata', metaBytes.length, measure(() => {
  const registry = new TypeRegistry();
  const m = new Metadata(registry, freshMeta());
  if (!m.asLatest) throw new Error('no asLatest');
  registry.setMetadata(m);
}));

// -------------------------------------------------------------- events

const registry = new TypeRegistry();
const metadata = new Metadata(registry, freshMeta());
registry.setMetadata(metadata);
const eventsEntry = metadata.asLatest.pallets.find((p) => p.name.toString() === 'System')
  .storage.unwrap().items.find((x) => x.name.toString() === 'Events');
const eventsType = registry.createLookupType(eventsEntry.type.asPlain);

const first = registry.createType(eventsType, eventBytes);
if (first.encodedLength !== eventBytes.length) {
  throw new Error(`System.Events decodes ${first.encodedLength} of ${eventBytes.length} bytes`);
}
const events = first.length;
const extra = { events, type: eventsEntry.type.asPlain.toNumber() };

let perS = measure(() => {
  if (registry.createType(eventsType, eventBytes).toJSON().length !== events) throw new Error('count');
});
report('events', 'createType+toJSON', eventBytes.length, perS,
  { ...extra, events_per_s: Math.round(perS * events) });
perS = measure(() => {
  if (registry.createType(eventsType, eventBytes).length !== events) throw new Error('count');
});
report('events', 'createType', eventBytes.length, perS,
  { ...extra, events_per_s: Math.round(perS * events) });

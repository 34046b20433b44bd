#!/usr/bin/env node
// Builds the inputs of scripts/bench-chain.sh with polkadot-js alone:
//
//   node bench/events_fixture.mjs OUT_DIR [--events N]
//
// - OUT_DIR/metadata.scale: the largest V14/V15 runtime metadata blob that
//   @polkadot/types-support ships (largest by decoded byte size), as the
//   RuntimeMetadataPrefixed bytes ("meta", version, body) that
//   state_getMetadata returns. V15 blobs ship as the Option<OpaqueMetadata>
//   of Metadata_metadata_at_version; the wrapper is taken off so that both
//   benchmarks read the very same bytes.
// - OUT_DIR/events.scale: N (default 10,000) EventRecords encoded as the
//   value of the System.Events storage entry of that metadata
//   (Vec<EventRecord<RuntimeEvent, Hash>>), as a block full of balance
//   transfers would hold them: per extrinsic Balances.Withdraw (fee),
//   Balances.Transfer (most of them), Balances.Deposit (fee to the author),
//   TransactionPayment.TransactionFeePaid and System.ExtrinsicSuccess or,
//   one in eight, System.ExtrinsicFailed with DispatchError::Module
//   (Balances.InsufficientBalance); phases ApplyExtrinsic(i), a few
//   Finalization deposits, some records with one or two topics.
// - OUT_DIR/fixture.json: what was built (blob name, sizes, event count,
//   the System.Events value type id); also printed on stdout.
//
// The file is decoded back with polkadot-js before it is written: it must
// give N records, in the order built, or the script fails.
// Needs the oracles installed by scripts/setup-oracles.sh.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The packages live in tests/interop/node_modules, which node's resolver
// would not search from bench/; resolve them from there explicitly.
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const requireInterop = createRequire(path.join(root, 'tests', 'interop', 'package.json'));
let TypeRegistry, Metadata, util;
try {
  ({ TypeRegistry } = requireInterop('@polkadot/types'));
  ({ Metadata } = requireInterop('@polkadot/types/metadata'));
  util = requireInterop('@polkadot/util');
} catch {
  console.error('events_fixture: @polkadot/types not installed; run scripts/setup-oracles.sh');
  process.exit(1);
}
const { compactFromU8a, compactToU8a, hexToU8a, u8aConcat } = util;

const args = process.argv.slice(2);
let outDir = null;
let count = 10000;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--events' && i + 1 < args.length) count = Number(args[++i]);
  else if (!outDir && !args[i].startsWith('--')) outDir = args[i];
  else {
    outDir = null;
    break;
  }
}
if (!outDir || !(Number.isInteger(count) && count > 0)) {
  console.error('usage: node bench/events_fixture.mjs OUT_DIR [--events N]');
  process.exit(2);
}

// ------------------------------------------------------------ the blob

const supportDir = path.join(
  path.dirname(requireInterop.resolve('@polkadot/types-support/package.json')), 'metadata');

function readHexModule (file) {
  const m = fs.readFileSync(file, 'utf8').match(/'(0x[0-9a-fA-F]*)'/);
  if (!m) throw new Error(`no hex string in ${file}`);
  return hexToU8a(m[1]);
}

// Option<OpaqueMetadata> (V15 blobs) -> the prefixed bytes inside.
function unwrapOpaque (u8a) {
  if (u8a[0] === 0x6d) return u8a; // already "meta..."
  if (u8a[0] !== 1) throw new Error('neither "meta" nor Some(OpaqueMetadata)');
  const [offset, length] = compactFromU8a(u8a.subarray(1));
  const start = 1 + offset;
  if (start + length.toNumber() !== u8a.length) throw new Error('opaque length mismatch');
  return u8a.subarray(start);
}

let best = null;
for (const version of ['v14', 'v15']) {
  const dir = path.join(supportDir, version);
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('-hex.js')).sort()) {
    const bytes = unwrapOpaque(readHexModule(path.join(dir, name)));
    if (!best || bytes.length > best.bytes.length) {
      best = { label: `${version}/${name.replace(/-hex\.js$/, '')}`, bytes };
    }
  }
}
console.error(`events_fixture: largest blob ${best.label} (${best.bytes.length} bytes)`);

const registry = new TypeRegistry();
const metadata = new Metadata(registry, best.bytes);
registry.setMetadata(metadata);
const latest = metadata.asLatest;

// ------------------------------------------------------- types by name

function pallet (name) {
  const p = latest.pallets.find((x) => x.name.toString() === name);
  if (!p) throw new Error(`${best.label} has no pallet ${name}`);
  return p;
}

function variantOf (typeId, name) {
  const v = registry.lookup.getSiType(typeId).def.asVariant.variants
    .find((x) => x.name.toString() === name);
  if (!v) throw new Error(`type ${typeId} has no variant ${name}`);
  return v;
}

const eventsEntry = pallet('System').storage.unwrap().items
  .find((x) => x.name.toString() === 'Events');
if (!eventsEntry || !eventsEntry.type.isPlain) throw new Error('no plain System.Events entry');
const eventsType = eventsEntry.type.asPlain.toNumber();
const eventsTypeName = registry.createLookupType(eventsType);
const recordTypeId = registry.lookup.getSiType(eventsType).def.asSequence.type.toNumber();
const recordFields = registry.lookup.getSiType(recordTypeId).def.asComposite.fields;
const fieldType = (name) =>
  registry.createLookupType(recordFields.find((f) => f.name.toString() === name).type);
const phaseType = fieldType('phase');
const topicsType = fieldType('topics');

// An event as its wire bytes: pallet index, variant index, fields in order.
function eventMaker (palletName, eventName) {
  const p = pallet(palletName);
  const v = variantOf(p.events.unwrap().type, eventName);
  const fields = v.fields.map((f) => ({
    name: f.name.unwrap().toString(),
    type: registry.createLookupType(f.type)
  }));
  return (values) => u8aConcat(
    new Uint8Array([p.index.toNumber(), v.index.toNumber()]),
    ...fields.map((f) => {
      if (!(f.name in values)) throw new Error(`${palletName}.${eventName}: no ${f.name}`);
      return registry.createType(f.type, values[f.name]).toU8a();
    })
  );
}

const extrinsicSuccess = eventMaker('System', 'ExtrinsicSuccess');
const extrinsicFailed = eventMaker('System', 'ExtrinsicFailed');
const transfer = eventMaker('Balances', 'Transfer');
const withdraw = eventMaker('Balances', 'Withdraw');
const deposit = eventMaker('Balances', 'Deposit');
const feePaid = eventMaker('TransactionPayment', 'TransactionFeePaid');
const balances = pallet('Balances');
const insufficient = variantOf(balances.errors.unwrap().type, 'InsufficientBalance').index.toNumber();

// ------------------------------------------------------------- records

// Deterministic pseudo-random numbers (xorshift32), so every run builds the
// same file.
let seed = 0x12345678;
function rand () {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
}
function randBytes (n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rand() & 0xff;
  return out;
}
const accounts = Array.from({ length: 200 }, () => randBytes(32));
const author = accounts[0];
const account = () => accounts[1 + (rand() % (accounts.length - 1))];
// Balances of a chain with 12 decimals: fees around 0.01, transfers from
// 0.001 to ~4,000 units (some past 2^53, most JSON decoders' integer limit).
const fee = () => BigInt(rand() % 100000000) + 10000000000n;
const amount = () => BigInt(rand()) * BigInt(rand() % 1000000) + 1000000000n;
const dispatchInfo = () => ({
  weight: { refTime: 150000000 + (rand() % 100000000), proofSize: 3593 + (rand() % 10000) },
  class: 'Normal',
  paysFee: 'Yes'
});

const records = []; // { phase, event (bytes), topics }
const expected = []; // [pallet index, event index] per record, to check the decode
function push (phase, eventBytes, topics = []) {
  records.push(u8aConcat(
    registry.createType(phaseType, phase).toU8a(),
    eventBytes,
    registry.createType(topicsType, topics).toU8a()
  ));
  expected.push([eventBytes[0], eventBytes[1]]);
}

let extrinsic = 0;
while (records.length < count) {
  const phase = { ApplyExtrinsic: extrinsic };
  const who = account();
  const paid = fee();
  const failed = rand() % 8 === 0;
  const topics = rand() % 16 === 0 ? Array.from({ length: 1 + (rand() % 2) }, () => randBytes(32)) : [];
  push(phase, withdraw({ who, amount: paid }));
  if (!failed) push(phase, transfer({ from: who, to: account(), amount: amount() }), topics);
  push(phase, deposit({ who: author, amount: paid }));
  push(phase, feePaid({ who, actual_fee: paid, tip: rand() % 4 === 0 ? fee() : 0 }));
  if (failed) {
    push(phase, extrinsicFailed({
      dispatch_error: { Module: { index: balances.index.toNumber(), error: [insufficient, 0, 0, 0] } },
      dispatch_info: dispatchInfo()
    }), topics);
  } else {
    push(phase, extrinsicSuccess({ dispatch_info: dispatchInfo() }));
  }
  // Now and then a block boundary: the author's reward at Finalization.
  if (extrinsic % 100 === 99) push('Finalization', deposit({ who: author, amount: amount() }));
  extrinsic++;
}
records.length = count;
expected.length = count;
const eventsBytes = u8aConcat(compactToU8a(count), ...records);

// ----------------------------------------------------- check and write

const decoded = registry.createType(eventsTypeName, eventsBytes);
if (decoded.length !== count || decoded.encodedLength !== eventsBytes.length) {
  throw new Error(`polkadot-js decodes ${decoded.length} records of ${decoded.encodedLength} bytes`);
}
decoded.forEach((r, i) => {
  const [p, e] = r.event.index;
  if (p !== expected[i][0] || e !== expected[i][1]) throw new Error(`record ${i} decodes differently`);
});
const kinds = {};
decoded.forEach((r) => {
  const k = `${r.event.section}.${r.event.method}`;
  kinds[k] = (kinds[k] ?? 0) + 1;
});

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'metadata.scale'), best.bytes);
fs.writeFileSync(path.join(outDir, 'events.scale'), eventsBytes);
const info = {
  blob: best.label,
  metadata_version: metadata.version,
  metadata_bytes: best.bytes.length,
  events: count,
  events_bytes: eventsBytes.length,
  events_type: eventsType,
  events_type_name: registry.lookup.getTypeDef(eventsType).type,
  extrinsics: extrinsic,
  kinds
};
fs.writeFileSync(path.join(outDir, 'fixture.json'), `${JSON.stringify(info)}\n`);
console.log(JSON.stringify(info));

#!/usr/bin/env node
// A fake Substrate node for covenant's end-to-end chain tests (chain_cli.py).
//
// A JSON-RPC 2.0 server over HTTP on 127.0.0.1 whose every byte comes from
// @polkadot/types and the substrate runtime metadata that
// @polkadot/types-support ships: storage keys by polkadot-js's decorated
// storage functions, storage values and System.Events by createType on the
// storage entry's own value type, runtime-API results by the API's output
// type, blocks' inherents by polkadot-js's extrinsic builder. Nothing is
// encoded by hand, so covenant decoding what this node serves is checked
// against an implementation nobody on the project wrote.
//
//   node fake_node.mjs [--metadata 15|14] [--port N] [--verbose]
//
// Prints the port it listens on as the first line of stdout, then serves
// until stdin closes (or a signal). --metadata 15 (the default) serves the
// V15 blob through state_call Metadata_metadata_at_version, with runtime
// APIs, and refuses state_getMetadata; --metadata 14 serves the V14 blob
// through state_getMetadata and answers Metadata_metadata_at_version with
// the error an old runtime gives, so a client must fall back.
//
// The chain: a genesis block and blocks 1..10 (best 10, finalized 8), each
// with a Timestamp.set inherent; block 7 also holds a transfer //Eve (ed25519)
// -> //Bob that polkadot-js signed. State: System.Account of //Alice, //Bob
// (sr25519), //Eve (ed25519, a balance over 2^64) and 520 filler accounts
// (more than one state_getKeysPaged page of 512), System.Number,
// System.Events, Timestamp.Now, and Assets.Account entries (a double map).
//
// author_submitExtrinsic decodes the extrinsic with polkadot-js, rebuilds
// its signing payload from the chain (spec and transaction version,
// genesis, the era's birth block) and verifies the signature; a bad one,
// a wrong nonce or an unpayable fee is refused with Substrate's 1010 error.
// Accepted ones go to a pool, and the next poll for the chain's head
// (chain_getBlockHash/getHeader/getBlock without a block, or
// chain_getFinalizedHead) produces a block with them, applying transfers
// (Balances.Withdraw, Transfer, TransactionPayment.TransactionFeePaid,
// System.ExtrinsicSuccess) or failing them with DispatchError::Module
// {Balances, InsufficientBalance} when the sender cannot pay. Finality
// follows one head poll behind: each chain_getFinalizedHead finalizes the
// best block the previous one saw.
//
// Methods named fake_* are for the test, not for covenant: fake_info,
// fake_accounts, fake_accounts_at, fake_account, fake_assets, fake_block,
// fake_decode, fake_resign, fake_constant, fake_default, fake_address,
// fake_stats (calls per method; state_call per runtime API as
// state_call:<name>), and fake_busy, which turns on a chain that moves
// under its client: each storage read naming no block first makes a new
// block in which one account is gone and another has appeared.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

import { Keyring } from '@polkadot/keyring';
import { TypeRegistry } from '@polkadot/types';
import { Metadata } from '@polkadot/types/metadata';
import { expandMetadata } from '@polkadot/types/metadata/decorate';
import { compactStripLength, hexToU8a, stringCamelCase, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import {
  blake2AsU8a,
  cryptoWaitReady,
  decodeAddress,
  ed25519Verify,
  encodeAddress,
  secp256k1Verify,
  sr25519Verify,
} from '@polkadot/util-crypto';

// ------------------------------------------------------------- arguments

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : dflt;
};
const METADATA_VERSION = Number(opt('--metadata', '15'));
const PORT = Number(opt('--port', '0'));
const VERBOSE = argv.includes('--verbose');
if (METADATA_VERSION !== 14 && METADATA_VERSION !== 15) {
  console.error('usage: node fake_node.mjs [--metadata 15|14] [--port N] [--verbose]');
  process.exit(2);
}

const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const SS58 = 42;
const FILLER_ACCOUNTS = 520;
const INITIAL_BEST = 10;
const INITIAL_FINALIZED = 8;
const GENESIS_TIME = 1700000000000; // ms
const BLOCK_TIME = 12000;

// ------------------------------------------------------------- metadata

const require = createRequire(import.meta.url);
const supportDir = path.join(
  path.dirname(require.resolve('@polkadot/types-support/package.json')),
  'metadata', `v${METADATA_VERSION}`);

function readHexModule (file) {
  const m = fs.readFileSync(file, 'utf8').match(/'(0x[0-9a-fA-F]*)'/);
  if (!m) throw new Error(`no hex string in ${file}`);
  return m[1];
}

// V15 blobs are what Metadata_metadata_at_version returns (Option of the
// opaque, length-prefixed bytes); V14 ones are state_getMetadata's bytes.
const blobHex = readHexModule(path.join(supportDir, 'substrate-hex.js'));
const registry = new TypeRegistry();
const blob = hexToU8a(blobHex);
const metaBytes = METADATA_VERSION === 15
  ? registry.createType('Option<Bytes>', blob).unwrap().toU8a(true)
  : blob;
const metadata = new Metadata(registry, metaBytes);
registry.setMetadata(metadata);
const decorated = expandMetadata(registry, metadata);
const verModule = await import(pathToFileURL(path.join(supportDir, 'substrate-ver.js')).href);
const runtimeVersion = verModule.default?.default ?? verModule.default;
const meta = metadata[`asV${metadata.version}`];

const balancesPallet = meta.pallets.find((p) => p.name.eq('Balances'));
const insufficient = decorated.errors.balances.InsufficientBalance.meta;

// ------------------------------------------------------------- keys

await cryptoWaitReady();
const pairOf = (suri, type) => new Keyring({ type, ss58Format: SS58 }).addFromUri(`${DEV_PHRASE}${suri}`);
const alice = pairOf('//Alice', 'sr25519');
const bob = pairOf('//Bob', 'sr25519');
const eve = pairOf('//Eve', 'ed25519');

// ------------------------------------------------------------- codec helpers

const hex = (u8) => u8aToHex(u8);
const ss58 = (id) => encodeAddress(id, SS58);

// The storage key of a decorated entry, without the length prefix the
// decorated function adds.
const storageKey = (fn, ...args) => hex(compactStripLength(fn(...args))[1]);

function valueType (fn) {
  const t = fn.meta.type;
  return registry.createLookupType(t.isPlain ? t.asPlain : t.asMap.value);
}

// SCALE bytes as hex. Not codec.toHex(): for integers that is the number
// in big-endian hex, not the little-endian SCALE encoding.
const scale = (codec) => u8aToHex(codec.toU8a());

const encodeValue = (fn, value) => scale(registry.createTypeUnsafe(valueType(fn), [value]));
const decodeValue = (fn, hexValue) => registry.createTypeUnsafe(valueType(fn), [hexToU8a(hexValue)]);

const q = decorated.query;

// ------------------------------------------------------------- chain state

// account model: ss58 -> {id, nonce, consumers, providers, sufficients, free, reserved, frozen, flags}
function account (id, nonce, free, reserved = 0n, frozen = 0n, flags = 0n) {
  return { id, nonce, consumers: 0, providers: 1, sufficients: 0, free, reserved, frozen, flags };
}

const accounts = new Map();
const devAccounts = { alice: ss58(alice.publicKey), bob: ss58(bob.publicKey), eve: ss58(eve.publicKey) };
const addAccount = (a) => accounts.set(ss58(a.id), a);
addAccount(account(alice.publicKey, 7, 123456789000000n, 250000000n, 1000000000n, 1n << 127n));
addAccount(account(bob.publicKey, 0, 5000000000n));
addAccount(account(eve.publicKey, 3, (1n << 64n) + 5000000000000n));
for (let i = 0; i < FILLER_ACCOUNTS; i++) {
  const id = blake2AsU8a(stringToU8a(`covenant fake node filler account ${i}`), 256);
  addAccount(account(id, i % 5, BigInt(i) * 1000n + 1n));
}

// Assets.Account (asset id, account) -> AssetAccount
const assetAccounts = [
  [7, alice.publicKey, { balance: 1000n, status: 'Liquid', reason: 'Sufficient', extra: null }],
  [7, bob.publicKey, { balance: 42n, status: 'Frozen', reason: { DepositHeld: 5n }, extra: null }],
  [8, alice.publicKey, { balance: 1n, status: 'Blocked', reason: 'Consumer', extra: null }],
];

const accountValue = (a) => ({
  nonce: a.nonce,
  consumers: a.consumers,
  providers: a.providers,
  sufficients: a.sufficients,
  data: { free: a.free, reserved: a.reserved, frozen: a.frozen, flags: a.flags },
});

function snapshotState (number, events, now) {
  const s = new Map();
  for (const a of accounts.values()) {
    // Keys and values are cached on the account; applyExtrinsic drops the
    // value of each account it changes.
    a.key ??= storageKey(q.system.account, a.id);
    a.encoded ??= encodeValue(q.system.account, accountValue(a));
    s.set(a.key, a.encoded);
  }
  for (const [asset, who, v] of assetAccounts) {
    s.set(storageKey(q.assets.account, asset, who), encodeValue(q.assets.account, v));
  }
  s.set(storageKey(q.system.number), encodeValue(q.system.number, number));
  s.set(storageKey(q.system.events), encodeValue(q.system.events, events));
  s.set(storageKey(q.timestamp.now), encodeValue(q.timestamp.now, now));
  // ':code' (the runtime's well-known key) holds a marker instead of wasm;
  // it differs between the V14 and V15 fakes, so their genesis hashes (and
  // covenant's metadata cache files, named by genesis and spec) do too.
  s.set(hex(stringToU8a(':code')), hex(stringToU8a(`covenant fake runtime, metadata V${METADATA_VERSION}`)));
  return s;
}

// blocks[n] = {number, hash, header (RPC JSON), extrinsics: [hex], state: Map}
const blocks = [];
const byHash = new Map();
let finalized = INITIAL_FINALIZED;
let finalTarget = INITIAL_FINALIZED;
const pool = []; // decoded extrinsics waiting for a block
const stats = {};

const best = () => blocks[blocks.length - 1];

function rootOf (parts) {
  return hex(blake2AsU8a(u8aConcat(...parts.map((p) => hexToU8a(p))), 256));
}

function pushBlock (extrinsics, events) {
  const number = blocks.length;
  const parentHash = number ? blocks[number - 1].hash : hex(new Uint8Array(32));
  const now = GENESIS_TIME + number * BLOCK_TIME;
  const state = snapshotState(number, events, now);
  const sorted = [...state.keys()].sort();
  const stateRoot = rootOf(sorted.flatMap((k) => [k, state.get(k)]));
  const extrinsicsRoot = rootOf(extrinsics.length ? extrinsics : ['0x']);
  const header = registry.createType('Header', {
    parentHash, number, stateRoot, extrinsicsRoot, digest: { logs: [] },
  });
  const block = {
    number,
    hash: header.hash.toHex(),
    extrinsics,
    state,
    keys: sorted,
    header: {
      parentHash,
      number: `0x${number.toString(16)}`,
      stateRoot,
      extrinsicsRoot,
      digest: { logs: [] },
    },
  };
  blocks.push(block);
  byHash.set(block.hash, block);
  return block;
}

const dispatchInfo = (refTime) => ({ weight: { refTime, proofSize: 0 }, class: 'Normal', paysFee: 'Yes' });

// A RuntimeEvent: polkadot-js reads the outer enum as its GenericEvent
// (pallet index, event index, data) and builds it only from bytes, so the
// pallet's own event enum is encoded by createType and GenericEvent is made
// from the pallet index before it. Field names must be the variant's own:
// polkadot-js would quietly default a misspelt one.
function makeEvent (palletName, variant, fields) {
  const pallet = meta.pallets.find((p) => p.name.eq(palletName));
  const typeId = pallet.events.unwrap().type;
  const v = registry.lookup.getSiType(typeId).def.asVariant.variants.find((x) => x.name.eq(variant));
  const want = v.fields.map((f) => stringCamelCase(f.name.toString())).sort().join(',');
  const got = Object.keys(fields).sort().join(',');
  if (want !== got) throw new Error(`${palletName}.${variant} has fields ${want}, not ${got}`);
  const inner = registry.createTypeUnsafe(registry.createLookupType(typeId), [{ [variant]: fields }]);
  const event = registry.createType('Event', u8aConcat(new Uint8Array([pallet.index.toNumber()]), inner.toU8a()));
  if (event.method !== variant) throw new Error(`${palletName}.${variant} came back as ${event.method}`);
  return event;
}

const record = (phase, pallet, variant, fields) => ({ phase, event: makeEvent(pallet, variant, fields), topics: [] });

// The fee the fake charges: deterministic in the extrinsic's length.
const feeOf = (xt) => 1000000n + BigInt(xt.encodedLength) * 1000n;

// Applies one signed extrinsic to `accounts`; returns its event records.
function applyExtrinsic (xt, index) {
  const phase = { ApplyExtrinsic: index };
  const who = accounts.get(xt.signer.toString());
  const fee = feeOf(xt);
  const tip = xt.tip.toBigInt();
  who.nonce += 1;
  who.free -= fee + tip;
  who.encoded = null;
  const events = [record(phase, 'Balances', 'Withdraw', { who: who.id, amount: fee + tip })];
  let error = null;
  const { section, method } = xt.method;
  if (section === 'balances' && (method === 'transferKeepAlive' || method === 'transferAllowDeath')) {
    const dest = xt.method.args[0];
    const to = dest.type === 'Id' ? encodeAddress(dest.value.toU8a(), SS58) : null;
    const amount = xt.method.args[1].toBigInt();
    if (!to) {
      error = 'CannotLookup';
    } else if (amount > who.free) {
      error = { Module: { index: balancesPallet.index.toNumber(), error: hex(new Uint8Array([insufficient.index.toNumber(), 0, 0, 0])) } };
    } else {
      if (!accounts.has(to)) addAccount(account(decodeAddress(to), 0, 0n));
      who.free -= amount;
      accounts.get(to).free += amount;
      accounts.get(to).encoded = null;
      events.push(record(phase, 'Balances', 'Transfer', { from: who.id, to: decodeAddress(to), amount }));
    }
  } else if (section === 'system' && method === 'remarkWithEvent') {
    events.push(record(phase, 'System', 'Remarked', { sender: who.id, hash: blake2AsU8a(xt.method.args[0].toU8a(true), 256) }));
  } else if (!(section === 'system' && method === 'remark')) {
    error = 'BadOrigin';
  }
  events.push(record(phase, 'TransactionPayment', 'TransactionFeePaid', { who: who.id, actualFee: fee, tip }));
  events.push(error
    ? record(phase, 'System', 'ExtrinsicFailed', { dispatchError: error, dispatchInfo: dispatchInfo(200000000) })
    : record(phase, 'System', 'ExtrinsicSuccess', { dispatchInfo: dispatchInfo(300000000) }));
  return events;
}

function produceBlock (signed) {
  const number = blocks.length;
  const inherent = registry.createType('Extrinsic', decorated.tx.timestamp.set(GENESIS_TIME + number * BLOCK_TIME));
  const events = [record({ ApplyExtrinsic: 0 }, 'System', 'ExtrinsicSuccess', { dispatchInfo: dispatchInfo(100000000) })];
  signed.forEach((xt, i) => events.push(...applyExtrinsic(xt, i + 1)));
  return pushBlock([inherent.toHex(), ...signed.map((xt) => xt.toHex())], events);
}

// fake_busy mode: a live chain under a client's feet. Every storage read
// that names no block first gets a new best block, in which one account
// is gone and another has appeared.
let busy = false;
let churned = 0;
function churnIfBusy (at) {
  if (!busy || (at !== undefined && at !== null)) return;
  const victim = [...accounts.keys()].find((k) => !Object.values(devAccounts).includes(k));
  accounts.delete(victim);
  addAccount(account(blake2AsU8a(stringToU8a(`covenant fake node churn ${churned++}`), 256), 0, 777n));
  produceBlock(pool.splice(0, pool.length));
}

// A new block for whatever is in the pool, when something asks for the head.
function maybeProduce () {
  if (pool.length === 0) return;
  produceBlock(pool.splice(0, pool.length));
}

// ------------------------------------------------------------- signatures

function eraBirthHash (era, current) {
  if (era.isImmortalEra) return blocks[0].hash;
  const m = era.asMortalEra;
  const period = m.period.toNumber();
  const phase = m.phase.toNumber();
  const birth = Math.floor((Math.max(current, phase) - phase) / period) * period + phase;
  return blocks[birth]?.hash ?? null;
}

// The signing payload of a decoded signed extrinsic, from the chain's
// values and the extrinsic's own extras.
function payloadOf (xt, current) {
  const blockHash = eraBirthHash(xt.era, current);
  if (!blockHash) return null;
  const sig = xt.inner.signature;
  const value = {
    method: xt.method.toHex(),
    era: xt.era,
    nonce: xt.nonce,
    tip: xt.tip,
    assetId: sig.assetId ?? null,
    mode: sig.mode ?? 0,
    metadataHash: null,
    specVersion: runtimeVersion.specVersion,
    transactionVersion: runtimeVersion.transactionVersion,
    genesisHash: blocks[0].hash,
    blockHash,
  };
  return { payload: registry.createType('ExtrinsicPayload', value, { version: 4 }), value };
}

function signingMessage (payload) {
  const u8a = payload.toU8a({ method: true });
  return u8a.length > 256 ? blake2AsU8a(u8a, 256) : u8a;
}

function verifySignature (xt, current) {
  const { payload } = payloadOf(xt, current) ?? {};
  if (!payload) return { valid: false, why: 'era birth block unknown' };
  const multi = xt.inner.signature.multiSignature;
  const crypto = multi.type.toLowerCase();
  const sig = multi.inner.toU8a();
  const msg = signingMessage(payload);
  const pub = xt.signer.toU8a().subarray(xt.signer.toU8a().length - 32);
  let valid = false;
  try {
    if (crypto === 'sr25519') valid = sr25519Verify(msg, sig, pub);
    else if (crypto === 'ed25519') valid = ed25519Verify(msg, sig, pub);
    else valid = secp256k1Verify(msg, sig, pub, 'blake2');
  } catch {
    valid = false;
  }
  return { valid, crypto, payload: hex(payload.toU8a({ method: true })) };
}

function decodeExtrinsic (xtHex) {
  return registry.createType('Extrinsic', hexToU8a(xtHex));
}

// ------------------------------------------------------------- the chain at start

pushBlock([], []);
for (let n = 1; n <= INITIAL_BEST; n++) {
  const signed = [];
  if (n === 7) {
    // A transfer //Eve -> //Bob signed by polkadot-js (ed25519: deterministic).
    const xt = registry.createType('Extrinsic', decorated.tx.balances.transferKeepAlive({ Id: bob.address }, 1000000000n));
    xt.sign(eve, {
      blockHash: blocks[0].hash,
      genesisHash: blocks[0].hash,
      era: registry.createType('ExtrinsicEra', new Uint8Array([0])),
      nonce: 3,
      tip: 0,
      mode: 0,
      runtimeVersion,
      signedExtensions: registry.signedExtensions,
    });
    signed.push(decodeExtrinsic(xt.toHex()));
  }
  produceBlock(signed);
}

// ------------------------------------------------------------- RPC

class RpcError extends Error {
  constructor (code, message, data) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

const invalidTx = (data) => new RpcError(1010, 'Invalid Transaction', data);

function blockAt (at) {
  if (at === undefined || at === null) return best();
  const b = byHash.get(String(at).toLowerCase());
  if (!b) throw new RpcError(4003, `Client error: UnknownBlock: State already discarded for ${at}`);
  return b;
}

function blockNumberParam (p) {
  if (typeof p === 'number') return p;
  if (typeof p === 'string') return p.startsWith('0x') ? parseInt(p, 16) : Number(p);
  throw new RpcError(-32602, 'Invalid params: block number must be a number or hex string');
}

const accountInfoJson = (a) => ({
  ss58: ss58(a.id),
  nonce: a.nonce,
  free: a.free.toString(),
  reserved: a.reserved.toString(),
  frozen: a.frozen.toString(),
  flags: a.flags.toString(),
});

// Each runtime API the fake runs: inputs decoded, result encoded by the
// metadata's types.
const RUNTIME_APIS = {
  Core_version: () => ({ ...runtimeVersion }),
  AccountNonceApi_account_nonce: (who) => accounts.get(who.toString())?.nonce ?? 0,
  Metadata_metadata_versions: () => [14, 15],
};

function runtimeApiMethod (name) {
  if (METADATA_VERSION !== 15) return null;
  for (const api of meta.apis) {
    for (const m of api.methods) {
      if (`${api.name}_${m.name}` === name) return m;
    }
  }
  return null;
}

function stateCall (name, dataHex) {
  const data = hexToU8a(dataHex);
  if (name === 'Metadata_metadata_at_version') {
    if (METADATA_VERSION !== 15) {
      throw new RpcError(-32000, 'Client error: Execution failed: Other: Exported method Metadata_metadata_at_version is not found');
    }
    const version = registry.createType('u32', data).toNumber();
    return version === 15 ? blobHex : '0x00';
  }
  const m = runtimeApiMethod(name);
  const fn = RUNTIME_APIS[name];
  if (!m || !fn) {
    throw new RpcError(-32000, `Client error: Execution failed: Other: Exported method ${name} is not found`);
  }
  let offset = 0;
  const args = m.inputs.map((input) => {
    const v = registry.createTypeUnsafe(registry.createLookupType(input.type), [data.subarray(offset)]);
    offset += v.encodedLength;
    return v;
  });
  if (offset !== data.length) throw new RpcError(-32000, `Client error: Execution failed: Bad input data provided to ${name}`);
  return scale(registry.createTypeUnsafe(registry.createLookupType(m.output), [fn(...args)]));
}

function submit (xtHex) {
  let xt;
  try {
    xt = decodeExtrinsic(xtHex);
  } catch (e) {
    throw new RpcError(1002, 'Verification Error: Runtime error: Execution failed: Codec error', e.message);
  }
  if (hex(xt.toU8a()) !== String(xtHex).toLowerCase()) {
    throw new RpcError(1002, 'Verification Error: Runtime error: Codec error', 'trailing or non-canonical bytes');
  }
  if (!xt.isSigned) throw invalidTx('Transaction is not signed');
  const hash = xt.hash.toHex();
  if (pool.some((p) => p.hash.toHex() === hash)) throw new RpcError(1013, 'Transaction Already Imported');
  const { valid } = verifySignature(xt, best().number);
  if (!valid) throw invalidTx('Transaction has a bad signature');
  const who = accounts.get(xt.signer.toString());
  const expected = (who?.nonce ?? 0) + pool.filter((p) => p.signer.eq(xt.signer)).length;
  const nonce = xt.nonce.toNumber();
  if (nonce < expected) throw invalidTx('Transaction is outdated');
  if (nonce > expected) throw invalidTx('Transaction will be valid in the future');
  if (!who || who.free < feeOf(xt) + xt.tip.toBigInt()) {
    throw invalidTx('Inability to pay some fees (e.g. account balance too low)');
  }
  pool.push(xt);
  return hash;
}

function blockEvents (b) {
  const raw = b.state.get(storageKey(q.system.events));
  return decodeValue(q.system.events, raw).map((r) => ({
    phase: r.phase.isApplyExtrinsic ? `ApplyExtrinsic:${r.phase.asApplyExtrinsic.toNumber()}` : r.phase.type,
    pallet: meta.pallets.find((p) => p.index.eq(r.event.index[0])).name.toString(),
    variant: r.event.method,
    // Named by the metadata's fields (data.names leaves out names that
    // clash with codec members, such as "hash").
    fields: r.event.meta.fields.length && r.event.meta.fields.every((f) => f.name.isSome)
      ? Object.fromEntries(r.event.meta.fields.map((f, i) => [stringCamelCase(f.name.unwrap().toString()), r.event.data[i].toPrimitive()]))
      : r.event.data.toPrimitive(),
  }));
}

const METHODS = {
  system_chain: () => 'Covenant Fake Substrate',
  system_name: () => 'covenant-fake-node',
  system_version: () => '0.1.0-fake',
  system_health: () => ({ peers: 0, isSyncing: false, shouldHavePeers: false }),
  system_properties: () => ({ ss58Format: SS58, tokenDecimals: 9, tokenSymbol: 'TAO' }),
  system_accountNextIndex: (who) => {
    const a = accounts.get(encodeAddress(decodeAddress(who), SS58));
    return (a?.nonce ?? 0) + pool.filter((p) => p.signer.toString() === ss58(decodeAddress(who))).length;
  },
  chain_getBlockHash: (n) => {
    if (n === undefined || n === null) {
      maybeProduce();
      return best().hash;
    }
    return blocks[blockNumberParam(n)]?.hash ?? null;
  },
  chain_getFinalizedHead: () => {
    maybeProduce();
    finalized = Math.max(finalized, finalTarget);
    finalTarget = best().number;
    return blocks[finalized].hash;
  },
  chain_getHeader: (at) => {
    if (at === undefined || at === null) maybeProduce();
    return (at ? byHash.get(String(at).toLowerCase()) : best())?.header ?? null;
  },
  chain_getBlock: (at) => {
    if (at === undefined || at === null) maybeProduce();
    const b = at ? byHash.get(String(at).toLowerCase()) : best();
    return b ? { block: { header: b.header, extrinsics: b.extrinsics }, justifications: null } : null;
  },
  state_getRuntimeVersion: (at) => {
    blockAt(at);
    return { ...runtimeVersion };
  },
  state_getMetadata: (at) => {
    blockAt(at);
    if (METADATA_VERSION === 15) {
      // Not a real node's answer (it would serve V14): any use of it in this
      // mode means the client did not take the V15 path.
      throw new RpcError(-32000, 'fake node: in V15 mode metadata comes from Metadata_metadata_at_version only');
    }
    return blobHex;
  },
  state_getStorage: (key, at) => {
    churnIfBusy(at);
    return blockAt(at).state.get(String(key).toLowerCase()) ?? null;
  },
  state_getKeysPaged: (prefix, count, startKey, at) => {
    churnIfBusy(at);
    const b = blockAt(at);
    const p = String(prefix).toLowerCase();
    const start = startKey ? String(startKey).toLowerCase() : '';
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw new RpcError(-32602, 'Invalid params: count must be 1..1000');
    }
    return b.keys.filter((k) => k.startsWith(p) && k > start).slice(0, count);
  },
  state_queryStorageAt: (keys, at) => {
    churnIfBusy(at);
    const b = blockAt(at);
    if (!Array.isArray(keys)) throw new RpcError(-32602, 'Invalid params: keys must be an array');
    return [{ block: b.hash, changes: keys.map((k) => [k, b.state.get(String(k).toLowerCase()) ?? null]) }];
  },
  state_call: (name, data, at) => {
    blockAt(at);
    return stateCall(name, data);
  },
  author_submitExtrinsic: (xtHex) => submit(xtHex),
  payment_queryInfo: (xtHex, at) => {
    blockAt(at);
    const xt = decodeExtrinsic(xtHex);
    return { weight: { refTime: 300000000, proofSize: 0 }, class: 'normal', partialFee: feeOf(xt).toString() };
  },

  // ---- for the test
  fake_info: () => ({
    metadata_version: metadata.version,
    spec_name: runtimeVersion.specName,
    spec_version: runtimeVersion.specVersion,
    transaction_version: runtimeVersion.transactionVersion,
    genesis_hash: blocks[0].hash,
    best: { number: best().number, hash: best().hash },
    finalized: { number: finalized, hash: blocks[finalized].hash },
    pool: pool.length,
    keys: { alice: alice.address, bob: bob.address, eve: eve.address },
    filler_accounts: FILLER_ACCOUNTS,
    total_accounts: accounts.size,
    balances_index: balancesPallet.index.toNumber(),
    insufficient_balance: {
      index: insufficient.index.toNumber(),
      name: insufficient.name.toString(),
      doc: insufficient.docs.length ? insufficient.docs[0].toString().trim() : '',
    },
    existential_deposit: decorated.consts.balances.existentialDeposit.toString(),
    runtime_version: runtimeVersion,
    // What Core_version answers, as polkadot-js reads it back.
    core_version: METADATA_VERSION === 15
      ? registry.createTypeUnsafe(registry.createLookupType(runtimeApiMethod('Core_version').output),
        [hexToU8a(stateCall('Core_version', '0x'))]).toPrimitive()
      : null,
  }),
  fake_accounts: () => [...accounts.values()].map(accountInfoJson),
  // System.Account as block n holds it, read back by polkadot-js.
  fake_accounts_at: (n) => {
    const b = blocks[blockNumberParam(n)];
    const prefix = hex(q.system.account.keyPrefix());
    return b.keys.filter((k) => k.startsWith(prefix)).map((k) => {
      const v = decodeValue(q.system.account, b.state.get(k));
      return {
        ss58: ss58(hexToU8a(k).subarray(-32)),
        nonce: v.nonce.toNumber(),
        free: v.data.free.toString(),
        reserved: v.data.reserved.toString(),
        frozen: v.data.frozen.toString(),
        flags: v.data.flags.toString(),
      };
    });
  },
  fake_busy: (on) => {
    busy = Boolean(on);
    return busy;
  },
  fake_account: (who) => {
    const a = accounts.get(encodeAddress(decodeAddress(who), SS58));
    return a ? accountInfoJson(a) : null;
  },
  fake_assets: () => assetAccounts.map(([asset, who, v]) => ({
    asset, who: ss58(who), value: registry.createTypeUnsafe(valueType(q.assets.account), [v]).toPrimitive(),
  })),
  fake_block: (n) => {
    const b = blocks[blockNumberParam(n)];
    if (!b) return null;
    return { number: b.number, hash: b.hash, parent_hash: b.header.parentHash, extrinsics: b.extrinsics, events: blockEvents(b) };
  },
  // A covenant extrinsic as polkadot-js reads it, and whether its signature
  // verifies against the chain's values at the best block.
  fake_decode: (xtHex) => {
    const xt = decodeExtrinsic(xtHex);
    const out = {
      canonical: hex(xt.toU8a()) === String(xtHex).toLowerCase(),
      hash: xt.hash.toHex(),
      signed: xt.isSigned,
      version: xt.version,
      section: xt.method.section,
      method: xt.method.method,
      call: xt.method.toHex(),
      args: Object.fromEntries(xt.method.meta.args.map((a, i) => [a.name.toString(), xt.method.args[i].toPrimitive()])),
    };
    if (xt.isSigned) {
      const v = verifySignature(xt, best().number);
      Object.assign(out, {
        signer: xt.signer.toString(),
        crypto: v.crypto,
        signature_valid: v.valid,
        payload: v.payload,
        nonce: xt.nonce.toNumber(),
        tip: xt.tip.toString(),
        era: xt.era.isImmortalEra ? null : { period: xt.era.asMortalEra.period.toNumber(), phase: xt.era.asMortalEra.phase.toNumber() },
        mode: xt.inner.signature.mode?.toNumber() ?? null,
      });
    }
    return out;
  },
  // polkadot-js signing the same payload as a covenant extrinsic with the
  // key of suri; ed25519 and ecdsa give the same bytes when both agree.
  fake_resign: (xtHex, suri, crypto) => {
    const xt = decodeExtrinsic(xtHex);
    const { payload, value } = payloadOf(xt, best().number);
    const pair = pairOf(suri, crypto);
    const { signature } = payload.sign(pair);
    const again = registry.createType('Extrinsic', xt.method);
    again.addSignature(pair.address, signature, value);
    return { extrinsic: again.toHex(), signature };
  },
  fake_stats: () => stats,
  // A constant as polkadot-js decodes it (toPrimitive: camelCase fields).
  fake_constant: (pallet, name) => {
    const c = decorated.consts[stringCamelCase(pallet)]?.[stringCamelCase(name)];
    return c ? c.toPrimitive() : null;
  },
  fake_address: (suri, crypto) => pairOf(suri, crypto).address,
  // A storage item's default (the metadata's fallback bytes), decoded.
  fake_default: (pallet, item) => {
    const fn = q[stringCamelCase(pallet)]?.[stringCamelCase(item)];
    return fn ? registry.createTypeUnsafe(valueType(fn), [fn.meta.fallback.toU8a(true)]).toPrimitive() : null;
  },
};

async function handleOne (req) {
  const id = req && typeof req === 'object' ? req.id ?? null : null;
  if (!req || req.jsonrpc !== '2.0' || typeof req.method !== 'string') {
    return { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid Request' } };
  }
  const counted = req.method === 'state_call' && Array.isArray(req.params) ? `state_call:${req.params[0]}` : req.method;
  stats[counted] = (stats[counted] ?? 0) + 1;
  const fn = METHODS[req.method];
  if (!fn) return { jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${req.method}` } };
  const params = req.params === undefined ? [] : req.params;
  if (!Array.isArray(params)) {
    return { jsonrpc: '2.0', id, error: { code: -32602, message: 'Invalid params: this fake takes positional params' } };
  }
  try {
    const result = await fn(...params);
    return { jsonrpc: '2.0', id, result: result === undefined ? null : result };
  } catch (e) {
    if (e instanceof RpcError) {
      const error = { code: e.code, message: e.message };
      if (e.data !== undefined) error.data = e.data;
      return { jsonrpc: '2.0', id, error };
    }
    if (VERBOSE) console.error(e);
    return { jsonrpc: '2.0', id, error: { code: -32603, message: `Internal error: ${e.message}` } };
  }
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { 'content-type': 'text/plain' });
    res.end('POST JSON-RPC here\n');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    let answer;
    if (body === undefined) {
      answer = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } };
    } else if (Array.isArray(body)) {
      answer = [];
      for (const r of body) answer.push(await handleOne(r));
    } else {
      answer = await handleOne(body);
    }
    const text = JSON.stringify(answer, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    if (VERBOSE) console.error(`${Buffer.concat(chunks).toString('utf8').slice(0, 300)} -> ${text.slice(0, 300)}`);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(text);
  });
});

server.listen(PORT, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});

// The test holds stdin open; when it goes (the test ended or died), so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

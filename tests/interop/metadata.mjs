// covenant's metadata decoder (tests/tools/metadata_dump) against
// polkadot-js (@polkadot/types) on the real runtime metadata that
// @polkadot/types-support ships: substrate, polkadot, kusama, asset hubs,
// contracts node; V14 (state_getMetadata bytes) and V15 (the
// Option<OpaqueMetadata> that Metadata_metadata_at_version returns).
//
//   node tests/interop/metadata.mjs path/to/metadata_dump
//
// For each blob both sides must agree on: the number of types and every
// type (id, path, params, docs, kind and definition: fields with names,
// type ids and type names, variants with indices and docs, lengths,
// primitives); every pallet (name, index, docs, storage prefix and entries
// with modifier, hashers, key/value types and default bytes, calls/events/
// errors types and their variants with argument names and types, constants
// with value bytes); the extrinsic (version, types, signed extensions);
// the runtime type; for V15 the runtime APIs and outer enums. V14's
// address/call/signature/extra types, which covenant derives from the
// UncheckedExtrinsic's parameter names, are checked against polkadot-js's
// own V14->V15 conversion (which takes them by position). Metadata
// covenant does not read (V13, V16) must be refused as unsupported.
// Prints "N passed, N failed" last; exits 1 on any failure.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

import { TypeRegistry } from '@polkadot/types';
import { Metadata } from '@polkadot/types/metadata';
import { compactFromU8a, hexToU8a } from '@polkadot/util';

const dumpTool = process.argv[2];
if (!dumpTool) {
  console.error('usage: node metadata.mjs METADATA_DUMP');
  process.exit(2);
}

const require = createRequire(import.meta.url);
const supportDir = path.join(
  path.dirname(require.resolve('@polkadot/types-support/package.json')), 'metadata');

let passed = 0;
let failed = 0;
const MAX_REPORTS = 20;

function check (ok, what, covValue, pjsValue) {
  if (ok) {
    passed++;
    return true;
  }
  failed++;
  if (failed <= MAX_REPORTS) {
    console.log(`FAIL ${what}`);
    if (covValue !== undefined) {
      console.log(`  covenant:    ${JSON.stringify(covValue)?.slice(0, 600)}`);
      console.log(`  polkadot-js: ${JSON.stringify(pjsValue)?.slice(0, 600)}`);
    }
  }
  return false;
}

// JSON with sorted keys, so equal values compare equal as strings.
function canon (v) {
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v === undefined ? null : v);
}

function same (what, covValue, pjsValue) {
  return check(canon(covValue) === canon(pjsValue), what, covValue, pjsValue);
}

function readHexModule (file) {
  const text = fs.readFileSync(file, 'utf8');
  const m = text.match(/'(0x[0-9a-fA-F]*)'/);
  if (!m) throw new Error(`no hex string in ${file}`);
  return m[1];
}

// Option<OpaqueMetadata> -> the prefixed bytes inside, done here without
// covenant so the two decoders share nothing.
function unwrapOpaque (u8a) {
  if (u8a[0] === 0x6d) return u8a; // already "meta..."
  if (u8a[0] !== 1) throw new Error('not Some(...)');
  const [offset, length] = compactFromU8a(u8a.subarray(1));
  const start = 1 + offset;
  if (start + length.toNumber() !== u8a.length) throw new Error('length mismatch');
  return u8a.subarray(start);
}

function runDump (file) {
  try {
    const out = execFileSync(dumpTool, [file], { maxBuffer: 1 << 30, encoding: 'utf8' });
    return JSON.parse(out);
  } catch (e) {
    if (e.stdout) {
      try {
        return JSON.parse(e.stdout);
      } catch {
        // fall through
      }
    }
    throw e;
  }
}

// ---------------------------------------------------------------- normal forms

const field = (f) => ({ docs: f.docs, name: f.name, type: f.type, typeName: f.typeName });
const variant = (v) => ({ docs: v.docs, fields: v.fields.map(field), index: v.index, name: v.name });

function pjsType (pt) {
  const j = pt.toJSON();
  const t = j.type;
  const [key, d] = Object.entries(t.def)[0];
  const out = {
    docs: t.docs,
    id: j.id,
    kind: key.toLowerCase(),
    params: t.params.map((p) => ({ name: p.name, type: p.type })),
    path: t.path
  };
  switch (key) {
    case 'composite': out.fields = d.fields.map(field); break;
    case 'variant': out.variants = d.variants.map(variant); break;
    case 'sequence': out.type = d.type; break;
    case 'array': out.len = d.len; out.type = d.type; break;
    case 'tuple': out.types = d; break;
    case 'primitive': out.primitive = d.toLowerCase(); break;
    case 'compact': out.type = d.type; break;
    case 'bitSequence': out.kind = 'bitsequence'; out.store = d.bitStoreType; out.order = d.bitOrderType; break;
    default: throw new Error(`unknown def ${key}`);
  }
  return out;
}

function covType (t) {
  const out = { docs: t.docs, id: t.id, kind: t.kind, params: t.params, path: t.path };
  switch (t.kind) {
    case 'composite': out.fields = t.fields.map(field); break;
    case 'variant': out.variants = t.variants.map(variant); break;
    case 'sequence': case 'compact': out.type = t.type; break;
    case 'array': out.len = t.len; out.type = t.type; break;
    case 'tuple': out.types = t.types; break;
    case 'primitive': out.primitive = t.primitive; break;
    case 'bitsequence': out.store = t.store; out.order = t.order; break;
    default: throw new Error(`unknown kind ${t.kind}`);
  }
  return out;
}

function pjsStorage (s) {
  if (!s) return null;
  return {
    entries: s.items.map((e) => {
      const plain = e.type.plain !== undefined;
      return {
        default: e.fallback,
        docs: e.docs,
        hashers: plain ? [] : e.type.map.hashers,
        key: plain ? null : e.type.map.key,
        map: !plain,
        modifier: e.modifier,
        name: e.name,
        value: plain ? e.type.plain : e.type.map.value
      };
    }),
    prefix: s.prefix
  };
}

function pjsVariants (lookup, opt) {
  if (opt.isNone) return null;
  const t = lookup.getSiType(opt.unwrap().type);
  return t.def.asVariant.variants.map((v) => variant(v.toJSON()));
}

// ---------------------------------------------------------------- one blob

function compareBlob (label, file) {
  const registry = new TypeRegistry();
  const md = new Metadata(registry, unwrapOpaque(hexToU8a(readHexModule(file))));
  registry.setMetadata(md);
  const version = md.version;
  const v = md[`asV${version}`];
  const cov = runDump(file);
  if (!check(cov.error === undefined, `${label}: covenant decodes it`, cov.error, 'decodes')) return;
  const before = failed;

  same(`${label}: version`, cov.version, version);
  same(`${label}: number of types`, cov.n_types, v.lookup.types.length);
  same(`${label}: runtime type`, cov.runtime_type, v.type.toNumber());

  v.lookup.types.forEach((pt, i) => {
    same(`${label}: type ${i}`, covType(cov.types[i] ?? {}), pjsType(pt));
  });

  same(`${label}: pallet names and indices`,
    cov.pallets.map((p) => [p.name, p.index]),
    v.pallets.map((p) => [p.name.toString(), p.index.toNumber()]));
  v.pallets.forEach((p, i) => {
    const c = cov.pallets[i] ?? {};
    const j = p.toJSON();
    const name = `${label}: pallet ${j.name}`;
    same(`${name} storage`, c.storage, pjsStorage(j.storage));
    same(`${name} calls type`, c.calls, j.calls?.type ?? null);
    same(`${name} events type`, c.events, j.events?.type ?? null);
    same(`${name} errors type`, c.errors, j.errors?.type ?? null);
    same(`${name} calls`, c.call_list, pjsVariants(v.lookup, p.calls));
    same(`${name} events`, c.event_list, pjsVariants(v.lookup, p.events));
    same(`${name} errors`, c.error_list, pjsVariants(v.lookup, p.errors));
    same(`${name} constants`, c.constants,
      j.constants.map((k) => ({ docs: k.docs, name: k.name, type: k.type, value: k.value })));
    same(`${name} docs`, c.docs, j.docs ?? []);
  });

  const x = v.extrinsic.toJSON();
  same(`${label}: extrinsic version`, cov.extrinsic.version, x.version);
  same(`${label}: signed extensions`, cov.extrinsic.signed_extensions,
    x.signedExtensions.map((e) => ({ additional_signed: e.additionalSigned, identifier: e.identifier, type: e.type })));
  // V15 carries these; for V14 polkadot-js's conversion derives them.
  const x15 = version === 14 ? md.asV15.extrinsic.toJSON() : x;
  same(`${label}: extrinsic address/call/signature/extra types`,
    [cov.extrinsic.address, cov.extrinsic.call, cov.extrinsic.signature, cov.extrinsic.extra],
    [x15.addressType, x15.callType, x15.signatureType, x15.extraType]);
  if (version === 14) {
    same(`${label}: extrinsic type`, cov.extrinsic.type, x.type);
  } else {
    same(`${label}: runtime APIs`, cov.apis, v.apis.toJSON().map((a) => ({
      docs: a.docs,
      methods: a.methods.map((m) => ({ docs: m.docs, inputs: m.inputs, name: m.name, output: m.output })),
      name: a.name
    })));
    const o = v.outerEnums.toJSON();
    same(`${label}: outer enums`, cov.outer_enums, { call: o.callType, error: o.errorType, event: o.eventType });
  }
  console.log(`${label}: V${version}, ${v.lookup.types.length} types, ${v.pallets.length} pallets` +
    `${version >= 15 ? `, ${v.apis.length} runtime APIs` : ''}: ${failed === before ? 'agree' : 'DISAGREE'}`);
  return cov;
}

// The same metadata without its Option<Vec<u8>> envelope must decode to
// the same thing.
function compareUnwrapped (label, file, wrapped) {
  const raw = unwrapOpaque(hexToU8a(readHexModule(file)));
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'covmeta-')), 'raw.bin');
  fs.writeFileSync(tmp, raw);
  const cov = runDump(tmp);
  fs.rmSync(path.dirname(tmp), { force: true, recursive: true });
  check(canon(cov) === canon(wrapped), `${label}: bare prefixed bytes decode as the wrapped form does`);
}

function expectRefused (label, file) {
  const cov = runDump(file);
  check(cov.error?.code === 'unsupported', `${label}: refused as unsupported`, cov.error ?? 'decoded', 'unsupported');
}

let blobs = 0;
for (const version of [14, 15]) {
  const dir = path.join(supportDir, `v${version}`);
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('-hex.js')).sort()) {
    const label = `v${version}/${name.replace('-hex.js', '')}`;
    const file = path.join(dir, name);
    const cov = compareBlob(label, file);
    blobs++;
    if (cov && version === 15) compareUnwrapped(label, file, cov);
  }
}
check(blobs >= 5, `at least 5 V14/V15 blobs found (found ${blobs})`);
for (const version of [13, 16]) {
  const dir = path.join(supportDir, `v${version}`);
  if (!fs.existsSync(dir)) continue;
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('-hex.js')).sort()) {
    expectRefused(`v${version}/${name.replace('-hex.js', '')}`, path.join(dir, name));
  }
}

if (failed > MAX_REPORTS) console.log(`(${failed - MAX_REPORTS} more failures not shown)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

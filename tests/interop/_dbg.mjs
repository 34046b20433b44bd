import fs from 'node:fs';
import { TypeRegistry } from '@polkadot/types';
import { Metadata } from '@polkadot/types/metadata';
import { expandMetadata } from '@polkadot/types/metadata/decorate';
import { hexToU8a, compactStripLength } from '@polkadot/util';
const hex = fs.readFileSync(`node_modules/@polkadot/types-support/metadata/v15/substrate-hex.js`,'utf8').match(/'(0x[0-9a-fA-F]*)'/)[1];
const registry = new TypeRegistry();
let u8 = registry.createType('Option<Bytes>', hexToU8a(hex)).unwrap().toU8a(true);
const md = new Metadata(registry, u8); registry.setMetadata(md);
const d = expandMetadata(registry, md);
const t = registry.createLookupType(d.query.system.events.meta.type.asPlain);
const id = new Uint8Array(32).fill(1);
const ev = [{phase: {ApplyExtrinsic: 0}, event: {System: {ExtrinsicSuccess: {dispatchInfo: {weight: {refTime: 1, proofSize: 0}, class: 'Normal', paysFee: 'Yes'}}}}, topics: []},
 {phase: {ApplyExtrinsic: 1}, event: {Balances: {Withdraw: {who: id, amount: 5n}}}, topics: []}];
const v = registry.createTypeUnsafe(t, [ev]);
console.log(v.toHex());
console.log(JSON.stringify(v.toJSON()));
console.log(JSON.stringify(v.toPrimitive()));

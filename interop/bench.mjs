#!/usr/bin/env node
// bench.mjs: sign/verify throughput of the Digital Bazaar stack on the
// 1EdTech OB 3.0 sample credential, for comparison with the Go benchmarks.
//
//   node bench.mjs [--n 200] [--warmup 20] [--suite eddsa-rdfc-2022|
//                  Ed25519Signature2020|all] [--file signed.json] [--json]
//                  [--vm verification-method-url]
//
// --vm names the key the vector's seed signs with: by default the vector's
// own key-in-fragment URL; the realistic credentials of testdata/bench use
// the same key as a did:key. A credential with credentialStatus counts as
// verified when its proof verifies: this stack does not check status.
//
// One process, sequential operations, one warm loader (contexts parsed and
// cached as a long-running JS verifier would have them). Prints one line per
// (suite, operation): ops/s and mean ms/op; --json prints JSON lines.

import {parseArgs} from 'node:util';
import {readFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import {createLoader} from './loader.mjs';
import {
  sign, verify, seedFromHex, SUITES
} from './stack.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const DEFAULT_FILE = resolve(here, '..', '..', 'shared', 'spec',
  'test-vectors', 'ob-v3p0-eddsa-rdfc-2022', 'signed-credential.json');
// The vector's own key (test-vectors/README.md), so signing reproduces it.
const SEED = '6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4';
const VM = 'https://example.edu/issuers/565049' +
  '#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi';

const {values} = parseArgs({options: {
  n: {type: 'string', default: '200'},
  warmup: {type: 'string', default: '20'},
  suite: {type: 'string', default: 'all'},
  file: {type: 'string', default: DEFAULT_FILE},
  json: {type: 'boolean'},
  vm: {type: 'string', default: VM}
}});
const n = Number(values.n);
const warmup = Number(values.warmup);
const suites = values.suite === 'all' ? SUITES : [values.suite];

const {proof: _, ...credential} = JSON.parse(readFileSync(values.file, 'utf8'));
const loader = createLoader();
const seed = seedFromHex(SEED);
const created = '2010-01-01T19:23:24Z';

async function time(label, suite, fn) {
  for(let i = 0; i < warmup; i++) {
    await fn();
  }
  const t0 = process.hrtime.bigint();
  for(let i = 0; i < n; i++) {
    await fn();
  }
  const ns = Number(process.hrtime.bigint() - t0);
  const r = {suite, op: label, n, opsPerSec: +(n / (ns / 1e9)).toFixed(1),
    msPerOp: +(ns / 1e6 / n).toFixed(3), node: process.version,
    contexts: loader.mode};
  console.log(values.json ? JSON.stringify(r) :
    `${suite.padEnd(22)} ${label.padEnd(7)} ${String(r.opsPerSec).padStart(8)}` +
    ` ops/s  ${r.msPerOp} ms/op  (n=${n})`);
}

for(const suite of suites) {
  const signOnce = () => sign({credential, suite, seed, vm: values.vm, created,
    loader});
  const signed = await signOnce();
  const check = await verify({credential: signed, loader});
  if(!check.verified && !check.proofVerified) {
    throw new Error(`${suite}: signed sample does not verify: ${check.error}`);
  }
  await time('sign', suite, signOnce);
  await time('verify', suite, async () => {
    const r = await verify({credential: signed, loader});
    if(!r.verified && !r.proofVerified) {
      throw new Error(r.error);
    }
  });
}

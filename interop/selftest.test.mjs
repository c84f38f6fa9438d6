// Self-test of the interop harness: `npm test` (or `node --test interop/`).
// Needs ../../shared/spec/test-vectors (the 1EdTech OB 3.0 vector) relative
// to this directory; without it those tests skip, or fail when CI=true.

import test from 'node:test';
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {isDeepStrictEqual} from 'node:util';

import jsonld from 'jsonld';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

import {
  createLoader, contextTable, didKeyDocument, LoaderError, npmContexts,
  projectContexts
} from './loader.mjs';
import {
  sign, verify, keyPair, seedFromHex, seedFromSecretMultikey,
  EDDSA_RDFC_2022, ED25519_SIGNATURE_2020
} from './stack.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const VECTOR = resolve(here, '..', '..', 'shared', 'spec', 'test-vectors',
  'ob-v3p0-eddsa-rdfc-2022', 'signed-credential.json');

// 1EdTech test vector key (SPEC test-vectors/README.md).
const VECTOR_SEED =
  '6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4';
const VECTOR_SECRET = 'z3u2XqMnz4u2o6Wu7kJhQyzVd5Qw9d3ffREwtjHsHdyEkM3R';
const VECTOR_VM = 'https://example.edu/issuers/565049' +
  '#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi';
const VECTOR_PROOF_VALUE = 'z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkz' +
  'QDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr';

// A test-only key for the did:key round trips.
const DIDKEY_SEED =
  '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

const MODES = ['project', 'npm'];

function vectorOrSkip(t) {
  if(existsSync(VECTOR)) {
    return JSON.parse(readFileSync(VECTOR, 'utf8'));
  }
  const msg = `missing ${VECTOR} (the shared spec folder)`;
  if(process.env.CI === 'true') {
    assert.fail(msg);
  }
  t.skip(msg);
  return null;
}

function unsigned(doc) {
  const {proof: _, ...rest} = structuredClone(doc);
  return rest;
}

async function didKeyIdentity() {
  const kp = await Ed25519Multikey.generate({seed: seedFromHex(DIDKEY_SEED)});
  const did = `did:key:${kp.publicKeyMultibase}`;
  return {did, vm: `${did}#${kp.publicKeyMultibase}`};
}

function obCredential(issuerId) {
  return {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'
    ],
    id: 'urn:uuid:4b5c0a3e-3e7a-4b8e-9a53-2f7d3c1e9f10',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: {id: issuerId, type: ['Profile'], name: 'Interop Test Issuer'},
    validFrom: '2024-01-01T00:00:00Z',
    name: 'Interop Badge',
    credentialSubject: {
      id: 'did:example:learner',
      type: ['AchievementSubject'],
      achievement: {
        id: 'https://example.org/achievements/interop',
        type: ['Achievement'],
        name: 'Interop',
        description: 'Signed and verified by the Digital Bazaar stack.',
        criteria: {narrative: 'Pass the self-test.'}
      }
    }
  };
}

for(const mode of MODES) {
  test(`1EdTech OB vector verifies (contexts=${mode})`, async t => {
    const vec = vectorOrSkip(t);
    if(!vec) {
      return;
    }
    const res = await verify({credential: vec, loader: createLoader({mode})});
    assert.equal(res.error, '');
    assert.equal(res.verified, true);
  });
}

test('tampered 1EdTech vector fails', async t => {
  const vec = vectorOrSkip(t);
  if(!vec) {
    return;
  }
  const cases = {
    'name changed': c => {
      c.name = 'Teamwork Badgf';
    },
    'achievement changed': c => {
      c.credentialSubject.achievement.name = 'Teamwerk';
    },
    'created changed': c => {
      c.proof.created = '2010-01-01T19:23:25Z';
    },
    'proofValue changed': c => {
      c.proof.proofValue = VECTOR_PROOF_VALUE.replace('z5x9', 'z5x8');
    },
    'issuer not the key controller': c => {
      c.issuer.id = 'https://example.edu/issuers/999';
    },
    'undefined property added (safe mode)': c => {
      c.unknownTerm = 'x';
    }
  };
  for(const [name, mutate] of Object.entries(cases)) {
    await t.test(name, async () => {
      const c = structuredClone(vec);
      mutate(c);
      const res = await verify({credential: c, loader: createLoader()});
      assert.equal(res.verified, false, JSON.stringify(res));
      assert.notEqual(res.error, '');
    });
  }
});

test('JS re-signing reproduces the 1EdTech proofValue', async t => {
  const vec = vectorOrSkip(t);
  if(!vec) {
    return;
  }
  for(const seed of [seedFromHex(VECTOR_SEED),
    seedFromSecretMultikey(VECTOR_SECRET)]) {
    const signed = await sign({
      credential: unsigned(vec), suite: EDDSA_RDFC_2022, seed, vm: VECTOR_VM,
      created: vec.proof.created, loader: createLoader()
    });
    assert.deepEqual(signed.proof, vec.proof);
  }
});

for(const suite of [EDDSA_RDFC_2022, ED25519_SIGNATURE_2020]) {
  test(`did:key OB 3.0 round trip (${suite})`, async t => {
    const {did, vm} = await didKeyIdentity();
    const cred = obCredential(did);
    const input = structuredClone(cred);
    const loader = createLoader();
    const signed = await sign({
      credential: cred, suite, seed: seedFromHex(DIDKEY_SEED), vm,
      created: '2024-01-01T00:00:00Z', loader
    });
    assert.deepEqual(cred, input, 'sign must not mutate its input');
    const proof = [].concat(signed.proof)[0];
    assert.equal(proof.verificationMethod, vm);
    assert.equal(proof.proofPurpose, 'assertionMethod');
    assert.equal(proof.created, '2024-01-01T00:00:00Z');
    if(suite === EDDSA_RDFC_2022) {
      assert.equal(proof.type, 'DataIntegrityProof');
      assert.equal(proof.cryptosuite, 'eddsa-rdfc-2022');
    } else {
      assert.equal(proof.type, 'Ed25519Signature2020');
      assert.ok(signed['@context'].includes(
        'https://w3id.org/security/suites/ed25519-2020/v1'));
    }
    const ok = await verify({credential: signed, loader: createLoader()});
    assert.equal(ok.error, '');
    assert.equal(ok.verified, true);

    await t.test('tampered', async () => {
      const bad = structuredClone(signed);
      bad.credentialSubject.achievement.name = 'Other';
      const res = await verify({credential: bad, loader: createLoader()});
      assert.equal(res.verified, false);
    });
    await t.test('issuer is another did:key', async () => {
      const other = await Ed25519Multikey.generate(
        {seed: new Uint8Array(32).fill(7)});
      const bad = structuredClone(signed);
      bad.issuer.id = `did:key:${other.publicKeyMultibase}`;
      const res = await verify({credential: bad, loader: createLoader()});
      assert.equal(res.verified, false);
    });
    await t.test('credentialStatus is reported unchecked', async () => {
      const withStatus = obCredential(did);
      withStatus.credentialStatus = {
        id: 'https://example.org/status/1#5',
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: '5',
        statusListCredential: 'https://example.org/status/1'
      };
      const s = await sign({
        credential: withStatus, suite, seed: seedFromHex(DIDKEY_SEED), vm,
        created: '2024-01-01T00:00:00Z', loader: createLoader()
      });
      const res = await verify({credential: s, loader: createLoader()});
      assert.equal(res.verified, false);
      assert.equal(res.proofVerified, true);
      assert.match(res.error, /status is not checked/);
    });
  });
}

test('signing refuses data loss (safe mode)', async () => {
  const {did, vm} = await didKeyIdentity();
  const cred = obCredential(did);
  cred.notDefinedAnywhere = 'x';
  await assert.rejects(sign({
    credential: cred, suite: EDDSA_RDFC_2022, seed: seedFromHex(DIDKEY_SEED),
    vm, loader: createLoader()
  }), /Safe mode/);
});

test('keyPair refuses a VM naming another key', async () => {
  await assert.rejects(
    keyPair({seed: seedFromHex(DIDKEY_SEED), vm: VECTOR_VM}),
    /is not the secret's public key/);
});

test('loader', async t => {
  const loader = createLoader();
  const {did, vm} = await didKeyIdentity();
  const cases = [
    {name: 'did:key document', url: did, check: d => {
      assert.equal(d.id, did);
      assert.deepEqual(d.assertionMethod, [vm]);
    }},
    {name: 'did:key VM', url: vm, check: d => {
      assert.equal(d.type, 'Multikey');
      assert.equal(d.controller, did);
    }},
    {name: 'key in fragment', url: VECTOR_VM, check: d => {
      assert.equal(d.controller, 'https://example.edu/issuers/565049');
      assert.equal(d.publicKeyMultibase, VECTOR_VM.split('#')[1]);
    }},
    // Served only after its key-in-fragment VM was asked for (above).
    {name: 'key-in-fragment controller', url:
      'https://example.edu/issuers/565049', check: d => {
      assert.deepEqual(d.assertionMethod, [VECTOR_VM]);
    }},
    {name: 'unknown context', url: 'https://example.org/ctx', err: true},
    {name: 'unknown controller', url: 'https://example.edu/x', err: true},
    {name: 'did:web', url: 'did:web:example.com', err: true},
    {name: 'did:key bad key', url: 'did:key:z6MkBAD', err: true},
    {name: 'did:key other fragment', url: `${did}#key-1`, err: true},
    {name: 'http fragment not a key', url: 'https://example.edu/i#key-1',
      err: true}
  ];
  for(const c of cases) {
    await t.test(c.name, async () => {
      if(c.err) {
        await assert.rejects(loader.documentLoader(c.url), err => {
          assert.ok(err instanceof LoaderError);
          assert.ok(err.message.includes(c.url));
          return true;
        });
        return;
      }
      const {document} = await loader.documentLoader(c.url);
      c.check(document);
    });
  }
  assert.throws(() => didKeyDocument('did:key:zQ3sh'), /not an Ed25519/);
  assert.throws(() => createLoader({mode: 'web'}), /INTEROP_CONTEXTS/);
});

test('project and npm contexts agree', async t => {
  const project = projectContexts();
  if(project.size === 0) {
    t.skip('contexts/manifest.json lists no contexts yet');
    return;
  }
  const npm = npmContexts();
  const differ = [];
  for(const [url, p] of project) {
    const n = npm.get(url);
    if(n && !isDeepStrictEqual(n.document, p.document)) {
      differ.push(url);
    }
  }
  for(const url of differ) {
    t.diagnostic(`JSON differs between project and npm copies: ${url}`);
  }
  // Whatever the bytes, both sets must canonicalize the sample credential
  // (and the round-trip credential) identically.
  const docs = [];
  if(existsSync(VECTOR)) {
    docs.push(unsigned(JSON.parse(readFileSync(VECTOR, 'utf8'))));
  }
  docs.push(obCredential((await didKeyIdentity()).did));
  for(const doc of docs) {
    const out = {};
    for(const mode of MODES) {
      const {documentLoader} = createLoader({table: contextTable({mode})});
      out[mode] = await jsonld.canonize(doc, {
        algorithm: 'RDFC-1.0', format: 'application/n-quads', safe: true,
        base: null, documentLoader
      });
    }
    assert.equal(out.project, out.npm);
  }
});

// The CLIs as the Go interop test drives them.
test('CLI', async t => {
  const vec = vectorOrSkip(t);
  if(!vec) {
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'interop-'));
  const run = (script, args, input) => spawnSync(process.execPath,
    [join(here, script), ...args], {input, encoding: 'utf8'});

  await t.test('sign then verify', () => {
    const s = run('sign.mjs', ['--suite', 'eddsa-rdfc-2022',
      '--secret', VECTOR_SECRET, '--vm', VECTOR_VM,
      '--created', vec.proof.created], JSON.stringify(unsigned(vec)));
    assert.equal(s.status, 0, s.stderr);
    const signed = JSON.parse(s.stdout);
    assert.equal(signed.proof.proofValue, VECTOR_PROOF_VALUE);
    const f = join(dir, 'signed.json');
    writeFileSync(f, s.stdout);
    const v = run('verify.mjs', [f]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.deepEqual(JSON.parse(v.stdout).verified, true);
  });
  await t.test('verify stdin tampered exits 1', () => {
    const bad = structuredClone(vec);
    bad.name = 'x';
    const v = run('verify.mjs', ['-'], JSON.stringify(bad));
    assert.equal(v.status, 1);
    assert.equal(JSON.parse(v.stdout).verified, false);
  });
  await t.test('batch', () => {
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(good, JSON.stringify(vec));
    writeFileSync(bad, '{not json');
    const v = run('verify.mjs', [good, bad]);
    assert.equal(v.status, 1);
    const lines = v.stdout.trim().split('\n').map(l => JSON.parse(l));
    assert.deepEqual(lines.map(l => [l.file, l.verified]),
      [[good, true], [bad, false]]);
    const l = run('verify.mjs', ['--stdin-list'], `${good}\n${good}\n`);
    assert.equal(l.status, 0, l.stderr);
    assert.equal(l.stdout.trim().split('\n').length, 2);
  });
  await t.test('usage and I/O errors exit 2', () => {
    assert.equal(run('verify.mjs', []).status, 2);
    assert.equal(run('verify.mjs', [join(dir, 'missing.json')]).status, 2);
    assert.equal(run('sign.mjs', ['--suite', 'nope', '--seed', VECTOR_SEED,
      '--vm', VECTOR_VM], '{}').status, 2);
    assert.equal(run('sign.mjs', ['--seed', VECTOR_SEED], '{}').status, 2);
    assert.equal(run('sign.mjs', ['--seed', VECTOR_SEED, '--vm', VECTOR_VM],
      'not json').status, 2);
  });
  await t.test('sign refusal exits 1', () => {
    const c = unsigned(vec);
    c.undefinedTerm = 1;
    const s = run('sign.mjs', ['--seed', VECTOR_SEED, '--vm', VECTOR_VM],
      JSON.stringify(c));
    assert.equal(s.status, 1);
    assert.match(JSON.parse(s.stderr).error, /undefinedTerm/);
  });
});

// jose.mjs signs and verifies compact JWS credentials with the npm `jose`
// library, so that badgesmith's JWTs are checked by an independent JOSE
// implementation. One JSON request on stdin, one JSON answer on stdout:
//   {"op":"verify","token":"...","jwk":{public JWK},"alg":"EdDSA"}
//     -> {"header":{...},"payload":{...}}
//   {"op":"sign","payload":{...},"jwk":{private JWK},"alg":"ES256","header":{...}}
//     -> {"token":"..."}
// Errors go to stderr with exit status 1.
import {CompactSign, compactVerify, importJWK} from 'jose';

const chunks = [];
for await (const c of process.stdin) {
  chunks.push(c);
}
const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));

try {
  const key = await importJWK(req.jwk, req.alg);
  if(req.op === 'verify') {
    const {payload, protectedHeader} = await compactVerify(req.token, key, {algorithms: [req.alg]});
    process.stdout.write(JSON.stringify({
      header: protectedHeader,
      payload: JSON.parse(new TextDecoder().decode(payload))
    }));
  } else if(req.op === 'sign') {
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(req.payload)))
      .setProtectedHeader({...req.header, alg: req.alg})
      .sign(key);
    process.stdout.write(JSON.stringify({token}));
  } else {
    throw new Error(`unknown op ${req.op}`);
  }
} catch(e) {
  process.stderr.write(`${e.code || ''} ${e.message}\n`);
  process.exit(1);
}

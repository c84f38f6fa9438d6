// Package interop holds the cross-implementation tests: credentials signed
// by badgesmith must verify in the reference JavaScript stack
// (@digitalbazaar/vc with the eddsa-rdfc-2022 and Ed25519Signature2020
// suites), credentials signed by that stack must verify in badgesmith, and a
// tampered copy must fail in both. The Node.js side lives beside this file
// (package.json, sign.mjs, verify.mjs); install it with `npm ci`.
package interop

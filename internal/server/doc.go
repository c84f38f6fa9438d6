// Package server is badgesmith's HTTP layer ("badgesmith serve"): a thin
// layer over the issuer, verifier and store that speaks the W3C VC API for
// Lifecycle Management (VCALM, formerly VC-API), hosts the status lists
// and the issuer's did:web document, and never implements a second
// issuing or verifying policy.
//
// Routes, under the path of the public base URL:
//
//	GET  /healthz, /readyz             liveness; readiness (the store answers)
//	POST /credentials/issue            scope write:/credentials/issue
//	POST /credentials/verify           open (rate limited per address; CORS)
//	POST /presentations/verify         open (rate limited per address; CORS)
//	POST /credentials/status           scope write:/credentials/status
//	GET  /credentials/{id}             scope read:/credentials
//	POST /issuers/{i}/credentials/issue, .../status, GET .../{id}
//	                                   the same for instance i (Instance),
//	                                   scopes write:/issuers/{i}/credentials/issue, ...
//	GET  <status base path>{name}      the signed status lists (open)
//	GET  <did:web path>/did.json       the issuer's DID document (open)
//	GET  <https issuer id path>        an https issuer's Profile and CID document (open)
//	GET  /metrics                      Prometheus text format; scope read:/metrics
//
// Each API key has a token bucket (RateLimits), and so has each client
// address on the open verify endpoints; a request over it gets 429 with
// Retry-After. X-Forwarded-For and X-Forwarded-Proto are believed only
// from TrustedProxies. CORS headers are sent for the configured origins on
// the open endpoints only. A background refresher re-signs the status
// lists that changed or near their validUntil (RefreshLists).
//
// Authentication is by bearer API key (KeyPrefix + 32 random bytes,
// base64url); only SHA-256 hashes of the keys are stored, in apikeys.json
// in the data directory, and a presented key is compared with every stored
// hash in constant time. A key carries VCALM scopes; ScopeAdmin allows
// everything. The first start installs an admin key and prints it once.
//
// Errors are RFC 9457 problem details (application/problem+json) whose
// type is ProblemBase plus a stable name, with the JSON path of the
// offending request member in "path". Every absolute URL the server writes
// is made from the configured public base URL, never from the request's
// Host header. Bodies are bounded (MaxBytesReader), the http.Server has
// header, read, write and idle timeouts, and Serve shuts down gracefully:
// requests in flight finish, and since every store write is one
// transaction and every file is replaced atomically, none is left half
// written.
//
// Not yet here (issue #15): OAuth 2.0 tokens, the
// admin API for CLI commands while serve holds the store's lock.
package server

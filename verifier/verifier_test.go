package verifier_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

var now = time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)

type testKey struct {
	priv ed25519.PrivateKey
	did  string
	vm   string
}

func newKey(t testing.TB, seed byte) testKey {
	t.Helper()
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed + byte(i)
	}
	priv := ed25519.NewKeyFromSeed(s)
	id, err := did.KeyFromPublic(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keys.EncodePublicMultikey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return testKey{priv: priv, did: id, vm: id + "#" + mk}
}

func loadJSON(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// unsigned builds the sample credential issued by k, the way an OB 3.0
// issuer would, without using badgesmith's issuer package.
func unsigned(t testing.TB, k testKey) map[string]any {
	t.Helper()
	iss := loadJSON(t, "issuer.json")
	iss["id"] = k.did
	sub := loadJSON(t, "subject.json")
	sub["achievement"] = loadJSON(t, "achievement.json")
	return map[string]any{
		"@context": []any{
			"https://www.w3.org/ns/credentials/v2",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
			"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
		},
		"id":                "urn:uuid:2f0d6a3e-4f0b-4c55-9a53-3c4a3f1f6a10",
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              "Applied Data Analysis",
		"issuer":            iss,
		"validFrom":         "2026-11-01T00:00:00Z",
		"credentialSubject": sub,
		"credentialSchema": []any{map[string]any{
			"id":   "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
			"type": "1EdTechJsonSchemaValidator2019",
		}},
	}
}

func sign(t testing.TB, doc map[string]any, key ed25519.PrivateKey, vm string, suite proof.Suite) map[string]any {
	t.Helper()
	signed, err := proof.Sign(context.Background(), doc, key, proof.SignOptions{
		Suite: suite, VerificationMethod: vm, Created: now.Add(-time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func encode(t testing.TB, doc map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func subject(d map[string]any) map[string]any { return d["credentialSubject"].(map[string]any) }

func achievement(d map[string]any) map[string]any {
	return subject(d)["achievement"].(map[string]any)
}

func firstProof(d map[string]any) map[string]any { return d["proof"].([]any)[0].(map[string]any) }

// exampleDID is a DID of a method only exampleResolver knows.
const exampleDID = "did:example:issuer"

// exampleResolver resolves exampleDID to a document with key as
// exampleDID#key-1, listed under assertionMethod unless noAssertion, as a
// DID document that lists the key only for authentication would. (did:key
// and did:jwk issuers never reach an injected resolver: their id is their
// key.)
type exampleResolver struct {
	key         testKey
	noAssertion bool
}

func (e exampleResolver) Resolve(_ context.Context, id string) (*did.Document, error) {
	if id != exampleDID {
		return nil, fmt.Errorf("resolving %s: %w", id, did.ErrUnsupportedMethod)
	}
	vm, err := did.MultikeyMethod(exampleDID, "key-1", e.key.priv.Public())
	if err != nil {
		return nil, err
	}
	doc, err := did.NewDocument(exampleDID, []did.VerificationMethod{vm})
	if err != nil {
		return nil, err
	}
	if e.noAssertion {
		doc.AssertionMethod = nil
	}
	return doc, nil
}

// exampleIssued is the sample credential issued by exampleDID and signed
// with k as exampleDID#key-1.
func exampleIssued(t *testing.T, k testKey) []byte {
	t.Helper()
	issuer := testKey{priv: k.priv, did: exampleDID, vm: exampleDID + "#key-1"}
	return encode(t, sign(t, unsigned(t, issuer), issuer.priv, issuer.vm, proof.EddsaRdfc2022))
}

func TestVerify(t *testing.T) {
	issuerKey := newKey(t, 1)
	otherKey := newKey(t, 100)
	good := sign(t, unsigned(t, issuerKey), issuerKey.priv, issuerKey.vm, proof.EddsaRdfc2022)

	tests := []struct {
		name string
		// doc builds the credential bytes.
		doc  func(t *testing.T) []byte
		opts verifier.Options
		// failing is the check that must fail; "" means valid (with
		// warnings when warn is set), "error" means could not check.
		failing verifier.CheckName
		// warn is the one check that must pass with a warning.
		warn verifier.CheckName
		// decision is the check that decides a could-not-check verdict.
		decision verifier.CheckName
		// reason is a fragment the deciding check's reason or path must carry.
		reason string
	}{
		{name: "valid eddsa-rdfc-2022", doc: func(t *testing.T) []byte { return encode(t, good) }},
		{name: "valid Ed25519Signature2020", doc: func(t *testing.T) []byte {
			return encode(t, sign(t, unsigned(t, issuerKey), issuerKey.priv, issuerKey.vm, proof.Ed25519Signature2020))
		}},
		{name: "valid with a single proof object", doc: func(t *testing.T) []byte {
			d := clone(t, good)
			d["proof"] = firstProof(d)
			return encode(t, d)
		}},
		{name: "tampered achievement name", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) { achievement(d)["name"] = "Brain Surgery" })},
		{name: "tampered subject id", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) { subject(d)["id"] = "did:example:mallory" })},
		{name: "tampered result value", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) {
			subject(d)["result"].([]any)[0].(map[string]any)["value"] = "A+"
		})},
		{name: "tampered issuer name", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) { d["issuer"].(map[string]any)["name"] = "Harvard" })},
		{name: "tampered proof created", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) { firstProof(d)["created"] = "2020-01-01T00:00:00Z" })},
		{name: "truncated proofValue", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) {
			pv := firstProof(d)["proofValue"].(string)
			firstProof(d)["proofValue"] = pv[:len(pv)-4]
		})},
		{name: "proofValue not base58btc", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) {
			firstProof(d)["proofValue"] = "u" + firstProof(d)["proofValue"].(string)[1:]
		})},
		{name: "unknown proof type", failing: "error", decision: verifier.CheckProof, doc: mutate(good, func(d map[string]any) { firstProof(d)["cryptosuite"] = "eddsa-rdf-2022" })},
		{name: "no proof", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) { delete(d, "proof") })},
		{name: "undefined term added", failing: verifier.CheckProof, reason: "favouriteColour", doc: mutate(good, func(d map[string]any) { subject(d)["favouriteColour"] = "green" })},
		{name: "signed by another key under the issuer's method", failing: verifier.CheckProof, doc: func(t *testing.T) []byte {
			return encode(t, sign(t, unsigned(t, issuerKey), otherKey.priv, issuerKey.vm, proof.EddsaRdfc2022))
		}},
		{name: "signed by a key the issuer does not control", failing: verifier.CheckIssuer, reason: "not controlled by the issuer", doc: func(t *testing.T) []byte {
			return encode(t, sign(t, unsigned(t, issuerKey), otherKey.priv, otherKey.vm, proof.EddsaRdfc2022))
		}},
		{name: "key listed under assertionMethod by an injected resolver", opts: verifier.Options{Resolver: exampleResolver{key: issuerKey}}, doc: func(t *testing.T) []byte { return exampleIssued(t, issuerKey) }},
		{name: "key not authorised for assertions", failing: verifier.CheckIssuer, reason: "not listed under assertionMethod", opts: verifier.Options{Resolver: exampleResolver{key: issuerKey, noAssertion: true}}, doc: func(t *testing.T) []byte { return exampleIssued(t, issuerKey) }},
		{name: "an injected resolver has no say over did:key", opts: verifier.Options{Resolver: exampleResolver{key: otherKey}}, doc: func(t *testing.T) []byte { return encode(t, good) }},
		{name: "expired", failing: verifier.CheckValidity, reason: "expired", doc: func(t *testing.T) []byte {
			d := unsigned(t, issuerKey)
			d["validUntil"] = "2026-11-10T00:00:00Z"
			return encode(t, sign(t, d, issuerKey.priv, issuerKey.vm, proof.EddsaRdfc2022))
		}},
		{name: "not yet valid", failing: verifier.CheckValidity, reason: "not yet valid", doc: func(t *testing.T) []byte {
			d := unsigned(t, issuerKey)
			d["validFrom"] = "2027-01-01T00:00:00Z"
			return encode(t, sign(t, d, issuerKey.priv, issuerKey.vm, proof.EddsaRdfc2022))
		}},
		{name: "unknown context", failing: "error", decision: verifier.CheckContext, reason: "https://evil.example/context.json", doc: mutate(good, func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), "https://evil.example/context.json")
		})},
		// An inline context may add terms, never remap one (issue #11 Found 5).
		{name: "embedded context object remapping a term", failing: verifier.CheckContext, reason: "@context[3].1EdTechJsonSchemaValidator2019", doc: mutate(good, func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), map[string]any{"1EdTechJsonSchemaValidator2019": "https://evil.example/#c"})
		})},
		{name: "contexts out of order", failing: verifier.CheckContext, reason: "@context[0]", doc: mutate(good, func(d map[string]any) {
			c := d["@context"].([]any)
			c[0], c[1] = c[1], c[0]
		})},
		// A plain VC, signed as such: verified as a VC, with the warning.
		{name: "not an open badge", warn: verifier.CheckType, reason: "not an Open Badge", doc: func(t *testing.T) []byte {
			d := unsigned(t, issuerKey)
			d["type"] = []any{"VerifiableCredential"}
			delete(d, "credentialSchema")
			return encode(t, sign(t, d, issuerKey.priv, issuerKey.vm, proof.EddsaRdfc2022))
		}},
		{name: "open badge type removed after signing", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) { d["type"] = []any{"VerifiableCredential"} })},
		// The same statements as ["Achievement"]: JSON-LD compaction writes a one-element array so (issue #11).
		{name: "achievement type as a string", warn: verifier.CheckSchema, reason: "credentialSubject.achievement.type", doc: mutate(good, func(d map[string]any) { achievement(d)["type"] = "Achievement" })},
		{name: "achievement type as a wrong string", failing: verifier.CheckProof, doc: mutate(good, func(d map[string]any) { achievement(d)["type"] = "Badge" })},
		{name: "achievement without criteria", failing: verifier.CheckSchema, reason: "criteria", doc: mutate(good, func(d map[string]any) { delete(achievement(d), "criteria") })},
		{name: "wrong json type", failing: verifier.CheckParse, reason: "credentialSubject.achievement.name", doc: mutate(good, func(d map[string]any) { achievement(d)["name"] = 42 })},
		{name: "malformed json", failing: verifier.CheckParse, doc: func(t *testing.T) []byte { return []byte(`{"@context": [`) }},
		{name: "not an object", failing: verifier.CheckParse, doc: func(t *testing.T) []byte { return []byte(`["a"]`) }},
		{name: "over the size limit", failing: verifier.CheckParse, reason: "limit", opts: verifier.Options{MaxSize: 1000}, doc: func(t *testing.T) []byte { return encode(t, good) }},
		{name: "unsupported DID method", failing: "error", doc: func(t *testing.T) []byte {
			d := unsigned(t, issuerKey)
			d["issuer"].(map[string]any)["id"] = "did:example:issuer"
			return encode(t, sign(t, d, issuerKey.priv, "did:example:issuer#key-1", proof.EddsaRdfc2022))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Now = func() time.Time { return now }
			v, err := verifier.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), tc.doc(t))
			if res == nil {
				t.Fatalf("nil result (err %v)", err)
			}
			var ve *verifier.VerificationError
			var ie *verifier.InconclusiveError
			switch tc.failing {
			case "":
				if err != nil || !res.Valid {
					t.Fatalf("err = %v, valid = %v; checks %+v", err, res.Valid, res.Checks)
				}
				for _, c := range res.Checks {
					want := verifier.StatusPass
					if c.Check == tc.warn {
						want = verifier.StatusWarn
						if tc.reason != "" && !strings.Contains(c.Reason, tc.reason) {
							t.Errorf("warning %q does not mention %q", c.Reason, tc.reason)
						}
					}
					// No 1EdTech schema applies to a plain VC.
					if c.Check == verifier.CheckSchema && tc.warn == verifier.CheckType {
						want = verifier.StatusSkipped
					}
					if c.Status != want {
						t.Errorf("check %s = %s (%s), want %s", c.Check, c.Status, c.Reason, want)
					}
				}
				wantVerdict := verifier.VerdictValid
				if tc.warn != "" {
					wantVerdict = verifier.VerdictWarnings
				}
				if res.Verdict != wantVerdict || res.Decision != tc.warn {
					t.Errorf("verdict %s (%s), want %s (%s)", res.Verdict, res.Decision, wantVerdict, tc.warn)
				}
			case "error":
				if !errors.As(err, &ie) || res.Valid || res.Verdict != verifier.VerdictCouldNotCheck {
					t.Fatalf("err = %v, want an InconclusiveError; checks %+v", err, res.Checks)
				}
				if tc.decision != "" && (ie.Check != tc.decision || res.Decision != tc.decision) {
					t.Fatalf("could not check %s (decision %s), want %s; checks %+v", ie.Check, res.Decision, tc.decision, res.Checks)
				}
				if c := res.Check(res.Decision); tc.reason != "" && !strings.Contains(c.Reason+" "+c.Path, tc.reason) {
					t.Fatalf("check %s reason %q does not mention %q", c.Check, c.Reason, tc.reason)
				}
			default:
				if !errors.As(err, &ve) || res.Valid {
					t.Fatalf("err = %v, want a VerificationError; checks %+v", err, res.Checks)
				}
				c := res.Check(tc.failing)
				if c == nil || c.Status != verifier.StatusFail {
					t.Fatalf("check %s = %+v, want fail; all checks %+v", tc.failing, c, res.Checks)
				}
				if tc.reason != "" && !strings.Contains(c.Reason+" "+c.Path, tc.reason) {
					t.Fatalf("check %s reason %q path %q does not mention %q", tc.failing, c.Reason, c.Path, tc.reason)
				}
			}
			if len(res.Checks) != 8 {
				t.Errorf("got %d checks, want one per check (8): %+v", len(res.Checks), res.Checks)
			}
			// Every result of a check that reads one part of the document
			// names it, Data Integrity proof failures included.
			for _, c := range res.Checks {
				switch c.Check {
				case verifier.CheckContext, verifier.CheckType, verifier.CheckProof, verifier.CheckIssuer, verifier.CheckStatus:
					if c.Path == "" {
						t.Errorf("check %s (%s: %s) has no JSON path", c.Check, c.Status, c.Reason)
					}
				}
			}
		})
	}
}

func mutate(base map[string]any, f func(map[string]any)) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		d := clone(t, base)
		f(d)
		return encode(t, d)
	}
}

func clone(t testing.TB, d map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(encode(t, d), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// shared returns a path in ../shared, skipping (failing under CI) when the
// reference material is absent.
func shared(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("reference material missing: %v", err)
		}
		t.Skipf("../shared is absent (%v): skipping the test-vector check", err)
	}
	return p
}

// The 1EdTech OB 3.0 test vector names its key in the verification method's
// fragment under an https issuer id, and carries a single proof object.
// Such a key is not trusted on its own: the vector could not be checked
// until its issuer's document is reachable (here it is not: the client
// refuses every request) or its key is pinned.
func TestVerify1EdTechVector(t *testing.T) {
	data, err := os.ReadFile(shared(t, "spec/test-vectors/ob-v3p0-eddsa-rdfc-2022/signed-credential.json"))
	if err != nil {
		t.Fatal(err)
	}
	const issuer = "https://example.edu/issuers/565049"
	const mk = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	offline := offlineClient()
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: offline})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), data)
	var ie *verifier.InconclusiveError
	if !errors.As(err, &ie) || res.Valid || !errors.Is(err, verifier.ErrKeyNotBound) || !errors.Is(err, errOffline) {
		t.Fatalf("unpinned vector: err = %v, want an InconclusiveError wrapping ErrKeyNotBound", err)
	}
	if c := res.Check(verifier.CheckIssuer); c == nil || c.Status != verifier.StatusError {
		t.Fatalf("unpinned vector: issuer check %+v, want error", c)
	}

	pub, err := keys.DecodePublicMultikey(mk)
	if err != nil {
		t.Fatal(err)
	}
	v, err = verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: offline,
		PinnedKeys: []verifier.PinnedKey{{Issuer: issuer, Key: pub}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err = v.Verify(context.Background(), data)
	if err != nil {
		t.Fatalf("pinned vector does not verify: %v", err)
	}
	if !res.Valid || res.Issuer != issuer {
		t.Fatalf("result %+v", res)
	}
	if c := res.Check(verifier.CheckIssuer); !strings.Contains(c.Reason, "pinned locally for issuer "+issuer) {
		t.Errorf("issuer check %+v", c)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["name"] = "Teamwork Badge (forged)"
	res, err = v.Verify(context.Background(), encode(t, doc))
	var ve *verifier.VerificationError
	if !errors.As(err, &ve) || res.Check(verifier.CheckProof).Status != verifier.StatusFail {
		t.Fatalf("tampered vector: err = %v", err)
	}
}

// A VCDM 1.1 based OB 3.0 credential uses issuanceDate/expirationDate.
func TestVerifyVCDM11(t *testing.T) {
	k := newKey(t, 9)
	build := func(expiration string) []byte {
		d := unsigned(t, k)
		d["@context"] = []any{
			"https://www.w3.org/2018/credentials/v1",
			"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
			"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
		}
		delete(d, "validFrom")
		d["issuanceDate"] = "2026-11-01T00:00:00Z"
		if expiration != "" {
			d["expirationDate"] = expiration
		}
		return encode(t, sign(t, d, k.priv, k.vm, proof.Ed25519Signature2020))
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := v.Verify(context.Background(), build("")); err != nil {
		t.Fatalf("vcdm 1.1 credential: %v (%+v)", err, res.Checks)
	}
	res, err := v.Verify(context.Background(), build("2026-11-02T00:00:00Z"))
	var ve *verifier.VerificationError
	if !errors.As(err, &ve) {
		t.Fatalf("expired vcdm 1.1 credential: err = %v", err)
	}
	if c := res.Check(verifier.CheckValidity); c.Status != verifier.StatusFail || c.Path != "expirationDate" {
		t.Fatalf("validity = %+v", c)
	}
}

func BenchmarkVerify(b *testing.B) {
	k := newKey(b, 1)
	data := encode(b, sign(b, unsigned(b, k), k.priv, k.vm, proof.EddsaRdfc2022))
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}

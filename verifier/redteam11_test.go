package verifier_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/mr-tron/base58"

	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// Red-team regression tests (issue #11): the paths that accept more
// (warnings, could not check, inline contexts, status lists signed by
// another party) tried as a forger would.

// TestRedteam11HiddenSchemaDeclaration: a credential its issuer signed
// that fails the 1EdTech schema it declares in credentialSchema is
// invalid (OB 3.0 §9.1). Rewriting the JSON so the declaration no longer
// reads as one (@type, @id, the full IRI, @nest), with the same statements
// and so the same valid signature, must not turn it into a warning.
func TestRedteam11HiddenSchemaDeclaration(t *testing.T) {
	k := newKey(t, 201)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	d := unsigned(t, k)
	delete(achievement(d), "criteria")
	signed := sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)
	schemaOf := func(d map[string]any) map[string]any {
		return d["credentialSchema"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name string
		edit func(d map[string]any)
	}{
		{"as signed", func(map[string]any) {}},
		{"type as @type", func(d map[string]any) {
			cs := schemaOf(d)
			cs["@type"], cs["type"] = cs["type"], nil
			delete(cs, "type")
		}},
		{"id as @id", func(d map[string]any) {
			cs := schemaOf(d)
			cs["@id"] = cs["id"]
			delete(cs, "id")
		}},
		{"type as its full IRI", func(d map[string]any) {
			schemaOf(d)["type"] = "https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019"
		}},
		{"credentialSchema under its full IRI", func(d map[string]any) {
			d["https://www.w3.org/2018/credentials#credentialSchema"] = d["credentialSchema"]
			delete(d, "credentialSchema")
		}},
		{"credentialSchema under @nest", func(d map[string]any) {
			d["@nest"] = map[string]any{"credentialSchema": d["credentialSchema"]}
			delete(d, "credentialSchema")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := clone(t, signed)
			tc.edit(s)
			res, err := v.Verify(context.Background(), encode(t, s))
			if res.Verdict != verifier.VerdictInvalid || res.Decision != verifier.CheckSchema {
				t.Fatalf("verdict %q decided by %q (err %v), want invalid by the schema check; checks %+v", res.Verdict, res.Decision, err, checksOf(res))
			}
			if c := res.Check(verifier.CheckProof); c.Status != verifier.StatusPass {
				t.Errorf("proof check %+v, want pass: the rewrite keeps the statements", c)
			}
		})
	}
}

// revokedChecker is a status checker that finds every credential revoked,
// and counts its calls.
type revokedChecker struct{ calls *int }

func (c revokedChecker) CheckStatus(context.Context, map[string]any) (verifier.CheckResult, error) {
	*c.calls++
	return verifier.CheckResult{Status: verifier.StatusFail, Reason: "revoked"}, nil
}

// TestRedteam11WarningIssuerStillChecksStatus: an issuer check that
// passes with a warning (the issuer's DID document lists the signing
// method twice, identically, issue #11 Found 4) binds the key: the status
// check must still run, so a revoked credential of such an issuer is
// invalid, never "valid with warnings" with its status left unread.
func TestRedteam11WarningIssuerStillChecksStatus(t *testing.T) {
	k := newKey(t, 7)
	ls := newLocalhostServer(t)
	doc := controllerDoc(t, ls.did(), k)
	i := strings.Index(doc, `"verificationMethod":[`) + len(`"verificationMethod":[`)
	j := i + strings.Index(doc[i:], "}") + 1
	ls.put(wellKnownPath, doc[:j]+","+doc[i:j]+doc[j:])
	issuer := testKey{priv: k.priv, did: ls.did(), vm: ls.did() + "#key-1"}
	d := unsigned(t, issuer)
	d["credentialStatus"] = map[string]any{
		"id": "https://status.example/list#5", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
		"statusListIndex": "5", "statusListCredential": "https://status.example/list",
	}
	cred := encode(t, sign(t, d, issuer.priv, issuer.vm, proof.EddsaRdfc2022))
	calls := 0
	res, err := verifyWith(t, verifier.Options{HTTPClient: ls.client(5 * time.Second), Status: revokedChecker{&calls}}, cred)
	if c := res.Check(verifier.CheckIssuer); c == nil || c.Status != verifier.StatusWarn {
		t.Fatalf("issuer check %+v, want a warning (the method is listed twice); err %v", c, err)
	}
	if calls != 1 || res.Verdict != verifier.VerdictInvalid || res.Decision != verifier.CheckStatus {
		t.Fatalf("status checker called %d times, verdict %q decided by %q (err %v), want invalid by the status check; checks %+v",
			calls, res.Verdict, res.Decision, err, checksOf(res))
	}
}

// TestRedteam11OpenBadgeOnlyWhenVerified: Result.OpenBadge says the
// issuer signed the credential as an Open Badge. A credential no proof by
// the issuer's key covers (tampered after signing, signed by another key,
// without a proof) is not one, whatever its JSON or its unverified
// statements say.
func TestRedteam11OpenBadgeOnlyWhenVerified(t *testing.T) {
	k, other := newKey(t, 202), newKey(t, 203)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	signed := sign(t, unsigned(t, k), k.priv, k.vm, proof.EddsaRdfc2022)
	tests := []struct {
		name string
		doc  func() map[string]any
		want bool
	}{
		{"control: signed by its issuer", func() map[string]any { return clone(t, signed) }, true},
		{"tampered after signing", func() map[string]any {
			d := clone(t, signed)
			d["name"] = "Forged Degree"
			return d
		}, false},
		{"signed by a key that is not the issuer's", func() map[string]any {
			return sign(t, unsigned(t, k), other.priv, other.vm, proof.EddsaRdfc2022)
		}, false},
		{"no proof", func() map[string]any { return unsigned(t, k) }, false},
		{"proof of an unknown suite naming the issuer's key", func() map[string]any {
			d := clone(t, signed)
			firstProof(d)["cryptosuite"] = "bbs-2023"
			return d
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), encode(t, tc.doc()))
			if res.OpenBadge != tc.want {
				t.Fatalf("OpenBadge = %v, want %v (verdict %q, err %v)", res.OpenBadge, tc.want, res.Verdict, err)
			}
			if res.OpenBadge && !res.Verdict.Accepted() {
				t.Errorf("OpenBadge on a %q credential", res.Verdict)
			}
		})
	}
}

// TestRedteam11InlineTypeAlias: an inline context term for rdf:type adds
// types the JSON's type member does not show (and no type-scoped context
// applies to them): a credential whose JSON says it is a plain VC would
// verify as an Open Badge. It is a keyword alias in all but name, so the
// inline context rule refuses it.
func TestRedteam11InlineTypeAlias(t *testing.T) {
	k := newKey(t, 204)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, def := range []any{
		"http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
		map[string]any{"@id": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "@type": "@vocab"},
		map[string]any{"@id": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "@type": "@id", "@container": "@set"},
	} {
		d := withInlineContext(unsigned(t, k), map[string]any{"kind": def})
		d["type"] = []any{"VerifiableCredential"}
		d["kind"] = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
		delete(d, "credentialSchema")
		res, err := v.Verify(context.Background(), encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)))
		if res.Verdict != verifier.VerdictInvalid || res.Decision != verifier.CheckContext {
			t.Errorf("kind = %v: verdict %q decided by %q (err %v), want invalid by the context check", def, res.Verdict, res.Decision, err)
		}
	}
}

// TestRedteam11ProofTricks: proof-level attacks on the paths #11 opened
// (P-384-length proof values, unknown suites, JWTs without a kid) never
// reach an accepted verdict; a valid proof by the issuer beside a proof of
// an unknown suite still counts.
func TestRedteam11ProofTricks(t *testing.T) {
	k, forger := newKey(t, 205), newKey(t, 206)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	signed := sign(t, unsigned(t, k), k.priv, k.vm, proof.EddsaRdfc2022)
	unknownSuite := func(vm string) map[string]any {
		p := clone(t, firstProof(signed))
		p["cryptosuite"], p["verificationMethod"], p["id"] = "bbs-2023", vm, "urn:uuid:0b7c1d3e-0000-4000-8000-000000000001"
		return p
	}
	p384Value := "z" + base58.Encode(make([]byte, 96))
	jwtCred := unsigned(t, k)
	header := func(extra map[string]any) map[string]any {
		h := map[string]any{"alg": "EdDSA", "typ": "JWT"}
		maps.Copy(h, extra)
		return h
	}
	forgerJWK, err := keys.PublicJWK(forger.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	var jwk map[string]any
	if err := json.Unmarshal(forgerJWK, &jwk); err != nil {
		t.Fatal(err)
	}
	edSign := func(priv ed25519.PrivateKey) func([]byte) []byte {
		return func(b []byte) []byte { return ed25519.Sign(priv, b) }
	}
	tests := []struct {
		name string
		data func() []byte
		want verifier.Verdict
	}{
		{"P-384-length proof value on an Ed25519 key", func() []byte {
			d := clone(t, signed)
			firstProof(d)["proofValue"] = p384Value
			return encode(t, d)
		}, verifier.VerdictInvalid},
		{"valid proof beside an unknown-suite proof by the issuer", func() []byte {
			d := clone(t, signed)
			d["proof"] = []any{firstProof(d), unknownSuite(k.vm)}
			return encode(t, d)
		}, verifier.VerdictValid},
		{"tampered, the issuer's proof beside an unknown-suite proof by the issuer", func() []byte {
			d := clone(t, signed)
			d["name"] = "Forged"
			d["proof"] = []any{unknownSuite(k.vm), firstProof(d)}
			return encode(t, d)
		}, verifier.VerdictInvalid},
		{"tampered, only an unknown-suite proof by the forger", func() []byte {
			d := clone(t, signed)
			d["name"] = "Forged"
			d["proof"] = []any{unknownSuite(forger.vm)}
			return encode(t, d)
		}, verifier.VerdictInvalid},
		{"tampered, only an unknown-suite proof naming the issuer's key", func() []byte {
			d := clone(t, signed)
			d["name"] = "Forged"
			d["proof"] = []any{unknownSuite(k.vm)}
			return encode(t, d)
		}, verifier.VerdictCouldNotCheck},
		{"JWT without kid, the forger's jwk in the header", func() []byte {
			return craftJWT(t, header(map[string]any{"jwk": jwk}), vcJWTPayload(t, jwtCred), edSign(forger.priv))
		}, verifier.VerdictCouldNotCheck},
		{"JWT without kid or jwk, signed by the forger", func() []byte {
			return craftJWT(t, header(nil), vcJWTPayload(t, jwtCred), edSign(forger.priv))
		}, verifier.VerdictCouldNotCheck},
		{"JWT whose kid names the issuer's key, signed by the forger", func() []byte {
			return craftJWT(t, header(map[string]any{"kid": k.vm}), vcJWTPayload(t, jwtCred), edSign(forger.priv))
		}, verifier.VerdictInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), tc.data())
			if res.Verdict != tc.want {
				t.Fatalf("verdict %q (err %v), want %q; checks %+v", res.Verdict, err, tc.want, checksOf(res))
			}
			if tc.want != verifier.VerdictValid && (res.OpenBadge || res.Claims != nil && res.Claims.Verified) {
				t.Errorf("OpenBadge %v, claims verified: a %q credential's statements are nobody's", res.OpenBadge, res.Verdict)
			}
		})
	}
}

// TestRedteam11StatementlessForms: JSON-LD forms that carry no statements
// ({"@value": null}, {"@set": []}) or other statements than their JSON
// shape ({"@set": [a, b]} is two values, not one object) can be added to a
// signed credential without touching its signature. The schema check reads
// them by their meaning, so they cannot supply a member the credential
// lacks or hide one it has twice.
func TestRedteam11StatementlessForms(t *testing.T) {
	k := newKey(t, 207)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	noCriteria := unsigned(t, k)
	delete(achievement(noCriteria), "criteria")
	twoCriteria := unsigned(t, k)
	c1 := achievement(twoCriteria)["criteria"]
	c2 := map[string]any{"narrative": "Also passed the oral exam."}
	achievement(twoCriteria)["criteria"] = []any{c1, c2}
	undeclared := clone(t, noCriteria)
	delete(undeclared, "credentialSchema")
	tests := []struct {
		name     string
		doc      map[string]any
		criteria any
		want     verifier.Verdict
	}{
		{"missing criteria given as a null value object", noCriteria, map[string]any{"@value": nil}, verifier.VerdictInvalid},
		{"missing criteria given as an empty set", noCriteria, map[string]any{"@set": []any{}}, verifier.VerdictInvalid},
		{"missing criteria given as a set of a null value", noCriteria, map[string]any{"@set": []any{map[string]any{"@value": nil}}}, verifier.VerdictInvalid},
		{"two criteria wrapped in one set object", twoCriteria, map[string]any{"@set": []any{c1, c2}}, verifier.VerdictInvalid},
		{"undeclared schema: missing criteria given as a null value object", undeclared, map[string]any{"@value": nil}, verifier.VerdictWarnings},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			signed, err := proof.Sign(context.Background(), tc.doc, k.priv, proof.SignOptions{Suite: proof.EddsaRdfc2022, VerificationMethod: k.vm, Created: now.Add(-time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			achievement(signed)["criteria"] = tc.criteria
			res, err := v.Verify(context.Background(), encode(t, signed))
			if res.Verdict != tc.want || res.Decision != verifier.CheckSchema {
				t.Fatalf("verdict %q decided by %q (err %v), want %q by the schema check; checks %+v", res.Verdict, res.Decision, err, tc.want, checksOf(res))
			}
			if c := res.Check(verifier.CheckProof); c.Status != verifier.StatusPass {
				t.Errorf("proof check %+v, want pass: the form adds no statements", c)
			}
		})
	}
}

// TestRedteam11SchemaHiddenByRewrite: a value the declared schema refuses,
// in statements the issuer signed, stays refused when a JSON-LD rewrite
// with the same statements moves it where the JSON schema does not look:
// under its full IRI (with a value object), under @nest, or under a new
// term an appended inline context defines for the same IRI.
func TestRedteam11SchemaHiddenByRewrite(t *testing.T) {
	k := newKey(t, 208)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const (
		dobIRI  = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#dateOfBirth"
		xsdDate = "https://www.w3.org/2001/XMLSchema#date"
	)
	d := unsigned(t, k)
	d["issuer"].(map[string]any)["dateOfBirth"] = "1990-13-45"
	signed := sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)
	move := func(edit func(d, iss map[string]any, dob any)) func() map[string]any {
		return func() map[string]any {
			s := clone(t, signed)
			iss := s["issuer"].(map[string]any)
			dob := iss["dateOfBirth"]
			delete(iss, "dateOfBirth")
			edit(s, iss, dob)
			return s
		}
	}
	tests := []struct {
		name string
		doc  func() map[string]any
	}{
		{"as signed", func() map[string]any { return clone(t, signed) }},
		{"under its full IRI", move(func(_, iss map[string]any, dob any) {
			iss[dobIRI] = map[string]any{"@value": dob, "@type": xsdDate}
		})},
		{"under @nest", move(func(_, iss map[string]any, dob any) {
			iss["@nest"] = map[string]any{"dateOfBirth": dob}
		})},
		{"under an inline alias", move(func(d, iss map[string]any, dob any) {
			withInlineContext(d, map[string]any{"dob": map[string]any{"@id": dobIRI, "@type": xsdDate}})
			iss["dob"] = dob
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), encode(t, tc.doc()))
			if c := res.Check(verifier.CheckProof); c.Status != verifier.StatusPass {
				t.Fatalf("proof check %+v, want pass: the rewrite keeps the statements", c)
			}
			if res.Verdict != verifier.VerdictInvalid || res.Decision != verifier.CheckSchema {
				t.Fatalf("verdict %q decided by %q (err %v), want invalid by the schema check; checks %+v", res.Verdict, res.Decision, err, checksOf(res))
			}
		})
	}
}

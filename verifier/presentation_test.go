package verifier_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

const (
	vpChallenge = "c0ae1c8e-c7e7-469f-b252-86e6a0e7387e"
	vpDomain    = "https://verifier.example"
)

// vpCredential is the sample credential issued and signed by k, with its
// own id so that several can sit in one presentation.
func vpCredential(t testing.TB, k testKey, id string) map[string]any {
	t.Helper()
	cred := unsigned(t, k)
	cred["id"] = id
	return sign(t, cred, k.priv, k.vm, proof.EddsaRdfc2022)
}

// newPresentation is an unsigned VCDM 2.0 presentation by holder carrying
// creds.
func newPresentation(holder string, creds ...any) map[string]any {
	vp := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"},
		"id":       "urn:uuid:7a1d6b43-1b8c-4c1b-93a3-2d1bfe0d9c51",
		"type":     []any{"VerifiablePresentation"},
	}
	if holder != "" {
		vp["holder"] = holder
	}
	if len(creds) > 0 {
		vp["verifiableCredential"] = creds
	}
	return vp
}

// vpSign signs vp for opts (purpose authentication unless opts says).
func vpSign(t testing.TB, vp map[string]any, key crypto.PrivateKey, opts proof.SignOptions) map[string]any {
	t.Helper()
	if opts.ProofPurpose == "" {
		opts.ProofPurpose = "authentication"
	}
	if opts.Created.IsZero() {
		opts.Created = now.Add(-time.Minute)
	}
	signed, err := proof.Sign(context.Background(), vp, key, opts)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// vpJWT is vp as a compact JWS signed by holder k: a VC-JOSE-COSE vp+jwt
// with nonce and aud, or (vc11) a VCDM 1.1 VP-JWT with the vp claim.
func vpJWT(t testing.TB, k testKey, vp map[string]any, vc11 bool) string {
	t.Helper()
	header := map[string]any{"alg": "EdDSA", "typ": "vp+jwt", "kid": k.vm}
	payload := map[string]any{}
	if vc11 {
		header["typ"] = "JWT"
		payload["vp"] = vp
		payload["iss"] = k.did
	} else {
		for key, x := range vp {
			payload[key] = x
		}
	}
	payload["nonce"] = vpChallenge
	payload["aud"] = vpDomain
	payload["exp"] = now.Add(time.Hour).Unix()
	return testkit.CraftJWS(t, header, payload, func(in []byte) []byte { return ed25519.Sign(k.priv, in) })
}

func TestVerifyPresentation(t *testing.T) {
	issuerA, issuerB, holder, other := newKey(t, 61), newKey(t, 62), newKey(t, 63), newKey(t, 64)
	credA := vpCredential(t, issuerA, "urn:uuid:00000000-0000-4000-8000-00000000000a")
	credB := vpCredential(t, issuerB, "urn:uuid:00000000-0000-4000-8000-00000000000b")
	tamperedB := clone(t, credB)
	achievement(tamperedB)["name"] = "Brain Surgery"
	p256 := testkit.P256(t, 65)
	withChallenge := proof.SignOptions{VerificationMethod: holder.vm, Challenge: vpChallenge, Domain: vpDomain}
	good := vpSign(t, newPresentation(holder.did, credA, credB), holder.priv, withChallenge)
	credJWT, err := vcjwt.Sign(context.Background(), unsigned(t, issuerA), issuerA.priv, vcjwt.Options{Format: vcjwt.FormatJOSE, KeyID: issuerA.vm})
	if err != nil {
		t.Fatal(err)
	}
	envelopedVC := map[string]any{
		"@context": "https://www.w3.org/ns/credentials/v2",
		"id":       "data:application/vc+jwt," + credJWT,
		"type":     "EnvelopedVerifiableCredential",
	}
	many := []any{}
	for _, id := range []string{"1", "2", "3"} {
		many = append(many, vpCredential(t, issuerA, "urn:uuid:00000000-0000-4000-8000-00000000000"+id))
	}

	tests := []struct {
		name string
		doc  func(t *testing.T) []byte
		opts verifier.PresentationOptions
		// verdict is the presentation's verdict, decision the check behind it.
		verdict  verifier.Verdict
		decision verifier.CheckName
		// reason is a fragment the deciding check's reason must carry.
		reason string
		// creds are the embedded credentials' verdicts, in order.
		creds []verifier.Verdict
		// unauthenticated is set when the presentation must not be
		// reported authenticated.
		unauthenticated bool
	}{
		{name: "valid with two credentials, challenge and domain", doc: encoded(good),
			opts: verifier.PresentationOptions{Challenge: vpChallenge, Domain: vpDomain}, verdict: verifier.VerdictValid,
			creds: []verifier.Verdict{verifier.VerdictValid, verifier.VerdictValid}},
		{name: "valid, nothing compared", doc: encoded(good), verdict: verifier.VerdictValid,
			creds: []verifier.Verdict{verifier.VerdictValid, verifier.VerdictValid}},
		{name: "wrong challenge", doc: encoded(good), opts: verifier.PresentationOptions{Challenge: "another", Domain: vpDomain},
			verdict: verifier.VerdictInvalid, decision: verifier.CheckChallenge, reason: vpChallenge,
			creds: []verifier.Verdict{verifier.VerdictValid, verifier.VerdictValid}},
		{name: "wrong domain", doc: encoded(good), opts: verifier.PresentationOptions{Challenge: vpChallenge, Domain: "https://evil.example"},
			verdict: verifier.VerdictInvalid, decision: verifier.CheckDomain, reason: vpDomain,
			creds: []verifier.Verdict{verifier.VerdictValid, verifier.VerdictValid}},
		{name: "missing challenge when required", doc: encoded(vpSign(t, newPresentation(holder.did, credA), holder.priv, proof.SignOptions{VerificationMethod: holder.vm})),
			opts: verifier.PresentationOptions{Challenge: vpChallenge}, verdict: verifier.VerdictInvalid, decision: verifier.CheckChallenge, reason: "carries none",
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "tampered presentation", doc: func(t *testing.T) []byte {
			d := clone(t, good)
			d["id"] = "urn:uuid:7a1d6b43-1b8c-4c1b-93a3-000000000000"
			return encode(t, d)
		}, verdict: verifier.VerdictInvalid, decision: verifier.CheckProof, reason: "invalid signature", unauthenticated: true,
			creds: []verifier.Verdict{verifier.VerdictValid, verifier.VerdictValid}},
		{name: "tampered challenge", doc: func(t *testing.T) []byte {
			d := clone(t, good)
			firstProof(d)["challenge"] = "another"
			return encode(t, d)
		}, opts: verifier.PresentationOptions{Challenge: "another"}, verdict: verifier.VerdictInvalid, decision: verifier.CheckProof, reason: "invalid signature", unauthenticated: true,
			creds: []verifier.Verdict{verifier.VerdictValid, verifier.VerdictValid}},
		{name: "tampered embedded credential", doc: encoded(vpSign(t, newPresentation(holder.did, credA, tamperedB), holder.priv, withChallenge)),
			verdict: verifier.VerdictInvalid, decision: verifier.CheckCredentials, reason: "verifiableCredential[1] (urn:uuid:00000000-0000-4000-8000-00000000000b) is invalid",
			creds: []verifier.Verdict{verifier.VerdictValid, verifier.VerdictInvalid}},
		{name: "holder mismatch", doc: encoded(vpSign(t, newPresentation(other.did, credA), holder.priv, withChallenge)),
			verdict: verifier.VerdictInvalid, decision: verifier.CheckProof, reason: "the holder is", unauthenticated: true,
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "proof purpose assertionMethod", doc: encoded(vpSign(t, newPresentation(holder.did, credA), holder.priv, proof.SignOptions{VerificationMethod: holder.vm, ProofPurpose: "assertionMethod", Challenge: vpChallenge})),
			opts: verifier.PresentationOptions{Challenge: vpChallenge}, verdict: verifier.VerdictInvalid, decision: verifier.CheckProof, reason: "proof purpose", unauthenticated: true,
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "no holder: the signer's own key", doc: encoded(vpSign(t, newPresentation("", credA), holder.priv, withChallenge)),
			opts: verifier.PresentationOptions{Challenge: vpChallenge, Domain: vpDomain}, verdict: verifier.VerdictValid,
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "eddsa-jcs-2022", doc: encoded(vpSign(t, newPresentation(holder.did, credA), holder.priv, proof.SignOptions{Suite: proof.EddsaJcs2022, VerificationMethod: holder.vm, Challenge: vpChallenge, Domain: vpDomain})),
			opts: verifier.PresentationOptions{Challenge: vpChallenge, Domain: vpDomain}, verdict: verifier.VerdictValid,
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "ecdsa-rdfc-2019", doc: encoded(vpSign(t, newPresentation(p256.DID, credA), p256.Private, proof.SignOptions{Suite: proof.EcdsaRdfc2019, VerificationMethod: p256.VM, Challenge: vpChallenge, Domain: vpDomain})),
			opts: verifier.PresentationOptions{Challenge: vpChallenge, Domain: vpDomain}, verdict: verifier.VerdictValid,
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "enveloped VC-JWT inside", doc: encoded(vpSign(t, newPresentation(holder.did, envelopedVC, credB), holder.priv, withChallenge)),
			opts: verifier.PresentationOptions{Challenge: vpChallenge, Domain: vpDomain}, verdict: verifier.VerdictValid,
			creds: []verifier.Verdict{verifier.VerdictValid, verifier.VerdictValid}},
		{name: "enveloped VP-JWT", doc: func(t *testing.T) []byte {
			tok := vpJWT(t, holder, newPresentation(holder.did, credA, envelopedVC), false)
			return encode(t, map[string]any{"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiablePresentation", "id": "data:application/vp+jwt," + tok})
		}, opts: verifier.PresentationOptions{Challenge: vpChallenge, Domain: vpDomain}, verdict: verifier.VerdictValid,
			creds: []verifier.Verdict{verifier.VerdictValid, verifier.VerdictValid}},
		{name: "compact VCDM 1.1 VP-JWT", doc: func(t *testing.T) []byte {
			// A VC 1.1 presentation cannot embed a VC 2.0 credential (its
			// context would redefine protected terms): none here.
			vp := newPresentation("")
			vp["@context"] = []any{"https://www.w3.org/2018/credentials/v1"}
			return []byte(vpJWT(t, holder, vp, true))
		}, opts: verifier.PresentationOptions{Challenge: vpChallenge, Domain: vpDomain}, verdict: verifier.VerdictWarnings, decision: verifier.CheckContext, reason: "VC 1.1"},
		{name: "VCDM 1.1 VP-JWT carrying a VC-JWT string", doc: func(t *testing.T) []byte {
			tok, err := vcjwt.Sign(context.Background(), unsigned(t, issuerB), issuerB.priv, vcjwt.Options{KeyID: issuerB.vm})
			if err != nil {
				t.Fatal(err)
			}
			vp := newPresentation("", tok)
			vp["@context"] = []any{"https://www.w3.org/2018/credentials/v1"}
			return []byte(vpJWT(t, holder, vp, true))
		}, opts: verifier.PresentationOptions{Challenge: vpChallenge}, verdict: verifier.VerdictWarnings, decision: verifier.CheckContext, reason: "VC 1.1",
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "VP-JWT wrong nonce", doc: func(t *testing.T) []byte { return []byte(vpJWT(t, holder, newPresentation(holder.did, credA), false)) },
			opts: verifier.PresentationOptions{Challenge: "another"}, verdict: verifier.VerdictInvalid, decision: verifier.CheckChallenge,
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "VP-JWT signed by another key", doc: func(t *testing.T) []byte {
			return []byte(vpJWT(t, testKey{priv: other.priv, did: holder.did, vm: holder.vm}, newPresentation(holder.did, credA), false))
		}, verdict: verifier.VerdictInvalid, decision: verifier.CheckProof, reason: "signature", unauthenticated: true,
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "too many credentials", doc: encoded(vpSign(t, newPresentation(holder.did, many...), holder.priv, withChallenge)),
			opts: verifier.PresentationOptions{MaxCredentials: 2}, verdict: verifier.VerdictCouldNotCheck, decision: verifier.CheckCredentials, reason: "MaxCredentials"},
		{name: "unsigned refused", doc: encoded(newPresentation(holder.did, credA)), verdict: verifier.VerdictInvalid, decision: verifier.CheckProof, reason: "no proof",
			unauthenticated: true, creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "unsigned allowed", doc: encoded(newPresentation(holder.did, credA)), opts: verifier.PresentationOptions{AllowUnsigned: true},
			verdict: verifier.VerdictValid, unauthenticated: true, creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "unsigned allowed, challenge asked", doc: encoded(newPresentation(holder.did, credA)), opts: verifier.PresentationOptions{AllowUnsigned: true, Challenge: vpChallenge},
			verdict: verifier.VerdictInvalid, decision: verifier.CheckChallenge, unauthenticated: true, creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "credential hidden from the json", doc: func(t *testing.T) []byte {
			// The signed statements hold two credentials; the JSON that
			// is shown has one under a full-IRI key the reader skips.
			vp := newPresentation(holder.did, credA)
			vp["https://www.w3.org/2018/credentials#verifiableCredential"] = map[string]any{"@graph": credB}
			return encode(t, vpSign(t, vp, holder.priv, withChallenge))
		}, verdict: verifier.VerdictInvalid, decision: verifier.CheckCredentials, reason: "statements hold 2",
			creds: []verifier.Verdict{verifier.VerdictValid}},
		{name: "not json", doc: func(*testing.T) []byte { return []byte("{") }, verdict: verifier.VerdictInvalid, decision: verifier.CheckParse, unauthenticated: true},
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.VerifyPresentation(context.Background(), tc.doc(t), tc.opts)
			if res == nil {
				t.Fatalf("no result (err %v)", err)
			}
			if res.Verdict != tc.verdict || res.Decision != tc.decision {
				t.Fatalf("verdict %q decided by %q, want %q by %q; checks %+v", res.Verdict, res.Decision, tc.verdict, tc.decision, res.Checks)
			}
			if res.Authenticated == tc.unauthenticated {
				t.Errorf("authenticated %v, want %v", res.Authenticated, !tc.unauthenticated)
			}
			var ve *verifier.VerificationError
			var ie *verifier.InconclusiveError
			switch tc.verdict {
			case verifier.VerdictInvalid:
				if !errors.As(err, &ve) {
					t.Errorf("err %v, want a *VerificationError", err)
				}
			case verifier.VerdictCouldNotCheck:
				if !errors.As(err, &ie) || !errors.Is(err, verifier.ErrLimit) {
					t.Errorf("err %v, want an *InconclusiveError wrapping ErrLimit", err)
				}
			default:
				if err != nil {
					t.Errorf("err %v, want nil", err)
				}
			}
			if tc.decision != "" {
				var c *verifier.CheckResult
				for i := range res.Checks {
					if res.Checks[i].Check == tc.decision {
						c = &res.Checks[i]
					}
				}
				if c == nil || !strings.Contains(c.Reason, tc.reason) {
					t.Errorf("deciding check %+v, want a reason with %q", c, tc.reason)
				}
			}
			if len(res.Credentials) != len(tc.creds) {
				t.Fatalf("%d credential results, want %d", len(res.Credentials), len(tc.creds))
			}
			for i, want := range tc.creds {
				if got := res.Credentials[i].Verdict; got != want {
					t.Errorf("credential %d: %q, want %q; checks %+v", i, got, want, res.Credentials[i].Checks)
				}
			}
			if res.Authenticated && res.Checks[len(res.Checks)-1].Check != verifier.CheckCredentials {
				t.Errorf("checks %+v do not end with the credentials check", res.Checks)
			}
		})
	}
}

// encoded returns a doc builder for d.
func encoded(d map[string]any) func(t *testing.T) []byte {
	return func(t *testing.T) []byte { return encode(t, d) }
}

// BenchmarkVerifyPresentation: a signed presentation of two credentials
// (its own proof and theirs), against Verify of one credential.
func BenchmarkVerifyPresentation(b *testing.B) {
	issuer, holder := newKey(b, 68), newKey(b, 69)
	credA := vpCredential(b, issuer, "urn:uuid:00000000-0000-4000-8000-0000000000e1")
	credB := vpCredential(b, issuer, "urn:uuid:00000000-0000-4000-8000-0000000000e2")
	vp := encode(b, vpSign(b, newPresentation(holder.did, credA, credB), holder.priv, proof.SignOptions{VerificationMethod: holder.vm, Challenge: vpChallenge}))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("presentation of 2", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if res, err := v.VerifyPresentation(ctx, vp, verifier.PresentationOptions{Challenge: vpChallenge}); err != nil || !res.Valid {
				b.Fatal(err)
			}
		}
	})
	one := encode(b, credA)
	b.Run("one credential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, one); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// holderResolver resolves did:example:holder to a document with key as
// #key-1, listed under authentication unless noAuthentication; any other
// DID is unsupported.
type holderResolver struct {
	key              testKey
	noAuthentication bool
}

func (h holderResolver) Resolve(_ context.Context, id string) (*did.Document, error) {
	if id != "did:example:holder" {
		return nil, fmt.Errorf("resolving %s: %w", id, did.ErrUnsupportedMethod)
	}
	vm, err := did.MultikeyMethod(id, "key-1", h.key.priv.Public())
	if err != nil {
		return nil, err
	}
	doc, err := did.NewDocument(id, []did.VerificationMethod{vm})
	if err != nil {
		return nil, err
	}
	if h.noAuthentication {
		doc.Authentication = nil
	}
	return doc, nil
}

// TestVerifyPresentationResolvedHolder: a holder whose DID the verifier's
// resolver reads is bound only by a key its document lists under
// authentication; a DID nobody resolves leaves the presentation undecided.
func TestVerifyPresentationResolvedHolder(t *testing.T) {
	k := newKey(t, 73)
	const holderDID = "did:example:holder"
	cred := vpCredential(t, newKey(t, 74), "urn:uuid:00000000-0000-4000-8000-0000000000d1")
	signed := func(holder string) []byte {
		return encode(t, vpSign(t, newPresentation(holder, cred), k.priv, proof.SignOptions{VerificationMethod: holder + "#key-1", Challenge: vpChallenge}))
	}
	for _, tc := range []struct {
		name     string
		resolver holderResolver
		holder   string
		verdict  verifier.Verdict
		decision verifier.CheckName
	}{
		{"listed under authentication", holderResolver{key: k}, holderDID, verifier.VerdictValid, ""},
		{"listed only under assertionMethod", holderResolver{key: k, noAuthentication: true}, holderDID, verifier.VerdictInvalid, verifier.CheckProof},
		{"unresolvable", holderResolver{key: k}, "did:example:nobody", verifier.VerdictCouldNotCheck, verifier.CheckProof},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, Resolver: tc.resolver})
			if err != nil {
				t.Fatal(err)
			}
			res, _ := v.VerifyPresentation(context.Background(), signed(tc.holder), verifier.PresentationOptions{Challenge: vpChallenge})
			if res.Verdict != tc.verdict || res.Decision != tc.decision {
				t.Fatalf("%s by %q, want %s by %q: %+v", res.Verdict, res.Decision, tc.verdict, tc.decision, res.Checks)
			}
			if tc.verdict == verifier.VerdictValid && (res.Holder != holderDID || !strings.Contains(res.Checks[4].Reason, "authentication")) {
				t.Errorf("holder %q, holder check %+v", res.Holder, res.Checks[4])
			}
		})
	}
}

// TestVerifyPresentationBounds: a presentation is bounded by Options.MaxSize
// as a whole, and its Work counts its own proof and statements only, each
// credential's Result its own.
func TestVerifyPresentationBounds(t *testing.T) {
	holder := newKey(t, 75)
	cred := vpCredential(t, newKey(t, 76), "urn:uuid:00000000-0000-4000-8000-0000000000c1")
	data := encode(t, vpSign(t, newPresentation(holder.did, cred), holder.priv, proof.SignOptions{VerificationMethod: holder.vm}))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, MaxSize: int64(len(data) - 1)})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := v.VerifyPresentation(context.Background(), data, verifier.PresentationOptions{})
	if res.Verdict != verifier.VerdictInvalid || res.Decision != verifier.CheckParse || len(res.Credentials) != 0 {
		t.Fatalf("over MaxSize: %s by %s, %d credentials verified", res.Verdict, res.Decision, len(res.Credentials))
	}
	v, err = verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err = v.VerifyPresentation(context.Background(), data, verifier.PresentationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	one, err := v.Verify(context.Background(), encode(t, cred))
	if err != nil {
		t.Fatal(err)
	}
	// The presentation's statements hold the credential's and more.
	if res.Work.Proofs != 1 || res.Work.Quads <= one.Work.Quads || res.Credentials[0].Work.Quads != one.Work.Quads {
		t.Errorf("presentation work %+v, credential's %+v, alone %+v", res.Work, res.Credentials[0].Work, one.Work)
	}
}

package verifier_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// recordingResolver records every DID it is asked for and finds none.
type recordingResolver struct {
	mu    sync.Mutex
	asked []string
}

func (r *recordingResolver) Resolve(_ context.Context, id string) (*did.Document, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, id)
	return nil, errors.New("not found by the recording resolver")
}

// TestResolverOnlyForTheIssuer: the key rule asks a resolver only for the
// issuer's own document, so a forger naming other verification methods in
// the proof set cannot make the verifier fetch URLs of their choosing.
func TestResolverOnlyForTheIssuer(t *testing.T) {
	k := newKey(t, 225)
	const issuer = "did:web:issuer.example"
	d := unsigned(t, k)
	d["issuer"].(map[string]any)["id"] = issuer
	var proofs []any
	for _, vm := range []string{"did:web:victim.example#key-1", "did:web:10.0.0.1#k", issuer + "#key-1", "did:web:issuer.example:other#k"} {
		signed, err := proof.Sign(context.Background(), d, k.priv, proof.SignOptions{Suite: proof.EddsaRdfc2022, VerificationMethod: vm, Created: now.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		proofs = append(proofs, firstProof(signed))
	}
	d["proof"] = proofs
	rec := &recordingResolver{}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, Resolver: rec})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), encode(t, d))
	if res.Verdict.Accepted() {
		t.Fatalf("accepted: %v", err)
	}
	if !slices.Equal(rec.asked, []string{issuer}) {
		t.Fatalf("resolver asked for %q, want only the issuer %s; checks %+v", rec.asked, issuer, res.Checks)
	}
}

// TestProofsThatDoNotReadResolveNothing: the binding step judges only the
// methods of proofs that read (proof.ParseSet, vcjwt.Prepare), so a proof
// naming the issuer's own did:web method but malformed, of an unknown
// suite, of another purpose or expired makes the verifier fetch nothing.
// The controls, well formed, make it ask for the issuer's document once.
func TestProofsThatDoNotReadResolveNothing(t *testing.T) {
	k := newKey(t, 226)
	const issuer = "did:web:issuer.example"
	const vm = issuer + "#key-1"
	d := unsigned(t, k)
	d["issuer"].(map[string]any)["id"] = issuer
	signed := sign(t, d, k.priv, vm, proof.EddsaRdfc2022)
	di := func(edit func(p map[string]any)) []byte {
		c := clone(t, signed)
		if edit != nil {
			edit(firstProof(c))
		}
		return encode(t, c)
	}
	payload := vcJWTPayload(t, d)
	jwt := func(header map[string]any, signature bool) []byte {
		var signer func([]byte) []byte
		if signature {
			signer = func(in []byte) []byte { return ed25519.Sign(k.priv, in) }
		}
		return craftJWT(t, header, payload, signer)
	}
	tests := []struct {
		name string
		doc  []byte
		want []string // what the resolver is asked for
	}{
		{"control: a well-formed proof", di(nil), []string{issuer}},
		{"no proofValue", di(func(p map[string]any) { delete(p, "proofValue") }), nil},
		{"proofValue not multibase", di(func(p map[string]any) { p["proofValue"] = "!!" }), nil},
		{"unknown suite", di(func(p map[string]any) { p["cryptosuite"] = "rot13-2025" }), nil},
		{"another purpose", di(func(p map[string]any) { p["proofPurpose"] = "authentication" }), nil},
		{"expired", di(func(p map[string]any) { p["expires"] = "2020-01-01T00:00:00Z" }), nil},
		{"previousProof naming nothing", di(func(p map[string]any) { p["previousProof"] = "urn:uuid:none" }), nil},
		{"created not a date", di(func(p map[string]any) { p["created"] = "yesterday" }), nil},
		{"jwt control: a well-formed token", jwt(map[string]any{"alg": "EdDSA", "kid": vm}, true), []string{issuer}},
		{"jwt alg none", jwt(map[string]any{"alg": "none", "kid": vm}, true), nil},
		{"jwt crit header", jwt(map[string]any{"alg": "EdDSA", "kid": vm, "crit": []any{"exp"}}, true), nil},
		{"jwt typ not a credential", jwt(map[string]any{"alg": "EdDSA", "kid": vm, "typ": "dpop+jwt"}, true), nil},
		{"jwt without signature", jwt(map[string]any{"alg": "EdDSA", "kid": vm}, false), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingResolver{}
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, Resolver: rec})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), tc.doc)
			if res.Verdict.Accepted() {
				t.Fatalf("accepted: %v", err)
			}
			if !slices.Equal(rec.asked, tc.want) {
				t.Errorf("resolver asked for %q, want %q; checks %+v", rec.asked, tc.want, res.Checks)
			}
		})
	}
}

// TestBindingVerdictPerProof: the binding step judges each proof's method
// on its own, and proof verification runs with only the keys it bound. A
// valid proof by a bound key wins whatever the other proofs are; without
// one, a forged or refused proof of the issuer's makes the credential
// invalid before one whose key could not be bound makes it undecided.
func TestBindingVerdictPerProof(t *testing.T) {
	k, other := newKey(t, 227), newKey(t, 228)
	const issuer = "did:web:issuer.example"
	const pinned, unreachable = issuer + "#pinned", issuer + "#key-1"
	d := unsigned(t, k)
	d["issuer"].(map[string]any)["id"] = issuer
	by := func(key testKey, vm string) any { return firstProof(sign(t, d, key.priv, vm, proof.EddsaRdfc2022)) }
	valid := by(k, pinned)                   // bound by the pin, signature good
	forged := by(other, pinned)              // bound by the pin, signed by another key
	unbound := by(k, unreachable)            // the issuer's document cannot be had
	foreign := by(other, other.did+"#other") // someone else's method: refused offline
	tests := []struct {
		name   string
		proofs []any
		want   verifier.Verdict
		asked  int // resolver calls: only for the issuer's unpinned method
	}{
		{"bound and valid", []any{valid}, verifier.VerdictValid, 0},
		{"unbound, then bound and valid", []any{unbound, valid}, verifier.VerdictValid, 1},
		{"forged, then bound and valid", []any{forged, valid}, verifier.VerdictValid, 0},
		{"unbound alone", []any{unbound}, verifier.VerdictCouldNotCheck, 1},
		{"unbound, then forged", []any{unbound, forged}, verifier.VerdictInvalid, 1},
		{"forged, then unbound", []any{forged, unbound}, verifier.VerdictInvalid, 1},
		{"unbound beside a foreign proof", []any{foreign, unbound}, verifier.VerdictCouldNotCheck, 1},
		{"foreign alone", []any{foreign}, verifier.VerdictInvalid, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingResolver{}
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, Resolver: rec,
				PinnedKeys: []verifier.PinnedKey{{Issuer: issuer, VerificationMethod: pinned, Key: k.priv.Public()}}})
			if err != nil {
				t.Fatal(err)
			}
			c := clone(t, d)
			c["proof"] = tc.proofs
			res, err := v.Verify(context.Background(), encode(t, c))
			if res.Verdict != tc.want || res.Decision != verifier.CheckProof && tc.want != verifier.VerdictValid {
				t.Errorf("%s (decided by %s, %v), want %s", res.Verdict, res.Decision, err, tc.want)
			}
			if len(rec.asked) != tc.asked {
				t.Errorf("resolver asked for %q, want %d calls", rec.asked, tc.asked)
			}
		})
	}
}

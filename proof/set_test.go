package proof

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/internal/testkit"
)

// keysByMethod serves a fixed key per verification method.
type keysByMethod map[string]crypto.PublicKey

func (k keysByMethod) PublicKey(_ context.Context, vm, _ string) (crypto.PublicKey, error) {
	if pub, ok := k[vm]; ok {
		return pub, nil
	}
	return nil, errors.New("unknown verification method " + vm)
}

// seededKey is testkit's Ed25519 key of seed.
func seededKey(t testing.TB, seed byte) ed25519.PrivateKey {
	t.Helper()
	return testkit.Ed25519(t, seed).Ed25519Private(t)
}

// TestVerifySetJudgesEachProofAlone: a failing proof never hides a valid
// one, in either order, and each Outcome names its own method.
func TestVerifySetJudgesEachProofAlone(t *testing.T) {
	ctx := context.Background()
	l := testLoader(t)
	issuer, other := seededKey(t, 1), seededKey(t, 2)
	keys := keysByMethod{"did:ex:issuer#k": issuer.Public(), "did:ex:other#k": other.Public()}
	base := obUnsigned(t)
	signed := func(doc map[string]any, key ed25519.PrivateKey, vm string) map[string]any {
		out, err := Sign(ctx, doc, key, SignOptions{VerificationMethod: vm, Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	byIssuer := signed(base, issuer, "did:ex:issuer#k")
	byOther := signed(base, other, "did:ex:other#k")
	forged := signed(base, other, "did:ex:issuer#k") // claims the issuer's method
	p := func(d map[string]any) any { return d["proof"].([]any)[0] }

	tests := []struct {
		name   string
		proofs []any
		// ok lists, per proof, whether it must verify.
		ok []bool
	}{
		{"third party first, issuer second", []any{p(byOther), p(byIssuer)}, []bool{true, true}},
		{"issuer first, third party second", []any{p(byIssuer), p(byOther)}, []bool{true, true}},
		{"forged issuer proof after a valid third party", []any{p(byOther), p(forged)}, []bool{true, false}},
		{"forged issuer proof before the real one", []any{p(forged), p(byIssuer)}, []bool{false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := obUnsigned(t)
			d["proof"] = tt.proofs
			outs, err := VerifySet(ctx, d, VerifyOptions{Keys: keys, Loader: l})
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != len(tt.ok) {
				t.Fatalf("%d outcomes, want %d", len(outs), len(tt.ok))
			}
			for i, o := range outs {
				if got := o.Err == nil; got != tt.ok[i] {
					t.Errorf("proof[%d] verified = %v (%v), want %v", i, got, o.Err, tt.ok[i])
				}
				want := tt.proofs[i].(map[string]any)["verificationMethod"]
				if o.VerificationMethod != want {
					t.Errorf("proof[%d] method %q, want %q", i, o.VerificationMethod, want)
				}
				if o.Err == nil && len(o.Statements) == 0 {
					t.Errorf("proof[%d] verified without statements", i)
				}
			}
		})
	}
}

// TestStatementsAreWhatWasSigned: the statements of a verified proof are
// the canonical N-Quads of the document, and a JSON-LD rewrite of the
// document (a term spelled as its full IRI) gives the same statements and
// keeps the signature valid.
func TestStatementsAreWhatWasSigned(t *testing.T) {
	ctx := context.Background()
	l := testLoader(t)
	key := seededKey(t, 3)
	keys := keysByMethod{"did:ex:issuer#k": key.Public()}
	for _, suite := range []Suite{EddsaRdfc2022, EddsaJcs2022, Ed25519Signature2020} {
		t.Run(string(suite), func(t *testing.T) {
			doc, err := Sign(ctx, obUnsigned(t), key, SignOptions{Suite: suite, VerificationMethod: "did:ex:issuer#k", Loader: l})
			if err != nil {
				t.Fatal(err)
			}
			outs, err := VerifySet(ctx, doc, VerifyOptions{Keys: keys, Loader: l, Statements: true})
			if err != nil || outs[0].Err != nil {
				t.Fatalf("verify: %v %v", err, outs)
			}
			if n := strings.Count(string(outs[0].Statements), " .\n"); n < 5 {
				t.Fatalf("only %d statements", n)
			}
			if !strings.Contains(string(outs[0].Statements), "<https://www.w3.org/2018/credentials#issuer>") {
				t.Errorf("statements lack the issuer:\n%s", outs[0].Statements)
			}
		})
	}
	t.Run("jcs without Statements asked", func(t *testing.T) {
		doc, err := Sign(ctx, obUnsigned(t), key, SignOptions{Suite: EddsaJcs2022, VerificationMethod: "did:ex:issuer#k", Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		outs, err := VerifySet(ctx, doc, VerifyOptions{Keys: keys, Loader: l})
		if err != nil || outs[0].Err != nil {
			t.Fatalf("verify: %v %v", err, outs)
		}
		if outs[0].Statements != nil {
			t.Error("jcs statements computed though not asked for")
		}
	})
}

// TestProofChain: a proof naming previousProof signs the document with
// that proof attached, so replacing or dropping the earlier proof breaks
// the later one.
func TestProofChain(t *testing.T) {
	ctx := context.Background()
	l := testLoader(t)
	first, second := seededKey(t, 4), seededKey(t, 5)
	keys := keysByMethod{"did:ex:a#k": first.Public(), "did:ex:b#k": second.Public()}
	one, err := Sign(ctx, obUnsigned(t), first, SignOptions{VerificationMethod: "did:ex:a#k", ID: "urn:uuid:proof-1", Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	two, err := Sign(ctx, one, second, SignOptions{VerificationMethod: "did:ex:b#k", ID: "urn:uuid:proof-2", PreviousProof: []string{"urn:uuid:proof-1"}, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := VerifySet(ctx, two, VerifyOptions{Keys: keys, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Err != nil || outs[1].Err != nil {
		t.Fatalf("chain does not verify: %v / %v", outs[0].Err, outs[1].Err)
	}
	if len(outs[1].PreviousProofs) != 1 || outs[1].PreviousProofs[0] != 0 {
		t.Errorf("PreviousProofs = %v, want [0]", outs[1].PreviousProofs)
	}

	// The first proof replaced by another valid proof with the same id.
	other, err := Sign(ctx, obUnsigned(t), first, SignOptions{VerificationMethod: "did:ex:a#k", ID: "urn:uuid:proof-1", Loader: l, Created: mustTime(t, "2020-01-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	swapped := jsonvalue.Clone(two).(map[string]any)
	swapped["proof"].([]any)[0] = other["proof"].([]any)[0]
	outs, err = VerifySet(ctx, swapped, VerifyOptions{Keys: keys, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Err != nil {
		t.Errorf("the replacement proof is itself valid, got %v", outs[0].Err)
	}
	if !errors.Is(outs[1].Err, ErrInvalidSignature) {
		t.Errorf("chained proof over a replaced previous proof: %v, want ErrInvalidSignature", outs[1].Err)
	}

	// The first proof dropped: the name no longer resolves.
	dropped := jsonvalue.Clone(two).(map[string]any)
	dropped["proof"] = []any{dropped["proof"].([]any)[1]}
	outs, err = VerifySet(ctx, dropped, VerifyOptions{Keys: keys, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(outs[0].Err, ErrMalformedProof) {
		t.Errorf("chained proof without its previous proof: %v, want ErrMalformedProof", outs[0].Err)
	}

	if _, err := Sign(ctx, one, second, SignOptions{VerificationMethod: "did:ex:b#k", PreviousProof: []string{"urn:uuid:missing"}, Loader: l}); !errors.Is(err, ErrMalformedProof) {
		t.Errorf("signing with a missing previous proof: %v, want ErrMalformedProof", err)
	}
}

// TestVerifySetBoundsTheProofSet: MaxProofs refuses a larger set whole.
func TestVerifySetBoundsTheProofSet(t *testing.T) {
	d := obSigned(t)
	p := firstProof(t, d)
	d["proof"] = []any{p, p, p}
	_, err := VerifySet(context.Background(), d, VerifyOptions{Keys: &fragmentKeys{}, Loader: testLoader(t), MaxProofs: 2})
	if !errors.Is(err, ErrMalformedProof) {
		t.Errorf("3 proofs with MaxProofs 2: %v, want ErrMalformedProof", err)
	}
}

// recordingKeys serves keysByMethod and records each method asked for.
type recordingKeys struct {
	keys  keysByMethod
	asked []string
}

func (r *recordingKeys) PublicKey(ctx context.Context, vm, purpose string) (crypto.PublicKey, error) {
	r.asked = append(r.asked, vm+" "+purpose)
	return r.keys.PublicKey(ctx, vm, purpose)
}

// TestParseSetIsVerifySetBeforeKeys: ParseSet gives each proof the error
// VerifySet gives it before asking for a key, and VerifySet asks for the
// key of exactly the proofs ParseSet read without error, so a caller can
// judge every method before any key is fetched, and a malformed proof
// causes no fetch.
func TestParseSetIsVerifySetBeforeKeys(t *testing.T) {
	ctx := context.Background()
	l := testLoader(t)
	key := seededKey(t, 6)
	rec := &recordingKeys{keys: keysByMethod{}}
	now := mustTime(t, "2026-01-01T00:00:00Z")
	proofBy := func(vm string, edit func(map[string]any)) any {
		rec.keys[vm] = key.Public()
		d, err := Sign(ctx, obUnsigned(t), key, SignOptions{VerificationMethod: vm, ID: "urn:uuid:" + vm, Loader: l, Created: now.AddDate(0, -1, 0)})
		if err != nil {
			t.Fatal(err)
		}
		p := d["proof"].([]any)[0].(map[string]any)
		if edit != nil {
			edit(p)
		}
		return p
	}
	set := []struct {
		name string
		p    any
		want error // nil: reads, and its key is asked for
	}{
		{"valid", proofBy("did:ex:valid#k", nil), nil},
		{"not an object", "did:ex:string#k", ErrMalformedProof},
		{"no proofValue", proofBy("did:ex:novalue#k", func(p map[string]any) { delete(p, "proofValue") }), ErrMalformedProof},
		{"proofValue not multibase", proofBy("did:ex:badvalue#k", func(p map[string]any) { p["proofValue"] = "!!" }), ErrMalformedProof},
		{"unknown suite", proofBy("did:ex:suite#k", func(p map[string]any) { p["cryptosuite"] = "rot13-2025" }), ErrUnknownSuite},
		{"another purpose", proofBy("did:ex:purpose#k", func(p map[string]any) { p["proofPurpose"] = "authentication" }), ErrPurposeMismatch},
		{"expired", proofBy("did:ex:expired#k", func(p map[string]any) { p["expires"] = "2025-01-01T00:00:00Z" }), ErrExpired},
		{"previousProof naming nothing", proofBy("did:ex:chain#k", func(p map[string]any) { p["previousProof"] = "urn:uuid:nothing" }), ErrMalformedProof},
		{"verificationMethod not a string", proofBy("did:ex:vmtype#k", func(p map[string]any) { p["verificationMethod"] = 7.0 }), ErrMalformedProof},
		{"tampered signature", proofBy("did:ex:tampered#k", func(p map[string]any) { p["created"] = "2025-12-01T00:00:01Z" }), nil},
	}
	d := obUnsigned(t)
	var proofs []any
	for _, s := range set {
		proofs = append(proofs, s.p)
	}
	d["proof"] = proofs
	opts := VerifyOptions{Keys: rec, Loader: l, Now: func() time.Time { return now }}
	parsed, err := ParseSet(d, VerifyOptions{Now: opts.Now})
	if err != nil {
		t.Fatal(err)
	}
	verified, err := VerifySet(ctx, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	var wantAsked []string
	for i, s := range set {
		p, v := parsed[i], verified[i]
		if s.want == nil {
			if p.Err != nil {
				t.Errorf("%s: ParseSet: %v, want it read", s.name, p.Err)
			}
			wantAsked = append(wantAsked, p.VerificationMethod+" assertionMethod")
			if p.Suite != v.Suite || p.VerificationMethod != v.VerificationMethod || p.Purpose != v.Purpose || p.Created != v.Created || p.Index != i {
				t.Errorf("%s: ParseSet read %+v, VerifySet %+v", s.name, p.Result, v.Result)
			}
			continue
		}
		if !errors.Is(p.Err, s.want) || v.Err == nil || p.Err.Error() != v.Err.Error() {
			t.Errorf("%s: ParseSet %v, VerifySet %v; want both %v", s.name, p.Err, v.Err, s.want)
		}
	}
	if verified[0].Err != nil || !errors.Is(verified[len(set)-1].Err, ErrInvalidSignature) {
		t.Errorf("valid proof: %v; tampered: %v", verified[0].Err, verified[len(set)-1].Err)
	}
	if strings.Join(rec.asked, ", ") != strings.Join(wantAsked, ", ") {
		t.Errorf("VerifySet asked for %q, want %q: the keys of the proofs ParseSet read", rec.asked, wantAsked)
	}

	for name, doc := range map[string]map[string]any{"no proof": obUnsigned(t), "proof a string": {"proof": "x"}} {
		_, perr := ParseSet(doc, VerifyOptions{})
		_, verr := VerifySet(ctx, doc, opts)
		if perr == nil || verr == nil || perr.Error() != verr.Error() {
			t.Errorf("%s: ParseSet %v, VerifySet %v; want the same document error", name, perr, verr)
		}
	}
}

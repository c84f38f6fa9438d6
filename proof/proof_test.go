package proof

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/keys"
)

const (
	specDir      = "../../shared/spec"
	examplesURL  = "https://www.w3.org/ns/credentials/examples/v2"
	examplesCtx  = `{"@context":{"@vocab":"https://www.w3.org/ns/credentials/examples#"}}`
	obDir        = "test-vectors/ob-v3p0-eddsa-rdfc-2022"
	obVM         = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	obCreated    = "2010-01-01T19:23:24Z"
	obProofValue = "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)

// shared returns a path below ../../shared/spec, skipping (failing on CI)
// when the reference material is absent.
func shared(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(specDir, rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("reference material %s missing: %v", p, err)
		}
		tb.Skipf("reference material %s missing (needs ../shared next to the repo)", p)
	}
	return p
}

func readFile(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(shared(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func readDoc(tb testing.TB, rel string) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFile(tb, rel), &m); err != nil {
		tb.Fatalf("%s: %v", rel, err)
	}
	return m
}

func trimmed(tb testing.TB, rel string) string {
	return strings.TrimSpace(string(readFile(tb, rel)))
}

// testLoader is the bundled loader plus the W3C examples context, which the
// vc-di-eddsa vectors use and badgesmith does not ship.
func testLoader(tb testing.TB) ld.DocumentLoader {
	tb.Helper()
	l, err := jsonld.NewLoader()
	if err != nil {
		tb.Fatal(err)
	}
	if !l.Has(contexts.OBv3p0) || !l.Has(contexts.Ed25519Signature2020V1) {
		tb.Skip("bundled contexts not available yet")
	}
	w, err := l.With(examplesURL, []byte(examplesCtx))
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// fragmentKeys reads the key from the z6Mk... fragment of the verification
// method, as the 1EdTech validator does for the OB vector and as did:key
// resolution amounts to.
type fragmentKeys struct{ purposes []string }

func (f *fragmentKeys) PublicKey(_ context.Context, vm, purpose string) (crypto.PublicKey, error) {
	f.purposes = append(f.purposes, purpose)
	_, frag, ok := strings.Cut(vm, "#")
	if !ok {
		return nil, errors.New("no key fragment")
	}
	return keys.DecodePublicMultikey(frag)
}

// fixedKey returns the same key for every verification method.
type fixedKey struct{ key crypto.PublicKey }

func (f fixedKey) PublicKey(context.Context, string, string) (crypto.PublicKey, error) {
	return f.key, nil
}

// obKey is the OB test vector's key.
func obKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	return testkit.OBVector(tb).Ed25519Private(tb)
}

func obSigned(tb testing.TB) map[string]any {
	return readDoc(tb, obDir+"/signed-credential.json")
}

func obUnsigned(tb testing.TB) map[string]any {
	d := obSigned(tb)
	delete(d, "proof")
	return d
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func firstProof(tb testing.TB, d map[string]any) map[string]any {
	tb.Helper()
	switch p := d["proof"].(type) {
	case map[string]any:
		return p
	case []any:
		return p[0].(map[string]any)
	}
	tb.Fatalf("no proof in %v", d)
	return nil
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestOBVector(t *testing.T) {
	l := testLoader(t)
	ctx := context.Background()
	priv := obKey(t)

	t.Run("intermediate forms", func(t *testing.T) {
		doc := obUnsigned(t)
		canonDoc, err := jsonld.Canonicalize(ctx, doc, jsonld.CanonOptions{Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		if string(canonDoc) != string(readFile(t, obDir+"/document-canon.txt")) {
			t.Errorf("canonical document differs from document-canon.txt")
		}
		config := map[string]any{
			"@context": doc["@context"], "type": "DataIntegrityProof", "cryptosuite": string(EddsaRdfc2022),
			"created": obCreated, "verificationMethod": obVM, "proofPurpose": "assertionMethod",
		}
		canonProof, err := jsonld.Canonicalize(ctx, config, jsonld.CanonOptions{Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		if string(canonProof) != string(readFile(t, obDir+"/proof-canon.txt")) {
			t.Errorf("canonical proof options differ from proof-canon.txt:\n%s", canonProof)
		}
		docHash, err := suiteEddsaRdfc.documentHash(ctx, doc, jsonld.CanonOptions{Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		data, err := suiteEddsaRdfc.hashData(ctx, config, docHash, jsonld.CanonOptions{Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		want := "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19" + "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
		if hex.EncodeToString(data) != want {
			t.Errorf("hash data %x, want %s", data, want)
		}
		sig := ed25519.Sign(priv, data)
		if hex.EncodeToString(sig) != "f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503" {
			t.Errorf("signature %x", sig)
		}
	})

	t.Run("sign reproduces proofValue", func(t *testing.T) {
		out, err := Sign(ctx, obUnsigned(t), priv, SignOptions{VerificationMethod: obVM, Created: mustTime(t, obCreated), Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		p := firstProof(t, out)
		if p["proofValue"] != obProofValue {
			t.Errorf("proofValue %v, want %s", p["proofValue"], obProofValue)
		}
		want := firstProof(t, obSigned(t))
		for _, k := range []string{"type", "cryptosuite", "created", "verificationMethod", "proofPurpose"} {
			if p[k] != want[k] {
				t.Errorf("proof %s = %v, want %v", k, p[k], want[k])
			}
		}
	})

	t.Run("verify signed-credential.json", func(t *testing.T) {
		f := &fragmentKeys{}
		res, err := Verify(ctx, obSigned(t), VerifyOptions{Keys: f, Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		if res.Suite != EddsaRdfc2022 || res.VerificationMethod != obVM || res.Created != obCreated || res.Index != 0 {
			t.Errorf("result %+v", res)
		}
		if len(f.purposes) != 1 || f.purposes[0] != "assertionMethod" {
			t.Errorf("key fetched for purposes %v", f.purposes)
		}
	})
}

// TestCLRVector checks what the CLR vector publishes without its input
// document: the same proof options and key over its canonical document give
// its signature and proofValue.
func TestCLRVector(t *testing.T) {
	l := testLoader(t)
	const dir = "test-vectors/clr-v2p0-eddsa-rdfc-2022"
	canonDoc := readFile(t, dir+"/document-canon.txt")
	if got := sha(canonDoc); got != "768d7015ae69e0210e1c2a45194d9c1d15d7a6022e52b946574a2a27f6fa85fe" {
		t.Fatalf("document-canon.txt sha-256 %s", got)
	}
	config := map[string]any{
		"@context": []any{contexts.CredentialsV2, contexts.CLRv2p0, contexts.OBv3p0},
		"type":     "DataIntegrityProof", "cryptosuite": string(EddsaRdfc2022),
		"created": obCreated, "verificationMethod": obVM, "proofPurpose": "assertionMethod",
	}
	canonProof, err := jsonld.Canonicalize(context.Background(), config, jsonld.CanonOptions{Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	if string(canonProof) != string(readFile(t, dir+"/proof-canon.txt")) {
		t.Errorf("canonical proof options differ from the CLR proof-canon.txt:\n%s", canonProof)
	}
	docHash := sha256.Sum256(canonDoc)
	data, err := suiteEddsaRdfc.hashData(context.Background(), config, docHash[:], jsonld.CanonOptions{Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	sig := ed25519.Sign(obKey(t), data)
	if hex.EncodeToString(sig) != "0c220dadbcfcaa64ab8a8c5002dbe258e6c7746ca71c25e2ea3b7fbffd66568413f53b1d34f5655f3057864bd372bbf0d1e74ea2f8c72e2f4b5790f21a22b70a" {
		t.Errorf("signature %x", sig)
	}
	if pv := encodeProofValue(sig); pv != "zF52sU1nfPAjcwCqtgxPNSor6SJnAzRBwZW5VNQXPt8xXCHkd39sgqj32DnMjhFCzbyHsLkhQ8HpBqQTkMgXy329" {
		t.Errorf("proofValue %s", pv)
	}
}

func w3cKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	var kp struct{ PrivateKeyMultibase string }
	if err := json.Unmarshal(readFile(tb, "test-vectors/w3c-vc-di-eddsa/keyPair.json"), &kp); err != nil {
		tb.Fatal(err)
	}
	k, err := keys.DecodeSecretMultikey(kp.PrivateKeyMultibase)
	if err != nil {
		tb.Fatal(err)
	}
	return k.(ed25519.PrivateKey)
}

func TestW3CVectors(t *testing.T) {
	l := testLoader(t)
	ctx := context.Background()
	const base = "test-vectors/w3c-vc-di-eddsa/"
	tests := []struct {
		suite    Suite
		dir, tag string
	}{
		{EddsaRdfc2022, "eddsa-rdfc-2022", "DataInt"},
		{Ed25519Signature2020, "Ed25519Signature2020", "EdSig"},
	}
	for _, tt := range tests {
		t.Run(string(tt.suite), func(t *testing.T) {
			dir := base + tt.dir + "/"
			unsigned := readDoc(t, base+"unsigned.json")
			config := readDoc(t, dir+"proofConfig"+tt.tag+".json")

			canonDoc, err := jsonld.Canonicalize(ctx, unsigned, jsonld.CanonOptions{Loader: l})
			if err != nil {
				t.Fatal(err)
			}
			if string(canonDoc) != string(readFile(t, dir+"canonDoc"+tt.tag+".txt")) {
				t.Errorf("canonical document differs:\n%s", canonDoc)
			}
			if got := sha(canonDoc); got != trimmed(t, dir+"docHash"+tt.tag+".txt") {
				t.Errorf("document hash %s", got)
			}
			canonProof, err := jsonld.Canonicalize(ctx, config, jsonld.CanonOptions{Loader: l})
			if err != nil {
				t.Fatal(err)
			}
			if string(canonProof) != string(readFile(t, dir+"proofCanon"+tt.tag+".txt")) {
				t.Errorf("canonical proof options differ:\n%s", canonProof)
			}
			if got := sha(canonProof); got != trimmed(t, dir+"proofHash"+tt.tag+".txt") {
				t.Errorf("proof hash %s", got)
			}

			out, err := Sign(ctx, unsigned, w3cKey(t), SignOptions{
				Suite:              tt.suite,
				VerificationMethod: config["verificationMethod"].(string),
				Created:            mustTime(t, config["created"].(string)),
				Loader:             l,
			})
			if err != nil {
				t.Fatal(err)
			}
			p := firstProof(t, out)
			if p["proofValue"] != trimmed(t, dir+"sigBTC58"+tt.tag+".txt") {
				t.Errorf("proofValue %v", p["proofValue"])
			}
			signed := readDoc(t, dir+"signed"+tt.tag+".json")
			gotCtx, _ := json.Marshal(out["@context"])
			wantCtx, _ := json.Marshal(signed["@context"])
			if string(gotCtx) != string(wantCtx) {
				t.Errorf("@context %s, want %s", gotCtx, wantCtx)
			}
			res, err := Verify(ctx, signed, VerifyOptions{Keys: &fragmentKeys{}, Loader: l})
			if err != nil {
				t.Fatalf("verifying the published signed document: %v", err)
			}
			if res.Suite != tt.suite {
				t.Errorf("Suite = %q", res.Suite)
			}
			if _, err := Verify(ctx, out, VerifyOptions{Keys: &fragmentKeys{}, Loader: l}); err != nil {
				t.Errorf("verifying our signed document: %v", err)
			}
		})
	}
}

func TestVerifyTampered(t *testing.T) {
	l := testLoader(t)
	ctx := context.Background()
	other := testkit.Ed25519(t, 2).Public
	ecKey := testkit.P256(t, 1).Private.(*ecdsa.PrivateKey)
	otherMK, err := keys.EncodePublicMultikey(other)
	if err != nil {
		t.Fatal(err)
	}
	proofField := func(k string, v any) func(d map[string]any) {
		return func(d map[string]any) { d["proof"].(map[string]any)[k] = v }
	}
	tests := []struct {
		name   string
		mutate func(d map[string]any)
		keys   KeyFetcher
		want   error
		field  string // the Error field, when one proof is at fault
		notBad bool   // the error must not claim the credential is bad
	}{
		{name: "changed name", mutate: func(d map[string]any) { d["name"] = "Other badge" }, want: ErrInvalidSignature, field: "proofValue"},
		{name: "changed subject", mutate: func(d map[string]any) {
			d["credentialSubject"].(map[string]any)["id"] = "did:example:someone-else"
		}, want: ErrInvalidSignature, field: "proofValue"},
		{name: "changed proof created", mutate: proofField("created", "2011-01-01T19:23:24Z"), want: ErrInvalidSignature, field: "proofValue"},
		{name: "swapped verification method", mutate: proofField("verificationMethod", "https://example.edu/issuers/565049#"+otherMK), want: ErrInvalidSignature, field: "proofValue"},
		{name: "wrong key", keys: fixedKey{other}, want: ErrInvalidSignature, field: "proofValue"},
		{name: "truncated proofValue", mutate: proofField("proofValue", obProofValue[:len(obProofValue)-3]), want: ErrMalformedProof, field: "proofValue"},
		{name: "non-z multibase", mutate: proofField("proofValue", "u"+obProofValue[1:]), want: ErrMalformedProof, field: "proofValue"},
		{name: "non-base58 character", mutate: proofField("proofValue", "z0"+obProofValue[2:]), want: ErrMalformedProof, field: "proofValue"},
		{name: "huge proofValue", mutate: proofField("proofValue", "z"+strings.Repeat("2", 10000)), want: ErrMalformedProof, field: "proofValue"},
		{name: "flipped signature byte", mutate: proofField("proofValue", "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCs"), want: ErrInvalidSignature, field: "proofValue"},
		{name: "unknown cryptosuite", mutate: proofField("cryptosuite", "ecdsa-sd-2023"), want: ErrUnknownSuite, field: "cryptosuite"},
		{name: "spec typo cryptosuite", mutate: proofField("cryptosuite", "eddsa-rdf-2022"), want: ErrUnknownSuite, field: "cryptosuite"},
		{name: "unknown type", mutate: proofField("type", "RsaSignature2018"), want: ErrUnknownSuite, field: "type"},
		{name: "Ed25519Signature2020 type on a DataIntegrityProof", mutate: proofField("type", string(Ed25519Signature2020)), want: ErrMalformedProof, field: "cryptosuite"},
		{name: "missing cryptosuite", mutate: func(d map[string]any) { delete(d["proof"].(map[string]any), "cryptosuite") }, want: ErrMalformedProof, field: "cryptosuite"},
		{name: "purpose mismatch", mutate: proofField("proofPurpose", "authentication"), want: ErrPurposeMismatch, field: "proofPurpose"},
		{name: "created without zone", mutate: proofField("created", "2010-01-01T19:23:24"), want: ErrMalformedProof, field: "created"},
		{name: "created not a string", mutate: proofField("created", 2010.0), want: ErrMalformedProof, field: "created"},
		{name: "missing verificationMethod", mutate: func(d map[string]any) { delete(d["proof"].(map[string]any), "verificationMethod") }, want: ErrMalformedProof, field: "verificationMethod"},
		{name: "expired", mutate: proofField("expires", "2011-01-01T00:00:00Z"), want: ErrExpired, field: "expires"},
		{name: "proof is a string", mutate: func(d map[string]any) { d["proof"] = "x" }, want: ErrMalformedProof},
		{name: "proof array with a number", mutate: func(d map[string]any) { d["proof"] = []any{1.0} }, want: ErrMalformedProof},
		{name: "no proof", mutate: func(d map[string]any) { delete(d, "proof") }, want: ErrNoProof},
		{name: "empty proof array", mutate: func(d map[string]any) { d["proof"] = []any{} }, want: ErrNoProof},
		{name: "P-256 key for an eddsa proof", keys: fixedKey{&ecKey.PublicKey}, want: ErrKeyType, field: "verificationMethod"},
		{name: "undefined term in the credential", mutate: func(d map[string]any) {
			d["credentialSubject"].(map[string]any)["nickname"] = "x"
		}, want: jsonld.ErrDataLoss},
		{name: "undefined term in the proof", mutate: proofField("note", "x"), want: jsonld.ErrDataLoss},
		{name: "key fetch fails", keys: testkit.Unreachable{}, want: testkit.ErrUnreachable, field: "verificationMethod", notBad: true},
	}
	bad := []error{ErrInvalidSignature, ErrMalformedProof, ErrUnknownSuite, ErrKeyType, ErrNoProof, jsonld.ErrDataLoss}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := obSigned(t)
			if tt.mutate != nil {
				tt.mutate(d)
			}
			k := tt.keys
			if k == nil {
				k = &fragmentKeys{}
			}
			res, err := Verify(ctx, d, VerifyOptions{Keys: k, Loader: l, Now: func() time.Time { return mustTime(t, "2026-01-01T00:00:00Z") }})
			if err == nil {
				t.Fatalf("verified: %+v", res)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.field != "" {
				var pe *Error
				if !errors.As(err, &pe) || pe.Field != tt.field || pe.Index != 0 {
					t.Errorf("want Error on proof[0].%s, got %v", tt.field, err)
				}
			}
			if tt.notBad {
				for _, s := range bad {
					if errors.Is(err, s) {
						t.Errorf("a fetch failure is reported as %v", s)
					}
				}
			}
		})
	}
}

func TestVerifyOneValidProofSuffices(t *testing.T) {
	l := testLoader(t)
	ctx := context.Background()
	good := firstProof(t, obSigned(t))
	bad := jsonvalue.Clone(good).(map[string]any)
	bad["created"] = "2012-01-01T00:00:00Z"
	d := obSigned(t)
	d["proof"] = []any{bad, good}
	res, err := Verify(ctx, d, VerifyOptions{Keys: &fragmentKeys{}, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	if res.Index != 1 {
		t.Errorf("Index = %d, want 1", res.Index)
	}
	d["proof"] = []any{bad, "junk"}
	_, err = Verify(ctx, d, VerifyOptions{Keys: &fragmentKeys{}, Loader: l})
	if !errors.Is(err, ErrInvalidSignature) || !errors.Is(err, ErrMalformedProof) {
		t.Errorf("joined error %v lacks one of the causes", err)
	}
}

func TestSign(t *testing.T) {
	l := testLoader(t)
	ctx := context.Background()
	k := testkit.Ed25519(t, 3)
	pub, priv := k.Public, k.Ed25519Private(t)
	mk, err := keys.EncodePublicMultikey(pub)
	if err != nil {
		t.Fatal(err)
	}
	vm := "did:key:" + mk + "#" + mk
	now := mustTime(t, "2026-03-04T05:06:07Z")

	t.Run("round trip without mutating the input", func(t *testing.T) {
		doc := obUnsigned(t)
		before, _ := json.Marshal(doc)
		out, err := Sign(ctx, doc, priv, SignOptions{VerificationMethod: vm, Now: func() time.Time { return now.Add(500 * time.Millisecond) }, Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		after, _ := json.Marshal(doc)
		if string(before) != string(after) {
			t.Error("Sign modified its input")
		}
		if _, ok := out["proof"].([]any); !ok {
			t.Errorf("proof is %T, want an array", out["proof"])
		}
		p := firstProof(t, out)
		if p["created"] != "2026-03-04T05:06:07Z" {
			t.Errorf("created = %v", p["created"])
		}
		res, err := Verify(ctx, out, VerifyOptions{Keys: &fragmentKeys{}, Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		if res.VerificationMethod != vm {
			t.Errorf("VerificationMethod %q", res.VerificationMethod)
		}
	})

	t.Run("appends to an existing proof", func(t *testing.T) {
		out, err := Sign(ctx, obSigned(t), priv, SignOptions{VerificationMethod: vm, Created: now, Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		ps, _ := out["proof"].([]any)
		if len(ps) != 2 || ps[0].(map[string]any)["proofValue"] != obProofValue {
			t.Fatalf("proof set %v", out["proof"])
		}
		// Each proof signs the document without the proof set.
		out["proof"] = []any{ps[0]}
		if _, err := Verify(ctx, out, VerifyOptions{Keys: &fragmentKeys{}, Loader: l}); err != nil {
			t.Errorf("first proof: %v", err)
		}
		out["proof"] = []any{ps[1]}
		if _, err := Verify(ctx, out, VerifyOptions{Keys: &fragmentKeys{}, Loader: l}); err != nil {
			t.Errorf("second proof: %v", err)
		}
	})

	// Sign shares nested values with its input but never writes into them:
	// a proof list with room to grow, and a @context list the suite extends,
	// keep their elements.
	t.Run("leaves shared proof and context lists as they were", func(t *testing.T) {
		for _, suite := range []Suite{EddsaRdfc2022, Ed25519Signature2020} {
			doc := obSigned(t)
			spare := make([]any, 1, 4)
			spare[0] = doc["proof"]
			doc["proof"] = spare
			ctxList := doc["@context"].([]any)
			doc["@context"] = append(make([]any, 0, len(ctxList)+2), ctxList...)
			before, _ := json.Marshal(doc)
			out, err := Sign(ctx, doc, priv, SignOptions{Suite: suite, VerificationMethod: vm, Created: now, Loader: l})
			if err != nil {
				t.Fatal(err)
			}
			after, _ := json.Marshal(doc)
			if string(before) != string(after) {
				t.Errorf("%s: Sign modified its input", suite)
			}
			if got := spare[:2][1]; got != nil {
				t.Errorf("%s: Sign wrote %v past the input's proof list", suite, got)
			}
			if c := doc["@context"].([]any); c[:len(c)+1][len(c)] != nil {
				t.Errorf("%s: Sign wrote past the input's @context list", suite)
			}
			if len(out["proof"].([]any)) != 2 {
				t.Errorf("%s: proof set %v", suite, out["proof"])
			}
		}
	})

	t.Run("Ed25519Signature2020 adds its context once", func(t *testing.T) {
		out, err := Sign(ctx, obUnsigned(t), priv, SignOptions{Suite: Ed25519Signature2020, VerificationMethod: vm, Created: now, Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		c := out["@context"].([]any)
		if c[len(c)-1] != contexts.Ed25519Signature2020V1 || len(c) != 3 {
			t.Errorf("@context %v", c)
		}
		again, err := Sign(ctx, out, priv, SignOptions{Suite: Ed25519Signature2020, VerificationMethod: vm, Created: now, Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		if len(again["@context"].([]any)) != 3 {
			t.Errorf("context added twice: %v", again["@context"])
		}
		res, err := Verify(ctx, out, VerifyOptions{Keys: &fragmentKeys{}, Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		if res.Suite != Ed25519Signature2020 {
			t.Errorf("Suite %q", res.Suite)
		}
	})

	t.Run("refuses a document that would lose data", func(t *testing.T) {
		doc := obUnsigned(t)
		doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["foo"] = "x"
		_, err := Sign(ctx, doc, priv, SignOptions{VerificationMethod: vm, Created: now, Loader: l})
		var dl *jsonld.DataLossError
		if !errors.As(err, &dl) {
			t.Fatalf("err = %v, want DataLossError", err)
		}
		if dl.Path != "credentialSubject.achievement.foo" {
			t.Errorf("Path = %q", dl.Path)
		}
	})

	errCases := []struct {
		name string
		key  crypto.PrivateKey
		opts SignOptions
		want error
	}{
		{"unknown suite", priv, SignOptions{Suite: "ecdsa-sd-2023", VerificationMethod: vm}, ErrUnknownSuite},
		{"non-ed25519 key", "not a key", SignOptions{VerificationMethod: vm}, ErrKeyType},
		{"short ed25519 key", priv[:10], SignOptions{VerificationMethod: vm}, ErrKeyType},
		{"no verification method", priv, SignOptions{}, nil},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Loader = l
			_, err := Sign(ctx, obUnsigned(t), tt.key, tt.opts)
			if err == nil {
				t.Fatal("signed")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDecodeProofValue(t *testing.T) {
	sig := make([]byte, 64)
	sig[0] = 0 // a leading zero byte is a leading '1'
	sig[63] = 7
	good := encodeProofValue(sig)
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"canonical", good, true},
		{"extra leading one", "z1" + good[1:], false},
		{"empty", "", false},
		{"only prefix", "z", false},
		{"base64url prefix", "u" + good[1:], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeProofValue(tt.in)
			if (err == nil) != tt.ok {
				t.Errorf("err = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrMalformedProof) {
				t.Errorf("err %v does not wrap ErrMalformedProof", err)
			}
		})
	}
}

func TestVerifyNeedsKeys(t *testing.T) {
	if _, err := Verify(context.Background(), map[string]any{}, VerifyOptions{}); err == nil {
		t.Error("no error without a key fetcher")
	}
}

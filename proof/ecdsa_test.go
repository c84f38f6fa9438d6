package proof

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math/big"
	"testing"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/keys"
)

func p256Key(tb testing.TB) (*ecdsa.PrivateKey, string) {
	tb.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	mk, err := keys.EncodePublicMultikey(&priv.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return priv, "did:key:" + mk + "#" + mk
}

func TestEcdsaRdfc2019(t *testing.T) {
	l := testLoader(t)
	ctx := context.Background()
	priv, vm := p256Key(t)
	created := mustTime(t, "2026-01-02T03:04:05Z")
	signed, err := Sign(ctx, obUnsigned(t), priv, SignOptions{Suite: EcdsaRdfc2019, VerificationMethod: vm, Created: created, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	p := firstProof(t, signed)
	if p["type"] != typeDataIntegrity || p["cryptosuite"] != string(EcdsaRdfc2019) {
		t.Fatalf("proof %v", p)
	}
	if _, has := p["@context"]; has {
		t.Error("rdfc proofs carry no @context")
	}

	t.Run("round trip", func(t *testing.T) {
		res, err := Verify(ctx, signed, VerifyOptions{Keys: &fragmentKeys{}, Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		if res.Suite != EcdsaRdfc2019 || res.VerificationMethod != vm {
			t.Errorf("result %+v", res)
		}
	})

	t.Run("signature is P1363 r||s over SHA-256 of the hash data", func(t *testing.T) {
		sig, err := decodeProofValue(p["proofValue"].(string))
		if err != nil {
			t.Fatal(err)
		}
		config := jsonvalue.Clone(p).(map[string]any)
		delete(config, "proofValue")
		config["@context"] = signed["@context"]
		docHash, err := suiteEcdsaRdfc.documentHash(ctx, withoutProof(signed), jsonld.CanonOptions{Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		data, err := suiteEcdsaRdfc.hashData(ctx, config, docHash, jsonld.CanonOptions{Loader: l})
		if err != nil {
			t.Fatal(err)
		}
		digest := sha256.Sum256(data)
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(&priv.PublicKey, digest[:], r, s) {
			t.Error("signature does not verify as ECDSA P-256 SHA-256 r||s")
		}
	})

	t.Run("tampered", func(t *testing.T) {
		d := jsonvalue.Clone(signed).(map[string]any)
		d["name"] = "Something else"
		if _, err := Verify(ctx, d, VerifyOptions{Keys: &fragmentKeys{}, Loader: l}); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("err = %v, want ErrInvalidSignature", err)
		}
	})

	t.Run("another P-256 key", func(t *testing.T) {
		other, _ := p256Key(t)
		if _, err := Verify(ctx, signed, VerifyOptions{Keys: fixedKey{&other.PublicKey}, Loader: l}); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("err = %v, want ErrInvalidSignature", err)
		}
	})
}

// TestAlgorithmConfusion checks that each suite takes exactly its key type,
// when signing and when the fetched key is of another kind.
func TestAlgorithmConfusion(t *testing.T) {
	l := testLoader(t)
	ctx := context.Background()
	p256, p256VM := p256Key(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	doc := obUnsigned(t)

	signTests := []struct {
		name  string
		suite Suite
		key   crypto.PrivateKey
	}{
		{"ecdsa suite with an Ed25519 key", EcdsaRdfc2019, edPriv},
		{"ecdsa suite with a P-384 key", EcdsaRdfc2019, p384},
		{"eddsa-rdfc suite with a P-256 key", EddsaRdfc2022, p256},
		{"eddsa-jcs suite with a P-256 key", EddsaJcs2022, p256},
		{"Ed25519Signature2020 with a P-256 key", Ed25519Signature2020, p256},
	}
	for _, tt := range signTests {
		t.Run("sign/"+tt.name, func(t *testing.T) {
			_, err := Sign(ctx, doc, tt.key, SignOptions{Suite: tt.suite, VerificationMethod: p256VM, Loader: l})
			if !errors.Is(err, ErrKeyType) {
				t.Errorf("err = %v, want ErrKeyType", err)
			}
		})
	}

	ecSigned, err := Sign(ctx, doc, p256, SignOptions{Suite: EcdsaRdfc2019, VerificationMethod: p256VM, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	edSigned, err := Sign(ctx, doc, edPriv, SignOptions{Suite: EddsaRdfc2022, VerificationMethod: "did:example:a#k", Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	jcsSigned, err := Sign(ctx, doc, edPriv, SignOptions{Suite: EddsaJcs2022, VerificationMethod: "did:example:a#k", Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	relabel := func(d map[string]any, suite Suite) map[string]any {
		d = jsonvalue.Clone(d).(map[string]any)
		firstProof(t, d)["cryptosuite"] = string(suite)
		return d
	}
	verifyTests := []struct {
		name string
		doc  map[string]any
		key  crypto.PublicKey
		want error
	}{
		{"ecdsa proof, Ed25519 key", ecSigned, edPub, ErrKeyType},
		{"ecdsa proof, P-384 key", ecSigned, &p384.PublicKey, ErrKeyType},
		{"eddsa proof, P-256 key", edSigned, &p256.PublicKey, ErrKeyType},
		{"jcs proof, P-256 key", jcsSigned, &p256.PublicKey, ErrKeyType},
		{"ecdsa proof relabelled eddsa", relabel(ecSigned, EddsaRdfc2022), &p256.PublicKey, ErrKeyType},
		{"eddsa proof relabelled ecdsa", relabel(edSigned, EcdsaRdfc2019), edPub, ErrKeyType},
		{"eddsa-rdfc proof relabelled jcs", relabel(edSigned, EddsaJcs2022), edPub, ErrInvalidSignature},
		{"jcs proof relabelled rdfc", relabel(jcsSigned, EddsaRdfc2022), edPub, ErrInvalidSignature},
	}
	for _, tt := range verifyTests {
		t.Run("verify/"+tt.name, func(t *testing.T) {
			_, err := Verify(ctx, tt.doc, VerifyOptions{Keys: fixedKey{tt.key}, Loader: l})
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEcdsaProofValueRoundTripsThroughJSON(t *testing.T) {
	l := testLoader(t)
	ctx := context.Background()
	priv, vm := p256Key(t)
	signed, err := Sign(ctx, obUnsigned(t), priv, SignOptions{Suite: EcdsaRdfc2019, VerificationMethod: vm, Loader: l})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	var reread map[string]any
	if err := json.Unmarshal(b, &reread); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, reread, VerifyOptions{Keys: &fragmentKeys{}, Loader: l}); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkSignEcdsaRdfc2019(b *testing.B) {
	l := testLoader(b)
	doc := obUnsigned(b)
	priv, vm := p256Key(b)
	opts := SignOptions{Suite: EcdsaRdfc2019, VerificationMethod: vm, Created: mustTime(b, obCreated), Loader: l}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(ctx, doc, priv, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyEcdsaRdfc2019(b *testing.B) {
	l := testLoader(b)
	priv, vm := p256Key(b)
	ctx := context.Background()
	doc, err := Sign(ctx, obUnsigned(b), priv, SignOptions{Suite: EcdsaRdfc2019, VerificationMethod: vm, Created: mustTime(b, obCreated), Loader: l})
	if err != nil {
		b.Fatal(err)
	}
	opts := VerifyOptions{Keys: &fragmentKeys{}, Loader: l}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(ctx, doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}

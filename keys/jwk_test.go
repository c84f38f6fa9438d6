package keys_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/keys"
)

var jwkSentinels = map[string]error{
	"ErrMalformedJWK":   keys.ErrMalformedJWK,
	"ErrPrivateMember":  keys.ErrPrivateMember,
	"ErrUnsupportedKey": keys.ErrUnsupportedKey,
	"ErrKeyLength":      keys.ErrKeyLength,
	"ErrKeyMismatch":    keys.ErrKeyMismatch,
	"ErrInvalidKey":     keys.ErrInvalidKey,
}

// hasPrivateMember reports whether a JSON object has a top-level private
// key member, judged independently of the parser under test.
func hasPrivateMember(data string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(data), &m) != nil {
		return false
	}
	for _, k := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func TestParseJWKCases(t *testing.T) {
	for i, c := range readSeeds(t, "jwks.txt") {
		name := c.want + "/" + c.value[:min(len(c.value), 40)]
		t.Run(name, func(t *testing.T) {
			k, err := keys.ParseJWK([]byte(c.value))
			if c.want == "ok" {
				if err != nil {
					t.Fatalf("line %d: %v", i, err)
				}
			} else {
				want, ok := jwkSentinels[c.want]
				if !ok {
					t.Fatalf("unknown expectation %q", c.want)
				}
				if !errors.Is(err, want) {
					t.Fatalf("error = %v, want %s", err, c.want)
				}
				var je *keys.JWKError
				if !errors.As(err, &je) {
					t.Errorf("error %v is not a *JWKError", err)
				}
			}
			pk, perr := keys.ParsePublicJWK([]byte(c.value))
			switch {
			case hasPrivateMember(c.value):
				if !errors.Is(perr, keys.ErrPrivateMember) {
					t.Errorf("ParsePublicJWK error = %v, want ErrPrivateMember", perr)
				}
				if err == nil && k.Private == nil {
					t.Error("private JWK parsed without its private key")
				}
			case err != nil:
				if !errors.Is(perr, jwkSentinels[c.want]) {
					t.Errorf("ParsePublicJWK error = %v, want %s", perr, c.want)
				}
			default:
				if perr != nil {
					t.Fatalf("ParsePublicJWK: %v", perr)
				}
				if k.Private != nil || !pk.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public) {
					t.Error("ParsePublicJWK and ParseJWK disagree")
				}
			}
		})
	}
}

// TestJWKRFC8037 checks the Ed25519 example of RFC 8037 appendix A: the
// private key yields its public key, and the RFC 7638 thumbprint matches A.3.
func TestJWKRFC8037(t *testing.T) {
	const priv = `{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`
	k, err := keys.ParseJWK([]byte(priv))
	if err != nil {
		t.Fatal(err)
	}
	if k.Type != keys.Ed25519 || k.Private == nil {
		t.Fatalf("parsed %+v", k)
	}
	// RFC 8032 test 1 is the same key.
	seed := mustHex(t, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
	if !ed25519.NewKeyFromSeed(seed).Equal(k.Private) {
		t.Error("private key differs from RFC 8032 test 1")
	}
	tp, err := keys.Thumbprint(k.Public)
	if err != nil || tp != "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" {
		t.Errorf("thumbprint = %q, %v", tp, err)
	}
	out, err := keys.PrivateJWK(k.Private)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`
	if string(out) != want {
		t.Errorf("PrivateJWK = %s\nwant       %s", out, want)
	}
}

// TestThumbprintRFC7638 checks the RSA example of RFC 7638 section 3.1;
// optional members do not change the thumbprint.
func TestThumbprintRFC7638(t *testing.T) {
	var line string
	for _, c := range readSeeds(t, "jwks.txt") {
		if strings.Contains(c.value, `"kid":"2011-04-29"`) {
			line = c.value
		}
	}
	k, err := keys.ParsePublicJWK([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if k.Type != keys.RSA2048 || k.KeyID != "2011-04-29" || k.Alg != "RS256" {
		t.Errorf("parsed %+v", k)
	}
	tp, err := keys.Thumbprint(k.Public)
	if err != nil || tp != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Errorf("thumbprint = %q, %v", tp, err)
	}
}

func TestJWKRoundTrip(t *testing.T) {
	for _, typ := range keys.Types() {
		if typ == keys.RSA4096 && testing.Short() {
			continue
		}
		t.Run(string(typ), func(t *testing.T) {
			kp, err := keys.Generate(typ, nil)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := keys.PublicJWK(kp.Public)
			if err != nil {
				t.Fatal(err)
			}
			if hasPrivateMember(string(pub)) {
				t.Fatalf("public JWK has private members: %s", pub)
			}
			k, err := keys.ParsePublicJWK(pub)
			if err != nil {
				t.Fatalf("ParsePublicJWK(%s): %v", pub, err)
			}
			if k.Type != typ || !k.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(kp.Public) {
				t.Errorf("public round trip gave %s key", k.Type)
			}
			priv, err := keys.PrivateJWK(kp.Private)
			if err != nil {
				t.Fatal(err)
			}
			k, err = keys.ParseJWK(priv)
			if err != nil {
				t.Fatalf("ParseJWK(private): %v", err)
			}
			if !k.Private.(interface{ Equal(crypto.PrivateKey) bool }).Equal(kp.Private) {
				t.Error("private round trip changed the key")
			}
			if _, err := keys.ParsePublicJWK(priv); !errors.Is(err, keys.ErrPrivateMember) {
				t.Errorf("ParsePublicJWK(private) error = %v, want ErrPrivateMember", err)
			}
			// The thumbprint input is the public JWK itself.
			tp1, _ := keys.Thumbprint(kp.Public)
			tp2, _ := keys.Thumbprint(k.Public)
			if tp1 == "" || tp1 != tp2 {
				t.Errorf("thumbprints %q, %q", tp1, tp2)
			}
		})
	}
}

func TestParseJWKLimits(t *testing.T) {
	big := `{"kty":"OKP","pad":"` + strings.Repeat("a", keys.MaxJWKLen) + `"}`
	if _, err := keys.ParseJWK([]byte(big)); !errors.Is(err, keys.ErrMalformedJWK) {
		t.Errorf("oversized JWK: error = %v", err)
	}
	// A private JWK error must not echo the secret.
	const bad = `{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`
	_, err := keys.ParseJWK([]byte(bad))
	if err == nil || strings.Contains(err.Error(), "nWGxne") {
		t.Errorf("error = %v", err)
	}
}

func FuzzParseJWK(f *testing.F) {
	for _, c := range readSeeds(f, "jwks.txt") {
		f.Add([]byte(c.value))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := keys.ParseJWK(data)
		pk, perr := keys.ParsePublicJWK(data)
		if err != nil {
			if perr == nil {
				t.Fatalf("ParsePublicJWK accepted what ParseJWK refused: %v", err)
			}
			var je *keys.JWKError
			if !errors.As(err, &je) {
				t.Fatalf("error %v is not a *JWKError", err)
			}
			return
		}
		if (k.Private != nil) != (perr != nil) {
			t.Fatalf("private %v, ParsePublicJWK error %v", k.Private != nil, perr)
		}
		if perr == nil && !pk.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public) {
			t.Fatal("parsers disagree")
		}
		// Re-encoding and parsing again gives the same key.
		out, err := keys.PublicJWK(k.Public)
		if err != nil {
			t.Fatalf("parsed key does not encode: %v", err)
		}
		again, err := keys.ParsePublicJWK(out)
		if err != nil || !again.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public) {
			t.Fatalf("round trip: %v", err)
		}
		if k.Private != nil {
			priv, err := keys.PrivateJWK(k.Private)
			if err != nil {
				t.Fatalf("parsed private key does not encode: %v", err)
			}
			again, err := keys.ParseJWK(priv)
			if err != nil || !bytes.Equal(mustJSON(t, again.Public), mustJSON(t, k.Public)) {
				t.Fatalf("private round trip: %v", err)
			}
		}
	})
}

func mustJSON(t *testing.T, pub crypto.PublicKey) []byte {
	t.Helper()
	b, err := keys.PublicJWK(pub)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func BenchmarkParseJWK(b *testing.B) {
	cases := map[string]keys.Type{"Ed25519": keys.Ed25519, "P-256": keys.P256, "RSA-2048": keys.RSA2048}
	for name, typ := range cases {
		kp, err := keys.Generate(typ, nil)
		if err != nil {
			b.Fatal(err)
		}
		pub, _ := keys.PublicJWK(kp.Public)
		priv, _ := keys.PrivateJWK(kp.Private)
		b.Run(name+"/public", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := keys.ParsePublicJWK(pub); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/private", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := keys.ParseJWK(priv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

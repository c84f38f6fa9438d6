package proof

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/jcs"
	"github.com/badgesmith/badgesmith/jsonld"
)

func TestCanonicalJSONNumbers(t *testing.T) {
	// RFC 8785 Appendix B: IEEE 754 bit patterns and their JCS text.
	tests := []struct {
		bits uint64
		want string
	}{
		{0x0000000000000000, "0"},
		{0x8000000000000000, "0"},
		{0x0000000000000001, "5e-324"},
		{0x8000000000000001, "-5e-324"},
		{0x7fefffffffffffff, "1.7976931348623157e+308"},
		{0xffefffffffffffff, "-1.7976931348623157e+308"},
		{0x4340000000000000, "9007199254740992"},
		{0xc340000000000000, "-9007199254740992"},
		{0x4430000000000000, "295147905179352830000"},
		{0x44b52d02c7e14af5, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6, "1e+23"},
		{0x44b52d02c7e14af7, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4e, "999999999999999700000"},
		{0x444b1ae4d6e2ef4f, "999999999999999900000"},
		{0x444b1ae4d6e2ef50, "1e+21"},
		{0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8d, "0.000001"},
		{0x41b3de4355555553, "333333333.3333332"},
		{0x41b3de4355555554, "333333333.33333325"},
		{0x41b3de4355555555, "333333333.3333333"},
		{0x41b3de4355555556, "333333333.3333334"},
		{0x41b3de4355555557, "333333333.33333343"},
		{0xbecbf647612f3696, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959, "1424953923781206.2"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got, err := CanonicalJSON(math.Float64frombits(tt.bits))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("%#016x: got %s, want %s", tt.bits, got, tt.want)
			}
		})
	}
	for _, bad := range []struct {
		name string
		bits uint64
	}{{"NaN", 0x7fffffffffffffff}, {"Infinity", 0x7ff0000000000000}} {
		t.Run(bad.name, func(t *testing.T) {
			if _, err := CanonicalJSON(math.Float64frombits(bad.bits)); !errors.Is(err, ErrJCS) {
				t.Errorf("err = %v, want ErrJCS", err)
			}
		})
	}
}

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			// RFC 8785 §3.2.2.
			name: "rfc example",
			in:   `{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","literals":[null,true,false]}`,
			want: `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
		},
		{
			// RFC 8785 §3.2.3: UTF-16 code unit order puts the emoji
			// (a surrogate pair, D83D) before U+FB33.
			name: "rfc sort order",
			in:   `{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}`,
			want: "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
		},
		{name: "escapes", in: `"\b\f\t\u0001\u001f\u007f\u2028<>&"`, want: "\"\\b\\f\\t\\u0001\\u001f\u007f\u2028<>&\""},
		{name: "nested and empty", in: `{"b":[],"a":{"z":{},"y":[1,{"d":1,"c":2}]}}`, want: `{"a":{"y":[1,{"c":2,"d":1}],"z":{}},"b":[]}`},
		{name: "prefix keys", in: `{"ab":1,"a":2,"":3}`, want: `{"":3,"a":2,"ab":1}`},
		{name: "integers", in: `[-0,1,-1,100,1e2,123456789012345678901]`, want: `[0,1,-1,100,100,123456789012345680000]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, useNumber := range []bool{false, true} {
				dec := json.NewDecoder(strings.NewReader(tt.in))
				if useNumber {
					dec.UseNumber()
				}
				var v any
				if err := dec.Decode(&v); err != nil {
					t.Fatal(err)
				}
				got, err := CanonicalJSON(v)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tt.want {
					t.Errorf("UseNumber=%v:\ngot  %s\nwant %s", useNumber, got, tt.want)
				}
			}
		})
	}
}

func TestCanonicalJSONRefuses(t *testing.T) {
	deep := any("x")
	for range jcs.MaxDepth + 2 {
		deep = []any{deep}
	}
	tests := []struct {
		name string
		in   any
	}{
		{"invalid utf-8 value", map[string]any{"a": "\xff"}},
		{"invalid utf-8 name", map[string]any{"\xfe": 1}},
		{"non-json type", map[string]any{"a": struct{}{}}},
		{"huge json number", json.Number("1e400")},
		{"malformed json number", json.Number("0x10")},
		{"too deep", deep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := CanonicalJSON(tt.in); !errors.Is(err, ErrJCS) {
				t.Errorf("err = %v, want ErrJCS", err)
			}
		})
	}
}

// FuzzCanonicalJSON checks that the canonical form of any JSON value is
// valid JSON and a fixed point: canonicalizing it again changes nothing.
func FuzzCanonicalJSON(f *testing.F) {
	f.Add([]byte(`{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\u20ac$\u000F","literals":[null,true,false]}`))
	f.Add([]byte(`{"\ud83d\ude00":1,"\ufb33":2,"\u0000":[-0.0,5e-324]}`))
	f.Add([]byte(`[1e21,1e-7,123e-20,"\u2028"]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v any
		if json.Unmarshal(b, &v) != nil {
			return
		}
		c1, err := CanonicalJSON(v)
		if err != nil {
			if !errors.Is(err, ErrJCS) {
				t.Fatalf("error without ErrJCS: %v", err)
			}
			return
		}
		var v2 any
		if err := json.Unmarshal(c1, &v2); err != nil {
			t.Fatalf("canonical form %q is not json: %v", c1, err)
		}
		c2, err := CanonicalJSON(v2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(c1, c2) {
			t.Fatalf("not a fixed point:\n%s\n%s", c1, c2)
		}
	})
}

// TestEddsaJcs2022Vector reproduces the W3C vc-di-eddsa eddsa-jcs-2022 test
// vector byte for byte: both canonical forms, both hashes, the signature.
func TestEddsaJcs2022Vector(t *testing.T) {
	const dir = "test-vectors/w3c-vc-di-eddsa/eddsa-jcs-2022/"
	ctx := context.Background()
	priv := w3cKey(t)
	signed := readDoc(t, dir+"signedJCS.json")
	wantProof := firstProof(t, signed)
	unsigned := readDoc(t, "test-vectors/w3c-vc-di-eddsa/unsigned.json")

	canonDoc, err := CanonicalJSON(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	if want := trimmed(t, dir+"canonDocJCS.txt"); string(canonDoc) != want {
		t.Errorf("canonical document:\ngot  %s\nwant %s", canonDoc, want)
	}
	if got, want := sha(canonDoc), trimmed(t, dir+"docHashJCS.txt"); got != want {
		t.Errorf("document hash %s, want %s", got, want)
	}
	config := readDoc(t, dir+"proofConfigJCS.json")
	canonProof, err := CanonicalJSON(config)
	if err != nil {
		t.Fatal(err)
	}
	if want := trimmed(t, dir+"proofCanonJCS.txt"); string(canonProof) != want {
		t.Errorf("canonical proof config:\ngot  %s\nwant %s", canonProof, want)
	}
	if got, want := sha(canonProof), trimmed(t, dir+"proofHashJCS.txt"); got != want {
		t.Errorf("proof hash %s, want %s", got, want)
	}
	docHash, err := suiteEddsaJcs.documentHash(ctx, unsigned, jsonld.CanonOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := suiteEddsaJcs.hashData(ctx, config, docHash, jsonld.CanonOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(data), trimmed(t, dir+"combinedHashJCS.txt"); got != want {
		t.Errorf("combined hash %s, want %s", got, want)
	}
	sig, err := suiteEddsaJcs.alg.sign(priv, data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(sig), trimmed(t, dir+"sigHexJCS.txt"); got != want {
		t.Errorf("signature %s, want %s", got, want)
	}

	t.Run("sign reproduces the signed document", func(t *testing.T) {
		out, err := Sign(ctx, unsigned, priv, SignOptions{
			Suite:              EddsaJcs2022,
			VerificationMethod: wantProof["verificationMethod"].(string),
			Created:            mustTime(t, wantProof["created"].(string)),
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := CanonicalJSON(firstProof(t, out))
		want, _ := CanonicalJSON(wantProof)
		if string(got) != string(want) {
			t.Errorf("proof:\ngot  %s\nwant %s", got, want)
		}
		if pv := trimmed(t, dir+"sigBTC58JCS.txt"); wantProof["proofValue"] != pv {
			t.Errorf("vector proofValue %v differs from sigBTC58JCS.txt %s", wantProof["proofValue"], pv)
		}
	})
	t.Run("verify signedJCS.json", func(t *testing.T) {
		res, err := Verify(ctx, signed, VerifyOptions{Keys: &fragmentKeys{}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Suite != EddsaJcs2022 {
			t.Errorf("suite %q", res.Suite)
		}
	})
}

func TestEddsaJcs2022Tampered(t *testing.T) {
	ctx := context.Background()
	priv := w3cKey(t)
	pub := priv.Public()
	unsigned := readDoc(t, "test-vectors/w3c-vc-di-eddsa/unsigned.json")
	signed, err := Sign(ctx, unsigned, priv, SignOptions{Suite: EddsaJcs2022, VerificationMethod: "did:example:issuer#key-1"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(d map[string]any)
		want   error
	}{
		{"untouched", func(map[string]any) {}, nil},
		{"context appended to the document", func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), "https://example.org/extra")
		}, nil},
		{"document context replaced", func(d map[string]any) {
			d["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://example.org/other"}
		}, ErrInvalidSignature},
		{"proof context changed", func(d map[string]any) {
			firstProof(t, d)["@context"] = []any{"https://www.w3.org/ns/credentials/v2"}
		}, ErrInvalidSignature},
		{"member changed", func(d map[string]any) { d["name"] = "Alumnus Credential" }, ErrInvalidSignature},
		{"member order is irrelevant, value type is not", func(d map[string]any) {
			d["credentialSubject"] = map[string]any{"alumniOf": "The School of Examples", "id": []any{"did:example:abcdefgh"}}
		}, ErrInvalidSignature},
		{"proof option changed", func(d map[string]any) { firstProof(t, d)["created"] = "2030-01-01T00:00:00Z" }, ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := jsonvalue.Clone(signed).(map[string]any)
			tt.mutate(d)
			_, err := Verify(ctx, d, VerifyOptions{Keys: fixedKey{pub}})
			if tt.want == nil && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func BenchmarkSignEddsaJcs2022(b *testing.B) {
	doc := obUnsigned(b)
	priv := obKey(b)
	opts := SignOptions{Suite: EddsaJcs2022, VerificationMethod: obVM, Created: mustTime(b, obCreated)}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(ctx, doc, priv, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyEddsaJcs2022(b *testing.B) {
	priv := obKey(b)
	ctx := context.Background()
	doc, err := Sign(ctx, obUnsigned(b), priv, SignOptions{Suite: EddsaJcs2022, VerificationMethod: obVM, Created: mustTime(b, obCreated)})
	if err != nil {
		b.Fatal(err)
	}
	opts := VerifyOptions{Keys: &fragmentKeys{}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(ctx, doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}

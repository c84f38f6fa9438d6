package jsonld

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sampleOB is the plain OB 3.0 sample of the divergence set (with the
// extensions context), which canonicalizes identically everywhere.
func sampleOB(tb testing.TB) map[string]any {
	tb.Helper()
	return readJSONFile(tb, filepath.Join(canonShared(tb, "test-vectors/canon-divergences"), "01-sample-ext.json"))
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		switch v := m[p].(type) {
		case map[string]any:
			m = v
		case []any:
			m = v[0].(map[string]any)
		}
	}
	return m
}

// safeCases mutate the OB sample. path == "" with refuse means the refusal
// cannot name one property; wantErr means the document is rejected but not
// as data loss (json-gold reports an invalid document).
var safeCases = []struct {
	name    string
	mutate  func(d map[string]any)
	refuse  bool
	path    string
	wantErr bool
}{
	{name: "sample accepted", mutate: func(map[string]any) {}},
	{
		name:   "undefined property under a type-scoped protected context",
		mutate: func(d map[string]any) { obj(d, "credentialSubject", "achievement")["foo"] = "x" },
		refuse: true, path: "credentialSubject.achievement.foo",
	},
	{
		name:   "undefined property in an array element",
		mutate: func(d map[string]any) { obj(d, "credentialSubject", "achievement", "alignment")["bar"] = 1.0 },
		refuse: true, path: "credentialSubject.achievement.alignment[0].bar",
	},
	{
		name:   "undefined property at the top",
		mutate: func(d map[string]any) { d["foo"] = map[string]any{"id": "urn:x"} },
		refuse: true, path: "foo",
	},
	{
		name:   "undefined type",
		mutate: func(d map[string]any) { obj(d, "issuer")["type"] = []any{"Profile", "Bogus"} },
		refuse: true, path: "issuer.type",
	},
	{
		name:   "undefined property inside an undefined node",
		mutate: func(d map[string]any) { d["evidenceX"] = map[string]any{"narrativeX": "y"} },
		refuse: true, path: "evidenceX",
	},
	{
		name: "term defined by an inline context is accepted",
		mutate: func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), map[string]any{"foo": "https://example.org/foo"})
			obj(d, "credentialSubject")["foo"] = "x"
		},
	},
	{
		name: "inline @vocab makes every term defined",
		mutate: func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), map[string]any{"@vocab": "https://example.org/v#"})
			d["anything"] = "x"
		},
	},
	{
		name: "term mapped to null is dropped",
		mutate: func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), map[string]any{"foo": nil})
			d["foo"] = "x"
		},
		refuse: true,
	},
	{
		name: "@vocab null cannot hide an undefined term",
		mutate: func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), map[string]any{"@vocab": nil})
			d["foo"] = "x"
		},
		refuse: true,
	},
	{
		name: "redefining a protected term is an error",
		mutate: func(d map[string]any) {
			d["@context"] = append(d["@context"].([]any), map[string]any{"name": "https://example.org/name"})
		},
		wantErr: true,
	},
	{
		name:   "relative @id",
		mutate: func(d map[string]any) { obj(d, "credentialSubject")["id"] = "learner-42" },
		refuse: true, path: "credentialSubject.id",
	},
	{
		name:   "relative IRI in an @id-coerced string",
		mutate: func(d map[string]any) { obj(d, "credentialSubject", "achievement")["image"] = "img.png" },
		refuse: true, path: "credentialSubject.achievement.image",
	},
	{
		name:   "IRI with a backslash",
		mutate: func(d map[string]any) { obj(d, "issuer")["id"] = `urn:a\b` },
		refuse: true, path: "issuer.id",
	},
	{
		name:   "IRI with a no-break space",
		mutate: func(d map[string]any) { obj(d, "issuer")["id"] = "urn:a\u00a0b" },
		refuse: true, path: "issuer.id",
	},
	{
		name:   "non-ascii IRI outside http is kept by both",
		mutate: func(d map[string]any) { obj(d, "issuer")["id"] = "urn:example:é" },
	},
	{
		name:   "newline tab and quote in a string are escaped alike",
		mutate: func(d map[string]any) { d["name"] = "a\tb\nc\r\"d\\ \u2028 😀" },
	},
	{
		name:   "unit separator in a string",
		mutate: func(d map[string]any) { obj(d, "issuer")["name"] = "a\u001fb" },
		refuse: true, path: "issuer.name",
	},
	{
		name:   "delete character in a string",
		mutate: func(d map[string]any) { d["description"] = "a\u007fb" },
		refuse: true, path: "description",
	},
	{
		name:   "malformed language tag",
		mutate: func(d map[string]any) { d["name"] = map[string]any{"@value": "x", "@language": "en_US"} },
		refuse: true, path: "name",
	},
	{
		name:   "language tag case is folded alike",
		mutate: func(d map[string]any) { d["name"] = map[string]any{"@value": "x", "@language": "en-US"} },
	},
	{
		name:   "@direction",
		mutate: func(d map[string]any) { d["name"] = map[string]any{"@value": "x", "@direction": "rtl"} },
		refuse: true, path: "name",
	},
	{
		name:   "integer typed double",
		mutate: func(d map[string]any) { obj(d, "credentialSubject", "result")["value"] = 5.0 },
	},
	{
		name: "large integer and small doubles",
		mutate: func(d map[string]any) {
			obj(d, "credentialSubject")["creditsEarned"] = 123456789012345678.0
			obj(d, "credentialSubject", "achievement")["creditsAvailable"] = 2.5e-8
		},
	},
	{
		name:   "tiny number jsonld.js writes as 0",
		mutate: func(d map[string]any) { obj(d, "credentialSubject")["creditsEarned"] = 5e-324 },
		refuse: true, path: "credentialSubject.creditsEarned",
	},
	{
		name: "@json object with numbers and odd keys",
		mutate: func(d map[string]any) {
			obj(d, "credentialSubject")["_sd"] = map[string]any{"b": []any{1.0, 2.5, 1e21, "\u2028é\u0001"}, "a": nil, "😀": true, "\uffff": false}
		},
	},
	{
		name:   "@json value with a delete character",
		mutate: func(d map[string]any) { obj(d, "credentialSubject")["_sd"] = "a\u007f" },
		refuse: true, path: "credentialSubject._sd",
	},
}

func TestSafeMode(t *testing.T) {
	l := newCanonRefLoader(t)
	for _, tt := range safeCases {
		t.Run(tt.name, func(t *testing.T) {
			d := sampleOB(t)
			tt.mutate(d)
			_, err := Canonicalize(context.Background(), d, CanonOptions{Loader: l})
			var dl *DataLossError
			switch {
			case tt.wantErr:
				if !errors.Is(err, ErrMalformed) || errors.Is(err, ErrDataLoss) {
					t.Fatalf("err = %v, want a non-data-loss error", err)
				}
			case tt.refuse:
				if !errors.As(err, &dl) || !errors.Is(err, ErrDataLoss) {
					t.Fatalf("err = %v, want *DataLossError", err)
				}
				if tt.path != "" && dl.Path != tt.path {
					t.Errorf("Path = %q, want %q (%v)", dl.Path, tt.path, err)
				}
			default:
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			}
		})
	}
}

// oracleScript canonicalizes with jsonld.js (safe mode) over the reference
// contexts. It is run only when BADGESMITH_JSONLD_NODE_PATH points at a
// node_modules directory holding the jsonld package.
const oracleScript = `
const jsonld = require('jsonld'); const fs = require('fs'); const path = require('path');
const dir = process.argv[2]; const map = JSON.parse(fs.readFileSync(process.argv[3]));
const loader = async (url) => {
  if (url === 'https://www.w3.org/ns/credentials/examples/v2') return {documentUrl: url, document: {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}};
  if (!map[url]) throw new Error('not bundled ' + url);
  return {documentUrl: url, document: JSON.parse(fs.readFileSync(path.join(dir, map[url])))};
};
(async () => {
  const doc = JSON.parse(fs.readFileSync(0));
  try { process.stdout.write(await jsonld.canonize(doc, {algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader: loader, safe: true})); }
  catch (e) { process.stdout.write('ERROR ' + e.message); }
})();
`

// TestDifferentialJSONLD compares safe-mode output with jsonld.js on the
// safe-mode cases: whatever we accept must be byte-identical to the
// reference, and whatever the reference refuses we must refuse.
func TestDifferentialJSONLD(t *testing.T) {
	nodePath := os.Getenv("BADGESMITH_JSONLD_NODE_PATH")
	node, err := exec.LookPath("node")
	if nodePath == "" || err != nil {
		t.Skip("set BADGESMITH_JSONLD_NODE_PATH to a node_modules with jsonld (npm install jsonld@9) and install node to run")
	}
	l := newCanonRefLoader(t)
	tmp := t.TempDir()
	files := map[string]string{}
	for u, d := range l {
		if strings.HasPrefix(u, "https://www.w3.org/ns/credentials/examples") {
			continue
		}
		b, _ := json.Marshal(d.Document)
		name := strings.NewReplacer("/", "_", ":", "_").Replace(u) + ".json"
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
		files[u] = name
	}
	mapJSON, _ := json.Marshal(files)
	mapFile := filepath.Join(tmp, "map.json")
	script := filepath.Join(tmp, "canon.js")
	if err := os.WriteFile(mapFile, mapJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(oracleScript), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range safeCases {
		t.Run(tt.name, func(t *testing.T) {
			d := sampleOB(t)
			tt.mutate(d)
			in, _ := json.Marshal(d)
			cmd := exec.Command(node, script, tmp, mapFile)
			cmd.Env = append(os.Environ(), "NODE_PATH="+nodePath)
			cmd.Stdin = bytes.NewReader(in)
			ref, err := cmd.Output()
			if err != nil {
				t.Fatalf("running jsonld.js: %v", err)
			}
			got, err := Canonicalize(context.Background(), d, CanonOptions{Loader: l})
			refRefused := bytes.HasPrefix(ref, []byte("ERROR"))
			switch {
			case err == nil && refRefused:
				t.Errorf("we accept what jsonld.js refuses (%s)", ref)
			case err == nil && !bytes.Equal(got, ref):
				t.Errorf("output differs from jsonld.js:\n got: %s\nwant: %s", got, ref)
			case err != nil && !refRefused:
				t.Logf("we refuse what jsonld.js accepts: %v", err)
			}
		})
	}
}

func TestNumberLexical(t *testing.T) {
	const float = "http://www.w3.org/2001/XMLSchema#float"
	// Expected values are jsonld.js 9 output.
	tests := []struct {
		name     string
		v        float64
		datatype string
		lex, dt  string
		refuse   bool
	}{
		{"one and a half", 1.5, "", "1.5E0", xsdDouble, false},
		{"tenth", 0.1, "", "1.0E-1", xsdDouble, false},
		{"integer", 42, "", "42", xsdInteger, false},
		{"negative zero", math.Copysign(0, -1), "", "0", xsdInteger, false},
		{"1e19 typed float", 1e19, float, "10000000000000000000", float, false},
		{"1e21", 1e21, "", "1.0E21", xsdDouble, false},
		{"1.2345678901234568e22", 12345678901234567890123, float, "1.234567890123457E22", float, false},
		{"max double", math.MaxFloat64, "", "1.797693134862316E308", xsdDouble, false},
		{"2.5e-8", 2.5e-8, "", "2.5E-8", xsdDouble, false},
		{"large integer", 123456789012345678, "", "123456789012345680", xsdInteger, false},
		{"integer typed double", 5, xsdDouble, "5.0E0", xsdDouble, false},
		{"negative", -2.25, "", "-2.25E0", xsdDouble, false},
		{"1e-7", 1e-7, float, "", "", true},
		{"smallest subnormal", 5e-324, "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lex, dt, err := numberLexical(tt.v, tt.datatype)
			if tt.refuse {
				if err == nil {
					t.Fatalf("accepted as %q", lex)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if lex != tt.lex || dt != tt.dt {
				t.Errorf("got %q ^^ %s, want %q ^^ %s", lex, dt, tt.lex, tt.dt)
			}
		})
	}
}

func TestJSNumber(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {1, "1"}, {-1.5, "-1.5"}, {0.1, "0.1"},
		{1e21, "1e+21"}, {1e20, "100000000000000000000"}, {1e-7, "1e-7"}, {2.5e-8, "2.5e-8"},
		{1e-6, "0.000001"}, {123.456, "123.456"}, {5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"}, {123456789012345678, "123456789012345680"},
	}
	for _, tt := range tests {
		if got := jsNumber(tt.v); got != tt.want {
			t.Errorf("jsNumber(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestJCS(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"array", []any{"abc", "def"}, `["abc","def"]`},
		{"string", "abc", `"abc"`},
		{"escapes", "\"\\\b\f\n\r\t\u0001\u007f\u2028", "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\u007f\u2028\""},
		// U+1F600 sorts before U+FFFF in UTF-16 (0xD83D < 0xFFFF).
		{"utf-16 key order", map[string]any{"\uffff": 2.0, "😀": 1.0, "a": nil}, `{"a":null,"😀":1,"` + "\uffff" + `":2}`},
		{"numbers", []any{1e21, 1e-7, math.Copysign(0, -1), 4.5}, `[1e+21,1e-7,0,4.5]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := jcs(tt.in, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("jcs = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDataLossErrorMessage(t *testing.T) {
	err := error(&DataLossError{Path: "a.b", Reason: "gone"})
	if !errors.Is(err, ErrDataLoss) {
		t.Error("errors.Is(err, ErrDataLoss) = false")
	}
	if got := err.Error(); !strings.Contains(got, "a.b") || !strings.Contains(got, "gone") {
		t.Errorf("message %q lacks path or reason", got)
	}
}

func TestResolvePointer(t *testing.T) {
	doc := map[string]any{"a": []any{map[string]any{"b/c": map[string]any{"d~e": 1.0}}}}
	path, v := resolvePointer(doc, "/a/0/b~1c/d~0e")
	if path != "a[0].b/c.d~e" || v != 1.0 {
		t.Errorf("got %q %v", path, v)
	}
}

// TestBlankNodeWorkIsBounded: two look-alike blank nodes, each with n
// look-alike children, cost json-gold factorial time (n=8 took 7 s, n=10
// would take hours); jsonld.js refuses them from n=2 on. So do we, quickly.
func TestBlankNodeWorkIsBounded(t *testing.T) {
	for _, n := range []int{2, 8, 40} {
		kids := []any{}
		for range n {
			kids = append(kids, map[string]any{"p": "x"})
		}
		doc := map[string]any{
			"@context": map[string]any{"@vocab": "https://example.org/"},
			"@id":      "urn:a",
			"r":        []any{map[string]any{"q": kids}, map[string]any{"q": kids}},
		}
		_, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: canonRefLoader{}})
		if !errors.Is(err, ErrDataLoss) {
			t.Errorf("n=%d: err = %v, want a refusal", n, err)
		}
	}
	// Look-alike leaves under distinguishable parents stay accepted.
	doc := map[string]any{
		"@context": map[string]any{"@vocab": "https://example.org/"},
		"@id":      "urn:a",
		"r":        []any{map[string]any{"p": "x"}, map[string]any{"p": "x"}, map[string]any{"p": "x"}},
	}
	if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: canonRefLoader{}}); err != nil {
		t.Errorf("look-alike leaves refused: %v", err)
	}
	// Look-alike parents whose children have the same predicates (one
	// fingerprint) but differ in value: no two look-alikes are next to
	// each other, so it is accepted.
	doc = map[string]any{
		"@context": map[string]any{"@vocab": "https://example.org/"},
		"@id":      "urn:a",
		"r":        []any{map[string]any{"q": map[string]any{"p": "x"}}, map[string]any{"q": map[string]any{"p": "y"}}},
	}
	if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: canonRefLoader{}}); err != nil {
		t.Errorf("look-alike parents of distinct children refused: %v", err)
	}
	// The same with equal children is refused.
	doc["r"] = []any{map[string]any{"q": map[string]any{"p": "x"}}, map[string]any{"q": map[string]any{"p": "x"}}}
	if _, err := Canonicalize(context.Background(), doc, CanonOptions{Loader: canonRefLoader{}}); !errors.Is(err, ErrDataLoss) {
		t.Errorf("look-alike parents of look-alike children: err = %v, want a refusal", err)
	}
}

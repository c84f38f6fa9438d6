package bake_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/internal/testkit"
)

// wellFormed parses b to the end with encoding/xml.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("baked svg is not well-formed xml: %v\n%s", err, b)
		}
	}
}

func TestSVGRoundTrip(t *testing.T) {
	fixture := readTestdata(t, "credential.json")
	tests := []struct {
		name string
		svg  string
		cred string
		want string
		// after is what must directly follow the root start tag.
		after string
	}{
		{name: "json", svg: sampleSVG, cred: sampleJSON, want: sampleJSON,
			after: `<openbadges:credential><![CDATA[` + sampleJSON + `]]></openbadges:credential>`},
		{name: "jws", svg: sampleSVG, cred: sampleJWS() + "\n", want: sampleJWS(),
			after: `<openbadges:credential verify="` + sampleJWS() + `"></openbadges:credential>`},
		{name: "json with ]]> inside", svg: sampleSVG, cred: `{"description":"a]]>b]]]>c"}`, want: `{"description":"a]]>b]]]>c"}`,
			after: `<openbadges:credential><![CDATA[{"description":"a]]]]><![CDATA[>b]]]]]><![CDATA[>c"}]]></openbadges:credential>`},
		{name: "fixture with markup and ]]>", svg: string(readTestdata(t, "badge.svg")), cred: string(fixture), want: strings.TrimSpace(string(fixture))},
		{name: "self-closing root", svg: `<svg xmlns="http://www.w3.org/2000/svg" width="1" />`, cred: sampleJSON, want: sampleJSON,
			after: `<openbadges:credential><![CDATA[` + sampleJSON + `]]></openbadges:credential></svg>`},
		{name: "prefixed root", svg: `<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:g/></s:svg>`, cred: sampleJWS(), want: sampleJWS()},
		{name: "root without namespace", svg: `<svg><g/></svg>`, cred: sampleJSON, want: sampleJSON},
		{name: "prefix already bound", svg: `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"></svg>`, cred: sampleJSON, want: sampleJSON},
		{name: "utf-8 byte order mark", svg: "\ufeff" + sampleSVG, cred: sampleJSON, want: sampleJSON},
		{name: "non-ascii json", svg: sampleSVG, cred: `{"name":"Ängewandte Datenanalyse ✓ 📊"}`, want: `{"name":"Ängewandte Datenanalyse ✓ 📊"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			baked, err := bake.SVG([]byte(tc.svg), []byte(tc.cred))
			if err != nil {
				t.Fatal(err)
			}
			wellFormed(t, baked)
			got, err := bake.ExtractSVG(baked)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("extracted %q, want %q", got, tc.want)
			}
			if n := bytes.Count(baked, []byte(`xmlns:openbadges=`)); n != 1 {
				t.Fatalf("%d openbadges namespace declarations, want 1:\n%s", n, baked)
			}
			if tc.after != "" && !bytes.Contains(baked, []byte(">"+tc.after)) {
				t.Fatalf("the credential element does not follow the root start tag as %q:\n%s", tc.after, baked)
			}
			// Everything else is kept byte for byte.
			rest := bytes.Replace(baked, []byte(` xmlns:openbadges="`+bake.NamespaceOB+`"`), nil, 1)
			if i := bytes.Index(rest, []byte("<openbadges:credential")); i >= 0 && !strings.Contains(tc.name, "self-closing") {
				j := bytes.Index(rest, []byte("</openbadges:credential>")) + len("</openbadges:credential>")
				rest = append(rest[:i:i], rest[j:]...)
				if tc.name != "prefix already bound" && string(rest) != tc.svg {
					t.Fatalf("the rest of the document changed:\n%s", rest)
				}
			}
		})
	}
}

func TestSVGGolden(t *testing.T) {
	svg := readTestdata(t, "badge.svg")
	j, err := bake.SVG(svg, readTestdata(t, "credential.json"))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, filepath.Join("testdata", "baked-json.svg"), j)
	w, err := bake.SVG(svg, readTestdata(t, "credential.jwt"))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, filepath.Join("testdata", "baked-jws.svg"), w)
}

func TestSVGRebakeReplaces(t *testing.T) {
	tests := []struct {
		name string
		svg  string
	}{
		{"baked by us", ""},
		{"existing element deeper in the document", `<svg xmlns="http://www.w3.org/2000/svg"><g><credential xmlns="https://purl.imsglobal.org/ob/v3p0"><![CDATA[{"old":1}]]></credential></g></svg>`},
		{"clr namespace", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:clr="https://purl.imsglobal.org/clr/v2p0"><clr:credential verify="eyJhbGciOiJub25lIn0.eyJ9.x"/><rect/></svg>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svg := []byte(tc.svg)
			if tc.svg == "" {
				var err error
				if svg, err = bake.SVG([]byte(sampleSVG), []byte(sampleJWS())); err != nil {
					t.Fatal(err)
				}
			}
			baked, err := bake.SVG(svg, []byte(sampleJSON))
			if err != nil {
				t.Fatal(err)
			}
			wellFormed(t, baked)
			got, err := bake.ExtractSVG(baked)
			if err != nil || string(got) != sampleJSON {
				t.Fatalf("got %q, %v", got, err)
			}
			if bytes.Count(baked, []byte("<openbadges:credential")) != 1 || bytes.Contains(baked, []byte("<credential")) || bytes.Contains(baked, []byte("clr:credential")) {
				t.Fatalf("want exactly one credential element:\n%s", baked)
			}
		})
	}
}

func TestExtractSVG(t *testing.T) {
	const ns = `xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`
	tests := []struct {
		name   string
		svg    string
		limits bake.Limits
		want   string
		err    error
	}{
		{name: "cdata", svg: `<svg ` + ns + `><openbadges:credential><![CDATA[{"a":"<b>"}]]></openbadges:credential></svg>`, want: `{"a":"<b>"}`},
		{name: "escaped text", svg: `<svg ` + ns + `><openbadges:credential>{"a":"&lt;b&gt; &amp;"}</openbadges:credential></svg>`, want: `{"a":"<b> &"}`},
		{name: "split cdata", svg: `<svg ` + ns + `><openbadges:credential><![CDATA[{"a":"]]]]><![CDATA[>"}]]></openbadges:credential></svg>`, want: `{"a":"]]>"}`},
		{name: "verify attribute", svg: `<svg ` + ns + `><openbadges:credential verify="a.b.c"/></svg>`, want: "a.b.c"},
		{name: "two elements refused", svg: `<svg ` + ns + `><openbadges:credential verify="first"/><openbadges:credential verify="second"/></svg>`, err: bake.ErrDuplicateCredential},
		{name: "two elements in two namespaces refused", svg: `<svg ` + ns + ` xmlns:c="https://purl.imsglobal.org/clr/v2p0"><openbadges:credential verify="a.b.c"/><g><c:credential>{"x":1}</c:credential></g></svg>`, err: bake.ErrDuplicateCredential},
		{name: "second element after other content refused", svg: `<svg ` + ns + `><openbadges:credential>{"a":1}</openbadges:credential><rect/><openbadges:credential>{"a":2}</openbadges:credential></svg>`, err: bake.ErrDuplicateCredential},
		{name: "clr namespace", svg: `<svg xmlns:c="https://purl.imsglobal.org/clr/v2p0"><c:credential>{"clr":true}</c:credential></svg>`, want: `{"clr":true}`},
		{name: "other prefix, ob namespace", svg: `<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><g><ob:credential>{}</ob:credential></g></svg>`, want: `{}`},
		{name: "wrong namespace", svg: `<svg xmlns:openbadges="http://openbadges.org"><openbadges:credential verify="x"/></svg>`, err: bake.ErrNotBaked},
		{name: "unbound prefix", svg: `<svg><openbadges:credential verify="x"/></svg>`, err: bake.ErrNotBaked},
		{name: "not baked", svg: sampleSVG, err: bake.ErrNotBaked},
		{name: "empty element", svg: `<svg ` + ns + `><openbadges:credential>  </openbadges:credential></svg>`, err: bake.ErrMalformedImage},
		{name: "text over the limit", svg: `<svg ` + ns + `><openbadges:credential>{"aaaaaaaaaaaaaaaaaaaaaa":1}</openbadges:credential></svg>`, limits: bake.Limits{MaxCredentialSize: 8}, err: bake.ErrTooLarge},
		{name: "image over the limit", svg: sampleSVG, limits: bake.Limits{MaxImageSize: 64}, err: bake.ErrTooLarge},
		{name: "root is not svg", svg: `<html><openbadges:credential verify="x"/></html>`, err: bake.ErrMalformedImage},
		{name: "truncated", svg: sampleSVG[:len(sampleSVG)/2], err: bake.ErrMalformedImage},
		{name: "unclosed root", svg: `<svg ` + ns + `><g/>`, err: bake.ErrMalformedImage},
		{name: "text outside the root", svg: `hello<svg/>`, err: bake.ErrMalformedImage},
		{name: "second root", svg: `<svg/><svg/>`, err: bake.ErrMalformedImage},
		{name: "undeclared entity", svg: `<svg ` + ns + `><openbadges:credential>&lol;</openbadges:credential></svg>`, err: bake.ErrMalformedImage},
		{name: "external entity", svg: `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg ` + ns + `><openbadges:credential>&xxe;</openbadges:credential></svg>`, err: bake.ErrMalformedImage},
		{name: "billion laughs", svg: billionLaughs, err: bake.ErrMalformedImage},
		{name: "non utf-8 encoding", svg: `<?xml version="1.0" encoding="ISO-8859-1"?><svg/>`, err: bake.ErrMalformedImage},
		{name: "empty", svg: ``, err: bake.ErrMalformedImage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.limits.ExtractSVG([]byte(tc.svg))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential>&lol9;</openbadges:credential></svg>`

func TestSVGBakeRefuses(t *testing.T) {
	tests := []struct {
		name string
		svg  string
		cred string
		err  error
	}{
		{"prefix bound elsewhere", `<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="x"/></svg>`, sampleJSON, bake.ErrMalformedImage},
		{"billion laughs", billionLaughs, sampleJSON, bake.ErrMalformedImage},
		{"not svg", `<html/>`, sampleJSON, bake.ErrMalformedImage},
		{"character xml cannot carry", sampleSVG, "{\"a\":\"\uffff\"}", bake.ErrInvalidCredential},
		{"malformed after the root", sampleSVG + "<x>", sampleJSON, bake.ErrMalformedImage},
		{"undeclared prefix would become a second credential", `<svg><openbadges:credential verify="a.b.c"/></svg>`, sampleJSON, bake.ErrMalformedImage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := bake.SVG([]byte(tc.svg), []byte(tc.cred)); !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want bake.Format
	}{
		{"png", tinyPNG(t, 1, 1), bake.FormatPNG},
		{"svg", []byte(sampleSVG), bake.FormatSVG},
		{"svg with bom and space", []byte("\ufeff \n<svg/>"), bake.FormatSVG},
		{"json", []byte(sampleJSON), bake.FormatJSON},
		{"json with leading space", []byte("\n\t {}"), bake.FormatJSON},
		{"jws", []byte(sampleJWS()), bake.FormatJWS},
		{"jws with trailing newline", []byte(sampleJWS() + "\r\n"), bake.FormatJWS},
		{"jws without signature", []byte("eyJhbGciOiJub25lIn0.eyJ9."), bake.FormatJWS},
		{"three segments, header not json", []byte("aGVsbG8.eyJ9.c2ln"), bake.FormatUnknown},
		{"html", []byte("<html></html>"), bake.FormatUnknown},
		{"gif", []byte("GIF89a"), bake.FormatUnknown},
		{"png signature cut", []byte("\x89PNG\r\n"), bake.FormatUnknown},
		{"empty", nil, bake.FormatUnknown},
		{"text", []byte("hello"), bake.FormatUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := bake.Detect(tc.data); got != tc.want {
				t.Fatalf("Detect = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBakeAndExtractByContent(t *testing.T) {
	for _, img := range [][]byte{tinyPNG(t, 2, 2), []byte(sampleSVG)} {
		baked, f, err := bake.Bake(img, []byte(sampleJSON))
		if err != nil {
			t.Fatal(err)
		}
		got, g, err := bake.Extract(baked)
		if err != nil || f != g || string(got) != sampleJSON {
			t.Fatalf("%v: got %q as %v, %v", f, got, g, err)
		}
	}
	if _, _, err := bake.Bake([]byte(sampleJSON), []byte(sampleJSON)); !errors.Is(err, bake.ErrMalformedImage) {
		t.Fatalf("baking into json: %v", err)
	}
	if _, _, err := bake.Extract([]byte("GIF89a")); !errors.Is(err, bake.ErrMalformedImage) {
		t.Fatalf("extracting from a gif: %v", err)
	}
}

package jsonld

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// randomIRI builds IRI-like strings near the edges of quickIRI's subset:
// odd hosts, ports, percent signs, characters checkIRI refuses.
func randomIRI(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	var b strings.Builder
	b.WriteString(pick("http", "https", "urn", "did", "HTTPS", "ftp", "a+b.c-d", "1x", "", "h ttp"))
	b.WriteString(pick("://", ":", ":/", "://", "://", ":///", "//"))
	const hostChars = "abcXYZ019-_.-."
	labels := r.IntN(5)
	for i := 0; i < labels; i++ {
		if i > 0 {
			b.WriteString(pick(".", ".", ".", "..", "-", "@"))
		}
		for j := r.IntN(6); j >= 0; j-- {
			b.WriteByte(hostChars[r.IntN(len(hostChars))])
		}
		if r.IntN(20) == 0 {
			b.WriteString(pick("é", "\u3000", "😀", "%41"))
		}
	}
	if r.IntN(4) == 0 {
		b.WriteString(pick(":", ":8", ":443", ":123456", ":x", ":65535"))
	}
	const pathChars = "/?#abc019-._~!$&'()*+,;=:@[]%<>\"{}|^`\\ \t"
	for j := r.IntN(12); j > 0; j-- {
		if r.IntN(30) == 0 {
			b.WriteString(pick("é", "\u00a0", "\x7f", "\x00", "%zz", "%2F"))
			continue
		}
		b.WriteByte(pathChars[r.IntN(len(pathChars))])
	}
	return b.String()
}

// TestQuickIRIIsConservative: whatever the fast path accepts, the full
// check (json-gold's URL expression, URL parsing) accepts too.
func TestQuickIRIIsConservative(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	accepted := 0
	for range 300000 {
		iri := randomIRI(r)
		if !quickIRI(iri) {
			continue
		}
		accepted++
		if err := checkIRISlow(iri); err != nil {
			t.Fatalf("quickIRI accepts %q, the full check refuses it: %v", iri, err)
		}
	}
	if accepted < 3000 {
		t.Errorf("only %d generated IRIs took the fast path; the generator has drifted", accepted)
	}
	// The IRIs credentials are made of must take the fast path.
	for _, iri := range []string{
		"https://www.w3.org/2018/credentials#credentialSubject",
		"https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement",
		"http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
		"https://w3id.org/security#proof",
		"https://example.edu/issuers/565049",
		"https://1edtech.edu/credentials/3732?x=1&y=2",
		"urn:uuid:a63a60be-f4af-491c-87fc-2c8fd3007a58",
		"did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
		"http://www.w3.org/2001/XMLSchema#dateTime",
		"https://example.com:8443/a/b",
	} {
		if !quickIRI(iri) {
			t.Errorf("%s does not take the fast path", iri)
		}
	}
}

func FuzzQuickIRI(f *testing.F) {
	for _, s := range []string{"https://a.b.com/x", "urn:x:y", "http://a-b.c-d.ef:80?q#f", "https://x.y/%zz", "http://ab.c.de"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, iri string) {
		want := quickIRI(iri)
		if want {
			if err := checkIRISlow(iri); err != nil {
				t.Fatalf("quickIRI accepts %q, the full check refuses it: %v", iri, err)
			}
		}
		// Twice with one memo: the second call may take the host from it.
		var host string
		for i := range 2 {
			if got := quickIRIHost(iri, &host); got != want {
				t.Fatalf("call %d: quickIRIHost(%q) = %v, quickIRI %v", i, iri, got, want)
			}
		}
	})
}

// TestQuickIRIHostMemo: quickIRIHost answers as quickIRI whatever host the
// memo holds from the IRI before, on random pairs sharing hosts or not.
func TestQuickIRIHostMemo(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	hits := 0
	var host string
	prev := ""
	for range 200000 {
		iri := randomIRI(r)
		if r.IntN(3) == 0 {
			// The host of the IRI before, with another tail.
			if i := strings.Index(prev, "://"); i >= 0 {
				iri = prev[:i+3] + strings.SplitN(prev[i+3:], "/", 2)[0] + iri[len(iri)/2:]
			}
		}
		before := host
		got, want := quickIRIHost(iri, &host), quickIRI(iri)
		if got != want {
			t.Fatalf("quickIRIHost(%q) with host %q remembered = %v, quickIRI %v", iri, before, got, want)
		}
		if before != "" && before == host && got {
			hits++
		}
		prev = iri
	}
	if hits < 1000 {
		t.Errorf("only %d IRIs reused the remembered host; the test hardly covers the memo", hits)
	}
}

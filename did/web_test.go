package did_test

import (
	"errors"
	"net/netip"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/did"
)

func TestParseWeb(t *testing.T) {
	tests := []struct {
		name string
		did  string
		url  string
		host string
		port int
		path []string
	}{
		{"well-known", "did:web:example.com", "https://example.com/.well-known/did.json", "example.com", 0, nil},
		{"spec example with port and path", "did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json", "example.com", 3000, []string{"user", "alice"}},
		{"spec example github", "did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json", "w3c-ccg.github.io", 0, []string{"user", "alice"}},
		{"lower-case port escape", "did:web:example.com%3a8443", "https://example.com:8443/.well-known/did.json", "example.com", 8443, nil},
		{"single label", "did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json", "localhost", 8443, nil},
		{"escaped space in path", "did:web:example.com:a%20b", "https://example.com/a%20b/did.json", "example.com", 0, []string{"a b"}},
		{"escaped unreserved re-spelled", "did:web:example.com:%41bc", "https://example.com/Abc/did.json", "example.com", 0, []string{"Abc"}},
		{"numeric label not last", "did:web:1.example.com", "https://1.example.com/.well-known/did.json", "1.example.com", 0, nil},
		{"max port", "did:web:example.com%3A65535", "https://example.com:65535/.well-known/did.json", "example.com", 65535, nil},
		{"dots in segment", "did:web:example.com:v1.2", "https://example.com/v1.2/did.json", "example.com", 0, []string{"v1.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := did.ParseWeb(tt.did)
			if err != nil {
				t.Fatalf("ParseWeb(%q): %v", tt.did, err)
			}
			if w.URL != tt.url || w.Host != tt.host || w.Port != tt.port || !slices.Equal(w.Path, tt.path) || w.DID != tt.did {
				t.Errorf("ParseWeb(%q) = %+v, want url %s host %s port %d path %q", tt.did, w, tt.url, tt.host, tt.port, tt.path)
			}
		})
	}
}

func TestParseWebErrors(t *testing.T) {
	long := "did:web:example.com:" + strings.Repeat("a", did.MaxLen)
	longHost := "did:web:" + strings.Repeat("a.", 130) + "com"
	tests := []struct {
		name  string
		did   string
		field string
		ip    bool
	}{
		{"empty id", "did:web:", "did", false},
		{"too long", long, "did", false},
		{"control byte", "did:web:exa\x00mple.com", "did", false},
		{"DID URL path", "did:web:example.com/did.json", "did", false},
		{"DID URL fragment", "did:web:example.com#key-1", "did", false},
		{"DID URL query", "did:web:example.com?x=1", "did", false},
		{"IPv4", "did:web:127.0.0.1", "host", true},
		{"IPv4 with port", "did:web:10.0.0.1%3A443", "host", true},
		{"short IPv4", "did:web:127.1", "host", true},
		{"decimal IPv4", "did:web:2130706433", "host", true},
		{"hex IPv4", "did:web:0x7f.0x1", "host", true},
		{"IPv6 brackets", "did:web:%5B::1%5D", "host", false},
		{"host too long", longHost, "host", false},
		{"empty label", "did:web:example..com", "host", false},
		{"trailing dot", "did:web:example.com.", "host", false},
		{"leading hyphen", "did:web:-bad.example.com", "host", false},
		{"underscore", "did:web:exa_mple.com", "host", false},
		{"escaped host byte", "did:web:exa%6Dple.com", "host", false},
		{"empty host with port", "did:web:%3A443", "host", false},
		{"port zero", "did:web:example.com%3A0", "port", false},
		{"port too big", "did:web:example.com%3A65536", "port", false},
		{"port leading zero", "did:web:example.com%3A0443", "port", false},
		{"port empty", "did:web:example.com%3A", "port", false},
		{"port not numeric", "did:web:example.com%3Ahttps", "port", false},
		{"two ports", "did:web:example.com%3A443%3A1", "port", false},
		{"trailing colon", "did:web:example.com:", "path", false},
		{"empty segment", "did:web:example.com::user", "path", false},
		{"dot-dot", "did:web:example.com:..", "path", false},
		{"dot", "did:web:example.com:.", "path", false},
		{"escaped dot-dot", "did:web:example.com:%2e%2E", "path", false},
		{"escaped slash", "did:web:example.com:a%2Fb", "path", false},
		{"escaped backslash", "did:web:example.com:a%5cb", "path", false},
		{"escaped NUL", "did:web:example.com:a%00", "path", false},
		{"truncated escape", "did:web:example.com:a%2", "path", false},
		{"bad hex escape", "did:web:example.com:a%zz", "path", false},
		{"reserved byte", "did:web:example.com:a@b", "path", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := did.ParseWeb(tt.did)
			if err == nil {
				t.Fatalf("ParseWeb(%q) = %+v, want an error", tt.did, w)
			}
			if !errors.Is(err, did.ErrInvalidDID) {
				t.Errorf("error %v does not wrap ErrInvalidDID", err)
			}
			if got := errors.Is(err, did.ErrIPHost); got != tt.ip {
				t.Errorf("errors.Is(%v, ErrIPHost) = %v, want %v", err, got, tt.ip)
			}
			var we *did.WebError
			if !errors.As(err, &we) {
				t.Fatalf("error %v is not a *WebError", err)
			}
			if we.Field != tt.field || we.DID != tt.did {
				t.Errorf("WebError field %q for %q, want field %q", we.Field, we.DID, tt.field)
			}
			if !strings.Contains(err.Error(), "did:web:") {
				t.Errorf("error %q does not name the DID", err)
			}
		})
	}
	if _, err := did.ParseWeb(obDID); !errors.Is(err, did.ErrUnsupportedMethod) {
		t.Errorf("ParseWeb(did:key) = %v, want ErrUnsupportedMethod", err)
	}
}

func TestFormatWeb(t *testing.T) {
	tests := []struct {
		domain, did string
	}{
		{"example.edu", "did:web:example.edu"},
		{"example.edu:8443", "did:web:example.edu%3A8443"},
		{"example.edu/issuers/cs", "did:web:example.edu:issuers:cs"},
		{"example.edu:8443/issuers/cs/", "did:web:example.edu%3A8443:issuers:cs"},
		{"example.edu/a b", "did:web:example.edu:a%20b"},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			got, err := did.FormatWeb(tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.did {
				t.Errorf("FormatWeb(%q) = %s, want %s", tt.domain, got, tt.did)
			}
		})
	}
	for _, bad := range []string{"", "127.0.0.1", "example.edu:0", "example.edu//x", "example.edu/../x", "https://example.edu", "example.edu:80:80"} {
		if got, err := did.FormatWeb(bad); !errors.Is(err, did.ErrInvalidDID) {
			t.Errorf("FormatWeb(%q) = %q, %v; want ErrInvalidDID", bad, got, err)
		}
	}
}

func FuzzParseWeb(f *testing.F) {
	for _, s := range readSeeds(f, "did-web.txt") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := did.ParseWeb(s)
		if err != nil {
			if !errors.Is(err, did.ErrInvalidDID) && !errors.Is(err, did.ErrUnsupportedMethod) {
				t.Fatalf("ParseWeb(%q): error %v wraps neither ErrInvalidDID nor ErrUnsupportedMethod", s, err)
			}
			return
		}
		if w.DID != s {
			t.Fatalf("DID %q, parsed from %q", w.DID, s)
		}
		u, err := url.Parse(w.URL)
		if err != nil {
			t.Fatalf("ParseWeb(%q).URL %q: %v", s, w.URL, err)
		}
		if u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Hostname() != w.Host {
			t.Fatalf("ParseWeb(%q).URL = %q: not https://%s/... alone", s, w.URL, w.Host)
		}
		if _, err := netip.ParseAddr(u.Hostname()); err == nil {
			t.Fatalf("ParseWeb(%q) accepted an IP host", s)
		}
		if path.Clean(u.Path) != u.Path || !strings.HasSuffix(u.Path, "/did.json") {
			t.Fatalf("ParseWeb(%q).URL path %q is not clean or not .../did.json", s, u.Path)
		}
		if want := "/" + strings.Join(append(slices.Clone(w.Path), "did.json"), "/"); len(w.Path) > 0 && u.Path != want {
			t.Fatalf("ParseWeb(%q).URL path %q, want %q", s, u.Path, want)
		}
		again, err := did.FormatWeb(w.Domain())
		if err != nil {
			t.Fatalf("FormatWeb(%q) of a parsed DID: %v", w.Domain(), err)
		}
		w2, err := did.ParseWeb(again)
		if err != nil {
			t.Fatalf("ParseWeb(FormatWeb(%q)) = %v", w.Domain(), err)
		}
		if w2.URL != w.URL || w2.Host != w.Host || w2.Port != w.Port || !slices.Equal(w2.Path, w.Path) {
			t.Fatalf("round trip %q -> %q: %+v != %+v", s, again, w2, w)
		}
	})
}

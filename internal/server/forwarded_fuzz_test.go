package server

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// FuzzClientAddr feeds arbitrary peers and X-Forwarded-For headers to
// clientAddr: it never panics, its answer is an address (or, for a peer
// that is not host:port, the peer as given), an untrusted peer is always
// answered with itself, and a trusted one never with a hop left of one
// that does not parse.
func FuzzClientAddr(f *testing.F) {
	for _, s := range [][2]string{
		{"10.0.0.2:1", "198.51.100.9"},
		{"10.0.0.2:1", "203.0.113.1, 198.51.100.9, 10.0.0.3"},
		{"192.0.2.1:1", "198.51.100.9"},
		{"[::ffff:10.0.0.2]:1", "2001:db8::1,"},
		{"10.0.0.2:1", ", ,bogus"},
		{"nonsense", "1.2.3.4"},
	} {
		f.Add(s[0], s[1])
	}
	s := &Server{opts: Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := httptest.NewRequest("GET", "http://x/", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", xff)
		got := s.clientAddr(r)
		a, err := netip.ParseAddr(got)
		if err != nil {
			// Only a peer that is not an address comes back unparsed.
			if pa, perr := netip.ParseAddrPort(peer); perr == nil {
				t.Fatalf("peer %q, X-Forwarded-For %q: answer %q is not an address (peer %v)", peer, xff, got, pa)
			}
			return
		}
		if pa, err := netip.ParseAddrPort(peer); err == nil && !s.trusted(pa.Addr().Unmap()) && a != pa.Addr().Unmap() {
			t.Fatalf("untrusted peer %q, X-Forwarded-For %q: answer %s", peer, xff, got)
		}
		if a.Is4In6() {
			t.Fatalf("answer %s is an IPv4-mapped address", got)
		}
	})
}

package safehttp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPublic(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"0.0.0.0", false}, {"100.64.0.1", false}, {"::1", false},
		{"fe80::1", false}, {"fd00::1", false}, {"::ffff:127.0.0.1", false}, {"224.0.0.1", false},
		{"::127.0.0.1", false}, {"::10.0.0.1", false}, {"::8.8.8.8", false}, {"fec0::1", false},
		{"feff:ffff::1", false}, {"3fff::1", false},
		{"8.8.8.8", true}, {"1.1.1.1", true}, {"2606:4700:4700::1111", true}, {"2a00:1450::1", true},
	}
	for _, tc := range tests {
		t.Run(tc.ip, func(t *testing.T) {
			if got := Public(netip.MustParseAddr(tc.ip)); got != tc.want {
				t.Fatalf("Public(%s) = %v, want %v", tc.ip, got, tc.want)
			}
		})
	}
}

func TestLoopbackRefusedByDefault(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport)

	c := NewClient(Options{Transport: tr})
	_, err := Get(context.Background(), c, srv.URL, "", "", 1024)
	if !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("err = %v, want ErrForbiddenAddress", err)
	}
	c = NewClient(Options{Transport: tr, AllowPrivate: true})
	resp, err := Get(context.Background(), c, srv.URL, "", "", 1024)
	if err != nil || string(resp.Body) != "secret" {
		t.Fatalf("allowed fetch: %v %v", resp, err)
	}
}

// A caller's transport whose own dialers would connect anywhere cannot
// bypass the address check.
func TestTransportDialersReplaced(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	var direct net.Dialer
	tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := direct.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := tls.Client(conn, tr.TLSClientConfig.Clone())
		return tc, tc.HandshakeContext(ctx)
	}
	tr.Proxy = http.ProxyFromEnvironment
	c := NewClient(Options{Transport: tr})
	if _, err := Get(context.Background(), c, srv.URL, "", "", 1024); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("fetch through a transport with its own TLS dialer = %v, want ErrForbiddenAddress", err)
	}
	// The same transport works once private addresses are allowed, so the
	// refusal above is the guard's, not a broken dialer's.
	c = NewClient(Options{Transport: tr, AllowPrivate: true})
	if resp, err := Get(context.Background(), c, srv.URL, "", "", 1024); err != nil || string(resp.Body) != "secret" {
		t.Fatalf("allowed fetch: %v %v", resp, err)
	}
}

func TestGetLimitsAndRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, strings.Repeat("x", 5000)) })
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		for range 100 {
			fmt.Fprint(w, strings.Repeat("y", 100))
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
	})
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("/missing", http.NotFound)
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	c := NewClient(Options{Transport: srv.Client().Transport.(*http.Transport), AllowPrivate: true, Timeout: 300 * time.Millisecond})

	tests := []struct {
		path string
		etag string
		want error
		body string
	}{
		{path: "/big", want: ErrTooLarge},
		{path: "/stream", want: ErrTooLarge},
		{path: "/away", want: ErrRedirect},
		{path: "/here", body: "ok"},
		{path: "/missing", want: ErrStatus},
		{path: "/ok", etag: `"v1"`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := Get(context.Background(), c, srv.URL+tc.path, "application/json", tc.etag, 1000)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != tc.body {
				t.Fatalf("body = %q, want %q", resp.Body, tc.body)
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		if _, err := Get(context.Background(), c, srv.URL+"/slow", "", "", 1000); err == nil {
			t.Fatal("slow server did not time out")
		}
	})
	t.Run("plain http refused", func(t *testing.T) {
		if _, err := Get(context.Background(), c, "http://127.0.0.1:1/", "", "", 10); !errors.Is(err, ErrForbiddenAddress) {
			t.Fatalf("err = %v", err)
		}
	})
}

// testResolver is the injected DNS of TestGuard: every name maps to fixed
// answers, and an unknown name is an error, so nothing reaches real DNS.
func testResolver(answers map[string][]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		a, ok := answers[host]
		if !ok {
			return nil, fmt.Errorf("test resolver: no such host %s", host)
		}
		out := make([]netip.Addr, len(a))
		for i, s := range a {
			out[i] = netip.MustParseAddr(s)
		}
		return out, nil
	}
}

// dialCounter counts and records the addresses the guard let through.
type dialCounter struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialCounter) dial(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	d.addrs = append(d.addrs, address)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, network, address)
}

func (d *dialCounter) dialled() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.addrs)
}

// TestGuard maps test host names to one loopback listener and proves that
// everything else that is not public is refused before any dial: private
// and link-local literals, loopback by another port or another form, DNS
// answers pointing inside, and redirects to loopback. A second loopback
// listener, which the guard must never reach, counts its connections.
func TestGuard(t *testing.T) {
	var otherConns atomic.Int32
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "other") }))
	other.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			otherConns.Add(1)
		}
	}
	other.StartTLS()
	defer other.Close()
	otherAddr := netip.MustParseAddrPort(other.Listener.Addr().String())

	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	mux.HandleFunc("/to-loopback", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+otherAddr.String()+"/", http.StatusFound)
	})
	mux.HandleFunc("/to-name", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, fmt.Sprintf("https://rebind.example.com:%d/", otherAddr.Port()), http.StatusFound)
	})
	allowed := httptest.NewTLSServer(mux)
	defer allowed.Close()
	allowedAddr := netip.MustParseAddrPort(allowed.Listener.Addr().String())
	p, q := allowedAddr.Port(), otherAddr.Port()

	resolve := testResolver(map[string][]string{
		"status.example.com":   {"127.0.0.1"},
		"rebind.example.com":   {"127.0.0.1"},
		"intranet.example.com": {"10.1.2.3"},
		"metadata.example.com": {"169.254.169.254"},
		"v6.example.com":       {"::1"},
		"mapped.example.com":   {"::ffff:127.0.0.1"},
		"mixed.example.com":    {"127.0.0.1", "10.0.0.1"},
	})
	tests := []struct {
		name  string
		url   string
		want  error // nil: the fetch succeeds with body "ok"
		dials int
	}{
		{name: "the allowed listener by name", url: fmt.Sprintf("https://status.example.com:%d/ok", p), dials: 1},
		{name: "the allowed listener by address", url: fmt.Sprintf("https://127.0.0.1:%d/ok", p), dials: 1},
		{name: "10/8 literal", url: "https://10.0.0.1/", want: ErrForbiddenAddress},
		{name: "10/8 by dns", url: "https://intranet.example.com/", want: ErrForbiddenAddress},
		{name: "metadata literal", url: "https://169.254.169.254/latest/meta-data/", want: ErrForbiddenAddress},
		{name: "metadata by dns", url: "https://metadata.example.com/", want: ErrForbiddenAddress},
		{name: "::1 on the allowed port", url: fmt.Sprintf("https://[::1]:%d/ok", p), want: ErrForbiddenAddress},
		{name: "::1 by dns", url: fmt.Sprintf("https://v6.example.com:%d/ok", p), want: ErrForbiddenAddress},
		{name: "127.0.0.1 on another port", url: fmt.Sprintf("https://127.0.0.1:%d/", q), want: ErrForbiddenAddress},
		{name: "ipv4-mapped loopback on the allowed port", url: fmt.Sprintf("https://[::ffff:127.0.0.1]:%d/ok", p), want: ErrForbiddenAddress},
		{name: "ipv4-mapped loopback by dns", url: fmt.Sprintf("https://mapped.example.com:%d/ok", p), want: ErrForbiddenAddress},
		{name: "dns answer at loopback", url: fmt.Sprintf("https://rebind.example.com:%d/", q), want: ErrForbiddenAddress},
		{name: "dns answer with one private address", url: fmt.Sprintf("https://mixed.example.com:%d/ok", p), want: ErrForbiddenAddress},
		{name: "redirect to a loopback literal", url: fmt.Sprintf("https://status.example.com:%d/to-loopback", p), want: ErrRedirect, dials: 1},
		{name: "redirect to a name at loopback", url: fmt.Sprintf("https://status.example.com:%d/to-name", p), want: ErrRedirect, dials: 1},
		{name: "plain http to the allowed listener", url: fmt.Sprintf("http://status.example.com:%d/ok", p), want: ErrForbiddenAddress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dc := &dialCounter{}
			c := NewClient(Options{
				Transport:  allowed.Client().Transport.(*http.Transport),
				Resolve:    resolve,
				AllowAddrs: []netip.AddrPort{allowedAddr},
				Dial:       dc.dial,
			})
			resp, err := Get(context.Background(), c, tc.url, "", "", 1024)
			switch {
			case tc.want == nil && (err != nil || string(resp.Body) != "ok"):
				t.Fatalf("fetch = %v, %v; want ok", resp, err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			got := dc.dialled()
			if len(got) != tc.dials {
				t.Fatalf("dialled %q, want %d dials", got, tc.dials)
			}
			for _, a := range got {
				if a != allowedAddr.String() {
					t.Fatalf("dialled %s, only %s is allowed", a, allowedAddr)
				}
			}
		})
	}
	if n := otherConns.Load(); n != 0 {
		t.Fatalf("the listener outside the exceptions accepted %d connections", n)
	}
}

// The guard also holds for a client without a Dial hook: the default
// dialer checks the address it connects to once more.
func TestGuardDefaultDialer(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer srv.Close()
	addr := netip.MustParseAddrPort(srv.Listener.Addr().String())
	resolve := testResolver(map[string][]string{"status.example.com": {"127.0.0.1"}})
	c := NewClient(Options{Transport: srv.Client().Transport.(*http.Transport), Resolve: resolve, AllowAddrs: []netip.AddrPort{addr}})
	url := fmt.Sprintf("https://status.example.com:%d/", addr.Port())
	if resp, err := Get(context.Background(), c, url, "", "", 1024); err != nil || string(resp.Body) != "ok" {
		t.Fatalf("allowed fetch: %v %v", resp, err)
	}
	c = NewClient(Options{Transport: srv.Client().Transport.(*http.Transport), Resolve: resolve})
	if _, err := Get(context.Background(), c, url, "", "", 1024); !errors.Is(err, ErrForbiddenAddress) {
		t.Fatalf("fetch without the exception: %v, want ErrForbiddenAddress", err)
	}
}

// TestGetContract pins what callers of the one bounded GET branch on: the
// status code of a refusal, the Accept header sent, and the URL the body
// came from after a same-host redirect.
func TestGetContract(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/gone", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/doc", http.StatusFound) })
	mux.HandleFunc("/doc", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Header.Get("Accept")) })
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	c := NewClient(Options{Transport: srv.Client().Transport.(*http.Transport), AllowPrivate: true, Timeout: 10 * time.Second})
	for _, code := range []int{http.StatusGone, http.StatusInternalServerError} {
		path := map[int]string{http.StatusGone: "/gone", http.StatusInternalServerError: "/broken"}[code]
		_, err := Get(context.Background(), c, srv.URL+path, "", "", 100)
		var se *StatusError
		if !errors.As(err, &se) || se.Code != code || se.URL != srv.URL+path || !errors.Is(err, ErrStatus) {
			t.Errorf("%s: err = %v, want a StatusError %d wrapping ErrStatus", path, err, code)
		}
	}
	resp, err := Get(context.Background(), c, srv.URL+"/moved", "application/did+json", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "application/did+json" {
		t.Errorf("Accept sent = %q", resp.Body)
	}
	if resp.URL == nil || resp.URL.Path != "/doc" {
		t.Errorf("Response.URL = %v, want the redirect's target", resp.URL)
	}
}

func TestReadAtMost(t *testing.T) {
	tests := []struct {
		in    string
		limit int64
		fails bool
	}{
		{"", 0, false},
		{"abc", 3, false},
		{"abcd", 3, true},
		{"abc", 0, true},
	}
	for _, tt := range tests {
		got, err := ReadAtMost(strings.NewReader(tt.in), tt.limit)
		switch {
		case tt.fails && !errors.Is(err, ErrTooLarge):
			t.Errorf("ReadAtMost(%q, %d) = %q, %v; want ErrTooLarge", tt.in, tt.limit, got, err)
		case !tt.fails && (err != nil || string(got) != tt.in):
			t.Errorf("ReadAtMost(%q, %d) = %q, %v", tt.in, tt.limit, got, err)
		}
	}
}

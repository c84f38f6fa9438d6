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
	"strings"
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
		{"8.8.8.8", true}, {"1.1.1.1", true}, {"2606:4700:4700::1111", true},
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

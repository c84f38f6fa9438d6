// Package safehttp builds the HTTP client the verifier uses for everything
// it fetches on a credential's behalf (did:web documents, status lists).
//
// A credential is hostile input: the URLs in it must not be able to make the
// verifier reach internal services (SSRF), hang it, or exhaust its memory.
// The client therefore refuses loopback, private, link-local and other
// non-public addresses unless told otherwise (the check runs on the resolved
// address at dial time, so DNS tricks do not bypass it), follows redirects
// only within the same host, has a total timeout, and Get bounds the body.
package safehttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned when a URL resolves to an address the
// client is not allowed to reach.
var ErrForbiddenAddress = errors.New("address not allowed")

// ErrTooLarge is returned when a response body exceeds the limit.
var ErrTooLarge = errors.New("response too large")

// ErrStatus is wrapped by Get for a non-2xx response.
var ErrStatus = errors.New("unexpected http status")

// ErrRedirect is returned for a redirect to another host or scheme.
var ErrRedirect = errors.New("redirect not allowed")

// Options configures a client. The zero value is the safe default.
type Options struct {
	// AllowPrivate permits loopback, private, link-local and other
	// non-public addresses. Tests with loopback servers and deployments
	// inside a private network set it.
	AllowPrivate bool
	// AllowHTTP permits plain http URLs. If false, only https.
	AllowHTTP bool
	// Timeout bounds a whole request, body included. If zero, 10 seconds.
	Timeout time.Duration
	// MaxRedirects bounds same-host redirects. If zero, 3.
	MaxRedirects int
	// Transport overrides the base transport. Its dialers (DialContext,
	// DialTLSContext and the deprecated Dial and DialTLS) and its proxy are
	// replaced, so it cannot route around the address check; its TLS
	// configuration is kept, which is what tests use to trust a loopback
	// certificate. If nil, a clone of http.DefaultTransport.
	Transport *http.Transport
}

// NewClient returns a guarded client for opts.
func NewClient(opts Options) *http.Client {
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = 3
	}
	var tr *http.Transport
	if opts.Transport != nil {
		tr = opts.Transport.Clone()
	} else {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	dialer := &net.Dialer{
		Timeout: opts.Timeout,
		// Control sees the address actually dialled, after DNS resolution.
		Control: func(_, address string, _ syscall.RawConn) error {
			return checkAddress(address, opts.AllowPrivate)
		},
	}
	tr.DialContext = dialer.DialContext
	// A TLS dialer of the caller's would open connections the guard never
	// sees; without one, the transport dials through DialContext and then
	// runs the handshake itself.
	tr.DialTLSContext = nil
	tr.Dial = nil    //nolint:staticcheck // cleared because it is deprecated yet still honoured
	tr.DialTLS = nil //nolint:staticcheck // cleared because it is deprecated yet still honoured
	tr.Proxy = nil
	tr.ResponseHeaderTimeout = opts.Timeout
	tr.MaxResponseHeaderBytes = 64 << 10
	allowHTTP := opts.AllowHTTP
	return &http.Client{
		Transport: &schemeGuard{next: tr, allowHTTP: allowHTTP},
		Timeout:   opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opts.MaxRedirects {
				return fmt.Errorf("%w: more than %d redirects", ErrRedirect, opts.MaxRedirects)
			}
			first := via[0].URL
			if req.URL.Host != first.Host || req.URL.Scheme != first.Scheme {
				return fmt.Errorf("%w: %s redirects to %s", ErrRedirect, first, req.URL)
			}
			return nil
		},
	}
}

type schemeGuard struct {
	next      http.RoundTripper
	allowHTTP bool
}

func (g *schemeGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.URL.Scheme {
	case "https":
	case "http":
		if !g.allowHTTP {
			return nil, fmt.Errorf("%w: %s is not https", ErrForbiddenAddress, req.URL)
		}
	default:
		return nil, fmt.Errorf("%w: scheme %q", ErrForbiddenAddress, req.URL.Scheme)
	}
	return g.next.RoundTrip(req)
}

func checkAddress(address string, allowPrivate bool) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s is not an ip address", ErrForbiddenAddress, host)
	}
	if allowPrivate {
		return nil
	}
	if !Public(ip) {
		return fmt.Errorf("%w: %s is not a public address", ErrForbiddenAddress, ip)
	}
	return nil
}

// Public reports whether ip is a globally routable unicast address.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// reserved are ranges that are neither loopback nor RFC 1918 but still not
// public: carrier-grade NAT, benchmarking, documentation, 6to4 relay, etc.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("192.88.99.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/23"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("fc00::/7"),
}

// Response is a fetched body with the headers callers need for caching.
type Response struct {
	// Body is the whole response body.
	Body []byte
	// Header holds the response headers.
	Header http.Header
	// StatusCode is the HTTP status (200, or 304 for a conditional request).
	StatusCode int
}

// Get fetches rawURL with c, sending accept as the Accept header and, if
// etag is not empty, If-None-Match. It reads at most maxBytes of body.
func Get(ctx context.Context, c *http.Client, rawURL, accept, etag string, maxBytes int64) (*Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("fetching %q: not an absolute url", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && etag != "" {
		return &Response{Header: resp.Header, StatusCode: resp.StatusCode}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("fetching %s: %w: %d", rawURL, ErrStatus, resp.StatusCode)
	}
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n > maxBytes {
			return nil, fmt.Errorf("fetching %s: %w: %d bytes, limit %d", rawURL, ErrTooLarge, n, maxBytes)
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("fetching %s: %w: over %d bytes", rawURL, ErrTooLarge, maxBytes)
	}
	return &Response{Body: body, Header: resp.Header, StatusCode: resp.StatusCode}, nil
}

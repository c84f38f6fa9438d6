// Package safehttp builds the HTTP client the verifier uses for everything
// it fetches on a credential's behalf (did:web documents, status lists).
//
// A credential is hostile input: the URLs in it must not be able to make the
// verifier reach internal services (SSRF), hang it, or exhaust its memory.
// The client therefore refuses loopback, private, link-local and other
// non-public addresses unless told otherwise, follows redirects only within
// the same host, has a total timeout, and Get bounds the body.
//
// The client resolves host names itself, checks every address of the answer,
// and dials the checked address literally, so no address it refused is ever
// dialled and a second DNS answer (rebinding) cannot slip past the check.
// Tests map host names to a loopback listener with Options.Resolve and let
// exactly that listener through with Options.AllowAddrs; the guard stays on
// for every other address.
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
	"slices"
	"strconv"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned when a URL resolves to an address the
// client is not allowed to reach.
var ErrForbiddenAddress = errors.New("address not allowed")

// ErrTooLarge is returned when a response body exceeds the limit.
var ErrTooLarge = errors.New("response too large")

// ErrStatus is wrapped by Get for a non-2xx response (see StatusError).
var ErrStatus = errors.New("unexpected http status")

// StatusError is Get's error for a response whose status is not 2xx (nor
// 304 to a conditional request), so callers can tell 404 from 500. It
// wraps ErrStatus.
type StatusError struct {
	// URL is the URL Get was given.
	URL string
	// Code is the HTTP status of the response.
	Code int
}

// Error names the URL and the status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("fetching %s: %s: %d", e.URL, ErrStatus, e.Code)
}

// Unwrap returns ErrStatus.
func (e *StatusError) Unwrap() error { return ErrStatus }

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
	// Resolve returns the addresses of a host name (never called for an IP
	// literal). Every address it returns passes the guard before anything
	// is dialled, and one refused address refuses the host. If nil,
	// net.DefaultResolver.LookupNetIP.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// AllowAddrs are exact exceptions to the guard: an address and port
	// listed here may be dialled even when it is not public. The match is
	// exact: 127.0.0.1:8443 allows neither 127.0.0.1:443 nor
	// [::ffff:127.0.0.1]:8443. Tests list their one loopback listener.
	AllowAddrs []netip.AddrPort
	// Dial connects to an address the guard approved, always an IP literal
	// with a port. If nil, a net.Dialer bounded by Timeout. Tests wrap it to
	// count dials.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
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
	g := &guard{allowPrivate: opts.AllowPrivate, allow: opts.AllowAddrs, resolve: opts.Resolve, dial: opts.Dial}
	if g.resolve == nil {
		g.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if g.dial == nil {
		dialer := &net.Dialer{
			Timeout: opts.Timeout,
			// Control sees the address actually dialled: a second check,
			// should the one in dialContext ever be bypassed.
			Control: func(_, address string, _ syscall.RawConn) error {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
				}
				return g.check(ap)
			},
		}
		g.dial = dialer.DialContext
	}
	tr.DialContext = g.dialContext
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

// guard resolves and checks every address before it is dialled.
type guard struct {
	allowPrivate bool
	allow        []netip.AddrPort
	resolve      func(ctx context.Context, host string) ([]netip.Addr, error)
	dial         func(ctx context.Context, network, address string) (net.Conn, error)
}

// check refuses ap unless it is public, private addresses are allowed, or
// it is one of the exact exceptions.
func (g *guard) check(ap netip.AddrPort) error {
	if g.allowPrivate || slices.Contains(g.allow, ap) {
		return nil
	}
	if !Public(ap.Addr()) {
		return fmt.Errorf("%w: %s is not a public address", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}

// dialContext resolves address, checks every answer, and dials the
// checked addresses in order until one connects.
func (g *guard) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("%w: port %q", ErrForbiddenAddress, portStr)
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		if addrs, err = g.resolve(ctx, host); err != nil {
			return nil, fmt.Errorf("resolving %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolving %s: no addresses", host)
		}
	}
	targets := make([]netip.AddrPort, len(addrs))
	for i, a := range addrs {
		targets[i] = netip.AddrPortFrom(a, uint16(port))
		if err := g.check(targets[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", host, err)
		}
	}
	var errs []error
	for _, t := range targets {
		conn, err := g.dial(ctx, network, t.String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
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
// The deprecated IPv4-compatible (::a.b.c.d) and site-local (fec0::/10)
// IPv6 forms are here too: a host that still routes them would reach an
// internal address through either.
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
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("fec0::/10"),
	netip.MustParsePrefix("3fff::/20"),
}

// Response is a fetched body with the headers callers need for caching.
type Response struct {
	// Body is the whole response body.
	Body []byte
	// Header holds the response headers.
	Header http.Header
	// StatusCode is the HTTP status (200, or 304 for a conditional request).
	StatusCode int
	// URL is where the response came from, after any redirects the
	// client followed.
	URL *url.URL
}

// Get fetches rawURL with c, sending accept as the Accept header and, if
// etag is not empty, If-None-Match. It reads at most maxBytes of body. It
// is the one bounded HTTP GET: errors wrap ErrTooLarge for a body over
// maxBytes (by Content-Length or as read), *StatusError for a status that
// is not 2xx, or the client's error.
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
		return &Response{Header: resp.Header, StatusCode: resp.StatusCode, URL: resp.Request.URL}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, &StatusError{URL: rawURL, Code: resp.StatusCode}
	}
	if cl := resp.Header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n > maxBytes {
			return nil, fmt.Errorf("fetching %s: %w: %d bytes, limit %d", rawURL, ErrTooLarge, n, maxBytes)
		}
	}
	body, err := ReadAtMost(resp.Body, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", rawURL, err)
	}
	return &Response{Body: body, Header: resp.Header, StatusCode: resp.StatusCode, URL: resp.Request.URL}, nil
}

// ReadAtMost reads r to its end, or fails with an error wrapping
// ErrTooLarge as soon as it has read more than limit bytes: the one
// size-capped read of a body or file from outside.
func ReadAtMost(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)
	}
	return body, nil
}

package did

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/keys"
)

// did:web errors callers branch on, besides ErrInvalidDID and
// ErrInvalidDocument.
var (
	// ErrIPHost reports a did:web DID whose host is an IP address, which the
	// did:web method forbids (the TLS certificate must name the domain).
	ErrIPHost = errors.New("did:web host is an IP address")
	// ErrNotFound reports a DID or controlled identifier document that the
	// server says does not exist (HTTP 404 or 410).
	ErrNotFound = verdict.NewInconclusive("DID document not found")
	// ErrHTTPStatus reports any other non-2xx answer to a document fetch.
	ErrHTTPStatus = verdict.NewInconclusive("unexpected HTTP status")
	// ErrTooLarge reports a document larger than the resolver's limit.
	ErrTooLarge = verdict.NewInconclusive("DID document too large")
	// ErrRedirect reports a fetch that ended on another origin (scheme, host
	// or port) than the one the DID or URL names.
	ErrRedirect = verdict.NewInconclusive("DID document redirected to another origin")
	// ErrNoClient reports a WebResolver without an HTTP client; it never
	// falls back to http.DefaultClient, which has no timeout and no guard
	// against internal addresses.
	ErrNoClient = errors.New("web resolver has no HTTP client")
)

// WebError reports a did:web DID that ParseWeb refuses. It wraps
// ErrInvalidDID, plus ErrIPHost for an IP-literal host.
type WebError struct {
	// DID is the text that was parsed.
	DID string
	// Field names the part at fault: "did", "host", "port" or "path".
	Field string
	// Reason says what is wrong with it.
	Reason string
	// Err is ErrInvalidDID or ErrIPHost.
	Err error
}

func (e *WebError) Error() string {
	return fmt.Sprintf("did:web %s: %s: %s", quote(e.DID), e.Field, e.Reason)
}

// Unwrap returns ErrInvalidDID, and ErrIPHost when that is the cause.
func (e *WebError) Unwrap() []error {
	if e.Err == nil || errors.Is(e.Err, ErrInvalidDID) {
		return []error{ErrInvalidDID}
	}
	return []error{e.Err, ErrInvalidDID}
}

const (
	webPrefix   = "did:web:"
	maxHostLen  = 253
	maxLabelLen = 63
	portSep     = "%3a" // compared case-insensitively
	wellKnown   = "/.well-known"
	didJSON     = "/did.json"
)

// Web is a parsed did:web DID (W3C CCG "did:web Method Specification").
type Web struct {
	// DID is the DID as given.
	DID string
	// Host is the domain name, without the port.
	Host string
	// Port is the TCP port, or 0 for the https default.
	Port int
	// Path holds the percent-decoded path segments; empty for a DID whose
	// document lives under /.well-known.
	Path []string
	// URL is where the DID document is served:
	// https://host[:port]/seg.../did.json or
	// https://host[:port]/.well-known/did.json.
	URL string
}

// Domain returns the DID's host, port and path in the form
// host[:port][/seg...] that FormatWeb takes.
func (w *Web) Domain() string {
	var b strings.Builder
	b.WriteString(w.Host)
	if w.Port != 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(w.Port))
	}
	for _, s := range w.Path {
		b.WriteByte('/')
		b.WriteString(s)
	}
	return b.String()
}

// ParseWeb parses a did:web DID (no path, query or fragment) and maps it to
// the URL of its document: ':' separates path segments, the port's colon is
// percent-encoded (%3A), and a DID without a path is served from
// /.well-known. It refuses IP-literal hosts, empty, "." and ".." segments,
// segments that decode to a slash, backslash or control byte, malformed
// percent-encoding, and DIDs longer than MaxLen. Errors are *WebError and
// wrap ErrInvalidDID, or ErrUnsupportedMethod for another method.
func ParseWeb(s string) (*Web, error) {
	fail := func(field, format string, args ...any) (*Web, error) {
		return nil, &WebError{DID: s, Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrInvalidDID}
	}
	if len(s) > MaxLen {
		return fail("did", "%d bytes, more than %d", len(s), MaxLen)
	}
	method, id, err := split(s)
	if err != nil {
		return fail("did", "want did:web:<host>[%%3A<port>][:<segment>...] in printable ASCII")
	}
	if method != "web" {
		return nil, fmt.Errorf("%s: method %q: %w", quote(s), method, ErrUnsupportedMethod)
	}
	if i := strings.IndexAny(id, "/?#"); i >= 0 {
		return fail("did", "%q not allowed: a DID URL is not a DID", id[i])
	}
	segs := strings.Split(id, ":")
	hostPort := segs[0]
	w := &Web{DID: s}
	host := hostPort
	if i := indexFold(hostPort, portSep); i >= 0 {
		host = hostPort[:i]
		p := hostPort[i+len(portSep):]
		port, ok := parsePort(p)
		if !ok {
			return fail("port", "%q is not a port number from 1 to 65535 without leading zeros", p)
		}
		w.Port = port
	}
	if err := checkHost(host); err != nil {
		if errors.Is(err, ErrIPHost) {
			return nil, &WebError{DID: s, Field: "host", Reason: err.Error(), Err: ErrIPHost}
		}
		return fail("host", "%v", err)
	}
	w.Host = host
	for i, raw := range segs[1:] {
		dec, err := decodeSegment(raw)
		if err != nil {
			return fail("path", "segment %d %q: %v", i+1, raw, err)
		}
		w.Path = append(w.Path, dec)
	}
	var u strings.Builder
	u.WriteString("https://")
	u.WriteString(host)
	if w.Port != 0 {
		u.WriteByte(':')
		u.WriteString(strconv.Itoa(w.Port))
	}
	if len(w.Path) == 0 {
		u.WriteString(wellKnown)
	}
	for _, dec := range w.Path {
		u.WriteByte('/')
		// Re-escaping the decoded segment gives one spelling per segment
		// and keeps reserved characters from changing the URL's shape.
		u.WriteString(url.PathEscape(dec))
	}
	u.WriteString(didJSON)
	w.URL = u.String()
	return w, nil
}

// FormatWeb returns the did:web DID for a domain in the form
// host[:port][/seg...], e.g. "example.edu:8443/issuers/cs" gives
// "did:web:example.edu%3A8443:issuers:cs". Path segments are
// percent-encoded where the DID syntax requires it. The result is checked
// with ParseWeb.
func FormatWeb(domain string) (string, error) {
	hostPort, path, _ := strings.Cut(domain, "/")
	host, port, hasPort := strings.Cut(hostPort, ":")
	var b strings.Builder
	b.WriteString(webPrefix)
	b.WriteString(host)
	if hasPort {
		if _, ok := parsePort(port); !ok {
			return "", fmt.Errorf("domain %q: port %q is not a number from 1 to 65535 without leading zeros: %w", domain, port, ErrInvalidDID)
		}
		b.WriteString("%3A")
		b.WriteString(port)
	}
	if path != "" {
		for seg := range strings.SplitSeq(strings.TrimSuffix(path, "/"), "/") {
			b.WriteByte(':')
			b.WriteString(escapeIDChars(seg))
		}
	}
	s := b.String()
	if _, err := ParseWeb(s); err != nil {
		return "", fmt.Errorf("domain %q: %w", domain, err)
	}
	return s, nil
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func parsePort(p string) (int, bool) {
	if len(p) == 0 || len(p) > 5 || p[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, false
	}
	return n, true
}

// checkHost accepts a DNS name of letters, digits and hyphens (RFC 1123
// labels) and refuses anything a URL parser or resolver would take as an IP
// address.
func checkHost(h string) error {
	if h == "" {
		return errors.New("empty host")
	}
	if len(h) > maxHostLen {
		return fmt.Errorf("host of %d bytes, more than %d", len(h), maxHostLen)
	}
	if _, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return fmt.Errorf("%q: %w", h, ErrIPHost)
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if l == "" {
			return fmt.Errorf("%q has an empty label", h)
		}
		if len(l) > maxLabelLen {
			return fmt.Errorf("%q has a label longer than %d bytes", h, maxLabelLen)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("%q has a label starting or ending with '-'", h)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("%q: byte %q not allowed in a host name", h, c)
			}
		}
	}
	// WHATWG URL parsers and inet_aton read a host whose last label is a
	// number (decimal, octal or 0x hex), such as "127.1" or "2130706433", as
	// an IPv4 address.
	if numeric(labels[len(labels)-1]) {
		return fmt.Errorf("%q reads as an IPv4 address: %w", h, ErrIPHost)
	}
	return nil
}

func numeric(l string) bool {
	digits := l
	if len(l) >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X') {
		digits = l[2:]
		for i := 0; i < len(digits); i++ {
			c := digits[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// decodeSegment percent-decodes one path segment of the method-specific id,
// whose characters are DID Core idchars (ALPHA / DIGIT / "." / "-" / "_" /
// pct-encoded), and refuses segments that would change the URL's path
// structure.
func decodeSegment(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("empty segment")
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) || !ishex(raw[i+1]) || !ishex(raw[i+2]) {
				return "", errors.New("malformed percent-encoding")
			}
			b.WriteByte(unhex(raw[i+1])<<4 | unhex(raw[i+2]))
			i += 2
		case idchar(c):
			b.WriteByte(c)
		default:
			return "", fmt.Errorf("byte %q not allowed in a DID", c)
		}
	}
	dec := b.String()
	switch {
	case dec == "." || dec == "..":
		return "", errors.New("dot segment")
	case strings.ContainsAny(dec, "/\\"):
		return "", errors.New("decodes to a slash or backslash")
	}
	for i := 0; i < len(dec); i++ {
		if dec[i] < ' ' || dec[i] == 0x7f {
			return "", errors.New("decodes to a control byte")
		}
	}
	return dec, nil
}

func idchar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_'
}

func escapeIDChars(s string) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if idchar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// Defaults of WebResolver.
const (
	// DefaultWebTTL is how long a fetched document is reused.
	DefaultWebTTL = 5 * time.Minute
	// DefaultWebMaxEntries bounds the documents a WebResolver keeps.
	DefaultWebMaxEntries = 1024
)

// acceptDocument is the Accept header of every document fetch.
const acceptDocument = "application/did+json, application/json"

// WebResolver resolves did:web DIDs by fetching their documents over HTTPS,
// and (with ResolveURL) https controlled identifier documents. Fetched
// documents are cached for TTL; failures are not cached. A WebResolver must
// not be copied after first use; it is safe for concurrent use. Two
// concurrent misses for the same DID may both fetch.
type WebResolver struct {
	// Client makes every request. It is required: the resolver fetches
	// URLs taken from untrusted credentials, so callers pass a client that
	// refuses internal addresses and has a timeout (the verifier passes its
	// internal/safehttp client). Redirects to another origin are refused
	// whatever the client allows.
	Client *http.Client
	// MaxBytes bounds a document's size. If zero, or above
	// MaxDocumentSize, MaxDocumentSize (256 KiB).
	MaxBytes int64
	// TTL is how long a fetched document is reused. If zero,
	// DefaultWebTTL; if negative, nothing is cached.
	TTL time.Duration
	// MaxEntries bounds the cache. If zero, DefaultWebMaxEntries.
	MaxEntries int
	// Now returns the current time for cache expiry. If nil, time.Now.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]webEntry
}

type webEntry struct {
	doc     *Document
	expires time.Time
}

var _ Resolver = (*WebResolver)(nil)

// Resolve fetches the document of a did:web DID, checks that its id is the
// DID and that the DID URLs in it are absolute or fragment-relative, and
// returns it. The document may be shared with the cache: callers must not
// modify it. Errors name the DID and wrap ErrUnsupportedMethod,
// ErrInvalidDID, ErrInvalidDocument, ErrNotFound, ErrHTTPStatus,
// ErrTooLarge, ErrRedirect, ErrNoClient, or the client's error.
func (r *WebResolver) Resolve(ctx context.Context, did string) (*Document, error) {
	// Only valid ids are cached, so a hit needs no parsing; the prefix
	// check keeps Resolve from answering with a cached ResolveURL document.
	if doc := r.cached(did); doc != nil && strings.HasPrefix(did, webPrefix) {
		return doc, nil
	}
	w, err := ParseWeb(did)
	if err != nil {
		return nil, err
	}
	return r.fetch(ctx, did, w.URL)
}

// ResolveURL fetches a controlled identifier document (W3C Controlled
// Identifiers 1.0, section 3.3) from an https URL without fragment and
// checks that its id is that URL. Verification methods are then found with
// Document.Key, which requires their id to be the URL plus a fragment and
// their controller to be the URL. Caching and errors are as for Resolve.
func (r *WebResolver) ResolveURL(ctx context.Context, rawURL string) (*Document, error) {
	if doc := r.cached(rawURL); doc != nil && strings.HasPrefix(rawURL, "https://") {
		return doc, nil
	}
	if len(rawURL) > MaxLen {
		return nil, fmt.Errorf("controlled identifier document URL of %d bytes, more than %d: %w", len(rawURL), MaxLen, ErrInvalidDocument)
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" || strings.Contains(rawURL, "#") {
		return nil, fmt.Errorf("controlled identifier document %s: want an https URL without user info or fragment: %w", quote(rawURL), ErrInvalidDocument)
	}
	return r.fetch(ctx, rawURL, rawURL)
}

func (r *WebResolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Cached reports whether Resolve or ResolveURL would answer id (a did:web
// DID or a controlled identifier document URL) from the cache, without a
// request: callers that bound the documents fetched on someone's behalf
// count only the others.
func (r *WebResolver) Cached(id string) bool { return r.cached(id) != nil }

func (r *WebResolver) cached(id string) *Document {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.cache[id]
	if !ok {
		return nil
	}
	if !r.now().Before(e.expires) {
		delete(r.cache, id)
		return nil
	}
	return e.doc
}

func (r *WebResolver) store(id string, doc *Document) {
	ttl := r.TTL
	if ttl == 0 {
		ttl = DefaultWebTTL
	}
	if ttl < 0 {
		return
	}
	limit := r.MaxEntries
	if limit <= 0 {
		limit = DefaultWebMaxEntries
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil {
		r.cache = make(map[string]webEntry)
	}
	if _, ok := r.cache[id]; !ok && len(r.cache) >= limit {
		r.evict(now, limit)
	}
	r.cache[id] = webEntry{doc: doc, expires: now.Add(ttl)}
}

// evict drops expired entries and, if the cache is still full, the one
// closest to expiry. A linear scan is fine at these sizes and needs no
// second index to keep in step.
func (r *WebResolver) evict(now time.Time, limit int) {
	var oldest string
	var oldestAt time.Time
	for k, e := range r.cache {
		if !now.Before(e.expires) {
			delete(r.cache, k)
			continue
		}
		if oldest == "" || e.expires.Before(oldestAt) {
			oldest, oldestAt = k, e.expires
		}
	}
	if len(r.cache) >= limit && oldest != "" {
		delete(r.cache, oldest)
	}
}

// client returns a shallow copy of r.Client that refuses, before sending
// it, a redirect to another origin than target's, and otherwise defers to
// the client's own redirect policy. Checking only the final URL would be too
// late: the request to the other host would already have been made.
func (r *WebResolver) client(target *url.URL) *http.Client {
	c := *r.Client
	next := r.Client.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != target.Scheme || req.URL.Host != target.Host {
			return fmt.Errorf("redirect from %s to %s: %w", target.Redacted(), req.URL.Redacted(), ErrRedirect)
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// fetch GETs docURL, the location of the document whose id must be id.
func (r *WebResolver) fetch(ctx context.Context, id, docURL string) (*Document, error) {
	if r.Client == nil {
		return nil, fmt.Errorf("resolving %s: %w", quote(id), ErrNoClient)
	}
	doc, err := r.get(ctx, id, docURL)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", quote(id), err)
	}
	r.store(id, doc)
	return doc, nil
}

func (r *WebResolver) get(ctx context.Context, id, docURL string) (*Document, error) {
	limit := r.MaxBytes
	if limit <= 0 || limit > MaxDocumentSize {
		limit = MaxDocumentSize
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, docURL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", docURL, err)
	}
	req.Header.Set("Accept", acceptDocument)
	resp, err := r.client(req.URL).Do(req)
	if err != nil {
		// The client's error already names the method and URL.
		return nil, err
	}
	defer resp.Body.Close()
	if final := resp.Request.URL; final.Scheme != req.URL.Scheme || final.Host != req.URL.Host {
		return nil, fmt.Errorf("GET %s: ended at %s: %w", docURL, final.Redacted(), ErrRedirect)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("GET %s: HTTP %d: %w", docURL, resp.StatusCode, ErrNotFound)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("GET %s: HTTP %d: %w", docURL, resp.StatusCode, ErrHTTPStatus)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("GET %s: %d bytes, more than %d: %w", docURL, resp.ContentLength, limit, ErrTooLarge)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading body: %w", docURL, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("GET %s: more than %d bytes: %w", docURL, limit, ErrTooLarge)
	}
	doc, err := ParseDocument(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", docURL, err)
	}
	if doc.ID != id {
		return nil, fmt.Errorf("GET %s: document id is %s, want %s: %w", docURL, quote(doc.ID), quote(id), ErrInvalidDocument)
	}
	if err := doc.checkRefs(); err != nil {
		return nil, fmt.Errorf("GET %s: %w", docURL, err)
	}
	return doc, nil
}

// checkRefs requires every verification method id, controller and
// relationship reference to be an absolute URL or a "#fragment": a relative
// reference would resolve against whatever base a consumer picks, so two
// verifiers could read different keys out of one document.
func (d *Document) checkRefs() error {
	check := func(path, ref string) error {
		if strings.HasPrefix(ref, "#") && len(ref) > 1 {
			return nil
		}
		if u, err := url.Parse(ref); err == nil && u.IsAbs() && u.Opaque+u.Host+u.Path != "" {
			return nil
		}
		return fmt.Errorf("document %s: %s: %s is neither an absolute URL nor a #fragment: %w", quote(d.ID), path, quote(ref), ErrInvalidDocument)
	}
	for i, vm := range d.VerificationMethod {
		if err := check(fmt.Sprintf("verificationMethod[%d].id", i), vm.ID); err != nil {
			return err
		}
		if err := check(fmt.Sprintf("verificationMethod[%d].controller", i), vm.Controller); err != nil {
			return err
		}
	}
	rels := []struct {
		name    string
		entries []any
	}{
		{Authentication, d.Authentication},
		{AssertionMethod, d.AssertionMethod},
		{CapabilityInvocation, d.CapabilityInvocation},
		{CapabilityDelegation, d.CapabilityDelegation},
	}
	for _, rel := range rels {
		for i, e := range rel.entries {
			path := fmt.Sprintf("%s[%d]", rel.name, i)
			switch v := e.(type) {
			case string:
				if err := check(path, v); err != nil {
					return err
				}
			case map[string]any:
				for _, k := range []string{"id", "controller"} {
					s, ok := v[k].(string)
					if !ok {
						return fmt.Errorf("document %s: %s.%s: want a string: %w", quote(d.ID), path, k, ErrInvalidDocument)
					}
					if err := check(path+"."+k, s); err != nil {
						return err
					}
				}
			default:
				return fmt.Errorf("document %s: %s: want a string or an object, got %T: %w", quote(d.ID), path, e, ErrInvalidDocument)
			}
		}
	}
	return nil
}

// MultikeyMethod returns the Multikey verification method of pub for the
// document of controller: id controller#fragment, controller controller.
func MultikeyMethod(controller, fragment string, pub crypto.PublicKey) (VerificationMethod, error) {
	if fragment == "" || strings.ContainsAny(fragment, "#/?") {
		return VerificationMethod{}, fmt.Errorf("verification method of %s: fragment %q: want a non-empty fragment without '#', '/' or '?': %w", quote(controller), fragment, ErrInvalidMethod)
	}
	mk, err := keys.EncodePublicMultikey(pub)
	if err != nil {
		return VerificationMethod{}, fmt.Errorf("verification method %s#%s: %w", controller, fragment, err)
	}
	return VerificationMethod{
		ID:                 controller + "#" + fragment,
		Type:               TypeMultikey,
		Controller:         controller,
		PublicKeyMultibase: mk,
	}, nil
}

// NewDocument returns the document of id for publishing: methods under
// verificationMethod, each referenced from assertionMethod (credential
// proofs) and authentication, and the DID and Multikey contexts. Every
// method must belong to id (id#fragment, controlled by id); NewDocument
// does not reorder them.
func NewDocument(id string, methods []VerificationMethod) (*Document, error) {
	if len(methods) == 0 {
		return nil, fmt.Errorf("document %s: no verification methods: %w", quote(id), ErrInvalidDocument)
	}
	d := &Document{
		Context:            []any{ContextDIDv1, ContextMultikeyV1},
		ID:                 id,
		VerificationMethod: append([]VerificationMethod(nil), methods...),
	}
	seen := make(map[string]bool, len(methods))
	for _, vm := range methods {
		base, frag, _ := strings.Cut(vm.ID, "#")
		if base != id || frag == "" || vm.Controller != id {
			return nil, fmt.Errorf("document %s: verification method %s (controller %s) does not belong to it: %w", quote(id), quote(vm.ID), quote(vm.Controller), ErrInvalidMethod)
		}
		if seen[vm.ID] {
			return nil, fmt.Errorf("document %s: verification method %s listed twice: %w", quote(id), quote(vm.ID), ErrInvalidDocument)
		}
		seen[vm.ID] = true
		d.AssertionMethod = append(d.AssertionMethod, vm.ID)
		d.Authentication = append(d.Authentication, vm.ID)
	}
	return d, nil
}

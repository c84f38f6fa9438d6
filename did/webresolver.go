package did

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/internal/ttlcache"
	"github.com/badgesmith/badgesmith/internal/verdict"
)

// This file is the did:web resolver: fetching a document over an injected
// HTTP client, checking it, and caching it. The DID syntax is web.go's.

// Errors of fetching a document, besides ErrInvalidDID and
// ErrInvalidDocument.
var (
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
	cache *ttlcache.Cache[string, *Document]
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
	doc, _ := r.docs().Get(id, r.now())
	return doc
}

// docs returns the cache, made on first use so that the zero
// WebResolver works.
func (r *WebResolver) docs() *ttlcache.Cache[string, *Document] {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil {
		limit := r.MaxEntries
		if limit <= 0 {
			limit = DefaultWebMaxEntries
		}
		r.cache = ttlcache.New[string, *Document](limit, 0)
	}
	return r.cache
}

func (r *WebResolver) store(id string, doc *Document) {
	ttl := r.TTL
	if ttl == 0 {
		ttl = DefaultWebTTL
	}
	if ttl < 0 {
		return
	}
	r.docs().Put(id, doc, r.now().Add(ttl), 0)
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
	target, err := url.Parse(docURL)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", docURL, err)
	}
	resp, err := safehttp.Get(ctx, r.client(target), docURL, acceptDocument, "", limit)
	var se *safehttp.StatusError
	switch {
	case errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone):
		return nil, fmt.Errorf("GET %s: HTTP %d: %w", docURL, se.Code, ErrNotFound)
	case errors.As(err, &se):
		return nil, fmt.Errorf("GET %s: HTTP %d: %w", docURL, se.Code, ErrHTTPStatus)
	case errors.Is(err, safehttp.ErrTooLarge):
		return nil, fmt.Errorf("GET %s: %w: %w", docURL, ErrTooLarge, err)
	case err != nil:
		// The client's error already names the method and URL.
		return nil, err
	}
	if final := resp.URL; final.Scheme != target.Scheme || final.Host != target.Host {
		return nil, fmt.Errorf("GET %s: ended at %s: %w", docURL, final.Redacted(), ErrRedirect)
	}
	body := resp.Body
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

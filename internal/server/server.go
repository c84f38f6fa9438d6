package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/verifier"
)

// Options configures a Server (see New).
type Options struct {
	// PublicBaseURL is the absolute URL clients reach the server at; its
	// path prefixes every route, and every absolute URL the server writes
	// starts with it. Required.
	PublicBaseURL string
	// Issuer issues and changes status. Required.
	Issuer *issuer.Issuer
	// IssuerID is the id the issuer signs as (Signer.Identity().ID); a
	// request credential naming another issuer is refused. Required.
	IssuerID string
	// Profile is the issuer Profile given to a request credential without
	// an issuer. If nil, the issuer is IssuerID alone.
	Profile map[string]any
	// Store is the issuer's store. Required.
	Store store.Store
	// DataDir holds apikeys.json, credentials/ and status/. Required.
	DataDir string
	// StatusBaseURL is the issuer's status list base URL; "" means the
	// credentials get no status entry. Lists under PublicBaseURL are
	// served by this server.
	StatusBaseURL string
	// DIDDocument, if set, is served as JSON at the path of DIDDocumentURL
	// (a did:web document's URL): it must be on PublicBaseURL's host.
	DIDDocument    *did.Document
	DIDDocumentURL string
	// IssuerDocument, if set, is served as JSON at the path of IssuerID,
	// an https URL on PublicBaseURL's host: the issuer's Profile that is
	// also its Controlled Identifiers document (see issuer.ProfileDocument).
	IssuerDocument map[string]any
	// Instances are further issuer instances, each served under
	// /issuers/{ID}/ (see Instance); the fields above make the default
	// one, served at the top.
	Instances []Instance
	// Verifier configures the verifier behind POST /credentials/verify.
	// Its StatusDir is set to the server's own lists; its HTTPClient, if
	// nil, is the verifier's default, which refuses private addresses.
	Verifier verifier.Options
	// MaxBodyBytes bounds request bodies. If zero, DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// TrustedProxies are the peers whose X-Forwarded-For the access log
	// believes.
	TrustedProxies []netip.Prefix
	// AdminKey, if set, is installed as the admin key on first start
	// instead of a generated one.
	AdminKey string
	// Notice receives the one-time admin key printed on first start. If
	// nil, io.Discard (and the key is lost: set AdminKey then).
	Notice io.Writer
	// OAuth configures OAuth 2.0 access tokens (see OAuthConfig).
	OAuth OAuthConfig
	// OAuthHTTPClient fetches the external authorization server's JWKS.
	// If nil, a guarded client (safehttp) per OAuth.External.
	OAuthHTTPClient *http.Client
	// Logger gets the access log. If nil, nothing is logged.
	Logger *slog.Logger
	// Now is the clock. If nil, time.Now.
	Now func() time.Time
	// Rand is the randomness for ids and keys. If nil, crypto/rand.
	Rand io.Reader
	// CORSOrigins are the browser origins ("https://app.example", or "*"
	// for any) allowed to call the open verify endpoints and read the
	// hosted documents cross-origin. If empty, none.
	CORSOrigins []string
	// RefreshInterval is how often the background refresher of Serve
	// re-signs the status lists that changed or near their validUntil
	// (see RefreshLists). If zero, DefaultRefreshInterval; if negative,
	// there is no background refresher.
	RefreshInterval time.Duration
	// RateLimits are the per-key and per-address limits; zero rates take
	// their defaults (limits are on unless Off).
	RateLimits RateLimits
}

// Server is the HTTP layer over the issuer, verifier and store. It is
// safe for concurrent use.
type Server struct {
	opts    Options
	base    *url.URL
	prefix  string // base path without trailing slash
	keys    *keyStore
	oauth   *oauth
	handler http.Handler

	verifier atomic.Pointer[verifier.Verifier]
	// def is the default issuer instance, instances all of them, def
	// first; lists and docs are def's.
	def       *instance
	instances []*instance
	lists     *listHost
	docs      *docStore
	hosted    map[string]*hostedDoc // by path
	limits    *limits               // nil when off
	metrics   *metrics
	// refreshTicks, if set, drives the background refresher instead of a
	// ticker, and afterRefresh is called after each of its passes: the
	// hooks of the tests.
	refreshTicks <-chan time.Time
	afterRefresh func(error)
}

// New checks opts, loads (or, on first start, creates) the API keys and
// returns a Server.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.DataDir == "" {
		return nil, fmt.Errorf("data directory: %w: required", ErrConfig)
	}
	base, err := url.Parse(strings.TrimSuffix(opts.PublicBaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("public base url %q: %w: want an absolute http(s) URL", opts.PublicBaseURL, ErrConfig)
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Notice == nil {
		opts.Notice = io.Discard
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	s := &Server{opts: opts, base: base, prefix: strings.TrimSuffix(base.EscapedPath(), "/"), metrics: newMetrics()}
	s.limits = newLimits(opts.RateLimits, opts.Now)
	if s.keys, err = openKeyStore(opts.DataDir, opts.Rand, opts.Now); err != nil {
		return nil, err
	}
	if err := s.keys.bootstrap(opts.AdminKey, opts.Notice); err != nil {
		return nil, err
	}
	if s.oauth, err = newOAuth(ctx, opts, strings.TrimSuffix(opts.PublicBaseURL, "/")); err != nil {
		return nil, err
	}
	if err := s.setInstances(ctx); err != nil {
		return nil, err
	}
	if err := s.renewVerifier(); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// renewVerifier replaces the verifier by a new one with an empty status
// cache, so a status change made here is seen by the next verification
// rather than once the cached list's ttl has passed. The server's own
// lists are read from its status directory, never fetched.
func (s *Server) renewVerifier() error {
	vo := s.opts.Verifier
	// Every instance's lists are under the default's directory, which
	// the verifier reads at any depth.
	vo.StatusDir = s.lists.dir
	v, err := verifier.New(vo)
	if err != nil {
		return fmt.Errorf("verifier: %w", err)
	}
	s.verifier.Store(v)
	return nil
}

// Handler returns the server's handler: routes, access log, request ids,
// body limits and security headers.
func (s *Server) Handler() http.Handler { return s.handler }

// ServeOptions are the http.Server settings of Serve.
type ServeOptions struct {
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are
	// the http.Server's; each zero one takes its Default value (never
	// "no timeout", which would let a slow client hold a connection).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout bounds the wait for requests in flight once ctx is
	// done. If zero, DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// TLS, if set, serves HTTPS.
	TLS *tls.Config
}

// Serve serves on ln until ctx is done, then stops accepting connections
// and waits (up to ShutdownTimeout) for the requests in flight to finish.
// Requests are not cancelled by ctx: a store transaction or a list being
// written completes. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener, so ServeOptions) error {
	for _, d := range []struct {
		p *time.Duration
		v time.Duration
	}{
		{&so.ReadHeaderTimeout, DefaultReadHeaderTimeout},
		{&so.ReadTimeout, DefaultReadTimeout},
		{&so.WriteTimeout, DefaultWriteTimeout},
		{&so.IdleTimeout, DefaultIdleTimeout},
		{&so.ShutdownTimeout, DefaultShutdownTimeout},
	} {
		if *d.p == 0 {
			*d.p = d.v
		}
	}
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: so.ReadHeaderTimeout,
		ReadTimeout:       so.ReadTimeout,
		WriteTimeout:      so.WriteTimeout,
		IdleTimeout:       so.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         so.TLS,
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
	}
	if so.TLS != nil {
		ln = tls.NewListener(ln, so.TLS)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	rctx, stopRefresher := context.WithCancel(ctx)
	refresherDone := s.startRefresher(rctx)
	// However Serve ends, the refresher has stopped (and finished the
	// pass it was making) before it returns, so the store can be closed.
	defer func() { stopRefresher(); <-refresherDone }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), so.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	if err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// URL returns the absolute URL of path (which starts with "/") under the
// public base URL.
func (s *Server) URL(path string) string {
	return s.base.Scheme + "://" + s.base.Host + s.prefix + path
}

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyCaller
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// caller is the API key a request authenticated with, set by the auth
// check for the access log.
type caller struct{ id string }

// statusRecorder records what a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// middleware wraps next with request ids, the access log, the body limit,
// security headers and panic recovery.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.opts.Now()
		var idb [8]byte
		_, _ = io.ReadFull(s.opts.Rand, idb[:])
		id := hex.EncodeToString(idb[:])
		cl := &caller{}
		ctx := context.WithValue(context.WithValue(r.Context(), keyRequestID, id), keyCaller, cl)
		r = r.WithContext(ctx)
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		if r.TLS != nil || s.forwardedHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
		rec := &statusRecorder{ResponseWriter: w}
		s.metrics.inFlight.Add(1)
		defer func() {
			if p := recover(); p != nil {
				if e, ok := p.(error); ok && errors.Is(e, http.ErrAbortHandler) {
					panic(p)
				}
				s.opts.Logger.Error("panic", "request_id", id, "panic", fmt.Sprint(p))
				if rec.status == 0 {
					writeProblem(rec, r, problemErr(http.StatusInternalServerError, ProbInternal, "", "internal error"))
				}
			}
			// Only the path is logged: a query string or a header may
			// carry a secret.
			s.opts.Logger.Info("request",
				"request_id", id,
				"method", r.Method,
				"path", redactPath(r.URL.EscapedPath()),
				"status", rec.status,
				"bytes", rec.bytes,
				"duration_ms", s.opts.Now().Sub(start).Milliseconds(),
				"remote", s.clientAddr(r),
				"key", cl.id,
			)
			s.metrics.inFlight.Add(-1)
			s.metrics.request(r.Method, s.routeOf(r), rec.status, s.opts.Now().Sub(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

// clientAddr is the client's address: the peer's, or, when the peer is a
// trusted proxy, the nearest X-Forwarded-For hop that is not itself a
// trusted proxy (hops are appended, so the ones on the right were added by
// the proxies nearest this server; those further left are whatever the
// client wrote, and are never believed).
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if !s.trusted(a) {
		return a.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		fa, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: believe nothing further left
		}
		a = fa.Unmap()
		if !s.trusted(a) {
			break
		}
	}
	return a.String()
}

// trusted reports whether a is a configured trusted proxy.
func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedHTTPS reports whether a trusted proxy says it received the
// request over HTTPS (X-Forwarded-Proto), which a TLS-terminating proxy
// in front means.
func (s *Server) forwardedHTTPS(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(a.Unmap()) {
		return false
	}
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// handlerFunc is a handler that returns an *apiError to answer with a
// problem.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		var ae *apiError
		if !errors.As(err, &ae) {
			s.opts.Logger.Error("handler error", "request_id", requestID(r.Context()), "error", err.Error())
			ae = problemErr(http.StatusInternalServerError, ProbInternal, "", "internal error (request "+requestID(r.Context())+")")
		}
		writeProblem(w, r, ae)
	})
}

// routes builds the mux under the base path.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	p := s.prefix
	mux.Handle("GET "+p+"/healthz", s.handle(s.healthz))
	mux.Handle("GET "+p+"/readyz", s.handle(s.readyz))
	s.authRoutes(mux)
	s.oidRoutes(mux)
	for _, in := range s.instances {
		ip := p + in.prefix
		mux.Handle("POST "+ip+"/credentials/issue", s.at(in, s.auth(in.scope(ScopeIssue), s.limitKey(s.handle(s.issue)))))
		mux.Handle("POST "+ip+"/credentials/status", s.at(in, s.auth(in.scope(ScopeStatus), s.limitKey(s.handle(s.updateStatus)))))
		mux.Handle("GET "+ip+"/credentials/{id}", s.at(in, s.auth(in.scope(ScopeRead), s.limitKey(s.handle(s.getCredential)))))
		if in.lists.route != "" {
			mux.Handle("GET "+in.lists.route+"{name}", s.at(in, s.cors(s.handle(s.getList))))
		}
	}
	s.handleOpen(mux, p+"/credentials/verify", s.verify)
	s.handleOpen(mux, p+"/presentations/verify", s.verifyPresentation)
	s.webRoutes(mux, p)
	s.shareRoutes(mux, p)
	mux.Handle("GET "+p+"/metrics", s.auth(ScopeMetrics, s.handle(s.getMetrics)))
	for path, d := range s.hosted {
		if strings.HasSuffix(path, "/") {
			path += "{$}" // that path alone, not everything under it
		}
		mux.Handle("GET "+path, s.cors(s.handle(d.serve)))
	}
	return s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// No route: the mux's own answer is a plain-text 404, or a 405
		// with Allow when the path has routes for other methods; give
		// it as a problem.
		c := &captureWriter{h: http.Header{}}
		mux.ServeHTTP(c, r)
		if allow := c.h.Get("Allow"); c.code == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", allow)
			writeProblem(w, r, problemErr(http.StatusMethodNotAllowed, ProbMethodNotAllowed, "", r.Method+" not allowed; allowed: "+allow))
			return
		}
		writeProblem(w, r, problemErr(http.StatusNotFound, ProbNotFound, "", "no such resource"))
	}))
}

// captureWriter records the status and headers of a response, dropping
// its body.
type captureWriter struct {
	h    http.Header
	code int
}

func (c *captureWriter) Header() http.Header { return c.h }

func (c *captureWriter) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
}

func (c *captureWriter) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return len(b), nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz checks the store answers a read. It is open to anyone, so it
// reads one key rather than checking the whole file.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.opts.Store.GetCredential(r.Context(), "urn:badgesmith:readyz"); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.opts.Logger.Warn("store read failed", "request_id", requestID(r.Context()), "error", err.Error())
		return problemErr(http.StatusServiceUnavailable, ProbUnavailable, "", "store unavailable")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

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
	"sync"
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
	// Logger gets the access log. If nil, nothing is logged.
	Logger *slog.Logger
	// Now is the clock. If nil, time.Now.
	Now func() time.Time
	// Rand is the randomness for ids and keys. If nil, crypto/rand.
	Rand io.Reader
}

// Server is the HTTP layer over the issuer, verifier and store. It is
// safe for concurrent use.
type Server struct {
	opts    Options
	base    *url.URL
	prefix  string // base path without trailing slash
	keys    *keyStore
	handler http.Handler

	verifier atomic.Pointer[verifier.Verifier]
	lists    *listHost
	docs     *docStore
	// idLocks serialise issue requests naming the same credential id.
	idLocks [64]sync.Mutex
}

// New checks opts, loads (or, on first start, creates) the API keys and
// returns a Server.
func New(ctx context.Context, opts Options) (*Server, error) {
	switch {
	case opts.Issuer == nil:
		return nil, fmt.Errorf("issuer: %w: required", ErrConfig)
	case opts.IssuerID == "":
		return nil, fmt.Errorf("issuer id: %w: required", ErrConfig)
	case opts.Store == nil:
		return nil, fmt.Errorf("store: %w: required", ErrConfig)
	case opts.DataDir == "":
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
	s := &Server{opts: opts, base: base, prefix: strings.TrimSuffix(base.EscapedPath(), "/")}
	if s.keys, err = openKeyStore(opts.DataDir, opts.Rand, opts.Now); err != nil {
		return nil, err
	}
	if err := s.keys.bootstrap(opts.AdminKey, opts.Notice); err != nil {
		return nil, err
	}
	if s.docs, err = newDocStore(opts.DataDir); err != nil {
		return nil, err
	}
	if s.lists, err = newListHost(ctx, opts, base); err != nil {
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
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
		rec := &statusRecorder{ResponseWriter: w}
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
				"path", r.URL.EscapedPath(),
				"status", rec.status,
				"bytes", rec.bytes,
				"duration_ms", s.opts.Now().Sub(start).Milliseconds(),
				"remote", s.clientAddr(r),
				"key", cl.id,
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// clientAddr is the peer's address, or the last X-Forwarded-For hop when
// the peer is a trusted proxy.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	for _, p := range s.opts.TrustedProxies {
		if p.Contains(a.Unmap()) {
			if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
				hops := strings.Split(xff[len(xff)-1], ",")
				if fa, err := netip.ParseAddr(strings.TrimSpace(hops[len(hops)-1])); err == nil {
					return fa.String()
				}
			}
			break
		}
	}
	return a.String()
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
	mux.Handle("POST "+p+"/credentials/issue", s.auth(ScopeIssue, s.handle(s.issue)))
	mux.Handle("POST "+p+"/credentials/verify", s.handle(s.verify))
	mux.Handle("POST "+p+"/presentations/verify", s.handle(s.verifyPresentation))
	mux.Handle("POST "+p+"/credentials/status", s.auth(ScopeStatus, s.handle(s.updateStatus)))
	mux.Handle("GET "+p+"/credentials/{id}", s.auth(ScopeRead, s.handle(s.getCredential)))
	if s.lists.route != "" {
		mux.Handle("GET "+s.lists.route+"{name}", s.handle(s.getList))
	}
	if s.opts.DIDDocument != nil {
		if u, err := url.Parse(s.opts.DIDDocumentURL); err == nil && u.Host == s.base.Host {
			mux.Handle("GET "+u.EscapedPath(), s.handle(s.getDIDDocument))
		}
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

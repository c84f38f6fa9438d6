package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// Open builds the Server of cfg, whose defaults are filled in and which
// Validate accepts: it opens the stores (holding their locks until close
// is called), the keyring and the signing keys, and makes the issuers.
// notice gets the one-time admin key of a first start.
func Open(ctx context.Context, cfg Config, notice io.Writer, logger *slog.Logger) (srv *Server, closeFn func() error, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	ring, err := keys.OpenRing(cfg.Keyring)
	if err != nil {
		return nil, nil, err
	}
	var closers []func() error
	closeAll := func() error {
		var errs []error
		for _, c := range closers {
			errs = append(errs, c())
		}
		return errors.Join(errs...)
	}
	defer func() {
		if err != nil {
			_ = closeAll()
		}
	}()
	def, err := openInstance(ctx, ring, IssuerConfig{
		Key: cfg.Key, DIDWeb: cfg.DIDWeb, IssuerURL: cfg.IssuerURL, Format: cfg.Format, IssuerProfile: cfg.IssuerProfile,
		NoStatus: cfg.NoStatus, Suspension: cfg.Suspension, Store: cfg.Store, StatusBaseURL: cfg.StatusBaseURL,
		UnmanagedAchievements: cfg.UnmanagedAchievements,
	}, &closers)
	if err != nil {
		return nil, nil, err
	}
	proxies, _ := cfg.proxies()
	opts := Options{
		PublicBaseURL:   cfg.PublicBaseURL,
		Issuer:          def.Issuer,
		IssuerID:        def.IssuerID,
		Profile:         def.Profile,
		Store:           def.Store,
		DataDir:         cfg.DataDir,
		StatusBaseURL:   def.StatusBaseURL,
		DIDDocument:     def.DIDDocument,
		DIDDocumentURL:  def.DIDDocumentURL,
		IssuerDocument:  def.IssuerDocument,
		MaxBodyBytes:    cfg.MaxBodyBytes,
		TrustedProxies:  proxies,
		AdminKey:        cfg.AdminKey,
		OAuth:           cfg.OAuth,
		RateLimits:      cfg.RateLimits,
		CORSOrigins:     cfg.CORSOrigins,
		RefreshInterval: time.Duration(cfg.StatusRefreshInterval),
		Notice:          notice,
		Logger:          logger,
	}
	for i, ic := range cfg.Issuers {
		in, err := openInstance(ctx, ring, ic, &closers)
		if err != nil {
			return nil, nil, fmt.Errorf("issuers[%d] (%s): %w", i, ic.ID, err)
		}
		opts.Instances = append(opts.Instances, in)
	}
	srv, err = New(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	return srv, closeAll, nil
}

// openInstance opens the store, signer and issuer of one instance, adding
// the store's close to closers.
func openInstance(ctx context.Context, ring *keys.Ring, ic IssuerConfig, closers *[]func() error) (Instance, error) {
	in := Instance{ID: ic.ID, StatusBaseURL: ic.StatusBaseURL}
	if ic.NoStatus {
		in.StatusBaseURL = ""
	}
	signer, err := issuer.RingSigner(ring, ic.Key, issuer.RingOptions{Web: ic.DIDWeb, URL: ic.IssuerURL, Format: issuer.Format(ic.Format)})
	if err != nil {
		return in, fmt.Errorf("key %q: %w", ic.Key, err)
	}
	profile := map[string]any{"name": ic.Key}
	if ic.IssuerProfile != "" {
		data, err := os.ReadFile(ic.IssuerProfile)
		if err != nil {
			return in, fmt.Errorf("issuerProfile: %w", err)
		}
		profile = nil
		if err := json.Unmarshal(data, &profile); err != nil || profile == nil {
			return in, fmt.Errorf("issuerProfile %s: %w: want a JSON object", ic.IssuerProfile, ErrConfig)
		}
	}
	if err := os.MkdirAll(filepath.Dir(ic.Store), 0o700); err != nil {
		return in, fmt.Errorf("creating store directory: %w", err)
	}
	db, err := bolt.Open(ic.Store, bolt.Options{})
	if err != nil {
		return in, err
	}
	*closers = append(*closers, db.Close)
	ids, err := issuer.RecordedIdentities(ctx, db, signer)
	if err != nil {
		return in, err
	}
	is, err := issuer.New(issuer.Config{
		Profile:       profile,
		Signer:        signer,
		Identities:    ids,
		Store:         db,
		StatusBaseURL: in.StatusBaseURL,
		Suspension:    ic.Suspension,
		// Each request is signed alone, so the self-check is sampled as
		// a batch samples it; the suites test verifies every format.
		VerifyEvery: issuer.DefaultVerifyEvery,
		// The store's catalogue and its rule, as the CLI's issue and
		// batch apply them.
		Catalogue: catalogue.New(db, catalogue.Options{}),
		Unmanaged: ic.UnmanagedAchievements,
	})
	if err != nil {
		return in, err
	}
	in.Issuer, in.IssuerID, in.Profile, in.Store = is, signer.Identity().ID, profile, db
	switch {
	case ic.DIDWeb != "":
		doc, _, err := issuer.WebDocument(ring, ic.Key, ic.DIDWeb)
		if err != nil {
			return in, err
		}
		id, err := did.FormatWeb(ic.DIDWeb)
		if err != nil {
			return in, err
		}
		w, err := did.ParseWeb(id)
		if err != nil {
			return in, err
		}
		in.DIDDocument, in.DIDDocumentURL = doc, w.URL
	case ic.IssuerURL != "":
		doc, _, err := issuer.CIDDocument(ring, ic.Key, ic.IssuerURL)
		if err != nil {
			return in, err
		}
		if in.IssuerDocument, err = issuer.ProfileDocument(profile, doc); err != nil {
			return in, err
		}
	}
	return in, nil
}

// Run opens the server of cfg (see Open), listens on cfg.Listen (with TLS
// when configured) and serves until ctx is done, then shuts down
// gracefully. ready, if set, is called with the bound address once the
// server accepts connections.
func Run(ctx context.Context, cfg Config, notice io.Writer, logger *slog.Logger, ready func(addr string)) (err error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	cfg = cfg.boundTo(ln.Addr().String())
	srv, closeStore, err := Open(ctx, cfg, notice, logger)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeStore()) }()
	so := ServeOptions{
		ReadHeaderTimeout: time.Duration(cfg.ReadHeaderTimeout),
		ReadTimeout:       time.Duration(cfg.ReadTimeout),
		WriteTimeout:      time.Duration(cfg.WriteTimeout),
		IdleTimeout:       time.Duration(cfg.IdleTimeout),
		ShutdownTimeout:   time.Duration(cfg.ShutdownTimeout),
	}
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("tlsCert/tlsKey: %w", err)
		}
		so.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	unannounce, err := announce(cfg.DataDir, cfg.PublicBaseURL)
	if err != nil {
		return err
	}
	defer unannounce()
	logger.Info("listening", "addr", ln.Addr().String(), "public_base_url", cfg.PublicBaseURL)
	if ready != nil {
		ready(ln.Addr().String())
	}
	return srv.Serve(ctx, ln, so)
}

// boundTo returns c for a listener bound to addr: when Listen asked for
// any port (":0"), the URLs defaulted from it (the public and status base
// URLs) name the port actually bound.
func (c Config) boundTo(addr string) Config {
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil || port != "0" {
		return c
	}
	_, bound, _ := net.SplitHostPort(addr)
	from := "://" + net.JoinHostPort(host, "0")
	to := "://" + net.JoinHostPort(host, bound)
	c.Issuers = slices.Clone(c.Issuers)
	urls := []*string{&c.PublicBaseURL, &c.StatusBaseURL, &c.IssuerURL}
	for i := range c.Issuers {
		urls = append(urls, &c.Issuers[i].StatusBaseURL, &c.Issuers[i].IssuerURL)
	}
	for _, p := range urls {
		if u, ok := strings.CutPrefix(*p, "http"+from); ok {
			*p = "http" + to + u
		} else if u, ok := strings.CutPrefix(*p, "https"+from); ok {
			*p = "https" + to + u
		}
	}
	c.Listen = net.JoinHostPort(host, bound)
	return c
}

// AnnounceFile is the file in the data directory where a running server
// writes its public base URL (JSON {"url": ...}), so that the CLI, finding
// the store locked, knows where to send its administrative commands. It
// is removed on shutdown.
const AnnounceFile = "server.json"

// Announced returns the public base URL the server running on dataDir
// announced, or "" when there is none.
func Announced(dataDir string) string {
	data, err := os.ReadFile(filepath.Join(dataDir, AnnounceFile))
	if err != nil {
		return ""
	}
	var a struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(data, &a) != nil {
		return ""
	}
	return a.URL
}

// announce writes AnnounceFile and returns its removal.
func announce(dataDir, url string) (func(), error) {
	data, err := json.Marshal(map[string]string{"url": url})
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, AnnounceFile)
	if err := atomicfile.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("announcing the server: %w", err)
	}
	return func() { _ = os.Remove(path) }, nil
}

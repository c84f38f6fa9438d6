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
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// Open builds the Server of cfg, whose defaults are filled in and which
// Validate accepts: it opens the store (holding its lock until close is
// called), the keyring and the signing key, and makes the issuer. notice
// gets the one-time admin key of a first start.
func Open(ctx context.Context, cfg Config, notice io.Writer, logger *slog.Logger) (srv *Server, closeFn func() error, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	ring, err := keys.OpenRing(cfg.Keyring)
	if err != nil {
		return nil, nil, err
	}
	signer, err := issuer.RingSigner(ring, cfg.Key, issuer.RingOptions{Web: cfg.DIDWeb, Format: issuer.Format(cfg.Format)})
	if err != nil {
		return nil, nil, fmt.Errorf("key %q: %w", cfg.Key, err)
	}
	profile := map[string]any{"name": cfg.Key}
	if cfg.IssuerProfile != "" {
		data, err := os.ReadFile(cfg.IssuerProfile)
		if err != nil {
			return nil, nil, fmt.Errorf("issuerProfile: %w", err)
		}
		profile = nil
		if err := json.Unmarshal(data, &profile); err != nil || profile == nil {
			return nil, nil, fmt.Errorf("issuerProfile %s: %w: want a JSON object", cfg.IssuerProfile, ErrConfig)
		}
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Store), 0o700); err != nil {
		return nil, nil, fmt.Errorf("creating store directory: %w", err)
	}
	db, err := bolt.Open(cfg.Store, bolt.Options{})
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			_ = db.Close()
		}
	}()
	ids, err := issuer.RecordedIdentities(ctx, db, signer)
	if err != nil {
		return nil, nil, err
	}
	is, err := issuer.New(issuer.Config{
		Profile:       profile,
		Signer:        signer,
		Identities:    ids,
		Store:         db,
		StatusBaseURL: cfg.StatusBaseURL,
		Suspension:    cfg.Suspension,
	})
	if err != nil {
		return nil, nil, err
	}
	proxies, _ := cfg.proxies()
	opts := Options{
		PublicBaseURL:  cfg.PublicBaseURL,
		Issuer:         is,
		IssuerID:       signer.Identity().ID,
		Profile:        profile,
		Store:          db,
		DataDir:        cfg.DataDir,
		StatusBaseURL:  cfg.StatusBaseURL,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		TrustedProxies: proxies,
		AdminKey:       cfg.AdminKey,
		OAuth:          cfg.OAuth,
		Notice:         notice,
		Logger:         logger,
	}
	if cfg.DIDWeb != "" {
		doc, _, err := issuer.WebDocument(ring, cfg.Key, cfg.DIDWeb)
		if err != nil {
			return nil, nil, err
		}
		id, err := did.FormatWeb(cfg.DIDWeb)
		if err != nil {
			return nil, nil, err
		}
		w, err := did.ParseWeb(id)
		if err != nil {
			return nil, nil, err
		}
		opts.DIDDocument, opts.DIDDocumentURL = doc, w.URL
	}
	srv, err = New(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	return srv, db.Close, nil
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
	for _, p := range []*string{&c.PublicBaseURL, &c.StatusBaseURL} {
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

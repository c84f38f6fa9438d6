package main

import (
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/server"
)

type serveOptions struct {
	config      string
	printConfig bool
	logJSON     bool
	c           server.Config
	proxies     string
	cors        string
}

func (o *serveOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.config, "config", "", "JSON configuration file (env BADGESMITH_CONFIG); flags override it and the environment")
	fs.BoolVar(&o.printConfig, "print-config", false, "print the effective configuration (secrets redacted) and exit")
	fs.BoolVar(&o.logJSON, "log-json", false, "write the access log as JSON lines instead of text")
	fs.StringVar(&o.c.Listen, "listen", "", "address to bind (default "+server.DefaultListen+"; other than loopback needs --tls-cert/--tls-key or --trusted-proxies)")
	fs.StringVar(&o.c.PublicBaseURL, "public-base-url", "", "URL clients reach the server at; every absolute URL written comes from it (default http://LISTEN)")
	fs.StringVar(&o.c.Store, "store", "", "issuance record database (default as for issue: env BADGESMITH_STORE, ...)")
	fs.StringVar(&o.c.DataDir, "data-dir", "", "directory for API keys, issued credentials and status lists (default: serve/ beside the store)")
	fs.StringVar(&o.c.Keyring, "keyring", "", "keyring directory (default as for issue: env BADGESMITH_KEYRING, ...)")
	fs.StringVar(&o.c.Key, "key", "", "name of the signing key in the keyring (required)")
	fs.StringVar(&o.c.DIDWeb, "did-web", "", "issue as the did:web DID of this host[:port][/path] and host its did.json")
	fs.StringVar(&o.c.IssuerURL, "issuer-url", "", "issue as this https URL (on the public base URL's host) and host its Profile / controlled identifier document there")
	fs.StringVar(&o.c.Format, "format", "", "issuer format: a Data Integrity suite (eddsa-rdfc-2022, ...), vc-jwt or jose (default: the key type's suite)")
	fs.StringVar(&o.c.IssuerProfile, "issuer-profile", "", "issuer Profile JSON file")
	fs.StringVar(&o.c.StatusBaseURL, "status-base-url", "", "where status lists are published (default PUBLIC-BASE-URL/status/, served here)")
	fs.BoolVar(&o.c.NoStatus, "no-status", false, "issue credentials without status entries")
	fs.BoolVar(&o.c.Suspension, "suspension", false, "also give each credential a suspension entry")
	fs.BoolVar(&o.c.UnmanagedAchievements, "unmanaged-achievements", false, "accept achievements from outside the catalogue even when its approver set requires it")
	fs.StringVar(&o.c.TLSCert, "tls-cert", "", "TLS certificate PEM file")
	fs.StringVar(&o.c.TLSKey, "tls-key", "", "TLS private key PEM file")
	fs.StringVar(&o.proxies, "trusted-proxies", "", "comma-separated addresses or CIDR prefixes of trusted reverse proxies")
	fs.Int64Var(&o.c.MaxBodyBytes, "max-body-bytes", 0, "largest request body (default 1 MiB)")
	fs.StringVar(&o.cors, "cors-origins", "", "comma-separated browser origins allowed to call the verify endpoint cross-origin (\"*\" for any)")
	fs.BoolVar(&o.c.RateLimits.Off, "no-rate-limit", false, "turn the per-key and per-address rate limits off (load tests)")
}

func newServeCmd(s streams) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the issuer and verifier over HTTP (VC-API / VCALM)",
		Long: `Serve issuing (POST /credentials/issue), verifying (POST /credentials/verify),
status changes (POST /credentials/status), the issuer's records
(GET /credentials/{id}), the status lists and the did:web document over HTTP.
Further issuer instances (the configuration's "issuers") are served under
/issuers/{id}/; GET /metrics (scope read:/metrics) gives Prometheus metrics.

Configuration comes from a JSON file (--config), then BADGESMITH_*
environment variables, then flags; --print-config shows the result. By
default the server binds 127.0.0.1:8080 only. Issuing, status, read and
admin endpoints need a bearer API key or an OAuth 2.0 access token (from
POST /oauth2/token with a client made by badgesmith oauth-client, or from
the authorization server configured under "oauth" in the file); the first
start prints a one-time admin key (or installs BADGESMITH_ADMIN_KEY). While
it runs, badgesmith apikey, revoke, status publish, list, ... go through
its admin API. SIGTERM or Ctrl-C stops it after
the requests in flight finish.`,
		Example: `  badgesmith serve --key registrar
  badgesmith serve --config /etc/badgesmith/serve.json --print-config`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Each request allocates many short-lived objects over a small
			// live heap, so the default GOGC collects every few requests:
			// fewer collections buy throughput, as for batch and verify
			// (make bench-serve). The soft limit keeps the heap bounded
			// under many concurrent requests. An explicit GOGC or
			// GOMEMLIMIT still wins.
			if os.Getenv("GOGC") == "" {
				defer debug.SetGCPercent(debug.SetGCPercent(400))
			}
			if os.Getenv("GOMEMLIMIT") == "" {
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
			}
			return o.run(cmd, s)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *serveOptions) run(cmd *cobra.Command, s streams) error {
	var cfg server.Config
	path := o.config
	if path == "" {
		path = os.Getenv("BADGESMITH_CONFIG")
	}
	if path != "" {
		var err error
		if cfg, err = server.LoadConfig(path); err != nil {
			return &usageError{err.Error()}
		}
	}
	if err := cfg.FromEnv(os.Getenv); err != nil {
		return &usageError{err.Error()}
	}
	// Flags win over the file and the environment, but only those given.
	fs := cmd.Flags()
	set := func(name string, dst *string, v string) {
		if fs.Changed(name) {
			*dst = v
		}
	}
	set("listen", &cfg.Listen, o.c.Listen)
	set("public-base-url", &cfg.PublicBaseURL, o.c.PublicBaseURL)
	set("store", &cfg.Store, o.c.Store)
	set("data-dir", &cfg.DataDir, o.c.DataDir)
	set("keyring", &cfg.Keyring, o.c.Keyring)
	set("key", &cfg.Key, o.c.Key)
	set("did-web", &cfg.DIDWeb, o.c.DIDWeb)
	set("issuer-url", &cfg.IssuerURL, o.c.IssuerURL)
	set("format", &cfg.Format, o.c.Format)
	set("issuer-profile", &cfg.IssuerProfile, o.c.IssuerProfile)
	set("status-base-url", &cfg.StatusBaseURL, o.c.StatusBaseURL)
	set("tls-cert", &cfg.TLSCert, o.c.TLSCert)
	set("tls-key", &cfg.TLSKey, o.c.TLSKey)
	if fs.Changed("no-status") {
		cfg.NoStatus = o.c.NoStatus
	}
	if fs.Changed("suspension") {
		cfg.Suspension = o.c.Suspension
	}
	if fs.Changed("unmanaged-achievements") {
		cfg.UnmanagedAchievements = o.c.UnmanagedAchievements
	}
	if fs.Changed("trusted-proxies") {
		cfg.TrustedProxies = nil
		for _, p := range strings.Split(o.proxies, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.TrustedProxies = append(cfg.TrustedProxies, p)
			}
		}
	}
	if fs.Changed("max-body-bytes") {
		cfg.MaxBodyBytes = o.c.MaxBodyBytes
	}
	if fs.Changed("cors-origins") {
		cfg.CORSOrigins = nil
		for _, p := range strings.Split(o.cors, ",") {
			if p = strings.TrimSpace(p); p != "" {
				cfg.CORSOrigins = append(cfg.CORSOrigins, p)
			}
		}
	}
	if fs.Changed("no-rate-limit") {
		cfg.RateLimits.Off = o.c.RateLimits.Off
	}
	cfg = cfg.Defaults(defaultStore(), defaultKeyring())
	if o.printConfig {
		_, err := s.out.Write(cfg.Redacted())
		return err
	}
	if err := cfg.Validate(); err != nil {
		return &usageError{err.Error()}
	}
	var h slog.Handler = slog.NewTextHandler(s.err, nil)
	if o.logJSON {
		h = slog.NewJSONHandler(s.err, nil)
	}
	return server.Run(cmd.Context(), cfg, s.err, slog.New(h), nil)
}

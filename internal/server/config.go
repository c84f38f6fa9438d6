package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrConfig marks a configuration that cannot be served: the error names
// the setting at fault.
var ErrConfig = errors.New("invalid configuration")

// Duration is a time.Duration written in JSON as a Go duration string
// ("30s", "2m").
type Duration time.Duration

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string such as \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Config is the configuration of "badgesmith serve": a JSON file (one
// object with the fields below, unknown fields refused), then BADGESMITH_*
// environment variables (FromEnv), then flags. Zero fields take the
// defaults documented on each (see Defaults).
type Config struct {
	// Listen is the TCP address to bind. Default 127.0.0.1:8080. An
	// address that is not loopback needs TLSCert and TLSKey, or
	// TrustedProxies (a TLS-terminating proxy in front).
	Listen string `json:"listen,omitempty"`
	// PublicBaseURL is the absolute http(s) URL clients reach the server
	// at; every absolute URL the server writes (status list URLs, the
	// hosted documents' locations) is made from it, never from a request's
	// Host header. Its path, if any, prefixes every route. Default
	// http:// + Listen.
	PublicBaseURL string `json:"publicBaseURL,omitempty"`
	// Store is the bbolt issuance record. Default: the CLI's default
	// store ($BADGESMITH_STORE, else under $XDG_DATA_HOME or ~/.local/share).
	Store string `json:"store,omitempty"`
	// DataDir holds the server's files beside the store: apikeys.json (the
	// hashed API keys), credentials/ (the signed credentials it issued)
	// and status/ (the signed status lists it hosts). Default: a "serve"
	// directory beside Store.
	DataDir string `json:"dataDir,omitempty"`
	// Keyring is the keyring directory. Default: the CLI's default.
	Keyring string `json:"keyring,omitempty"`
	// Key is the keyring key (the active key of its group) the server
	// signs with. Required.
	Key string `json:"key,omitempty"`
	// DIDWeb, if set, is the did:web domain (host[:port][/path]) the
	// server issues as; its DID document is then hosted at the did:web
	// path. If empty, the key's did:key (did:jwk for RSA).
	DIDWeb string `json:"didWeb,omitempty"`
	// IssuerURL, if set, is an https URL the server issues as instead of
	// a DID (not with DIDWeb): it must be on PublicBaseURL's host, and
	// the server hosts there the issuer's Profile that is also its
	// Controlled Identifiers document, listing the key.
	IssuerURL string `json:"issuerURL,omitempty"`
	// Format is the issuer.Format: a Data Integrity suite
	// (eddsa-rdfc-2022, ...), "vc-jwt" or "jose". Default: the key type's
	// default suite.
	Format string `json:"format,omitempty"`
	// IssuerProfile is a JSON file with the issuer Profile (name, url,
	// ...). Default: {"name": Key}.
	IssuerProfile string `json:"issuerProfile,omitempty"`
	// StatusBaseURL is where the status lists are published. Default
	// PublicBaseURL + "/status/", and lists under PublicBaseURL are served
	// by this server. With NoStatus credentials get no status entry.
	StatusBaseURL string `json:"statusBaseURL,omitempty"`
	// NoStatus issues credentials without credentialStatus.
	NoStatus bool `json:"noStatus,omitempty"`
	// Suspension gives each credential a suspension entry as well.
	Suspension bool `json:"suspension,omitempty"`
	// UnmanagedAchievements lets issue requests carry an achievement from
	// outside the store's catalogue even when its approver set requires
	// the catalogue (the CLI's --unmanaged-achievement, for a whole
	// instance). Without it such a request is refused.
	UnmanagedAchievements bool `json:"unmanagedAchievements,omitempty"`
	// Issuers are further issuer instances (VCALM), each served under
	// /issuers/{id}/ with its own key, identity, format, store and status
	// lists. The fields above make the default instance, served at the
	// top (/credentials/issue, ...).
	Issuers []IssuerConfig `json:"issuers,omitempty"`
	// TLSCert and TLSKey are PEM files; both or neither.
	TLSCert string `json:"tlsCert,omitempty"`
	TLSKey  string `json:"tlsKey,omitempty"`
	// TrustedProxies are the addresses or CIDR prefixes whose
	// X-Forwarded-For header is believed for the access log.
	TrustedProxies []string `json:"trustedProxies,omitempty"`
	// MaxBodyBytes bounds a request body. Default 1 MiB (the verifier's
	// document bound).
	MaxBodyBytes int64 `json:"maxBodyBytes,omitempty"`
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are
	// the http.Server timeouts. Defaults 5s, 30s, 60s, 120s.
	ReadHeaderTimeout Duration `json:"readHeaderTimeout,omitempty"`
	ReadTimeout       Duration `json:"readTimeout,omitempty"`
	WriteTimeout      Duration `json:"writeTimeout,omitempty"`
	IdleTimeout       Duration `json:"idleTimeout,omitempty"`
	// StatusRefreshInterval is how often the background refresher re-signs
	// the status lists that changed or near their validUntil. Default 5m
	// (the lists' ttl); a negative value turns it off.
	StatusRefreshInterval Duration `json:"statusRefreshInterval,omitempty"`
	// ShutdownTimeout is how long requests in flight get to finish after
	// SIGTERM. Default 30s.
	ShutdownTimeout Duration `json:"shutdownTimeout,omitempty"`
	// CORSOrigins are the browser origins (scheme://host[:port], or "*")
	// allowed to call POST /credentials/verify and read the hosted
	// documents cross-origin. Default none. Issuing, status, read and
	// admin endpoints never answer cross-origin requests.
	CORSOrigins []string `json:"corsOrigins,omitempty"`
	// RateLimits limit the requests of each API key and, on the open
	// verify endpoints, of each client address: on by default
	// (DefaultKeyRate, DefaultIPRate); "off": true turns them off.
	RateLimits RateLimits `json:"rateLimits"`
	// AdminKey, a secret, is the admin API key to install on first start
	// instead of generating and printing one (for automated set-ups).
	// Only its hash is stored. Prefer BADGESMITH_ADMIN_KEY to the file.
	AdminKey string `json:"adminKey,omitempty"`
	// OAuth configures OAuth 2.0 access tokens: the token endpoint's
	// token lifetime and an external authorization server (see
	// OAuthConfig).
	OAuth OAuthConfig `json:"oauth,omitzero"`
}

// IssuerConfig configures one issuer instance of Config.Issuers. Its
// endpoints are /issuers/{id}/credentials/issue, .../credentials/status
// and .../credentials/{credential id}, and its scopes the default ones
// with that path (write:/issuers/{id}/credentials/issue, ...).
type IssuerConfig struct {
	// ID is the instance's path segment (letters, digits, '.', '-', '_').
	// Required.
	ID string `json:"id"`
	// Key, DIDWeb, IssuerURL, Format, IssuerProfile, NoStatus and
	// Suspension are as the default instance's in Config. Key is
	// required.
	Key           string `json:"key"`
	DIDWeb        string `json:"didWeb,omitempty"`
	IssuerURL     string `json:"issuerURL,omitempty"`
	Format        string `json:"format,omitempty"`
	IssuerProfile string `json:"issuerProfile,omitempty"`
	NoStatus      bool   `json:"noStatus,omitempty"`
	Suspension    bool   `json:"suspension,omitempty"`
	// UnmanagedAchievements is as the default instance's in Config.
	UnmanagedAchievements bool `json:"unmanagedAchievements,omitempty"`
	// Store is the instance's own bbolt store (status lists are
	// allocated per store). Default DataDir/issuers/{id}/issued.db.
	Store string `json:"store,omitempty"`
	// StatusBaseURL is where its lists are published. Default
	// PublicBaseURL + "/issuers/{id}/status/", served here.
	StatusBaseURL string `json:"statusBaseURL,omitempty"`
}

// LoadConfig reads a configuration file. Unknown fields are refused so
// a misspelt setting is not silently ignored.
func LoadConfig(path string) (Config, error) {
	var c Config
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("reading configuration: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %w: %w", path, ErrConfig, err)
	}
	return c, nil
}

// envNames maps each BADGESMITH_* variable FromEnv reads to its setting.
var envNames = []struct {
	name string
	set  func(c *Config, v string) error
}{
	{"BADGESMITH_LISTEN", func(c *Config, v string) error { c.Listen = v; return nil }},
	{"BADGESMITH_PUBLIC_BASE_URL", func(c *Config, v string) error { c.PublicBaseURL = v; return nil }},
	{"BADGESMITH_STORE", func(c *Config, v string) error { c.Store = v; return nil }},
	{"BADGESMITH_DATA_DIR", func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"BADGESMITH_KEYRING", func(c *Config, v string) error { c.Keyring = v; return nil }},
	{"BADGESMITH_KEY", func(c *Config, v string) error { c.Key = v; return nil }},
	{"BADGESMITH_DID_WEB", func(c *Config, v string) error { c.DIDWeb = v; return nil }},
	{"BADGESMITH_ISSUER_URL", func(c *Config, v string) error { c.IssuerURL = v; return nil }},
	{"BADGESMITH_FORMAT", func(c *Config, v string) error { c.Format = v; return nil }},
	{"BADGESMITH_ISSUER_PROFILE", func(c *Config, v string) error { c.IssuerProfile = v; return nil }},
	{"BADGESMITH_STATUS_BASE_URL", func(c *Config, v string) error { c.StatusBaseURL = v; return nil }},
	{"BADGESMITH_TLS_CERT", func(c *Config, v string) error { c.TLSCert = v; return nil }},
	{"BADGESMITH_TLS_KEY", func(c *Config, v string) error { c.TLSKey = v; return nil }},
	{"BADGESMITH_TRUSTED_PROXIES", func(c *Config, v string) error { c.TrustedProxies = splitList(v); return nil }},
	{"BADGESMITH_CORS_ORIGINS", func(c *Config, v string) error { c.CORSOrigins = splitList(v); return nil }},
	{"BADGESMITH_ADMIN_KEY", func(c *Config, v string) error { c.AdminKey = v; return nil }},
	{"BADGESMITH_MAX_BODY_BYTES", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		c.MaxBodyBytes = n
		return err
	}},
	{"BADGESMITH_SUSPENSION", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.Suspension = b
		return err
	}},
	{"BADGESMITH_NO_STATUS", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.NoStatus = b
		return err
	}},
	{"BADGESMITH_NO_RATE_LIMIT", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.RateLimits.Off = b
		return err
	}},
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// FromEnv overrides c with the BADGESMITH_* variables getenv returns
// non-empty: BADGESMITH_LISTEN, _PUBLIC_BASE_URL, _STORE, _DATA_DIR,
// _KEYRING, _KEY, _DID_WEB, _ISSUER_URL, _FORMAT, _ISSUER_PROFILE, _STATUS_BASE_URL,
// _TLS_CERT, _TLS_KEY, _TRUSTED_PROXIES and _CORS_ORIGINS (comma-separated), _ADMIN_KEY,
// _MAX_BODY_BYTES, _SUSPENSION, _NO_STATUS, _NO_RATE_LIMIT.
func (c *Config) FromEnv(getenv func(string) string) error {
	for _, e := range envNames {
		v := getenv(e.name)
		if v == "" {
			continue
		}
		if err := e.set(c, v); err != nil {
			return fmt.Errorf("%s: %w: %w", e.name, ErrConfig, err)
		}
	}
	return nil
}

// Default values of Config.
const (
	DefaultListen            = "127.0.0.1:8080"
	DefaultMaxBodyBytes      = 1 << 20
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 30 * time.Second
)

// Defaults returns c with every zero field that has a default filled in,
// store and keyring from the arguments (the CLI's defaults).
func (c Config) Defaults(store, keyring string) Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.PublicBaseURL == "" {
		c.PublicBaseURL = "http://" + c.Listen
		if c.TLSCert != "" {
			c.PublicBaseURL = "https://" + c.Listen
		}
	}
	c.PublicBaseURL = strings.TrimSuffix(c.PublicBaseURL, "/")
	if c.Store == "" {
		c.Store = store
	}
	if c.DataDir == "" && c.Store != "" {
		c.DataDir = filepath.Join(filepath.Dir(c.Store), "serve")
	}
	if c.Keyring == "" {
		c.Keyring = keyring
	}
	if c.StatusBaseURL == "" && !c.NoStatus {
		c.StatusBaseURL = c.PublicBaseURL + "/status/"
	}
	c.Issuers = slices.Clone(c.Issuers)
	for i := range c.Issuers {
		ic := &c.Issuers[i]
		if ic.Store == "" && c.DataDir != "" && ic.ID != "" {
			ic.Store = filepath.Join(c.DataDir, "issuers", ic.ID, "issued.db")
		}
		if ic.StatusBaseURL == "" && !ic.NoStatus {
			ic.StatusBaseURL = c.PublicBaseURL + "/issuers/" + ic.ID + "/status/"
		}
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if !c.RateLimits.Off {
		c.RateLimits = c.RateLimits.withDefaults()
	}
	if c.StatusRefreshInterval == 0 {
		c.StatusRefreshInterval = Duration(DefaultRefreshInterval)
	}
	for _, d := range []struct {
		p *Duration
		v time.Duration
	}{
		{&c.ReadHeaderTimeout, DefaultReadHeaderTimeout},
		{&c.ReadTimeout, DefaultReadTimeout},
		{&c.WriteTimeout, DefaultWriteTimeout},
		{&c.IdleTimeout, DefaultIdleTimeout},
		{&c.ShutdownTimeout, DefaultShutdownTimeout},
	} {
		if *d.p == 0 {
			*d.p = Duration(d.v)
		}
	}
	return c
}

// Validate checks a configuration with its defaults filled in: the
// addresses and URLs parse, and a bind address that is not loopback has
// TLS or a trusted proxy in front.
func (c *Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%s: %w: %s", field, ErrConfig, fmt.Sprintf(format, args...))
	}
	if c.Key == "" {
		return bad("key", "required: the keyring key to sign with")
	}
	if c.Store == "" || c.DataDir == "" {
		return bad("store", "required (no home directory for the default)")
	}
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return bad("listen", "%q: %v", c.Listen, err)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return bad("tlsCert", "tlsCert and tlsKey go together")
	}
	if _, err := c.proxies(); err != nil {
		return bad("trustedProxies", "%v", err)
	}
	if !loopback(host) && c.TLSCert == "" && len(c.TrustedProxies) == 0 {
		return bad("listen", "%s is not a loopback address: serving it needs tlsCert and tlsKey, or trustedProxies (a TLS-terminating proxy in front)", c.Listen)
	}
	u, err := url.Parse(c.PublicBaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return bad("publicBaseURL", "%q: want an absolute http(s) URL without query, fragment or user", c.PublicBaseURL)
	}
	if err := c.validateInstance("", c.Key, c.DIDWeb, c.IssuerURL, c.StatusBaseURL, u); err != nil {
		return err
	}
	seen := map[string]string{"": "the default instance"}
	stores := map[string]string{filepath.Clean(c.Store): "the default instance"}
	for i, ic := range c.Issuers {
		field := fmt.Sprintf("issuers[%d]", i)
		if !instanceIDRe.MatchString(ic.ID) {
			return bad(field+".id", "%q: want letters, digits, '.', '-' or '_' (at most 64)", ic.ID)
		}
		if _, dup := seen[ic.ID]; dup {
			return bad(field+".id", "%q: two instances with this id", ic.ID)
		}
		seen[ic.ID] = ic.ID
		if other, dup := stores[filepath.Clean(ic.Store)]; dup {
			return bad(field+".store", "%q: already the store of %s; each instance needs its own", ic.Store, other)
		}
		stores[filepath.Clean(ic.Store)] = "issuers " + ic.ID
		if err := c.validateInstance(field+".", ic.Key, ic.DIDWeb, ic.IssuerURL, ic.StatusBaseURL, u); err != nil {
			return err
		}
	}
	for i, o := range c.CORSOrigins {
		u, err := url.Parse(o)
		if o != "*" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil) {
			return bad(fmt.Sprintf("corsOrigins[%d]", i), "%q: want an origin (scheme://host[:port]) or \"*\"", o)
		}
	}
	for name, r := range map[string]Rate{"rateLimits.key": c.RateLimits.Key, "rateLimits.ip": c.RateLimits.IP} {
		if r != (Rate{}) && (r.Per <= 0 || r.Burst < 1) {
			return bad(name, "want perSecond > 0 and burst >= 1")
		}
	}
	if err := c.OAuth.Validate(c.PublicBaseURL); err != nil {
		return err
	}
	if c.MaxBodyBytes < 1024 {
		return bad("maxBodyBytes", "%d: at least 1024", c.MaxBodyBytes)
	}
	for name, d := range map[string]Duration{"readHeaderTimeout": c.ReadHeaderTimeout, "readTimeout": c.ReadTimeout,
		"writeTimeout": c.WriteTimeout, "idleTimeout": c.IdleTimeout, "shutdownTimeout": c.ShutdownTimeout} {
		if d <= 0 {
			return bad(name, "must be positive")
		}
	}
	return nil
}

// validateInstance checks the settings of one issuer instance, field its
// prefix in errors ("" or "issuers[i].").
func (c *Config) validateInstance(field, key, didWeb, issuerURL, statusBaseURL string, base *url.URL) error {
	bad := func(name, format string, args ...any) error {
		return fmt.Errorf("%s%s: %w: %s", field, name, ErrConfig, fmt.Sprintf(format, args...))
	}
	if key == "" {
		return bad("key", "required: the keyring key to sign with")
	}
	if issuerURL != "" {
		if didWeb != "" {
			return bad("issuerURL", "an issuer URL or a did:web domain, not both")
		}
		iu, err := url.Parse(issuerURL)
		if err != nil || iu.Scheme != "https" || iu.RawQuery != "" || iu.Fragment != "" || iu.User != nil || strings.Contains(issuerURL, "#") {
			return bad("issuerURL", "%q: want an https URL without query, fragment or user", issuerURL)
		}
		if iu.Host != base.Host {
			return bad("issuerURL", "%q: not on the public base URL's host %s, so this server cannot host its document", issuerURL, base.Host)
		}
	}
	if statusBaseURL != "" {
		s, err := url.Parse(statusBaseURL)
		if err != nil || (s.Scheme != "http" && s.Scheme != "https") || s.Host == "" {
			return bad("statusBaseURL", "%q: want an absolute http(s) URL", statusBaseURL)
		}
	}
	return nil
}

// proxies parses TrustedProxies: addresses or CIDR prefixes.
func (c *Config) proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// loopback reports whether host (from a listen address) binds loopback
// only. An empty host binds every interface.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// Redacted returns c as indented JSON with its secrets replaced, for
// --print-config.
func (c Config) Redacted() []byte {
	if c.AdminKey != "" {
		c.AdminKey = "[redacted]"
	}
	out, _ := json.MarshalIndent(c, "", "  ")
	return append(out, '\n')
}

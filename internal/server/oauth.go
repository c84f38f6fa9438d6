package server

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/internal/safehttp"
)

// OAuthConfig configures OAuth 2.0 access tokens, beside the bearer API
// keys (which always work). The server always runs its own token endpoint,
// POST /oauth2/token (client credentials grant, RFC 6749 §4.4), for the
// clients made with the admin API; External, if set, also accepts JWT
// access tokens from one outside authorization server.
type OAuthConfig struct {
	// TokenTTL is how long the access tokens of /oauth2/token last.
	// Default 10m; at most 1h.
	TokenTTL Duration `json:"tokenTTL,omitempty"`
	// External is the one outside authorization server whose JWT access
	// tokens are accepted. If nil, none is.
	External *ExternalAuth `json:"external,omitempty"`
}

// ExternalAuth is an outside authorization server whose JWT access
// tokens (RFC 9068) the server accepts: signed by a key of its JWKS with
// an allowed algorithm, from Issuer, for Audience, within exp/nbf/iat
// (with Leeway), with the scopes in the "scope" claim.
type ExternalAuth struct {
	// Issuer is the authorization server's issuer identifier, compared
	// exactly with the tokens' iss. Required.
	Issuer string `json:"issuer"`
	// JWKSFile or JWKSURL (exactly one) holds the server's public keys.
	// A URL is fetched with the guarded client (https, public addresses
	// only unless AllowPrivateJWKS), again when a token names a key it
	// does not have (at most once a minute) and at least hourly.
	JWKSFile string `json:"jwksFile,omitempty"`
	JWKSURL  string `json:"jwksURL,omitempty"`
	// AllowPrivateJWKS lets JWKSURL be http, on loopback or a private
	// network (an authorization server inside the deployment; tests).
	AllowPrivateJWKS bool `json:"allowPrivateJWKS,omitempty"`
	// Audience is what the tokens' aud must contain. Default: the public
	// base URL, so a token minted for another service is refused.
	Audience string `json:"audience,omitempty"`
	// Algorithms are the JWS algorithms accepted. Default RS256, ES256
	// and EdDSA. "none" and the HMAC algorithms are refused: a shared
	// secret would let the holder of a JWKS forge tokens.
	Algorithms []string `json:"algorithms,omitempty"`
	// Leeway is the clock skew allowed on exp, nbf and iat. Default 30s;
	// at most 5m.
	Leeway Duration `json:"leeway,omitempty"`
}

// Defaults of OAuthConfig and ExternalAuth.
const (
	DefaultTokenTTL = 10 * time.Minute
	DefaultLeeway   = 30 * time.Second
)

// DefaultAlgorithms are the external tokens' algorithms when none are
// configured.
var defaultAlgorithms = []string{"RS256", "ES256", "EdDSA"}

// asymmetric are the algorithms an external token may be configured with.
var asymmetric = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// tokenKeyFile holds the server's access token signing key.
const tokenKeyFile = "oauth-token-key.pem" //nolint:gosec // a file name, not a credential

// maxTokenBytes bounds an access token; maxJWKSBytes a fetched JWKS.
const (
	maxTokenBytes = 16 << 10
	maxJWKSBytes  = 256 << 10
	// jwksMinRefetch is the least time between two fetches of the JWKS
	// that a token naming an unknown key can cause; jwksMaxAge the most
	// a fetched JWKS is used.
	jwksMinRefetch = time.Minute
	jwksMaxAge     = time.Hour
	// jwksFetchTimeout bounds one fetch of the JWKS.
	jwksFetchTimeout = 10 * time.Second
)

// Validate checks c for a server at publicBase.
func (c *OAuthConfig) Validate(publicBase string) error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("oauth.%s: %w: %s", field, ErrConfig, fmt.Sprintf(format, args...))
	}
	if ttl := time.Duration(c.TokenTTL); ttl != 0 && (ttl < time.Minute || ttl > time.Hour) {
		return bad("tokenTTL", "%s: want 1m to 1h", ttl)
	}
	e := c.External
	if e == nil {
		return nil
	}
	u, err := url.Parse(e.Issuer)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return bad("external.issuer", "%q: want an absolute URL", e.Issuer)
	}
	if strings.TrimSuffix(e.Issuer, "/") == strings.TrimSuffix(publicBase, "/") {
		return bad("external.issuer", "%q is this server's own issuer", e.Issuer)
	}
	if (e.JWKSFile == "") == (e.JWKSURL == "") {
		return bad("external.jwksFile", "give exactly one of jwksFile and jwksURL")
	}
	if e.JWKSURL != "" {
		j, err := url.Parse(e.JWKSURL)
		if err != nil || j.Host == "" || (j.Scheme != "https" && (j.Scheme != "http" || !e.AllowPrivateJWKS)) {
			return bad("external.jwksURL", "%q: want an https URL (http only with allowPrivateJWKS)", e.JWKSURL)
		}
	}
	for i, a := range e.Algorithms {
		if !slices.Contains(asymmetric, a) {
			return bad(fmt.Sprintf("external.algorithms[%d]", i), "%q: want one of %s (never none or HMAC)", a, strings.Join(asymmetric, ", "))
		}
	}
	if l := time.Duration(e.Leeway); l < 0 || l > 5*time.Minute {
		return bad("external.leeway", "%s: want 0 to 5m", l)
	}
	return nil
}

// oauth issues and checks access tokens.
type oauth struct {
	base    string // the public base URL: iss and aud of our tokens
	ttl     time.Duration
	priv    ed25519.PrivateKey
	pub     ed25519.PublicKey
	kid     string
	clients *keyStore
	ext     *external
	now     func() time.Time
	rand    io.Reader
}

// external checks the tokens of the outside authorization server.
type external struct {
	cfg    ExternalAuth
	aud    string
	algs   []string
	leeway time.Duration
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	keys    jwk.Set
	fetched time.Time // zero for a file
}

func newOAuth(ctx context.Context, opts Options, base string) (*oauth, error) {
	c := opts.OAuth
	if err := c.Validate(base); err != nil {
		return nil, err
	}
	o := &oauth{base: base, ttl: time.Duration(c.TokenTTL), now: opts.Now, rand: opts.Rand}
	if o.ttl == 0 {
		o.ttl = DefaultTokenTTL
	}
	var err error
	if o.clients, err = openSecretFile(opts.DataDir, clientsFile, SecretPrefix, opts.Rand, opts.Now); err != nil {
		return nil, err
	}
	if o.priv, err = tokenKey(filepath.Join(opts.DataDir, tokenKeyFile), opts.Rand); err != nil {
		return nil, err
	}
	o.pub = o.priv.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(o.pub)
	o.kid = base64.RawURLEncoding.EncodeToString(sum[:12])
	if e := c.External; e != nil {
		x := &external{cfg: *e, aud: e.Audience, algs: e.Algorithms, leeway: time.Duration(e.Leeway), now: opts.Now}
		if x.aud == "" {
			x.aud = base
		}
		if len(x.algs) == 0 {
			x.algs = defaultAlgorithms
		}
		if x.leeway == 0 {
			x.leeway = DefaultLeeway
		}
		x.client = opts.OAuthHTTPClient
		if x.client == nil {
			x.client = safehttp.NewClient(safehttp.Options{AllowPrivate: e.AllowPrivateJWKS, AllowHTTP: e.AllowPrivateJWKS})
		}
		if e.JWKSFile != "" {
			data, err := os.ReadFile(e.JWKSFile)
			if err != nil {
				return nil, fmt.Errorf("oauth.external.jwksFile: %w", err)
			}
			if x.keys, err = parseJWKS(data); err != nil {
				return nil, fmt.Errorf("oauth.external.jwksFile %s: %w: %w", e.JWKSFile, ErrConfig, err)
			}
		} else if err := x.fetch(ctx); err != nil {
			// The authorization server may be down at start; its tokens
			// are refused until a fetch succeeds.
			opts.Logger.Warn("fetching the external JWKS", "url", e.JWKSURL, "error", err.Error())
		}
		o.ext = x
	}
	return o, nil
}

// tokenKey reads the token signing key at path, or makes and saves one.
func tokenKey(path string, rnd io.Reader) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, priv, err := ed25519.GenerateKey(rnd)
		if err != nil {
			return nil, fmt.Errorf("generating the token signing key: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, fmt.Errorf("writing the token signing key: %w", err)
		}
		return priv, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the token signing key: %w", err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("reading the token signing key %s: not PEM", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("reading the token signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("reading the token signing key %s: not an Ed25519 key", path)
	}
	return priv, nil
}

// parseJWKS reads a JWK Set, keeping only the public asymmetric keys
// meant for signatures.
func parseJWKS(data []byte) (jwk.Set, error) {
	set, err := jwk.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	out := jwk.NewSet()
	for i := range set.Len() {
		k, _ := set.Key(i)
		if u, ok := k.KeyUsage(); ok && u != "sig" {
			continue
		}
		if _, err := publicKey(k); err != nil {
			continue
		}
		if err := out.AddKey(k); err != nil {
			return nil, err
		}
	}
	if out.Len() == 0 {
		return nil, errors.New("keys: no public signing key")
	}
	return out, nil
}

// publicKey is the public key of k: RSA of 2048 bits or more, ECDSA or
// Ed25519. A symmetric key is refused, whatever its alg says.
func publicKey(k jwk.Key) (crypto.PublicKey, error) {
	var raw any
	if err := jwk.Export(k, &raw); err != nil {
		return nil, err
	}
	switch v := raw.(type) {
	case *rsa.PublicKey:
		if v.N.BitLen() < 2048 {
			return nil, fmt.Errorf("rsa key of %d bits", v.N.BitLen())
		}
		return v, nil
	case *rsa.PrivateKey:
		if v.N.BitLen() < 2048 {
			return nil, fmt.Errorf("rsa key of %d bits", v.N.BitLen())
		}
		return &v.PublicKey, nil
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return v, nil
	case *ecdsa.PrivateKey:
		return &v.PublicKey, nil
	case ed25519.PrivateKey:
		return v.Public(), nil
	}
	return nil, fmt.Errorf("%T is not a public signing key", raw)
}

// fetch reads the JWKS from its URL. The fetch is the server's, made at
// most once a minute whoever's request causes it: it runs without the
// request's cancellation (bounded by jwksFetchTimeout), or a client that
// hangs up at once would spend the minute's fetch on a failure and keep a
// rotated key unknown.
func (x *external) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jwksFetchTimeout)
	defer cancel()
	resp, err := safehttp.Get(ctx, x.client, x.cfg.JWKSURL, "application/jwk-set+json, application/json", "", maxJWKSBytes)
	x.fetched = x.now()
	if err != nil {
		return err
	}
	set, err := parseJWKS(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", x.cfg.JWKSURL, err)
	}
	x.keys = set
	return nil
}

// key returns the verification key named kid (or the only key when kid
// is empty), fetching the JWKS again when it is old or lacks kid.
func (x *external) key(ctx context.Context, kid string) (jwk.Key, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	find := func() (jwk.Key, bool) {
		if x.keys == nil {
			return nil, false
		}
		if kid == "" {
			if x.keys.Len() == 1 {
				return x.keys.Key(0)
			}
			return nil, false
		}
		return x.keys.LookupKeyID(kid)
	}
	url := x.cfg.JWKSURL != ""
	if url && (x.keys == nil || x.now().Sub(x.fetched) > jwksMaxAge) && x.now().Sub(x.fetched) >= jwksMinRefetch {
		_ = x.fetch(ctx)
	}
	if k, ok := find(); ok {
		return k, nil
	}
	if url && x.now().Sub(x.fetched) >= jwksMinRefetch {
		if err := x.fetch(ctx); err != nil {
			return nil, fmt.Errorf("fetching the authorization server's keys: %w", err)
		}
		if k, ok := find(); ok {
			return k, nil
		}
	}
	if kid == "" {
		return nil, errors.New("header.kid: missing, and the authorization server has more than one key")
	}
	return nil, fmt.Errorf("header.kid: no key %q in the authorization server's JWKS", kid)
}

// joseHeader is the part of a JWS header the checks read.
type joseHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// tokenClaims are the access token claims the checks read (RFC 9068).
type tokenClaims struct {
	Iss      string          `json:"iss"`
	Sub      string          `json:"sub"`
	Aud      json.RawMessage `json:"aud"`
	Exp      *json.Number    `json:"exp"`
	Nbf      *json.Number    `json:"nbf"`
	Iat      *json.Number    `json:"iat"`
	Scope    string          `json:"scope"`
	ClientID string          `json:"client_id"`
	JTI      string          `json:"jti"`
}

// splitToken decodes the header and the (unverified) claims of a
// compact JWS, to choose how to verify it.
func splitToken(tok string) (joseHeader, tokenClaims, error) {
	var h joseHeader
	var c tokenClaims
	if len(tok) > maxTokenBytes {
		return h, c, errors.New("longer than 16 KiB")
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return h, c, errors.New("not a compact JWS")
	}
	header := map[string]any{"alg": &h.Alg, "kid": &h.Kid, "typ": &h.Typ, "crit": &h.Crit}
	claims := map[string]any{
		"iss": &c.Iss, "sub": &c.Sub, "aud": &c.Aud, "exp": &c.Exp, "nbf": &c.Nbf, "iat": &c.Iat,
		"scope": &c.Scope, "client_id": &c.ClientID, "jti": &c.JTI,
	}
	for i, members := range []map[string]any{header, claims} {
		what := [...]string{"header", "payload"}[i]
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return h, c, fmt.Errorf("%s: not base64url", what)
		}
		if err := decodeMembers(raw, members); err != nil {
			return h, c, fmt.Errorf("%s: %w", what, err)
		}
	}
	return h, c, nil
}

// decodeMembers decodes the JSON object raw, each member named in
// members into the value it points to, numbers as json.Number. Names are
// matched exactly, as JWT claim and header names are (RFC 7519 §4): a
// struct would take "Scope" or "ſcope" for scope.
func decodeMembers(raw []byte, members map[string]any) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if m == nil {
		return errors.New("not a JSON object")
	}
	for name, dst := range members {
		v, ok := m[name]
		if !ok {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.UseNumber()
		if err := dec.Decode(dst); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// authenticate checks an access token: ours (iss = the public base URL)
// or the external server's.
func (o *oauth) authenticate(ctx context.Context, tok string) (principal, error) {
	h, c, err := splitToken(tok)
	if err != nil {
		return principal{}, err
	}
	if h.Crit != nil {
		return principal{}, errors.New("header.crit: not supported")
	}
	switch {
	case c.Iss == o.base:
		return o.checkOwn(tok, h, c)
	case o.ext != nil && c.Iss == o.ext.cfg.Issuer:
		return o.ext.check(ctx, tok, h, c)
	}
	return principal{}, fmt.Errorf("iss: %q is not a trusted token issuer", c.Iss)
}

func (o *oauth) checkOwn(tok string, h joseHeader, c tokenClaims) (principal, error) {
	// The algorithm is pinned: whatever the header says, only an EdDSA
	// signature by the server's own key is accepted.
	if h.Alg != jwa.EdDSA().String() {
		return principal{}, fmt.Errorf("header.alg: %q, want EdDSA", h.Alg)
	}
	if h.Kid != o.kid {
		return principal{}, errors.New("header.kid: not this server's token key")
	}
	if _, err := jws.VerifyCompactFast(o.pub, []byte(tok), jwa.EdDSA()); err != nil {
		return principal{}, errors.New("signature: does not verify")
	}
	if h.Typ != "at+jwt" {
		return principal{}, fmt.Errorf("header.typ: %q, want at+jwt", h.Typ)
	}
	if err := checkTimes(c, o.now(), 0); err != nil {
		return principal{}, err
	}
	if err := checkAud(c.Aud, o.base); err != nil {
		return principal{}, err
	}
	// A revoked client's tokens stop working at once, not at exp.
	cl, ok := o.clients.byID(c.ClientID)
	if !ok || !cl.Active() {
		return principal{}, errors.New("client_id: unknown or revoked client")
	}
	scopes := strings.Fields(c.Scope)
	// The token's scopes were granted within the client's; a client whose
	// scopes cannot change keeps them so, but check anyway.
	for _, sc := range scopes {
		if !allows(cl.Scopes, sc) {
			return principal{}, fmt.Errorf("scope: %q is not the client's", sc)
		}
	}
	return principal{id: "oauth:" + cl.ID, scopes: scopes}, nil
}

func (x *external) check(ctx context.Context, tok string, h joseHeader, c tokenClaims) (principal, error) {
	if !slices.Contains(x.algs, h.Alg) {
		return principal{}, fmt.Errorf("header.alg: %q is not allowed (allowed: %s)", h.Alg, strings.Join(x.algs, ", "))
	}
	alg, ok := jwa.LookupSignatureAlgorithm(h.Alg)
	if !ok {
		return principal{}, fmt.Errorf("header.alg: %q is unknown", h.Alg)
	}
	if h.Typ != "" && !strings.EqualFold(h.Typ, "at+jwt") && !strings.EqualFold(h.Typ, "application/at+jwt") && !strings.EqualFold(h.Typ, "JWT") {
		return principal{}, fmt.Errorf("header.typ: %q is not an access token type", h.Typ)
	}
	k, err := x.key(ctx, h.Kid)
	if err != nil {
		return principal{}, err
	}
	if ka, ok := k.Algorithm(); ok && ka.String() != h.Alg {
		return principal{}, fmt.Errorf("header.alg: %q, but the key is for %s", h.Alg, ka)
	}
	pub, err := publicKey(k)
	if err != nil {
		return principal{}, err
	}
	if _, err := jws.VerifyCompactFast(pub, []byte(tok), alg); err != nil {
		return principal{}, errors.New("signature: does not verify with the authorization server's key")
	}
	if err := checkTimes(c, x.now(), x.leeway); err != nil {
		return principal{}, err
	}
	if err := checkAud(c.Aud, x.aud); err != nil {
		return principal{}, err
	}
	who := c.Sub
	if who == "" {
		who = c.ClientID
	}
	return principal{id: "jwt:" + who, scopes: strings.Fields(c.Scope)}, nil
}

// checkTimes checks exp (required), nbf and iat against now with leeway.
func checkTimes(c tokenClaims, now time.Time, leeway time.Duration) error {
	num := func(name string, n *json.Number) (time.Time, error) {
		f, err := n.Float64()
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<40 {
			return time.Time{}, fmt.Errorf("%s: not a NumericDate", name)
		}
		return time.Unix(int64(f), 0), nil
	}
	if c.Exp == nil {
		return errors.New("exp: missing")
	}
	exp, err := num("exp", c.Exp)
	if err != nil {
		return err
	}
	if !now.Before(exp.Add(leeway)) {
		return fmt.Errorf("exp: expired at %s", exp.UTC().Format(time.RFC3339))
	}
	if c.Nbf != nil {
		nbf, err := num("nbf", c.Nbf)
		if err != nil {
			return err
		}
		if now.Add(leeway).Before(nbf) {
			return fmt.Errorf("nbf: not valid before %s", nbf.UTC().Format(time.RFC3339))
		}
	}
	if c.Iat != nil {
		iat, err := num("iat", c.Iat)
		if err != nil {
			return err
		}
		if now.Add(leeway).Before(iat) {
			return fmt.Errorf("iat: issued in the future (%s)", iat.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// checkAud checks the aud claim (a string or an array of strings)
// contains want.
func checkAud(raw json.RawMessage, want string) error {
	var one string
	var many []string
	if err := json.Unmarshal(raw, &one); err == nil {
		many = []string{one}
	} else if err := json.Unmarshal(raw, &many); err != nil {
		return errors.New("aud: missing or not a string or array of strings")
	}
	if !slices.Contains(many, want) {
		return fmt.Errorf("aud: the token is not for %s", want)
	}
	return nil
}

// tokenError is an RFC 6749 §5.2 error answer of the token endpoint.
type tokenError struct {
	status int
	code   string
	desc   string
}

// writeTokenError answers with e as RFC 6749 §5.2 JSON.
func writeTokenError(w http.ResponseWriter, e tokenError) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if e.status == http.StatusUnauthorized {
		// RFC 6749 §5.2: the challenge names the scheme the client can
		// authenticate with, whichever it tried.
		h.Set("WWW-Authenticate", `Basic realm="badgesmith"`)
	}
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

// token handles POST /oauth2/token: the client credentials grant (RFC 6749
// §4.4) with client_secret_basic or client_secret_post. Errors are RFC
// 6749 §5.2 JSON, not problems: that is what OAuth clients read.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	te := s.grant(w, r)
	if te != nil {
		writeTokenError(w, *te)
	}
}

func (s *Server) grant(w http.ResponseWriter, r *http.Request) *tokenError {
	bad := func(code, desc string) *tokenError {
		return &tokenError{status: http.StatusBadRequest, code: code, desc: desc}
	}
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); !strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") {
		return bad("invalid_request", "want Content-Type application/x-www-form-urlencoded")
	}
	if r.URL.RawQuery != "" {
		return bad("invalid_request", "parameters go in the body, never the URL")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bad("invalid_request", "reading the body: "+err.Error())
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return bad("invalid_request", "body: "+err.Error())
	}
	for name, v := range form {
		if len(v) > 1 {
			return bad("invalid_request", name+": given more than once")
		}
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: the Basic credentials are form-urlencoded.
		var e1, e2 error
		id, e1 = url.QueryUnescape(id)
		secret, e2 = url.QueryUnescape(secret)
		if e1 != nil || e2 != nil {
			return &tokenError{status: http.StatusUnauthorized, code: "invalid_client", desc: "client credentials: not form-urlencoded"}
		}
		if form.Has("client_secret") {
			return bad("invalid_request", "use one client authentication method, not Basic and client_secret both")
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" || secret == "" {
		return &tokenError{status: http.StatusUnauthorized, code: "invalid_client", desc: "client authentication required (client_secret_basic or client_secret_post)"}
	}
	if form.Has("client_id") && form.Get("client_id") != id {
		return bad("invalid_request", "client_id differs from the authenticated client")
	}
	cl, ok := s.oauth.clients.lookup(secret)
	if !ok || subtle.ConstantTimeCompare([]byte(cl.ID), []byte(id)) != 1 {
		return &tokenError{status: http.StatusUnauthorized, code: "invalid_client", desc: "unknown client, wrong secret or revoked client"}
	}
	if c, _ := r.Context().Value(keyCaller).(*caller); c != nil {
		c.id = "oauth:" + cl.ID
	}
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		return bad("unsupported_grant_type", fmt.Sprintf("grant_type %q: only client_credentials is supported", gt))
	}
	scopes := cl.Scopes
	if form.Has("scope") {
		scopes = strings.Fields(form.Get("scope"))
		if len(scopes) == 0 {
			return bad("invalid_scope", "scope: empty")
		}
		for _, sc := range scopes {
			if !scopeRE.MatchString(sc) {
				return bad("invalid_scope", fmt.Sprintf("scope %q: not a scope", sc))
			}
			if !allows(cl.Scopes, sc) {
				return bad("invalid_scope", fmt.Sprintf("scope %q: not granted to this client", sc))
			}
		}
	}
	tok, err := s.oauth.sign(cl.ID, scopes)
	if err != nil {
		s.opts.Logger.Error("signing an access token", "request_id", requestID(r.Context()), "error", err.Error())
		return &tokenError{status: http.StatusInternalServerError, code: "server_error", desc: "internal error"}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int(s.oauth.ttl / time.Second),
		"scope":        strings.Join(scopes, " "),
	})
	return nil
}

// sign makes an access token (RFC 9068) for client with scopes.
func (o *oauth) sign(client string, scopes []string) (string, error) {
	var jti [16]byte
	if _, err := io.ReadFull(o.rand, jti[:]); err != nil {
		return "", err
	}
	now := o.now().Unix()
	claims, err := json.Marshal(map[string]any{
		"iss":       o.base,
		"aud":       o.base,
		"sub":       client,
		"client_id": client,
		"scope":     strings.Join(scopes, " "),
		"iat":       now,
		"nbf":       now,
		"exp":       now + int64(o.ttl/time.Second),
		"jti":       hex.EncodeToString(jti[:]),
	})
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	for k, v := range map[string]string{jws.KeyIDKey: o.kid, jws.TypeKey: "at+jwt"} {
		if err := hdr.Set(k, v); err != nil {
			return "", err
		}
	}
	out, err := jws.Sign(claims, jws.WithKey(jwa.EdDSA(), o.priv, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", err
	}
	return string(out), nil
}

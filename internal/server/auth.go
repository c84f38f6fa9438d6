package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
)

// Scopes, in VCALM's syntax. ScopeAdmin allows everything.
const (
	ScopeIssue  = "write:/credentials/issue"
	ScopeStatus = "write:/credentials/status"
	ScopeRead   = "read:/credentials"
	ScopeAdmin  = "admin"
)

// KeyPrefix starts every API key, so a leaked one is easy to recognise
// (secret scanners) and to tell from other tokens.
const KeyPrefix = "bsk_"

// SecretPrefix starts every OAuth client secret, for the same reason.
const SecretPrefix = "bss_"

// keysFile is the API keys file in the data directory; clientsFile the
// OAuth clients file.
const (
	keysFile    = "apikeys.json"
	clientsFile = "oauthclients.json"
)

// ErrLastAdmin is returned when revoking the last active admin API key,
// which would lock everyone out of the admin API.
var ErrLastAdmin = errors.New("the last active admin API key cannot be revoked")

// ErrNoSuchKey is returned for an API key or client id that is not stored.
var ErrNoSuchKey = errors.New("no such key")

// APIKey is a stored API key or OAuth client: only the SHA-256 of the
// secret is kept. The secret is 32 random bytes, so an unsalted fast hash
// is enough: nothing can be guessed from it.
type APIKey struct {
	// ID names the key in logs and audit events (and is an OAuth
	// client's client_id); it is not secret.
	ID string `json:"id"`
	// SHA256 is the lower-case hex SHA-256 of the whole secret string.
	SHA256 string `json:"sha256,omitempty"`
	// Name is a label given at creation, for people.
	Name string `json:"name,omitempty"`
	// Scopes are what the key may do.
	Scopes []string `json:"scopes"`
	// Created is when the key was made.
	Created time.Time `json:"created"`
	// Revoked, if set, is when the key was revoked; it no longer
	// authenticates. Revoked keys are kept for the audit trail.
	Revoked *time.Time `json:"revoked,omitempty"`
}

// Active reports whether the key still authenticates.
func (k APIKey) Active() bool { return k.Revoked == nil }

// keyStore is a file of hashed secrets (API keys or OAuth clients), read
// once and kept in memory.
type keyStore struct {
	mu     sync.RWMutex
	path   string
	prefix string
	keys   []APIKey
	rand   io.Reader
	now    func() time.Time
}

func openKeyStore(dir string, rnd io.Reader, now func() time.Time) (*keyStore, error) {
	return openSecretFile(dir, keysFile, KeyPrefix, rnd, now)
}

func openSecretFile(dir, name, prefix string, rnd io.Reader, now func() time.Time) (*keyStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	ks := &keyStore{path: filepath.Join(dir, name), prefix: prefix, rand: rnd, now: now}
	data, err := os.ReadFile(ks.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ks, nil
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	var f struct {
		Keys []APIKey `json:"keys"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("reading %s: %w", ks.path, err)
	}
	for i, k := range f.Keys {
		if b, err := hex.DecodeString(k.SHA256); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("reading %s: keys[%d].sha256: not a hex SHA-256", ks.path, i)
		}
	}
	ks.keys = f.Keys
	return ks, nil
}

// bootstrap installs the first admin key when there is none: admin (the
// configured one) or a generated one, printed once to notice.
func (ks *keyStore) bootstrap(admin string, notice io.Writer) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if len(ks.keys) > 0 {
		return nil
	}
	key := admin
	if key == "" {
		var err error
		if key, err = ks.generate(); err != nil {
			return err
		}
	} else if len(key) < 32 {
		return fmt.Errorf("adminKey: %w: at least 32 characters", ErrConfig)
	}
	k := ks.entry(key, []string{ScopeAdmin})
	k.Name = "admin (first start)"
	if err := ks.save(append(ks.keys, k)); err != nil {
		return err
	}
	if admin == "" {
		fmt.Fprintf(notice, "badgesmith serve: first start; the admin API key (shown once, stored only hashed in %s) is:\n%s\n", ks.path, key)
	}
	return nil
}

func (ks *keyStore) generate() (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(ks.rand, b[:]); err != nil {
		return "", fmt.Errorf("generating secret: %w", err)
	}
	return ks.prefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func (ks *keyStore) entry(key string, scopes []string) APIKey {
	sum := sha256.Sum256([]byte(key))
	return APIKey{ID: hex.EncodeToString(sum[:4]), SHA256: hex.EncodeToString(sum[:]), Scopes: scopes, Created: ks.now().UTC()}
}

// create stores a new secret with scopes and returns it with its entry:
// the only time the secret is seen.
func (ks *keyStore) create(name string, scopes []string) (string, APIKey, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	for range 8 {
		secret, err := ks.generate()
		if err != nil {
			return "", APIKey{}, err
		}
		k := ks.entry(secret, scopes)
		k.Name = name
		// The id is a hash prefix: a (rare) clash gets a new secret, so
		// ids stay unique.
		if slices.ContainsFunc(ks.keys, func(o APIKey) bool { return o.ID == k.ID }) {
			continue
		}
		if err := ks.save(append(ks.keys[:len(ks.keys):len(ks.keys)], k)); err != nil {
			return "", APIKey{}, err
		}
		return secret, k, nil
	}
	return "", APIKey{}, errors.New("generating secret: id clashes")
}

// list returns the entries without their hashes.
func (ks *keyStore) list() []APIKey {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	out := make([]APIKey, len(ks.keys))
	for i, k := range ks.keys {
		k.SHA256 = ""
		out[i] = k
	}
	return out
}

// revoke marks the entry id revoked. Revoking a revoked key changes
// nothing; revoking the last active admin key is refused (ErrLastAdmin)
// when guardAdmin is set.
func (ks *keyStore) revoke(id string, guardAdmin bool) (APIKey, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	i := slices.IndexFunc(ks.keys, func(k APIKey) bool { return k.ID == id })
	if i < 0 {
		return APIKey{}, ErrNoSuchKey
	}
	k := ks.keys[i]
	if !k.Active() {
		k.SHA256 = ""
		return k, nil
	}
	if guardAdmin && slices.Contains(k.Scopes, ScopeAdmin) {
		admins := 0
		for _, o := range ks.keys {
			if o.Active() && slices.Contains(o.Scopes, ScopeAdmin) {
				admins++
			}
		}
		if admins == 1 {
			return APIKey{}, ErrLastAdmin
		}
	}
	t := ks.now().UTC()
	k.Revoked = &t
	keys := slices.Clone(ks.keys)
	keys[i] = k
	if err := ks.save(keys); err != nil {
		return APIKey{}, err
	}
	k.SHA256 = ""
	return k, nil
}

// byID returns the entry id.
func (ks *keyStore) byID(id string) (APIKey, bool) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	i := slices.IndexFunc(ks.keys, func(k APIKey) bool { return k.ID == id })
	if i < 0 {
		return APIKey{}, false
	}
	return ks.keys[i], true
}

// save writes keys and makes them current; the caller holds mu.
func (ks *keyStore) save(keys []APIKey) error {
	data, err := json.MarshalIndent(struct {
		Keys []APIKey `json:"keys"`
	}{keys}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(ks.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(ks.path), err)
	}
	ks.keys = keys
	return nil
}

// lookup returns the stored active entry matching secret. Every stored
// hash is compared, in constant time, so the time taken says nothing
// about which (or whether one) matched.
func (ks *keyStore) lookup(secret string) (APIKey, bool) {
	sum := sha256.Sum256([]byte(secret))
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	var found APIKey
	ok := 0
	for _, k := range ks.keys {
		want, _ := hex.DecodeString(k.SHA256)
		if subtle.ConstantTimeCompare(sum[:], want) == 1 {
			found, ok = k, 1
		}
	}
	return found, ok == 1 && found.Active()
}

// scopeRE is a scope in VCALM's syntax: read: or write: and an absolute
// path, or admin.
var scopeRE = regexp.MustCompile(`^(?:admin|(?:read|write):/[A-Za-z0-9._~/{}-]*)$`)

// checkScopes checks each of scopes is well formed; path is the JSON path
// of the list, for the error.
func checkScopes(path string, scopes []string) error {
	if len(scopes) == 0 {
		return problemErr(http.StatusBadRequest, ProbInvalidField, path, "at least one scope is required")
	}
	for i, sc := range scopes {
		if !scopeRE.MatchString(sc) {
			return problemErr(http.StatusBadRequest, ProbInvalidField, path+"["+strconv.Itoa(i)+"]",
				fmt.Sprintf("%q is not a scope: want admin, or read: or write: and a path (e.g. %s)", sc, ScopeIssue))
		}
	}
	return nil
}

// allows reports whether a key with scopes may use scope.
func allows(scopes []string, scope string) bool {
	return slices.Contains(scopes, scope) || slices.Contains(scopes, ScopeAdmin)
}

// principal is who a request authenticated as.
type principal struct {
	// id names the caller in logs and audit events: an API key id,
	// "oauth:" and a client id, or "jwt:" and an external token's sub.
	id     string
	scopes []string
}

// authError is a refused authentication: a 401 with the RFC 6750 error
// code in WWW-Authenticate.
type authError struct {
	code   string // invalid_request, invalid_token; "" when no credentials were given
	detail string
}

func (e *authError) Error() string { return e.detail }

// authenticate reads the request's bearer credentials: an API key, an
// access token from /oauth2/token, or one from the configured external
// authorization server.
func (s *Server) authenticate(r *http.Request) (principal, *authError) {
	h := r.Header.Values("Authorization")
	if len(h) == 0 {
		return principal{}, &authError{detail: "a bearer API key or OAuth 2.0 access token is required (Authorization: Bearer ...)"}
	}
	scheme, tok, _ := strings.Cut(h[0], " ")
	tok = strings.TrimSpace(tok)
	if len(h) > 1 || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return principal{}, &authError{code: "invalid_request", detail: "want one Authorization: Bearer header"}
	}
	if strings.HasPrefix(tok, KeyPrefix) {
		k, ok := s.keys.lookup(tok)
		if !ok {
			return principal{}, &authError{code: "invalid_token", detail: "unknown or revoked API key"}
		}
		return principal{id: k.ID, scopes: k.Scopes}, nil
	}
	if strings.Count(tok, ".") == 2 && s.oauth != nil {
		p, err := s.oauth.authenticate(r.Context(), tok)
		if err != nil {
			return principal{}, &authError{code: "invalid_token", detail: "access token refused: " + err.Error()}
		}
		return p, nil
	}
	return principal{}, &authError{code: "invalid_token", detail: "not an API key (" + KeyPrefix + "...) nor a JWT access token"}
}

// auth requires a bearer API key or access token with scope: without
// valid credentials 401, without the scope 403, each a problem with a
// WWW-Authenticate challenge (RFC 6750 §3).
func (s *Server) auth(scope string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, aerr := s.authenticate(r)
		if aerr != nil {
			ch := `Bearer realm="badgesmith"`
			if aerr.code != "" {
				ch += `, error="` + aerr.code + `", error_description="` + challengeText(aerr.detail) + `"`
			}
			w.Header().Set("WWW-Authenticate", ch)
			writeProblem(w, r, problemErr(http.StatusUnauthorized, ProbUnauthenticated, "", aerr.detail))
			return
		}
		if c, _ := r.Context().Value(keyCaller).(*caller); c != nil {
			c.id = p.id
		}
		if !allows(p.scopes, scope) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="badgesmith", error="insufficient_scope", scope="`+scope+`"`)
			writeProblem(w, r, problemErr(http.StatusForbidden, ProbForbidden, "", "the credentials lack the scope "+scope))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// challengeText makes s safe inside a quoted auth-param: no quotes,
// backslashes or control characters.
func challengeText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r > 0x7e {
			return '\''
		}
		return r
	}, s)
}

// callerID is the id of the API key (or OAuth client, or external token
// subject) the request authenticated with.
func callerID(r *http.Request) string {
	if c, _ := r.Context().Value(keyCaller).(*caller); c != nil {
		return c.id
	}
	return ""
}

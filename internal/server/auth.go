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
	"slices"
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

// keysFile is the API keys file in the data directory.
const keysFile = "apikeys.json"

// APIKey is a stored API key: only the SHA-256 of the key is kept. The key
// is 32 random bytes, so an unsalted fast hash is enough: nothing can be
// guessed from it.
type APIKey struct {
	// ID names the key in logs and audit events; it is not secret.
	ID string `json:"id"`
	// SHA256 is the lower-case hex SHA-256 of the whole key string.
	SHA256 string `json:"sha256"`
	// Scopes are what the key may do.
	Scopes []string `json:"scopes"`
	// Created is when the key was made.
	Created time.Time `json:"created"`
}

// keyStore is the API keys file, read once and kept in memory.
type keyStore struct {
	mu   sync.RWMutex
	path string
	keys []APIKey
	rand io.Reader
	now  func() time.Time
}

func openKeyStore(dir string, rnd io.Reader, now func() time.Time) (*keyStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	ks := &keyStore{path: filepath.Join(dir, keysFile), rand: rnd, now: now}
	data, err := os.ReadFile(ks.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ks, nil
	case err != nil:
		return nil, fmt.Errorf("reading API keys: %w", err)
	}
	var f struct {
		Keys []APIKey `json:"keys"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("reading API keys %s: %w", ks.path, err)
	}
	for i, k := range f.Keys {
		if b, err := hex.DecodeString(k.SHA256); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("reading API keys %s: keys[%d].sha256: not a hex SHA-256", ks.path, i)
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
		return "", fmt.Errorf("generating API key: %w", err)
	}
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func (ks *keyStore) entry(key string, scopes []string) APIKey {
	sum := sha256.Sum256([]byte(key))
	return APIKey{ID: hex.EncodeToString(sum[:4]), SHA256: hex.EncodeToString(sum[:]), Scopes: scopes, Created: ks.now().UTC()}
}

func (ks *keyStore) save(keys []APIKey) error {
	data, err := json.MarshalIndent(struct {
		Keys []APIKey `json:"keys"`
	}{keys}, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(ks.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing API keys: %w", err)
	}
	ks.keys = keys
	return nil
}

// lookup returns the stored key matching key. Every stored hash is
// compared, in constant time, so the time taken says nothing about which
// (or whether one) matched.
func (ks *keyStore) lookup(key string) (APIKey, bool) {
	sum := sha256.Sum256([]byte(key))
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
	return found, ok == 1
}

// allows reports whether a key with scopes may use scope.
func allows(scopes []string, scope string) bool {
	return slices.Contains(scopes, scope) || slices.Contains(scopes, ScopeAdmin)
}

// auth requires a bearer API key with scope.
func (s *Server) auth(scope string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, tok, _ := strings.Cut(h, " ")
		if h == "" || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			writeProblem(w, r, problemErr(http.StatusUnauthorized, ProbUnauthenticated, "", "a bearer API key is required (Authorization: Bearer bsk_...)"))
			return
		}
		k, ok := s.keys.lookup(strings.TrimSpace(tok))
		if !ok {
			writeProblem(w, r, problemErr(http.StatusUnauthorized, ProbUnauthenticated, "", "unknown API key"))
			return
		}
		if c, _ := r.Context().Value(keyCaller).(*caller); c != nil {
			c.id = k.ID
		}
		if !allows(k.Scopes, scope) {
			writeProblem(w, r, problemErr(http.StatusForbidden, ProbForbidden, "", "the API key lacks the scope "+scope))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// callerID is the id of the API key the request authenticated with.
func callerID(r *http.Request) string {
	if c, _ := r.Context().Value(keyCaller).(*caller); c != nil {
		return c.id
	}
	return ""
}

package verifier

// OpenID Federation 1.0 trust lists. A federation is a tree of entities,
// each publishing a self-signed entity configuration at
// /.well-known/openid-federation; a superior vouches for each subordinate's
// keys in a subordinate statement served by its federation_fetch_endpoint.
// An entity is recognised when a chain of such statements leads from it to
// the configured trust anchor, every statement verified with the keys its
// superior states (the anchor's from the configuration, never from the
// network).
//
// Entity ids and credential issuers: an https issuer id is the entity id.
// A did:web issuer maps to the https URL of its DID document's host and
// path (did:web:a.example:org → https://a.example/org), and the entity's
// metadata must list that DID under its role's "dids" member, so the
// anchor's chain binds the DID to the entity. Other DIDs have no entity id
// and are not recognised by a federation. Roles are entity types in the
// metadata: "openbadges_issuer" (or "openid_credential_issuer") for an
// issuer, "openbadges_endorser" for an endorser. The metadata read is the
// entity configuration's, each entity type replaced by the immediate
// superior's "metadata" for it when that statement has one; metadata
// policies are not applied.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/internal/ttlcache"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// Federation limits and defaults.
const (
	// MaxEntityStatementSize is the largest entity statement read, in bytes.
	MaxEntityStatementSize = 64 << 10
	// DefaultFederationMaxPathLength is the default number of intermediate
	// entities allowed between an entity and the trust anchor.
	DefaultFederationMaxPathLength = 2
	// maxFederationPathLength caps the configured path length.
	maxFederationPathLength = 8
	// maxAuthorityHints is how many authority hints of one entity are tried.
	maxAuthorityHints = 4
	// maxFederationFetches bounds the statements looked up (fetched, cached
	// or in the snapshot) for one entity, so hints fanning out cost little.
	maxFederationFetches = 64
	// defaultFederationTTL is how long a fetched statement is reused when
	// its exp is later.
	defaultFederationTTL = time.Hour
	// entityStatementType is the typ of every entity statement.
	entityStatementType = "entity-statement+jwt"
)

// RegistryUnreachable is the Recognition status when a federation's
// statements could not be fetched: the verifier does not know, which is
// not the same as "not recognised".
const RegistryUnreachable = "registry unreachable"

// ErrEntityStatement marks an entity statement that cannot be read.
var ErrEntityStatement = errors.New("invalid entity statement")

// errUnreachable marks a fetch that failed for want of the registry (a
// network error, a 5xx, a timeout), as opposed to an answer.
var errUnreachable = errors.New("registry unreachable")

// federationConfig is the trust list member "openidFederation".
type federationConfig struct {
	Name          string          `json:"name"`
	TrustAnchor   string          `json:"trustAnchor"`
	JWKS          json.RawMessage `json:"jwks"`
	Snapshot      string          `json:"snapshot"`
	MaxPathLength *int            `json:"maxPathLength"`
	CacheSeconds  int             `json:"cacheSeconds"`
}

// federation is a parsed federation configuration with its cache.
type federation struct {
	anchor     string
	anchorKeys jwk.Set
	maxPath    int
	ttl        time.Duration
	snapFile   string
	cache      *ttlcache.Cache[string, *entityStatement]

	mu sync.RWMutex
	// snapshot maps iss and sub to the statement iss made about sub.
	snapshot map[[2]string]*entityStatement
}

func newFederation(name string, c *federationConfig) (*federation, error) {
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("trust list %s: openidFederation.%s: %w: %s", name, field, ErrTrustList, fmt.Sprintf(format, a...))
	}
	if u, err := url.Parse(c.TrustAnchor); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, bad("trustAnchor", "%q is not an https entity id", c.TrustAnchor)
	}
	keys, err := parseFederationJWKS(c.JWKS)
	if err != nil {
		return nil, bad("jwks", "%v", err)
	}
	f := &federation{
		anchor: c.TrustAnchor, anchorKeys: keys, maxPath: DefaultFederationMaxPathLength,
		ttl: defaultFederationTTL, snapFile: c.Snapshot,
		cache: ttlcache.New[string, *entityStatement](256, 4<<20),
	}
	if c.MaxPathLength != nil {
		if *c.MaxPathLength < 0 || *c.MaxPathLength > maxFederationPathLength {
			return nil, bad("maxPathLength", "%d is not between 0 and %d", *c.MaxPathLength, maxFederationPathLength)
		}
		f.maxPath = *c.MaxPathLength
	}
	if c.CacheSeconds < 0 {
		return nil, bad("cacheSeconds", "%d is negative", c.CacheSeconds)
	} else if c.CacheSeconds > 0 {
		f.ttl = time.Duration(c.CacheSeconds) * time.Second
	}
	return f, nil
}

// SnapshotFile returns the offline snapshot file an OpenID Federation trust
// list names ("" if none, or for other lists), for the caller to read and
// give to LoadSnapshot; a relative name is relative to the list's file.
func (l *TrustList) SnapshotFile() string {
	if l.fed == nil {
		return ""
	}
	return l.fed.snapFile
}

// LoadSnapshot adds the entity statements of an offline snapshot to an
// OpenID Federation trust list. The snapshot is
//
//	{"statements": ["<entity statement JWT>", ...]}
//
// holding entity configurations and subordinate statements; a statement in
// it is used instead of fetching one with the same iss and sub, and is
// verified exactly as a fetched one.
func (l *TrustList) LoadSnapshot(data []byte) error {
	if l.fed == nil {
		return fmt.Errorf("trust list %s: %w: a snapshot needs an openidFederation list", l.Name, ErrTrustList)
	}
	if len(data) > MaxTrustListSize {
		return fmt.Errorf("snapshot of %s: %w: larger than %d bytes", l.Name, ErrTrustList, MaxTrustListSize)
	}
	var doc struct {
		Statements []string `json:"statements"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("snapshot of %s: %w: %w", l.Name, ErrTrustList, err)
	}
	m := make(map[[2]string]*entityStatement, len(doc.Statements))
	for i, tok := range doc.Statements {
		st, err := parseEntityStatement([]byte(tok))
		if err != nil {
			return fmt.Errorf("snapshot of %s: statements[%d]: %w: %w", l.Name, i, ErrTrustList, err)
		}
		m[[2]string{st.Issuer, st.Subject}] = st
	}
	l.fed.mu.Lock()
	l.fed.snapshot = m
	l.fed.mu.Unlock()
	return nil
}

// parseFederationJWKS reads a JWK Set of public asymmetric signing keys,
// each with a kid.
func parseFederationJWKS(raw json.RawMessage) (jwk.Set, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, errors.New("no keys")
	}
	set, err := jwk.Parse(raw)
	if err != nil {
		return nil, err
	}
	if set.Len() == 0 {
		return nil, errors.New("no keys")
	}
	for i := range set.Len() {
		k, _ := set.Key(i)
		if _, ok := k.KeyID(); !ok {
			return nil, fmt.Errorf("keys[%d]: no kid", i)
		}
		if _, err := federationPublicKey(k); err != nil {
			return nil, fmt.Errorf("keys[%d]: %w", i, err)
		}
	}
	return set, nil
}

// federationPublicKey is the public key of k: RSA of 2048 bits or more,
// ECDSA or Ed25519. Symmetric and private keys are refused.
func federationPublicKey(k jwk.Key) (crypto.PublicKey, error) {
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
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return v, nil
	default:
		return nil, fmt.Errorf("%T is not a public signing key", raw)
	}
}

// federationAlg is the algorithm key k verifies with: its own alg member,
// else the one its curve fixes; for RSA without alg, the header's RS or PS
// algorithm. none and the HMAC algorithms never come out.
func federationAlg(k jwk.Key, pub crypto.PublicKey, header string) (jwa.SignatureAlgorithm, error) {
	want := ""
	if a, ok := k.Algorithm(); ok {
		want = a.String()
	} else {
		switch p := pub.(type) {
		case ed25519.PublicKey:
			want = "EdDSA"
		case *ecdsa.PublicKey:
			switch p.Curve {
			case elliptic.P256():
				want = "ES256"
			case elliptic.P384():
				want = "ES384"
			case elliptic.P521():
				want = "ES512"
			}
		case *rsa.PublicKey:
			if slices.Contains([]string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}, header) {
				want = header
			}
		}
	}
	if want == "" || want != header {
		return jwa.SignatureAlgorithm{}, fmt.Errorf("header.alg: %q does not fit the key", header)
	}
	if want == "none" || strings.HasPrefix(want, "HS") {
		return jwa.SignatureAlgorithm{}, fmt.Errorf("header.alg: %q is never accepted", header)
	}
	alg, ok := jwa.LookupSignatureAlgorithm(want)
	if !ok {
		return jwa.SignatureAlgorithm{}, fmt.Errorf("header.alg: %q is unknown", header)
	}
	return alg, nil
}

// entityStatement is a parsed, not yet verified, entity statement.
type entityStatement struct {
	token  string
	alg    string
	kid    string
	Issuer string
	// Subject is the entity the statement is about.
	Subject        string
	issuedAt       time.Time
	expires        time.Time
	jwks           jwk.Set
	authorityHints []string
	metadata       map[string]json.RawMessage
}

// parseEntityStatement reads an OpenID Federation entity statement (a
// compact JWS of typ entity-statement+jwt) without verifying it: its
// header's alg and kid, and the claims iss, sub, iat, exp, jwks,
// authority_hints and metadata. It refuses none and HMAC algorithms and
// any crit extension. Errors wrap ErrEntityStatement.
func parseEntityStatement(data []byte) (*entityStatement, error) {
	bad := func(field string, err error) error {
		return fmt.Errorf("entity statement %s: %w: %w", field, ErrEntityStatement, err)
	}
	if len(data) > MaxEntityStatementSize {
		return nil, bad("", fmt.Errorf("larger than %d bytes", MaxEntityStatementSize))
	}
	tok := strings.TrimSpace(string(data))
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, bad("", errors.New("not a compact JWS"))
	}
	var hdr struct {
		Alg  string          `json:"alg"`
		Kid  string          `json:"kid"`
		Typ  string          `json:"typ"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return nil, bad("header", err)
	}
	switch {
	case hdr.Alg == "" || hdr.Alg == "none" || strings.HasPrefix(hdr.Alg, "HS"):
		return nil, bad("header.alg", fmt.Errorf("%q is never accepted", hdr.Alg))
	case hdr.Kid == "":
		return nil, bad("header.kid", errors.New("required"))
	case !strings.EqualFold(strings.TrimPrefix(strings.ToLower(hdr.Typ), "application/"), entityStatementType):
		return nil, bad("header.typ", fmt.Errorf("%q is not %s", hdr.Typ, entityStatementType))
	case hdr.Crit != nil:
		return nil, bad("header.crit", errors.New("no extension is understood"))
	}
	var cl struct {
		Iss            string                     `json:"iss"`
		Sub            string                     `json:"sub"`
		Iat            *json.Number               `json:"iat"`
		Exp            *json.Number               `json:"exp"`
		JWKS           json.RawMessage            `json:"jwks"`
		AuthorityHints []string                   `json:"authority_hints"`
		Metadata       map[string]json.RawMessage `json:"metadata"`
		Crit           json.RawMessage            `json:"crit"`
	}
	if err := decodeSegment(parts[1], &cl); err != nil {
		return nil, bad("payload", err)
	}
	if cl.Iss == "" || cl.Sub == "" {
		return nil, bad("iss", errors.New("iss and sub are required"))
	}
	if cl.Crit != nil {
		return nil, bad("crit", errors.New("no extension is understood"))
	}
	iat, err := numericDate(cl.Iat)
	if err != nil {
		return nil, bad("iat", err)
	}
	exp, err := numericDate(cl.Exp)
	if err != nil {
		return nil, bad("exp", err)
	}
	if !exp.After(iat) {
		return nil, bad("exp", errors.New("not after iat"))
	}
	st := &entityStatement{
		token: tok, alg: hdr.Alg, kid: hdr.Kid, Issuer: cl.Iss, Subject: cl.Sub,
		issuedAt: iat, expires: exp, authorityHints: cl.AuthorityHints, metadata: cl.Metadata,
	}
	if len(cl.JWKS) > 0 {
		if st.jwks, err = parseFederationJWKS(cl.JWKS); err != nil {
			return nil, bad("jwks", err)
		}
	}
	return st, nil
}

// decodeSegment decodes a base64url JWS segment of JSON into v.
func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// numericDate reads a required JWT NumericDate.
func numericDate(n *json.Number) (time.Time, error) {
	if n == nil {
		return time.Time{}, errors.New("required")
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > 1<<40 {
		return time.Time{}, fmt.Errorf("%q is not a date", n.String())
	}
	return time.Unix(int64(f), 0), nil
}

// verifyWith checks st's signature with the key of keys its kid names, at
// the algorithm that key fixes, and its iat and exp at now.
func (st *entityStatement) verifyWith(keys jwk.Set, now time.Time) error {
	if keys == nil {
		return fmt.Errorf("statement of %s about %s: no keys to verify it", st.Issuer, st.Subject)
	}
	k, ok := keys.LookupKeyID(st.kid)
	if !ok {
		return fmt.Errorf("statement of %s about %s: header.kid: %q is not among its issuer's keys", st.Issuer, st.Subject, st.kid)
	}
	pub, err := federationPublicKey(k)
	if err != nil {
		return fmt.Errorf("statement of %s about %s: %w", st.Issuer, st.Subject, err)
	}
	alg, err := federationAlg(k, pub, st.alg)
	if err != nil {
		return fmt.Errorf("statement of %s about %s: %w", st.Issuer, st.Subject, err)
	}
	if _, err := jws.VerifyCompactFast(pub, []byte(st.token), alg); err != nil {
		return fmt.Errorf("statement of %s about %s: signature: does not verify with key %s", st.Issuer, st.Subject, st.kid)
	}
	if now.Before(st.issuedAt.Add(-time.Minute)) {
		return fmt.Errorf("statement of %s about %s: iat: issued in the future", st.Issuer, st.Subject)
	}
	if !now.Before(st.expires) {
		return fmt.Errorf("statement of %s about %s: exp: expired at %s", st.Issuer, st.Subject, st.expires.UTC().Format(time.RFC3339))
	}
	return nil
}

// fedRun is one resolution: its clock, client and fetch budget.
type fedRun struct {
	f       *federation
	client  *http.Client
	now     time.Time
	fetches int
}

// fetch returns the statement iss made about sub: from the snapshot, the
// cache, or at u. An error wraps errUnreachable when the registry did not
// answer.
func (r *fedRun) fetch(ctx context.Context, u, iss, sub string) (*entityStatement, error) {
	if r.fetches++; r.fetches > maxFederationFetches {
		return nil, fmt.Errorf("more than %d entity statements", maxFederationFetches)
	}
	r.f.mu.RLock()
	st := r.f.snapshot[[2]string{iss, sub}]
	r.f.mu.RUnlock()
	if st != nil {
		return st, nil
	}
	if st, ok := r.f.cache.Get(u, r.now); ok {
		return st, nil
	}
	resp, err := safehttp.Get(ctx, r.client, u, "application/"+entityStatementType, "", MaxEntityStatementSize)
	if err != nil {
		var se *safehttp.StatusError
		if errors.As(err, &se) && se.Code >= 400 && se.Code < 500 {
			return nil, fmt.Errorf("fetching %s: %w", u, err)
		}
		if errors.Is(err, safehttp.ErrTooLarge) {
			return nil, fmt.Errorf("fetching %s: %w", u, err)
		}
		return nil, fmt.Errorf("fetching %s: %w: %w", u, errUnreachable, err)
	}
	st, err = parseEntityStatement(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	if st.Issuer != iss || st.Subject != sub {
		return nil, fmt.Errorf("%s: iss %q and sub %q, want %q and %q", u, st.Issuer, st.Subject, iss, sub)
	}
	exp := st.expires
	if t := r.now.Add(r.f.ttl); t.Before(exp) {
		exp = t
	}
	r.f.cache.Put(u, st, exp, int64(len(st.token)))
	return st, nil
}

// configuration fetches and self-verifies the entity configuration of id.
func (r *fedRun) configuration(ctx context.Context, id string) (*entityStatement, error) {
	st, err := r.fetch(ctx, strings.TrimSuffix(id, "/")+"/.well-known/openid-federation", id, id)
	if err != nil {
		return nil, err
	}
	if st.jwks == nil {
		return nil, fmt.Errorf("entity configuration of %s: jwks: required", id)
	}
	if err := st.verifyWith(st.jwks, r.now); err != nil {
		return nil, fmt.Errorf("entity configuration: %w", err)
	}
	return st, nil
}

// subordinate fetches what superior, whose configuration is sup, states
// about sub.
func (r *fedRun) subordinate(ctx context.Context, sup *entityStatement, sub string) (*entityStatement, error) {
	var fe struct {
		Endpoint string `json:"federation_fetch_endpoint"`
	}
	if raw, ok := sup.metadata["federation_entity"]; ok {
		_ = json.Unmarshal(raw, &fe)
	}
	r.f.mu.RLock()
	snap := r.f.snapshot[[2]string{sup.Subject, sub}]
	r.f.mu.RUnlock()
	if fe.Endpoint == "" && snap == nil {
		return nil, fmt.Errorf("%s: metadata.federation_entity.federation_fetch_endpoint: required", sup.Subject)
	}
	u, err := url.Parse(fe.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("%s: metadata.federation_entity.federation_fetch_endpoint: %w", sup.Subject, err)
	}
	q := u.Query()
	q.Set("sub", sub)
	u.RawQuery = q.Encode()
	st, err := r.fetch(ctx, u.String(), sup.Subject, sub)
	if err != nil {
		return nil, err
	}
	if st.jwks == nil {
		return nil, fmt.Errorf("statement of %s about %s: jwks: required", sup.Subject, sub)
	}
	return st, nil
}

// vouch finds, through ec's authority hints, a superior's statement about
// ec's entity that chains to the trust anchor, verified. intermediates
// counts the entities between ec's entity and the leaf; seen holds the
// entities of the path so far.
func (r *fedRun) vouch(ctx context.Context, ec *entityStatement, intermediates int, seen []string) (*entityStatement, []string, error) {
	if len(ec.authorityHints) == 0 {
		return nil, nil, fmt.Errorf("%s: authority_hints: none leads to the trust anchor", ec.Subject)
	}
	var errs []error
	for i, h := range ec.authorityHints {
		if i == maxAuthorityHints {
			break
		}
		st, path, err := r.vouchBy(ctx, ec, h, intermediates, seen)
		if err == nil {
			return st, path, nil
		}
		errs = append(errs, err)
	}
	for _, err := range errs {
		if errors.Is(err, errUnreachable) {
			return nil, nil, err
		}
	}
	return nil, nil, errs[0]
}

// vouchBy is vouch through the one superior h.
func (r *fedRun) vouchBy(ctx context.Context, ec *entityStatement, h string, intermediates int, seen []string) (*entityStatement, []string, error) {
	if slices.Contains(seen, h) {
		return nil, nil, fmt.Errorf("%s: authority_hints: loop through %s", ec.Subject, h)
	}
	if h == r.f.anchor {
		sup, err := r.fetch(ctx, strings.TrimSuffix(h, "/")+"/.well-known/openid-federation", h, h)
		if err != nil {
			return nil, nil, err
		}
		// The anchor's keys are the configured ones, whatever it serves.
		if err := sup.verifyWith(r.f.anchorKeys, r.now); err != nil {
			return nil, nil, fmt.Errorf("trust anchor configuration: %w", err)
		}
		st, err := r.subordinate(ctx, sup, ec.Subject)
		if err != nil {
			return nil, nil, err
		}
		if err := st.verifyWith(r.f.anchorKeys, r.now); err != nil {
			return nil, nil, err
		}
		return st, []string{h}, nil
	}
	if intermediates+1 > r.f.maxPath {
		return nil, nil, fmt.Errorf("%s: path to the trust anchor longer than %d intermediate entities", ec.Subject, r.f.maxPath)
	}
	supEC, err := r.configuration(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	st, err := r.subordinate(ctx, supEC, ec.Subject)
	if err != nil {
		return nil, nil, err
	}
	above, path, err := r.vouch(ctx, supEC, intermediates+1, append(slices.Clip(seen), h))
	if err != nil {
		return nil, nil, err
	}
	if err := supEC.verifyWith(above.jwks, r.now); err != nil {
		return nil, nil, err
	}
	if err := st.verifyWith(above.jwks, r.now); err != nil {
		return nil, nil, err
	}
	return st, append([]string{h}, path...), nil
}

// federationEntity is what a resolution found of an entity.
type federationEntity struct {
	// metadata is the entity configuration's, per entity type replaced by
	// the superior's statement's.
	metadata map[string]json.RawMessage
	// chain are the superiors from the entity's up to the anchor.
	chain []string
}

// resolve validates the trust chain of entity id to the anchor.
func (r *fedRun) resolve(ctx context.Context, id string) (*federationEntity, error) {
	ec, err := r.configuration(ctx, id)
	if err != nil {
		return nil, err
	}
	if id == r.f.anchor {
		if err := ec.verifyWith(r.f.anchorKeys, r.now); err != nil {
			return nil, fmt.Errorf("trust anchor configuration: %w", err)
		}
		return &federationEntity{metadata: ec.metadata}, nil
	}
	st, chain, err := r.vouch(ctx, ec, 0, []string{id})
	if err != nil {
		return nil, err
	}
	if err := ec.verifyWith(st.jwks, r.now); err != nil {
		return nil, fmt.Errorf("entity configuration: %w", err)
	}
	md := make(map[string]json.RawMessage, len(ec.metadata))
	for k, v := range ec.metadata {
		md[k] = v
	}
	for k, v := range st.metadata {
		md[k] = v
	}
	return &federationEntity{metadata: md, chain: chain}, nil
}

// entityID returns the federation entity id of a credential issuer or
// endorser, and the DID its metadata must list ("" for an https id).
func entityID(id string) (entity, did string, err error) {
	switch {
	case strings.HasPrefix(id, "https://"):
		return id, "", nil
	case strings.HasPrefix(id, "did:web:"):
		segs := strings.Split(strings.TrimPrefix(id, "did:web:"), ":")
		host, err := url.PathUnescape(segs[0])
		if err != nil || host == "" || strings.ContainsAny(host, "/?#@") {
			return "", "", fmt.Errorf("%s is not a did:web DID", id)
		}
		u := "https://" + host
		for _, s := range segs[1:] {
			p, err := url.PathUnescape(s)
			if err != nil || p == "" || strings.ContainsAny(p, "/?#") {
				return "", "", fmt.Errorf("%s is not a did:web DID", id)
			}
			u += "/" + p
		}
		return u, id, nil
	default:
		return "", "", fmt.Errorf("no OpenID Federation entity id for %s (only https ids and did:web DIDs map to one)", id)
	}
}

// roleTypes are the entity types whose metadata makes an entity a role.
func roleTypes(role TrustRole) []string {
	if role == RoleEndorser {
		return []string{"openbadges_endorser"}
	}
	return []string{"openbadges_issuer", "openid_credential_issuer"}
}

// recognise says whether the federation recognises id in role at now.
func (f *federation) recognise(ctx context.Context, client *http.Client, listName, id string, role TrustRole, now time.Time) *Recognition {
	entity, did, err := entityID(id)
	if err != nil {
		return &Recognition{Status: NotRecognised, List: listName, Reason: err.Error()}
	}
	r := &fedRun{f: f, client: client, now: now}
	e, err := r.resolve(ctx, entity)
	if err != nil {
		status := NotRecognised
		if errors.Is(err, errUnreachable) || ctx.Err() != nil {
			status = RegistryUnreachable
		}
		return &Recognition{Status: status, List: listName, Reason: err.Error()}
	}
	found := false
	for _, t := range roleTypes(role) {
		raw, ok := e.metadata[t]
		if !ok {
			continue
		}
		var m struct {
			DIDs []string `json:"dids"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			continue
		}
		if did == "" || slices.Contains(m.DIDs, did) {
			found = true
			break
		}
	}
	if !found {
		reason := fmt.Sprintf("%s has no %s metadata", entity, strings.Join(roleTypes(role), " or "))
		if did != "" {
			reason += " listing " + did + " under dids"
		}
		return &Recognition{Status: NotRecognised, List: listName, Reason: reason}
	}
	var fe struct {
		Name string `json:"organization_name"`
		URL  string `json:"homepage_uri"`
	}
	if raw, ok := e.metadata["federation_entity"]; ok {
		_ = json.Unmarshal(raw, &fe)
	}
	return &Recognition{Status: Recognised, List: listName, Name: fe.Name, URL: fe.URL, Chain: e.chain}
}

package server

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store"
)

// OpenID4VCI 1.0 names.
const (
	// grantPreAuth is the pre-authorized code grant type.
	grantPreAuth = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	// proofTyp is the typ of a key proof JWT.
	proofTyp = "openid4vci-proof+jwt"
	// maxProofBytes bounds a key proof JWT.
	maxProofBytes = 16 << 10
	// proofSkew is how far a proof's iat may be in the future; a proof
	// older than nonceTTL plus it is stale whatever its nonce.
	proofSkew = time.Minute
)

// proofAlgs are the key proof algorithms accepted.
var proofAlgs = []string{"EdDSA", "ES256", "ES384"}

// oidError is an OpenID4VCI or OAuth error answer: {error,
// error_description}, with the status the specifications give it.
type oidError struct {
	status int
	code   string
	desc   string
}

func (e *oidError) Error() string { return e.code + ": " + e.desc }

func oidErr(status int, code, format string, args ...any) *oidError {
	return &oidError{status: status, code: code, desc: fmt.Sprintf(format, args...)}
}

// oid runs h, answering an *oidError as OAuth JSON and anything else as
// a 500 problem.
func (s *Server) oid(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		var oe *oidError
		switch {
		case err == nil:
			return
		case errors.As(err, &oe):
			w.Header().Set("Cache-Control", "no-store")
			if oe.status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer error="`+oe.code+`"`)
			}
			writeJSON(w, oe.status, map[string]string{"error": oe.code, "error_description": oe.desc})
		default:
			s.handle(func(http.ResponseWriter, *http.Request) error { return err }).ServeHTTP(w, r)
		}
	})
}

// credentialIssuer is the Credential Issuer Identifier of ctx's instance:
// its base URL (the public base URL, or under /issuers/{id}).
func (s *Server) credentialIssuer(ctx context.Context) string { return s.instanceURL(ctx, "") }

// oidRoutes adds the OpenID4VCI endpoints and the offers of every
// issuer instance whose store keeps offers: each is its own credential
// issuer, at its base URL (the public base URL, or under /issuers/{id}),
// with its own store of offers, codes and nonces.
func (s *Server) oidRoutes(mux *http.ServeMux) {
	for _, in := range s.instances {
		if _, ok := in.store.(store.Offers); !ok {
			continue
		}
		p := s.prefix + in.prefix
		mux.Handle("POST "+p+"/offers", s.at(in, s.auth(in.scope(ScopeOffers), s.limitKey(s.handle(s.createOffer)))))
		mux.Handle("GET "+p+"/oid4vci/offers/{id}", s.at(in, s.limitIP(s.handle(s.getOffer))))
		// RFC 8414 and OpenID4VCI put the well-known segment before the
		// issuer's path.
		mux.Handle("GET /.well-known/openid-credential-issuer"+p, s.at(in, s.cors(s.handle(s.issuerMetadata))))
		mux.Handle("GET /.well-known/oauth-authorization-server"+p, s.at(in, s.cors(s.handle(s.asMetadata))))
		// The older form, the well-known segment after the issuer's path,
		// to which clients (@openid4vc/openid4vci among them) fall back
		// when the standard one is not found: behind a reverse proxy that
		// forwards only the base path, it is the form that arrives.
		if p != "" {
			mux.Handle("GET "+p+"/.well-known/openid-credential-issuer", s.at(in, s.cors(s.handle(s.issuerMetadata))))
			mux.Handle("GET "+p+"/.well-known/oauth-authorization-server", s.at(in, s.cors(s.handle(s.asMetadata))))
		}
		mux.Handle("POST "+p+"/oid4vci/token", s.at(in, s.limitIP(s.oid(s.oidToken))))
		mux.Handle("POST "+p+"/oid4vci/nonce", s.at(in, s.limitIP(s.oid(s.oidNonce))))
		mux.Handle("POST "+p+"/oid4vci/credential", s.at(in, s.limitIP(s.oid(s.oidCredential))))
		s.claimRoutes(mux, in)
	}
}

// issuerMetadata handles GET /.well-known/openid-credential-issuer.
func (s *Server) issuerMetadata(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	name, _ := s.instanceIn(ctx).profile["name"].(string)
	md := map[string]any{
		"credential_issuer":                   s.credentialIssuer(ctx),
		"credential_endpoint":                 s.instanceURL(ctx, "/oid4vci/credential"),
		"nonce_endpoint":                      s.instanceURL(ctx, "/oid4vci/nonce"),
		"credential_configurations_supported": credentialConfigurations(),
	}
	if name != "" {
		md["display"] = []map[string]string{{"name": name}}
	}
	writeJSON(w, http.StatusOK, md)
	return nil
}

// asMetadata handles GET /.well-known/oauth-authorization-server: the
// issuer is its own authorization server, for the pre-authorized code
// grant only.
func (s *Server) asMetadata(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                          s.credentialIssuer(r.Context()),
		"token_endpoint":                                  s.instanceURL(r.Context(), "/oid4vci/token"),
		"grant_types_supported":                           []string{grantPreAuth},
		"response_types_supported":                        []string{"code"},
		"token_endpoint_auth_methods_supported":           []string{"none"},
		"pre-authorized_grant_anonymous_access_supported": true,
	})
	return nil
}

// oidToken handles the token endpoint: the pre-authorized code grant,
// with the transaction code when the offer has one. Every refusal of a
// code is invalid_grant, as OpenID4VCI 1.0 section 6.3 has it.
func (s *Server) oidToken(w http.ResponseWriter, r *http.Request) error {
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); !strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") {
		return oidErr(http.StatusBadRequest, "invalid_request", "want Content-Type application/x-www-form-urlencoded")
	}
	if err := r.ParseForm(); err != nil {
		return oidErr(http.StatusBadRequest, "invalid_request", "reading the form: %v", err)
	}
	f := r.PostForm
	for _, name := range []string{"grant_type", "pre-authorized_code", "tx_code"} {
		if len(f[name]) > 1 {
			return oidErr(http.StatusBadRequest, "invalid_request", "%s given more than once", name)
		}
	}
	if gt := f.Get("grant_type"); gt != grantPreAuth {
		return oidErr(http.StatusBadRequest, "unsupported_grant_type", "grant_type %q: want %s", gt, grantPreAuth)
	}
	code, tx := f.Get("pre-authorized_code"), f.Get("tx_code")
	if code == "" {
		return oidErr(http.StatusBadRequest, "invalid_request", "pre-authorized_code is required")
	}
	ctx := r.Context()
	st, _ := s.offerStore(ctx)
	codeHash := secretHash(code)
	txHash, err := s.txCodeHash(ctx, codeHash, tx)
	if err != nil {
		return err
	}
	token, err := s.newSecret()
	if err != nil {
		return err
	}
	now := s.opts.Now().UTC()
	_, err = st.RedeemCode(ctx, codeHash, txHash, MaxTxAttempts, secretHash(token), now.Add(accessTokenTTL), now)
	switch {
	case errors.Is(err, store.ErrMismatch) && tx == "":
		// A missing code counts as a failed attempt too: otherwise it
		// would be a free oracle of which codes need one.
		return oidErr(http.StatusBadRequest, "invalid_request", "this offer needs its tx_code")
	case errors.Is(err, store.ErrMismatch):
		return oidErr(http.StatusBadRequest, "invalid_grant", "wrong tx_code")
	case errors.Is(err, store.ErrAttempts):
		return oidErr(http.StatusBadRequest, "invalid_grant", "too many wrong tx_code attempts: the offer is void")
	case errors.Is(err, store.ErrUsed), errors.Is(err, store.ErrExpired), errors.Is(err, store.ErrNotFound):
		// Unknown, used and expired codes are told apart only in the
		// server's log.
		s.opts.Logger.Info("pre-authorized code refused", "request_id", requestID(ctx), "reason", err.Error())
		return oidErr(http.StatusBadRequest, "invalid_grant", "the pre-authorized code is unknown, used or expired")
	case err != nil:
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": token,
		"token_type":   "Bearer",
		"expires_in":   int(accessTokenTTL / time.Second),
	})
	return nil
}

// oidNonce handles the nonce endpoint: a fresh c_nonce, kept hashed.
func (s *Server) oidNonce(w http.ResponseWriter, r *http.Request) error {
	st, _ := s.offerStore(r.Context())
	nonce, err := s.newSecret()
	if err != nil {
		return err
	}
	now := s.opts.Now().UTC()
	if err := st.PutNonce(r.Context(), secretHash(nonce), now.Add(nonceTTL), now); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"c_nonce": nonce, "c_nonce_expires_in": int(nonceTTL / time.Second)})
	return nil
}

// credentialRequest is the body of a credential request.
type credentialRequest struct {
	ConfigurationID      string          `json:"credential_configuration_id"`
	CredentialIdentifier string          `json:"credential_identifier"`
	Proofs               json.RawMessage `json:"proofs"`
	Proof                json.RawMessage `json:"proof"`
}

// oidCredential handles the credential endpoint: the access token's
// offer, one jwt key proof, and the credential re-issued bound to the
// proven DID.
func (s *Server) oidCredential(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, _ := s.offerStore(ctx)
	now := s.opts.Now().UTC()
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		return oidErr(http.StatusUnauthorized, "invalid_token", "a Bearer access token is required")
	}
	o, err := st.OfferByToken(ctx, secretHash(token))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return oidErr(http.StatusUnauthorized, "invalid_token", "unknown access token")
	case err != nil:
		return err
	case !now.Before(o.TokenExpires):
		return oidErr(http.StatusUnauthorized, "invalid_token", "the access token has expired")
	case !o.Delivered.IsZero():
		return oidErr(http.StatusUnauthorized, "invalid_token", "the access token was already used")
	}
	data, err := readBody(r)
	if err != nil {
		return oidErr(http.StatusBadRequest, "invalid_credential_request", "reading the body: %v", err)
	}
	var req credentialRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return oidErr(http.StatusBadRequest, "invalid_credential_request", "want a JSON object: %v", err)
	}
	offered, err := s.offeredDoc(ctx, o)
	if err != nil {
		return err
	}
	config, err := configOf(offered)
	if err != nil {
		return err
	}
	switch {
	case req.CredentialIdentifier != "":
		return oidErr(http.StatusBadRequest, "unknown_credential_identifier", "no credential identifiers were issued with the token: name a credential_configuration_id")
	case req.ConfigurationID != config:
		return oidErr(http.StatusBadRequest, "unknown_credential_configuration", "credential_configuration_id %q: this offer is of %s", req.ConfigurationID, config)
	case req.Proof != nil:
		return oidErr(http.StatusBadRequest, "invalid_credential_request", "proof: the draft's single proof is not accepted; send proofs")
	}
	proofJWT, err := oneJWTProof(req.Proofs)
	if err != nil {
		return err
	}
	holder, nonce, err := s.verifyProof(ctx, proofJWT, now)
	if err != nil {
		return err
	}
	switch err := st.UseNonce(ctx, secretHash(nonce), now); {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrUsed), errors.Is(err, store.ErrExpired):
		return oidErr(http.StatusBadRequest, "invalid_nonce", "the proof's nonce is unknown, used or expired: get a new one from the nonce endpoint")
	case err != nil:
		return err
	}
	if strings.HasPrefix(o.Recipient, "did:") && o.Recipient != holder {
		return oidErr(http.StatusBadRequest, "credential_request_denied", "the credential was issued to another DID than the one proven")
	}
	bound, err := s.bindCredential(ctx, o, holder)
	if err != nil {
		return err
	}
	if bound.config != config {
		return fmt.Errorf("the issuer now signs %s, not the offered %s: offer a credential issued in the current format", bound.config, config)
	}
	err = s.recordDelivery(ctx, o, bound, holder)
	switch {
	case errors.Is(err, store.ErrUsed):
		return oidErr(http.StatusUnauthorized, "invalid_token", "the access token was already used")
	case errors.Is(err, store.ErrExpired):
		return oidErr(http.StatusUnauthorized, "invalid_token", "the access token has expired")
	case err != nil:
		return err
	}
	s.opts.Logger.Info("credential delivered to a wallet", "request_id", requestID(ctx), "credential", o.CredentialID, "bound_copy", bound.id, "holder", holder)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"credentials": []map[string]json.RawMessage{{"credential": bound.value}}})
	return nil
}

// recordDelivery records on the offer what was delivered to whom: the
// link between the offered credential and its bound copy. A token or
// exchange delivers once (store.ErrUsed).
func (s *Server) recordDelivery(ctx context.Context, o *store.Offer, bound *boundCredential, holder string) error {
	st, _ := s.offerStore(ctx)
	sum := sha256.Sum256(bound.signed)
	return st.Deliver(ctx, o.IDHash, s.opts.Now().UTC(), func(x *store.Offer) error {
		x.DeliveredID, x.HolderDID, x.DeliveredSHA256 = bound.id, holder, hex.EncodeToString(sum[:])
		return nil
	})
}

// oneJWTProof reads proofs, which must hold exactly one jwt proof: the
// server issues one credential per offer.
func oneJWTProof(raw json.RawMessage) (string, error) {
	if raw == nil {
		return "", oidErr(http.StatusBadRequest, "invalid_proof", "proofs is required: a jwt key proof binds the credential to your DID")
	}
	var p map[string][]string
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", oidErr(http.StatusBadRequest, "invalid_proof", "proofs: want {\"jwt\":[...]}: %v", err)
	}
	jwts, ok := p["jwt"]
	switch {
	case len(p) != 1 || !ok:
		return "", oidErr(http.StatusBadRequest, "invalid_proof", "proofs: want exactly one proof type, jwt")
	case len(jwts) != 1:
		return "", oidErr(http.StatusBadRequest, "invalid_proof", "proofs.jwt: want exactly one proof (no batch issuance), got %d", len(jwts))
	}
	return jwts[0], nil
}

// proofHeader is a key proof's JOSE header.
type proofHeader struct {
	Alg            string          `json:"alg"`
	Typ            string          `json:"typ"`
	Kid            string          `json:"kid"`
	JWK            json.RawMessage `json:"jwk"`
	X5c            json.RawMessage `json:"x5c"`
	TrustChain     json.RawMessage `json:"trust_chain"`
	KeyAttestation json.RawMessage `json:"key_attestation"`
	Crit           json.RawMessage `json:"crit"`
}

// proofClaims are a key proof's claims.
type proofClaims struct {
	Aud   json.RawMessage `json:"aud"`
	Iat   *json.Number    `json:"iat"`
	Nonce *string         `json:"nonce"`
}

// verifyProof checks a jwt key proof (OpenID4VCI 1.0 appendix F.1) and
// returns the DID it proves control of and its nonce, which the caller
// consumes.
func (s *Server) verifyProof(ctx context.Context, tok string, now time.Time) (holder, nonce string, err error) {
	bad := func(format string, args ...any) (string, string, error) {
		return "", "", oidErr(http.StatusBadRequest, "invalid_proof", format, args...)
	}
	if len(tok) > maxProofBytes {
		return bad("proofs.jwt[0]: longer than %d bytes", maxProofBytes)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return bad("proofs.jwt[0]: not a compact JWS")
	}
	var h proofHeader
	if err := decodeSegment(parts[0], &h); err != nil {
		return bad("proofs.jwt[0] header: %v", err)
	}
	switch {
	case h.Typ != proofTyp:
		return bad("proofs.jwt[0] header.typ: %q, want %s", h.Typ, proofTyp)
	case h.Crit != nil:
		return bad("proofs.jwt[0] header.crit: not supported")
	case h.X5c != nil || h.TrustChain != nil || h.KeyAttestation != nil:
		return bad("proofs.jwt[0] header: x5c, trust_chain and key_attestation are not supported: give kid or jwk")
	case h.Kid != "" && h.JWK != nil:
		return bad("proofs.jwt[0] header: kid and jwk together: give one")
	case h.Kid == "" && h.JWK == nil:
		return bad("proofs.jwt[0] header: give kid (a DID URL) or jwk")
	}
	alg, ok := jwa.LookupSignatureAlgorithm(h.Alg)
	if !ok || !contains(proofAlgs, h.Alg) {
		return bad("proofs.jwt[0] header.alg: %q, want one of %s", h.Alg, strings.Join(proofAlgs, ", "))
	}
	var pub crypto.PublicKey
	if h.JWK != nil {
		k, err := keys.ParsePublicJWK(h.JWK)
		if err != nil {
			return bad("proofs.jwt[0] header.jwk: %v", err)
		}
		pub = k.Public
		if holder, err = did.JWKFromPublic(pub); err != nil {
			return bad("proofs.jwt[0] header.jwk: %v", err)
		}
	} else {
		if pub, holder, err = s.holderKey(ctx, h.Kid, now); err != nil {
			return bad("proofs.jwt[0] header.kid: %v", err)
		}
	}
	if _, err := jws.VerifyCompactFast(pub, []byte(tok), alg); err != nil {
		return bad("proofs.jwt[0]: the signature does not verify with the key of header.%s", map[bool]string{true: "jwk", false: "kid"}[h.JWK != nil])
	}
	var c proofClaims
	if err := decodeSegment(parts[1], &c); err != nil {
		return bad("proofs.jwt[0] payload: %v", err)
	}
	if err := checkAud(c.Aud, s.credentialIssuer(ctx)); err != nil {
		return bad("proofs.jwt[0] payload.%v", err)
	}
	if c.Iat == nil {
		return bad("proofs.jwt[0] payload.iat: required")
	}
	iat, err := c.Iat.Int64()
	if err != nil {
		return bad("proofs.jwt[0] payload.iat: not an integer")
	}
	if t := time.Unix(iat, 0); t.After(now.Add(proofSkew)) || t.Before(now.Add(-nonceTTL-proofSkew)) {
		return bad("proofs.jwt[0] payload.iat: %s is not within %s of now", t.UTC().Format(time.RFC3339), nonceTTL)
	}
	if c.Nonce == nil || *c.Nonce == "" {
		return bad("proofs.jwt[0] payload.nonce: required: get one from the nonce endpoint")
	}
	return holder, *c.Nonce, nil
}

// holderKey resolves a proof's kid, a DID URL, to its key, which the DID
// document must list under authentication or assertionMethod.
func (s *Server) holderKey(ctx context.Context, kid string, now time.Time) (crypto.PublicKey, string, error) {
	d, _, err := did.SplitURL(kid)
	if err != nil {
		return nil, "", err
	}
	res := s.opts.Verifier.Resolver
	if res == nil {
		res = did.MultiResolver{Web: &did.WebResolver{Client: safehttp.NewClient(safehttp.Options{})}}
	}
	doc, err := res.Resolve(ctx, d)
	if err != nil {
		return nil, "", err
	}
	_, pub, err := doc.KeyAt(kid, did.Authentication, now)
	if errors.Is(err, did.ErrNotAuthorized) {
		_, pub, err = doc.KeyAt(kid, did.AssertionMethod, now)
	}
	if err != nil {
		return nil, "", err
	}
	return pub, doc.ID, nil
}

// decodeSegment decodes a base64url JWS segment holding a JSON object.
func decodeSegment(seg string, v any) error {
	data, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return fmt.Errorf("base64url: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("want a JSON object: %w", err)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// boundCredential is the copy of an offered credential re-issued bound to
// the holder's DID.
type boundCredential struct {
	id string
	// config is the configuration it was signed as.
	config string
	// signed is the credential as kept: the JSON document or the compact
	// JWS; value is what a response carries: the document, or the JWS
	// as a JSON string.
	signed []byte
	value  json.RawMessage
}

// offeredDoc is the kept signed credential an offer delivers, while it is
// active.
func (s *Server) offeredDoc(ctx context.Context, o *store.Offer) (*storedDoc, error) {
	in := s.instanceIn(ctx)
	rec, err := in.store.GetCredential(ctx, o.CredentialID)
	if err != nil {
		return nil, fmt.Errorf("reading the offered credential: %w", err)
	}
	if rec.State != store.Active {
		return nil, oidErr(http.StatusBadRequest, "credential_request_denied", "the credential is %s", rec.State)
	}
	doc, err := in.docs.get(rec.ID)
	if err != nil {
		return nil, fmt.Errorf("reading the offered credential: %w", err)
	}
	if !doc.matches(rec) {
		return nil, fmt.Errorf("the kept credential %s is not the recorded one", rec.ID)
	}
	return doc, nil
}

// bindCredential re-issues the offer's credential with the holder's DID
// as credentialSubject.id (and so, in an OB 3.0 VC-JWT, as the sub claim)
// and a new id, keeping everything else, the recipient identifier and
// the status entries included: revoking the original revokes the copy.
// The copy is signed in the issuer's form and kept beside the original.
func (s *Server) bindCredential(ctx context.Context, o *store.Offer, holder string) (*boundCredential, error) {
	in := s.instanceIn(ctx)
	doc, err := s.offeredDoc(ctx, o)
	if err != nil {
		return nil, err
	}
	cred, err := unsignedCredential(doc)
	if err != nil {
		return nil, err
	}
	subj, ok := cred["credentialSubject"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("offered credential %s: credentialSubject: not one object", doc.ID)
	}
	if id, _ := subj["id"].(string); id != "" && id != holder {
		return nil, oidErr(http.StatusBadRequest, "credential_request_denied", "the credential's subject is another DID than the one proven")
	}
	subj["id"] = holder
	u, err := uuid.NewRandomFromReader(s.opts.Rand)
	if err != nil {
		return nil, fmt.Errorf("generating credential id: %w", err)
	}
	cred["id"] = "urn:uuid:" + u.String()
	signed, err := in.issuer.Sign(ctx, cred)
	if err != nil {
		return nil, fmt.Errorf("signing the bound credential: %w", err)
	}
	out := &boundCredential{id: signed.ID, config: configOfFormat(signed.Format)}
	kept := storedDoc{ID: out.id, Format: store.FormatDI}
	if signed.Format.IsJWT() {
		kept.Format, out.signed = store.FormatJWT, []byte(signed.Token)
		if out.value, err = json.Marshal(signed.Token); err != nil {
			return nil, err
		}
	} else {
		out.signed = bytes.TrimSpace(signed.JSON)
		out.value = out.signed
	}
	if out.id == "" {
		out.id, _ = cred["id"].(string)
	}
	kept.ID, kept.Signed = out.id, string(out.signed)
	if err := in.docs.put(kept); err != nil {
		return nil, err
	}
	return out, nil
}

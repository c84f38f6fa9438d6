package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/badgesmith/badgesmith/store"
)

// ScopeOffers lets a key make wallet offers (POST /offers).
const ScopeOffers = "write:/offers"

// Offer lifetimes and limits.
const (
	// DefaultOfferTTL is an offer's life when the request gives none.
	DefaultOfferTTL = 7 * 24 * time.Hour
	// MaxOfferTTL bounds the life a request may ask for.
	MaxOfferTTL = 30 * 24 * time.Hour
	// MaxTxAttempts is how many wrong transaction codes kill an offer.
	MaxTxAttempts = 3
	// accessTokenTTL is the life of the access token a code redeems for.
	accessTokenTTL = 10 * time.Minute
	// nonceTTL is the life of a c_nonce.
	nonceTTL = 5 * time.Minute
	// secretBytes is the randomness of an offer id, access token and
	// nonce: 256 bits, over the 128 the issue asks for.
	secretBytes = 32
	// txCodeDigits is the length of a transaction code.
	txCodeDigits = 6
	// qrSize is the side in pixels of an offer's QR code PNG.
	qrSize = 384
)

// OfferRequest is the body of POST /offers.
type OfferRequest struct {
	// CredentialID is the issued credential to offer. Required.
	CredentialID string `json:"credentialId"`
	// ExpiresIn is the offer's life in seconds; if zero, DefaultOfferTTL.
	ExpiresIn int64 `json:"expiresIn,omitempty"`
	// TxCode asks for a transaction code, to be given to the learner by
	// a second channel (the wallet asks for it).
	TxCode bool `json:"txCode,omitempty"`
}

// CreatedOffer answers POST /offers: the only time its secrets are
// shown.
type CreatedOffer struct {
	// CredentialID is the credential offered.
	CredentialID string `json:"credentialId"`
	// OfferID is the offer's secret id, in every URL below.
	OfferID string `json:"offerId"`
	// CredentialOffer is the OpenID4VCI credential offer object.
	CredentialOffer map[string]any `json:"credentialOffer"`
	// OfferURI carries the offer by value:
	// openid-credential-offer://?credential_offer=...
	OfferURI string `json:"offerUri"`
	// OfferURIByReference carries it by credential_offer_uri.
	OfferURIByReference string `json:"offerUriByReference"`
	// InteractionURL is the claim page's URL with iuv=1, which a VC-API
	// wallet asks for its protocols.
	InteractionURL string `json:"interactionUrl"`
	// ClaimURL is the learner's claim page.
	ClaimURL string `json:"claimUrl"`
	// TxCode is the transaction code, when asked for.
	TxCode string `json:"txCode,omitempty"`
	// Expires is when the offer dies.
	Expires time.Time `json:"expires"`
	// QRPNG is a PNG of a QR code of OfferURIByReference; none from an
	// OfferMaker.
	QRPNG []byte `json:"qrPng,omitempty"`
}

// instanceIn is the issuer instance a request's context is for: the
// default one unless its route names another (Server.at).
func (s *Server) instanceIn(ctx context.Context) *instance {
	if in, ok := ctx.Value(instanceKey{}).(*instance); ok {
		return in
	}
	return s.def
}

// instanceURL is the public URL of path under ctx's instance.
func (s *Server) instanceURL(ctx context.Context, path string) string {
	return s.URL(s.instanceIn(ctx).prefix + path)
}

// offerStore is the wallet-offer side of ctx's instance: its store, which
// must implement store.Offers.
func (s *Server) offerStore(ctx context.Context) (store.Offers, bool) {
	o, ok := s.instanceIn(ctx).store.(store.Offers)
	return o, ok
}

// secretHash is the hex SHA-256 by which the store keeps a secret.
func secretHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newSecret returns secretBytes of the server's randomness, base64url.
func (s *Server) newSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := io.ReadFull(s.opts.Rand, b); err != nil {
		return "", fmt.Errorf("generating a secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// derive keys a value to the store's issuer secret: the pre-authorized
// code is derived from the offer id, so the offer can be served by
// reference though the store keeps neither; and a transaction code's
// hash cannot be reversed from a copy of the store by trying the million
// codes.
func (s *Server) derive(ctx context.Context, label, v string) (string, error) {
	secret, err := s.instanceIn(ctx).store.IssuerSecret(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, secret)
	_, _ = io.WriteString(m, "badgesmith "+label+"\x00"+v)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

func (s *Server) preAuthCode(ctx context.Context, offerID string) (string, error) {
	return s.derive(ctx, "oid4vci pre-authorized_code", offerID)
}

func (s *Server) txCodeHash(ctx context.Context, codeHash, tx string) (string, error) {
	if tx == "" {
		return "", nil
	}
	return s.derive(ctx, "oid4vci tx_code", codeHash+"\x00"+tx)
}

// createOffer handles POST /offers.
func (s *Server) createOffer(w http.ResponseWriter, r *http.Request) error {
	var req OfferRequest
	if err := readStrict(r, &req); err != nil {
		return err
	}
	out, err := s.newOffer(r.Context(), req, true)
	if err != nil {
		return err
	}
	s.opts.Logger.Info("offer created", "request_id", requestID(r.Context()), "credential", out.CredentialID, "by", callerID(r))
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// newOffer records a new offer for req's credential, with its QR code
// when withQR.
func (s *Server) newOffer(ctx context.Context, req OfferRequest, withQR bool) (*CreatedOffer, error) {
	st, ok := s.offerStore(ctx)
	if !ok {
		return nil, problemErr(http.StatusNotImplemented, ProbUnsupported, "", "this server's store keeps no offers")
	}
	ttl := DefaultOfferTTL
	switch {
	case req.CredentialID == "":
		return nil, invalid("credentialId", "required")
	case req.ExpiresIn < 0 || time.Duration(req.ExpiresIn) > MaxOfferTTL/time.Second:
		return nil, invalid("expiresIn", "want seconds from 1 to %d", int64(MaxOfferTTL/time.Second))
	case req.ExpiresIn > 0:
		ttl = time.Duration(req.ExpiresIn) * time.Second
	}
	in := s.instanceIn(ctx)
	rec, err := in.store.GetCredential(ctx, req.CredentialID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, problemErr(http.StatusNotFound, ProbNotFound, "credentialId", "no credential "+req.CredentialID+" was issued here")
	}
	if err != nil {
		return nil, err
	}
	if rec.State != store.Active {
		return nil, problemErr(http.StatusConflict, ProbConflict, "credentialId", "the credential is "+string(rec.State))
	}
	doc, err := in.docs.get(rec.ID)
	if err != nil && !isNotExist(err) {
		return nil, err
	}
	if doc == nil || !doc.matches(rec) {
		return nil, problemErr(http.StatusConflict, ProbConflict, "credentialId", "this server does not keep the signed credential (it was not issued through POST /credentials/issue)")
	}
	config, err := configOf(doc)
	if err != nil {
		return nil, err
	}
	id, err := s.newSecret()
	if err != nil {
		return nil, err
	}
	code, err := s.preAuthCode(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.opts.Now().UTC()
	o := store.Offer{
		IDHash: secretHash(id), CodeHash: secretHash(code), CredentialID: rec.ID, Recipient: rec.Recipient,
		Created: now, Expires: now.Add(ttl).Truncate(time.Second),
	}
	var tx string
	if req.TxCode {
		if tx, err = s.txCode(); err != nil {
			return nil, err
		}
		if o.TxCodeHash, err = s.txCodeHash(ctx, o.CodeHash, tx); err != nil {
			return nil, err
		}
	}
	if err := st.PutOffer(ctx, o); err != nil {
		return nil, err
	}
	offer := s.credentialOffer(ctx, code, tx != "", config)
	byValue, err := json.Marshal(offer)
	if err != nil {
		return nil, err
	}
	byRef := "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(s.instanceURL(ctx, "/oid4vci/offers/"+id))
	var png []byte
	if withQR {
		if png, err = qrcode.Encode(byRef, qrcode.Medium, qrSize); err != nil {
			return nil, fmt.Errorf("drawing the offer's QR code: %w", err)
		}
	}
	return &CreatedOffer{
		CredentialID:        rec.ID,
		OfferID:             id,
		CredentialOffer:     offer,
		OfferURI:            "openid-credential-offer://?credential_offer=" + url.QueryEscape(string(byValue)),
		OfferURIByReference: byRef,
		InteractionURL:      s.instanceURL(ctx, "/claim/"+id) + "?iuv=1",
		ClaimURL:            s.instanceURL(ctx, "/claim/"+id),
		TxCode:              tx,
		Expires:             o.Expires,
		QRPNG:               png,
	}, nil
}

// txCode returns txCodeDigits random decimal digits.
func (s *Server) txCode() (string, error) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(txCodeDigits), nil)
	n, err := rand.Int(s.opts.Rand, limit)
	if err != nil {
		return "", fmt.Errorf("generating a transaction code: %w", err)
	}
	return fmt.Sprintf("%0*d", txCodeDigits, n), nil
}

// credentialOffer is the OpenID4VCI credential offer of a code for a
// credential of config.
func (s *Server) credentialOffer(ctx context.Context, code string, tx bool, config string) map[string]any {
	grant := map[string]any{"pre-authorized_code": code}
	if tx {
		grant["tx_code"] = map[string]any{
			"input_mode":  "numeric",
			"length":      txCodeDigits,
			"description": "The code your issuer sent you separately",
		}
	}
	return map[string]any{
		"credential_issuer":            s.credentialIssuer(ctx),
		"credential_configuration_ids": []string{config},
		"grants":                       map[string]any{grantPreAuth: grant},
	}
}

// getOffer handles GET /oid4vci/offers/{id}, the credential_offer_uri:
// the offer while it can still be redeemed.
func (s *Server) getOffer(w http.ResponseWriter, r *http.Request) error {
	o, id, err := s.liveOffer(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	code, err := s.preAuthCode(r.Context(), id)
	if err != nil {
		return err
	}
	doc, err := s.offeredDoc(r.Context(), o)
	var oe *oidError
	if errors.As(err, &oe) {
		return problemErr(http.StatusNotFound, ProbNotFound, "", "no such offer, or it was used or has expired")
	}
	if err != nil {
		return err
	}
	config, err := configOf(doc)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.credentialOffer(r.Context(), code, o.TxCodeHash != "", config))
	return nil
}

// liveOffer is the offer of id while it is unredeemed and unexpired;
// any other is a 404, saying no more than that.
func (s *Server) liveOffer(ctx context.Context, id string) (*store.Offer, string, error) {
	st, ok := s.offerStore(ctx)
	gone := problemErr(http.StatusNotFound, ProbNotFound, "", "no such offer, or it was used or has expired")
	if !ok || len(id) > 100 {
		return nil, "", gone
	}
	o, err := st.GetOffer(ctx, secretHash(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", gone
	}
	if err != nil {
		return nil, "", err
	}
	if !o.Redeemed.IsZero() || !s.opts.Now().Before(o.Expires) {
		return nil, "", gone
	}
	return o, id, nil
}

// redactPath hides the offer id in the path of an offer's URL, and the
// token of a share page's, for the access log: both are secrets (the
// store keeps only their hashes).
func redactPath(p string) string {
	for _, seg := range []string{"/claim/", "/oid4vci/offers/", "/exchanges/", "/c/"} {
		if i := strings.Index(p, seg); i >= 0 {
			rest := p[i+len(seg):]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				return p[:i+len(seg)] + "REDACTED" + rest[j:]
			}
			return p[:i+len(seg)] + "REDACTED"
		}
	}
	return p
}

// CreateOffer makes a wallet offer of an issued credential (POST
// /offers); the answer holds its secrets, shown once.
func (c *AdminClient) CreateOffer(ctx context.Context, req OfferRequest) (CreatedOffer, error) {
	var out CreatedOffer
	err := c.do(ctx, http.MethodPost, "/offers", nil, req, &out)
	return out, err
}

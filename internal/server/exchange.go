package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/verifier"
)

// exchangeURL is the VC-API exchange of an offer, as the Learner
// Credential Wallet reaches it from the interaction URL.
func (s *Server) exchangeURL(ctx context.Context, offerID string) string {
	return s.instanceURL(ctx, "/workflows/claim/exchanges/"+offerID)
}

// exchangeDomain is the domain a wallet's DIDAuth presentation must be
// made for: this issuer.
func (s *Server) exchangeDomain(ctx context.Context) string { return s.credentialIssuer(ctx) }

// challengeKey is the nonce store's key of an exchange's challenge, so a
// challenge answers for its own exchange only.
func challengeKey(offerIDHash, challenge string) string {
	return secretHash("vcapi challenge\x00" + offerIDHash + "\x00" + challenge)
}

// exchange handles POST /workflows/claim/exchanges/{offer}, the VC-API
// exchange as the Learner Credential Wallet runs it: {} asks for a
// DIDAuthentication request with a fresh challenge; the wallet's
// presentation, signed for authentication with that challenge and this
// issuer's domain by a did:key holder, gets the credential re-issued
// bound to that DID, in a presentation. An exchange redeems its offer:
// single-use, as the offer's pre-authorized code.
func (s *Server) exchange(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.PathValue("offer")
	o, _, err := s.liveOffer(ctx, id)
	if err != nil {
		return err
	}
	if o.TxCodeHash != "" {
		return problemErr(http.StatusBadRequest, ProbUnsupported, "", "this offer needs a transaction code, which VC-API exchanges cannot carry: use the OpenID4VCI link")
	}
	// The Learner Credential Wallet takes Data Integrity credentials.
	doc, err := s.offeredDoc(ctx, o)
	var oe *oidError
	if errors.As(err, &oe) {
		return problemErr(http.StatusForbidden, ProbForbidden, "", oe.desc)
	}
	if err != nil {
		return err
	}
	if doc.Format != store.FormatDI {
		return problemErr(http.StatusBadRequest, ProbUnsupported, "", "this credential is a JWT, which VC-API exchanges here do not deliver: use the OpenID4VCI link")
	}
	data, err := readBody(r)
	if err != nil {
		return err
	}
	m, err := decodeObject(data)
	if err != nil {
		return err
	}
	if err := onlyMembers(m, "", "verifiablePresentation"); err != nil {
		return err
	}
	st, _ := s.offerStore(ctx)
	w.Header().Set("Cache-Control", "no-store")
	vp, ok := m["verifiablePresentation"]
	if !ok {
		challenge, err := s.newSecret()
		if err != nil {
			return err
		}
		now := s.opts.Now().UTC()
		if err := st.PutNonce(ctx, challengeKey(o.IDHash, challenge), now.Add(nonceTTL), now); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"verifiablePresentationRequest": map[string]any{
			"query": []any{map[string]any{
				"type":            "DIDAuthentication",
				"acceptedMethods": []any{map[string]string{"method": "key"}},
				"acceptedCryptosuites": []any{
					map[string]string{"cryptosuite": "eddsa-rdfc-2022"},
					map[string]string{"cryptosuite": "Ed25519Signature2020"},
				},
			}},
			"challenge": challenge,
			"domain":    s.exchangeDomain(ctx),
		}})
		return nil
	}
	holder, err := s.didAuth(ctx, o, vp)
	if err != nil {
		return err
	}
	if strings.HasPrefix(o.Recipient, "did:") && o.Recipient != holder {
		return problemErr(http.StatusForbidden, ProbForbidden, "verifiablePresentation.holder", "the credential was issued to another DID")
	}
	bound, err := s.bindCredential(ctx, o, holder)
	if errors.As(err, &oe) {
		return problemErr(http.StatusForbidden, ProbForbidden, "", oe.desc)
	}
	if err != nil {
		return err
	}
	// Signed first, redeemed then: a failure to sign leaves the offer
	// usable; of two exchanges racing, one redeems.
	if err := s.redeemByExchange(ctx, id); err != nil {
		return err
	}
	if err := s.recordDelivery(ctx, o, bound, holder); err != nil {
		return err
	}
	s.opts.Logger.Info("credential delivered to a wallet", "request_id", requestID(ctx), "credential", o.CredentialID, "bound_copy", bound.id, "holder", holder, "protocol", "vcapi")
	writeJSON(w, http.StatusOK, map[string]any{"verifiablePresentation": map[string]any{
		"@context":             []string{"https://www.w3.org/ns/credentials/v2"},
		"type":                 []string{"VerifiablePresentation"},
		"verifiableCredential": []json.RawMessage{bound.value},
	}})
	return nil
}

// didAuth verifies the wallet's DIDAuthentication presentation: signed for
// authentication by a did:key holder, with a challenge this exchange
// handed out (consumed here) and this issuer's domain. It returns the
// holder's DID.
func (s *Server) didAuth(ctx context.Context, o *store.Offer, vp json.RawMessage) (string, error) {
	bad := func(format string, args ...any) error {
		return invalid("verifiablePresentation", format, args...)
	}
	// The challenge is read from the raw proof only to find it in the
	// store; VerifyPresentation then checks that the signed proof carries
	// exactly it.
	var raw struct {
		Proof json.RawMessage `json:"proof"`
	}
	if err := json.Unmarshal(vp, &raw); err != nil {
		return "", bad("want a presentation object: %v", err)
	}
	var proof struct {
		Challenge string `json:"challenge"`
	}
	p := raw.Proof
	var set []json.RawMessage
	if json.Unmarshal(p, &set) == nil {
		if len(set) != 1 {
			return "", bad("want one proof, got %d", len(set))
		}
		p = set[0]
	}
	if err := json.Unmarshal(p, &proof); err != nil || proof.Challenge == "" {
		return "", bad("want one proof with a challenge")
	}
	res, verr := s.verifier.Load().VerifyPresentation(ctx, vp, verifier.PresentationOptions{
		Challenge: proof.Challenge, Domain: s.exchangeDomain(ctx), MaxCredentials: 1,
	})
	if verr != nil || !res.Valid || !res.Authenticated {
		return "", problemErr(http.StatusBadRequest, ProbInvalidCred, "verifiablePresentation", "the DIDAuthentication presentation does not verify: "+presentationFailure(res, verr))
	}
	holder := res.Holder
	if holder == "" {
		holder, _, _ = strings.Cut(res.VerificationMethod, "#")
	}
	if !strings.HasPrefix(holder, "did:key:") {
		return "", bad("holder %q: want a did:key", holder)
	}
	st, _ := s.offerStore(ctx)
	switch err := st.UseNonce(ctx, challengeKey(o.IDHash, proof.Challenge), s.opts.Now().UTC()); {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrUsed), errors.Is(err, store.ErrExpired):
		return "", problemErr(http.StatusBadRequest, ProbInvalidCred, "verifiablePresentation.proof.challenge", "not a live challenge of this exchange: POST {} for a new one")
	case err != nil:
		return "", err
	}
	return holder, nil
}

// presentationFailure names the failed check of a presentation.
func presentationFailure(res *verifier.PresentationResult, err error) string {
	if res != nil {
		for _, c := range res.Checks {
			if c.Status == verifier.StatusFail || c.Status == verifier.StatusError {
				return string(c.Check) + ": " + c.Reason
			}
		}
	}
	if err != nil {
		return err.Error()
	}
	return "not authenticated"
}

// redeemByExchange marks the offer redeemed by its pre-authorized code,
// so that neither an OpenID4VCI wallet nor a second exchange can use it.
func (s *Server) redeemByExchange(ctx context.Context, offerID string) error {
	st, _ := s.offerStore(ctx)
	code, err := s.preAuthCode(ctx, offerID)
	if err != nil {
		return err
	}
	token, err := s.newSecret()
	if err != nil {
		return err
	}
	now := s.opts.Now().UTC()
	_, err = st.RedeemCode(ctx, secretHash(code), "", MaxTxAttempts, secretHash(token), now.Add(accessTokenTTL), now)
	if errors.Is(err, store.ErrUsed) || errors.Is(err, store.ErrExpired) || errors.Is(err, store.ErrNotFound) {
		return problemErr(http.StatusNotFound, ProbNotFound, "", "no such offer, or it was used or has expired")
	}
	return err
}

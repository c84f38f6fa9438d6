package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/store"
)

// OfferMaker makes wallet offers without a running server, exactly as
// POST /offers does, for a server that will serve them later from the
// same store and data directory: badgesmith batch --offers, for
// credentials issued from the command line. It keeps each credential in
// the data directory, where the server finds what it offers.
type OfferMaker struct {
	// PublicBaseURL is the server's public base URL, which the offers'
	// links name. Required.
	PublicBaseURL string
	// DataDir is the server's data directory. Required.
	DataDir string
	// Store is the server's store; it must implement store.Offers.
	// Required.
	Store store.Store
	// Now is the clock. If nil, time.Now.
	Now func() time.Time
	// Rand is the randomness. If nil, crypto/rand.
	Rand io.Reader
}

// Offer keeps signed, the credential credentialID as issued (as recorded
// in the store: the JSON document or the compact JWS), and makes an offer of it per req
// (whose CredentialID it sets). The answer has no QR code.
func (m *OfferMaker) Offer(ctx context.Context, credentialID string, signed []byte, req OfferRequest) (*CreatedOffer, error) {
	base, err := url.Parse(strings.TrimSuffix(m.PublicBaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("public base url %q: %w: want an absolute http(s) URL", m.PublicBaseURL, ErrConfig)
	}
	if _, ok := m.Store.(store.Offers); !ok || m.DataDir == "" {
		return nil, fmt.Errorf("offers: %w: a store that keeps offers and a data directory are required", ErrConfig)
	}
	docs, err := newDocStore(m.DataDir)
	if err != nil {
		return nil, err
	}
	opts := Options{Now: m.Now, Rand: m.Rand, Store: m.Store}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	s := &Server{opts: opts, base: base, prefix: strings.TrimSuffix(base.EscapedPath(), "/"), def: &instance{store: m.Store, docs: docs}}
	rec, err := m.Store.GetCredential(ctx, credentialID)
	if err != nil {
		return nil, fmt.Errorf("offer of %s: %w", credentialID, err)
	}
	doc := storedDoc{ID: credentialID, Format: rec.Format, Signed: string(bytes.TrimSpace(signed))}
	// Only the very credential recorded is kept: a wrong file must not
	// replace one the server keeps.
	if !doc.matches(rec) {
		return nil, fmt.Errorf("offer of %s: the file is not the recorded credential", credentialID)
	}
	if err := docs.put(doc); err != nil {
		return nil, err
	}
	req.CredentialID = credentialID
	out, err := s.newOffer(ctx, req, false)
	var ae *apiError
	if errors.As(err, &ae) {
		return nil, fmt.Errorf("offer of %s: %s", credentialID, ae.detail)
	}
	return out, err
}

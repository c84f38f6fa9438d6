package store

import (
	"context"
	"time"
)

// Share is a learner's consent, given through the claim flow, to show one
// credential on a public page (/c/{token}). The token is never stored:
// only its SHA-256 (it carries at least 128 bits of randomness, so the
// hash cannot be reversed by guessing).
type Share struct {
	// TokenHash is the lower-case hex SHA-256 of the share token; the
	// store's key.
	TokenHash string `json:"tokenHash"`
	// CredentialID is the credential shown.
	CredentialID string `json:"credentialId"`
	// OfferIDHash is the IDHash of the offer whose claim page recorded
	// the consent.
	OfferIDHash string `json:"offerIdHash,omitempty"`
	// Created is when the consent was given.
	Created time.Time `json:"created"`
	// Revoked is when the share was withdrawn; zero while it is live.
	Revoked time.Time `json:"revoked,omitzero"`
}

// Shares keeps share consents, a companion of Store that the same
// backends implement, under Store's rules: safe for concurrent use, every
// write atomic and durable, nothing written once ctx is done.
type Shares interface {
	// PutShare records a new share. A TokenHash already recorded is
	// ErrExists; a share without TokenHash or CredentialID is ErrInvalid.
	PutShare(ctx context.Context, s Share) error
	// GetShare returns the share by TokenHash, revoked or not, or
	// ErrNotFound.
	GetShare(ctx context.Context, tokenHash string) (*Share, error)
	// SharesOf returns the shares of a credential, revoked or not, oldest
	// first.
	SharesOf(ctx context.Context, credentialID string) ([]Share, error)
	// RevokeShares marks every live share of the credential revoked at
	// now and returns how many it revoked (0 when there were none).
	RevokeShares(ctx context.Context, credentialID string, now time.Time) (int, error)
}

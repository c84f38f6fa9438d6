package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors of Offers.
var (
	// ErrExpired means the offer, code or nonce is past its expiry.
	ErrExpired = errors.New("expired")
	// ErrUsed means the offer or nonce was already redeemed: they are
	// single-use.
	ErrUsed = errors.New("already used")
	// ErrAttempts means the offer's transaction code was entered wrongly
	// too many times; the offer is dead.
	ErrAttempts = errors.New("too many failed attempts")
	// ErrMismatch means a presented secret (a transaction code) is wrong;
	// the failed attempt is counted.
	ErrMismatch = errors.New("mismatch")
)

// Offer is a one-time, expiring offer of an issued credential to the
// learner it was issued to, redeemed by a wallet. Secrets are never
// stored: only their SHA-256 (they carry at least 128 bits of randomness,
// so a hash cannot be reversed by guessing).
type Offer struct {
	// IDHash is the lower-case hex SHA-256 of the offer id (the secret in
	// the offer's URLs); the store's key.
	IDHash string `json:"idHash"`
	// CodeHash is the hex SHA-256 of the pre-authorized code.
	CodeHash string `json:"codeHash"`
	// TxCodeHash, if set, is the hex SHA-256 of the transaction code that
	// the learner receives by a second channel.
	TxCodeHash string `json:"txCodeHash,omitempty"`
	// CredentialID is the credential offered.
	CredentialID string `json:"credentialId"`
	// Recipient is the credential record's Recipient, copied so the
	// delivery can be checked against it.
	Recipient string `json:"recipient"`
	// Created and Expires bound the offer's life.
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	// FailedTx counts wrong transaction codes.
	FailedTx int `json:"failedTx,omitempty"`
	// Redeemed is when the pre-authorized code (or the exchange) was
	// used; zero while it is unused.
	Redeemed time.Time `json:"redeemed,omitzero"`
	// TokenHash is the hex SHA-256 of the access token the redemption
	// returned, and TokenExpires its end.
	TokenHash    string    `json:"tokenHash,omitempty"`
	TokenExpires time.Time `json:"tokenExpires,omitzero"`
	// Delivered is when a credential went out on the token; a token
	// delivers once.
	Delivered time.Time `json:"delivered,omitzero"`
	// DeliveredID is the id of the credential delivered: CredentialID,
	// or the copy re-issued bound to HolderDID.
	DeliveredID string `json:"deliveredId,omitempty"`
	// HolderDID is the DID the wallet proved control of, "" when the
	// credential was delivered unbound.
	HolderDID string `json:"holderDid,omitempty"`
	// DeliveredSHA256 is the hex SHA-256 of the delivered document.
	DeliveredSHA256 string `json:"deliveredSha256,omitempty"`
}

// Offers keeps wallet offers and nonces, a companion of Store that the
// same backends implement, under Store's rules: safe for concurrent use,
// every write atomic and durable, nothing written once ctx is done. Every
// single-use rule is enforced in one transaction, so it holds across
// concurrent callers and restarts.
type Offers interface {
	// PutOffer records a new offer. An IDHash or CodeHash already
	// recorded is ErrExists.
	PutOffer(ctx context.Context, o Offer) error
	// GetOffer returns the offer by IDHash, or ErrNotFound.
	GetOffer(ctx context.Context, idHash string) (*Offer, error)
	// RedeemCode marks the offer of the pre-authorized code's hash
	// redeemed at now, recording the access token's hash and expiry, and
	// returns it. The code must be unused (else ErrUsed) and unexpired
	// (ErrExpired); an offer with a transaction code needs txHash to match
	// (else ErrMismatch, counted; once maxTx failures are counted the
	// offer is ErrAttempts for good). An unknown code is ErrNotFound.
	RedeemCode(ctx context.Context, codeHash, txHash string, maxTx int, tokenHash string, tokenExpires, now time.Time) (*Offer, error)
	// OfferByToken returns the offer redeemed for the access token's
	// hash, or ErrNotFound.
	OfferByToken(ctx context.Context, tokenHash string) (*Offer, error)
	// Deliver records what was delivered on the offer's token: fn gets
	// the offer and fills DeliveredID, HolderDID and DeliveredSHA256; it
	// runs under the write lock and must not call the store. An offer
	// already delivered is ErrUsed, a token past its expiry ErrExpired.
	Deliver(ctx context.Context, idHash string, now time.Time, fn func(*Offer) error) error
	// PutNonce records a nonce's hash, valid until expires; a nonce
	// already recorded is ErrExists. It may forget a few nonces expired
	// at now, so the record does not grow without bound.
	PutNonce(ctx context.Context, nonceHash string, expires, now time.Time) error
	// UseNonce consumes a nonce: ErrNotFound if unknown, ErrUsed if
	// already consumed, ErrExpired if past expires at now.
	UseNonce(ctx context.Context, nonceHash string, now time.Time) error
}

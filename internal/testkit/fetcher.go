package testkit

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// ErrUnknownMethod reports a verification method a Fetcher was not given.
var ErrUnknownMethod = errors.New("testkit: verification method not pinned for this issuer")

// Method is one verification method a Fetcher answers for.
type Method struct {
	// ID is the verification method id, a DID URL under the issuer id
	// (issuer#fragment).
	ID string
	// Key is the public key the method holds.
	Key crypto.PublicKey
}

// Call is one question a Fetcher was asked.
type Call struct {
	// Method is the verification method asked for.
	Method string
	// Purpose is the proof purpose asked for.
	Purpose string
}

// Fetcher is a static key fetcher with the method set of proof.KeyFetcher
// and vcjwt.KeyFetcher. It is bound to one issuer id and answers only for
// the verification methods it was given, whatever the purpose, recording
// every question; anything else is an error wrapping ErrUnknownMethod. It
// is safe for concurrent use.
type Fetcher struct {
	issuer  string
	methods map[string]crypto.PublicKey

	mu    sync.Mutex
	calls []Call
}

// NewFetcher returns a Fetcher for issuer answering for methods. It fails
// t when issuer is empty, when a method id is not issuer#fragment, or when a
// method has no key or is given twice.
func NewFetcher(t testing.TB, issuer string, methods ...Method) *Fetcher {
	t.Helper()
	if issuer == "" {
		t.Fatal("testkit: NewFetcher: empty issuer id")
	}
	f := &Fetcher{issuer: issuer, methods: make(map[string]crypto.PublicKey, len(methods))}
	for _, m := range methods {
		frag, ok := strings.CutPrefix(m.ID, issuer+"#")
		if !ok || frag == "" {
			t.Fatalf("testkit: NewFetcher: verification method %q is not under issuer %q", m.ID, issuer)
		}
		if m.Key == nil {
			t.Fatalf("testkit: NewFetcher: verification method %q has no key", m.ID)
		}
		if _, dup := f.methods[m.ID]; dup {
			t.Fatalf("testkit: NewFetcher: verification method %q given twice", m.ID)
		}
		f.methods[m.ID] = m.Key
	}
	return f
}

// Issuer returns the issuer id the fetcher is bound to.
func (f *Fetcher) Issuer() string { return f.issuer }

// PublicKey returns the key of verificationMethod if the fetcher was given
// it, and records the question.
func (f *Fetcher) PublicKey(ctx context.Context, verificationMethod, purpose string) (crypto.PublicKey, error) {
	f.mu.Lock()
	f.calls = append(f.calls, Call{Method: verificationMethod, Purpose: purpose})
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pub, ok := f.methods[verificationMethod]
	if !ok {
		return nil, fmt.Errorf("verification method %s (issuer %s): %w", verificationMethod, f.issuer, ErrUnknownMethod)
	}
	return pub, nil
}

// Calls returns the questions asked so far, in order.
func (f *Fetcher) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

package testkit

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
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
	// Purposes are the proof purposes (verification relationships) the
	// method is listed under; empty means assertionMethod only, where an
	// issuer's controller document lists a credential signing key.
	Purposes []string
}

// AssertionMethod is the proof purpose of a credential's proof.
const AssertionMethod = "assertionMethod"

// ErrPurpose reports a verification method asked for under a purpose it
// was not given for.
var ErrPurpose = errors.New("testkit: verification method not listed for this purpose")

// Call is one question a Fetcher was asked.
type Call struct {
	// Method is the verification method asked for.
	Method string
	// Purpose is the proof purpose asked for.
	Purpose string
}

// Fetcher is a static key fetcher with the method set of proof.KeyFetcher
// and vcjwt.KeyFetcher. It is bound to one issuer id and answers only for
// the verification methods it was given, under their purposes, recording
// every question; another method is an error wrapping ErrUnknownMethod,
// another purpose one wrapping ErrPurpose. It is safe for concurrent use.
type Fetcher struct {
	issuer  string
	methods map[string]Method

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
	f := &Fetcher{issuer: issuer, methods: make(map[string]Method, len(methods))}
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
		if len(m.Purposes) == 0 {
			m.Purposes = []string{AssertionMethod}
		}
		f.methods[m.ID] = m
	}
	return f
}

// Issuer returns the issuer id the fetcher is bound to.
func (f *Fetcher) Issuer() string { return f.issuer }

// PublicKey returns the key of verificationMethod if the fetcher was given
// it, and records the question.
func (f *Fetcher) PublicKey(ctx context.Context, verificationMethod, purpose string) (crypto.PublicKey, error) {
	f.mu.Lock()
	if len(f.calls) < maxCalls {
		f.calls = append(f.calls, Call{Method: verificationMethod, Purpose: purpose})
	}
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, ok := f.methods[verificationMethod]
	if !ok {
		return nil, fmt.Errorf("verification method %s (issuer %s): %w", verificationMethod, f.issuer, ErrUnknownMethod)
	}
	if !slices.Contains(m.Purposes, purpose) {
		return nil, fmt.Errorf("verification method %s (issuer %s), purpose %q: %w", verificationMethod, f.issuer, purpose, ErrPurpose)
	}
	return m.Key, nil
}

// maxCalls bounds the questions a Fetcher records, so that a benchmark or
// fuzz loop over one fetcher neither grows without bound nor allocates
// after its first iterations.
const maxCalls = 1000

// Calls returns the questions asked so far, in order (the first 1,000).
func (f *Fetcher) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// ErrUnreachable is what Unreachable answers: a key fetch that failed for
// want of a network, which no verifier may read as a verdict on the
// credential.
var ErrUnreachable = errors.New("testkit: network down")

// Unreachable is a key fetcher that cannot reach anything: every question
// gets an error wrapping ErrUnreachable.
type Unreachable struct{}

// PublicKey fails with ErrUnreachable.
func (Unreachable) PublicKey(_ context.Context, verificationMethod, _ string) (crypto.PublicKey, error) {
	return nil, fmt.Errorf("fetching %s: %w", verificationMethod, ErrUnreachable)
}

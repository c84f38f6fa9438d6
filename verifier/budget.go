package verifier

import (
	"context"
	"fmt"
	"net/http/httptrace"
	"sync"

	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/status"
)

// ErrLimit marks a check that could not be completed because a bound of
// Limits was reached: the credential is neither valid nor invalid. Errors
// wrapping it name the limit.
var ErrLimit = verdict.NewInconclusive("verification limit reached")

// budget is the allowance Limits grants one verification, nested documents
// (status list credentials) included, and the counters Work reports. One
// is made per call to Verify and travels in its context, so a nested
// verification draws on the same allowance. It is safe for concurrent use.
type budget struct {
	limits  Limits
	inflate *status.Budget

	mu            sync.Mutex
	proofs        int // of nested documents; the credential's own are counted by checkProof
	statusEntries int
	fetches       int
	connections   int
	canon         jsonld.Work // JSON-LD canonicalization, every document

	// parent, if set, is the budget of the presentation carrying the
	// credential: its fetches draw on the parent's allowance too, so
	// Limits.MaxFetches bounds a presentation's requests as a whole,
	// not once per embedded credential.
	parent *budget
}

type budgetKey struct{}

type depthKey struct{}

// newBudget returns the budget of l, whose defaults are filled in.
func newBudget(l Limits) *budget {
	return &budget{limits: l, inflate: status.NewBudget(l.MaxInflatedBytes)}
}

// withBudget returns ctx carrying b and a trace counting b's connections.
func withBudget(ctx context.Context, b *budget) context.Context {
	ctx = context.WithValue(ctx, budgetKey{}, b)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		ConnectStart: func(string, string) {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.connections++
		},
	})
}

// budgetFrom returns the budget ctx carries, or a fresh one of the default
// limits for a caller outside Verify.
func budgetFrom(ctx context.Context) *budget {
	if b, ok := ctx.Value(budgetKey{}).(*budget); ok {
		return b
	}
	return newBudget(Limits{}.withDefaults())
}

// nested returns the context for a document verified on behalf of the one
// ctx belongs to (a status list credential), one level deeper, or ErrLimit
// past Limits.MaxDepth.
func nested(ctx context.Context) (context.Context, error) {
	depth, _ := ctx.Value(depthKey{}).(int)
	limit := budgetFrom(ctx).limits.MaxDepth
	if depth+1 > limit {
		return nil, fmt.Errorf("%w: a document nested %d deep, over Limits.MaxDepth %d", ErrLimit, depth+1, limit)
	}
	return context.WithValue(ctx, depthKey{}, depth+1), nil
}

// takeStatusEntries grants up to n credentialStatus entries and returns
// how many.
func (b *budget) takeStatusEntries(n int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n = max(min(n, b.limits.MaxStatusEntries-b.statusEntries), 0)
	b.statusEntries += n
	return n
}

// takeFetch grants one document fetch, or returns ErrLimit.
func (b *budget) takeFetch() error {
	if b.parent != nil {
		if err := b.parent.takeFetch(); err != nil {
			return err
		}
	}
	b.mu.Lock()
	limit, over := b.limits.MaxFetches, b.fetches >= b.limits.MaxFetches
	if !over {
		b.fetches++
	}
	b.mu.Unlock()
	if over {
		if b.parent != nil {
			b.parent.refundFetch()
		}
		return fmt.Errorf("%w: over Limits.MaxFetches, %d documents fetched", ErrLimit, limit)
	}
	return nil
}

// addProofs counts n proofs examined on a nested document.
func (b *budget) addProofs(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.proofs += n
}

// addCanon counts the canonicalization work w.
func (b *budget) addCanon(w jsonld.Work) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.canon.Add(w)
}

// refundFetch gives back a fetch granted but never started.
func (b *budget) refundFetch() {
	b.mu.Lock()
	b.fetches--
	b.mu.Unlock()
	if b.parent != nil {
		b.parent.refundFetch()
	}
}

// fill copies the counters b owns into w, adding the nested documents'
// proofs to the credential's own.
func (b *budget) fill(w *Work) {
	b.mu.Lock()
	defer b.mu.Unlock()
	w.Proofs += b.proofs
	w.StatusEntries = b.statusEntries
	w.Fetches = b.fetches
	w.Connections = b.connections
	w.BytesInflated = b.inflate.Used()
	w.Quads += b.canon.Quads
	w.HashCalls += b.canon.HashCalls
}

package issuer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
)

// Defaults for the status list credentials Publish signs.
const (
	// DefaultStatusValidity is how long a published list credential is
	// valid when Config.StatusValidity is zero: 30 days. A verifier
	// refuses a list past its validUntil, so the lists must be re-signed
	// within it (Refresh, from cron). Longer lets an old copy that says
	// "not revoked" be replayed for longer; shorter makes every credential
	// uncheckable sooner once the issuer stops publishing. A list without
	// validUntil would keep a stale "not revoked" valid forever, so one is
	// always set.
	DefaultStatusValidity = 30 * 24 * time.Hour
	// DefaultRefreshWindow is how close to its validUntil a published list
	// must be for Refresh to re-sign it, and for the CLI to warn: 7 days.
	DefaultRefreshWindow = 7 * 24 * time.Hour
	// DefaultStatusTTL is the ttl a list advertises when Config.StatusTTL is
	// zero: short, so a revocation reaches verifiers soon after publishing.
	DefaultStatusTTL = 5 * time.Minute
)

// maxListSize keeps new lists decodable under a verifier's default cap.
const maxListSize = 8 * status.DefaultMaxBytes

// newListTries bounds how often allocation retries when another process
// created the list number it chose first.
const newListTries = 8

// checkStatusConfig validates and defaults the status fields of cfg.
func checkStatusConfig(cfg *Config) error {
	switch {
	case cfg.StatusListSize == 0:
		cfg.StatusListSize = status.MinEntries
	case cfg.StatusListSize < status.MinEntries || cfg.StatusListSize > maxListSize:
		return fmt.Errorf("status list size %d: %w: must be in %d..%d", cfg.StatusListSize, ErrInvalidInput, status.MinEntries, maxListSize)
	}
	switch {
	case cfg.StatusValidity == 0:
		cfg.StatusValidity = DefaultStatusValidity
	case cfg.StatusValidity < time.Second:
		return fmt.Errorf("status validity %s: %w: must be at least a second", cfg.StatusValidity, ErrInvalidInput)
	}
	switch {
	case cfg.StatusTTL == 0:
		cfg.StatusTTL = DefaultStatusTTL
	case cfg.StatusTTL < time.Millisecond:
		return fmt.Errorf("status ttl %s: %w: must be at least a millisecond", cfg.StatusTTL, ErrInvalidInput)
	}
	if cfg.StatusBaseURL == "" {
		return nil
	}
	u, err := url.Parse(cfg.StatusBaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("status base url %q: %w: must be an absolute http(s) URL without query or fragment", cfg.StatusBaseURL, ErrInvalidInput)
	}
	if !strings.HasSuffix(cfg.StatusBaseURL, "/") {
		cfg.StatusBaseURL += "/"
	}
	return nil
}

// ListURL returns the URL of the status list for purpose numbered n, which
// is also the id of its list credential: StatusBaseURL + purpose + "-" + n.
func (is *Issuer) ListURL(purpose status.Purpose, n int) string {
	return is.cfg.StatusBaseURL + string(purpose) + "-" + strconv.Itoa(n)
}

// nextListNumber returns one more than the highest number of a list for
// purpose under the issuer's base URL, so numbers are never reused even if
// lists from other bases are interleaved.
func (is *Issuer) nextListNumber(purpose status.Purpose, lists []store.ListInfo) int {
	prefix := is.cfg.StatusBaseURL + string(purpose) + "-"
	n := 0
	for _, l := range lists {
		rest, ok := strings.CutPrefix(l.ID, prefix)
		if !ok {
			continue
		}
		if k, err := strconv.Atoi(rest); err == nil && k > n {
			n = k
		}
	}
	return n + 1
}

// newList returns the store callback that makes the next list for purpose,
// given the lists the store held just before.
func (is *Issuer) newList(purpose status.Purpose, lists []store.ListInfo) func() store.ListInfo {
	id := is.ListURL(purpose, is.nextListNumber(purpose, lists))
	return func() store.ListInfo {
		return store.ListInfo{ID: id, Purpose: purpose, Size: is.cfg.StatusListSize, StatusSize: 1}
	}
}

// allocate reserves a random unused index for purpose, rolling over to a
// new list when every list is full.
func (is *Issuer) allocate(ctx context.Context, purpose status.Purpose) (store.StatusRef, error) {
	var ref store.StatusRef
	err := is.withNextList(ctx, purpose, func(newList func() store.ListInfo) (err error) {
		ref, err = is.cfg.Store.AllocateIndex(ctx, purpose, newList)
		return err
	})
	return ref, err
}

// allocateChunk reserves up to n indices for purpose in one store
// transaction, rolling over to a new list as allocate does.
func (is *Issuer) allocateChunk(ctx context.Context, purpose status.Purpose, n int) ([]store.StatusRef, error) {
	var refs []store.StatusRef
	err := is.withNextList(ctx, purpose, func(newList func() store.ListInfo) (err error) {
		refs, err = is.cfg.Store.AllocateIndices(ctx, purpose, n, newList)
		return err
	})
	return refs, err
}

// withNextList runs alloc with the callback that makes purpose's next list.
// On ErrExists another process made the list alloc meant to make after the
// lists were read: it reads them again and retries with the next number.
func (is *Issuer) withNextList(ctx context.Context, purpose status.Purpose, alloc func(newList func() store.ListInfo) error) error {
	var err error
	for range newListTries {
		var lists []store.ListInfo
		if lists, err = is.cfg.Store.Lists(ctx, purpose); err != nil {
			return err
		}
		if err = alloc(is.newList(purpose, lists)); !errors.Is(err, store.ErrExists) {
			return err
		}
	}
	return err
}

// firstIndexChunk and indexChunk bound how many status indices a batch
// reserves per store transaction: the first chunk of a run is small and
// each next one twice as large, up to indexChunk, so a short batch wastes
// few. Entries a run reserves and does not use (at most two chunks per
// purpose: the one in use and the one fetched ahead) stay allocated and
// unset, like any allocation an interrupted issuance leaves behind.
const (
	firstIndexChunk = 64
	indexChunk      = 1024
)

// indexPool hands a batch's workers status indices reserved from the store
// a chunk at a time: one write transaction per chunk instead of one per
// credential, which also keeps the store's pages from being rewritten for
// every row. Once a purpose's chunk is half used (while chunks still grow,
// at once), the next is reserved in the background, so the workers do not
// wait for the store's write lock (which the batch's commits hold too) and
// its sync.
type indexPool struct {
	is    *Issuer
	mu    sync.Mutex
	free  map[status.Purpose][]store.StatusRef
	ahead map[status.Purpose]chan refill
	size  map[status.Purpose]int // of the next chunk
	wg    sync.WaitGroup
}

// refill is a chunk reserved ahead, or why it could not be.
type refill struct {
	refs []store.StatusRef
	err  error
}

func newIndexPool(is *Issuer) *indexPool {
	return &indexPool{is: is, free: map[status.Purpose][]store.StatusRef{}, ahead: map[status.Purpose]chan refill{}, size: map[status.Purpose]int{}}
}

// take returns a reserved index for purpose, reserving a new chunk when
// the pool has none left. Chunks come out in the random order the store
// chose them, so taking from the end keeps indices uncorrelated with rows.
func (p *indexPool) take(ctx context.Context, purpose status.Purpose) (store.StatusRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	free := p.free[purpose]
	if len(free) == 0 {
		var err error
		if ch, ok := p.ahead[purpose]; ok {
			delete(p.ahead, purpose)
			r := <-ch
			free, err = r.refs, r.err
		} else {
			free, err = p.is.allocateChunk(ctx, purpose, p.nextSize(purpose))
		}
		if err == nil && len(free) == 0 {
			err = errors.New("the store reserved no index")
		}
		if err != nil {
			return store.StatusRef{}, err
		}
	}
	ref := free[len(free)-1]
	free = free[:len(free)-1]
	p.free[purpose] = free
	if _, ok := p.ahead[purpose]; !ok && len(free) <= p.size[purpose]/2 {
		ch := make(chan refill, 1)
		p.ahead[purpose] = ch
		n := p.nextSize(purpose)
		p.wg.Go(func() {
			refs, err := p.is.allocateChunk(ctx, purpose, n)
			ch <- refill{refs, err}
		})
	}
	return ref, nil
}

// nextSize returns the size of purpose's next chunk and doubles the one
// after it, up to indexChunk.
func (p *indexPool) nextSize(purpose status.Purpose) int {
	n := p.size[purpose]
	if n == 0 {
		n = firstIndexChunk
	}
	p.size[purpose] = min(2*n, indexChunk)
	return n
}

// wait waits for the chunks being reserved ahead, so none is still
// writing to the store when the batch returns.
func (p *indexPool) wait() { p.wg.Wait() }

// purposes returns the status purposes every credential gets.
func (is *Issuer) purposes() []status.Purpose {
	if is.cfg.Suspension {
		return []status.Purpose{store.PurposeRevocation, store.PurposeSuspension}
	}
	return []status.Purpose{store.PurposeRevocation}
}

// AttachStatus reserves a status list index for each purpose the issuer
// uses (revocation, and suspension if Config.Suspension) and returns a copy
// of cred, a credential as Build returns it, with the matching
// BitstringStatusListEntry values as its credentialStatus, checked again
// against the OB 3.0 schema, and the reserved entries for RecordIssued.
//
// With revocation only, credentialStatus is one object, as the OB 3.0
// strict schema requires; with suspension it is an array of two, which
// that schema rejects, so each entry is checked in turn on its own.
// Reserved indices are never released: a failure after this call wastes
// them, which is safe (see package store).
func (is *Issuer) AttachStatus(ctx context.Context, cred map[string]any) (map[string]any, []store.StatusRef, error) {
	if is.cfg.Store == nil {
		return nil, nil, fmt.Errorf("attaching status: %w", ErrNoStore)
	}
	if is.cfg.StatusBaseURL == "" {
		return nil, nil, fmt.Errorf("attaching status: status base url: %w: required with a store", ErrInvalidInput)
	}
	if _, ok := cred["credentialStatus"]; ok {
		return nil, nil, fmt.Errorf("credentialStatus: %w: already present", ErrInvalidInput)
	}
	var refs []store.StatusRef
	for _, purpose := range is.purposes() {
		ref, err := is.allocate(ctx, purpose)
		if err != nil {
			return nil, nil, fmt.Errorf("attaching status: %w", err)
		}
		refs = append(refs, ref)
	}
	out, err := is.attach(cred, refs)
	if err != nil {
		return nil, nil, err
	}
	return out, refs, nil
}

// attach returns a copy of cred with the entries refs as its
// credentialStatus, checked against the OB 3.0 schema as AttachStatus
// describes. refs must have this issuer's purposes, in order.
func (is *Issuer) attach(cred map[string]any, refs []store.StatusRef) (map[string]any, error) {
	if _, ok := cred["credentialStatus"]; ok {
		return nil, fmt.Errorf("credentialStatus: %w: already present", ErrInvalidInput)
	}
	purposes := is.purposes()
	if len(refs) != len(purposes) {
		return nil, fmt.Errorf("status entries: %w: %d recorded, this issuer gives %d (%v)", ErrInvalidInput, len(refs), len(purposes), purposes)
	}
	for i, ref := range refs {
		if ref.Purpose != purposes[i] {
			return nil, fmt.Errorf("status entries: %w: %s recorded where this issuer gives %s", ErrInvalidInput, ref.Purpose, purposes[i])
		}
	}
	out := jsonvalue.CloneObject(cred)
	if err := setStatus(out, refs, true); err != nil {
		return nil, err
	}
	return out, nil
}

// setStatus writes the entries of refs as cred's credentialStatus, in
// place: one object for one entry (as the OB 3.0 strict schema requires),
// else an array. With check, cred is checked against the OB 3.0 schema
// with each entry on its own, since that schema rejects the array.
func setStatus(cred map[string]any, refs []store.StatusRef, check bool) error {
	entries := make([]any, 0, len(refs))
	for _, ref := range refs {
		entries = append(entries, entryFor(ref).Map())
	}
	if check {
		for _, e := range entries {
			cred["credentialStatus"] = e
			raw, err := jsonvalue.Marshal(cred)
			if err != nil {
				return fmt.Errorf("encoding credential: %w", err)
			}
			if err := validate(raw); err != nil {
				return err
			}
		}
	}
	if len(entries) == 1 {
		cred["credentialStatus"] = entries[0]
	} else {
		cred["credentialStatus"] = entries
	}
	return nil
}

// entryFor returns the credentialStatus entry for ref. Its id is the list
// URL with the index as fragment, unique per entry and not the list's URL.
func entryFor(ref store.StatusRef) *status.Entry {
	return &status.Entry{
		ID:                   ref.ListID + "#" + strconv.Itoa(ref.Index),
		Type:                 status.TypeBitstringEntry,
		StatusPurpose:        ref.Purpose,
		StatusListIndex:      ref.Index,
		StatusListCredential: ref.ListID,
	}
}

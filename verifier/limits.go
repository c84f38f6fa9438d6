package verifier

import (
	"time"

	"github.com/badgesmith/badgesmith/jsonld"
)

// Limits bounds the work one call to Verify may do, nested documents (status
// list credentials, endorsements) included. A zero field takes the default
// named beside it; the defaults let every genuine credential through with a
// wide margin and stop hostile input in well under a second.
type Limits struct {
	// Deadline bounds one verification end to end, every fetch included.
	// If zero, DefaultDeadline.
	Deadline time.Duration
	// MaxQuads bounds the RDF statements canonicalized for one document.
	// If zero, DefaultMaxQuads.
	MaxQuads int
	// MaxHashCalls bounds the blank-node hash computations (RDFC-1.0
	// first and n-degree hashes) for one document. If zero,
	// DefaultMaxHashCalls.
	MaxHashCalls int
	// MaxValuesPerProperty bounds the values one property of one node may
	// have. If zero, DefaultMaxValuesPerProperty.
	MaxValuesPerProperty int
	// MaxProofs bounds the proofs checked on one document. If zero,
	// DefaultMaxProofs.
	MaxProofs int
	// MaxStatusEntries bounds the credentialStatus entries of one
	// credential. If zero, DefaultMaxStatusEntries.
	MaxStatusEntries int
	// MaxInflatedBytes bounds the status list bytes decompressed in one
	// verification. If zero, DefaultMaxInflatedBytes. A list of at most
	// 256 KiB is also inflated once when fetched, for the cache, outside
	// this bound; its lookups are charged as if they inflated it.
	MaxInflatedBytes int64
	// MaxFetches bounds the documents fetched (or read from the status
	// directory) in one verification. If zero, DefaultMaxFetches.
	MaxFetches int
	// MaxDepth bounds the nesting of credentials verified on behalf of one
	// (a status list credential, a CLR's embedded credential or an
	// endorsement is depth 1). If zero, DefaultMaxDepth.
	MaxDepth int
}

// Defaults of Limits.
const (
	DefaultDeadline             = 30 * time.Second
	DefaultMaxQuads             = 20000
	DefaultMaxHashCalls         = 50000
	DefaultMaxValuesPerProperty = 5000
	DefaultMaxProofs            = 8
	DefaultMaxStatusEntries     = 16
	DefaultMaxInflatedBytes     = 32 << 20
	DefaultMaxFetches           = 32
	DefaultMaxDepth             = 2
)

// Work counts what one verification did. Each counter is deterministic for
// a given input and configuration, so tests assert bounds on it rather than
// on wall-clock time.
type Work struct {
	// Quads is the number of RDF statements canonicalized, over every
	// document verified.
	Quads int `json:"quads"`
	// HashCalls is the number of RDFC-1.0 blank-node hash computations.
	HashCalls int `json:"hashCalls"`
	// Proofs is the number of proofs examined.
	Proofs int `json:"proofs"`
	// StatusEntries is the number of credentialStatus entries examined.
	StatusEntries int `json:"statusEntries"`
	// BytesInflated is the number of status list bytes decompressed.
	BytesInflated int64 `json:"bytesInflated"`
	// Fetches is the number of documents requested over the network or
	// read from the status directory (cache hits excluded).
	Fetches int `json:"fetches"`
	// Connections is the number of network connections opened.
	Connections int `json:"connections"`
}

// withDefaults returns l with every zero field set to its default.
func (l Limits) withDefaults() Limits {
	set := func(p *int, d int) {
		if *p <= 0 {
			*p = d
		}
	}
	if l.Deadline <= 0 {
		l.Deadline = DefaultDeadline
	}
	set(&l.MaxQuads, DefaultMaxQuads)
	set(&l.MaxHashCalls, DefaultMaxHashCalls)
	set(&l.MaxValuesPerProperty, DefaultMaxValuesPerProperty)
	set(&l.MaxProofs, DefaultMaxProofs)
	set(&l.MaxStatusEntries, DefaultMaxStatusEntries)
	set(&l.MaxFetches, DefaultMaxFetches)
	set(&l.MaxDepth, DefaultMaxDepth)
	if l.MaxInflatedBytes <= 0 {
		l.MaxInflatedBytes = DefaultMaxInflatedBytes
	}
	return l
}

// canon is the part of l that bounds JSON-LD canonicalization. Zero fields
// stay zero: contexts' defaults equal the ones above.
func (l Limits) canon() jsonld.Limits {
	return jsonld.Limits{MaxQuads: l.MaxQuads, MaxHashCalls: l.MaxHashCalls, MaxValuesPerProperty: l.MaxValuesPerProperty}
}

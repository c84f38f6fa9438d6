package proof

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/mr-tron/base58"
	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/rdfc"
)

// Suite names a proof suite: a Data Integrity cryptosuite, or a legacy
// proof type that names its suite alone.
type Suite string

// Suites badgesmith signs and verifies.
const (
	// EddsaRdfc2022 is the Data Integrity cryptosuite eddsa-rdfc-2022, used
	// with proof type DataIntegrityProof.
	EddsaRdfc2022 Suite = "eddsa-rdfc-2022"
	// Ed25519Signature2020 is the legacy proof type of the same name.
	Ed25519Signature2020 Suite = "Ed25519Signature2020"
	// EddsaJcs2022 is the Data Integrity cryptosuite eddsa-jcs-2022: Ed25519
	// over RFC 8785 JSON canonicalization instead of RDF.
	EddsaJcs2022 Suite = "eddsa-jcs-2022"
	// EcdsaRdfc2019 is the Data Integrity cryptosuite ecdsa-rdfc-2019 with a
	// P-256 key (the only curve badgesmith accepts for it).
	EcdsaRdfc2019 Suite = "ecdsa-rdfc-2019"
)

const (
	typeDataIntegrity = "DataIntegrityProof"
	defaultPurpose    = "assertionMethod"
	// maxProofs bounds the proof set a verifier will look at.
	maxProofs = 16
	// maxProofValueLen bounds the multibase text decoded: a 96-byte
	// signature is at most 132 base58 characters.
	maxProofValueLen = 140
	// p384SignatureLen is an ECDSA P-384 signature, r and s of 48 bytes.
	p384SignatureLen = 96
)

var (
	// ErrNoProof means the document carries no proof.
	ErrNoProof = verdict.NewInvalid("no proof")
	// ErrMalformedProof means a proof is not a well-formed proof object: a
	// missing or mistyped field, a bad date, a proofValue that is not
	// base58btc multibase of a 64-byte signature.
	ErrMalformedProof = verdict.NewInvalid("malformed proof")
	// ErrUnknownSuite means the proof type or cryptosuite is not supported.
	ErrUnknownSuite = verdict.NewInconclusive("unknown proof suite")
	// ErrKeyType means the key does not fit the suite (eddsa suites take
	// only Ed25519 keys).
	ErrKeyType = verdict.NewInvalid("key type does not match suite")
	// ErrInvalidSignature means the signature does not verify over the
	// document and proof options: the credential was altered or signed by
	// another key.
	ErrInvalidSignature = verdict.NewInvalid("invalid signature")
	// ErrPurposeMismatch means the proof's proofPurpose is not the one the
	// verifier expects. It wraps ErrMalformedProof.
	ErrPurposeMismatch = fmt.Errorf("%w: proof purpose mismatch", ErrMalformedProof)
	// ErrExpired means the proof's expires time has passed. It wraps
	// ErrInvalidSignature: the proof no longer secures the document.
	ErrExpired = fmt.Errorf("%w: proof expired", ErrInvalidSignature)
)

// KeyFetcher returns the public key of a verification method, checking that
// its controller authorizes it for purpose (e.g. "assertionMethod").
type KeyFetcher interface {
	PublicKey(ctx context.Context, verificationMethod, purpose string) (crypto.PublicKey, error)
}

// KeyFetcherFunc adapts a function to KeyFetcher.
type KeyFetcherFunc func(ctx context.Context, verificationMethod, purpose string) (crypto.PublicKey, error)

// PublicKey calls f.
func (f KeyFetcherFunc) PublicKey(ctx context.Context, verificationMethod, purpose string) (crypto.PublicKey, error) {
	return f(ctx, verificationMethod, purpose)
}

// SignOptions configures Sign.
type SignOptions struct {
	// Suite is the proof suite. If empty, EddsaRdfc2022 is used.
	Suite Suite
	// VerificationMethod is the URL of the public key (required).
	VerificationMethod string
	// Created is the proof's creation time, written in UTC to the second.
	// If zero, Now is used.
	Created time.Time
	// Now returns the current time. If nil, time.Now is used.
	Now func() time.Time
	// ProofPurpose is the proof purpose. If empty, "assertionMethod" is used.
	ProofPurpose string
	// Loader resolves @context URLs. If nil, jsonld.NewLoader is used.
	Loader ld.DocumentLoader
	// ID is the proof's id, which a later proof names to chain to it. If
	// empty, the proof has none.
	ID string
	// Challenge and Domain, if set, are written to the proof as its
	// challenge and domain: a presentation signed for authentication
	// carries the verifier's challenge and its domain (VC Data Integrity
	// 1.0 §2.1), so it cannot be replayed elsewhere.
	Challenge string
	Domain    string
	// PreviousProof names the ids of proofs already on the document that
	// this one chains to (VC Data Integrity 1.0 §2.1.2): it signs the
	// document with them attached, so they cannot be removed or replaced
	// without breaking it.
	PreviousProof []string
	// Limits bounds the work of each RDF canonicalization; past a bound the
	// error wraps jsonld.ErrTooMuchWork. The zero value takes every
	// default.
	Limits jsonld.Limits
	// Work, if not nil, has the work of every canonicalization added to it.
	Work *jsonld.Work
}

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// Keys resolves verification methods to public keys (required).
	Keys KeyFetcher
	// Loader resolves @context URLs. If nil, jsonld.NewLoader is used.
	Loader ld.DocumentLoader
	// Purpose is the proof purpose required. If empty, "assertionMethod".
	Purpose string
	// Now returns the current time, compared with a proof's expires. If nil,
	// time.Now is used.
	Now func() time.Time
	// MaxProofs bounds the proof set; a larger set is refused whole. If
	// zero (or above the package's own cap of 16), 16.
	MaxProofs int
	// Statements asks for Result.Statements of eddsa-jcs-2022 proofs too,
	// which costs an RDF canonicalization those proofs do not otherwise
	// need. RDFC suites always report them; with Statements set they also
	// report them as Result.Quads.
	Statements bool
	// Limits bounds the work of each RDF canonicalization (the document
	// once, each proof's options); MaxQuads and MaxHashCalls bound them all
	// together, over the whole proof set (a chained or eddsa-jcs-2022
	// proof canonicalizes the document again). Past a bound the error
	// wraps jsonld.ErrTooMuchWork. The zero value takes every default.
	Limits jsonld.Limits
	// Work, if not nil, has the work of every canonicalization added to it.
	Work *jsonld.Work
}

// Result describes the proof that verified.
type Result struct {
	// Index is the position of the proof in the document's proof set.
	Index int
	// Suite is the proof's suite.
	Suite Suite
	// VerificationMethod is the proof's verificationMethod.
	VerificationMethod string
	// Created is the proof's created value as written.
	Created string
	// Purpose is the proof's proofPurpose.
	Purpose string
	// PreviousProofs are the positions of the proofs this one names in
	// previousProof, in the order it names them.
	PreviousProofs []int
	// Statements are the RDFC-1.0 canonical N-Quads of the document this
	// proof signed, without its own proof: what the signature covers, read
	// as RDF. Checks that judge the document's claims read them, never the
	// JSON, which can say the same in many shapes. For eddsa-jcs-2022 they
	// are set only when VerifyOptions.Statements asks.
	Statements []byte
	// Quads are Statements as RDF terms, set only when
	// VerifyOptions.Statements asks: exactly what
	// rdfc.ParseNQuads(Statements) returns (blank nodes with their
	// canonical labels, in canonical order), so a caller building a graph
	// from them need not parse the text.
	Quads []rdfc.Quad
	// ProofOptions are the RDFC-1.0 canonical N-Quads of the proof's
	// options (the proof without proofValue, with the document's
	// @context): what the signature covers of the proof itself, so a
	// verifier reads challenge, domain and purpose there rather than in
	// the JSON. For eddsa-jcs-2022, which signs the options' JSON, they
	// are that JSON read as RDF, set only when VerifyOptions.Statements
	// asks. Set when the proof verified.
	ProofOptions []byte
	// ProofOptionsHash and DocumentHash are the two SHA-256 hashes whose
	// concatenation the signature covers: of the canonical proof options
	// (the proof without proofValue) and of the canonical document. Set
	// when the proof verified.
	ProofOptionsHash []byte
	DocumentHash     []byte
}

// Error locates a problem with one proof of a document.
type Error struct {
	// Index is the position of the proof in the proof set.
	Index int
	// Field names the offending proof field ("proofValue"); empty when the
	// problem is the proof as a whole.
	Field string
	// Err is the cause; it wraps one of the package's sentinels or, for a
	// key that could not be fetched, the fetcher's error.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("proof[%d]: %v", e.Index, e.Err)
	}
	return fmt.Sprintf("proof[%d].%s: %v", e.Index, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// suite is what differs between the supported proof kinds.
type suite struct {
	name        Suite
	proofType   string
	cryptosuite string // "" for suites identified by type alone
	// context is added to the document (when signing) and to the proof
	// configuration if absent, because the suite's terms live there.
	context string
	// jcs selects RFC 8785 JSON canonicalization instead of RDFC-1.0.
	jcs bool
	// alg is the signature algorithm and the one key type it accepts.
	alg sigAlg
}

var (
	suiteEddsaRdfc  = suite{name: EddsaRdfc2022, proofType: typeDataIntegrity, cryptosuite: string(EddsaRdfc2022), alg: algEd25519}
	suiteEd2020     = suite{name: Ed25519Signature2020, proofType: string(Ed25519Signature2020), context: contexts.Ed25519Signature2020V1, alg: algEd25519}
	suiteEddsaJcs   = suite{name: EddsaJcs2022, proofType: typeDataIntegrity, cryptosuite: string(EddsaJcs2022), jcs: true, alg: algEd25519}
	suiteEcdsaRdfc  = suite{name: EcdsaRdfc2019, proofType: typeDataIntegrity, cryptosuite: string(EcdsaRdfc2019), alg: algP256}
	dataIntegrities = []suite{suiteEddsaRdfc, suiteEddsaJcs, suiteEcdsaRdfc}
)

func suiteByName(name Suite) (suite, error) {
	switch name {
	case "":
		return suiteEddsaRdfc, nil
	case Ed25519Signature2020:
		return suiteEd2020, nil
	}
	for _, s := range dataIntegrities {
		if s.name == name {
			return s, nil
		}
	}
	return suite{}, fmt.Errorf("%w: %q", ErrUnknownSuite, name)
}

// withoutProof returns a shallow copy of doc without its proof member.
func withoutProof(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		if k != "proof" {
			out[k] = v
		}
	}
	return out
}

// withContext returns the @context value ctxv with url appended unless it
// is already there; ctxv itself is not modified.
func withContext(ctxv any, url string) any {
	if url == "" {
		return ctxv
	}
	var list []any
	switch c := ctxv.(type) {
	case nil:
		return []any{url}
	case []any:
		for _, e := range c {
			if e == url {
				return ctxv
			}
		}
		list = append(append(list, c...), url)
	default:
		if c == url {
			return ctxv
		}
		list = []any{c, url}
	}
	return list
}

func defaultLoader(l ld.DocumentLoader) (ld.DocumentLoader, error) {
	if l != nil {
		return l, nil
	}
	return jsonld.NewLoader()
}

// encodeProofValue is multibase base58btc.
func encodeProofValue(sig []byte) string { return "z" + base58.Encode(sig) }

// decodeProofValue accepts only the canonical base58btc multibase text of a
// 64-byte signature (Ed25519, ECDSA P-256) or a 96-byte one (ECDSA P-384,
// which the suites read far enough to judge its key, see sigAlg.verify).
func decodeProofValue(s string) ([]byte, error) {
	if len(s) > maxProofValueLen {
		return nil, fmt.Errorf("%w: %d characters, more than a signature needs", ErrMalformedProof, len(s))
	}
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("%w: not base58btc multibase (must start with 'z')", ErrMalformedProof)
	}
	if sig, ok := decodeSignature(s[1:]); ok {
		return sig, nil
	}
	// Anything else the general decoder judges, and says what is wrong.
	sig, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedProof, err)
	}
	if len(sig) != ed25519.SignatureSize && len(sig) != p384SignatureLen {
		return nil, fmt.Errorf("%w: signature is %d bytes, want %d (or %d for P-384)", ErrMalformedProof, len(sig), ed25519.SignatureSize, p384SignatureLen)
	}
	if base58.Encode(sig) != s[1:] {
		return nil, fmt.Errorf("%w: non-canonical base58", ErrMalformedProof)
	}
	return sig, nil
}

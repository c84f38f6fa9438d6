package proof

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
)

// Sign returns a new top-level map holding doc's members with a new proof
// appended to its "proof" member (which becomes a new array). The proof
// signs the document without any existing proofs, or with the ones
// opts.PreviousProof names. For Ed25519Signature2020 the suite's context is
// appended to a new @context when missing. doc itself is never modified,
// but the result shares nested values with doc (no deep copy, which cost
// more than a tenth of signing a realistic credential): do not mutate one
// and expect the other unchanged.
//
// key must be an ed25519.PrivateKey for the eddsa suites and a P-256
// *ecdsa.PrivateKey for ecdsa-rdfc-2019, else the error wraps ErrKeyType.
// For eddsa-jcs-2022 the document's @context is copied into the proof.
// A document that safe-mode
// canonicalization refuses is not signed: the error wraps
// jsonld.ErrDataLoss and names the JSON path.
func Sign(ctx context.Context, doc map[string]any, key crypto.PrivateKey, opts SignOptions) (map[string]any, error) {
	s, err := suiteByName(opts.Suite)
	if err != nil {
		return nil, err
	}
	// Check the key before any canonicalization work.
	if err := s.alg.checkPrivate(key); err != nil {
		return nil, err
	}
	if opts.VerificationMethod == "" {
		return nil, errors.New("signing: verification method required")
	}
	loader, err := defaultLoader(opts.Loader)
	if err != nil {
		return nil, err
	}
	created := opts.Created
	if created.IsZero() {
		now := opts.Now
		if now == nil {
			now = time.Now
		}
		created = now()
	}
	purpose := opts.ProofPurpose
	if purpose == "" {
		purpose = defaultPurpose
	}

	// A nil document is signed as an empty one, as before.
	out := make(map[string]any, len(doc)+1)
	for k, v := range doc {
		out[k] = v
	}
	if s.context != "" {
		out["@context"] = withContext(out["@context"], s.context)
	}
	options := map[string]any{
		"type":               s.proofType,
		"created":            created.UTC().Format(time.RFC3339),
		"verificationMethod": opts.VerificationMethod,
		"proofPurpose":       purpose,
	}
	if s.cryptosuite != "" {
		options["cryptosuite"] = s.cryptosuite
	}
	if opts.ID != "" {
		options["id"] = opts.ID
	}
	if opts.Challenge != "" {
		options["challenge"] = opts.Challenge
	}
	if opts.Domain != "" {
		options["domain"] = opts.Domain
	}
	// What is signed is out without its proofs; a document without any
	// is signed as it is, before the new proof is added below.
	unsigned := out
	if _, has := out["proof"]; has || len(opts.PreviousProof) > 0 {
		unsigned = withoutProof(out)
	}
	if len(opts.PreviousProof) > 0 {
		linked, err := linkedProofs(out["proof"], opts.PreviousProof)
		if err != nil {
			return nil, fmt.Errorf("signing: %w", err)
		}
		unsigned["proof"] = linked
		names := make([]any, len(opts.PreviousProof))
		for i, n := range opts.PreviousProof {
			names[i] = n
		}
		options["previousProof"] = names
		if len(names) == 1 {
			options["previousProof"] = names[0]
		}
	}
	if c, ok := out["@context"]; ok && s.jcs {
		// eddsa-jcs-2022 stores the document's @context in the proof, so
		// that a verifier can tell which contexts were signed.
		options["@context"] = jsonvalue.Clone(c)
	}
	config := jsonvalue.CloneObject(options)
	config["@context"] = out["@context"]

	co := canonOptions(loader, opts.Limits, opts.Work)
	docHash, err := s.documentHash(ctx, unsigned, co)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	data, err := s.hashData(ctx, config, docHash, co)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	sig, err := s.alg.sign(key, data)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	options["proofValue"] = encodeProofValue(sig)

	switch p := out["proof"].(type) {
	case nil:
		out["proof"] = []any{options}
	case []any:
		// A new array: appending to p could write into the backing array
		// doc's proof list shares.
		out["proof"] = append(p[:len(p):len(p)], options)
	default:
		out["proof"] = []any{p, options}
	}
	return out, nil
}

func ed25519Private(key crypto.PrivateKey) (ed25519.PrivateKey, error) {
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if len(k) == ed25519.PrivateKeySize {
			return k, nil
		}
	case *ed25519.PrivateKey:
		if k != nil && len(*k) == ed25519.PrivateKeySize {
			return *k, nil
		}
	}
	return nil, fmt.Errorf("%w: want an Ed25519 private key, got %T", ErrKeyType, key)
}

// linkedProofs returns the proofs of the proof member existing whose ids
// are names, in the order of names: what a chained proof signs besides the
// document.
func linkedProofs(existing any, names []string) ([]any, error) {
	var proofs []any
	switch p := existing.(type) {
	case map[string]any:
		proofs = []any{p}
	case []any:
		proofs = p
	}
	out := make([]any, 0, len(names))
	for _, name := range names {
		found := false
		for _, q := range proofs {
			if m, ok := q.(map[string]any); ok && name != "" && m["id"] == name {
				out = append(out, m)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("previous proof %q is not in the document's proof set: %w", name, ErrMalformedProof)
		}
	}
	return out, nil
}

package proof

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/jcs"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/rdfc"
)

// ErrJCS means a value has no RFC 8785 canonical form (see package jcs).
var ErrJCS = jcs.ErrNoForm

// CanonicalJSON returns the RFC 8785 JSON Canonicalization Scheme form of v;
// see jcs.Marshal.
func CanonicalJSON(v any) ([]byte, error) { return jcs.Marshal(v) }

// canonical returns the suite's canonical form of a document or proof
// configuration: RFC 8785 JCS or RDFC-1.0 N-Quads (with co's loader,
// limits and work counter).
func (s suite) canonical(ctx context.Context, v map[string]any, co jsonld.CanonOptions) ([]byte, error) {
	if s.jcs {
		return CanonicalJSON(v)
	}
	return jsonld.Canonicalize(ctx, v, co)
}

// canonOptions are the canonicalization options for a loader, limits and
// work counter.
func canonOptions(loader ld.DocumentLoader, limits jsonld.Limits, work *jsonld.Work) jsonld.CanonOptions {
	return jsonld.CanonOptions{Loader: loader, Limits: limits, Work: work}
}

// documentHash is SHA-256 of the suite's canonical form of doc, which must
// not carry its proof.
func (s suite) documentHash(ctx context.Context, doc map[string]any, co jsonld.CanonOptions) ([]byte, error) {
	if s.jcs {
		_, h, err := s.documentCanon(ctx, doc, co)
		return h, err
	}
	// The N-Quads go straight into the hash.
	h := sha256.New()
	if err := jsonld.CanonicalizeTo(ctx, h, doc, co); err != nil {
		return nil, fmt.Errorf("canonicalizing document: %w", err)
	}
	return h.Sum(nil), nil
}

// documentCanon is the suite's canonical form of doc and its SHA-256.
func (s suite) documentCanon(ctx context.Context, doc map[string]any, co jsonld.CanonOptions) (canon, hash []byte, err error) {
	canon, err = s.canonical(ctx, doc, co)
	if err != nil {
		return nil, nil, fmt.Errorf("canonicalizing document: %w", err)
	}
	h := sha256.Sum256(canon)
	return canon, h[:], nil
}

// documentQuads is documentCanon for a caller that also wants the
// statements as terms (Result.Quads); for eddsa-jcs-2022, whose canonical
// form is JSON, quads is nil.
func (s suite) documentQuads(ctx context.Context, doc map[string]any, co jsonld.CanonOptions) (canon, hash []byte, quads []rdfc.Quad, err error) {
	if s.jcs {
		canon, hash, err = s.documentCanon(ctx, doc, co)
		return canon, hash, nil, err
	}
	canon, quads, err = jsonld.CanonicalizeQuads(ctx, doc, co)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("canonicalizing document: %w", err)
	}
	h := sha256.Sum256(canon)
	return canon, h[:], quads, nil
}

// hashData is SHA-256(canon(proofConfig)) || docHash, the 64 bytes every
// suite signs (proof hash first).
func (s suite) hashData(ctx context.Context, proofConfig map[string]any, docHash []byte, co jsonld.CanonOptions) ([]byte, error) {
	out := make([]byte, 0, 64)
	if s.jcs {
		canon, err := s.canonical(ctx, proofConfig, co)
		if err != nil {
			return nil, fmt.Errorf("canonicalizing proof options: %w", err)
		}
		ph := sha256.Sum256(canon)
		out = append(out, ph[:]...)
	} else {
		// The N-Quads go straight into the hash.
		h := sha256.New()
		if err := jsonld.CanonicalizeTo(ctx, h, proofConfig, co); err != nil {
			return nil, fmt.Errorf("canonicalizing proof options: %w", err)
		}
		out = h.Sum(out)
	}
	return append(out, docHash...), nil
}

// hashDataCanon is hashData that also returns the suite's canonical form
// of the proof options.
func (s suite) hashDataCanon(ctx context.Context, proofConfig map[string]any, docHash []byte, co jsonld.CanonOptions) (data, canon []byte, err error) {
	canon, err = s.canonical(ctx, proofConfig, co)
	if err != nil {
		return nil, nil, fmt.Errorf("canonicalizing proof options: %w", err)
	}
	ph := sha256.Sum256(canon)
	out := make([]byte, 0, 64)
	out = append(out, ph[:]...)
	return append(out, docHash...), canon, nil
}

// contextPrefix reports whether the document @context docCtx starts with
// every entry of the proof @context proofCtx, in order (eddsa-jcs-2022
// verification step 4.1). Both may be a single value or an array.
func contextPrefix(docCtx, proofCtx any) bool {
	asList := func(v any) []any {
		if l, ok := v.([]any); ok {
			return l
		}
		return []any{v}
	}
	d, p := asList(docCtx), asList(proofCtx)
	if len(p) > len(d) {
		return false
	}
	for i := range p {
		a, err1 := CanonicalJSON(p[i])
		b, err2 := CanonicalJSON(d[i])
		if err1 != nil || err2 != nil || string(a) != string(b) {
			return false
		}
	}
	return true
}

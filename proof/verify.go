package proof

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/contexts"
)

// Verify checks the Data Integrity proofs of doc; one valid proof suffices,
// and its Result is returned. Proofs are tried in order.
//
// An error wrapping ErrNoProof, ErrMalformedProof, ErrUnknownSuite,
// ErrKeyType, ErrInvalidSignature, contexts.ErrDataLoss or
// contexts.ErrMalformed means the
// credential is bad. Any other error (the key fetcher failing, a context that
// is not bundled, a canceled ctx) means it could not be checked. Errors about
// one proof are *Error values naming proof[i] and the field; with
// several proofs the errors of all of them are joined.
func Verify(ctx context.Context, doc map[string]any, opts VerifyOptions) (*Result, error) {
	if opts.Keys == nil {
		return nil, errors.New("verifying: no key fetcher")
	}
	loader, err := defaultLoader(opts.Loader)
	if err != nil {
		return nil, err
	}
	purpose := opts.Purpose
	if purpose == "" {
		purpose = defaultPurpose
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}

	var proofs []any
	switch p := doc["proof"].(type) {
	case nil:
		return nil, ErrNoProof
	case map[string]any:
		proofs = []any{p}
	case []any:
		proofs = p
	default:
		return nil, &Error{Index: 0, Err: fmt.Errorf("%w: proof is %s, want an object or array of objects", ErrMalformedProof, jsonKind(p))}
	}
	if len(proofs) == 0 {
		return nil, ErrNoProof
	}
	if len(proofs) > maxProofs {
		return nil, fmt.Errorf("%w: %d proofs, at most %d are checked", ErrMalformedProof, len(proofs), maxProofs)
	}

	v := &verifier{doc: doc, loader: loader, opts: opts, purpose: purpose, now: now}
	var errs []error
	for i, p := range proofs {
		res, err := v.one(ctx, i, p)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}

type verifier struct {
	doc     map[string]any
	loader  ld.DocumentLoader
	opts    VerifyOptions
	purpose string
	now     func() time.Time
	// docHash is the SHA-256 of the RDFC-1.0 canonical document without
	// proofs, shared by every RDFC proof; docErr remembers why it could not
	// be made.
	docHash []byte
	docErr  error
}

func (v *verifier) one(ctx context.Context, i int, raw any) (*Result, error) {
	perr := func(field string, err error) error { return &Error{Index: i, Field: field, Err: err} }
	p, ok := raw.(map[string]any)
	if !ok {
		return nil, perr("", fmt.Errorf("%w: proof is %s, want an object", ErrMalformedProof, jsonKind(raw)))
	}
	str := func(field string, required bool) (string, error) {
		x, present := p[field]
		if !present {
			if required {
				return "", perr(field, fmt.Errorf("%w: missing", ErrMalformedProof))
			}
			return "", nil
		}
		s, ok := x.(string)
		if !ok || (required && s == "") {
			return "", perr(field, fmt.Errorf("%w: want a non-empty string, got %s", ErrMalformedProof, jsonKind(x)))
		}
		return s, nil
	}

	typ, err := str("type", true)
	if err != nil {
		return nil, err
	}
	var s suite
	switch typ {
	case typeDataIntegrity:
		cs, err := str("cryptosuite", true)
		if err != nil {
			return nil, err
		}
		found := false
		for _, di := range dataIntegrities {
			if di.cryptosuite == cs {
				s, found = di, true
			}
		}
		if !found {
			return nil, perr("cryptosuite", fmt.Errorf("%w: %q", ErrUnknownSuite, cs))
		}
	case Ed25519Signature2020:
		if _, has := p["cryptosuite"]; has {
			return nil, perr("cryptosuite", fmt.Errorf("%w: not allowed with type %s", ErrMalformedProof, typ))
		}
		s = suiteEd2020
	default:
		return nil, perr("type", fmt.Errorf("%w: %q", ErrUnknownSuite, typ))
	}

	purpose, err := str("proofPurpose", true)
	if err != nil {
		return nil, err
	}
	if purpose != v.purpose {
		return nil, perr("proofPurpose", fmt.Errorf("%w: %q, want %q", ErrPurposeMismatch, purpose, v.purpose))
	}
	created, err := str("created", true)
	if err != nil {
		return nil, err
	}
	if _, err := parseDateTimeStamp(created); err != nil {
		return nil, perr("created", fmt.Errorf("%w: %w", ErrMalformedProof, err))
	}
	expires, err := str("expires", false)
	if err != nil {
		return nil, err
	}
	if expires != "" {
		t, err := parseDateTimeStamp(expires)
		if err != nil {
			return nil, perr("expires", fmt.Errorf("%w: %w", ErrMalformedProof, err))
		}
		if !v.now().Before(t) {
			return nil, perr("expires", fmt.Errorf("%w at %s", ErrExpired, expires))
		}
	}
	vm, err := str("verificationMethod", true)
	if err != nil {
		return nil, err
	}
	pv, err := str("proofValue", true)
	if err != nil {
		return nil, err
	}
	sig, err := decodeProofValue(pv)
	if err != nil {
		return nil, perr("proofValue", err)
	}

	key, err := v.opts.Keys.PublicKey(ctx, vm, purpose)
	if err != nil {
		return nil, perr("verificationMethod", fmt.Errorf("fetching key %s: %w", vm, err))
	}
	pub, err := s.alg.public(key)
	if err != nil {
		return nil, perr("verificationMethod", err)
	}

	config := make(map[string]any, len(p))
	for k, x := range p {
		if k != "proofValue" {
			config[k] = x
		}
	}
	var docHash []byte
	if s.jcs {
		docHash, err = v.jcsDocumentHash(ctx, config)
		if err != nil {
			return nil, perr("@context", err)
		}
	} else {
		if v.docHash == nil && v.docErr == nil {
			v.docHash, v.docErr = s.documentHash(ctx, withoutProof(v.doc), v.canon())
		}
		if v.docErr != nil {
			return nil, v.docErr
		}
		docHash = v.docHash
		config["@context"] = withContext(v.doc["@context"], s.context)
	}
	data, err := s.hashData(ctx, config, docHash, v.canon())
	if err != nil {
		return nil, perr("", err)
	}
	if !s.alg.verify(pub, data, sig) {
		return nil, perr("proofValue", ErrInvalidSignature)
	}
	return &Result{Index: i, Suite: s.name, VerificationMethod: vm, Created: created, Purpose: purpose}, nil
}

// jcsDocumentHash hashes the document for an eddsa-jcs-2022 proof whose
// options (proof minus proofValue) are config: when the proof carries an
// @context, the document's must start with it, and the document is hashed
// with the proof's @context (vc-di-eddsa §3.3.2 step 4).
func (v *verifier) jcsDocumentHash(ctx context.Context, config map[string]any) ([]byte, error) {
	doc := withoutProof(v.doc)
	if pc, ok := config["@context"]; ok {
		if !contextPrefix(v.doc["@context"], pc) {
			return nil, fmt.Errorf("%w: the document @context does not start with the proof @context", ErrInvalidSignature)
		}
		doc["@context"] = pc
	}
	return suiteEddsaJcs.documentHash(ctx, doc, v.canon())
}

// canon is the canonicalization options of every proof.
func (v *verifier) canon() contexts.CanonOptions {
	return canonOptions(v.loader, v.opts.Limits, v.opts.Work)
}

func ed25519Public(key crypto.PublicKey) (ed25519.PublicKey, error) {
	switch k := key.(type) {
	case ed25519.PublicKey:
		if len(k) == ed25519.PublicKeySize {
			return k, nil
		}
	case *ed25519.PublicKey:
		if k != nil && len(*k) == ed25519.PublicKeySize {
			return *k, nil
		}
	}
	return nil, fmt.Errorf("%w: eddsa suites need an Ed25519 public key, got %T", ErrKeyType, key)
}

// parseDateTimeStamp parses an XML Schema dateTimeStamp: an RFC 3339 date
// and time whose time zone is required.
func parseDateTimeStamp(s string) (time.Time, error) {
	if len(s) > 64 {
		return time.Time{}, fmt.Errorf("date-time of %d characters", len(s))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date-time with time zone", s)
	}
	return t, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return "a number"
	}
}

package proof

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/rdfc"
)

// Verify checks the Data Integrity proofs of doc; one valid proof suffices,
// and its Result is returned. Proofs are tried in order.
//
// An error wrapping ErrNoProof, ErrMalformedProof, ErrUnknownSuite,
// ErrKeyType, ErrInvalidSignature, jsonld.ErrDataLoss or
// jsonld.ErrMalformed means the
// credential is bad. Any other error (the key fetcher failing, a context that
// is not bundled, a canceled ctx) means it could not be checked. Errors about
// one proof are *Error values naming proof[i] and the field; with
// several proofs the errors of all of them are joined.
//
// Verify suits a signer checking its own output. A verifier that must know
// which proof verified with which key uses ParseSet, to judge each proof's
// verification method before any key is fetched, then VerifySet.
func Verify(ctx context.Context, doc map[string]any, opts VerifyOptions) (*Result, error) {
	outcomes, err := VerifySet(ctx, doc, opts)
	if err != nil {
		return nil, err
	}
	return FirstVerified(outcomes)
}

// FirstVerified is the Result of the first of outcomes that verified, as
// Verify judges a proof set; when none did, the error of the one proof, or
// the errors of all of them joined.
func FirstVerified(outcomes []Outcome) (*Result, error) {
	errs := make([]error, 0, len(outcomes))
	for i := range outcomes {
		if outcomes[i].Err == nil {
			return &outcomes[i].Result, nil
		}
		errs = append(errs, outcomes[i].Err)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}

// Outcome is the verdict on one proof of a proof set.
type Outcome struct {
	// Result describes the proof. Suite and VerificationMethod are set
	// whenever the proof could be read, Statements only when it verified.
	Result
	// Err is nil when the proof verified, otherwise a *Error saying why
	// not. The sentinels it wraps tell a bad proof from one that could not
	// be checked, as for Verify.
	Err error
}

// VerifySet checks every proof of doc on its own and returns one Outcome
// per proof, in document order: a proof that fails never hides another
// that verifies, and no state passes from one proof to the next. A proof
// naming a previousProof is checked over the document with those proofs
// attached (a proof chain, VC Data Integrity 1.0 §4.5); its Outcome lists
// their positions, and it is the caller's policy whether they must verify
// too.
//
// VerifyOptions.Keys is asked for a key only for a proof that reads (see
// ParseSet): a malformed proof never causes a fetch.
//
// The error is for the document as a whole: no proof (ErrNoProof), a proof
// member that is not an object or array, more proofs than
// VerifyOptions.MaxProofs (ErrMalformedProof), or a canceled ctx.
func VerifySet(ctx context.Context, doc map[string]any, opts VerifyOptions) ([]Outcome, error) {
	if opts.Keys == nil {
		return nil, errors.New("verifying: no key fetcher")
	}
	loader, err := defaultLoader(opts.Loader)
	if err != nil {
		return nil, err
	}
	v, err := newVerifier(doc, opts)
	if err != nil {
		return nil, err
	}
	v.loader = loader
	defer func() {
		if opts.Work != nil {
			opts.Work.Add(v.spent)
		}
	}()
	out := make([]Outcome, len(v.proofs))
	for i, p := range v.proofs {
		out[i] = v.one(ctx, i, p)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ParseSet reads every proof of doc as VerifySet would, without fetching a
// key or canonicalizing anything, and returns one Outcome per proof in
// document order: the step before verification, for a caller that must
// judge each proof's verification method (whose key it is, whether to
// fetch it) before any key is asked for.
//
// An Outcome's Err is the error VerifySet gives the same proof before it
// would ask VerifyOptions.Keys for a key: a malformed proof, an unknown
// suite, another proof purpose, an expired proof, a previousProof naming
// no proof. Such a proof cannot verify with any key, and VerifySet never
// asks for its key. An Outcome with a nil Err has only been read: its
// Suite, VerificationMethod, Purpose, Created and PreviousProofs are what
// the proof claims, and VerifySet asks for the key of exactly these
// proofs, by VerificationMethod and Purpose. opts.Keys and opts.Loader are
// not used. The error is VerifySet's for the document as a whole.
func ParseSet(doc map[string]any, opts VerifyOptions) ([]Outcome, error) {
	v, err := newVerifier(doc, opts)
	if err != nil {
		return nil, err
	}
	out := make([]Outcome, len(v.proofs))
	for i, p := range v.proofs {
		out[i] = Outcome{Result: Result{Index: i}}
		if _, err := v.parse(i, p, &out[i].Result); err != nil {
			out[i].Err = err
		}
	}
	return out, nil
}

// newVerifier reads doc's proof set under opts, without its loader: the
// document-level checks VerifySet and ParseSet share.
func newVerifier(doc map[string]any, opts VerifyOptions) (*verifier, error) {
	purpose := opts.Purpose
	if purpose == "" {
		purpose = defaultPurpose
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	limit := opts.MaxProofs
	if limit <= 0 || limit > maxProofs {
		limit = maxProofs
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
	if len(proofs) > limit {
		return nil, fmt.Errorf("%w: %d proofs, at most %d are checked", ErrMalformedProof, len(proofs), limit)
	}
	return &verifier{doc: doc, proofs: proofs, opts: opts, purpose: purpose, now: now}, nil
}

type verifier struct {
	doc     map[string]any
	proofs  []any
	loader  ld.DocumentLoader
	opts    VerifyOptions
	purpose string
	now     func() time.Time
	// docCanon and docHash are the RDFC-1.0 canonical document without
	// proofs and its SHA-256, shared by every RDFC proof outside a chain;
	// docErr remembers why they could not be made.
	docCanon []byte
	docHash  []byte
	docQuads []rdfc.Quad
	docErr   error
	// spent is the canonicalization work of the set so far, which
	// opts.Limits bounds as a whole.
	spent jsonld.Work
}

func (v *verifier) one(ctx context.Context, i int, raw any) Outcome {
	o := Outcome{Result: Result{Index: i}}
	res, err := v.check(ctx, i, raw, &o.Result)
	if err != nil {
		o.Err = err
		return o
	}
	o.Result = *res
	return o
}

// parsed is one proof read and checked for shape: everything verifying it
// needs but the key.
type parsed struct {
	p        map[string]any
	s        suite
	vm       string
	purpose  string
	created  string
	previous []int
	sig      []byte
}

// parse reads proof i and checks its shape, its suite, its purpose and its
// expiry: every check that needs no key. seen is filled in as fields are
// read, so a failing proof still reports its suite and verification
// method.
func (v *verifier) parse(i int, raw any, seen *Result) (*parsed, error) {
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
	case string(Ed25519Signature2020):
		if _, has := p["cryptosuite"]; has {
			return nil, perr("cryptosuite", fmt.Errorf("%w: not allowed with type %s", ErrMalformedProof, typ))
		}
		s = suiteEd2020
	default:
		return nil, perr("type", fmt.Errorf("%w: %q", ErrUnknownSuite, typ))
	}
	seen.Suite = s.name

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
	if _, err := jsonld.ParseDateTimeStamp(created); err != nil {
		return nil, perr("created", fmt.Errorf("%w: %w", ErrMalformedProof, err))
	}
	expires, err := str("expires", false)
	if err != nil {
		return nil, err
	}
	if expires != "" {
		t, err := jsonld.ParseDateTimeStamp(expires)
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
	seen.VerificationMethod, seen.Purpose, seen.Created = vm, purpose, created
	previous, err := v.previousProofs(i, p)
	if err != nil {
		return nil, err
	}
	seen.PreviousProofs = previous
	pv, err := str("proofValue", true)
	if err != nil {
		return nil, err
	}
	sig, err := decodeProofValue(pv)
	if err != nil {
		return nil, perr("proofValue", err)
	}
	return &parsed{p: p, s: s, vm: vm, purpose: purpose, created: created, previous: previous, sig: sig}, nil
}

// check verifies proof i, first read by parse: the key of its
// verification method is asked for only once the proof reads.
func (v *verifier) check(ctx context.Context, i int, raw any, seen *Result) (*Result, error) {
	pp, err := v.parse(i, raw, seen)
	if err != nil {
		return nil, err
	}
	perr := func(field string, err error) error { return &Error{Index: i, Field: field, Err: err} }
	p, s, vm, purpose, created, previous, sig := pp.p, pp.s, pp.vm, pp.purpose, pp.created, pp.previous, pp.sig
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
	var docCanon, docHash []byte
	var docQuads []rdfc.Quad
	switch {
	case s.jcs:
		docHash, err = v.jcsDocumentHash(ctx, config, previous)
		if err != nil {
			return nil, perr("@context", err)
		}
	case len(previous) > 0:
		// A chained proof signs the document with the proofs it names.
		chained := withoutProof(v.doc)
		linked := make([]any, 0, len(previous))
		for _, j := range previous {
			linked = append(linked, v.proofs[j])
		}
		chained["proof"] = linked
		docCanon, docHash, docQuads, err = v.documentCanon(ctx, s, chained, "")
		if err != nil {
			return nil, err
		}
		config["@context"] = withContext(v.doc["@context"], s.context)
	default:
		if v.docHash == nil && v.docErr == nil {
			// The document without its proof, which the fast path reads
			// without copying the document.
			v.docCanon, v.docHash, v.docQuads, v.docErr = v.documentCanon(ctx, s, v.doc, "proof")
		}
		if v.docErr != nil {
			return nil, v.docErr
		}
		docCanon, docHash, docQuads = v.docCanon, v.docHash, v.docQuads
		config["@context"] = withContext(v.doc["@context"], s.context)
	}
	data, optCanon, err := s.hashDataCanon(ctx, config, docHash, v.canon())
	if err != nil {
		return nil, perr("", err)
	}
	if !s.alg.verify(pub, data, sig) {
		return nil, perr("proofValue", ErrInvalidSignature)
	}
	if s.jcs {
		optCanon = nil
	}
	if s.jcs && v.opts.Statements {
		// The statements an eddsa-jcs-2022 proof covers are the document
		// read with the proof's own @context (vc-di-eddsa §3.3.2).
		if docCanon, docQuads, err = v.jcsStatements(ctx, config, previous); err != nil {
			return nil, perr("@context", err)
		}
		if optCanon, err = v.jcsProofStatements(ctx, config); err != nil {
			return nil, perr("", err)
		}
	}
	return &Result{Index: i, Suite: s.name, VerificationMethod: vm, Created: created, Purpose: purpose, PreviousProofs: previous, Statements: docCanon, Quads: docQuads,
		ProofOptions: optCanon, ProofOptionsHash: data[:len(data)-len(docHash)], DocumentHash: docHash}, nil
}

// documentCanon is s.documentCanon with v's limits, and the statements
// as terms when v.opts.Statements asks for them, of doc without its
// top-level member omit (jsonld.CanonOptions.Omit); s is an RDFC suite.
func (v *verifier) documentCanon(ctx context.Context, s suite, doc map[string]any, omit string) (canon, hash []byte, quads []rdfc.Quad, err error) {
	if s.jcs && omit == "proof" {
		// JCS reads the JSON itself.
		doc, omit = withoutProof(doc), ""
	}
	co := v.canon()
	co.Omit = omit
	if v.opts.Statements {
		return s.documentQuads(ctx, doc, co)
	}
	canon, hash, err = s.documentCanon(ctx, doc, co)
	return canon, hash, nil, err
}

// canon is the canonicalization options of every proof: the quads and
// hash calls left of opts.Limits once the set's earlier canonicalizations
// are counted, so that chained and eddsa-jcs-2022 proofs, each
// canonicalizing the document again, cannot multiply the work by the
// number of proofs. With nothing left, the bound is 1, which every
// document exceeds.
func (v *verifier) canon() jsonld.CanonOptions {
	l := v.opts.Limits
	maxQuads, maxHash := l.MaxQuads, l.MaxHashCalls
	if maxQuads <= 0 {
		maxQuads = jsonld.DefaultMaxQuads
	}
	if maxHash <= 0 {
		maxHash = jsonld.DefaultMaxHashCalls
	}
	l.MaxQuads = max(maxQuads-v.spent.Quads, 1)
	l.MaxHashCalls = max(maxHash-v.spent.HashCalls, 1)
	return canonOptions(v.loader, l, &v.spent)
}

// jcsDocumentHash hashes the document for an eddsa-jcs-2022 proof whose
// options (proof minus proofValue) are config: when the proof carries an
// @context, the document's must start with it, and the document is hashed
// with the proof's @context (vc-di-eddsa §3.3.2 step 4), and with the
// proofs at previous attached, as for every suite (a proof chain).
func (v *verifier) jcsDocumentHash(ctx context.Context, config map[string]any, previous []int) ([]byte, error) {
	doc, err := v.jcsDocument(config, previous)
	if err != nil {
		return nil, err
	}
	return suiteEddsaJcs.documentHash(ctx, doc, v.canon())
}

// jcsDocument is the document an eddsa-jcs-2022 proof with options config
// signs: without proofs but the ones at previous (the proofs it chains
// to, which Sign covers whatever the suite, VC Data Integrity §4.5), and
// with the proof's @context when it has one.
func (v *verifier) jcsDocument(config map[string]any, previous []int) (map[string]any, error) {
	doc := withoutProof(v.doc)
	if len(previous) > 0 {
		linked := make([]any, 0, len(previous))
		for _, j := range previous {
			linked = append(linked, v.proofs[j])
		}
		doc["proof"] = linked
	}
	if pc, ok := config["@context"]; ok {
		if !contextPrefix(v.doc["@context"], pc) {
			return nil, fmt.Errorf("%w: the document @context does not start with the proof @context", ErrInvalidSignature)
		}
		doc["@context"] = pc
	}
	return doc, nil
}

// jcsStatements is the canonical RDF of the document an eddsa-jcs-2022
// proof signed, read in safe mode like every RDFC suite's.
func (v *verifier) jcsStatements(ctx context.Context, config map[string]any, previous []int) ([]byte, []rdfc.Quad, error) {
	doc, err := v.jcsDocument(config, previous)
	if err != nil {
		return nil, nil, err
	}
	canon, _, quads, err := suiteEddsaRdfc.documentQuads(ctx, doc, v.canon())
	return canon, quads, err
}

// jcsProofStatements is the canonical RDF of the options of an
// eddsa-jcs-2022 proof, config, read in safe mode with the proof's own
// @context, or the document's when the proof has none: the signed JSON
// read for its meaning, as an RDFC suite's options are.
func (v *verifier) jcsProofStatements(ctx context.Context, config map[string]any) ([]byte, error) {
	opts := withoutProof(config)
	if _, ok := opts["@context"]; !ok {
		opts["@context"] = v.doc["@context"]
	}
	canon, err := suiteEddsaRdfc.canonical(ctx, opts, v.canon())
	if err != nil {
		return nil, fmt.Errorf("canonicalizing proof options: %w", err)
	}
	return canon, nil
}

// previousProofs returns the positions of the proofs that proof i names in
// previousProof. Every name must match the id of exactly one other proof.
func (v *verifier) previousProofs(i int, p map[string]any) ([]int, error) {
	raw, ok := p["previousProof"]
	if !ok {
		return nil, nil
	}
	var names []string
	switch t := raw.(type) {
	case string:
		names = []string{t}
	case []any:
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, &Error{Index: i, Field: "previousProof", Err: fmt.Errorf("%w: want a string or an array of strings", ErrMalformedProof)}
			}
			names = append(names, s)
		}
	default:
		return nil, &Error{Index: i, Field: "previousProof", Err: fmt.Errorf("%w: want a string or an array of strings", ErrMalformedProof)}
	}
	out := make([]int, 0, len(names))
	for _, name := range names {
		found := -1
		for j, q := range v.proofs {
			m, _ := q.(map[string]any)
			if id, _ := m["id"].(string); j != i && id == name && name != "" {
				if found >= 0 {
					return nil, &Error{Index: i, Field: "previousProof", Err: fmt.Errorf("%w: %q names more than one proof", ErrMalformedProof, name)}
				}
				found = j
			}
		}
		if found < 0 {
			return nil, &Error{Index: i, Field: "previousProof", Err: fmt.Errorf("%w: no proof in the set has id %q", ErrMalformedProof, name)}
		}
		out = append(out, found)
	}
	return out, nil
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

package verifier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
)

// Explanation says, for one credential, what another verifier could judge
// differently: the contexts it is read with, the statements and hashes
// that were signed, how the key was found, the status lists used and the
// known implementation differences that apply. Everything in it was seen
// by the verification it comes with; nothing is fetched for it.
type Explanation struct {
	// Format is how the credential came: "json", "jwt", or the image
	// format ("png", "svg") with "+jwt" when the image carries a JWT.
	Format string `json:"format"`
	// Contexts are the credential's @context entries, in order.
	Contexts []ContextExplanation `json:"contexts"`
	// Proof is the proof that counts (the one verified with the issuer's
	// key), nil when none did.
	Proof *ProofExplanation `json:"proof,omitempty"`
	// Key is how the signing key was resolved, nil when no key was reached.
	Key *KeyExplanation `json:"key,omitempty"`
	// StatusLists are the status documents the status check used.
	StatusLists []StatusListExplanation `json:"statusLists,omitempty"`
	// Differences are known implementation differences that apply to this
	// credential, each a fact the code detected.
	Differences []string `json:"differences,omitempty"`
}

// ContextExplanation is one @context entry.
type ContextExplanation struct {
	// URL is the entry; empty for an inline context object.
	URL string `json:"url,omitempty"`
	// Inline is true for a context object written in the credential.
	Inline bool `json:"inline,omitempty"`
	// Bundled is true when badgesmith ships the context (contexts are never
	// fetched).
	Bundled bool `json:"bundled"`
	// Source is where the bundled copy comes from.
	Source string `json:"source,omitempty"`
	// RecordedSHA256 is the hash the contexts manifest records;
	// EmbeddedSHA256 the hash of the copy in the binary, computed now.
	RecordedSHA256 string `json:"recordedSha256,omitempty"`
	EmbeddedSHA256 string `json:"embeddedSha256,omitempty"`
	// Matches is true when both hashes are present and equal.
	Matches bool `json:"matches"`
}

// ProofExplanation is what the accepted proof signed.
type ProofExplanation struct {
	// Index is the proof's position in the proof set (0 for a JWT).
	Index int `json:"index"`
	// Suite is the cryptosuite or proof type (for a JWT, its format and
	// alg, as "vc+jwt ES256").
	Suite string `json:"suite"`
	// VerificationMethod is the proof's verificationMethod, or the JWT kid.
	VerificationMethod string `json:"verificationMethod"`
	// Created is the proof's created value.
	Created string `json:"created,omitempty"`
	// NQuads are the canonical N-Quads of the statements the proof covers
	// (for a JWT, its signed credential read as JSON-LD).
	NQuads string `json:"nquads"`
	// ProofOptionsHash and DocumentHash are the hex SHA-256 hashes whose
	// concatenation a Data Integrity signature covers; empty for a JWT.
	ProofOptionsHash string `json:"proofOptionsHash,omitempty"`
	DocumentHash     string `json:"documentHash,omitempty"`
	// SigningInputHash is the hex SHA-256 of a JWT's signing input
	// (header.payload as sent); empty for Data Integrity.
	SigningInputHash string `json:"signingInputHash,omitempty"`
}

// KeyExplanation is how the signing key was bound to the issuer.
type KeyExplanation struct {
	// VerificationMethod is the method the proof names.
	VerificationMethod string `json:"verificationMethod"`
	// Source says where the key came from: "issuer id" (did:key, did:jwk),
	// "DID document", "controlled identifier document" or "pinned".
	Source string `json:"source"`
	// Controller is the id of the document the key was looked up in.
	Controller string `json:"controller,omitempty"`
	// DocumentURL is the URL the document was fetched from, if any.
	DocumentURL string `json:"documentUrl,omitempty"`
	// Relationship is the verification relationship required
	// (assertionMethod).
	Relationship string `json:"relationship"`
	// Bound is true when the key was accepted as the issuer's; Reason says
	// how, or why not.
	Bound  bool   `json:"bound"`
	Reason string `json:"reason"`
}

// StatusListExplanation is one status document the status check used.
type StatusListExplanation struct {
	// URL is the document's URL.
	URL string `json:"url"`
	// Kind is "status list" or "1EdTech revocation list".
	Kind string `json:"kind"`
	// Issuer is the list's issuer (empty for an unsigned revocation list).
	Issuer string `json:"issuer,omitempty"`
	// ValidFrom and ValidUntil bound the list's validity, when given.
	ValidFrom  time.Time `json:"validFrom,omitzero"`
	ValidUntil time.Time `json:"validUntil,omitzero"`
	// Fresh is true when the verification time is inside that window.
	Fresh bool `json:"fresh"`
	// TTL is the list's ttl, when given.
	TTL time.Duration `json:"ttl,omitempty"`
	// Trusted is true when the list's issuer is the credential's or is
	// trusted for it (see StatusListTrust): only then may a clear bit
	// vouch for the credential. False for an unsigned revocation list.
	Trusted bool `json:"trusted"`
	// Trust says how the list's issuer stands for the credential's issuer
	// ("the credential's issuer", "trusted for ... by the status list trust
	// configuration", "not the credential's issuer ..., and not trusted
	// for it"); for a revocation list, that it is unsigned.
	Trust string `json:"trust,omitempty"`
}

// explainer collects an Explanation during one verification; it travels
// in the context, so a plain Verify carries none and does no extra work.
type explainer struct {
	mu sync.Mutex
	ex Explanation
	// statusSeen dedups status documents.
	statusSeen map[string]bool
}

type explainKey struct{}

func explainFrom(ctx context.Context) *explainer {
	e, _ := ctx.Value(explainKey{}).(*explainer)
	return e
}

// withoutExplain is ctx for verifying a credential inside the one being explained
// (an endorsement, a CLR entry): the Explanation is the outer credential's,
// so the inner verification must not write its proof, key or lists there.
func withoutExplain(ctx context.Context) context.Context {
	if explainFrom(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, explainKey{}, (*explainer)(nil))
}

// Explain verifies data as Verify does and also returns in Result.Explain
// what another verifier could judge differently (see Explanation). The
// verdict and error are Verify's.
func (v *Verifier) Explain(ctx context.Context, data []byte) (*Result, error) {
	e := &explainer{statusSeen: map[string]bool{}}
	e.ex.Format = inputFormat(data)
	res, err := v.Verify(context.WithValue(ctx, explainKey{}, e), data)
	if res != nil {
		e.mu.Lock()
		ex := e.ex
		e.mu.Unlock()
		if ex.Proof != nil {
			ex.Differences = append(ex.Differences, statementDifferences(ex.Proof.NQuads)...)
		}
		sort.Strings(ex.Differences)
		res.Explain = &ex
	}
	return res, err
}

// inputFormat names how data came; an image's "+jwt" is added when its
// JWT is verified.
func inputFormat(data []byte) string {
	switch {
	case looksLikeJWS(data):
		return "jwt"
	case bake.Detect(data) == bake.FormatPNG:
		return "png"
	case bake.Detect(data) == bake.FormatSVG:
		return "svg"
	}
	return "json"
}

// credential records the credential's contexts and the differences its
// JSON shows.
func (e *explainer) credential(v *Verifier, cred map[string]any) {
	if e == nil {
		return
	}
	var list []any
	switch c := cred["@context"].(type) {
	case []any:
		list = c
	case nil:
	default:
		list = []any{c}
	}
	var out []ContextExplanation
	for _, c := range list {
		u, isURL := c.(string)
		if !isURL {
			out = append(out, ContextExplanation{Inline: true})
			continue
		}
		ce := ContextExplanation{URL: u}
		if v.bundled != nil {
			if info, sum, ok, err := v.bundled.Lookup(u); ok && err == nil {
				ce.Bundled, ce.Source, ce.RecordedSHA256, ce.EmbeddedSHA256 = true, info.Source, info.SHA256, sum
				ce.Matches = sum != "" && sum == info.SHA256
			}
		}
		out = append(out, ce)
	}
	var diffs []string
	for _, c := range out {
		switch {
		case c.Inline:
			diffs = append(diffs, "credential carries an inline @context object: processors differ on which inline contexts they accept")
		case c.URL == "https://www.w3.org/2018/credentials/v1":
			diffs = append(diffs, "credential uses the VCDM 1.1 context (issuanceDate/expirationDate): some verifiers accept only VCDM 2.0")
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ex.Contexts = out
	e.ex.Differences = append(e.ex.Differences, diffs...)
}

// dataIntegrity records the proof that counts and its binding.
func (e *explainer) dataIntegrity(cred map[string]any, o *proof.Outcome, b *boundKey) {
	if e == nil {
		return
	}
	p := &ProofExplanation{Index: o.Index, Suite: string(o.Suite), VerificationMethod: o.VerificationMethod, Created: o.Created,
		NQuads: string(o.Statements), ProofOptionsHash: hex.EncodeToString(o.ProofOptionsHash), DocumentHash: hex.EncodeToString(o.DocumentHash)}
	var diffs []string
	switch o.Suite {
	case proof.Ed25519Signature2020:
		diffs = append(diffs, "credential uses Ed25519Signature2020, a legacy suite that VC 2.0 verifiers may not support")
	case proof.EddsaJcs2022:
		diffs = append(diffs, "proof is eddsa-jcs-2022: the signature covers the JSON (JCS), not the RDF graph")
		if pm := proofAt(cred, o.Index); pm != nil {
			if _, ok := pm["@context"]; ok {
				diffs = append(diffs, "proof carries its own @context (jcs): the document is hashed with the proof's context")
			}
		}
	}
	if len(o.PreviousProofs) > 0 {
		diffs = append(diffs, "proof chains to a previousProof: not every verifier checks proof chains")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ex.Proof = p
	e.ex.Key = keyExplanation(b)
	e.ex.Differences = append(e.ex.Differences, diffs...)
}

// jwt records an accepted JWT's signed statements and signing input.
func (e *explainer) jwt(tok string, res *vcjwt.Result, nq []byte, b *boundKey) {
	if e == nil {
		return
	}
	input := tok
	if i := strings.LastIndexByte(tok, '.'); i >= 0 {
		input = tok[:i]
	}
	sum := sha256.Sum256([]byte(input))
	p := &ProofExplanation{Suite: res.Format + " " + res.Algorithm, VerificationMethod: res.KeyID, NQuads: string(nq),
		SigningInputHash: hex.EncodeToString(sum[:])}
	diffs := []string{"credential is a JWT: the signature covers the payload bytes, not the RDF graph; its statements are the payload read as JSON-LD"}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !strings.HasSuffix(e.ex.Format, "jwt") {
		e.ex.Format += "+jwt"
	}
	e.ex.Proof = p
	e.ex.Key = keyExplanation(b)
	e.ex.Differences = append(e.ex.Differences, diffs...)
}

// key records a binding when no proof counted.
func (e *explainer) key(b *boundKey) {
	if e == nil || b == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ex.Key == nil {
		e.ex.Key = keyExplanation(b)
	}
}

// statusDocument records a status document the status check used and,
// for a signed list, how its issuer stands for the credential's (trust).
func (e *explainer) statusDocument(url string, d *statusDoc, trust *listTrust, now time.Time, skew time.Duration) {
	if e == nil || d == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.statusSeen[url] {
		return
	}
	e.statusSeen[url] = true
	s := StatusListExplanation{URL: url, Kind: "status list", Issuer: d.issuer, ValidFrom: d.validFrom, ValidUntil: d.validUntil}
	switch {
	case d.revocations != nil:
		s.Kind = "1EdTech revocation list"
		s.Trust = "unsigned: read as served at the URL the credential names"
	case trust != nil:
		s.Trusted, s.Trust = trust.trusted, trust.how
	}
	if d.hasTTL {
		s.TTL = d.ttl
	}
	s.Fresh = (d.validFrom.IsZero() || !now.Add(skew).Before(d.validFrom)) && (d.validUntil.IsZero() || now.Add(-skew).Before(d.validUntil))
	e.ex.StatusLists = append(e.ex.StatusLists, s)
}

func keyExplanation(b *boundKey) *KeyExplanation {
	if b == nil || b.vm == "" {
		return nil
	}
	k := &KeyExplanation{VerificationMethod: b.vm, Controller: b.controller, DocumentURL: b.docURL, Relationship: "assertionMethod", Bound: b.bound()}
	switch b.source {
	case sourceIssuerID:
		k.Source = "issuer id"
	case sourceDIDDocument:
		k.Source = "DID document"
	case sourceCIDDocument:
		k.Source = "controlled identifier document"
	case sourcePinned:
		k.Source, k.Relationship = "pinned", "none (pinned locally)"
	}
	if k.Bound {
		k.Reason = b.reason()
	} else if b.err != nil {
		k.Reason = b.err.Error()
	}
	return k
}

func proofAt(cred map[string]any, i int) map[string]any {
	switch p := cred["proof"].(type) {
	case map[string]any:
		if i == 0 {
			return p
		}
	case []any:
		if i >= 0 && i < len(p) {
			m, _ := p[i].(map[string]any)
			return m
		}
	}
	return nil
}

// numberLiteral matches an xsd:float or xsd:double literal in N-Quads (the
// OB 3.0 context types numbers with the https form of the namespace).
var numberLiteral = regexp.MustCompile(`"([^"\\]*)"\^\^<https?://www\.w3\.org/2001/XMLSchema#(?:float|double)>`)

// statementDifferences lists the differences the signed statements show,
// from ../shared/spec/CANONICALIZATION-PITFALLS.md: numbers that JSON-LD
// processors write in different lexical forms (cases 04 and 06: very large
// or very small values; 1.0 and -0 agree, case 29), and @json literals (rdf:JSON),
// which json-gold canonicalizes differently from the reference stack
// (cases 07 and 09).
func statementDifferences(nq string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range numberLiteral.FindAllStringSubmatch(nq, -1) {
		lex := m[1]
		f, err := strconv.ParseFloat(lex, 64)
		if seen[lex] || err != nil {
			continue
		}
		if a := math.Abs(f); a >= 1e15 || (a != 0 && a < 1e-6) {
			seen[lex] = true
			out = append(out, fmt.Sprintf("statements hold the number %s: very large and very small numbers are formatted differently by JSON-LD processors (safe-mode number formatting), so their signatures may not verify elsewhere", lex))
		}
	}
	if strings.Contains(nq, "^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON>") {
		out = append(out, "statements hold @json literals (rdf:JSON): processors differ in how they canonicalize them")
	}
	return out
}

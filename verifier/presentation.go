package verifier

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/rdfc"
	"github.com/badgesmith/badgesmith/vcjwt"
)

// Check names of a presentation, beside CheckParse, CheckContext,
// CheckType and CheckProof, which VerifyPresentation runs on the
// presentation itself as Verify runs them on a credential.
const (
	// CheckHolder: the key that signed the presentation is the holder's,
	// listed under authentication in the holder's document.
	CheckHolder CheckName = "holder"
	// CheckChallenge: the proof carries the challenge the caller gave.
	CheckChallenge CheckName = "challenge"
	// CheckDomain: the proof carries the domain the caller gave.
	CheckDomain CheckName = "domain"
	// CheckCredentials: every embedded credential verified on its own.
	CheckCredentials CheckName = "credentials"
)

// presentationChecks are the checks of a presentation, in the order
// VerifyPresentation runs them.
var presentationChecks = []CheckName{CheckParse, CheckContext, CheckType, CheckProof, CheckHolder, CheckChallenge, CheckDomain, CheckCredentials}

// DefaultMaxPresentationCredentials is the number of embedded credentials
// VerifyPresentation verifies when PresentationOptions.MaxCredentials is
// zero. Each is verified under the verifier's Limits, so this bounds a
// presentation's work at that many credentials' worth (plus its own
// proof), all within one Limits.Deadline.
const DefaultMaxPresentationCredentials = 16

// Formats of a presentation (PresentationResult.Format).
const (
	// PresentationDataIntegrity is a JSON presentation with a Data
	// Integrity proof.
	PresentationDataIntegrity = "data-integrity"
	// PresentationJWT is a compact JWS presentation: a VC-JOSE-COSE
	// vp+jwt or a VCDM 1.1 VP-JWT, bare or as an
	// EnvelopedVerifiablePresentation.
	PresentationJWT = "jwt"
	// PresentationUnsigned is a JSON presentation without a proof,
	// accepted under PresentationOptions.AllowUnsigned.
	PresentationUnsigned = "unsigned"
)

// Data URL prefixes of enveloped credentials and presentations (VC
// JOSE-COSE, as VCALM sends them).
const (
	envelopedVCPrefix = "data:application/vc+jwt,"
	envelopedVPPrefix = "data:application/vp+jwt,"
)

// PresentationOptions configures one VerifyPresentation call. The zero
// value compares no challenge and no domain and refuses an unsigned
// presentation.
type PresentationOptions struct {
	// Challenge, if set, must be the proof's challenge (a JWT's nonce):
	// the verifier's one-time value that stops a presentation from being
	// replayed. If empty, none is compared.
	Challenge string
	// Domain, if set, must be the proof's domain, or one of them (a JWT's
	// aud): the verifier the presentation was made for. If empty, none is
	// compared.
	Domain string
	// AllowUnsigned accepts a presentation without a proof: its
	// credentials are verified and reported, but the presentation is not
	// authenticated (PresentationResult.Authenticated false, the proof
	// and holder checks skipped). A challenge or domain asked for still
	// fails it. By default a presentation without a proof is invalid.
	AllowUnsigned bool
	// MaxCredentials bounds the embedded credentials verified; a
	// presentation with more could not be checked (ErrLimit). If zero,
	// DefaultMaxPresentationCredentials.
	MaxCredentials int
}

// PresentationResult is the full report on one presentation: its own
// checks and, one by one, its embedded credentials' Results.
type PresentationResult struct {
	// Valid is true when the verdict is valid or valid with warnings.
	Valid bool `json:"valid"`
	// Verdict is the outcome, over the presentation's own checks and its
	// credentials (CheckCredentials carries theirs): a presentation with
	// one invalid credential is invalid. Decision names the check behind
	// it, as Result.Decision does.
	Verdict  Verdict   `json:"verdict"`
	Decision CheckName `json:"decision,omitempty"`
	// Authenticated is true when a proof by a key the holder controls (or,
	// for a presentation without a holder, by the key's own controller)
	// covers the presentation. False for an unsigned presentation.
	Authenticated bool `json:"authenticated"`
	// Format is PresentationDataIntegrity, PresentationJWT or
	// PresentationUnsigned; empty when the input could not be read.
	Format string `json:"format,omitempty"`
	// ID and Holder are the presentation's id and holder, from the
	// statements its proof covers once it verified.
	ID     string `json:"id,omitempty"`
	Holder string `json:"holder,omitempty"`
	// VerificationMethod is the key that signed, once the proof verified.
	VerificationMethod string `json:"verificationMethod,omitempty"`
	// Checks lists the presentation's own checks in order.
	Checks []CheckResult `json:"checks"`
	// Credentials are the embedded credentials' Results, in the order of
	// the presentation's verifiableCredential (Credentials[i] is
	// verifiableCredential[i]); none when they were not verified.
	Credentials []*Result `json:"credentials"`
	// Work counts the presentation's own work; each credential's Result
	// has its own. Fetches is the exception: the credentials' fetches draw
	// on the presentation's Limits.MaxFetches, and count here too.
	Work Work `json:"work"`
}

// VerifyPresentation verifies a verifiable presentation: a JSON
// presentation (VCDM 2.0, or 1.1 with a warning, as credentials) with a
// Data Integrity proof whose purpose is authentication, a compact JWS
// presentation (vp+jwt or VP-JWT), or an EnvelopedVerifiablePresentation
// carrying one. It checks the proof, that its key is the holder's (listed
// under authentication in the holder's document; did:key and did:jwk
// offline, others through the verifier's resolver, as for issuers), the
// challenge and domain opts asks for, and verifies every embedded
// credential with Verify, enveloped VC-JWTs included. Every check reads
// the statements the proof covers: the holder, the types and the
// credentials the signed statements hold, the challenge and domain from
// the signed proof options.
//
// It always returns a PresentationResult. The error is a
// *VerificationError when a check failed (a credential being invalid
// among them), an *InconclusiveError when a check could not be run, nil
// when the presentation is valid. The whole presentation, credentials
// included, runs under one Limits.Deadline.
func (v *Verifier) VerifyPresentation(ctx context.Context, data []byte, opts PresentationOptions) (*PresentationResult, error) {
	if opts.MaxCredentials <= 0 {
		opts.MaxCredentials = DefaultMaxPresentationCredentials
	}
	d := v.lim.Deadline
	ctx, cancel := context.WithTimeoutCause(ctx, d, v.deadlineCause)
	defer cancel()
	b := newBudget(v.lim)
	p := &presenting{v: v, opts: opts, r: &report{res: &Result{}}, out: &PresentationResult{Credentials: []*Result{}}}
	p.run(withBudget(ctx, b), data)
	b.fill(&p.r.res.Work)
	res := p.r.res
	res.decide()
	out := p.out
	out.Valid, out.Verdict, out.Decision, out.Checks, out.Work = res.Valid, res.Verdict, res.Decision, res.Checks, res.Work
	switch res.Verdict {
	case VerdictInvalid:
		var failures []CheckResult
		for _, c := range res.Checks {
			if c.Status == StatusFail {
				failures = append(failures, c)
			}
		}
		return out, &VerificationError{Failures: failures}
	case VerdictCouldNotCheck:
		return out, &InconclusiveError{Check: res.Decision, Err: p.r.causes[res.Decision]}
	}
	return out, nil
}

// presenting is one VerifyPresentation call.
type presenting struct {
	v    *Verifier
	opts PresentationOptions
	r    *report
	out  *PresentationResult
}

// authn is what the presentation's proof established.
type authn struct {
	// verified is true when a proof by a bound key covers st.
	verified bool
	// st are the statements the proof covers; for a presentation no proof
	// covers, its own reading, unverified. Nil when they could not be read.
	st    *vpStatements
	stErr error
	// vm is the verification method that signed, and binding how its key
	// is bound.
	vm      string
	binding string
	// challenges and domains are what the signed proof options carry.
	challenges, domains []string
}

func (p *presenting) run(ctx context.Context, data []byte) {
	r := p.r
	data = bytes.TrimSpace(data)
	if int64(len(data)) > p.v.maxSize {
		r.fail(CheckParse, "", fmt.Sprintf("presentation is %d bytes, over the %d-byte limit", len(data), p.v.maxSize))
		p.skipRest(CheckParse, "presentation could not be parsed")
		return
	}
	if looksLikeJWS(data) {
		p.jwt(ctx, string(data))
		return
	}
	vp, err := decodePresentation(data)
	if err != nil {
		r.fail(CheckParse, pathOf(err), err.Error())
		p.skipRest(CheckParse, "presentation could not be parsed")
		return
	}
	if hasJSONType(vp["type"], "EnvelopedVerifiablePresentation") {
		if k := beyondEnvelope(vp); k != "" {
			r.fail(CheckParse, k, "an enveloped presentation is @context, id and type alone: "+k+" is beside the token, which is all that is verified")
			p.skipRest(CheckParse, "presentation could not be parsed")
			return
		}
		id, _ := vp["id"].(string)
		tok, ok := strings.CutPrefix(id, envelopedVPPrefix)
		if !ok || !looksLikeJWS([]byte(tok)) {
			r.fail(CheckParse, "id", "an enveloped presentation's id must be "+envelopedVPPrefix+"<compact JWS>")
			p.skipRest(CheckParse, "presentation could not be parsed")
			return
		}
		p.jwt(ctx, tok)
		return
	}
	r.pass(CheckParse, fmt.Sprintf("well-formed json presentation, %d bytes", len(data)))
	p.dataIntegrity(ctx, vp)
}

// decodePresentation decodes one JSON object, numbers as float64 as the
// proof check signs over them.
func decodePresentation(data []byte) (map[string]any, error) {
	if err := checkDuplicateMembers(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var vp map[string]any
	if err := dec.Decode(&vp); err != nil {
		return nil, fmt.Errorf("malformed json: %w", err)
	}
	if dec.More() {
		return nil, errors.New("malformed json: data after the presentation object")
	}
	// The embedded credentials are re-encoded from vp before they are
	// verified, so their text is checked here, in the presentation's.
	if err := jsonvalue.CheckText(data); err != nil {
		return nil, err
	}
	if vp == nil {
		return nil, errors.New("presentation is not a json object")
	}
	return vp, nil
}

// skipRest marks every presentation check after the named one as skipped.
func (p *presenting) skipRest(after CheckName, reason string) {
	if i := slices.Index(presentationChecks, after); i >= 0 {
		for _, c := range presentationChecks[i+1:] {
			p.r.skip(c, reason)
		}
	}
}

// dataIntegrity verifies a JSON presentation.
func (p *presenting) dataIntegrity(ctx context.Context, vp map[string]any) {
	r, v := p.r, p.v
	v.checkContext(r, vp)
	typeAt := r.reserve(CheckType)
	var a authn
	if _, ok := vp["proof"]; !ok {
		if p.opts.AllowUnsigned {
			p.out.Format = PresentationUnsigned
			r.skip(CheckProof, "no proof: an unsigned presentation, accepted by the caller's option, is not authenticated")
		} else {
			r.fail(CheckProof, "proof", "presentation has no proof (an unsigned presentation is accepted only when the caller allows it)")
		}
		p.readUnsigned(ctx, &a, vp)
	} else {
		p.out.Format = PresentationDataIntegrity
		p.proofCheck(ctx, &a, vp)
	}
	p.finishChecks(ctx, typeAt, &a, vp)
}

// readUnsigned reads the statements of a presentation no proof covers,
// for the type check and the credentials' cross-check; they authenticate
// nothing.
func (p *presenting) readUnsigned(ctx context.Context, a *authn, vp map[string]any) {
	unsigned := make(map[string]any, len(vp))
	for k, x := range vp {
		if k != "proof" {
			unsigned[k] = x
		}
	}
	b := budgetFrom(ctx)
	var work jsonld.Work
	nq, err := jsonld.Canonicalize(ctx, unsigned, jsonld.CanonOptions{Loader: p.v.loader, Limits: b.limits.canon(), Work: &work})
	b.addCanon(work)
	if err != nil {
		a.stErr = err
		return
	}
	a.st, a.stErr = presentationStatements(nq)
}

// proofCheck runs the proof check over a Data Integrity proof set with
// purpose authentication. It passes when a proof verifies with a key the
// holder controls and its statements are one presentation of that holder
// and of the document's id.
func (p *presenting) proofCheck(ctx context.Context, a *authn, vp map[string]any) {
	r, v := p.r, p.v
	keys := &holderKeys{v: v, holder: holderID(vp)}
	var work jsonld.Work
	outcomes, err := proof.VerifySet(ctx, vp, proof.VerifyOptions{
		Keys: keys, Loader: v.loader, Purpose: did.Authentication, Now: v.now, MaxProofs: v.lim.MaxProofs,
		Statements: true, Limits: v.lim.canon(), Work: &work,
	})
	r.res.Work.Proofs += len(outcomes)
	budgetFrom(ctx).addCanon(work)
	if err != nil {
		if isInvalidProof(err) {
			r.fail(CheckProof, proofPath(err), err.Error())
		} else {
			r.undecided(CheckProof, err)
		}
		return
	}
	var notes []string
	for i := range outcomes {
		o := &outcomes[i]
		if o.Err != nil {
			continue
		}
		st, err := presentationStatements(o.Statements)
		if err == nil {
			err = st.isDocument(vp, keys.holder)
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("proof[%d]: signature valid, but %v", i, err))
			a.st, a.stErr = nil, err
			continue
		}
		challenges, domains, err := proofOptionClaims(o.ProofOptions)
		if err != nil {
			notes = append(notes, fmt.Sprintf("proof[%d]: signature valid, but its options %v", i, err))
			continue
		}
		a.verified, a.st, a.stErr, a.vm = true, st, nil, o.VerificationMethod
		a.binding, a.challenges, a.domains = keys.reason(o.VerificationMethod), challenges, domains
		reason := fmt.Sprintf("%s signature by %s is valid, proof purpose authentication", o.Suite, o.VerificationMethod)
		if len(outcomes) > 1 {
			reason += fmt.Sprintf(" (proof[%d])", i)
		}
		r.pass(CheckProof, reason)
		return
	}
	if len(notes) > 0 {
		r.fail(CheckProof, "proof", strings.Join(notes, "; "))
		return
	}
	var undecided error
	for i := range outcomes {
		o := &outcomes[i]
		if isInvalidProof(o.Err) {
			r.fail(CheckProof, proofPath(o.Err), o.Err.Error())
			return
		}
		if undecided == nil {
			undecided = o.Err
		}
	}
	r.undecided(CheckProof, undecided)
}

// jwt verifies a compact JWS presentation.
func (p *presenting) jwt(ctx context.Context, tok string) {
	r, v := p.r, p.v
	p.out.Format = PresentationJWT
	parsed, err := vcjwt.ParsePresentation(tok, v.maxSize)
	if err != nil {
		r.fail(CheckParse, pathOf(err), err.Error())
		p.skipRest(CheckParse, "token could not be parsed")
		return
	}
	vp := parsed.Presentation
	r.pass(CheckParse, fmt.Sprintf("compact JWS presentation %s, %s, %d bytes", parsed.Format, parsed.Algorithm, len(tok)))
	v.checkContext(r, vp)
	typeAt := r.reserve(CheckType)
	var a authn
	keys := &holderKeys{v: v, holder: holderID(vp)}
	res, err := vcjwt.VerifyPresentation(ctx, tok, vcjwt.VerifyOptions{Keys: keys, Now: v.now, ClockSkew: v.skew, MaxSize: v.maxSize})
	r.res.Work.Proofs++
	switch {
	case err != nil && isInvalidProof(err):
		r.fail(CheckProof, pathOf(err), err.Error())
		p.readUnsigned(ctx, &a, vp)
	case err != nil:
		r.undecided(CheckProof, err)
		p.readUnsigned(ctx, &a, vp)
	default:
		// The JWS signs the payload's bytes, compact JWS credentials
		// included; its statements are the payload read as JSON-LD, which
		// has no reading for those strings (VCDM 1.1 VP-JWTs carry their
		// credentials so), so they are left out of it and verified as the
		// JWTs they are.
		p.readUnsigned(ctx, &a, withoutStringCredentials(vp))
		if a.stErr == nil {
			a.stErr = a.st.isDocument(vp, keys.holder)
		}
		if a.stErr != nil {
			msg := "the signed presentation does not read as one presentation: " + a.stErr.Error()
			if isInvalidProof(a.stErr) || errors.Is(a.stErr, errStatements) {
				r.fail(CheckProof, pathOf(a.stErr), msg)
			} else {
				r.undecided(CheckProof, fmt.Errorf("reading the signed presentation as JSON-LD: %w", a.stErr))
			}
			a.st = nil
			break
		}
		a.verified, a.vm, a.binding = true, res.KeyID, keys.reason(res.KeyID)
		a.domains = res.Audience
		if res.Nonce != "" {
			a.challenges = []string{res.Nonce}
		}
		r.pass(CheckProof, fmt.Sprintf("%s %s signature by %s is valid", res.Format, res.Algorithm, res.KeyID))
	}
	p.finishChecks(ctx, typeAt, &a, vp)
}

// finishChecks runs the checks after the proof: type, holder, challenge,
// domain, credentials.
func (p *presenting) finishChecks(ctx context.Context, typeAt int, a *authn, vp map[string]any) {
	r := p.r
	out := p.out
	if a.verified {
		out.Authenticated, out.VerificationMethod = true, a.vm
	}
	if a.st != nil {
		out.ID, out.Holder = a.st.id, a.st.holder
	}
	r.res.Checks[typeAt] = p.typeCheck(a)
	switch {
	case !a.verified:
		r.skip(CheckHolder, "not run: no proof authenticates the presentation")
	case a.st.holder == "":
		r.skip(CheckHolder, "the presentation names no holder; "+a.binding)
	default:
		r.pass(CheckHolder, a.binding)
	}
	p.compare(CheckChallenge, "challenge", p.opts.Challenge, a)
	p.compare(CheckDomain, "domain", p.opts.Domain, a)
	p.credentials(ctx, a, vp)
}

// typeCheck reads the presentation's types from its statements.
func (p *presenting) typeCheck(a *authn) CheckResult {
	c := CheckResult{Check: CheckType, Path: "type"}
	switch {
	case a.st == nil && a.stErr != nil && !isInvalidProof(a.stErr) && !errors.Is(a.stErr, errStatements):
		c.Status, c.Reason = StatusError, "the presentation's statements could not be read: "+a.stErr.Error()
	case a.st == nil && a.stErr != nil:
		c.Status, c.Reason = StatusFail, "the presentation's statements could not be read: "+a.stErr.Error()
	case a.st == nil:
		c.Status, c.Reason = StatusSkipped, "not run: the presentation's statements were not read"
	default:
		c.Status, c.Reason = StatusPass, "VerifiablePresentation"
		if !a.verified {
			c.Reason += " (unsigned, not authenticated)"
		}
	}
	if c.Status == StatusError {
		if p.r.causes == nil {
			p.r.causes = map[CheckName]error{}
		}
		p.r.causes[CheckType] = a.stErr
	}
	return c
}

// compare runs the challenge or domain check: want, when given, must be
// among got, the values the signed proof options carry.
func (p *presenting) compare(check CheckName, name, want string, a *authn) {
	r := p.r
	got := a.challenges
	if check == CheckDomain {
		got = a.domains
	}
	path := "proof." + name
	if p.out.Format == PresentationJWT {
		path = map[CheckName]string{CheckChallenge: "payload.nonce", CheckDomain: "payload.aud"}[check]
	}
	switch {
	case want == "" && len(got) > 0:
		r.skip(check, fmt.Sprintf("none asked for; the proof carries %s %q", name, strings.Join(got, ", ")))
	case want == "":
		r.skip(check, "none asked for")
	case p.out.Format == PresentationUnsigned:
		r.fail(check, path, fmt.Sprintf("%s %q asked for, but the presentation is unsigned", name, want))
	case !a.verified:
		r.skip(check, "not run: no proof authenticates the presentation")
	case len(got) == 0:
		r.fail(check, path, fmt.Sprintf("%s %q asked for, but the proof carries none", name, want))
	case !slices.Contains(got, want):
		r.fail(check, path, fmt.Sprintf("the proof's %s %q is not %q, the one asked for", name, strings.Join(got, ", "), want))
	default:
		r.pass(check, fmt.Sprintf("the proof carries the %s asked for", name))
	}
}

// credentials verifies each embedded credential with Verify and judges
// them together: any invalid one makes the presentation invalid, naming
// it; one that could not be checked leaves it undecided. The credentials
// verified are the ones the presentation's statements hold, one for one.
func (p *presenting) credentials(ctx context.Context, a *authn, vp map[string]any) {
	r := p.r
	var entries []any
	switch vc := vp["verifiableCredential"].(type) {
	case nil:
	case []any:
		entries = vc
	default:
		entries = []any{vc}
	}
	if len(entries) > p.opts.MaxCredentials {
		r.undecidedAt(CheckCredentials, "verifiableCredential", fmt.Errorf("%w: %d embedded credentials, over PresentationOptions.MaxCredentials %d", ErrLimit, len(entries), p.opts.MaxCredentials))
		return
	}
	if len(entries) == 0 {
		if a.st != nil && len(a.st.credentials) > 0 {
			r.fail(CheckCredentials, "verifiableCredential", fmt.Sprintf("the statements hold %d credentials the JSON does not show", len(a.st.credentials)))
			return
		}
		r.skip(CheckCredentials, "the presentation carries no credential")
		return
	}
	keys := make([]embeddedClaim, len(entries))
	for i, e := range entries {
		doc, enveloped := embeddedDocument(e)
		res, _ := p.v.verifyEmbedded(ctx, doc)
		p.out.Credentials = append(p.out.Credentials, res)
		_, isString := e.(string)
		switch {
		case isString && p.out.Format == PresentationJWT:
			keys[i] = embeddedClaim{kind: kindJWTString}
		case enveloped != "":
			keys[i] = embeddedClaim{kind: kindEnveloped, id: enveloped}
		case res.Claims != nil:
			keys[i] = embeddedClaim{kind: kindCredential, id: res.Claims.ID, issuer: res.Claims.Issuer}
		default:
			keys[i] = embeddedClaim{kind: kindUnread}
		}
	}
	if a.st != nil {
		keys = slices.DeleteFunc(keys, func(k embeddedClaim) bool { return k.kind == kindJWTString })
		if err := matchCredentials(a.st.credentials, keys); err != nil {
			r.fail(CheckCredentials, "verifiableCredential", err.Error())
			return
		}
	}
	var invalid, undecided, warned []string
	invalidAt, undecidedAt, warnedAt := "", "", ""
	for i, res := range p.out.Credentials {
		at := fmt.Sprintf("verifiableCredential[%d]", i)
		what := at
		if res.CredentialID != "" {
			what += " (" + res.CredentialID + ")"
		}
		var c *CheckResult
		switch res.Verdict {
		case VerdictInvalid:
			c = res.Failed()
		case VerdictCouldNotCheck:
			c = res.Inconclusive()
		case VerdictWarnings:
			c = &res.Warnings()[0]
		}
		detail := what + " is " + string(res.Verdict)
		if c != nil {
			detail += ": " + string(c.Check) + ": " + c.Reason
		}
		switch res.Verdict {
		case VerdictInvalid:
			invalid, invalidAt = append(invalid, detail), firstPath(invalidAt, at)
		case VerdictCouldNotCheck:
			undecided, undecidedAt = append(undecided, detail), firstPath(undecidedAt, at)
		case VerdictWarnings:
			warned, warnedAt = append(warned, detail), firstPath(warnedAt, at)
		}
	}
	switch {
	case len(invalid) > 0:
		r.fail(CheckCredentials, invalidAt, strings.Join(invalid, "; "))
	case len(undecided) > 0:
		r.undecidedAt(CheckCredentials, undecidedAt, errors.New(strings.Join(undecided, "; ")))
	case len(warned) > 0:
		r.warn(CheckCredentials, warnedAt, strings.Join(warned, "; "))
	default:
		r.pass(CheckCredentials, fmt.Sprintf("%d embedded credentials verified", len(entries)))
	}
}

// verifyEmbedded is Verify for a credential the presentation carries,
// under the presentation's deadline: its budget is its own (its Work is
// its own), but its fetches also draw on the presentation's allowance, so
// Limits.MaxFetches bounds the requests of the presentation as a whole
// (with a budget each, a presentation of MaxCredentials credentials made
// MaxCredentials times MaxFetches requests).
func (v *Verifier) verifyEmbedded(ctx context.Context, data []byte) (*Result, error) {
	b := newBudget(v.lim)
	b.parent = budgetFrom(ctx)
	res, err := v.verify(withBudget(ctx, b), data)
	b.fill(&res.Work)
	return res, err
}

// withoutStringCredentials is vp without the string entries of its
// verifiableCredential, or vp itself when it has none.
func withoutStringCredentials(vp map[string]any) map[string]any {
	list, ok := vp["verifiableCredential"].([]any)
	_, single := vp["verifiableCredential"].(string)
	if !ok && !single {
		return vp
	}
	out := make(map[string]any, len(vp))
	for k, x := range vp {
		out[k] = x
	}
	if single {
		delete(out, "verifiableCredential")
		return out
	}
	kept := make([]any, 0, len(list))
	for _, e := range list {
		if _, isString := e.(string); !isString {
			kept = append(kept, e)
		}
	}
	out["verifiableCredential"] = kept
	return out
}

// firstPath keeps the first path.
func firstPath(have, at string) string {
	if have != "" {
		return have
	}
	return at
}

// embeddedDocument is what Verify reads for one verifiableCredential
// entry, and, for an enveloped VC-JWT, its data URL.
func embeddedDocument(e any) (doc []byte, envelopedID string) {
	switch x := e.(type) {
	case string:
		if tok, ok := strings.CutPrefix(x, envelopedVCPrefix); ok {
			return []byte(tok), x
		}
		if looksLikeJWS([]byte(x)) {
			return []byte(x), ""
		}
	case map[string]any:
		// An envelope with members beside its token is read as the JSON
		// credential it then is (and has no proof): only the token is
		// verified, so claims beside it would pass unverified.
		id, _ := x["id"].(string)
		if tok, ok := strings.CutPrefix(id, envelopedVCPrefix); ok && hasJSONType(x["type"], "EnvelopedVerifiableCredential") && beyondEnvelope(x) == "" {
			return []byte(tok), id
		}
	}
	b, err := json.Marshal(e)
	if err != nil {
		// Decoded JSON always encodes; Verify reports an empty document.
		return nil, ""
	}
	return b, ""
}

// beyondEnvelope returns a member of the enveloped credential or
// presentation m other than @context, id and type (the first in sorted
// order), or "" when it has none.
func beyondEnvelope(m map[string]any) string {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if k != "@context" && k != "id" && k != "type" {
			return k
		}
	}
	return ""
}

// hasJSONType reports whether a JSON type value (a string or an array)
// includes t.
func hasJSONType(v any, t string) bool {
	switch x := v.(type) {
	case string:
		return x == t
	case []any:
		return slices.Contains(x, any(t))
	}
	return false
}

// holderID is the presentation's holder id, as its JSON gives it; the
// proof check compares it with the statements.
func holderID(vp map[string]any) string {
	switch h := vp["holder"].(type) {
	case string:
		return h
	case map[string]any:
		s, _ := h["id"].(string)
		return s
	}
	return ""
}

// Vocabulary of presentations and their proofs.
const (
	iriVerifiablePresentation     = credNS + "VerifiablePresentation"
	iriHolder                     = credNS + "holder"
	iriVerifiableCredentialProp   = credNS + "verifiableCredential"
	iriEnvelopedCredential        = credNS + "EnvelopedVerifiableCredential"
	secNS                         = "https://w3id.org/security#"
	iriProofPurpose               = secNS + "proofPurpose"
	iriAuthenticationMethod       = secNS + "authenticationMethod"
	iriChallenge                  = secNS + "challenge"
	iriDomain                     = secNS + "domain"
	kindCredential, kindEnveloped = "credential", "enveloped"
	kindUnread, kindEmpty         = "unread", "empty"
	kindJWTString                 = "jwt"
)

// vpStatements is what a presentation's statements say.
type vpStatements struct {
	id     string
	holder string
	// credentials are the embedded credentials the statements hold, one
	// per verifiableCredential graph.
	credentials []embeddedClaim
}

// embeddedClaim names one embedded credential: its kind, and its id and
// issuer (a credential) or data URL (an enveloped one).
type embeddedClaim struct {
	kind, id, issuer string
}

// presentationStatements reads the presentation canonical N-Quads nq
// describe: the one VerifiablePresentation node of the default graph, its
// holder, and the credential of each of its verifiableCredential graphs.
func presentationStatements(nq []byte) (*vpStatements, error) {
	quads, err := rdfc.ParseNQuads(nq)
	if err != nil {
		return nil, fmt.Errorf("reading the signed statements: %w", err)
	}
	g := indexGraph(quads, rdfc.Term{})
	roots := g.unreferenced(g.typed(iriVerifiablePresentation))
	if len(roots) != 1 {
		return nil, &claimError{path: "type", err: fmt.Errorf("%w: %d VerifiablePresentation nodes, want one", errStatements, len(roots))}
	}
	root := roots[0]
	st := &vpStatements{}
	if root.Kind == rdfc.IRI {
		st.id = root.Value
	}
	if st.holder, err = g.iri(root, iriHolder, "holder"); err != nil {
		return nil, err
	}
	for _, stmt := range g.objects(root, iriVerifiableCredentialProp) {
		name := stmt.Object
		if name.Kind != rdfc.BlankNode {
			return nil, &claimError{path: "verifiableCredential", err: fmt.Errorf("%w: a verifiableCredential is not a graph", errStatements)}
		}
		cg := indexGraph(quads, name)
		ec := embeddedClaim{kind: kindEmpty}
		var enveloped []string
		for _, s := range cg.typed(iriEnvelopedCredential) {
			if s.Kind == rdfc.IRI {
				enveloped = append(enveloped, s.Value)
			}
		}
		switch croot, cerr := cg.root(); {
		case cerr == nil:
			ec.kind = kindCredential
			if croot.Kind == rdfc.IRI {
				ec.id = croot.Value
			}
			if ec.issuer, err = cg.iri(croot, iriIssuer, "issuer"); err != nil {
				return nil, err
			}
		case len(enveloped) == 1:
			ec = embeddedClaim{kind: kindEnveloped, id: enveloped[0]}
		case len(cg.nodes) > 0:
			return nil, &claimError{path: "verifiableCredential", err: fmt.Errorf("%w: a verifiableCredential graph holds no single credential: %w", errStatements, cerr)}
		}
		st.credentials = append(st.credentials, ec)
	}
	return st, nil
}

// isDocument checks that the statements describe the presentation the
// JSON shows: the same id, and the holder whose key was asked for.
func (st *vpStatements) isDocument(vp map[string]any, holder string) error {
	id, _ := vp["id"].(string)
	if st.id != id {
		return &claimError{path: "id", err: fmt.Errorf("%w: the statements' presentation is %q, the document's is %q", errStatements, st.id, id)}
	}
	if st.holder != holder {
		return &claimError{path: "holder", err: fmt.Errorf("%w: the signed holder %q is not %q, whose key was asked for", errStatements, st.holder, holder)}
	}
	return nil
}

// matchCredentials checks that the credentials verified (got, one per JSON
// entry) are the ones the statements hold (want), whatever their order.
// An entry whose claims could not be read, and a string entry, whose
// graph holds nothing, match only an empty graph or each other.
func matchCredentials(want, got []embeddedClaim) error {
	if len(want) != len(got) {
		return fmt.Errorf("the presentation shows %d credentials, its statements hold %d", len(got), len(want))
	}
	left := slices.Clone(want)
	for i, g := range got {
		j := slices.IndexFunc(left, func(w embeddedClaim) bool {
			if g.kind == kindUnread {
				return true
			}
			return w == g || (w.kind == kindEmpty && g.kind == kindEnveloped)
		})
		if j < 0 {
			return fmt.Errorf("verifiableCredential[%d] (%s %s) is not among the credentials the presentation's statements hold", i, g.kind, clipText(g.id))
		}
		left = slices.Delete(left, j, j+1)
	}
	return nil
}

// proofOptionClaims reads the challenges and domains of a verified proof
// from its canonical options, and checks that they state the purpose
// authentication and nothing else.
func proofOptionClaims(nq []byte) (challenges, domains []string, err error) {
	quads, err := rdfc.ParseNQuads(nq)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the signed proof options: %w", err)
	}
	g := indexGraph(quads, rdfc.Term{})
	var node rdfc.Term
	n := 0
	for i := range g.nodes {
		if len(g.nodeObjects(&g.nodes[i], iriProofPurpose)) > 0 {
			node, n = g.subject(&g.nodes[i]), n+1
		}
	}
	if n != 1 {
		return nil, nil, fmt.Errorf("%w: %d proof nodes with a purpose, want one", errStatements, n)
	}
	purposes := g.objects(node, iriProofPurpose)
	if len(purposes) != 1 || purposes[0].Object.Value != iriAuthenticationMethod {
		return nil, nil, fmt.Errorf("%w: the signed proof purpose is not authentication alone", proof.ErrPurposeMismatch)
	}
	read := func(p string) []string {
		var out []string
		for _, stmt := range g.objects(node, p) {
			t := stmt.Object
			out = append(out, t.Value)
		}
		return out
	}
	return read(iriChallenge), read(iriDomain), nil
}

// Why a presentation's key is not the holder's: refused (another
// controller, not listed under authentication, revoked, a malformed DID)
// makes the presentation invalid; not bound (the holder's document could
// not be obtained, a method badgesmith does not resolve) leaves it
// undecided.
var (
	errHolderKeyRefused  = verdict.NewInvalid("signing key refused for the holder")
	errHolderKeyNotBound = verdict.NewInconclusive("signing key is not bound to the holder")
)

// holderKeys resolves the verification method of a presentation's proof
// for purpose authentication: the key must be listed under authentication
// in the document of the holder (when the presentation names one, the
// method must be controlled by the holder), resolved as an issuer's is:
// did:key and did:jwk offline from the id itself, other DIDs through the
// verifier's resolver, an https id as a controlled identifier document;
// each fetch is drawn from the verification's budget.
type holderKeys struct {
	v      *Verifier
	holder string

	mu      sync.Mutex
	reasons map[string]string
}

// PublicKey returns the key of vm if the holder (or, with no holder, the
// method's controller) lists it under authentication. Errors wrap
// errHolderKeyRefused or errHolderKeyNotBound.
func (h *holderKeys) PublicKey(ctx context.Context, vm, purpose string) (crypto.PublicKey, error) {
	if purpose != did.Authentication {
		return nil, fmt.Errorf("%w: verification method %s: proof purpose %q, only authentication keys sign presentations", errHolderKeyRefused, vm, purpose)
	}
	base, _, _ := strings.Cut(vm, "#")
	if h.holder != "" && base != h.holder {
		return nil, fmt.Errorf("%w: verification method %s is controlled by %s, the holder is %q", errHolderKeyRefused, vm, base, h.holder)
	}
	var resolve func(context.Context, string) (*did.Document, error)
	source := "the DID document of " + base
	offline := false
	switch {
	case strings.HasPrefix(base, "did:key:"), strings.HasPrefix(base, "did:jwk:"):
		// The id is the key: no resolver, injected or not, has a say.
		resolve, offline = did.KeyResolver{}.Resolve, true
		source = "the key of " + base
	case strings.HasPrefix(base, "did:"):
		resolve = h.v.resolver.Resolve
	case strings.HasPrefix(base, "https://"):
		resolve = h.v.web.ResolveURL
		source = "the controlled identifier document at " + base
	default:
		return nil, fmt.Errorf("%w: verification method %s: %s names no document to find its keys in", errHolderKeyNotBound, vm, base)
	}
	if !offline && !h.v.web.Cached(base) {
		if err := budgetFrom(ctx).takeFetch(); err != nil {
			return nil, err
		}
	}
	doc, err := resolve(ctx, base)
	switch {
	case err != nil && ctx.Err() == nil && (offline || errors.Is(err, did.ErrInvalidDID)):
		return nil, fmt.Errorf("%w: verification method %s: %w", errHolderKeyRefused, vm, err)
	case err != nil:
		return nil, fmt.Errorf("%w: verification method %s: could not obtain %s: %w", errHolderKeyNotBound, vm, source, err)
	case doc.ID != base:
		return nil, fmt.Errorf("%w: verification method %s: %s has id %q: %w", errHolderKeyNotBound, vm, source, doc.ID, did.ErrInvalidDocument)
	}
	_, pub, err := doc.KeyAt(vm, did.Authentication, h.v.now())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errHolderKeyRefused, source, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.reasons == nil {
		h.reasons = map[string]string{}
	}
	who := "holder " + h.holder
	if h.holder == "" {
		who = "its controller " + base
	}
	h.reasons[vm] = fmt.Sprintf("key %s is listed under authentication in %s (%s)", vm, source, who)
	return pub, nil
}

// reason says how vm's key is bound, once PublicKey bound it.
func (h *holderKeys) reason(vm string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reasons[vm]
}

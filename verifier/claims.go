package verifier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/rdfc"
)

// proven is what the proof check established, for the checks after it.
// Every later check reads claims (the statements a proof covers), never
// the submitted JSON.
type proven struct {
	// claims are read from the statements of the proof that counts; when
	// no proof counts, from the document's own canonical form, unverified
	// (claims.Verified is false), so offline checks still say what they
	// can. Nil when the statements could not be read; claimsErr says why.
	claims    *Claims
	claimsErr error
	// typeIRIs are the credential node's types, as full IRIs.
	typeIRIs []string
	// view is the compacted reading of the statements the status checker
	// receives (id, issuer, credentialStatus).
	view map[string]any
	// binding is the key binding of the proof that counts, or of the proof
	// whose binding failed; nil when no verification method was reached.
	binding *boundKey
	// graph is the graph the claims were read from, for the optional
	// checks that read more of it (the catalogue check).
	graph *graph
	// schemas are the embedded 1EdTech schemas the statements declare in
	// credentialSchema: the schema check reads them here too, since a
	// JSON rewrite (@type, a full IRI key, @nest, an inline alias) hides
	// a declaration from the JSON but not from the graph.
	schemas []string
}

// verified reports whether a proof by a key bound to the issuer covers the
// claims.
func (p *proven) verified() bool { return p.claims != nil && p.claims.Verified }

// readGraph fills p from the statements of g.
func (p *proven) readGraph(g *graph, verified bool) {
	c, g, err := graphClaims(g)
	if err != nil {
		p.claims, p.claimsErr = nil, err
		return
	}
	p.setClaims(c, g, verified)
}

// readOutcome fills p from the statements of the verified proof o.
func (p *proven) readOutcome(o *proof.Outcome, verified bool) {
	c, g, err := outcomeClaims(o)
	if err != nil {
		p.claims, p.claimsErr = nil, err
		return
	}
	p.setClaims(c, g, verified)
}

// setClaims fills p from claims c read from graph g.
func (p *proven) setClaims(c *Claims, g *graph, verified bool) {
	c.Verified = verified
	p.claims, p.claimsErr = c, nil
	p.typeIRIs = nil
	types := g.objects(g.rootNode, rdfType)
	for _, stmt := range types {
		t := stmt.Object
		if t.Kind == rdfc.IRI {
			if p.typeIRIs == nil {
				p.typeIRIs = make([]string, 0, len(types))
			}
			p.typeIRIs = append(p.typeIRIs, t.Value)
		}
	}
	p.view = g.view(c, g.rootNode)
	p.graph = g
	p.schemas = g.declaredSchemas(g.rootNode)
}

// readUnverified reads the claims of a document no proof of the issuer's
// covers: the document without its proofs, canonicalized in safe mode.
// They feed only checks that can fail a credential, never pass one.
func (v *Verifier) readUnverified(ctx context.Context, p *proven, doc map[string]any) {
	if p.claims != nil || errors.Is(p.claimsErr, jsonld.ErrTooMuchWork) {
		return
	}
	unsigned := make(map[string]any, len(doc))
	for k, x := range doc {
		if k != "proof" {
			unsigned[k] = x
		}
	}
	b := budgetFrom(ctx)
	var work jsonld.Work
	_, quads, err := jsonld.CanonicalizeQuads(ctx, unsigned, jsonld.CanonOptions{Loader: v.loader, Limits: b.limits.canon(), Work: &work})
	b.addCanon(work)
	if err != nil {
		p.claimsErr = err
		return
	}
	// The canonical quads as terms: no N-Quads text to parse again.
	p.readGraph(newGraphQuads(quads), false)
}

// checkProof runs the proof check over a Data Integrity proof set. It
// passes only when at least one proof verifies with a key bound to the
// issuer named by the statements that proof covers, and every proof it
// chains to (previousProof) verifies too. Other proofs are reported one by
// one and never stand in for it.
func (v *Verifier) checkProof(ctx context.Context, r *report, cred map[string]any) *proven {
	p := &proven{}
	if _, ok := cred["proof"]; !ok {
		r.fail(CheckProof, "proof", "credential has no proof")
		v.readUnverified(ctx, p, cred)
		return p
	}
	binder := &keyBinder{v: v, issuer: issuerID(cred)}
	var work jsonld.Work
	opts := proof.VerifyOptions{
		Loader: v.loader, Now: v.now, MaxProofs: v.limits().MaxProofs, Statements: true,
		Limits: v.limits().canon(), Work: &work,
	}
	// Read every proof, bind the methods of those that read, then verify
	// with only the keys bound: no key is fetched from inside verification.
	parsed, err := proof.ParseSet(cred, opts)
	var outcomes []proof.Outcome
	var foreign []string
	if err == nil {
		binder.bindProofs(ctx, parsed)
		foreign = bindUnknownSuites(ctx, binder, cred, parsed)
		opts.Keys = binder.keys()
		outcomes, err = proof.VerifySet(ctx, cred, opts)
	}
	r.res.Work.Proofs += len(outcomes)
	budgetFrom(ctx).addCanon(work)
	// A document past a work bound is not read a second time for its
	// unverified claims: that would double the work the bound allows.
	if errors.Is(err, jsonld.ErrTooMuchWork) {
		p.claimsErr = err
	}
	for i := range outcomes {
		if errors.Is(outcomes[i].Err, jsonld.ErrTooMuchWork) {
			p.claimsErr = outcomes[i].Err
		}
	}
	if err != nil {
		if isInvalidProof(err) {
			r.fail(CheckProof, proofPath(err), err.Error())
		} else {
			proofUndecided(r, err)
		}
		v.readUnverified(ctx, p, cred)
		return p
	}
	chosen := -1
	var chosenClaims *Claims
	var chosenGraph *graph
	notes := make([]string, len(outcomes))
	for i := range outcomes {
		o := &outcomes[i]
		b := binder.binding(o.VerificationMethod)
		switch {
		case o.Err != nil:
			notes[i] = o.Err.Error()
			continue
		case b == nil || b.err != nil:
			notes[i] = "signature valid, but the key is not bound to the issuer"
			continue
		}
		for _, j := range o.PreviousProofs {
			if outcomes[j].Err != nil {
				notes[i] = fmt.Sprintf("signature valid, but the proof it chains to (proof[%d]) does not verify", j)
			}
		}
		if notes[i] != "" {
			continue
		}
		c, g, err := outcomeClaims(o)
		if err == nil {
			err = g.isDocument(c, cred)
		}
		switch {
		case err != nil:
			notes[i] = "signature valid, but its statements do not read as one credential: " + err.Error()
			continue
		case c.Issuer == "" || c.Issuer != binder.issuer:
			notes[i] = fmt.Sprintf("signature valid, but the signed issuer %q is not %q, whose key it is", c.Issuer, binder.issuer)
			continue
		}
		chosen = i
		chosenClaims, chosenGraph = c, g
		break
	}
	if chosen >= 0 {
		o := &outcomes[chosen]
		p.binding = binder.binding(o.VerificationMethod)
		p.setClaims(chosenClaims, chosenGraph, true)
		reason := string(o.Suite) + " signature by " + o.VerificationMethod + " is valid"
		if len(outcomes) > 1 {
			reason += fmt.Sprintf(" (proof[%d])", chosen)
			reason += otherProofs(outcomes, notes, chosen)
		}
		r.pass(CheckProof, reason)
		explainFrom(ctx).dataIntegrity(cred, o, p.binding)
		return p
	}
	// A proof of an unknown suite by someone else's method is judged by
	// that method's binding.
	for i, vm := range foreign {
		if vm != "" && i < len(outcomes) && outcomes[i].VerificationMethod == "" {
			outcomes[i].VerificationMethod = vm
		}
	}
	v.proofVerdict(r, p, binder, outcomes, notes)
	explainFrom(ctx).key(p.binding)
	// Statements of a valid signature are better than a re-reading; fall
	// back to the document itself otherwise.
	for i := range outcomes {
		if outcomes[i].Err == nil && p.claims == nil {
			p.readOutcome(&outcomes[i], false)
		}
	}
	v.readUnverified(ctx, p, cred)
	return p
}

// bindUnknownSuites judges, offline, the verification method the JSON of
// each proof of a suite badgesmith does not implement names, when that
// method's controller is not the issuer: such a proof is by someone
// else's key whatever its signature, and the binding step refuses it
// without a fetch. A proof naming the issuer's own method stays
// undecided, its method unjudged. It returns, per proof, the method it
// judged ("" for none), for the proof's Outcome to name.
func bindUnknownSuites(ctx context.Context, binder *keyBinder, cred map[string]any, parsed []proof.Outcome) []string {
	judged := make([]string, len(parsed))
	for i := range parsed {
		o := &parsed[i]
		if o.VerificationMethod != "" || !errors.Is(o.Err, proof.ErrUnknownSuite) {
			continue
		}
		vm, _ := proofAt(cred, i)["verificationMethod"].(string)
		if base, _, _ := strings.Cut(vm, "#"); vm == "" || base == binder.issuer {
			continue
		}
		binder.bindMethod(ctx, vm, "")
		judged[i] = vm
	}
	return judged
}

// proofVerdict reports the proof check when no proof counts. The
// issuer's own proofs speak first: one that is forged or tampered makes
// the credential invalid, one that could not be checked makes it
// undecided. Only then do proofs by keys that are not the issuer's make it
// invalid (nothing the issuer signed is left), and a key that could not be
// bound makes it undecided.
func (v *Verifier) proofVerdict(r *report, p *proven, binder *keyBinder, outcomes []proof.Outcome, notes []string) {
	notIssuers := func(b *boundKey) bool { return b != nil && b.err != nil && errors.Is(b.err, errNotIssuerKey) }
	var undecided error
	for i := range outcomes {
		o := &outcomes[i]
		b := binder.binding(o.VerificationMethod)
		if notIssuers(b) {
			continue
		}
		switch {
		case b != nil && b.err != nil && !bindingUndecided(b.err):
			p.binding = b
			r.fail(CheckProof, fmt.Sprintf("proof[%d].verificationMethod", i), "signing key not accepted: "+b.err.Error()+otherProofs(outcomes, notes, i))
			return
		case b != nil && b.err != nil:
			p.binding = b
			if undecided == nil {
				undecided = b.err
			}
		case o.Err != nil && isInvalidProof(o.Err):
			p.binding = b
			r.fail(CheckProof, proofPath(o.Err), o.Err.Error()+otherProofs(outcomes, notes, i))
			return
		case o.Err != nil:
			if undecided == nil {
				undecided = o.Err
			}
		case notes[i] != "":
			r.fail(CheckProof, fmt.Sprintf("proof[%d]", i), notes[i]+otherProofs(outcomes, notes, i))
			return
		}
	}
	if undecided != nil {
		proofUndecided(r, undecided)
		return
	}
	for i := range outcomes {
		if b := binder.binding(outcomes[i].VerificationMethod); notIssuers(b) {
			p.binding = b
			r.fail(CheckProof, fmt.Sprintf("proof[%d].verificationMethod", i), "signing key not accepted: "+b.err.Error()+otherProofs(outcomes, notes, i))
			return
		}
	}
	var parts []string
	for i, n := range notes {
		parts = append(parts, fmt.Sprintf("proof[%d]: %s", i, n))
	}
	r.fail(CheckProof, "proof", "no proof by a key bound to the issuer verifies: "+strings.Join(parts, "; "))
}

// proofUndecided records a proof check that could not be run. When the
// context check already says the credential cannot be read (a context
// badgesmith does not bundle), no Data Integrity proof can be computed
// whatever else stops it, and the context check is what decides.
func proofUndecided(r *report, err error) {
	if c := r.res.Check(CheckContext); c != nil && c.Status == StatusError {
		r.skip(CheckProof, "not run: the credential's contexts cannot be read ("+err.Error()+")")
		return
	}
	r.undecided(CheckProof, err)
}

// bindingUndecided reports whether a key binding failure means the key
// could not be checked rather than that it is not the issuer's.
func bindingUndecided(err error) bool { return !isInvalidProof(err) }

// otherProofs describes the proofs other than the one at skip, one by one.
func otherProofs(outcomes []proof.Outcome, notes []string, skip int) string {
	var parts []string
	for i := range outcomes {
		if i == skip {
			continue
		}
		what := notes[i]
		if what == "" {
			what = "verifies"
		}
		parts = append(parts, fmt.Sprintf("proof[%d] (%s by %s): %s", i, outcomes[i].Suite, outcomes[i].VerificationMethod, what))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; other proofs, not counted: " + strings.Join(parts, "; ")
}

// proofPath is the JSON path of a proof error.
func proofPath(err error) string {
	var pe *proof.Error
	if errors.As(err, &pe) {
		path := fmt.Sprintf("proof[%d]", pe.Index)
		if pe.Field != "" {
			path += "." + pe.Field
		}
		return path
	}
	return pathOf(err)
}

// Type IRIs that make a credential an Open Badge (or a CLR, which carries
// Open Badges).
var openBadgeTypes = []string{obNS + "OpenBadgeCredential", obNS + "AchievementCredential", obNS + "EndorsementCredential", clrNS + "ClrCredential"}

// typeCheck judges the credential's types, as IRIs from the statements. It
// reports whether the credential is an Open Badge: only when a proof by the
// issuer's key covers those types, since a forged or unsigned document's
// types are nobody's statement.
func typeCheck(p *proven, cred map[string]any) (CheckResult, bool) {
	c, ob := judgeTypes(p, cred)
	return c, ob && p.verified()
}

// judgeTypes is typeCheck before the proof is weighed.
func judgeTypes(p *proven, cred map[string]any) (CheckResult, bool) {
	if p.claims == nil {
		// No statements: the JSON's type member is all there is.
		types := stringsOf(cred["type"])
		var iris []string
		for _, t := range types {
			switch t {
			case "VerifiableCredential":
				iris = append(iris, iriVerifiableCredential)
			case "OpenBadgeCredential", "AchievementCredential", "EndorsementCredential":
				iris = append(iris, obNS+t)
			case "ClrCredential":
				iris = append(iris, clrNS+t)
			}
		}
		if len(types) == 0 {
			return CheckResult{Check: CheckType, Status: StatusFail, Path: "type", Reason: "type is missing or not a string array"}, false
		}
		return typeVerdict(iris)
	}
	return typeVerdict(p.typeIRIs)
}

func typeVerdict(iris []string) (CheckResult, bool) {
	if !slices.Contains(iris, iriVerifiableCredential) {
		return CheckResult{Check: CheckType, Status: StatusFail, Path: "type", Reason: "type must include VerifiableCredential"}, false
	}
	for _, t := range openBadgeTypes {
		if slices.Contains(iris, t) {
			return CheckResult{Check: CheckType, Status: StatusPass, Path: "type", Reason: "VerifiableCredential, " + lastSegment(t)}, true
		}
	}
	// VC 2.0 lets any credential be verified; OB 3.0 only gives an Open
	// Badge its meaning. Proof, issuer, dates and status are still checked.
	return CheckResult{Check: CheckType, Status: StatusWarn, Path: "type",
		Reason: "not an Open Badge: none of OpenBadgeCredential, AchievementCredential, EndorsementCredential or ClrCredential; verified as a plain verifiable credential"}, false
}

// bound is one validity bound: a date the statements (or a JWT claim) give.
type bound struct {
	name string
	at   time.Time
}

// checkValidity applies every validity bound present: the credential is
// valid only after the latest of validFrom, issuanceDate (and a JWT's nbf)
// and before the earliest of validUntil, expirationDate (and exp), all
// read from the statements the proof covers.
func (v *Verifier) checkValidity(r *report, p *proven, vcdm1 bool, extraFrom, extraUntil []bound) {
	if p.claims == nil {
		var ce *claimError
		switch {
		case errors.As(p.claimsErr, &ce):
			// A date that is there but is not a date, or is there twice.
			r.fail(CheckValidity, ce.path, ce.Error())
		case p.claimsErr != nil:
			r.skip(CheckValidity, "not checked: the credential's statements could not be read: "+p.claimsErr.Error())
		default:
			r.skip(CheckValidity, "not checked: the credential's statements could not be read")
		}
		return
	}
	c := p.claims
	froms := presentBounds([]bound{{"validFrom", c.ValidFrom}, {"issuanceDate", c.IssuanceDate}}, extraFrom)
	untils := presentBounds([]bound{{"validUntil", c.ValidUntil}, {"expirationDate", c.ExpirationDate}}, extraUntil)
	if len(froms) == 0 {
		// VC 2.0 makes validFrom optional; VC 1.1 requires issuanceDate,
		// whose absence is a data-model departure, not a reason to doubt
		// the issuer. Either way the upper bounds still apply.
		reason, status := "no validFrom: valid from any time (VC 2.0 makes it optional)", StatusPass
		if vcdm1 {
			reason, status = "issuanceDate is missing, which VC 1.1 requires", StatusWarn
		}
		if until, ok := v.expired(r, untils); !ok {
			return
		} else if until != "" {
			reason += "; " + until
		}
		path := ""
		if vcdm1 {
			path = "issuanceDate"
		}
		r.add(CheckResult{Check: CheckValidity, Status: status, Reason: reason, Path: path})
		return
	}
	now := v.now()
	from := slices.MaxFunc(froms, func(a, b bound) int { return a.at.Compare(b.at) })
	if now.Add(v.skew).Before(from.at) {
		r.fail(CheckValidity, from.name, fmt.Sprintf("not yet valid: %s is %s, now is %s", from.name, from.at.Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		return
	}
	reason := "valid from " + from.at.Format(time.RFC3339)
	until, ok := v.expired(r, untils)
	if !ok {
		return
	}
	if until != "" {
		reason += " " + until
	}
	if n := len(froms) + len(untils); n > 1 {
		names := make([]string, 0, n)
		for _, b := range append(froms, untils...) {
			names = append(names, b.name)
		}
		reason += " (every bound applied: " + strings.Join(names, ", ") + ")"
	}
	r.pass(CheckValidity, reason)
}

// expired applies the earliest of untils. It records the failure and
// returns false when it has passed; otherwise it describes the bound ("until
// ...", empty without one).
func (v *Verifier) expired(r *report, untils []bound) (string, bool) {
	if len(untils) == 0 {
		return "", true
	}
	now := v.now()
	until := slices.MinFunc(untils, func(a, b bound) int { return a.at.Compare(b.at) })
	if !now.Add(-v.skew).Before(until.at) {
		r.fail(CheckValidity, until.name, fmt.Sprintf("expired: %s was %s, now is %s", until.name, until.at.Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		return "", false
	}
	return "until " + until.at.Format(time.RFC3339), true
}

func presentBounds(lists ...[]bound) []bound {
	var out []bound
	for _, l := range lists {
		for _, b := range l {
			if !b.at.IsZero() {
				out = append(out, b)
			}
		}
	}
	return out
}

// checkStatus checks credentialStatus, as the verified statements give it.
// A credential no proof of the issuer's covers is not the issuer's
// statement: fetching the status URLs it names would only let a forger make
// the verifier send requests.
func (v *Verifier) checkStatus(ctx context.Context, r *report, p *proven) {
	for _, name := range []CheckName{CheckProof, CheckIssuer} {
		// A warning (the issuer's document lists the method twice,
		// identically) still binds the key: the status must be read, or a
		// revoked credential would pass with that warning alone.
		if c := r.res.Check(name); c != nil && c.Status != StatusPass && c.Status != StatusWarn {
			r.skip(CheckStatus, "not run: "+string(name)+" check failed")
			return
		}
	}
	if !p.verified() {
		r.skip(CheckStatus, "not run: proof failed (no proof by the issuer's key covers the credential)")
		return
	}
	if len(p.claims.Status) == 0 {
		r.pass(CheckStatus, "no credentialStatus: the issuer cannot revoke this credential")
		return
	}
	if v.status == nil {
		r.skip(CheckStatus, "credentialStatus present but no status checker is configured")
		return
	}
	c, err := v.status.CheckStatus(ctx, p.view)
	if err != nil {
		r.undecided(CheckStatus, err)
		return
	}
	c.Check = CheckStatus
	switch c.Status {
	case StatusPass, StatusWarn, StatusFail, StatusError:
	default:
		// A StatusChecker that neither passes nor fails has not checked:
		// an empty or skipped status must not let a credential through.
		r.undecided(CheckStatus, fmt.Errorf("the status checker returned status %q: %s", c.Status, c.Reason))
		return
	}
	if c.Status == StatusError {
		r.undecidedAt(CheckStatus, c.Path, errors.New(c.Reason))
		return
	}
	r.add(c)
}

// describe copies what the report shows about the credential from the
// claims, once the statements are known.
func (r *report) describe(p *proven) {
	if p.claims == nil {
		return
	}
	r.res.Claims = p.claims
	r.res.CredentialID = p.claims.ID
	r.res.Issuer = p.claims.Issuer
	r.res.Name = p.claims.Name
}

// issuerView is what the issuer check reads: the statements' issuer, or
// the document's when there are no statements.
func (p *proven) issuerView(cred map[string]any) map[string]any {
	if p.claims != nil {
		return map[string]any{"issuer": p.claims.Issuer}
	}
	return cred
}

package verifier

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/rdfc"
)

const (
	iriEndorsementComment = obNS + "endorsementComment"
	iriEndorsement        = obNS + "endorsement"
	iriEndorsementSubject = obNS + "EndorsementSubject"
)

// MaxEndorsements is the most embedded endorsements verified in one
// credential; more are reported as not checked, and leave the embedded
// check undecided (their statements are the credential's, unjudged).
const MaxEndorsements = 32

// EndorsementResult is one endorsement embedded in a credential, its
// issuer Profile or its achievement, verified on its own.
type EndorsementResult struct {
	// Path is where it is embedded (credentialSubject.achievement.endorsement[0]).
	Path string `json:"path"`
	// ID is the endorsement credential's id.
	ID string `json:"id,omitempty"`
	// Endorser is its issuer, EndorserName that issuer's name.
	Endorser     string `json:"endorser,omitempty"`
	EndorserName string `json:"endorserName,omitempty"`
	// Subject is the id of what it endorses; Comment its endorsementComment.
	Subject string `json:"subject,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Verdict is the endorsement's own verdict.
	Verdict Verdict `json:"verdict"`
	// Counted is true when it is valid, endorses the thing it is embedded
	// in, and is bound to the verified issuer.
	Counted bool `json:"counted"`
	// Note says why it does not count.
	Note string `json:"note,omitempty"`
	// Recognition says whether the trust lists recognise the endorser as
	// one; nil without trust lists.
	Recognition *Recognition `json:"recognition,omitempty"`
	// Checks are its own checks.
	Checks []CheckResult `json:"checks,omitempty"`
}

// Reasons an endorsement does not count.
const (
	// NoteNotBound is the note of an endorsement whose subject is neither
	// the verified issuer, nor this credential, nor an achievement whose
	// id the issuer controls (a DID URL of its DID, a URL of its did:web
	// host or https origin): a diploma mill must not borrow a real
	// endorsement by reusing an achievement id, and naming itself the
	// achievement's creator does not help it.
	NoteNotBound = "endorsement not bound to this issuer"
)

// embeddedEndorsement is an endorsement found in the JSON and the id of
// the thing it is embedded in.
type embeddedEndorsement struct {
	path  string
	host  string // the id of the object holding it
	kind  string // "credential", "issuer" or "achievement"
	value any
}

// checkEndorsements verifies every endorsement embedded in cred (at the
// credential, its issuer Profile or its achievement), within the budget of
// the credential's verification, and judges whether each counts. Only a
// credential whose proof verified is looked into: the proof is what puts
// the endorsements where they are.
func (v *Verifier) checkEndorsements(ctx context.Context, r *report, cred map[string]any, p *proven) {
	if !p.verified() {
		return
	}
	var found []embeddedEndorsement
	add := func(holder map[string]any, path, kind string) {
		if holder == nil {
			return
		}
		host, _ := holder["id"].(string)
		switch e := holder["endorsement"].(type) {
		case []any:
			for i, x := range e {
				found = append(found, embeddedEndorsement{path: fmt.Sprintf("%s[%d]", path, i), host: host, kind: kind, value: x})
			}
		case map[string]any:
			found = append(found, embeddedEndorsement{path: path, host: host, kind: kind, value: e})
		}
	}
	add(cred, "endorsement", "credential")
	if iss, ok := cred["issuer"].(map[string]any); ok {
		add(iss, "issuer.endorsement", "issuer")
	}
	var achievementCreator string
	if s, ok := cred["credentialSubject"].(map[string]any); ok {
		if a, ok := s["achievement"].(map[string]any); ok {
			add(a, "credentialSubject.achievement.endorsement", "achievement")
		}
	}
	if p.claims.Award != nil {
		achievementCreator = p.claims.Award.Creator
	}
	// An endorsement anywhere else (a creator's or a source's Profile, or
	// under the property's full IRI) is this credential's statements too:
	// those the JSON shows are verified and judged alike (only the three
	// places above can count), and any the JSON does not show fail.
	var ours map[rdfc.Term]bool
	hidden := 0
	if p.graph != nil && p.graph.hasPredicate(iriEndorsement) {
		walkEndorsements(cred, nil, 0, add)
		// A CLR's embedded credentials are documents of their own, their
		// endorsements verified with them.
		ours = p.graph.reachable(p.graph.rootNode, iriEndorsement, iriClrVerifiableCredential)
		// A CLR's embedded credentials give its subject, the learner,
		// their achievements (and those their endorsements), so in a CLR
		// the count would include theirs.
		if n := p.graph.countFrom(ours, iriEndorsement); n > len(found) && p.claims.Clr == nil {
			hidden = n - len(found)
		}
	}
	// Endorsements are nested documents, as status lists are: an
	// endorsement of an endorsement of ... would otherwise have the
	// innermost canonicalized once per level.
	nctx, nestErr := nested(ctx)
	var injected []string
	injectedAt, unreadAt := "", ""
	// inject records that the endorsement at path states what would read
	// as this credential's own claims.
	inject := func(path, why string) {
		injected = append(injected, path+": "+why)
		if injectedAt == "" {
			injectedAt = path
		}
	}
	var unchecked *EndorsementResult
	var hostBlanks map[string]bool
	for i, e := range found {
		er := EndorsementResult{Path: e.path, Verdict: VerdictCouldNotCheck}
		if nestErr != nil || i >= MaxEndorsements {
			er.Note = fmt.Sprintf("not checked: more than %d endorsements", MaxEndorsements)
			if nestErr != nil {
				er.Note = "not checked: " + nestErr.Error()
			}
			if _, isObject := e.value.(map[string]any); isObject && unchecked == nil {
				// Its statements are this credential's too, and nothing
				// judged what they say of this credential's nodes (the
				// 33rd endorsement could state the achievement's type).
				unchecked = &er
			}
			r.res.Endorsements = append(r.res.Endorsements, er)
			continue
		}
		raw, err := jsonvalue.Marshal(e.value)
		if err != nil {
			er.Note = "not a JSON object"
			r.res.Endorsements = append(r.res.Endorsements, er)
			continue
		}
		res, _ := v.verify(withoutExplain(nctx), raw)
		er.Verdict, er.Checks = res.Verdict, res.Checks
		er.ID, er.Endorser = res.CredentialID, res.Issuer
		if m, ok := e.value.(map[string]any); ok {
			if iss, ok := m["issuer"].(map[string]any); ok {
				er.EndorserName, _ = iss["name"].(string)
			}
			if s, ok := m["credentialSubject"].(map[string]any); ok {
				er.Comment, _ = s["endorsementComment"].(string)
			}
		}
		if res.Claims != nil {
			er.Subject = res.Claims.Subject
		}
		er.Note = v.endorsementNote(res, &er, e, p.claims, achievementCreator)
		// An endorsement the credential's issuer signed says only what the
		// issuer could have said in the credential itself (its own profile,
		// image and all, copied into the endorsement's issuer).
		byIssuer := res.Claims != nil && res.Claims.Verified && res.Claims.Issuer == p.claims.Issuer
		if extra := beyondComment(res.Claims); len(extra) > 0 && er.Subject != "" && !byIssuer && !endorsersOwn(res.Claims, er.Subject, p.claims) {
			// OB 3.0's endorsement is no @graph container: the
			// endorsement's statements are this credential's too, and its
			// subject is this credential's node (the achievement, the
			// issuer). What it says of it beyond a comment would read as
			// the issuer's claims (an achievementType, a creator).
			er.Note = fmt.Sprintf("the endorsement states more than a comment about %s (%s), which would read as this credential's own claims", clipText(er.Subject), strings.Join(extra, ", "))
			inject(e.path, er.Note)
		}
		if _, isObject := e.value.(map[string]any); isObject && res.Claims == nil && unreadAt == "" {
			// Its statements are this credential's too, but what they say
			// of this credential's nodes is unknown: read on its own, the
			// endorsement is not JSON-LD (a term only this credential's
			// contexts define, say).
			unreadAt = e.path
		}
		if n := describesOurs(res.Claims, er.Subject, ours, p.claims); n != "" && !byIssuer {
			er.Note = fmt.Sprintf("the endorsement describes %s, a node of this credential, which would read as this credential's own claims", clipText(n))
			inject(e.path, er.Note)
		}
		if l := sharedBlank(e.value, cred, &hostBlanks, "endorsement", "proof"); l != "" && !byIssuer {
			// Blank node identifiers are the document's: written in the
			// endorsement, one the credential also writes is the
			// credential's node (a subject without an IRI, say), which
			// the IRI node check above cannot see.
			er.Note = fmt.Sprintf("the endorsement names the blank node %s, a node of this credential, which would read as this credential's own claims", clipText(l))
			inject(e.path, er.Note)
		}
		if res.Verdict.Accepted() {
			er.Recognition = v.recognise(ctx, er.Endorser, RoleEndorser)
		}
		er.Counted = er.Note == ""
		r.res.Endorsements = append(r.res.Endorsements, er)
	}
	switch {
	case hidden > 0:
		r.fail(CheckEmbedded, "endorsement", fmt.Sprintf("the statements hold %d endorsements the JSON does not show where endorsements go (under a full IRI, say): never verified, they would read as this credential's own statements", hidden))
	case len(injected) > 0:
		r.fail(CheckEmbedded, injectedAt, strings.Join(injected, "; "))
	case unreadAt != "":
		r.undecidedAt(CheckEmbedded, unreadAt, errors.New("the endorsement's statements do not read on their own, so what it states about this credential's nodes is unknown"))
	case unchecked != nil:
		r.undecidedAt(CheckEmbedded, unchecked.Path, fmt.Errorf("%s, so what the endorsement states about this credential's nodes is unknown", unchecked.Note))
	}
}

// beyondComment returns the properties an endorsement's statements give
// its subject besides its types and endorsementComment.
func beyondComment(c *Claims) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, p := range c.subjectPredicates {
		if p != rdfType && p != iriEndorsementComment {
			out = append(out, p)
		}
	}
	return out
}

// walkEndorsements calls add for every object of doc, at any depth, that
// holds an endorsement, other than the three checkEndorsements reads first
// (the credential, its issuer, its achievement), in a fixed order. It does
// not look into endorsements nor a CLR's embedded credentials (each is
// verified as a document of its own) nor proofs. segs is the path to x;
// the path is written out only for a holder, its keys clipped, so that a
// deep document of long keys costs no path per node.
func walkEndorsements(x any, segs []string, depth int, add func(holder map[string]any, path, kind string)) {
	if depth > maxEndorsementDepth {
		return
	}
	switch t := x.(type) {
	case map[string]any:
		if len(segs) > 0 && holdsEndorsement(t["endorsement"]) && !readFirst(segs) {
			add(t, joinPath(segs)+".endorsement", "node")
		}
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if k == "endorsement" || k == "proof" || k == "@context" || k == "verifiableCredential" {
				continue
			}
			walkEndorsements(t[k], append(segs, k), depth+1, add)
		}
	case []any:
		for i, y := range t {
			walkEndorsements(y, append(segs, "["+strconv.Itoa(i)+"]"), depth+1, add)
		}
	}
}

// holdsEndorsement reports whether e, an object's endorsement value, holds
// one for add to find.
func holdsEndorsement(e any) bool {
	switch e := e.(type) {
	case []any:
		return len(e) > 0
	case map[string]any:
		return true
	}
	return false
}

// readFirst reports whether segs is the path of the issuer or the
// achievement, whose endorsements checkEndorsements adds first.
func readFirst(segs []string) bool {
	switch len(segs) {
	case 1:
		return segs[0] == "issuer"
	case 2:
		return segs[0] == "credentialSubject" && segs[1] == "achievement"
	}
	return false
}

// joinPath writes segs (keys, and array indices as "[i]") as a dotted
// path, each key clipped.
func joinPath(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		if !strings.HasPrefix(s, "[") && b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(clipText(s))
	}
	return b.String()
}

// sharedBlank returns a blank node identifier ("_:x") that e, a document
// embedded in the credential cred, and cred outside the values of the keys
// skip (where e and its like are) both write, or "". *host caches cred's
// identifiers, read on first need.
func sharedBlank(e any, cred map[string]any, host *map[string]bool, skip ...string) string {
	mine := map[string]bool{}
	blankLabels(e, 0, mine)
	if len(mine) == 0 {
		return ""
	}
	if *host == nil {
		*host = map[string]bool{}
		blankLabels(cred, 0, *host, skip...)
	}
	for _, l := range slices.Sorted(maps.Keys(mine)) {
		if (*host)[l] {
			return l
		}
	}
	return ""
}

// blankLabels adds to out the strings of x that are blank node
// identifiers, not looking under the keys skip.
func blankLabels(x any, depth int, out map[string]bool, skip ...string) {
	if depth > maxEndorsementDepth {
		return
	}
	switch t := x.(type) {
	case string:
		if strings.HasPrefix(t, "_:") {
			out[t] = true
		}
	case map[string]any:
		for k, y := range t {
			if !slices.Contains(skip, k) {
				blankLabels(y, depth+1, out, skip...)
			}
		}
	case []any:
		for _, y := range t {
			blankLabels(y, depth+1, out, skip...)
		}
	}
}

// maxEndorsementDepth bounds walkEndorsements; the JSON parser bounds
// nesting anyway.
const maxEndorsementDepth = 64

// describesOurs returns a node of ours, other than the endorsement's
// subject (which beyondComment judges) and, for an endorsement its issuer's
// key signed, that issuer's own profile, that the endorsement's statements c
// give a property: the endorsement is embedded without a @graph, so that
// property is this credential's too. "" when there is none. The endorser's
// profile is its own to describe unless it is a node whose properties host's
// claims read (a learner endorsing the issuer must not give its own node,
// the credential's subject, credits or results).
func describesOurs(c *Claims, subject string, ours map[rdfc.Term]bool, host *Claims) string {
	if c == nil {
		return ""
	}
	for _, n := range c.described {
		// The subject is beyondComment's to judge only when it is the one
		// subject (a second under the full IRI of credentialSubject
		// leaves no subjectPredicates).
		if n == subject && c.subjectPredicates != nil || endorsersOwn(c, n, host) {
			continue
		}
		if ours[rdfc.Term{Kind: rdfc.IRI, Value: n}] {
			return n
		}
	}
	return ""
}

// endorsementNote says why endorsement er, embedded as e in a credential
// with claims c, does not count; "" when it does.
func (v *Verifier) endorsementNote(res *Result, er *EndorsementResult, e embeddedEndorsement, c *Claims, creator string) string {
	switch {
	case !res.Verdict.Accepted():
		return "the endorsement is " + string(res.Verdict)
	case res.Claims == nil || !res.Claims.Verified:
		return "the endorsement's statements are not covered by a proof of its issuer"
	case !hasType(res.Claims.Types, "EndorsementCredential"):
		return "not an EndorsementCredential"
	case er.Subject == "":
		return "the endorsement names no subject"
	case e.host != "" && er.Subject != e.host:
		return fmt.Sprintf("it endorses %s, but is embedded in %s %s", er.Subject, e.kind, e.host)
	}
	issuer := c.Issuer
	switch {
	case er.Subject == issuer:
		return ""
	case er.Subject == c.ID && e.kind == "credential":
		return ""
	case c.Award != nil && er.Subject == c.Award.Achievement && controls(issuer, er.Subject):
		return ""
	case c.Award != nil && er.Subject == c.Award.Achievement && creator == issuer:
		// The creator is only what this credential's issuer says: a mill
		// reusing a real achievement id would name itself creator too.
		return NoteNotBound + ": it names itself the achievement's creator, but the achievement id is not one it controls"
	}
	return NoteNotBound
}

func hasType(types []string, t string) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

// controls reports whether issuer id controls id: any DID issuer its own
// DID URLs (did:key:z6Mk.../achievements/x), a did:web issuer the https
// URLs of its host (and path), an https issuer those of its origin.
func controls(issuer, id string) bool {
	if strings.HasPrefix(issuer, "did:") {
		if rest, ok := strings.CutPrefix(id, issuer); ok && rest != "" && strings.ContainsRune("/?#", rune(rest[0])) {
			return true
		}
	}
	u, err := url.Parse(id)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(issuer, "did:web:"); ok {
		parts := strings.Split(rest, ":")
		host, err := url.PathUnescape(parts[0])
		if err != nil || !strings.EqualFold(host, u.Host) {
			return false
		}
		prefix := "/" + strings.Join(parts[1:], "/")
		return len(parts) == 1 || u.Path == prefix || strings.HasPrefix(u.Path, prefix+"/")
	}
	iu, err := url.Parse(issuer)
	return err == nil && iu.Scheme == "https" && strings.EqualFold(iu.Host, u.Host)
}

// endorsersOwn reports whether node n is the profile of the issuer whose
// key signed the endorsement with statements c, and not a node whose
// properties the host's claims read: what such an endorsement says of n is
// what n's controller says of itself. An issuer endorsing itself (the DCC's
// complex-issuer fixture) names itself in its endorsement's issuer, so its
// subject, its own profile, gets that name.
func endorsersOwn(c *Claims, n string, host *Claims) bool {
	return c.Verified && n == c.Issuer && !host.readsNode(n)
}

// readsNode reports whether c's claims read properties of node n: the
// credential, its subject, the achievement. (The issuer's profile is only
// its id to the claims, and an endorsement that verifies with the issuer's
// own key says only what the issuer says.)
func (c *Claims) readsNode(n string) bool {
	switch n {
	case c.ID, c.Subject:
		return true
	}
	return c.Award != nil && (n == c.Award.Achievement || n == c.Award.Subject)
}

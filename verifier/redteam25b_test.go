package verifier_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

// rt25bEndorsement signs an EndorsementCredential by k with the given
// issuer profile and subject.
func rt25bEndorsement(t *testing.T, k testKey, id string, profile, subj map[string]any) map[string]any {
	t.Helper()
	return sign(t, map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":                id,
		"type":              []any{"VerifiableCredential", "EndorsementCredential"},
		"issuer":            profile,
		"validFrom":         "2026-11-01T00:00:00Z",
		"name":              "Endorsement",
		"credentialSubject": subj,
	}, k.priv, k.vm, proof.EddsaRdfc2022)
}

// TestRedTeam25bLegitimateEndorsements: shapes real OB 3.0 issuers
// produce must stay valid under the endorsement node checks. The
// self-endorsement case is the DCC's complex-issuer fixture
// (oidf-noStatus-notExpired-complexIssuer.json): the issuer endorses
// itself, naming itself in the endorsement's issuer, so its profile, the
// endorsement's subject, gets a name; the corpus case was invalid
// (embedded) since the subject check (beyondComment) did not exempt the
// endorser's own profile as the node check does. An endorsement whose
// subject is the credential itself (an OB 3.0 endorsement of the
// assertion), or of its host endorsement, points back at the node holding
// it: the host had "no single root" (invalid), and a nested one made the
// host undecided once unreadable endorsements left the embedded check so.
func TestRedTeam25bLegitimateEndorsements(t *testing.T) {
	is, en, en2 := newKey(t, 231), newKey(t, 232), newKey(t, 233)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	enProfile := func() map[string]any {
		return map[string]any{"id": en.did, "type": []any{"Profile"}, "name": "Endorser", "url": "https://endorser.example", "email": "e@endorser.example"}
	}
	comment := func(id string) map[string]any {
		return map[string]any{"id": id, "type": []any{"EndorsementSubject"}, "endorsementComment": "Sound."}
	}
	for _, tc := range []struct {
		name string
		edit func(t *testing.T, host map[string]any)
		// counted is how many endorsements must count.
		counted int
	}{
		{"control: one endorsement of the issuer", func(t *testing.T, host map[string]any) {
			host["issuer"].(map[string]any)["endorsement"] = []any{rt25bEndorsement(t, en, "urn:uuid:00000000-0000-4000-8000-00000025b001", enProfile(), comment(is.did))}
		}, 1},
		{"endorsements on the credential, the issuer and the achievement at once", func(t *testing.T, host map[string]any) {
			host["endorsement"] = []any{rt25bEndorsement(t, en, "urn:uuid:00000000-0000-4000-8000-00000025b002", enProfile(), comment(host["id"].(string)))}
			host["issuer"].(map[string]any)["endorsement"] = []any{
				rt25bEndorsement(t, en, "urn:uuid:00000000-0000-4000-8000-00000025b003", enProfile(), comment(is.did)),
				rt25bEndorsement(t, en2, "urn:uuid:00000000-0000-4000-8000-00000025b004", map[string]any{"id": en2.did, "type": []any{"Profile"}, "name": "Second"}, comment(is.did)),
			}
			ach := achievement(host)
			ach["id"] = is.did + "/achievements/1"
			ach["endorsement"] = []any{rt25bEndorsement(t, en, "urn:uuid:00000000-0000-4000-8000-00000025b005", enProfile(), comment(ach["id"].(string)))}
		}, 4},
		{"the issuer endorses itself, naming itself in the endorsement", func(t *testing.T, host map[string]any) {
			host["issuer"].(map[string]any)["endorsement"] = []any{rt25bEndorsement(t, is, "urn:uuid:00000000-0000-4000-8000-00000025b006",
				map[string]any{"id": is.did, "type": []any{"Profile"}, "name": "Horse Accreditor"}, comment(is.did))}
		}, 1},
		{"the issuer endorses its achievement with its full profile", func(t *testing.T, host map[string]any) {
			ach := achievement(host)
			ach["id"] = is.did + "/achievements/1"
			p := map[string]any{"id": is.did, "type": []any{"Profile"}, "name": "Example Polytechnic", "url": "https://example.edu", "email": "registrar@example.edu"}
			ach["endorsement"] = []any{rt25bEndorsement(t, is, "urn:uuid:00000000-0000-4000-8000-00000025b007", p, comment(ach["id"].(string)))}
		}, 1},
		{"the issuer endorses itself with its full profile, image and all", func(t *testing.T, host map[string]any) {
			img := func() map[string]any {
				return map[string]any{"id": "https://example.edu/logo.png", "type": "Image", "caption": "Example Polytechnic"}
			}
			iss := host["issuer"].(map[string]any)
			iss["image"] = img()
			p := map[string]any{"id": is.did, "type": []any{"Profile"}, "name": "Example Polytechnic", "url": "https://example.edu", "image": img()}
			iss["endorsement"] = []any{rt25bEndorsement(t, is, "urn:uuid:00000000-0000-4000-8000-00000025b00c", p, comment(is.did))}
		}, 1},
		{"the achievement's creator endorses it, with its full profile in both", func(t *testing.T, host map[string]any) {
			ach := achievement(host)
			ach["id"] = is.did + "/achievements/1"
			ach["creator"] = enProfile()
			ach["endorsement"] = []any{rt25bEndorsement(t, en, "urn:uuid:00000000-0000-4000-8000-00000025b00d", enProfile(), comment(ach["id"].(string)))}
		}, 1},
		{"the same endorsement embedded twice", func(t *testing.T, host map[string]any) {
			e := rt25bEndorsement(t, en, "urn:uuid:00000000-0000-4000-8000-00000025b008", enProfile(), comment(is.did))
			host["issuer"].(map[string]any)["endorsement"] = []any{e, e}
		}, 2},
		{"an achievement's creator carries an endorsement of itself", func(t *testing.T, host map[string]any) {
			ach := achievement(host)
			ach["creator"] = map[string]any{"id": "https://example.edu/faculty", "type": []any{"Profile"}, "name": "Faculty",
				"endorsement": []any{rt25bEndorsement(t, en, "urn:uuid:00000000-0000-4000-8000-00000025b009", enProfile(), comment("https://example.edu/faculty"))}}
		}, 0},
		{"an endorsement of an endorsement", func(t *testing.T, host map[string]any) {
			inner := rt25bEndorsement(t, en2, "urn:uuid:00000000-0000-4000-8000-00000025b00a", map[string]any{"id": en2.did, "type": []any{"Profile"}, "name": "Second"},
				comment("urn:uuid:00000000-0000-4000-8000-00000025b00b"))
			outer := rt25bEndorsement(t, en, "urn:uuid:00000000-0000-4000-8000-00000025b00b", enProfile(), comment(is.did))
			delete(outer, "proof")
			outer["endorsement"] = []any{inner}
			host["issuer"].(map[string]any)["endorsement"] = []any{sign(t, outer, en.priv, en.vm, proof.EddsaRdfc2022)}
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			tc.edit(t, host)
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if !res.Verdict.Accepted() {
				t.Fatalf("verdict %s (%v), checks %+v, endorsements %+v; want accepted", res.Verdict, err, res.Checks, res.Endorsements)
			}
			if res.Claims.ID != host["id"] || !slices.Contains(res.Claims.Types, "OpenBadgeCredential") {
				t.Errorf("claims of %q with types %v, want the host credential's", res.Claims.ID, res.Claims.Types)
			}
			counted := 0
			for _, e := range res.Endorsements {
				if e.Verdict != verifier.VerdictValid {
					t.Errorf("endorsement %s: verdict %s, want valid", e.Path, e.Verdict)
				}
				if e.Counted {
					counted++
				}
			}
			if counted != tc.counted {
				t.Errorf("%d endorsements counted, want %d: %+v", counted, tc.counted, res.Endorsements)
			}
		})
	}
}

// rt25bContains is strings.Contains for a check that may be nil.
func rt25bContains(c *verifier.CheckResult, s string) bool {
	return c != nil && strings.Contains(c.Reason, s)
}

// TestRedTeam25bEndorsementSharesBlankNode: the node check reads the IRI
// nodes an endorsement describes, but blank node identifiers written in
// JSON-LD are the document's, not the object's: an endorsement writing
// "_:learner" gives properties to the credential's own "_:learner" node
// once embedded. A credential whose subject was "_:learner", with no
// creditsEarned of its own, was VALID with creditsEarned 120 from the
// endorser (and an achievement "_:ach" held the endorser's
// achievementType in the signed statements). An endorsement naming a blank node the credential
// also names now fails the embedded check.
func TestRedTeam25bEndorsementSharesBlankNode(t *testing.T) {
	is, en := newKey(t, 234), newKey(t, 235)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const obv = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	for _, tc := range []struct {
		name  string
		edit  func(host, e map[string]any)
		valid bool
	}{
		{"control: the endorsement's own blank node", func(host, e map[string]any) {
			delete(subject(host), "creditsEarned")
			e["@included"] = []any{map[string]any{"id": "_:mine", "type": []any{"Profile"}, "name": "A referee"}}
		}, true},
		{"control: the credential's blank subject, and another in the endorsement", func(host, e map[string]any) {
			subject(host)["id"] = "_:learner"
			delete(subject(host), "creditsEarned")
			e["@included"] = []any{map[string]any{"id": "_:other", obv + "creditsEarned": 120}}
		}, true},
		{"the credential's blank subject gets credits", func(host, e map[string]any) {
			subject(host)["id"] = "_:learner"
			delete(subject(host), "creditsEarned")
			e["@included"] = []any{map[string]any{"id": "_:learner", obv + "creditsEarned": 120}}
		}, false},
		{"the credential's blank achievement gets a type", func(host, e map[string]any) {
			achievement(host)["id"] = "_:ach"
			delete(achievement(host), "achievementType")
			e["evidence"] = []any{map[string]any{"id": "_:ach", "type": []any{"Evidence"}, obv + "achievementType": "Diploma"}}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			e := endorsementDoc(en, "urn:uuid:00000000-0000-4000-8000-00000025b0b1", "Endorsement", map[string]any{"id": is.did, "type": []any{"EndorsementSubject"}, "endorsementComment": "Sound."})
			tc.edit(host, e)
			host["issuer"].(map[string]any)["endorsement"] = []any{sign(t, e, en.priv, en.vm, proof.EddsaRdfc2022)}
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if got := res.Verdict.Accepted(); got != tc.valid {
				t.Fatalf("accepted %v (%s, %v), want %v; checks %+v", got, res.Verdict, err, tc.valid, res.Checks)
			}
			if tc.valid {
				if a := res.Claims.Award; a == nil || a.CreditsEarned != nil || a.AchievementType != "MicroCredential" {
					t.Errorf("award %+v, want the issuer's alone", a)
				}
				return
			}
			if c := res.Check(verifier.CheckEmbedded); c == nil || c.Status != verifier.StatusFail || !rt25bContains(c, "blank node _:") {
				t.Errorf("embedded check %+v, want a failure naming the blank node", c)
			}
		})
	}
}

// rt25bLoneSurrogate re-signs compact JWS tok by k with every U+FFFD of
// its payload written as the lone surrogate escape \ud800 (control: as
// the escape \ufffd), the bytes encoding/json reads as U+FFFD again.
func rt25bLoneSurrogate(t *testing.T, tok string, k testKey, lone bool) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	enc := base64.RawURLEncoding
	p, err := enc.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	esc := `\ufffd`
	if lone {
		esc = `\ud800`
	}
	q := bytes.ReplaceAll(p, []byte("\uFFFD"), []byte(esc))
	if bytes.Equal(p, q) {
		t.Fatal("no U+FFFD in the payload")
	}
	input := parts[0] + "." + enc.EncodeToString(q)
	return input + "." + enc.EncodeToString(ed25519.Sign(k.priv, []byte(input)))
}

// TestRedTeam25bJWTLoneSurrogate: checkText refuses a lone surrogate
// escape in a JSON credential or presentation, whose embedded credentials
// are re-encoded from the decoded text, but not in a JWT's payload: a
// holder's VP-JWT carried an issuer's Data Integrity credential whose
// achievement name, signed with U+FFFD, was written "\ud800" (a lone
// surrogate that JavaScript's JSON.parse keeps and shows as another
// text), and the credential verified under the issuer's signature. The
// payload of a JWT presentation or credential is now checked alike.
func TestRedTeam25bJWTLoneSurrogate(t *testing.T) {
	is, holder := newKey(t, 236), newKey(t, 237)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	cred := unsigned(t, is)
	achievement(cred)["name"] = "Applied Data Analysis \uFFFD"
	signed := sign(t, cred, is.priv, is.vm, proof.EddsaRdfc2022)
	vp := newPresentation(holder.did, signed)
	for _, lone := range []bool{false, true} {
		tok := rt25bLoneSurrogate(t, vpJWT(t, holder, vp, false), holder, lone)
		res, err := v.VerifyPresentation(context.Background(), []byte(tok), verifier.PresentationOptions{Challenge: vpChallenge, Domain: vpDomain})
		c := res.Checks[0]
		if !lone {
			if !res.Verdict.Accepted() || len(res.Credentials) != 1 || !res.Credentials[0].Verdict.Accepted() {
				t.Fatalf("control: verdict %s (%v), checks %+v; want the presentation and its credential accepted", res.Verdict, err, res.Checks)
			}
			continue
		}
		if c.Check != verifier.CheckParse || c.Status != verifier.StatusFail || !strings.Contains(c.Reason, "lone UTF-16 surrogate") {
			t.Fatalf("lone surrogate: verdict %s, parse check %+v; want a parse failure naming the surrogate", res.Verdict, c)
		}
	}
	// A VC-JWT alike (its embedded endorsements are re-encoded so).
	jwt, err := vcjwt.Sign(context.Background(), cred, is.priv, vcjwt.Options{Format: vcjwt.FormatJOSE, KeyID: is.vm})
	if err != nil {
		t.Fatal(err)
	}
	for _, lone := range []bool{false, true} {
		res, err := v.Verify(context.Background(), []byte(rt25bLoneSurrogate(t, jwt, is, lone)))
		c := res.Checks[0]
		if lone != (c.Check == verifier.CheckParse && c.Status == verifier.StatusFail && strings.Contains(c.Reason, "lone UTF-16 surrogate")) || lone == res.Verdict.Accepted() {
			t.Errorf("VC-JWT, lone surrogate %v: verdict %s (%v), parse check %+v", lone, res.Verdict, err, c)
		}
	}
}

// TestRedTeam25bEndorsementSecondSubject: the node check left the
// endorsement's subject to the subject check, which reads the subject's
// properties only when there is one subject. An endorsement with a second
// credentialSubject under the property's full IRI (the JSON's
// credentialSubject a comment on the issuer) made the learner its first
// subject in the statements and gave it creditsEarned 120, judged by
// neither check: a credential declaring no schema was VALID with the
// endorser's credits. The node check now judges the subject too when
// the subject check cannot.
func TestRedTeam25bEndorsementSecondSubject(t *testing.T) {
	is, en := newKey(t, 238), newKey(t, 239)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const obv = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	const credentialSubjectIRI = "https://www.w3.org/2018/credentials#credentialSubject"
	for _, tc := range []struct {
		name   string
		second func(host map[string]any) map[string]any
		valid  bool
	}{
		{"control: a second subject commenting on the achievement", func(host map[string]any) map[string]any {
			return map[string]any{"id": achievement(host)["id"], "type": []any{"EndorsementSubject"}, "endorsementComment": "Also sound."}
		}, true},
		{"a second subject gives the learner credits", func(host map[string]any) map[string]any {
			return map[string]any{"id": subject(host)["id"], "type": []any{"EndorsementSubject"}, obv + "creditsEarned": 120}
		}, false},
		{"a second subject gives the achievement a type", func(host map[string]any) map[string]any {
			return map[string]any{"id": achievement(host)["id"], "type": []any{"EndorsementSubject"}, obv + "achievementType": "Diploma"}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			delete(host, "credentialSchema")
			delete(subject(host), "creditsEarned")
			e := map[string]any{
				"@context":           []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
				"id":                 "urn:uuid:00000000-0000-4000-8000-00000025b0c1",
				"type":               []any{"VerifiableCredential", "EndorsementCredential"},
				"issuer":             map[string]any{"id": en.did, "type": []any{"Profile"}, "name": "Endorser"},
				"validFrom":          "2026-11-01T00:00:00Z",
				"name":               "Endorsement",
				"credentialSubject":  map[string]any{"id": is.did, "type": []any{"EndorsementSubject"}, "endorsementComment": "Sound."},
				credentialSubjectIRI: tc.second(host),
			}
			host["issuer"].(map[string]any)["endorsement"] = []any{sign(t, e, en.priv, en.vm, proof.EddsaRdfc2022)}
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if got := res.Verdict.Accepted(); got != tc.valid {
				t.Fatalf("accepted %v (%s, %v), want %v; checks %+v", got, res.Verdict, err, tc.valid, res.Checks)
			}
			if !tc.valid {
				if c := res.Check(verifier.CheckEmbedded); c == nil || c.Status != verifier.StatusFail || !rt25bContains(c, "a node of this credential") {
					t.Errorf("embedded check %+v, want the node check's failure", c)
				}
			}
		})
	}
}

// TestRedTeam25bEndorsementBeyondTheLimit: endorsements past
// MaxEndorsements are reported as not checked, yet their statements are
// the credential's too, and nothing judged them: with 32 comments on the
// issuer, a 33rd endorsement, on the achievement, stated its
// achievementType "Diploma" from an @included node, and the credential was
// VALID with that type. An endorsement left unchecked now leaves the
// embedded check undecided, as one that does not read on its own does.
func TestRedTeam25bEndorsementBeyondTheLimit(t *testing.T) {
	is, en := newKey(t, 240), newKey(t, 241)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const obv = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	profile := map[string]any{"id": en.did, "type": []any{"Profile"}, "name": "Endorser"}
	var comments []any
	for i := range verifier.MaxEndorsements {
		comments = append(comments, rt25bEndorsement(t, en, fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-0000002%05d", i), profile,
			map[string]any{"id": is.did, "type": []any{"EndorsementSubject"}, "endorsementComment": "Sound."}))
	}
	for _, tc := range []struct {
		name  string
		extra int // endorsements on the achievement
		want  verifier.Verdict
	}{
		{"control: as many as are checked", 0, verifier.VerdictValid},
		{"one more, stating the achievement's type", 1, verifier.VerdictCouldNotCheck},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			ach := achievement(host)
			delete(ach, "achievementType")
			host["issuer"].(map[string]any)["endorsement"] = comments
			if tc.extra > 0 {
				e := map[string]any{
					"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
					"id":                "urn:uuid:00000000-0000-4000-8000-00000025b0d1",
					"type":              []any{"VerifiableCredential", "EndorsementCredential"},
					"issuer":            profile,
					"validFrom":         "2026-11-01T00:00:00Z",
					"name":              "Endorsement",
					"credentialSubject": map[string]any{"id": ach["id"], "type": []any{"EndorsementSubject"}, "endorsementComment": "Sound."},
					"@included":         []any{map[string]any{"id": ach["id"], obv + "achievementType": "Diploma"}},
				}
				ach["endorsement"] = []any{sign(t, e, en.priv, en.vm, proof.EddsaRdfc2022)}
			}
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if res.Verdict != tc.want {
				t.Fatalf("verdict %s (%v), want %s; checks %+v", res.Verdict, err, tc.want, res.Checks)
			}
			if tc.extra > 0 {
				if c := res.Check(verifier.CheckEmbedded); c == nil || c.Status != verifier.StatusError || c.Path != "credentialSubject.achievement.endorsement[0]" {
					t.Errorf("embedded check %+v, want undecided at the unchecked endorsement", c)
				}
			}
		})
	}
}

// TestRedTeam25bEndorsementWalkBounded: the walk for endorsements
// elsewhere in the document wrote out the path of every node it passed:
// a signed 0.7 MB credential holding one endorsement, 50 objects deep
// under 8,000-byte keys with 12,000 properties at the bottom, made
// Verify allocate 4.7 GB (400 KB of path per property). Paths are now
// written for objects holding an endorsement only, keys clipped. The
// bound: the document with the endorsement allocates at most twice what
// it does without one (when the walk does not run).
func TestRedTeam25bEndorsementWalkBounded(t *testing.T) {
	is, en := newKey(t, 244), newKey(t, 245)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	doc := func(endorsed bool) []byte {
		host := unsigned(t, is)
		leaf := map[string]any{}
		for i := range 4000 {
			leaf[fmt.Sprintf("urn:example:p%d", i)] = 1
		}
		var deep any = leaf
		for d := range 50 {
			deep = map[string]any{fmt.Sprintf("urn:example:%d:%s", d, strings.Repeat("a", 8000)): deep}
		}
		host["urn:example:deep"] = deep
		if endorsed {
			host["issuer"].(map[string]any)["endorsement"] = []any{rt25bEndorsement(t, en, "urn:uuid:00000000-0000-4000-8000-00000025b0f1",
				map[string]any{"id": en.did, "type": []any{"Profile"}, "name": "Endorser"},
				map[string]any{"id": is.did, "type": []any{"EndorsementSubject"}, "endorsementComment": "Sound."})}
		}
		return encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022))
	}
	alloc := func(b []byte) uint64 {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		res, err := v.Verify(context.Background(), b)
		runtime.ReadMemStats(&m1)
		if !res.Verdict.Accepted() {
			t.Fatalf("verdict %s (%v), want accepted", res.Verdict, err)
		}
		return m1.TotalAlloc - m0.TotalAlloc
	}
	without, with := alloc(doc(false)), alloc(doc(true))
	if with > 2*without {
		t.Fatalf("verifying with one endorsement allocated %d bytes, without %d: the walk is not bounded by the document", with, without)
	}
}

// TestRedTeam25bCLREmbeddedSharesBlankNode: a CLR's embedded credentials
// share its graph, and TestRedTeamCLRClaimsInjectedByEmbedded guards the
// learner's node when it is an IRI. A CLR whose learner is the blank node
// "_:learner" (a ClrSubject with no IRI) skipped that guard, and a third
// party's embedded credential writing "_:learner" in an @included node
// gave the CLR an achievement ("urn:uuid:fake" in Claims.Clr.Achievements)
// the CLR issuer never stated: the CLR was accepted. An embedded
// credential naming a blank node the CLR names now fails the embedded check.
func TestRedTeam25bCLREmbeddedSharesBlankNode(t *testing.T) {
	k := testkit.OBVector(t)
	third := newKey(t, 247)
	const vm = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	v, err := verifier.New(verifier.Options{HTTPClient: offlineClient(), Now: func() time.Time { return now },
		PinnedKeys: []verifier.PinnedKey{{Issuer: "https://example.edu/issuers/565049", Key: k.Public}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		label string // the embedded credential's subject
		valid bool
	}{
		{"control: a blank node of the embedded credential's own", "_:other", true},
		{"the CLR's blank learner gets an achievement", "_:learner", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := clrVectorDocument()
			s := doc["credentialSubject"].(map[string]any)
			s["id"] = "_:learner"
			emb := unsigned(t, third)
			emb["id"] = "urn:uuid:00000000-0000-4000-8000-00000025b0a1"
			delete(emb, "credentialSchema")
			subject(emb)["id"] = tc.label
			emb["@included"] = []any{map[string]any{"id": tc.label, "https://purl.imsglobal.org/spec/vc/clr/vocab.html#achievement": map[string]any{
				"id": "urn:uuid:00000000-0000-4000-8000-00000025b0a2", "type": []any{"Achievement"}, "name": "Doctor of Medicine"}}}
			s["verifiableCredential"] = []any{sign(t, emb, third.priv, third.vm, proof.EddsaRdfc2022)}
			signed, err := proof.Sign(context.Background(), doc, k.Private, proof.SignOptions{VerificationMethod: vm, Created: time.Date(2010, 1, 1, 19, 23, 24, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), encode(t, signed))
			if got := res.Verdict.Accepted(); got != tc.valid {
				t.Fatalf("accepted %v (%s, %v), want %v; clr %+v", got, res.Verdict, err, tc.valid, res.Claims.Clr)
			}
			if tc.valid {
				if slices.Contains(res.Claims.Clr.Achievements, "urn:uuid:00000000-0000-4000-8000-00000025b0a2") {
					t.Errorf("CLR achievements %v hold the embedded credential's", res.Claims.Clr.Achievements)
				}
				return
			}
			if c := res.Check(verifier.CheckEmbedded); c == nil || c.Status != verifier.StatusFail || !rt25bContains(c, "blank node _:learner") {
				t.Errorf("embedded check %+v, want a failure naming the blank node", c)
			}
		})
	}
}

// TestRedTeam25bEndorsementAddsTypes: the endorsement checks left every
// type out, since an endorsement gives what it endorses the type
// EndorsementSubject; but any other type was a claim too. From an
// @included node an endorser gave the credential the type ClrCredential
// (Claims.Types then read ClrCredential, OpenBadgeCredential,
// VerifiableCredential, and the credential was VALID), and through its
// subject it could give the issuer's achievement a type. Types other than
// EndorsementSubject now count as describing the node.
func TestRedTeam25bEndorsementAddsTypes(t *testing.T) {
	is, en := newKey(t, 248), newKey(t, 249)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const clrType = "https://purl.imsglobal.org/spec/vc/clr/vocab.html#ClrCredential"
	for _, tc := range []struct {
		name  string
		edit  func(host, e map[string]any)
		valid bool
	}{
		{"control: the subject is an EndorsementSubject", func(host, e map[string]any) {}, true},
		{"control: the endorser's own profile has a typed image", func(host, e map[string]any) {
			e["issuer"].(map[string]any)["image"] = map[string]any{"id": "https://endorser.example/logo.png", "type": "Image"}
		}, true},
		{"an @included node gives the credential a type", func(host, e map[string]any) {
			e["@included"] = []any{map[string]any{"id": host["id"], "type": []any{clrType}}}
		}, false},
		{"the subject, the achievement, gets another type", func(host, e map[string]any) {
			a := achievement(host)
			a["id"] = is.did + "/achievements/1"
			e["credentialSubject"] = map[string]any{"id": a["id"], "type": []any{"EndorsementSubject", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile"}, "endorsementComment": "Sound."}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			e := endorsementDoc(en, "urn:uuid:00000000-0000-4000-8000-00000025b0b9", "Endorsement", map[string]any{"id": is.did, "type": []any{"EndorsementSubject"}, "endorsementComment": "Sound."})
			tc.edit(host, e)
			host["issuer"].(map[string]any)["endorsement"] = []any{sign(t, e, en.priv, en.vm, proof.EddsaRdfc2022)}
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if got := res.Verdict.Accepted(); got != tc.valid {
				t.Fatalf("accepted %v (%s, %v), want %v; types %v", got, res.Verdict, err, tc.valid, res.Claims.Types)
			}
			if !tc.valid {
				if c := res.Check(verifier.CheckEmbedded); c == nil || c.Status != verifier.StatusFail {
					t.Errorf("embedded check %+v, want a failure", c)
				}
			}
		})
	}
}

package verifier_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestRedTeamCLRHiddenEmbeddedCredential: the CLR's signed statements list
// an embedded credential that the JSON reading (credentialSubject's
// "verifiableCredential" member) does not show, under the full IRI of the
// property: it was never verified, yet Claims.Clr.Credentials names it.
// The embedded check must compare the two, one for one, as presentations
// do.
func TestRedTeamCLRHiddenEmbeddedCredential(t *testing.T) {
	k := testkit.OBVector(t)
	const vm = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	v, err := verifier.New(verifier.Options{HTTPClient: offlineClient(),
		PinnedKeys: []verifier.PinnedKey{{Issuer: "https://example.edu/issuers/565049", Key: k.Public}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(subject map[string]any)
		valid bool
	}{
		{"as signed", func(map[string]any) {}, true},
		{"forged credential under the full IRI", func(s map[string]any) {
			shown := s["verifiableCredential"].([]any)[0].(map[string]any)
			forged := clone(t, shown)
			forged["id"] = "urn:uuid:00000000-0000-4000-8000-0000000f0a6e"
			forged["name"] = "Doctor of Medicine"
			s["https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential"] = []any{forged}
		}, false},
		{"an id-less forged credential hidden, the shown one twice", func(s map[string]any) {
			shown := s["verifiableCredential"].([]any)[0].(map[string]any)
			forged := clone(t, shown)
			delete(forged, "id")
			forged["name"] = "Doctor of Medicine"
			s["verifiableCredential"] = []any{shown, clone(t, shown)}
			s["https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential"] = []any{forged}
		}, false},
		{"the only credential under the full IRI", func(s map[string]any) {
			shown := s["verifiableCredential"].([]any)[0].(map[string]any)
			forged := clone(t, shown)
			forged["name"] = "Doctor of Medicine"
			delete(s, "verifiableCredential")
			s["https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential"] = []any{forged}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := clrVectorDocument()
			tc.edit(doc["credentialSubject"].(map[string]any))
			signed, err := proof.Sign(context.Background(), doc, k.Private, proof.SignOptions{VerificationMethod: vm, Created: time.Date(2010, 1, 1, 19, 23, 24, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			res, _ := v.Verify(context.Background(), encode(t, signed))
			if c := res.Check(verifier.CheckProof); c == nil || c.Status != verifier.StatusPass {
				t.Fatalf("proof check %+v", c)
			}
			if got := res.Verdict.Accepted(); got != tc.valid {
				t.Fatalf("accepted %v, want %v; embedded %+v, clr %+v, checks %+v", got, tc.valid, res.Embedded, res.Claims.Clr, res.Checks)
			}
		})
	}
}

// TestRedTeamCLRClaimsInjectedByEmbedded: a CLR's embedded credentials
// are not graphs of their own (CLR 2.0's verifiableCredential has no
// @graph container), so an embedded credential's subject, the learner, is
// the very node of the ClrSubject. A third party whose credential the CLR
// issuer embeds (a learner's self-issued badge, say) can then add, under
// its own signature, CLR vocabulary to that node: achievements and
// associations the CLR issuer never stated would read as the CLR's.
func TestRedTeamCLRClaimsInjectedByEmbedded(t *testing.T) {
	k := testkit.OBVector(t)
	third := newKey(t, 166)
	const vm = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	v, err := verifier.New(verifier.Options{HTTPClient: offlineClient(), Now: func() time.Time { return now },
		PinnedKeys: []verifier.PinnedKey{{Issuer: "https://example.edu/issuers/565049", Key: k.Public}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		inject map[string]any
		valid  bool
	}{
		{"plain third-party credential", nil, true},
		{"an achievement injected", map[string]any{
			"https://purl.imsglobal.org/spec/vc/clr/vocab.html#achievement": map[string]any{"id": "urn:uuid:00000000-0000-4000-8000-00000000d0c0", "type": "Achievement", "name": "Doctor of Medicine"},
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := clrVectorDocument()
			s := doc["credentialSubject"].(map[string]any)
			emb := unsigned(t, third)
			emb["id"] = "urn:uuid:00000000-0000-4000-8000-000000000e3b"
			sub := emb["credentialSubject"].(map[string]any)
			sub["id"] = s["id"]
			delete(sub, "identifier")
			delete(emb, "credentialSchema")
			for key, x := range tc.inject {
				sub[key] = x
			}
			emb = sign(t, emb, third.priv, third.vm, proof.EddsaRdfc2022)
			if res, err := v.Verify(context.Background(), encode(t, emb)); !res.Verdict.Accepted() {
				t.Fatalf("the embedded credential alone: %s (%v)", res.Verdict, err)
			}
			s["verifiableCredential"] = append(s["verifiableCredential"].([]any), emb)
			signed, err := proof.Sign(context.Background(), doc, k.Private, proof.SignOptions{VerificationMethod: vm, Created: time.Date(2010, 1, 1, 19, 23, 24, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			res, _ := v.Verify(context.Background(), encode(t, signed))
			if c := res.Check(verifier.CheckProof); c == nil || c.Status != verifier.StatusPass {
				t.Fatalf("proof check %+v", c)
			}
			if got := res.Verdict.Accepted(); got != tc.valid {
				t.Fatalf("accepted %v, want %v; clr %+v, checks %+v", got, tc.valid, res.Claims.Clr, res.Checks)
			}
		})
	}
}

// TestRedTeamNestedEmbeddingWork: credentials verified on behalf of one
// (a CLR's embedded credentials, endorsements) are nested documents like
// status lists, within Limits.MaxDepth: a CLR in a CLR in a CLR, each
// level signed by the attacker's own key, must not have its innermost
// statements canonicalized once per level (the work was bounded only by
// the JSON depth, about 20 levels, and the deadline).
func TestRedTeamNestedEmbeddingWork(t *testing.T) {
	k := newKey(t, 167)
	doc := sign(t, unsigned(t, k), k.priv, k.vm, proof.EddsaRdfc2022)
	const levels = 12
	for i := range levels {
		clr := map[string]any{
			"@context":  []any{contexts.CredentialsV2, contexts.CLRv2p0, contexts.OBv3p0},
			"id":        fmt.Sprintf("urn:uuid:00000000-0000-4000-8000-%012d", i),
			"type":      []any{"VerifiableCredential", "ClrCredential"},
			"issuer":    map[string]any{"id": k.did, "type": []any{"Profile"}, "name": "Mill"},
			"validFrom": "2026-11-01T00:00:00Z",
			"name":      "Transcript",
			"credentialSubject": map[string]any{
				"id": fmt.Sprintf("did:example:learner-%d", i), "type": []any{"ClrSubject"},
				"verifiableCredential": []any{doc},
			},
		}
		doc = sign(t, clr, k.priv, k.vm, proof.EddsaRdfc2022)
	}
	loader, err := jsonld.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	var top jsonld.Work
	if _, err := jsonld.Canonicalize(context.Background(), withoutProof(doc), jsonld.CanonOptions{Loader: loader, Work: &top}); err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := v.Verify(context.Background(), encode(t, doc))
	if c := res.Check(verifier.CheckProof); c == nil || c.Status != verifier.StatusPass {
		t.Fatalf("proof check %+v", c)
	}
	// The document itself, its proof options, and at most MaxDepth (2)
	// levels of nested documents, each smaller than the one holding it.
	if max := (verifier.DefaultMaxDepth + 2) * top.Quads; res.Work.Quads > max {
		t.Errorf("%d quads canonicalized for a document of %d (%d levels of CLRs), want at most %d", res.Work.Quads, top.Quads, levels, max)
	}
	if res.Verdict != verifier.VerdictCouldNotCheck || res.Decision != verifier.CheckEmbedded {
		t.Errorf("verdict %s by %s, want could not check by %s (Limits.MaxDepth)", res.Verdict, res.Decision, verifier.CheckEmbedded)
	}
	t.Logf("%d quads for a document of %d; verdict %s by %s", res.Work.Quads, top.Quads, res.Verdict, res.Decision)
}

func withoutProof(d map[string]any) map[string]any {
	out := make(map[string]any, len(d))
	for k, x := range d {
		if k != "proof" {
			out[k] = x
		}
	}
	return out
}

// TestRedTeamEndorsementClaimsInjected: OB 3.0's endorsement is no @graph
// container, so an embedded endorsement's statements are the host
// credential's too, and its subject is the host's achievement (or issuer)
// node. An endorser whose endorsement an honest issuer embeds must not be
// able to add claims about that node (here an achievementType) that read
// as the issuer's.
func TestRedTeamEndorsementClaimsInjected(t *testing.T) {
	is, en := newKey(t, 171), newKey(t, 172)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		extra map[string]any
		valid bool
	}{
		{"a comment only", nil, true},
		{"an achievementType injected", map[string]any{"https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievementType": "Associate"}, false},
		{"a creator injected", map[string]any{"https://purl.imsglobal.org/spec/vc/ob/vocab.html#creator": map[string]any{"id": en.did}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			ach := host["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
			subject := map[string]any{"id": ach["id"], "type": []any{"EndorsementSubject"}, "endorsementComment": "Meets our standard."}
			for k, x := range tc.extra {
				subject[k] = x
			}
			e := sign(t, map[string]any{
				"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
				"id":                "urn:uuid:00000000-0000-4000-8000-0000000e0d0e",
				"type":              []any{"VerifiableCredential", "EndorsementCredential"},
				"issuer":            map[string]any{"id": en.did, "type": []any{"Profile"}, "name": "Endorser"},
				"validFrom":         "2026-11-01T00:00:00Z",
				"name":              "Endorsement",
				"credentialSubject": subject,
			}, en.priv, en.vm, proof.EddsaRdfc2022)
			if res, err := v.Verify(context.Background(), encode(t, e)); !res.Verdict.Accepted() {
				t.Fatalf("the endorsement alone: %s (%v)", res.Verdict, err)
			}
			ach["endorsement"] = []any{e}
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if got := res.Verdict.Accepted(); got != tc.valid {
				t.Fatalf("accepted %v, want %v (err %v); award %+v, endorsements %+v", got, tc.valid, err, res.Claims.Award, res.Endorsements)
			}
			if len(res.Endorsements) != 1 {
				t.Fatalf("endorsements %+v, want one", res.Endorsements)
			}
			if e := res.Endorsements[0]; !tc.valid && (e.Counted || !strings.Contains(e.Note, "more than a comment")) {
				t.Errorf("endorsement %+v, want not counted, with a note on the extra statements", e)
			}
		})
	}
}

package issuer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/verifier"
)

func endorsementIssuer(t *testing.T, seed byte, name string, now time.Time) (*issuer.Issuer, string) {
	t.Helper()
	k := testkit.Ed25519(t, seed)
	signer, err := issuer.NewSigner(k.Private, issuer.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": name}, Signer: signer, Now: func() time.Time { return now }, Rand: testkit.NewCounter(seed)})
	if err != nil {
		t.Fatal(err)
	}
	return is, signer.Identity().ID
}

func TestEndorsementsReported(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	poly, polyDID := endorsementIssuer(t, 11, "Northfield Polytechnic", now)
	assoc, assocDID := endorsementIssuer(t, 12, "Robotics Industry Association", now)
	// The polytechnic's own achievement id is a DID URL of its DID; an
	// https id is not one a did:key issuer controls.
	achID := polyDID + "/achievements/sensors"
	const httpsID = "https://poly.example/achievements/sensors"
	endorse := func(subject string) map[string]any {
		c, err := assoc.Endorse(ctx, issuer.EndorsementRequest{Subject: subject, Comment: "Meets the association's sensor standard."})
		if err != nil {
			t.Fatal(err)
		}
		return c.Document
	}
	tamper := func(m map[string]any) map[string]any {
		m["credentialSubject"].(map[string]any)["endorsementComment"] = "Endorsed without reservation."
		return m
	}
	tests := []struct {
		name     string
		achID    string
		creator  bool
		mill     bool
		endorse  map[string]any
		onIssuer bool
		counted  bool
		note     string
		verdict  verifier.Verdict
	}{
		{name: "achievement id the issuer controls", achID: achID, endorse: endorse(achID), counted: true, verdict: verifier.VerdictValid},
		{name: "achievement id reused by another issuer", achID: achID, mill: true, endorse: endorse(achID), note: verifier.NoteNotBound, verdict: verifier.VerdictValid},
		{name: "reused id with the mill as creator", achID: httpsID, mill: true, creator: true, endorse: endorse(httpsID),
			note: verifier.NoteNotBound + ": it names itself the achievement's creator", verdict: verifier.VerdictValid},
		{name: "subject differs from its host", achID: achID, endorse: endorse(polyDID + "/achievements/other"),
			note: "it endorses " + polyDID + "/achievements/other, but is embedded in achievement " + achID, verdict: verifier.VerdictValid},
		{name: "tampered", achID: achID, endorse: tamper(endorse(achID)), note: "the endorsement is invalid", verdict: verifier.VerdictInvalid},
		{name: "issuer profile", achID: achID, onIssuer: true, endorse: endorse(polyDID), counted: true, verdict: verifier.VerdictValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ach := map[string]any{
				"id": tt.achID, "type": []any{"Achievement"}, "name": "Industrial Sensors",
				"description": "Sensors.", "criteria": map[string]any{"narrative": "Passed."},
			}
			is := poly
			if tt.mill {
				is, _ = endorsementIssuer(t, 13, "Diploma Mill", now)
			}
			if tt.creator {
				ach["creator"] = map[string]any{"id": is.Profile()["id"], "type": []any{"Profile"}}
			}
			if !tt.onIssuer {
				ach["endorsement"] = []any{tt.endorse}
			} else {
				k := testkit.Ed25519(t, 11)
				signer, err := issuer.NewSigner(k.Private, issuer.SignerOptions{})
				if err != nil {
					t.Fatal(err)
				}
				is, err = issuer.New(issuer.Config{Profile: map[string]any{"name": "Northfield Polytechnic", "endorsement": []any{tt.endorse}},
					Signer: signer, Now: func() time.Time { return now }, Rand: testkit.NewCounter(11)})
				if err != nil {
					t.Fatal(err)
				}
			}
			cred, err := is.Issue(ctx, issuer.Request{Achievement: ach, Subject: map[string]any{"id": "did:example:ada"}})
			if err != nil {
				t.Fatal(err)
			}
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(ctx, cred.JSON)
			if err != nil {
				t.Fatalf("credential: %v", err)
			}
			if len(res.Endorsements) != 1 {
				t.Fatalf("endorsements %+v, want one", res.Endorsements)
			}
			e := res.Endorsements[0]
			if e.Counted != tt.counted || !strings.Contains(e.Note, tt.note) || e.Verdict != tt.verdict || e.Endorser != assocDID {
				t.Errorf("endorsement %+v; want counted %v, note %q, verdict %s, endorser %s", e, tt.counted, tt.note, tt.verdict, assocDID)
			}
			if tt.counted && (e.Comment == "" || e.EndorserName != "Robotics Industry Association") {
				t.Errorf("endorsement comment %q, endorser name %q", e.Comment, e.EndorserName)
			}
		})
	}
}

// TestExplainWithEndorsement: --explain describes the credential's own
// proof and key, not those of an endorsement verified inside it.
func TestExplainWithEndorsement(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	poly, polyDID := endorsementIssuer(t, 11, "Northfield Polytechnic", now)
	assoc, assocDID := endorsementIssuer(t, 12, "Robotics Industry Association", now)
	achID := polyDID + "/achievements/sensors"
	e, err := assoc.Endorse(ctx, issuer.EndorsementRequest{Subject: achID, Comment: "Meets the standard."})
	if err != nil {
		t.Fatal(err)
	}
	ach := map[string]any{
		"id": achID, "type": []any{"Achievement"}, "name": "Industrial Sensors",
		"description": "Sensors.", "criteria": map[string]any{"narrative": "Passed."},
		"endorsement": []any{e.Document},
	}
	cred, err := poly.Issue(ctx, issuer.Request{Achievement: ach, Subject: map[string]any{"id": "did:example:ada"}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Explain(ctx, cred.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Endorsements) != 1 || !res.Endorsements[0].Counted {
		t.Fatalf("endorsements %+v, want one counted", res.Endorsements)
	}
	x := res.Explain
	if x == nil || x.Proof == nil || x.Key == nil {
		t.Fatalf("explanation %+v, want a proof and a key", x)
	}
	for what, vm := range map[string]string{"proof": x.Proof.VerificationMethod, "key": x.Key.VerificationMethod} {
		if !strings.HasPrefix(vm, polyDID+"#") {
			t.Errorf("explained %s method %q, want the polytechnic's (%s), not the endorser's (%s)", what, vm, polyDID, assocDID)
		}
	}
}

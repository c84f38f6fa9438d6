package server

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/verifier"
)

// rubricCredential issues the sample achievement with a rubric whose second
// level the learner achieved.
func rubricCredential(t *testing.T, ts *testServer) map[string]any {
	t.Helper()
	cred := sampleCredential(t)
	subj := cred["credentialSubject"].(map[string]any)
	ach := subj["achievement"].(map[string]any)
	rd := ach["resultDescription"].([]any)[0].(map[string]any)
	rd["rubricCriterionLevel"] = []any{
		map[string]any{"id": "urn:uuid:2d6c1a0e-0b1f-4c3a-9e2d-7f1a2b3c4d01", "type": []any{"RubricCriterionLevel"}, "name": "Developing", "points": "1"},
		map[string]any{"id": "urn:uuid:2d6c1a0e-0b1f-4c3a-9e2d-7f1a2b3c4d02", "type": []any{"RubricCriterionLevel"}, "name": "Proficient", "points": "2"},
	}
	res := subj["result"].([]any)[0].(map[string]any)
	res["achievedLevel"] = "urn:uuid:2d6c1a0e-0b1f-4c3a-9e2d-7f1a2b3c4d02"
	return ts.issue(t, cred)
}

// TestWebViewFromSignedStatements: the page's facts come from the
// statements the proof covers, not from the JSON handed to the page, and
// the JSON of a credential no proof covers is shown only as unverified.
func TestWebViewFromSignedStatements(t *testing.T) {
	ts := webServer(t)
	ctx := context.Background()
	signed := rubricCredential(t, ts)
	signedJSON, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ts.verifier.Load().Explain(ctx, signedJSON)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != verifier.VerdictValid {
		t.Fatalf("the rubric credential is %s: %+v", res.Verdict, res.Checks)
	}
	// A JSON that says otherwise in every displayed field, paired with the
	// genuine result: what the page shows must not move.
	var lying map[string]any
	if err := json.Unmarshal(signedJSON, &lying); err != nil {
		t.Fatal(err)
	}
	lying["issuer"].(map[string]any)["name"] = "JSON University"
	lsubj := lying["credentialSubject"].(map[string]any)
	lach := lsubj["achievement"].(map[string]any)
	lach["name"], lach["description"], lach["achievementType"], lach["creditsAvailable"] = "JSON Name", "JSON description", "Diploma", 99.0
	lach["criteria"] = map[string]any{"narrative": "JSON narrative"}
	lach["alignment"] = []any{map[string]any{"targetName": "JSON competency", "targetUrl": "https://evil.example/"}}
	lsubj["result"] = []any{map[string]any{"resultDescription": "urn:uuid:f6ab24cd-86e8-4eaf-b8c6-ded74e8fd41c", "value": "F"}}
	lyingJSON, _ := json.Marshal(lying)

	tr := webMessages("en")
	out := buildWebResult(tr, lyingJSON, res, nil, 1<<20)
	if out.Unsure {
		t.Fatal("a verified credential's details marked unverified")
	}
	for _, c := range []struct{ field, got, want string }{
		{"name", out.Name, "Applied Data Analysis"},
		{"description", out.Description, "Assessed ability to clean, analyse and present a real data set using Python and SQL."},
		{"type", out.AchievementType, "MicroCredential"},
		{"credits", out.Credits, "5"},
		{"narrative", out.Narrative, "The learner completed a supervised capstone project, assessed against the rubric by two industry assessors."},
		{"issuer name", out.IssuerName, "Test University"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want the signed %q", c.field, c.got, c.want)
		}
	}
	if len(out.Alignments) != 1 || out.Alignments[0].Name != "Analyse data" || out.Alignments[0].URL != "https://example.org/frameworks/digital-skills/analyse-data" {
		t.Errorf("alignments = %+v, want the signed one", out.Alignments)
	}
	wantResults := []webResultRow{{Name: "Capstone project grade", Value: "A", Level: "Proficient"}}
	if !slices.Equal(out.Results, wantResults) {
		t.Errorf("results = %+v, want %+v", out.Results, wantResults)
	}
	if len(out.Rubrics) != 1 || out.Rubrics[0].Name != "Capstone project grade" ||
		!slices.Equal(out.Rubrics[0].Levels, []webLevel{{Name: "Developing", Points: "1"}, {Name: "Proficient", Points: "2", Achieved: true}}) {
		t.Errorf("rubrics = %+v", out.Rubrics)
	}

	// The same lying JSON verified on its own: no proof covers it, so its
	// details are there only under the unverified heading.
	lres, _ := ts.verifier.Load().Explain(ctx, lyingJSON)
	lout := buildWebResult(tr, lyingJSON, lres, nil, 1<<20)
	if !lout.Unsure || lout.Name != "JSON Name" || len(lout.Results) != 0 {
		t.Errorf("forged view: unsure=%v name=%q results=%v", lout.Unsure, lout.Name, lout.Results)
	}
	f := ts.postWeb(t, "credential", "", lyingJSON, "en")
	text := pageText(f.Body)
	if !strings.Contains(text, tr["sec.unverified"]) || strings.Contains(text, tr["sec.results"]) {
		t.Errorf("forged page: want the %q heading and no results section", tr["sec.unverified"])
	}
	f = ts.postWeb(t, "credential", "", signedJSON, "en")
	text = pageText(f.Body)
	for _, want := range []string{tr["sec.results"], "Proficient", "Capstone project grade", tr["rubric.achieved"]} {
		if !strings.Contains(text, want) {
			t.Errorf("signed page lacks %q", want)
		}
	}
	if strings.Contains(text, tr["sec.unverified"]) {
		t.Error("signed page has the unverified heading")
	}
}

// TestWebCLRContents: a CLR's page lists each embedded credential with
// its own verdict.
func TestWebCLRContents(t *testing.T) {
	ts := webServer(t)
	valid := ts.issue(t, sampleCredential(t))
	// A second credential without the sample's blank nodes (two copies of
	// them would be indistinguishable to canonicalization), tampered.
	plain, err := ts.opts.Issuer.Sign(context.Background(), map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"id":                "urn:uuid:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c70",
		"type":              []any{"VerifiableCredential"},
		"issuer":            ts.signer.Identity().ID,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:learner"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tampered map[string]any
	if err := json.Unmarshal(plain.JSON, &tampered); err != nil {
		t.Fatal(err)
	}
	tampered["credentialSubject"] = map[string]any{"id": "did:example:someone-else"}
	clr, err := ts.opts.Issuer.Sign(context.Background(), map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        "urn:uuid:6b1c2f0e-5a4d-4c57-9e1f-1a0c3e5b7d99",
		"type":      []any{"VerifiableCredential", "ClrCredential"},
		"name":      "Transcript",
		"issuer":    map[string]any{"id": ts.signer.Identity().ID, "type": []any{"Profile"}, "name": "Test University"},
		"validFrom": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id": "did:example:learner-ebfeb1f712ebc6f1c276e12ec21", "type": []any{"ClrSubject"},
			"verifiableCredential": []any{valid, tampered},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The CLR is invalid (one of its credentials is): Explain says so
	// with its error and still reports every embedded verdict.
	res, err := ts.verifier.Load().Explain(context.Background(), clr.JSON)
	if res == nil {
		t.Fatal(err)
	}
	tr := webMessages("en")
	out := buildWebResult(tr, clr.JSON, res, nil, 1<<20)
	if len(out.Embedded) != 2 {
		t.Fatalf("embedded = %+v, want two (verifier: %+v)", out.Embedded, res.Embedded)
	}
	var verdicts []string
	for _, e := range out.Embedded {
		verdicts = append(verdicts, e.Verdict)
	}
	slices.Sort(verdicts)
	if want := []string{tr["embedded.invalid"], tr["embedded.valid"]}; !slices.Equal(verdicts, want) {
		t.Errorf("embedded verdicts = %v, want %v", verdicts, want)
	}
	text := pageText(ts.postWeb(t, "credential", "", clr.JSON, "en").Body)
	if !strings.Contains(text, tr["sec.embedded"]) || !strings.Contains(text, "Applied Data Analysis") {
		t.Errorf("CLR page lacks its contents: %s", text)
	}
}

// TestWebViewFullIRIKeys: a validly signed credential that spells its
// achievement's description and name as full-IRI keys: the JSON has no
// "name" or "description" member, the signed graph has both, and the
// page shows the graph's.
func TestWebViewFullIRIKeys(t *testing.T) {
	ts := webServer(t)
	cred := sampleCredential(t)
	ach := cred["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	ach["https://schema.org/description"], ach["https://schema.org/name"] = "Signed description", "Signed Name"
	delete(ach, "description")
	delete(ach, "name")
	// Signed directly: the issuing API's data-model check wants the
	// short keys. No credentialSchema: the JSON schema would want them too.
	delete(cred, "credentialSchema")
	cred["id"] = "urn:uuid:3f0c8e52-6a1d-4b7e-9c2f-5d8a1e4b7c90"
	cred["issuer"] = map[string]any{"id": ts.signer.Identity().ID, "type": []any{"Profile"}, "name": "Test University"}
	cred["validFrom"] = "2026-01-01T00:00:00Z"
	c, err := ts.opts.Issuer.Sign(context.Background(), cred)
	if err != nil {
		t.Fatal(err)
	}
	signed := c.JSON
	res, _ := ts.verifier.Load().Explain(context.Background(), signed)
	if res == nil || res.Claims == nil || !res.Claims.Verified {
		t.Fatalf("the full-IRI credential's proof does not verify: %+v", res)
	}
	// Valid, with the schema check's warning that full-IRI keys were
	// read by their meaning.
	if res.Verdict != verifier.VerdictWarnings {
		t.Errorf("verdict %s, want valid with warnings: %+v", res.Verdict, res.Checks)
	}
	out := buildWebResult(webMessages("en"), signed, res, nil, 1<<20)
	if out.Name != "Signed Name" || out.Description != "Signed description" || out.Unsure {
		t.Errorf("name %q, description %q (unsure %v), want the signed ones", out.Name, out.Description, out.Unsure)
	}
	text := pageText(ts.postWeb(t, "credential", "", signed, "en").Body)
	if !strings.Contains(text, "Signed description") {
		t.Errorf("page lacks the signed description")
	}
}

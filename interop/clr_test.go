package interop_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/stack"
	"github.com/badgesmith/badgesmith/verifier"
)

// pathwayAchievement is a small achievement of its own per short name: a
// CLR may not hold two identical blank-node structures side by side.
func pathwayAchievement(short string) map[string]any {
	id := "https://poly.example/achievements/" + short
	return map[string]any{
		"id": id, "type": []any{"Achievement"}, "achievementType": "MicroCredential",
		"name": "Achievement " + short, "description": "Achievement " + short + ".",
		"criteria": map[string]any{"id": id + "/criteria", "narrative": "Passed " + short + "."},
	}
}

// TestEndorsementAndCLRVerifyInJavaScript signs an EndorsementCredential
// and a CLR with badgesmith and verifies both, and every credential the
// CLR embeds (one of them signed by the JavaScript stack), in the
// reference stack; badgesmith verifies the CLR and the JavaScript-signed
// credential inside it. A tampered CLR fails in both.
func TestEndorsementAndCLRVerifyInJavaScript(t *testing.T) {
	node := requireNode(t)
	ctx := context.Background()
	dir := t.TempDir()
	poly := testkit.Ed25519(t, 30)
	is := newIssuer(t, poly, proof.EddsaRdfc2022)
	assoc := newIssuer(t, testkit.Ed25519(t, 31), proof.EddsaRdfc2022)

	endorsement, err := assoc.Endorse(ctx, issuer.EndorsementRequest{Subject: "https://poly.example/achievements/a", Comment: "Meets the standard."})
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(dir, "endorsement.json")}
	if err := os.WriteFile(files[0], endorsement.JSON, 0o644); err != nil {
		t.Fatal(err)
	}

	var creds []stack.Input
	for _, short := range []string{"a", "b"} {
		c, err := is.Issue(ctx, issuer.Request{Achievement: pathwayAchievement(short), Subject: map[string]any{"id": "did:example:ada"}})
		if err != nil {
			t.Fatal(err)
		}
		creds = append(creds, stack.Input{Name: short, Data: c.JSON})
	}
	unsigned, err := is.Build(issuer.Request{Achievement: pathwayAchievement("js"), Subject: map[string]any{"id": "did:example:ada"}})
	if err != nil {
		t.Fatal(err)
	}
	creds = append(creds, stack.Input{Name: "js", Data: jsSign(t, node, proof.EddsaRdfc2022, poly, unsigned)})

	rules, err := stack.Parse("rules.json", []byte(fmt.Sprintf(`{"stacks": [{"id": "https://poly.example/rules/cert", "name": "Cert",
		"achievement": "https://poly.example/achievements/cert",
		"requirements": [{"name": "all", "allOf": ["https://poly.example/achievements/a", "https://poly.example/achievements/b", "https://poly.example/achievements/js"], "issuers": [%q]}]}],
		"achievements": [{"id": "https://poly.example/achievements/a"}, {"id": "https://poly.example/achievements/b"}, {"id": "https://poly.example/achievements/js"}]}`, poly.DID)))
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := stack.Check(ctx, rules, creds, stack.Options{Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Complete("https://poly.example/rules/cert") {
		t.Fatalf("stack incomplete: %+v", rep)
	}
	clr, err := stack.IssueCLR(ctx, is, rules, rep, stack.CLRRequest{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(ctx, clr.JSON)
	if err != nil || len(res.Embedded) != 3 {
		t.Fatalf("badgesmith: CLR %v, %d embedded\n%+v", err, len(res.Embedded), res.Checks)
	}
	clrFile := filepath.Join(dir, "clr.json")
	if err := os.WriteFile(clrFile, clr.JSON, 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, clrFile)
	want := map[string]bool{files[0]: true, clrFile: true}
	for i, x := range clr.Document["credentialSubject"].(map[string]any)["verifiableCredential"].([]any) {
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, fmt.Sprintf("embedded-%d.json", i))
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		want[f] = true
	}
	bad := clone(t, clr.Document)
	bad["name"] = "Forged Record"
	badFile := filepath.Join(dir, "clr-tampered.json")
	writeJSON(t, badFile, bad)
	files = append(files, badFile)
	want[badFile] = false
	checkJSVerdicts(t, node, files, want)
	data, err := os.ReadFile(badFile)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := v.Verify(ctx, data); res.Verdict != verifier.VerdictInvalid {
		t.Errorf("tampered CLR: badgesmith verdict %s", res.Verdict)
	}
}

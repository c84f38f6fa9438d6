package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// webTestEmail is the recipient of the hashed-recipient fixture.
const webTestEmail = "learner@example.edu"

// webFixture is one credential for the page tests and what the page must
// show for it.
type webFixture struct {
	name    string
	file    string // file name the upload carries (its extension matters to nobody)
	data    []byte
	verdict string // data-verdict of the banner
	// headline is the catalogue key of the banner's headline.
	headline string
	// facts must appear in the page's text.
	facts []string
}

// webServer starts a test server with a JOSE instance "jwt" beside the
// default Data Integrity issuer. The instance has no status lists: the
// server's verifier does not read an instance's lists from its directory
// (it fetches them, and refuses http), which the revoked fixture of the
// default issuer covers.
func webServer(t *testing.T) *testServer {
	t.Helper()
	return startServer(t, testConfig{instances: []testInstance{{id: "jwt", format: issuer.JOSE, noStatus: true}}})
}

// webRequest is an issuer request for the sample achievement.
func webRequest(t *testing.T) issuer.Request {
	t.Helper()
	return issuer.Request{Achievement: readTestdata(t, "achievement.json"), Subject: readTestdata(t, "subject.json")}
}

// webFixtures issues the credentials the page is tested with: valid,
// tampered, revoked, expired, not yet valid, an issuer nobody knows, a
// status list that cannot be reached, baked PNG and SVG, a JWT, hostile
// content, images, a plain VC (valid with warnings), a CLR and a hashed
// recipient.
func webFixtures(t *testing.T, ts *testServer) []webFixture {
	t.Helper()
	ctx := context.Background()
	asJSON := func(m map[string]any) []byte {
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	issue := func(is *issuer.Issuer, req issuer.Request) *issuer.Credential {
		c, err := is.Issue(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	valid := ts.issue(t, sampleCredential(t))
	tampered := map[string]any{}
	for k, v := range valid {
		tampered[k] = v
	}
	tampered["name"] = "Forged Degree"
	revoked := ts.issue(t, sampleCredential(t))
	if r := ts.setStatus(t, revoked["id"].(string), "revocation", true); r.StatusCode != 200 {
		t.Fatalf("revoke: %d %s", r.StatusCode, r.Body)
	}
	expiredReq := webRequest(t)
	expiredReq.ValidFrom, expiredReq.ValidUntil = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	expired := issue(ts.opts.Issuer, expiredReq)
	notYetReq := webRequest(t)
	notYetReq.ValidFrom = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	notYet := issue(ts.opts.Issuer, notYetReq)

	// An issuer nobody vouches for, naming itself a university, and one
	// whose status list is on an address the verifier may not fetch.
	stranger, strangerID := strangerIssuer(t, "", map[string]any{"name": "University of Oxford"})
	unknown := issue(stranger, webRequest(t))
	elsewhere, _ := strangerIssuer(t, "https://127.0.0.1:1/status/", map[string]any{"name": "Elsewhere College"})
	unreachable := issue(elsewhere, webRequest(t))

	validJSON := asJSON(valid)
	bakedPNG, err := bake.PNG(testPNG(t, 8), validJSON)
	if err != nil {
		t.Fatal(err)
	}
	bakedSVG, err := bake.SVG([]byte(`<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#1f3a5f"/></svg>`), validJSON)
	if err != nil {
		t.Fatal(err)
	}
	r := ts.issueAt(t, "/issuers/jwt", testAdminKey, sampleCredential(t))
	if r.StatusCode != 201 {
		t.Fatalf("issuing a JWT: %d %s", r.StatusCode, r.Body)
	}
	env, _ := decode[issued](t, r).VerifiableCredential["id"].(string)
	jwt, ok := strings.CutPrefix(env, envelopedJWTPrefix)
	if !ok {
		t.Fatalf("issued %q, want an enveloped JWT", env)
	}

	hostileReq := webRequest(t)
	ach := hostileReq.Achievement
	ach["name"] = `<script>document.title="pwned"</script>Hostile <b>Badge</b>`
	ach["description"] = `<img src=x onerror="document.title='pwned'"> **bold** [click](javascript:alert(1))`
	ach["criteria"] = map[string]any{"id": "javascript:alert(1)", "narrative": `<a href="javascript:alert(1)">criteria</a>`}
	big := testPNG(t, 400) // over webMaxImage once noise fills it
	ach["image"] = map[string]any{"id": "data:image/png;base64," + base64.StdEncoding.EncodeToString(big), "type": "Image"}
	hostile := issue(ts.opts.Issuer, hostileReq)
	if len(big) <= webMaxImage {
		t.Fatalf("the hostile image is %d bytes, not over the cap", len(big))
	}
	svgReq := webRequest(t)
	svgReq.Achievement["image"] = map[string]any{"id": "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)), "type": "Image"}
	svgImage := issue(ts.opts.Issuer, svgReq)
	smallReq := webRequest(t)
	smallReq.Achievement["image"] = map[string]any{"id": "data:image/png;base64," + base64.StdEncoding.EncodeToString(testPNG(t, 16)), "type": "Image"}
	withImage := issue(ts.opts.Issuer, smallReq)

	// A plain VC, not an Open Badge: valid with a warning.
	plain, err := ts.opts.Issuer.Sign(ctx, map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2"},
		"id":                "urn:uuid:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e",
		"type":              []any{"VerifiableCredential"},
		"issuer":            ts.signer.Identity().ID,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:learner"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// An achievement endorsed by an association.
	assoc, assocID := strangerIssuer(t, "", map[string]any{"name": "Data Science Association"})
	endorsement, err := assoc.Endorse(ctx, issuer.EndorsementRequest{Subject: "https://example.edu/achievements/data-analysis-micro", Comment: "Meets the association's standard."})
	if err != nil {
		t.Fatal(err)
	}
	endorsedReq := webRequest(t)
	endorsedReq.Achievement["endorsement"] = []any{endorsement.Document}
	endorsed := issue(ts.opts.Issuer, endorsedReq)

	hashedReq := webRequest(t)
	hashedReq.Subject, hashedReq.RecipientEmail = nil, webTestEmail
	hashed := issue(ts.opts.Issuer, hashedReq)

	// A CLR recording one of the learner's credentials.
	recorded := ts.issue(t, sampleCredential(t))
	clr, err := ts.opts.Issuer.Sign(ctx, map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        "urn:uuid:3e1f7a2c-9b4d-4f60-8a1e-5c2d7b9f0a13",
		"type":      []any{"VerifiableCredential", "ClrCredential"},
		"name":      "Comprehensive Learner Record",
		"issuer":    map[string]any{"id": ts.signer.Identity().ID, "type": []any{"Profile"}, "name": "Test University"},
		"validFrom": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id": "did:example:learner-ebfeb1f712ebc6f1c276e12ec21", "type": []any{"ClrSubject"},
			"verifiableCredential": []any{recorded},
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	return []webFixture{
		{"valid", "valid.json", validJSON, "valid", "verdict.valid", []string{"Applied Data Analysis", "MicroCredential", "5", ts.signer.Identity().ID, "Test University"}},
		{"tampered", "tampered.json", asJSON(tampered), "invalid", "invalid.proof", []string{"Applied Data Analysis"}},
		{"revoked", "revoked.json", asJSON(revoked), "invalid", "invalid.status", []string{"revoked"}},
		{"expired", "expired.json", expired.JSON, "invalid", "invalid.expired", []string{"2021-01-01 00:00 UTC"}},
		{"not yet valid", "notyet.json", notYet.JSON, "invalid", "invalid.notyet", []string{"2099-01-01 00:00 UTC"}},
		{"unknown issuer", "unknown.json", unknown.JSON, "valid", "verdict.valid", []string{strangerID, "University of Oxford"}},
		{"status unreachable", "unreachable.json", unreachable.JSON, "unknown", "verdict.unknown", []string{"Elsewhere College"}},
		{"baked png", "badge.png", bakedPNG, "valid", "verdict.valid", []string{"Applied Data Analysis", "png"}},
		{"baked svg", "badge.svg", bakedSVG, "valid", "verdict.valid", []string{"Applied Data Analysis", "svg"}},
		{"jwt", "badge.jwt", []byte(jwt + "\n"), "valid", "verdict.valid", []string{"Applied Data Analysis", "jwt", ts.opts.Instances[0].IssuerID}},
		{"hostile", "hostile.json", hostile.JSON, "valid", "verdict.valid", []string{`<script>document.title="pwned"</script>Hostile <b>Badge</b>`, "javascript:alert(1)"}},
		{"svg image", "svgimage.json", svgImage.JSON, "valid", "verdict.valid", nil},
		{"image", "image.json", withImage.JSON, "valid", "verdict.valid", nil},
		{"warnings", "plain.json", plain.JSON, "warnings", "verdict.warnings", []string{"did:example:learner", "warning"}},
		{"endorsed", "endorsed.json", endorsed.JSON, "valid", "verdict.valid", []string{assocID, "Data Science Association", "Meets the association's standard."}},
		{"hashed recipient", "hashed.json", hashed.JSON, "valid", "verdict.valid", []string{"hashed email address"}},
		{"clr", "clr.json", clr.JSON, "valid", "verdict.valid", []string{"Comprehensive Learner Record", "Applied Data Analysis", recorded["id"].(string)}},
	}
}

// strangerIssuer is a did:key issuer of its own, with a store and the
// given status base URL ("" for none).
func strangerIssuer(t *testing.T, statusBase string, profile map[string]any) (*issuer.Issuer, string) {
	t.Helper()
	kp, err := keys.Generate(keys.Ed25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := issuer.NewSigner(kp.Private, issuer.SignerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(t.TempDir(), "stranger.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	cfg := issuer.Config{Profile: profile, Signer: signer, StatusBaseURL: statusBase}
	if statusBase != "" {
		cfg.Store = db
	}
	is, err := issuer.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return is, signer.Identity().ID
}

// testPNG is a size×size PNG filled with noise, so it does not compress.
func testPNG(t *testing.T, size int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	noise := make([]byte, len(img.Pix))
	if _, err := rand.Read(noise); err != nil {
		t.Fatal(err)
	}
	for i := range img.Pix {
		img.Pix[i] = noise[i]
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	img.Set(0, 0, color.NRGBA{R: 31, G: 58, B: 95, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

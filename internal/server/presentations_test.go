package server

import (
	"crypto/ed25519"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/verifier"
)

const (
	testChallenge = "1f2b1a5c-8c5e-4c3e-9b1a-6f7e0d3c2b1a"
	testDomain    = "https://verifier.example"
)

// presentationFixture reads testdata/presentations/name, a presentation
// gen.go signed: the holder is testkit.Ed25519(t, 90)'s did:key, the
// challenge and domain testChallenge and testDomain (none for
// no-challenge.json).
func presentationFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	return testkit.ReadJSON(t, filepath.Join("testdata", "presentations", name))
}

func (ts *testServer) verifyVP(t *testing.T, body any) (int, PresentationVerifyResponse) {
	t.Helper()
	resp := ts.do(t, "POST", "/presentations/verify", "", body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("presentations/verify answered %s: %s", ct, resp.Body)
	}
	return resp.StatusCode, decode[PresentationVerifyResponse](t, resp)
}

// TestPresentationVerify drives POST /presentations/verify over loopback
// with the bodies VCALM and the W3C suites send: {verifiablePresentation,
// options: {challenge, domain, ...}}.
func TestPresentationVerify(t *testing.T) {
	ts := startServer(t, testConfig{})
	a := ts.issue(t, sampleCredential(t))
	holder := testkit.Ed25519(t, 90)
	good := presentationFixture(t, "valid.json")
	unsigned := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": "VerifiablePresentation", "verifiableCredential": a}
	vpJWT := testkit.CraftJWS(t, map[string]any{"alg": "EdDSA", "typ": "vp+jwt", "kid": holder.VM}, map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": "VerifiablePresentation", "holder": holder.DID,
		"verifiableCredential": []any{a}, "nonce": testChallenge, "aud": testDomain,
	}, func(in []byte) []byte { return ed25519.Sign(holder.Private.(ed25519.PrivateKey), in) })
	options := map[string]any{"challenge": testChallenge, "domain": testDomain}

	for _, tc := range []struct {
		name string
		body map[string]any
		// status and verdict are the answer; problem the first problem's
		// type name after ProblemBase, when not verified.
		status  int
		verdict verifier.Verdict
		problem string
		// creds are the credential results' verified values.
		creds         []bool
		authenticated bool
	}{
		{name: "valid, challenge and domain", body: map[string]any{"verifiablePresentation": good, "options": options},
			status: 200, verdict: verifier.VerdictValid, creds: []bool{true, true}, authenticated: true},
		{name: "valid, the suites' checks option", body: map[string]any{"verifiablePresentation": good, "options": map[string]any{"challenge": testChallenge, "checks": []any{"proof"}}},
			status: 200, verdict: verifier.VerdictValid, creds: []bool{true, true}, authenticated: true},
		{name: "wrong challenge", body: map[string]any{"verifiablePresentation": good, "options": map[string]any{"challenge": "another"}},
			status: 400, verdict: verifier.VerdictInvalid, problem: ProbInvalidCred + "-challenge", creds: []bool{true, true}, authenticated: true},
		{name: "wrong domain", body: map[string]any{"verifiablePresentation": good, "options": map[string]any{"domain": "https://evil.example"}},
			status: 400, verdict: verifier.VerdictInvalid, problem: ProbInvalidCred + "-domain", creds: []bool{true, true}, authenticated: true},
		{name: "tampered embedded credential", body: map[string]any{"verifiablePresentation": presentationFixture(t, "tampered-credential.json"), "options": map[string]any{"challenge": testChallenge}},
			status: 400, verdict: verifier.VerdictInvalid, problem: ProbInvalidCred + "-credentials", creds: []bool{true, false}, authenticated: true},
		{name: "missing challenge when required", body: map[string]any{"verifiablePresentation": presentationFixture(t, "no-challenge.json"), "options": map[string]any{"challenge": testChallenge}},
			status: 400, verdict: verifier.VerdictInvalid, problem: ProbInvalidCred + "-challenge", creds: []bool{true}, authenticated: true},
		{name: "unsigned refused", body: map[string]any{"verifiablePresentation": unsigned},
			status: 400, verdict: verifier.VerdictInvalid, problem: ProbInvalidCred + "-proof", creds: []bool{true}},
		{name: "unsigned allowed", body: map[string]any{"verifiablePresentation": unsigned, "options": map[string]any{"unsignedPresentation": true}},
			status: 200, verdict: verifier.VerdictValid, creds: []bool{true}},
		{name: "enveloped VP-JWT", body: map[string]any{"verifiablePresentation": map[string]any{
			"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiablePresentation", "id": "data:application/vp+jwt," + vpJWT,
		}, "options": options}, status: 200, verdict: verifier.VerdictValid, creds: []bool{true}, authenticated: true},
		{name: "compact VP-JWT", body: map[string]any{"verifiablePresentation": vpJWT, "options": options},
			status: 200, verdict: verifier.VerdictValid, creds: []bool{true}, authenticated: true},
		{name: "not a presentation", body: map[string]any{"verifiablePresentation": map[string]any{"foo": 1}},
			status: 400, verdict: verifier.VerdictInvalid, problem: ProbInvalidCred + "-context"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, vr := ts.verifyVP(t, tc.body)
			if code != tc.status || vr.Verified != (tc.status == 200) || vr.Verdict != tc.verdict {
				t.Fatalf("%d verified %v %s, want %d %s: %+v", code, vr.Verified, vr.Verdict, tc.status, tc.verdict, vr)
			}
			if tc.problem != "" && (len(vr.ProblemDetails) == 0 || vr.ProblemDetails[0].Type != ProblemBase+tc.problem) {
				t.Errorf("problemDetails %+v, want %s first", vr.ProblemDetails, tc.problem)
			}
			if vr.PresentationResult.Authenticated != tc.authenticated || len(vr.PresentationResult.Results) == 0 {
				t.Errorf("presentationResult %+v, want authenticated %v and results", vr.PresentationResult, tc.authenticated)
			}
			if len(vr.CredentialResults) != len(tc.creds) {
				t.Fatalf("%d credential results, want %d", len(vr.CredentialResults), len(tc.creds))
			}
			for i, want := range tc.creds {
				if cr := vr.CredentialResults[i]; cr.Verified != want || len(cr.Results) == 0 {
					t.Errorf("credential %d: verified %v, want %v: %+v", i, cr.Verified, want, cr)
				}
			}
		})
	}
	for _, tc := range []struct {
		name string
		body any
		prob string
		path string
	}{
		{"no presentation", map[string]any{}, ProbInvalidField, "verifiablePresentation"},
		{"presentation a number", map[string]any{"verifiablePresentation": 7}, ProbInvalidField, "verifiablePresentation"},
		{"challenge not a string", map[string]any{"verifiablePresentation": good, "options": map[string]any{"challenge": 7}}, ProbInvalidField, "options.challenge"},
		{"unsigned option not a boolean", map[string]any{"verifiablePresentation": good, "options": map[string]any{"unsignedPresentation": "yes"}}, ProbInvalidField, "options.unsignedPresentation"},
		{"unknown member", map[string]any{"verifiablePresentation": good, "presentation": good}, ProbUnsupported, "presentation"},
		{"not json", "{", ProbMalformedBody, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, ts.do(t, "POST", "/presentations/verify", "", tc.body), http.StatusBadRequest, tc.prob, tc.path)
		})
	}
}

// TestPresentationVerifyIsOpen: no key is needed, and a GET is a 405.
func TestPresentationVerifyIsOpen(t *testing.T) {
	ts := startServer(t, testConfig{noStatus: true})
	resp := ts.do(t, "GET", "/presentations/verify", "", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "POST") {
		t.Fatalf("GET: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	code, vr := ts.verifyVP(t, map[string]any{"verifiablePresentation": presentationFixture(t, "valid.json")})
	if code != http.StatusOK || !vr.Verified {
		t.Fatalf("%d %+v", code, vr)
	}
}

// FuzzPresentationRequest feeds arbitrary bodies to the parser of POST
// /presentations/verify: it never panics, refuses only with a 4xx
// problem, and an accepted body always names a document to verify.
func FuzzPresentationRequest(f *testing.F) {
	for _, s := range []string{
		`{"verifiablePresentation":{"type":"VerifiablePresentation"},"options":{"challenge":"c","domain":"d"}}`,
		`{"verifiablePresentation":"eyJ.eyJ.sig","options":{"unsignedPresentation":true,"checks":["proof"]}}`,
		`{"verifiablePresentation":{"type":"EnvelopedVerifiablePresentation","id":"data:application/vp+jwt,eyJ.eyJ.sig"}}`,
		`{"verifiablePresentation":null}`, `{"options":{"challenge":1}}`, `null`, `[]`, `{}`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := parsePresentationRequest(data)
		if err == nil {
			if req.document == nil {
				t.Errorf("%q accepted without a document", data)
			}
			return
		}
		var ae *apiError
		if !errors.As(err, &ae) || ae.status < 400 || ae.status >= 500 || ae.name == "" || titles[ae.name] == "" {
			t.Errorf("%q refused with %#v, want a 4xx problem", data, err)
		}
	})
}

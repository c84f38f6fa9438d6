package server

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
)

// issueAt issues cred at the instance path prefix ("" or
// "/issuers/{id}") with key, and returns the answer.
func (ts *testServer) issueAt(t *testing.T, prefix, key string, cred map[string]any) fetched {
	t.Helper()
	return ts.do(t, "POST", prefix+"/credentials/issue", key, map[string]any{"credential": cred})
}

func issuerIDOf(t *testing.T, vc map[string]any) string {
	t.Helper()
	switch v := vc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		id, _ := v["id"].(string)
		return id
	}
	t.Fatalf("issuer %v", vc["issuer"])
	return ""
}

func TestIssuerInstances(t *testing.T) {
	ts := startServer(t, testConfig{basePath: "/api", instances: []testInstance{
		{id: "acme", format: issuer.EcdsaRdfc2019},
		{id: "jwt", format: issuer.VCJWT},
	}})
	acme := ts.signers["acme"]

	// The instance issues as its own identity, in its own format, with
	// its own status list, served under its path.
	resp := ts.issueAt(t, "/issuers/acme", testAdminKey, sampleCredential(t))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("issue at acme: %d %s", resp.StatusCode, resp.Body)
	}
	vc := decode[issued](t, resp).VerifiableCredential
	if got := issuerIDOf(t, vc); got != acme.Identity().ID {
		t.Errorf("acme's credential names issuer %s, want %s", got, acme.Identity().ID)
	}
	proofs, _ := vc["proof"].([]any)
	if len(proofs) != 1 {
		t.Fatalf("proof %v", vc["proof"])
	}
	if p, _ := proofs[0].(map[string]any); p["cryptosuite"] != "ecdsa-rdfc-2019" || !strings.HasPrefix(p["verificationMethod"].(string), acme.Identity().ID+"#") {
		t.Errorf("acme's proof %v", vc["proof"])
	}
	id := vc["id"].(string)
	if loc := resp.Header.Get("Location"); loc != ts.url+"/issuers/acme/credentials/"+url.PathEscape(id) {
		t.Errorf("Location %s", loc)
	}
	list := listURL(t, vc)
	if !strings.HasPrefix(list, ts.url+"/issuers/acme/status/") {
		t.Fatalf("acme's list %s is not under its path", list)
	}
	lr := get(t, list)
	if lr.StatusCode != http.StatusOK {
		t.Fatalf("acme's list: %d", lr.StatusCode)
	}
	if got := issuerIDOf(t, decode[map[string]any](t, lr)); got != acme.Identity().ID {
		t.Errorf("acme's list is signed as %s", got)
	}
	if code, res := ts.verifyVC(t, vc); code != http.StatusOK || !res.Verified {
		t.Fatalf("verify acme's credential: %d %+v", code, res)
	}

	// The default instance is unchanged, with its own records.
	def := ts.issue(t, sampleCredential(t))
	if got := issuerIDOf(t, def); got != ts.signer.Identity().ID {
		t.Errorf("default credential names issuer %s", got)
	}
	if strings.HasPrefix(listURL(t, def), ts.url+"/issuers/") {
		t.Errorf("default list %s", listURL(t, def))
	}
	wantProblem(t, ts.do(t, "GET", "/credentials/"+url.PathEscape(id), testAdminKey, nil), http.StatusNotFound, ProbNotFound, "")
	if r := ts.do(t, "GET", "/issuers/acme/credentials/"+url.PathEscape(id), testAdminKey, nil); r.StatusCode != http.StatusOK {
		t.Errorf("GET acme's record: %d", r.StatusCode)
	}

	// Another instance's identity is refused.
	cred := sampleCredential(t)
	cred["issuer"] = ts.signer.Identity().ID
	wantProblem(t, ts.issueAt(t, "/issuers/acme", testAdminKey, cred), http.StatusBadRequest, ProbInvalidField, "credential.issuer")

	// The JWT instance answers with an enveloped credential.
	resp = ts.issueAt(t, "/issuers/jwt", testAdminKey, sampleCredential(t))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("issue at jwt: %d %s", resp.StatusCode, resp.Body)
	}
	env := decode[issued](t, resp).VerifiableCredential
	if env["type"] != "EnvelopedVerifiableCredential" {
		t.Errorf("jwt instance answered %v", env)
	}
	if code, res := ts.verifyVC(t, env); code != http.StatusOK || !res.Verified {
		t.Errorf("verify the jwt instance's credential: %d %+v", code, res)
	}

	// Revoking at the instance is seen by verify; the default
	// instance's credential is untouched.
	st := ts.do(t, "POST", "/issuers/acme/credentials/status", testAdminKey, map[string]any{
		"credentialId":     id,
		"credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
		"status":           true,
	})
	if st.StatusCode != http.StatusOK {
		t.Fatalf("revoke at acme: %d %s", st.StatusCode, st.Body)
	}
	if code, res := ts.verifyVC(t, vc); code != http.StatusBadRequest || res.Decision != "status" {
		t.Errorf("revoked acme credential: %d %s", code, res.Decision)
	}
	if code, res := ts.verifyVC(t, def); code != http.StatusOK || !res.Verified {
		t.Errorf("default credential after acme's revocation: %d %+v", code, res)
	}
	// A revocation at the default instance does not find acme's record.
	wantProblem(t, ts.setStatus(t, id, "revocation", true), http.StatusNotFound, ProbNotFound, "credentialId")
}

func TestIssuerInstanceScopes(t *testing.T) {
	ts := startServer(t, testConfig{instances: []testInstance{{id: "acme"}}})
	defaultIssuer := ts.addKey(t, ScopeIssue)
	acmeIssuer := ts.addKey(t, "write:/issuers/acme/credentials/issue")
	acmeReader := ts.addKey(t, "read:/issuers/acme/credentials")
	for _, tc := range []struct {
		name, method, path, key string
		status                  int
	}{
		{"default key at default", "POST", "/credentials/issue", defaultIssuer, http.StatusCreated},
		{"default key at acme", "POST", "/issuers/acme/credentials/issue", defaultIssuer, http.StatusForbidden},
		{"acme key at acme", "POST", "/issuers/acme/credentials/issue", acmeIssuer, http.StatusCreated},
		{"acme key at default", "POST", "/credentials/issue", acmeIssuer, http.StatusForbidden},
		{"acme issue key reads acme", "GET", "/issuers/acme/credentials/urn:x", acmeIssuer, http.StatusForbidden},
		{"acme reader reads acme", "GET", "/issuers/acme/credentials/urn:x", acmeReader, http.StatusNotFound},
		{"acme reader reads default", "GET", "/credentials/urn:x", acmeReader, http.StatusForbidden},
		{"acme status without scope", "POST", "/issuers/acme/credentials/status", acmeIssuer, http.StatusForbidden},
		{"unknown instance", "POST", "/issuers/nobody/credentials/issue", testAdminKey, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == "POST" {
				body = map[string]any{"credential": sampleCredential(t)}
			}
			if resp := ts.do(t, tc.method, tc.path, tc.key, body); resp.StatusCode != tc.status {
				t.Errorf("%d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
		})
	}
}

func TestIssuerInstanceMisconfigured(t *testing.T) {
	ts := startServer(t, testConfig{})
	base := ts.opts
	for _, tc := range []struct {
		name string
		edit func(o *Options)
	}{
		{"shared store", func(o *Options) {
			o.Instances = []Instance{{ID: "a", Issuer: o.Issuer, IssuerID: o.IssuerID, Store: o.Store}}
		}},
		{"duplicate id", func(o *Options) {
			in, _ := newTestInstance(t, t.TempDir(), ts.url, testInstance{id: "a"}, nil)
			in2, _ := newTestInstance(t, t.TempDir(), ts.url, testInstance{id: "a"}, nil)
			o.Instances = []Instance{in, in2}
		}},
		{"bad id", func(o *Options) {
			in, _ := newTestInstance(t, t.TempDir(), ts.url, testInstance{id: "a"}, nil)
			in.ID = "../x"
			o.Instances = []Instance{in}
		}},
		{"no id", func(o *Options) {
			in, _ := newTestInstance(t, t.TempDir(), ts.url, testInstance{id: "a"}, nil)
			in.ID = ""
			o.Instances = []Instance{in}
		}},
		{"shared status base", func(o *Options) {
			in, _ := newTestInstance(t, t.TempDir(), ts.url, testInstance{id: "a"}, nil)
			in.StatusBaseURL = o.StatusBaseURL
			o.Instances = []Instance{in}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			o.DataDir = filepath.Join(t.TempDir(), "serve")
			tc.edit(&o)
			if _, err := New(t.Context(), o); !errors.Is(err, ErrConfig) {
				t.Errorf("New: %v, want ErrConfig", err)
			}
		})
	}
}

func TestConfigInstances(t *testing.T) {
	dir := t.TempDir()
	load := func(t *testing.T, js string) (Config, error) {
		t.Helper()
		file := filepath.Join(t.TempDir(), "serve.json")
		if err := os.WriteFile(file, []byte(js), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfig(file)
		if err != nil {
			return c, err
		}
		c = c.Defaults(filepath.Join(dir, "issued.db"), dir)
		return c, c.Validate()
	}
	c, err := load(t, `{"key":"registrar","adminKey":"s3cret-admin-key-0123456789abcdefghij","issuers":[
		{"id":"acme","key":"acme-key","format":"ecdsa-rdfc-2019"},
		{"id":"plain","key":"plain-key","noStatus":true,"store":"`+filepath.Join(dir, "plain.db")+`"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	acme, plain := c.Issuers[0], c.Issuers[1]
	if acme.Store != filepath.Join(dir, "serve", "issuers", "acme", "issued.db") || acme.StatusBaseURL != "http://127.0.0.1:8080/issuers/acme/status/" {
		t.Errorf("acme defaults %+v", acme)
	}
	if plain.Store != filepath.Join(dir, "plain.db") || plain.StatusBaseURL != "" {
		t.Errorf("plain defaults %+v", plain)
	}
	red := string(c.Redacted())
	if !strings.Contains(red, `"id": "acme"`) || !strings.Contains(red, `"key": "acme-key"`) || strings.Contains(red, "s3cret") {
		t.Errorf("--print-config:\n%s", red)
	}
	// boundTo rewrites the instances' defaulted URLs with the bound port.
	c.Listen, c.PublicBaseURL = "127.0.0.1:0", "http://127.0.0.1:0"
	c.Issuers[0].StatusBaseURL = "http://127.0.0.1:0/issuers/acme/status/"
	if b := c.boundTo("127.0.0.1:4242"); b.Issuers[0].StatusBaseURL != "http://127.0.0.1:4242/issuers/acme/status/" || c.Issuers[0].StatusBaseURL != "http://127.0.0.1:0/issuers/acme/status/" {
		t.Errorf("boundTo: %q (original now %q)", b.Issuers[0].StatusBaseURL, c.Issuers[0].StatusBaseURL)
	}

	for _, tc := range []struct{ name, js, field string }{
		{"no id", `{"key":"k","issuers":[{"key":"a"}]}`, "issuers[0].id"},
		{"bad id", `{"key":"k","issuers":[{"id":"a/b","key":"a"}]}`, "issuers[0].id"},
		{"duplicate id", `{"key":"k","issuers":[{"id":"a","key":"a"},{"id":"a","key":"b"}]}`, "issuers[1].id"},
		{"no key", `{"key":"k","issuers":[{"id":"a"}]}`, "issuers[0].key"},
		{"shared store", `{"key":"k","store":"` + filepath.Join(dir, "x.db") + `","issuers":[{"id":"a","key":"a","store":"` + filepath.Join(dir, "x.db") + `"}]}`, "issuers[0].store"},
		{"bad status url", `{"key":"k","issuers":[{"id":"a","key":"a","statusBaseURL":"ftp://x/"}]}`, "issuers[0].statusBaseURL"},
		{"unknown member", `{"key":"k","issuers":[{"id":"a","key":"a","colour":"red"}]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.js)
			if !errors.Is(err, ErrConfig) {
				t.Fatalf("err %v, want ErrConfig", err)
			}
			if tc.field != "" && !strings.HasPrefix(err.Error(), tc.field+":") {
				t.Errorf("err %q does not name %s", err, tc.field)
			}
		})
	}
}

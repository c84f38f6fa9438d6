package interop_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// requireNode returns the node binary, or skips (fails under CI) when the
// JavaScript stack is not installed.
func requireNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		if _, err = os.Stat(filepath.Join("node_modules", "@digitalbazaar", "vc")); err != nil {
			err = errors.New("interop/node_modules is missing: run `npm ci` in interop/ (make interop-deps)")
		}
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop tests need Node.js and interop/node_modules: %v", err)
		}
		t.Skipf("skipping interop tests: %v", err)
	}
	return node
}

var suites = []proof.Suite{proof.EddsaRdfc2022, proof.Ed25519Signature2020}

type signer struct {
	kp     *keys.KeyPair
	did    string
	vm     string
	secret string
}

func newSigner(t *testing.T) signer {
	t.Helper()
	kp, err := keys.Generate(keys.Ed25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := did.KeyFromPublic(kp.Public)
	if err != nil {
		t.Fatal(err)
	}
	mk, err := keys.EncodePublicMultikey(kp.Public)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := keys.EncodeSecretMultikey(kp.Private)
	if err != nil {
		t.Fatal(err)
	}
	return signer{kp: kp, did: id, vm: id + "#" + mk, secret: sec}
}

func loadJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// signerOf returns the signer of key as id with the verification method
// vm, in format.
func signerOf(t *testing.T, key crypto.PrivateKey, id, vm string, format issuer.Format) *issuer.Signer {
	t.Helper()
	s, err := issuer.NewSigner(key, issuer.SignerOptions{Identity: issuer.Identity{ID: id, VerificationMethod: vm}, Format: format})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newIssuer(t *testing.T, s signer, suite proof.Suite) *issuer.Issuer {
	t.Helper()
	is, err := issuer.New(issuer.Config{
		Profile: loadJSON(t, "issuer.json"),
		Signer:  signerOf(t, s.kp.Private, s.did, s.vm, issuer.Format(suite)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

// tamperings each change one signed statement of a credential.
var tamperings = []struct {
	name   string
	mutate func(doc map[string]any)
}{
	{"credential name", func(d map[string]any) { d["name"] = "Forged Badge" }},
	{"achievement name", func(d map[string]any) {
		d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = "Brain Surgery"
	}},
	{"subject", func(d map[string]any) {
		sub := d["credentialSubject"].(map[string]any)
		if _, ok := sub["id"]; ok {
			sub["id"] = "did:example:someone-else"
		} else {
			sub["identifier"].([]any)[0].(map[string]any)["salt"] = "other-salt"
		}
	}},
	{"validFrom", func(d map[string]any) { d["validFrom"] = "2001-01-01T00:00:00Z" }},
	{"proof created", func(d map[string]any) {
		d["proof"].([]any)[0].(map[string]any)["created"] = "2001-01-01T00:00:00Z"
	}},
}

func clone(t *testing.T, doc map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func writeJSON(t *testing.T, path string, doc map[string]any) {
	t.Helper()
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

type jsVerdict struct {
	File     string `json:"file"`
	Verified bool   `json:"verified"`
	Error    string `json:"error"`
}

// jsVerify verifies files in one Node process and returns a verdict per file.
func jsVerify(t *testing.T, node string, contexts string, files []string) map[string]jsVerdict {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{"verify.mjs"}, files...)...)
	cmd.Env = append(os.Environ(), "INTEROP_CONTEXTS="+contexts)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("verify.mjs: %v\n%s", err, stderr.String())
	}
	verdicts := map[string]jsVerdict{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	i := 0
	for sc.Scan() {
		var v jsVerdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("verify.mjs printed %q: %v", sc.Text(), err)
		}
		if v.File == "" && i < len(files) {
			v.File = files[i]
		}
		verdicts[v.File] = v
		i++
	}
	if len(verdicts) != len(files) {
		t.Fatalf("verify.mjs gave %d verdicts for %d files:\n%s\n%s", len(verdicts), len(files), out, stderr.String())
	}
	return verdicts
}

// writeIssuedSet issues, with is, a credential to a subject id and one to a
// hashed email, writes each to dir (named after label) with a tampered
// copy per entry of tamperings, and records in want which must verify.
// check, if set, looks at each issued credential first.
func writeIssuedSet(t *testing.T, dir string, is *issuer.Issuer, label string, files []string, want map[string]bool, check func(*issuer.Credential)) []string {
	t.Helper()
	for _, variant := range []string{"subject-id", "hashed-email"} {
		req := issuer.Request{Achievement: loadJSON(t, "achievement.json")}
		if variant == "subject-id" {
			req.Subject = loadJSON(t, "subject.json")
		} else {
			req.RecipientEmail = "learner@example.com"
		}
		cred, err := is.Issue(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if check != nil {
			check(cred)
		}
		base := filepath.Join(dir, label+"-"+variant)
		good := base + ".json"
		if err := os.WriteFile(good, cred.JSON, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, good)
		want[good] = true
		for _, tm := range tamperings {
			doc := clone(t, cred.Document)
			tm.mutate(doc)
			bad := base + "-tampered-" + strings.ReplaceAll(tm.name, " ", "-") + ".json"
			writeJSON(t, bad, doc)
			files = append(files, bad)
			want[bad] = false
		}
	}
	return files
}

// checkJSVerdicts verifies files with the reference stack under the
// project's and npm's context copies and requires the verdicts of want.
func checkJSVerdicts(t *testing.T, node string, files []string, want map[string]bool) {
	t.Helper()
	for _, contexts := range []string{"project", "npm"} {
		t.Run("contexts="+contexts, func(t *testing.T) {
			got := jsVerify(t, node, contexts, files)
			for _, f := range files {
				if got[f].Verified != want[f] {
					t.Errorf("%s: javascript verified=%v (%s), want %v", filepath.Base(f), got[f].Verified, got[f].Error, want[f])
				}
			}
		})
	}
}

func goVerify(t *testing.T, data []byte) (*verifier.Result, error) {
	t.Helper()
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return v.Verify(context.Background(), data)
}

// TestBadgesmithSignedVerifiesInJavaScript signs with badgesmith and
// verifies with the reference stack, using both the project's context files
// and the npm packages' copies.
func TestBadgesmithSignedVerifiesInJavaScript(t *testing.T) {
	node := requireNode(t)
	dir := t.TempDir()
	s := newSigner(t)
	want := map[string]bool{}
	var files []string
	for _, suite := range suites {
		files = writeIssuedSet(t, dir, newIssuer(t, s, suite), string(suite), files, want, nil)
	}
	checkJSVerdicts(t, node, files, want)
	// The tampered copies must fail in badgesmith too, on the proof check.
	for _, f := range files {
		if want[f] {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := goVerify(t, data)
		var ve *verifier.VerificationError
		if !errors.As(err, &ve) || res.Check(verifier.CheckProof).Status != verifier.StatusFail {
			t.Errorf("%s: badgesmith err=%v, want a failed proof check", filepath.Base(f), err)
		}
	}
}

// TestJavaScriptSignedVerifiesInBadgesmith signs with the reference stack and
// verifies with badgesmith.
func TestJavaScriptSignedVerifiesInBadgesmith(t *testing.T) {
	node := requireNode(t)
	s := newSigner(t)
	for _, suite := range suites {
		t.Run(string(suite), func(t *testing.T) {
			is := newIssuer(t, s, suite)
			unsigned, err := is.Build(issuer.Request{Achievement: loadJSON(t, "achievement.json"), Subject: loadJSON(t, "subject.json")})
			if err != nil {
				t.Fatal(err)
			}
			signed := jsSign(t, node, suite, s, unsigned)
			res, err := goVerify(t, signed)
			if err != nil {
				t.Fatalf("javascript-signed credential does not verify in badgesmith: %v\n%s", err, signed)
			}
			if !res.Valid {
				t.Fatalf("result not valid: %+v", res)
			}
			var doc map[string]any
			if err := json.Unmarshal(signed, &doc); err != nil {
				t.Fatal(err)
			}
			for _, tm := range tamperings {
				t.Run("tampered "+tm.name, func(t *testing.T) {
					bad := clone(t, doc)
					// The reference stack may emit a single proof object.
					if p, ok := bad["proof"].(map[string]any); ok {
						bad["proof"] = []any{p}
					}
					tm.mutate(bad)
					data, err := json.Marshal(bad)
					if err != nil {
						t.Fatal(err)
					}
					res, err := goVerify(t, data)
					var ve *verifier.VerificationError
					if !errors.As(err, &ve) {
						t.Fatalf("tampered credential: err = %v, want a VerificationError", err)
					}
					if c := res.Check(verifier.CheckProof); c.Status != verifier.StatusFail {
						t.Fatalf("proof check = %+v, want fail", c)
					}
					path := filepath.Join(t.TempDir(), "bad.json")
					if err := os.WriteFile(path, data, 0o644); err != nil {
						t.Fatal(err)
					}
					if v := jsVerify(t, node, "project", []string{path})[path]; v.Verified {
						t.Fatal("the javascript stack accepted the tampered credential")
					}
				})
			}
		})
	}
}

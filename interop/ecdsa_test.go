package interop_test

import (
	"bytes"
	"context"
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

// moreSuites are the suites beyond the Ed25519 RDFC pair that cross-verify
// with the reference stack (@digitalbazaar/ecdsa-rdfc-2019-cryptosuite,
// @digitalbazaar/eddsa-jcs-2022-cryptosuite), with the key type each signs
// with.
var moreSuites = []struct {
	suite proof.Suite
	key   keys.Type
}{
	{proof.EcdsaRdfc2019, keys.P256},
	{proof.EddsaJcs2022, keys.Ed25519},
}

// newSignerOf is newSigner for any key type with a did:key form: a did:key
// DID (z6Mk... or zDn...) and its verification method DID#<key>.
func newSignerOf(t *testing.T, kt keys.Type) signer {
	t.Helper()
	kp, err := keys.Generate(kt, rand.Reader)
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

// jsSign signs unsigned with sign.mjs and returns the signed credential.
func jsSign(t *testing.T, node string, suite proof.Suite, s signer, unsigned map[string]any) []byte {
	t.Helper()
	in, err := json.Marshal(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "sign.mjs", "--suite", string(suite), "--secret", s.secret, "--vm", s.vm,
		"--created", time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	signed, err := cmd.Output()
	if err != nil {
		t.Fatalf("sign.mjs --suite %s: %v\n%s", suite, err, stderr.String())
	}
	return signed
}

// TestMoreSuitesGoSignedVerifyInJavaScript signs with badgesmith (P-256
// ecdsa-rdfc-2019, Ed25519 eddsa-jcs-2022) and verifies with the reference
// stack under both context sources; tampered copies fail in both stacks.
func TestMoreSuitesGoSignedVerifyInJavaScript(t *testing.T) {
	node := requireNode(t)
	dir := t.TempDir()
	want := map[string]bool{}
	var files []string
	for _, ms := range moreSuites {
		files = writeIssuedSet(t, dir, newIssuer(t, newSignerOf(t, ms.key), ms.suite), string(ms.suite), files, want, func(cred *issuer.Credential) {
			if got := cred.Document["proof"].([]any)[0].(map[string]any)["cryptosuite"]; got != string(ms.suite) {
				t.Fatalf("issued with cryptosuite %v, want %s", got, ms.suite)
			}
		})
	}
	checkJSVerdicts(t, node, files, want)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := goVerify(t, data)
		if want[f] {
			if err != nil || !res.Valid {
				t.Errorf("%s: badgesmith does not verify its own credential: %v", filepath.Base(f), err)
			}
			continue
		}
		var ve *verifier.VerificationError
		if !errors.As(err, &ve) || res.Check(verifier.CheckProof).Status != verifier.StatusFail {
			t.Errorf("%s: badgesmith err=%v, want a failed proof check", filepath.Base(f), err)
		}
	}
}

// TestMoreSuitesJavaScriptSignedVerifyInBadgesmith signs with the reference
// stack and verifies with badgesmith; tampered copies fail in both.
func TestMoreSuitesJavaScriptSignedVerifyInBadgesmith(t *testing.T) {
	node := requireNode(t)
	for _, ms := range moreSuites {
		t.Run(string(ms.suite), func(t *testing.T) {
			s := newSignerOf(t, ms.key)
			is := newIssuer(t, s, ms.suite)
			unsigned, err := is.Build(issuer.Request{Achievement: loadJSON(t, "achievement.json"), Subject: loadJSON(t, "subject.json")})
			if err != nil {
				t.Fatal(err)
			}
			signed := jsSign(t, node, ms.suite, s, unsigned)
			var doc map[string]any
			if err := json.Unmarshal(signed, &doc); err != nil {
				t.Fatal(err)
			}
			// The reference stack may emit a single proof object.
			if p, ok := doc["proof"].(map[string]any); ok {
				doc["proof"] = []any{p}
			}
			p := doc["proof"].([]any)[0].(map[string]any)
			if p["cryptosuite"] != string(ms.suite) || p["verificationMethod"] != s.vm {
				t.Fatalf("javascript proof is %v by %v, want %s by %s", p["cryptosuite"], p["verificationMethod"], ms.suite, s.vm)
			}
			res, err := goVerify(t, signed)
			if err != nil || !res.Valid {
				t.Fatalf("javascript-signed credential does not verify in badgesmith: %v\n%s", err, signed)
			}
			for _, tm := range tamperings {
				t.Run("tampered "+tm.name, func(t *testing.T) {
					bad := clone(t, doc)
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

// TestSignMJSRefusesMismatchedP256Key checks that sign.mjs, given a P-256
// secret and a did:key verification method of another key, refuses as a
// usage error instead of signing a proof no verifier could check.
func TestSignMJSRefusesMismatchedP256Key(t *testing.T) {
	node := requireNode(t)
	a, b := newSignerOf(t, keys.P256), newSignerOf(t, keys.P256)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "sign.mjs", "--suite", string(proof.EcdsaRdfc2019), "--secret", a.secret, "--vm", b.vm)
	cmd.Stdin = strings.NewReader("{}")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "not the secret's public key") {
		t.Errorf("sign.mjs with another key's VM: %v, stderr %s; want exit 2 naming the mismatch", err, stderr.String())
	}
}

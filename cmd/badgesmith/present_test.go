package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgesmith/badgesmith/verifier"
)

// TestPresentThenVerify: present signs a presentation of a JSON and a JWT
// credential as the holder's did:key, with the challenge and domain, that
// the verifier accepts with that challenge and domain and refuses with
// another challenge.
func TestPresentThenVerify(t *testing.T) {
	dir := t.TempDir()
	cred, ring := issueSample(t, dir)
	jwt := filepath.Join(dir, "credential.jwt")
	code, _, errOut := runKeys(t, "", "issue", "--keyring", ring, "--key", "registrar", "--format", "jose",
		"--issuer-profile", testdata("issuer.json"), "--achievement", testdata("achievement.json"),
		"--subject", testdata("subject.json"), "--out", jwt)
	if code != exitOK {
		t.Fatalf("issue jose: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runKeys(t, "", "keys", "generate", "learner", "--keyring", ring); code != exitOK {
		t.Fatalf("keys generate: exit %d: %s", code, errOut)
	}
	vpPath := filepath.Join(dir, "vp.json")
	code, _, errOut = runKeys(t, "", "present", "--keyring", ring, "--key", "learner", "--challenge", "c-42", "--domain", "https://verifier.example", cred, jwt, "--out", vpPath)
	if code != exitOK {
		t.Fatalf("present: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(vpPath)
	if err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.VerifyPresentation(context.Background(), data, verifier.PresentationOptions{Challenge: "c-42", Domain: "https://verifier.example"})
	if err != nil || !res.Valid || !res.Authenticated || len(res.Credentials) != 2 {
		t.Fatalf("verify: %v %+v", err, res)
	}
	for i, c := range res.Credentials {
		if !c.Valid {
			t.Errorf("credential %d: %s: %+v", i, c.Verdict, c.Checks)
		}
	}
	if res, _ := v.VerifyPresentation(context.Background(), data, verifier.PresentationOptions{Challenge: "c-43"}); res.Valid {
		t.Error("accepted with another challenge")
	}
}

func TestPresentRefuses(t *testing.T) {
	dir := t.TempDir()
	cred, ring := issueSample(t, dir)
	notCred := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notCred, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no key", []string{"present", "--keyring", ring, cred}, exitError},
		{"no credential", []string{"present", "--keyring", ring, "--key", "registrar"}, exitError},
		{"unknown key", []string{"present", "--keyring", ring, "--key", "nobody", cred}, exitError},
		{"not a credential", []string{"present", "--keyring", ring, "--key", "registrar", notCred}, exitInvalid}, // bad input, as issue says of a bad achievement
		{"a JWT suite", []string{"present", "--keyring", ring, "--key", "registrar", "--suite", "jwt", cred}, exitError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, out, errOut := runKeys(t, "", tc.args...); code != tc.code || out != "" {
				t.Errorf("exit %d, want %d; stdout %q stderr %q", code, tc.code, out, errOut)
			}
		})
	}
}

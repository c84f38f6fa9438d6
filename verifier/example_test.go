package verifier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// exampleDir holds the signed credential and baked badge the examples
// verify; TestExampleFixtures rebuilds them with -update.
var exampleDir = filepath.Join("testdata", "example")

// ExampleVerifier_Verify verifies a credential file: one verdict, the
// check behind it, and one result per check.
func ExampleVerifier_Verify() {
	data, err := os.ReadFile(filepath.Join(exampleDir, "credential.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := verifier.New(verifier.Options{
		// A fixed clock keeps the example's output stable; leave Now nil
		// to verify at the current time.
		Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := v.Verify(context.Background(), data)
	fmt.Println(res.Verdict, "-", res.Name, "- error:", err)
	for _, c := range res.Checks {
		fmt.Println(c.Check, c.Status)
	}
	// Output:
	// valid - Applied Data Analysis - error: <nil>
	// parse pass
	// context pass
	// type pass
	// schema pass
	// proof pass
	// issuer pass
	// validity pass
	// status pass
}

// ExampleVerifier_Verify_bakedImage verifies the credential baked into a
// PNG badge: Verify finds it in the image.
func ExampleVerifier_Verify_bakedImage() {
	img, err := os.ReadFile(filepath.Join(exampleDir, "badge.png"))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := v.Verify(context.Background(), img)
	if err != nil {
		fmt.Println("not valid:", err)
		return
	}
	fmt.Println(res.Verdict, "-", res.Check(verifier.CheckParse).Reason)
	// Output: valid - well-formed json credential, 3574 bytes (baked into a 3727-byte png image)
}

// ExampleVerifier_Verify_tampered shows what a caller branches on when a
// credential was changed after signing.
func ExampleVerifier_Verify_tampered() {
	data, err := os.ReadFile(filepath.Join(exampleDir, "credential.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	data = bytes.Replace(data, []byte("Applied Data Analysis"), []byte("Advanced Data Analysis"), 1)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := v.Verify(context.Background(), data)
	fmt.Println(res.Verdict, res.Decision, res.Failed().Reason)
	fmt.Println(err)
	// Output:
	// invalid proof proof[0].proofValue: invalid signature
	// credential is invalid: proof: proof[0].proofValue: invalid signature
}

// TestExampleFixtures checks that the examples' credential and badge are
// what the signing code makes today (deterministic: Ed25519 signatures
// and a fixed created time), and rewrites them with -update.
func TestExampleFixtures(t *testing.T) {
	k := newKey(t, 61)
	signed, err := proof.Sign(context.Background(), unsigned(t, k), k.priv, proof.SignOptions{
		Suite: proof.EddsaRdfc2022, VerificationMethod: k.vm, Created: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := json.MarshalIndent(signed, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	img, err := os.ReadFile(filepath.Join("..", "bake", "testdata", "badge.png"))
	if err != nil {
		t.Fatal(err)
	}
	baked, err := bake.PNG(img, cred)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"credential.json": cred, "badge.png": baked}
	for name, want := range files {
		path := filepath.Join(exampleDir, name)
		if *updateHostile {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is not what signing makes today: run go test ./verifier -run TestExampleFixtures -update", path)
		}
	}
}

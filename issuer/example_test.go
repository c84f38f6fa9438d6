package issuer_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store/bolt"
	"github.com/badgesmith/badgesmith/verifier"
)

// achievement is the Achievement the examples award.
var achievement = map[string]any{
	"id":          "https://example.edu/achievements/data-analysis",
	"type":        []any{"Achievement"},
	"name":        "Applied Data Analysis",
	"description": "Cleans, explores and models a real data set.",
	"criteria":    map[string]any{"narrative": "Passed the capstone project."},
}

// Example issues one credential, signed as the key's did:key with the
// default suite of its type (eddsa-rdfc-2022 for Ed25519), and verifies it
// as any verifier would.
func Example() {
	ctx := context.Background()
	_, key, _ := ed25519.GenerateKey(nil)
	signer, err := issuer.NewSigner(key, issuer.SignerOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "Northfield College"}, Signer: signer})
	if err != nil {
		fmt.Println(err)
		return
	}
	cred, err := is.Issue(ctx, issuer.Request{Achievement: achievement, RecipientEmail: "learner@example.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := verifier.New(verifier.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := v.Verify(ctx, cred.JSON)
	fmt.Println(cred.Format, res.Valid, err)
	// Output: eddsa-rdfc-2022 true <nil>
}

// ExampleRingSigner signs with a keyring key as a did:web issuer: the
// identity the DID document of "badgesmith did web" publishes. A retired
// key would be refused by New.
func ExampleRingSigner() {
	dir, err := os.MkdirTemp("", "keyring")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	ring, err := keys.OpenRing(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := ring.Generate("registrar", keys.P256); err != nil {
		fmt.Println(err)
		return
	}
	signer, err := issuer.RingSigner(ring, "registrar", issuer.RingOptions{Web: "example.edu"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(signer.Identity().VerificationMethod, signer.Format())
	// Output: did:web:example.edu#registrar ecdsa-rdfc-2019
}

// Example_batch issues a credential to each of a list of learners, each
// recorded in a store with a revocation entry and written to a directory
// with a manifest. Running it again issues nothing new.
func Example_batch() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "batch")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	db, err := bolt.Open(filepath.Join(dir, "issued.db"), bolt.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	_, key, _ := ed25519.GenerateKey(nil)
	signer, err := issuer.NewSigner(key, issuer.SignerOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	is, err := issuer.New(issuer.Config{
		Profile: map[string]any{"name": "Northfield College"}, Signer: signer,
		Store: db, StatusBaseURL: "https://example.edu/status/",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Each item's key (a student number, say) fixes its credential id in
	// the batch; package roster makes items from a roster file.
	var items []issuer.BatchItem
	for i, email := range []string{"ada@example.com", "alan@example.com"} {
		items = append(items, issuer.BatchItem{Line: i + 1, Key: email, Recipient: email,
			Request: issuer.Request{Achievement: achievement, RecipientEmail: email}})
	}
	for range 2 {
		b, err := is.NewBatch(ctx, issuer.BatchConfig{ID: "cohort-2026", OutDir: dir, Output: issuer.BatchOutput{Ext: ".json"}})
		if err != nil {
			fmt.Println(err)
			return
		}
		sum, err := b.Run(ctx, issuer.BatchItems(items...))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d rows: %d issued, %d already issued\n", sum.Rows, sum.Issued, sum.Skipped)
	}
	// Output:
	// 2 rows: 2 issued, 0 already issued
	// 2 rows: 0 issued, 2 already issued
}

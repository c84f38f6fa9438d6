package issuer_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
)

func TestLearnerDocuments(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, "issued.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out, served := filepath.Join(dir, "out"), filepath.Join(dir, "serve", "credentials")
	for _, d := range []string{out, served} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p string, data []byte) {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const salt = "c2FsdA"
	put := func(id, recipient, doc string) {
		sum := sha256.Sum256([]byte(doc))
		r := store.Record{ID: id, Recipient: recipient, AchievementID: "urn:a", IssuerKey: "did:key:z#k", Format: store.FormatDI,
			IssuedAt: time.Date(2026, 1, len(id), 0, 0, 0, 0, time.UTC), SHA256: hex.EncodeToString(sum[:])}
		if recipient != "did:example:ada" && recipient != "did:example:bob" {
			r.RecipientSalt = salt
		}
		if err := db.PutCredential(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	// A CLI file, a server document, a record whose file was changed, and
	// another learner's.
	put("urn:1", "did:example:ada", `{"id": "urn:1"}`)
	write(filepath.Join(out, "1.json"), []byte(`{"id": "urn:1"}`))
	put("urn:22", ob3.IdentityHash("ada@example.com", salt), `{"id": "urn:22"}`)
	stored, _ := json.Marshal(map[string]string{"id": "urn:22", "format": store.FormatDI, "signed": `{"id": "urn:22"}`})
	write(filepath.Join(served, "ab.json"), stored)
	put("urn:333", "did:example:ada", `{"id": "urn:333"}`)
	write(filepath.Join(out, "3.json"), []byte(`{"id": "urn:333"} `))
	put("urn:4444", "did:example:bob", `{"id": "urn:4444"}`)
	write(filepath.Join(out, "4.json"), []byte(`{"id": "urn:4444"}`))

	docs, err := issuer.LearnerDocuments(ctx, db, issuer.LearnerOptions{DID: "did:example:ada", Emails: []string{"Ada@example.com"},
		Dirs: []string{out, filepath.Join(dir, "serve")}, MaxSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ id, path, data string }{
		{"urn:1", filepath.Join(out, "1.json"), `{"id": "urn:1"}`},
		{"urn:22", filepath.Join(served, "ab.json"), `{"id": "urn:22"}`},
		{"urn:333", "", ""},
	}
	if len(docs) != len(want) {
		t.Fatalf("%d documents, want %d: %+v", len(docs), len(want), docs)
	}
	for i, w := range want {
		if d := docs[i]; d.Record.ID != w.id || d.Path != w.path || string(d.Data) != w.data || (w.data == "") != (d.Data == nil) {
			t.Errorf("document %d: %s at %q: %q, want %s at %q: %q", i, d.Record.ID, d.Path, d.Data, w.id, w.path, w.data)
		}
	}
	if _, err := issuer.LearnerDocuments(ctx, db, issuer.LearnerOptions{Dirs: []string{out}, MaxSize: 1}); !errors.Is(err, issuer.ErrNoLearner) {
		t.Errorf("no learner: %v", err)
	}
	_, err = issuer.LearnerDocuments(ctx, db, issuer.LearnerOptions{DID: "did:example:ada", Dirs: []string{out}, MaxSize: 1 << 20, MaxFiles: 2})
	if !errors.Is(err, issuer.ErrTooManyFiles) {
		t.Errorf("file bound: %v", err)
	}
}

package bolt

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgesmith/badgesmith/store"
)

// TestMigrateV1 opens a file written by schema version 1 (testdata/v1.db,
// six credentials with revocation and suspension entries, one revoked,
// one suspended) and requires every record, list and audit event to read
// back as version 1 read them (testdata/v1.golden.json), the indexes to
// answer filters, and the file to stay consistent and usable.
func TestMigrateV1(t *testing.T) {
	ctx := t.Context()
	src, err := os.ReadFile(filepath.Join("testdata", "v1.db"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "v1.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v1.db")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("opening a version 1 file: %v", err)
	}
	all, err := db.ListCredentials(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	lists, err := db.Lists(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	audit := map[string][]store.Event{}
	for _, r := range all {
		if audit[r.ID], err = db.Audit(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, err := json.MarshalIndent(map[string]any{"records": all, "lists": lists, "audit": audit}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), golden) {
		t.Errorf("after the upgrade the store reads\n%s\nwant\n%s", got, golden)
	}
	for _, tt := range []struct {
		f    store.Filter
		want int
	}{
		{store.Filter{Recipient: "did:example:alice"}, 3},
		{store.Filter{AchievementID: "https://example.com/b"}, 2},
		{store.Filter{BatchID: "batch-1"}, 4},
		{store.Filter{BatchID: "batch-1", RowKey: "row-2"}, 1},
		{store.Filter{Status: store.Revoked}, 1},
		{store.Filter{Status: store.Suspended}, 1},
	} {
		rs, err := db.ListCredentials(ctx, tt.f)
		if err != nil || len(rs) != tt.want {
			t.Errorf("ListCredentials(%+v) = %d records, %v; want %d", tt.f, len(rs), err, tt.want)
		}
	}
	// The old owners now point at the new records: binding a taken index
	// names the credential that holds it.
	taken := all[0].Status[0]
	r := all[0]
	r.ID, r.Status = "urn:uuid:00000000-0000-4000-8000-0000000000ff", []store.StatusRef{taken}
	r.BatchID, r.RowKey = "", ""
	if err := db.PutCredential(ctx, r); err == nil || !bytes.Contains([]byte(err.Error()), []byte(all[0].ID)) {
		t.Errorf("binding an upgraded credential's index = %v, want ErrExists naming %s", err, all[0].ID)
	}
	// A store made before issuer secrets gets one on first use.
	secret, err := db.IssuerSecret(ctx)
	if err != nil || len(secret) != store.IssuerSecretLen {
		t.Errorf("IssuerSecret of an upgraded store = %x, %v", secret, err)
	}
	if err := db.Check(ctx); err != nil {
		t.Errorf("bbolt check after the upgrade: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Opening again finds version 2 and changes nothing.
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	again, err := db.ListCredentials(ctx, store.Filter{})
	if err != nil || len(again) != len(all) {
		t.Fatalf("reopened store lists %d records, %v; want %d", len(again), err, len(all))
	}
	if kept, err := db.IssuerSecret(ctx); err != nil || !bytes.Equal(kept, secret) {
		t.Errorf("reopened store's secret %x, %v; want %x", kept, err, secret)
	}
}

func TestIDKey(t *testing.T) {
	ids := []string{
		"urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
		"urn:uuid:6BA7B810-9DAD-11D1-80B4-00C04FD430C8", // upper case stays text
		"urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c",  // short
		"urn:uuid:6ba7b810x9dad-11d1-80b4-00c04fd430c8", // bad separator
		"urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430cg", // bad digit
		"https://example.edu/credentials/1",
		"\x01",
		"",
	}
	seen := map[string]string{}
	for _, id := range ids {
		k := string(idKey(id))
		if other, dup := seen[k]; dup {
			t.Errorf("idKey(%q) = idKey(%q)", id, other)
		}
		seen[k] = id
	}
	if k := idKey(ids[0]); len(k) != 17 || k[0] != 1 || k[1] != 0x6b || k[16] != 0xc8 {
		t.Errorf("idKey of a canonical uuid = %x, want the tag and 16 bytes", k)
	}
	for _, id := range ids[1:] {
		if k := idKey(id); k[0] != 0 || string(k[1:]) != id {
			t.Errorf("idKey(%q) = %x, want the text form", id, k)
		}
	}
}

package main

import (
	"context"
	"crypto"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
)

// ringKey serves one public key for any verification method.
type ringKey struct{ pub crypto.PublicKey }

func (k ringKey) PublicKey(context.Context, string, string) (crypto.PublicKey, error) {
	return k.pub, nil
}

// TestStatusPublishDIDWeb issues as a did:web issuer with a store, then
// publishes the status lists: they must be signed as that did:web issuer,
// with the key's fragment under it, since verifiers require a list's
// issuer to be its credentials'.
func TestStatusPublishDIDWeb(t *testing.T) {
	e := newStatusEnv(t)
	e.issue("cred.json", "--did-web", "example.edu")
	code, out, errOut := runKeys(t, "", "status", "publish", "--store", e.store, "--keyring", e.ring, "--key", "registrar", "--out", e.lists)
	if code != exitOK {
		t.Fatalf("status publish after issue --did-web: exit %d\n%s%s", code, out, errOut)
	}
	var list map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join(e.lists, "revocation-1")), &list); err != nil {
		t.Fatal(err)
	}
	if list["issuer"] != "did:web:example.edu" {
		t.Errorf("list issuer %v, want did:web:example.edu", list["issuer"])
	}
	ring, err := keys.OpenRing(e.ring)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := ring.Get("registrar")
	if err != nil {
		t.Fatal(err)
	}
	res, err := proof.Verify(context.Background(), list, proof.VerifyOptions{Keys: ringKey{entry.KeyPair.Public}})
	if err != nil {
		t.Fatalf("list proof: %v", err)
	}
	if vm := res.VerificationMethod; vm != "did:web:example.edu#registrar" {
		t.Errorf("list signed by %s, want did:web:example.edu#registrar", vm)
	}
	if !strings.Contains(out, "revocation-1") {
		t.Errorf("publish printed %q, want the list's path", out)
	}
}

package issuer_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
)

// TestSignerFormatByKeyType: with no format a signer takes the default
// suite of its key type, and a suite the key cannot sign is refused when
// the signer is built, before any request, not when Issue signs.
func TestSignerFormatByKeyType(t *testing.T) {
	tests := []struct {
		name   string
		kt     keys.Type
		format issuer.Format
		want   issuer.Format // "" means refused
	}{
		{"Ed25519 default", keys.Ed25519, "", issuer.EddsaRdfc2022},
		{"P-256 default", keys.P256, "", issuer.EcdsaRdfc2019},
		{"RSA default", keys.RSA2048, "", ""},
		{"Ed25519 jcs", keys.Ed25519, issuer.EddsaJcs2022, issuer.EddsaJcs2022},
		{"P-256 with an EdDSA suite", keys.P256, issuer.EddsaRdfc2022, ""},
		{"Ed25519 with ECDSA", keys.Ed25519, issuer.EcdsaRdfc2019, ""},
		{"RSA with a suite", keys.RSA2048, issuer.Ed25519Signature2020, ""},
		{"RSA JWT", keys.RSA2048, issuer.VCJWT, issuer.VCJWT},
		{"P-256 JOSE", keys.P256, issuer.JOSE, issuer.JOSE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := keys.Generate(tt.kt, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := issuer.NewSigner(kp.Private, issuer.SignerOptions{Format: tt.format})
			if tt.want == "" {
				var km *issuer.KeyMismatchError
				if !errors.As(err, &km) || !errors.Is(err, issuer.ErrInvalidInput) || km.Key != tt.kt {
					t.Fatalf("err = %v, want a KeyMismatchError for %s", err, tt.kt)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Format() != tt.want {
				t.Fatalf("format %s, want %s", s.Format(), tt.want)
			}
			is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "X"}, Signer: s, Now: func() time.Time { return clock }})
			if err != nil {
				t.Fatal(err)
			}
			cred, err := is.Issue(context.Background(), issuer.Request{Achievement: readJSON(t, "achievement.json"), Subject: readJSON(t, "subject.json")})
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			if cred.Format != tt.want {
				t.Errorf("credential format %s, want %s", cred.Format, tt.want)
			}
			if tt.want.IsJWT() {
				return
			}
			res, err := proof.Verify(context.Background(), cred.Document, proof.VerifyOptions{Keys: staticKey{kp.Public}, Now: func() time.Time { return clock }})
			if err != nil || res.Suite != proof.Suite(tt.want) {
				t.Errorf("proof %+v, %v; want suite %s", res, err, tt.want)
			}
		})
	}
}

// TestNewRefusesInactiveKey: a retired keyring key, or an older key an
// interrupted rotation left active, never signs a credential; New says
// which key to use. It may still sign its issuer's status lists.
func TestNewRefusesInactiveKey(t *testing.T) {
	ring, err := keys.OpenRing(filepath.Join(t.TempDir(), "keys"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Generate("reg", keys.Ed25519); err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Rotate("reg", ""); err != nil {
		t.Fatal(err)
	}
	active, err := ring.Active("reg")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, key string
		web       string
		listsOnly bool
		wantErr   string // "" means accepted
	}{
		{"retired", "reg", "", false, "key reg is retired; the active key of issuer reg is " + active.Name},
		{"retired as did:web", "reg", "example.edu", false, "key reg is retired; the active key of issuer reg is " + active.Name},
		{"active", active.Name, "", false, ""},
		{"retired signing lists only", "reg", "", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := issuer.RingSigner(ring, tt.key, issuer.RingOptions{Web: tt.web})
			if err != nil {
				t.Fatal(err)
			}
			is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "X"}, Signer: s, ListsOnly: tt.listsOnly})
			if tt.wantErr != "" {
				var ie *issuer.InactiveKeyError
				if !errors.As(err, &ie) || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = is.Issue(context.Background(), issuer.Request{Achievement: readJSON(t, "achievement.json"), Subject: readJSON(t, "subject.json")})
			if tt.listsOnly != errors.Is(err, issuer.ErrListsOnly) || (!tt.listsOnly && err != nil) {
				t.Errorf("Issue: %v (lists only: %v)", err, tt.listsOnly)
			}
		})
	}
}

// TestPublishAsRecordedWebIdentity: credentials issued as a did:web DID
// get status lists signed as that DID, with the key of the same group
// (here after a rotation), by a publisher that learns the identity from
// the store; a list is never signed as an issuer it was not given.
func TestPublishAsRecordedWebIdentity(t *testing.T) {
	ctx := context.Background()
	ring, err := keys.OpenRing(filepath.Join(t.TempDir(), "keys"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Generate("reg", keys.Ed25519); err != nil {
		t.Fatal(err)
	}
	web, err := issuer.RingSigner(ring, "reg", issuer.RingOptions{Web: "example.edu"})
	if err != nil {
		t.Fatal(err)
	}
	f := newStatusIssuer(t, nil, func(c *issuer.Config) { c.Signer = web })
	f.issue(t)
	newKey, err := ring.Rotate("reg", "")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := issuer.RingSigner(ring, newKey.Name, issuer.RingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	// Without the identity: refused, as before.
	bare, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "X"}, Signer: pub, Store: f.db})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.Publish(ctx, dir); !errors.Is(err, issuer.ErrInvalidInput) {
		t.Fatalf("publishing a did:web issuer's lists as a did:key: err = %v, want ErrInvalidInput", err)
	}

	ids, err := issuer.RecordedIdentities(ctx, f.db, pub)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != "did:web:example.edu" {
		t.Fatalf("recorded identities %v, want [did:web:example.edu]", ids)
	}
	is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "X"}, Signer: pub, Store: f.db, Identities: ids})
	if err != nil {
		t.Fatal(err)
	}
	lists, err := is.Publish(ctx, dir)
	if err != nil || len(lists) != 1 {
		t.Fatalf("publish: %v, %v", lists, err)
	}
	data, err := os.ReadFile(lists[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	var list map[string]any
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	res, err := proof.Verify(ctx, list, proof.VerifyOptions{Keys: staticKey{newKey.KeyPair.Public}})
	if err != nil {
		t.Fatal(err)
	}
	if list["issuer"] != "did:web:example.edu" || res.VerificationMethod != "did:web:example.edu#"+newKey.Fragment {
		t.Errorf("list issuer %v signed by %s, want did:web:example.edu#%s", list["issuer"], res.VerificationMethod, newKey.Fragment)
	}
}

// TestPublishRefusesListOfTwoIssuers: a list holding credentials issued
// as a did:key and as a did:web DID has no one issuer to be signed as.
func TestPublishRefusesListOfTwoIssuers(t *testing.T) {
	ctx := context.Background()
	ring, err := keys.OpenRing(filepath.Join(t.TempDir(), "keys"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Generate("reg", keys.Ed25519); err != nil {
		t.Fatal(err)
	}
	web, err := issuer.RingSigner(ring, "reg", issuer.RingOptions{Web: "example.edu"})
	if err != nil {
		t.Fatal(err)
	}
	own, err := issuer.RingSigner(ring, "reg", issuer.RingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := newStatusIssuer(t, nil, func(c *issuer.Config) { c.Signer = web })
	f.issue(t)
	g := newStatusIssuer(t, f.db, func(c *issuer.Config) { c.Signer = own })
	g.issue(t)
	ids, err := issuer.RecordedIdentities(ctx, f.db, own)
	if err != nil {
		t.Fatal(err)
	}
	is, err := issuer.New(issuer.Config{Profile: map[string]any{"name": "X"}, Signer: own, Store: f.db, Identities: ids})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := is.Publish(ctx, t.TempDir()); !errors.Is(err, issuer.ErrInvalidInput) || !strings.Contains(err.Error(), "two issuers") {
		t.Fatalf("err = %v, want ErrInvalidInput naming two issuers", err)
	}
}

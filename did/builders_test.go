package did_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
)

func TestNewDocument(t *testing.T) {
	const id = "did:web:example.com"
	pub := obKey(t).Public()
	vm1, err := did.MultikeyMethod(id, "key-1", pub)
	if err != nil {
		t.Fatal(err)
	}
	vm2, err := did.MultikeyMethod(id, "key-2", pub)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := did.NewDocument(id, []did.VerificationMethod{vm1, vm2})
	if err != nil {
		t.Fatal(err)
	}
	for _, vm := range []string{id + "#key-1", id + "#key-2"} {
		if _, _, err := doc.AssertionKey(vm); err != nil {
			t.Errorf("AssertionKey(%s): %v", vm, err)
		}
		if _, _, err := doc.Key(vm, did.Authentication); err != nil {
			t.Errorf("Key(%s, authentication): %v", vm, err)
		}
	}
	if _, err := did.MultikeyMethod(id, "a#b", pub); !errors.Is(err, did.ErrInvalidMethod) {
		t.Errorf("fragment with '#': %v", err)
	}
	other, _ := did.MultikeyMethod("did:web:other.example.com", "key-1", pub)
	if _, err := did.NewDocument(id, []did.VerificationMethod{other}); !errors.Is(err, did.ErrInvalidMethod) {
		t.Errorf("foreign method: %v", err)
	}
	if _, err := did.NewDocument(id, []did.VerificationMethod{vm1, vm1}); !errors.Is(err, did.ErrInvalidDocument) {
		t.Errorf("duplicate method: %v", err)
	}
	if _, err := did.NewDocument(id, nil); !errors.Is(err, did.ErrInvalidDocument) {
		t.Errorf("no methods: %v", err)
	}
}

// TestJWKMethod builds a JsonWebKey method for each key type, publishes it
// in a document, reads the document back as a resolver would and finds the
// same key under assertionMethod.
func TestJWKMethod(t *testing.T) {
	const id = "did:web:example.com"
	tests := []struct {
		typ keys.Type
		kty string
	}{
		{keys.Ed25519, "OKP"},
		{keys.P256, "EC"},
		{keys.RSA2048, "RSA"},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			kp, err := keys.Generate(tt.typ, nil)
			if err != nil {
				t.Fatal(err)
			}
			vm, err := did.JWKMethod(id, "key-1", kp.Public)
			if err != nil {
				t.Fatalf("JWKMethod: %v", err)
			}
			if vm.ID != id+"#key-1" || vm.Controller != id || vm.Type != did.TypeJsonWebKey || vm.PublicKeyMultibase != "" {
				t.Errorf("method = %+v", vm)
			}
			if vm.PublicKeyJwk["kty"] != tt.kty {
				t.Errorf("publicKeyJwk kty = %v, want %s", vm.PublicKeyJwk["kty"], tt.kty)
			}
			if _, ok := vm.PublicKeyJwk["d"]; ok {
				t.Error("publicKeyJwk carries the private member d")
			}
			doc, err := did.NewDocument(id, []did.VerificationMethod{vm})
			if err != nil {
				t.Fatalf("NewDocument: %v", err)
			}
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			read, err := did.ParseDocument(data)
			if err != nil {
				t.Fatalf("ParseDocument: %v", err)
			}
			_, pub, err := read.AssertionKey(vm.ID)
			if err != nil {
				t.Fatalf("AssertionKey: %v", err)
			}
			if !pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(kp.Public) {
				t.Error("the published method names another key")
			}
		})
	}
	kp, err := keys.Generate(keys.P256, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{"", "a#b", "a/b", "a?b"} {
		if _, err := did.JWKMethod(id, frag, kp.Public); !errors.Is(err, did.ErrInvalidMethod) {
			t.Errorf("fragment %q: error = %v, want ErrInvalidMethod", frag, err)
		}
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := did.JWKMethod(id, "key-1", &p384.PublicKey); !errors.Is(err, keys.ErrUnsupportedKey) {
		t.Errorf("P-384 key: error = %v, want keys.ErrUnsupportedKey", err)
	}
}

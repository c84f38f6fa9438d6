package keys_test

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"strings"

	"github.com/badgesmith/badgesmith/keys"
)

// Example keeps an issuer's keys in a keyring and rotates them: the new
// key signs from now on, and the old one, retired, stays for verifiers.
func Example() {
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
	first, err := ring.Generate("registrar", keys.Ed25519)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(first.Name, first.Status, strings.HasPrefix(first.DID(), "did:key:z6Mk"))
	next, err := ring.Rotate("registrar", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	active, err := ring.Active("registrar")
	if err != nil {
		fmt.Println(err)
		return
	}
	old, err := ring.Get("registrar")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(active.Name == next.Name, old.Status)
	// Output:
	// registrar active true
	// true retired
}

// ExampleEncodePublicMultikey encodes a public key as a Multikey, the form
// did:key DIDs and Multikey verification methods carry, and decodes it.
func ExampleEncodePublicMultikey() {
	pub := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public()
	mk, err := keys.EncodePublicMultikey(pub)
	if err != nil {
		fmt.Println(err)
		return
	}
	back, err := keys.DecodePublicMultikey(mk)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(mk, back.(ed25519.PublicKey).Equal(pub))
	// Output: z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp true
}

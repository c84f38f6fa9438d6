package bake_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/badgesmith/badgesmith/bake"
)

// Example bakes a credential into a PNG badge and reads it back, the way a
// displayer would before verifying it.
func Example() {
	img, err := os.ReadFile(filepath.Join("testdata", "badge.png"))
	if err != nil {
		fmt.Println(err)
		return
	}
	cred := []byte(`{"type":["VerifiableCredential","OpenBadgeCredential"]}`)
	baked, err := bake.PNG(img, cred)
	if err != nil {
		fmt.Println(err)
		return
	}
	got, format, err := bake.Extract(baked)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(format, string(got))
	// Output: png {"type":["VerifiableCredential","OpenBadgeCredential"]}
}

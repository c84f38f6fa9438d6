package contexts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Lookup returns the manifest entry of the bundled context that url (or,
// fragment aside, its document) names, and the hex SHA-256 of the copy
// embedded in the binary, computed now from the embedded bytes: a caller
// compares it with Info.SHA256, the hash the manifest records. ok is false
// for a URL that is not bundled. Nothing is fetched.
func (l *Loader) Lookup(url string) (info Info, embedded string, ok bool, err error) {
	if i := strings.IndexByte(url, '#'); i >= 0 {
		url = url[:i]
	}
	for _, in := range l.infos {
		if in.URL != url && !contains(in.Aliases, url) {
			continue
		}
		b, err := files.ReadFile("ld/" + in.File)
		if err != nil {
			return in, "", true, fmt.Errorf("reading context %s: %w", in.URL, err)
		}
		sum := sha256.Sum256(b)
		return in, hex.EncodeToString(sum[:]), true, nil
	}
	return Info{}, "", false, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

package ob3

import (
	"crypto/md5" //nolint:gosec // G501: OB 2.0 hashed identities may use md5; compared only, see below
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// IdentityHash returns the OB 3.0 hashed identity of identifier with salt:
// "sha256$" followed by the lower-case hex SHA-256 of identifier+salt.
func IdentityHash(identifier, salt string) string {
	sum := sha256.Sum256([]byte(identifier + salt))
	return "sha256$" + hex.EncodeToString(sum[:])
}

// NewSalt returns a random 128-bit salt in hex, read from r. If r is nil,
// crypto/rand is used.
func NewSalt(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("reading salt: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// NewIdentityObject returns a hashed emailAddress IdentityObject for email,
// with a fresh salt read from r (nil means crypto/rand). An address
// CheckEmail refuses is an error wrapping ErrInvalidEmail.
func NewIdentityObject(email string, r io.Reader) (IdentityObject, error) {
	if err := CheckEmail(email); err != nil {
		return IdentityObject{}, fmt.Errorf("email %q: %w", email, err)
	}
	salt, err := NewSalt(r)
	if err != nil {
		return IdentityObject{}, err
	}
	return IdentityObject{
		Type:         "IdentityObject",
		Hashed:       true,
		IdentityHash: IdentityHash(email, salt),
		IdentityType: IdentityTypeEmailAddress,
		Salt:         salt,
	}, nil
}

// Matches reports whether the identity object names identifier: by hash
// (sha256$ or md5$, with the object's salt) when Hashed, otherwise by plain
// comparison. Surrounding white space in identifier is ignored.
func (o IdentityObject) Matches(identifier string) bool {
	identifier = strings.TrimSpace(identifier)
	if !o.Hashed {
		return o.IdentityHash == identifier
	}
	alg, want, ok := strings.Cut(o.IdentityHash, "$")
	if !ok {
		return false
	}
	var got []byte
	switch strings.ToLower(alg) {
	case "sha256":
		s := sha256.Sum256([]byte(identifier + o.Salt))
		got = s[:]
	case "md5":
		// md5 is what some OB 2.0-era issuers still produce; it is only
		// compared, never generated.
		s := md5.Sum([]byte(identifier + o.Salt)) //nolint:gosec // G401: matching an existing md5 identity hash, not protecting anything new
		got = s[:]
	default:
		return false
	}
	return strings.EqualFold(hex.EncodeToString(got), want)
}

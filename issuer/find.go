package issuer

import (
	"strings"

	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/store"
)

// RecipientMatches reports whether the record was issued to the email
// address: its Recipient is the address's identity hash under the
// record's RecipientSalt, or, issued in the clear, the address itself.
// The address is compared as given (trimmed) and in lower case, since the
// hash is of the address as the roster spelt it. A record issued before
// salts were kept with every record has no salt and never matches a
// hashed address.
func RecipientMatches(r *store.Record, email string) bool {
	email = strings.TrimSpace(email)
	if email == "" {
		return false
	}
	for _, e := range []string{email, strings.ToLower(email)} {
		if r.RecipientSalt != "" {
			if ob3.IdentityHash(e, r.RecipientSalt) == r.Recipient {
				return true
			}
		} else if r.Recipient == e {
			return true
		}
	}
	return false
}

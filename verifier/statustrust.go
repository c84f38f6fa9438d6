package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/badgesmith/badgesmith/internal/verdict"
)

// StatusListTrust says whose status lists the built-in status checker
// believes for which credential issuers.
//
// Bitstring Status List 1.0 lets a credential's issuer name a status list
// issued by someone else (a hosting service, a parent organisation), and
// says a verifier must then trust both parties: the list's issuer decides
// whether the credential stands. Trusting the list's signature proves only
// who signed it, not that they may speak for the credential's issuer, so
// badgesmith believes another party's list only when the operator says so.
//
// Whatever the configuration, a list's own proof is verified and its key
// bound to the list's issuer (its controller document must say so), and
// the list is judged again for every credential: trust belongs to the pair
// (credential issuer, list issuer), never to a cached list.
//
// A list from an issuer that is not trusted for the credential can only
// make things worse: a set revocation or suspension bit fails the
// credential (naming who signed the list), since the credential's issuer
// chose that list; a clear bit leaves the status unknown
// (ErrUntrustedStatusList), since the signer cannot vouch for the
// credential. Refresh and message entries, which never decide validity,
// are reported as ignored.
//
// The zero value trusts only lists signed by the credential's own issuer.
type StatusListTrust struct {
	// Trusted maps a credential issuer id to the ids of the list issuers
	// whose lists are used for that issuer's credentials as if it had
	// signed them. Ids are compared byte for byte; none may be empty or
	// hold white space or control characters. If nil, none.
	Trusted map[string][]string
	// AnyIssuer, when true, uses a list from any issuer whose own proof
	// verifies with a key bound to it: the reference verifiers' behaviour,
	// which lets whoever controls the list's URL speak for the credential.
	// An opt-in for operators who trust every list host their credentials
	// name.
	AnyIssuer bool
}

// ErrStatusListTrust reports a StatusListTrust, or a status list trust
// file, that is not usable.
var ErrStatusListTrust = errors.New("invalid status list trust")

// ErrUntrustedStatusList is the cause of a status that could not be
// checked because the list that says the credential stands is signed by
// an issuer not trusted for the credential's issuer (see StatusListTrust).
var ErrUntrustedStatusList = verdict.NewInconclusive("status list issuer not trusted")

// MaxStatusListTrustSize bounds the file ParseStatusListTrust reads.
const MaxStatusListTrustSize = 1 << 20

// trustTable is a validated StatusListTrust, copied so the caller's map
// may change after New.
type trustTable struct {
	any bool
	// pairs maps a credential issuer to the list issuers trusted for it.
	pairs map[string]map[string]bool
}

// newTrustTable validates t for New.
func newTrustTable(t StatusListTrust) (trustTable, error) {
	tt := trustTable{any: t.AnyIssuer, pairs: make(map[string]map[string]bool, len(t.Trusted))}
	// In key order, so the same configuration always names the same fault.
	for _, cred := range slices.Sorted(maps.Keys(t.Trusted)) {
		lists := t.Trusted[cred]
		at := fmt.Sprintf("StatusListTrust.Trusted[%q]", cred)
		if err := checkTrustID(cred); err != nil {
			return trustTable{}, fmt.Errorf("%s: credential issuer %w", at, err)
		}
		if len(lists) == 0 {
			return trustTable{}, fmt.Errorf("%s: names no list issuer: %w", at, ErrStatusListTrust)
		}
		set := make(map[string]bool, len(lists))
		for i, l := range lists {
			if err := checkTrustID(l); err != nil {
				return trustTable{}, fmt.Errorf("%s[%d]: list issuer %w", at, i, err)
			}
			set[l] = true
		}
		tt.pairs[cred] = set
	}
	return tt, nil
}

// checkTrustID refuses an id that cannot be an issuer's: empty, or holding
// white space or control characters (a mistyped "A = B" on a command line
// would otherwise trust nobody, silently).
func checkTrustID(id string) error {
	if id == "" {
		return fmt.Errorf("id is empty: %w", ErrStatusListTrust)
	}
	if i := strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		return fmt.Errorf("id %q holds white space or a control character at byte %d: %w", id, i, ErrStatusListTrust)
	}
	return nil
}

// listTrust is how a list's issuer stands for one credential.
type listTrust struct {
	// trusted is true when the list is used as the credential issuer's.
	trusted bool
	// same is true when the list's issuer is the credential's.
	same bool
	// how says why, for reasons and --explain.
	how string
}

// decide judges a list issued by listIss for a credential issued by
// credIss.
func (tt trustTable) decide(credIss, listIss string) listTrust {
	switch {
	case listIss != "" && listIss == credIss:
		return listTrust{trusted: true, same: true, how: "the credential's issuer"}
	case tt.pairs[credIss][listIss]:
		return listTrust{trusted: true, how: fmt.Sprintf("trusted for the credential's issuer %s by the status list trust configuration", credIss)}
	case tt.any:
		return listTrust{trusted: true, how: fmt.Sprintf("not the credential's issuer %s; accepted because any list issuer is (StatusListTrust.AnyIssuer)", credIss)}
	}
	return listTrust{how: fmt.Sprintf("not the credential's issuer %s, and not trusted for it", credIss)}
}

// ParseStatusListTrust reads a status list trust file: a JSON object
// mapping each credential issuer id to an array of the list issuer ids
// trusted for it, at most MaxStatusListTrustSize bytes:
//
//	{"did:web:school.example": ["did:web:status.example"]}
//
// A key given twice, an empty array, a non-string item, an empty id and
// trailing data are refused. Errors wrap ErrStatusListTrust and name the
// JSON path.
func ParseStatusListTrust(data []byte) (StatusListTrust, error) {
	fail := func(format string, args ...any) (StatusListTrust, error) {
		return StatusListTrust{}, fmt.Errorf("status list trust: "+format+": %w", append(args, ErrStatusListTrust)...)
	}
	if len(data) > MaxStatusListTrustSize {
		return fail("%d bytes, more than %d", len(data), MaxStatusListTrustSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fail("$: want a JSON object of credential issuer ids")
	}
	trusted := map[string][]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail("$: %v", err)
		}
		cred, _ := tok.(string)
		at := fmt.Sprintf("$[%q]", cred)
		if _, dup := trusted[cred]; dup {
			return fail("%s: given twice", at)
		}
		if err := checkTrustID(cred); err != nil {
			return StatusListTrust{}, fmt.Errorf("status list trust: %s: credential issuer %w", at, err)
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return fail("%s: want an array of list issuer ids", at)
		}
		lists := []string{}
		for dec.More() {
			tok, err := dec.Token()
			s, ok := tok.(string)
			if err != nil || !ok {
				return fail("%s[%d]: want a list issuer id (a string)", at, len(lists))
			}
			if err := checkTrustID(s); err != nil {
				return StatusListTrust{}, fmt.Errorf("status list trust: %s[%d]: list issuer %w", at, len(lists), err)
			}
			lists = append(lists, s)
		}
		if _, err := dec.Token(); err != nil {
			return fail("%s: %v", at, err)
		}
		if len(lists) == 0 {
			return fail("%s: names no list issuer", at)
		}
		trusted[cred] = lists
	}
	if _, err := dec.Token(); err != nil {
		return fail("$: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fail("data after the JSON object")
	}
	return StatusListTrust{Trusted: trusted}, nil
}

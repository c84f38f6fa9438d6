package issuer

import (
	"encoding/json"
	"maps"
	"sync/atomic"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/ob3"
)

// rowChecker builds a batch's credentials with Build's checks, checking
// the parts every row shares once rather than once per row.
//
// A batch's credentials share the issuer profile (always the Issuer's)
// and, usually, the achievement: together about half of a credential,
// and so of the cost of the data model and schema checks (decoding,
// walking, the schema). Those checks are local: whether a value is
// accepted at a path depends on that value and its path only. The JSON
// Schema's one choice between alternatives (anyOf: an issuer is a URL or
// a Profile) passes for any valid Profile, and the data model's rules
// look at one object and its children. Two things are not local, and are
// checked for the whole credential here: the document's size limit
// (computed exactly from the parts' sizes) and the results, checked
// against the real achievement's result descriptions. So a row's
// credential is valid when its achievement equals one that was checked,
// in a whole credential at the same path, and the credential with the
// issuer and the achievement replaced by small valid stand-ins passes
// every check. A row that does not pass that way (another achievement, a
// bad row) is checked as a whole, exactly as Build checks it, so its
// error, with its field path, is Build's.
type rowChecker struct {
	is *Issuer
	// standIns are the stand-in issuer profile and achievement, and
	// standInSize the compact size of both.
	profile0, achievement0 map[string]any
	standInSize            int
	// profileSize is the compact size of the issuer profile.
	profileSize int
	// shared is the achievement checked in a whole credential, once one
	// has been.
	shared atomic.Pointer[sharedAchievement]
	// byParts counts the credentials checked by their own parts, for
	// tests.
	byParts atomic.Int64
}

// sharedAchievement is an achievement checked in a whole credential.
type sharedAchievement struct {
	// value is a private copy of it.
	value map[string]any
	// typed is its typed view, for the results check.
	typed *ob3.Achievement
	// size is its compact JSON size.
	size int
}

func newRowChecker(is *Issuer) (*rowChecker, error) {
	rc := &rowChecker{
		is: is,
		// A Profile and an Achievement with the properties the data
		// model and the schema require, and nothing else.
		profile0: map[string]any{"id": is.profile["id"], "type": []any{"Profile"}},
		achievement0: map[string]any{
			"id":          "urn:uuid:00000000-0000-4000-8000-000000000000",
			"type":        []any{"Achievement"},
			"name":        "a",
			"description": "a",
			"criteria":    map[string]any{"narrative": "a"},
		},
	}
	for _, v := range []any{rc.profile0, rc.achievement0} {
		b, err := jsonvalue.Marshal(v)
		if err != nil {
			return nil, err
		}
		rc.standInSize += len(b)
	}
	b, err := jsonvalue.Marshal(is.profile)
	if err != nil {
		return nil, err
	}
	rc.profileSize = len(b)
	return rc, nil
}

// build is Issuer.Build (with a new random salt).
func (rc *rowChecker) build(req Request) (map[string]any, error) {
	cred, err := rc.is.assemble(req, "")
	if err != nil {
		return nil, err
	}
	if sa := rc.shared.Load(); sa != nil && rc.validByParts(cred, sa) {
		rc.byParts.Add(1)
		return cred, nil
	}
	raw, err := jsonvalue.Marshal(cred)
	if err != nil {
		return nil, err
	}
	doc, err := validateModel(raw)
	if err != nil {
		return nil, err
	}
	if err := checkResults(doc.Credential); err != nil {
		return nil, err
	}
	if rc.shared.Load() == nil {
		rc.share(cred, doc)
	}
	return cred, nil
}

// share keeps cred's achievement, just checked in cred, for the rows
// after it.
func (rc *rowChecker) share(cred map[string]any, doc *ob3.Document) {
	subject, _ := cred["credentialSubject"].(map[string]any)
	ach, _ := subject["achievement"].(map[string]any)
	s := doc.Credential.CredentialSubject
	if ach == nil || s == nil || s.Achievement == nil || s.Achievement.Achievement == nil {
		return
	}
	b, err := jsonvalue.Marshal(ach)
	if err != nil {
		return
	}
	rc.shared.CompareAndSwap(nil, &sharedAchievement{value: jsonvalue.CloneObject(ach), typed: s.Achievement.Achievement, size: len(b)})
}

// validByParts reports whether cred, which has sa's achievement, passes
// validate judged by its own parts (see rowChecker). False is no verdict:
// the caller checks the whole credential.
func (rc *rowChecker) validByParts(cred map[string]any, sa *sharedAchievement) bool {
	subject, _ := cred["credentialSubject"].(map[string]any)
	ach, _ := subject["achievement"].(map[string]any)
	if ach == nil || !jsonEqual(ach, sa.value) {
		return false
	}
	parts := maps.Clone(cred)
	partSubject := maps.Clone(subject)
	partSubject["achievement"] = rc.achievement0
	parts["credentialSubject"] = partSubject
	parts["issuer"] = rc.profile0
	raw, err := jsonvalue.Marshal(parts)
	if err != nil {
		return false
	}
	// The whole credential's size, which ParseDocument limits.
	if len(raw)-rc.standInSize+rc.profileSize+sa.size > ob3.DefaultMaxSize {
		return false
	}
	doc, err := validateModel(raw)
	if err != nil {
		return false
	}
	s := doc.Credential.CredentialSubject
	if s == nil || s.Achievement == nil {
		return false
	}
	s.Achievement.Achievement = sa.typed
	return checkResults(doc.Credential) == nil
}

// jsonEqual reports whether a and b are the same JSON value of the types
// encoding/json decodes into an any; a value of another type is unequal
// to everything.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case float64:
		b, ok := b.(float64)
		return ok && a == b
	case json.Number:
		b, ok := b.(json.Number)
		return ok && a == b
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) || (a == nil) != (b == nil) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !jsonEqual(av, bv) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) || (a == nil) != (b == nil) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	return false
}

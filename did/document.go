package did

import (
	"bytes"
	"crypto"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/keys"
)

// Context URLs of a did:key document.
const (
	ContextDIDv1      = "https://www.w3.org/ns/did/v1"
	ContextMultikeyV1 = "https://w3id.org/security/multikey/v1"
)

// Verification method types this package decodes: Multikey and
// Ed25519VerificationKey2020 carry publicKeyMultibase, JsonWebKey2020 and
// JsonWebKey (Controlled Identifiers 1.0) publicKeyJwk.
const (
	TypeMultikey                   = "Multikey"
	TypeEd25519VerificationKey2020 = "Ed25519VerificationKey2020"
	TypeJsonWebKey2020             = "JsonWebKey2020"
	TypeJsonWebKey                 = "JsonWebKey"
)

// Verification relationships (DID Core 1.0 section 5.3), which double as
// Data Integrity proof purposes.
const (
	Authentication       = "authentication"
	AssertionMethod      = "assertionMethod"
	CapabilityInvocation = "capabilityInvocation"
	CapabilityDelegation = "capabilityDelegation"
	KeyAgreement         = "keyAgreement"
)

// MaxDocumentSize bounds the DID documents ParseDocument accepts.
const MaxDocumentSize = 256 << 10

// Document is a DID document (DID Core 1.0, W3C Controlled Identifiers 1.0).
// Entries of the relationship lists are either strings (references to a
// verification method, absolute or "#fragment") or embedded verification
// methods (map[string]any as decoded by encoding/json, or
// VerificationMethod). Properties badgesmith does not use (service,
// keyAgreement, alsoKnownAs, ...) are dropped on decoding.
type Document struct {
	Context              []any                `json:"@context"`
	ID                   string               `json:"id"`
	VerificationMethod   []VerificationMethod `json:"verificationMethod,omitempty"`
	Authentication       []any                `json:"authentication,omitempty"`
	AssertionMethod      []any                `json:"assertionMethod,omitempty"`
	CapabilityInvocation []any                `json:"capabilityInvocation,omitempty"`
	CapabilityDelegation []any                `json:"capabilityDelegation,omitempty"`
	KeyAgreement         []any                `json:"keyAgreement,omitempty"`

	// rawMethods are the verificationMethod entries as decoded JSON
	// objects, index for index, when the document was decoded from JSON:
	// duplicates are compared whole, members VerificationMethod drops
	// included.
	rawMethods []map[string]any
}

// VerificationMethod is a verification method: a public key and who
// controls it.
type VerificationMethod struct {
	ID                 string         `json:"id"`
	Type               string         `json:"type"`
	Controller         string         `json:"controller"`
	PublicKeyMultibase string         `json:"publicKeyMultibase,omitempty"`
	PublicKeyJwk       map[string]any `json:"publicKeyJwk,omitempty"`
	// Expires, if set, is the XML Schema dateTimeStamp after which the
	// method must not be used (Controlled Identifiers 1.0 section 2.2).
	Expires string `json:"expires,omitempty"`
	// Revoked, if set, is the XML Schema dateTimeStamp from which the
	// method must not be used (Controlled Identifiers 1.0 section 2.2).
	Revoked string `json:"revoked,omitempty"`
}

// UnmarshalJSON decodes a document, accepting a single string as @context.
func (d *Document) UnmarshalJSON(data []byte) error {
	type plain Document
	var aux struct {
		plain
		Context json.RawMessage `json:"@context"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	*d = Document(aux.plain)
	d.Context = nil
	var raw struct {
		VerificationMethod []map[string]any `json:"verificationMethod"`
	}
	if json.Unmarshal(data, &raw) == nil && len(raw.VerificationMethod) == len(d.VerificationMethod) {
		d.rawMethods = raw.VerificationMethod
	}
	ctx := bytes.TrimSpace(aux.Context)
	switch {
	case len(ctx) == 0 || bytes.Equal(ctx, []byte("null")):
	case ctx[0] == '[':
		if err := json.Unmarshal(ctx, &d.Context); err != nil {
			return fmt.Errorf("@context: %w", err)
		}
	default:
		var one any
		if err := json.Unmarshal(ctx, &one); err != nil {
			return fmt.Errorf("@context: %w", err)
		}
		d.Context = []any{one}
	}
	return nil
}

// ParseDocument decodes a DID document of at most MaxDocumentSize bytes.
// It returns an error wrapping ErrInvalidDocument if data is not a JSON
// object of the expected shape or has no id.
func ParseDocument(data []byte) (*Document, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("DID document of %d bytes, more than %d: %w", len(data), MaxDocumentSize, ErrInvalidDocument)
	}
	var d Document
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("DID document: %w: %w", ErrInvalidDocument, err)
	}
	if d.ID == "" {
		return nil, fmt.Errorf("DID document: id: missing: %w", ErrInvalidDocument)
	}
	return &d, nil
}

// KeyDocument returns the DID document of a did:key DID (Ed25519 z6Mk... or
// P-256 zDn...), built offline: one Multikey verification method,
// DID#<multikey>, controlled by the DID and listed under authentication,
// assertionMethod, capabilityInvocation and capabilityDelegation.
func KeyDocument(did string) (*Document, error) {
	pub, err := ParseKey(did)
	if err != nil {
		return nil, err
	}
	mk, err := keys.EncodePublicMultikey(pub)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", quote(did), err)
	}
	vmID := did + "#" + mk
	return &Document{
		Context: []any{ContextDIDv1, ContextMultikeyV1},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID:                 vmID,
			Type:               TypeMultikey,
			Controller:         did,
			PublicKeyMultibase: mk,
		}},
		Authentication:       []any{vmID},
		AssertionMethod:      []any{vmID},
		CapabilityInvocation: []any{vmID},
		CapabilityDelegation: []any{vmID},
	}, nil
}

// AssertionKey is AssertionKeyAt at time.Now.
func (d *Document) AssertionKey(vmID string) (*VerificationMethod, crypto.PublicKey, error) {
	return d.KeyAt(vmID, AssertionMethod, time.Now())
}

// AssertionKeyAt returns the verification method vmID and its public key if
// the document authorizes it for assertionMethod, the relationship that
// credential proofs use, at time now. See KeyAt.
func (d *Document) AssertionKeyAt(vmID string, now time.Time) (*VerificationMethod, crypto.PublicKey, error) {
	return d.KeyAt(vmID, AssertionMethod, now)
}

// Key is KeyAt at time.Now.
func (d *Document) Key(vmID, relationship string) (*VerificationMethod, crypto.PublicKey, error) {
	return d.KeyAt(vmID, relationship, time.Now())
}

// KeyAt returns the verification method vmID and its public key, following
// Controlled Identifiers 1.0 section 3.3: vmID must be the document id plus
// a fragment, one method of the document must have exactly that id (a
// "#fragment" id stands for the document id plus it, nothing else is
// normalised), the method must be listed (by reference or embedded) under
// relationship, its controller must be the document id, and at now it must
// not be revoked (revoked at or before now) nor expired (expires at or
// before now). A method defined more than once (under verificationMethod
// or embedded in a relationship) is accepted only when every definition is
// the same JSON object, member for member, revoked and expires included
// (see Definitions); any difference is ErrInvalidDocument. Errors wrap
// ErrMethodNotFound, ErrNotAuthorized,
// ErrInvalidMethod, ErrMethodRevoked, ErrMethodExpired or
// ErrInvalidDocument and name vmID.
func (d *Document) KeyAt(vmID, relationship string, now time.Time) (*VerificationMethod, crypto.PublicKey, error) {
	rel, err := d.relationship(relationship)
	if err != nil {
		return nil, nil, err
	}
	base, frag, hasFrag := strings.Cut(vmID, "#")
	if !hasFrag || frag == "" || base != d.ID {
		return nil, nil, fmt.Errorf("verification method %s: not in document %s: %w", quote(vmID), quote(d.ID), ErrMethodNotFound)
	}
	all, raws, err := d.methods()
	if err != nil {
		return nil, nil, err
	}
	var found *VerificationMethod
	var foundRaw map[string]any
	for i := range all {
		if d.abs(all[i].ID) != vmID {
			continue
		}
		if found != nil {
			if !sameMethod(*found, foundRaw, all[i], raws[i]) {
				return nil, nil, fmt.Errorf("document %s: verification method %s defined twice, differently: %w", quote(d.ID), quote(vmID), ErrInvalidDocument)
			}
			continue
		}
		found, foundRaw = &all[i], raws[i]
	}
	if found == nil {
		return nil, nil, fmt.Errorf("verification method %s: not in document %s: %w", quote(vmID), quote(d.ID), ErrMethodNotFound)
	}
	if !d.lists(rel, vmID) {
		return nil, nil, fmt.Errorf("verification method %s: not listed under %s: %w", quote(vmID), relationship, ErrNotAuthorized)
	}
	if d.abs(found.Controller) != d.ID {
		return nil, nil, fmt.Errorf("verification method %s: controller %s is not the document id %s: %w",
			quote(vmID), quote(found.Controller), quote(d.ID), ErrInvalidMethod)
	}
	if err := found.usableAt(now); err != nil {
		return nil, nil, fmt.Errorf("verification method %s: %w", quote(vmID), err)
	}
	pub, err := found.PublicKey()
	if err != nil {
		return nil, nil, fmt.Errorf("verification method %s: %w", quote(vmID), err)
	}
	vm := *found
	vm.ID = vmID
	return &vm, pub, nil
}

// usableAt checks the method's revoked and expires times against now. A
// time that is not a dateTimeStamp makes the method unusable rather than
// ignored.
func (vm *VerificationMethod) usableAt(now time.Time) error {
	for _, f := range []struct {
		name, value string
		sentinel    error
	}{
		{"revoked", vm.Revoked, ErrMethodRevoked},
		{"expires", vm.Expires, ErrMethodExpired},
	} {
		if f.value == "" {
			continue
		}
		t, err := parseDateTimeStamp(f.value)
		if err != nil {
			return fmt.Errorf("%s: %w: %w", f.name, ErrInvalidMethod, err)
		}
		if !now.Before(t) {
			return fmt.Errorf("%s %s, at or before %s: %w", f.name, f.value, now.UTC().Format(time.RFC3339), f.sentinel)
		}
	}
	return nil
}

// parseDateTimeStamp parses an XML Schema dateTimeStamp: an RFC 3339 date
// and time whose time zone is required.
func parseDateTimeStamp(s string) (time.Time, error) {
	if len(s) > 64 {
		return time.Time{}, fmt.Errorf("date-time of %d bytes", len(s))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date-time with a time zone", s)
	}
	return t, nil
}

// PublicKey decodes the method's key. Multikey methods carry it in
// publicKeyMultibase (z6Mk... for Ed25519, zDn... for P-256),
// Ed25519VerificationKey2020 methods likewise but Ed25519 only, and
// JsonWebKey2020 and JsonWebKey methods in publicKeyJwk (Ed25519, P-256 or
// RSA; private members are refused). A method carrying both forms is
// refused as ambiguous. Errors wrap ErrInvalidMethod and, for a key type
// badgesmith does not handle, keys.ErrUnsupportedKey.
func (vm *VerificationMethod) PublicKey() (crypto.PublicKey, error) {
	switch vm.Type {
	case TypeMultikey, TypeEd25519VerificationKey2020:
		if vm.PublicKeyJwk != nil {
			return nil, fmt.Errorf("type %s: publicKeyJwk: not allowed beside publicKeyMultibase: %w", vm.Type, ErrInvalidMethod)
		}
		if vm.PublicKeyMultibase == "" {
			return nil, fmt.Errorf("publicKeyMultibase: missing: %w", ErrInvalidMethod)
		}
		pub, err := keys.DecodePublicMultikey(vm.PublicKeyMultibase)
		if err != nil {
			return nil, fmt.Errorf("publicKeyMultibase: %w: %w", ErrInvalidMethod, err)
		}
		if t, _ := keys.TypeOf(pub); vm.Type == TypeEd25519VerificationKey2020 && t != keys.Ed25519 {
			return nil, fmt.Errorf("type %s: publicKeyMultibase holds a %s key: %w: %w", vm.Type, t, ErrInvalidMethod, keys.ErrUnsupportedKey)
		}
		return pub, nil
	case TypeJsonWebKey2020, TypeJsonWebKey:
		if vm.PublicKeyMultibase != "" {
			return nil, fmt.Errorf("type %s: publicKeyMultibase: not allowed beside publicKeyJwk: %w", vm.Type, ErrInvalidMethod)
		}
		if vm.PublicKeyJwk == nil {
			return nil, fmt.Errorf("publicKeyJwk: missing: %w", ErrInvalidMethod)
		}
		data, err := json.Marshal(vm.PublicKeyJwk)
		if err != nil {
			return nil, fmt.Errorf("publicKeyJwk: %w: %w", ErrInvalidMethod, err)
		}
		k, err := keys.ParsePublicJWK(data)
		if err != nil {
			return nil, fmt.Errorf("publicKeyJwk: %w: %w", ErrInvalidMethod, err)
		}
		return k.Public, nil
	default:
		return nil, fmt.Errorf("type %q: %w: %w", vm.Type, ErrInvalidMethod, keys.ErrUnsupportedKey)
	}
}

func (d *Document) relationship(name string) ([]any, error) {
	switch name {
	case Authentication:
		return d.Authentication, nil
	case AssertionMethod:
		return d.AssertionMethod, nil
	case CapabilityInvocation:
		return d.CapabilityInvocation, nil
	case CapabilityDelegation:
		return d.CapabilityDelegation, nil
	case KeyAgreement:
		return d.KeyAgreement, nil
	default:
		return nil, fmt.Errorf("verification relationship %q: unknown", name)
	}
}

// abs resolves a "#fragment" reference against the document id.
func (d *Document) abs(ref string) string {
	if strings.HasPrefix(ref, "#") {
		return d.ID + ref
	}
	return ref
}

// lists reports whether rel names vmID, by reference or embedded.
func (d *Document) lists(rel []any, vmID string) bool {
	for _, e := range rel {
		switch v := e.(type) {
		case string:
			if d.abs(v) == vmID {
				return true
			}
		case map[string]any:
			if id, _ := v["id"].(string); d.abs(id) == vmID {
				return true
			}
		case VerificationMethod:
			if d.abs(v.ID) == vmID {
				return true
			}
		case *VerificationMethod:
			if v != nil && d.abs(v.ID) == vmID {
				return true
			}
		}
	}
	return false
}

// Definitions returns how many times the document defines the
// verification method vmID (under verificationMethod or embedded in a
// relationship), or 0 when the document is malformed. KeyAt accepts more
// than one only when all are identical; a caller reports the duplicate.
func (d *Document) Definitions(vmID string) int {
	all, _, err := d.methods()
	if err != nil {
		return 0
	}
	n := 0
	for _, vm := range all {
		if d.abs(vm.ID) == vmID {
			n++
		}
	}
	return n
}

// sameMethod reports whether two definitions of one method are the same
// object. Definitions decoded from JSON are compared whole, as decoded
// (every member, those VerificationMethod drops included); the decoded
// fields must agree as well, so a definition built in Go is compared by
// its fields. Ids are compared as written: "#k" and "did:x#k" differ.
func sameMethod(a VerificationMethod, araw map[string]any, b VerificationMethod, braw map[string]any) bool {
	if !reflect.DeepEqual(a, b) {
		return false
	}
	if (araw == nil) != (braw == nil) {
		// One decoded from JSON, one built in Go: the JSON one may carry
		// members the other cannot show.
		return araw == nil && len(braw) == len(knownMethodMembers(braw)) || braw == nil && len(araw) == len(knownMethodMembers(araw))
	}
	return reflect.DeepEqual(araw, braw)
}

// knownMethodMembers returns the members of m that VerificationMethod holds.
func knownMethodMembers(m map[string]any) []string {
	var out []string
	for _, k := range []string{"id", "type", "controller", "publicKeyMultibase", "publicKeyJwk", "expires", "revoked"} {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// methods returns every verification method the document defines: those
// under verificationMethod and those embedded in a relationship, each with
// its decoded JSON object when there is one (nil otherwise).
func (d *Document) methods() ([]VerificationMethod, []map[string]any, error) {
	all := append([]VerificationMethod(nil), d.VerificationMethod...)
	raws := make([]map[string]any, len(all), len(all)+1)
	if len(d.rawMethods) == len(d.VerificationMethod) {
		copy(raws, d.rawMethods)
	}
	rels := []struct {
		name    string
		entries []any
	}{
		{Authentication, d.Authentication},
		{AssertionMethod, d.AssertionMethod},
		{CapabilityInvocation, d.CapabilityInvocation},
		{CapabilityDelegation, d.CapabilityDelegation},
		{KeyAgreement, d.KeyAgreement},
	}
	for _, rel := range rels {
		for i, e := range rel.entries {
			switch v := e.(type) {
			case string:
			case VerificationMethod:
				all, raws = append(all, v), append(raws, nil)
			case *VerificationMethod:
				if v == nil {
					return nil, nil, fmt.Errorf("document %s: %s[%d]: null: %w", quote(d.ID), rel.name, i, ErrInvalidDocument)
				}
				all, raws = append(all, *v), append(raws, nil)
			case map[string]any:
				vm, err := methodFromMap(v)
				if err != nil {
					return nil, nil, fmt.Errorf("document %s: %s[%d]: %w", quote(d.ID), rel.name, i, err)
				}
				all, raws = append(all, vm), append(raws, v)
			default:
				return nil, nil, fmt.Errorf("document %s: %s[%d]: want a string or an object, got %T: %w",
					quote(d.ID), rel.name, i, e, ErrInvalidDocument)
			}
		}
	}
	return all, raws, nil
}

// methodFromMap reads an embedded verification method as decoded by
// encoding/json.
func methodFromMap(m map[string]any) (VerificationMethod, error) {
	var vm VerificationMethod
	for _, f := range []struct {
		name string
		dst  *string
		opt  bool
	}{
		{"id", &vm.ID, false},
		{"type", &vm.Type, false},
		{"controller", &vm.Controller, false},
		{"publicKeyMultibase", &vm.PublicKeyMultibase, true},
		{"expires", &vm.Expires, true},
		{"revoked", &vm.Revoked, true},
	} {
		v, ok := m[f.name]
		if !ok && f.opt {
			continue
		}
		s, isString := v.(string)
		if !isString {
			return vm, fmt.Errorf("%s: want a string: %w", f.name, ErrInvalidMethod)
		}
		*f.dst = s
	}
	if jwk, ok := m["publicKeyJwk"]; ok {
		obj, isObj := jwk.(map[string]any)
		if !isObj {
			return vm, fmt.Errorf("publicKeyJwk: want an object: %w", ErrInvalidMethod)
		}
		vm.PublicKeyJwk = obj
	}
	return vm, nil
}

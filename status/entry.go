package status

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// Type names used in credentialStatus entries and status list credentials.
const (
	TypeBitstringEntry           = "BitstringStatusListEntry"
	TypeBitstringList            = "BitstringStatusList"
	TypeBitstringCredential      = "BitstringStatusListCredential"
	TypeStatusList2021Entry      = "StatusList2021Entry"
	TypeStatusList2021           = "StatusList2021"
	TypeStatusList2021Credential = "StatusList2021Credential"
	// TypeRevocationList is the 1EdTech revocation list reference: an entry
	// with only an id (the list URL) and this type.
	TypeRevocationList = "1EdTechRevocationList"
)

// Purpose is a statusPurpose: one of the Purpose constants Bitstring
// Status List 1.0 defines, or any other non-empty string, which the spec
// allows as a custom purpose, so a value read from a credential is
// representable whatever it says (Known tells them apart).
//
// A Purpose is a named type, which a JSON-LD processor reading a
// map[string]any does not recognise as a string: write string(p) where a
// purpose goes into a JSON or JSON-LD object (encoding/json marshals it
// either way, but jsonld refuses it).
type Purpose string

// Status purposes defined by Bitstring Status List 1.0.
const (
	PurposeRevocation Purpose = "revocation" // irreversible
	PurposeSuspension Purpose = "suspension" // reversible
	PurposeRefresh    Purpose = "refresh"
	PurposeMessage    Purpose = "message"
)

// Known reports whether p is one of the purposes Bitstring Status List 1.0
// defines; any other purpose is a custom one.
func (p Purpose) Known() bool {
	switch p {
	case PurposeRevocation, PurposeSuspension, PurposeRefresh, PurposeMessage:
		return true
	}
	return false
}

// MaxIndex bounds statusListIndex; it is far beyond any list DecodeOptions
// would accept by default and keeps positions inside a 32-bit int.
const MaxIndex = math.MaxInt32

// maxMessages bounds statusMessage so a hostile entry cannot make us build a
// huge table; it covers a full table for status sizes up to 16 bits.
const maxMessages = 1 << 16

// Entry is a credentialStatus value of type BitstringStatusListEntry,
// StatusList2021Entry, or 1EdTechRevocationList (which uses only ID and
// Type).
type Entry struct {
	// ID is the entry's optional URL; it is not the list's URL, except for
	// a 1EdTechRevocationList, where it is the only field.
	ID   string `json:"id,omitempty"`
	Type string `json:"type"`
	// StatusPurpose is one of the Purpose constants or a custom purpose.
	StatusPurpose Purpose `json:"statusPurpose,omitempty"`
	// StatusListIndex is the entry number; the bit position is
	// StatusListIndex × Size(). JSON carries it as a decimal string.
	StatusListIndex      int    `json:"statusListIndex,string"`
	StatusListCredential string `json:"statusListCredential,omitempty"`
	// StatusSize is the entry width in bits; zero means 1. Above 1,
	// StatusMessage is required.
	StatusSize      int       `json:"statusSize,omitempty"`
	StatusMessage   []Message `json:"statusMessage,omitempty"`
	StatusReference []string  `json:"statusReference,omitempty"`
}

// Message is one statusMessage item: a status value written as a
// "0x"-prefixed hexadecimal string and its meaning.
type Message struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Size returns the entry's status size, 1 when unset.
func (e *Entry) Size() int {
	if e.StatusSize == 0 {
		return 1
	}
	return e.StatusSize
}

// Legacy reports whether the entry is a StatusList2021Entry, whose list is
// decoded with DecodeOptions.Legacy.
func (e *Entry) Legacy() bool { return e.Type == TypeStatusList2021Entry }

// Map returns the entry as a JSON object for embedding in a credential,
// with statusListIndex as a decimal string. A 1EdTechRevocationList entry
// yields only id and type.
func (e *Entry) Map() map[string]any {
	m := map[string]any{"type": e.Type}
	if e.ID != "" {
		m["id"] = e.ID
	}
	if e.Type == TypeRevocationList {
		return m
	}
	// A plain string: the JSON-LD processor refuses a named string type.
	m["statusPurpose"] = string(e.StatusPurpose)
	m["statusListIndex"] = strconv.Itoa(e.StatusListIndex)
	m["statusListCredential"] = e.StatusListCredential
	if e.StatusSize != 0 {
		m["statusSize"] = e.StatusSize
	}
	if len(e.StatusMessage) > 0 {
		msgs := make([]any, len(e.StatusMessage))
		for i, msg := range e.StatusMessage {
			msgs[i] = map[string]any{"status": msg.Status, "message": msg.Message}
		}
		m["statusMessage"] = msgs
	}
	if len(e.StatusReference) > 0 {
		refs := make([]any, len(e.StatusReference))
		for i, r := range e.StatusReference {
			refs[i] = r
		}
		m["statusReference"] = refs
	}
	return m
}

// Lookup returns the statusMessage text for value, if the entry has one.
func (e *Entry) Lookup(value uint64) (string, bool) {
	for _, msg := range e.StatusMessage {
		if v, err := parseHexStatus(msg.Status); err == nil && v == value {
			return msg.Message, true
		}
	}
	return "", false
}

// ParseEntry checks a credentialStatus object (as decoded by encoding/json)
// and returns it as an Entry. Errors are *FieldError naming the field; an
// unknown type gives a FieldError wrapping ErrUnsupportedType.
func ParseEntry(m map[string]any) (*Entry, error) {
	if m == nil {
		return nil, fieldErr("", "credentialStatus is missing")
	}
	e := &Entry{}
	var err error
	if e.Type, err = entryType(m["type"]); err != nil {
		return nil, err
	}
	if v, ok := m["id"]; ok {
		if e.ID, err = uriField("id", v); err != nil {
			return nil, err
		}
	}
	if e.Type == TypeRevocationList {
		if e.ID == "" {
			return nil, fieldErr("id", "required for %s", TypeRevocationList)
		}
		return e, nil
	}

	purpose, ok := m["statusPurpose"].(string)
	if !ok || purpose == "" {
		return nil, fieldErr("statusPurpose", "must be a non-empty string")
	}
	e.StatusPurpose = Purpose(purpose)
	if e.StatusListIndex, err = parseIndex(m["statusListIndex"]); err != nil {
		return nil, err
	}
	v, ok := m["statusListCredential"]
	if !ok {
		return nil, fieldErr("statusListCredential", "required")
	}
	if e.StatusListCredential, err = uriField("statusListCredential", v); err != nil {
		return nil, err
	}

	if v, ok := m["statusSize"]; ok {
		if e.Legacy() {
			return nil, fieldErr("statusSize", "not allowed in %s", TypeStatusList2021Entry)
		}
		n, err := integer(v)
		if err != nil || n < 1 || n > MaxStatusSize {
			return nil, fieldErr("statusSize", "must be an integer in 1..%d", MaxStatusSize)
		}
		e.StatusSize = int(n)
	}
	if v, ok := m["statusMessage"]; ok {
		if e.StatusMessage, err = parseMessages(v, e.Size()); err != nil {
			return nil, err
		}
	}
	if e.Size() > 1 && len(e.StatusMessage) == 0 {
		return nil, fieldErr("statusMessage", "required when statusSize is greater than 1")
	}
	if v, ok := m["statusReference"]; ok {
		if e.StatusReference, err = parseReferences(v); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// entryType accepts the type as a string or, since JSON-LD treats them
// alike, an array holding exactly one known entry type.
func entryType(v any) (string, error) {
	known := func(s string) bool {
		return s == TypeBitstringEntry || s == TypeStatusList2021Entry || s == TypeRevocationList
	}
	switch t := v.(type) {
	case string:
		if known(t) {
			return t, nil
		}
		return "", &FieldError{Field: "type", Err: fmt.Errorf("%q: %w", t, ErrUnsupportedType)}
	case []any:
		found := ""
		for i, x := range t {
			s, ok := x.(string)
			if !ok {
				return "", fieldErr(fmt.Sprintf("type[%d]", i), "must be a string")
			}
			if known(s) {
				if found != "" {
					return "", fieldErr("type", "names both %s and %s", found, s)
				}
				found = s
			}
		}
		if found == "" {
			return "", &FieldError{Field: "type", Err: fmt.Errorf("no known status type: %w", ErrUnsupportedType)}
		}
		return found, nil
	case nil:
		return "", fieldErr("type", "required")
	}
	return "", fieldErr("type", "must be a string")
}

func uriField(field string, v any) (string, error) {
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fieldErr(field, "must be a non-empty string")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "", fieldErr(field, "%q is not an absolute URL", s)
	}
	return s, nil
}

// parseIndex accepts only a string of decimal digits: the spec makes
// statusListIndex a string, and a JSON number would already have been
// rounded through float64.
func parseIndex(v any) (int, error) {
	const field = "statusListIndex"
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return 0, fieldErr(field, "required")
		}
		return 0, fieldErr(field, "must be a string of decimal digits")
	}
	if s == "" || len(s) > 10 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fieldErr(field, "%q is not a decimal index up to %d", truncate(s), MaxIndex)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > MaxIndex {
		return 0, fieldErr(field, "%q is not a decimal index up to %d", s, MaxIndex)
	}
	return int(n), nil
}

func integer(v any) (int64, error) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, errors.New("not an integer")
		}
		return int64(n), nil
	case json.Number:
		return n.Int64()
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	}
	return 0, errors.New("not a number")
}

func parseMessages(v any, size int) ([]Message, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, fieldErr("statusMessage", "must be an array")
	}
	if len(items) > maxMessages {
		return nil, fieldErr("statusMessage", "has %d items, more than %d", len(items), maxMessages)
	}
	if len(items) == 0 {
		return nil, nil // an empty array says the same as an absent one
	}
	msgs := make([]Message, 0, len(items))
	seen := make(map[uint64]bool, len(items))
	for i, it := range items {
		path := fmt.Sprintf("statusMessage[%d]", i)
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, fieldErr(path, "must be an object")
		}
		st, ok := obj["status"].(string)
		if !ok {
			return nil, fieldErr(path+".status", "must be a string")
		}
		val, err := parseHexStatus(st)
		if err != nil {
			return nil, fieldErr(path+".status", "%q: %v", truncate(st), err)
		}
		if size < 64 && val>>uint(size) != 0 {
			return nil, fieldErr(path+".status", "%s does not fit %d bits", st, size)
		}
		if seen[val] {
			return nil, fieldErr(path+".status", "%s listed twice", st)
		}
		seen[val] = true
		text, ok := obj["message"].(string)
		if !ok {
			return nil, fieldErr(path+".message", "must be a string")
		}
		msgs = append(msgs, Message{Status: st, Message: text})
	}
	return msgs, nil
}

func parseHexStatus(s string) (uint64, error) {
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return 0, errors.New("must start with 0x")
	}
	if digits == "" || len(digits) > 16 {
		return 0, errors.New("must have 1 to 16 hexadecimal digits")
	}
	v, err := strconv.ParseUint(digits, 16, 64)
	if err != nil {
		return 0, errors.New("not hexadecimal")
	}
	return v, nil
}

func parseReferences(v any) ([]string, error) {
	switch r := v.(type) {
	case string:
		s, err := uriField("statusReference", r)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	case []any:
		if len(r) == 0 {
			return nil, nil
		}
		refs := make([]string, 0, len(r))
		for i, x := range r {
			s, err := uriField(fmt.Sprintf("statusReference[%d]", i), x)
			if err != nil {
				return nil, err
			}
			refs = append(refs, s)
		}
		return refs, nil
	}
	return nil, fieldErr("statusReference", "must be a URL or an array of URLs")
}

// truncate keeps hostile values from bloating error messages.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

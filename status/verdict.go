package status

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Result is the status of one credential read from its list, in the shape
// of the Bitstring Status List 1.0 validation result.
type Result struct {
	// Purpose is the entry's statusPurpose.
	Purpose Purpose
	// Status is the entry's value in the list.
	Status uint64
	// Set reports a non-zero status: revoked, suspended, a refresh or
	// message pending, depending on Purpose.
	Set bool
	// Message is the entry's statusMessage text for Status; without one it
	// is "set" or "unset" for a 1-bit entry and "" otherwise.
	Message string
}

// Verdict reads entry e from the list described by subject, the
// credentialSubject of a BitstringStatusListCredential or
// StatusList2021Credential. The caller must have verified the list
// credential's proof and validity period first.
//
// It returns ErrMismatch when the list's type or statusPurpose does not fit
// the entry, ErrMalformed for a missing or undecodable encodedList,
// ErrListLength, ErrTooLarge, ErrBudget, or ErrRange when the index is
// outside the list. opts.Legacy is forced on for a StatusList2021Entry.
func Verdict(subject map[string]any, e *Entry, opts DecodeOptions) (*Result, error) {
	return VerdictContext(context.Background(), subject, e, opts)
}

// VerdictContext is Verdict with a context, checked while the list is
// inflated. It reads the entry with Lookup, so the list is never held in
// memory whole.
func VerdictContext(ctx context.Context, subject map[string]any, e *Entry, opts DecodeOptions) (*Result, error) {
	if e == nil || e.Type == TypeRevocationList {
		return nil, fmt.Errorf("verdict needs a bitstring or StatusList2021 entry: %w", ErrUnsupportedType)
	}
	want := TypeBitstringList
	if e.Legacy() {
		want = TypeStatusList2021
		opts.Legacy = true
	}
	types, err := stringOrList(subject["type"])
	if err != nil {
		return nil, fmt.Errorf("credentialSubject.type: %w: %w", ErrMalformed, err)
	}
	if !slices.Contains(types, want) {
		return nil, fmt.Errorf("credentialSubject.type %v lacks %s for a %s: %w", types, want, e.Type, ErrMismatch)
	}
	purposes, err := stringOrList(subject["statusPurpose"])
	if err != nil {
		return nil, fmt.Errorf("credentialSubject.statusPurpose: %w: %w", ErrMalformed, err)
	}
	if !slices.Contains(purposes, string(e.StatusPurpose)) {
		return nil, fmt.Errorf("credentialSubject.statusPurpose %v lacks %q: %w", purposes, e.StatusPurpose, ErrMismatch)
	}
	encoded, ok := subject["encodedList"].(string)
	if !ok {
		return nil, fmt.Errorf("credentialSubject.encodedList must be a string: %w", ErrMalformed)
	}
	v, err := Lookup(ctx, encoded, e.Size(), e.StatusListIndex, opts)
	switch {
	case errors.Is(err, ErrRange):
		return nil, fmt.Errorf("statusListIndex: %w", err)
	case err != nil:
		return nil, fmt.Errorf("credentialSubject.encodedList: %w", err)
	}
	r := &Result{Purpose: e.StatusPurpose, Status: v, Set: v != 0}
	if msg, ok := e.Lookup(v); ok {
		r.Message = msg
	} else if e.Size() == 1 {
		r.Message = "unset"
		if r.Set {
			r.Message = "set"
		}
	}
	return r, nil
}

// stringOrList reads a JSON value that may be one non-empty string or a
// non-empty array of them.
func stringOrList(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		if t == "" {
			return nil, fmt.Errorf("empty string")
		}
		return []string{t}, nil
	case []any:
		if len(t) == 0 {
			return nil, fmt.Errorf("empty array")
		}
		out := make([]string, 0, len(t))
		for i, x := range t {
			s, ok := x.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("item %d is not a non-empty string", i)
			}
			out = append(out, s)
		}
		return out, nil
	case nil:
		return nil, fmt.Errorf("missing")
	}
	return nil, fmt.Errorf("must be a string or an array of strings")
}

package status

import (
	"encoding/base64"
	"errors"
	"testing"
)

func TestVerdict(t *testing.T) {
	one := mustNew(t, MinEntries, 1)
	mustSet(t, one, 94567, 1)
	oneEnc, err := one.Encode()
	if err != nil {
		t.Fatal(err)
	}
	two := mustNew(t, MinEntries, 2)
	mustSet(t, two, 10, 2)
	mustSet(t, two, 11, 3)
	twoEnc, err := two.Encode()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(oneEnc[1:])
	if err != nil {
		t.Fatal(err)
	}
	legacyEnc := base64.StdEncoding.EncodeToString(raw)
	shortEnc := u(gz(t, make([]byte, 100)))

	subject := func(typ string, purpose any, enc any) map[string]any {
		m := map[string]any{"id": "https://example.com/status/3#list", "type": typ, "statusPurpose": purpose}
		if enc != nil {
			m["encodedList"] = enc
		}
		return m
	}
	entry := func(typ string, purpose Purpose, index int) *Entry {
		return &Entry{Type: typ, StatusPurpose: purpose, StatusListIndex: index, StatusListCredential: "https://example.com/status/3"}
	}
	messages := []Message{{"0x0", "pending"}, {"0x1", "accepted"}, {"0x2", "rejected"}}
	withSize := func(e *Entry, size int, msgs []Message) *Entry {
		e.StatusSize, e.StatusMessage = size, msgs
		return e
	}

	tests := []struct {
		name    string
		subject map[string]any
		entry   *Entry
		want    *Result
		wantErr error
	}{
		{"revoked", subject(TypeBitstringList, "revocation", oneEnc), entry(TypeBitstringEntry, PurposeRevocation, 94567),
			&Result{Purpose: "revocation", Status: 1, Set: true, Message: "set"}, nil},
		{"not revoked", subject(TypeBitstringList, "revocation", oneEnc), entry(TypeBitstringEntry, PurposeRevocation, 94566),
			&Result{Purpose: "revocation", Status: 0, Set: false, Message: "unset"}, nil},
		{"purpose in array", subject(TypeBitstringList, []any{"suspension", "revocation"}, oneEnc), entry(TypeBitstringEntry, PurposeRevocation, 94567),
			&Result{Purpose: "revocation", Status: 1, Set: true, Message: "set"}, nil},
		{"type in array", map[string]any{"type": []any{TypeBitstringList}, "statusPurpose": "revocation", "encodedList": oneEnc}, entry(TypeBitstringEntry, PurposeRevocation, 0),
			&Result{Purpose: "revocation", Message: "unset"}, nil},
		{"purpose not in list", subject(TypeBitstringList, "suspension", oneEnc), entry(TypeBitstringEntry, PurposeRevocation, 94567), nil, ErrMismatch},
		{"legacy list for a bitstring entry", subject(TypeStatusList2021, "revocation", oneEnc), entry(TypeBitstringEntry, PurposeRevocation, 94567), nil, ErrMismatch},
		{"legacy entry and list without u", subject(TypeStatusList2021, "revocation", legacyEnc), entry(TypeStatusList2021Entry, PurposeRevocation, 94567),
			&Result{Purpose: "revocation", Status: 1, Set: true, Message: "set"}, nil},
		{"bitstring list without u", subject(TypeBitstringList, "revocation", legacyEnc), entry(TypeBitstringEntry, PurposeRevocation, 94567), nil, ErrMalformed},
		{"2-bit with message", subject(TypeBitstringList, "message", twoEnc), withSize(entry(TypeBitstringEntry, PurposeMessage, 10), 2, messages),
			&Result{Purpose: "message", Status: 2, Set: true, Message: "rejected"}, nil},
		{"2-bit value without message", subject(TypeBitstringList, "message", twoEnc), withSize(entry(TypeBitstringEntry, PurposeMessage, 11), 2, messages),
			&Result{Purpose: "message", Status: 3, Set: true}, nil},
		{"size 1 with its own message", subject(TypeBitstringList, "revocation", oneEnc), withSize(entry(TypeBitstringEntry, PurposeRevocation, 94567), 1, []Message{{"0x1", "revoked for cause"}}),
			&Result{Purpose: "revocation", Status: 1, Set: true, Message: "revoked for cause"}, nil},
		{"index past the end", subject(TypeBitstringList, "revocation", oneEnc), entry(TypeBitstringEntry, PurposeRevocation, MinEntries), nil, ErrRange},
		{"2-bit list read as 1-bit is fine but 2-bit read of a 1-bit list is short", subject(TypeBitstringList, "message", oneEnc), withSize(entry(TypeBitstringEntry, PurposeMessage, 1), 2, messages), nil, ErrListLength},
		{"short list", subject(TypeBitstringList, "revocation", shortEnc), entry(TypeBitstringEntry, PurposeRevocation, 1), nil, ErrListLength},
		{"missing encodedList", subject(TypeBitstringList, "revocation", nil), entry(TypeBitstringEntry, PurposeRevocation, 1), nil, ErrMalformed},
		{"encodedList not a string", subject(TypeBitstringList, "revocation", 5.0), entry(TypeBitstringEntry, PurposeRevocation, 1), nil, ErrMalformed},
		{"missing purposes", map[string]any{"type": TypeBitstringList, "encodedList": oneEnc}, entry(TypeBitstringEntry, PurposeRevocation, 1), nil, ErrMalformed},
		{"missing type", map[string]any{"statusPurpose": "revocation", "encodedList": oneEnc}, entry(TypeBitstringEntry, PurposeRevocation, 1), nil, ErrMalformed},
		{"nil subject", nil, entry(TypeBitstringEntry, PurposeRevocation, 1), nil, ErrMalformed},
		{"revocation list entry", subject(TypeBitstringList, "revocation", oneEnc), &Entry{Type: TypeRevocationList, ID: "https://e.com/r"}, nil, ErrUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Verdict(tt.subject, tt.entry, DecodeOptions{})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if *got != *tt.want {
				t.Fatalf("got %+v, want %+v", *got, *tt.want)
			}
		})
	}
}

package status

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func parseJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("test input: %v", err)
	}
	return m
}

func readFixture(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseEntryFixtures(t *testing.T) {
	tests := []struct {
		file string
		want *Entry
	}{
		{"bitstring-revocation.json", &Entry{
			ID: "https://example.com/credentials/status/3#94567", Type: TypeBitstringEntry,
			StatusPurpose: PurposeRevocation, StatusListIndex: 94567,
			StatusListCredential: "https://example.com/credentials/status/3",
		}},
		{"bitstring-message.json", &Entry{
			ID: "https://example.com/credentials/status/8#492847", Type: TypeBitstringEntry,
			StatusPurpose: PurposeMessage, StatusListIndex: 492847, StatusSize: 2,
			StatusListCredential: "https://example.com/credentials/status/8",
			StatusMessage: []Message{
				{"0x0", "pending_review"}, {"0x1", "accepted"}, {"0x2", "rejected"}, {"0x3", "undefined"},
			},
			StatusReference: []string{"https://example.org/status-dictionary/"},
		}},
		{"statuslist2021.json", &Entry{
			ID: "https://example.com/credentials/status/3#94567", Type: TypeStatusList2021Entry,
			StatusPurpose: PurposeSuspension, StatusListIndex: 94567,
			StatusListCredential: "https://example.com/credentials/status/3",
		}},
		{"1edtech-revocation-list.json", &Entry{ID: "https://example.com/revocations/1", Type: TypeRevocationList}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseEntry(parseJSON(t, readFixture(t, filepath.Join("entries", tt.file))))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
			// Map and encoding/json must both give back the same entry.
			again, err := ParseEntry(got.Map())
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("ParseEntry(Map()) = %+v, %v", again, err)
			}
			if got.Type != TypeRevocationList {
				b, err := json.Marshal(got)
				if err != nil {
					t.Fatal(err)
				}
				again, err = ParseEntry(parseJSON(t, string(b)))
				if err != nil || !reflect.DeepEqual(again, got) {
					t.Fatalf("ParseEntry(json.Marshal) = %+v, %v from %s", again, err, b)
				}
			}
		})
	}
}

func TestParseEntryErrors(t *testing.T) {
	const base = `"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListCredential":"https://example.com/s/1"`
	tests := []struct {
		name        string
		json        string
		wantField   string
		unsupported bool
	}{
		{"missing type", `{"statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://e.com/1"}`, "type", false},
		{"unknown type", `{"type":"CredentialStatusList2017","statusListIndex":"1"}`, "type", true},
		{"type array without known type", `{"type":["Foo"]}`, "type", true},
		{"type array with two known types", `{"type":["BitstringStatusListEntry","StatusList2021Entry"]}`, "type", false},
		{"type number", `{"type":5}`, "type", false},
		{"id not a URL", `{` + base + `,"statusListIndex":"1","id":"not a url"}`, "id", false},
		{"missing purpose", `{"type":"BitstringStatusListEntry","statusListIndex":"1","statusListCredential":"https://e.com/1"}`, "statusPurpose", false},
		{"missing index", `{` + base + `}`, "statusListIndex", false},
		{"numeric index", `{` + base + `,"statusListIndex":94567}`, "statusListIndex", false},
		{"negative index", `{` + base + `,"statusListIndex":"-1"}`, "statusListIndex", false},
		{"hex index", `{` + base + `,"statusListIndex":"0x10"}`, "statusListIndex", false},
		{"empty index", `{` + base + `,"statusListIndex":""}`, "statusListIndex", false},
		{"index too large", `{` + base + `,"statusListIndex":"2147483648"}`, "statusListIndex", false},
		{"index too long", `{` + base + `,"statusListIndex":"00000000001"}`, "statusListIndex", false},
		{"missing list credential", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1"}`, "statusListCredential", false},
		{"relative list credential", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"/s/1"}`, "statusListCredential", false},
		{"size zero", `{` + base + `,"statusListIndex":"1","statusSize":0}`, "statusSize", false},
		{"size fraction", `{` + base + `,"statusListIndex":"1","statusSize":1.5}`, "statusSize", false},
		{"size string", `{` + base + `,"statusListIndex":"1","statusSize":"2"}`, "statusSize", false},
		{"size 65", `{` + base + `,"statusListIndex":"1","statusSize":65}`, "statusSize", false},
		{"size 2 without messages", `{` + base + `,"statusListIndex":"1","statusSize":2}`, "statusMessage", false},
		{"messages not an array", `{` + base + `,"statusListIndex":"1","statusSize":2,"statusMessage":{}}`, "statusMessage", false},
		{"message without 0x", `{` + base + `,"statusListIndex":"1","statusSize":2,"statusMessage":[{"status":"1","message":"a"}]}`, "statusMessage[0].status", false},
		{"message value too wide", `{` + base + `,"statusListIndex":"1","statusSize":2,"statusMessage":[{"status":"0x0","message":"a"},{"status":"0x4","message":"b"}]}`, "statusMessage[1].status", false},
		{"message duplicate", `{` + base + `,"statusListIndex":"1","statusSize":2,"statusMessage":[{"status":"0x1","message":"a"},{"status":"0x01","message":"b"}]}`, "statusMessage[1].status", false},
		{"message text missing", `{` + base + `,"statusListIndex":"1","statusSize":2,"statusMessage":[{"status":"0x1"}]}`, "statusMessage[0].message", false},
		{"legacy with size", `{"type":"StatusList2021Entry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://e.com/1","statusSize":1}`, "statusSize", false},
		{"reference not a URL", `{` + base + `,"statusListIndex":"1","statusReference":["https://ok.example/", 3]}`, "statusReference[1]", false},
		{"revocation list without id", `{"type":"1EdTechRevocationList"}`, "id", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEntry(parseJSON(t, tt.json))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FieldError", err)
			}
			if fe.Field != tt.wantField {
				t.Errorf("Field = %q, want %q (%v)", fe.Field, tt.wantField, err)
			}
			if !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("errors.Is(%v, ErrInvalidEntry) = false", err)
			}
			if errors.Is(err, ErrUnsupportedType) != tt.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupportedType) = %v, want %v", err, !tt.unsupported, tt.unsupported)
			}
		})
	}
	if _, err := ParseEntry(nil); !errors.Is(err, ErrInvalidEntry) {
		t.Errorf("ParseEntry(nil) = %v, want ErrInvalidEntry", err)
	}
}

func TestParseEntryAccepts(t *testing.T) {
	tests := []struct {
		name string
		json string
		want func(*Entry) bool
	}{
		{"leading zeros", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"007","statusListCredential":"https://e.com/1"}`,
			func(e *Entry) bool { return e.StatusListIndex == 7 }},
		{"custom purpose", `{"type":"BitstringStatusListEntry","statusPurpose":"x-custom","statusListIndex":"0","statusListCredential":"https://e.com/1"}`,
			func(e *Entry) bool { return e.StatusPurpose == "x-custom" }},
		{"type array", `{"type":["BitstringStatusListEntry"],"statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://e.com/1"}`,
			func(e *Entry) bool { return e.Type == TypeBitstringEntry }},
		{"urn id", `{"id":"urn:uuid:1f0e3c8e-7c1e-4a6b-9b51-2a3c4d5e6f70","type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://e.com/1"}`,
			func(e *Entry) bool { return e.ID != "" }},
		{"size 1 with messages", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://e.com/1","statusSize":1,"statusMessage":[{"status":"0x1","message":"gone"}]}`,
			func(e *Entry) bool { m, ok := e.Lookup(1); return ok && m == "gone" && e.Size() == 1 }},
		{"largest index", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"2147483647","statusListCredential":"https://e.com/1"}`,
			func(e *Entry) bool { return e.StatusListIndex == MaxIndex }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseEntry(parseJSON(t, tt.json))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(e) {
				t.Fatalf("unexpected entry %+v", e)
			}
		})
	}
}

func TestPurposeKnown(t *testing.T) {
	tests := []struct {
		p    Purpose
		want bool
	}{
		{PurposeRevocation, true},
		{PurposeSuspension, true},
		{PurposeRefresh, true},
		{PurposeMessage, true},
		{"x-custom", false},
		{"Revocation", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := tt.p.Known(); got != tt.want {
			t.Errorf("Purpose(%q).Known() = %v, want %v", tt.p, got, tt.want)
		}
	}
}

// TestEntryMapPlainStrings checks that Map writes each purpose, custom ones
// included, as a plain string: the JSON-LD processor a credential goes
// through refuses a named string type inside a map[string]any.
func TestEntryMapPlainStrings(t *testing.T) {
	for _, p := range []Purpose{PurposeRevocation, PurposeSuspension, PurposeRefresh, PurposeMessage, "x-custom"} {
		e := &Entry{Type: TypeBitstringEntry, StatusPurpose: p, StatusListIndex: 3, StatusListCredential: "https://e.com/1"}
		got, ok := e.Map()["statusPurpose"].(string)
		if !ok || got != string(p) {
			t.Errorf("Map()[statusPurpose] for %q = %#v, want the plain string", p, e.Map()["statusPurpose"])
		}
	}
}

package published_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/catalogue/published"
)

func sample(t testing.TB) []byte {
	c := &published.Catalogue{
		ID: "https://example.edu/catalogue.json", Issuer: "did:example:uni", Name: "Approved",
		ValidFrom: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
		Entries: []published.Entry{{
			AchievementID: "https://example.edu/a", Version: "1", Name: "A",
			Digest:     "sha256:" + "ab00000000000000000000000000000000000000000000000000000000000000",
			ApprovedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), RetiredAt: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC),
		}},
	}
	m, err := c.Credential()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// FuzzParse: Parse never panics, and whatever it accepts writes back
// (Credential) to a document it reads as the same catalogue.
func FuzzParse(f *testing.F) {
	f.Add(sample(f))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := published.Parse(data)
		if err != nil {
			return
		}
		m, err := c.Credential()
		if err != nil {
			t.Fatalf("Credential of a parsed catalogue: %v", err)
		}
		raw, _ := json.Marshal(m)
		back, err := published.Parse(raw)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if len(back.Entries) != len(c.Entries) || back.Issuer != c.Issuer {
			t.Fatalf("round trip changed the catalogue")
		}
		for i := range c.Entries {
			a, b := c.Entries[i], back.Entries[i]
			if a.Digest != b.Digest || a.Version != b.Version || !a.ApprovedAt.Equal(b.ApprovedAt) || !a.RetiredAt.Equal(b.RetiredAt) {
				t.Fatalf("entry %d changed: %+v -> %+v", i, a, b)
			}
		}
	})
}

func TestParseRefuses(t *testing.T) {
	good := sample(t)
	if _, err := published.Parse(good); err != nil {
		t.Fatal(err)
	}
	tests := map[string]func(map[string]any){
		"unknown member":  func(m map[string]any) { m["evidence"] = []any{} },
		"extra context":   func(m map[string]any) { m["@context"] = append(m["@context"].([]any), "https://example.org/ctx") },
		"other type":      func(m map[string]any) { m["type"] = []any{"VerifiableCredential", "OpenBadgeCredential"} },
		"no issuer":       func(m map[string]any) { delete(m, "issuer") },
		"issuer object":   func(m map[string]any) { m["issuer"] = map[string]any{"id": "did:example:uni"} },
		"bad digest":      func(m map[string]any) { related(m)["digestMultibase"] = "zabc" },
		"date":            func(m map[string]any) { related(m)["awardedDate"] = "yesterday" },
		"fractional date": func(m map[string]any) { related(m)["awardedDate"] = "2026-12-01T00:00:00.5Z" },
		"subject aliased": func(m map[string]any) { subject(m)["@type"] = "AchievementSubject" },
		"subject array":   func(m map[string]any) { m["credentialSubject"] = []any{subject(m)} },
		"retired twice": func(m map[string]any) {
			a := subject(m)["achievement"].(map[string]any)
			a["otherIdentifier"] = append(a["otherIdentifier"].([]any), a["otherIdentifier"].([]any)[0])
		},
	}
	for name, mut := range tests {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(good, &m); err != nil {
				t.Fatal(err)
			}
			mut(m)
			raw, _ := json.Marshal(m)
			if _, err := published.Parse(raw); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func subject(m map[string]any) map[string]any {
	return m["credentialSubject"].(map[string]any)
}

func related(m map[string]any) map[string]any {
	return subject(m)["achievement"].(map[string]any)["related"].([]any)[0].(map[string]any)
}

func TestApprovedWindow(t *testing.T) {
	c, err := published.Parse(sample(t))
	if err != nil {
		t.Fatal(err)
	}
	e := c.Entries[0]
	tests := []struct {
		name string
		at   time.Time
		want error
	}{
		{"at approval", e.ApprovedAt, nil},
		{"before approval", e.ApprovedAt.Add(-time.Second), published.ErrNotApprovedThen},
		{"just before retirement", e.RetiredAt.Add(-time.Second), nil},
		{"the second of retirement", e.RetiredAt, nil},
		{"a second after retirement", e.RetiredAt.Add(time.Second), published.ErrNotApprovedThen},
		{"after retirement", e.RetiredAt.Add(time.Hour), published.ErrNotApprovedThen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Approved(c.Issuer, e.AchievementID, e.Version, tt.at)
			if !errors.Is(err, tt.want) {
				t.Errorf("Approved at %s: %v, want %v", tt.at, err, tt.want)
			}
		})
	}
}

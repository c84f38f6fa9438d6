package ob3

import (
	"encoding/json"
	"testing"
)

// TestSchemaFastRedteam14: every leaf of realistic credentials replaced by
// odd values (date-time edge cases, unicode against lengths and patterns,
// numbers in every json.Number form, containers), every array given a
// repeat of its first element, every object an odd extra member: the fast
// check never disagrees with the library where it answers.
func TestSchemaFastRedteam14(t *testing.T) {
	odd := []any{
		"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "0000-02-29T00:00:00Z",
		"2024-12-31T23:59:60Z", "2024-12-31T23:59:60+00:00", "2024-06-30T23:59:60Z", "2024-01-01t00:00:00z", "2024-01-01T00:00:00.Z",
		"2024-01-01T00:00:00.000000000001Z", "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00-00:60", "2024-01-01T24:00:00Z",
		"2024-01-01T00:00:00+0100", "2024-01-01 00:00:00Z", "2024-1-01T00:00:00Z", "+2024-01-01T00:00:00Z", "2024-01-01T00:00:00",
		"2024-01-01", "2024-13-01", "2024-00-10", "2024-01-00", "9999-12-31T23:59:59Z", "2024-01-01T00:00:00\u0660Z",
		"2024-01-01T00:00:0٠Z", "2024-01-01T-1:00:00Z", "2024-01-01T+1:00:00Z", "2024-01-01T00:00:00.5+01:30",
		"", " ", "é", "😀", "\u0000", "a\u0301", "urn:uuid:1", "https://example.com/", "did:key:z6Mk", "ext:Foo", "ext:",
		"Ext:Foo", "ext:Foo Bar", "en", "en-US", "EN", "x", "#", "mailto:a@b.c", "\ufeffhttps://example.com/",
		json.Number("0"), json.Number("-0"), json.Number("1"), json.Number("1.0"), json.Number("1e0"), json.Number("1E2"),
		json.Number("-1"), json.Number("0.5"), json.Number("1e400"), json.Number("-1e-400"), json.Number("12345678901234567890123"),
		json.Number("1.5e1"), true, false, nil, []any{}, map[string]any{}, []any{"a", "a"}, []any{json.Number("1"), json.Number("1.0")},
		[]any{json.Number("1"), json.Number("1")}, map[string]any{"type": "Profile", "id": "urn:x"}, []any{nil},
	}
	extraKeys := []string{"@context", "@id", "@type", "id", "type", "", "extra", "name", "description"}
	// The schemas each credential calls for (every root schema took two
	// minutes and found nothing more).
	for _, name := range []string{"../testdata/bench/ob-50.json", "../testdata/bench/endorsement.json"} {
		base, err := decodeForSchema(mustRead(t, name))
		if err != nil {
			t.Fatal(err)
		}
		var paths [][]any
		collectPaths(base, nil, &paths)
		var tally sfTally
		check := func(doc any, what string) {
			for _, c := range credentialsIn(doc) {
				for _, u := range schemasFor(c) {
					tally.add(sfDiff(t, u, c, what))
				}
			}
		}
		for _, p := range paths {
			for _, v := range odd {
				doc := cloneRedteam14(base)
				setAt(doc, p, v)
				check(doc, name)
			}
			doc := cloneRedteam14(base)
			switch x := getAt(doc, p).(type) {
			case []any:
				if len(x) > 0 {
					setAt(doc, p, append(x, cloneRedteam14(x[0])))
					check(doc, name+" repeat")
				}
			case map[string]any:
				for _, k := range extraKeys {
					d := cloneRedteam14(base)
					m := getAt(d, p).(map[string]any)
					m[k] = "x"
					check(d, name+" extra "+k)
				}
			}
			if t.Failed() {
				t.Fatalf("at %v", p)
			}
		}
		// The walk reached the fast check's both answers.
		if tally.fastValid == 0 || tally.libInvalid == 0 {
			t.Errorf("%s: %+v", name, tally)
		}
		t.Logf("%s: %+v", name, tally)
	}
}

func collectPaths(v any, p []any, out *[][]any) {
	*out = append(*out, append([]any(nil), p...))
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			collectPaths(e, append(p, k), out)
		}
	case []any:
		for i, e := range x {
			collectPaths(e, append(p, i), out)
		}
	}
}

func getAt(v any, p []any) any {
	for _, s := range p {
		switch k := s.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

func setAt(root any, p []any, val any) {
	if len(p) == 0 {
		return
	}
	parent := getAt(root, p[:len(p)-1])
	switch k := p[len(p)-1].(type) {
	case string:
		parent.(map[string]any)[k] = val
	case int:
		parent.([]any)[k] = val
	}
}

// cloneRedteam14 deep-copies a decoded JSON value, so each mutation starts
// from the untouched document (ob3 may not import internal/jsonvalue).
func cloneRedteam14(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = cloneRedteam14(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = cloneRedteam14(e)
		}
		return a
	default:
		return v
	}
}

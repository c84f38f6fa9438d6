package issuer

import (
	"errors"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/ob3"
)

// TestRowCheckerMatchesBuild: a batch's rowChecker accepts exactly the
// requests Build accepts, with Build's error for the others, whether it
// checks a row by its parts (the achievement checked before) or whole.
func TestRowCheckerMatchesBuild(t *testing.T) {
	is, good := rowIssuer(t)
	result := func(kv ...any) map[string]any {
		r := map[string]any{"type": []any{"Result"}, "resultDescription": "urn:uuid:f6ab24cd-86e8-4eaf-b8c6-ded74e8fd41c"}
		for i := 0; i < len(kv); i += 2 {
			r[kv[i].(string)] = kv[i+1]
		}
		return r
	}
	with := func(f func(r *Request)) Request {
		r := good
		r.Subject = jsonvalue.CloneObject(good.Subject)
		f(&r)
		return r
	}
	otherAch := jsonvalue.CloneObject(good.Achievement)
	otherAch["name"] = "Another name"
	badAch := jsonvalue.CloneObject(good.Achievement)
	delete(badAch, "criteria")
	tests := []struct {
		name   string
		req    Request
		valid  bool // Build accepts it
		shared bool // it has the achievement of the first row
	}{
		{"good", good, true, true},
		{"result value", with(func(r *Request) { r.Subject["result"] = []any{result("value", "A")} }), true, true},
		{"result below required", with(func(r *Request) { r.Subject["result"] = []any{result("value", "D")} }), false, true},
		{"result not allowed", with(func(r *Request) { r.Subject["result"] = []any{result("value", "Z")} }), false, true},
		{"result without type", with(func(r *Request) { r.Subject["result"] = []any{map[string]any{"value": "A"}} }), false, true},
		{"result of unknown description", with(func(r *Request) { r.Subject["result"] = []any{result("resultDescription", "urn:x:y", "value", "Z")} }), true, true},
		{"result value not a string", with(func(r *Request) { r.Subject["result"] = []any{result("value", 5.0)} }), false, true},
		{"subject name", with(func(r *Request) { r.Subject["name"] = "Ada <Lovelace>" }), true, true},
		{"subject name not a string", with(func(r *Request) { r.Subject["name"] = []any{1.0} }), true, true},
		{"subject id", with(func(r *Request) { r.Subject["id"] = "did:example:ada"; r.RecipientEmail = "" }), true, true},
		{"subject id not a URI", with(func(r *Request) { r.Subject["id"] = "not a uri"; r.RecipientEmail = "" }), true, true},
		{"subject image not an object", with(func(r *Request) { r.Subject["image"] = 5.0 }), false, true},
		{"identity type unknown", with(func(r *Request) {
			r.Subject["identifier"] = []any{map[string]any{"type": "IdentityObject", "identityHash": "x", "identityType": "shoeSize", "hashed": false}}
		}), false, true},
		{"activity dates", with(func(r *Request) {
			r.Subject["activityStartDate"] = "2026-09-01T00:00:00Z"
			r.Subject["activityEndDate"] = "2026-10-01T00:00:00Z"
		}), true, true},
		{"activity date not a date", with(func(r *Request) { r.Subject["activityStartDate"] = "yesterday" }), false, true},
		{"credits", with(func(r *Request) { r.Subject["creditsEarned"] = 2.5 }), true, true},
		{"credits not a number", with(func(r *Request) { r.Subject["creditsEarned"] = "many" }), false, true},
		{"subject type wrong", with(func(r *Request) { r.Subject["type"] = []any{"Person"} }), false, true},
		{"evidence", with(func(r *Request) { r.Evidence = []string{"https://example.edu/e/1"} }), true, true},
		{"evidence not a URI", with(func(r *Request) { r.Evidence = []string{"not a uri"} }), true, true},
		{"unknown subject property", with(func(r *Request) { r.Subject["favouriteColour"] = "blue" }), true, true},
		{"other achievement", with(func(r *Request) { r.Achievement = otherAch }), true, false},
		{"bad achievement", with(func(r *Request) { r.Achievement = badAch }), false, false},
		{"too large", with(func(r *Request) { r.Subject["name"] = strings.Repeat("x", ob3.DefaultMaxSize-1000) }), false, true},
		{"just small enough", with(func(r *Request) { r.Subject["name"] = strings.Repeat("x", ob3.DefaultMaxSize-6000) }), true, true},
	}
	rc, err := newRowChecker(is)
	if err != nil {
		t.Fatal(err)
	}
	// The first row is checked whole and shares its achievement.
	if _, err := rc.build(good); err != nil || rc.byParts.Load() != 0 || rc.shared.Load() == nil {
		t.Fatalf("first row: %v, by parts %d", err, rc.byParts.Load())
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, want := is.Build(tc.req)
			before := rc.byParts.Load()
			_, got := rc.build(tc.req)
			if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
				t.Fatalf("rowChecker: %v\nBuild: %v", got, want)
			}
			if got != nil && !errors.Is(got, ErrInvalidInput) {
				t.Errorf("error %v is not ErrInvalidInput", got)
			}
			if (want == nil) != tc.valid {
				t.Fatalf("Build: %v, want valid %v", want, tc.valid)
			}
			var gre, wre *ResultError
			if errors.As(got, &gre) != errors.As(want, &wre) || (gre != nil && (gre.Index != wre.Index || gre.Field != wre.Field || gre.ResultDescription != wre.ResultDescription)) {
				t.Errorf("ResultError %+v, Build's %+v", gre, wre)
			}
			if by, want := rc.byParts.Load() > before, tc.valid && tc.shared; by != want {
				t.Errorf("checked by its parts: %v, want %v", by, want)
			}
		})
	}
}

func TestJSONEqual(t *testing.T) {
	a := map[string]any{"a": []any{1.0, "x", true, nil, map[string]any{"b": "c"}}, "n": nil}
	tests := []struct {
		name string
		b    any
		want bool
	}{
		{"same", jsonvalue.Clone(a), true},
		{"other string", map[string]any{"a": []any{1.0, "y", true, nil, map[string]any{"b": "c"}}, "n": nil}, false},
		{"other number", map[string]any{"a": []any{2.0, "x", true, nil, map[string]any{"b": "c"}}, "n": nil}, false},
		{"number as json.Number", map[string]any{"a": []any{"1", "x", true, nil, map[string]any{"b": "c"}}, "n": nil}, false},
		{"missing key", map[string]any{"a": []any{1.0, "x", true, nil, map[string]any{"b": "c"}}}, false},
		{"other key", map[string]any{"a": []any{1.0, "x", true, nil, map[string]any{"b": "c"}}, "m": nil}, false},
		{"shorter array", map[string]any{"a": []any{1.0, "x", true, nil}, "n": nil}, false},
		{"nested change", map[string]any{"a": []any{1.0, "x", true, nil, map[string]any{"b": "d"}}, "n": nil}, false},
		{"bool", map[string]any{"a": []any{1.0, "x", false, nil, map[string]any{"b": "c"}}, "n": nil}, false},
		{"null for missing", map[string]any{"a": []any{1.0, "x", true, "", map[string]any{"b": "c"}}, "n": nil}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := jsonEqual(a, tc.b); got != tc.want {
				t.Errorf("jsonEqual = %v, want %v", got, tc.want)
			}
			if got := jsonEqual(tc.b, a); got != tc.want {
				t.Errorf("jsonEqual reversed = %v, want %v", got, tc.want)
			}
		})
	}
	if jsonEqual(map[string]any{"x": 1}, map[string]any{"x": 1}) {
		t.Error("values of other types compare equal")
	}
}

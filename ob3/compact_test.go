package ob3

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// pathRef returns the map holding the last property of path ("a.b[0].c")
// in doc, and that property's name.
func pathRef(t *testing.T, doc map[string]any, path string) (map[string]any, string) {
	t.Helper()
	parts := strings.Split(path, ".")
	cur := doc
	for _, p := range parts[:len(parts)-1] {
		name, idx, hasIdx := strings.Cut(p, "[")
		v := cur[name]
		if hasIdx {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil {
				t.Fatalf("bad path %q", path)
			}
			v = v.([]any)[i]
		}
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: %q is not an object", path, p)
		}
		cur = m
	}
	return cur, parts[len(parts)-1]
}

// decodeDoc decodes b the way ParseDocument does, as generic values.
func decodeDoc(t *testing.T, b []byte) map[string]any {
	t.Helper()
	v, err := decodeStrict(b, true)
	if err != nil {
		t.Fatal(err)
	}
	return v.(map[string]any)
}

func encodeDoc(t *testing.T, doc map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCompactedForms checks, per form and per location, that a credential
// written with a JSON-LD compacted form (a single value for a one-element
// array, an image as its id string) parses to the same typed model as its
// strict form, by both decoders, validates the same way, and that
// ExpandCompacted rewrites it to exactly the strict form, naming the path.
func TestCompactedForms(t *testing.T) {
	base := mustRead(t, "testdata/corpus/good/ob-full.json")
	proofObj := map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2025-03-01T09:00:05Z",
		"verificationMethod": "did:example:accreditor#key-1", "proofPurpose": "assertionMethod", "proofValue": "z3FXQ"}
	idObj := map[string]any{"type": "IdentifierEntry", "identifier": "12345", "identifierType": "sourcedId"}
	tests := []struct {
		name string
		path string
		// one is the single value; nil takes the first element of the
		// array already at path.
		one any
		// prepare readies the strict document (for a property ob-full.json
		// does not have).
		prepare func(doc map[string]any)
	}{
		{name: "credential type", path: "type", one: "OpenBadgeCredential"},
		{name: "credential evidence", path: "evidence"},
		{name: "credential endorsement", path: "endorsement"},
		{name: "credential endorsementJwt", path: "endorsementJwt"},
		{name: "credential credentialSchema", path: "credentialSchema"},
		{name: "credential termsOfUse", path: "termsOfUse"},
		{name: "credential proof", path: "proof"},
		{name: "issuer type", path: "issuer.type"},
		{name: "issuer otherIdentifier", path: "issuer.otherIdentifier"},
		{name: "issuer address type", path: "issuer.address.type"},
		{name: "issuer parentOrg type", path: "issuer.parentOrg.type"},
		{name: "issuer endorsement", path: "issuer.endorsement", one: nil, prepare: func(d map[string]any) {
			d["issuer"].(map[string]any)["endorsement"] = []any{d["endorsement"].([]any)[0]}
		}},
		{name: "achievement type", path: "credentialSubject.achievement.type"},
		{name: "achievement tag", path: "credentialSubject.achievement.tag"},
		{name: "achievement alignment", path: "credentialSubject.achievement.alignment"},
		{name: "achievement related", path: "credentialSubject.achievement.related"},
		{name: "achievement otherIdentifier", path: "credentialSubject.achievement.otherIdentifier", one: idObj},
		{name: "achievement resultDescription", path: "credentialSubject.achievement.resultDescription"},
		{name: "achievement creator type", path: "credentialSubject.achievement.creator.type"},
		{name: "achievement resultDescription allowedValue", path: "credentialSubject.achievement.resultDescription[0].allowedValue"},
		{name: "achievement rubricCriterionLevel", path: "credentialSubject.achievement.resultDescription[1].rubricCriterionLevel"},
		{name: "achievement rubricCriterionLevel alignment", path: "credentialSubject.achievement.resultDescription[1].rubricCriterionLevel[1].alignment"},
		{name: "achievement endorsement", path: "credentialSubject.achievement.endorsement", prepare: func(d map[string]any) {
			achievementOf(d)["endorsement"] = []any{d["endorsement"].([]any)[0]}
		}},
		{name: "subject type", path: "credentialSubject.type", one: "AchievementSubject"},
		{name: "subject identifier", path: "credentialSubject.identifier"},
		{name: "subject result", path: "credentialSubject.result"},
		{name: "subject result alignment", path: "credentialSubject.result[2].alignment"},
		{name: "subject source type", path: "credentialSubject.source.type"},
		{name: "endorsement type", path: "endorsement[0].type", one: "EndorsementCredential"},
		{name: "endorsement issuer type", path: "endorsement[0].issuer.type"},
		{name: "endorsement subject type", path: "endorsement[0].credentialSubject.type"},
		{name: "endorsement credentialSchema", path: "endorsement[0].credentialSchema"},
		{name: "endorsement proof", path: "endorsement[0].proof", prepare: func(d map[string]any) {
			d["endorsement"].([]any)[0].(map[string]any)["proof"] = []any{proofObj}
		}},
		{name: "achievement endorsement proof", path: "credentialSubject.achievement.endorsement[0].proof", prepare: func(d map[string]any) {
			e := clonePlain(t, d["endorsement"].([]any)[0]).(map[string]any)
			e["proof"] = []any{proofObj}
			achievementOf(d)["endorsement"] = []any{e}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			strictDoc := decodeDoc(t, base)
			if tc.prepare != nil {
				tc.prepare(strictDoc)
			}
			strictBytes := encodeDoc(t, strictDoc)
			strictDoc = decodeDoc(t, strictBytes)

			compactDoc := decodeDoc(t, strictBytes)
			m, key := pathRef(t, compactDoc, tc.path)
			one := tc.one
			if one == nil {
				arr, ok := m[key].([]any)
				if !ok || len(arr) == 0 {
					t.Fatalf("%s is not a non-empty array in the strict document", tc.path)
				}
				one = arr[0]
			}
			// The strict form is the one-element array of the single value.
			sm, _ := pathRef(t, strictDoc, tc.path)
			sm[key] = []any{one}
			strictBytes = encodeDoc(t, strictDoc)
			m[key] = one
			compactBytes := encodeDoc(t, compactDoc)

			want, err := Parse(strictBytes, ParseOptions{})
			if err != nil {
				t.Fatalf("strict form: %v", err)
			}
			got, err := Parse(compactBytes, ParseOptions{})
			if err != nil {
				t.Fatalf("compacted form refused: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse: compacted form reads differently from the strict form")
			}
			pd, err := ParseDocument(compactBytes, ParseOptions{})
			if err != nil {
				t.Fatalf("ParseDocument: %v", err)
			}
			if !reflect.DeepEqual(pd.Credential, want) {
				t.Errorf("ParseDocument: compacted form reads differently from the strict form")
			}
			if (Validate(got) == nil) != (Validate(want) == nil) {
				t.Errorf("Validate differs: compacted %v, strict %v", Validate(got), Validate(want))
			}

			expanded, forms := ExpandCompacted(pd.Value)
			if !reflect.DeepEqual(expanded, decodeDoc(t, strictBytes)) {
				t.Errorf("ExpandCompacted does not give the strict form")
			}
			if len(forms) != 1 || forms[0].Path != tc.path || forms[0].Image {
				t.Errorf("ExpandCompacted reported %+v, want one array form at %s", forms, tc.path)
			}
			if !reflect.DeepEqual(pd.Value, compactDoc) {
				t.Errorf("ExpandCompacted modified its input")
			}
		})
	}
}

// TestCompactedImage checks an image given as its id string, in every
// location the data model has one: the typed model holds Image{ID: s}
// (IsRef), Validate accepts it, it encodes back as the string, and
// ExpandCompacted gives the strict {"id", "type": "Image"} object.
func TestCompactedImage(t *testing.T) {
	base := mustRead(t, "testdata/corpus/good/ob-full.json")
	for _, tc := range []struct{ name, path string }{
		{"credential", "image"},
		{"issuer profile", "issuer.image"},
		{"achievement", "credentialSubject.achievement.image"},
		{"subject", "credentialSubject.image"},
		{"endorsement", "endorsement[0].image"},
		{"endorsement issuer", "endorsement[0].issuer.image"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const id = "https://example.edu/img/compact.png"
			doc := decodeDoc(t, base)
			m, key := pathRef(t, doc, tc.path)
			m[key] = id
			b := encodeDoc(t, doc)
			for _, parse := range []struct {
				name string
				fn   func() (*Credential, error)
			}{
				{"Parse", func() (*Credential, error) { return Parse(b, ParseOptions{}) }},
				{"ParseDocument", func() (*Credential, error) {
					d, err := ParseDocument(b, ParseOptions{})
					if err != nil {
						return nil, err
					}
					return d.Credential, nil
				}},
			} {
				c, err := parse.fn()
				if err != nil {
					t.Fatalf("%s refused the image string: %v", parse.name, err)
				}
				img := imageAt(c, tc.path)
				if img == nil || img.ID != id || !img.IsRef() || img.Type != "" || img.Caption != "" {
					t.Fatalf("%s: image = %+v, want Image{ID: %q} read as a reference", parse.name, img, id)
				}
				if err := Validate(c); err != nil {
					t.Errorf("%s: Validate: %v", parse.name, err)
				}
				out, err := json.Marshal(img)
				if err != nil || string(out) != strconvQuote(id) {
					t.Errorf("%s: image encodes as %s (%v), want the id string", parse.name, out, err)
				}
			}
			d, err := ParseDocument(b, ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			expanded, forms := ExpandCompacted(d.Value)
			em, ek := pathRef(t, expanded, tc.path)
			if want := map[string]any{"id": id, "type": "Image"}; !reflect.DeepEqual(em[ek], want) {
				t.Errorf("ExpandCompacted: image = %v, want %v", em[ek], want)
			}
			if len(forms) != 1 || forms[0].Path != tc.path || !forms[0].Image {
				t.Errorf("ExpandCompacted reported %+v, want one image form at %s", forms, tc.path)
			}
			if err := ValidateSchemaValue(expanded); err != nil {
				t.Errorf("schema refuses the expanded image: %v", err)
			}
		})
	}
}

// TestCompactedRefusals checks that accepting single values did not widen
// what a property may hold: a single value must still have the element's
// JSON type.
func TestCompactedRefusals(t *testing.T) {
	base := mustRead(t, "testdata/corpus/good/ob-full.json")
	for _, tc := range []struct {
		name, path string
		v          any
		wantPath   string
	}{
		{"identifier as a string", "credentialSubject.identifier", "x", "credentialSubject.identifier"},
		{"endorsement as a string", "endorsement", "x", "endorsement"},
		{"tag as a number", "credentialSubject.achievement.tag", 3, "credentialSubject.achievement.tag"},
		{"image as a number", "image", 3, "image"},
		{"image as an array", "image", []any{"https://example.edu/a.png"}, "image"},
		{"result with a wrong member", "credentialSubject.result", map[string]any{"type": []any{"Result"}, "value": 3}, "credentialSubject.result.value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := decodeDoc(t, base)
			m, key := pathRef(t, doc, tc.path)
			m[key] = tc.v
			b := encodeDoc(t, doc)
			_, err := Parse(b, ParseOptions{})
			if err == nil {
				t.Fatal("accepted")
			}
			if p := pathOfErr(err); p != tc.wantPath {
				t.Errorf("error path %q, want %q (%v)", p, tc.wantPath, err)
			}
			if _, err := ParseDocument(b, ParseOptions{}); err == nil {
				t.Error("ParseDocument accepted")
			}
		})
	}
}

func achievementOf(d map[string]any) map[string]any {
	return d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
}

func clonePlain(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// imageAt returns the image of the typed credential at the JSON path used
// by TestCompactedImage.
func imageAt(c *Credential, path string) *Image {
	switch path {
	case "image":
		return c.Image
	case "issuer.image":
		return c.Issuer.Image
	case "credentialSubject.achievement.image":
		return c.CredentialSubject.Achievement.Achievement.Image
	case "credentialSubject.image":
		return c.CredentialSubject.Achievement.Image
	case "endorsement[0].image":
		return c.Endorsement[0].Image
	case "endorsement[0].issuer.image":
		return c.Endorsement[0].Issuer.Image
	}
	return nil
}

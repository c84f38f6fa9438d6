package ob3

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// sameAsParse fails t unless ParseDocument agrees with Parse on data: the
// same error, or credentials that encode to the same JSON value, and a
// schema verdict on the decoded value equal to ValidateSchema's.
func sameAsParse(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := Parse(data, ParseOptions{})
	doc, err := ParseDocument(data, ParseOptions{})
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("ParseDocument error %v, Parse error %v", err, wantErr)
	}
	if err != nil {
		return
	}
	if got, want := jsonValue(t, doc.Credential), jsonValue(t, want); !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseDocument credential differs from Parse:\n got %v\nwant %v", got, want)
	}
	// Field by field too: the JSON comparison above cannot tell a nil
	// slice from an empty one (omitempty drops both).
	if err := sameStored(reflect.ValueOf(doc.Credential), reflect.ValueOf(want), "credential"); err != nil {
		t.Fatalf("ParseDocument credential differs from Parse: %v", err)
	}
	if doc.Credential.Issuer != nil && doc.Credential.Issuer.IsRef() != want.Issuer.IsRef() {
		t.Fatalf("issuer IsRef %v, Parse gives %v", doc.Credential.Issuer.IsRef(), want.Issuer.IsRef())
	}
	errText := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	if got, want := errText(ValidateSchemaValue(doc.Value)), errText(ValidateSchema(data)); got != want {
		t.Fatalf("ValidateSchemaValue %q, ValidateSchema %q", got, want)
	}
	if got, want := errText(Validate(doc.Credential)), errText(Validate(want)); got != want {
		t.Fatalf("Validate on ParseDocument's credential %q, on Parse's %q", got, want)
	}
}

// sameStored reports where got and want, two values of the same type,
// differ as stored: nil and empty slices and maps differ; raw JSON (an
// Extra member, a json.RawMessage) is compared as the JSON value it
// encodes, since Parse keeps the text's spelling and ParseDocument
// re-encodes it.
func sameStored(got, want reflect.Value, path string) error {
	switch got.Kind() {
	case reflect.Pointer, reflect.Interface:
		if got.IsNil() != want.IsNil() {
			return fmt.Errorf("%s: nil %v, want %v", path, got.IsNil(), want.IsNil())
		}
		if got.IsNil() {
			return nil
		}
		if got.Kind() == reflect.Interface && got.Elem().Type() != want.Elem().Type() {
			return fmt.Errorf("%s: holds %v, want %v", path, got.Elem().Type(), want.Elem().Type())
		}
		return sameStored(got.Elem(), want.Elem(), path)
	case reflect.Struct:
		for i := range got.NumField() {
			if err := sameStored(got.Field(i), want.Field(i), path+"."+got.Type().Field(i).Name); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice, reflect.Map:
		if got.IsNil() != want.IsNil() {
			return fmt.Errorf("%s: nil %v, want %v", path, got.IsNil(), want.IsNil())
		}
		if got.Kind() == reflect.Slice && got.Type().Elem().Kind() == reflect.Uint8 {
			var g, w any
			if json.Unmarshal(got.Bytes(), &g) != nil || json.Unmarshal(want.Bytes(), &w) != nil || !reflect.DeepEqual(g, w) {
				return fmt.Errorf("%s: %s, want %s", path, got.Bytes(), want.Bytes())
			}
			return nil
		}
		if got.Len() != want.Len() {
			return fmt.Errorf("%s: %d elements, want %d", path, got.Len(), want.Len())
		}
		if got.Kind() == reflect.Map {
			for _, k := range got.MapKeys() {
				wv := want.MapIndex(k)
				if !wv.IsValid() {
					return fmt.Errorf("%s: member %v not wanted", path, k)
				}
				if err := sameStored(got.MapIndex(k), wv, fmt.Sprintf("%s[%v]", path, k)); err != nil {
					return err
				}
			}
			return nil
		}
		for i := range got.Len() {
			if err := sameStored(got.Index(i), want.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.String:
		if got.String() != want.String() {
			return fmt.Errorf("%s: %q, want %q", path, got.String(), want.String())
		}
	case reflect.Bool:
		if got.Bool() != want.Bool() {
			return fmt.Errorf("%s: %v, want %v", path, got.Bool(), want.Bool())
		}
	case reflect.Float64:
		if got.Float() != want.Float() {
			return fmt.Errorf("%s: %v, want %v", path, got.Float(), want.Float())
		}
	default:
		return fmt.Errorf("%s: cannot compare a %v", path, got.Kind())
	}
	return nil
}

func jsonValue(t *testing.T, c *Credential) any {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func valueCorpus(t testing.TB) []string {
	files, err := filepath.Glob("testdata/corpus/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no corpus files under testdata/corpus")
	}
	return files
}

func TestParseDocumentMatchesParse(t *testing.T) {
	for _, name := range valueCorpus(t) {
		t.Run(filepath.Base(filepath.Dir(name))+"/"+filepath.Base(name), func(t *testing.T) {
			sameAsParse(t, mustRead(t, name))
		})
	}
	for _, tc := range []struct {
		name string
		data string
	}{
		{"issuer reference", `{"issuer":"did:example:1","type":["VerifiableCredential","OpenBadgeCredential"]}`},
		{"unknown properties", `{"x":{"b":1.50,"a":"<&>"},"credentialSubject":{"type":"AchievementSubject","y":[1e3]}}`},
		{"clr subject", `{"credentialSubject":{"type":["ClrSubject"],"verifiableCredential":[{"a": 1}]}}`},
		{"endorsement subject", `{"credentialSubject":{"type":"EndorsementSubject","endorsementComment":"ok"}}`},
		{"subject with a non-string type", `{"credentialSubject":{"type":["EndorsementSubject",1]}}`},
		{"nulls", `{"issuer":null,"type":null,"proof":null,"credentialSubject":{"achievement":null},"evidence":[null]}`},
		{"single values", `{"proof":{"type":"DataIntegrityProof","n":2},"credentialStatus":{"id":"x"},"termsOfUse":{"type":"t"}}`},
		{"huge number in a free-form value", `{"proof":{"n":1e999}}`},
		{"huge number in a typed field", `{"credentialSubject":{"creditsEarned":1e999}}`},
		{"empty arrays", `{"type":[],"evidence":[],"credentialSubject":{"type":[],"achievement":{"alignment":[]}}}`},
		{"one-element arrays", `{"evidence":[{"id":"e"}],"credentialSubject":{"result":[{"value":"A"}]}}`},
		{"numbers", `{"credentialSubject":{"creditsEarned":1.25,"achievement":{"creditsAvailable":3}},"@context":[1,2.5]}`},
		{"source as a string", `{"credentialSubject":{"source":"did:example:1"}}`},
		{"creator as a string", `{"credentialSubject":{"achievement":{"creator":"did:example:1"}}}`},
		{"parent org as a string", `{"issuer":{"id":"x","parentOrg":"did:example:1"}}`},
		{"endorser as a string", `{"endorsement":[{"issuer":"did:example:1"}]}`},
		{"type with a null", `{"type":["VerifiableCredential",null]}`},
		{"type with a null then a number", `{"type":["a",null,5]}`},
		{"wrong type deep", `{"credentialSubject":{"achievement":{"alignment":[{"targetName":1}]}}}`},
		{"image as a number", `{"issuer":{"id":"x","image":5}}`},
	} {
		t.Run(tc.name, func(t *testing.T) { sameAsParse(t, []byte(tc.data)) })
	}
}

func TestPlainValue(t *testing.T) {
	doc, err := ParseDocument([]byte(`{"a":[1,{"b":2.5}],"c":"d","e":null,"f":true}`), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := PlainValue(doc.Value)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": []any{1.0, map[string]any{"b": 2.5}}, "c": "d", "e": nil, "f": true}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("PlainValue = %#v, want %#v", got, want)
	}
	doc, err = ParseDocument([]byte(`{"a":[1e999]}`), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PlainValue(doc.Value); err == nil {
		t.Fatal("PlainValue accepted a number beyond float64")
	}
}

func FuzzParseDocument(f *testing.F) {
	for _, name := range valueCorpus(f) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > DefaultMaxSize {
			return
		}
		var se *ParseError
		if _, err := ParseDocument(data, ParseOptions{}); err != nil && !errors.As(err, &se) {
			t.Fatalf("error %v is not a *ParseError", err)
		}
		sameAsParse(t, data)
	})
}

// FuzzDecodeFast checks that the one-pass decoder accepts only what the
// token decoder accepts, and builds the same value.
func FuzzDecodeFast(f *testing.F) {
	for _, name := range valueCorpus(f) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":{"b":[1,{"b":2}]},"b":"\u00e9"}`, `{"\u0061":1,"a":2}`,
		`[{"x":1},{"x":1}] `, `{"a":1} x`, `{"a":"\"}"}`, "{\"\xff\":1,\"\xfe\":2}", `{"a":[[[[]]]]}`} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, rejectDup bool) {
		fast, ok := decodeFast(data, rejectDup)
		slow, err := decodeTokens(data, rejectDup)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("decodeFast accepted what decodeTokens rejects: %v", err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("decodeFast = %#v, decodeTokens = %#v", fast, slow)
		}
	})
}

func TestDecodeFastDeclines(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
	}{
		{"duplicate key", `{"a":1,"b":{"c":2},"a":3}`},
		{"escaped key that may repeat", `{"\u0061":1,"a":2}`},
		{"invalid utf-8 key", "{\"\xff\":1,\"\xfe\":2}"},
		{"trailing data", `{"a":1} {}`},
		{"syntax error", `{"a":1,}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := decodeFast([]byte(tc.data), true); ok {
				t.Fatal("decodeFast accepted it")
			}
		})
	}
	if _, ok := decodeFast([]byte(`{"a":1,"b":{"a":[{"a":2}]}}`), true); !ok {
		t.Fatal("decodeFast declined a plain document")
	}
}

// FuzzTypesOK checks that the quick type check agrees with checkTypes,
// and that the typed copy refuses what they refuse.
func FuzzTypesOK(f *testing.F) {
	for _, name := range valueCorpus(f) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{`{"type":["a",null,5]}`, `{"type":["a",5]}`, `{"issuer":5}`, `{"issuer":"x"}`,
		`{"credentialSubject":{"type":"ClrSubject","verifiableCredential":[1]}}`, `{"proof":[{}, 1]}`,
		`{"credentialSubject":{"creditsEarned":1e999}}`, `{"credentialSubject":{"type":["EndorsementSubject",1],"endorsementComment":2}}`,
		`{"credentialSubject":{"source":"x"}}`, `{"issuer":{"parentOrg":"x"}}`, `{"type":["a",null]}`} {
		f.Add([]byte(s))
	}
	ct := reflect.TypeFor[Credential]()
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeTokens(data, false)
		if err != nil {
			return
		}
		want := checkTypes(v, ct, "", "")
		ok := typesOK(v, infoOf(ct), false)
		if ok != (want == nil) {
			t.Fatalf("typesOK = %v, checkTypes = %v", ok, want)
		}
		// ParseDocument checks types only when the typed copy fails.
		if obj, isObj := v.(map[string]any); isObj && !ok {
			var c Credential
			var a typedArena
			if err := a.structFromInfo(obj, reflect.ValueOf(&c).Elem(), infoOf(ct)); err == nil {
				t.Fatalf("the typed copy read what checkTypes refuses: %v", want)
			}
		}
	})
}

// TestFreeValueShares: a free-form value without numbers is the
// document's own (no copy); one with a number is a copy with float64s.
func TestFreeValueShares(t *testing.T) {
	doc, err := ParseDocument([]byte(`{"proof":[{"type":"DataIntegrityProof","a":[true,null]},{"n":2}]}`), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	proofs := doc.Value["proof"].([]any)
	if got, want := reflect.ValueOf(doc.Credential.Proof[0]).Pointer(), reflect.ValueOf(proofs[0]).Pointer(); got != want {
		t.Error("a proof without numbers was copied")
	}
	if reflect.ValueOf(doc.Credential.Proof[1]).Pointer() == reflect.ValueOf(proofs[1]).Pointer() {
		t.Error("a proof with a number is shared")
	}
	if n := doc.Credential.Proof[1]["n"]; n != 2.0 {
		t.Errorf("n = %#v, want float64 2", n)
	}
}

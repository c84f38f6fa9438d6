package ob3

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// checkOnePass holds onePass to encoding/json and to the token decoder:
// what it accepts, both accept, with the same value; its plain value is
// json.Unmarshal's into an any, and it is nil exactly when json.Unmarshal
// refuses a number.
func checkOnePass(t *testing.T, data []byte) {
	t.Helper()
	v, p, plainOK, ok := onePass(data, true)
	slow, slowErr := decodeTokens(data, true)
	if !ok {
		return
	}
	if slowErr != nil {
		t.Fatalf("onePass accepted what decodeTokens rejects: %v", slowErr)
	}
	if !reflect.DeepEqual(v, slow) {
		t.Fatalf("onePass = %#v, decodeTokens = %#v", v, slow)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var std any
	if err := dec.Decode(&std); err != nil {
		t.Fatalf("onePass accepted what encoding/json rejects: %v", err)
	}
	if !reflect.DeepEqual(v, std) {
		t.Fatalf("onePass = %#v, encoding/json = %#v", v, std)
	}
	var plain any
	err := json.Unmarshal(data, &plain)
	switch {
	case plainOK && err != nil:
		t.Fatalf("onePass built a plain value where json.Unmarshal fails: %v", err)
	case !plainOK && err == nil:
		t.Fatalf("onePass built no plain value where json.Unmarshal gives %#v", plain)
	case plainOK && !reflect.DeepEqual(p, plain):
		t.Fatalf("onePass plain = %#v, json.Unmarshal = %#v", p, plain)
	}
	if v2, p2, _, ok := onePass(data, false); !ok || p2 != nil || !reflect.DeepEqual(v2, v) {
		t.Fatalf("onePass without plain = %#v, %#v, %v", v2, p2, ok)
	}
}

// FuzzOnePass is the differential fuzz target of the hand-written decoder
// against encoding/json and decodeTokens.
func FuzzOnePass(f *testing.F) {
	for _, name := range valueCorpus(f) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range onePassCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > DefaultMaxSize {
			return
		}
		checkOnePass(t, data)
	})
}

var onePassCases = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `-0.5e+10`, `1E-3`, `"x"`, ` {"a" : [ 1 , 2 ] } `,
	`{"a":1,"a":2}`, `{"\u0061":1,"a":2}`, `{"a":{"b":[1,{"b":2}]},"b":"\u00e9"}`,
	`{"a":"\"}\\\/\b\f\n\r\t"}`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00\ud83d"`, `"\ud83dx"`, `"\u00"`,
	"{\"\xff\":1}", "\"\xc3\xa9\"", "\"\xc3\"", "\"a\x01\"", `{"a":1} x`, `{"a":1,}`, `[1,]`, `01`, `1.`, `.5`,
	`-`, `1e`, `1e+`, `1e400`, `{"n":[1e400]}`, `{"a":[[[[]]]]}`, `tru`, `nul`, `{"a" 1}`, `{1:2}`, "\ufeff{}",
	`{"a":{"x":"y"},"b":[1,{"c":"d"}],"c":{"d":2.5}}`,
	`{"a":[1,{"b":2},"x",[3,"y",4]],"c":"d","e":{"f":[{"g":1.5}],"h":"i","j":0}}`, `[[1],[],{"a":[2]},3]`,
	"\"a\x7fb\"", "\"\\\"\x01\"", "{\"a\x01\\n\":1}", "\"\x1f\"", "\"\xe2\x82\xac\\u00e9\"", `"\\"`, `"a\"b"`,
}

func TestOnePass(t *testing.T) {
	for _, s := range onePassCases {
		t.Run(s, func(t *testing.T) { checkOnePass(t, []byte(s)) })
	}
	for _, name := range valueCorpus(t) {
		checkOnePass(t, mustRead(t, name))
	}
}

// TestOnePassDeclines lists what onePass leaves to the decoders after it,
// which report the error or the value encoding/json gives.
func TestOnePassDeclines(t *testing.T) {
	for _, s := range []string{
		`{"a":1,"b":{"c":2},"a":3}`, `{"\u0061":1,"a":2}`, "{\"\xff\":1,\"\xfe\":2}", "\"\xff\"",
		`"\ud83d"`, `{"a":1} {}`, `{"a":1,}`, `[` + string(bytes.Repeat([]byte("["), fastMaxDepth)) + `]`,
	} {
		if _, _, _, ok := onePass([]byte(s), true); ok {
			t.Errorf("onePass accepted %q", s)
		}
	}
}

// TestOnePassShares checks that the plain value shares every subtree
// without a number and copies the ones with one.
func TestOnePassShares(t *testing.T) {
	v, p, plainOK, ok := onePass([]byte(`{"a":{"x":"y"},"b":[1,{"c":"d"}],"c":{"d":2.5}}`), true)
	if !ok || !plainOK {
		t.Fatal("declined")
	}
	vm, pm := v.(map[string]any), p.(map[string]any)
	if reflect.ValueOf(vm).Pointer() == reflect.ValueOf(pm).Pointer() {
		t.Fatal("the top level holds numbers but is shared")
	}
	if reflect.ValueOf(vm["a"]).Pointer() != reflect.ValueOf(pm["a"]).Pointer() {
		t.Error("a has no number but is copied")
	}
	if reflect.ValueOf(vm["b"].([]any)[1]).Pointer() != reflect.ValueOf(pm["b"].([]any)[1]).Pointer() {
		t.Error("b[1] has no number but is copied")
	}
	if pm["c"].(map[string]any)["d"] != 2.5 || vm["c"].(map[string]any)["d"] != json.Number("2.5") {
		t.Errorf("c = %#v / %#v", vm["c"], pm["c"])
	}
	if _, p, plainOK, ok := onePass([]byte(`{"n":[1e400]}`), true); !ok || plainOK || p != nil {
		t.Errorf("a number beyond float64: plain %#v, %v, %v", p, plainOK, ok)
	}
}

func TestParseDocumentPlain(t *testing.T) {
	built := 0
	for _, name := range valueCorpus(t) {
		data := mustRead(t, name)
		doc, err := ParseDocument(data, ParseOptions{})
		if err != nil || doc.Plain == nil {
			continue
		}
		built++
		want, err := PlainValue(doc.Value)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(any(doc.Plain), want) {
			t.Fatalf("%s: Plain = %#v, want %#v", name, doc.Plain, want)
		}
	}
	if built == 0 {
		t.Fatal("no document of the corpus has a Plain value")
	}
}

// TestFieldNamesUnique: no type the mirror reads has two fields of one
// JSON name, so byName, which keeps the first, misses none.
func TestFieldNamesUnique(t *testing.T) {
	for ty, ti := range typeInfos() {
		if len(ti.byName) != len(ti.fields) {
			t.Errorf("%v: %d fields, %d names", ty, len(ti.fields), len(ti.byName))
		}
	}
}

// TestMirrorTaken: the struct mirror reads the benchmark credentials
// itself, without falling back to decoding the text.
func TestMirrorTaken(t *testing.T) {
	files, err := filepath.Glob("../testdata/bench/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no benchmark credentials: %v", err)
	}
	for _, name := range files {
		obj, err := ParseOptions{}.decodeCredential(mustRead(t, name))
		if err != nil {
			t.Fatal(err)
		}
		var c Credential
		if err := structFromValue(obj, reflect.ValueOf(&c).Elem()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestBoxString holds every string boxString boxes from a constant, and
// strings it does not know, to the string it was given: a case returning
// another constant would change the document.
func TestBoxString(t *testing.T) {
	for _, s := range []string{
		"VerifiableCredential",
		"OpenBadgeCredential",
		"EndorsementCredential",
		"ClrCredential",
		"AchievementSubject",
		"EndorsementSubject",
		"ClrSubject",
		"Achievement",
		"Profile",
		"Image",
		"Address",
		"Evidence",
		"Alignment",
		"Criteria",
		"Result",
		"ResultDescription",
		"RubricCriterionLevel",
		"IdentityObject",
		"identityHash",
		"BitstringStatusListEntry",
		"revocation",
		"1EdTechJsonSchemaValidator2019",
		"DataIntegrityProof",
		"eddsa-rdfc-2022",
		"assertionMethod",
		"https://www.w3.org/ns/credentials/v2",
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
		"", "Achievement ", "achievement", "https://www.w3.org/ns/credentials/v2#x",
	} {
		got, ok := boxString(s).(string)
		if !ok || got != s {
			t.Errorf("boxString(%q) = %#v", s, boxString(s))
		}
	}
}

// TestOnePassArraysDoNotShare holds that arrays carved from one slab
// stay apart: appending to one, or writing into it, leaves its
// neighbours as decoded.
func TestOnePassArraysDoNotShare(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"strings", `{"a":["x","y"],"b":["z"],"c":["w","v","u"]}`},
		{"numbers", `{"a":[1,2],"b":[3],"c":[4,5,6]}`},
		{"nested", `{"a":[["x"],["y"]],"b":[["z"]],"c":[["t"]]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, plain := range []bool{false, true} {
				v, p, _, ok := onePass([]byte(tt.doc), plain)
				if !ok {
					t.Fatalf("onePass refused %s", tt.doc)
				}
				for _, got := range []any{v, p} {
					m, isMap := got.(map[string]any)
					if !isMap {
						continue // p is nil when not plain
					}
					before := fmt.Sprint(m["b"], m["c"])
					a := m["a"].([]any)
					a[0] = "overwritten"
					_ = append(a, "appended")
					_ = append(m["b"].([]any), "appended")
					if after := fmt.Sprint(m["b"], m["c"]); after != before {
						t.Fatalf("plain %v: changing a changed b and c from %s to %s", plain, before, after)
					}
				}
			}
		})
	}
}

// TestWordSpecial holds wordSpecial to a byte-by-byte check, for every
// byte value at every position of a word of plain bytes.
func TestWordSpecial(t *testing.T) {
	for pos := range 8 {
		for c := range 256 {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			want := c < 0x20 || c >= 0x80 || c == '\\'
			if got := wordSpecial(binary.LittleEndian.Uint64(w)); got != want {
				t.Fatalf("byte %#x at %d: wordSpecial = %v", c, pos, got)
			}
		}
	}
	if wordSpecial(binary.LittleEndian.Uint64([]byte(" ~!\x7f\"[]}"))) {
		t.Fatal("plain bytes reported special")
	}
	// Two bytes next to the thresholds at any two positions: the
	// subtractions borrow from byte to byte, which one byte alone does
	// not exercise.
	near := []byte{0, 1, 0x1e, 0x1f, 0x20, 0x21, 0x5b, 0x5c, 0x5d, 0x7e, 0x7f, 0x80, 0x81, 0xdc, 0xff}
	special := func(c byte) bool { return c < 0x20 || c >= 0x80 || c == '\\' }
	for _, a := range near {
		for _, b := range near {
			for pa := range 8 {
				for pb := range 8 {
					w := []byte("abcdefgh")
					w[pa], w[pb] = a, b
					want := special(w[pa]) || special(w[pb])
					if got := wordSpecial(binary.LittleEndian.Uint64(w)); got != want {
						t.Fatalf("%q: wordSpecial = %v", w, got)
					}
				}
			}
		}
	}
}

// TestOnePassStringOffsets puts each byte the word-at-a-time string scan
// looks for (and its neighbours) at every offset of a string, itself at
// every alignment, as a value and as a key, closed or not: onePass holds
// to encoding/json wherever the special byte falls in a word.
func TestOnePassStringOffsets(t *testing.T) {
	specials := []string{"\x00", "\x01", "\x1f", " ", "\x7f", "\x80", "\xff", "\xc3\xa9", "\xc3", "\xe2\x80\xa8",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", `\\`, `\\\\`, `\"`, `\\\"`, `\\\\\"`, `"`, `\u0061`, `\ud83d\ude00`,
		`\ud83d`, `\u00`, `\x`, `\/`, "\t", "\n", "[", "]"}
	for pre := range 8 {
		lead := strings.Repeat(" ", pre)
		for off := range 18 {
			for _, sp := range specials {
				for _, tail := range []string{"", "bcdefghij", "\x01", "\xff", `\n`} {
					s := strings.Repeat("a", off) + sp + tail
					for _, doc := range []string{
						lead + `"` + s + `"`,
						lead + `{"` + s + `":1}`,
						lead + `{"k":"` + s + `"}`,
						lead + `["` + s,
					} {
						checkOnePass(t, []byte(doc))
					}
				}
			}
		}
	}
}

package ob3

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/corpus/*/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"issuer":"x","credentialSubject":{"type":"ClrSubject","verifiableCredential":[{}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, ParseOptions{})
		if err != nil {
			return
		}
		_ = Validate(c)
		_ = ValidateSchema(data)
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal of a parsed credential: %v", err)
		}
		c2, err := Parse(out, ParseOptions{MaxSize: int64(len(out)) + 1})
		if err != nil {
			t.Fatalf("reparse of %s: %v", out, err)
		}
		out2, err := json.Marshal(c2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip unstable:\n%s\n%s", out, out2)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	data := mustRead(b, "testdata/corpus/good/ob-full.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, ParseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	c, err := Parse(mustRead(b, "testdata/corpus/good/ob-full.json"), ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate(c); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzExpandCompacted checks, for every document ParseDocument accepts,
// that Parse and ParseDocument read it the same way (compacted forms
// included), and that ExpandCompacted leaves its input alone, is
// idempotent and gives a document that still parses.
func FuzzExpandCompacted(f *testing.F) {
	files, err := filepath.Glob("testdata/corpus/*/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"OpenBadgeCredential","image":"https://x.example/i.png","endorsement":{"proof":{"type":"DataIntegrityProof"},"type":"EndorsementCredential"},"credentialSubject":{"type":"AchievementSubject","identifier":{"type":"IdentityObject"},"achievement":{"tag":"t","image":"i"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDocument(data, ParseOptions{})
		if err != nil {
			return
		}
		c, err := Parse(data, ParseOptions{})
		if err != nil {
			t.Fatalf("ParseDocument accepted what Parse refuses: %v", err)
		}
		// Extra values are re-encoded by ParseDocument (key order may
		// differ), so the two are compared as JSON values.
		a, errA := json.Marshal(c)
		b, errB := json.Marshal(d.Credential)
		var va, vb any
		if errA != nil || errB != nil || json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil || !reflect.DeepEqual(va, vb) {
			t.Fatalf("Parse and ParseDocument differ:\n%s\n%s", a, b)
		}
		before, err := json.Marshal(d.Value)
		if err != nil {
			t.Fatal(err)
		}
		expanded, _ := ExpandCompacted(d.Value)
		after, err := json.Marshal(d.Value)
		if err != nil || !bytes.Equal(before, after) {
			t.Fatalf("ExpandCompacted modified its input")
		}
		if _, again := ExpandCompacted(expanded); len(again) != 0 {
			t.Fatalf("ExpandCompacted not idempotent: %+v left", again)
		}
		out, err := json.Marshal(expanded)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseDocument(out, ParseOptions{MaxSize: int64(len(out)) + 1}); err != nil {
			t.Fatalf("expanded document refused: %v\n%s", err, out)
		}
	})
}

func BenchmarkExpandCompacted(b *testing.B) {
	d, err := ParseDocument(mustRead(b, "testdata/corpus/good/ob-full.json"), ParseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ExpandCompacted(d.Value)
	}
}

package ob3

import (
	"reflect"
	"strings"
	"testing"
)

// BenchmarkParseDocument decodes the realistic benchmark credentials as
// the verifier does, whole and by stage: the one-pass decode with the
// type check (decode) and the typed copy Validate reads (typed).
func BenchmarkParseDocument(b *testing.B) {
	for _, name := range []string{"ob50:../testdata/bench/ob-50.json", "ob150:../testdata/bench/ob-150.json",
		"endorsement:../testdata/bench/endorsement.json", "clr10:../testdata/bench/clr-10.json"} {
		label, file, _ := strings.Cut(name, ":")
		data := mustRead(b, file)
		b.Run(label+"/whole", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := ParseDocument(data, ParseOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(label+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := (ParseOptions{}).decodeCredentialPlain(data, true); err != nil {
					b.Fatal(err)
				}
			}
		})
		obj, _, err := (ParseOptions{}).decodeCredentialPlain(data, true)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(label+"/typed", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var c Credential
				if err := structFromValue(obj, reflect.ValueOf(&c).Elem()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

package ob3

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/cputime"
)

// cpuMetric reports, beside ns/op, the process CPU time per operation
// spent from start ("cpu-ns/op"): with -cpu 1, the benchmark and its
// garbage collection, which other processes on a busy machine do not
// inflate as they do the wall clock.
func cpuMetric(b *testing.B, start time.Duration, ok bool) {
	if end, ok2 := cputime.Process(); ok && ok2 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkParseDocument decodes the realistic benchmark credentials as
// the verifier does, whole and by stage: the one-pass decode (decode) and
// the typed copy Validate reads (typed), which stands for the type check.
func BenchmarkParseDocument(b *testing.B) {
	for _, name := range []string{"ob50:../testdata/bench/ob-50.json", "ob150:../testdata/bench/ob-150.json",
		"endorsement:../testdata/bench/endorsement.json", "clr10:../testdata/bench/clr-10.json"} {
		label, file, _ := strings.Cut(name, ":")
		data := mustRead(b, file)
		b.Run(label+"/whole", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			start, ok := cputime.Process()
			for b.Loop() {
				if _, err := ParseDocument(data, ParseOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			cpuMetric(b, start, ok)
		})
		b.Run(label+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			start, ok := cputime.Process()
			for b.Loop() {
				if _, _, err := (ParseOptions{}).decodeObjectPlain(data, true); err != nil {
					b.Fatal(err)
				}
			}
			cpuMetric(b, start, ok)
		})
		obj, _, err := (ParseOptions{}).decodeObjectPlain(data, true)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(label+"/typed", func(b *testing.B) {
			b.ReportAllocs()
			start, ok := cputime.Process()
			for b.Loop() {
				var c Credential
				if err := structFromValue(obj, reflect.ValueOf(&c).Elem()); err != nil {
					b.Fatal(err)
				}
			}
			cpuMetric(b, start, ok)
		})
	}
}

package verifier

import (
	"strings"
	"testing"
)

// TestStatementDifferences: the number and @json differences are reported
// from the statements exactly when they apply.
func TestStatementDifferences(t *testing.T) {
	const s = `<urn:a> <urn:p> `
	tests := []struct {
		name string
		nq   string
		want []string // substrings, one per difference
	}{
		{"small integer float", s + `"5"^^<https://www.w3.org/2001/XMLSchema#float> .` + "\n", nil},
		{"plain decimal double", s + `"1.5E0"^^<http://www.w3.org/2001/XMLSchema#double> .` + "\n", nil},
		{"large double in exponent form", s + `"1.0E19"^^<http://www.w3.org/2001/XMLSchema#double> .` + "\n", []string{"1.0E19"}},
		{"large float", s + `"10000000000000000000"^^<https://www.w3.org/2001/XMLSchema#float> .` + "\n", []string{"10000000000000000000"}},
		{"tiny float", s + `"0.0000001"^^<https://www.w3.org/2001/XMLSchema#float> .` + "\n", []string{"0.0000001"}},
		{"integer typed integer", s + `"10000000000000000000"^^<http://www.w3.org/2001/XMLSchema#integer> .` + "\n", nil},
		{"number in a string", s + `"1.0E19" .` + "\n", nil},
		{"@json", s + `"{\"a\":1}"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON> .` + "\n", []string{"@json"}},
		{"nothing", s + `"x" .` + "\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := statementDifferences(tc.nq)
			if len(got) != len(tc.want) {
				t.Fatalf("differences %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("difference %q lacks %q", got[i], w)
				}
			}
		})
	}
}

package issuer

import "testing"

// TestSelfCheckSample: by default every credential is re-verified; with
// VerifyEvery n, the first and every n-th after it.
func TestSelfCheckSample(t *testing.T) {
	for _, tc := range []struct {
		every int
		want  string
	}{
		{0, "cccccc"},
		{1, "cccccc"},
		{-5, "cccccc"},
		{3, "c..c..c"},
		{1000, "c......"},
	} {
		is := &Issuer{cfg: Config{VerifyEvery: tc.every}}
		got := ""
		for range len(tc.want) {
			if is.selfCheckNext() {
				got += "c"
			} else {
				got += "."
			}
		}
		if got != tc.want {
			t.Errorf("VerifyEvery %d: checks %q, want %q", tc.every, got, tc.want)
		}
	}
}

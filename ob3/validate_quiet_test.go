package ob3

import (
	"testing"
)

// TestValidateQuietCounts: the quiet pass Validate runs first finds as
// many problems as the pass that describes them, on every corpus document
// (valid or not), so a credential with problems is never passed.
func TestValidateQuietCounts(t *testing.T) {
	withProblems := 0
	for _, name := range valueCorpus(t) {
		c, err := Parse(mustRead(t, name), ParseOptions{})
		if err != nil {
			continue
		}
		quiet := &validator{quiet: true}
		quiet.credential(c, "")
		full := &validator{}
		full.credential(c, "")
		if quiet.found != len(full.problems) || len(quiet.problems) != 0 {
			t.Fatalf("%s: quiet pass found %d, full pass %d: %v", name, quiet.found, len(full.problems), full.problems)
		}
		if quiet.found > 0 {
			withProblems++
		}
	}
	if withProblems == 0 {
		t.Fatal("no corpus document has a data model problem")
	}
}

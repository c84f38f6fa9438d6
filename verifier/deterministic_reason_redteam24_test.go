package verifier_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/verifier"
)

// TestDeterministicReasonRedteam24: the same input gets the same reasons
// every run. json-gold defines an inline context's terms in map order, so
// with several invalid term definitions it named whichever it met first
// (found by the red team's differential fuzzing of two verifier versions:
// same verdict and statuses, different reason text).
func TestDeterministicReasonRedteam24(t *testing.T) {
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return time.Unix(1.8e9, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte(`{"@context": { "71": [ 78], "80": ["7"]}}`)
	reasons := map[string]int{}
	for range 40 {
		res, _ := v.Verify(context.Background(), doc)
		for _, c := range res.Checks {
			reasons[string(c.Check)+": "+c.Reason]++
		}
	}
	// Every check has one reason over all runs.
	checks := map[string]bool{}
	for r := range reasons {
		name, _, _ := strings.Cut(r, ": ")
		if checks[name] {
			t.Errorf("check %s gave different reasons over 40 runs: %v", name, reasons)
		}
		checks[name] = true
	}
}

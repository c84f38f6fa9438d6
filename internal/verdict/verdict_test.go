package verdict_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/badgesmith/badgesmith/internal/verdict"
)

// joined wraps two errors, as a refusal that names its cause does.
type joined struct{ outer, cause error }

func (j joined) Error() string   { return j.outer.Error() + ": " + j.cause.Error() }
func (j joined) Unwrap() []error { return []error{j.outer, j.cause} }

func TestOf(t *testing.T) {
	bad := verdict.NewInvalid("bad signature")
	unknown := verdict.NewInconclusive("document not found")
	tests := []struct {
		name       string
		err        error
		want       verdict.Kind
		classified bool
	}{
		{"invalid sentinel", bad, verdict.Invalid, true},
		{"inconclusive sentinel", unknown, verdict.Inconclusive, true},
		{"wrapped invalid", fmt.Errorf("proof[0]: %w", bad), verdict.Invalid, true},
		{"unclassified is inconclusive", errors.New("something odd"), verdict.Inconclusive, false},
		{"nil is inconclusive", nil, verdict.Inconclusive, false},
		{"outer inconclusive wins over an invalid cause", fmt.Errorf("%w: %w", unknown, bad), verdict.Inconclusive, true},
		{"outer invalid wins over an inconclusive cause", joined{bad, unknown}, verdict.Invalid, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := verdict.Of(tc.err); got != tc.want {
				t.Errorf("Of = %s, want %s", got, tc.want)
			}
			if got := verdict.Classified(tc.err); got != tc.classified {
				t.Errorf("Classified = %v, want %v", got, tc.classified)
			}
		})
	}
	if !errors.Is(fmt.Errorf("x: %w", bad), bad) {
		t.Error("a Reason is not found by errors.Is through a wrap")
	}
}

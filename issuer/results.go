package issuer

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/badgesmith/badgesmith/ob3"
)

// ErrResult marks a result the issuer refuses: a value outside its
// ResultDescription's allowedValue or range, a requiredValue or
// requiredLevel not met, or a requirement that cannot be compared. It is
// wrapped together with ErrInvalidInput.
var ErrResult = errors.New("result refused")

// ResultError is a refused result of the credential subject: its index in
// credentialSubject.result, the field at fault and the id of its
// ResultDescription, so a batch can name the roster column it came from.
type ResultError struct {
	// Index is the result's index in credentialSubject.result.
	Index int
	// Field is "value" or "achievedLevel".
	Field string
	// ResultDescription is the id of the result's description.
	ResultDescription string
	// Err says what is wrong; it wraps ErrResult and ErrInvalidInput.
	Err error
}

func (e *ResultError) Error() string {
	return fmt.Sprintf("credentialSubject.result[%d].%s: %v", e.Index, e.Field, e.Err)
}

func (e *ResultError) Unwrap() error { return e.Err }

// numericResultTypes are the result types whose values are decimals.
var numericResultTypes = []ob3.ResultType{
	ob3.ResultTypeGradePointAverage, ob3.ResultTypePercent, ob3.ResultTypePredictedScore,
	ob3.ResultTypeRawScore, ob3.ResultTypeRubricScore, ob3.ResultTypeScaledScore,
}

var decimalRe = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$`)

// decimal parses a plain decimal number ("3.5", "-2", ".75").
func decimal(s string) (*big.Rat, bool) {
	if !decimalRe.MatchString(s) {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// checkResults refuses a subject's results that do not fit their
// ResultDescription in the achievement:
//
//   - a value not among a non-empty allowedValue;
//   - for a numeric resultType (GradePointAverage, Percent, PredictedScore,
//     RawScore, RubricScore, ScaledScore) without allowedValue, a value
//     that is not a decimal or lies outside valueMin..valueMax;
//   - a value below requiredValue: compared by position in allowedValue,
//     which lists the values from lowest to highest; else as decimals for
//     a numeric resultType; otherwise the requirement is not comparable
//     and refused;
//   - an achievedLevel that is not a level of the rubric, or below
//     requiredLevel, the rubric's levels listed from lowest to highest.
//
// A result naming no known description is left to the schema.
func checkResults(c *ob3.Credential) error {
	if c == nil || c.CredentialSubject == nil || c.CredentialSubject.Achievement == nil {
		return nil
	}
	s := c.CredentialSubject.Achievement
	if s.Achievement == nil {
		return nil
	}
	for i, r := range s.Result {
		j := slices.IndexFunc(s.Achievement.ResultDescription, func(rd ob3.ResultDescription) bool {
			return rd.ID != "" && rd.ID == r.ResultDescription
		})
		if j < 0 {
			continue
		}
		rd := &s.Achievement.ResultDescription[j]
		fail := func(field, format string, args ...any) error {
			return &ResultError{Index: i, Field: field, ResultDescription: rd.ID,
				Err: fmt.Errorf("%w: %w: %s", ErrInvalidInput, ErrResult, fmt.Sprintf(format, args...))}
		}
		if r.Value != "" {
			if err := checkValue(rd, r.Value); err != "" {
				return fail("value", "%s", err)
			}
		}
		if r.AchievedLevel != "" && len(rd.RubricCriterionLevel) > 0 {
			if err := checkLevel(rd, r.AchievedLevel); err != "" {
				return fail("achievedLevel", "%s", err)
			}
		}
	}
	return nil
}

// checkValue says what is wrong with value for rd, or "".
func checkValue(rd *ob3.ResultDescription, value string) string {
	allowed := rd.AllowedValue
	numeric := slices.Contains(numericResultTypes, rd.ResultType)
	pos := slices.Index(allowed, value)
	if len(allowed) > 0 && pos < 0 {
		return fmt.Sprintf("%q is not an allowed value of %s (allowedValue: %s)", value, rd.ID, strings.Join(allowed, ", "))
	}
	var v *big.Rat
	if numeric && len(allowed) == 0 {
		var ok bool
		if v, ok = decimal(value); !ok {
			return fmt.Sprintf("%q is not a decimal number, as a %s result of %s must be", value, rd.ResultType, rd.ID)
		}
		for _, b := range []struct {
			name, bound string
			bad         func(int) bool
		}{{"valueMin", rd.ValueMin, func(c int) bool { return c < 0 }}, {"valueMax", rd.ValueMax, func(c int) bool { return c > 0 }}} {
			if b.bound == "" {
				continue
			}
			lim, ok := decimal(b.bound)
			if !ok {
				return fmt.Sprintf("%s %q of %s is not a decimal number", b.name, b.bound, rd.ID)
			}
			if b.bad(v.Cmp(lim)) {
				return fmt.Sprintf("%s is outside %s's range (%s %s)", value, rd.ID, b.name, b.bound)
			}
		}
	}
	if rd.RequiredValue == "" {
		return ""
	}
	switch {
	case len(allowed) > 0:
		rpos := slices.Index(allowed, rd.RequiredValue)
		if rpos < 0 {
			return fmt.Sprintf("requiredValue %q of %s is not one of its allowedValue, so a result cannot be compared with it", rd.RequiredValue, rd.ID)
		}
		if pos < rpos {
			return fmt.Sprintf("%q does not meet requiredValue %q of %s (allowedValue, lowest first: %s)", value, rd.RequiredValue, rd.ID, strings.Join(allowed, ", "))
		}
	case numeric:
		req, ok := decimal(rd.RequiredValue)
		if !ok {
			return fmt.Sprintf("requiredValue %q of %s is not a decimal number, so a result cannot be compared with it", rd.RequiredValue, rd.ID)
		}
		if v.Cmp(req) < 0 {
			return fmt.Sprintf("%s does not meet requiredValue %s of %s", value, rd.RequiredValue, rd.ID)
		}
	default:
		return fmt.Sprintf("requiredValue %q of %s cannot be compared: it has no allowedValue and resultType %s is not numeric", rd.RequiredValue, rd.ID, rd.ResultType)
	}
	return ""
}

// checkLevel says what is wrong with the achieved rubric level for rd, or
// "".
func checkLevel(rd *ob3.ResultDescription, level string) string {
	levels := rd.RubricCriterionLevel
	ids := make([]string, len(levels))
	for i, l := range levels {
		ids[i] = l.ID
	}
	pos := slices.Index(ids, level)
	if pos < 0 {
		return fmt.Sprintf("%q is not a rubric level of %s (levels: %s)", level, rd.ID, strings.Join(ids, ", "))
	}
	if rd.RequiredLevel == "" {
		return ""
	}
	rpos := slices.Index(ids, rd.RequiredLevel)
	if rpos < 0 {
		return fmt.Sprintf("requiredLevel %q of %s is not one of its rubric levels, so a result cannot be compared with it", rd.RequiredLevel, rd.ID)
	}
	if pos < rpos {
		return fmt.Sprintf("%q is below requiredLevel %q of %s (levels, lowest first: %s)", level, rd.RequiredLevel, rd.ID, strings.Join(ids, ", "))
	}
	return ""
}

// CheckResultValue checks value as a result of rd, as Build checks every
// result's value (see checkResults): nil, or an error wrapping
// ErrInvalidInput and ErrResult that says what is wrong.
func CheckResultValue(rd *ob3.ResultDescription, value string) error {
	if msg := checkValue(rd, value); msg != "" {
		return fmt.Errorf("%w: %w: %s", ErrInvalidInput, ErrResult, msg)
	}
	return nil
}

// CheckResultLevel checks the rubric level id level as the achievedLevel
// of a result of rd, as Build does: nil, or an error wrapping
// ErrInvalidInput and ErrResult.
func CheckResultLevel(rd *ob3.ResultDescription, level string) error {
	if msg := checkLevel(rd, level); msg != "" {
		return fmt.Errorf("%w: %w: %s", ErrInvalidInput, ErrResult, msg)
	}
	return nil
}

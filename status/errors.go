package status

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers branch on them with errors.Is; Code maps them to
// the error codes of Bitstring Status List 1.0 section 3.6.
var (
	// ErrRange reports an index, value or status size outside what the list
	// can hold (RANGE_ERROR).
	ErrRange = errors.New("status value out of range")
	// ErrListLength reports a list with fewer than MinEntries entries
	// (STATUS_LIST_LENGTH_ERROR).
	ErrListLength = errors.New("status list shorter than the minimum")
	// ErrTooLarge reports an encoded or decompressed list beyond the
	// configured cap, such as a gzip bomb.
	ErrTooLarge = errors.New("status list larger than the limit")
	// ErrBudget reports that the decompression budget shared by the lists
	// read for one credential (DecodeOptions.Budget) ran out.
	ErrBudget = errors.New("status list decompression budget exhausted")
	// ErrMalformed reports an encoded list or list credential subject that
	// cannot be decoded (MALFORMED_VALUE_ERROR).
	ErrMalformed = errors.New("malformed status list")
	// ErrInvalidEntry reports a credentialStatus entry that breaks the data
	// model; every *FieldError matches it.
	ErrInvalidEntry = errors.New("invalid status entry")
	// ErrUnsupportedType reports a credentialStatus type this package does
	// not implement; it comes wrapped in a *FieldError for "type".
	ErrUnsupportedType = errors.New("unsupported status type")
	// ErrMismatch reports an entry that does not belong to the list it
	// points at: its purpose or type is not the list's
	// (STATUS_VERIFICATION_ERROR).
	ErrMismatch = errors.New("status entry does not match the list")
	// ErrFull reports that no unused index is left.
	ErrFull = errors.New("status list full")
)

// ErrorTypeBase is the prefix of the error type URLs that Bitstring Status
// List 1.0 defines; append a Code result to it.
const ErrorTypeBase = "https://www.w3.org/ns/credentials/status-list#"

// Code returns the Bitstring Status List 1.0 error code for err, or "" when
// err is nil or not one of ours. ErrTooLarge maps to
// STATUS_LIST_LENGTH_ERROR because the spec has no code for an oversized
// list and its length is what is wrong; so does ErrBudget.
func Code(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrRange):
		return "RANGE_ERROR"
	case errors.Is(err, ErrListLength), errors.Is(err, ErrTooLarge), errors.Is(err, ErrBudget):
		return "STATUS_LIST_LENGTH_ERROR"
	case errors.Is(err, ErrMismatch):
		return "STATUS_VERIFICATION_ERROR"
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrInvalidEntry):
		return "MALFORMED_VALUE_ERROR"
	}
	return ""
}

// FieldError reports a bad field of a credentialStatus entry. Field is the
// path inside the entry ("statusListIndex", "statusMessage[2].status");
// callers prefix their own path. errors.Is(err, ErrInvalidEntry) holds for
// every FieldError.
type FieldError struct {
	Field string
	Err   error
}

// Error returns "field: reason".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Err.Error()
	}
	return e.Field + ": " + e.Err.Error()
}

// Unwrap returns the underlying reason.
func (e *FieldError) Unwrap() error { return e.Err }

// Is makes every FieldError match ErrInvalidEntry.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidEntry }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

package ob3

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors wrapped by *ParseError and Parse, for callers to branch on
// with errors.Is.
var (
	// ErrTooLarge means the document exceeds ParseOptions.MaxSize.
	ErrTooLarge = errors.New("document too large")
	// ErrSyntax means the document is not well-formed JSON.
	ErrSyntax = errors.New("malformed json")
	// ErrDuplicateKey means a JSON object repeats a property name, which
	// JSON-LD processors resolve differently.
	ErrDuplicateKey = errors.New("duplicate property")
	// ErrWrongType means a property has a JSON type the data model does not
	// allow (a number where a string belongs, say).
	ErrWrongType = errors.New("wrong json type")
	// ErrTooDeep means the document nests deeper than any credential needs.
	ErrTooDeep = errors.New("nesting too deep")
	// ErrUnknownSchema means no embedded schema matches the requested URL
	// or document.
	ErrUnknownSchema = errors.New("unknown schema")
)

// ParseError reports where a document failed to parse: the JSON path for
// type errors, the byte offset, line and column for syntax errors.
type ParseError struct {
	Path   string // JSON path such as credentialSubject.achievement.name; "" for the document
	Offset int64  // byte offset of the problem, -1 when unknown
	Line   int    // 1-based line of Offset, 0 when unknown
	Column int    // 1-based column (in bytes) of Offset, 0 when unknown
	Msg    string // what is wrong
	Err    error  // one of the sentinels above
}

// Error formats the problem with its location.
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d (offset %d): ", e.Line, e.Column, e.Offset)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// JSONPath returns the path of the offending value.
func (e *ParseError) JSONPath() string { return e.Path }

// Problem is one rule a credential breaks, at a JSON path.
type Problem struct {
	Path    string // JSON path, e.g. credentialSubject.identifier[0].identityType
	Message string
}

// String formats the problem as "path: message".
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ValidationError lists every problem Validate or a schema found. Source
// says which check produced it: "data model" or a schema URL.
type ValidationError struct {
	Source   string
	Problems []Problem
}

// Error summarises the problems.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		b.WriteString(": ")
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// JSONPath returns the path of the first problem.
func (e *ValidationError) JSONPath() string {
	if len(e.Problems) == 0 {
		return ""
	}
	return e.Problems[0].Path
}

// decodeError carries a property path out of nested UnmarshalJSON calls.
type decodeError struct {
	path string
	err  error
}

func (e *decodeError) Error() string    { return e.path + ": " + e.err.Error() }
func (e *decodeError) Unwrap() error    { return e.err }
func (e *decodeError) JSONPath() string { return e.path }

func prefixPath(name string, err error) error {
	var de *decodeError
	if errors.As(err, &de) {
		return &decodeError{path: joinPath(name, de.path), err: de.err}
	}
	return &decodeError{path: name, err: err}
}

func joinPath(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	case child[0] == '[':
		return parent + child
	}
	return parent + "." + child
}

func indexPath(parent string, i int) string {
	return fmt.Sprintf("%s[%d]", parent, i)
}

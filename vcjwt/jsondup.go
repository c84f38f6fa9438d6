package vcjwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ErrDuplicateMember means a JWT header or payload repeats a member name in
// one object. encoding/json keeps the last value, other readers the first,
// so the token could mean one thing to us and another to a second
// verifier; it is refused, as the JSON credential path refuses duplicate
// properties. It wraps ErrMalformed.
var ErrDuplicateMember = fmt.Errorf("%w: duplicate member", ErrMalformed)

// checkDuplicateMembers reports the first object in the JSON text raw that
// repeats a member name (compared after unescaping), with its path. Syntax
// errors are left to the decoder that reads raw afterwards.
func checkDuplicateMembers(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	// Each open object keeps the names seen so far; arrays keep a nil set
	// and count their elements for the path.
	type frame struct {
		names map[string]bool
		path  string
		key   string // the member whose value comes next (objects)
		index int    // the next element (arrays)
		isObj bool
		inKey bool // an object expects a name next
	}
	var stack []frame
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := &stack[len(stack)-1]
		if f.isObj {
			return joinMember(f.path, f.key)
		}
		p := f.path + "[" + strconv.Itoa(f.index) + "]"
		f.index++
		return p
	}
	// valueDone marks the end of a value: its object expects a name again.
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].isObj {
			stack[n-1].inKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // a syntax error: the decoder reports it
		}
		d, isDelim := tok.(json.Delim)
		if n := len(stack); n > 0 && stack[n-1].isObj && stack[n-1].inKey {
			if isDelim && d == '}' {
				stack = stack[:n-1]
				valueDone()
				continue
			}
			name, _ := tok.(string)
			f := &stack[n-1]
			if f.names[name] {
				return fmt.Errorf("%w %q at %s", ErrDuplicateMember, name, orTop(joinMember(f.path, name)))
			}
			f.names[name] = true
			f.key, f.inKey = name, false
			continue
		}
		switch {
		case isDelim && d == '{':
			stack = append(stack, frame{names: map[string]bool{}, path: child(), isObj: true, inKey: true})
		case isDelim && d == '[':
			stack = append(stack, frame{path: child()})
		case isDelim: // ']': an object ends above, only with a name expected
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			child()
			valueDone()
		}
	}
}

// joinMember appends a member name to a dotted path.
func joinMember(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orTop(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

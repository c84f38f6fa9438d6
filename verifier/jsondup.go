package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// errDuplicateMember means a JSON object repeats a member name: encoding/json
// keeps the last value, other readers the first, so the document could
// mean one thing to the verifier and another to whoever shows it. A JSON
// credential (ob3's parser) and a JWT (vcjwt) are refused for it; so is a
// JSON presentation, whose embedded credentials are re-encoded before
// Verify sees them.
var errDuplicateMember = errors.New("duplicate member")

// checkDuplicateMembers returns an error naming the first object of the
// JSON text data that repeats a member name (compared after unescaping),
// with its path. A syntax error is left to the decoder that reads data.
func checkDuplicateMembers(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		names map[string]bool // nil for an array
		path  string
		index int
	}
	var stack []frame
	// next is the path of the value about to be read.
	next := func(name string) string {
		if len(stack) == 0 {
			return ""
		}
		f := &stack[len(stack)-1]
		if f.names != nil {
			if f.path == "" {
				return name
			}
			return f.path + "." + name
		}
		p := f.path + "[" + strconv.Itoa(f.index) + "]"
		f.index++
		return p
	}
	key := ""
	expectKey := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil
		}
		if expectKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				expectKey = len(stack) > 0 && stack[len(stack)-1].names != nil
				continue
			}
			name, _ := tok.(string)
			f := &stack[len(stack)-1]
			if f.names[name] {
				return fmt.Errorf("%w %q at %s", errDuplicateMember, name, next(name))
			}
			f.names[name] = true
			key, expectKey = name, false
			continue
		}
		switch d, _ := tok.(json.Delim); d {
		case '{':
			stack = append(stack, frame{names: map[string]bool{}, path: next(key)})
			expectKey = true
		case '[':
			stack = append(stack, frame{path: next(key)})
		case ']':
			stack = stack[:len(stack)-1]
			expectKey = len(stack) > 0 && stack[len(stack)-1].names != nil
		default:
			// A scalar: the next token in an object is a name.
			next(key)
			expectKey = len(stack) > 0 && stack[len(stack)-1].names != nil
		}
	}
}

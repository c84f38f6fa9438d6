package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxInputFile bounds every JSON file the CLI reads as input.
const maxInputFile = 1 << 20

// readInput reads a file, or standard input for "-", refusing more than limit bytes.
func readInput(s streams, name string, limit int64) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = s.in
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w: over the %d-byte limit", name, errTooLarge, limit)
	}
	return data, nil
}

var errTooLarge = errors.New("input too large")

// readObject reads a JSON object from a file, naming the file and the
// position of a syntax error.
func readObject(s streams, name string) (map[string]any, error) {
	data, err := readInput(s, name, maxInputFile)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&obj); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:se.Offset], []byte("\n"))
			return nil, fmt.Errorf("%s: line %d: malformed json: %w", name, line, err)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: expected a json object, got %s", name, te.Value)
		}
		return nil, fmt.Errorf("%s: malformed json: %w", name, err)
	}
	if obj == nil {
		return nil, fmt.Errorf("%s: expected a json object, got null", name)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: trailing data after the json object", name)
	}
	return obj, nil
}

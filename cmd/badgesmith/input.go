package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// maxInputFile bounds every JSON file the CLI reads as input.
const maxInputFile = 1 << 20

// defaultReadTimeout bounds how long reading one input (a file or
// standard input) may take.
const defaultReadTimeout = time.Minute

// Input errors callers branch on.
var (
	errTooLarge = errors.New("input too large")
	// errNotRegular means an input path names a FIFO, a device, a socket or
	// a directory: reading one could block forever or never end.
	errNotRegular = errors.New("not a regular file")
	// errReadTimeout means an input was not read completely in time.
	errReadTimeout = errors.New("input not read in time")
)

// readInput reads a regular file, or standard input for "-", refusing more
// than limit bytes and giving up after timeout (or when ctx is done). Any
// other kind of file is refused before it is opened for reading.
func readInput(ctx context.Context, s streams, name string, limit int64, timeout time.Duration) ([]byte, error) {
	if name == "-" {
		return readBounded(ctx, s.in, "standard input", limit, timeout)
	}
	f, err := openRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readBounded(ctx, f, name, limit, timeout)
}

// openRegular opens name for reading if it is a regular file (after
// following links). The open does not block even if a FIFO has been put
// in its place meanwhile, and the opened file is checked again.
func openRegular(name string) (*os.File, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(name, fi.Mode())
	}
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, notRegular(name, fi.Mode())
	}
	return f, nil
}

func notRegular(name string, m fs.FileMode) error {
	what := "a special file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s: %w: it is %s; give a file, or - to read standard input", name, errNotRegular, what)
}

// readBounded reads r to the end, at most limit bytes, within timeout.
// A reader that supports read deadlines (a pipe, a terminal) is
// interrupted; any other is left blocked in a goroutine that ends with the
// process.
func readBounded(ctx context.Context, r io.Reader, name string, limit int64, timeout time.Duration) ([]byte, error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if d, ok := r.(interface{ SetReadDeadline(time.Time) error }); ok {
		stop := context.AfterFunc(ctx, func() { _ = d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := readAll(r, limit)
		done <- result{data, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
	}
	switch {
	case parent.Err() != nil:
		return nil, fmt.Errorf("reading %s: %w", name, parent.Err())
	case ctx.Err() != nil:
		return nil, fmt.Errorf("reading %s: %w: not complete after %s", name, errReadTimeout, timeout)
	case res.err != nil:
		return nil, fmt.Errorf("reading %s: %w", name, res.err)
	case int64(len(res.data)) > limit:
		return nil, fmt.Errorf("%s: %w: over the %d-byte limit", name, errTooLarge, limit)
	}
	return res.data, nil
}

// readAll is io.ReadAll of r's first limit+1 bytes, reading a regular file
// into a buffer of its size: two reads instead of a read per doubling of
// the buffer, which counts when verify reads thousands of files.
func readAll(r io.Reader, limit int64) ([]byte, error) {
	lr := io.LimitReader(r, limit+1)
	f, ok := r.(*os.File)
	if !ok {
		return io.ReadAll(lr)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return io.ReadAll(lr)
	}
	// One byte more than the size, so the read that reports the end
	// needs no new buffer (and a file grown meanwhile still reads whole).
	buf := make([]byte, 0, min(max(fi.Size(), 0), limit)+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// readObject reads a JSON object from a file, naming the file and the
// position of a syntax error.
func readObject(ctx context.Context, s streams, name string) (map[string]any, error) {
	data, err := readInput(ctx, s, name, maxInputFile, defaultReadTimeout)
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

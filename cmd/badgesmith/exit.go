package main

import (
	"errors"
	"fmt"

	"github.com/badgesmith/badgesmith/internal/display"
	"github.com/badgesmith/badgesmith/issuer"
)

// Exit codes, shared by every command.
const (
	exitOK      = 0 // success, or every credential valid
	exitInvalid = 1 // a check failed: the input is bad
	exitError   = 2 // usage error, or the input could not be checked
)

// errInvalid marks an error that means "a check failed" (exit 1) rather than
// "could not run" (exit 2). Commands wrap their verdict errors with it.
var errInvalid = errors.New("invalid")

// silentError carries an exit code for a failure the command has already
// reported on its own output.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitCode is the one place that maps errors to exit codes.
func exitCode(s streams, err error) int {
	if err == nil {
		return exitOK
	}
	var se *silentError
	if errors.As(err, &se) {
		return se.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		// Exit 2 is also "could not check": the words tell them apart.
		fmt.Fprintf(s.err, "badgesmith: usage error: %s\n", display.Text(err.Error()))
		return exitError
	}
	fmt.Fprintf(s.err, "badgesmith: %s\n", display.Text(err.Error()))
	if errors.Is(err, errInvalid) || errors.Is(err, issuer.ErrInvalidInput) {
		return exitInvalid
	}
	return exitError
}

//go:build !unix

package cputime

import "time"

// Process is unavailable here: the benchmarks report wall time only.
func Process() (time.Duration, bool) { return 0, false }

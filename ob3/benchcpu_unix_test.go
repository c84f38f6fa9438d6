//go:build unix

package ob3

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used so far, user and system.
// With GOMAXPROCS 1 (make bench-realistic runs -cpu 1) it is the time
// spent on the benchmark and its garbage collection, which, unlike the
// wall clock, other processes on a busy machine do not inflate.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// Package cputime reads the CPU time this process has used, which the
// benchmarks report beside the wall clock: other processes on a busy
// machine inflate the wall clock of an operation, not the CPU time it
// takes (with GOMAXPROCS 1, the operation's and its garbage collection's).
package cputime

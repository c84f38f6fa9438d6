//go:build race

package main

// raceEnabled reports a -race build, in which tests verify a sample of a
// large batch rather than all of it.
const raceEnabled = true

//go:build race

package jsonld

// raceEnabled shrinks the differential test under the race detector,
// which slows it about tenfold.
const raceEnabled = true

//go:build race

package contexts

// raceEnabled shrinks the differential test under the race detector,
// which slows it about tenfold.
const raceEnabled = true

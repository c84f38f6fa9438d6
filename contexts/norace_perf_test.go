//go:build !race

package contexts

const raceEnabled = false

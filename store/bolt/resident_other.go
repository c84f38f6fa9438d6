//go:build !linux

package bolt

// dropResident does nothing where the kernel's fault-around behaviour
// that makes it worthwhile has not been measured.
func dropResident(uintptr, int) error { return nil }

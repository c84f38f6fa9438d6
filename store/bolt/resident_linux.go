//go:build linux

package bolt

import "syscall"

// dropResident unmaps from this process the pages of the file's mapping
// in [data, data+size), without changing the file: the mapping is shared
// and read-only, so a later read faults the page back in from the page
// cache. data and size must describe part of the live mapping, which a
// caller guarantees by calling it inside a transaction (bbolt only remaps
// with no reader open, and within the one writer).
func dropResident(data uintptr, size int) error {
	if data == 0 || size <= 0 {
		return nil
	}
	if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, data, uintptr(size), syscall.MADV_DONTNEED); errno != 0 {
		return errno
	}
	return nil
}

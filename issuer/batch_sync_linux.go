//go:build linux

package issuer

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// syncFiles makes the named files in dir, and their directory entries,
// durable. On Linux one syncfs of dir's file system does it for a whole
// chunk, far cheaper than an fsync per file.
func syncFiles(dir string, _ []string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

//go:build !linux

package issuer

import (
	"fmt"
	"os"
	"path/filepath"
)

// syncFiles makes the named files in dir, and their directory entries,
// durable: an fsync per file, then one of the directory.
func syncFiles(dir string, names []string) error {
	for _, n := range names {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("syncing %s: %w", n, err)
		}
	}
	return syncDir(dir)
}

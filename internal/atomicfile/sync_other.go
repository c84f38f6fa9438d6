//go:build !linux

package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// SyncFiles makes the named files in dir, written with Options.NoSync,
// and their directory entries durable: an fsync per file, then one of the
// directory.
func SyncFiles(dir string, names []string) error {
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
	return SyncDir(dir)
}

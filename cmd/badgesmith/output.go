package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
)

// writeFile writes an output file (never "-", which callers write to
// standard output) by atomicfile's rules: a regular file is replaced
// atomically, a new one created without clobbering, a character device
// written to; a directory, FIFO or socket is refused, and so is a symbolic
// link unless follow (--follow-symlinks) is set.
func writeFile(path string, data []byte, follow bool) error {
	return atomicfile.Write(path, data, 0o644, atomicfile.Options{FollowSymlinks: follow})
}

// writeFileMkdir is writeFile that first creates the missing folders of
// path's directory, 0o755 before the umask since what it writes is
// published (a DID document). Existing folders are left as they are, and
// the file itself is written by atomicfile's rules: a symbolic link, a
// directory or a named pipe at path is still refused.
func writeFileMkdir(path string, data []byte, follow bool) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // G301: the folder holds a document served to anyone
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return writeFile(path, data, follow)
}

// addFollowSymlinksFlag registers the shared --follow-symlinks flag.
func addFollowSymlinksFlag(fs *pflag.FlagSet, p *bool) {
	fs.BoolVar(p, "follow-symlinks", false, "if --out is a symbolic link, write to the file it points to (by default a link is refused)")
}

package main

import (
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

// addFollowSymlinksFlag registers the shared --follow-symlinks flag.
func addFollowSymlinksFlag(fs *pflag.FlagSet, p *bool) {
	fs.BoolVar(p, "follow-symlinks", false, "if --out is a symbolic link, write to the file it points to (by default a link is refused)")
}

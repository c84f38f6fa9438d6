// Package atomicfile writes files so that a reader, or a machine that loses
// power, sees either the old content or the new, never a torn mix.
//
// It is the one writer of output files: it replaces only regular files
// (renaming a temporary file over a device would replace /dev/null with a
// regular file), creates new files without clobbering one that appears
// meanwhile, writes straight to character devices, never writes through a
// symbolic link unless asked to, and refuses directories, named pipes,
// sockets and block devices.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Errors Write returns for outputs it will not write, naming the path.
var (
	// ErrSymlink means the output is a symbolic link and Options.
	// FollowSymlinks is not set.
	ErrSymlink = errors.New("is a symbolic link; not writing through it")
	// ErrNotRegular means the output is a directory, a named pipe, a socket
	// or a block device: neither a regular file to replace nor a character
	// device to write to.
	ErrNotRegular = errors.New("is not a regular file or a character device")
)

// Options tunes Write. The zero value is what WriteFile uses.
type Options struct {
	// FollowSymlinks writes to the file a symbolic link at the path points
	// to (following every link in turn), by the same rules as a path
	// given directly; the links are kept. If false, a symbolic link is
	// ErrSymlink.
	FollowSymlinks bool
	// NoSync skips the fsyncs of the file and its directory, for a caller
	// that syncs many files at once itself. The file is still never torn.
	NoSync bool

	// beforeLink, in tests, runs just before a new file is linked into
	// place.
	beforeLink func()
}

// maxLinks bounds how many symbolic links FollowSymlinks follows.
const maxLinks = 40

// WriteFile is Write with the zero Options: it writes data to path
// atomically, creating it with perm or replacing a regular file, and
// refuses symbolic links.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, data, perm, Options{})
}

// Write writes data to path by what path is:
//
//   - nothing: a new file with mode perm, written to a temporary file in the
//     same directory, synced and then linked into place, which fails with an
//     error wrapping fs.ErrExist if something was created at path meanwhile;
//   - a regular file: replaced atomically (temporary file, sync, rename, and
//     the directory synced), the new file with mode perm;
//   - a character device (a terminal, /dev/null): written to directly;
//   - a symbolic link: ErrSymlink, or with FollowSymlinks the same rules
//     applied to the file it points to;
//   - anything else: ErrNotRegular.
//
// On any error the temporary file is removed and path is untouched.
func Write(path string, data []byte, perm os.FileMode, opts Options) error {
	target, fi, err := resolve(path, opts)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return create(path, target, data, perm, opts)
	case err != nil:
		return err
	}
	switch m := fi.Mode(); {
	case m.IsRegular():
		return replace(path, target, data, perm, opts)
	case m&fs.ModeCharDevice != 0:
		return writeDevice(path, target, data)
	default:
		return fmt.Errorf("writing %s: %s %w", path, kind(m), ErrNotRegular)
	}
}

// Check reports the error Write would return for path because of what path
// is (a link, a FIFO, a directory, a missing directory), without writing
// anything, so a caller can refuse an output before doing work whose
// result it could not then write.
func Check(path string, opts Options) error {
	target, fi, err := resolve(path, opts)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, err := os.Stat(filepath.Dir(target)); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	case err != nil:
		return err
	}
	if m := fi.Mode(); !m.IsRegular() && m&fs.ModeCharDevice == 0 {
		return fmt.Errorf("writing %s: %s %w", path, kind(m), ErrNotRegular)
	}
	return nil
}

// resolve returns the file Write would write for path, following links if
// opts allows, and its Lstat; an error wrapping fs.ErrNotExist means there
// is nothing at target yet.
func resolve(path string, opts Options) (string, fs.FileInfo, error) {
	target := path
	fi, err := os.Lstat(path)
	for n := 0; err == nil && fi.Mode()&fs.ModeSymlink != 0; n++ {
		if !opts.FollowSymlinks {
			return "", nil, fmt.Errorf("writing %s: %w (allow it with --follow-symlinks)", path, ErrSymlink)
		}
		if n == maxLinks {
			return "", nil, fmt.Errorf("writing %s: more than %d symbolic links", path, maxLinks)
		}
		link, rerr := os.Readlink(target)
		if rerr != nil {
			return "", nil, fmt.Errorf("writing %s: %w", path, rerr)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(target), link)
		}
		target = link
		fi, err = os.Lstat(target)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return target, fi, err
}

// kind names a file type for an error message.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file"
}

// writeDevice writes data to the character device at target.
func writeDevice(path, target string, data []byte) error {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// The device was checked by name; make sure the name still is one.
	if fi, err := f.Stat(); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		f.Close()
		return fmt.Errorf("writing %s: changed while being opened: %w", path, ErrNotRegular)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// tempFile writes data to a new temporary file beside target and returns
// its name; on error nothing is left behind.
func tempFile(path, target string, data []byte, perm os.FileMode, opts Options) (name string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), tempPrefix(target)+"*")
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	if !opts.NoSync {
		if err = tmp.Sync(); err != nil {
			return "", fmt.Errorf("syncing %s: %w", path, err)
		}
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return tmp.Name(), nil
}

// create makes the new file target, failing if something appears there
// between the check and the link.
func create(path, target string, data []byte, perm os.FileMode, opts Options) error {
	tmp, err := tempFile(path, target, data, perm, opts)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if opts.beforeLink != nil {
		opts.beforeLink()
	}
	// A hard link, unlike a rename, never replaces what it finds.
	if err := os.Link(tmp, target); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("writing %s: created by someone else meanwhile: %w", path, fs.ErrExist)
		}
		// No hard links on this file system: rename, once more checking
		// that nothing is there.
		if _, lerr := os.Lstat(target); !errors.Is(lerr, fs.ErrNotExist) {
			return fmt.Errorf("writing %s: created by someone else meanwhile: %w", path, fs.ErrExist)
		}
		if err := os.Rename(tmp, target); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	syncDir(target, opts)
	return nil
}

// replace replaces the regular file target atomically.
func replace(path, target string, data []byte, perm os.FileMode, opts Options) error {
	tmp, err := tempFile(path, target, data, perm, opts)
	if err != nil {
		return err
	}
	// Check once more just before the rename that target is still a
	// regular file (and not, say, a device put in its place).
	if fi, err := os.Lstat(target); err == nil && !fi.Mode().IsRegular() {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: changed while being written: %s %w", path, kind(fi.Mode()), ErrNotRegular)
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("renaming into %s: %w", path, err)
	}
	syncDir(target, opts)
	return nil
}

// syncDir makes the new directory entry of target durable.
func syncDir(target string, opts Options) {
	if opts.NoSync {
		return
	}
	if d, err := os.Open(filepath.Dir(target)); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// tempPrefix is how the names of path's temporary files begin.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// RemoveStale removes the temporary files of path that a writer killed
// between creating and renaming them left behind, and returns how many it
// removed. Only files at least minAge old go: a live writer's temporary
// file exists for milliseconds, so one older than that is an orphan, and a
// writer in another process running at the same moment keeps its own.
func RemoveStale(path string, minAge time.Duration) (int, error) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cleaning up after %s: %w", path, err)
	}
	prefix := tempPrefix(path)
	removed := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < minAge {
			continue // gone already, or perhaps still being written
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("cleaning up after %s: %w", path, err)
		}
		removed++
	}
	return removed, nil
}

// Package atomicfile writes files so that a reader, or a machine that loses
// power, sees either the old content or the new, never a torn mix.
//
// It is the one writer of files the project keeps or hands out (credentials,
// status lists, batch manifests, keys): it replaces only regular files
// (renaming a temporary file over a device would replace /dev/null with a
// regular file), creates new files without clobbering one that appears
// meanwhile, writes straight to character devices unless told not to,
// never writes through a symbolic link unless asked to, and refuses
// directories, named pipes, sockets and block devices. Write takes the
// whole content; Begin streams it.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
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
	// that syncs many files at once itself (see SyncFiles). The file is
	// still never torn.
	NoSync bool
	// NoReplace only ever creates: if anything is at the path (a symbolic
	// link included), the error wraps fs.ErrExist and nothing is written.
	NoReplace bool
	// RegularOnly refuses a character device at the path (ErrNotRegular)
	// instead of writing to it, for files that must stay files (keys).
	RegularOnly bool

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
//     the directory synced), the new file with mode perm; with
//     Options.NoReplace, an error wrapping fs.ErrExist;
//   - a character device (a terminal, /dev/null): written to directly, or
//     with Options.RegularOnly ErrNotRegular;
//   - a symbolic link: ErrSymlink, or with FollowSymlinks the same rules
//     applied to the file it points to;
//   - anything else: ErrNotRegular.
//
// On any error before the file is in place the temporary file is removed
// and path is untouched; an error syncing the directory afterwards means
// the new file is in place but perhaps not yet durable.
func Write(path string, data []byte, perm os.FileMode, opts Options) error {
	target, fi, err := plan(path, opts)
	if err != nil {
		return err
	}
	if fi != nil && fi.Mode()&fs.ModeCharDevice != 0 {
		return writeDevice(path, target, data)
	}
	p, err := begin(path, target, fi != nil, perm, opts)
	if err != nil {
		return err
	}
	if _, err := p.Write(data); err != nil {
		p.Abort()
		return err
	}
	return p.Commit()
}

// Check reports the error Write would return for path because of what path
// is (a link, a FIFO, a directory, a missing directory), without writing
// anything, so a caller can refuse an output before doing work whose
// result it could not then write.
func Check(path string, opts Options) error {
	target, fi, err := plan(path, opts)
	if err != nil {
		return err
	}
	if fi == nil {
		if _, err := os.Stat(filepath.Dir(target)); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return nil
}

// plan returns the file Write would write for path and its Lstat (nil if
// there is nothing there yet), or the error that path is not something
// Write writes under opts.
func plan(path string, opts Options) (string, fs.FileInfo, error) {
	if opts.NoReplace {
		_, err := os.Lstat(path)
		if err == nil {
			return "", nil, fmt.Errorf("writing %s: %w", path, fs.ErrExist)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("writing %s: %w", path, err)
		}
	}
	target, fi, err := resolve(path, opts)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return target, nil, nil
	case err != nil:
		return "", nil, err
	}
	if m := fi.Mode(); !m.IsRegular() && (m&fs.ModeCharDevice == 0 || opts.RegularOnly) {
		return "", nil, fmt.Errorf("writing %s: %s %w", path, kind(m), ErrNotRegular)
	}
	return target, fi, nil
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
	case m&fs.ModeCharDevice != 0:
		return "a character device"
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

// Pending is a file being written under a temporary name beside its path,
// for content too large to hold in memory: Begin starts it, Write adds
// to it, Commit puts it in place atomically by the rules of Write, and
// Abort (or a crash) leaves path as it was. A Pending is not safe for
// concurrent use.
type Pending struct {
	f            *os.File
	path, target string
	replace      bool
	opts         Options
	done         bool
}

// Begin starts writing path, which must be nothing yet or a regular file
// (or, with FollowSymlinks, a link to one): a character device cannot be
// written atomically, so Begin refuses it with ErrNotRegular. Whether
// Commit creates or replaces is decided here: a file created at path
// after Begin makes Commit fail with fs.ErrExist.
func Begin(path string, perm os.FileMode, opts Options) (*Pending, error) {
	target, fi, err := plan(path, opts)
	if err != nil {
		return nil, err
	}
	if fi != nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("writing %s: %s %w", path, kind(fi.Mode()), ErrNotRegular)
	}
	return begin(path, target, fi != nil, perm, opts)
}

func begin(path, target string, replace bool, perm os.FileMode, opts Options) (*Pending, error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), tempPrefix(target)+"*")
	if err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return &Pending{f: tmp, path: path, target: target, replace: replace, opts: opts}, nil
}

// Write appends b to the pending file.
func (p *Pending) Write(b []byte) (int, error) {
	if p.done {
		return 0, fmt.Errorf("writing %s: %w", p.path, os.ErrClosed)
	}
	n, err := p.f.Write(b)
	if err != nil {
		return n, fmt.Errorf("writing %s: %w", p.path, err)
	}
	return n, nil
}

// Abort discards the pending file. It does nothing after Commit or Abort.
func (p *Pending) Abort() {
	if p.done {
		return
	}
	p.done = true
	p.f.Close()
	os.Remove(p.f.Name())
}

// Commit syncs the pending file (unless NoSync) and puts it at path: a
// hard link for a new file, so nothing created meanwhile is clobbered, a
// rename over a regular file. The errors are those of Write.
func (p *Pending) Commit() error {
	if p.done {
		return fmt.Errorf("writing %s: %w", p.path, os.ErrClosed)
	}
	p.done = true
	tmp := p.f.Name()
	if !p.opts.NoSync {
		if err := p.f.Sync(); err != nil {
			p.f.Close()
			os.Remove(tmp)
			return fmt.Errorf("syncing %s: %w", p.path, err)
		}
	}
	if err := p.f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", p.path, err)
	}
	if p.replace {
		return replace(p.path, p.target, tmp, p.opts)
	}
	return create(p.path, p.target, tmp, p.opts)
}

// create links the written temporary file tmp in as the new file target,
// failing if something appears there between the check and the link.
func create(path, target, tmp string, opts Options) error {
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
	return syncDir(path, target, opts)
}

// replace renames the written temporary file tmp over the regular file
// target.
func replace(path, target, tmp string, opts Options) error {
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
	return syncDir(path, target, opts)
}

// syncDir makes the new directory entry of target durable.
func syncDir(path, target string, opts Options) error {
	if opts.NoSync {
		return nil
	}
	if err := SyncDir(filepath.Dir(target)); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// SyncDir makes the entries of dir (new, renamed or removed files)
// durable. It does nothing on Windows, which cannot fsync a directory and
// needs not, for a directory the process may write but not read, and on
// file systems that do not sync directories (EINVAL, ENOTSUP).
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if errors.Is(err, fs.ErrPermission) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}

// tempPrefix is how the names of path's temporary files begin.
func tempPrefix(path string) string { return "." + filepath.Base(path) + tempInfix }

// tempInfix marks the name of a temporary file.
const tempInfix = ".tmp-"

// RemoveStale removes the temporary files of path that a writer killed
// between creating and renaming them left behind, and returns how many it
// removed. Only files at least minAge old go: a live writer's temporary
// file exists for milliseconds, so one older than that is an orphan, and a
// writer in another process running at the same moment keeps its own.
func RemoveStale(path string, minAge time.Duration) (int, error) {
	return removeTemps(filepath.Dir(path), tempPrefix(path), path, minAge)
}

// RemoveStaleIn is RemoveStale for every file of dir: it removes the
// temporary files of any path in dir at least minAge old. A caller that
// holds dir for itself alone (a batch run under its store's lock) passes
// zero.
func RemoveStaleIn(dir string, minAge time.Duration) (int, error) {
	return removeTemps(dir, ".", dir, minAge)
}

func removeTemps(dir, prefix, what string, minAge time.Duration) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cleaning up after %s: %w", what, err)
	}
	removed := 0
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, prefix) || !strings.Contains(n, tempInfix) || !e.Type().IsRegular() {
			continue
		}
		if minAge > 0 {
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) < minAge {
				continue // gone already, or perhaps still being written
			}
		}
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("cleaning up after %s: %w", what, err)
		}
		removed++
	}
	return removed, nil
}

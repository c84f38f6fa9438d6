package issuer

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// writeFileNoSync writes a credential file as writeFileAtomic does, with
// the same guarantees, in fewer system calls and directory updates: the
// data goes to an unnamed file in dir (O_TMPFILE), which is then linked
// under name. The name appears only with the whole file behind it, a
// killed run leaves no temporary file (the kernel frees the unnamed one),
// and linking never replaces anything, so a link or device at the name is
// not written through. The batch's syncfs makes the file and its name
// durable before the row is recorded. Where unnamed files are not
// supported (the file system, or no /proc), and when something is at the
// name already (a file a killed run left, being replaced), it falls back
// to writeFileAtomic.
func writeFileNoSync(dir, name string, data []byte) error {
	fd, err := unix.Open(dir, unix.O_WRONLY|unix.O_TMPFILE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		// EOPNOTSUPP, EISDIR (kernels before 3.11) or EINVAL: no O_TMPFILE
		// here; a real error shows again in the fallback.
		return writeFileAtomic(dir, name, data)
	}
	defer unix.Close(fd)
	for rest := data; len(rest) > 0; {
		n, err := unix.Write(fd, rest)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("writing %s: %w", filepath.Join(dir, name), err)
		}
		rest = rest[n:]
	}
	// The mode atomicfile gives, whatever the umask.
	if err := unix.Fchmod(fd, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Join(dir, name), err)
	}
	err = unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, filepath.Join(dir, name), unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return writeFileAtomic(dir, name, data)
	}
	return nil
}

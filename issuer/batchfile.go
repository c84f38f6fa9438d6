package issuer

import (
	"path/filepath"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
)

// writeFileAtomic writes data to dir/name with atomicfile, so the name
// never holds a torn file and is never a link or device written through,
// but without its fsyncs: the batch syncs a whole commit at once before
// recording it, and a file that is not yet recorded is checked before it
// is trusted.
func writeFileAtomic(dir, name string, data []byte) error {
	return atomicfile.Write(filepath.Join(dir, name), data, 0o644, atomicfile.Options{NoSync: true})
}

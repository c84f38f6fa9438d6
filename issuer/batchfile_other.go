//go:build !linux

package issuer

// writeFileNoSync writes a new credential file; see writeFileAtomic.
func writeFileNoSync(dir, name string, data []byte) error {
	return writeFileAtomic(dir, name, data)
}

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/store/bolt"
)

// defaultStore is the issuance record used when --store is not given:
// $BADGESMITH_STORE, else badgesmith/issued.db under $XDG_DATA_HOME or
// ~/.local/share. It is "" if neither is known.
func defaultStore() string {
	if p := os.Getenv("BADGESMITH_STORE"); p != "" {
		return p
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "badgesmith", "issued.db")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".local", "share", "badgesmith", "issued.db")
}

// addStoreFlag registers the shared --store flag.
func addStoreFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "store", defaultStore(), "issuance record database (env BADGESMITH_STORE)")
}

// openStore opens the issuance record at path. Only issuing creates it (and
// its directory, 0700); every other command needs it to exist already, so a
// mistyped path is an error rather than an empty record.
func openStore(path string, create bool) (*bolt.DB, error) {
	if path == "" {
		return nil, &usageError{"--store is required (no home directory for the default)"}
	}
	if create {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("creating store directory: %w", err)
		}
	} else if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("store %s does not exist: issue a credential with --store first", path)
	}
	// Opening a FIFO or a device would block or read forever.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, notRegular(path, fi.Mode())
	}
	return bolt.Open(path, bolt.Options{})
}

package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/store"
)

// docStore keeps the signed credentials the server issued, one file per
// credential in credentials/ of the data directory, since the store
// records a hash of each, not the document. A file is written (atomically)
// before the store record, so a record always has its document.
type docStore struct {
	dir string
}

// storedDoc is one file of the docStore.
type storedDoc struct {
	// ID is the credential id.
	ID string `json:"id"`
	// RequestSHA256 is the hex SHA-256 of the JCS form of the request's
	// credential: a retry with the same credential returns this one.
	RequestSHA256 string `json:"requestSha256"`
	// Format is the store's format of the credential (store.FormatDI or
	// store.FormatJWT).
	Format string `json:"format"`
	// Signed is the credential exactly as signed: the JSON document or the
	// compact JWS, whose SHA-256 the store records.
	Signed string `json:"signed"`
}

// matches reports whether the document is the one rec records: a file
// left by a write whose record failed is never taken for it.
func (d *storedDoc) matches(rec *store.Record) bool {
	sum := sha256.Sum256([]byte(d.Signed))
	return rec.Format == d.Format && hex.EncodeToString(sum[:]) == rec.SHA256
}

func newDocStore(dataDir string) (*docStore, error) {
	dir := filepath.Join(dataDir, "credentials")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating credentials directory: %w", err)
	}
	return &docStore{dir: dir}, nil
}

// path names a credential's file by the hash of its id, so no id can name
// a file outside the directory.
func (d *docStore) path(id string) string {
	sum := sha256.Sum256([]byte(id))
	return filepath.Join(d.dir, hex.EncodeToString(sum[:])+".json")
}

func (d *docStore) put(doc storedDoc) error {
	data, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encoding credential %s: %w", doc.ID, err)
	}
	if err := atomicfile.WriteFile(d.path(doc.ID), data, 0o600); err != nil {
		return fmt.Errorf("keeping credential %s: %w", doc.ID, err)
	}
	return nil
}

// get returns the stored document of id, or fs.ErrNotExist.
func (d *docStore) get(id string) (*storedDoc, error) {
	data, err := os.ReadFile(d.path(id)) //nolint:gosec // G703: the file name is the hex SHA-256 of the id, never the id
	if err != nil {
		return nil, err
	}
	var doc storedDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading kept credential %s: %w", id, err)
	}
	if doc.ID != id {
		return nil, fmt.Errorf("kept credential file of %s holds %s: %w", id, doc.ID, fs.ErrNotExist)
	}
	return &doc, nil
}

// isNotExist reports a missing document.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

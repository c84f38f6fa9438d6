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
	"sync"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/store"
)

// docStore keeps the signed credentials the server issued, one file per
// credential in credentials/ of the data directory, since the store
// records a hash of each, not the document. A file is written (atomically)
// before the store record, so a record always has its document.
//
// Concurrent puts are written in groups (group commit): one caller at a
// time writes the files of every put waiting, each atomically but without
// its own fsync, then makes them all durable at once
// (atomicfile.SyncFiles: one syncfs on Linux). An fsync of each file and
// of the directory per request cost more than the signing under
// concurrent issue requests, and sixteen goroutines creating files in one
// directory at once contend for it in the kernel.
type docStore struct {
	dir string

	mu   sync.Mutex // guards next
	next *docGroup  // the group puts join, written by the next writer
	run  sync.Mutex // one group written at a time
}

// docGroup is the documents of puts written and synced together.
type docGroup struct {
	docs []storedDoc
	errs []error // by docs' index
	err  error   // of the sync, for every doc
	done chan struct{}
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

// put writes doc durably: when it returns nil, the file is in place and
// synced.
func (d *docStore) put(doc storedDoc) error {
	d.mu.Lock()
	if d.next == nil {
		d.next = &docGroup{done: make(chan struct{})}
	}
	g, i := d.next, len(d.next.docs)
	g.docs = append(g.docs, doc)
	d.mu.Unlock()

	d.run.Lock()
	defer d.run.Unlock()
	select {
	case <-g.done: // a caller that joined g before us wrote it
	default:
		// Close g to newcomers, who form the next group, and write it.
		d.mu.Lock()
		if d.next == g {
			d.next = nil
		}
		d.mu.Unlock()
		d.write(g)
		close(g.done)
	}
	return errors.Join(g.errs[i], g.err)
}

// write writes g's files, then syncs those written.
func (d *docStore) write(g *docGroup) {
	g.errs = make([]error, len(g.docs))
	var names []string
	for i, doc := range g.docs {
		data, err := json.Marshal(doc)
		if err != nil {
			g.errs[i] = fmt.Errorf("encoding credential %s: %w", doc.ID, err)
			continue
		}
		path := d.path(doc.ID)
		if err := atomicfile.Write(path, data, 0o600, atomicfile.Options{NoSync: true}); err != nil {
			g.errs[i] = fmt.Errorf("keeping credential %s: %w", doc.ID, err)
			continue
		}
		names = append(names, filepath.Base(path))
	}
	if len(names) > 0 {
		if err := atomicfile.SyncFiles(d.dir, names); err != nil {
			g.err = fmt.Errorf("keeping credentials: %w", err)
		}
	}
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

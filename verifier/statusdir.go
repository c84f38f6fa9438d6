package verifier

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

const (
	// statusDirRescan is how often, at most, the status directory is
	// indexed again because a URL is not in it.
	statusDirRescan = 10 * time.Second
	// statusDirMaxFiles bounds the files indexed in the status directory.
	statusDirMaxFiles = 10000
)

// dirIndex maps the document ids of the status directory's files to their
// names. A file is found by the id it declares, never by its name, so a
// file can only ever stand for its own URL. It is built on first use and
// again, at most every statusDirRescan, when a URL is missing or a file
// changed under it. It is safe for concurrent use.
type dirIndex struct {
	mu    sync.Mutex
	built time.Time
	ready bool
	// byID maps documentURL(id) to a file name relative to the directory.
	byID map[string]string
	// dups lists the files of an id that more than one file declares.
	dups map[string][]string
}

// lookup returns the name of the file whose id is docURL.
func (x *dirIndex) lookup(ctx context.Context, dir, docURL string, now time.Time) (string, bool, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	_, known := x.byID[docURL]
	if !x.ready || (!known && now.Sub(x.built) >= statusDirRescan) {
		if err := x.build(ctx, dir); err != nil {
			return "", false, err
		}
		x.built, x.ready = now, true
	}
	if names := x.dups[docURL]; len(names) > 0 {
		return "", false, fmt.Errorf("status directory: %s are all lists with id %s; not choosing one", strings.Join(names, ", "), docURL)
	}
	name, ok := x.byID[docURL]
	return name, ok, nil
}

// invalidate makes the next lookup index the directory again.
func (x *dirIndex) invalidate() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.ready = false
}

// build reads every regular file of dir, at any depth, up to
// maxStatusDocBytes each, and indexes those that are JSON objects with a
// string id. Symbolic links are not followed, and files are read through
// an os.Root, so nothing outside dir is read.
func (x *dirIndex) build(ctx context.Context, dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("opening status directory: %w", err)
	}
	defer root.Close()
	byID := make(map[string]string)
	dups := make(map[string][]string)
	files := 0
	err = fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && name == ".":
			return err
		case err != nil:
			return nil // an unreadable entry is not a list
		case ctx.Err() != nil:
			return ctx.Err()
		case d.IsDir():
			return nil
		}
		if files++; files > statusDirMaxFiles {
			return fmt.Errorf("more than %d files", statusDirMaxFiles)
		}
		if !d.Type().IsRegular() {
			return nil // symbolic links are not followed
		}
		info, err := d.Info()
		if err != nil || info.Size() > maxStatusDocBytes {
			return nil
		}
		body, err := readRootFile(root, name)
		if err != nil {
			return nil
		}
		id := declaredID(body)
		if id == "" {
			return nil
		}
		if prev, ok := byID[id]; ok {
			if len(dups[id]) == 0 {
				dups[id] = []string{prev}
			}
			dups[id] = append(dups[id], name)
			return nil
		}
		byID[id] = name
		return nil
	})
	if err != nil {
		return fmt.Errorf("indexing status directory: %w", err)
	}
	for _, names := range dups {
		sort.Strings(names)
	}
	x.byID, x.dups = byID, dups
	return nil
}

// declaredID returns documentURL of the top-level string id of a JSON
// object, or "". It only points the index at a file: the id of a list read
// from that file is checked again once its proof is verified (refresh).
func declaredID(body []byte) string {
	var head struct {
		ID any `json:"id"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return ""
	}
	id, _ := head.ID.(string)
	return documentURL(id)
}

package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"testing"
)

// TestDocStoreConcurrentPut: puts from many goroutines, written in groups,
// each return only once their own file is in place, and a put that cannot
// be written fails alone, not the puts written with it.
func TestDocStoreConcurrentPut(t *testing.T) {
	d, err := newDocStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const n = 48
	bad := map[int]bool{5: true, 17: true, 40: true}
	docs := make([]storedDoc, n)
	for i := range docs {
		docs[i] = storedDoc{ID: fmt.Sprintf("urn:uuid:doc-%d", i), Format: "di", Signed: fmt.Sprintf(`{"n":%d}`, i)}
		if bad[i] {
			// A directory where the file goes: it cannot be replaced.
			if err := os.MkdirAll(d.path(docs[i].ID)+"/x", 0o700); err != nil {
				t.Fatal(err)
			}
		}
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range docs {
		wg.Go(func() {
			if errs[i] = d.put(docs[i]); errs[i] != nil {
				return
			}
			// Returned: the file must be there now.
			got, err := d.get(docs[i].ID)
			switch {
			case err != nil:
				errs[i] = fmt.Errorf("get after put: %w", err)
			case *got != docs[i]:
				errs[i] = fmt.Errorf("get after put: %+v, want %+v", *got, docs[i])
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case bad[i] && err == nil:
			t.Errorf("doc %d: put over a directory succeeded", i)
		case !bad[i] && err != nil:
			t.Errorf("doc %d: %v", i, err)
		}
	}
	if _, err := d.get("urn:uuid:never-put"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a doc never put: %v, want fs.ErrNotExist", err)
	}
}

package jsonld

import (
	"fmt"
	"sync"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/contexts"
)

// Loader is the document loader Canonicalize is built around: the contexts
// a *contexts.Loader serves (the bundled ones, plus any added with With)
// and, cached beside them, every @context array of those URLs Canonicalize
// has processed, so a context is processed once per Loader rather than
// once per document. It is safe for concurrent use; the loaded documents
// are shared and must not be modified.
type Loader struct {
	*contexts.Loader
	// processed caches processed @context arrays for Canonicalize
	// (canonical.go); each Loader, including one made by With, has its own.
	processed contextCache
}

var _ ld.DocumentLoader = (*Loader)(nil)

// bundled is the Loader over the bundled contexts, made once per process:
// every caller of NewLoader shares its processed contexts, as every
// contexts.NewLoader caller shares the parsed documents.
var bundled = sync.OnceValues(func() (*Loader, error) {
	l, err := contexts.NewLoader()
	if err != nil {
		return nil, err
	}
	return &Loader{Loader: l}, nil
})

// NewLoader returns the Loader over the bundled contexts (contexts.NewLoader).
// Every call returns the same Loader, so processed contexts are shared by
// the whole process.
func NewLoader() (*Loader, error) {
	return bundled()
}

// FromContexts returns a Loader over the documents l serves, with a cache of
// its own.
func FromContexts(l *contexts.Loader) *Loader {
	return &Loader{Loader: l}
}

// With returns a copy of l that also serves doc (a JSON-LD context
// document) at url, with a cache of its own; see contexts.Loader.With.
func (l *Loader) With(url string, doc []byte) (*Loader, error) {
	w, err := l.Loader.With(url, doc)
	if err != nil {
		return nil, fmt.Errorf("adding context %s: %w", url, err)
	}
	return &Loader{Loader: w}, nil
}

// withCache returns loader with a cache to process contexts into: a
// *contexts.Loader gets one for this call only.
func withCache(loader ld.DocumentLoader) ld.DocumentLoader {
	if l, ok := loader.(*contexts.Loader); ok && l != nil {
		return FromContexts(l)
	}
	return loader
}

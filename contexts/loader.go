package contexts

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/internal/verdict"
)

//go:embed manifest.json ld
var files embed.FS

// ErrNotBundled is returned for a context URL that badgesmith does not ship.
// The verifier never fetches contexts, so such a document cannot be checked.
var ErrNotBundled = verdict.NewInconclusive("context not bundled")

// Info describes one bundled context.
type Info struct {
	// URL is the canonical URL documents use in @context.
	URL string `json:"url"`
	// Aliases are other URLs that resolve to the same document.
	Aliases []string `json:"aliases,omitempty"`
	// File is the path of the embedded file below ld/.
	File string `json:"file"`
	// Source says where the bytes come from (npm package@version:path, or "spec").
	Source string `json:"source"`
	// SHA256 is the hex SHA-256 of the embedded file.
	SHA256 string `json:"sha256"`
}

// Loader is an offline ld.DocumentLoader over the bundled contexts. It is safe
// for concurrent use and never performs I/O after construction.
type Loader struct {
	docs  map[string]*ld.RemoteDocument
	infos []Info
}

var _ ld.DocumentLoader = (*Loader)(nil)

// bundled parses the embedded contexts once per process; the result is never
// mutated after it is built.
var bundled = sync.OnceValues(parseBundled)

func parseBundled() (*Loader, error) {
	raw, err := files.ReadFile("manifest.json")
	if err != nil {
		return nil, fmt.Errorf("reading context manifest: %w", err)
	}
	var infos []Info
	if err := json.Unmarshal(raw, &infos); err != nil {
		return nil, fmt.Errorf("parsing context manifest: %w", err)
	}
	l := &Loader{docs: make(map[string]*ld.RemoteDocument), infos: infos}
	for _, in := range infos {
		b, err := files.ReadFile("ld/" + in.File)
		if err != nil {
			return nil, fmt.Errorf("reading context %s: %w", in.URL, err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != in.SHA256 {
			return nil, fmt.Errorf("context %s: sha-256 %s does not match manifest %s", in.URL, got, in.SHA256)
		}
		doc, err := ld.DocumentFromReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("parsing context %s: %w", in.URL, err)
		}
		for _, u := range append([]string{in.URL}, in.Aliases...) {
			l.docs[u] = &ld.RemoteDocument{DocumentURL: in.URL, Document: doc}
		}
	}
	return l, nil
}

// NewLoader returns the loader over the bundled contexts. The contexts are
// parsed on the first call only; later calls share the parsed documents.
func NewLoader() (*Loader, error) {
	return bundled()
}

// With returns a copy of l that also serves doc (a JSON-LD context document)
// at url. Tests and callers with private vocabularies use it; the bundled set
// is left untouched.
func (l *Loader) With(url string, doc []byte) (*Loader, error) {
	parsed, err := ld.DocumentFromReader(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("parsing context %s: %w", url, err)
	}
	n := &Loader{docs: make(map[string]*ld.RemoteDocument, len(l.docs)+1), infos: l.infos}
	for k, v := range l.docs {
		n.docs[k] = v
	}
	n.docs[url] = &ld.RemoteDocument{DocumentURL: url, Document: parsed}
	return n, nil
}

// LoadDocument implements ld.DocumentLoader. Any URL that is not bundled is an
// error wrapping ErrNotBundled. The returned document is shared by every
// Loader in the process and must not be modified.
func (l *Loader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	if d, ok := l.docs[u]; ok {
		return d, nil
	}
	// json-gold asks for the URL with a trailing fragment stripped or not;
	// a fragment never selects a different context document.
	if i := strings.IndexByte(u, '#'); i >= 0 {
		if d, ok := l.docs[u[:i]]; ok {
			return d, nil
		}
	}
	return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, fmt.Errorf("%w: %s", ErrNotBundled, u))
}

// Has reports whether url is served by the loader.
func (l *Loader) Has(url string) bool {
	_, ok := l.docs[url]
	return ok
}

// Bundled lists the contexts shipped in the binary.
func (l *Loader) Bundled() []Info {
	return append([]Info(nil), l.infos...)
}

package issuer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/badgesmith/badgesmith/store"
)

// DefaultMaxLearnerFiles bounds the files LearnerDocuments reads under its
// directories.
const DefaultMaxLearnerFiles = 200_000

// ErrNoLearner means LearnerDocuments was given neither a DID nor an email.
var ErrNoLearner = errors.New("no learner: a DID or an email is required")

// ErrTooManyFiles means the credential directories hold more files than
// LearnerOptions.MaxFiles.
var ErrTooManyFiles = errors.New("too many files in the credential directories")

// LearnerOptions says whose records LearnerDocuments reads back, and where.
type LearnerOptions struct {
	// DID selects the records whose recipient is this subject DID.
	DID string
	// Emails select the records issued to these addresses (RecipientMatches).
	Emails []string
	// Dirs are the directories the documents were written to: the --out
	// directories of issue and batch, or a server's data directory (whose
	// credentials/ holds its documents). They are walked at any depth;
	// symbolic links are not followed.
	Dirs []string
	// MaxSize is the largest file read; larger ones are skipped. Required.
	MaxSize int64
	// MaxFiles bounds the files looked at. If zero, DefaultMaxLearnerFiles.
	MaxFiles int
}

// LearnerDocument is one recorded credential of the learner, read back.
type LearnerDocument struct {
	// Record is the store's record.
	Record store.Record
	// Path is the file the document was read from; "" when none held it.
	Path string
	// Data is the document exactly as signed, whose SHA-256 is the
	// record's; nil when no file held it.
	Data []byte
}

// LearnerDocuments returns the learner's records with, for each, the
// document whose SHA-256 is the one recorded, found under opts.Dirs. The
// store keeps no credential bytes, so the documents come from where they
// were written: a credential file (.json or .jwt, as issue and batch write
// them) or a server's stored document ({"format", "signed"}); a file is
// matched by the hash of its content, never by its name, so a changed or
// misplaced file is never taken for a record's document. Baked images are
// not read (their bytes are not the signed document). A record no file
// matches comes back with Data nil, for the caller to report.
func LearnerDocuments(ctx context.Context, st store.Store, opts LearnerOptions) ([]LearnerDocument, error) {
	if opts.DID == "" && len(opts.Emails) == 0 {
		return nil, ErrNoLearner
	}
	if opts.MaxSize <= 0 {
		return nil, fmt.Errorf("learner documents: max size %d is not positive", opts.MaxSize)
	}
	maxFiles := opts.MaxFiles
	if maxFiles <= 0 {
		maxFiles = DefaultMaxLearnerFiles
	}
	var docs []LearnerDocument
	want := map[string][]int{}
	err := st.EachCredential(ctx, store.Filter{}, func(r store.Record) error {
		ok := opts.DID != "" && r.Recipient == opts.DID
		for _, e := range opts.Emails {
			ok = ok || RecipientMatches(&r, e)
		}
		if ok {
			want[r.SHA256] = append(want[r.SHA256], len(docs))
			docs = append(docs, LearnerDocument{Record: r})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the learner's records: %w", err)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	files := 0
	for _, dir := range opts.Dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			if files++; files > maxFiles {
				return fmt.Errorf("%w: more than %d", ErrTooManyFiles, maxFiles)
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".json", ".jwt":
			default:
				return nil
			}
			data, sum, err := readDocument(path, opts.MaxSize)
			if err != nil {
				return nil // a file too large or vanished is not a document of ours
			}
			for _, i := range want[sum] {
				if docs[i].Data == nil {
					docs[i].Path, docs[i].Data = path, data
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading credential directory %s: %w", dir, err)
		}
	}
	slices.SortStableFunc(docs, func(a, b LearnerDocument) int { return a.Record.IssuedAt.Compare(b.Record.IssuedAt) })
	return docs, nil
}

// readDocument reads a credential file, or a server's stored document,
// returning the signed bytes and their hex SHA-256.
func readDocument(path string, limit int64) ([]byte, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(data)) > limit {
		return nil, "", fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' && bytes.Contains(t, []byte(`"signed"`)) {
		var doc struct {
			Format string  `json:"format"`
			Signed *string `json:"signed"`
		}
		if json.Unmarshal(t, &doc) == nil && doc.Signed != nil && doc.Format != "" {
			data = []byte(*doc.Signed)
		}
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), nil
}

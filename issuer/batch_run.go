package issuer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/store"
)

// chunkSize is how many rows at least share one sync and one store commit
// while rows keep coming (a slow roster's partial chunk is committed
// after flushEvery): the committer takes every row ready when it is
// idle, up to maxCommit.
const chunkSize = 64

// maxCommit bounds the rows of one commit. A commit rereads the index
// pages its records touched, so it also bounds how much of the store is
// mapped in at once, and with the window (two commits) the rows in
// memory.
const maxCommit = 512

// flushEvery bounds how long a partial chunk waits for its commit, so a
// slow roster still makes progress durable.
const flushEvery = 250 * time.Millisecond

// maxCredentialFile bounds a credential file read back on resume.
const maxCredentialFile = 32 << 20

type itemKind int

const (
	kindIssue    itemKind = iota // not recorded, no file: sign it
	kindRecorded                 // recorded by an earlier run: check its file
	kindAdopt                    // a file without a record: adopt or replace it
	kindReject                   // a bad row
)

type outcome int

const (
	outIssued outcome = iota
	outSkipped
	outAdopted
	outRejected
	outFailed
)

// batchItem is one row on its way through the pipeline.
type batchItem struct {
	seq     int
	kind    itemKind
	item    *BatchItem
	lineErr *RowError
	id      string
	file    string
	old     *store.Record
	rec     *store.Record // to record in this run
	fileSHA string
	out     outcome
	err     error // the row's failure (outFailed)
	fatal   error // stops the batch
}

// Run issues a credential for every row of src, in four stages: one
// goroutine reads the rows and looks each up in the store; Workers
// goroutines build, sign and write each credential file (atomically: an
// unnamed file linked under its name on Linux, elsewhere a temporary name
// then renamed); one goroutine puts the rows back in roster order, and
// one commits them: per commit (every row ready when the previous commit
// ends, up to 512), it makes the files durable (one syncfs on
// Linux), records them in one store transaction, and appends their
// manifest lines. At most two commits' rows are in flight, so memory does
// not grow with the roster.
//
// A row's credential id comes from the batch id and the row's key (see
// CredentialID), and the store refuses a second id for a batch row, so
// running a batch again issues nothing new: a recorded row whose file
// still holds the recorded credential is skipped. Because a file is
// written before its record, an interrupted run can leave files without
// records, never the reverse; the next run verifies each such file under
// the issuer's key and records it ("adopted"), or re-issues the row if the
// file is unusable. Its status entries were reserved before it was signed,
// so adopting it reuses them.
//
// The manifest (ManifestCSV and ManifestJSONL: row line, row key, name,
// credential id, recipient, file, SHA-256 of the file) lists every row in roster order,
// issued in this run or earlier, and is renamed into place when the run
// ends. Cells of manifest.csv that a spreadsheet would run as a formula
// get a leading single quote; manifest.jsonl keeps every value exact. Rejected rows go to RejectsFile. A row that fails (its recorded
// file is gone, say) is counted, and Run returns ErrBatchFailed after
// handling the others; a store or I/O error stops the batch.
func (b *Batch) Run(ctx context.Context, src BatchSource) (*BatchProgress, error) {
	start := time.Now()
	b.validFrom = b.is.cfg.Now().UTC().Truncate(time.Second)
	if b.cfg.OutDir == "" {
		return nil, fmt.Errorf("batch output directory: %w: required", ErrInvalidInput)
	}
	if err := os.MkdirAll(b.cfg.OutDir, 0o755); err != nil { //nolint:gosec // G301: credentials are handed out, written 0o644 like single ones; the umask narrows both
		return nil, fmt.Errorf("creating output directory: %w", err)
	}
	// The run holds the output directory (its store is locked), so every
	// temporary file there is a killed run's.
	if _, err := atomicfile.RemoveStaleIn(b.cfg.OutDir, 0); err != nil {
		return nil, fmt.Errorf("batch output directory: %w", err)
	}
	out, err := openOutputs(b.cfg.OutDir)
	if err != nil {
		return nil, err
	}
	defer out.abort()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	defer b.indices.wait()
	// The window holds a commit being made, the next one filling up
	// meanwhile, and the rows the workers hold.
	window := 4*b.cfg.Workers + 2*maxCommit
	tokens := make(chan struct{}, window)
	work := make(chan *batchItem, b.cfg.Workers)
	done := make(chan *batchItem, window)

	var readErr error
	go func() {
		defer close(work)
		readErr = b.read(ctx, src, tokens, work)
		if readErr != nil {
			cancel(readErr)
		}
	}()
	var wg sync.WaitGroup
	for range b.cfg.Workers {
		wg.Go(func() {
			for it := range work {
				b.process(ctx, it)
				done <- it
			}
		})
	}
	go func() { wg.Wait(); close(done) }()

	// The committer makes chunks durable one after the other while the
	// rows behind them keep coming: a chunk is handed over only when the
	// committer is idle (the channel is unbuffered), so the rows that
	// arrive during one commit's syncs form the next (group commit), and
	// slower syncs make bigger commits instead of a slower batch.
	prog := &BatchProgress{}
	var failures []string
	var commitErr error
	commits := make(chan []*batchItem)
	var cwg sync.WaitGroup
	cwg.Go(func() {
		for chunk := range commits {
			if commitErr == nil {
				if err := b.commit(ctx, out, chunk, prog, &failures); err != nil {
					commitErr = err
					cancel(err)
				}
			}
			for range chunk {
				<-tokens
			}
			prog.Elapsed = time.Since(start)
			if b.cfg.Progress != nil && commitErr == nil {
				b.cfg.Progress(*prog)
			}
		}
	})

	var fatal error
	pending := map[int]*batchItem{}
	next := 0
	var chunk []*batchItem
	// hand gives the chunk to the committer: if it is idle, or, with
	// wait, once it is.
	hand := func(wait bool) {
		if len(chunk) == 0 {
			return
		}
		if wait {
			commits <- chunk
		} else {
			select {
			case commits <- chunk:
			default:
				return
			}
		}
		chunk = make([]*batchItem, 0, chunkSize)
	}
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
loop:
	for {
		select {
		case it, ok := <-done:
			if !ok {
				break loop
			}
			if it.fatal != nil && fatal == nil {
				fatal = it.fatal
				cancel(fatal)
			}
			pending[it.seq] = it
			for {
				it, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				chunk = append(chunk, it)
			}
			if len(chunk) >= chunkSize {
				hand(len(chunk) >= maxCommit)
			}
		case <-tick.C:
			hand(false)
		}
	}
	hand(true)
	close(commits)
	cwg.Wait()
	prog.Elapsed = time.Since(start)
	if fatal == nil {
		fatal = commitErr
	}
	if fatal == nil {
		fatal = readErr
	}
	if fatal == nil && ctx.Err() != nil {
		fatal = context.Cause(ctx)
	}
	if fatal != nil {
		return prog, fmt.Errorf("batch %s: %w", b.cfg.ID, fatal)
	}
	if err := out.finish(prog.Rejected > 0); err != nil {
		return prog, err
	}
	if b.cfg.Progress != nil {
		b.cfg.Progress(*prog)
	}
	if prog.Failed > 0 {
		return prog, fmt.Errorf("batch %s: %d rows failed: %w:\n%s", b.cfg.ID, prog.Failed, ErrBatchFailed, strings.Join(failures, "\n"))
	}
	return prog, nil
}

// read feeds the pipeline: one item per row, each holding a token of the
// window that bounds the rows in flight.
func (b *Batch) read(ctx context.Context, src BatchSource, tokens chan<- struct{}, work chan<- *batchItem) error {
	st := b.cfg.Stats
	for seq := 0; ; seq++ {
		t := st.start()
		item, err := src.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		it := &batchItem{seq: seq}
		var le *RowError
		switch {
		case errors.As(err, &le):
			if !b.cfg.SkipInvalid {
				return fmt.Errorf("roster %w (nothing after it was issued)", le)
			}
			it.kind, it.lineErr = kindReject, le
		case err != nil:
			return fmt.Errorf("reading roster: %w", err)
		default:
			it.item = item
			if err := b.classify(ctx, it); err != nil {
				return err
			}
		}
		t = st.since(StageRead, t)
		select {
		case tokens <- struct{}{}:
		default:
			// The window is full: the wait is the commits'.
			select {
			case tokens <- struct{}{}:
				st.since(StageWindow, t)
			case <-ctx.Done():
				return nil
			}
		}
		select {
		case work <- it:
		case <-ctx.Done():
			return nil
		}
	}
}

// classify looks the row up in the store and the output directory.
func (b *Batch) classify(ctx context.Context, it *batchItem) error {
	it.id = b.CredentialID(it.item.Key)
	it.file = b.fileName(it.id)
	recs, err := b.is.cfg.Store.ListCredentials(ctx, store.Filter{BatchID: b.cfg.ID, RowKey: it.item.Key, Limit: 1})
	if err != nil {
		return fmt.Errorf("line %d: looking up row %q: %w", it.item.Line, it.item.Key, err)
	}
	if len(recs) == 1 {
		// A row recorded under another id was issued before ids were
		// keyed with the issuer secret: it keeps the id it was issued
		// with.
		it.id, it.file = recs[0].ID, b.fileName(recs[0].ID)
		it.kind, it.old = kindRecorded, &recs[0]
		return nil
	}
	if _, err := os.Lstat(filepath.Join(b.cfg.OutDir, it.file)); err == nil {
		it.kind = kindAdopt
	}
	return nil
}

// process does a row's work in a worker.
func (b *Batch) process(ctx context.Context, it *batchItem) {
	if ctx.Err() != nil {
		it.fatal = context.Cause(ctx)
		return
	}
	switch it.kind {
	case kindReject:
		it.out = outRejected
		return
	case kindRecorded:
		defer b.cfg.Stats.since(StageResume, b.cfg.Stats.start())
		if it.err != nil {
			it.out = outFailed
			return
		}
		data, signed, err := b.readBack(it.file)
		if err == nil {
			if sum := sha256.Sum256(bytes.TrimSpace(signed)); hex.EncodeToString(sum[:]) != it.old.SHA256 {
				err = errors.New("it does not hold the recorded credential")
			}
		}
		if err != nil {
			it.out = outFailed
			it.err = fmt.Errorf("line %d: %s is recorded but its file %s is unusable (%w); restore the file", it.item.Line, it.id, it.file, err)
			return
		}
		it.out, it.fileSHA = outSkipped, sha256Hex(data)
		return
	case kindAdopt:
		t := b.cfg.Stats.start()
		data, _, err := b.readBack(it.file)
		if err == nil {
			var rec *store.Record
			if rec, err = b.adopt(ctx, it.item, it.id, data); err == nil {
				it.out, it.rec, it.fileSHA = outAdopted, rec, sha256Hex(data)
				b.cfg.Stats.since(StageResume, t)
				return
			}
		}
		b.cfg.Stats.since(StageResume, t)
		// Unusable: issue the row afresh over it.
	}
	full := it.seq%b.verifyEvery == 0
	signed, rec, err := b.issue(ctx, it.item, full)
	if err == nil {
		st := b.cfg.Stats
		t := st.start()
		var data []byte
		if data, err = b.encode(signed); err == nil {
			it.fileSHA = sha256Hex(data)
			t = st.since(StageEncode, t)
			if err = writeFileNoSync(b.cfg.OutDir, it.file, data); err != nil {
				it.fatal = err
				return
			}
			st.since(StageWrite, t)
			it.out, it.rec = outIssued, rec
			return
		}
	}
	var le *RowError
	switch {
	case errors.As(err, &le):
	case errors.Is(err, ErrInvalidInput):
		le = b.rowError(it.item, err)
	default:
		if ctx.Err() != nil {
			it.fatal = context.Cause(ctx)
		} else {
			it.fatal = fmt.Errorf("line %d: %w", it.item.Line, err)
		}
		return
	}
	if b.cfg.SkipInvalid {
		it.out, it.lineErr = outRejected, le
		return
	}
	it.out, it.err = outFailed, le
}

// readBack reads a credential file and the credential it holds.
func (b *Batch) readBack(name string) (file, signed []byte, err error) {
	f, err := os.Open(filepath.Join(b.cfg.OutDir, name))
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCredentialFile+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxCredentialFile {
		return nil, nil, fmt.Errorf("over %d bytes", maxCredentialFile)
	}
	signed, err = b.decode(data)
	return data, signed, err
}

// commit makes a chunk durable in roster order: the new files are synced,
// their records put in one transaction, then every row's manifest or
// rejects line is written and counted.
func (b *Batch) commit(ctx context.Context, out *outputs, chunk []*batchItem, prog *BatchProgress, failures *[]string) error {
	var recs []store.Record
	var names []string
	for _, it := range chunk {
		if it.fatal != nil {
			return it.fatal
		}
		if it.rec != nil {
			recs = append(recs, *it.rec)
			names = append(names, it.file)
		}
	}
	st := b.cfg.Stats
	t := st.start()
	if len(recs) > 0 {
		if err := atomicfile.SyncFiles(b.cfg.OutDir, names); err != nil {
			return err
		}
		t = st.since(StageSync, t)
		if err := b.is.cfg.Store.PutCredentials(ctx, recs); err != nil {
			return fmt.Errorf("recording rows %d to %d: %w", chunk[0].seq+1, chunk[len(chunk)-1].seq+1, err)
		}
		t = st.since(StageStore, t)
	}
	defer st.since(StageManifest, t)
	for _, it := range chunk {
		prog.Rows++
		switch it.out {
		case outIssued, outSkipped, outAdopted:
			if err := out.manifest(it); err != nil {
				return err
			}
			switch it.out {
			case outIssued:
				prog.Issued++
			case outSkipped:
				prog.Skipped++
			default:
				prog.Adopted++
			}
		case outRejected:
			prog.Rejected++
			if err := out.reject(it.lineErr); err != nil {
				return err
			}
		case outFailed:
			prog.Failed++
			if len(*failures) < 20 {
				*failures = append(*failures, it.err.Error())
			}
		}
	}
	return nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// outputs are the manifest and rejects files of a run, written with
// atomicfile under temporary names and put in place by finish.
type outputs struct {
	dir                string
	csvF, jsonlF, rejF *atomicfile.Pending
	csvW               *csv.Writer
	jsonlW, rejectsW   *bufio.Writer
}

func openOutputs(dir string) (*outputs, error) {
	o := &outputs{dir: dir}
	var err error
	for _, f := range []struct {
		p    **atomicfile.Pending
		name string
	}{{&o.csvF, ManifestCSV}, {&o.jsonlF, ManifestJSONL}, {&o.rejF, RejectsFile}} {
		if *f.p, err = atomicfile.Begin(filepath.Join(dir, f.name), 0o644, atomicfile.Options{}); err != nil {
			o.abort()
			return nil, fmt.Errorf("opening %s: %w", f.name, err)
		}
	}
	o.csvW = csv.NewWriter(o.csvF)
	o.jsonlW = bufio.NewWriter(o.jsonlF)
	o.rejectsW = bufio.NewWriter(o.rejF)
	if err := o.csvW.Write([]string{"row", "key", "name", "credential_id", "recipient", "file", "sha256"}); err != nil {
		o.abort()
		return nil, err
	}
	return o, nil
}

// ManifestEntry is one line of the JSON Lines manifest.
type ManifestEntry struct {
	// Row is the roster line of the row.
	Row int `json:"row"`
	// Key is the row's key: the value of the roster's key column (a
	// student number), else its email address or DID.
	Key string `json:"key"`
	// Name is the row's name, if the roster has one.
	Name string `json:"name,omitempty"`
	// CredentialID is the credential's id.
	CredentialID string `json:"credentialId"`
	// Recipient is the row's email address, or its DID without one.
	Recipient string `json:"recipient"`
	// File is the credential file's name in the output directory.
	File string `json:"file"`
	// SHA256 is the lower-case hex SHA-256 of the file.
	SHA256 string `json:"sha256"`
}

func (o *outputs) manifest(it *batchItem) error {
	e := ManifestEntry{Row: it.item.Line, Key: it.item.Key, Name: it.item.Name, CredentialID: it.id, Recipient: it.item.Recipient, File: it.file, SHA256: it.fileSHA}
	if err := o.csvW.Write([]string{strconv.Itoa(e.Row), csvCell(e.Key), csvCell(e.Name), csvCell(e.CredentialID), csvCell(e.Recipient), csvCell(e.File), e.SHA256}); err != nil {
		return fmt.Errorf("writing manifest: %w", err)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = o.jsonlW.Write(append(line, '\n'))
	return err
}

// csvCell neutralises a manifest.csv cell taken from input (OWASP CSV
// injection): a cell starting with =, +, -, @, a tab or a carriage return
// gets a leading single quote, so a spreadsheet shows it as text rather
// than evaluating it as a formula. manifest.jsonl, for machines, keeps the
// exact value.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Reject is one line of the rejects file.
type Reject struct {
	// Line is the roster line of the row.
	Line int `json:"line"`
	// Field is the field at fault, if one is.
	Field string `json:"field,omitempty"`
	// Error says what is wrong.
	Error string `json:"error"`
	// Raw is the row as read, when known.
	Raw string `json:"raw,omitempty"`
}

func (o *outputs) reject(le *RowError) error {
	line, err := json.Marshal(Reject{Line: le.Line, Field: le.Field, Error: le.Err.Error(), Raw: le.Raw})
	if err != nil {
		return err
	}
	_, err = o.rejectsW.Write(append(line, '\n'))
	return err
}

// finish flushes the files and puts them in place (each synced, then
// renamed); without rejects, a rejects file of an earlier run is removed.
func (o *outputs) finish(rejects bool) error {
	o.csvW.Flush()
	if err := o.csvW.Error(); err != nil {
		return fmt.Errorf("writing manifest: %w", err)
	}
	for _, w := range []*bufio.Writer{o.jsonlW, o.rejectsW} {
		if err := w.Flush(); err != nil {
			return fmt.Errorf("writing manifest: %w", err)
		}
	}
	files := []struct {
		f    *atomicfile.Pending
		name string
		keep bool
	}{{o.csvF, ManifestCSV, true}, {o.jsonlF, ManifestJSONL, true}, {o.rejF, RejectsFile, rejects}}
	for _, f := range files {
		if f.keep {
			if err := f.f.Commit(); err != nil {
				return err
			}
			continue
		}
		f.f.Abort()
		final := filepath.Join(o.dir, f.name)
		if err := os.Remove(final); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing stale %s: %w", final, err)
		}
	}
	return atomicfile.SyncDir(o.dir)
}

// abort discards whatever finish did not put in place.
func (o *outputs) abort() {
	for _, f := range []*atomicfile.Pending{o.csvF, o.jsonlF, o.rejF} {
		if f != nil {
			f.Abort()
		}
	}
}

package issuer

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/vcjwt"
)

// DefaultVerifyEvery is how often a batch fully re-verifies a credential
// when BatchConfig.VerifyEvery is zero.
const DefaultVerifyEvery = 1000

// BatchOutput says how a batch writes each credential: its file name
// extension and the codec between the signed credential and the file.
type BatchOutput struct {
	// Ext is the file name extension with its dot, e.g. ".json", ".jwt",
	// ".png". Required.
	Ext string
	// Encode turns the signed credential (the JSON document, or the
	// compact JWS) into the file's bytes, e.g. by baking it into an image.
	// If nil, the file is the credential, a JWS followed by a newline.
	Encode func(signed []byte) ([]byte, error)
	// Decode returns the credential a file holds. If nil, the file's bytes
	// with surrounding white space removed (for JSON, as written).
	Decode func(file []byte) ([]byte, error)
}

// BatchItem is one credential of a batch: its request and where it came
// from. Package roster makes them from roster rows.
type BatchItem struct {
	// Line is the item's line in its source, named in errors, the
	// manifest and the rejects.
	Line int
	// Key identifies the item in its batch (a student number, an email
	// address): with the batch id it fixes the credential id (see
	// Batch.CredentialID). Required.
	Key string
	// Name and Recipient (an email address or DID) are written to the
	// manifest.
	Name, Recipient string
	// Request is the credential to issue. Its ID and ValidFrom are the
	// batch's to set.
	Request Request
	// ResultFields maps the id of a result description of the request's
	// results to the source field its value came from, named when the
	// achievement refuses the result.
	ResultFields map[string]string
	// Warnings are notes about a valid item, for the caller to show.
	Warnings []string
}

// RowError is a bad item of a batch source: its line, the field at fault
// ("" for the whole item), the cause and the item as read.
type RowError struct {
	// Line is the item's line in its source.
	Line int
	// Field is the field at fault, or "" for the whole item.
	Field string
	// Err is the cause.
	Err error
	// Raw is the item as read, for the rejects file. It may be cut short.
	Raw string
}

func (e *RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *RowError) Unwrap() error { return e.Err }

// BatchSource yields a batch's items; roster.Items is one. Next returns a
// *RowError for a bad item and io.EOF at the end.
type BatchSource interface {
	Next() (*BatchItem, error)
}

// BatchItems returns a BatchSource yielding items in order: a batch made
// in code rather than read from a roster.
func BatchItems(items ...BatchItem) BatchSource { return &itemList{items: items} }

type itemList struct{ items []BatchItem }

func (l *itemList) Next() (*BatchItem, error) {
	if len(l.items) == 0 {
		return nil, io.EOF
	}
	it := l.items[0]
	l.items = l.items[1:]
	return &it, nil
}

// BatchConfig configures a batch issuance (see NewBatch).
type BatchConfig struct {
	// ID names the batch. With a row's key and the store's issuer secret
	// it determines the row's credential id (see Batch.CredentialID), so
	// re-running a batch issues nothing twice. Required.
	ID string
	// OutDir is the directory the files, the manifest and the rejects go
	// to; Run creates it if needed. Required for Run; Check and Precheck,
	// which write nothing, do without.
	OutDir string
	// Output is the file encoding. Ext is required.
	Output BatchOutput
	// Workers is the number of goroutines building and signing. If zero,
	// 16 per CPU: signing is CPU-bound, but each worker also blocks in the
	// file system writing its file, and now and then on the store when a
	// chunk of status indices is not reserved ahead in time.
	Workers int
	// VerifyEvery makes every n-th credential (and the first) go through
	// the full self-check Issue does (schema with status, then proof
	// verification from the written bytes, or of the JWS). If zero,
	// DefaultVerifyEvery; 1 checks all.
	VerifyEvery int
	// SkipInvalid issues the valid rows of a roster with bad ones; the bad
	// ones (and rows the issuer refuses) go to the rejects file. Without
	// it a bad row stops the batch before it is read further.
	SkipInvalid bool
	// Progress, if set, is called from one goroutine after each chunk of
	// rows is durable, and once at the end.
	Progress func(BatchProgress)
	// CatalogueAchievement names the approved catalogue version every row
	// earns ("ID@VERSION", or "ID" for the latest approved), as
	// Request.CatalogueAchievement does; NewBatch refuses a version that is
	// not approved. A row whose own achievement differs is refused.
	CatalogueAchievement string
	// Stats, if set, gets the time the run's rows spend in each stage
	// (see BatchStage), to find what bounds its speed.
	Stats *BatchStats
}

// BatchProgress counts a batch's rows so far.
type BatchProgress struct {
	// Rows is the number of rows handled: the sum of the counts below.
	Rows int
	// Issued is the number of credentials issued in this run.
	Issued int
	// Skipped is the number of rows found issued by an earlier run.
	Skipped int
	// Adopted is the number of credentials an interrupted run wrote but
	// had not recorded, verified and recorded by this run.
	Adopted int
	// Rejected is the number of bad rows skipped (SkipInvalid).
	Rejected int
	// Failed is the number of rows that could not be issued.
	Failed int
	// Elapsed is the time since the run started.
	Elapsed time.Duration
}

// Files written in BatchConfig.OutDir besides the credentials.
const (
	ManifestCSV   = "manifest.csv"
	ManifestJSONL = "manifest.jsonl"
	RejectsFile   = "rejects.jsonl"
)

// ErrBatchFailed means some rows of a batch could not be issued; the
// others were.
var ErrBatchFailed = errors.New("batch incomplete")

// Batch issues one credential per roster row: see Run.
type Batch struct {
	is          *Issuer
	cfg         BatchConfig
	idKey       []byte // HMAC key of CredentialID
	validFrom   time.Time
	verifyEvery int
	indices     *indexPool
	// rows builds and checks the rows' credentials.
	rows *rowChecker
	// managed is the catalogue version the rows earn; nil if unmanaged.
	managed *catalogue.Resolved
}

// NewBatch checks cfg and returns a Batch. The issuer needs a Store: it is
// what makes a batch idempotent and resumable, and it keeps the issuer
// secret credential ids are derived with (made on first use).
func (is *Issuer) NewBatch(ctx context.Context, cfg BatchConfig) (*Batch, error) {
	switch {
	case is.cfg.Store == nil:
		return nil, fmt.Errorf("batch: %w", ErrNoStore)
	case strings.TrimSpace(cfg.ID) == "":
		return nil, fmt.Errorf("batch id: %w: required", ErrInvalidInput)
	case cfg.Output.Ext == "" || strings.ContainsAny(cfg.Output.Ext, `/\`):
		return nil, fmt.Errorf("batch output extension %q: %w", cfg.Output.Ext, ErrInvalidInput)
	case is.cfg.ListsOnly:
		return nil, fmt.Errorf("batch: %w", ErrListsOnly)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16 * runtime.GOMAXPROCS(0)
	}
	managed, err := is.manageBatch(ctx, cfg.CatalogueAchievement)
	if err != nil {
		return nil, fmt.Errorf("batch %s: %w", cfg.ID, err)
	}
	secret, err := is.cfg.Store.IssuerSecret(ctx)
	if err != nil {
		return nil, fmt.Errorf("batch %s: %w", cfg.ID, err)
	}
	rows, err := newRowChecker(is)
	if err != nil {
		return nil, fmt.Errorf("batch %s: %w", cfg.ID, err)
	}
	b := &Batch{
		is:          is,
		rows:        rows,
		cfg:         cfg,
		idKey:       batchIDKey(secret, cfg.ID),
		verifyEvery: cfg.VerifyEvery,
		indices:     newIndexPool(is),
		managed:     managed,
	}
	if b.verifyEvery <= 0 {
		b.verifyEvery = DefaultVerifyEvery
	}
	return b, nil
}

// batchIDKey derives the key of a batch's credential ids from the issuer
// secret and the batch id: HMAC-SHA-256(secret, label, batch id).
func batchIDKey(secret []byte, batchID string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("badgesmith batch credential id v1\x00"))
	mac.Write([]byte(batchID))
	return mac.Sum(nil)
}

// CredentialID returns the id of the credential for the row with key:
// urn:uuid: and a UUID (version 8, the form for custom derivations) made
// of the first 122 bits of HMAC-SHA-256 of the key, keyed with the issuer
// secret of the store and the batch id. Running the batch again against
// the same store gives the same ids, so nothing is issued twice; another
// store (another institution) gets other ids for the same achievement,
// roster name and keys; and without the secret no one can tell which
// student number an id was made from by trying every number.
func (b *Batch) CredentialID(key string) string {
	mac := hmac.New(sha256.New, b.idKey)
	mac.Write([]byte(key))
	var u uuid.UUID
	copy(u[:], mac.Sum(nil))
	u[6] = u[6]&0x0f | 0x80 // version 8
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return "urn:uuid:" + u.String()
}

// fileName returns the base name of the row's credential file.
func (b *Batch) fileName(id string) string {
	return strings.TrimPrefix(id, "urn:uuid:") + b.cfg.Output.Ext
}

// Check checks an item as Run would before signing it: with build, it
// builds (without signing) its credential, which checks the request
// against the OB 3.0 data model and schema and its results against the
// achievement's result descriptions. A refusal is a *RowError.
func (b *Batch) Check(it *BatchItem, build bool) error {
	if it.Key == "" {
		return &RowError{Line: it.Line, Err: fmt.Errorf("%w: no key", ErrInvalidInput)}
	}
	if !build {
		return nil
	}
	req, err := b.request(it)
	if err != nil {
		return b.rowError(it, err)
	}
	if _, err := b.is.Build(req); err != nil {
		return b.rowError(it, err)
	}
	return nil
}

// Precheck reads every item of src as Run would, signing nothing, and
// returns the numbers of valid and bad items. Each bad item's error (a
// *RowError: from src, or from Check) is passed to bad, in source order.
// The first valid item is also built, so a problem of the achievement or
// the issuer profile shows before anything is signed. Each valid item with
// Warnings is passed to warn, if set. An error that is no item's (src
// unreadable) ends the check and is returned.
func (b *Batch) Precheck(src BatchSource, bad func(error), warn func(*BatchItem)) (valid, nbad int, err error) {
	for {
		it, err := src.Next()
		var le *RowError
		switch {
		case errors.Is(err, io.EOF):
			return valid, nbad, nil
		case errors.As(err, &le):
			nbad++
			bad(err)
			continue
		case err != nil:
			return valid, nbad, err
		}
		if err := b.Check(it, valid == 0); err != nil {
			nbad++
			bad(err)
			continue
		}
		if len(it.Warnings) > 0 && warn != nil {
			warn(it)
		}
		valid++
	}
}

// DefaultBatchID returns the batch id of a roster issued without one: the
// achievement's id, '#' and the roster's file name (the last element of
// rosterPath), so the same roster issued again for the same achievement
// is the same batch, and issues nothing twice. An achievement without an
// id has no default (ErrInvalidInput).
func DefaultBatchID(achievement map[string]any, rosterPath string) (string, error) {
	aid, _ := achievement["id"].(string)
	if aid == "" {
		return "", fmt.Errorf("batch id: %w: required when the achievement has no id", ErrInvalidInput)
	}
	return aid + "#" + filepath.Base(rosterPath), nil
}

// rowError wraps an error building the credential of it: a refused
// result names the field (roster column) it came from.
func (b *Batch) rowError(it *BatchItem, err error) *RowError {
	re := &RowError{Line: it.Line, Err: err}
	var rerr *ResultError
	if errors.As(err, &rerr) {
		if f, ok := it.ResultFields[rerr.ResultDescription]; ok {
			re.Field, re.Err = f, rerr.Err
		}
	}
	return re
}

// request is the item's request with the batch's credential id and
// issuance time.
func (b *Batch) request(it *BatchItem) (Request, error) {
	req := it.Request
	req.ID = b.CredentialID(it.Key)
	req.ValidFrom = b.validFrom
	return req, b.managedAchievement(&req)
}

// issue builds, reserves status for and signs the row's credential,
// returning the signed bytes (JSON or JWS) and its record. full runs the
// checks Issue runs on every credential; otherwise the status entries are
// not re-validated against the schema (they are ours, from the store) and
// the DI proof is not re-verified.
func (b *Batch) issue(ctx context.Context, it *BatchItem, full bool) ([]byte, *store.Record, error) {
	st := b.cfg.Stats
	t := st.start()
	req, err := b.request(it)
	if err != nil {
		return nil, nil, err
	}
	cred, err := b.rows.build(req)
	if err != nil {
		return nil, nil, err
	}
	t = st.since(StageBuild, t)
	var refs []store.StatusRef
	for _, purpose := range b.is.purposes() {
		ref, err := b.indices.take(ctx, purpose)
		if err != nil {
			return nil, nil, fmt.Errorf("attaching status: %w", err)
		}
		refs = append(refs, ref)
	}
	// The entries are ours, from the store: the schema sees them on the
	// sampled credentials only.
	if err := setStatus(cred, refs, full); err != nil {
		return nil, nil, err
	}
	t = st.since(StageStatus, t)
	var signed []byte
	format := store.FormatDI
	switch {
	case b.jwt() && full:
		format = store.FormatJWT
		tok, err := b.is.signJWT(ctx, cred)
		if err != nil {
			return nil, nil, err
		}
		signed = []byte(tok.Token)
	case b.jwt():
		format = store.FormatJWT
		if signed, err = b.signJWTUnchecked(ctx, cred); err != nil {
			return nil, nil, err
		}
	case full:
		c, err := b.is.Sign(ctx, cred)
		if err != nil {
			return nil, nil, err
		}
		signed = c.JSON
	default:
		if signed, err = b.signUnchecked(ctx, cred); err != nil {
			return nil, nil, err
		}
	}
	st.since(StageSign, t)
	return signed, b.record(cred, signed, format, refs, it.Key), nil
}

// signUnchecked is Sign without the self-verification, which costs as
// much as the signing: a batch re-verifies a sample instead (VerifyEvery),
// as a server does (Config.VerifyEvery). A batch's credentials differ only
// in the roster's values, which the signing canonicalization already
// checks in safe mode, so a systematic fault shows in the sample. The
// sampled rows are also checked whole, status entries included, so a
// fault of the checks by parts (rowChecker) would show there too.
func (b *Batch) signUnchecked(ctx context.Context, cred map[string]any) ([]byte, error) {
	s := b.is.cfg.Signer
	c, err := b.is.signDI(ctx, cred, s.format, s.identity, false)
	if err != nil {
		return nil, err
	}
	return c.JSON, nil
}

// signJWTUnchecked is signJWT without its self-check, which costs more
// than twice the signing (the JWS and its claims parsed back, the
// signature verified): as for Data Integrity proofs, a batch verifies a
// sample instead (VerifyEvery).
func (b *Batch) signJWTUnchecked(ctx context.Context, cred map[string]any) ([]byte, error) {
	s := b.is.cfg.Signer
	tok, err := vcjwt.Sign(ctx, cred, s.key, vcjwt.Options{
		Format: string(s.format),
		KeyID:  s.identity.VerificationMethod,
		Now:    b.is.cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("signing credential as %s: %w", s.format, err)
	}
	return []byte(tok), nil
}

// record is the store record of a batch credential; see RecordIssued.
// Its SHA256 is of the credential without surrounding white space (the
// JSON document without its final newline, or the JWS), which is also
// what a baked image carries, so the record can be checked against any
// output form.
func (b *Batch) record(doc map[string]any, signed []byte, format string, refs []store.StatusRef, key string) *store.Record {
	rec := b.is.newRecord(doc, bytes.TrimSpace(signed), format, refs)
	rec.BatchID = b.cfg.ID
	rec.RowKey = key
	if b.managed != nil {
		rec.AchievementVersion = b.managed.Version
	}
	return &rec
}

// adopt checks a credential file that an interrupted run wrote but did not
// record: it must decode, verify under the issuer's key and carry the
// row's id. It returns the record to make for it, or an error if the file
// is to be replaced by a fresh issuance.
func (b *Batch) adopt(ctx context.Context, it *BatchItem, id string, file []byte) (*store.Record, error) {
	signed, err := b.decode(file)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	format := store.FormatDI
	own := ownKey{b.is.cfg.Signer, b.is.cfg.Signer.identity.VerificationMethod}
	if b.jwt() {
		format = store.FormatJWT
		res, err := vcjwt.Verify(ctx, string(signed), vcjwt.VerifyOptions{Keys: own, Now: b.is.cfg.Now})
		if err != nil && !errors.Is(err, vcjwt.ErrExpired) && !errors.Is(err, vcjwt.ErrNotYetValid) {
			return nil, err
		}
		if res == nil {
			return nil, errors.New("no verification result")
		}
		doc = res.Credential
	} else {
		if err := json.Unmarshal(signed, &doc); err != nil {
			return nil, err
		}
		if _, err := proof.Verify(ctx, doc, proof.VerifyOptions{Keys: own, Loader: b.is.cfg.Loader, Now: b.is.cfg.Now}); err != nil {
			return nil, err
		}
	}
	if got, _ := doc["id"].(string); got != id {
		return nil, fmt.Errorf("credential id %q, want %q", got, id)
	}
	refs, err := statusRefs(doc["credentialStatus"])
	if err != nil {
		return nil, err
	}
	if len(refs) != len(b.is.purposes()) {
		return nil, fmt.Errorf("%d status entries, want %d", len(refs), len(b.is.purposes()))
	}
	return b.record(doc, signed, format, refs, it.Key), nil
}

// jwt reports whether the batch signs JWTs.
func (b *Batch) jwt() bool { return b.is.cfg.Signer.format.IsJWT() }

func (b *Batch) decode(file []byte) ([]byte, error) {
	if b.cfg.Output.Decode != nil {
		return b.cfg.Output.Decode(file)
	}
	return bytes.TrimSpace(file), nil
}

func (b *Batch) encode(signed []byte) ([]byte, error) {
	if b.cfg.Output.Encode != nil {
		return b.cfg.Output.Encode(signed)
	}
	if b.jwt() {
		return append(slices.Clip(signed), '\n'), nil
	}
	return signed, nil
}

// statusRefs reads the BitstringStatusListEntry values of a credential
// this issuer made back into store references.
func statusRefs(v any) ([]store.StatusRef, error) {
	var list []any
	switch t := v.(type) {
	case map[string]any:
		list = []any{t}
	case []any:
		list = t
	default:
		return nil, errors.New("no credentialStatus")
	}
	refs := make([]store.StatusRef, 0, len(list))
	for _, e := range list {
		m, _ := e.(map[string]any)
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		var ent struct {
			Purpose status.Purpose `json:"statusPurpose"`
			List    string         `json:"statusListCredential"`
			Index   int            `json:"statusListIndex,string"`
		}
		if err := json.Unmarshal(raw, &ent); err != nil || ent.Purpose == "" || ent.List == "" {
			return nil, fmt.Errorf("credentialStatus entry %v is not a status list entry", m)
		}
		refs = append(refs, store.StatusRef{Purpose: ent.Purpose, ListID: ent.List, Index: ent.Index})
	}
	return refs, nil
}

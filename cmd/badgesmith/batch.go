package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/roster"
)

type batchOptions struct {
	keyring       string
	key           string
	achievement   string
	profile       string
	didWeb        string
	roster        string
	out           string
	store         string
	statusBaseURL string
	suspension    bool
	batchID       string
	keyColumn     string
	mappingFile   string
	maps          []string
	format        string
	suite         string
	bake          string
	validUntil    string
	plain         bool
	dryRun        bool
	skipInvalid   bool
	allowNoName   bool
	workers       int
	verifyEvery   int
	progress      string
	progressEvery time.Duration
	maxErrors     int
	stats         bool
	cpuProfile    string
	cat           catalogueFlags
	offers        offersFlags
}

func (o *batchOptions) AddFlags(fs *pflag.FlagSet) {
	addKeyringFlag(fs, &o.keyring)
	fs.StringVar(&o.key, "key", "", "name of the signing key in the keyring (required)")
	fs.StringVar(&o.achievement, "achievement", "", "Achievement JSON file every row earns (required)")
	fs.StringVar(&o.profile, "issuer-profile", "", "issuer Profile JSON file; its id is the key's DID")
	fs.StringVar(&o.didWeb, "did-web", "", "issue as the did:web DID of this host[:port][/path]")
	fs.StringVar(&o.roster, "roster", "", "roster file: .csv with a header line, or .jsonl (required)")
	fs.StringVar(&o.out, "out", "", "output directory for the credentials, manifest and rejects (required unless --dry-run)")
	addStoreFlag(fs, &o.store)
	fs.StringVar(&o.statusBaseURL, "status-base-url", "", "URL the status lists are published under (required)")
	fs.BoolVar(&o.suspension, "suspension", false, "also give each credential a suspension entry")
	fs.StringVar(&o.batchID, "batch-id", "", "batch id; with a row's key and the store's secret it fixes the row's credential id (default: the achievement id, '#', the roster's file name)")
	fs.StringVar(&o.keyColumn, "key-column", "", "column identifying a row, e.g. a student number (default: the email column, else the did column)")
	fs.StringVar(&o.mappingFile, "mapping", "", "JSON mapping file: {\"email\":COL,\"name\":COL,\"did\":COL,\"key\":COL,\"evidence\":COL,\"activityStartDate\":COL,\"activityEndDate\":COL,\"creditsEarned\":COL,\"results\":{DESCRIPTION:COL},\"achievement\":{FIELD:COL}}")
	fs.StringArrayVar(&o.maps, "map", nil, "FIELD=COLUMN, repeatable: email, name, did, key, evidence, activityStartDate, activityEndDate, creditsEarned, result:DESCRIPTION (id or name), achievement.FIELD ("+strings.Join(roster.OverrideFields, ", ")+"); without any mapping, usual column names are recognised")
	fs.StringVar(&o.format, "format", "di", "credential format: di (JSON, Data Integrity proof), jwt (VC-JWT) or jose")
	fs.StringVar(&o.suite, "suite", "", "Data Integrity suite (see issue --suite)")
	fs.StringVar(&o.bake, "bake", "", "bake each credential into this PNG or SVG image instead of writing it as is")
	fs.StringVar(&o.validUntil, "valid-until", "", "end of validity of every credential (RFC 3339 date-time)")
	fs.BoolVar(&o.plain, "plain-recipient", false, "put email addresses and names in the clear instead of salted hashes")
	fs.BoolVar(&o.dryRun, "dry-run", false, "validate the roster and stop")
	fs.BoolVar(&o.skipInvalid, "skip-invalid", false, "issue the valid rows even if some are bad; bad rows go to rejects.jsonl")
	fs.BoolVar(&o.allowNoName, "allow-missing-names", false, "issue rows whose name cell is empty (a warning each) instead of refusing them")
	fs.IntVar(&o.workers, "workers", 0, "signing goroutines (default: 16 per CPU)")
	fs.IntVar(&o.verifyEvery, "verify-every", issuer.DefaultVerifyEvery, "fully re-verify every n-th credential (1: all)")
	fs.StringVar(&o.progress, "progress", "auto", "progress display: auto (a bar on a terminal, else lines), bar, lines or none")
	fs.DurationVar(&o.progressEvery, "progress-every", 5*time.Second, "interval of progress lines")
	fs.IntVar(&o.maxErrors, "max-errors", 1000, "bad rows listed at most (all are counted)")
	fs.BoolVar(&o.stats, "stats", false, "print the time spent per stage (read, build, status, sign, encode, write, sync, store, manifest) at the end")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the issuing run (not the roster check) to this file, for go tool pprof")
	o.cat.AddFlags(fs)
	o.offers.AddFlags(fs)
}

func newBatchCmd(s streams) *cobra.Command {
	o := &batchOptions{}
	cmd := &cobra.Command{
		Use:   "batch",
		Short: "Issue one credential per row of a roster",
		Long: `Issue an Open Badges 3.0 credential to every learner of a roster (CSV or
JSON Lines), each recorded in the store with its status entries.

The whole roster is checked first and every bad row is listed with its line
and field; nothing is signed while any row is bad unless --skip-invalid is
given, and --dry-run stops after the check. A result must be one of its
result description's allowedValue (or, for numeric result types, a decimal
within valueMin..valueMax) and meet its requiredValue or requiredLevel
(allowedValue and rubric levels are read lowest first). A row with an empty
name, when the roster has a name column, is bad too unless
--allow-missing-names (then it is a warning). Signing then runs on every core
while the roster is streamed, so memory stays flat however long it is.

Each row's credential id is derived from the batch id and the row's key
(HMAC-SHA-256 under a secret the store makes once, so other issuers' ids
never collide and no one can work back to a student number), so
running the same batch again issues nothing new, and after an interruption
(even kill -9) it issues exactly the missing rows. The output directory gets
one file per credential (named by the credential's UUID) and a manifest
(manifest.csv, manifest.jsonl: row, key (e.g. student number), name,
credential id, recipient, file, SHA-256).`,
		Example: `  badgesmith batch --key registrar --issuer-profile issuer.json \
      --achievement achievement.json --roster cohort.csv --out out/ \
      --store issued.db --status-base-url https://example.edu/status/ \
      --key-column student_id --map email=Email --map name="Full Name" \
      --map result:grade=Grade`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Signing allocates many short-lived objects while the live heap
			// stays small (tens of MB), so fewer collections buy throughput.
			// An explicit GOGC or GOMEMLIMIT still wins.
			if os.Getenv("GOGC") == "" {
				defer debug.SetGCPercent(debug.SetGCPercent(400))
			}
			// ...but never let the heap grow past what a constant-memory
			// batch needs, whatever the roster's length.
			if os.Getenv("GOMEMLIMIT") == "" {
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(64 << 20))
			}
			return o.run(cmd.Context(), s)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *batchOptions) run(ctx context.Context, s streams) error {
	switch {
	case o.key == "":
		return &usageError{"--key is required"}
	case o.cat.check(o.achievement) != nil:
		return o.cat.check(o.achievement)
	case o.roster == "" || o.roster == "-":
		return &usageError{"--roster FILE is required (it is read twice: checked, then issued)"}
	case o.out == "" && !o.dryRun:
		return &usageError{"--out DIR is required"}
	case o.statusBaseURL == "":
		return &usageError{"--status-base-url is required: every credential gets a revocation entry"}
	case o.verifyEvery < 1:
		return &usageError{"--verify-every must be at least 1"}
	}
	signFormat, err := parseFormat(o.format, o.suite, "")
	if err != nil {
		return err
	}
	if err := o.offers.check(signFormat.IsJWT() || o.bake != ""); err != nil {
		return err
	}
	format, err := roster.FormatOf(o.roster)
	if err != nil {
		return &usageError{err.Error()}
	}
	mapping, err := o.mapping(ctx, s)
	if err != nil {
		return err
	}
	output, err := o.output(ctx, s, signFormat.IsJWT())
	if err != nil {
		return err
	}
	var validUntil time.Time
	if o.validUntil != "" {
		if validUntil, err = time.Parse(time.RFC3339, o.validUntil); err != nil {
			return &usageError{fmt.Sprintf("--valid-until %q is not an RFC 3339 date-time", o.validUntil)}
		}
	}
	db, err := openStore(o.store, true)
	if err != nil {
		return err
	}
	defer db.Close()
	cat := catalogue.New(db, catalogue.Options{})
	var achievement map[string]any
	if o.cat.ref != "" {
		achievement, err = o.cat.resolve(ctx, cat)
	} else {
		achievement, err = readObject(ctx, s, o.cat.file(o.achievement))
	}
	if err != nil {
		return err
	}
	signer, err := ringSigner(o.keyring, o.key, signFormat, o.didWeb)
	if err != nil {
		return err
	}
	profile := map[string]any{"name": o.key}
	if o.profile != "" {
		if profile, err = readObject(ctx, s, o.profile); err != nil {
			return err
		}
	}
	batchID := o.batchID
	if batchID == "" {
		if batchID, err = issuer.DefaultBatchID(achievement, o.roster); err != nil {
			return &usageError{"--batch-id is required when the achievement has no id"}
		}
	}
	icfg := issuer.Config{
		Profile: profile, Signer: signer, Store: db, StatusBaseURL: o.statusBaseURL, Suspension: o.suspension,
	}
	o.cat.configure(&icfg, cat)
	is, err := newIssuer(icfg)
	if err != nil {
		return err
	}
	reqs, err := roster.NewRequests(roster.RequestOptions{
		Achievement: achievement, Mapping: mapping, PlainRecipient: o.plain, ValidUntil: validUntil,
	})
	if err != nil {
		return err
	}
	pr := &batchProgress{w: s.err, every: o.progressEvery, mode: o.progress}
	var stats *issuer.BatchStats
	if o.stats {
		stats = &issuer.BatchStats{}
	}
	cfg := issuer.BatchConfig{
		Stats:    stats,
		Progress: pr.update,
		ID:       batchID, OutDir: o.out, Output: output,
		Workers: o.workers, VerifyEvery: o.verifyEvery, SkipInvalid: o.skipInvalid,
		CatalogueAchievement: o.cat.ref,
	}
	b, err := is.NewBatch(ctx, cfg)
	if err != nil {
		return explainCatalogue(err)
	}
	fmt.Fprintf(s.err, "batch %s\n", shown(batchID))

	valid, bad, err := o.check(s, b, reqs, format, mapping)
	if err != nil {
		return err
	}
	switch {
	case bad > 0 && (o.dryRun || !o.skipInvalid):
		fmt.Fprintf(s.err, "%s: %d rows valid, %d bad\n", shown(o.roster), valid, bad)
		if o.dryRun {
			return &silentError{exitInvalid}
		}
		return fmt.Errorf("%s: %d bad rows, nothing signed (fix them, or issue the rest with --skip-invalid): %w", o.roster, bad, errInvalid)
	case o.dryRun:
		fmt.Fprintf(s.err, "%s: all %d rows valid\n", shown(o.roster), valid)
		return nil
	}
	f, err := openRegular(o.roster)
	if err != nil {
		return err
	}
	defer f.Close()
	rd, err := roster.NewReader(f, roster.Options{Format: format, Mapping: mapping, AllowMissingNames: o.allowNoName})
	if err != nil {
		return fmt.Errorf("%s: %w: %w", o.roster, errInvalid, err)
	}
	stopProfile, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		return err
	}
	pr.start(valid + bad)
	sum, err := b.Run(ctx, reqs.Items(rd))
	pr.finish()
	if perr := stopProfile(); perr != nil && err == nil {
		err = perr
	}
	if stats != nil && sum != nil {
		printStages(s.err, stats, sum)
	}
	if sum != nil {
		rate := 0.0
		if sum.Elapsed > 0 {
			rate = float64(sum.Issued+sum.Adopted) / sum.Elapsed.Seconds()
		}
		fmt.Fprintf(s.err, "batch %s: %d rows: %d issued, %d already issued, %d recovered, %d rejected, %d failed in %s (%.0f credentials/s)\n",
			shown(batchID), sum.Rows, sum.Issued, sum.Skipped, sum.Adopted, sum.Rejected, sum.Failed, sum.Elapsed.Round(time.Millisecond), rate)
	}
	if err != nil {
		if errors.Is(err, issuer.ErrBatchFailed) {
			return fmt.Errorf("%w: %w", errInvalid, err)
		}
		return err
	}
	fmt.Fprintf(s.err, "manifest: %s\n", shown(filepath.Join(o.out, issuer.ManifestCSV)))
	if sum.Rejected > 0 {
		fmt.Fprintf(s.err, "rejected rows: %s\n", shown(filepath.Join(o.out, issuer.RejectsFile)))
	}
	return o.offers.write(ctx, s, db, o.store, o.out)
}

// mapping assembles the roster mapping from --mapping, --map and
// --key-column.
func (o *batchOptions) mapping(ctx context.Context, s streams) (roster.Mapping, error) {
	var m roster.Mapping
	if o.mappingFile != "" {
		data, err := readInput(ctx, s, o.mappingFile, maxInputFile, defaultReadTimeout)
		if err != nil {
			return m, err
		}
		if m, err = roster.ParseMapping(data); err != nil {
			return m, fmt.Errorf("%s: %w", o.mappingFile, err)
		}
	}
	for _, kv := range o.maps {
		field, col, ok := strings.Cut(kv, "=")
		if !ok {
			return m, &usageError{fmt.Sprintf("--map %q: want FIELD=COLUMN", kv)}
		}
		if err := m.Set(strings.TrimSpace(field), strings.TrimSpace(col)); err != nil {
			return m, &usageError{err.Error()}
		}
	}
	if o.keyColumn != "" {
		m.Key = o.keyColumn
	}
	if !m.IsZero() && m.Email == "" && m.DID == "" {
		return m, &usageError{"the mapping needs an email or a did column (--map email=COLUMN)"}
	}
	return m, nil
}

// output returns how each credential is written: as is, or baked.
func (o *batchOptions) output(ctx context.Context, s streams, jwt bool) (issuer.BatchOutput, error) {
	out := issuer.BatchOutput{Ext: ".json"}
	if jwt {
		out.Ext = ".jwt"
	}
	if o.bake == "" {
		return out, nil
	}
	img, err := readInput(ctx, s, o.bake, bake.DefaultMaxImageSize, defaultReadTimeout)
	if err != nil {
		return out, err
	}
	c, err := bake.NewCodec(img, bake.Limits{})
	if errors.Is(err, bake.ErrMalformedImage) {
		return out, &usageError{fmt.Sprintf("--bake %s: not a PNG or SVG image", o.bake)}
	}
	if err != nil {
		return out, err
	}
	return issuer.BatchOutput{Ext: c.Ext(), Encode: c.Encode, Decode: c.Decode}, nil
}

// check reads the whole roster once (Batch.Precheck), listing at most
// --max-errors bad rows, and returns the counts of valid and bad rows.
func (o *batchOptions) check(s streams, b *issuer.Batch, reqs *roster.Requests, format roster.Format, m roster.Mapping) (valid, bad int, err error) {
	f, err := openRegular(o.roster)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	rd, err := roster.NewReader(f, roster.Options{Format: format, Mapping: m, AllowMissingNames: o.allowNoName})
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w: %w", o.roster, errInvalid, err)
	}
	listed := 0
	report := func(err error) {
		listed++
		if listed <= o.maxErrors {
			fmt.Fprintf(s.err, "%s: %s\n", shown(o.roster), shown(err.Error()))
		} else if listed == o.maxErrors+1 {
			fmt.Fprintf(s.err, "%s: more bad rows; counting only\n", shown(o.roster))
		}
	}
	warn := func(it *issuer.BatchItem) {
		for _, w := range it.Warnings {
			fmt.Fprintf(s.err, "%s: line %d: warning: %s (--allow-missing-names)\n", shown(o.roster), it.Line, shown(w))
		}
	}
	valid, bad, err = b.Precheck(reqs.Items(rd), report, warn)
	if err != nil {
		return valid, bad, fmt.Errorf("%s: %w: %w", o.roster, errInvalid, err)
	}
	return valid, bad, nil
}

// batchProgress shows a batch's progress: a bar on a terminal, otherwise
// a line every progressEvery.
type batchProgress struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	w     io.Writer
	every time.Duration
	last  time.Time
	mode  string
	total int
	lines bool
}

// start shows the progress of a run over total rows.
func (p *batchProgress) start(total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.last = total, time.Now()
	mode := p.mode
	if mode == "auto" {
		mode = "lines"
		if f, ok := p.w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "bar"
		}
	}
	switch mode {
	case "bar":
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("issuing"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionFullWidth(),
		)
	case "lines":
		p.lines = true
	}
}

func (p *batchProgress) update(bp issuer.BatchProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		if n := bp.Rejected + bp.Failed; n > 0 {
			p.bar.Describe(fmt.Sprintf("issuing (%d errors)", n))
		}
		_ = p.bar.Set(bp.Rows)
		return
	}
	if p.lines && time.Since(p.last) >= p.every {
		p.last = time.Now()
		rate := float64(bp.Rows) / bp.Elapsed.Seconds()
		eta := "?"
		if rate > 0 {
			eta = time.Duration(float64(p.total-bp.Rows) / rate * float64(time.Second)).Round(time.Second).String()
		}
		fmt.Fprintf(p.w, "progress: %d/%d rows (%d issued, %d already, %d recovered, %d errors), %.0f rows/s, eta %s\n",
			bp.Rows, p.total, bp.Issued, bp.Skipped, bp.Adopted, bp.Rejected+bp.Failed, rate, eta)
	}
}

func (p *batchProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

// startCPUProfile starts a CPU profile written to path, if set, and
// returns what stops it and closes the file.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path) //nolint:gosec // G304: the path is the user's own flag
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}

// printStages prints where a run's time went (--stats): per stage its
// time summed over the goroutines running it, that time per row of the
// run, and its share of all stages' time.
func printStages(w io.Writer, st *issuer.BatchStats, sum *issuer.BatchProgress) {
	stages := st.Stages()
	var total time.Duration
	for _, s := range stages {
		total += s.Time
	}
	rows := max(sum.Rows, 1)
	fmt.Fprintf(w, "stages over %d rows in %s (time summed over goroutines):\n", sum.Rows, sum.Elapsed.Round(time.Millisecond))
	for _, s := range stages {
		share := 0.0
		if total > 0 {
			share = 100 * float64(s.Time) / float64(total)
		}
		fmt.Fprintf(w, "  %-8s %10s %9.1f µs/row %5.1f%%  (%d runs)\n",
			s.Stage, s.Time.Round(time.Millisecond), float64(s.Time.Microseconds())/float64(rows), share, s.Count)
	}
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/display"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/verifier"
)

type verifyOptions struct {
	json    bool
	explain bool
	// strict makes a valid-with-warnings verdict exit 1.
	strict bool
	// lenientSchema is verifier.Options.LenientSchema.
	lenientSchema bool
	maxSize       int64
	at            string
	skew          time.Duration
	// allowPrivate lets fetches reach loopback and private addresses.
	allowPrivate bool
	jobs         int
	timeout      time.Duration
	// statusDir holds status lists for offline checks.
	statusDir string
	// pinnedKeys is a pinned keys file (verifier.ParsePinnedKeys).
	pinnedKeys string
	// readTimeout bounds reading each input.
	readTimeout time.Duration
	// limits bounds the work of each verification (verifier.Limits).
	limits verifier.Limits
	// statusListIssuers are CRED_ISSUER=LIST_ISSUER pairs, statusListTrust
	// a file of them, anyStatusListIssuer the opt-in to any list issuer
	// (verifier.StatusListTrust).
	statusListIssuers   []string
	statusListTrust     string
	anyStatusListIssuer bool
	// catalogue is a published catalogue credential (--catalogue).
	catalogue string
	// trust are trust list files (verifier.ParseTrustList).
	trust []string
}

func (o *verifyOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print a machine-readable JSON report (one object per file, in a JSON array)")
	fs.BoolVar(&o.explain, "explain", false, "for one credential, also show what another verifier could judge differently: contexts and their hashes, the signed N-Quads and hashes, how the key was resolved, the status lists used, known implementation differences (an \"explain\" member with --json)")
	fs.BoolVar(&o.strict, "strict", false, "treat a credential that is valid with warnings as failing (exit 1)")
	fs.BoolVar(&o.lenientSchema, "lenient-schema", false, "make the failure of a 1EdTech JSON schema the credential declares in credentialSchema a warning instead of invalid")
	fs.Int64Var(&o.maxSize, "max-size", verifier.DefaultMaxSize, "largest credential accepted, in bytes")
	fs.StringVar(&o.at, "at", "", "check the validity window at this RFC 3339 time instead of now")
	fs.DurationVar(&o.skew, "clock-skew", 0, "tolerated clock difference on validFrom/validUntil")
	fs.BoolVar(&o.allowPrivate, "allow-private-network", false, "let did:web and status list fetches reach loopback and private addresses")
	fs.IntVar(&o.jobs, "jobs", runtime.GOMAXPROCS(0), "files verified in parallel")
	fs.DurationVar(&o.timeout, "fetch-timeout", 10*time.Second, "timeout for each network fetch")
	fs.DurationVar(&o.readTimeout, "read-timeout", defaultReadTimeout, "longest wait to read each input file or standard input")
	fs.StringVar(&o.pinnedKeys, "pinned-keys", "", "trust the keys this JSON file pins for their issuers without fetching anything (see the format below)")
	fs.DurationVar(&o.limits.Deadline, "deadline", verifier.DefaultDeadline, "longest time one credential's verification may take, every fetch included")
	fs.IntVar(&o.limits.MaxQuads, "max-quads", verifier.DefaultMaxQuads, "most RDF statements canonicalized for one document")
	fs.IntVar(&o.limits.MaxHashCalls, "max-hash-calls", verifier.DefaultMaxHashCalls, "most RDFC-1.0 blank node hash computations for one document")
	fs.IntVar(&o.limits.MaxValuesPerProperty, "max-values-per-property", verifier.DefaultMaxValuesPerProperty, "most values one property of one node may have")
	fs.IntVar(&o.limits.MaxProofs, "max-proofs", verifier.DefaultMaxProofs, "most proofs checked on one document")
	fs.IntVar(&o.limits.MaxStatusEntries, "max-status-entries", verifier.DefaultMaxStatusEntries, "most credentialStatus entries checked on one credential")
	fs.Int64Var(&o.limits.MaxInflatedBytes, "max-inflated-bytes", verifier.DefaultMaxInflatedBytes, "most status list bytes decompressed in one verification")
	fs.IntVar(&o.limits.MaxFetches, "max-fetches", verifier.DefaultMaxFetches, "most documents fetched in one verification")
	fs.StringVar(&o.catalogue, "catalogue", "", "the issuer's published achievement catalogue (catalogue.json): also check that each credential's achievement version was approved when it was issued")
	fs.StringVar(&o.statusDir, "status-dir", "", "read status lists from this directory before fetching them: a list is the file (any name, any depth) whose id is the list URL")
	fs.StringArrayVar(&o.statusListIssuers, "status-list-issuer", nil, "trust status lists signed by LIST_ISSUER for credentials of CRED_ISSUER, given as CRED_ISSUER=LIST_ISSUER (repeatable; split at the first =)")
	fs.StringVar(&o.statusListTrust, "status-list-trust", "", `trust the status list issuers this JSON file names for each credential issuer: {"<credential issuer>": ["<list issuer>", ...]}`)
	fs.StringArrayVar(&o.trust, "trust", nil, `trust list saying which issuers and endorsers are recognised, apart from the verdict (repeatable, most authoritative first): {"trustList": {"name", "entries": [{"id", "name", "url", "roles": ["issuer"|"endorser"], "validFrom", "validUntil"}]}} the DCC legacy registry layout {"registry": {"<did>": {"name", "url"}}}, or an OpenID Federation 1.0 registry {"openidFederation": {"trustAnchor", "jwks", "maxPathLength", "snapshot"}} (see the README)`)
	fs.BoolVar(&o.anyStatusListIssuer, "any-status-list-issuer", false, "trust a status list signed by any issuer whose own proof verifies (whoever controls the list's URL then speaks for the credential)")
}

func newVerifyCmd(s streams) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify FILE...",
		Short: "Verify Open Badges 3.0 credentials",
		Long: `Verify one or more credentials (use - for standard input). Each check
(parse, context, type, schema, proof, issuer, validity, status) prints one
line with its verdict and reason. Names, issuers and reasons are shown
with control characters escaped (\x1b, \u202e), and text holding
bidirectional control characters is flagged.

Inputs must be regular files (or - for standard input): a FIFO, a device
or a directory is refused. Each input is bounded by --max-size (images by
the larger image limit) and must be read within --read-timeout.

A signing key is trusted only if it is the key of a did:key or did:jwk
issuer, is listed under assertionMethod in the issuer's own DID document or
controlled identifier document (fetched from the issuer id), or is pinned
for the issuer with --pinned-keys. A key the credential names itself (an
<issuer>#z6Mk... fragment, a JWT header jwk) is never enough: such a
credential could not be verified unless its key is pinned.

A pinned keys file is a JSON object; each entry names the issuer id, the key
(publicKeyMultibase, or publicKeyJwk for an RSA key) and optionally the one
verification method it answers for (by default <issuer>#<multikey>):

  {"pinnedKeys": [
    {"issuer": "https://example.edu/issuers/565049",
     "publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"},
    {"issuer": "urn:uuid:8c5a0d2e-6b0f-4f4e-9c43-2a51c1b7d5f0",
     "verificationMethod": "urn:uuid:8c5a0d2e-6b0f-4f4e-9c43-2a51c1b7d5f0#key-1",
     "publicKeyJwk": {"kty": "EC", "crv": "P-256", "x": "...", "y": "..."}}
  ]}

Each credential gets one verdict:
  VALID                every check passed;
  VALID WITH WARNINGS  signature, issuer, dates and status are good, and some
                       checks list departures from the Open Badges data model
                       or JSON shape (a schema the credential does not
                       declare, a VC 1.1 context, a plain VC that is not an
                       Open Badge, a DID document listing a key twice);
  INVALID              forged, tampered, revoked, suspended, expired, not yet
                       valid, signed by a key that is not the issuer's, or
                       failing a 1EdTech schema it declares (unless
                       --lenient-schema);
  COULD NOT CHECK      a check could not run: network, a missing or untrusted
                       status list, an unsupported suite or context.
A status list signed by someone other than the credential's issuer (Bitstring
Status List 1.0 allows it, and says the verifier must trust both) is used
only when its issuer is trusted for the credential's issuer with
--status-list-issuer or --status-list-trust, or with --any-status-list-issuer.
Otherwise it can only make things worse: a set revocation or suspension bit
makes the credential invalid, naming who signed the list; a clear bit means
the status could not be checked ("status list issuer not trusted"). The
list's own proof is always verified with a key of its issuer.

Exit status: 0 every credential is valid (or valid with warnings, unless
--strict), 1 at least one is invalid (or has warnings, with --strict),
2 a credential could not be checked. A misused command also exits 2; its
message starts "usage error:" and, with --json, standard output holds
{"usageError": "..."} instead of reports.`,
		Example: `  badgesmith verify cred.json
  badgesmith verify baked.png baked.svg
  badgesmith verify --json cred1.json cred2.json
  badgesmith verify --explain cred.json
  badgesmith verify --strict --lenient-schema cred.json
  badgesmith verify --pinned-keys pinned-keys.json cred.json
  badgesmith verify --status-list-issuer did:web:school.example=did:web:status.example cred.json
  badgesmith verify --deadline 5s --max-status-entries 4 cred.json
  cat cred.json | badgesmith verify -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Verifying allocates many short-lived objects over a small
			// live heap (contexts, schemas, cached status lists): fewer
			// collections buy throughput, as for batch. An explicit GOGC
			// still wins.
			if os.Getenv("GOGC") == "" {
				defer debug.SetGCPercent(debug.SetGCPercent(400))
			}
			err := o.run(cmd, s, args)
			var ue *usageError
			if o.json && errors.As(err, &ue) {
				// Machine readers tell a misused command from a credential
				// that could not be checked (both exit 2) by this object.
				b, jerr := json.Marshal(map[string]string{"usageError": ue.msg})
				if jerr == nil {
					_, _ = fmt.Fprintf(s.out, "%s\n", display.JSON(b))
				}
			}
			return err
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// fileReport is the --json form of one file's verification.
type fileReport struct {
	File  string `json:"file"`
	Error string `json:"error,omitempty"`
	*verifier.Result
}

func (o *verifyOptions) run(cmd *cobra.Command, s streams, files []string) error {
	if o.maxSize <= 0 {
		return &usageError{"--max-size must be positive"}
	}
	l := o.limits
	for _, c := range []struct {
		flag string
		ok   bool
	}{
		{"--deadline", l.Deadline > 0}, {"--max-quads", l.MaxQuads > 0}, {"--max-hash-calls", l.MaxHashCalls > 0},
		{"--max-values-per-property", l.MaxValuesPerProperty > 0}, {"--max-proofs", l.MaxProofs > 0},
		{"--max-status-entries", l.MaxStatusEntries > 0}, {"--max-inflated-bytes", l.MaxInflatedBytes > 0},
		{"--max-fetches", l.MaxFetches > 0},
	} {
		if !c.ok {
			return &usageError{c.flag + " must be positive"}
		}
	}
	if o.readTimeout <= 0 {
		return &usageError{"--read-timeout must be positive"}
	}
	if o.jobs <= 0 {
		return &usageError{"--jobs must be positive"}
	}
	if o.explain && len(files) != 1 {
		return &usageError{fmt.Sprintf("--explain takes one credential, got %d", len(files))}
	}
	if n := countStdin(files); n > 1 {
		return &usageError{"standard input (-) can be verified only once"}
	}
	vopts := verifier.Options{
		MaxSize:    o.maxSize,
		ClockSkew:  o.skew,
		HTTPClient: safehttp.NewClient(safehttp.Options{AllowPrivate: o.allowPrivate, Timeout: o.timeout}),
		StatusDir:  o.statusDir,
		Limits:     o.limits,

		LenientSchema: o.lenientSchema,
	}
	if o.pinnedKeys != "" {
		if o.pinnedKeys == "-" && countStdin(files) > 0 {
			return &usageError{"standard input (-) can be read only once: give --pinned-keys a file"}
		}
		data, err := readInput(cmd.Context(), s, o.pinnedKeys, verifier.MaxPinnedKeysSize, o.readTimeout)
		if err != nil {
			return &usageError{fmt.Sprintf("--pinned-keys: %v", err)}
		}
		pins, err := verifier.ParsePinnedKeys(data)
		if err != nil {
			return &usageError{fmt.Sprintf("--pinned-keys %s: %v", o.pinnedKeys, err)}
		}
		vopts.PinnedKeys = pins
	}
	if o.catalogue != "" {
		cat, err := readInput(cmd.Context(), s, o.catalogue, maxInputFile, o.readTimeout)
		if err != nil {
			return &usageError{fmt.Sprintf("--catalogue: %v", err)}
		}
		vopts.Catalogue = cat
	}
	trust, err := o.statusListTrustOption(cmd, s, files)
	if err != nil {
		return err
	}
	vopts.StatusListTrust = trust
	if vopts.Trust, err = readTrustLists(cmd.Context(), s, o.trust, o.readTimeout); err != nil {
		return err
	}
	if o.statusDir != "" {
		if fi, err := os.Stat(o.statusDir); err != nil || !fi.IsDir() {
			return &usageError{fmt.Sprintf("--status-dir %q is not a directory", o.statusDir)}
		}
	}
	if o.at != "" {
		at, err := time.Parse(time.RFC3339, o.at)
		if err != nil {
			return &usageError{fmt.Sprintf("--at %q is not an RFC 3339 date-time", o.at)}
		}
		vopts.Now = func() time.Time { return at }
	}
	v, err := verifier.New(vopts)
	if errors.Is(err, verifier.ErrStatusListTrust) {
		return &usageError{fmt.Sprintf("--status-list-issuer: %v", err)}
	}
	if err != nil {
		return err
	}
	code := exitOK
	worse := func(c int) {
		if c > code {
			code = c
		}
	}
	// Files are verified on every core; reports come out in argument order,
	// each as soon as it and all before it are done. Standard input ("-")
	// can be read only once, so it is read up front.
	results := make([]chan verifyOutcome, len(files))
	for i := range results {
		results[i] = make(chan verifyOutcome, 1)
	}
	jobs := make(chan int)
	workers := min(o.jobs, len(files))
	for range workers {
		go func() {
			for i := range jobs {
				results[i] <- o.verifyOne(cmd, s, v, files[i])
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range files {
			select {
			case jobs <- i:
			case <-cmd.Context().Done():
				for j := i; j < len(files); j++ {
					results[j] <- verifyOutcome{rep: fileReport{File: files[j], Error: cmd.Context().Err().Error()}, code: exitError}
				}
				return
			}
		}
	}()
	reports := make([]fileReport, 0, len(files))
	// Reports are written through a buffer, flushed whenever the next
	// one is not ready yet (and at the end): a bulk run makes one write
	// per batch of finished reports rather than one per line, and a
	// report still shows as soon as it and those before it are done.
	w := bufio.NewWriterSize(s.out, 64<<10)
	for i := range files {
		var out verifyOutcome
		select {
		case out = <-results[i]:
		default:
			_ = w.Flush()
			out = <-results[i]
		}
		worse(out.code)
		if !o.json {
			// Printed and let go: a bulk run keeps no report in memory.
			printReport(w, out.rep)
			continue
		}
		reports = append(reports, out.rep)
	}
	// Write errors are ignored, as they were line by line: the exit code
	// still tells the verdicts.
	_ = w.Flush()
	if o.json {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return err
		}
		if _, err := s.out.Write(display.JSON(buf.Bytes())); err != nil {
			return err
		}
	}
	if code != exitOK {
		return &silentError{code: code}
	}
	return nil
}

// statusListTrustOption builds verifier.StatusListTrust from
// --status-list-trust, --status-list-issuer and --any-status-list-issuer.
// Every fault is a usage error.
func (o *verifyOptions) statusListTrustOption(cmd *cobra.Command, s streams, files []string) (verifier.StatusListTrust, error) {
	t := verifier.StatusListTrust{AnyIssuer: o.anyStatusListIssuer}
	if o.statusListTrust != "" {
		if o.statusListTrust == "-" && countStdin(files) > 0 {
			return t, &usageError{"standard input (-) can be read only once: give --status-list-trust a file"}
		}
		data, err := readInput(cmd.Context(), s, o.statusListTrust, verifier.MaxStatusListTrustSize, o.readTimeout)
		if err != nil {
			return t, &usageError{fmt.Sprintf("--status-list-trust: %v", err)}
		}
		f, err := verifier.ParseStatusListTrust(data)
		if err != nil {
			return t, &usageError{fmt.Sprintf("--status-list-trust %s: %v", o.statusListTrust, err)}
		}
		t.Trusted = f.Trusted
	}
	for _, pair := range o.statusListIssuers {
		cred, list, ok := strings.Cut(pair, "=")
		if !ok || cred == "" || list == "" {
			return t, &usageError{fmt.Sprintf("--status-list-issuer %q: want CRED_ISSUER=LIST_ISSUER", pair)}
		}
		if t.Trusted == nil {
			t.Trusted = map[string][]string{}
		}
		t.Trusted[cred] = append(t.Trusted[cred], list)
	}
	return t, nil
}

// verifyOutcome is one file's report and the exit code it calls for.
type verifyOutcome struct {
	rep  fileReport
	code int
}

func (o *verifyOptions) verifyOne(cmd *cobra.Command, s streams, v *verifier.Verifier, name string) verifyOutcome {
	rep := fileReport{File: name}
	// A baked image may be larger than the credential it carries; the
	// verifier bounds both.
	data, err := readInput(cmd.Context(), s, name, max(o.maxSize, verifier.DefaultMaxImageSize), o.readTimeout)
	if err != nil {
		rep.Error = err.Error()
		if errors.Is(err, errTooLarge) {
			return verifyOutcome{rep, exitInvalid}
		}
		return verifyOutcome{rep, exitError}
	}
	verify := v.Verify
	if o.explain {
		verify = v.Explain
	}
	res, verr := verify(cmd.Context(), data)
	rep.Result = res
	var ve *verifier.VerificationError
	switch {
	case verr == nil && res.Verdict == verifier.VerdictWarnings && o.strict:
		return verifyOutcome{rep, exitInvalid}
	case verr == nil:
		return verifyOutcome{rep, exitOK}
	case errors.As(verr, &ve):
		return verifyOutcome{rep, exitInvalid}
	default:
		rep.Error = verr.Error()
		return verifyOutcome{rep, exitError}
	}
}

func printReport(w io.Writer, rep fileReport) {
	var bidi bidiFields
	file := bidi.field("the file name", rep.File)
	if rep.Result == nil {
		fmt.Fprintf(w, "%s: ERROR: %s\n", file, bidi.field("the error", rep.Error))
		bidi.warn(w, "  ")
		return
	}
	verdict := strings.ToUpper(string(rep.Result.Verdict))
	fmt.Fprintf(w, "%s: %s", file, verdict)
	if rep.Result.Name != "" {
		fmt.Fprintf(w, " (%s", bidi.field("the name", rep.Result.Name))
		if rep.Result.Issuer != "" {
			fmt.Fprintf(w, ", issued by %s", bidi.field("the issuer", rep.Result.Issuer))
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintln(w)
	for _, c := range rep.Result.Checks {
		reason := bidi.field("a reason", c.Reason)
		if c.Path != "" {
			reason += " [" + bidi.field("a path", c.Path) + "]"
		}
		fmt.Fprintf(w, "  %-7s  %-8s  %s\n", c.Status, c.Check, reason)
	}
	printRecognition(w, &bidi, rep.Result.Recognition)
	printEmbedded(w, &bidi, rep.Result.Embedded)
	printEndorsements(w, &bidi, rep.Result.Endorsements)
	if ex := rep.Result.Explain; ex != nil {
		printExplanation(w, &bidi, ex)
	}
	bidi.warn(w, "  ")
}

// printExplanation prints --explain's account of one credential. Every
// value from the credential or the network goes through bidi.field.
func printExplanation(w io.Writer, bidi *bidiFields, ex *verifier.Explanation) {
	f := func(what, v string) string { return bidi.field(what, v) }
	fmt.Fprintf(w, "explain (%s):\n", f("the format", ex.Format))
	fmt.Fprintln(w, "  contexts (never fetched):")
	for _, c := range ex.Contexts {
		switch {
		case c.Inline:
			fmt.Fprintln(w, "    (inline context object): not bundled")
		case !c.Bundled:
			fmt.Fprintf(w, "    %s: not bundled\n", f("a context URL", c.URL))
		default:
			match := "matches the embedded copy"
			if !c.Matches {
				match = "DOES NOT match the embedded copy " + c.EmbeddedSHA256
			}
			fmt.Fprintf(w, "    %s: bundled (%s), sha256 %s %s\n", f("a context URL", c.URL), f("a context source", c.Source), c.RecordedSHA256, match)
		}
	}
	if p := ex.Proof; p != nil {
		fmt.Fprintf(w, "  proof[%d]: %s by %s", p.Index, f("the suite", p.Suite), f("the verification method", p.VerificationMethod))
		if p.Created != "" {
			fmt.Fprintf(w, ", created %s", f("the created time", p.Created))
		}
		fmt.Fprintln(w)
		if p.SigningInputHash != "" {
			fmt.Fprintf(w, "    signing input (header.payload) sha256: %s\n", p.SigningInputHash)
		} else {
			fmt.Fprintf(w, "    proof options hash: %s\n    document hash:      %s\n", p.ProofOptionsHash, p.DocumentHash)
		}
		fmt.Fprintln(w, "    canonical N-Quads of the signed statements:")
		for _, line := range strings.Split(strings.TrimSuffix(p.NQuads, "\n"), "\n") {
			fmt.Fprintf(w, "      %s\n", f("the N-Quads", line))
		}
	} else {
		fmt.Fprintln(w, "  proof: none verified with the issuer's key")
	}
	if k := ex.Key; k != nil {
		fmt.Fprintf(w, "  key: %s from %s", f("the verification method", k.VerificationMethod), k.Source)
		if k.DocumentURL != "" {
			fmt.Fprintf(w, " at %s", f("the document URL", k.DocumentURL))
		}
		fmt.Fprintf(w, ", relationship %s, bound %v: %s\n", k.Relationship, k.Bound, f("the key reason", k.Reason))
	}
	for _, l := range ex.StatusLists {
		fmt.Fprintf(w, "  %s %s", l.Kind, f("a status list URL", l.URL))
		if l.Issuer != "" {
			fmt.Fprintf(w, ", issuer %s", f("a status list issuer", l.Issuer))
		}
		if !l.ValidUntil.IsZero() {
			fmt.Fprintf(w, ", validUntil %s", l.ValidUntil.UTC().Format(time.RFC3339))
		}
		if l.TTL > 0 {
			fmt.Fprintf(w, ", ttl %s", l.TTL)
		}
		fresh := "fresh"
		if !l.Fresh {
			fresh = "stale"
		}
		fmt.Fprintf(w, ", %s", fresh)
		if l.Trust != "" {
			fmt.Fprintf(w, ", trust: %s", f("the status list trust", l.Trust))
		}
		fmt.Fprintln(w)
	}
	if len(ex.Differences) > 0 {
		fmt.Fprintln(w, "  known implementation differences that apply:")
		for _, d := range ex.Differences {
			fmt.Fprintf(w, "    - %s\n", d)
		}
	}
}

func countStdin(files []string) int {
	n := 0
	for _, f := range files {
		if f == "-" {
			n++
		}
	}
	return n
}

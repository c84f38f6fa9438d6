package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/display"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// changeOptions holds the flags of revoke, suspend and reinstate.
type changeOptions struct {
	store  string
	reason string
	actor  string
	remote remoteOptions
	// cascade also revokes the stacked credentials built on a revoked one.
	cascade bool
}

func (o *changeOptions) AddFlags(fs *pflag.FlagSet) {
	addStoreFlag(fs, &o.store)
	fs.StringVar(&o.reason, "reason", "", "why, recorded in the audit trail (required)")
	fs.StringVar(&o.actor, "actor", "", "who you are, recorded in the audit trail as a claim beside your OS account (default $BADGESMITH_ACTOR, else $USER)")
	o.remote.AddFlags(fs)
}

// change describes one of the status-changing commands.
type change struct {
	use, short, long string
	done             string // past tense for the report
	state            store.State
	apply            func(l *issuer.Ledger, ctx context.Context, id, actor, reason string) error
}

func newRevokeCmd(s streams) *cobra.Command {
	return newChangeCmd(s, change{
		use:   "revoke CREDENTIAL_ID",
		short: "Revoke an issued credential (final)",
		long: `Revoke a credential recorded in the store by setting its revocation
status bit. Revocation is final; revoking again changes nothing.`,
		done:  "revoked",
		state: store.Revoked,
		apply: (*issuer.Ledger).Revoke,
	})
}

func newSuspendCmd(s streams) *cobra.Command {
	return newChangeCmd(s, change{
		use:   "suspend CREDENTIAL_ID",
		short: "Suspend an issued credential (reversible)",
		long: `Suspend a credential recorded in the store by setting its suspension
status bit. Only credentials issued with --suspension have one.`,
		done:  "suspended",
		state: store.Suspended,
		apply: (*issuer.Ledger).Suspend,
	})
}

func newReinstateCmd(s streams) *cobra.Command {
	return newChangeCmd(s, change{
		use:   "reinstate CREDENTIAL_ID",
		short: "Lift the suspension of an issued credential",
		long: `Clear a suspended credential's suspension status bit. A revoked
credential cannot be reinstated.`,
		done:  "reinstated",
		state: store.Active,
		apply: (*issuer.Ledger).Reinstate,
	})
}

func newChangeCmd(s streams, c change) *cobra.Command {
	o := &changeOptions{}
	verb, _, _ := strings.Cut(c.use, " ")
	cmd := &cobra.Command{
		Use:   c.use,
		Short: c.short,
		Long: c.long + `

The change is recorded with --reason in the credential's audit trail (see
badgesmith show), with the operator twice: the name claimed with --actor
(else $BADGESMITH_ACTOR, else $USER), which nothing checks, and the uid of
the operating system account the command ran as (with its name, if it has
one), which the command records itself. Verifiers see it once the status lists are
signed and published again with badgesmith status publish.

While badgesmith serve holds the store, or with --server, the change goes
through the server's admin API (the admin key from BADGESMITH_API_KEY or
--api-key-file), which signs its status list again at once.`,
		Example: fmt.Sprintf(`  badgesmith %s urn:uuid:0f1e... --reason "issued in error"
  badgesmith status publish --key registrar --out public/status`, verb),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(o.reason) == "" {
				return &usageError{"--reason is required"}
			}
			actor := claimedActor(o.actor)
			db, ac, err := o.remote.open(o.store)
			if err != nil {
				return err
			}
			if ac != nil {
				return remoteChange(cmd.Context(), s, ac, c, args[0], actor, o.reason, o.cascade)
			}
			defer db.Close()
			ctx := cmd.Context()
			before, err := db.GetCredential(ctx, args[0])
			if err == nil && before.State == c.state {
				fmt.Fprintf(s.out, "%s: already %s\n", shown(args[0]), c.state)
				return nil
			}
			if err := c.apply(issuer.NewLedger(db), ctx, args[0], actor, o.reason); err != nil {
				return err
			}
			fmt.Fprintf(s.out, "%s: %s\n", shown(args[0]), c.done)
			if c.state == store.Revoked {
				if err := flagStacked(ctx, s, db, args[0], o, actor); err != nil {
					return err
				}
			}
			fmt.Fprintln(s.err, "publish the status lists (badgesmith status publish) for verifiers to see the change")
			return nil
		},
	}
	o.AddFlags(cmd.Flags())
	if c.state == store.Revoked {
		cmd.Flags().BoolVar(&o.cascade, "cascade", false, "also revoke the stacked credentials issued on this one (badgesmith stack issue); without it they are only named")
	}
	return cmd
}

func newStatusCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Publish and inspect the issuer's status lists",
		Long: `Sign and publish the Bitstring Status List credentials that carry the
revocation and suspension bits of the credentials in the store.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newStatusPublishCmd(s), newStatusListsCmd(s))
	return cmd
}

type publishOptions struct {
	store         string
	keyring       string
	key           string
	out           string
	suite         string
	validFor      time.Duration
	ttl           time.Duration
	refresh       bool
	refreshWithin time.Duration
	remote        remoteOptions
}

func (o *publishOptions) AddFlags(fs *pflag.FlagSet) {
	addStoreFlag(fs, &o.store)
	addKeyringFlag(fs, &o.keyring)
	fs.StringVar(&o.key, "key", "", "the issuer's signing key, the one the credentials were issued with (required)")
	fs.StringVar(&o.out, "out", "", "directory to write the lists to (required)")
	fs.StringVar(&o.suite, "suite", "", "Data Integrity suite, as for issue (default: eddsa-rdfc-2022, or ecdsa-rdfc-2019 for a P-256 key)")
	fs.DurationVar(&o.validFor, "valid-for", issuer.DefaultStatusValidity, "how long each list credential stays valid (its validUntil); publish again before it runs out")
	fs.DurationVar(&o.ttl, "ttl", issuer.DefaultStatusTTL, "how long verifiers may cache a list")
	fs.BoolVar(&o.refresh, "refresh", false, "re-sign only the lists in --out that are missing, changed, or run out within --refresh-within (for cron)")
	fs.DurationVar(&o.refreshWithin, "refresh-within", issuer.DefaultRefreshWindow, "with --refresh, re-sign lists that run out within this long")
	o.remote.AddFlags(fs)
}

func newStatusPublishCmd(s streams) *cobra.Command {
	o := &publishOptions{}
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "Sign every status list and write it for hosting",
		Long: `Sign a BitstringStatusListCredential for every status list in the store
with the issuer's key and write each to --out under the last path segment
of its URL (https://example.edu/status/revocation-1 becomes
OUT/revocation-1). Serve OUT at the --status-base-url given when issuing.
Files are replaced atomically, so a server never reads a half-written list.
Publish again after every revoke, suspend or reinstate.

Each list is valid for --valid-for (default 30 days) and must be signed
again before it runs out: verifiers refuse an expired list, so every
credential in it becomes "could not verify". Choosing the period is a
trade-off. A list without validUntil would keep an old copy that says "not
revoked" valid forever, for anyone who saved it; a long period keeps such a
copy usable for that long. A short period makes every credential
uncheckable soon after the registrar stops publishing (a day, with 24h).
The ttl only tells verifiers how long to cache; it does not end validity.

--refresh is for a daily cron job: it re-signs only the lists that are
missing from --out, changed in the store, or run out within
--refresh-within (default 7 days), and leaves the others untouched. Either
way, a warning is printed for every list that runs out within 7 days.

With --server, or while badgesmith serve holds the store, the server signs
every list it hosts again with its own key; --key, --out and --refresh are
then not used.`,
		Example: `  badgesmith status publish --key registrar --out public/status
  badgesmith verify --status-dir public/status cred.json
  # crontab: every day at 03:15, re-sign lists that run out within 7 days
  15 3 * * * badgesmith status publish --refresh --key registrar --out /srv/www/status`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.remote.serverURL() != "" {
				// The server signs the lists it hosts with its own key.
				ac, err := o.remote.client(o.remote.serverURL())
				if err != nil {
					return err
				}
				return remotePublish(cmd.Context(), s, ac, o.out)
			}
			switch {
			case o.key == "":
				return &usageError{"--key is required"}
			case o.out == "":
				return &usageError{"--out is required"}
			case o.validFor < time.Second:
				return &usageError{"--valid-for must be at least 1s"}
			case o.ttl < time.Millisecond:
				return &usageError{"--ttl must be at least 1ms"}
			case o.refreshWithin < 0:
				return &usageError{"--refresh-within must not be negative"}
			case o.refresh && o.refreshWithin >= o.validFor:
				return &usageError{"--refresh-within must be shorter than --valid-for, or every run re-signs every list"}
			}
			suite, err := parseFormat("di", o.suite, "")
			if err != nil {
				return err
			}
			signer, err := ringSigner(o.keyring, o.key, suite, "")
			if err != nil {
				return err
			}
			db, ac, err := o.remote.open(o.store)
			if err != nil {
				return err
			}
			if ac != nil {
				return remotePublish(cmd.Context(), s, ac, o.out)
			}
			defer db.Close()
			// Lists are signed as the issuer their credentials name: the
			// key's did:key, or a did:web DID the key's group issued as.
			ids, err := issuer.RecordedIdentities(cmd.Context(), db, signer)
			if err != nil {
				return err
			}
			now := time.Now().UTC()
			is, err := newIssuer(issuer.Config{
				Profile:        map[string]any{"name": o.key},
				Signer:         signer,
				ListsOnly:      true,
				Identities:     ids,
				Store:          db,
				StatusValidity: o.validFor,
				StatusTTL:      o.ttl,
				Now:            func() time.Time { return now },
			})
			if err != nil {
				return err
			}
			var lists []issuer.PublishedList
			if o.refresh {
				lists, err = is.Refresh(cmd.Context(), o.out, o.refreshWithin)
			} else {
				lists, err = is.Publish(cmd.Context(), o.out)
			}
			kept := 0
			for _, l := range lists {
				if !l.Signed {
					kept++
					continue
				}
				fmt.Fprintln(s.out, shown(l.Path))
			}
			if o.refresh && kept > 0 {
				fmt.Fprintf(s.err, "%d lists valid for more than %s kept as published\n", kept, o.refreshWithin)
			}
			for _, l := range lists {
				if left := l.ValidUntil.Sub(now); left < issuer.DefaultRefreshWindow {
					fmt.Fprintf(s.err, "warning: %s runs out at %s (in %s): publish again before then, e.g. daily from cron with --refresh\n",
						shown(l.Path), l.ValidUntil.Format(time.RFC3339), left.Round(time.Minute))
				}
			}
			if err != nil {
				return err
			}
			if len(lists) == 0 {
				fmt.Fprintln(s.err, "no status lists in the store yet: issue with --store first")
			}
			return nil
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func newStatusListsCmd(s streams) *cobra.Command {
	var storePath string
	var asJSON bool
	var ro remoteOptions
	cmd := &cobra.Command{
		Use:   "lists",
		Short: "Show the status lists in the store and how full they are",
		Long: `Show every status list in the store, one per line under a header:

  LIST      the status list credential URL (statusListCredential)
  PURPOSE   revocation or suspension
  USED      indices reserved in the list, never handed out again
  ISSUED    of those, indices bound to a recorded credential
  SIZE      entries in the list; a new list starts when it is full
  CREATED   when the list was made

USED is at least ISSUED: an index is reserved before the credential that
carries it is signed, so a run that stopped in between, or a batch that
reserved a chunk it did not use up, leaves reserved indices no credential
holds. They are wasted on purpose: handing one out again could tie two
credentials' revocation together. With --json, "allocated" is USED and
"issued" is ISSUED.`,
		Example: `  badgesmith status lists --store issued.db
  badgesmith status lists --store issued.db --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, ac, err := ro.open(storePath)
			if err != nil {
				return err
			}
			var rows []listRow
			if ac != nil {
				usage, err := ac.StatusLists(cmd.Context())
				if err != nil {
					return err
				}
				rows = make([]listRow, len(usage))
				for i, u := range usage {
					rows[i] = listRow{ListInfo: u.ListInfo, Issued: u.Issued}
				}
			} else if rows, err = localListRows(cmd.Context(), db); err != nil {
				return err
			}
			if asJSON {
				return printJSON(s.out, rows)
			}
			tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "LIST\tPURPOSE\tUSED\tISSUED\tSIZE\tCREATED")
			for _, r := range rows {
				fmt.Fprintln(tw, shownRow([]string{r.ID, string(r.Purpose), fmt.Sprint(r.Allocated), fmt.Sprint(r.Issued), fmt.Sprint(r.Size), r.Created.UTC().Format(time.RFC3339)}))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(rows) == 0 {
				fmt.Fprintln(s.err, "no status lists in the store yet: issue with --store first")
			} else {
				fmt.Fprintln(s.err, "USED counts reserved indices, ISSUED those held by a recorded credential; the difference is indices reserved by an interrupted run or a batch's unused chunk, never reused")
			}
			return nil
		},
	}
	addStoreFlag(cmd.Flags(), &storePath)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array (allocated = USED, issued = ISSUED)")
	ro.AddFlags(cmd.Flags())
	return cmd
}

// localListRows reads the lists and their use from the store.
func localListRows(ctx context.Context, db *bolt.DB) ([]listRow, error) {
	defer db.Close()
	lists, err := db.Lists(ctx, "")
	if err != nil {
		return nil, err
	}
	issued := map[string]int{}
	err = db.EachCredential(ctx, store.Filter{}, func(r store.Record) error {
		for _, ref := range r.Status {
			issued[ref.ListID]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows := make([]listRow, len(lists))
	for i, l := range lists {
		rows[i] = listRow{ListInfo: l, Issued: issued[l.ID]}
	}
	return rows, nil
}

// listRow is one line of "status lists": the list and how many of its
// reserved indices are bound to a recorded credential.
type listRow struct {
	store.ListInfo
	// Issued counts the list's indices held by a recorded credential.
	Issued int `json:"issued"`
}

type listOptions struct {
	store       string
	recipient   string
	achievement string
	status      string
	since       string
	until       string
	limit       int
	json        bool
	remote      remoteOptions
}

func (o *listOptions) AddFlags(fs *pflag.FlagSet) {
	addStoreFlag(fs, &o.store)
	fs.StringVar(&o.recipient, "recipient", "", "only credentials for this recipient (subject id, or identity hash as recorded)")
	fs.StringVar(&o.achievement, "achievement", "", "only credentials for this achievement id")
	fs.StringVar(&o.status, "status", "", "only credentials in this state: active, revoked or suspended")
	fs.StringVar(&o.since, "since", "", "only credentials issued at or after this date (YYYY-MM-DD, UTC) or RFC 3339 time")
	fs.StringVar(&o.until, "until", "", "only credentials issued on or before this date (YYYY-MM-DD, UTC, the whole day) or at or before this RFC 3339 time")
	fs.IntVar(&o.limit, "limit", 0, "print at most this many (0: all)")
	fs.BoolVar(&o.json, "json", false, "print a JSON array of records")
	o.remote.AddFlags(fs)
}

// parseWhen reads a --since/--until value. A bare date covers its whole
// UTC day, so the second result is the end of the day for it.
func parseWhen(flag, v string) (start, end time.Time, err error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, t.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, t.Add(time.Nanosecond), nil
	}
	return time.Time{}, time.Time{}, &usageError{fmt.Sprintf("%s %q is neither a YYYY-MM-DD date nor an RFC 3339 time", flag, v)}
}

func (o *listOptions) filter() (store.Filter, error) {
	f := store.Filter{Recipient: o.recipient, AchievementID: o.achievement, Limit: o.limit}
	switch st := store.State(o.status); st {
	case "", store.Active, store.Revoked, store.Suspended:
		f.Status = st
	default:
		return f, &usageError{fmt.Sprintf("--status %q: want active, revoked or suspended", o.status)}
	}
	if o.limit < 0 {
		return f, &usageError{"--limit must not be negative"}
	}
	if o.since != "" {
		start, _, err := parseWhen("--since", o.since)
		if err != nil {
			return f, err
		}
		// The store's bound is exclusive; --since is inclusive.
		f.IssuedAfter = start.Add(-time.Nanosecond)
	}
	if o.until != "" {
		_, end, err := parseWhen("--until", o.until)
		if err != nil {
			return f, err
		}
		f.IssuedBefore = end
	}
	return f, nil
}

func newListCmd(s streams) *cobra.Command {
	o := &listOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List issued credentials from the store",
		Long: `List the credentials recorded in the store, oldest first, optionally
filtered. On a terminal it prints a table; otherwise one tab-separated line
per credential (id, state, issued at, achievement, recipient), for scripts.`,
		Example: `  badgesmith list --status revoked
  badgesmith list --achievement https://example.edu/achievements/intro-cs --since 2026-01-01 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := o.filter()
			if err != nil {
				return err
			}
			db, ac, err := o.remote.open(o.store)
			if err != nil {
				return err
			}
			var src recordSource = db
			if ac != nil {
				src = remoteRecords{ac}
			} else {
				defer db.Close()
			}
			row := func(r *store.Record) []string {
				return []string{r.ID, string(r.State), r.IssuedAt.UTC().Format(time.RFC3339), r.AchievementID, r.Recipient}
			}
			if !o.json && isTerminal(s.out) {
				// A table needs every row to align its columns.
				recs, err := src.ListCredentials(cmd.Context(), f)
				if err != nil {
					return err
				}
				return printRows(s.out, []string{"ID", "STATE", "ISSUED", "ACHIEVEMENT", "RECIPIENT"}, len(recs), func(i int) []string {
					return row(&recs[i])
				})
			}
			// For scripts and --json, stream: a store of millions lists in
			// constant memory.
			w := bufio.NewWriter(s.out)
			arr := &jsonArrayWriter{w: w}
			var each func(store.Record) error
			if o.json {
				each = func(r store.Record) error { return arr.add(r) }
			} else {
				each = func(r store.Record) error {
					_, err := fmt.Fprintln(w, shownRow(row(&r)))
					return err
				}
			}
			if err := src.EachCredential(cmd.Context(), f, each); err != nil {
				return err
			}
			if o.json {
				return arr.close()
			}
			return w.Flush()
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// printRows prints a table with a header on a terminal, else header-less
// tab-separated lines.
func printRows(w io.Writer, header []string, n int, row func(int) []string) error {
	if !isTerminal(w) {
		for i := range n {
			if _, err := fmt.Fprintln(w, shownRow(row(i))); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for i := range n {
		fmt.Fprintln(tw, shownRow(row(i)))
	}
	return tw.Flush()
}

// shownRow joins a row's cells with tabs, each escaped: a tab or a line
// feed inside a cell could otherwise shift the columns or forge a row.
func shownRow(cells []string) string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = shown(c)
	}
	return strings.Join(out, "\t")
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// nonNil makes an empty result print as [] rather than null.
// jsonArrayWriter writes a JSON array one element at a time, indented as
// printJSON indents a whole slice.
type jsonArrayWriter struct {
	w *bufio.Writer
	n int
}

func (a *jsonArrayWriter) add(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	sep := ",\n  "
	if a.n == 0 {
		sep = "[\n  "
	}
	a.n++
	if _, err := a.w.WriteString(sep); err != nil {
		return err
	}
	_, err := a.w.Write(display.JSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
	return err
}

// close ends the array ("[]" if nothing was added) and flushes.
func (a *jsonArrayWriter) close() error {
	end := "\n]\n"
	if a.n == 0 {
		end = "[]\n"
	}
	if _, err := a.w.WriteString(end); err != nil {
		return err
	}
	return a.w.Flush()
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// showReport is the --json form of show.
type showReport struct {
	Record *store.Record `json:"record"`
	Audit  []store.Event `json:"audit"`
}

func newShowCmd(s streams) *cobra.Command {
	var storePath string
	var asJSON bool
	var ro remoteOptions
	cmd := &cobra.Command{
		Use:   "show CREDENTIAL_ID",
		Short: "Show an issued credential's record and audit trail",
		Long: `Show what the store recorded about a credential (state, recipient hash,
achievement, key, SHA-256, batch row, status entries) and its audit trail:
one line per status change with when, what, who and why. Who is given
twice: "operator (claimed)" is the name from --actor, $BADGESMITH_ACTOR or
$USER, which nothing checks; "uid" is the operating system account the
command ran as, recorded by badgesmith itself.`,
		Example: `  badgesmith show urn:uuid:0f1e... --store issued.db
  badgesmith show urn:uuid:0f1e... --store issued.db --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, ac, err := ro.open(storePath)
			if err != nil {
				return err
			}
			if ac != nil {
				d, err := ac.Record(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(s.out, showReport{Record: &d.Record, Audit: nonNil(d.Events)})
				}
				return printRecord(s.out, &d.Record, d.Events)
			}
			defer db.Close()
			rec, err := db.GetCredential(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			evs, err := db.Audit(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(s.out, showReport{Record: rec, Audit: nonNil(evs)})
			}
			return printRecord(s.out, rec, evs)
		},
	}
	addStoreFlag(cmd.Flags(), &storePath)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the record and audit trail as JSON")
	ro.AddFlags(cmd.Flags())
	return cmd
}

func printRecord(w io.Writer, r *store.Record, evs []store.Event) error {
	var bidi bidiFields
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, bidi.field("the "+k, v))
		}
	}
	line("id", r.ID)
	line("state", string(r.State))
	line("issued", r.IssuedAt.UTC().Format(time.RFC3339))
	line("recipient", r.Recipient)
	line("achievement", r.AchievementID)
	line("issuer key", r.IssuerKey)
	line("format", r.Format)
	line("sha256", r.SHA256)
	line("batch", r.BatchID)
	line("row", r.RowKey)
	if r.Undelivered {
		line("delivery", "undelivered: recorded, but never confirmed handed out (issue the same request again with --id to retry)")
	}
	for _, st := range r.Status {
		line("status", fmt.Sprintf("%s %s index %d", st.Purpose, st.ListID, st.Index))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(evs) == 0 {
		bidi.warn(w, "")
		_, err := fmt.Fprintln(w, "audit: no status changes")
		return err
	}
	fmt.Fprintln(w, "audit:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, ev := range evs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", ev.At.UTC().Format(time.RFC3339), eventName(ev), operator(&bidi, ev), bidi.field("a reason", ev.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	bidi.warn(w, "")
	return nil
}

// claimedActor is the operator's claimed name: flag, else
// $BADGESMITH_ACTOR, else $USER, else "" (the uid is recorded anyway).
func claimedActor(flag string) string {
	for _, v := range []string{flag, os.Getenv("BADGESMITH_ACTOR"), os.Getenv("USER")} {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// operator says who made an audit event, the claimed name marked as a
// claim: "operator (claimed): alice, uid 1000 (registrar)". Events
// recorded before uids were have none.
func operator(bidi *bidiFields, ev store.Event) string {
	claimed := "-"
	if ev.ClaimedActor != "" {
		claimed = bidi.field("an actor", ev.ClaimedActor)
	}
	s := "operator (claimed): " + claimed
	switch {
	case ev.UID == "":
		s += ", uid not recorded"
	case ev.OSUser == "":
		s += ", uid " + shown(ev.UID)
	default:
		s += ", uid " + shown(ev.UID) + " (" + bidi.field("an OS user", ev.OSUser) + ")"
	}
	return s
}

// eventName says what an audit event did in words.
func eventName(ev store.Event) string {
	switch {
	case ev.Purpose == store.PurposeRevocation && ev.To != 0:
		return "revoked"
	case ev.Purpose == store.PurposeSuspension && ev.To != 0:
		return "suspended"
	case ev.Purpose == store.PurposeSuspension && ev.To == 0:
		return "reinstated"
	}
	return fmt.Sprintf("%s %d -> %d", ev.Purpose, ev.From, ev.To)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/display"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/stack"
	"github.com/badgesmith/badgesmith/verifier"
)

func newStackCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stack",
		Short: "Judge and issue stacked credentials (pathways)",
	}
	cmd.AddCommand(newStackCheckCmd(s), newStackIssueCmd(s))
	return cmd
}

// stackCheckOptions are the flags of stack check.
type stackCheckOptions struct {
	rules        string
	json         bool
	learner      string
	emails       []string
	stacks       []string
	at           string
	pinnedKeys   string
	statusDir    string
	allowPrivate bool
	timeout      time.Duration
	readTimeout  time.Duration
	maxSize      int64
	store        string
	credDirs     []string
}

func (o *stackCheckOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.rules, "rules", "", "stack rules file, YAML or JSON (required; schema: stack/rules.schema.json)")
	fs.BoolVar(&o.json, "json", false, "print a machine-readable JSON report")
	fs.StringVar(&o.learner, "learner", "", "the learner's DID: only credentials whose subject id it is count")
	fs.StringArrayVar(&o.emails, "email", nil, "the learner's email, matched against each hashed emailAddress identity (repeatable)")
	fs.StringArrayVar(&o.stacks, "stack", nil, "id of a stack that must be complete for exit 0 (repeatable; default: every stack)")
	fs.StringVar(&o.at, "at", "", "judge dates and validity at this RFC 3339 time instead of now")
	fs.StringVar(&o.pinnedKeys, "pinned-keys", "", "trust the keys this JSON file pins for their issuers (as verify --pinned-keys)")
	fs.StringVar(&o.statusDir, "status-dir", "", "read status lists from this directory before fetching them (as verify --status-dir)")
	fs.BoolVar(&o.allowPrivate, "allow-private-network", false, "let did:web and status list fetches reach loopback and private addresses")
	fs.DurationVar(&o.timeout, "fetch-timeout", 10*time.Second, "timeout for each network fetch")
	fs.DurationVar(&o.readTimeout, "read-timeout", defaultReadTimeout, "longest wait to read each input file")
	fs.Int64Var(&o.maxSize, "max-size", verifier.DefaultMaxSize, "largest credential (or CLR) accepted, in bytes")
	fs.StringVar(&o.store, "store", "", "issuance record the learner's credentials are looked up in, with --credentials-dir")
	fs.StringArrayVar(&o.credDirs, "credentials-dir", nil, "also offer the learner's (--learner or --email) credentials recorded in --store, read from this directory where issue, batch or serve wrote them, each matched by its recorded SHA-256 (repeatable)")
}

func newStackCheckCmd(s streams) *cobra.Command {
	o := &stackCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check --rules RULES CRED...",
		Short: "Report which stacks a learner's credentials complete",
		Long: `Verify every credential (files, directories of them, or CLRs whose
embedded credentials are each offered), then judge the stacks of the rules
file on the valid ones: which stacks are complete, which credential met
which requirement, what is missing for the rest, and why each credential
that does not count was left out.

Only a valid, or valid-with-warnings, Open Badges credential of the one
learner counts: invalid, could-not-check and non-Open Badges credentials,
duplicates, and credentials of anyone else never do. The learner is
--learner (a DID) or --email (matched against hashed identities); without
either, the one subject DID the credentials share. With --credentials-dir,
the learner's credentials recorded in --store are offered too, read from
the directories where they were written (a record whose document no file
there matches is reported as could not check).

Exit status: 0 every stack named by --stack (default: every stack) is
complete, 1 one is not, 2 one is not and some credential could not be
checked (it might have completed it), or a usage error (a rules file error
names its line).`,
		Example: `  badgesmith stack check --rules pathway.yaml creds/
  badgesmith stack check --rules pathway.yaml --email ada@example.com --json a.json b.json
  badgesmith stack check --rules pathway.yaml --stack https://poly.example/rules/certificate clr.json
  badgesmith stack check --rules pathway.yaml --store issued.db --email ada@example.com --credentials-dir out/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, s, args) },
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *stackCheckOptions) run(cmd *cobra.Command, s streams, args []string) error {
	for _, id := range o.stacks {
		if id == "" {
			return &usageError{"--stack must not be empty"}
		}
	}
	_, rep, err := o.check(cmd, s, args, o.stacks)
	if err != nil {
		return err
	}
	if o.json {
		if err := writeJSONReport(s.out, rep); err != nil {
			return err
		}
	} else {
		printStackReport(s.out, rep)
	}
	return stackExit(rep, o.stacks)
}

// stackExit is the exit status of a check: 1 when a stack that must be
// complete is not, 2 instead when some credential could not be checked
// (it might have completed it), 0 otherwise.
func stackExit(rep *stack.Report, want []string) error {
	incomplete := false
	for _, st := range rep.Stacks {
		if (len(want) == 0 || slices.Contains(want, st.ID)) && !st.Complete {
			incomplete = true
		}
	}
	if !incomplete {
		return nil
	}
	for _, c := range rep.Credentials {
		if c.Verdict == verifier.VerdictCouldNotCheck {
			return &silentError{code: exitError}
		}
	}
	return &silentError{code: exitInvalid}
}

// check reads the rules and the credentials and judges the stacks: the
// part stack check and stack issue share. Every id of want must be a
// stack of the rules.
func (o *stackCheckOptions) check(cmd *cobra.Command, s streams, args, want []string) (*stack.Rules, *stack.Report, error) {
	ctx := cmd.Context()
	if o.rules == "" {
		return nil, nil, &usageError{"--rules is required"}
	}
	if o.maxSize <= 0 || o.readTimeout <= 0 {
		return nil, nil, &usageError{"--max-size and --read-timeout must be positive"}
	}
	rules, err := loadRules(cmd, s, o.rules, o.readTimeout)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range want {
		if rules.Stack(id) == nil {
			return nil, nil, &usageError{fmt.Sprintf("--stack %s: no such stack in %s", id, o.rules)}
		}
	}
	vopts := verifier.Options{
		MaxSize:    o.maxSize,
		HTTPClient: safehttp.NewClient(safehttp.Options{AllowPrivate: o.allowPrivate, Timeout: o.timeout}),
		StatusDir:  o.statusDir,
	}
	now := time.Now
	if o.at != "" {
		at, err := time.Parse(time.RFC3339, o.at)
		if err != nil {
			return nil, nil, &usageError{fmt.Sprintf("--at %q is not an RFC 3339 date-time", o.at)}
		}
		now = func() time.Time { return at }
		vopts.Now = now
	}
	if o.pinnedKeys != "" {
		data, err := readInput(ctx, s, o.pinnedKeys, verifier.MaxPinnedKeysSize, o.readTimeout)
		if err != nil {
			return nil, nil, &usageError{fmt.Sprintf("--pinned-keys: %v", err)}
		}
		if vopts.PinnedKeys, err = verifier.ParsePinnedKeys(data); err != nil {
			return nil, nil, &usageError{fmt.Sprintf("--pinned-keys %s: %v", o.pinnedKeys, err)}
		}
	}
	v, err := verifier.New(vopts)
	if err != nil {
		return nil, nil, err
	}
	files, err := stackInputFiles(args)
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 && len(o.credDirs) == 0 {
		return nil, nil, &usageError{"no credentials: give files, directories or CLRs, or --credentials-dir with --store"}
	}
	inputs := make([]stack.Input, 0, len(files))
	if len(o.credDirs) > 0 {
		if inputs, err = o.storeInputs(ctx); err != nil {
			return nil, nil, err
		}
	}
	for _, f := range files {
		data, err := readInput(ctx, s, f, o.maxSize, o.readTimeout)
		if err != nil {
			return nil, nil, err
		}
		inputs = append(inputs, stack.Input{Name: f, Data: data})
	}
	rep, err := stack.Check(ctx, rules, inputs, stack.Options{Verifier: v, Now: now, Learner: stack.Learner{DID: o.learner, Emails: o.emails}})
	if err != nil {
		return nil, nil, err
	}
	return rules, rep, nil
}

// storeInputs are the learner's credentials recorded in --store, read
// back from --credentials-dir.
func (o *stackCheckOptions) storeInputs(ctx context.Context) ([]stack.Input, error) {
	if o.learner == "" && len(o.emails) == 0 {
		return nil, &usageError{"--credentials-dir needs --learner or --email"}
	}
	if o.store == "" {
		return nil, &usageError{"--credentials-dir needs --store"}
	}
	db, err := openStore(o.store, false)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	docs, err := issuer.LearnerDocuments(ctx, db, issuer.LearnerOptions{DID: o.learner, Emails: o.emails, Dirs: o.credDirs, MaxSize: o.maxSize})
	if err != nil {
		return nil, err
	}
	inputs := make([]stack.Input, 0, len(docs))
	for _, d := range docs {
		in := stack.Input{Name: d.Path, Data: d.Data}
		if d.Data == nil {
			in.Name = "record " + d.Record.ID
			in.Missing = "recorded in the store, but no file under --credentials-dir has its SHA-256 " + d.Record.SHA256
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// writeJSONReport writes v as indented JSON, escaped for a terminal.
func writeJSONReport(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(display.JSON(buf.Bytes()))
	return err
}

// loadRules reads and parses a rules file; a fault is a usage error
// naming the line.
func loadRules(cmd *cobra.Command, s streams, name string, timeout time.Duration) (*stack.Rules, error) {
	data, err := readInput(cmd.Context(), s, name, stack.MaxRulesSize, timeout)
	if err != nil {
		return nil, &usageError{fmt.Sprintf("--rules: %v", err)}
	}
	rules, err := stack.Parse(name, data)
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return rules, nil
}

// stackInputFiles expands the arguments: a directory stands for the
// credential files in it (.json, .jwt, .png, .svg, at any depth), sorted.
func stackInputFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil || !fi.IsDir() {
			out = append(out, a)
			continue
		}
		var found []string
		err = filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".json", ".jwt", ".png", ".svg":
				if d.Type().IsRegular() {
					found = append(found, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading directory %s: %w", a, err)
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

// printStackReport prints the text form of a stack report.
func printStackReport(w io.Writer, rep *stack.Report) {
	if rep.Learner != "" {
		fmt.Fprintf(w, "learner: %s\n", display.Text(rep.Learner))
	}
	for _, st := range rep.Stacks {
		verdict := "INCOMPLETE"
		if st.Complete {
			verdict = "COMPLETE"
		}
		fmt.Fprintf(w, "%s (%s): %s\n", display.Text(st.Name), display.Text(st.ID), verdict)
		for _, rq := range st.Requirements {
			met := "not met"
			if rq.Satisfied {
				met = "met"
			}
			fmt.Fprintf(w, "  %s: %s\n", display.Text(rq.Name), met)
			for _, u := range rq.Uses {
				by := u.Input + " (" + u.Credential + ")"
				if u.Stack != "" {
					by = "stack " + u.Stack
				}
				fmt.Fprintf(w, "    %s <- %s\n", display.Text(u.Achievement), display.Text(by))
			}
			for _, m := range rq.Missing {
				fmt.Fprintf(w, "    missing: %s\n", display.Text(m))
			}
		}
		if st.MinCredits > 0 {
			fmt.Fprintf(w, "  credits: %g of %g\n", st.Credits, st.MinCredits)
		}
		for _, m := range st.Missing {
			fmt.Fprintf(w, "  missing: %s\n", display.Text(m))
		}
	}
	fmt.Fprintln(w, "credentials:")
	for _, c := range rep.Credentials {
		if c.Counted {
			fmt.Fprintf(w, "  %s: %s, counted for %s\n", display.Text(c.Input), c.Verdict, display.Text(strings.Join(c.UsedBy, ", ")))
			continue
		}
		fmt.Fprintf(w, "  %s: %s, excluded: %s\n", display.Text(c.Input), c.Verdict, display.Text(c.Excluded))
	}
}

package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// achievementOptions are the flags every achievement command shares.
type achievementOptions struct {
	store   string
	keyring string
	json    bool
}

func (o *achievementOptions) AddFlags(fs *pflag.FlagSet) {
	addStoreFlag(fs, &o.store)
	addKeyringFlag(fs, &o.keyring)
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

// open opens the store holding the catalogue (creating it only for
// create) and the catalogue over it.
func (o *achievementOptions) open(create bool) (*bolt.DB, *catalogue.Catalogue, error) {
	db, err := openStore(o.store, create)
	if err != nil {
		return nil, nil, err
	}
	return db, catalogue.New(db, catalogue.Options{}), nil
}

func newAchievementCmd(s streams) *cobra.Command {
	o := &achievementOptions{}
	cmd := &cobra.Command{
		Use:   "achievement",
		Short: "Draft, review, approve, retire and inspect catalogue achievements",
		Long: `The achievement catalogue: OB 3.0 Achievements with stable ids and numbered
versions, their quality-assurance facts, and the approval workflow
(draft → in-review → approved → retired; rejected goes back to draft when
edited). Submitting, approving, rejecting and retiring are statements
signed by keys of the approver set (see catalogue approvers), on the
signer's own machine if need be (approve --from ... --out, then --import).`,
	}
	o.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(
		newAchievementAlignCmd(s),
		newAchievementCreateCmd(s, o),
		newAchievementEditCmd(s, o),
		newDecisionCmd(s, o, catalogue.Submit),
		newDecisionCmd(s, o, catalogue.Approve),
		newDecisionCmd(s, o, catalogue.Reject),
		newDecisionCmd(s, o, catalogue.Retire),
		newAchievementShowCmd(s, o),
		newAchievementListCmd(s, o),
		newAchievementDiffCmd(s, o),
	)
	return cmd
}

// draftFlags read a version's content.
type draftFlags struct {
	file    string
	qa      string
	version int
	actor   string
}

func (f *draftFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.file, "file", "", "Achievement JSON file (required); its id is the achievement's stable id")
	fs.StringVar(&f.qa, "qa", "", "quality-assurance facts JSON file: assessmentMethod, partners [{name, url, endorsement}], reviewDates, approvingBody, stacksInto (edit: default the edited or latest version's)")
	fs.IntVar(&f.version, "version", 0, "version number (default: the file's version if a positive integer, else the next)")
	fs.StringVar(&f.actor, "actor", "", "who drafts it, for the audit trail (default $BADGESMITH_ACTOR, else $USER)")
}

func (f *draftFlags) read(ctx context.Context, s streams) (catalogue.Draft, error) {
	if f.file == "" {
		return catalogue.Draft{}, &usageError{"--file is required"}
	}
	if f.version < 0 {
		return catalogue.Draft{}, &usageError{"--version must be positive"}
	}
	a, err := readObject(ctx, s, f.file)
	if err != nil {
		return catalogue.Draft{}, err
	}
	d := catalogue.Draft{Achievement: a, Version: f.version, Actor: claimedActor(f.actor)}
	if f.qa != "" {
		data, err := readInput(ctx, s, f.qa, maxInputFile, defaultReadTimeout)
		if err != nil {
			return d, err
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		d.QA = &store.QA{}
		if err := dec.Decode(d.QA); err != nil {
			return d, fmt.Errorf("%s: %w: %w", f.qa, errInvalid, err)
		}
	}
	return d, nil
}

func newAchievementCreateCmd(s streams, o *achievementOptions) *cobra.Command {
	f := &draftFlags{}
	cmd := &cobra.Command{
		Use:   "create --file ACHIEVEMENT.json",
		Short: "Draft the first version of a new achievement",
		Long: `Draft the first version of a new achievement. The Achievement is checked
against the OB 3.0 data model and schema first; nothing is written if it
fails. Its id becomes the achievement's stable id, and its version field is
set to the version's number.`,
		Example: `  badgesmith achievement create --file data-analysis.json --qa data-analysis-qa.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := f.read(cmd.Context(), s)
			if err != nil {
				return err
			}
			db, cat, err := o.open(true)
			if err != nil {
				return err
			}
			defer db.Close()
			v, err := cat.Create(cmd.Context(), d)
			if err != nil {
				return catalogueError(err)
			}
			return o.printVersion(s, v, "created")
		},
	}
	f.AddFlags(cmd.Flags())
	return cmd
}

func newAchievementEditCmd(s streams, o *achievementOptions) *cobra.Command {
	f := &draftFlags{}
	cmd := &cobra.Command{
		Use:   "edit ID[@VERSION] --file ACHIEVEMENT.json",
		Short: "Change a draft, or draft a new version of an approved achievement",
		Long: `Change the content of an achievement's draft (or rejected) version. When the
latest version is in review, approved or retired, a new version is drafted
instead; naming such a version (ID@VERSION) is refused, since a version
that left the draft state never changes. --version N drafts version N,
refused if it exists.`,
		Example: `  badgesmith achievement edit https://example.edu/achievements/data-analysis --file data-analysis-v2.json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, version, err := catalogue.ParseRef(args[0])
			if err != nil {
				return &usageError{err.Error()}
			}
			d, err := f.read(cmd.Context(), s)
			if err != nil {
				return err
			}
			db, cat, err := o.open(false)
			if err != nil {
				return err
			}
			defer db.Close()
			v, err := cat.Edit(cmd.Context(), id, version, d)
			if err != nil {
				return catalogueError(err)
			}
			return o.printVersion(s, v, "edited")
		},
	}
	f.AddFlags(cmd.Flags())
	return cmd
}

// decisionOptions are the flags of submit, approve, reject and retire.
type decisionOptions struct {
	key, role, reference, minutes string
	from, out, importFile         string
}

func newDecisionCmd(s streams, o *achievementOptions, d catalogue.Decision) *cobra.Command {
	f := &decisionOptions{}
	role := "the role you act in (required), one of your roles in the approver set"
	if d == catalogue.Submit {
		role = "the role you act in"
	}
	short := map[catalogue.Decision]string{
		catalogue.Submit:  "Submit a draft for review, as its author",
		catalogue.Approve: "Approve a version in review",
		catalogue.Reject:  "Reject a version in review (it goes back to draft when edited)",
		catalogue.Retire:  "Retire an approved version: it can no longer be issued",
	}[d]
	cmd := &cobra.Command{
		Use:   string(d) + " ID[@VERSION] --key NAME",
		Short: short,
		Long: short + `.

The decision is a statement signed with your key (--key, from the keyring):
a compact JWS of type badgesmith-approval+jwt over the RFC 8785 form of the
achievement id, version, digest of the Achievement, decision, role, key and
time. Without a store at hand, sign on your own machine from the version as
"achievement show --json" printed it (--from FILE --out FILE), and have the
registrar --import the file.`,
		Example: fmt.Sprintf(`  badgesmith achievement %[1]s https://example.edu/achievements/data-analysis@1 --key chair --role academic-council \
      --reference AC/2026/14 --minutes https://example.edu/minutes/ac-2026-14
  badgesmith achievement %[1]s --from v1.json --key chair --role academic-council --out %[1]s.jws
  badgesmith achievement %[1]s --import %[1]s.jws`, d),
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.run(cmd.Context(), s, o, d, args)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.key, "key", "", "keyring key to sign with")
	defRole := ""
	if d == catalogue.Submit {
		defRole = catalogue.RoleAuthor
	}
	fs.StringVar(&f.role, "role", defRole, role)
	fs.StringVar(&f.reference, "reference", "", "committee reference, e.g. AC/2026/14")
	fs.StringVar(&f.minutes, "minutes", "", "URL of the committee's minutes")
	fs.StringVar(&f.from, "from", "", "sign for the version in this file (achievement show --json output) instead of reading the store")
	fs.StringVar(&f.out, "out", "", "write the signed statement to this file instead of recording it")
	fs.StringVar(&f.importFile, "import", "", "record a statement signed elsewhere (a file written with --out)")
	return cmd
}

func (f *decisionOptions) run(ctx context.Context, s streams, o *achievementOptions, d catalogue.Decision, args []string) error {
	switch {
	case f.importFile != "" && (len(args) > 0 || f.key != "" || f.from != "" || f.out != ""):
		return &usageError{"--import takes no ID, --key, --from or --out"}
	case f.importFile == "" && f.key == "":
		return &usageError{"--key is required (or --import FILE)"}
	case f.importFile == "" && f.role == "":
		return &usageError{"--role is required"}
	case f.importFile == "" && f.from == "" && len(args) != 1:
		return &usageError{"name the version: ID[@VERSION] (or --from FILE)"}
	case f.from != "" && f.out == "":
		return &usageError{"--from signs without the store: give --out FILE"}
	}
	var token string
	if f.importFile != "" {
		data, err := readInput(ctx, s, f.importFile, maxInputFile, defaultReadTimeout)
		if err != nil {
			return err
		}
		token = strings.TrimSpace(string(data))
		st, err := catalogue.OpenStatement(token)
		if err != nil {
			return refusal{err}
		}
		if st.Decision != d {
			return &usageError{fmt.Sprintf("%s holds a %s statement; use achievement %s --import", f.importFile, st.Decision, st.Decision)}
		}
	} else {
		ring, err := keys.OpenRing(f.keyringDir(o))
		if err != nil {
			return err
		}
		e, err := ring.Get(f.key)
		if err != nil {
			return err
		}
		var st *catalogue.Statement
		if f.from != "" {
			if st, err = f.statementFrom(ctx, s, d); err != nil {
				return err
			}
		} else {
			db, cat, err := o.open(false)
			if err != nil {
				return err
			}
			id, version, err := catalogue.ParseRef(args[0])
			if err != nil {
				db.Close()
				return &usageError{err.Error()}
			}
			st, err = cat.Prepare(ctx, id, version, d, f.role)
			db.Close()
			if err != nil {
				return catalogueError(err)
			}
		}
		st.Reference, st.MinutesURL = f.reference, f.minutes
		if token, err = catalogue.Sign(*st, e.KeyPair.Private); err != nil {
			return err
		}
		if f.out != "" {
			if err := writeFile(f.out, []byte(token+"\n"), false); err != nil {
				return err
			}
			fmt.Fprintf(s.err, "signed %s of %s version %d: %s\n", d, shown(st.AchievementID), st.Version, shown(f.out))
			return nil
		}
	}
	db, cat, err := o.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := cat.Apply(ctx, token)
	if err != nil {
		return catalogueError(err)
	}
	return o.printVersion(s, v, pastTense(d))
}

func (f *decisionOptions) keyringDir(o *achievementOptions) string { return o.keyring }

// statementFrom builds the statement for the version in --from, a file
// "achievement show --json" wrote.
func (f *decisionOptions) statementFrom(ctx context.Context, s streams, d catalogue.Decision) (*catalogue.Statement, error) {
	data, err := readInput(ctx, s, f.from, maxInputFile, defaultReadTimeout)
	if err != nil {
		return nil, err
	}
	var v versionView
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", f.from, errInvalid, err)
	}
	digest, err := catalogue.Digest(v.Achievement)
	if err != nil || v.AchievementID == "" || v.Version < 1 || v.ApproverSet < 1 {
		return nil, fmt.Errorf("%s: %w: not the output of achievement show --json", f.from, errInvalid)
	}
	if digest != v.Digest {
		return nil, fmt.Errorf("%s: %w: the achievement's digest is %s, the file says %s", f.from, errInvalid, digest, v.Digest)
	}
	return &catalogue.Statement{
		AchievementID: v.AchievementID, Version: v.Version, Digest: digest, Decision: d, Role: f.role,
		Time: time.Now().UTC(), ApproverSet: v.ApproverSet,
	}, nil
}

func pastTense(d catalogue.Decision) string {
	switch d {
	case catalogue.Submit:
		return "submitted"
	case catalogue.Approve:
		return "approved"
	case catalogue.Reject:
		return "rejected"
	}
	return "retired"
}

// catalogueError makes the catalogue's refusals bad input (exit 1) and a
// store without the achievement a plain error.
func catalogueError(err error) error {
	switch {
	case errors.Is(err, catalogue.ErrNoApprovers):
		return fmt.Errorf("%w: record one with badgesmith catalogue approvers", err)
	case catalogue.IsRefusal(err), errors.Is(err, catalogue.ErrExists), errors.Is(err, catalogue.ErrImmutable),
		errors.Is(err, catalogue.ErrWrongState), errors.Is(err, catalogue.ErrSelfApproval), errors.Is(err, catalogue.ErrNotMember),
		errors.Is(err, catalogue.ErrDuplicateApproval), errors.Is(err, catalogue.ErrDigest), errors.Is(err, catalogue.ErrSignature):
		return refusal{err}
	}
	return err
}

// versionView is a version as show --json prints it.
type versionView struct {
	store.AchievementVersion
	Digest      string                 `json:"digest"`
	ApproverSet int                    `json:"approverSet"`
	Decisions   []catalogue.Statement  `json:"decisions,omitempty"`
	Trail       []store.CatalogueEvent `json:"trail,omitempty"`
	Verified    *bool                  `json:"verified,omitempty"`
	// Endorsements are show --verify's checks of the partners'
	// endorsement credentials.
	Endorsements []endorsementCheck `json:"endorsements,omitempty"`
}

func (o *achievementOptions) printVersion(s streams, v *store.AchievementVersion, what string) error {
	if o.json {
		return printJSON(s.out, v)
	}
	fmt.Fprintf(s.out, "%s %s version %d: %s\n", what, shown(v.AchievementID), v.Version, v.State)
	return nil
}

func newAchievementShowCmd(s streams, o *achievementOptions) *cobra.Command {
	var verify bool
	cmd := &cobra.Command{
		Use:   "show ID[@VERSION]",
		Short: "Show a version, its QA facts, signed decisions and audit trail",
		Long: `Show a version (the latest without @VERSION): its state, QA facts, the
decisions signed about it and the achievement's audit trail. --verify also
replays the signed decisions against the approver sets and the Achievement,
and fails (exit 1) if the record was tampered with, and verifies each
industry partner's endorsement credential as verify does (it must endorse
this achievement): an invalid one fails (exit 1), one that could not be
checked exits 2.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, version, err := catalogue.ParseRef(args[0])
			if err != nil {
				return &usageError{err.Error()}
			}
			db, cat, err := o.open(false)
			if err != nil {
				return err
			}
			defer db.Close()
			ctx := cmd.Context()
			v, err := cat.Get(ctx, id, version)
			if err != nil {
				return catalogueError(err)
			}
			view := versionView{AchievementVersion: *v}
			if view.Digest, err = catalogue.Digest(v.Achievement); err != nil {
				return err
			}
			names := map[string]string{}
			if p, err := cat.Approvers(ctx); err == nil {
				view.ApproverSet = p.Serial
				for _, m := range p.Members {
					names[m.Key] = m.Name
				}
			}
			for _, tok := range v.Statements {
				if st := peekStatement(tok); st != nil {
					view.Decisions = append(view.Decisions, *st)
				}
			}
			trail, err := cat.Audit(ctx, id)
			if err != nil {
				return err
			}
			for _, e := range trail {
				if e.Version == v.Version {
					view.Trail = append(view.Trail, e)
				}
			}
			var verr error
			if verify {
				verr = cat.Verify(ctx, id, v.Version)
				ok := verr == nil
				view.Verified = &ok
				ev, err := newEndorsementVerifier()
				if err != nil {
					return err
				}
				view.Endorsements = checkEndorsements(ctx, ev, v.AchievementID, v.QA)
			}
			if o.json {
				if err := printJSON(s.out, view); err != nil {
					return err
				}
			} else {
				printView(s.out, &view, names)
				printPartnerEndorsements(s.out, view.Endorsements)
			}
			if verr != nil {
				return catalogueError(verr)
			}
			return endorsementsError(fmt.Sprintf("achievement %s version %d", id, v.Version), view.Endorsements)
		},
	}
	cmd.Flags().BoolVar(&verify, "verify", false, "check the signed decisions and the record against each other")
	return cmd
}

// peekStatement decodes a statement's payload for display, unverified
// (show --verify checks them).
func peekStatement(tok string) *catalogue.Statement {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var st catalogue.Statement
	if json.Unmarshal(raw, &st) != nil {
		return nil
	}
	return &st
}

// printView prints a version for people; names maps member keys to
// their names in the approver set in force.
func printView(w io.Writer, v *versionView, names map[string]string) {
	var a struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(v.Achievement, &a)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "achievement\t%s\n", shown(v.AchievementID))
	fmt.Fprintf(tw, "name\t%s\n", shown(a.Name))
	fmt.Fprintf(tw, "version\t%d\n", v.Version)
	fmt.Fprintf(tw, "state\t%s\n", v.State)
	fmt.Fprintf(tw, "digest\t%s\n", v.Digest)
	if v.QA.AssessmentMethod != "" {
		fmt.Fprintf(tw, "assessment\t%s\n", shown(v.QA.AssessmentMethod))
	}
	if v.QA.ApprovingBody != "" {
		fmt.Fprintf(tw, "approving body\t%s\n", shown(v.QA.ApprovingBody))
	}
	for _, p := range v.QA.Partners {
		endorsed := ""
		if len(p.Endorsement) > 0 {
			endorsed = " (endorsement credential)"
		}
		fmt.Fprintf(tw, "industry partner\t%s%s\n", shown(p.Name), endorsed)
	}
	if !v.ApprovedAt.IsZero() {
		fmt.Fprintf(tw, "approved\t%s\n", v.ApprovedAt.Format(time.RFC3339))
	}
	if !v.RetiredAt.IsZero() {
		fmt.Fprintf(tw, "retired\t%s\n", v.RetiredAt.Format(time.RFC3339))
	}
	tw.Flush()
	for _, e := range v.Trail {
		ref := ""
		if e.Reference != "" {
			ref = " ref " + shown(e.Reference)
		}
		if e.MinutesURL != "" {
			ref += " minutes " + shown(e.MinutesURL)
		}
		who := orDash(e.Actor)
		if n, ok := names[e.Actor]; ok {
			who = n + " (" + e.Actor + ")"
		}
		fmt.Fprintf(w, "  %s  %-9s %s -> %s by %s%s\n", e.At.Format(time.RFC3339), e.Action, orDash(string(e.From)), e.To, shown(who), ref)
	}
	if v.Verified != nil && *v.Verified {
		fmt.Fprintln(w, "verified: every signed decision checks out and the record matches them")
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newAchievementListCmd(s streams, o *achievementOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the catalogue's achievements, latest version of each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, cat, err := o.open(false)
			if err != nil {
				return err
			}
			defer db.Close()
			vs, err := cat.List(cmd.Context())
			if err != nil {
				return err
			}
			if o.json {
				if vs == nil {
					vs = []store.AchievementVersion{}
				}
				return printJSON(s.out, vs)
			}
			tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACHIEVEMENT\tVERSION\tSTATE\tNAME")
			for _, v := range vs {
				var a struct {
					Name string `json:"name"`
				}
				_ = json.Unmarshal(v.Achievement, &a)
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", shown(v.AchievementID), v.Version, v.State, shown(a.Name))
			}
			return tw.Flush()
		},
	}
}

func newAchievementDiffCmd(s streams, o *achievementOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "diff ID@VERSION ID@VERSION",
		Short:   "Show what changed between two versions",
		Example: `  badgesmith achievement diff https://example.edu/achievements/data-analysis@1 https://example.edu/achievements/data-analysis@2`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, cat, err := o.open(false)
			if err != nil {
				return err
			}
			defer db.Close()
			var vs [2]*store.AchievementVersion
			for i, ref := range args {
				id, version, err := catalogue.ParseRef(ref)
				if err != nil {
					return &usageError{err.Error()}
				}
				if vs[i], err = cat.Get(cmd.Context(), id, version); err != nil {
					return catalogueError(err)
				}
			}
			changes, err := catalogue.DiffVersions(vs[0].Achievement, vs[1].Achievement, vs[0].QA, vs[1].QA)
			if err != nil {
				return err
			}
			if o.json {
				if changes == nil {
					changes = []catalogue.Change{}
				}
				return printJSON(s.out, changes)
			}
			for _, c := range changes {
				switch {
				case c.Before == nil:
					fmt.Fprintf(s.out, "+ %s: %s\n", c.Path, compact(c.After))
				case c.After == nil:
					fmt.Fprintf(s.out, "- %s: %s\n", c.Path, compact(c.Before))
				default:
					fmt.Fprintf(s.out, "~ %s: %s -> %s\n", c.Path, compact(c.Before), compact(c.After))
				}
			}
			return nil
		},
	}
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return shown(string(b))
}

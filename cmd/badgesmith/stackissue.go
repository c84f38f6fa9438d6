package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/stack"
)

// stackIssueOptions are the flags of stack issue: those of stack check,
// and those of issue that say who signs and where it goes.
type stackIssueOptions struct {
	stackCheckOptions
	keyring        string
	key            string
	achievement    string
	profile        string
	subject        string
	recipientEmail string
	out            string
	statusBaseURL  string
}

func (o *stackIssueOptions) AddFlags(fs *pflag.FlagSet) {
	o.stackCheckOptions.AddFlags(fs)
	addKeyringFlag(fs, &o.keyring)
	fs.StringVar(&o.key, "key", "", "name of the signing key in the keyring (required)")
	fs.StringVar(&o.achievement, "achievement", "", "the stacked Achievement JSON file; its id is the stack's achievement (required)")
	fs.StringVar(&o.profile, "issuer-profile", "", "issuer Profile JSON file; its id is the key's DID")
	fs.StringVar(&o.subject, "subject", "", "AchievementSubject JSON file (default: the learner's DID)")
	fs.StringVar(&o.recipientEmail, "recipient-email", "", "learner's email address, stored as a salted hash")
	fs.StringVar(&o.out, "out", "-", "output file, or - for standard output")
	// One store: the learner's components are read from it (with
	// --credentials-dir) and the stacked credential recorded in it.
	fs.Lookup("store").Usage = "record the credential, with its components, in this store and give it a revocation status entry (and, with --credentials-dir, read the learner's credentials from it)"
	fs.StringVar(&o.statusBaseURL, "status-base-url", "", "URL the status lists are published under (required with --store)")
}

func newStackIssueCmd(s streams) *cobra.Command {
	o := &stackIssueOptions{}
	cmd := &cobra.Command{
		Use:   "issue --rules RULES --stack ID --key KEY --achievement FILE CRED...",
		Short: "Issue the stacked credential of a complete stack",
		Long: `Run stack check on the credentials and, only if the stack named by
--stack is complete, issue its credential: an OpenBadgeCredential for the
stack's achievement whose evidence references each component credential
by id with the digestSRI (sha384) of its exact bytes, and whose achievement
carries an alignment (targetType ceterms:Credential) to the published rule
(the stack's id). Components of nested stacks are included.

With --store the credential is recorded with its components, so that
revoking a component later names it (badgesmith revoke --cascade revokes
it too).

Exit status: 0 issued, 1 the stack is not complete (nothing is issued; the
report goes to standard error), 2 a usage error.`,
		Example: `  badgesmith stack issue --rules pathway.yaml --stack https://poly.example/rules/certificate \
    --key registrar --achievement certificate.json --out certificate-cred.json creds/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, s, args) },
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *stackIssueOptions) run(cmd *cobra.Command, s streams, args []string) error {
	switch {
	case len(o.stacks) != 1:
		return &usageError{"give the one stack to issue with --stack"}
	case o.key == "":
		return &usageError{"--key is required"}
	case o.achievement == "":
		return &usageError{"--achievement is required"}
	case o.subject != "" && o.recipientEmail != "":
		return &usageError{"--subject and --recipient-email are exclusive"}
	case o.store == "" && o.statusBaseURL != "":
		return &usageError{"--status-base-url needs --store"}
	case o.store != "" && o.statusBaseURL == "":
		return &usageError{"--store needs --status-base-url, where the status lists will be published"}
	}
	ctx := cmd.Context()
	rules, rep, err := o.check(cmd, s, args, o.stacks)
	if err != nil {
		return err
	}
	id := o.stacks[0]
	if !rep.Complete(id) {
		printStackReport(s.err, rep)
		return fmt.Errorf("%w: stack %s is not complete: nothing issued", errInvalid, id)
	}
	req := stack.IssueRequest{Stack: id, RecipientEmail: o.recipientEmail}
	if req.Achievement, err = readObject(ctx, s, o.achievement); err != nil {
		return err
	}
	if o.subject != "" {
		if req.Subject, err = readObject(ctx, s, o.subject); err != nil {
			return err
		}
	}
	profile := map[string]any{"name": o.key}
	if o.profile != "" {
		if profile, err = readObject(ctx, s, o.profile); err != nil {
			return err
		}
	}
	signer, err := ringSigner(o.keyring, o.key, "", "")
	if err != nil {
		return err
	}
	cfg := issuer.Config{Profile: profile, Signer: signer, StatusBaseURL: o.statusBaseURL}
	if o.store != "" {
		db, err := openStore(o.store, true)
		if err != nil {
			return err
		}
		defer db.Close()
		cfg.Store = db
	}
	is, err := newIssuer(cfg)
	if err != nil {
		return err
	}
	if o.out != "-" {
		if err := atomicfile.Check(o.out, atomicfile.Options{}); err != nil {
			return err
		}
	}
	out, err := stack.Issue(ctx, is, rules, rep, req)
	if errors.Is(err, stack.ErrIncomplete) {
		return fmt.Errorf("%w: %w", errInvalid, err)
	}
	if err != nil {
		return err
	}
	if o.out == "-" {
		if _, err := s.out.Write(out.Credential.Bytes()); err != nil {
			return err
		}
	} else if err := writeFile(o.out, out.Credential.Bytes(), false); err != nil {
		return err
	}
	if o.store != "" {
		if err := is.Delivered(ctx, out.Credential.ID); err != nil {
			return fmt.Errorf("credential %s was written, but recording its delivery failed: %w", out.Credential.ID, err)
		}
	}
	fmt.Fprintf(s.err, "issued %s on %d component credentials", shown(out.Credential.ID), len(out.Components))
	if o.out != "-" {
		fmt.Fprintf(s.err, " to %s", shown(o.out))
	}
	fmt.Fprintln(s.err)
	return nil
}

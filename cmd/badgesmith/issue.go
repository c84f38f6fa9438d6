package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
)

type issueOptions struct {
	keyring        string
	key            string
	achievement    string
	subject        string
	recipientEmail string
	plain          bool
	profile        string
	out            string
	suite          string
	validUntil     string
	id             string
}

func (o *issueOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.keyring, "keyring", defaultKeyring(), "keyring directory (env BADGESMITH_KEYRING)")
	fs.StringVar(&o.key, "key", "", "name of the signing key in the keyring (required)")
	fs.StringVar(&o.achievement, "achievement", "", "Achievement JSON file (required)")
	fs.StringVar(&o.subject, "subject", "", "AchievementSubject JSON file (without achievement)")
	fs.StringVar(&o.recipientEmail, "recipient-email", "", "learner's email address, stored as a salted hash")
	fs.BoolVar(&o.plain, "plain-recipient", false, "store the recipient email in the clear instead of hashed")
	fs.StringVar(&o.profile, "issuer-profile", "", "issuer Profile JSON file (name, url, email, ...); its id is the key's DID")
	fs.StringVar(&o.out, "out", "-", "output file, or - for standard output")
	fs.StringVar(&o.suite, "suite", "eddsa-rdfc-2022", "proof suite: eddsa-rdfc-2022 or Ed25519Signature2020")
	fs.StringVar(&o.validUntil, "valid-until", "", "end of validity (RFC 3339 date-time)")
	fs.StringVar(&o.id, "id", "", "credential id (default: a random urn:uuid)")
}

func newIssueCmd(s streams) *cobra.Command {
	o := &issueOptions{}
	cmd := &cobra.Command{
		Use:   "issue",
		Short: "Build and sign an Open Badges 3.0 credential for one learner",
		Long: `Build an OpenBadgeCredential for one learner from an Achievement file and a
subject (a subject file or a recipient email), sign it with a key from the
keyring, verify the result, and write it atomically.`,
		Example: `  badgesmith keys generate registrar
  badgesmith issue --key registrar --issuer-profile testdata/issuer.json \
      --achievement testdata/achievement.json --subject testdata/subject.json --out cred.json
  badgesmith issue --key registrar --issuer-profile issuer.json \
      --achievement achievement.json --recipient-email learner@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd, s)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// usageError marks errors in how the command was called (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func (o *issueOptions) run(cmd *cobra.Command, s streams) error {
	switch {
	case o.key == "":
		return &usageError{"--key is required"}
	case o.achievement == "":
		return &usageError{"--achievement is required"}
	case o.subject == "" && o.recipientEmail == "":
		return &usageError{"one of --subject or --recipient-email is required"}
	case o.subject != "" && o.recipientEmail != "":
		return &usageError{"--subject and --recipient-email are exclusive; put the email in the subject file's identifier instead"}
	}
	req := issuer.Request{RecipientEmail: o.recipientEmail, PlainRecipient: o.plain, ID: o.id}
	if o.validUntil != "" {
		t, err := time.Parse(time.RFC3339, o.validUntil)
		if err != nil {
			return &usageError{fmt.Sprintf("--valid-until %q is not an RFC 3339 date-time", o.validUntil)}
		}
		req.ValidUntil = t
	}
	ring, err := keys.OpenRing(o.keyring)
	if err != nil {
		return err
	}
	entry, err := ring.Get(o.key)
	if err != nil {
		return fmt.Errorf("key %q: %w", o.key, err)
	}
	if req.Achievement, err = readObject(s, o.achievement); err != nil {
		return err
	}
	if o.subject != "" {
		if req.Subject, err = readObject(s, o.subject); err != nil {
			return err
		}
	}
	var profile map[string]any
	if o.profile != "" {
		if profile, err = readObject(s, o.profile); err != nil {
			return err
		}
	} else {
		profile = map[string]any{"name": o.key}
	}
	is, err := issuer.New(issuer.Config{
		Profile:            profile,
		IssuerID:           entry.DID(),
		Key:                entry.KeyPair.Private,
		VerificationMethod: entry.VerificationMethod(),
		Suite:              o.suite,
	})
	if err != nil {
		return err
	}
	cred, err := is.Issue(cmd.Context(), req)
	if err != nil {
		return err
	}
	if o.out == "-" {
		_, err = s.out.Write(cred.JSON)
		return err
	}
	if err := atomicfile.WriteFile(o.out, cred.JSON, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "issued %s to %s\n", cred.ID, o.out)
	return nil
}

package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
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
	format         string
	validUntil     string
	id             string
	store          string
	statusBaseURL  string
	suspension     bool
	didWeb         string
	followSymlinks bool
}

func (o *issueOptions) AddFlags(fs *pflag.FlagSet) {
	addKeyringFlag(fs, &o.keyring)
	fs.StringVar(&o.key, "key", "", "name of the signing key in the keyring (required)")
	fs.StringVar(&o.achievement, "achievement", "", "Achievement JSON file (required)")
	fs.StringVar(&o.subject, "subject", "", "AchievementSubject JSON file (without achievement)")
	fs.StringVar(&o.recipientEmail, "recipient-email", "", "learner's email address, stored as a salted hash")
	fs.BoolVar(&o.plain, "plain-recipient", false, "store the recipient email in the clear instead of hashed")
	fs.StringVar(&o.profile, "issuer-profile", "", "issuer Profile JSON file (name, url, email, ...); its id is the key's DID")
	fs.StringVar(&o.out, "out", "-", "output file, or - for standard output")
	addFollowSymlinksFlag(fs, &o.followSymlinks)
	fs.StringVar(&o.suite, "suite", "", "Data Integrity suite: eddsa-rdfc-2022, eddsa-jcs-2022, Ed25519Signature2020 (Ed25519 keys) or ecdsa-rdfc-2019 (P-256 keys); default eddsa-rdfc-2022, or ecdsa-rdfc-2019 for a P-256 key")
	fs.StringVar(&o.format, "format", "di", "output: di (JSON with a Data Integrity proof), jwt (OB 3.0 VC-JWT) or jose (VC-JOSE-COSE vc+jwt)")
	fs.StringVar(&o.validUntil, "valid-until", "", "end of validity (RFC 3339 date-time)")
	fs.StringVar(&o.id, "id", "", "credential id (default: a random urn:uuid)")
	fs.StringVar(&o.store, "store", "", "record the credential in this store and give it a revocation status entry (see status publish)")
	fs.StringVar(&o.statusBaseURL, "status-base-url", "", "URL the status lists are published under, e.g. https://example.edu/status/ (required with --store)")
	fs.BoolVar(&o.suspension, "suspension", false, "also give the credential a suspension entry (credentialStatus becomes an array, which the strict OB 3.0 schema rejects)")
	fs.StringVar(&o.didWeb, "did-web", "", "issue as the did:web DID of this host[:port][/path] (see did web); --key must be its group's active key")
}

func newIssueCmd(s streams) *cobra.Command {
	o := &issueOptions{}
	cmd := &cobra.Command{
		Use:   "issue",
		Short: "Build and sign an Open Badges 3.0 credential for one learner",
		Long: `Build an OpenBadgeCredential for one learner from an Achievement file and a
subject (a subject file or a recipient email), sign it with a key from the
keyring, verify the result, and write it atomically. With --format jwt or
jose the credential is written as a compact JWS (EdDSA, ES256 or RS256 by
key type) followed by a newline.

--out replaces only a regular file, writes straight to a character device
(such as /dev/null), and refuses a directory, FIFO or socket, and a
symbolic link unless --follow-symlinks is given. With --store the
credential is recorded, as undelivered, before it is written; if the write
fails, running the same command again with --id (same recipient and
achievement) retries it with the same status entry.`,
		Example: `  badgesmith keys generate registrar
  badgesmith issue --key registrar --issuer-profile testdata/issuer.json \
      --achievement testdata/achievement.json --subject testdata/subject.json --out cred.json
  badgesmith issue --key registrar --issuer-profile issuer.json \
      --achievement achievement.json --recipient-email learner@example.com
  badgesmith issue --key registrar --format jwt --achievement achievement.json \
      --subject subject.json --out cred.jwt`,
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
	jwtFormat, ok := map[string]string{"di": "", "jwt": vcjwt.FormatVCJWT, "jose": vcjwt.FormatJOSE}[o.format]
	if !ok {
		return &usageError{fmt.Sprintf("--format %q: want di, jwt or jose", o.format)}
	}
	if jwtFormat != "" && o.suite != "" {
		return &usageError{"--suite applies to --format di only; a JWT's algorithm follows the key"}
	}
	switch {
	case o.store == "" && (o.statusBaseURL != "" || o.suspension):
		return &usageError{"--status-base-url and --suspension need --store"}
	case o.store != "" && o.statusBaseURL == "":
		return &usageError{"--store needs --status-base-url, where the status lists will be published"}
	}
	req := issuer.Request{RecipientEmail: o.recipientEmail, PlainRecipient: o.plain, ID: o.id}
	if o.validUntil != "" {
		t, err := time.Parse(time.RFC3339, o.validUntil)
		if err != nil {
			return &usageError{fmt.Sprintf("--valid-until %q is not an RFC 3339 date-time", o.validUntil)}
		}
		req.ValidUntil = t
	}
	ring, entry, suite, err := signingKey(o.keyring, o.key, o.suite, jwtFormat != "")
	if err != nil {
		return err
	}
	if req.Achievement, err = readObject(cmd.Context(), s, o.achievement); err != nil {
		return err
	}
	if o.subject != "" {
		if req.Subject, err = readObject(cmd.Context(), s, o.subject); err != nil {
			return err
		}
	}
	issuerID, vm, err := issueIdentity(ring, entry, o.didWeb)
	if err != nil {
		return err
	}
	var profile map[string]any
	if o.profile != "" {
		if profile, err = readObject(cmd.Context(), s, o.profile); err != nil {
			return err
		}
	} else {
		profile = map[string]any{"name": o.key}
	}
	cfg := issuer.Config{
		Profile:            profile,
		IssuerID:           issuerID,
		Key:                entry.KeyPair.Private,
		VerificationMethod: vm,
		Suite:              suite,
		StatusBaseURL:      o.statusBaseURL,
		Suspension:         o.suspension,
	}
	if o.store != "" {
		db, err := openStore(o.store, true)
		if err != nil {
			return err
		}
		defer db.Close()
		cfg.Store = db
	}
	// With a store, Issue records the credential before returning it, and
	// only then is it written out: a credential in the wild is always one
	// the store can revoke.
	is, err := issuer.New(cfg)
	if err != nil {
		return err
	}
	// Refuse an output that cannot be written (a FIFO, a link, a missing
	// directory) before anything is signed or recorded.
	if o.out != "-" {
		if err := atomicfile.Check(o.out, atomicfile.Options{FollowSymlinks: o.followSymlinks}); err != nil {
			return err
		}
	}
	var id string
	var data []byte
	if jwtFormat != "" {
		tok, err := is.IssueJWT(cmd.Context(), req, jwtFormat)
		if err != nil {
			return err
		}
		id, data = tok.ID, []byte(tok.Token+"\n")
	} else {
		cred, err := is.Issue(cmd.Context(), req)
		if err != nil {
			return err
		}
		id, data = cred.ID, cred.JSON
	}
	if o.out == "-" {
		_, err = s.out.Write(data)
	} else {
		err = writeFile(o.out, data, o.followSymlinks)
	}
	if err != nil {
		if cfg.Store != nil {
			// The record stays, marked undelivered, with its status entries;
			// the same request with --id retries it.
			return fmt.Errorf("%w\ncredential %s is recorded undelivered in %s; to retry, run the same command with --id %s", err, id, o.store, id)
		}
		return err
	}
	if cfg.Store != nil {
		if err := is.Delivered(cmd.Context(), id); err != nil {
			return fmt.Errorf("credential %s was written, but recording its delivery failed: %w", id, err)
		}
	}
	if o.out != "-" {
		fmt.Fprintf(s.err, "issued %s to %s\n", shown(id), shown(o.out))
	}
	return nil
}

// signingKey opens the keyring, takes the key called name and picks its
// Data Integrity suite (see suiteFor): what issue, batch and status
// publish all start with.
func signingKey(keyring, name, suite string, jwt bool) (*keys.Ring, *keys.Entry, string, error) {
	ring, err := keys.OpenRing(keyring)
	if err != nil {
		return nil, nil, "", err
	}
	entry, err := ring.Get(name)
	if err != nil {
		return nil, nil, "", fmt.Errorf("key %q: %w", name, err)
	}
	suite, err = suiteFor(entry, name, suite, jwt)
	if err != nil {
		return nil, nil, "", err
	}
	return ring, entry, suite, nil
}

// suiteFor picks the Data Integrity suite for the key called name (none
// for a JWT), suite if given, and refuses a suite the key cannot sign.
func suiteFor(entry *keys.Entry, name, suite string, jwt bool) (string, error) {
	kt := entry.KeyPair.Type
	if jwt {
		return "", nil
	}
	if suite == "" {
		suite = proof.EddsaRdfc2022
		if kt == keys.P256 {
			suite = proof.EcdsaRdfc2019
		}
	}
	var need keys.Type
	switch suite {
	case proof.EddsaRdfc2022, proof.EddsaJcs2022, proof.Ed25519Signature2020:
		need = keys.Ed25519
	case proof.EcdsaRdfc2019:
		need = keys.P256
	default:
		return "", &usageError{fmt.Sprintf("--suite %q: want %s, %s, %s or %s", suite,
			proof.EddsaRdfc2022, proof.EddsaJcs2022, proof.Ed25519Signature2020, proof.EcdsaRdfc2019)}
	}
	if kt != need {
		hint := ""
		if kt.IsRSA() {
			hint = "; RSA keys sign JWTs only (--format jwt or jose)"
		}
		return "", &usageError{fmt.Sprintf("--suite %s needs a key of type %s, but key %q is %s%s", suite, need, name, kt, hint)}
	}
	return suite, nil
}

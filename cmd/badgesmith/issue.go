package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
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
	cat            catalogueFlags
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
	o.cat.AddFlags(fs)
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
achievement) retries it with the same status entry. Without --store nothing
is recorded, but when the default store exists its catalogue rule holds: if
its approver set requires the catalogue, --achievement is refused and an
achievement from outside it needs --unmanaged-achievement.`,
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
	case o.cat.check(o.achievement) != nil:
		return o.cat.check(o.achievement)
	case o.cat.ref != "" && o.store == "":
		return &usageError{"--catalogue-achievement needs --store, the store holding the catalogue"}
	case o.subject == "" && o.recipientEmail == "":
		return &usageError{"one of --subject or --recipient-email is required"}
	case o.subject != "" && o.recipientEmail != "":
		return &usageError{"--subject and --recipient-email are exclusive; put the email in the subject file's identifier instead"}
	}
	format, err := parseFormat(o.format, o.suite, "; a JWT's algorithm follows the key")
	if err != nil {
		return err
	}
	switch {
	case o.store == "" && (o.statusBaseURL != "" || o.suspension):
		return &usageError{"--status-base-url and --suspension need --store"}
	case o.store != "" && o.statusBaseURL == "":
		return &usageError{"--store needs --status-base-url, where the status lists will be published"}
	}
	req := issuer.Request{RecipientEmail: o.recipientEmail, PlainRecipient: o.plain, ID: o.id, CatalogueAchievement: o.cat.ref}
	if o.validUntil != "" {
		t, err := time.Parse(time.RFC3339, o.validUntil)
		if err != nil {
			return &usageError{fmt.Sprintf("--valid-until %q is not an RFC 3339 date-time", o.validUntil)}
		}
		req.ValidUntil = t
	}
	signer, err := ringSigner(o.keyring, o.key, format, o.didWeb)
	if err != nil {
		return err
	}
	if o.cat.ref == "" {
		if req.Achievement, err = readObject(cmd.Context(), s, o.cat.file(o.achievement)); err != nil {
			return err
		}
	}
	if o.subject != "" {
		if req.Subject, err = readObject(cmd.Context(), s, o.subject); err != nil {
			return err
		}
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
		Profile:       profile,
		Signer:        signer,
		StatusBaseURL: o.statusBaseURL,
		Suspension:    o.suspension,
	}
	if o.store != "" {
		db, err := openStore(o.store, true)
		if err != nil {
			return err
		}
		defer db.Close()
		cfg.Store = db
		o.cat.configure(&cfg, catalogue.New(db, catalogue.Options{}))
	}
	ruleStore := o.store
	if o.store == "" && o.cat.unmanaged == "" {
		// Nothing is recorded without --store, but the registrar's "catalogue
		// required" still holds: it is read from the default store.
		db, path, err := openDefaultCatalogue()
		if err != nil {
			return err
		}
		if db != nil {
			defer db.Close()
			o.cat.configure(&cfg, catalogue.New(db, catalogue.Options{}))
			ruleStore = path
		}
	}
	// With a store, Issue records the credential before returning it, and
	// only then is it written out: a credential in the wild is always one
	// the store can revoke.
	is, err := newIssuer(cfg)
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
	cred, err := is.Deliver(cmd.Context(), req, func(c *issuer.Credential) error {
		if o.out == "-" {
			_, err := s.out.Write(c.Bytes())
			return err
		}
		return writeFile(o.out, c.Bytes(), o.followSymlinks)
	})
	if errors.Is(err, issuer.ErrUnmanaged) && o.store == "" {
		err = fmt.Errorf("the default store %s (give it as --store with --catalogue-achievement): %w", ruleStore, err)
	}
	err = explainCatalogue(err)
	var ue *issuer.UndeliveredError
	switch {
	case errors.As(err, &ue) && ue.Recorded:
		// The record stays, marked undelivered, with its status entries;
		// the same request with --id retries it.
		return fmt.Errorf("%w\ncredential %s is recorded undelivered in %s; to retry, run the same command with --id %s", ue.Err, ue.CredentialID, o.store, ue.CredentialID)
	case errors.As(err, &ue):
		return ue.Err
	case err != nil && cred != nil:
		return fmt.Errorf("credential %s was written, but recording its delivery failed: %w", cred.ID, errors.Unwrap(err))
	case err != nil:
		return err
	}
	id := cred.ID
	if o.out != "-" {
		fmt.Fprintf(s.err, "issued %s to %s\n", shown(id), shown(o.out))
	}
	return nil
}

// parseFormat reads --format and --suite: the zero Format for di without
// a suite (the library picks the key type's default). hint ends the
// message refusing --suite with a JWT format.
func parseFormat(format, suite, hint string) (issuer.Format, error) {
	switch format {
	case "jwt", "jose":
		if suite != "" {
			return "", &usageError{"--suite applies to --format di only" + hint}
		}
		if format == "jwt" {
			return issuer.VCJWT, nil
		}
		return issuer.JOSE, nil
	case "di":
	default:
		return "", &usageError{fmt.Sprintf("--format %q: want di, jwt or jose", format)}
	}
	f := issuer.Format(suite)
	if suite != "" && (f.IsJWT() || f.KeyType() == "") {
		return "", &usageError{fmt.Sprintf("--suite %q: want %s, %s, %s or %s", suite,
			proof.EddsaRdfc2022, proof.EddsaJcs2022, proof.Ed25519Signature2020, proof.EcdsaRdfc2019)}
	}
	return f, nil
}

// ringSigner opens the keyring and builds the signer of the key called
// name, as the did:web DID of web if set: what issue, batch and status
// publish all start with. The library's refusals of the key are usage
// errors here, in the words of the flags.
func ringSigner(keyring, name string, format issuer.Format, web string) (*issuer.Signer, error) {
	ring, err := keys.OpenRing(keyring)
	if err != nil {
		return nil, err
	}
	s, err := issuer.RingSigner(ring, name, issuer.RingOptions{Web: web, Format: format})
	var km *issuer.KeyMismatchError
	switch {
	case errors.As(err, &km):
		suite, need := km.Format, km.Need
		if suite == "" {
			// No suite signs with this key; the default one is named.
			suite, need = issuer.EddsaRdfc2022, keys.Ed25519
		}
		hint := ""
		if km.Key.IsRSA() {
			hint = "; RSA keys sign JWTs only (--format jwt or jose)"
		}
		return nil, &usageError{fmt.Sprintf("--suite %s needs a key of type %s, but key %q is %s%s", suite, need, name, km.Key, hint)}
	case errors.Is(err, did.ErrInvalidDID):
		return nil, &usageError{fmt.Sprintf("--did-web: %v", err)}
	}
	return s, err
}

// newIssuer is issuer.New, with a keyring key that may not sign (a
// retired one, say) a usage error naming the key to use.
func newIssuer(cfg issuer.Config) (*issuer.Issuer, error) {
	is, err := issuer.New(cfg)
	var ie *issuer.InactiveKeyError
	if errors.As(err, &ie) || errors.Is(err, keys.ErrNoActiveKey) {
		return nil, &usageError{err.Error()}
	}
	return is, err
}

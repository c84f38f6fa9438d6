package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/verifier"
)

type presentOptions struct {
	keyring   string
	key       string
	didWeb    string
	suite     string
	challenge string
	domain    string
	out       string
	follow    bool
	timeout   time.Duration
}

func (o *presentOptions) AddFlags(fs *pflag.FlagSet) {
	addKeyringFlag(fs, &o.keyring)
	fs.StringVar(&o.key, "key", "", "name of the holder's key in the keyring (required)")
	fs.StringVar(&o.didWeb, "did-web", "", "present as the did:web DID of this domain (host[:port][/path]) instead of the key's did:key")
	fs.StringVar(&o.suite, "suite", "", "proof suite: eddsa-rdfc-2022 (Ed25519 default), eddsa-jcs-2022, Ed25519Signature2020 or ecdsa-rdfc-2019 (P-256 default)")
	fs.StringVar(&o.challenge, "challenge", "", "the verifier's challenge, signed into the proof")
	fs.StringVar(&o.domain, "domain", "", "the verifier's domain, signed into the proof")
	fs.StringVar(&o.out, "out", "-", "output file, or - for standard output")
	fs.DurationVar(&o.timeout, "read-timeout", 30*time.Second, "how long to wait for a credential on standard input")
	addFollowSymlinksFlag(fs, &o.follow)
}

func newPresentCmd(s streams) *cobra.Command {
	o := &presentOptions{}
	cmd := &cobra.Command{
		Use:   "present [flags] CREDENTIAL...",
		Short: "Sign a verifiable presentation of credentials for a verifier",
		Long: `Wrap credentials in a VC 2.0 VerifiablePresentation whose holder is the DID
of --key, and sign it with a Data Integrity proof for authentication
carrying the verifier's --challenge and --domain, as a wallet answers a
VCALM or DIDAuthentication request. Each CREDENTIAL is a file (or - for
standard input): a JSON credential is embedded as it is, a compact JWS as
an EnvelopedVerifiableCredential (data:application/vc+jwt,...). The
credentials are not verified here: the verifier of the presentation
verifies each of them ("badgesmith serve" answers POST
/presentations/verify).`,
		Example: `  badgesmith present --key learner --challenge 7f1c0e2a --domain https://verifier.example cred.json
  badgesmith present --key learner --challenge 7f1c0e2a cred.json cred.jwt --out vp.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, s, args) },
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *presentOptions) run(cmd *cobra.Command, s streams, args []string) error {
	if o.key == "" {
		return &usageError{"--key is required"}
	}
	ring, err := keys.OpenRing(o.keyring)
	if err != nil {
		return err
	}
	e, err := ring.Get(o.key)
	if err != nil {
		return err
	}
	var id issuer.Identity
	if o.didWeb != "" {
		if id, err = issuer.WebIdentity(o.didWeb, e.Fragment); err != nil {
			return &usageError{fmt.Sprintf("--did-web: %v", err)}
		}
	}
	signer, err := issuer.NewSigner(e.KeyPair.Private, issuer.SignerOptions{Identity: id, Format: issuer.Format(o.suite)})
	if err != nil {
		return &usageError{fmt.Sprintf("--suite %q with key %s: %v", o.suite, o.key, err)}
	}
	if signer.Format().IsJWT() {
		return &usageError{fmt.Sprintf("key %s is %s: presentations are signed with Data Integrity suites (Ed25519 or P-256 keys)", o.key, e.KeyPair.Type)}
	}
	creds := make([][]byte, 0, len(args))
	for _, name := range args {
		data, err := readInput(cmd.Context(), s, name, verifier.DefaultMaxSize, o.timeout)
		if err != nil {
			return err
		}
		creds = append(creds, data)
	}
	if o.out != "-" {
		if err := atomicfile.Check(o.out, atomicfile.Options{FollowSymlinks: o.follow}); err != nil {
			return err
		}
	}
	out, err := signer.Present(cmd.Context(), creds, issuer.PresentOptions{Challenge: o.challenge, Domain: o.domain})
	if err != nil {
		// Name the file, not the entry's place in the presentation.
		if ee, ok := errors.AsType[*issuer.EntryError](err); ok {
			return fmt.Errorf("%s: %w", args[ee.Index], ee.Err)
		}
		return err
	}
	holder := signer.Identity()
	if o.out == "-" {
		_, err := s.out.Write(out)
		return err
	}
	if err := writeFile(o.out, out, o.follow); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "presented %d credentials as %s to %s\n", len(creds), shown(holder.ID), shown(o.out))
	return nil
}

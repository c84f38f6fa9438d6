package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
)

// defaultKeyring is the keyring directory used when --keyring is not given:
// $BADGESMITH_KEYRING, else badgesmith/keys under the user's configuration
// directory (~/.config/badgesmith/keys on Linux). It is "" if neither is
// known.
func defaultKeyring() string {
	if d := os.Getenv("BADGESMITH_KEYRING"); d != "" {
		return d
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(cfg, "badgesmith", "keys")
}

// keysOptions holds the flags shared by every keys subcommand.
type keysOptions struct {
	keyring string
	json    bool
}

func (o *keysOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.keyring, "keyring", defaultKeyring(), "keyring directory (env BADGESMITH_KEYRING)")
	fs.BoolVar(&o.json, "json", false, "print JSON for machines instead of text")
}

func (o *keysOptions) open() (*keys.Ring, error) {
	if o.keyring == "" {
		return nil, errors.New("no keyring directory: set --keyring or BADGESMITH_KEYRING")
	}
	return keys.OpenRing(o.keyring)
}

func newKeysCmd(s streams) *cobra.Command {
	o := &keysOptions{}
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Create and inspect signing keys in the keyring",
		Long: `Manage the Ed25519 signing keys in the keyring, a directory (mode 0700)
holding one JSON file (mode 0600) per key. Each key is published as a
did:key DID; its verification method DID#z6Mk... is what credential proofs
name. Secret keys are printed only by "keys show --secret".`,
		Example: `  badgesmith keys generate registrar
  badgesmith keys list
  badgesmith keys show registrar --did-document
  badgesmith keys list --keyring ./keys --json`,
		Args: cobra.NoArgs,
		// A bare "keys" prints help; an unknown subcommand is a usage error
		// (cobra.NoArgs reports it) rather than help with exit status 0.
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	o.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(
		newKeysGenerateCmd(s, o),
		newKeysImportCmd(s, o),
		newKeysListCmd(s, o),
		newKeysShowCmd(s, o),
	)
	return cmd
}

// keyInfo is the JSON form of a key for --json output.
type keyInfo struct {
	Name               string    `json:"name"`
	Type               keys.Type `json:"type"`
	Created            time.Time `json:"created"`
	DID                string    `json:"did"`
	VerificationMethod string    `json:"verificationMethod"`
	PublicKeyMultibase string    `json:"publicKeyMultibase"`
	SecretKeyMultibase string    `json:"secretKeyMultibase,omitempty"`
}

func infoOf(e *keys.Entry, withSecret bool) (keyInfo, error) {
	pub, err := keys.EncodePublicMultikey(e.KeyPair.Public)
	if err != nil {
		return keyInfo{}, fmt.Errorf("key %s: %w", e.Name, err)
	}
	info := keyInfo{
		Name:               e.Name,
		Type:               e.KeyPair.Type,
		Created:            e.Created,
		DID:                e.DID(),
		VerificationMethod: e.VerificationMethod(),
		PublicKeyMultibase: pub,
	}
	if withSecret {
		if info.SecretKeyMultibase, err = keys.EncodeSecretMultikey(e.KeyPair.Private); err != nil {
			return keyInfo{}, fmt.Errorf("key %s: %w", e.Name, err)
		}
	}
	return info, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func printKey(w io.Writer, info keyInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "Name:\t%s\n", info.Name)
	fmt.Fprintf(tw, "Type:\t%s\n", info.Type)
	fmt.Fprintf(tw, "Created:\t%s\n", info.Created.Format(time.RFC3339))
	fmt.Fprintf(tw, "DID:\t%s\n", info.DID)
	fmt.Fprintf(tw, "Verification method:\t%s\n", info.VerificationMethod)
	fmt.Fprintf(tw, "Public key:\t%s\n", info.PublicKeyMultibase)
	if info.SecretKeyMultibase != "" {
		fmt.Fprintf(tw, "Secret key:\t%s\n", info.SecretKeyMultibase)
	}
	return tw.Flush()
}

func (o *keysOptions) print(s streams, info keyInfo) error {
	if o.json {
		return printJSON(s.out, info)
	}
	return printKey(s.out, info)
}

// keyType parses the --type flag, case-insensitively.
func keyType(v string) (keys.Type, error) {
	if strings.EqualFold(v, string(keys.Ed25519)) {
		return keys.Ed25519, nil
	}
	return "", fmt.Errorf("--type %q: only %s is supported", v, keys.Ed25519)
}

func newKeysGenerateCmd(s streams, o *keysOptions) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "generate NAME",
		Short: "Generate a new key pair and store it under NAME",
		Long: `Generate a new key pair with the system's secure random source and store it
in the keyring under NAME (1 to 64 characters from a-z A-Z 0-9 . _ -, not
starting with a dot). An existing key is never overwritten. Prints the key's
DID and verification method, never its secret.`,
		Example: `  badgesmith keys generate registrar
  badgesmith keys generate registrar --json | jq -r .verificationMethod`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := keyType(typ)
			if err != nil {
				return err
			}
			ring, err := o.open()
			if err != nil {
				return err
			}
			e, err := ring.Generate(args[0], t)
			if err != nil {
				return err
			}
			info, err := infoOf(e, false)
			if err != nil {
				return err
			}
			return o.print(s, info)
		},
	}
	cmd.Flags().StringVar(&typ, "type", string(keys.Ed25519), "key type (Ed25519)")
	return cmd
}

// maxSecretInput bounds what "keys import" reads from standard input.
const maxSecretInput = 4 << 10

func newKeysImportCmd(s streams, o *keysOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "import NAME",
		Short: "Store an existing secret key, read from standard input, under NAME",
		Long: `Read a Multikey secret key (z3u2..., or the legacy 64-byte form) from
standard input and store it in the keyring under NAME. The secret is read
from standard input, not the command line, so it stays out of shell history
and process listings.`,
		Example: `  badgesmith keys import registrar < registrar.secret`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := io.ReadAll(io.LimitReader(s.in, maxSecretInput+1))
			if err != nil {
				return fmt.Errorf("reading secret key from standard input: %w", err)
			}
			if len(data) > maxSecretInput {
				return fmt.Errorf("reading secret key from standard input: more than %d bytes", maxSecretInput)
			}
			priv, err := keys.DecodeSecretMultikey(strings.TrimSpace(string(data)))
			if err != nil {
				return fmt.Errorf("standard input: %w", err)
			}
			kp, err := keys.FromPrivate(priv)
			if err != nil {
				return err
			}
			ring, err := o.open()
			if err != nil {
				return err
			}
			e, err := ring.Add(args[0], kp)
			if err != nil {
				return err
			}
			info, err := infoOf(e, false)
			if err != nil {
				return err
			}
			return o.print(s, info)
		},
	}
}

func newKeysListCmd(s streams, o *keysOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the keys in the keyring",
		Example: `  badgesmith keys list
  badgesmith keys list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ring, err := o.open()
			if err != nil {
				return err
			}
			entries, err := ring.List()
			if err != nil {
				return err
			}
			infos := make([]keyInfo, 0, len(entries))
			for i := range entries {
				info, err := infoOf(&entries[i], false)
				if err != nil {
					return err
				}
				infos = append(infos, info)
			}
			if o.json {
				return printJSON(s.out, infos)
			}
			if len(infos) == 0 {
				fmt.Fprintf(s.err, "no keys in %s\n", ring.Dir())
				return nil
			}
			tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTYPE\tCREATED\tDID")
			for _, info := range infos {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", info.Name, info.Type, info.Created.Format(time.RFC3339), info.DID)
			}
			return tw.Flush()
		},
	}
}

func newKeysShowCmd(s streams, o *keysOptions) *cobra.Command {
	var secret, document bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a key's DID, verification method and public key",
		Long: `Show the key stored under NAME: its DID, verification method and public
key. --secret adds the secret key (handle the output with care);
--did-document prints the key's did:key DID document instead.`,
		Example: `  badgesmith keys show registrar
  badgesmith keys show registrar --did-document > did.json
  badgesmith keys show registrar --secret --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ring, err := o.open()
			if err != nil {
				return err
			}
			e, err := ring.Get(args[0])
			if err != nil {
				return err
			}
			if document {
				doc, err := did.KeyDocument(e.DID())
				if err != nil {
					return fmt.Errorf("key %s: %w", e.Name, err)
				}
				return printJSON(s.out, doc)
			}
			info, err := infoOf(e, secret)
			if err != nil {
				return err
			}
			if secret {
				fmt.Fprintf(s.err, "warning: printing the secret key of %q; anyone who sees it can sign as %s\n", e.Name, info.DID)
			}
			return o.print(s, info)
		},
	}
	cmd.Flags().BoolVar(&secret, "secret", false, "also print the secret key")
	cmd.Flags().BoolVar(&document, "did-document", false, "print the key's did:key DID document (JSON)")
	cmd.MarkFlagsMutuallyExclusive("secret", "did-document")
	return cmd
}

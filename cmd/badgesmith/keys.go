package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/display"
	"github.com/badgesmith/badgesmith/issuer"
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

// addKeyringFlag registers the shared --keyring flag.
func addKeyringFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "keyring", defaultKeyring(), "keyring directory (env BADGESMITH_KEYRING)")
}

// keysOptions holds the flags shared by every keys subcommand.
type keysOptions struct {
	keyring string
	json    bool
}

func (o *keysOptions) AddFlags(fs *pflag.FlagSet) {
	addKeyringFlag(fs, &o.keyring)
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
		Short: "Create, rotate and inspect signing keys in the keyring",
		Long: `Manage the signing keys in the keyring, a directory (mode 0700) holding one
JSON file (mode 0600) per key. Key types are Ed25519 (the default, for
eddsa-rdfc-2022 proofs), P-256 and RSA (2048, 3072 or 4096 bits).

Each key belongs to an issuer group, named after its first key. A group has
one active key, which signs; "keys rotate" gives it a new active key and
retires the old one, which stays in the ring (and in the issuer's DID
document) so credentials it signed keep verifying.

An Ed25519 or P-256 key is published as a did:key DID (verification method
DID#z...); an RSA key as a did:jwk DID (DID#0). Secret keys are printed
only by "keys show --secret" and "keys export --secret".`,
		Example: `  badgesmith keys generate registrar
  badgesmith keys rotate registrar
  badgesmith keys list
  badgesmith keys export registrar --public --format jwk
  badgesmith keys show registrar --did-document`,
		Args: cobra.NoArgs,
		// A bare "keys" prints help; an unknown subcommand is a usage error
		// (cobra.NoArgs reports it) rather than help with exit status 0.
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	o.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(
		newKeysGenerateCmd(s, o),
		newKeysImportCmd(s, o),
		newKeysExportCmd(s, o),
		newKeysRotateCmd(s, o),
		newKeysListCmd(s, o),
		newKeysShowCmd(s, o),
	)
	return cmd
}

// keyInfo is the JSON form of a key for --json output.
type keyInfo struct {
	Name               string          `json:"name"`
	Type               keys.Type       `json:"type"`
	Issuer             string          `json:"issuer"`
	Status             keys.Status     `json:"status"`
	Created            time.Time       `json:"created"`
	RetiredAt          *time.Time      `json:"retiredAt,omitempty"`
	Fragment           string          `json:"fragment"`
	DID                string          `json:"did"`
	VerificationMethod string          `json:"verificationMethod"`
	Thumbprint         string          `json:"thumbprint"`
	PublicKeyMultibase string          `json:"publicKeyMultibase,omitempty"`
	PublicKeyJwk       json.RawMessage `json:"publicKeyJwk"`
	SecretKeyMultibase string          `json:"secretKeyMultibase,omitempty"`
	PrivateKeyJwk      json.RawMessage `json:"privateKeyJwk,omitempty"`
}

// keyDID returns the DID that publishes e's key on its own and its
// verification method: did:key for the Multikey types, did:jwk otherwise.
func keyDID(e *keys.Entry) (id, vm string, err error) {
	ident, err := issuer.KeyIdentity(e.KeyPair.Public)
	if err != nil {
		return "", "", fmt.Errorf("key %s: %w", e.Name, err)
	}
	return ident.ID, ident.VerificationMethod, nil
}

func infoOf(e *keys.Entry, withSecret bool) (keyInfo, error) {
	id, vm, err := keyDID(e)
	if err != nil {
		return keyInfo{}, err
	}
	info := keyInfo{
		Name:               e.Name,
		Type:               e.KeyPair.Type,
		Issuer:             e.Issuer,
		Status:             e.Status,
		Created:            e.Created,
		Fragment:           e.Fragment,
		DID:                id,
		VerificationMethod: vm,
	}
	if !e.RetiredAt.IsZero() {
		at := e.RetiredAt
		info.RetiredAt = &at
	}
	if info.Thumbprint, err = keys.Thumbprint(e.KeyPair.Public); err != nil {
		return keyInfo{}, fmt.Errorf("key %s: %w", e.Name, err)
	}
	if info.PublicKeyJwk, err = keys.PublicJWK(e.KeyPair.Public); err != nil {
		return keyInfo{}, fmt.Errorf("key %s: %w", e.Name, err)
	}
	multikey := !e.KeyPair.Type.IsRSA()
	if multikey {
		if info.PublicKeyMultibase, err = keys.EncodePublicMultikey(e.KeyPair.Public); err != nil {
			return keyInfo{}, fmt.Errorf("key %s: %w", e.Name, err)
		}
	}
	if withSecret {
		if multikey {
			info.SecretKeyMultibase, err = keys.EncodeSecretMultikey(e.KeyPair.Private)
		} else {
			info.PrivateKeyJwk, err = keys.PrivateJWK(e.KeyPair.Private)
		}
		if err != nil {
			return keyInfo{}, fmt.Errorf("key %s: %w", e.Name, err)
		}
	}
	return info, nil
}

// printJSON prints v as indented JSON, with the characters a terminal could
// act on escaped (display.JSON): the same value, safe to view.
func printJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(display.JSON(buf.Bytes()))
	return err
}

func printKey(w io.Writer, info keyInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "Name:\t%s\n", shown(info.Name))
	fmt.Fprintf(tw, "Type:\t%s\n", info.Type)
	fmt.Fprintf(tw, "Issuer:\t%s\n", shown(info.Issuer))
	fmt.Fprintf(tw, "Status:\t%s\n", info.Status)
	fmt.Fprintf(tw, "Created:\t%s\n", info.Created.Format(time.RFC3339))
	if info.RetiredAt != nil {
		fmt.Fprintf(tw, "Retired:\t%s\n", info.RetiredAt.Format(time.RFC3339))
	}
	fmt.Fprintf(tw, "Fragment:\t%s\n", shown(info.Fragment))
	fmt.Fprintf(tw, "DID:\t%s\n", info.DID)
	fmt.Fprintf(tw, "Verification method:\t%s\n", info.VerificationMethod)
	fmt.Fprintf(tw, "Thumbprint:\t%s\n", info.Thumbprint)
	if info.PublicKeyMultibase != "" {
		fmt.Fprintf(tw, "Public key:\t%s\n", info.PublicKeyMultibase)
	} else {
		fmt.Fprintf(tw, "Public key:\t%s\n", info.PublicKeyJwk)
	}
	if info.SecretKeyMultibase != "" {
		fmt.Fprintf(tw, "Secret key:\t%s\n", info.SecretKeyMultibase)
	}
	if info.PrivateKeyJwk != nil {
		fmt.Fprintf(tw, "Secret key:\t%s\n", info.PrivateKeyJwk)
	}
	return tw.Flush()
}

func (o *keysOptions) print(s streams, info keyInfo) error {
	if o.json {
		return printJSON(s.out, info)
	}
	return printKey(s.out, info)
}

// typeHelp lists the --type values.
const typeHelp = "key type: ed25519, p256, rsa2048, rsa3072 or rsa4096"

// keyType parses the --type flag, case-insensitively; "" stays "" (the
// caller's default).
func keyType(v string) (keys.Type, error) {
	if v == "" {
		return "", nil
	}
	t, err := keys.ParseType(v)
	if err != nil {
		return "", &usageError{fmt.Sprintf("--type %q: want ed25519, p256, rsa2048, rsa3072 or rsa4096", v)}
	}
	return t, nil
}

func newKeysGenerateCmd(s streams, o *keysOptions) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "generate NAME",
		Short: "Generate a new key pair and store it under NAME",
		Long: `Generate a new key pair with the system's secure random source and store it
in the keyring under NAME (1 to 64 characters from a-z A-Z 0-9 . _ -, not
starting with a dot), as the active key of a new issuer group NAME. An
existing key is never overwritten. Prints the key's DID and verification
method, never its secret.`,
		Example: `  badgesmith keys generate registrar
  badgesmith keys generate registrar-es --type p256
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
	cmd.Flags().StringVar(&typ, "type", "ed25519", typeHelp)
	return cmd
}

func newKeysRotateCmd(s streams, o *keysOptions) *cobra.Command {
	var typ string
	cmd := &cobra.Command{
		Use:   "rotate NAME",
		Short: "Give an issuer a new active key and retire the old one",
		Long: `Generate a new active key for the issuer group of NAME (a key name or a
group name) and retire the key that was active. The new key is named
<issuer>-<n> and its verification method fragment is its name. Retired keys
stay in the keyring and in the issuer's DID document, so credentials they
signed keep verifying; only the active key signs.

The new key is written before the old one is marked retired: if the command
is interrupted in between, the new key is already the one that signs, and
the next rotation retires the old one. --type defaults to the type of the
active key.`,
		Example: `  badgesmith keys rotate registrar
  badgesmith keys rotate registrar --type p256 --json`,
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
			issuer, err := ring.IssuerOf(args[0])
			if err != nil {
				return err
			}
			old, err := ring.Active(issuer)
			if err != nil && !errors.Is(err, keys.ErrNoActiveKey) {
				return err
			}
			if t == "" && old == nil {
				return &usageError{fmt.Sprintf("issuer %s has no active key: give --type", issuer)}
			}
			e, err := ring.Rotate(issuer, t)
			if err != nil {
				return err
			}
			info, err := infoOf(e, false)
			if err != nil {
				return err
			}
			if old != nil {
				fmt.Fprintf(s.err, "retired %s; %s now signs for %s\n", shown(old.Name), shown(e.Name), shown(issuer))
			}
			return o.print(s, info)
		},
	}
	cmd.Flags().StringVar(&typ, "type", "", typeHelp+" (default: the active key's type)")
	return cmd
}

// maxKeyInput bounds what "keys import" reads; a 4096-bit RSA private key
// is about 3.3 KB as PEM or JWK.
const maxKeyInput = 16 << 10

// parseSecret decodes a private key in one of the import formats; format
// "" detects it from the first characters.
func parseSecret(data []byte, format string) (*keys.KeyPair, error) {
	text := bytes.TrimSpace(data)
	if format == "" {
		switch {
		case bytes.HasPrefix(text, []byte("-----BEGIN")):
			format = "pem"
		case bytes.HasPrefix(text, []byte("{")):
			format = "jwk"
		case bytes.HasPrefix(text, []byte("z")):
			format = "multikey"
		default:
			return nil, &usageError{"cannot tell the key format: give --format multikey, pem or jwk"}
		}
	}
	switch format {
	case "multikey":
		priv, err := keys.DecodeSecretMultikey(string(text))
		if err != nil {
			return nil, err
		}
		return keys.FromPrivate(priv)
	case "pem":
		priv, err := keys.ParsePrivatePEM(text)
		if err != nil {
			return nil, err
		}
		return keys.FromPrivate(priv)
	case "jwk":
		k, err := keys.ParseJWK(text)
		if err != nil {
			return nil, err
		}
		if k.Private == nil {
			return nil, errors.New("jwk holds a public key only; import needs the private key")
		}
		return keys.FromPrivate(k.Private)
	default:
		return nil, &usageError{fmt.Sprintf("--format %q: want multikey, pem or jwk", format)}
	}
}

func newKeysImportCmd(s streams, o *keysOptions) *cobra.Command {
	var format, file string
	var opts keys.AddOptions
	cmd := &cobra.Command{
		Use:   "import NAME",
		Short: "Store an existing secret key under NAME",
		Long: `Read a secret key and store it in the keyring under NAME. Formats: multikey
(z3u2... for Ed25519, or its legacy 64-byte form; z42t... for P-256), pem
(PKCS #8 "PRIVATE KEY", or SEC 1 / PKCS #1), jwk (a private JWK). Without
--format the format is detected. The key is read from standard input or
--file, never from the command line, so it stays out of shell history and
process listings.

By default the key starts a new issuer group NAME. --issuer adds it to an
existing group instead: as a retired key with --retired (an old key kept
so its credentials verify), or as the active key of a group without one.`,
		Example: `  badgesmith keys import registrar < registrar.secret
  badgesmith keys import registrar --format pem --file registrar.pem
  badgesmith keys import registrar-2019 --issuer registrar --fragment key-1 --retired < old.jwk`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "" && format != "multikey" && format != "pem" && format != "jwk" {
				return &usageError{fmt.Sprintf("--format %q: want multikey, pem or jwk", format)}
			}
			data, err := readInput(cmd.Context(), s, file, maxKeyInput, defaultReadTimeout)
			if err != nil {
				return fmt.Errorf("reading secret key: %w", err)
			}
			kp, err := parseSecret(data, format)
			if err != nil {
				var ue *usageError
				if errors.As(err, &ue) {
					return err
				}
				return fmt.Errorf("%s: %w", inputName(file), err)
			}
			ring, err := o.open()
			if err != nil {
				return err
			}
			e, err := ring.AddWith(args[0], kp, opts)
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
	cmd.Flags().StringVar(&format, "format", "", "input format: multikey, pem or jwk (default: detect)")
	cmd.Flags().StringVar(&file, "file", "-", "read the key from this file (- for standard input)")
	cmd.Flags().StringVar(&opts.Issuer, "issuer", "", "issuer group to add the key to (default: NAME)")
	cmd.Flags().StringVar(&opts.Fragment, "fragment", "", "verification method fragment (default: NAME)")
	cmd.Flags().BoolVar(&opts.Retired, "retired", false, "store the key as retired: published, never signing")
	return cmd
}

func inputName(file string) string {
	if file == "-" {
		return "standard input"
	}
	return file
}

func newKeysExportCmd(s streams, o *keysOptions) *cobra.Command {
	var public, secret bool
	var format string
	cmd := &cobra.Command{
		Use:   "export NAME",
		Short: "Print a key as JWK, PEM or Multikey",
		Long: `Print the key stored under NAME. --public prints the public key; --secret
the secret key (a warning goes to standard error: anyone who sees it can
sign as the issuer). Formats: jwk (default; a public JWK carries its RFC 7638
thumbprint as "kid"), pem (PKIX public, PKCS #8 private) and multikey
(Ed25519 and P-256 only).`,
		Example: `  badgesmith keys export registrar --public > registrar.jwk
  badgesmith keys export registrar --public --format pem
  badgesmith keys export registrar --secret --format multikey > registrar.secret`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !public && !secret {
				return &usageError{"give --public or --secret"}
			}
			switch format {
			case "jwk", "pem", "multikey":
			default:
				return &usageError{fmt.Sprintf("--format %q: want jwk, pem or multikey", format)}
			}
			ring, err := o.open()
			if err != nil {
				return err
			}
			e, err := ring.Get(args[0])
			if err != nil {
				return err
			}
			out, err := exportKey(e, format, secret)
			if err != nil {
				return fmt.Errorf("key %s: %w", e.Name, err)
			}
			if secret {
				id, _, _ := keyDID(e)
				fmt.Fprintf(s.err, "warning: printing the secret key of %q; anyone who sees it can sign as %s\n", e.Name, id)
			}
			_, err = s.out.Write(out)
			return err
		},
	}
	cmd.Flags().BoolVar(&public, "public", false, "print the public key")
	cmd.Flags().BoolVar(&secret, "secret", false, "print the secret key (handle with care)")
	cmd.Flags().StringVar(&format, "format", "jwk", "output format: jwk, pem or multikey")
	cmd.MarkFlagsMutuallyExclusive("public", "secret")
	return cmd
}

// exportKey encodes e's public or secret key, newline-terminated.
func exportKey(e *keys.Entry, format string, secret bool) ([]byte, error) {
	kp := e.KeyPair
	var out []byte
	var err error
	switch {
	case format == "pem" && secret:
		return keys.EncodePrivatePEM(kp.Private)
	case format == "pem":
		return keys.EncodePublicPEM(kp.Public)
	case format == "multikey":
		var mk string
		if secret {
			mk, err = keys.EncodeSecretMultikey(kp.Private)
		} else {
			mk, err = keys.EncodePublicMultikey(kp.Public)
		}
		if err != nil {
			return nil, err
		}
		return []byte(mk + "\n"), nil
	case secret:
		out, err = keys.PrivateJWK(kp.Private)
	default:
		out, err = keys.PublicJWK(kp.Public)
		if err == nil {
			out, err = withKID(out, kp)
		}
	}
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// withKID adds the key's thumbprint to a public JWK as "kid", so a JWKS
// built from exports names each key the way RFC 7638 suggests.
func withKID(jwk []byte, kp *keys.KeyPair) ([]byte, error) {
	tp, err := keys.Thumbprint(kp.Public)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(jwk, &m); err != nil {
		return nil, err
	}
	m["kid"] = tp
	return json.Marshal(m)
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
				fmt.Fprintf(s.err, "no keys in %s\n", shown(ring.Dir()))
				return nil
			}
			tw := tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTYPE\tISSUER\tSTATUS\tCREATED\tDID")
			for _, info := range infos {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", shown(info.Name), info.Type, shown(info.Issuer), info.Status,
					info.Created.Format(time.RFC3339), shorten(info.DID))
			}
			return tw.Flush()
		},
	}
}

// shorten keeps a long did:jwk readable in a table; --json has it whole.
func shorten(id string) string {
	const limit = 72
	if len(id) <= limit {
		return id
	}
	return id[:limit-3] + "..."
}

func newKeysShowCmd(s streams, o *keysOptions) *cobra.Command {
	var secret, document bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a key's issuer, status, DID, verification method and public key",
		Long: `Show the key stored under NAME: its issuer group and status, DID,
verification method, RFC 7638 thumbprint and public key. --secret adds the
secret key (handle the output with care); --did-document prints the key's
did:key (or, for RSA, did:jwk) DID document instead.`,
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
				id, _, err := keyDID(e)
				if err != nil {
					return err
				}
				doc, err := did.KeyResolver{}.Resolve(cmd.Context(), id)
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
	cmd.Flags().BoolVar(&document, "did-document", false, "print the key's did:key or did:jwk DID document (JSON)")
	cmd.MarkFlagsMutuallyExclusive("secret", "did-document")
	return cmd
}

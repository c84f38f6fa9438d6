package main

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
)

func newDIDCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "did",
		Short: "Publish and resolve DIDs (did:web documents)",
		Long: `Make the DID document that publishes your keys as a did:web DID, and
resolve DIDs the way the verifier does.

A did:web DID names a web site: did:web:example.edu is served from
https://example.edu/.well-known/did.json, and did:web:example.edu:issuers:cs
from https://example.edu/issuers/cs/did.json.`,
		Example: `  badgesmith did web --domain example.edu --key registrar --out did.json
  badgesmith did show did:web:example.edu`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDIDWebCmd(s), newDIDShowCmd(s))
	return cmd
}

type didWebOptions struct {
	keyring string
	key     string
	domain  string
	out     string
	follow  bool
}

func (o *didWebOptions) AddFlags(fs *pflag.FlagSet) {
	addKeyringFlag(fs, &o.keyring)
	fs.StringVar(&o.key, "key", "", "name of the issuer's signing key in the keyring (required)")
	fs.StringVar(&o.domain, "domain", "", "where the document is served: host[:port][/path] (required)")
	fs.StringVar(&o.out, "out", "-", "output file, or - for standard output")
	addFollowSymlinksFlag(fs, &o.follow)
}

func newDIDWebCmd(s streams) *cobra.Command {
	o := &didWebOptions{}
	cmd := &cobra.Command{
		Use:   "web",
		Short: "Write the did:web DID document that publishes a key",
		Long: `Write the DID document to publish for the did:web DID of --domain, listing
every key of the issuer group of --key, active and retired, as verification
methods DID#<key fragment> (the key name unless imported with another)
under assertionMethod (what credential proofs use) and authentication:
Multikey for Ed25519 and P-256 keys, JsonWebKey for RSA. Serve the file,
unchanged, at the printed URL over HTTPS; verifiers fetch it from there.
Retired keys stay listed, so credentials they signed keep verifying: after
"keys rotate", write and publish the document again.`,
		Example: `  badgesmith did web --domain example.edu --key registrar --out did.json
  badgesmith did web --domain example.edu:8443/issuers/cs --key registrar`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(s) },
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *didWebOptions) run(s streams) error {
	switch {
	case o.key == "":
		return &usageError{"--key is required"}
	case o.domain == "":
		return &usageError{"--domain is required"}
	case o.keyring == "":
		return &usageError{"no keyring directory: set --keyring or BADGESMITH_KEYRING"}
	}
	id, err := did.FormatWeb(o.domain)
	if err != nil {
		return &usageError{fmt.Sprintf("--domain: %v", err)}
	}
	w, err := did.ParseWeb(id)
	if err != nil {
		return err
	}
	ring, err := keys.OpenRing(o.keyring)
	if err != nil {
		return err
	}
	doc, entries, err := issuer.WebDocument(ring, o.key, o.domain)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := printJSON(&buf, doc); err != nil {
		return err
	}
	data := buf.Bytes()
	info := s.out
	if o.out == "-" {
		if _, err := s.out.Write(data); err != nil {
			return err
		}
		info = s.err
	} else if err := writeFileMkdir(o.out, data, o.follow); err != nil {
		return err
	}
	fmt.Fprintf(info, "DID:      %s\n", shown(id))
	fmt.Fprintf(info, "Serve at: %s\n", shown(w.URL))
	for i, vm := range doc.VerificationMethod {
		fmt.Fprintf(info, "Key:      %s (%s, %s)\n", shown(vm.ID), shown(entries[i].Name), entries[i].Status)
	}
	return nil
}

type didShowOptions struct {
	allowPrivate bool
	timeout      time.Duration
}

func (o *didShowOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.allowPrivate, "allow-private-network", false, "let did:web fetches reach loopback and private addresses")
	fs.DurationVar(&o.timeout, "fetch-timeout", 10*time.Second, "timeout for the did:web fetch")
}

func newDIDShowCmd(s streams) *cobra.Command {
	o := &didShowOptions{}
	cmd := &cobra.Command{
		Use:   "show DID",
		Short: "Resolve a DID and print its document",
		Long: `Resolve a DID as the verifier does (did:key offline, did:web over HTTPS
with the same address guard) and print its DID document as JSON.`,
		Example: `  badgesmith did show did:web:example.edu
  badgesmith did show did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := did.MultiResolver{Web: &did.WebResolver{
				Client: safehttp.NewClient(safehttp.Options{AllowPrivate: o.allowPrivate, Timeout: o.timeout}),
			}}
			doc, err := r.Resolve(cmd.Context(), args[0])
			if errors.Is(err, did.ErrInvalidDID) {
				return &usageError{err.Error()}
			}
			if err != nil {
				return err
			}
			return printJSON(s.out, doc)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

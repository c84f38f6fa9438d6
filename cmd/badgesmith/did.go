package main

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/internal/safehttp"
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
}

func (o *didWebOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.keyring, "keyring", defaultKeyring(), "keyring directory (env BADGESMITH_KEYRING)")
	fs.StringVar(&o.key, "key", "", "name of the issuer's signing key in the keyring (required)")
	fs.StringVar(&o.domain, "domain", "", "where the document is served: host[:port][/path] (required)")
	fs.StringVar(&o.out, "out", "-", "output file, or - for standard output")
}

func newDIDWebCmd(s streams) *cobra.Command {
	o := &didWebOptions{}
	cmd := &cobra.Command{
		Use:   "web",
		Short: "Write the did:web DID document that publishes a key",
		Long: `Write the DID document to publish for the did:web DID of --domain, listing
the issuer's keys as Multikey verification methods DID#<key name> under
assertionMethod (what credential proofs use) and authentication. Serve the
file, unchanged, at the printed URL over HTTPS; verifiers fetch it from
there. Keys stay listed after they stop signing, so credentials they
signed keep verifying.`,
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
	entries, err := issuerKeys(ring, o.key)
	if err != nil {
		return err
	}
	doc, err := webDocument(id, entries)
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
	} else if err := atomicfile.WriteFile(o.out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(info, "DID:      %s\n", id)
	fmt.Fprintf(info, "Serve at: %s\n", w.URL)
	for _, vm := range doc.VerificationMethod {
		fmt.Fprintf(info, "Key:      %s\n", vm.ID)
	}
	return nil
}

// issuerKeys returns the keys to publish for the issuer whose signing key
// is name. Until the keyring groups keys by issuer, that is the key alone.
func issuerKeys(ring *keys.Ring, name string) ([]keys.Entry, error) {
	e, err := ring.Get(name)
	if err != nil {
		return nil, err
	}
	return []keys.Entry{*e}, nil
}

// webFragment is the fragment naming e's verification method in a did:web
// document: the key name, which key names' alphabet keeps URL-safe.
func webFragment(e *keys.Entry) string { return e.Name }

// webDocument builds the DID document of id listing entries.
func webDocument(id string, entries []keys.Entry) (*did.Document, error) {
	methods := make([]did.VerificationMethod, 0, len(entries))
	for i := range entries {
		vm, err := did.MultikeyMethod(id, webFragment(&entries[i]), entries[i].KeyPair.Public)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", entries[i].Name, err)
		}
		methods = append(methods, vm)
	}
	return did.NewDocument(id, methods)
}

// webIssuer returns the issuer id and verification method for signing with
// e as the did:web DID of domain (host[:port][/path]): the values to give
// issuer.Config.IssuerID and VerificationMethod instead of e.DID() and
// e.VerificationMethod(). They match the document "did web" writes.
func webIssuer(domain string, e *keys.Entry) (issuerID, verificationMethod string, err error) {
	id, err := did.FormatWeb(domain)
	if err != nil {
		return "", "", err
	}
	return id, id + "#" + webFragment(e), nil
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

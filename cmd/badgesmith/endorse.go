package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/verifier"
)

// endorseOptions are the flags of endorse.
type endorseOptions struct {
	keyring string
	key     string
	profile string
	subject string
	comment string
	name    string
	into    string
	out     string
}

func (o *endorseOptions) AddFlags(fs *pflag.FlagSet) {
	addKeyringFlag(fs, &o.keyring)
	fs.StringVar(&o.key, "key", "", "the endorser's signing key in the keyring (required)")
	fs.StringVar(&o.profile, "issuer-profile", "", "the endorser's Profile JSON file (name, url, ...); its id is the key's DID")
	fs.StringVar(&o.subject, "subject", "", "id of what is endorsed: an Achievement, an issuer Profile or a credential (required)")
	fs.StringVar(&o.comment, "comment", "", "the endorsement comment (Markdown)")
	fs.StringVar(&o.name, "name", "", "the endorsement's name (default: Endorsement of SUBJECT)")
	fs.StringVar(&o.into, "into", "", "also add the endorsement to the endorsement list of this Achievement or Profile JSON file, rewritten in place; its id must be --subject")
	fs.StringVar(&o.out, "out", "-", "output file for the EndorsementCredential, or - for standard output")
}

func newEndorseCmd(s streams) *cobra.Command {
	o := &endorseOptions{}
	cmd := &cobra.Command{
		Use:   "endorse --key KEY --subject ID",
		Short: "Issue an EndorsementCredential (an industry body endorsing an achievement, issuer or credential)",
		Long: `Sign an Open Badges 3.0 EndorsementCredential with the endorser's own key
(its did:key, or did:web with a keyring key published by did web): the
endorser says, with --comment, that it endorses the Achievement, issuer
Profile or credential whose id is --subject. With --into the endorsement
is embedded in that Achievement or Profile file, so that every credential
issued with it carries it.

A verifier counts an embedded endorsement only when it verifies, endorses
the object it is embedded in, and that object is the verified issuer, the
credential, or an achievement whose id the issuer controls (a DID URL of
its DID, a URL of its did:web host or https origin): otherwise "endorsement
not bound to this issuer". Naming itself the achievement's creator does not
bind an issuer to a reused achievement id.`,
		Example: `  badgesmith endorse --key ria --issuer-profile ria.json \
    --subject did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX/achievements/sensors \
    --comment "Meets the association's sensor technician standard." \
    --into sensors.json --out sensors-endorsement.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, s) },
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *endorseOptions) run(cmd *cobra.Command, s streams) error {
	ctx := cmd.Context()
	switch {
	case o.key == "":
		return &usageError{"--key is required"}
	case o.subject == "":
		return &usageError{"--subject is required"}
	}
	var into map[string]any
	if o.into != "" {
		var err error
		if into, err = readObject(ctx, s, o.into); err != nil {
			return err
		}
		if id, _ := into["id"].(string); id != o.subject {
			return &usageError{fmt.Sprintf("--into %s has id %q, not the --subject %s: an endorsement is embedded in what it endorses", o.into, id, o.subject)}
		}
	}
	profile := map[string]any{"name": o.key}
	if o.profile != "" {
		var err error
		if profile, err = readObject(ctx, s, o.profile); err != nil {
			return err
		}
	}
	signer, err := ringSigner(o.keyring, o.key, "", "")
	if err != nil {
		return err
	}
	is, err := newIssuer(issuer.Config{Profile: profile, Signer: signer})
	if err != nil {
		return err
	}
	cred, err := is.Endorse(ctx, issuer.EndorsementRequest{Subject: o.subject, Comment: o.comment, Name: o.name})
	if err != nil {
		return err
	}
	if o.out == "-" {
		if _, err := s.out.Write(cred.JSON); err != nil {
			return err
		}
	} else if err := writeFile(o.out, cred.JSON, false); err != nil {
		return err
	}
	if into != nil {
		list, _ := into["endorsement"].([]any)
		into["endorsement"] = append(list, cred.Document)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(into); err != nil {
			return err
		}
		if err := writeFile(o.into, buf.Bytes(), false); err != nil {
			return err
		}
		fmt.Fprintf(s.err, "endorsement %s added to %s\n", shown(cred.ID), shown(o.into))
	}
	return nil
}

// printEndorsements prints, under a verify report, who endorsed what and
// whether it counts.
func printEndorsements(w io.Writer, bidi *bidiFields, es []verifier.EndorsementResult) {
	for _, e := range es {
		who := bidi.field("the endorser", e.Endorser)
		if e.EndorserName != "" {
			who = bidi.field("the endorser's name", e.EndorserName) + " (" + who + ")"
		}
		state := "counted"
		if !e.Counted {
			state = "not counted: " + bidi.field("a reason", e.Note)
		}
		if e.Recognition != nil {
			state += "; endorser " + e.Recognition.Status
			if e.Recognition.List != "" {
				state += " by " + bidi.field("the trust list", e.Recognition.List)
			}
		}
		fmt.Fprintf(w, "  endorsement [%s] by %s of %s: %s, %s\n", bidi.field("a path", e.Path), who,
			bidi.field("the endorsed id", e.Subject), strings.ToUpper(string(e.Verdict)), state)
	}
}

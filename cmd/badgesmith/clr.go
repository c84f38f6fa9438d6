package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/stack"
	"github.com/badgesmith/badgesmith/verifier"
)

func newCLRCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "clr",
		Short: "Build Comprehensive Learner Records (CLR 2.0)",
	}
	cmd.AddCommand(newCLRIssueCmd(s))
	return cmd
}

// clrIssueOptions are the flags of clr issue: those of stack check, and
// who signs.
type clrIssueOptions struct {
	stackCheckOptions
	keyring string
	key     string
	profile string
	name    string
	format  string
	partial bool
	out     string
}

func (o *clrIssueOptions) AddFlags(fs *pflag.FlagSet) {
	o.stackCheckOptions.AddFlags(fs)
	addKeyringFlag(fs, &o.keyring)
	fs.StringVar(&o.key, "key", "", "name of the signing key in the keyring (required)")
	fs.StringVar(&o.profile, "issuer-profile", "", "the CLR issuer's Profile JSON file; its id is the key's DID")
	fs.StringVar(&o.name, "name", "", "the CLR's name (default: Comprehensive Learner Record)")
	fs.StringVar(&o.format, "format", "di", "di (eddsa-rdfc-2022, or the key type's default suite) or jwt (VC-JWT)")
	fs.BoolVar(&o.partial, "partial", false, "mark the CLR partial: it does not hold every credential of the learner")
	fs.StringVar(&o.out, "out", "-", "output file, or - for standard output")
}

func newCLRIssueCmd(s streams) *cobra.Command {
	o := &clrIssueOptions{}
	cmd := &cobra.Command{
		Use:   "issue --rules RULES --key KEY CRED...",
		Short: "Record a learner's credentials in a signed ClrCredential",
		Long: `Verify the credentials as stack check does and record the learner's
valid ones in a CLR 2.0 ClrCredential: each embedded as its JSON, their
achievements, and associations between them derived from the rules and
the achievements' ceterms:Credential alignments (a component isPartOf the
stack's achievement, which isParentOf it; a nested stack's achievement
isChildOf and precedes the one it ladders into). Credentials that do not
count are left out and listed on standard error.

badgesmith verify checks a CLR's own proof and every embedded credential:
a tampered or forged one makes the CLR invalid, an expired or revoked one
is named in a warning, and every association must join achievements the
CLR holds.`,
		Example: `  badgesmith clr issue --rules pathway.yaml --key registrar --issuer-profile issuer.json \
    --name "Ada Lovelace, robotics" --out ada-clr.json creds/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, s, args) },
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *clrIssueOptions) run(cmd *cobra.Command, s streams, args []string) error {
	if o.key == "" {
		return &usageError{"--key is required"}
	}
	var format issuer.Format
	switch o.format {
	case "di":
	case "jwt":
		format = issuer.VCJWT
	default:
		return &usageError{fmt.Sprintf("--format %q: want di or jwt", o.format)}
	}
	rules, rep, err := o.check(cmd, s, args, nil)
	if err != nil {
		return err
	}
	for _, c := range rep.Credentials {
		if !c.Eligible() {
			fmt.Fprintf(s.err, "left out %s: %s\n", shown(c.Input), shown(c.Excluded))
		}
	}
	profile := map[string]any{"name": o.key}
	if o.profile != "" {
		if profile, err = readObject(cmd.Context(), s, o.profile); err != nil {
			return err
		}
	}
	signer, err := ringSigner(o.keyring, o.key, format, "")
	if err != nil {
		return err
	}
	is, err := newIssuer(issuer.Config{Profile: profile, Signer: signer})
	if err != nil {
		return err
	}
	if o.out != "-" {
		if err := atomicfile.Check(o.out, atomicfile.Options{}); err != nil {
			return err
		}
	}
	now := time.Now()
	if o.at != "" {
		if now, err = time.Parse(time.RFC3339, o.at); err != nil {
			return &usageError{fmt.Sprintf("--at %q is not an RFC 3339 date-time", o.at)}
		}
	}
	clr, err := stack.IssueCLR(cmd.Context(), is, rules, rep, stack.CLRRequest{Name: o.name, Partial: o.partial}, now)
	if err != nil {
		return err
	}
	if o.out == "-" {
		_, err := s.out.Write(clr.Bytes())
		return err
	}
	if err := writeFile(o.out, clr.Bytes(), false); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "issued CLR %s to %s\n", shown(clr.ID), shown(o.out))
	return nil
}

// printEmbedded prints, under a verify report of a CLR, each embedded
// credential's verdict.
func printEmbedded(w io.Writer, bidi *bidiFields, es []verifier.EmbeddedResult) {
	for _, e := range es {
		line := fmt.Sprintf("  embedded [%s] %s", bidi.field("a path", e.Path), strings.ToUpper(string(e.Verdict)))
		if e.Name != "" {
			line += " (" + bidi.field("the name", e.Name)
			if e.Issuer != "" {
				line += ", issued by " + bidi.field("the issuer", e.Issuer)
			}
			line += ")"
		}
		if e.Decision != "" {
			line += ": " + string(e.Decision)
		}
		fmt.Fprintln(w, line)
	}
}

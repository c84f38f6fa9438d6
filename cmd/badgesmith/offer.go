package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/badgesmith/badgesmith/internal/server"
)

// offerOptions are the flags of badgesmith offer.
type offerOptions struct {
	remote         remoteOptions
	expires        time.Duration
	txCode         bool
	qr             string
	asJSON         bool
	followSymlinks bool
}

func (o *offerOptions) AddFlags(cmd *cobra.Command) {
	o.remote.AddFlags(cmd.Flags())
	fs := cmd.Flags()
	fs.DurationVar(&o.expires, "expires", server.DefaultOfferTTL, "how long the offer can be redeemed (at most 720h)")
	fs.BoolVar(&o.txCode, "tx-code", false, "also make a transaction code, to send the learner by another channel than the offer")
	fs.StringVar(&o.qr, "qr", "", "write the offer's QR code (a PNG) to this file")
	fs.BoolVar(&o.asJSON, "json", false, "print the whole answer as JSON (the QR code base64)")
	fs.BoolVar(&o.followSymlinks, "follow-symlinks", false, "allow --qr to be a symbolic link")
}

func newOfferCmd(s streams) *cobra.Command {
	var o offerOptions
	cmd := &cobra.Command{
		Use:   "offer CREDENTIAL_ID",
		Short: "Offer an issued credential to the learner's wallet (OpenID4VCI link and QR code)",
		Long: `Offer makes a one-time, expiring offer of a credential issued through the
running badgesmith serve to the learner it was issued to. The wallet that
redeems it proves a DID and receives the credential re-issued bound to that
DID, with the same recipient identifier and status entry.

It prints the openid-credential-offer:// link (by value and by reference),
the claim page URL to send the learner, and the transaction code when asked
for one. The link and the code are secrets: send them to the learner only.`,
		Example: `  BADGESMITH_SERVER=https://badges.example.edu BADGESMITH_API_KEY=bsk_... \
    badgesmith offer urn:uuid:4c3a... --tx-code --qr offer.png`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			u := o.remote.serverURL()
			if u == "" {
				return &usageError{"offer talks to a running badgesmith serve: give --server URL (or BADGESMITH_SERVER) and an API key in BADGESMITH_API_KEY (or --api-key-file)"}
			}
			if o.expires < time.Second || o.expires > server.MaxOfferTTL {
				return &usageError{fmt.Sprintf("--expires %s: want 1s to %s", o.expires, server.MaxOfferTTL)}
			}
			ac, err := o.remote.client(u)
			if err != nil {
				return err
			}
			out, err := ac.CreateOffer(cmd.Context(), server.OfferRequest{CredentialID: args[0], ExpiresIn: int64(o.expires / time.Second), TxCode: o.txCode})
			if err != nil {
				return err
			}
			if o.qr != "" {
				if err := writeFile(o.qr, out.QRPNG, o.followSymlinks); err != nil {
					return fmt.Errorf("--qr: %w", err)
				}
			}
			if o.asJSON {
				return printJSON(s.out, out)
			}
			fmt.Fprintf(s.out, "offer for %s, valid until %s\n", out.CredentialID, out.Expires.UTC().Format(time.RFC3339))
			fmt.Fprintf(s.out, "claim page:   %s\n", out.ClaimURL)
			fmt.Fprintf(s.out, "wallet link:  %s\n", out.OfferURIByReference)
			fmt.Fprintf(s.out, "by value:     %s\n", out.OfferURI)
			if out.TxCode != "" {
				fmt.Fprintf(s.out, "tx code:      %s (send it by another channel than the link)\n", out.TxCode)
			}
			if o.qr != "" {
				fmt.Fprintf(s.out, "QR code:      %s\n", o.qr)
			}
			return nil
		},
	}
	o.AddFlags(cmd)
	return cmd
}

package main

import (
	"bufio"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
)

func newFindCmd(s streams) *cobra.Command {
	var storePath, email, key string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "find (--email ADDRESS | --key STUDENT_ID)",
		Short: "Find a learner's credentials in the store",
		Long: `Find the credentials issued to one learner: by email address (--email) or
by the roster key a batch issued them under (--key, the --key-column value,
e.g. a student number). Prints one line per credential: id, state, issued
at, achievement, batch, row key; --json prints the records.

Privacy: the store never holds an email address, only its salted hash as
the credential carries it, so --email computes the hash of ADDRESS with
each record's own salt and compares: one SHA-256 per credential in the
store, no lookup index. An index keyed by address would be faster, but it
would let anyone who copies the store file test a list of addresses
against all credentials at once; the salted hashes make them test each
address against each credential. That is a speed bump, not secrecy: with
the store, an address can be confirmed. Row keys (student numbers) are kept
in the clear in the store (the batch needs them to resume), so protect the
store file as you would the roster. Credentials recorded before salts were
kept with every record are found by --key only.`,
		Example: `  badgesmith find --email learner@example.edu
  badgesmith find --key s00042 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (email == "") == (key == "") {
				return &usageError{"give exactly one of --email or --key"}
			}
			db, err := openStore(storePath, false)
			if err != nil {
				return err
			}
			defer db.Close()
			w := bufio.NewWriter(s.out)
			arr := &jsonArrayWriter{w: w}
			n := 0
			err = db.EachCredential(cmd.Context(), store.Filter{}, func(r store.Record) error {
				if key != "" && (r.BatchID == "" || r.RowKey != key) {
					return nil
				}
				if email != "" && !issuer.RecipientMatches(&r, email) {
					return nil
				}
				n++
				if asJSON {
					return arr.add(r)
				}
				_, err := fmt.Fprintln(w, shownRow([]string{r.ID, string(r.State), r.IssuedAt.UTC().Format(time.RFC3339), r.AchievementID, r.BatchID, r.RowKey}))
				return err
			})
			if err != nil {
				return err
			}
			if asJSON {
				if err := arr.close(); err != nil {
					return err
				}
			}
			if err := w.Flush(); err != nil {
				return err
			}
			if n == 0 {
				fmt.Fprintln(s.err, "no credentials found")
			}
			return nil
		},
	}
	addStoreFlag(cmd.Flags(), &storePath)
	cmd.Flags().StringVar(&email, "email", "", "the learner's email address, as the roster gave it")
	cmd.Flags().StringVar(&key, "key", "", "the learner's row key in a batch (the --key-column value, e.g. a student number)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of the records")
	return cmd
}

package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

// streams carries the process's standard streams so commands can be run
// in tests against buffers.
type streams struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// newRootCmd builds the whole command tree. Each command lives in its own file.
func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "badgesmith",
		Short: "Issue and verify Open Badges 3.0 credentials",
		Long: `badgesmith issues and verifies Open Badges 3.0 credentials
(W3C Verifiable Credentials 2.0) signed with Data Integrity proofs.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// A flag cobra cannot parse is a usage error like any other.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err.Error()} })
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.AddCommand(
		newKeysCmd(s),
		newDIDCmd(s),
		newIssueCmd(s),
		newBatchCmd(s),
		newVerifyCmd(s),
		newPresentCmd(s),
		newRevokeCmd(s),
		newSuspendCmd(s),
		newReinstateCmd(s),
		newStatusCmd(s),
		newListCmd(s),
		newFindCmd(s),
		newShowCmd(s),
		newBakeCmd(s),
		newExtractCmd(s),
		newServeCmd(s),
		newAPIKeyCmd(s),
		newOAuthClientCmd(s),
		newOfferCmd(s),
		newAchievementCmd(s),
		newCatalogueCmd(s),
		newStackCmd(s),
		newEndorseCmd(s),
		newCLRCmd(s),
	)
	return root
}

// run executes the CLI and returns the process exit code.
func run(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	s := streams{in: in, out: out, err: errOut}
	root := newRootCmd(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	return exitCode(s, err)
}

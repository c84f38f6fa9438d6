package main

import "github.com/spf13/cobra"

// newIssueCmd is a placeholder until the issue command lands.
func newIssueCmd(s streams) *cobra.Command {
	return &cobra.Command{Use: "issue", Hidden: true}
}

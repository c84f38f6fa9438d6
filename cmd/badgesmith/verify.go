package main

import "github.com/spf13/cobra"

// newVerifyCmd is a placeholder until the verify command lands.
func newVerifyCmd(s streams) *cobra.Command {
	return &cobra.Command{Use: "verify", Hidden: true}
}

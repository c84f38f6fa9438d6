package main

import "github.com/spf13/cobra"

// newDIDCmd is a placeholder until the did command lands.
func newDIDCmd(s streams) *cobra.Command {
	return &cobra.Command{Use: "did", Hidden: true}
}

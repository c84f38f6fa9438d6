package main

import "github.com/spf13/cobra"

// newKeysCmd is a placeholder until the keys command lands.
func newKeysCmd(s streams) *cobra.Command {
	return &cobra.Command{Use: "keys", Hidden: true}
}

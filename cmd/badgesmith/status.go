package main

import "github.com/spf13/cobra"

// Placeholders until the status commands land.
func newRevokeCmd(s streams) *cobra.Command    { return &cobra.Command{Use: "revoke", Hidden: true} }
func newSuspendCmd(s streams) *cobra.Command   { return &cobra.Command{Use: "suspend", Hidden: true} }
func newReinstateCmd(s streams) *cobra.Command { return &cobra.Command{Use: "reinstate", Hidden: true} }
func newStatusCmd(s streams) *cobra.Command    { return &cobra.Command{Use: "status", Hidden: true} }
func newListCmd(s streams) *cobra.Command      { return &cobra.Command{Use: "list", Hidden: true} }
func newShowCmd(s streams) *cobra.Command      { return &cobra.Command{Use: "show", Hidden: true} }

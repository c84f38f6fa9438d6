package main

import "github.com/spf13/cobra"

// Placeholders until the bake commands land.
func newBakeCmd(s streams) *cobra.Command    { return &cobra.Command{Use: "bake", Hidden: true} }
func newExtractCmd(s streams) *cobra.Command { return &cobra.Command{Use: "extract", Hidden: true} }

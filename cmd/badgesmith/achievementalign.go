package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/badgesmith/badgesmith/stack"
)

func newAchievementAlignCmd(s streams) *cobra.Command {
	var framework, out string
	var items []string
	cmd := &cobra.Command{
		Use:   "align --case FRAMEWORK.json --item CODE... ACHIEVEMENT.json",
		Short: "Align an achievement to items of a CASE competency framework",
		Long: `Read a 1EdTech CASE CFPackage JSON file and add to the Achievement an
alignment (targetType CFItem) for each --item, named by its CFItem
identifier or its human coding scheme: targetName (the abbreviated or full
statement), targetUrl (the item's URI), targetCode (the human coding
scheme), targetFramework (the framework's title). An item already aligned
(the same targetUrl) is not added twice. An unknown code is an error naming
the framework; nothing is written then.`,
		Example: `  badgesmith achievement align --case robotics-framework.json --item RT.1 --item RT.2 sensors.json --out sensors.json`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if framework == "" || len(items) == 0 {
				return &usageError{"--case and at least one --item are required"}
			}
			ctx := cmd.Context()
			data, err := readInput(ctx, s, framework, stack.MaxCASESize, defaultReadTimeout)
			if err != nil {
				return err
			}
			fw, err := stack.ParseCASE(data)
			if err != nil {
				return fmt.Errorf("--case %s: %w", framework, err)
			}
			ach, err := readObject(ctx, s, args[0])
			if err != nil {
				return err
			}
			aligned, err := fw.Align(ach, items)
			if errors.Is(err, stack.ErrUnknownItem) {
				return &usageError{fmt.Sprintf("--item %v", err)}
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(aligned); err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := s.out.Write(buf.Bytes())
				return err
			}
			return writeFile(out, buf.Bytes(), false)
		},
	}
	cmd.Flags().StringVar(&framework, "case", "", "CASE CFPackage JSON file (required)")
	cmd.Flags().StringArrayVar(&items, "item", nil, "CFItem identifier or human coding scheme to align to (repeatable)")
	cmd.Flags().StringVar(&out, "out", "-", "output file (may be the input), or - for standard output")
	return cmd
}

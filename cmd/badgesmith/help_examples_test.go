package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestHelpExamples checks that the commands a registrar reaches for have
// --help examples, and that every flag an example uses exists on the
// command it runs.
func TestHelpExamples(t *testing.T) {
	root := newRootCmd(streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard})
	for _, path := range [][]string{{"show"}, {"status", "lists"}, {"status", "publish"}, {"revoke"}, {"list"}, {"batch"}, {"issue"}, {"verify"}} {
		c, _, err := root.Find(path)
		if err != nil {
			t.Fatal(err)
		}
		if c.Example == "" {
			t.Errorf("%s: no --help example", c.CommandPath())
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, words := range shellCommands(c.Example) {
			if len(words) == 0 || words[0] != "badgesmith" {
				continue
			}
			target, _, err := root.Find(words[1:])
			if err != nil {
				t.Errorf("%s example %q: %v", c.CommandPath(), strings.Join(words, " "), err)
				continue
			}
			for _, w := range words[1:] {
				if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
					continue
				}
				name, _, _ := strings.Cut(w, "=")
				var found bool
				if long, ok := strings.CutPrefix(name, "--"); ok {
					found = target.Flags().Lookup(long) != nil || target.InheritedFlags().Lookup(long) != nil
				} else {
					short := strings.TrimPrefix(name, "-")
					found = target.Flags().ShorthandLookup(short) != nil || target.InheritedFlags().ShorthandLookup(short) != nil
				}
				if !found {
					t.Errorf("%s example: %s has no flag %s", c.CommandPath(), target.CommandPath(), name)
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

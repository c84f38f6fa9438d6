package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// catalogueFlags are the achievement flags issue and batch share besides
// --achievement: a catalogue version, or an achievement file marked
// outside the catalogue.
type catalogueFlags struct {
	ref       string
	unmanaged string
}

func (f *catalogueFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.ref, "catalogue-achievement", "", "issue an approved catalogue version: ID@VERSION, or ID for its latest approved version (needs the store holding the catalogue)")
	fs.StringVar(&f.unmanaged, "unmanaged-achievement", "", "Achievement JSON file from outside the catalogue, issued even when the catalogue is required")
}

// check counts the achievement flags: exactly one is needed.
func (f *catalogueFlags) check(file string) error {
	n := 0
	for _, v := range []string{file, f.ref, f.unmanaged} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return &usageError{"give one of --achievement FILE, --catalogue-achievement ID[@VERSION] or --unmanaged-achievement FILE"}
	}
	return nil
}

// file is the achievement file to read, "" for a catalogue version.
func (f *catalogueFlags) file(achievement string) string {
	if f.unmanaged != "" {
		return f.unmanaged
	}
	return achievement
}

// configure gives the issuer the catalogue, and marks an
// --unmanaged-achievement as such.
func (f *catalogueFlags) configure(cfg *issuer.Config, cat *catalogue.Catalogue) {
	cfg.Catalogue = cat
	cfg.Unmanaged = f.unmanaged != ""
}

// resolve returns the catalogue version's Achievement for --catalogue-achievement.
func (f *catalogueFlags) resolve(ctx context.Context, cat *catalogue.Catalogue) (map[string]any, error) {
	r, err := cat.Resolve(ctx, f.ref)
	if err != nil {
		return nil, explainCatalogue(fmt.Errorf("--catalogue-achievement %s: %w", f.ref, err))
	}
	return r.Achievement, nil
}

// openDefaultCatalogue opens the default store, whose catalogue's approver
// set says whether issuing needs the catalogue, for an issue without
// --store. It returns a nil store when there is no default store (nothing
// was ever recorded, so no catalogue was set up). A store another process
// holds (a running server) is an error: the rule cannot be read, and an
// issue that skipped it would bypass it.
func openDefaultCatalogue() (*bolt.DB, string, error) {
	path := defaultStore()
	if path == "" {
		return nil, "", nil
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, "", nil
	}
	db, err := openStore(path, false)
	if errors.Is(err, bolt.ErrLocked) {
		return nil, "", fmt.Errorf("%w\nissue reads whether the catalogue is required from the default store %s: give --store, or --unmanaged-achievement FILE to issue outside the catalogue on purpose", err, path)
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading the catalogue rule from the default store: %w", err)
	}
	return db, path, nil
}

// explainCatalogue adds what to do to the issuer's catalogue refusals, and
// makes a refused version bad input (exit 1).
func explainCatalogue(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, issuer.ErrUnmanaged):
		return refusal{fmt.Errorf("%w\nthe approver set requires the catalogue: issue with --catalogue-achievement ID[@VERSION], or give the file as --unmanaged-achievement FILE to issue it outside the catalogue on purpose", err)}
	case catalogue.IsRefusal(err):
		return refusal{err}
	}
	return err
}

// refusal is a catalogue error that means the input is bad (exit 1).
type refusal struct{ error }

func (r refusal) Unwrap() []error { return []error{r.error, errInvalid} }

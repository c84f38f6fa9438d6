package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/server"
	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// remoteOptions are the flags of the administrative commands that can run
// through a running "badgesmith serve" (which holds the store's lock).
type remoteOptions struct {
	server  string
	keyFile string
}

func (o *remoteOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.server, "server", "", "do this through the admin API of the badgesmith serve at this URL instead of opening the store (env BADGESMITH_SERVER)")
	fs.StringVar(&o.keyFile, "api-key-file", "", "file holding the admin API key or access token for the server (default: env BADGESMITH_API_KEY)")
}

// serverURL is the server given by --server or BADGESMITH_SERVER.
func (o *remoteOptions) serverURL() string {
	if o.server != "" {
		return o.server
	}
	return os.Getenv("BADGESMITH_SERVER")
}

// lockedHelp says what to do when serve holds the store.
const lockedHelp = `run the command through the server instead: give its URL with --server URL (or BADGESMITH_SERVER=URL) and an admin API key in BADGESMITH_API_KEY (or --api-key-file FILE); or stop badgesmith serve first`

// client returns the admin client of the server at url. The key is read
// from --api-key-file or BADGESMITH_API_KEY, never from a flag's value
// (which other users see in the process list), and never printed.
func (o *remoteOptions) client(url string) (*server.AdminClient, error) {
	key := os.Getenv("BADGESMITH_API_KEY")
	if o.keyFile != "" {
		data, err := os.ReadFile(o.keyFile)
		if err != nil {
			return nil, fmt.Errorf("--api-key-file: %w", err)
		}
		key = strings.TrimSpace(string(data))
	}
	if key == "" {
		return nil, &usageError{"the server at " + url + " needs an admin API key: set BADGESMITH_API_KEY or give --api-key-file FILE"}
	}
	return &server.AdminClient{BaseURL: url, Token: key}, nil
}

// open opens the store at path, or returns the admin client of the
// server to go through instead: the one --server or BADGESMITH_SERVER
// names, else, when the store is locked by a running serve, the one that
// serve announced beside the store. Exactly one of the results is set
// when err is nil.
func (o *remoteOptions) open(path string) (*bolt.DB, *server.AdminClient, error) {
	if u := o.serverURL(); u != "" {
		ac, err := o.client(u)
		return nil, ac, err
	}
	db, err := openStore(path, false)
	if !errors.Is(err, bolt.ErrLocked) {
		return db, nil, err
	}
	// The default data directory of serve is "serve" beside the store.
	if u := server.Announced(filepath.Join(filepath.Dir(path), "serve")); u != "" {
		if os.Getenv("BADGESMITH_API_KEY") == "" && o.keyFile == "" {
			return nil, nil, fmt.Errorf("store %s is locked by the badgesmith serve at %s: set BADGESMITH_API_KEY to an admin API key (or give --api-key-file FILE) to run the command through it, or stop the server first", path, u)
		}
		ac, err := o.client(u)
		return nil, ac, err
	}
	return nil, nil, fmt.Errorf("store %s is locked by another process, probably badgesmith serve: %s: %w", path, lockedHelp, err)
}

// remoteChange is revoke, suspend or reinstate through the server.
func remoteChange(ctx context.Context, s streams, ac *server.AdminClient, c change, id, actor, reason string, cascade bool) error {
	action := map[store.State]server.StatusAction{store.Revoked: server.ActionRevoke, store.Suspended: server.ActionSuspend, store.Active: server.ActionReinstate}[c.state]
	res, err := ac.ChangeStatus(ctx, server.StatusChange{CredentialID: id, Action: action, Reason: reason, Actor: actor, Cascade: cascade})
	if err != nil {
		return err
	}
	if !res.Changed {
		fmt.Fprintf(s.out, "%s: already %s\n", shown(id), res.State)
		return nil
	}
	fmt.Fprintf(s.out, "%s: %s\n", shown(id), c.done)
	printStacked(s, res.Stacked)
	fmt.Fprintln(s.err, "the server signed its status list again: verifiers see the change at its next fetch")
	return nil
}

// remotePublish is status publish through the server: it signs its
// hosted lists again with its own key.
func remotePublish(ctx context.Context, s streams, ac *server.AdminClient, out string) error {
	if out != "" {
		fmt.Fprintf(s.err, "the server signs the lists it hosts with its own key; nothing is written to %s\n", shown(out))
	}
	lists, err := ac.Publish(ctx)
	if err != nil {
		return err
	}
	for _, l := range lists {
		fmt.Fprintf(s.out, "%s\tvalid until %s\n", shown(l.ID), l.ValidUntil.UTC().Format(time.RFC3339))
	}
	if len(lists) == 0 {
		fmt.Fprintln(s.err, "no status lists in the store yet")
	}
	return nil
}

// printKeys prints API keys or clients as a table.
func printKeys(w io.Writer, keys []server.APIKey) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if k.Revoked != nil {
			revoked = k.Revoked.UTC().Format(time.RFC3339)
		}
		fmt.Fprintln(tw, shownRow([]string{k.ID, k.Name, strings.Join(k.Scopes, " "), k.Created.UTC().Format(time.RFC3339), revoked}))
	}
	return tw.Flush()
}

// recordSource is where list reads records: the store, or the server.
type recordSource interface {
	ListCredentials(ctx context.Context, f store.Filter) ([]store.Record, error)
	EachCredential(ctx context.Context, f store.Filter, fn func(store.Record) error) error
}

// remoteRecords reads records through the admin API, a page at a time.
type remoteRecords struct{ ac *server.AdminClient }

// page is how many records one admin API request asks for.
const page = 1000

func (r remoteRecords) ListCredentials(ctx context.Context, f store.Filter) ([]store.Record, error) {
	var out []store.Record
	err := r.EachCredential(ctx, f, func(rec store.Record) error {
		out = append(out, rec)
		return nil
	})
	return out, err
}

func (r remoteRecords) EachCredential(ctx context.Context, f store.Filter, fn func(store.Record) error) error {
	left := f.Limit
	for {
		pf := f
		pf.Limit = page
		if left > 0 && left < page {
			pf.Limit = left
		}
		recs, err := r.ac.Records(ctx, pf)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if err := fn(rec); err != nil {
				return err
			}
		}
		f.Offset += len(recs)
		if left > 0 {
			if left -= len(recs); left <= 0 {
				return nil
			}
		}
		if len(recs) < pf.Limit {
			return nil
		}
	}
}

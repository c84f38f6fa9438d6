package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/internal/server"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
)

// offersFlags are batch's --offers flags: one wallet offer per issued
// row, in a secret file for a mail-merge, apart from the manifest.
type offersFlags struct {
	file    string
	baseURL string
	dataDir string
	expires time.Duration
	txCode  bool
}

func (o *offersFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.file, "offers", "", "also make one wallet offer per issued row and write them to this CSV file (mode 0600: claim URLs, wallet links and transaction codes are secrets; for a mail-merge, never published like the manifest)")
	fs.StringVar(&o.baseURL, "offers-base-url", "", "public base URL of the badgesmith serve that will serve the offers (required with --offers)")
	fs.StringVar(&o.dataDir, "offers-data-dir", "", "that serve's data directory (default: serve/ beside the store, as serve's)")
	fs.DurationVar(&o.expires, "offers-expires", server.DefaultOfferTTL, "how long each offer can be redeemed (at most 720h)")
	fs.BoolVar(&o.txCode, "offers-tx-code", false, "give each offer a transaction code (a column of the offers file, to send by another channel than the link)")
}

// check refuses --offers where the server could not re-issue what it
// offers.
func (o *offersFlags) check(notDI bool) error {
	switch {
	case o.file == "":
		return nil
	case o.baseURL == "":
		return &usageError{"--offers needs --offers-base-url, the public base URL of the badgesmith serve that will serve the offers"}
	case notDI:
		return &usageError{"--offers needs Data Integrity credentials written as JSON: not with --format jwt or jose, nor --bake"}
	case o.expires < time.Second || o.expires > server.MaxOfferTTL:
		return &usageError{fmt.Sprintf("--offers-expires %s: want 1s to %s", o.expires, server.MaxOfferTTL)}
	}
	return nil
}

// write makes an offer for every row of the batch's manifest (issued in
// this run or before) and writes the offers file. Each run makes new
// offers; earlier ones stay valid until used or expired.
func (o *offersFlags) write(ctx context.Context, s streams, db store.Store, storePath, outDir string) error {
	if o.file == "" {
		return nil
	}
	dataDir := o.dataDir
	if dataDir == "" {
		dataDir = filepath.Join(filepath.Dir(storePath), "serve")
	}
	maker := &server.OfferMaker{PublicBaseURL: o.baseURL, DataDir: dataDir, Store: db}
	manifest, err := os.ReadFile(filepath.Join(outDir, issuer.ManifestJSONL)) //nolint:gosec // G304: the batch's own output directory
	if err != nil {
		return fmt.Errorf("--offers: reading the manifest: %w", err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"row", "key", "name", "email", "credential_id", "claim_url", "offer_uri", "tx_code", "expires"})
	sc := bufio.NewScanner(bytes.NewReader(manifest))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		var e issuer.ManifestEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("--offers: manifest line %d: %w", n+1, err)
		}
		signed, err := os.ReadFile(filepath.Join(outDir, filepath.Base(e.File))) //nolint:gosec // G304: a file the batch wrote, by its base name
		if err != nil {
			return fmt.Errorf("--offers: row %d: %w", e.Row, err)
		}
		created, err := maker.Offer(ctx, e.CredentialID, signed, server.OfferRequest{ExpiresIn: int64(o.expires / time.Second), TxCode: o.txCode})
		if err != nil {
			return fmt.Errorf("--offers: row %d: %w", e.Row, err)
		}
		_ = w.Write([]string{strconv.Itoa(e.Row), offerCell(e.Key), offerCell(e.Name), offerCell(e.Recipient), offerCell(e.CredentialID),
			created.ClaimURL, created.OfferURIByReference, created.TxCode, created.Expires.UTC().Format(time.RFC3339)})
		n++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("--offers: reading the manifest: %w", err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(o.file, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("--offers: %w", err)
	}
	fmt.Fprintf(s.err, "offers: %d in %s (secret: send each row to its learner only)\n", n, shown(o.file))
	return nil
}

// offerCell neutralises a cell taken from the roster, as the manifest
// does (OWASP CSV injection): a leading =, +, -, @, tab or carriage
// return gets a single quote, so a spreadsheet shows text.
func offerCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
)

// TestBatchOffers: batch --offers writes one offer per row to a secret
// file; the serve started afterwards on that store serves each claim page
// and the credential it offers.
func TestBatchOffers(t *testing.T) {
	e := newStatusEnv(t)
	const n = 3
	rosterPath := writeRoster(t, e.dir, n)
	out := filepath.Join(e.dir, "out")
	// The serve's address is fixed first: the offers name it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	offers := filepath.Join(e.dir, "offers.secret.csv")

	if code, msg := e.batchRun(e.batchArgs(rosterPath, out, "--offers", offers)...); code != exitError || !strings.Contains(msg, "--offers-base-url") {
		t.Fatalf("--offers without a base URL: exit %d: %s", code, msg)
	}
	if code, msg := e.batchRun(e.batchArgs(rosterPath, out, "--offers", offers, "--offers-base-url", base, "--format", "jwt")...); code != exitError || !strings.Contains(msg, "Data Integrity") {
		t.Fatalf("--offers of JWTs: exit %d: %s", code, msg)
	}
	code, msg := e.batchRun(e.batchArgs(rosterPath, out, "--offers", offers, "--offers-base-url", base, "--offers-tx-code")...)
	if code != exitOK || !strings.Contains(msg, "offers: 3 in") {
		t.Fatalf("batch --offers: exit %d: %s", code, msg)
	}
	if fi, err := os.Stat(offers); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("offers file: %v, mode %v; want 0600", err, fi)
	}
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, offers))).ReadAll()
	if err != nil || len(rows) != n+1 || rows[0][5] != "claim_url" {
		t.Fatalf("offers file rows %v: %v", rows, err)
	}
	manifest := readManifest(t, out)
	if bytes.Contains(readFile(t, filepath.Join(out, "manifest.csv")), []byte("/claim/")) {
		t.Error("the public manifest carries claim URLs")
	}

	t.Setenv("BADGESMITH_ADMIN_KEY", remoteAdminKey)
	ctx, cancel := context.WithCancel(context.Background())
	var errOut testkit.SyncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"serve", "--key", "registrar", "--keyring", e.ring, "--store", e.store, "--listen", addr},
			strings.NewReader(""), io.Discard, &errOut)
	}()
	defer func() {
		cancel()
		if code := <-exited; code != exitOK {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	}()
	for deadline := time.Now().Add(time.Minute); !strings.Contains(errOut.String(), "public_base_url=") && time.Now().Before(deadline); { // hang guard only
		time.Sleep(10 * time.Millisecond)
	}
	for i, row := range rows[1:] {
		if row[4] != manifest[i].CredentialID || row[3] != manifest[i].Recipient || len(row[7]) != 6 || !strings.HasPrefix(row[5], base+"/claim/") {
			t.Errorf("offer row %d = %v, want manifest row %+v with a claim URL and a code", i, row, manifest[i])
		}
		resp, err := http.Get(row[5] + "/credential.json")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := bytes.TrimSpace(readFile(t, filepath.Join(out, manifest[i].File)))
		if resp.StatusCode != http.StatusOK || !bytes.Equal(got, want) {
			t.Errorf("row %d: the served credential (%d) is not the batch's file", i, resp.StatusCode)
		}
	}
}

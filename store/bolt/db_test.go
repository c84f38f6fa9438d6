package bolt_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/bolt"
	"github.com/badgesmith/badgesmith/store/storetest"
)

func open(tb testing.TB, path string) *bolt.DB {
	tb.Helper()
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db := open(t, filepath.Join(t.TempDir(), "store.db"))
		t.Cleanup(func() {
			// t.Context is already cancelled when cleanups run.
			if err := db.Check(context.Background()); err != nil {
				t.Errorf("consistency check after %s: %v", t.Name(), err)
			}
		})
		return db
	})
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	open(t, path)
	// flock is per open file, so a second Open in this process contends
	// like another process would.
	start := time.Now()
	_, err := bolt.Open(path, bolt.Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, bolt.ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("second Open took %s; the timeout was not applied", d)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a bolt file ", 512)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		opts bolt.Options
		want error
	}{
		{"negative timeout", filepath.Join(dir, "a.db"), bolt.Options{Timeout: -1}, store.ErrInvalid},
		{"not a database", garbage, bolt.Options{}, nil},
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "x.db"), bolt.Options{}, os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := bolt.Open(tt.path, tt.opts)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Open = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the path", err)
			}
		})
	}
}

func TestReopenPersists(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := db.AllocateIndex(ctx, store.PurposeRevocation, func() store.ListInfo {
		return store.ListInfo{ID: "https://example.com/l/1", Size: 16}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Record{ID: "urn:uuid:p", Recipient: "did:example:bob", AchievementID: "https://example.com/a",
		IssuerKey: "did:key:z6Mk#z6Mk", Format: store.FormatJWT, IssuedAt: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
		Status: []store.StatusRef{ref}, SHA256: strings.Repeat("0f", 32), BatchID: "b", RowKey: "r"}
	if err := db.PutCredential(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := db.SetStatus(ctx, store.Change{CredentialID: want.ID, Purpose: store.PurposeRevocation, Value: 1, ClaimedActor: "me"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetCredential(ctx, want.ID); err == nil {
		t.Error("GetCredential after Close succeeded")
	}

	db = open(t, path)
	got, err := db.GetCredential(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(&want) || got.State != store.Revoked {
		t.Errorf("after reopen: %+v, want %+v revoked", got, want)
	}
	evs, err := db.Audit(ctx, want.ID)
	if err != nil || len(evs) != 1 || evs[0].ClaimedActor != "me" {
		t.Errorf("audit after reopen = %+v, %v", evs, err)
	}
	// The allocation survived too: the 15 remaining indices are all new.
	seen := map[int]bool{ref.Index: true}
	for range 15 {
		r, err := db.AllocateIndex(ctx, store.PurposeRevocation, nil)
		if err != nil {
			t.Fatal(err)
		}
		if seen[r.Index] {
			t.Fatalf("index %d allocated again after reopen", r.Index)
		}
		seen[r.Index] = true
	}
	if err := db.Check(ctx); err != nil {
		t.Error(err)
	}
}

// crashEnv names the database file the crash child writes to.
const crashEnv = "BADGESMITH_STORE_CRASH_CHILD"

// TestCrashChild is the child of TestCrash: it issues credentials until it
// is killed, printing each id once its transaction has committed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrash only")
	}
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		fmt.Println("open error:", err)
		os.Exit(2)
	}
	ctx := t.Context()
	for i := 0; ; i++ {
		id := "urn:crash:" + strconv.Itoa(i)
		ref, err := db.AllocateIndex(ctx, store.PurposeRevocation, func() store.ListInfo {
			return store.ListInfo{ID: fmt.Sprintf("https://example.com/crash/%d", i), Size: 64}
		})
		if err == nil {
			err = db.PutCredential(ctx, store.Record{ID: id, Recipient: "r", AchievementID: "a", IssuerKey: "k",
				Format: store.FormatDI, IssuedAt: time.Unix(int64(i), 0), Status: []store.StatusRef{ref},
				SHA256: strings.Repeat("00", 32)})
		}
		if err == nil && i%3 == 0 {
			err = db.SetStatus(ctx, store.Change{CredentialID: id, Purpose: store.PurposeRevocation, Value: 1})
		}
		if err != nil {
			fmt.Println("write error:", err)
			os.Exit(2)
		}
		// os.Stdout is unbuffered: the parent sees the line as soon as it
		// is written, and only after the commit.
		fmt.Println(id)
	}
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test re-executes the test binary")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	committed := map[string]bool{}
	sc := bufio.NewScanner(stdout)
	killed := false
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "urn:crash:") {
			if strings.Contains(line, "error") {
				t.Errorf("child: %s", line)
			}
			continue
		}
		committed[line] = true
		if len(committed) == 150 && !killed {
			// Kill mid-write: the child is already inside its next
			// transaction.
			if err := cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child exited before being killed: %v\n%s", err, stderr.String())
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		t.Fatalf("child ended with %v, want killed", err)
	}
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want SIGKILL", err)
	}

	db := open(t, path)
	if err := db.Check(t.Context()); err != nil {
		t.Fatalf("consistency check after crash: %v", err)
	}
	for id := range committed {
		r, err := db.GetCredential(t.Context(), id)
		if err != nil {
			t.Errorf("committed %s lost: %v", id, err)
			continue
		}
		i, _ := strconv.Atoi(strings.TrimPrefix(id, "urn:crash:"))
		if i%3 == 0 && r.State != store.Revoked {
			t.Errorf("%s: state %q, want revoked", id, r.State)
		}
	}
	// Nothing half-written either: every stored record is complete and its
	// index unique.
	all, err := db.ListCredentials(t.Context(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < len(committed) || len(all) > len(committed)+1 {
		t.Errorf("%d records after crash, %d reported committed", len(all), len(committed))
	}
	seen := map[store.StatusRef]string{}
	for _, r := range all {
		if other, dup := seen[r.Status[0]]; dup {
			t.Errorf("%s and %s share %+v", r.ID, other, r.Status[0])
		}
		seen[r.Status[0]] = r.ID
	}
	t.Logf("%d committed before SIGKILL, %d records recovered", len(committed), len(all))
}

// TestIssuerSecretPersists checks that the issuer secret is kept in the
// file: reopening the store returns the same secret.
func TestIssuerSecretPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.IssuerSecret(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = open(t, path)
	again, err := db.IssuerSecret(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(first) {
		t.Errorf("after reopening the secret is %x, was %x", again, first)
	}
}

func TestCatalogueConformance(t *testing.T) {
	storetest.RunCatalogue(t, func(t *testing.T) store.Catalogue {
		return open(t, filepath.Join(t.TempDir(), "store.db"))
	})
}

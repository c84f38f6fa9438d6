package issuer_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// killEnv names the directory the publish-kill child works in.
const killEnv = "BADGESMITH_PUBLISH_KILL_CHILD"

// TestPublishKillChild is the child of TestPublishSurvivesSIGKILL: it
// issues a credential, revokes every third one and publishes the lists,
// forever, printing each credential id once Issue has returned (so its
// record is committed).
func TestPublishKillChild(t *testing.T) {
	dir := os.Getenv(killEnv)
	if dir == "" {
		t.Skip("run by TestPublishSurvivesSIGKILL only")
	}
	db, err := bolt.Open(filepath.Join(dir, "issued.db"), bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	f := newStatusIssuer(t, db, func(c *issuer.Config) { c.Suspension = true })
	ctx := context.Background()
	for i := 0; ; i++ {
		cred := f.issue(t)
		fmt.Println("issued", cred.ID)
		if i%3 == 0 {
			err = f.is.Revoke(ctx, cred.ID, "child", "kill test")
		} else if i%3 == 1 {
			err = f.is.Suspend(ctx, cred.ID, "child", "kill test")
		}
		if err == nil {
			_, err = f.is.Publish(ctx, filepath.Join(dir, "out"))
		}
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
	}
}

func TestPublishSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test re-executes the test binary")
	}
	dir := t.TempDir()
	committed := map[string]bool{}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range 5 {
		killChild(t, dir, 1+rng.IntN(4), time.Duration(rng.IntN(40))*time.Millisecond, committed)
		checkPublished(t, filepath.Join(dir, "out"), round)
	}
	db := openStore(t, filepath.Join(dir, "issued.db"))
	if err := db.Check(t.Context()); err != nil {
		t.Fatalf("store consistency after kills: %v", err)
	}
	for id := range committed {
		if _, err := db.GetCredential(t.Context(), id); err != nil {
			t.Errorf("issued %s lost: %v", id, err)
		}
	}
	if len(committed) == 0 {
		t.Fatal("the child issued nothing")
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "out", ".*"))
	t.Logf("%d credentials issued over 5 kills; %d temporary files left by killed writes", len(committed), len(leftovers))
}

// killChild runs the child until it has issued atLeast credentials, lets it
// run for delay more, SIGKILLs it and adds the ids it printed to committed.
func killChild(t *testing.T, dir string, atLeast int, delay time.Duration, committed map[string]bool) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestPublishKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	n, killed := 0, false
	for sc.Scan() {
		line := sc.Text()
		id, ok := strings.CutPrefix(line, "issued ")
		if !ok {
			if strings.HasPrefix(line, "error") {
				t.Errorf("child: %s", line)
			}
			continue
		}
		committed[id] = true
		if n++; n == atLeast && !killed {
			// The child is now somewhere in revoking, publishing or issuing
			// its next credential.
			time.Sleep(delay)
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
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && (!ws.Signaled() || ws.Signal() != syscall.SIGKILL) {
		t.Fatalf("child ended with %v, want SIGKILL\n%s", err, stderr.String())
	}
}

// checkPublished requires every list file in dir to be a whole, signed,
// decodable list credential. Temporary files a killed write left behind
// (dot files) are never served under a list's name and are skipped.
func checkPublished(t *testing.T, dir string, round int) {
	t.Helper()
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return // killed before the first publish finished
	}
	if err != nil {
		t.Fatal(err)
	}
	k := testkit.Ed25519(t, 7)
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		doc := readList(t, filepath.Join(dir, de.Name()), k, time.Now())
		subj, _ := doc["credentialSubject"].(map[string]any)
		enc, _ := subj["encodedList"].(string)
		if _, err := status.Decode(enc, 1, status.DecodeOptions{}); err != nil {
			t.Errorf("round %d: %s: %v", round, de.Name(), err)
		}
	}
}

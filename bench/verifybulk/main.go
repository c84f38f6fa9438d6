// Command verifybulk measures bulk `badgesmith verify` (make
// bench-verify-bulk): it issues a roster with `badgesmith batch`, publishes
// its status list, then verifies every credential with --status-dir, once on
// one core (GOMAXPROCS=1, --jobs 1) and once on every core, and prints
// credentials per second and the ratio of the second rate to N x the
// first (issue 14 asks for at least 0.8).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/badgesmith", "badgesmith binary")
	files := flag.Int("files", 10_000, "credentials to verify")
	testdata := flag.String("testdata", "testdata", "directory with issuer.json and achievement.json")
	flag.Parse()
	if err := run(*bin, *files, *testdata); err != nil {
		fmt.Fprintln(os.Stderr, "bench-verify-bulk:", err)
		os.Exit(1)
	}
}

func run(bin string, n int, testdata string) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	testdata, err = filepath.Abs(testdata)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-verify-bulk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ring := filepath.Join(dir, "keys")
	if err := command(dir, nil, bin, "keys", "generate", "--keyring", ring, "bench"); err != nil {
		return err
	}
	var roster strings.Builder
	roster.WriteString("student_id,email,name,grade\n")
	for i := range n {
		fmt.Fprintf(&roster, "S%07d,learner%d@example.org,Learner %d,%c\n", i, i, i, "ABC"[i%3])
	}
	if err := os.WriteFile(filepath.Join(dir, "roster.csv"), []byte(roster.String()), 0o600); err != nil {
		return err
	}
	store := filepath.Join(dir, "issued.db")
	start := time.Now()
	if err := command(dir, nil, bin, "batch", "--keyring", ring, "--key", "bench",
		"--issuer-profile", filepath.Join(testdata, "issuer.json"),
		"--achievement", filepath.Join(testdata, "achievement.json"),
		"--roster", "roster.csv", "--out", "creds", "--store", store,
		"--status-base-url", "https://example.edu/status/", "--batch-id", "bulk",
		"--key-column", "student_id", "--map", "email=email", "--map", "name=name",
		"--map", "result:Capstone project grade=grade", "--progress", "none"); err != nil {
		return err
	}
	fmt.Printf("issued %d credentials in %.1fs\n", n, time.Since(start).Seconds())
	if err := command(dir, nil, bin, "status", "publish", "--keyring", ring, "--key", "bench", "--store", store, "--out", "status"); err != nil {
		return err
	}
	creds, err := filepath.Glob(filepath.Join(dir, "creds", "*.json"))
	if err != nil {
		return err
	}
	sort.Strings(creds)
	if len(creds) != n {
		return fmt.Errorf("batch wrote %d credentials, want %d", len(creds), n)
	}
	args := []string{"verify", "--status-dir", "status"}
	for _, c := range creds {
		rel, err := filepath.Rel(dir, c)
		if err != nil {
			return err
		}
		args = append(args, rel)
	}
	cores := runtime.NumCPU()
	oneCore, err := timed(dir, []string{"GOMAXPROCS=1"}, bin, append(args, "--jobs", "1"))
	if err != nil {
		return fmt.Errorf("verify on one core: %w", err)
	}
	all, err := timed(dir, nil, bin, args)
	if err != nil {
		return fmt.Errorf("verify on %d cores: %w", cores, err)
	}
	r1 := float64(n) / oneCore.Seconds()
	rn := float64(n) / all.Seconds()
	fmt.Printf("verify, 1 core (GOMAXPROCS=1 --jobs 1): %6d credentials in %6.2fs: %7.0f credentials/s\n", n, oneCore.Seconds(), r1)
	fmt.Printf("verify, %d cores:                        %6d credentials in %6.2fs: %7.0f credentials/s\n", cores, n, all.Seconds(), rn)
	fmt.Printf("ratio to %d x the one-core rate: %.2f (target >= 0.80)\n", cores, rn/(float64(cores)*r1))
	return nil
}

// command runs bin in dir and fails with its output.
func command(dir string, env []string, bin string, args ...string) error {
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", args[0], err, tail(out))
	}
	return nil
}

// timed runs bin in dir, discarding the reports, and returns how long it
// took; every credential must verify (exit status 0).
func timed(dir string, env []string, bin string, args []string) (time.Duration, error) {
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return elapsed, fmt.Errorf("%w\n%s", err, tail([]byte(stderr.String())))
	}
	return elapsed, nil
}

// tail is the end of a command's output, enough to show why it failed.
func tail(out []byte) []byte {
	const keep = 2048
	if len(out) > keep {
		return out[len(out)-keep:]
	}
	return out
}

// Command verifybulk measures bulk `badgesmith verify` (make
// bench-verify-bulk): it issues a roster with `badgesmith batch`, publishes
// its status list, then verifies every credential with --status-dir on one
// core (GOMAXPROCS=1, --jobs 1) and on every core, the two alternating
// for -rounds rounds, and prints credentials per second and the ratio of
// the best N-core rate to N x the best one-core rate (issue 14 asks for at
// least 0.8). Other load on the machine takes cores from some runs and not
// others, so it also prints the ratio of CPU time per credential (one core
// against N cores): the ratio the run reaches with the cores to itself.
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
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/badgesmith", "badgesmith binary")
	files := flag.Int("files", 10_000, "credentials to verify")
	testdata := flag.String("testdata", "testdata", "directory with issuer.json and achievement.json")
	rounds := flag.Int("rounds", 2, "runs of each of the one-core and the N-core verification, alternating")
	flag.Parse()
	if err := run(*bin, *files, *testdata, max(*rounds, 1)); err != nil {
		fmt.Fprintln(os.Stderr, "bench-verify-bulk:", err)
		os.Exit(1)
	}
}

func run(bin string, n int, testdata string, rounds int) error {
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
	// The best of each: the run other load disturbed least.
	var best1, bestN measure
	for range rounds {
		one, err := timed(dir, []string{"GOMAXPROCS=1"}, bin, append(args, "--jobs", "1"))
		if err != nil {
			return fmt.Errorf("verify on one core: %w", err)
		}
		all, err := timed(dir, nil, bin, args)
		if err != nil {
			return fmt.Errorf("verify on %d cores: %w", cores, err)
		}
		fmt.Printf("  round: 1 core %6.2fs (CPU %6.2fs), %d cores %6.2fs (CPU %6.2fs)\n",
			one.wall.Seconds(), one.cpu.Seconds(), cores, all.wall.Seconds(), all.cpu.Seconds())
		best1, bestN = best1.best(one), bestN.best(all)
	}
	r1 := float64(n) / best1.wall.Seconds()
	rn := float64(n) / bestN.wall.Seconds()
	fmt.Printf("verify, 1 core (GOMAXPROCS=1 --jobs 1): %6d credentials in %6.2fs: %7.0f credentials/s, CPU %s per credential\n",
		n, best1.wall.Seconds(), r1, perItem(best1.cpu, n))
	fmt.Printf("verify, %d cores:                        %6d credentials in %6.2fs: %7.0f credentials/s, CPU %s per credential\n",
		cores, n, bestN.wall.Seconds(), rn, perItem(bestN.cpu, n))
	fmt.Printf("ratio to %d x the one-core rate: %.2f (target >= 0.80)\n", cores, rn/(float64(cores)*r1))
	if bestN.cpu > 0 {
		fmt.Printf("CPU per credential on 1 core against on %d cores: ratio with the cores to itself %.2f\n",
			cores, best1.cpu.Seconds()/bestN.cpu.Seconds())
	}
	return nil
}

// measure is one verification run's wall and CPU (user and system) time.
type measure struct{ wall, cpu time.Duration }

// best returns the faster of m and o, taking o if m is unset.
func (m measure) best(o measure) measure {
	if m.wall == 0 || o.wall < m.wall {
		return o
	}
	return m
}

func perItem(d time.Duration, n int) time.Duration {
	return (d / time.Duration(max(n, 1))).Round(time.Microsecond)
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
// took and the CPU time it used; every credential must verify (exit status
// 0).
func timed(dir string, env []string, bin string, args []string) (measure, error) {
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	m := measure{wall: time.Since(start)}
	if cmd.ProcessState == nil {
		return m, err
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if err != nil {
		return m, fmt.Errorf("%w\n%s", err, tail([]byte(stderr.String())))
	}
	return m, nil
}

// tail is the end of a command's output, enough to show why it failed.
func tail(out []byte) []byte {
	const keep = 2048
	if len(out) > keep {
		return out[len(out)-keep:]
	}
	return out
}

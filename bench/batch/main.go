// Command batch measures `badgesmith batch` (make bench-batch): it
// generates a roster, issues it as eddsa-rdfc-2022 JSON and as VC-JWT,
// and reports credentials per second and the peak resident memory of each
// run, runs the finished batch again (nothing to issue), issues shorter
// rosters to show that peak memory does not grow with the roster, then
// kills a run half way and reports how long resuming it takes.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/badgesmith", "badgesmith binary")
	rows := flag.Int("rows", 100_000, "roster rows")
	testdata := flag.String("testdata", "testdata", "directory with issuer.json and achievement.json")
	flag.Parse()
	if err := run(*bin, *rows, *testdata); err != nil {
		fmt.Fprintln(os.Stderr, "bench-batch:", err)
		os.Exit(1)
	}
}

func run(bin string, rows int, testdata string) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-batch-")
	if err != nil {
		return err
	}
	if os.Getenv("BENCH_KEEP") == "" {
		defer os.RemoveAll(dir)
	} else {
		fmt.Println("keeping", dir)
	}
	ring := filepath.Join(dir, "keys")
	if out, err := exec.CommandContext(context.Background(), bin, "keys", "generate", "--keyring", ring, "bench").CombinedOutput(); err != nil {
		return fmt.Errorf("keys generate: %w\n%s", err, out)
	}
	roster := filepath.Join(dir, "roster.csv")
	if err := writeRoster(roster, rows); err != nil {
		return err
	}
	fmt.Printf("roster: %d rows; %d CPUs\n", rows, numCPU())
	argsFor := func(roster, name string, extra ...string) []string {
		return append([]string{"batch", "--keyring", ring, "--key", "bench",
			"--issuer-profile", filepath.Join(testdata, "issuer.json"),
			"--achievement", filepath.Join(testdata, "achievement.json"),
			"--roster", roster, "--out", filepath.Join(dir, name), "--store", filepath.Join(dir, name+".db"),
			"--status-base-url", "https://example.edu/status/", "--batch-id", "bench-" + name,
			"--key-column", "student_id", "--map", "email=email", "--map", "name=name",
			"--map", "result:Capstone project grade=grade", "--progress", "none"}, extra...)
	}
	args := func(name string, extra ...string) []string { return argsFor(roster, name, extra...) }
	for _, c := range []struct {
		name, label string
		extra       []string
	}{
		{"di", "eddsa-rdfc-2022 JSON", nil},
		{"jwt", "VC-JWT (EdDSA)", []string{"--format", "jwt"}},
	} {
		elapsed, rss, err := timed(bin, args(c.name, c.extra...), nil)
		if err != nil {
			return fmt.Errorf("%s: %w", c.label, err)
		}
		fmt.Printf("%-22s %7d credentials in %6.1fs: %6.0f credentials/s, peak RSS %4d MB\n",
			c.label, rows, elapsed.Seconds(), float64(rows)/elapsed.Seconds(), rss>>10)
	}
	// Running the finished batch again issues nothing: every row is looked
	// up in the store and its file checked against the record.
	elapsed, rss, err := timed(bin, args("di"), nil)
	if err != nil {
		return fmt.Errorf("re-run: %w", err)
	}
	fmt.Printf("%-22s %7d rows checked in %6.1fs, nothing issued, peak RSS %4d MB\n", "re-run (all recorded)", rows, elapsed.Seconds(), rss>>10)
	// Peak memory must not grow with the roster: the same DI batch on
	// shorter rosters.
	for _, n := range []int{rows / 10, rows / 4, rows / 2} {
		if n < 1 {
			continue
		}
		short := filepath.Join(dir, fmt.Sprintf("roster-%d.csv", n))
		if err := writeRoster(short, n); err != nil {
			return err
		}
		name := fmt.Sprintf("di-%d", n)
		elapsed, rss, err := timed(bin, argsFor(short, name), nil)
		if err != nil {
			return fmt.Errorf("%d rows: %w", n, err)
		}
		fmt.Printf("%-22s %7d credentials in %6.1fs: %6.0f credentials/s, peak RSS %4d MB\n",
			"eddsa-rdfc-2022 JSON", n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), rss>>10)
		if os.Getenv("BENCH_KEEP") == "" {
			_ = os.RemoveAll(filepath.Join(dir, name))
		}
	}
	// Resume: kill a DI run half way, then time the run that finishes it.
	out := filepath.Join(dir, "resume")
	kill := func(cmd *exec.Cmd) {
		for {
			entries, _ := os.ReadDir(out)
			if len(entries) >= rows/2 {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if _, _, err := timed(bin, args("resume"), kill); err == nil {
		return fmt.Errorf("the run to interrupt finished before it was killed")
	}
	elapsed, rss, err = timed(bin, args("resume"), nil)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	fmt.Printf("%-22s killed at ~50%%, resumed in %6.1fs, peak RSS %4d MB\n", "resume (eddsa-rdfc-2022)", elapsed.Seconds(), rss>>10)
	return nil
}

func numCPU() int {
	out, err := exec.CommandContext(context.Background(), "nproc").Output()
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}

func writeRoster(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "student_id,email,name,grade")
	for i := range n {
		// Grades A to C: D is below the achievement's requiredValue.
		fmt.Fprintf(w, "s%07d,learner%d@example.edu,Learner Number %d,%c\n", i, i, i, "ABCA"[i%4])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// timed runs the binary and returns its wall time and peak RSS in KiB,
// from the kernel's rusage of the child (ru_maxrss, the high-water mark
// /usr/bin/time -v reports). during, if set, runs alongside it.
func timed(bin string, args []string, during func(*exec.Cmd)) (time.Duration, int64, error) {
	cmd := exec.CommandContext(context.Background(), bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	if during != nil {
		go during(cmd)
	}
	err := cmd.Wait()
	elapsed := time.Since(start)
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	if err != nil {
		return elapsed, rss, fmt.Errorf("%w\n%s", err, stderr.String())
	}
	return elapsed, rss, nil
}

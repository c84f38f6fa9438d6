// Command batch measures `badgesmith batch` (make bench-batch): it
// generates a roster, issues it as eddsa-rdfc-2022 JSON and as VC-JWT,
// and reports credentials per second and the peak resident memory of each
// run, then kills a third run half way and reports how long resuming it
// takes.
package main

import (
	"bufio"
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
	if out, err := exec.Command(bin, "keys", "generate", "--keyring", ring, "bench").CombinedOutput(); err != nil {
		return fmt.Errorf("keys generate: %v\n%s", err, out)
	}
	roster := filepath.Join(dir, "roster.csv")
	if err := writeRoster(roster, rows); err != nil {
		return err
	}
	fmt.Printf("roster: %d rows; %d CPUs\n", rows, numCPU())
	args := func(name string, extra ...string) []string {
		return append([]string{"batch", "--keyring", ring, "--key", "bench",
			"--issuer-profile", filepath.Join(testdata, "issuer.json"),
			"--achievement", filepath.Join(testdata, "achievement.json"),
			"--roster", roster, "--out", filepath.Join(dir, name), "--store", filepath.Join(dir, name+".db"),
			"--status-base-url", "https://example.edu/status/", "--batch-id", "bench-" + name,
			"--key-column", "student_id", "--map", "email=email", "--map", "name=name",
			"--map", "result:Capstone project grade=grade", "--progress", "none"}, extra...)
	}
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
	elapsed, rss, err := timed(bin, args("resume"), nil)
	if err != nil {
		return fmt.Errorf("resume: %w", err)
	}
	fmt.Printf("%-22s killed at ~50%%, resumed in %6.1fs, peak RSS %4d MB\n", "resume (eddsa-rdfc-2022)", elapsed.Seconds(), rss>>10)
	return nil
}

func numCPU() int {
	out, err := exec.Command("nproc").Output()
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
		fmt.Fprintf(w, "s%07d,learner%d@example.edu,Learner Number %d,%c\n", i, i, i, "ABCD"[i%4])
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
	cmd := exec.Command(bin, args...)
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
		return elapsed, rss, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	return elapsed, rss, nil
}

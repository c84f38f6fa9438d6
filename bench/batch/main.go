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
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/badgesmith/badgesmith/internal/cputime"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/proof"
)

func main() {
	bin := flag.String("bin", "bin/badgesmith", "badgesmith binary")
	rows := flag.Int("rows", 100_000, "roster rows")
	testdata := flag.String("testdata", "testdata", "directory with issuer.json and achievement.json")
	ratesOnly := flag.Bool("rates-only", false, "only the JSON and JWT runs and the ratios: no re-run, shorter rosters or resumption")
	flag.Parse()
	if err := run(*bin, *rows, *testdata, *ratesOnly); err != nil {
		fmt.Fprintln(os.Stderr, "bench-batch:", err)
		os.Exit(1)
	}
}

func run(bin string, rows int, testdata string, ratesOnly bool) error {
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
	cpus := numCPU()
	fmt.Printf("roster: %d rows; %d CPUs\n", rows, cpus)
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
	// A credential as the batch issues it, to time signing alone: the
	// first row of a one-row run.
	one := filepath.Join(dir, "roster-1.csv")
	if err := writeRoster(one, 1); err != nil {
		return err
	}
	if _, _, _, _, err := timed(bin, argsFor(one, "sample"), nil); err != nil {
		return fmt.Errorf("sample credential: %w", err)
	}
	sample, err := sampleCredential(filepath.Join(dir, "sample"))
	if err != nil {
		return err
	}
	signBefore, cpuBefore, err := signRate(sample)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		name, label string
		extra       []string
	}{
		{"di", "eddsa-rdfc-2022 JSON", nil},
		{"jwt", "VC-JWT (EdDSA)", []string{"--format", "jwt"}},
	} {
		elapsed, rss, cpu, stderr, err := timed(bin, args(c.name, append(c.extra, "--stats")...), nil)
		if err != nil {
			return fmt.Errorf("%s: %w", c.label, err)
		}
		rate := float64(rows) / elapsed.Seconds()
		fmt.Printf("%-22s %7d credentials in %6.1fs: %6.0f credentials/s, peak RSS %4d MB (target <= 150 MB)\n",
			c.label, rows, elapsed.Seconds(), rate, rss>>10)
		total := cpu.user + cpu.sys
		perRow := total / time.Duration(rows)
		fmt.Printf("    CPU %s (%.0f%% of %d cores over the run), %s per row: user %s, kernel %s per row\n",
			total.Round(time.Millisecond), 100*total.Seconds()/(elapsed.Seconds()*float64(cpus)), cpus, perRow.Round(time.Microsecond),
			(cpu.user / time.Duration(rows)).Round(time.Microsecond), (cpu.sys / time.Duration(rows)).Round(time.Microsecond))
		printStages(stderr)
		if c.name != "di" {
			continue
		}
		signAfter, cpuAfter, err := signRate(sample)
		if err != nil {
			return err
		}
		sign := (signBefore + signAfter) / 2
		signCPU := (cpuBefore + cpuAfter) / 2
		fmt.Printf("%-22s one core signs the batch's credential (proof.Sign, %d N-Quads in) at %.0f/s (%.0f before, %.0f after the batch)\n",
			"", sample.quads, sign, signBefore, signAfter)
		fmt.Printf("%-22s ratio to %d x the one-core sign rate: %.2f (target >= 0.80)\n", "", cpus, rate/(float64(cpus)*sign))
		// Other load on the machine takes cores from the batch and the sign
		// loop at different times; CPU time per row against CPU time per
		// signature is the ratio the batch reaches with the cores to itself.
		fmt.Printf("%-22s CPU per row %s against %s per signature: ratio with the cores to itself %.2f\n",
			"", perRow.Round(time.Microsecond), signCPU.Round(time.Microsecond), signCPU.Seconds()/perRow.Seconds())
	}
	if ratesOnly {
		return nil
	}
	// Running the finished batch again issues nothing: every row is looked
	// up in the store and its file checked against the record.
	elapsed, rss, _, _, err := timed(bin, args("di"), nil)
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
		elapsed, rss, _, _, err := timed(bin, argsFor(short, name), nil)
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
	if _, _, _, _, err := timed(bin, args("resume"), kill); err == nil {
		return fmt.Errorf("the run to interrupt finished before it was killed")
	}
	elapsed, rss, _, _, err = timed(bin, args("resume"), nil)
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

// timed runs the binary and returns its wall time, its peak RSS in KiB,
// from the kernel's rusage of the child (ru_maxrss, the high-water mark
// /usr/bin/time -v reports), and its standard error. during, if set, runs
// alongside it.
func timed(bin string, args []string, during func(*exec.Cmd)) (elapsed time.Duration, rss int64, cpu cpuTimes, stderrText string, err error) {
	cmd := exec.CommandContext(context.Background(), bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, cpuTimes{}, "", err
	}
	if during != nil {
		go during(cmd)
	}
	err = cmd.Wait()
	elapsed = time.Since(start)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
		cpu = cpuTimes{user: time.Duration(ru.Utime.Nano()), sys: time.Duration(ru.Stime.Nano())}
	}
	if err != nil {
		return elapsed, rss, cpu, stderr.String(), fmt.Errorf("%w\n%s", err, stderr.String())
	}
	return elapsed, rss, cpu, stderr.String(), nil
}

// cpuTimes is a child's CPU time in user space and in the kernel: a batch
// writes a file per credential, and the kernel's share shows what the file
// system costs beside the signing.
type cpuTimes struct{ user, sys time.Duration }

// printStages prints the per-stage lines batch --stats wrote to stderr.
func printStages(stderr string) {
	in := false
	for line := range strings.Lines(stderr) {
		switch {
		case strings.HasPrefix(line, "stages over"):
			in = true
			fmt.Print("    ", line)
		case in && strings.HasPrefix(line, "  "):
			fmt.Print("    ", line)
		default:
			in = false
		}
	}
}

// sample is an unsigned credential of the batch and the key to sign it
// with.
type sample struct {
	doc   map[string]any
	key   ed25519.PrivateKey
	vm    string
	quads int
}

// sampleCredential reads the one credential in dir and strips its proof.
func sampleCredential(dir string) (*sample, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	for _, m := range matches {
		if base := filepath.Base(m); strings.HasPrefix(base, "manifest") {
			continue
		}
		data, err := os.ReadFile(m) //nolint:gosec // G304: the bench's own output
		if err != nil {
			return nil, err
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", m, err)
		}
		p, _ := doc["proof"].(map[string]any)
		if list, ok := doc["proof"].([]any); ok && len(list) == 1 {
			p, _ = list[0].(map[string]any)
		}
		vm, _ := p["verificationMethod"].(string)
		if vm == "" {
			return nil, fmt.Errorf("%s: no proof with a verification method", m)
		}
		delete(doc, "proof")
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		nq, err := jsonld.Canonicalize(context.Background(), doc, jsonld.CanonOptions{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m, err)
		}
		return &sample{doc: doc, key: key, vm: vm, quads: strings.Count(string(nq), "\n")}, nil
	}
	return nil, fmt.Errorf("no credential in %s", dir)
}

// signRate returns how many times per second one core signs s (for 2s),
// with the garbage collector tuned as badgesmith batch tunes it, and the
// CPU time (user and system, of this process) one signature took.
func signRate(s *sample) (float64, time.Duration, error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	ctx := context.Background()
	opts := proof.SignOptions{Suite: proof.EddsaRdfc2022, VerificationMethod: s.vm}
	n := 0
	cpu0 := cpuTime()
	start := time.Now()
	for time.Since(start) < 2*time.Second {
		if _, err := proof.Sign(ctx, s.doc, s.key, opts); err != nil {
			return 0, 0, err
		}
		n++
	}
	rate := float64(n) / time.Since(start).Seconds()
	return rate, (cpuTime() - cpu0) / time.Duration(n), nil
}

// cpuTime is the process's CPU time so far, zero where the system does
// not tell (the per-signature figure is then zero, not a guess).
func cpuTime() time.Duration {
	d, _ := cputime.Process()
	return d
}

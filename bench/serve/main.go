// Command serve measures `badgesmith serve` under load (make bench-serve).
//
// In one run it issues a roster with `badgesmith batch` (the batch rate),
// starts `badgesmith serve` on loopback with the same key, issuer profile
// and achievement (rate limits off when the build has them), and drives
// POST /credentials/verify and POST /credentials/issue with vegeta (a
// pinned Go module, installed into a temporary directory) at each client
// count: requests/s, p50 and p99 latency and the server's peak resident
// memory. Beside it, the library's in-process verification rate on the
// same credential with the same number of goroutines, and the ratios issue
// 15 targets: verify over HTTP against in-process, issue over HTTP against
// the batch rate. The load generator shares the machine's cores with the
// server, as a client on the same host would.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/badgesmith/badgesmith/verifier"
)

// vegetaModule is the load generator, pinned.
const vegetaModule = "github.com/tsenart/vegeta/v12@v12.13.0"

// adminKey is installed with BADGESMITH_ADMIN_KEY; the bench server
// listens on loopback only and lives as long as the run.
const adminKey = "bsk_bench-serve-admin-key-0123456789abcdef0123"

type options struct {
	bin, testdata, goBin string
	duration             time.Duration
	clients              []int
	batchRows            int
}

func main() {
	var o options
	var clients string
	flag.StringVar(&o.bin, "bin", "bin/badgesmith", "badgesmith binary")
	flag.StringVar(&o.testdata, "testdata", "testdata", "directory with issuer.json and achievement.json")
	flag.StringVar(&o.goBin, "go", "go", "go command (installs vegeta)")
	flag.DurationVar(&o.duration, "duration", 5*time.Second, "length of each load run")
	flag.StringVar(&clients, "clients", "1,16,128", "comma-separated concurrent client counts")
	flag.IntVar(&o.batchRows, "batch-rows", 3000, "roster rows of the batch run the issue rate is compared with")
	flag.Parse()
	for _, s := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench-serve: -clients %q: want positive integers\n", clients)
			os.Exit(2)
		}
		o.clients = append(o.clients, n)
	}
	// The in-process verifier runs with the collector setting badgesmith
	// verify and serve use, so that it differs from the server by HTTP
	// alone. An explicit GOGC still wins (and reaches the server too).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "bench-serve:", err)
		os.Exit(1)
	}
}

// result is one load run and the baseline measured right after it.
type result struct {
	endpoint   string
	clients    int
	rate       float64 // successful requests per second
	p50, p99   time.Duration
	peakRSSKiB int64
	cpu        time.Duration // server CPU time (user+system) per request
	loadCPU    time.Duration // load generator CPU time per request
	base       baseline
}

// baseline is the library's rate and CPU time per credential without
// HTTP: in-process verification at the same concurrency, or a batch run.
type baseline struct {
	name string
	rate float64
	cpu  time.Duration
}

func run(ctx context.Context, o options) error {
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-serve-")
	if err != nil {
		return err
	}
	if os.Getenv("BENCH_KEEP") == "" {
		defer os.RemoveAll(dir)
	} else {
		fmt.Println("keeping", dir)
	}
	vegeta, err := installVegeta(ctx, o.goBin, dir)
	if err != nil {
		return err
	}
	ring := filepath.Join(dir, "keys")
	if out, err := exec.CommandContext(ctx, bin, "keys", "generate", "--keyring", ring, "bench").CombinedOutput(); err != nil {
		return fmt.Errorf("keys generate: %w\n%s", err, out)
	}
	profile := filepath.Join(o.testdata, "issuer.json")

	batchRuns := 0
	batch := func() (baseline, []byte, error) {
		batchRuns++
		return batchRun(ctx, bin, ring, profile, o.testdata, filepath.Join(dir, fmt.Sprintf("batch-%d", batchRuns)), o.batchRows)
	}
	_, sample, err := batch()
	if err != nil {
		return err
	}
	issueBody, err := issueRequest(sample)
	if err != nil {
		return err
	}
	issueFile := filepath.Join(dir, "issue.json")
	if err := os.WriteFile(issueFile, issueBody, 0o600); err != nil {
		return err
	}

	srv, err := startServer(ctx, bin, dir, ring, profile)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Printf("server pid %d at %s (%s); %d CPUs shared by server and load generator\n", srv.cmd.Process.Pid, srv.base, srv.limits, runtime.NumCPU())

	// The verify request is a credential this server issued.
	var issued struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	if err := srv.post(ctx, "/credentials/issue", issueBody, http.StatusCreated, &issued); err != nil {
		return err
	}
	verifyBody, err := json.Marshal(map[string]any{"verifiableCredential": issued.VerifiableCredential})
	if err != nil {
		return err
	}
	var vr struct {
		Verified bool `json:"verified"`
	}
	if err := srv.post(ctx, "/credentials/verify", verifyBody, http.StatusOK, &vr); err != nil {
		return fmt.Errorf("verifying the issued credential over HTTP: %w", err)
	} else if !vr.Verified {
		return errors.New("the issued credential does not verify over HTTP")
	}
	verifyFile := filepath.Join(dir, "verify.json")
	if err := os.WriteFile(verifyFile, verifyBody, 0o600); err != nil {
		return err
	}
	// The library in this process, on the same credential and the
	// server's own status lists (read from its status directory, as the
	// server's verifier reads them).
	lib, err := verifier.New(verifier.Options{StatusDir: filepath.Join(dir, "serve", "status")})
	if err != nil {
		return err
	}
	if res, err := lib.Verify(ctx, issued.VerifiableCredential); err != nil {
		return fmt.Errorf("verifying the issued credential in-process: %w", err)
	} else if !res.Verdict.Accepted() {
		return fmt.Errorf("the issued credential does not verify in-process: %s", res.Verdict)
	}

	var results []result
	for _, ep := range []struct {
		name, path, body string
		code             int
	}{
		{"verify", "/credentials/verify", verifyFile, http.StatusOK},
		{"issue", "/credentials/issue", issueFile, http.StatusCreated},
	} {
		for _, c := range o.clients {
			r, err := attack(ctx, vegeta, srv, ep.path, ep.body, ep.code, c, o.duration, dir)
			if err != nil {
				return fmt.Errorf("%s at %d clients: %w", ep.name, c, err)
			}
			r.endpoint = ep.name
			// The baseline runs right after, so that both see about the
			// same load from the rest of the machine.
			if ep.name == "verify" {
				r.base = inProcessRate(ctx, lib, issued.VerifiableCredential, c, o.duration)
			} else if r.base, _, err = batch(); err != nil {
				return err
			}
			results = append(results, r)
			fmt.Printf("%-7s %4d clients: %6.0f req/s  p50 %7.2f ms  p99 %7.2f ms  peak RSS %3d MB  server CPU %5.2f ms/req (vegeta %4.2f)  %s %6.0f/s %5.2f ms CPU each\n",
				r.endpoint, c, r.rate, ms(r.p50), ms(r.p99), r.peakRSSKiB>>10, ms(r.cpu), ms(r.loadCPU), r.base.name, r.base.rate, ms(r.base.cpu))
		}
	}
	fmt.Println()
	// Two ratios: of the rates measured (which, on a machine other work
	// also loads, depend on how much CPU each run got) and of the CPU time
	// each credential costs (what the rates would be at equal CPU).
	fmt.Println("| endpoint | clients | req/s | p50 ms | p99 ms | server peak RSS MB | server CPU ms/req | baseline (run right after) | req/s / baseline | at equal CPU |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		fmt.Printf("| %s | %d | %.0f | %.1f | %.1f | %d | %.2f | %s: %.0f/s, %.2f ms CPU each | %.0f%% | %.0f%% |\n",
			r.endpoint, r.clients, r.rate, ms(r.p50), ms(r.p99), r.peakRSSKiB>>10, ms(r.cpu),
			r.base.name, r.base.rate, ms(r.base.cpu), 100*r.rate/r.base.rate, 100*float64(r.base.cpu)/float64(r.cpu))
	}
	fmt.Println("targets at 16 clients: verify >= 60% of in-process with p99 < 50 ms; issue >= 50% of batch")
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// installVegeta installs the pinned vegeta into dir/bin.
func installVegeta(ctx context.Context, goBin, dir string) (string, error) {
	gobin := filepath.Join(dir, "bin")
	cmd := exec.CommandContext(ctx, goBin, "install", vegetaModule)
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=-mod=mod")
	cmd.Dir = dir // outside this module: install the pinned version alone
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("installing %s: %w\n%s", vegetaModule, err, out)
	}
	return filepath.Join(gobin, "vegeta"), nil
}

// batchRun issues rows credentials with `badgesmith batch` into dir and
// returns its rate and CPU time per credential, and one of the
// credentials.
func batchRun(ctx context.Context, bin, ring, profile, testdata, dir string, rows int) (baseline, []byte, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return baseline{}, nil, err
	}
	roster := filepath.Join(dir, "roster.csv")
	var b strings.Builder
	b.WriteString("student_id,email,name,grade\n")
	for i := range rows {
		fmt.Fprintf(&b, "s%07d,learner%d@example.edu,Learner Number %d,%c\n", i, i, i, "ABCA"[i%4])
	}
	if err := os.WriteFile(roster, []byte(b.String()), 0o600); err != nil {
		return baseline{}, nil, err
	}
	out := filepath.Join(dir, "out")
	cmd := exec.CommandContext(ctx, bin, "batch", "--keyring", ring, "--key", "bench",
		"--issuer-profile", profile, "--achievement", filepath.Join(testdata, "achievement.json"),
		"--roster", roster, "--out", out, "--store", filepath.Join(dir, "batch.db"),
		"--status-base-url", "https://example.edu/status/", "--batch-id", "bench",
		"--key-column", "student_id", "--map", "email=email", "--map", "name=name",
		"--map", "result:Capstone project grade=grade", "--progress", "none")
	start := time.Now()
	if b, err := cmd.CombinedOutput(); err != nil {
		return baseline{}, nil, fmt.Errorf("batch: %w\n%s", err, b)
	}
	base := baseline{
		name: fmt.Sprintf("batch of %d", rows),
		rate: float64(rows) / time.Since(start).Seconds(),
		cpu:  (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()) / time.Duration(rows),
	}
	files, err := filepath.Glob(filepath.Join(out, "*.json"))
	if err != nil || len(files) == 0 {
		return baseline{}, nil, fmt.Errorf("batch wrote no credential files in %s", out)
	}
	sample, err := os.ReadFile(files[0])
	return base, sample, err
}

// issueRequest turns a batch-issued credential into the body of an issue
// request for the same credential: without what the server adds (id,
// issuer, validFrom, status entries, proof).
func issueRequest(signed []byte) ([]byte, error) {
	var cred map[string]any
	if err := json.Unmarshal(signed, &cred); err != nil {
		return nil, fmt.Errorf("batch credential: %w", err)
	}
	for _, k := range []string{"id", "issuer", "validFrom", "credentialStatus", "proof"} {
		delete(cred, k)
	}
	return json.Marshal(map[string]any{"credential": cred, "options": map[string]any{}})
}

// server is the running `badgesmith serve`.
type server struct {
	cmd    *exec.Cmd
	base   string
	limits string
	done   chan error
}

func startServer(ctx context.Context, bin, dir, ring, profile string) (*server, error) {
	args := []string{"serve", "--keyring", ring, "--key", "bench", "--issuer-profile", profile,
		"--store", filepath.Join(dir, "served.db"), "--listen", "127.0.0.1:0"}
	limits := "no rate limits in this build"
	// Rate limits are turned off through the configuration file when the
	// build has them (its --print-config lists rateLimits).
	pcArgs := append(slices.Clone(args), "--print-config")
	pc, err := exec.CommandContext(ctx, bin, pcArgs...).Output()
	if err != nil {
		return nil, fmt.Errorf("serve --print-config: %w", err)
	}
	if bytes.Contains(pc, []byte(`"rateLimits"`)) {
		cfg := filepath.Join(dir, "serve.json")
		if err := os.WriteFile(cfg, []byte(`{"rateLimits":{"off":true}}`), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "--config", cfg)
		limits = "rate limits off"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "BADGESMITH_ADMIN_KEY="+adminKey)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, limits: limits, done: make(chan error, 1)}
	listening := make(chan string, 1)
	var head strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if head.Len() < 4096 {
				head.WriteString(line + "\n")
			}
			if _, after, ok := strings.Cut(line, "public_base_url="); ok && strings.Contains(line, "msg=listening") {
				listening <- strings.Fields(after)[0]
			}
		}
		// The access log is read and dropped: a full pipe would stall
		// the server.
		_, _ = io.Copy(io.Discard, stderr)
		s.done <- cmd.Wait()
	}()
	select {
	case s.base = <-listening:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("serve exited: %w\n%s", err, head.String())
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		return nil, errors.New("serve not listening after a minute")
	}
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench-serve: serve after SIGTERM:", err)
		}
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
	}
}

func (s *server) post(ctx context.Context, path string, body []byte, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("POST %s: %d: %s", path, resp.StatusCode, data)
	}
	return json.Unmarshal(data, out)
}

// peakRSS reads the server's resident high-water mark (VmHWM) in KiB.
func peakRSS(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// resetPeakRSS resets the server's VmHWM to its current RSS, so each run
// reports its own peak (Linux clear_refs; ignored elsewhere).
func resetPeakRSS(pid int) {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0o600)
}

// vegetaReport is the part of `vegeta report -type=json` read here.
type vegetaReport struct {
	Latencies struct {
		P50 time.Duration `json:"50th"`
		P99 time.Duration `json:"99th"`
	} `json:"latencies"`
	Requests    int            `json:"requests"`
	Throughput  float64        `json:"throughput"`
	StatusCodes map[string]int `json:"status_codes"`
	Errors      []string       `json:"errors"`
}

// attack runs vegeta with c workers sending as fast as answers come back
// (a closed loop: each client waits for its answer), for d.
func attack(ctx context.Context, vegeta string, s *server, path, body string, want, c int, d time.Duration, dir string) (result, error) {
	targets := filepath.Join(dir, "targets.txt")
	t := fmt.Sprintf("POST %s%s\nContent-Type: application/json\nAuthorization: Bearer %s\n@%s\n", s.base, path, adminKey, body)
	if err := os.WriteFile(targets, []byte(t), 0o600); err != nil {
		return result{}, err
	}
	resetPeakRSS(s.cmd.Process.Pid)
	cpu0 := processCPU(s.cmd.Process.Pid)
	n := strconv.Itoa(c)
	attackCmd := exec.CommandContext(ctx, vegeta, "attack", "-targets", targets, "-rate", "0",
		"-workers", n, "-max-workers", n, "-connections", n, "-duration", d.String(), "-timeout", "60s")
	var stderr bytes.Buffer
	attackCmd.Stderr = &stderr
	raw, err := attackCmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("vegeta attack: %w\n%s", err, stderr.String())
	}
	rss := peakRSS(s.cmd.Process.Pid)
	cpu := processCPU(s.cmd.Process.Pid) - cpu0
	loadCPU := attackCmd.ProcessState.UserTime() + attackCmd.ProcessState.SystemTime()
	rep := exec.CommandContext(ctx, vegeta, "report", "-type", "json")
	rep.Stdin = bytes.NewReader(raw)
	out, err := rep.Output()
	if err != nil {
		return result{}, fmt.Errorf("vegeta report: %w", err)
	}
	var r vegetaReport
	if err := json.Unmarshal(out, &r); err != nil {
		return result{}, fmt.Errorf("vegeta report: %w", err)
	}
	if ok := r.StatusCodes[strconv.Itoa(want)]; ok != r.Requests || r.Requests == 0 {
		return result{}, fmt.Errorf("%d requests, status codes %v, want all %d; errors %v", r.Requests, r.StatusCodes, want, r.Errors)
	}
	return result{clients: c, rate: r.Throughput, p50: r.Latencies.P50, p99: r.Latencies.P99, peakRSSKiB: rss,
		cpu: cpu / time.Duration(r.Requests), loadCPU: loadCPU / time.Duration(r.Requests)}, nil
}

// inProcessRate verifies cred with v from c goroutines for d and returns
// verifications per second and the CPU time of each (this process's, which
// does nothing else meanwhile).
func inProcessRate(ctx context.Context, v *verifier.Verifier, cred []byte, c int, d time.Duration) baseline {
	var n atomic.Int64
	cpu0 := selfCPU()
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if res, err := v.Verify(ctx, cred); err == nil && res.Verdict.Accepted() {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	done := max(n.Load(), 1)
	return baseline{
		name: "in-process verify",
		rate: float64(n.Load()) / elapsed.Seconds(),
		cpu:  (selfCPU() - cpu0) / time.Duration(done),
	}
}

// clockTick is the unit of /proc/PID/stat's times (USER_HZ, 100 on every
// Linux architecture Go supports).
const clockTick = 10 * time.Millisecond

// processCPU is the user plus system CPU time pid has used (0 when
// /proc is not there).
func processCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in its
	// parentheses; utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * clockTick
}

// selfCPU is this process's user plus system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

//go:build !race

package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/badgesmith/badgesmith/testdata/hostile/gen"
)

// hostilePeakRSS are the corpus cases whose peak memory is bounded, with
// the bound on the verifying process's maximum resident set: far below the
// gigabytes these inputs took before issue #10, with room for the runtime.
var hostilePeakRSS = map[string]int64{
	"status-256-lists-16mib": 96 << 20,
	"status-16-lists-16mib":  96 << 20,
	"cpu-20000-tags":         96 << 20,
	"cpu-1mib-tags":          96 << 20,
}

// TestHostilePeakMemory runs the built binary on the corpus's memory cases
// and bounds its peak resident set (getrusage ru_maxrss of the child). The
// child runs under a 2 GiB address-space limit so that a regression fails
// this test instead of exhausting the machine. Race builds are excluded:
// the race detector multiplies memory use.
func TestHostilePeakMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("ru_maxrss is in kilobytes on Linux only; the bound is written for it")
	}
	m := readHostileManifest(t)
	bin := filepath.Join(t.TempDir(), "badgesmith")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the binary under test: %v", err)
	}
	build := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	if _, err := gen.Build(filepath.Join("..", ".."), dir, true); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, c := range m.Cases {
		limit, ok := hostilePeakRSS[c.Name]
		if !ok {
			continue
		}
		seen++
		t.Run(c.Name, func(t *testing.T) {
			args := []string{"verify", "--at", gen.Now}
			if c.StatusDir != "" {
				args = append(args, "--status-dir", filepath.Join(dir, filepath.FromSlash(c.StatusDir)))
			}
			args = append(args, filepath.Join(dir, filepath.FromSlash(c.Files[0])))
			ctx, cancel := context.WithTimeout(context.Background(), 2*cliHangGuard)
			defer cancel()
			cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", `ulimit -v 2097152 && exec "$0" "$@"`, bin}, args...)...)
			out, err := cmd.CombinedOutput()
			if ctx.Err() != nil {
				t.Fatalf("verify still running after %v (hang guard)", 2*cliHangGuard)
			}
			var ee *exec.ExitError
			code := 0
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, []byte("fatal error:")) || bytes.Contains(out, []byte("panic:")) {
				t.Errorf("verify crashed (exit %d):\n%.2000s", code, out)
			} else if !exitMatches(c, code) {
				t.Errorf("exit %d, want %d (%s)\n%.2000s", code, exitFor(c.Verdict), c.Verdict, out)
			}
			ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			if !ok {
				t.Fatal("no rusage for the child")
			}
			peak := ru.Maxrss << 10
			t.Logf("peak RSS %d MiB (bound %d MiB)", peak>>20, limit>>20)
			if peak > limit {
				t.Errorf("peak RSS %d MiB, over the %d MiB bound", peak>>20, limit>>20)
			}
		})
	}
	if seen != len(hostilePeakRSS) {
		t.Errorf("found %d of the %d memory cases in the manifest", seen, len(hostilePeakRSS))
	}
}

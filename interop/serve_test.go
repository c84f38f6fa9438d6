package interop_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
)

// serveHangGuard bounds each wait on the server or node: a hang guard,
// not a timing assertion.
const serveHangGuard = 2 * time.Minute

// adminKey is the admin API key the test installs with
// BADGESMITH_ADMIN_KEY.
const adminKey = "bsk_interop-admin-key-0123456789abcdef0123456789"

// buildBadgesmith builds cmd/badgesmith into a temporary directory.
func buildBadgesmith(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the server under test: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "badgesmith")
	if out, err := exec.Command(goBin, "build", "-o", bin, "../cmd/badgesmith").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// servedProcess is a running `badgesmith serve`.
type servedProcess struct {
	base string
	cmd  *exec.Cmd
	log  *testkit.SyncBuffer
	done chan error
}

// startServe generates a key in a fresh keyring and starts
// `badgesmith serve` with it on 127.0.0.1 (a port of its choosing), a fresh
// bbolt store and the admin key adminKey, plus args. It returns once the
// server logs that it listens; the process is stopped with SIGTERM at the
// end of the test if the test did not stop it.
func startServe(t *testing.T, bin string, args ...string) *servedProcess {
	t.Helper()
	dir := t.TempDir()
	ring := filepath.Join(dir, "keys")
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "BADGESMITH_ADMIN_KEY=" + adminKey}
	gen := exec.Command(bin, "keys", "generate", "--keyring", ring, "registrar")
	gen.Env = env
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("keys generate: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--key", "registrar", "--keyring", ring,
		"--store", filepath.Join(dir, "issued.db"), "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	p := &servedProcess{cmd: cmd, log: &testkit.SyncBuffer{}, done: make(chan error, 1)}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			_, _ = p.log.Write([]byte(line + "\n"))
			if _, after, ok := strings.Cut(line, "public_base_url="); ok && strings.Contains(line, "msg=listening") {
				listening <- strings.Fields(after)[0]
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.base = <-listening:
	case err := <-p.done:
		t.Fatalf("serve exited before listening: %v\n%s", err, p.log.String())
	case <-time.After(serveHangGuard):
		t.Fatalf("serve not listening after %v (hang guard)\n%s", serveHangGuard, p.log.String())
	}
	return p
}

// stop sends SIGTERM and requires a clean exit.
func (p *servedProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, p.log.String())
		}
	case <-time.After(serveHangGuard):
		t.Fatalf("serve still running %v after SIGTERM (hang guard)", serveHangGuard)
	}
}

// post sends body as JSON with the admin key and decodes a wantCode
// answer into out.
func (p *servedProcess) post(t *testing.T, path string, body any, wantCode int, out any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), serveHangGuard)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+path, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantCode {
		t.Fatalf("POST %s: %d, want %d: %s", path, resp.StatusCode, wantCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("POST %s answered %q: %v", path, data, err)
		}
	}
}

// jsHTTPVerdict is one line of httpverify.mjs.
type jsHTTPVerdict struct {
	Verified      bool   `json:"verified"`
	ProofVerified bool   `json:"proofVerified"`
	StatusChecked bool   `json:"statusChecked"`
	Error         string `json:"error"`
	Statuses      []struct {
		Purpose string `json:"purpose"`
		Index   int    `json:"index"`
		Set     bool   `json:"set"`
	} `json:"statuses"`
	Fetched []string `json:"fetched"`
}

// bits maps each status purpose to the bit the JS stack read.
func (v jsHTTPVerdict) bits() map[string]bool {
	out := map[string]bool{}
	for _, s := range v.Statuses {
		out[s.Purpose] = s.Set
	}
	return out
}

// jsVerifyOverHTTP has the Digital Bazaar stack verify creds, fetching
// what it needs beyond contexts and did:key from base only.
func jsVerifyOverHTTP(t *testing.T, node, base string, creds []map[string]any) []jsHTTPVerdict {
	t.Helper()
	in, err := json.Marshal(creds)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), serveHangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "httpverify.mjs", "--base", base)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("httpverify.mjs: %v\n%s", err, stderr.String())
	}
	var verdicts []jsHTTPVerdict
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var v jsHTTPVerdict
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("httpverify.mjs printed %q: %v", out, err)
		}
		verdicts = append(verdicts, v)
	}
	if len(verdicts) != len(creds) {
		t.Fatalf("httpverify.mjs answered %d lines for %d credentials: %s", len(verdicts), len(creds), out)
	}
	return verdicts
}

// TestJavaScriptVerifiesOverHTTP runs `badgesmith serve` (real bbolt store
// and keyring) with revocation and suspension entries, issues two
// credentials through POST /credentials/issue, and has the Digital Bazaar
// stack verify them, reading each status entry's bit from the list it
// fetches from the server. It then revokes the first and suspends the
// second through POST /credentials/status and requires the stack to read
// exactly those bits set, then lifts the suspension and requires that bit
// clear again: a list signed or served wrong, an index mixed up or a
// change not re-signed fails it.
func TestJavaScriptVerifiesOverHTTP(t *testing.T) {
	node := requireNode(t)
	srv := startServe(t, buildBadgesmith(t), "--issuer-profile", filepath.Join("..", "examples", "issuer.json"), "--suspension")

	request := testkit.ReadJSON(t, filepath.Join("..", "examples", "vc-api-issue.json"))
	var creds []map[string]any
	var ids []string
	for _, id := range []string{"urn:uuid:0d9b3c1e-0000-4e8a-9c61-2d5b8e0f4a01", "urn:uuid:0d9b3c1e-0000-4e8a-9c61-2d5b8e0f4a02"} {
		request["credential"].(map[string]any)["id"] = id
		var issued struct {
			VerifiableCredential map[string]any `json:"verifiableCredential"`
		}
		srv.post(t, "/credentials/issue", request, http.StatusCreated, &issued)
		creds = append(creds, issued.VerifiableCredential)
		ids = append(ids, id)
	}

	// check has the stack verify both credentials and compares the bits it
	// read with want (per credential, per purpose).
	check := func(stage string, want []map[string]bool) {
		t.Helper()
		for i, v := range jsVerifyOverHTTP(t, node, srv.base, creds) {
			if !v.Verified || !v.ProofVerified || !v.StatusChecked {
				t.Fatalf("%s: credential %d not verified by the JS stack: %+v", stage, i, v)
			}
			if got := v.bits(); len(got) != 2 || got["revocation"] != want[i]["revocation"] || got["suspension"] != want[i]["suspension"] {
				t.Errorf("%s: credential %d: the JS stack read %v, want %v (%+v)", stage, i, got, want[i], v.Statuses)
			}
			// The status lists came from the server, not from anywhere else.
			for _, cs := range creds[i]["credentialStatus"].([]any) {
				list := cs.(map[string]any)["statusListCredential"].(string)
				if !strings.HasPrefix(list, srv.base+"/") || !contains(v.Fetched, list) {
					t.Errorf("%s: credential %d: list %s not fetched from the server (fetched %v)", stage, i, list, v.Fetched)
				}
			}
		}
	}
	clear := map[string]bool{"revocation": false, "suspension": false}
	check("as issued", []map[string]bool{clear, clear})

	setStatus := func(id, purpose string, set bool) {
		t.Helper()
		srv.post(t, "/credentials/status", map[string]any{
			"credentialId":     id,
			"credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": purpose},
			"status":           set,
		}, http.StatusOK, nil)
	}
	setStatus(ids[0], "revocation", true)
	setStatus(ids[1], "suspension", true)
	check("after revoking the first and suspending the second", []map[string]bool{
		{"revocation": true, "suspension": false},
		{"revocation": false, "suspension": true},
	})
	setStatus(ids[1], "suspension", false)
	check("after lifting the suspension", []map[string]bool{
		{"revocation": true, "suspension": false},
		clear,
	})
	srv.stop(t)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

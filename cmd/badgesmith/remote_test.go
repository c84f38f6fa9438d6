package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/server"
	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/store/bolt"
)

const remoteAdminKey = "bsk_remote-test-admin-key-0123456789abcdef"

// startServe runs "badgesmith serve" in-process on loopback with a real
// bbolt store and returns its base URL; it stops when the test ends.
// extra are further serve flags.
func startServe(t *testing.T, ring, storePath string, extra ...string) string {
	t.Helper()
	t.Setenv("BADGESMITH_ADMIN_KEY", remoteAdminKey)
	ctx, cancel := context.WithCancel(context.Background())
	var errOut testkit.SyncBuffer
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, append([]string{"serve", "--key", "registrar", "--keyring", ring, "--suspension",
			"--store", storePath, "--listen", "127.0.0.1:0"}, extra...), strings.NewReader(""), io.Discard, &errOut)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-exited; code != exitOK {
			t.Errorf("serve exited %d: %s", code, errOut.String())
		}
	})
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); { // hang guard only
		if _, after, ok := strings.Cut(errOut.String(), "public_base_url="); ok {
			base, _, _ := strings.Cut(after, "\n")
			return base
		}
		select {
		case code := <-exited:
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start: %s", errOut.String())
	return ""
}

// call sends a JSON request to the server and returns the status and body.
func call(t *testing.T, method, u, key string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

func readJSONFile(t *testing.T, path string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(readFile(t, path), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCLIThroughServer: while serve holds the store, the administrative
// commands go through its admin API and their effect is seen over HTTP.
func TestCLIThroughServer(t *testing.T) {
	e := newStatusEnv(t)
	t.Setenv("BADGESMITH_SERVER", "")
	t.Setenv("BADGESMITH_API_KEY", "")
	base := startServe(t, e.ring, e.store)

	// Issue over HTTP: the credential's lists are the server's.
	subject := readJSONFile(t, testdata("subject.json"))
	subject["achievement"] = readJSONFile(t, testdata("achievement.json"))
	code, body := call(t, "POST", base+"/credentials/issue", remoteAdminKey, map[string]any{"credential": map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"type":     []any{"VerifiableCredential", "OpenBadgeCredential"}, "name": "Sample", "credentialSubject": subject,
	}})
	if code != http.StatusCreated {
		t.Fatalf("issue: %d %s", code, body)
	}
	var issued struct {
		VC map[string]any `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(body, &issued); err != nil {
		t.Fatal(err)
	}
	id, _ := issued.VC["id"].(string)
	verified := func() int {
		code, _ := call(t, "POST", base+"/credentials/verify", "", map[string]any{"verifiableCredential": issued.VC})
		return code
	}
	if c := verified(); c != http.StatusOK {
		t.Fatalf("verify before revoking: %d", c)
	}

	// The store is locked: without an admin key the command says what to do.
	code, _, errOut := runKeys(t, "", "revoke", id, "--reason", "issued in error", "--store", e.store)
	if code != exitError || !strings.Contains(errOut, "locked by the badgesmith serve at "+base) || !strings.Contains(errOut, "BADGESMITH_API_KEY") {
		t.Fatalf("revoke without a key: exit %d: %s", code, errOut)
	}

	t.Setenv("BADGESMITH_API_KEY", remoteAdminKey)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"suspend", id, "--reason", "review", "--actor", "alice", "--store", e.store}, "suspended"},
		{[]string{"reinstate", id, "--reason", "cleared", "--store", e.store}, "reinstated"},
		{[]string{"revoke", id, "--reason", "issued in error", "--store", e.store}, "revoked"},
		{[]string{"revoke", id, "--reason", "again", "--store", e.store}, "already revoked"},
		{[]string{"show", id, "--store", e.store}, "alice via admin API"},
		{[]string{"list", "--status", "revoked", "--store", e.store}, id},
		{[]string{"status", "lists", "--store", e.store}, base + "/status/revocation-1"},
		{[]string{"status", "publish", "--server", base}, base + "/status/revocation-1"},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			code, out, errOut := runKeys(t, "", tc.args...)
			if code != exitOK || !strings.Contains(out, tc.want) {
				t.Fatalf("%s: exit %d, want %q in\n%s%s", strings.Join(tc.args, " "), code, tc.want, out, errOut)
			}
			if strings.Contains(out+errOut, remoteAdminKey) {
				t.Error("the admin key was printed")
			}
		})
	}
	if c := verified(); c != http.StatusBadRequest {
		t.Errorf("verify after the CLI's revoke: %d, want 400", c)
	}

	// API keys and OAuth clients, with the server named by the environment.
	t.Setenv("BADGESMITH_SERVER", base)
	code, key, errOut := runKeys(t, "", "apikey", "create", "--name", "reader", "--scope", server.ScopeRead)
	key = strings.TrimSpace(key)
	if code != exitOK || !strings.HasPrefix(key, server.KeyPrefix) {
		t.Fatalf("apikey create: exit %d %q %s", code, key, errOut)
	}
	read := func(tok string) int {
		c, _ := call(t, "GET", base+"/credentials/"+url.PathEscape(id), tok, nil)
		return c
	}
	if c := read(key); c != http.StatusOK {
		t.Fatalf("GET with the new key: %d", c)
	}
	_, list, _ := runKeys(t, "", "apikey", "list")
	var keyID string
	for line := range strings.Lines(list) {
		if strings.Contains(line, "reader") {
			keyID = strings.Fields(line)[0]
		}
	}
	if keyID == "" || strings.Contains(list, key) {
		t.Fatalf("apikey list:\n%s", list)
	}
	if code, out, errOut := runKeys(t, "", "apikey", "revoke", keyID); code != exitOK || !strings.Contains(out, "revoked") {
		t.Fatalf("apikey revoke: %d %s%s", code, out, errOut)
	}
	if c := read(key); c != http.StatusUnauthorized {
		t.Errorf("GET with the revoked key: %d", c)
	}

	code, out, errOut := runKeys(t, "", "oauth-client", "create", "--scope", server.ScopeRead)
	creds, _ := url.ParseQuery(strings.ReplaceAll(strings.TrimSpace(out), "\n", "&"))
	if code != exitOK || creds.Get("client_id") == "" || creds.Get("client_secret") == "" {
		t.Fatalf("oauth-client create: %d %s%s", code, out, errOut)
	}
	req, _ := http.NewRequest("POST", base+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(creds.Get("client_id"), creds.Get("client_secret"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	if c := read(tok.AccessToken); c != http.StatusOK {
		t.Errorf("GET with the access token: %d", c)
	}
	if code, _, errOut := runKeys(t, "", "oauth-client", "revoke", creds.Get("client_id")); code != exitOK {
		t.Fatalf("oauth-client revoke: %s", errOut)
	}
	if c := read(tok.AccessToken); c != http.StatusUnauthorized {
		t.Errorf("GET with the revoked client's token: %d", c)
	}
}

// TestLockedStoreSaysWhatToDo: a store locked by a process that announced
// no server gets an error naming --server and BADGESMITH_API_KEY.
func TestLockedStoreSaysWhatToDo(t *testing.T) {
	t.Setenv("BADGESMITH_SERVER", "")
	path := filepath.Join(t.TempDir(), "issued.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	code, _, errOut := runKeys(t, "", "list", "--store", path)
	if code != exitError || !strings.Contains(errOut, "locked by another process") || !strings.Contains(errOut, "--server URL") || !strings.Contains(errOut, "BADGESMITH_API_KEY") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

func TestAPIKeyNeedsServer(t *testing.T) {
	t.Setenv("BADGESMITH_SERVER", "")
	code, _, errOut := runKeys(t, "", "apikey", "list")
	if code != exitError || !strings.Contains(errOut, "--server URL") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	t.Setenv("BADGESMITH_API_KEY", "")
	code, _, errOut = runKeys(t, "", "apikey", "list", "--server", "http://127.0.0.1:1")
	if code != exitError || !strings.Contains(errOut, "BADGESMITH_API_KEY") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("bsk_x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A plain http server that is not loopback would see the key.
	code, _, errOut = runKeys(t, "", "apikey", "list", "--server", "http://badges.example", "--api-key-file", keyFile)
	if code != exitError || !strings.Contains(errOut, "https or to loopback only") || strings.Contains(errOut, "bsk_x") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

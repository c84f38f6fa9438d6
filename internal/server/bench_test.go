package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/store/bolt"
)

// loopbackServer serves a fresh bbolt store and an issuer with a new key
// of type kt signing in format (the key type's suite if ""), with
// revocation entries, on loopback until tb ends, and returns its base
// URL: the server as `badgesmith serve` builds it, for the suites test and
// for profiles of the handlers under concurrent load (make bench-serve
// measures the binary).
func loopbackServer(tb testing.TB, kt keys.Type, format issuer.Format) string {
	tb.Helper()
	dir := tb.TempDir()
	kp, err := keys.Generate(kt, rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	signer, err := issuer.NewSigner(kp.Private, issuer.SignerOptions{Format: format})
	if err != nil {
		tb.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(dir, "issued.db"), bolt.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	profile := map[string]any{"name": "Bench University"}
	is, err := issuer.New(issuer.Config{Profile: profile, Signer: signer, Store: db, StatusBaseURL: base + "/status/"})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := New(ctx, Options{
		PublicBaseURL: base, Issuer: is, IssuerID: signer.Identity().ID, Profile: profile,
		Store: db, DataDir: filepath.Join(dir, "serve"), StatusBaseURL: base + "/status/", AdminKey: testAdminKey,
		RateLimits: RateLimits{Off: true}, // load from one client is what the benchmarks measure
	})
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, ServeOptions{}) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Error(err)
		}
		_ = db.Close()
	})
	return base
}

// benchServer is the Ed25519 eddsa-rdfc-2022 loopbackServer.
func benchServer(b *testing.B) string { return loopbackServer(b, keys.Ed25519, "") }

// benchPost posts body to url and requires the answer want.
func benchPost(client *http.Client, url string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("POST %s: %d, want %d: %s", url, resp.StatusCode, want, data)
	}
	return data, nil
}

// benchParallel posts body to url from benchClients goroutines, b.N
// times in all.
func benchParallel(b *testing.B, client *http.Client, url string, body []byte, want int) {
	b.SetParallelism(max(1, benchClients/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := benchPost(client, url, body, want); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchIssueBody is the README's issue request without its id, so every
// request issues a new credential.
func benchIssueBody(b *testing.B) []byte {
	req := testkit.ReadJSON(b, filepath.Join("..", "..", "examples", "vc-api-issue.json"))
	delete(req["credential"].(map[string]any), "id")
	body, err := json.Marshal(req)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// benchClients are the concurrent clients of the parallel benchmarks, as
// the issue's targets name them.
const benchClients = 16

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
}

// BenchmarkServeIssue is POST /credentials/issue from benchClients
// concurrent clients.
func BenchmarkServeIssue(b *testing.B) {
	base := benchServer(b)
	body := benchIssueBody(b)
	client := benchClient()
	benchParallel(b, client, base+"/credentials/issue", body, http.StatusCreated)
}

// BenchmarkServeVerify is POST /credentials/verify of a credential the
// server issued, from benchClients concurrent clients.
func BenchmarkServeVerify(b *testing.B) {
	base := benchServer(b)
	client := benchClient()
	var issued struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	data, err := benchPost(client, base+"/credentials/issue", benchIssueBody(b), http.StatusCreated)
	if err != nil {
		b.Fatal(err)
	}
	if err := json.Unmarshal(data, &issued); err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"verifiableCredential": issued.VerifiableCredential})
	if err != nil {
		b.Fatal(err)
	}
	benchParallel(b, client, base+"/credentials/verify", body, http.StatusOK)
}

package server

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listOnDisk reads the validUntil of the list file behind listURL.
func listOnDisk(t *testing.T, ts *testServer, listURL string) ([]byte, time.Time) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(ts.lists.dir, path.Base(listURL)))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ValidUntil time.Time `json:"validUntil"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return data, doc.ValidUntil
}

func TestBackgroundRefresher(t *testing.T) {
	clock := newFakeClock()
	ticks := make(chan time.Time)
	passes := make(chan error)
	ts := startServer(t, testConfig{now: clock.Now, statusValidity: time.Hour, refreshTicks: ticks,
		afterRefresh: func(err error) { passes <- err }})
	tick := func() {
		t.Helper()
		ticks <- clock.Now()
		if err := <-passes; err != nil {
			t.Fatalf("refresh pass: %v", err)
		}
	}
	vc := ts.issue(t, sampleCredential(t))
	list := listURL(t, vc)
	body0, until0 := listOnDisk(t, ts, list)
	if !until0.Equal(clock.Now().Add(time.Hour)) {
		t.Fatalf("list valid until %s, want an hour from now", until0)
	}

	// Fresh and unchanged: nothing is signed.
	clock.Add(30 * time.Minute)
	tick()
	if body, _ := listOnDisk(t, ts, list); !bytes.Equal(body, body0) {
		t.Error("a fresh, unchanged list was signed again")
	}

	// Within a quarter of its validity of the end: signed again by the
	// refresher (read from the disk, before any GET could do it).
	clock.Add(16 * time.Minute)
	tick()
	body1, until1 := listOnDisk(t, ts, list)
	if !until1.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("after the pass the list runs until %s, want %s", until1, clock.Now().Add(time.Hour))
	}
	resp := get(t, list)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(resp.Body, body1) {
		t.Errorf("served list differs from the one written (%d)", resp.StatusCode)
	}

	// A change made to the store behind the server's back is published
	// on the next pass, and seen by verify.
	if err := ts.opts.Issuer.Revoke(t.Context(), vc["id"].(string), "test", "behind the server's back"); err != nil {
		t.Fatal(err)
	}
	tick()
	if body, _ := listOnDisk(t, ts, list); bytes.Equal(body, body1) {
		t.Error("the changed list was not signed again")
	}
	if code, res := ts.verifyVC(t, vc); code != http.StatusBadRequest || res.Decision != "status" {
		t.Errorf("verify after the pass: %d %s", code, res.Decision)
	}

	// The metric counts the passes.
	var buf bytes.Buffer
	ts.metrics.write(&buf)
	if v, ok := value(parseExposition(t, buf.Bytes()), "badgesmith_status_list_refreshes_total", "result", "ok"); !ok || v != 3 {
		t.Errorf("refreshes_total{ok} = %v, want 3", v)
	}
}

// TestRefresherStopsOnShutdown: a pass in progress when shutdown begins
// finishes before Serve returns (so the store is never closed under it),
// and no pass starts after.
func TestRefresherStopsOnShutdown(t *testing.T) {
	ticks := make(chan time.Time)
	entered := make(chan struct{})
	release := make(chan struct{})
	ts := startServer(t, testConfig{refreshTicks: ticks, afterRefresh: func(error) {
		close(entered)
		<-release
	}})
	ts.issue(t, sampleCredential(t))
	ticks <- time.Now()
	<-entered
	ts.cancel()
	// Shutdown has begun once the listener refuses connections.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); { // hang guard only
		c, err := net.Dial("tcp", strings.TrimPrefix(ts.url, "http://"))
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-ts.done:
		t.Fatalf("Serve returned (%v) while a refresh pass was in progress", err)
	default:
	}
	close(release)
	if err := <-ts.done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	close(ts.done)
	select {
	case ticks <- time.Now():
		t.Error("the refresher still takes ticks after Serve returned")
	default:
	}
}

package server

import (
	"bytes"
	"encoding/base64"
	"html"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syncBuffer is a log sink safe for the server's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRedTeamShareTokenNotLogged: a share token is a bearer secret the
// store keeps only hashed; the access log must not write it either, for
// the page nor for its image.
func TestRedTeamShareTokenNotLogged(t *testing.T) {
	var logs syncBuffer
	var clock atomic.Pointer[time.Time]
	start := time.Now().UTC().Truncate(time.Second)
	clock.Store(&start)
	ts := startServer(t, testConfig{now: func() time.Time { return *clock.Load() }, logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	f := walletFlow{ts: ts, clock: &clock}
	cred := sampleCredential(t)
	subj := cred["credentialSubject"].(map[string]any)
	delete(subj, "id")
	subj["identifier"] = []any{map[string]any{
		"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
		"identityHash": "sha256$0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", "salt": "pepper-and-s4lt",
	}}
	issued := ts.issue(t, cred)
	o := f.offer(t, issued["id"].(string), false)
	link := consentedShare(t, f, o.OfferID)
	_, tok, ok := strings.Cut(link, "/c/")
	if !ok || len(tok) < 16 {
		t.Fatalf("share link %q: no token", link)
	}
	for _, p := range []string{"/c/" + tok, "/c/" + tok + "/image"} {
		if r := f.getWith(t, p, "text/html"); r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", p, r.StatusCode)
		}
	}
	if strings.Contains(logs.String(), tok) {
		t.Errorf("the log holds the share token:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), o.OfferID) {
		t.Errorf("the log holds the offer id")
	}
}

// TestRedTeamClaimPageBadgeImage: the claim page shows the achievement's
// embedded image; html/template replaces a data: URL given as a plain
// string with "#ZgotmplZ", which hid every embedded badge image (the
// page's other data: URL, the QR code, masked it in TestClaimPage).
func TestRedTeamClaimPageBadgeImage(t *testing.T) {
	f := startWalletServer(t)
	img, err := plainBadge()
	if err != nil {
		t.Fatal(err)
	}
	want := "data:image/png;base64," + base64.StdEncoding.EncodeToString(img)
	cred := sampleCredential(t)
	cred["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["image"] = map[string]any{"id": want, "type": "Image"}
	issued := f.ts.issue(t, cred)
	o := f.offer(t, issued["id"].(string), false)
	// The page escapes "+" as "&#43;", which the browser reads back.
	body := html.UnescapeString(string(f.getWith(t, "/claim/"+o.OfferID, "text/html").Body))
	if !strings.Contains(body, `<img class="badge" src="`+want+`"`) {
		i := strings.Index(body, `class="badge"`)
		t.Errorf("the claim page does not show the embedded badge image: %.80s", body[max(i, 0):])
	}
}

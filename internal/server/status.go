package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
)

// updateStatus handles POST /credentials/status: revocation is final
// (status false on a revocation entry is refused), a suspension can be set
// and lifted, and the changed list is signed again before the answer, so
// the next fetch of the list, and the next verification here, sees the
// change.
func (s *Server) updateStatus(w http.ResponseWriter, r *http.Request) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	req, err := parseStatusRequest(data)
	if err != nil {
		return err
	}
	ctx := r.Context()
	in := s.instanceOf(r)
	if _, err := in.store.GetCredential(ctx, req.credentialID); errors.Is(err, store.ErrNotFound) {
		return problemErr(http.StatusNotFound, ProbNotFound, "credentialId", "no credential "+req.credentialID+" was issued here")
	} else if err != nil {
		return err
	}
	actor := "api key " + callerID(r)
	const reason = "POST /credentials/status"
	is := in.issuer
	switch {
	case req.purpose == store.PurposeRevocation && !req.set:
		return problemErr(http.StatusBadRequest, ProbFinal, "status", "a revocation cannot be cleared")
	case req.purpose == store.PurposeRevocation:
		err = is.Revoke(ctx, req.credentialID, actor, reason)
	case req.set:
		err = is.Suspend(ctx, req.credentialID, actor, reason)
	default:
		err = is.Reinstate(ctx, req.credentialID, actor, reason)
	}
	switch {
	case errors.Is(err, issuer.ErrNoStatusEntry):
		return problemErr(http.StatusBadRequest, ProbInvalidField, "credentialStatus.statusPurpose", "the credential has no "+string(req.purpose)+" entry")
	case errors.Is(err, store.ErrFinal):
		return problemErr(http.StatusConflict, ProbFinal, "status", "the credential is revoked; its status can no longer change")
	case errors.Is(err, store.ErrNotFound):
		return problemErr(http.StatusNotFound, ProbNotFound, "credentialId", "no credential "+req.credentialID+" was issued here")
	case err != nil:
		return err
	}
	s.metrics.statusUpdated(req.purpose, req.set)
	if err := in.lists.refresh(ctx); err != nil {
		return fmt.Errorf("signing the changed status list: %w", err)
	}
	if err := s.renewVerifier(); err != nil {
		return err
	}
	rec, err := in.store.GetCredential(ctx, req.credentialID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"credentialId":     req.credentialID,
		"credentialStatus": map[string]string{"type": "BitstringStatusListEntry", "statusPurpose": string(req.purpose)},
		"status":           req.set,
		"state":            rec.State,
	})
	return nil
}

// listHost signs the issuer's status lists into status/ of the data
// directory (which the server's verifier also reads them from) and serves
// them. The signed bytes are kept in memory, so a list is served with the
// same bytes, and ETag, until it changes or nears its validUntil.
type listHost struct {
	dir string
	// route is the mux path prefix of the lists ("/status/"), "" when the
	// status base URL is not under the public base URL.
	route string
	is    *issuer.Issuer
	now   func() time.Time

	signMu sync.Mutex // one re-signing at a time
	mu     sync.RWMutex
	lists  map[string]*hostedList // by file name (the URL's last segment)
}

// hostedList is one signed list as served.
type hostedList struct {
	body       []byte
	etag       string
	validFrom  time.Time
	validUntil time.Time
	ttl        time.Duration
	hasTTL     bool
}

func newListHost(ctx context.Context, dir string, is *issuer.Issuer, statusBaseURL string, now func() time.Time, base *url.URL) (*listHost, error) {
	h := &listHost{dir: dir, is: is, now: now, lists: map[string]*hostedList{}}
	if err := os.MkdirAll(h.dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating status directory: %w", err)
	}
	if statusBaseURL == "" {
		return h, nil
	}
	root := strings.TrimSuffix(base.String(), "/") + "/"
	if strings.HasPrefix(statusBaseURL, root) {
		su, err := url.Parse(statusBaseURL)
		if err != nil {
			return nil, fmt.Errorf("status base url: %w: %w", ErrConfig, err)
		}
		h.route = strings.TrimSuffix(su.EscapedPath(), "/") + "/"
	}
	if err := h.refresh(ctx); err != nil {
		return nil, fmt.Errorf("signing status lists: %w", err)
	}
	return h, nil
}

// refresh signs again the lists that changed, are new, or near their
// validUntil (issuer.Refresh), and reloads them.
func (h *listHost) refresh(ctx context.Context) error {
	_, err := h.refreshed(ctx)
	return err
}

// refreshed is refresh, reporting whether it signed a list. A list is
// signed again once within issuer.DefaultRefreshWindow of its validUntil,
// or within a quarter of its validity if that is shorter (as stale says).
func (h *listHost) refreshed(ctx context.Context) (bool, error) {
	h.signMu.Lock()
	defer h.signMu.Unlock()
	window := issuer.DefaultRefreshWindow
	h.mu.RLock()
	for _, hl := range h.lists {
		if !hl.validFrom.IsZero() && !hl.validUntil.IsZero() {
			window = min(window, hl.validUntil.Sub(hl.validFrom)/4)
		}
	}
	h.mu.RUnlock()
	pubs, err := h.is.Refresh(ctx, h.dir, window)
	if err != nil {
		return false, err
	}
	signed := false
	lists := make(map[string]*hostedList, len(pubs))
	for _, p := range pubs {
		signed = signed || p.Signed
		body, err := os.ReadFile(p.Path)
		if err != nil {
			return signed, err
		}
		hl, err := parseHosted(body)
		if err != nil {
			return signed, fmt.Errorf("%s: %w", p.Path, err)
		}
		lists[filepath.Base(p.Path)] = hl
	}
	h.mu.Lock()
	h.lists = lists
	h.mu.Unlock()
	return signed, nil
}

// ensure refreshes the lists when refs name one not yet hosted (a list
// the issuer just made) and reports whether it did. Unknown names asked
// for by GET never cause a refresh, so nobody can make the server re-sign
// by asking.
func (h *listHost) ensure(ctx context.Context, refs []store.StatusRef, log *slog.Logger) bool {
	for _, ref := range refs {
		name := ref.ListID[strings.LastIndex(ref.ListID, "/")+1:]
		h.mu.RLock()
		_, ok := h.lists[name]
		h.mu.RUnlock()
		if !ok {
			// A failure here leaves the list unserved until the next
			// refresh; the credential is issued and recorded either way.
			if err := h.refresh(ctx); err != nil {
				log.Error("signing a new status list", "list", ref.ListID, "error", err.Error())
			}
			return true
		}
	}
	return false
}

func parseHosted(body []byte) (*hostedList, error) {
	var doc struct {
		ValidFrom         string `json:"validFrom"`
		ValidUntil        string `json:"validUntil"`
		CredentialSubject struct {
			TTL json.Number `json:"ttl"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	hl := &hostedList{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
	for _, f := range []struct {
		name, v string
		t       *time.Time
	}{{"validFrom", doc.ValidFrom, &hl.validFrom}, {"validUntil", doc.ValidUntil, &hl.validUntil}} {
		if f.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		*f.t = t
	}
	if doc.CredentialSubject.TTL != "" {
		ms, err := doc.CredentialSubject.TTL.Int64()
		if err != nil || ms < 0 {
			return nil, fmt.Errorf("credentialSubject.ttl %q: want a non-negative integer", doc.CredentialSubject.TTL)
		}
		hl.ttl, hl.hasTTL = time.Duration(ms)*time.Millisecond, true
	}
	return hl, nil
}

// stale reports whether the list is near enough its validUntil to be
// signed again before it is served: within issuer.DefaultRefreshWindow, or
// a quarter of its validity if that is shorter.
func (hl *hostedList) stale(now time.Time) bool {
	if hl.validUntil.IsZero() {
		return false
	}
	window := issuer.DefaultRefreshWindow
	if !hl.validFrom.IsZero() {
		window = min(window, hl.validUntil.Sub(hl.validFrom)/4)
	}
	return hl.validUntil.Sub(now) < window
}

// maxAge is how long a cache may keep a list fetched at now: its ttl
// (milliseconds, so ttl/1000 seconds), but never past its validUntil,
// when a cached copy would be refused anyway. Without a ttl, 0.
func maxAge(hl *hostedList, now time.Time) int64 {
	var age int64
	if hl.hasTTL {
		age = int64(hl.ttl / time.Second)
	}
	if !hl.validUntil.IsZero() {
		left := int64(hl.validUntil.Sub(now) / time.Second)
		age = min(age, left)
	}
	return max(age, 0)
}

// getList handles GET <status path>{name}.
func (s *Server) getList(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	h := s.instanceOf(r).lists
	h.mu.RLock()
	hl, ok := h.lists[name]
	h.mu.RUnlock()
	if !ok {
		return problemErr(http.StatusNotFound, ProbNotFound, "", "no status list "+name)
	}
	now := s.opts.Now()
	if hl.stale(now) {
		if err := h.refresh(r.Context()); err != nil {
			return err
		}
		h.mu.RLock()
		if fresh, ok := h.lists[name]; ok {
			hl = fresh
		}
		h.mu.RUnlock()
	}
	serveDocument(w, r, hl.body, hl.etag, "application/vc+ld+json", maxAge(hl, now))
	return nil
}

// serveDocument answers with body, its strong ETag and max-age, or 304
// when the request's If-None-Match names the ETag.
func serveDocument(w http.ResponseWriter, r *http.Request, body []byte, etag, contentType string, maxAge int64) {
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age="+strconv.FormatInt(maxAge, 10))
	if etagMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// etagMatch reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match) or is "*".
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

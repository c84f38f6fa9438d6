package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/status"
)

// DefaultStatusMaxListBytes is the cap on a decompressed status list when
// Options.StatusMaxListBytes is zero.
const DefaultStatusMaxListBytes = status.DefaultMaxBytes

const (
	// maxStatusDocBytes bounds a fetched status list credential or
	// revocation list body. A 16 KiB list compresses to well under 1 KiB;
	// even an incompressible 1 Mbit list fits many times over.
	maxStatusDocBytes = 4 << 20
	statusAccept      = "application/vc+ld+json, application/ld+json, application/json"
	// defaultStatusTTL is how long a list is reused when neither its ttl nor
	// the HTTP response says: Bitstring Status List 1.0 implies no default,
	// and refetching on every verification would let an issuer watch
	// every use of a credential.
	defaultStatusTTL = 5 * time.Minute
)

// statusChecker is the StatusChecker a Verifier uses when Options.Status is
// nil. It reads BitstringStatusListEntry, StatusList2021Entry and
// 1EdTechRevocationList entries.
//
// Outcomes, following "invalid is not inconclusive":
//   - fail: a revoked or suspended entry; a malformed entry; a list whose
//     proof does not verify, whose key is not its issuer's, whose issuer is
//     not the credential's, whose type or purpose does not fit the entry,
//     or whose encodedList is malformed, too short, or lacks the index;
//   - could not check: an unknown entry type; a fetch that failed (network,
//     HTTP status, SSRF guard, size limit); a list outside its validity
//     window (stale); a list that inflates past StatusMaxListBytes; an
//     unreadable 1EdTech revocation list, which is unsigned and so says
//     nothing about the issuer's intent;
//   - pass: everything else, with the purpose's meaning (refresh and message
//     entries report their value and never fail).
//
// Verified documents are cached per Verifier (see statusCache) until the
// earliest of the list's ttl, the HTTP max-age and its validUntil, then
// revalidated with If-None-Match (or, for StatusDir files, their size and
// modification time) so an unchanged list is not verified again.
type statusChecker struct {
	v            *Verifier
	dir          string
	maxListBytes int64
	cache        *statusCache
}

var _ StatusChecker = (*statusChecker)(nil)

func newStatusChecker(v *Verifier, dir string, maxListBytes int64) *statusChecker {
	if maxListBytes == 0 {
		maxListBytes = DefaultStatusMaxListBytes
	}
	return &statusChecker{v: v, dir: dir, maxListBytes: maxListBytes, cache: newStatusCache(defaultStatusCacheEntries)}
}

// entryOutcome is the verdict on one credentialStatus entry. A non-nil err
// means it could not be checked.
type entryOutcome struct {
	fail   bool
	reason string
	path   string
	err    error
}

func passed(reason string) entryOutcome { return entryOutcome{reason: reason} }

func failed(path, format string, args ...any) entryOutcome {
	return entryOutcome{fail: true, path: path, reason: fmt.Sprintf(format, args...)}
}

func undecided(err error) entryOutcome { return entryOutcome{err: err} }

// CheckStatus checks every credentialStatus entry of cred. One failed entry
// fails the check; otherwise one that could not be checked makes it
// inconclusive.
func (c *statusChecker) CheckStatus(ctx context.Context, cred map[string]any) (CheckResult, error) {
	var entries []any
	var paths []string
	switch s := cred["credentialStatus"].(type) {
	case []any:
		entries = s
		for i := range s {
			paths = append(paths, fmt.Sprintf("credentialStatus[%d]", i))
		}
	default:
		entries = []any{s}
		paths = []string{"credentialStatus"}
	}
	if len(entries) == 0 {
		return CheckResult{Status: StatusPass, Reason: "credentialStatus is empty: the issuer cannot revoke this credential"}, nil
	}
	var passes, fails []string
	var failPath string
	var errs []error
	for i, raw := range entries {
		out := c.checkEntry(ctx, cred, raw, paths[i])
		switch {
		case out.fail:
			if failPath == "" {
				failPath = out.path
			}
			fails = append(fails, out.reason)
		case out.err != nil:
			errs = append(errs, out.err)
		default:
			passes = append(passes, out.reason)
		}
	}
	switch {
	case len(fails) > 0:
		return CheckResult{Status: StatusFail, Reason: strings.Join(fails, "; "), Path: failPath}, nil
	case len(errs) > 0:
		return CheckResult{}, errors.Join(errs...)
	}
	return CheckResult{Status: StatusPass, Reason: strings.Join(passes, "; ")}, nil
}

func (c *statusChecker) checkEntry(ctx context.Context, cred map[string]any, raw any, at string) entryOutcome {
	m, ok := raw.(map[string]any)
	if !ok {
		return failed(at, "%s must be an object", at)
	}
	e, err := status.ParseEntry(m)
	if err != nil {
		if errors.Is(err, status.ErrUnsupportedType) {
			return undecided(fmt.Errorf("%s.%w", at, err))
		}
		var fe *status.FieldError
		if errors.As(err, &fe) && fe.Field != "" {
			return failed(at+"."+fe.Field, "%s.%v", at, err)
		}
		return failed(at, "%s: %v", at, err)
	}
	if e.Type == status.TypeRevocationList {
		return c.checkRevocationList(ctx, cred, e, at)
	}
	return c.checkBitstring(ctx, cred, e, at)
}

func (c *statusChecker) checkBitstring(ctx context.Context, cred map[string]any, e *status.Entry, at string) entryOutcome {
	listAt := at + ".statusListCredential"
	doc, err := c.load(ctx, e.StatusListCredential, kindList)
	var bad *badListError
	switch {
	case errors.As(err, &bad):
		return failed(listAt, "status list %s: %v", e.StatusListCredential, bad.err)
	case err != nil:
		return undecided(fmt.Errorf("status list %s: %w", e.StatusListCredential, err))
	}
	if iss := issuerID(cred); doc.issuer != iss {
		return failed(listAt, "status list issued by %s, credential by %s", doc.issuer, iss)
	}
	wantType := status.TypeBitstringCredential
	if e.Legacy() {
		wantType = status.TypeStatusList2021Credential
	}
	if !slices.Contains(doc.types, wantType) {
		return failed(listAt, "status list %s has type %v, want %s for a %s", e.StatusListCredential, doc.types, wantType, e.Type)
	}
	now := c.v.now()
	if !doc.validFrom.IsZero() && now.Add(c.v.skew).Before(doc.validFrom) {
		return undecided(fmt.Errorf("status list %s is not valid until %s", e.StatusListCredential, doc.validFrom.Format(time.RFC3339)))
	}
	if !doc.validUntil.IsZero() && !now.Add(-c.v.skew).Before(doc.validUntil) {
		return undecided(fmt.Errorf("status list %s expired at %s, so its statuses are stale", e.StatusListCredential, doc.validUntil.Format(time.RFC3339)))
	}
	res, err := status.Verdict(doc.subject, e, status.DecodeOptions{MaxBytes: c.maxListBytes, Cache: doc.lists})
	switch {
	case errors.Is(err, status.ErrTooLarge):
		return undecided(fmt.Errorf("status list %s: %w", e.StatusListCredential, err))
	case errors.Is(err, status.ErrRange):
		return failed(at+".statusListIndex", "status list %s: %v", e.StatusListCredential, err)
	case err != nil:
		return failed(listAt, "status list %s: %v", e.StatusListCredential, err)
	}
	where := fmt.Sprintf("list %s, index %d", e.StatusListCredential, e.StatusListIndex)
	switch e.StatusPurpose {
	case status.PurposeRevocation:
		if res.Set {
			return failed(at, "revoked (%s)", where)
		}
		return passed("not revoked (" + where + ")")
	case status.PurposeSuspension:
		if res.Set {
			return failed(at, "suspended (%s)", where)
		}
		return passed("not suspended (" + where + ")")
	case status.PurposeRefresh:
		if res.Set {
			return passed("a refreshed copy is available from the issuer (" + where + ")")
		}
		return passed("no refresh pending (" + where + ")")
	}
	// message and custom purposes carry information, not a verdict.
	msg := res.Message
	if msg == "" {
		msg = "no message for this value"
	}
	return passed(fmt.Sprintf("%s status 0x%x: %s (%s)", e.StatusPurpose, res.Status, msg, where))
}

func (c *statusChecker) checkRevocationList(ctx context.Context, cred map[string]any, e *status.Entry, at string) entryOutcome {
	doc, err := c.load(ctx, e.ID, kindRevocation)
	if err != nil {
		return undecided(fmt.Errorf("revocation list %s: %w", e.ID, err))
	}
	id, _ := cred["id"].(string)
	if id == "" {
		return undecided(fmt.Errorf("revocation list %s: the credential has no id to look up", e.ID))
	}
	if doc.revocations.IsRevoked(id) {
		return failed(at, "revoked (1EdTech revocation list %s)", e.ID)
	}
	return passed("not revoked (1EdTech revocation list " + e.ID + ")")
}

// docKind tells what a status URL serves.
type docKind int

const (
	kindList       docKind = iota // a status list credential, signed
	kindRevocation                // a 1EdTech revocation list, unsigned JSON
)

// statusDoc is a fetched and, for lists, verified status document: what
// every credential pointing at it shares.
type statusDoc struct {
	issuer     string
	types      []string
	subject    map[string]any
	validFrom  time.Time
	validUntil time.Time
	// ttl is credentialSubject.ttl, zero when absent.
	ttl    time.Duration
	hasTTL bool
	// revocations is set for kindRevocation.
	revocations *status.RevocationList
	// lists holds the decoded encodedList, so a cached list is inflated
	// once per fetch, not once per credential.
	lists *status.DecodeCache
}

// badListError marks a status list that was fetched but is not acceptable
// (bad JSON, bad proof): the issuer's list is wrong, not our view of it.
type badListError struct{ err error }

func (e *badListError) Error() string { return e.err.Error() }
func (e *badListError) Unwrap() error { return e.err }

func badList(format string, args ...any) error {
	return &badListError{err: fmt.Errorf(format, args...)}
}

// fetched is one retrieval of a status URL.
type fetched struct {
	body []byte
	// validator is the HTTP ETag, or the size and modification time of a
	// StatusDir file; equal validators mean the same content.
	validator   string
	notModified bool
	// maxAge is the HTTP freshness lifetime, when the response gave one.
	maxAge    time.Duration
	hasMaxAge bool
}

// load returns the status document at rawURL, from the cache while it is
// fresh, revalidating it (If-None-Match, or the file's stamp) once stale.
func (c *statusChecker) load(ctx context.Context, rawURL string, kind docKind) (*statusDoc, error) {
	u, err := url.Parse(rawURL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute url", rawURL)
	}
	u.Fragment, u.RawFragment = "", ""
	target := u.String()
	key := cacheKey{kind: kind, url: target}
	now := c.v.now()
	cached := c.cache.get(key)
	if cached != nil && now.Before(cached.expires) {
		return cached.doc, nil
	}
	var validator string
	if cached != nil {
		validator = cached.validator
	}
	f, err := c.fetch(ctx, u, validator)
	if err != nil {
		return nil, err
	}
	if f.notModified && cached != nil {
		c.cache.put(key, &cacheEntry{doc: cached.doc, validator: cached.validator, expires: expiry(now, cached.doc, f)})
		return cached.doc, nil
	}
	var doc *statusDoc
	switch kind {
	case kindRevocation:
		rl, err := status.ParseRevocationList(f.body)
		if err != nil {
			return nil, err
		}
		doc = &statusDoc{revocations: rl}
	default:
		if doc, err = c.parseList(ctx, f.body); err != nil {
			return nil, err
		}
	}
	c.cache.put(key, &cacheEntry{doc: doc, validator: f.validator, expires: expiry(now, doc, f)})
	return doc, nil
}

// expiry is when a document fetched at now goes stale: the earliest of its
// ttl, the HTTP max-age and its validUntil, or defaultStatusTTL when none
// of the first two is given.
func expiry(now time.Time, doc *statusDoc, f *fetched) time.Time {
	life := defaultStatusTTL
	switch {
	case doc.hasTTL && f.hasMaxAge:
		life = min(doc.ttl, f.maxAge)
	case doc.hasTTL:
		life = doc.ttl
	case f.hasMaxAge:
		life = f.maxAge
	}
	exp := now.Add(life)
	if !doc.validUntil.IsZero() && doc.validUntil.Before(exp) {
		exp = doc.validUntil
	}
	return exp
}

// fetch reads u from the status directory when it holds a file for it,
// otherwise over HTTP.
func (c *statusChecker) fetch(ctx context.Context, u *url.URL, validator string) (*fetched, error) {
	if c.dir != "" {
		f, ok, err := c.fromDir(u, validator)
		if err != nil || ok {
			return f, err
		}
	}
	etag := ""
	if !strings.HasPrefix(validator, fileValidatorPrefix) {
		etag = validator
	}
	resp, err := safehttp.Get(ctx, c.v.client, u.String(), statusAccept, etag, maxStatusDocBytes)
	if err != nil {
		return nil, err
	}
	f := &fetched{body: resp.Body, validator: resp.Header.Get("ETag"), notModified: resp.StatusCode == 304}
	f.maxAge, f.hasMaxAge = maxAge(resp.Header.Get("Cache-Control"))
	return f, nil
}

const fileValidatorPrefix = "file:"

// dirCandidates are the names, relative to the status directory, tried in
// order for u: <host>/<path>, the same plus ".json", then the last path
// segment with and without ".json".
func dirCandidates(u *url.URL) []string {
	var out []string
	p := strings.Trim(u.Path, "/")
	if p != "" {
		full := u.Host + "/" + p
		out = append(out, full, full+".json")
		if last := path.Base(p); last != "." && last != ".." && last != "/" {
			out = append(out, last, last+".json")
		}
	}
	return out
}

// fromDir looks u up in the status directory. Names are opened through an
// os.Root, so a URL path with ".." cannot reach outside the directory.
func (c *statusChecker) fromDir(u *url.URL, validator string) (*fetched, bool, error) {
	root, err := os.OpenRoot(c.dir)
	if err != nil {
		return nil, false, fmt.Errorf("opening status directory: %w", err)
	}
	defer root.Close()
	for _, name := range dirCandidates(u) {
		info, err := root.Stat(name)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		stamp := fmt.Sprintf("%s%d:%d", fileValidatorPrefix, info.Size(), info.ModTime().UnixNano())
		if stamp == validator {
			return &fetched{validator: stamp, notModified: true}, true, nil
		}
		if info.Size() > maxStatusDocBytes {
			return nil, true, fmt.Errorf("%s in the status directory: %w: %d bytes, limit %d", name, safehttp.ErrTooLarge, info.Size(), maxStatusDocBytes)
		}
		body, err := readRootFile(root, name)
		if err != nil {
			return nil, true, fmt.Errorf("%s in the status directory: %w", name, err)
		}
		return &fetched{body: body, validator: stamp}, true, nil
	}
	return nil, false, nil
}

func readRootFile(root *os.Root, name string) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, maxStatusDocBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxStatusDocBytes {
		return nil, fmt.Errorf("%w: over %d bytes", safehttp.ErrTooLarge, maxStatusDocBytes)
	}
	return body, nil
}

// maxAge reads the freshness lifetime from a Cache-Control value:
// no-store and no-cache mean zero (always revalidate).
func maxAge(cc string) (time.Duration, bool) {
	var age time.Duration
	found := false
	for _, d := range strings.Split(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0, true
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
			if err != nil || n < 0 {
				continue
			}
			age = time.Duration(min(n, int64(365*24*3600))) * time.Second
			found = true
		}
	}
	return age, found
}

// parseList reads a status list credential and verifies its proof with the
// machinery used for credentials: the signing key must belong to the list's
// issuer.
func (c *statusChecker) parseList(ctx context.Context, body []byte) (*statusDoc, error) {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return nil, badList("not a json object")
	}
	iss := issuerID(doc)
	if iss == "" {
		return nil, badList("issuer: id is missing")
	}
	fetch := &keyFetcher{v: c.v, issuer: iss}
	_, err := proof.Verify(ctx, doc, proof.VerifyOptions{Keys: fetch, Loader: c.v.loader, Now: c.v.now})
	switch seen := fetch.failure(); {
	case err == nil:
	case seen.refused():
		return nil, badList("signing key not accepted: %w", seen.err)
	case isInvalidProof(err):
		return nil, badList("proof: %w", err)
	default:
		return nil, fmt.Errorf("verifying the list's proof: %w", err)
	}
	d := &statusDoc{issuer: iss, types: stringsOf(doc["type"]), lists: new(status.DecodeCache)}
	subject, ok := doc["credentialSubject"].(map[string]any)
	if !ok {
		return nil, badList("credentialSubject must be an object")
	}
	d.subject = subject
	if raw, ok := subject["ttl"]; ok {
		ms, ok := raw.(float64)
		if !ok || ms < 0 {
			return nil, badList("credentialSubject.ttl must be a non-negative number of milliseconds")
		}
		d.ttl = time.Duration(min(ms, float64(365*24*time.Hour/time.Millisecond))) * time.Millisecond
		d.hasTTL = true
	}
	fromKey, untilKey := "validFrom", "validUntil"
	if first, _ := firstContext(doc); first == contexts.CredentialsV1 {
		fromKey, untilKey = "issuanceDate", "expirationDate"
	}
	if d.validFrom, err = timeField(doc, fromKey); err != nil {
		return nil, badList("%w", err)
	}
	if d.validUntil, err = timeField(doc, untilKey); err != nil {
		return nil, badList("%w", err)
	}
	return d, nil
}

func firstContext(doc map[string]any) (string, bool) {
	switch c := doc["@context"].(type) {
	case string:
		return c, true
	case []any:
		if len(c) > 0 {
			s, ok := c[0].(string)
			return s, ok
		}
	}
	return "", false
}

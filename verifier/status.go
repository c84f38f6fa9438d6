package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/jsonld"
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
	// statusFetchParallel bounds the status documents one verification
	// fetches at once: four slow servers cost one wait, not four.
	statusFetchParallel = 4
	// negativeStatusTTL is how long a status URL that could not be fetched,
	// or served a list that was refused, is answered from memory: a hundred
	// credentials naming one unreachable list cost one attempt.
	negativeStatusTTL = 30 * time.Second
)

// statusChecker is the StatusChecker a Verifier uses when Options.Status is
// nil. It reads BitstringStatusListEntry, StatusList2021Entry and
// 1EdTechRevocationList entries.
//
// Outcomes, following "invalid is not inconclusive":
//   - fail: a revoked or suspended entry (by a list of any issuer whose
//     own proof verifies: see StatusListTrust); a malformed entry; a list
//     whose encodedList is malformed or lacks the index;
//   - could not check: a list whose proof does not verify or whose key is
//     not its issuer's, or whose type or purpose does not fit the entry
//     (ErrUnusableStatusList); an unknown entry type; a list shorter than
//     status.MinEntries entries of the entry's size (STATUS_LIST_LENGTH_ERROR:
//     the list cannot be read, which says nothing about the credential); a
//     fetch that failed (network,
//     HTTP status, SSRF guard, size limit); a document whose id is not the
//     URL the entry names (see sameDocument); a list outside its validity
//     window (stale); an entry past StatusMaxListBytes into its list; a bound
//     of Limits reached (entries past MaxStatusEntries, fetches past
//     MaxFetches, bytes past MaxInflatedBytes, the deadline); an unreadable
//     1EdTech revocation list, which is unsigned and so says nothing about
//     the issuer's intent; a clear revocation or suspension bit in a list
//     whose issuer is not trusted for the credential's issuer
//     (ErrUntrustedStatusList);
//   - pass: everything else, with the purpose's meaning (refresh and message
//     entries report their value and never fail).
//
// The documents of one credential are fetched in parallel, at most
// statusFetchParallel at a time, all under the verification's deadline;
// entries are then judged one by one in order, so the decompression budget
// is spent the same way on every run. Verified documents are cached per
// Verifier (see statusCache) until the earliest of the list's ttl, the HTTP
// max-age and its validUntil, then revalidated with If-None-Match (or, for
// StatusDir files, their size and modification time) so an unchanged list
// is not verified again; failures are remembered for negativeStatusTTL.
type statusChecker struct {
	v            *Verifier
	dir          string
	maxListBytes int64
	cache        *statusCache
	dirIndex     *dirIndex
	// trust decides, per credential, whether a list's issuer speaks for
	// the credential's issuer; the cache never holds that decision.
	trust trustTable
}

var _ StatusChecker = (*statusChecker)(nil)

func newStatusChecker(v *Verifier, dir string, maxListBytes int64, trust trustTable) *statusChecker {
	if maxListBytes == 0 {
		maxListBytes = DefaultStatusMaxListBytes
	}
	return &statusChecker{v: v, dir: dir, maxListBytes: maxListBytes,
		cache: newStatusCache(defaultStatusCacheEntries, defaultStatusCacheBytes), dirIndex: &dirIndex{}, trust: trust}
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

// entryCheck is one credentialStatus entry on its way to a verdict.
type entryCheck struct {
	at string
	e  *status.Entry
	// key names the document the entry needs; zero when decided is set.
	key cacheKey
	// decided is set when the entry was judged without its document.
	decided *entryOutcome
}

// loaded is the document behind one cacheKey, or why there is none.
type loaded struct {
	doc *statusDoc
	err error
}

// CheckStatus checks the credentialStatus entries of cred, at most
// Limits.MaxStatusEntries of them per verification. One failed entry fails
// the check; otherwise one that could not be checked, or entries left
// unchecked by the limit, make it inconclusive.
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
	b := budgetFrom(ctx)
	var errs []error
	granted := b.takeStatusEntries(len(entries))
	if granted < len(entries) {
		errs = append(errs, fmt.Errorf("%w: credentialStatus has %d entries, %d left unchecked (Limits.MaxStatusEntries is %d)",
			ErrLimit, len(entries), len(entries)-granted, b.limits.MaxStatusEntries))
	}
	checks := make([]*entryCheck, granted)
	for i := range checks {
		checks[i] = c.prepare(entries[i], paths[i])
	}
	docs := c.loadAll(ctx, b, checks)
	var passes, fails []string
	var failPath string
	for _, ec := range checks {
		var out entryOutcome
		switch {
		case ec.decided != nil:
			out = *ec.decided
		case ec.e.Type == status.TypeRevocationList:
			out = c.checkRevocationList(cred, ec, docs[ec.key])
		default:
			out = c.checkBitstring(ctx, b, cred, ec, docs[ec.key])
		}
		if ec.decided == nil && docs[ec.key] != nil {
			var trust *listTrust
			if d := docs[ec.key].doc; d != nil && d.revocations == nil {
				t := c.trust.decide(issuerID(cred), d.issuer)
				trust = &t
			}
			explainFrom(ctx).statusDocument(ec.key.url, docs[ec.key].doc, trust, c.v.now(), c.v.skew)
		}
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

// prepare parses one entry and names the document it needs.
func (c *statusChecker) prepare(raw any, at string) *entryCheck {
	ec := &entryCheck{at: at}
	decide := func(out entryOutcome) *entryCheck {
		ec.decided = &out
		return ec
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return decide(failed(at, "%s must be an object", at))
	}
	e, err := status.ParseEntry(m)
	if err != nil {
		if errors.Is(err, status.ErrUnsupportedType) {
			return decide(undecided(fmt.Errorf("%s.%w", at, err)))
		}
		var fe *status.FieldError
		if errors.As(err, &fe) && fe.Field != "" {
			return decide(failed(at+"."+fe.Field, "%s.%v", at, err))
		}
		return decide(failed(at, "%s: %v", at, err))
	}
	ec.e = e
	kind, target, what := kindList, e.StatusListCredential, "status list"
	if e.Type == status.TypeRevocationList {
		kind, target, what = kindRevocation, e.ID, "revocation list"
	}
	doc := documentURL(target)
	if u, err := url.Parse(doc); err != nil || !u.IsAbs() || u.Host == "" {
		return decide(undecided(fmt.Errorf("%s %s: %q is not an absolute url", what, target, target)))
	}
	ec.key = cacheKey{kind: kind, url: doc}
	return ec
}

// loadAll gets the document of every undecided entry: from the cache, from
// the failures remembered, or fetched, at most statusFetchParallel at a
// time. Fetches are granted from the budget in entry order, so which URLs
// are left unfetched once Limits.MaxFetches is reached does not depend on
// timing; a fetch the deadline stopped before it started is given back.
func (c *statusChecker) loadAll(ctx context.Context, b *budget, checks []*entryCheck) map[cacheKey]*loaded {
	docs := make(map[cacheKey]*loaded)
	var pending []cacheKey
	now := c.v.now()
	for _, ec := range checks {
		if ec.decided != nil {
			continue
		}
		if _, seen := docs[ec.key]; seen {
			continue
		}
		l := &loaded{}
		docs[ec.key] = l
		if e := c.cache.get(ec.key); e != nil && now.Before(e.expires) {
			l.doc = e.doc
			continue
		}
		if l.err = c.cache.failure(ec.key, now); l.err != nil {
			continue
		}
		if l.err = b.takeFetch(); l.err != nil {
			continue
		}
		pending = append(pending, ec.key)
	}
	if len(pending) == 0 {
		// Every list cached or decided: no fetch to pace.
		return docs
	}
	sem := make(chan struct{}, statusFetchParallel)
	var wg sync.WaitGroup
	for _, k := range pending {
		l := docs[k]
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				// The deadline came first: this fetch never started.
				b.refundFetch()
				l.err = fmt.Errorf("not fetched: %w", context.Cause(ctx))
				return
			}
			l.doc, l.err = c.cache.do(ctx, k, now, func() (*statusDoc, error) { return c.refresh(ctx, k) })
		})
	}
	wg.Wait()
	return docs
}

// loadErr wraps the error of a document that could not be had, naming the
// verification's deadline when that is what stopped it.
func loadErr(ctx context.Context, what, target string, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ErrLimit) {
		return fmt.Errorf("%s %s: %w (%v)", what, target, context.Cause(ctx), err) //nolint:errorlint // the deadline is what callers branch on; err only says where it struck
	}
	return fmt.Errorf("%s %s: %w", what, target, err)
}

func (c *statusChecker) checkBitstring(ctx context.Context, b *budget, cred map[string]any, ec *entryCheck, l *loaded) entryOutcome {
	e, at := ec.e, ec.at
	if l.err != nil {
		if bad := (*badListError)(nil); errors.As(l.err, &bad) {
			// A list nobody verifiably signed says nothing about the
			// credential, whoever it claims as issuer (STATUS_VERIFICATION_ERROR).
			return undecided(fmt.Errorf("status list %s: %w (STATUS_VERIFICATION_ERROR): %w", e.StatusListCredential, ErrUnusableStatusList, bad.err))
		}
		return undecided(loadErr(ctx, "status list", e.StatusListCredential, l.err))
	}
	doc := l.doc
	// Who signed the list is weighed only once its bits are read: a list
	// of any issuer may revoke (the credential's issuer chose it), only a
	// trusted one may vouch (see StatusListTrust).
	credIss := issuerID(cred)
	trust := c.trust.decide(credIss, doc.issuer)
	wantType := status.TypeBitstringCredential
	if e.Legacy() {
		wantType = status.TypeStatusList2021Credential
	}
	if !slices.Contains(doc.types, wantType) {
		return undecided(fmt.Errorf("status list %s: %w (STATUS_VERIFICATION_ERROR): it has type %v, want %s for a %s",
			e.StatusListCredential, ErrUnusableStatusList, doc.types, wantType, e.Type))
	}
	now := c.v.now()
	if !doc.validFrom.IsZero() && now.Add(c.v.skew).Before(doc.validFrom) {
		return undecided(fmt.Errorf("status list %s is not valid until %s", e.StatusListCredential, doc.validFrom.Format(time.RFC3339)))
	}
	if !doc.validUntil.IsZero() && !now.Add(-c.v.skew).Before(doc.validUntil) {
		return undecided(fmt.Errorf("status list %s expired at %s, so its statuses are stale", e.StatusListCredential, doc.validUntil.Format(time.RFC3339)))
	}
	res, err := status.VerdictContext(ctx, doc.subject, e, status.DecodeOptions{MaxBytes: c.maxListBytes, Budget: b.inflate, Inflated: doc.inflated})
	switch {
	case errors.Is(err, status.ErrBudget):
		return undecided(fmt.Errorf("status list %s: %w: over Limits.MaxInflatedBytes (%d bytes): %w", e.StatusListCredential, ErrLimit, b.limits.MaxInflatedBytes, err))
	case errors.Is(err, status.ErrTooLarge), ctx.Err() != nil:
		return undecided(loadErr(ctx, "status list", e.StatusListCredential, err))
	case errors.Is(err, status.ErrListLength):
		// STATUS_LIST_LENGTH_ERROR: the issuer published a list too short
		// to read, which says nothing about this credential's status.
		return undecided(fmt.Errorf("status list %s (%s), signed by %s: %w", e.StatusListCredential, status.Code(err), doc.issuer, err))
	case errors.Is(err, status.ErrMismatch):
		// The list is not one for this entry's purpose or kind: it cannot
		// be read for the credential (STATUS_VERIFICATION_ERROR).
		return undecided(fmt.Errorf("status list %s: %w (%s): %w", e.StatusListCredential, ErrUnusableStatusList, status.Code(err), err))
	case errors.Is(err, status.ErrRange):
		return failed(at+".statusListIndex", "status list %s: %v", e.StatusListCredential, err)
	case err != nil:
		return failed(at+".statusListCredential", "status list %s: %v", e.StatusListCredential, err)
	}
	where := "list " + e.StatusListCredential + ", index " + strconv.Itoa(e.StatusListIndex) + ", signed by " + doc.issuer + ", " + trust.how
	if !trust.trusted {
		return untrusted(at, e, res.Set, doc.issuer, credIss)
	}
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

// untrusted judges an entry read from a list whose issuer is not trusted
// for the credential's: the list can make the verdict worse, never better.
func untrusted(at string, e *status.Entry, set bool, listIss, credIss string) entryOutcome {
	where := fmt.Sprintf("list %s, index %d", e.StatusListCredential, e.StatusListIndex)
	switch e.StatusPurpose {
	case status.PurposeRevocation, status.PurposeSuspension:
		if set {
			state := "revoked"
			if e.StatusPurpose == status.PurposeSuspension {
				state = "suspended"
			}
			return failed(at, "%s according to a status list signed by %s, not the credential's issuer %s (%s)", state, listIss, credIss, where)
		}
		return undecided(fmt.Errorf("status list %s: %w: signed by %s, not the credential's issuer %s, and not trusted for it, so its clear %s bit at index %d cannot vouch for the credential",
			e.StatusListCredential, ErrUntrustedStatusList, listIss, credIss, e.StatusPurpose, e.StatusListIndex))
	}
	// refresh, message and custom purposes never decide validity: what an
	// untrusted party says about them is not reported as the issuer's.
	return passed(fmt.Sprintf("%s entry ignored: status list signed by %s, not the credential's issuer %s, and not trusted for it (%s)", e.StatusPurpose, listIss, credIss, where))
}

func (c *statusChecker) checkRevocationList(cred map[string]any, ec *entryCheck, l *loaded) entryOutcome {
	e := ec.e
	if l.err != nil {
		return undecided(fmt.Errorf("revocation list %s: %w", e.ID, l.err))
	}
	id, _ := cred["id"].(string)
	if id == "" {
		return undecided(fmt.Errorf("revocation list %s: the credential has no id to look up", e.ID))
	}
	if l.doc.revocations.IsRevoked(id) {
		return failed(ec.at, "revoked (1EdTech revocation list %s)", e.ID)
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
// every credential pointing at it shares. It holds the list's encodedList,
// never its decoded bits: each entry is read from it by streaming.
type statusDoc struct {
	// id is the list credential's own id, fragment included.
	id         string
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
	// inflated is the list's bitstring inflated once when it is small
	// (maxInflatedCache), so cached lookups do not inflate it again; nil
	// otherwise. Lookups charge each verification's budget as before.
	inflated *status.Inflated
}

// maxInflatedCache bounds the bitstring a cached list keeps inflated: 16
// minimum-size lists' worth. Larger lists are inflated per lookup, as far as
// the entry. This inflation, once per list fetched, is not charged to
// Limits.MaxInflatedBytes (each lookup is, as if it inflated): MaxFetches
// bounds it to MaxFetches x maxInflatedCache per verification.
const maxInflatedCache = 256 << 10

// inflateList inflates a small list's bitstring for its cache entry (nil
// when it is larger than maxInflatedCache, or anything is wrong with it:
// Lookup then inflates per call and reports the problem).
func inflateList(doc *statusDoc) *status.Inflated {
	encoded, ok := doc.subject["encodedList"].(string)
	if !ok {
		return nil
	}
	in, err := status.Inflate(encoded, status.DecodeOptions{MaxBytes: maxInflatedCache, Legacy: slices.Contains(doc.types, status.TypeStatusList2021Credential)})
	if err != nil {
		return nil
	}
	return in
}

// ErrUnusableStatusList is the cause of a status that could not be checked
// because the list at the entry's URL cannot be used for it: its proof does
// not verify with a key of its issuer, or its type or purpose does not fit
// the entry (Bitstring Status List 1.0's STATUS_VERIFICATION_ERROR). Such a
// list is nobody's verifiable statement about the credential, so it makes
// the status unknown, never the credential invalid.
var ErrUnusableStatusList = verdict.NewInconclusive("status list cannot be used")

// badListError marks a status list that was fetched but is not acceptable
// (bad proof, a key not its issuer's, malformed signed fields): the list is
// wrong, not our view of it; it is remembered like any failure.
type badListError struct{ err error }

func (e *badListError) Error() string { return e.err.Error() }
func (e *badListError) Unwrap() error { return e.err }

func badList(format string, args ...any) error {
	return &badListError{err: fmt.Errorf(format, args...)}
}

// fetched is one retrieval of a status URL.
type fetched struct {
	body []byte
	// validator is the HTTP ETag, or the name, size and modification time
	// of a StatusDir file; equal validators mean the same content.
	validator   string
	notModified bool
	// maxAge is the HTTP freshness lifetime, when the response gave one.
	maxAge    time.Duration
	hasMaxAge bool
}

// documentURL is the document a status URL names: the URL without its
// fragment, exactly as written otherwise.
func documentURL(raw string) string {
	doc, _, _ := strings.Cut(raw, "#")
	return doc
}

// sameDocument reports whether a status list credential whose id is id is
// the document url names. The two must be equal character for character
// once each is stripped of its fragment: no case folding, percent-decoding
// or default-port elision, since any of those could make one list stand
// for a URL the issuer never gave it. Only the fragment is set aside: it
// is not sent when the URL is dereferenced, so it cannot select a
// different document, and a list is read whole whatever fragment names it.
func sameDocument(id, url string) bool {
	return id != "" && documentURL(id) == documentURL(url)
}

// refresh fetches the document k names (revalidating a stale cached copy
// when there is one), parses and, for a list, verifies it, checks that it
// is the document k names, and caches it. A failure is remembered for
// negativeStatusTTL unless the verification's own context or budget ended
// it (ErrLimit): those say nothing about the list, and remembering them
// would let one credential that spends its budget make the list "could not
// check" for every other.
func (c *statusChecker) refresh(ctx context.Context, k cacheKey) (doc *statusDoc, err error) {
	defer func() {
		if err != nil && ctx.Err() == nil && !errors.Is(err, ErrLimit) {
			c.cache.fail(k, err, c.v.now().Add(negativeStatusTTL))
		}
	}()
	cached := c.cache.get(k)
	var validator string
	if cached != nil {
		validator = cached.validator
	}
	f, err := c.fetch(ctx, k.url, validator)
	if err != nil {
		return nil, err
	}
	now := c.v.now()
	if f.notModified && cached != nil {
		c.cache.put(k, &cacheEntry{doc: cached.doc, validator: cached.validator, expires: expiry(now, cached.doc, f), size: cached.size})
		return cached.doc, nil
	}
	switch k.kind {
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
		if !sameDocument(doc.id, k.url) {
			if strings.HasPrefix(f.validator, fileValidatorPrefix) {
				c.dirIndex.invalidate()
			}
			return nil, fmt.Errorf("the list served there has id %q: %w", doc.id, errNotThisList)
		}
	}
	if k.kind != kindRevocation {
		doc.inflated = inflateList(doc)
	}
	c.cache.put(k, &cacheEntry{doc: doc, validator: f.validator, expires: expiry(now, doc, f), size: docCacheSize(len(f.body)) + int64(doc.inflated.Size())})
	return doc, nil
}

// errNotThisList marks a fetched list whose id is not the URL it was
// fetched for: it is never used, and the status is not known.
var errNotThisList = errors.New("not the list the credential names")

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

// fetch reads the document at docURL from the status directory when a file
// there has that id, otherwise over HTTP.
func (c *statusChecker) fetch(ctx context.Context, docURL, validator string) (*fetched, error) {
	if c.dir != "" {
		f, ok, err := c.fromDir(ctx, docURL, validator)
		if err != nil || ok {
			return f, err
		}
	}
	etag := ""
	if !strings.HasPrefix(validator, fileValidatorPrefix) {
		etag = validator
	}
	resp, err := safehttp.Get(ctx, c.v.client, docURL, statusAccept, etag, maxStatusDocBytes)
	if err != nil {
		return nil, err
	}
	f := &fetched{body: resp.Body, validator: resp.Header.Get("ETag"), notModified: resp.StatusCode == 304}
	f.maxAge, f.hasMaxAge = maxAge(resp.Header.Get("Cache-Control"))
	return f, nil
}

const fileValidatorPrefix = "file:"

// fromDir reads the status directory's file for the document id docURL.
// Files are opened through an os.Root, so no name reaches outside the
// directory.
func (c *statusChecker) fromDir(ctx context.Context, docURL, validator string) (*fetched, bool, error) {
	name, ok, err := c.dirIndex.lookup(ctx, c.dir, docURL, c.v.now())
	if err != nil || !ok {
		return nil, ok, err
	}
	root, err := os.OpenRoot(c.dir)
	if err != nil {
		return nil, true, fmt.Errorf("opening status directory: %w", err)
	}
	defer root.Close()
	info, err := root.Stat(name)
	if err != nil || !info.Mode().IsRegular() {
		c.dirIndex.invalidate()
		return nil, true, fmt.Errorf("%s in the status directory is gone or not a regular file", name)
	}
	stamp := fmt.Sprintf("%s%s:%d:%d", fileValidatorPrefix, name, info.Size(), info.ModTime().UnixNano())
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

func readRootFile(root *os.Root, name string) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return safehttp.ReadAtMost(f, maxStatusDocBytes)
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
// issuer. The list is a document nested in the verification (one level
// deeper, under the same budget). Its fields are read in one place,
// statusDocOf, from the document the proof verified.
func (c *statusChecker) parseList(ctx context.Context, body []byte) (*statusDoc, error) {
	ctx, err := nested(ctx)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		// Content nobody signed (an HTML error page served with 200, say)
		// says nothing about the issuer's intent: the status is unknown,
		// the credential not invalid.
		return nil, errors.New("not a json object")
	}
	// The key must be this issuer's; statusDocOf reads the issuer again
	// from what the proof verified, and the two must agree.
	iss := issuerID(doc)
	if iss == "" {
		return nil, badList("issuer: id is missing")
	}
	binder := &keyBinder{v: c.v, issuer: iss}
	b := budgetFrom(ctx)
	var work jsonld.Work
	opts := proof.VerifyOptions{Loader: c.v.loader, Now: c.v.now, MaxProofs: b.limits.MaxProofs, Statements: true, Limits: b.limits.canon(), Work: &work}
	// As for a credential: read the proofs, bind the methods of those that
	// read, verify with only the keys bound.
	parsed, err := proof.ParseSet(doc, opts)
	var outcomes []proof.Outcome
	if err == nil {
		binder.bindProofs(ctx, parsed)
		opts.Keys = binder.keys()
		outcomes, err = proof.VerifySet(ctx, doc, opts)
	}
	b.addProofs(len(outcomes))
	b.addCanon(work)
	// Verification had only keys bound to the list's issuer, so the proof
	// that verified is the issuer's.
	var statements []byte
	if err == nil {
		var res *proof.Result
		if res, err = proof.FirstVerified(outcomes); err == nil {
			statements = res.Statements
		}
	}
	switch seen := binder.failure(); {
	case err == nil:
	case seen.refused():
		return nil, badList("signing key not accepted: %w", seen.err)
	case isInvalidProof(err):
		return nil, badList("proof: %w", err)
	default:
		return nil, fmt.Errorf("verifying the list's proof: %w", err)
	}
	d, err := statusDocOf(statements)
	if err != nil {
		return nil, badList("%w", err)
	}
	if d.issuer != iss {
		return nil, badList("issuer %q is not the %q whose key signed the list", d.issuer, iss)
	}
	return d, nil
}

// statusDocOf reads what the status check uses from the statements a
// status list credential's proof verified: its id, issuer, type, validity
// bounds (every one present) and credentialSubject (with ttl). It is the
// one place the list's own fields are read, and it never reads the JSON:
// a list whose validUntil is written as a full IRI or under @nest is as
// stale as one that writes it plainly.
func statusDocOf(statements []byte) (*statusDoc, error) {
	l, err := statusListClaims(statements)
	if err != nil {
		return nil, err
	}
	d := &statusDoc{id: l.id, issuer: l.issuer, types: l.types, subject: l.subject, validFrom: l.from, validUntil: l.until}
	if raw, ok := l.subject["ttl"]; ok {
		ms, ok := raw.(float64)
		if !ok || ms < 0 {
			return nil, errors.New("credentialSubject.ttl must be a non-negative number of milliseconds")
		}
		d.ttl = time.Duration(min(ms, float64(365*24*time.Hour/time.Millisecond))) * time.Millisecond
		d.hasTTL = true
	}
	return d, nil
}

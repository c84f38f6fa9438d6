package verifier

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
)

// The rule for trusting a signing key (issue #10): a key is the issuer's
// only if
//
//   - (a) it is the key a did:key or did:jwk issuer id itself encodes; or
//   - (b) it was found in the document resolved from the verification
//     method URL without its fragment (a DID document through the
//     resolver, or a Controlled Identifiers 1.0 document fetched over the
//     guarded client, no cross-origin redirect), whose id equals that URL
//     and the issuer id, where the method's id matches exactly, its
//     controller is the document id, it is listed under assertionMethod,
//     and it is neither revoked nor expired at the verifier's time
//     (did.Document.AssertionKeyAt); or
//   - (c) the operator pinned it for that issuer id (Options.PinnedKeys).
//
// A key named by the credential itself (a verification method fragment, a
// JWT header jwk) is never a source on its own: without (a), (b) or (c)
// the key is not bound and the credential could not be checked.

// Errors a key binding fails with. The proof and issuer checks map them to
// their verdicts: ErrKeyRefused to fail, ErrKeyNotBound to error (could
// not check).
var (
	// ErrKeyNotBound means nothing trusted ties the signing key to the
	// issuer: the issuer's document could not be obtained (not found,
	// network failure, refused address, cross-origin redirect, an id that
	// is not its URL), the issuer id names no document badgesmith resolves
	// (urn:, http:, an unsupported DID method), and no key is pinned for
	// it. A credential whose key is not bound is never valid, and never
	// invalid for that reason alone.
	ErrKeyNotBound = verdict.NewInconclusive("signing key is not bound to the issuer")
	// ErrKeyRefused means the key is ruled out: its verification method
	// belongs to someone other than the issuer, or the issuer's own
	// document does not authorise it (not in the document, not listed
	// under assertionMethod, another controller, revoked, expired, an
	// unusable key), or the issuer id is not a well-formed DID.
	ErrKeyRefused = verdict.NewInvalid("signing key refused for the issuer")
)

// errNotIssuerKey marks a verification method whose controller is not the issuer.
var errNotIssuerKey = verdict.NewInvalid("verification method is not controlled by the issuer")

// keySource says where a signing key was looked for, and when the binding
// holds, how it is bound to the issuer.
type keySource int

const (
	// sourceNone: no source applies to the verification method.
	sourceNone keySource = iota //nolint:unused // the zero value, named for readers
	// sourceIssuerID: the key a did:key or did:jwk issuer id encodes.
	sourceIssuerID
	// sourceDIDDocument: assertionMethod in the issuer's DID document.
	sourceDIDDocument
	// sourceCIDDocument: assertionMethod in the controlled identifier
	// document at the issuer's https URL.
	sourceCIDDocument
	// sourcePinned: a key the operator pinned for the issuer.
	sourcePinned
)

// boundKey is what the binding step learned about one verification method.
type boundKey struct {
	// vm is the verification method URL as the proof or JWT kid gave it.
	vm string
	// issuer is the credential's issuer id.
	issuer string
	// controller is the verification method URL without its fragment: the
	// id of the document the key was looked for in.
	controller string
	// source is where the key was looked for; with err nil, how it is bound.
	source keySource
	// docURL is the URL the document was fetched from: the did.json URL of
	// a did:web DID, the controlled identifier document URL; "" otherwise.
	docURL string
	// key is the bound key, nil unless err is nil.
	key crypto.PublicKey
	// copies is how many identical definitions of the method the document
	// holds (did.Document.Definitions); more than one is reported.
	copies int
	// err, if not nil, is why the key is not the issuer's; it wraps
	// ErrKeyRefused or ErrKeyNotBound.
	err error
}

// bound reports whether the key is trusted as the issuer's.
func (b *boundKey) bound() bool { return b != nil && b.err == nil && b.key != nil }

// refused reports whether the key is ruled out, as opposed to unbound.
func (b *boundKey) refused() bool { return b != nil && errors.Is(b.err, ErrKeyRefused) }

// reason says how a bound key is bound to the issuer, for the issuer check.
func (b *boundKey) reason() string {
	switch b.source {
	case sourceIssuerID:
		method, _, _ := strings.Cut(strings.TrimPrefix(b.issuer, "did:"), ":")
		return "key " + b.vm + " is the key of did:" + method + " issuer " + b.issuer
	case sourceDIDDocument:
		s := fmt.Sprintf("key %s is listed under assertionMethod in the DID document of %s", b.vm, b.controller)
		if b.docURL != "" {
			s += " (fetched from " + b.docURL + ")"
		}
		return s + b.copiesNote()
	case sourceCIDDocument:
		return fmt.Sprintf("key %s is listed under assertionMethod in the controlled identifier document at %s", b.vm, b.docURL) + b.copiesNote()
	case sourcePinned:
		return fmt.Sprintf("key %s pinned locally for issuer %s", b.vm, b.issuer)
	}
	return fmt.Sprintf("key %s: no source", b.vm)
}

// copiesNote notes a method the document defines more than once, each
// copy identical (did.Document.KeyAt refuses copies that differ).
func (b *boundKey) copiesNote() string {
	switch {
	case b.copies == 2:
		return "; the document defines the method twice, identically (listed twice, identically)"
	case b.copies > 2:
		return fmt.Sprintf("; the document defines the method %d times, identically", b.copies)
	}
	return ""
}

// document names the document a source reads, for error messages.
func (b *boundKey) document() string {
	switch b.source {
	case sourceIssuerID:
		return "document of " + b.controller
	case sourceDIDDocument:
		if b.docURL != "" {
			return "DID document of " + b.controller + " at " + b.docURL
		}
		return "DID document of " + b.controller
	case sourceCIDDocument:
		return "controlled identifier document at " + b.docURL
	}
	return "document of " + b.controller
}

// keyBinder is the binding step between reading a proof set
// (proof.ParseSet, vcjwt.Prepare) and verifying it: it judges the verification
// method of each proof that reads under the rule above (bindMethod,
// bindProofs), and proof verification then runs with only the keys it
// bound (keys), a fixed map that never resolves anything. A proof that
// does not read names no key to fetch, and a method whose controller is
// not the issuer is refused without a fetch, so a forger cannot make the
// verifier fetch URLs of their choosing.
//
// Build it as &keyBinder{v: v, issuer: id} for the document whose issuer
// id is id. Several proofs of one document share it: what it learns is
// kept per verification method (binding), never carried from one method
// to another. It is safe for concurrent use.
type keyBinder struct {
	v      *Verifier
	issuer string

	mu    sync.Mutex
	bound map[string]*boundKey
	order []string
	// docs remembers each document resolution, failures included, so the
	// proofs of one credential ask for the issuer's document once.
	docs map[string]resolved
}

// resolved is the outcome of one document resolution.
type resolved struct {
	doc *did.Document
	err error
}

// bindProofs binds the verification method of each proof of parsed (from
// proof.ParseSet) that reads, in document order, and stops when ctx is
// done. A proof that does not read is left alone: no key can make it
// verify.
func (f *keyBinder) bindProofs(ctx context.Context, parsed []proof.Outcome) {
	for i := range parsed {
		if ctx.Err() != nil {
			return
		}
		if o := &parsed[i]; o.Err == nil {
			f.bindMethod(ctx, o.VerificationMethod, o.Purpose)
		}
	}
}

// bindMethod judges vm for purpose, which must be assertionMethod, under
// the rule above, once per method, and returns its binding: the key when
// it is bound to the issuer, else why not (an error wrapping ErrKeyRefused
// or ErrKeyNotBound, and the cause).
func (f *keyBinder) bindMethod(ctx context.Context, vm, purpose string) *boundKey {
	if purpose != "" && purpose != did.AssertionMethod {
		// Never recorded: proof verification refuses it again (boundKeys).
		return &boundKey{vm: vm, issuer: f.issuer, err: wrongPurpose(vm, purpose)}
	}
	if b := f.binding(vm); b != nil {
		return b
	}
	b := f.bind(ctx, vm)
	f.mu.Lock()
	defer f.mu.Unlock()
	if prev, ok := f.bound[vm]; ok {
		return prev
	}
	if f.bound == nil {
		f.bound = make(map[string]*boundKey)
	}
	f.bound[vm] = b
	f.order = append(f.order, vm)
	return b
}

// wrongPurpose refuses a key asked for under a purpose other than
// assertionMethod.
func wrongPurpose(vm, purpose string) error {
	return fmt.Errorf("%w: verification method %s: proof purpose %q, only assertionMethod keys sign credentials", ErrKeyRefused, vm, purpose)
}

// keys returns the key fetcher proof verification runs with: the bindings
// made so far, fixed.
func (f *keyBinder) keys() boundKeys {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := make(boundKeys, len(f.bound))
	for vm, b := range f.bound {
		k[vm] = b
	}
	return k
}

// boundKeys is the key fetcher of proof.VerifySet and vcjwt.Verify: the
// binding step's outcome per verification method. It never resolves
// anything. A bound method gives its key, a refused or unbound one its
// binding's error, as the binding step judged it; a method the step never
// judged gives an error nobody classified, so the proof could not be
// checked.
type boundKeys map[string]*boundKey

// PublicKey returns the key bound for vm, or why there is none.
func (k boundKeys) PublicKey(_ context.Context, vm, purpose string) (crypto.PublicKey, error) {
	if purpose != "" && purpose != did.AssertionMethod {
		return nil, wrongPurpose(vm, purpose)
	}
	b, ok := k[vm]
	if !ok {
		return nil, fmt.Errorf("verification method %s was not judged by the binding step", vm)
	}
	return b.result()
}

func (b *boundKey) result() (crypto.PublicKey, error) {
	if b.err != nil {
		return nil, b.err
	}
	return b.key, nil
}

// binding returns what the binding step learned about vm, or nil if it
// never judged vm.
func (f *keyBinder) binding(vm string) *boundKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bound[vm]
}

// bindings returns every binding, in the order the methods were first
// judged.
func (f *keyBinder) bindings() []*boundKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*boundKey, len(f.order))
	for i, vm := range f.order {
		out[i] = f.bound[vm]
	}
	return out
}

// failure returns the binding to report when no proof verified. The
// issuer's own methods (controlled by the issuer id) come first, since a
// third-party proof says nothing about the issuer's key; among them, and
// then among all, the first refused one, else the first unbound one, else
// the first one judged (a bound key whose signature did not verify).
// It returns nil if no method was judged.
func (f *keyBinder) failure() *boundKey {
	all := f.bindings()
	var own []*boundKey
	for _, b := range all {
		if b.controller == f.issuer {
			own = append(own, b)
		}
	}
	for _, set := range [][]*boundKey{own, all} {
		for _, b := range set {
			if b.refused() {
				return b
			}
		}
		for _, b := range set {
			if b.err != nil {
				return b
			}
		}
		if len(set) > 0 {
			return set[0]
		}
	}
	return nil
}

// refusedError is a refusal: its text is the cause's, which says why, and
// it wraps ErrKeyRefused beside the cause.
type refusedError struct{ err error }

func (e *refusedError) Error() string   { return e.err.Error() }
func (e *refusedError) Unwrap() []error { return []error{ErrKeyRefused, e.err} }

func refuse(err error) error { return &refusedError{err: err} }

func unbound(err error) error { return fmt.Errorf("%w: %w", ErrKeyNotBound, err) }

// bind applies the rule to vm.
func (f *keyBinder) bind(ctx context.Context, vm string) *boundKey {
	b := &boundKey{vm: vm, issuer: f.issuer}
	if f.issuer == "" {
		b.err = refuse(fmt.Errorf("%w: %s: the credential has no issuer id", errNotIssuerKey, vm))
		return b
	}
	base, frag, _ := strings.Cut(vm, "#")
	b.controller = base
	if p := f.v.pinnedKey(f.issuer, vm); p != nil {
		b.source, b.key = sourcePinned, p.key
		return b
	}
	if base != f.issuer {
		b.err = refuse(fmt.Errorf("%w: %s is controlled by %s, issuer is %q", errNotIssuerKey, vm, base, f.issuer))
		return b
	}
	switch {
	case strings.HasPrefix(base, "did:key:"), strings.HasPrefix(base, "did:jwk:"):
		// The id is the key: no resolver, injected or not, has a say.
		b.source = sourceIssuerID
		if k, ok := f.v.keyDocs.key(ctx, vm); ok {
			b.key, b.copies = k.pub, k.copies
			return b
		}
		f.fromDocument(ctx, b, frag, f.v.keyDocs.resolve)
		f.v.keyDocs.putKey(ctx, b)
	case strings.HasPrefix(base, "did:"):
		b.source = sourceDIDDocument
		if w, err := did.ParseWeb(base); err == nil {
			b.docURL = w.URL
		}
		f.fromDocument(ctx, b, frag, f.v.resolver.Resolve)
	case strings.HasPrefix(base, "https://"):
		b.source = sourceCIDDocument
		b.docURL = base
		f.fromDocument(ctx, b, frag, f.v.web.ResolveURL)
	default:
		b.err = unbound(fmt.Errorf("verification method %s: issuer %s names no document to find its keys in (only did:key, did:jwk, did:web and https controlled identifier documents are read)%s",
			vm, f.issuer, fragmentHint(frag)))
	}
	return b
}

// fetchDocument resolves b.controller. A document that is not the issuer
// id itself and not in the did:web cache is a fetch, drawn from the
// verification's budget like a status list's.
func (f *keyBinder) fetchDocument(ctx context.Context, b *boundKey, resolve func(context.Context, string) (*did.Document, error)) (*did.Document, error) {
	if b.source != sourceIssuerID && !f.v.web.Cached(b.controller) {
		if err := budgetFrom(ctx).takeFetch(); err != nil {
			return nil, err
		}
	}
	return resolve(ctx, b.controller)
}

// fromDocument looks b.vm up in the document resolve gives for
// b.controller.
func (f *keyBinder) fromDocument(ctx context.Context, b *boundKey, frag string, resolve func(context.Context, string) (*did.Document, error)) {
	f.mu.Lock()
	got, ok := f.docs[b.controller]
	f.mu.Unlock()
	if !ok {
		got.doc, got.err = f.fetchDocument(ctx, b, resolve)
		f.mu.Lock()
		if f.docs == nil {
			f.docs = make(map[string]resolved)
		}
		f.docs[b.controller] = got
		f.mu.Unlock()
	}
	doc, err := got.doc, got.err
	switch {
	case err != nil && ctx.Err() == nil && (b.source == sourceIssuerID || errors.Is(err, did.ErrInvalidDID)):
		// The issuer id itself is not a usable DID or key.
		b.err = refuse(fmt.Errorf("verification method %s: issuer id: %w", b.vm, err))
		return
	case err != nil:
		b.err = unbound(fmt.Errorf("verification method %s: could not obtain the %s: %w%s", b.vm, b.document(), err, fragmentHint(frag)))
		return
	case doc.ID != b.controller:
		b.err = unbound(fmt.Errorf("verification method %s: the %s has id %q: %w", b.vm, b.document(), doc.ID, did.ErrInvalidDocument))
		return
	}
	_, pub, err := doc.AssertionKeyAt(b.vm, f.v.now())
	if err != nil {
		b.err = refuse(fmt.Errorf("the %s: %w", b.document(), err))
		return
	}
	b.key = pub
	b.copies = doc.Definitions(b.vm)
}

// fragmentHint explains, for a verification method whose fragment is a
// public Multikey, why that key is not simply used.
func fragmentHint(frag string) string {
	if !keyInFragment(frag) {
		return ""
	}
	return "; a key named in the verification method's own fragment is not trusted on its own (pin it for the issuer if you know it is theirs)"
}

// keyInFragment reports whether a verification method fragment is a public
// Multikey, the 1EdTech form that names the key in the URL.
func keyInFragment(frag string) bool {
	_, err := keys.DecodePublicMultikey(frag)
	return err == nil
}

// checkIssuer reports how the key that signed is bound to the issuer: b is
// the binding of the verification method of the proof that verified, or
// the failure to report when none did (nil when no key was asked for).
func (v *Verifier) checkIssuer(r *report, cred map[string]any, b *boundKey) {
	iss := issuerID(cred)
	switch {
	case iss == "":
		r.fail(CheckIssuer, "issuer", "issuer id is missing")
	case b == nil || b.vm == "":
		r.skip(CheckIssuer, "no verification method was reached")
	case b.refused():
		r.fail(CheckIssuer, "proof.verificationMethod", b.err.Error())
	case b.err != nil:
		r.undecided(CheckIssuer, fmt.Errorf("could not check the signing key: %w", b.err))
	case !b.bound():
		r.undecided(CheckIssuer, fmt.Errorf("could not check the signing key: %s: %w", b.vm, ErrKeyNotBound))
	case b.copies > 1:
		// A set cannot hold one method twice, but identical copies mean
		// the same key: tolerated, listed (did.Document.KeyAt refuses
		// copies that differ).
		r.warn(CheckIssuer, "", b.reason())
	default:
		r.pass(CheckIssuer, b.reason())
	}
}

// Bounds of keyDocCache: the documents of this many did:key and did:jwk
// issuers, each of an id at most this long, are kept.
const (
	keyDocCacheEntries = 256
	keyDocCacheMaxID   = 2048
)

// keyDocCache keeps the documents did.KeyResolver derives from did:key
// and did:jwk ids, which are a function of the id alone: a verifier that
// sees the same issuers again derives each once. Only documents are kept,
// never errors; when full it starts over, so it holds at most
// keyDocCacheEntries documents. The documents are shared and only read.
type keyDocCache struct {
	mu   sync.Mutex
	docs map[string]*did.Document
	// keys holds, per verification method of such a document, the key
	// the binding step found in it, under the same bounds: a function of
	// the method's id alone too, as long as the method has no revoked or
	// expires date to hold at the verifier's time (putKey).
	keys map[string]boundMethod
}

// boundMethod is a key the binding step bound from a cached document.
type boundMethod struct {
	pub    crypto.PublicKey
	copies int
}

// key returns the key bound for verification method vm before, if any.
// A done context gets none, so the binding step reports it as before.
func (c *keyDocCache) key(ctx context.Context, vm string) (boundMethod, bool) {
	if ctx.Err() != nil {
		return boundMethod{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[vm]
	return k, ok
}

// putKey remembers the key of b, a binding to the key of a did:key or
// did:jwk issuer id, when it holds whatever the time: the method's
// definition in the derived document has no revoked or expires date.
func (c *keyDocCache) putKey(ctx context.Context, b *boundKey) {
	if b.err != nil || b.key == nil || ctx.Err() != nil || len(b.vm) > keyDocCacheMaxID {
		return
	}
	c.mu.Lock()
	doc, ok := c.docs[b.controller]
	c.mu.Unlock()
	if !ok {
		return
	}
	for _, m := range doc.VerificationMethod {
		if m.Expires != "" || m.Revoked != "" {
			return
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= keyDocCacheEntries {
		c.keys = make(map[string]boundMethod)
	}
	c.keys[b.vm] = boundMethod{pub: b.key, copies: b.copies}
}

// resolve is did.KeyResolver's Resolve through the cache.
func (c *keyDocCache) resolve(ctx context.Context, id string) (*did.Document, error) {
	c.mu.Lock()
	doc, ok := c.docs[id]
	c.mu.Unlock()
	if ok {
		if err := ctx.Err(); err != nil {
			// As did.KeyResolver, a done context resolves nothing.
			return did.KeyResolver{}.Resolve(ctx, id)
		}
		return doc, nil
	}
	doc, err := did.KeyResolver{}.Resolve(ctx, id)
	if err != nil || len(id) > keyDocCacheMaxID {
		return doc, err
	}
	c.mu.Lock()
	if c.docs == nil || len(c.docs) >= keyDocCacheEntries {
		c.docs = make(map[string]*did.Document)
	}
	c.docs[id] = doc
	c.mu.Unlock()
	return doc, nil
}

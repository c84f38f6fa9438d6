package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/proof"
)

// DefaultMaxSize is the largest document Verify reads when Options.MaxSize
// is zero.
const DefaultMaxSize = 1 << 20

// StatusChecker checks a credential's credentialStatus entries. It is the
// seam the status-list support plugs into.
type StatusChecker interface {
	// CheckStatus returns the status verdict for cred, whose credentialStatus
	// is present. An error means the status could not be determined.
	CheckStatus(ctx context.Context, cred map[string]any) (CheckResult, error)
}

// Options configures a Verifier. The zero value is usable.
type Options struct {
	// MaxSize bounds the document size in bytes. If zero, DefaultMaxSize.
	MaxSize int64
	// MaxImageSize bounds a PNG or SVG image with a baked credential, which
	// may be larger than MaxSize; MaxSize still bounds the credential in it.
	// If zero, DefaultMaxImageSize.
	MaxImageSize int64
	// Now returns the current time for the validity window. If nil,
	// time.Now is used.
	Now func() time.Time
	// ClockSkew is tolerated on validFrom and validUntil. If zero, none.
	ClockSkew time.Duration
	// Loader serves JSON-LD contexts. If nil, the bundled contexts.
	Loader ld.DocumentLoader
	// Resolver resolves DIDs to their documents. If nil, did:web over
	// HTTPClient, with a cache. did:key and did:jwk issuers are always
	// resolved offline: their id is their key (see keybinding.go).
	Resolver did.Resolver
	// PinnedKeys are keys the operator trusts for an issuer without
	// resolving anything (see PinnedKey); the issuer check reports them as
	// "key pinned locally". If nil, none.
	PinnedKeys []PinnedKey
	// Status checks credentialStatus. If nil, the built-in checker reads
	// BitstringStatusListEntry, StatusList2021Entry and 1EdTechRevocationList
	// entries, fetching lists from StatusDir or over HTTPClient, verifying
	// their proofs, and caching them (see status.go).
	Status StatusChecker
	// StatusDir, if set, is a directory of status lists for offline use by
	// the built-in checker. Its files (at any depth, under any name) are
	// indexed by their top-level id: a list URL is read from the file whose
	// id is that URL (fragments aside), never from a file of another id.
	// Symbolic links are not followed. Only when no file has the id is the
	// URL fetched over HTTPClient.
	StatusDir string
	// StatusMaxListBytes caps a decompressed status list (gzip bombs cost
	// at most this). If zero, DefaultStatusMaxListBytes (16 MiB).
	StatusMaxListBytes int64
	// Limits bounds the work of one verification. The zero value takes
	// every default.
	Limits Limits
	// HTTPClient is used for every fetch made on a credential's behalf
	// (did:web documents, status lists). If nil, a safehttp client that
	// refuses non-public addresses.
	HTTPClient *http.Client
}

// Verifier verifies credentials. It is safe for concurrent use.
type Verifier struct {
	maxSize  int64
	now      func() time.Time
	skew     time.Duration
	loader   ld.DocumentLoader
	bundled  *contexts.Loader
	resolver did.Resolver
	status   StatusChecker
	client   *http.Client
	// web fetches did:web and https controlled identifier documents.
	web *did.WebResolver
	// maxImageSize is Options.MaxImageSize (see imageLimits).
	maxImageSize int64
	// pins are Options.PinnedKeys, validated.
	pins []pin
	// lim is Options.Limits with every default filled in.
	lim Limits
}

// limits returns the verifier's Limits, defaults filled in.
func (v *Verifier) limits() Limits { return v.lim }

// New returns a Verifier for opts.
func New(opts Options) (*Verifier, error) {
	if opts.MaxSize < 0 {
		return nil, fmt.Errorf("max size %d is negative", opts.MaxSize)
	}
	if opts.ClockSkew < 0 {
		return nil, fmt.Errorf("clock skew %v is negative", opts.ClockSkew)
	}
	if opts.MaxImageSize < 0 {
		return nil, fmt.Errorf("max image size %d is negative", opts.MaxImageSize)
	}
	if opts.StatusMaxListBytes < 0 {
		return nil, fmt.Errorf("status max list bytes %d is negative", opts.StatusMaxListBytes)
	}
	pins, err := newPins(opts.PinnedKeys)
	if err != nil {
		return nil, err
	}
	v := &Verifier{
		pins:     pins,
		maxSize:  opts.MaxSize,
		now:      opts.Now,
		skew:     opts.ClockSkew,
		loader:   opts.Loader,
		resolver: opts.Resolver,
		status:   opts.Status,
		client:   opts.HTTPClient,
	}
	if v.maxSize == 0 {
		v.maxSize = DefaultMaxSize
	}
	v.maxImageSize = opts.MaxImageSize
	v.lim = opts.Limits.withDefaults()
	if v.now == nil {
		v.now = time.Now
	}
	if v.client == nil {
		v.client = safehttp.NewClient(safehttp.Options{})
	}
	bundled, err := contexts.NewLoader()
	if err != nil {
		return nil, fmt.Errorf("loading bundled contexts: %w", err)
	}
	v.bundled = bundled
	if v.loader == nil {
		v.loader = bundled
	}
	v.web = &did.WebResolver{Client: v.client}
	if v.resolver == nil {
		v.resolver = did.MultiResolver{Web: v.web}
	}
	if v.status == nil {
		v.status = newStatusChecker(v, opts.StatusDir, opts.StatusMaxListBytes)
	}
	return v, nil
}

// report accumulates check results.
type report struct {
	res *Result
	// inconclusive holds the first cause of a check that could not run.
	inconclusive *InconclusiveError
}

func (r *report) add(c CheckResult) { r.res.Checks = append(r.res.Checks, c) }

// reserve holds the place of a check whose verdict needs later checks'
// findings, so the report keeps the documented order.
func (r *report) reserve(check string) int {
	r.add(CheckResult{Check: check, Status: StatusSkipped})
	return len(r.res.Checks) - 1
}

func (r *report) pass(check, reason string) {
	r.add(CheckResult{Check: check, Status: StatusPass, Reason: reason})
}

func (r *report) fail(check, path, reason string) {
	r.add(CheckResult{Check: check, Status: StatusFail, Reason: reason, Path: path})
}

func (r *report) skip(check, reason string) {
	r.add(CheckResult{Check: check, Status: StatusSkipped, Reason: reason})
}

func (r *report) undecided(check string, err error) {
	r.add(CheckResult{Check: check, Status: StatusError, Reason: err.Error()})
	if r.inconclusive == nil {
		r.inconclusive = &InconclusiveError{Check: check, Err: err}
	}
}

// skipRest marks every check after the named one as skipped.
func (r *report) skipRest(after string, reason string) {
	order := []string{CheckParse, CheckContext, CheckType, CheckSchema, CheckProof, CheckIssuer, CheckValidity, CheckStatus}
	seen := false
	for _, c := range order {
		if seen {
			r.skip(c, reason)
		}
		if c == after {
			seen = true
		}
	}
}

// Verify runs every check on data, a JSON credential, a compact JWS
// credential (VC-JWT or vc+jwt, see verifyJWT) or a PNG or SVG image
// with one baked in. It always returns a
// Result. The error is a *VerificationError when a check failed, an
// *InconclusiveError when a check could not be run, and nil when the
// credential is valid.
//
// One verification, nested documents included, runs under one deadline
// (Limits.Deadline) and one budget (Limits); Result.Work reports what it
// did.
func (v *Verifier) Verify(ctx context.Context, data []byte) (*Result, error) {
	d := v.lim.Deadline
	ctx, cancel := context.WithTimeoutCause(ctx, d, fmt.Errorf("%w: the verification deadline of %v (Limits.Deadline) passed: %w", ErrLimit, d, context.DeadlineExceeded))
	defer cancel()
	b := newBudget(v.lim)
	res, err := v.verify(withBudget(ctx, b), data)
	b.fill(&res.Work)
	return res, err
}

func (v *Verifier) verify(ctx context.Context, data []byte) (*Result, error) {
	if looksLikeJWS(data) {
		return v.verifyJWT(ctx, data)
	}
	// A compact JWS baked into an image is verified as a JWT credential.
	if f := bake.Detect(data); f == bake.FormatPNG || f == bake.FormatSVG {
		if payload, _, err := v.extractCredential(data); err == nil && looksLikeJWS(payload) {
			return v.verifyJWT(ctx, payload)
		}
	}
	r := &report{res: &Result{}}
	cred, doc, data, ok := v.parseInput(r, data)
	if !ok {
		r.skipRest(CheckParse, "document could not be parsed")
		return v.finish(r)
	}
	r.res.CredentialID, _ = cred["id"].(string)
	r.res.Issuer = issuerID(cred)
	r.res.Name = displayName(cred)
	explainFrom(ctx).credential(v, cred)

	vcdm1 := v.checkContext(r, cred)
	typeAt := r.reserve(CheckType)
	v.checkSchema(r, data, doc)
	p := v.checkProof(ctx, r, cred)
	r.res.Checks[typeAt] = typeCheck(p, cred)
	v.checkIssuer(r, p.issuerView(cred), p.binding)
	v.checkValidity(r, p, vcdm1, nil, nil)
	v.checkStatus(ctx, r, p)
	r.describe(p)
	return v.finish(r)
}

func (v *Verifier) finish(r *report) (*Result, error) {
	var failures []CheckResult
	for _, c := range r.res.Checks {
		if c.Status == StatusFail {
			failures = append(failures, c)
		}
	}
	switch {
	case len(failures) > 0:
		return r.res, &VerificationError{Failures: failures}
	case r.inconclusive != nil:
		return r.res, r.inconclusive
	}
	r.res.Valid = true
	return r.res, nil
}

// parse runs the parse check. It decodes data once: doc serves the schema
// and data model checks (numbers as json.Number), cred the others (numbers
// as float64, as encoding/json gives them, which the proof check signs
// over).
func (v *Verifier) parse(r *report, data []byte) (cred map[string]any, doc *ob3.Document, ok bool) {
	if int64(len(data)) > v.maxSize {
		r.fail(CheckParse, "", fmt.Sprintf("document is %d bytes, over the %d-byte limit", len(data), v.maxSize))
		return nil, nil, false
	}
	doc, err := ob3.ParseDocument(data, ob3.ParseOptions{MaxSize: v.maxSize})
	if err != nil {
		r.fail(CheckParse, pathOf(err), err.Error())
		return nil, nil, false
	}
	if plain, err := ob3.PlainValue(doc.Value); err == nil {
		cred, _ = plain.(map[string]any)
	} else {
		// A number beyond float64: decoding the text gives encoding/json's
		// own message for it.
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&cred); err != nil {
			r.fail(CheckParse, "", fmt.Sprintf("malformed json: %v", err))
			return nil, nil, false
		}
	}
	if cred == nil {
		r.fail(CheckParse, "", "document is not a json object")
		return nil, nil, false
	}
	r.pass(CheckParse, fmt.Sprintf("well-formed json credential, %d bytes", len(data)))
	return cred, doc, true
}

var obContextRE = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`)

// checkContext enforces the @context order of OB 3.0 §1 and that every
// context is one we bundle. It reports whether the credential is VCDM 1.1
// based.
func (v *Verifier) checkContext(r *report, cred map[string]any) (vcdm1 bool) {
	raw, ok := cred["@context"]
	if !ok {
		r.fail(CheckContext, "@context", "@context is missing")
		return false
	}
	list, ok := raw.([]any)
	if !ok {
		r.fail(CheckContext, "@context", "@context must be an array")
		return false
	}
	if len(list) < 2 {
		r.fail(CheckContext, "@context", "@context must list the credentials context and an open badges context")
		return false
	}
	first, _ := list[0].(string)
	switch first {
	case contexts.CredentialsV2:
	case contexts.CredentialsV1:
		vcdm1 = true
	default:
		r.fail(CheckContext, "@context[0]", fmt.Sprintf("first context must be %s (or %s), got %v", contexts.CredentialsV2, contexts.CredentialsV1, list[0]))
		return vcdm1
	}
	second, _ := list[1].(string)
	if !obContextRE.MatchString(second) && second != contexts.CLRv2p0 && second != contexts.OBv3p0UnversionedAlias {
		r.fail(CheckContext, "@context[1]", fmt.Sprintf("second context must be an open badges 3.0 context, got %v", list[1]))
		return vcdm1
	}
	for i, c := range list {
		u, ok := c.(string)
		if !ok {
			// Embedded context objects would let a document redefine terms
			// outside the bundled vocabularies; OB 3.0 credentials never need them.
			r.fail(CheckContext, fmt.Sprintf("@context[%d]", i), "embedded context objects are not accepted, only bundled context urls")
			return vcdm1
		}
		if !v.hasContext(u) {
			r.fail(CheckContext, fmt.Sprintf("@context[%d]", i), fmt.Sprintf("unknown context %s: %v", u, contexts.ErrNotBundled))
			return vcdm1
		}
	}
	r.pass(CheckContext, fmt.Sprintf("%d contexts, all bundled, in the required order", len(list)))
	return vcdm1
}

func (v *Verifier) hasContext(u string) bool {
	if _, err := v.loader.LoadDocument(u); err != nil {
		return false
	}
	return true
}

// checkSchema runs the JSON Schema and data model checks on doc, the
// parse check's reading of data. Documents over ob3's own size limit are
// re-read from data so that limit is reported as before.
func (v *Verifier) checkSchema(r *report, data []byte, doc *ob3.Document) {
	var normalized []any
	var expanded []ob3.CompactedForm
	// One document is validated per credentialStatus entry: without a
	// bound, n entries beside a large document cost n full validations
	// (minutes for a file under 1 MiB). Entries past MaxStatusEntries are
	// never checked (the status check stops there, so such a credential is
	// never valid); their schema is not checked either.
	maxVariants := v.lim.MaxStatusEntries
	var unchecked int
	if doc != nil && len(data) <= ob3.DefaultMaxSize {
		normalized, expanded, unchecked = expandCompactedValue(doc.Value, maxVariants)
	} else {
		raw, wrapped, n, err := expandCompacted(data, maxVariants)
		if err != nil {
			r.fail(CheckSchema, "", err.Error())
			return
		}
		for _, b := range raw {
			normalized = append(normalized, b)
		}
		expanded, unchecked = wrapped, n
	}
	for i, variant := range normalized {
		var err error
		if b, ok := variant.([]byte); ok {
			err = ob3.ValidateSchema(b)
		} else {
			err = ob3.ValidateSchemaValue(variant)
		}
		if err != nil {
			path := pathOf(err)
			if len(normalized) > 1 && strings.HasPrefix(path, "credentialStatus") {
				path = fmt.Sprintf("credentialStatus[%d]%s", i, strings.TrimPrefix(path, "credentialStatus"))
			}
			r.fail(CheckSchema, path, err.Error())
			return
		}
	}
	var err error
	if doc != nil && len(data) <= ob3.DefaultMaxSize {
		err = ob3.Validate(doc.Credential)
	} else {
		err = ob3.ValidateJSON(data)
	}
	if err != nil {
		r.fail(CheckSchema, pathOf(err), err.Error())
		return
	}
	reason := "conforms to the open badges 3.0 json schema and data model"
	reason += compactedReason(expanded)
	if len(normalized) > 1 {
		reason += fmt.Sprintf("; each of the %d credentialStatus entries checked against the schema's single-entry form", len(normalized))
	}
	if unchecked > 0 {
		reason += fmt.Sprintf("; %d entries past Limits.MaxStatusEntries (%d) not checked", unchecked, maxVariants)
	}
	r.pass(CheckSchema, reason)
}

// expandCompactedValue is expandCompacted for a decoded document: the
// variants share with doc everything ob3.ExpandCompacted did not rewrite.
func expandCompactedValue(doc map[string]any, maxVariants int) ([]any, []ob3.CompactedForm, int) {
	// The strict OB 3.0 schema wants arrays (and image objects) where
	// JSON-LD compaction writes a single value (an image its id string);
	// the RDF, and so the signature, is the same either way, and the
	// reference stack and the 1EdTech test vector emit a single proof.
	out, forms := ob3.ExpandCompacted(doc)
	statuses, isList := out["credentialStatus"].([]any)
	if !isList || len(statuses) == 0 {
		return []any{out}, forms, 0
	}
	unchecked := 0
	if len(statuses) > maxVariants {
		statuses, unchecked = statuses[:maxVariants], len(statuses)-maxVariants
	}
	variants := make([]any, 0, len(statuses))
	for _, st := range statuses {
		one := maps.Clone(out)
		one["credentialStatus"] = st
		variants = append(variants, one)
	}
	return variants, forms, unchecked
}

// expandCompacted returns the documents to check against the strict OB 3.0
// schema: data with its compacted forms expanded (ob3.ExpandCompacted),
// once per credentialStatus entry when there are several (VC 2.0 allows an
// array, the OB schema only one object), and what it expanded. At most
// maxVariants entries are taken; it also returns how many were left out.
func expandCompacted(data []byte, maxVariants int) ([][]byte, []ob3.CompactedForm, int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, 0, fmt.Errorf("malformed json: %w", err)
	}
	values, forms, unchecked := expandCompactedValue(doc, maxVariants)
	_, isList := doc["credentialStatus"].([]any)
	if len(forms) == 0 && !isList {
		return [][]byte{data}, nil, 0, nil
	}
	variants := make([][]byte, 0, len(values))
	for _, v := range values {
		out, err := json.Marshal(v)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("re-encoding credential: %w", err)
		}
		variants = append(variants, out)
	}
	return variants, forms, unchecked, nil
}

// compactedReason describes forms for the schema check's pass reason.
func compactedReason(forms []ob3.CompactedForm) string {
	var arrays, images []string
	for _, f := range forms {
		if f.Image {
			images = append(images, f.Path)
		} else {
			arrays = append(arrays, f.Path)
		}
	}
	var parts []string
	if len(arrays) > 0 {
		parts = append(parts, "read "+strings.Join(arrays, ", ")+" given as a single value as a one-element array, as JSON-LD compaction allows")
	}
	if len(images) > 0 {
		parts = append(parts, "read "+strings.Join(images, ", ")+" given as the image's id string as an Image object, as the OB 3.0 Image class allows")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func isInvalidProof(err error) bool {
	for _, target := range []error{ErrKeyRefused, proof.ErrInvalidSignature, proof.ErrUnknownSuite, proof.ErrMalformedProof,
		proof.ErrNoProof, proof.ErrKeyType, contexts.ErrDataLoss, contexts.ErrMalformed, contexts.ErrNotBundled, keys.ErrUnsupportedKey, keys.ErrKeyLength,
		did.ErrInvalidDID, did.ErrMethodNotFound, did.ErrNotAuthorized} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func issuerID(cred map[string]any) string {
	switch iss := cred["issuer"].(type) {
	case string:
		return iss
	case map[string]any:
		s, _ := iss["id"].(string)
		return s
	}
	return ""
}

func displayName(cred map[string]any) string {
	if s, ok := cred["name"].(string); ok {
		return s
	}
	if sub, ok := cred["credentialSubject"].(map[string]any); ok {
		if a, ok := sub["achievement"].(map[string]any); ok {
			s, _ := a["name"].(string)
			return s
		}
	}
	return ""
}

func stringsOf(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil
			}
			out = append(out, s)
		}
		return out
	}
	return nil
}

// pather is implemented by errors that know the JSON path of the problem.
type pather interface{ JSONPath() string }

func pathOf(err error) string {
	var p pather
	if errors.As(err, &p) {
		return p.JSONPath()
	}
	var dl *contexts.DataLossError
	if errors.As(err, &dl) {
		return dl.Path
	}
	return ""
}

package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/piprate/json-gold/ld"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/internal/verdict"
	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/ob3"
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
	// StatusListTrust names the status list issuers the built-in checker
	// believes for a credential issuer other than itself (see
	// StatusListTrust: Bitstring Status List 1.0 has the verifier trust
	// both parties). The zero value trusts only the credential's issuer.
	// Only the built-in checker reads it (Status nil).
	StatusListTrust StatusListTrust
	// Limits bounds the work of one verification. The zero value takes
	// every default.
	Limits Limits
	// LenientSchema turns the failure of a 1EdTech JSON schema the
	// credential declares in credentialSchema into a warning. By default
	// it makes the credential invalid, as OB 3.0 §9.1 asks; a schema the
	// credential does not declare only ever gives a warning.
	LenientSchema bool
	// HTTPClient is used for every fetch made on a credential's behalf
	// (did:web documents, status lists). If nil, a safehttp client that
	// refuses non-public addresses.
	HTTPClient *http.Client
	// Catalogue, if set, is the issuer's published achievement catalogue
	// (package catalogue/published), a credential this verifier verifies
	// first: the catalogue check then reports whether the credential's
	// achievement version was approved when it was issued, by the
	// credential's own issuer (see catalogue.go). If nil, no such check.
	Catalogue []byte
	// Trust are the trust lists, most authoritative first, that say
	// whether the issuer and the endorsers are recognised (Result.
	// Recognition), apart from the verdict. If nil, nothing is looked up.
	Trust []*TrustList
}

// Verifier verifies credentials. It is safe for concurrent use.
type Verifier struct {
	maxSize  int64
	now      func() time.Time
	skew     time.Duration
	loader   ld.DocumentLoader
	bundled  *jsonld.Loader
	resolver did.Resolver
	status   StatusChecker
	client   *http.Client
	// web fetches did:web and https controlled identifier documents.
	web *did.WebResolver
	// maxImageSize is Options.MaxImageSize (see imageLimits).
	maxImageSize int64
	// pins are Options.PinnedKeys, validated.
	pins []pin
	// lenientSchema is Options.LenientSchema.
	lenientSchema bool
	// lim is Options.Limits with every default filled in.
	lim Limits
	// catalogue is Options.Catalogue; nil without one.
	catalogue *catalogueCheck
	// trust is Options.Trust.
	trust []*TrustList
	// keyDocs caches the documents of did:key and did:jwk issuers.
	keyDocs *keyDocCache
	// deadlineCause is the cause of a verification's context when
	// Limits.Deadline passes, made once.
	deadlineCause error
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
	trust, err := newTrustTable(opts.StatusListTrust)
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

		lenientSchema: opts.LenientSchema,
		trust:         slices.Clone(opts.Trust),
	}
	if v.maxSize == 0 {
		v.maxSize = DefaultMaxSize
	}
	v.maxImageSize = opts.MaxImageSize
	v.lim = opts.Limits.withDefaults()
	v.keyDocs = &keyDocCache{}
	v.deadlineCause = fmt.Errorf("%w: the verification deadline of %v (Limits.Deadline) passed: %w", ErrLimit, v.lim.Deadline, context.DeadlineExceeded)
	if v.now == nil {
		v.now = time.Now
	}
	if v.client == nil {
		v.client = safehttp.NewClient(safehttp.Options{})
	}
	bundled, err := jsonld.NewLoader()
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
		v.status = newStatusChecker(v, opts.StatusDir, opts.StatusMaxListBytes, trust)
	}
	if len(opts.Catalogue) > 0 {
		inner := opts
		inner.Catalogue = nil
		iv, err := New(inner)
		if err != nil {
			return nil, err
		}
		v.catalogue = &catalogueCheck{raw: opts.Catalogue, inner: iv}
	}
	return v, nil
}

// report accumulates check results.
type report struct {
	res *Result
	// causes holds, per check that could not run, its cause.
	causes map[CheckName]error
}

func (r *report) add(c CheckResult) {
	if c.Path == "" {
		c.Path = defaultPath(c.Check)
	}
	r.res.Checks = append(r.res.Checks, c)
}

// defaultPath is the JSON path a check refers to when its result names no
// narrower one, so every result says where it looked.
func defaultPath(check CheckName) string {
	switch check {
	case CheckContext:
		return "@context"
	case CheckType:
		return "type"
	case CheckProof:
		return "proof"
	case CheckIssuer:
		return "issuer"
	case CheckStatus:
		return "credentialStatus"
	}
	return ""
}

// reserve holds the place of a check whose verdict needs later checks'
// findings, so the report keeps the documented order.
func (r *report) reserve(check CheckName) int {
	r.add(CheckResult{Check: check, Status: StatusSkipped})
	return len(r.res.Checks) - 1
}

func (r *report) pass(check CheckName, reason string) {
	r.add(CheckResult{Check: check, Status: StatusPass, Reason: reason})
}

// warn records a check that passed with a departure listed.
func (r *report) warn(check CheckName, path, reason string) {
	r.add(CheckResult{Check: check, Status: StatusWarn, Reason: reason, Path: path})
}

func (r *report) fail(check CheckName, path, reason string) {
	r.add(CheckResult{Check: check, Status: StatusFail, Reason: reason, Path: path})
}

func (r *report) skip(check CheckName, reason string) {
	r.add(CheckResult{Check: check, Status: StatusSkipped, Reason: reason})
}

func (r *report) undecided(check CheckName, err error) {
	r.undecidedAt(check, pathOf(err), err)
}

// undecidedAt records a check that could not run, at path.
func (r *report) undecidedAt(check CheckName, path string, err error) {
	r.add(CheckResult{Check: check, Status: StatusError, Reason: err.Error(), Path: path})
	if r.causes == nil {
		r.causes = map[CheckName]error{}
	}
	if _, ok := r.causes[check]; !ok {
		r.causes[check] = err
	}
}

// skipRest marks every check after the named one as skipped.
func (r *report) skipRest(after CheckName, reason string) {
	order := []CheckName{CheckParse, CheckContext, CheckType, CheckSchema, CheckProof, CheckIssuer, CheckValidity, CheckStatus}
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
	ctx, cancel := context.WithTimeoutCause(ctx, d, v.deadlineCause)
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
	// Room for every check a credential gets, optional ones included.
	r := &report{res: &Result{Checks: make([]CheckResult, 0, 12)}}
	cred, doc, data, ok := v.parseInput(r, data)
	if !ok {
		r.skipRest(CheckParse, "document could not be parsed")
		return v.finish(r)
	}
	r.res.CredentialID, _ = cred["id"].(string)
	r.res.Issuer = issuerID(cred)
	r.res.Name = displayName(cred)
	explainFrom(ctx).credential(v, cred)

	// One walk of the document for the context and schema checks.
	scan := scanForms(cred)
	vcdm1 := v.checkContextScanned(r, cred, scan)
	typeAt := r.reserve(CheckType)
	schemaAt := r.reserve(CheckSchema)
	p := v.checkProof(ctx, r, cred)
	r.res.Checks[typeAt], r.res.OpenBadge = typeCheck(p, cred)
	r.res.Checks[schemaAt] = v.schemaCheckScanned(data, doc, p.schemas, scan)
	v.checkIssuer(r, p.issuerView(cred), p.binding)
	v.checkValidity(r, p, vcdm1, nil, nil)
	v.checkStatus(ctx, r, p)
	v.checkCatalogue(ctx, r, p)
	v.checkCLR(ctx, r, cred, p)
	r.describe(p)
	v.checkEndorsements(ctx, r, cred, p)
	v.recogniseIssuer(ctx, r, p)
	return v.finish(r)
}

func (v *Verifier) finish(r *report) (*Result, error) {
	r.res.decide()
	switch r.res.Verdict {
	case VerdictInvalid:
		var failures []CheckResult
		for _, c := range r.res.Checks {
			if c.Status == StatusFail {
				failures = append(failures, c)
			}
		}
		return r.res, &VerificationError{Failures: failures}
	case VerdictCouldNotCheck:
		return r.res, &InconclusiveError{Check: r.res.Decision, Err: r.causes[r.res.Decision]}
	}
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
	if err := jsonvalue.CheckText(data); err != nil {
		r.fail(CheckParse, "", err.Error())
		return nil, nil, false
	}
	if doc.Plain != nil {
		cred = doc.Plain
	} else if plain, err := ob3.PlainValue(doc.Value); err == nil {
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
	r.pass(CheckParse, "well-formed json credential, "+strconv.Itoa(len(data))+" bytes")
	return cred, doc, true
}

var obContextRE = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`)

// checkContext reads @context: the first context must be the VC context
// (VC 2.0; VC 1.1 passes with a warning, as OB 3.0 is built on 2.0), every
// URL must be one badgesmith bundles (an unknown one is never fetched, so
// the credential cannot be read: could not check), and an Open Badges or
// CLR context, when present, belongs second (OB 3.0 §1; elsewhere, a
// warning). A credential with no Open Badges context is judged by the type
// check ("not an Open Badge"). It reports whether the credential is VCDM
// 1.1 based.
func (v *Verifier) checkContext(r *report, cred map[string]any) (vcdm1 bool) {
	return v.checkContextScanned(r, cred, nil)
}

// checkContextScanned is checkContext with scan, scanForms of cred, or
// nil to walk cred for its nested contexts.
func (v *Verifier) checkContextScanned(r *report, cred map[string]any, scan *formScan) (vcdm1 bool) {
	raw, ok := cred["@context"]
	if !ok {
		r.fail(CheckContext, "@context", "@context is missing")
		return false
	}
	list, ok := raw.([]any)
	if !ok {
		if s, isString := raw.(string); isString {
			list = []any{s}
		} else {
			r.fail(CheckContext, "@context", "@context must be an array or a url")
			return false
		}
	}
	if len(list) == 0 {
		r.fail(CheckContext, "@context", "@context is empty")
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
	var warnings []string
	warnPath := ""
	if vcdm1 {
		warnPath = "@context[0]"
		warnings = append(warnings, "VC 1.1 context where OB 3.0 requires VC 2.0 ("+contexts.CredentialsV2+")")
	}
	var unknown []string
	unknownAt := ""
	for i, c := range list {
		u, ok := c.(string)
		if !ok {
			break // inline contexts: checkInlineContexts below
		}
		if !v.hasContext(u) {
			if unknownAt == "" {
				unknownAt = fmt.Sprintf("@context[%d]", i)
			}
			unknown = append(unknown, u)
			continue
		}
		if i > 1 && isBadgeContext(u) {
			if second, _ := list[1].(string); !isBadgeContext(second) {
				if warnPath == "" {
					warnPath = fmt.Sprintf("@context[%d]", i)
				}
				warnings = append(warnings, fmt.Sprintf("%s is context %d; OB 3.0 and CLR 2.0 put it second", u, i+1))
			}
		}
	}
	// A remapping inline context is invalid whatever else the list holds.
	var inline []string
	var err error
	if scan != nil {
		inline, err = inlineContexts(v.loader, cred, scan.nested)
	} else {
		inline, err = checkInlineContexts(v.loader, cred)
	}
	if errors.Is(err, ErrLimit) {
		r.undecidedAt(CheckContext, "@context", err)
		return vcdm1
	}
	if err != nil {
		r.fail(CheckContext, rulePath(err), err.Error())
		return vcdm1
	}
	if len(unknown) > 0 {
		r.undecidedAt(CheckContext, unknownAt, fmt.Errorf("context %s: %w: badgesmith never fetches a context, so the credential cannot be read", strings.Join(unknown, ", "), contexts.ErrNotBundled))
		return vcdm1
	}
	if len(warnings) > 0 {
		r.warn(CheckContext, warnPath, strings.Join(warnings, "; "))
		return vcdm1
	}
	r.pass(CheckContext, contextPassReason(len(list), inline))
	return vcdm1
}

// isBadgeContext reports whether u is an Open Badges 3.0 or CLR 2.0
// context.
func isBadgeContext(u string) bool {
	// The literal head of obContextRE first: most URLs are not it.
	return strings.HasPrefix(u, obContextPrefix) && obContextRE.MatchString(u) || u == contexts.OBv3p0UnversionedAlias || u == contexts.CLRv2p0 || u == contexts.CLRv2p0Unversioned
}

// obContextPrefix is what every URL obContextRE matches begins with.
const obContextPrefix = "https://purl.imsglobal.org/spec/ob/v3p0/context"

func (v *Verifier) hasContext(u string) bool {
	if _, err := v.loader.LoadDocument(u); err != nil {
		return false
	}
	return true
}

// checkSchema runs the JSON Schema and data model checks on doc, the
// parse check's reading of data. Documents over ob3's own size limit are
// re-read from data so that limit is reported as before.
//
// Only a 1EdTech schema the credential itself declares in credentialSchema
// (OB 3.0 §9.1) can make it invalid, and not under Options.LenientSchema.
// Every other departure (the schema its type implies, the data model's
// rules beyond the schema, JSON-LD compacted forms) is a warning: the
// signature covers the graph, not the JSON shape, so a shape departure
// says nothing about who issued the credential.
func (v *Verifier) checkSchema(r *report, data []byte, doc *ob3.Document, signed []string, scan *formScan) {
	var normalized []any
	var expanded []ob3.CompactedForm
	// One document is validated per credentialStatus entry: without a
	// bound, n entries beside a large document cost n full validations
	// (minutes for a file under 1 MiB). Entries past MaxStatusEntries are
	// never checked (the status check stops there, so such a credential is
	// never valid); their schema is not checked either.
	maxVariants := v.lim.MaxStatusEntries
	var unchecked int
	var declared, undeclared, read []string
	if doc != nil && len(data) <= ob3.DefaultMaxSize {
		normalized, expanded, read, unchecked = expandScannedValue(doc.Value, maxVariants, scan)
		declared, undeclared = ob3.DeclaredSchemas(doc.Value)
	} else {
		raw, wrapped, forms, n, err := expandCompacted(data, maxVariants)
		if err != nil {
			r.fail(CheckSchema, "", err.Error())
			return
		}
		for _, b := range raw {
			normalized = append(normalized, b)
		}
		expanded, read, unchecked = wrapped, forms, n
		if len(raw) > 0 {
			if m, err := decodeJSONNumbers(raw[0]); err == nil {
				declared, undeclared = ob3.DeclaredSchemas(m)
			}
		}
	}
	// The statements' declarations count whatever JSON shape carries them.
	for _, u := range signed {
		if !slices.Contains(declared, u) {
			declared = append(declared, u)
		}
	}
	var warnings []string
	warnPath := ""
	note := func(path, msg string) {
		if warnPath == "" {
			warnPath = path
		}
		warnings = append(warnings, msg)
	}
	for _, u := range undeclared {
		note("credentialSchema", fmt.Sprintf("declared schema %s is not embedded and is never fetched: not checked", u))
	}
	applies := true
	for i, variant := range normalized {
		var err error
		if b, ok := variant.([]byte); ok {
			err = ob3.ValidateSchema(b)
		} else {
			err = ob3.ValidateSchemaValue(variant)
		}
		if errors.Is(err, ob3.ErrUnknownSchema) {
			// A CLR or a plain VC: no embedded 1EdTech schema applies.
			applies = false
			break
		}
		if err != nil {
			path := pathOf(err)
			if len(normalized) > 1 && strings.HasPrefix(path, "credentialStatus") {
				path = fmt.Sprintf("credentialStatus[%d]%s", i, strings.TrimPrefix(path, "credentialStatus"))
			}
			switch {
			case len(declared) > 0 && !v.lenientSchema:
				r.fail(CheckSchema, path, err.Error()+" (the credential declares this schema in credentialSchema)")
				return
			case len(declared) > 0:
				note(path, "fails the schema it declares (accepted under lenient schema): "+err.Error())
			default:
				note(path, "fails the 1EdTech schema, which it does not declare: "+err.Error())
			}
			break
		}
	}
	if applies {
		var err error
		if doc != nil && len(data) <= ob3.DefaultMaxSize {
			err = ob3.Validate(doc.Credential)
		} else {
			err = ob3.ValidateJSON(data)
		}
		if err != nil {
			note(pathOf(err), "departs from the open badges 3.0 data model: "+err.Error())
		}
	}
	var shapes []ob3.CompactedForm
	for _, f := range expanded {
		// VC Data Integrity writes a single proof as one object, as the
		// reference stack and the 1EdTech test vectors do: not a departure.
		if f.Path != "proof" {
			shapes = append(shapes, f)
		}
	}
	if len(shapes) > 0 {
		note(shapes[0].Path, "json shape departs from the 1EdTech schema, same JSON-LD statements:"+compactedReason(shapes))
	}
	if len(read) > 0 {
		note(read[0], "json-ld forms at "+strings.Join(read, ", ")+" read by their meaning, as the signed statements have them (a null @value is no value, a @set its values, @nest members and full-IRI or inline-alias keys the terms they stand for)")
	}
	reason := "conforms to the open badges 3.0 json schema and data model"
	if !applies {
		reason = "no embedded 1EdTech schema applies to its type"
	}
	if len(declared) > 0 {
		reason += "; declared " + strings.Join(declared, ", ")
	}
	reason += compactedReason(expanded)
	if len(normalized) > 1 && applies {
		reason += fmt.Sprintf("; each of the %d credentialStatus entries checked against the schema's single-entry form", len(normalized))
	}
	if unchecked > 0 {
		reason += fmt.Sprintf("; %d entries past Limits.MaxStatusEntries (%d) not checked", unchecked, maxVariants)
	}
	if len(warnings) > 0 {
		r.warn(CheckSchema, warnPath, strings.Join(warnings, "; "))
		return
	}
	if !applies {
		r.skip(CheckSchema, reason)
		return
	}
	r.pass(CheckSchema, reason)
}

// schemaCheck runs checkSchema, after the proof check has read the
// schemas the statements declare (signed), and returns its result for
// the place reserved in the report.
func (v *Verifier) schemaCheck(data []byte, doc *ob3.Document, signed []string) CheckResult {
	return v.schemaCheckScanned(data, doc, signed, nil)
}

// schemaCheckScanned is schemaCheck with scan, scanForms of the document
// doc holds (its plain reading), or nil to walk doc itself.
func (v *Verifier) schemaCheckScanned(data []byte, doc *ob3.Document, signed []string, scan *formScan) CheckResult {
	sub := &report{res: &Result{Checks: make([]CheckResult, 0, 1)}}
	v.checkSchema(sub, data, doc, signed, scan)
	return sub.res.Checks[0]
}

// decodeJSONNumbers decodes one JSON document, numbers as json.Number.
func decodeJSONNumbers(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out any
	err := dec.Decode(&out)
	return out, err
}

// expandCompactedValue is expandCompacted for a decoded document: the
// variants share with doc everything ob3.ExpandCompacted did not rewrite.
func expandCompactedValue(doc map[string]any, maxVariants int) ([]any, []ob3.CompactedForm, []string, int) {
	return expandScannedValue(doc, maxVariants, nil)
}

// expandScannedValue is expandCompactedValue with scan, scanForms of
// doc, or nil to walk doc for its JSON-LD forms.
func expandScannedValue(doc map[string]any, maxVariants int, scan *formScan) ([]any, []ob3.CompactedForm, []string, int) {
	// owned is whether the top level of out is a copy made here, which
	// the last variant may take instead of a clone: readJSONLDForms copies
	// the object it rewrites (a top-level @set gives the caller's value
	// inside it), ExpandCompacted too.
	owned := false
	var read []string
	var m any
	var changed bool
	if scan != nil {
		m, _, changed = readScannedForms(doc, &read, scan)
	} else {
		m, _, changed = readJSONLDForms(doc, "", &read, 0)
	}
	if changed {
		if obj, ok := m.(map[string]any); ok {
			_, set := doc["@set"]
			doc, owned = obj, !set
		}
	}
	input := reflect.ValueOf(doc).UnsafePointer()
	// The strict OB 3.0 schema wants arrays (and image objects) where
	// JSON-LD compaction writes a single value (an image its id string);
	// the RDF, and so the signature, is the same either way, and the
	// reference stack and the 1EdTech test vector emit a single proof.
	out, forms := ob3.ExpandCompacted(doc)
	statuses, isList := out["credentialStatus"].([]any)
	if !isList || len(statuses) == 0 {
		return []any{out}, forms, read, 0
	}
	unchecked := 0
	if len(statuses) > maxVariants {
		statuses, unchecked = statuses[:maxVariants], len(statuses)-maxVariants
	}
	variants := make([]any, 0, len(statuses))
	for i, st := range statuses {
		one := out
		// The last variant may take out itself when out is a copy made
		// here, not the caller's document.
		if i < len(statuses)-1 || !owned && reflect.ValueOf(out).UnsafePointer() == input {
			one = maps.Clone(out)
		}
		one["credentialStatus"] = st
		variants = append(variants, one)
	}
	return variants, forms, read, unchecked
}

// expandCompacted returns the documents to check against the strict OB 3.0
// schema: data with its compacted forms expanded (ob3.ExpandCompacted),
// once per credentialStatus entry when there are several (VC 2.0 allows an
// array, the OB schema only one object), and what it expanded. At most
// maxVariants entries are taken; it also returns how many were left out.
func expandCompacted(data []byte, maxVariants int) ([][]byte, []ob3.CompactedForm, []string, int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, nil, 0, fmt.Errorf("malformed json: %w", err)
	}
	values, forms, read, unchecked := expandCompactedValue(doc, maxVariants)
	_, isList := doc["credentialStatus"].([]any)
	if len(forms) == 0 && len(read) == 0 && !isList {
		return [][]byte{data}, nil, nil, 0, nil
	}
	variants := make([][]byte, 0, len(values))
	for _, v := range values {
		out, err := json.Marshal(v)
		if err != nil {
			return nil, nil, nil, 0, fmt.Errorf("re-encoding credential: %w", err)
		}
		variants = append(variants, out)
	}
	return variants, forms, read, unchecked, nil
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

// isInvalidProof reports whether err, from the proof check, means the
// credential is bad rather than that it could not be checked. Each
// package's errors carry that meaning (internal/verdict); an error nobody
// classified could not be checked, so it never passes and never condemns.
func isInvalidProof(err error) bool { return verdict.Of(err) == verdict.Invalid }

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
	var dl *jsonld.DataLossError
	if errors.As(err, &dl) {
		return dl.Path
	}
	return ""
}

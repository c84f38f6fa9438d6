package ob3

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Schema URLs. The purl URLs are the ones OB 3.0 credentials name in
// credentialSchema; each maps to a schema embedded in this package (written
// for badgesmith from the data model, never fetched).
const (
	// SchemaAchievementCredential validates OpenBadgeCredentials.
	SchemaAchievementCredential = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
	// SchemaEndorsementCredential validates EndorsementCredentials.
	SchemaEndorsementCredential = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
	// SchemaProfile validates Profiles (the OB API's profile body).
	SchemaProfile = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json"
	// SchemaAchievementCredentialVCDM11 is badgesmith's own schema for
	// OB 3.0 credentials on the VCDM 1.1 envelope; 1EdTech publishes none.
	SchemaAchievementCredentialVCDM11 = "https://badgesmith.invalid/schema/ob/v3p0/achievementcredential-vcdm11.json"
	// SchemaEndorsementCredentialVCDM11 is the VCDM 1.1 endorsement variant.
	SchemaEndorsementCredentialVCDM11 = "https://badgesmith.invalid/schema/ob/v3p0/endorsementcredential-vcdm11.json"

	// SchemaValidatorType is the credentialSchema type that asks verifiers
	// to run a JSON Schema.
	SchemaValidatorType = "1EdTechJsonSchemaValidator2019"

	schemaDefs = "https://badgesmith.invalid/schema/ob/v3p0/defs.json"
)

//go:embed schema/*.json
var schemaFS embed.FS

// schemaFiles maps each embedded schema's $id to its file.
var schemaFiles = map[string]string{
	schemaDefs:                        "schema/defs.json",
	SchemaAchievementCredential:       "schema/ob_v3p0_achievementcredential_schema.json",
	SchemaEndorsementCredential:       "schema/ob_v3p0_endorsementcredential_schema.json",
	SchemaProfile:                     "schema/ob_v3p0_profile_schema.json",
	SchemaAchievementCredentialVCDM11: "schema/achievementcredential_vcdm11.json",
	SchemaEndorsementCredentialVCDM11: "schema/endorsementcredential_vcdm11.json",
}

// schemaAliases maps the other URLs 1EdTech has published the same schemas
// under: the "-jsonschema1" $ids of the spec site build and the "json-ld"
// path that the purl copy of the achievement schema declares as its $id.
var schemaAliases = map[string]string{
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json": SchemaAchievementCredential,
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential-jsonschema1.json": SchemaEndorsementCredential,
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile-jsonschema1.json":               SchemaProfile,
	"https://purl.imsglobal.org/spec/ob/v3p0/schema/json-ld/ob_v3p0_achievementcredential_schema.json":   SchemaAchievementCredential,
}

// SchemaFor returns the canonical URL of the embedded schema that url names
// (a purl URL, one of its published aliases, or one of ours), and whether
// there is one.
func SchemaFor(url string) (string, bool) {
	url, _, _ = strings.Cut(strings.TrimSpace(url), "#")
	if a, ok := schemaAliases[url]; ok {
		return a, true
	}
	if _, ok := schemaFiles[url]; ok && url != schemaDefs {
		return url, true
	}
	return "", false
}

// SchemaFile returns the bytes of the embedded schema with the given URL
// (or alias), for publishing or inspection.
func SchemaFile(url string) ([]byte, error) {
	canon, ok := SchemaFor(url)
	if !ok && url == schemaDefs {
		canon, ok = url, true
	}
	if !ok {
		return nil, fmt.Errorf("schema %s: %w", url, ErrUnknownSchema)
	}
	return schemaFS.ReadFile(schemaFiles[canon])
}

// noFetch refuses every URL the compiler did not get as a resource, so a
// schema can never trigger a network or file access.
type noFetch struct{}

func (noFetch) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s: %w (schemas are embedded, never fetched)", url, ErrUnknownSchema)
}

// compiledSchemas is compiled once per process: the schemas are constants
// and compiling them costs far more than a validation.
var compiledSchemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	c := newSchemaCompiler()
	for url, file := range schemaFiles {
		b, err := schemaFS.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", file, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("decoding %s: %w", file, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, fmt.Errorf("adding %s: %w", file, err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for url := range schemaFiles {
		if url == schemaDefs {
			continue
		}
		s, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("compiling %s: %w", url, err)
		}
		out[url] = s
	}
	return out, nil
})

// newSchemaCompiler returns a compiler configured the way badgesmith runs
// every schema: draft 2019-09, formats asserted (DateTimeZ is a hard rule),
// nothing fetched.
func newSchemaCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2019)
	c.AssertFormat()
	c.UseLoader(noFetch{})
	return c
}

// ValidateSchema validates a JSON document against the embedded schemas it
// calls for: each credentialSchema of type 1EdTechJsonSchemaValidator2019
// whose URL is embedded, or else the schema its type implies
// (EndorsementCredential, OpenBadgeCredential/AchievementCredential, or a
// bare Profile). A credential on the VCDM 1.1 envelope is checked with the
// VCDM 1.1 variant of the same schema. It returns nil, a *ValidationError
// (Source is the schema URL, paths are instance locations), an error
// wrapping ErrUnknownSchema when no embedded schema applies (a CLR, say),
// or a *ParseError for malformed or oversized JSON.
func ValidateSchema(raw []byte) error {
	if len(raw) > DefaultMaxSize {
		return &ParseError{Offset: -1, Err: ErrTooLarge,
			Msg: fmt.Sprintf("document is %d bytes, over the %d-byte limit", len(raw), DefaultMaxSize)}
	}
	doc, err := decodeForSchema(raw)
	if err != nil {
		return err
	}
	return ValidateSchemaValue(doc)
}

// ValidateSchemaValue is ValidateSchema for a document already decoded
// into generic JSON values, numbers preferably as json.Number (as
// ParseDocument returns them) so that large and fractional numbers are
// judged exactly. doc is only read.
func ValidateSchemaValue(doc any) error {
	var buf [4]string // room for every schema one document can call for
	urls := appendSchemasFor(buf[:0], doc)
	if len(urls) == 0 {
		return fmt.Errorf("document: %w: no embedded schema for its type", ErrUnknownSchema)
	}
	var errs []error
	for _, u := range urls {
		if err := validateDoc(doc, u); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ValidateAgainst validates doc against the embedded schema named by
// schemaURL (see SchemaFor). doc may be JSON bytes (json.RawMessage or
// []byte), a value decoded by encoding/json, or any value that marshals to
// JSON such as a *Credential.
func ValidateAgainst(doc any, schemaURL string) error {
	canon, ok := SchemaFor(schemaURL)
	if !ok {
		return fmt.Errorf("schema %s: %w", schemaURL, ErrUnknownSchema)
	}
	var raw []byte
	switch d := doc.(type) {
	case []byte:
		raw = d
	case json.RawMessage:
		raw = d
	default:
		b, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("encoding document: %w", err)
		}
		raw = b
	}
	v, err := decodeForSchema(raw)
	if err != nil {
		return err
	}
	return validateDoc(v, canon)
}

func decodeForSchema(raw []byte) (any, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(raw, se.Offset)
			return nil, &ParseError{Offset: se.Offset, Line: line, Column: col, Err: ErrSyntax, Msg: se.Error()}
		}
		return nil, &ParseError{Offset: -1, Err: ErrSyntax, Msg: err.Error()}
	}
	return doc, nil
}

func validateDoc(doc any, url string) error {
	schemas, err := compiledSchemas()
	if err != nil {
		return fmt.Errorf("loading embedded schemas: %w", err)
	}
	s, ok := schemas[url]
	if !ok {
		return fmt.Errorf("schema %s: %w", url, ErrUnknownSchema)
	}
	// The fast check is trusted only when it says valid; otherwise the
	// library runs, so its errors are the ones reported.
	if fv := sfSchemas()[url]; fv != nil && fv.check(doc) == sfValid {
		return nil
	}
	err = s.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validating against %s: %w", url, err)
	}
	return &ValidationError{Source: url, Problems: SchemaProblems(ve)}
}

// SchemaProblems flattens a jsonschema validation error into problems at
// dotted JSON paths, one per failing leaf, without duplicates.
func SchemaProblems(ve *jsonschema.ValidationError) []Problem {
	p := message.NewPrinter(language.English)
	var out []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		at := pointerPath(e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				out = append(out, Problem{Path: joinPath(at, m), Message: "required"})
			}
		case *kind.AdditionalProperties:
			for _, m := range k.Properties {
				out = append(out, Problem{Path: joinPath(at, m), Message: "not allowed here"})
			}
		default:
			out = append(out, Problem{Path: at, Message: e.ErrorKind.LocalizedString(p)})
		}
	}
	walk(ve)
	slices.SortStableFunc(out, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
	return slices.Compact(out)
}

func pointerPath(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		if isIndex(t) {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// DeclaredSchemas returns the URLs of the credentialSchema entries of type
// 1EdTechJsonSchemaValidator2019 in doc, a credential decoded into generic
// JSON values: embedded are the canonical URLs of those this package
// embeds (ValidateSchemaValue runs exactly those), others the ones it does
// not (never fetched, so never checked).
func DeclaredSchemas(doc any) (embedded, others []string) {
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, nil
	}
	eachDeclaredSchema(obj, func(u string, isEmbedded bool) {
		switch {
		case isEmbedded && !slices.Contains(embedded, u):
			embedded = append(embedded, u)
		case !isEmbedded && !slices.Contains(others, u):
			others = append(others, u)
		}
	})
	return embedded, others
}

// eachDeclaredSchema calls f with each credentialSchema entry of type
// 1EdTechJsonSchemaValidator2019 in obj, in order, duplicates included:
// the canonical URL when the schema is embedded, else the id as written.
func eachDeclaredSchema(obj map[string]any, f func(url string, embedded bool)) {
	var one [1]any
	for _, cs := range listView(obj["credentialSchema"], &one) {
		m, ok := cs.(map[string]any)
		if !ok || m["type"] != SchemaValidatorType {
			continue
		}
		id, _ := m["id"].(string)
		if u, ok := SchemaFor(id); ok {
			f(u, true)
		} else {
			f(id, false)
		}
	}
}

// schemasFor picks the embedded schemas a decoded document calls for.
func schemasFor(doc any) []string {
	return appendSchemasFor(nil, doc)
}

// appendSchemasFor appends to urls the embedded schemas a decoded
// document calls for; it allocates only when urls is out of room.
func appendSchemasFor(urls []string, doc any) []string {
	obj, ok := doc.(map[string]any)
	if !ok {
		return urls
	}
	v11 := false
	if ctx, ok := obj["@context"].([]any); ok && len(ctx) > 0 {
		v11 = ctx[0] == ContextV1
	}
	start := len(urls)
	add := func(u string) {
		if v11 {
			switch u {
			case SchemaAchievementCredential:
				u = SchemaAchievementCredentialVCDM11
			case SchemaEndorsementCredential:
				u = SchemaEndorsementCredentialVCDM11
			}
		}
		if !slices.Contains(urls[start:], u) {
			urls = append(urls, u)
		}
	}
	eachDeclaredSchema(obj, func(u string, embedded bool) {
		if embedded {
			add(u)
		}
	})
	if len(urls) > start {
		return urls
	}
	var one [1]any
	types := listView(obj["type"], &one)
	switch {
	case hasTypeValue(types, "EndorsementCredential"):
		add(SchemaEndorsementCredential)
	case hasTypeValue(types, "OpenBadgeCredential") || hasTypeValue(types, "AchievementCredential"):
		add(SchemaAchievementCredential)
	case hasTypeValue(types, "Profile") && !hasTypeValue(types, "VerifiableCredential"):
		add(SchemaProfile)
	}
	return urls
}

// hasTypeValue reports whether the JSON values list hold the string name.
func hasTypeValue(list []any, name string) bool {
	for _, t := range list {
		if s, ok := t.(string); ok && s == name {
			return true
		}
	}
	return false
}

// listView reads v as a JSON-LD list: nil is empty, an array is itself,
// any other value is a list of one, held in *one so that nothing is
// allocated.
func listView(v any, one *[1]any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	one[0] = v
	return one[:]
}

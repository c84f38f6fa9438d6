package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/verifier"
)

// Bounds on what the page shows of a credential's own content.
const (
	// webMaxText is the longest text field shown, in runes.
	webMaxText = 4000
	// webMaxImage is the largest image shown, decoded, in bytes.
	webMaxImage = 256 << 10
	// webMaxList is the most entries of a list (alignments) shown.
	webMaxList = 50
)

// webResult is the view of one verification.
type webResult struct {
	Verdict  string // valid, warnings, invalid, unknown: the banner's class
	Alert    bool   // role=alert rather than role=status
	Headline string
	Detail   string

	Name, Description, Narrative, AchievementType, Credits string
	CriteriaURL                                            string // http(s) only
	CriteriaText                                           string // a criteria id that is no http(s) URL, shown as text
	Alignments                                             []webAlignment
	Image                                                  template.URL // a checked data: URL, or ""
	ImageNote                                              string       // why an image was not shown

	IssuerID, IssuerName string
	IssuerBound          bool
	// Recognised is set when a trust list recognises the issuer: the
	// list's name and its name for the issuer, which then headlines.
	Recognised           bool
	TrustList, TrustName string
	NotRecognised        bool // trust lists are configured and none recognises it
	Endorsements         []webEndorsement
	Recipient            string
	RecipientHashed      bool
	// RecipientHash and RecipientSalt are a hashed identity's, for the
	// page's email check (the credential's holder has them anyway).
	RecipientHash, RecipientSalt string

	// Results and Rubrics are the subject's results and the rubric
	// levels of each result description, from the signed statements.
	Results []webResultRow
	Rubrics []webRubric
	// Embedded are the credentials a CLR carries, each with its verdict.
	Embedded []webEmbedded

	Dates   []webFact
	Checks  []webCheck
	Explain *verifier.Explanation
	Unsure  bool // the details are what the document says, unverified
}

type webAlignment struct{ Name, Framework, Code, URL string }

// webEndorsement is one embedded endorsement and whether it counts.
type webEndorsement struct {
	Endorser, EndorserName, Comment, Verdict, Note string
	Counted, Recognised                            bool
}

type webFact struct{ Label, Value string }

type webCheck struct {
	Name, Status, Class, Reason, Path string
}

// buildWebResult turns a verification into the page's view. Everything
// shown as a fact about the credential (achievement, names, results,
// recipient, dates) is read from the statements the counting proof covers,
// never from the JSON as submitted: a JSON-LD alias or a full-IRI key can
// make the JSON say one thing and the signed graph another. When no proof
// of the issuer's covers the credential, the JSON's details are shown
// under an "unverified content" heading (Unsure).
func buildWebResult(t map[string]string, doc []byte, res *verifier.Result, verr error, limit int64) *webResult {
	out := &webResult{}
	if res == nil {
		out.Verdict, out.Alert, out.Headline = "unknown", true, t["verdict.unknown"]
		if verr != nil {
			out.Detail = clip(verr.Error())
		}
		return out
	}
	out.setVerdict(t, res)
	for _, c := range res.Checks {
		out.Checks = append(out.Checks, webCheck{Name: msgOr(t, "check."+string(c.Check), string(c.Check)), Status: msgOr(t, "status."+string(c.Status), string(c.Status)),
			Class: string(c.Status), Reason: clip(c.Reason), Path: clip(c.Path)})
	}
	out.Explain = res.Explain
	cl := res.Claims
	out.Unsure = cl == nil || !cl.Verified
	out.IssuerID = res.Issuer
	if cl != nil && cl.Verified && cl.Issuer != "" {
		out.IssuerID = cl.Issuer
	}
	if c := res.Check(verifier.CheckIssuer); c != nil && c.Status == verifier.StatusPass {
		out.IssuerBound = true
	}
	if rc := res.Recognition; rc != nil {
		out.Recognised = rc.Status == verifier.Recognised
		out.NotRecognised = !out.Recognised
		out.TrustList, out.TrustName = clip(rc.List), clip(rc.Name)
	}
	for i, e := range res.Endorsements {
		if i >= webMaxList {
			break
		}
		out.Endorsements = append(out.Endorsements, webEndorsement{Endorser: clip(e.Endorser), EndorserName: clip(e.EndorserName), Comment: clip(e.Comment),
			Verdict: string(e.Verdict), Note: clip(e.Note), Counted: e.Counted, Recognised: e.Recognition != nil && e.Recognition.Status == verifier.Recognised})
	}
	if cl != nil {
		for _, d := range []struct {
			key string
			at  time.Time
		}{{"date.validFrom", cl.ValidFrom}, {"date.issuanceDate", cl.IssuanceDate}, {"date.validUntil", cl.ValidUntil}, {"date.expirationDate", cl.ExpirationDate}} {
			if !d.at.IsZero() {
				out.Dates = append(out.Dates, webFact{t[d.key], d.at.UTC().Format("2006-01-02 15:04 UTC")})
			}
		}
		out.Recipient = clip(cl.Subject)
	}
	out.Embedded = embeddedRows(t, res)
	if st := signedStatements(res); st != nil {
		st.fill(t, out, cl)
		if out.Name == "" {
			out.Name = clip(res.Name)
		}
		return out
	}
	if !out.Unsure {
		// Verified, yet the statements could not be read back: show only
		// what the verifier itself read from them.
		out.Name = clip(res.Name)
		return out
	}
	unverifiedFromJSON(t, out, res, credentialJSON(doc, limit))
	return out
}

// unverifiedFromJSON fills the details of a credential no proof of the
// issuer's covers from its JSON, for the page's "unverified content"
// section: they are nobody's statement.
func unverifiedFromJSON(t map[string]string, out *webResult, res *verifier.Result, cred map[string]any) {
	if cred == nil {
		return
	}
	if is, ok := cred["issuer"].(map[string]any); ok {
		out.IssuerName = credText(is, "name")
	}
	subj, _ := cred["credentialSubject"].(map[string]any)
	if list, ok := cred["credentialSubject"].([]any); ok && len(list) > 0 {
		subj, _ = list[0].(map[string]any)
	}
	if out.Recipient == "" && subj != nil {
		if ids, ok := subj["identifier"].([]any); ok && len(ids) > 0 {
			if id, ok := ids[0].(map[string]any); ok {
				if h, _ := id["hashed"].(bool); h {
					out.RecipientHashed = true
					out.RecipientHash, out.RecipientSalt = credText(id, "identityHash"), credText(id, "salt")
				} else {
					out.Recipient = credText(id, "identityHash")
				}
			}
		}
	}
	ach, _ := subj["achievement"].(map[string]any)
	if ach == nil {
		out.Name = clip(res.Name)
		return
	}
	out.Name = credText(ach, "name")
	if out.Name == "" {
		out.Name = clip(res.Name)
	}
	out.Description = credText(ach, "description")
	out.AchievementType = credText(ach, "achievementType")
	if n, ok := ach["creditsAvailable"].(float64); ok {
		out.Credits = strconv.FormatFloat(n, 'f', -1, 64)
	}
	if cr, ok := ach["criteria"].(map[string]any); ok {
		out.Narrative = credText(cr, "narrative")
		if id := credText(cr, "id"); id != "" {
			if safeLink(id) {
				out.CriteriaURL = id
			} else {
				out.CriteriaText = id
			}
		}
	}
	if al, ok := ach["alignment"].([]any); ok {
		for i, a := range al {
			m, ok := a.(map[string]any)
			if !ok || i >= webMaxList {
				continue
			}
			wa := webAlignment{Name: credText(m, "targetName"), Framework: credText(m, "targetFramework"), Code: credText(m, "targetCode")}
			if u := credText(m, "targetUrl"); safeLink(u) {
				wa.URL = u
			}
			out.Alignments = append(out.Alignments, wa)
		}
	}
	out.Image, out.ImageNote = webImage(t, ach["image"])
}

// setVerdict sets the banner: the verdict in plain words, naming what
// decided it. A status list carries no date, so a revocation is never
// given one.
func (out *webResult) setVerdict(t map[string]string, res *verifier.Result) {
	dec := res.Check(res.Decision)
	reason := ""
	if dec != nil {
		reason = dec.Reason
	}
	switch res.Verdict {
	case verifier.VerdictValid:
		out.Verdict, out.Headline, out.Detail = "valid", t["verdict.valid"], t["verdict.valid.detail"]
	case verifier.VerdictWarnings:
		out.Verdict, out.Headline, out.Detail = "warnings", t["verdict.warnings"], t["verdict.warnings.detail"]
	case verifier.VerdictInvalid:
		out.Verdict, out.Alert, out.Headline = "invalid", true, t["verdict.invalid"]
		key := "invalid." + string(res.Decision)
		switch {
		case res.Decision == verifier.CheckStatus && strings.HasPrefix(reason, "suspended"):
			key = "invalid.suspended"
		case res.Decision == verifier.CheckValidity && strings.HasPrefix(reason, "not yet valid"):
			key = "invalid.notyet"
		case res.Decision == verifier.CheckValidity && strings.Contains(reason, "expired"):
			key = "invalid.expired"
		}
		if h, ok := t[key]; ok {
			out.Headline = h
		}
		out.Detail = t["verdict.invalid.detail"]
	default:
		out.Verdict, out.Alert, out.Headline = "unknown", true, t["verdict.unknown"]
		out.Detail = fmt.Sprintf(t["verdict.unknown.detail"], msgOr(t, "check."+string(res.Decision), string(res.Decision)))
	}
}

// credentialJSON reads the credential's JSON for display: from a baked
// image, from a JWT's payload (its vc member for a VC 1.1 JWT), or the
// JSON itself; nil when it is none of these.
func credentialJSON(doc []byte, limit int64) map[string]any {
	if f := bake.Detect(doc); f == bake.FormatPNG || f == bake.FormatSVG {
		p, _, err := bake.Limits{MaxImageSize: limit, MaxCredentialSize: limit}.Extract(doc)
		if err != nil {
			return nil
		}
		doc = bytes.TrimSpace(p)
	}
	if bake.Detect(doc) == bake.FormatJWS {
		parts := strings.Split(string(doc), ".")
		if len(parts) != 3 {
			return nil
		}
		p, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return nil
		}
		doc = p
	}
	var m map[string]any
	if json.Unmarshal(doc, &m) != nil {
		return nil
	}
	if vc, ok := m["vc"].(map[string]any); ok {
		return vc
	}
	return m
}

// webImage returns an image for the page: only a data: URL of a PNG,
// JPEG, GIF or WebP whose bytes are that format and no larger than
// webMaxImage, written out again as a data: URL of that checked type (the
// bytes are not decoded); never SVG (it can carry script),
// never a remote URL (fetching it would tell its host who looks).
func webImage(t map[string]string, v any) (template.URL, string) {
	var id string
	switch x := v.(type) {
	case string:
		id = x
	case map[string]any:
		id = credText(x, "id")
	}
	if id == "" {
		return "", ""
	}
	rest, ok := strings.CutPrefix(id, "data:")
	if !ok {
		return "", t["image.remote"]
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") || len(payload) > base64.StdEncoding.EncodedLen(webMaxImage)+4 {
		return "", t["image.refused"]
	}
	data, err := base64.StdEncoding.DecodeString(payload)
	if err != nil || len(data) > webMaxImage {
		return "", t["image.refused"]
	}
	mt := imageType(data)
	if mt == "" {
		return "", t["image.refused"]
	}
	// html/template refuses data: URLs unless told; this one is built
	// here from bytes whose format was checked.
	return template.URL("data:" + mt + ";base64," + base64.StdEncoding.EncodeToString(data)), "" //nolint:gosec // G203: built here from raster bytes whose format was checked
}

// imageType is the raster format data's magic bytes show, or "".
func imageType(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "image/webp"
	}
	return ""
}

// safeLink reports whether u may be a link: an absolute http, https or
// mailto URL.
func safeLink(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		return p.Host != ""
	case "mailto":
		return p.Opaque != ""
	}
	return false
}

// credText returns m[k] when it is a string, clipped.
func credText(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return clip(s)
}

// clip bounds a text shown on the page to webMaxText runes, drops invalid
// UTF-8 and writes the bidirectional formatting characters as visible
// escapes ("\u202e"), as the CLI does: otherwise a name could reorder the
// words around it ("calls itself …") or hide what it says.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, isBidiControl) >= 0 {
		var b strings.Builder
		for _, r := range s {
			if isBidiControl(r) {
				fmt.Fprintf(&b, "\\u%04x", r)
				continue
			}
			b.WriteRune(r)
		}
		s = b.String()
	}
	if utf8.RuneCountInString(s) <= webMaxText {
		return s
	}
	r := []rune(s)
	return string(r[:webMaxText]) + "…"
}

// isBidiControl reports whether r is a bidirectional formatting
// character: the embeddings, overrides and isolates, and the marks.
func isBidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func msgOr(t map[string]string, key, def string) string {
	if v, ok := t[key]; ok {
		return v
	}
	return def
}

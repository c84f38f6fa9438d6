package catalogue

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/catalogue/published"
	"github.com/badgesmith/badgesmith/store"
)

// Files Publish writes beside the achievements' documents.
const (
	IndexJSON     = "index.json"
	IndexHTML     = "index.html"
	CatalogueFile = "catalogue.json"
)

// PublishOptions configures Publish.
type PublishOptions struct {
	// Issuer is the institution's issuer id, the catalogue credential's
	// issuer: the issuer of the credentials it vouches for. Required.
	Issuer string
	// ID is the catalogue credential's id, e.g. the URL it is published
	// at. Required.
	ID string
	// Name names the catalogue. If empty, "Approved achievements".
	Name string
}

// Publication is what Publish makes: files to write under the output
// directory, and the catalogue credential to sign and write as
// CatalogueFile.
type Publication struct {
	// Files maps slash-separated paths relative to the output directory
	// to their contents: each approved achievement's public document at
	// its id's URL path, IndexJSON and IndexHTML.
	Files map[string][]byte
	// Catalogue lists every version ever approved, with its dates.
	Catalogue *published.Catalogue
}

// IndexEntry is one approved microcredential of the index.
type IndexEntry struct {
	// ID is the achievement's id; Version its approved version.
	ID string `json:"id"`
	// Version is the approved version's number.
	Version string `json:"version"`
	// Name, Description, AchievementType and Credits come from the
	// Achievement.
	Name string `json:"name"`
	// Description is the Achievement's description.
	Description string `json:"description,omitempty"`
	// AchievementType is the Achievement's achievementType.
	AchievementType string `json:"achievementType,omitempty"`
	// Credits is the Achievement's creditsAvailable.
	Credits float64 `json:"creditsAvailable,omitempty"`
	// Competencies are the Achievement's alignments.
	Competencies []Competency `json:"competencies,omitempty"`
	// StacksInto are the stacking targets.
	StacksInto []string `json:"stacksInto,omitempty"`
	// Endorsements are the industry partners, with their endorsement
	// credential's id when they issued one.
	Endorsements []Endorsement `json:"endorsements,omitempty"`
	// AssessmentMethod and ApprovingBody come from the QA facts.
	AssessmentMethod string `json:"assessmentMethod,omitempty"`
	// ApprovingBody is the committee that approved the version.
	ApprovingBody string `json:"approvingBody,omitempty"`
	// ApprovedAt is when the version was approved.
	ApprovedAt time.Time `json:"approvedAt"`
	// Document is the path of the public document.
	Document string `json:"document"`
	// Digest is the Achievement's digest.
	Digest string `json:"digest"`
}

// Competency is an alignment of an achievement.
type Competency struct {
	// Name is the targetName; URL the targetUrl; Code the targetCode.
	Name string `json:"name"`
	// URL is the targetUrl.
	URL string `json:"url,omitempty"`
	// Code is the targetCode.
	Code string `json:"code,omitempty"`
	// Framework is the targetFramework.
	Framework string `json:"framework,omitempty"`
}

// Endorsement is an industry partner of an achievement.
type Endorsement struct {
	// Partner is the partner's name; URL its site.
	Partner string `json:"partner"`
	// URL is the partner's site.
	URL string `json:"url,omitempty"`
	// Credential is the id of the partner's EndorsementCredential.
	Credential string `json:"credential,omitempty"`
}

// Publish verifies every version's statements (a tampered record stops
// it with ErrTampered) and makes the public catalogue: the latest version
// ever approved of each achievement at its id's path (retired ones too, so
// the achievements of credentials issued before still resolve), the index
// of the approved ones, and
// the list of every version approved, retired ones with their retirement
// date, for the catalogue credential.
func (c *Catalogue) Publish(ctx context.Context, opts PublishOptions) (*Publication, error) {
	if opts.Issuer == "" || opts.ID == "" {
		return nil, fmt.Errorf("publishing: %w: issuer and id required", ErrInvalid)
	}
	if opts.Name == "" {
		opts.Name = "Approved achievements"
	}
	ps, err := c.policies(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := c.s.AchievementIDs(ctx)
	if err != nil {
		return nil, err
	}
	pub := &Publication{
		Files:     map[string][]byte{},
		Catalogue: &published.Catalogue{ID: opts.ID, Issuer: opts.Issuer, Name: opts.Name, ValidFrom: c.now().UTC().Truncate(time.Second)},
	}
	var index []IndexEntry
	for _, id := range ids {
		vs, err := c.s.Versions(ctx, id)
		if err != nil {
			return nil, err
		}
		// current is the version whose document is public at the id: the
		// latest ever approved, so credentials issued before a retirement
		// still resolve their achievement.
		var current *store.AchievementVersion
		for i := range vs {
			v := &vs[i]
			if err := verifyVersion(v, ps); err != nil {
				return nil, err
			}
			if v.ApprovedAt.IsZero() {
				continue
			}
			digest, err := Digest(v.Achievement)
			if err != nil {
				return nil, err
			}
			var a map[string]any
			if err := json.Unmarshal(v.Achievement, &a); err != nil {
				return nil, err
			}
			name, _ := a["name"].(string)
			pub.Catalogue.Entries = append(pub.Catalogue.Entries, published.Entry{
				AchievementID: id, Version: strconv.Itoa(v.Version), Name: name, Digest: digest,
				ApprovedAt: v.ApprovedAt, RetiredAt: v.RetiredAt,
			})
			current = v
		}
		if current == nil {
			continue
		}
		rel, err := DocumentPath(id)
		if err != nil {
			return nil, err
		}
		if _, dup := pub.Files[rel]; dup || rel == IndexJSON || rel == IndexHTML || rel == CatalogueFile {
			return nil, fmt.Errorf("achievement %s: %w: its path %s is taken", id, ErrInvalid, rel)
		}
		doc, err := indent(current.Achievement)
		if err != nil {
			return nil, err
		}
		pub.Files[rel] = doc
		if current.State != store.Approved {
			continue
		}
		e, err := indexEntry(current, rel)
		if err != nil {
			return nil, err
		}
		index = append(index, e)
	}
	idx := struct {
		Catalogue    string       `json:"catalogue"`
		Issuer       string       `json:"issuer"`
		Name         string       `json:"name"`
		Published    time.Time    `json:"published"`
		Achievements []IndexEntry `json:"achievements"`
	}{opts.ID, opts.Issuer, opts.Name, pub.Catalogue.ValidFrom, index}
	if idx.Achievements == nil {
		idx.Achievements = []IndexEntry{}
	}
	raw, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return nil, err
	}
	pub.Files[IndexJSON] = append(raw, '\n')
	var h bytes.Buffer
	if err := indexPage.Execute(&h, idx); err != nil {
		return nil, fmt.Errorf("writing %s: %w", IndexHTML, err)
	}
	pub.Files[IndexHTML] = h.Bytes()
	return pub, nil
}

// DocumentPath returns where an achievement's public document goes: its
// id's URL path, relative and slash-separated. Only http and https ids
// have one; a path with an empty, "." or ".." segment is refused.
func DocumentPath(id string) (string, error) {
	u, err := url.Parse(id)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("achievement id %s: %w: only an http(s) url can be published", id, ErrInvalid)
	}
	p := strings.TrimPrefix(u.Path, "/")
	if p == "" || strings.ContainsAny(p, `\`+"\x00") {
		return "", fmt.Errorf("achievement id %s: %w: no path to publish at", id, ErrInvalid)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("achievement id %s: %w: path segment %q", id, ErrInvalid, seg)
		}
	}
	return path.Clean(p), nil
}

func indent(raw []byte) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func indexEntry(v *store.AchievementVersion, rel string) (IndexEntry, error) {
	var a struct {
		Name            string  `json:"name"`
		Description     string  `json:"description"`
		AchievementType string  `json:"achievementType"`
		Credits         float64 `json:"creditsAvailable"`
		Alignment       []struct {
			TargetName      string `json:"targetName"`
			TargetURL       string `json:"targetUrl"`
			TargetCode      string `json:"targetCode"`
			TargetFramework string `json:"targetFramework"`
		} `json:"alignment"`
	}
	if err := json.Unmarshal(v.Achievement, &a); err != nil {
		return IndexEntry{}, err
	}
	digest, err := Digest(v.Achievement)
	if err != nil {
		return IndexEntry{}, err
	}
	e := IndexEntry{
		ID: v.AchievementID, Version: strconv.Itoa(v.Version), Name: a.Name, Description: a.Description,
		AchievementType: a.AchievementType, Credits: a.Credits, StacksInto: v.QA.StacksInto,
		AssessmentMethod: v.QA.AssessmentMethod, ApprovingBody: v.QA.ApprovingBody,
		ApprovedAt: v.ApprovedAt, Document: rel, Digest: digest,
	}
	for _, al := range a.Alignment {
		e.Competencies = append(e.Competencies, Competency{Name: al.TargetName, URL: al.TargetURL, Code: al.TargetCode, Framework: al.TargetFramework})
	}
	for _, p := range v.QA.Partners {
		en := Endorsement{Partner: p.Name, URL: p.URL}
		if len(p.Endorsement) > 0 {
			var cred struct {
				ID string `json:"id"`
			}
			_ = json.Unmarshal(p.Endorsement, &cred)
			en.Credential = cred.ID
		}
		e.Endorsements = append(e.Endorsements, en)
	}
	return e, nil
}

// indexPage is the static index. html/template escapes every value for
// its context (text, attribute, URL), and safeURL keeps only http(s)
// links, so no catalogue text can inject markup or script.
var indexPage = template.Must(template.New("index").Funcs(template.FuncMap{
	"safeURL": func(s string) string {
		if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			return s
		}
		return ""
	},
	"date": func(t time.Time) string { return t.UTC().Format("2 January 2006") },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Name}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;line-height:1.5;color:#111;background:#fff}article{border-top:1px solid #666;padding:1rem 0}dt{font-weight:bold}a{color:#0645ad}</style>
</head>
<body>
<header>
<h1>{{.Name}}</h1>
<p>Microcredentials approved by the institution's quality assurance, published {{date .Published}}.
The signed list is <a href="catalogue.json">catalogue.json</a>; the same index as data is <a href="index.json">index.json</a>.</p>
</header>
<main>
{{- if not .Achievements}}
<p>No achievement is approved yet.</p>
{{- end}}
{{- range .Achievements}}
<article aria-labelledby="a-{{.Digest}}">
<h2 id="a-{{.Digest}}">{{.Name}} <small>(version {{.Version}})</small></h2>
{{- if .Description}}
<p>{{.Description}}</p>
{{- end}}
<dl>
<dt>Identifier</dt><dd><a href="{{.Document}}">{{.ID}}</a></dd>
{{- if .AchievementType}}
<dt>Type</dt><dd>{{.AchievementType}}</dd>
{{- end}}
{{- if .Credits}}
<dt>Credits</dt><dd>{{.Credits}}</dd>
{{- end}}
{{- if .AssessmentMethod}}
<dt>Assessment</dt><dd>{{.AssessmentMethod}}</dd>
{{- end}}
{{- if .ApprovingBody}}
<dt>Approved by</dt><dd>{{.ApprovingBody}}, {{date .ApprovedAt}}</dd>
{{- else}}
<dt>Approved</dt><dd>{{date .ApprovedAt}}</dd>
{{- end}}
</dl>
{{- if .Competencies}}
<h3>Competencies</h3>
<ul>
{{- range .Competencies}}
<li>{{with safeURL .URL}}<a href="{{.}}">{{end}}{{.Name}}{{if safeURL .URL}}</a>{{end}}{{if .Code}} ({{.Code}}){{end}}{{if .Framework}}, {{.Framework}}{{end}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .StacksInto}}
<h3>Stacks into</h3>
<ul>
{{- range .StacksInto}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- if .Endorsements}}
<h3>Industry partners</h3>
<ul>
{{- range .Endorsements}}
<li>{{with safeURL .URL}}<a href="{{.}}">{{end}}{{.Partner}}{{if safeURL .URL}}</a>{{end}}{{if .Credential}}: endorsement {{.Credential}}{{end}}</li>
{{- end}}
</ul>
{{- end}}
</article>
{{- end}}
</main>
</body>
</html>
`))

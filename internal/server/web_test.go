package server

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/verifier"
)

// postWeb submits a credential to POST /verify as the form does: the file
// as an upload (or the text as the paste field) and the language.
func (ts *testServer) postWeb(t *testing.T, field, filename string, data []byte, lang string, hdr ...string) fetched {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("lang", lang); err != nil {
		t.Fatal(err)
	}
	var w interface{ Write([]byte) (int, error) }
	var err error
	if field == "file" {
		w, err = mw.CreateFormFile("file", filename)
	} else {
		w, err = mw.CreateFormField(field)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", ts.url+"/verify", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	if _, err := out.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return fetched{resp.StatusCode, resp.Header, out.Bytes()}
}

var (
	rasterDataURL = regexp.MustCompile(`^data:image/(png|jpeg|gif|webp);base64,`)
	tagRE         = regexp.MustCompile(`<[^>]*>`)
	verdictRE     = regexp.MustCompile(`data-verdict="([a-z]+)"`)
)

// pageText is the page's text as a reader sees it: tags dropped,
// entities decoded, space collapsed.
func pageText(body []byte) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(string(body), " "))), " ")
}

func TestWebVerifyPage(t *testing.T) {
	ts := webServer(t)
	en := webMessages("en")
	for _, fx := range webFixtures(t, ts) {
		t.Run(fx.name, func(t *testing.T) {
			resp := ts.postWeb(t, "file", fx.file, fx.data, "en")
			wantStatus := http.StatusOK
			if fx.verdict == "invalid" || fx.verdict == "unknown" {
				wantStatus = http.StatusUnprocessableEntity
			}
			if resp.StatusCode != wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, wantStatus)
			}
			m := verdictRE.FindSubmatch(resp.Body)
			if m == nil || string(m[1]) != fx.verdict {
				t.Fatalf("verdict %q, want %s; page:\n%s", m, fx.verdict, pageText(resp.Body))
			}
			text := pageText(resp.Body)
			if !strings.Contains(text, en[fx.headline]) {
				t.Errorf("headline %q missing from %s", en[fx.headline], text)
			}
			for _, f := range fx.facts {
				if !strings.Contains(text, f) {
					t.Errorf("fact %q missing from %s", f, text)
				}
			}
			checkWebHeaders(t, resp.Header)
			checkNoCredentialMarkup(t, resp.Body)
		})
	}
}

// checkWebHeaders checks the page's security headers.
func checkWebHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows unsafe sources", csp)
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Content-Type": "text/html; charset=utf-8"} {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
}

// checkNoCredentialMarkup checks that the page holds only its own
// markup: one script element (its own file), no inline handler or style,
// no javascript: URL, no markup from the credential, and no data: image
// but raster ones. html/template escapes every < of text, so each tag
// in the raw HTML is the template's own.
func checkNoCredentialMarkup(t *testing.T, body []byte) {
	t.Helper()
	page := string(body)
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d script elements", n)
	}
	inTag := regexp.MustCompile(`(?i)\son[a-z]+=|\sstyle=|javascript:|data:image/svg|^<(b|style|iframe|object|embed)\b`)
	for _, tag := range regexp.MustCompile(`<[a-zA-Z][^>]*>`).FindAllString(page, -1) {
		if inTag.MatchString(tag) {
			t.Errorf("tag %.200s", tag)
		}
	}
	for _, m := range regexp.MustCompile(`src="(data:[^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !rasterDataURL.MatchString(m[1]) || len(m[1]) > 4*webMaxImage/3+64 {
			t.Errorf("image %.60s…", m[1])
		}
	}
}

// TestWebHostileContent checks what the page makes of hostile content:
// the markup is shown as text, the javascript: link is no link, an image
// over the cap or in SVG is refused with a note, and a small PNG is shown.
func TestWebHostileContent(t *testing.T) {
	ts := webServer(t)
	fx := map[string]webFixture{}
	for _, f := range webFixtures(t, ts) {
		fx[f.name] = f
	}
	en := webMessages("en")
	for _, tc := range []struct {
		name     string
		want     []string // in the raw HTML
		wantNote string
	}{
		{"hostile", []string{`&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;Hostile &lt;b&gt;Badge&lt;/b&gt;`, `<span>javascript:alert(1)</span>`}, en["image.refused"]},
		{"svg image", nil, en["image.refused"]},
		{"image", []string{`<img class="badge-image" src="data:image/png;base64,`}, ""},
		{"valid", nil, en["image.remote"]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fx[tc.name]
			resp := ts.postWeb(t, "credential", "", f.data, "en")
			for _, w := range tc.want {
				if !bytes.Contains(resp.Body, []byte(w)) {
					t.Errorf("page lacks %s", w)
				}
			}
			note := regexp.MustCompile(`id="image-note">([^<]*)<`).FindSubmatch(resp.Body)
			got := ""
			if note != nil {
				got = html.UnescapeString(string(note[1]))
			}
			if got != tc.wantNote {
				t.Errorf("image note %q, want %q", got, tc.wantNote)
			}
		})
	}
}

// TestWebExplainMatchesCLI checks that the page's "Why might another
// verifier disagree?" panel shows every fact of Verifier.Explain, the call
// behind badgesmith verify --explain, for the same bytes.
func TestWebExplainMatchesCLI(t *testing.T) {
	ts := webServer(t)
	for _, fx := range webFixtures(t, ts) {
		switch fx.name {
		case "valid", "revoked", "jwt", "baked svg", "tampered":
		default:
			continue
		}
		t.Run(fx.name, func(t *testing.T) {
			res, _ := ts.verifier.Load().Explain(context.Background(), normalizeWebInput(fx.data))
			ex := res.Explain
			if ex == nil {
				t.Fatal("no explanation")
			}
			var facts []string
			facts = append(facts, ex.Format)
			for _, c := range ex.Contexts {
				facts = append(facts, c.URL, c.Source, c.RecordedSHA256)
				if !c.Matches {
					facts = append(facts, c.EmbeddedSHA256)
				}
			}
			if p := ex.Proof; p != nil {
				facts = append(facts, fmt.Sprintf("proof[%d]: %s", p.Index, p.Suite), p.VerificationMethod, p.Created, p.ProofOptionsHash, p.DocumentHash, p.SigningInputHash)
				facts = append(facts, strings.Split(strings.TrimSpace(p.NQuads), "\n")...)
			}
			if k := ex.Key; k != nil {
				facts = append(facts, k.VerificationMethod, k.Source, k.Relationship, k.Reason, fmt.Sprint("bound ", k.Bound))
			}
			for _, l := range ex.StatusLists {
				facts = append(facts, l.Kind+" "+l.URL, l.Issuer, l.Trust)
				if !l.ValidUntil.IsZero() {
					facts = append(facts, "validUntil "+l.ValidUntil.UTC().Format(time.RFC3339))
				}
				if l.TTL > 0 {
					facts = append(facts, fmt.Sprint("ttl ", l.TTL))
				}
				facts = append(facts, map[bool]string{true: "fresh", false: "stale"}[l.Fresh])
			}
			facts = append(facts, ex.Differences...)
			if len(facts) < 8 {
				t.Fatalf("only %d facts: %+v", len(facts), ex)
			}
			resp := ts.postWeb(t, "file", fx.file, fx.data, "en")
			panel := string(resp.Body)
			if i := strings.Index(panel, `id="explain"`); i >= 0 {
				panel = panel[i:]
			} else {
				t.Fatal("no explain panel")
			}
			text := html.UnescapeString(panel)
			for _, f := range facts {
				if f != "" && !strings.Contains(text, f) {
					t.Errorf("panel lacks %q", f)
				}
			}
		})
	}
}

func TestWebForm(t *testing.T) {
	ts := webServer(t)
	for _, tc := range []struct {
		name, query, accept, wantLang, wantText string
	}{
		{"default", "", "", "en", "Verify a badge"},
		{"accept french", "", "fr-CA,fr;q=0.9,en;q=0.5", "fr", "Vérifier un badge"},
		{"accept english first", "", "en-GB,fr;q=0.8", "en", "Verify a badge"},
		{"switch wins", "?lang=fr", "en", "fr", "Vérifier un badge"},
		{"unknown switch", "?lang=de", "fr", "fr", "Vérifier un badge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := get(t, ts.url+"/verify"+tc.query, "Accept-Language", tc.accept)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			checkWebHeaders(t, resp.Header)
			if !bytes.Contains(resp.Body, []byte(`<html lang="`+tc.wantLang+`">`)) || !strings.Contains(pageText(resp.Body), tc.wantText) {
				t.Errorf("page not in %s:\n%s", tc.wantLang, resp.Body)
			}
			for _, id := range []string{"credential", "file"} {
				if !bytes.Contains(resp.Body, []byte(`<label for="`+id+`">`)) {
					t.Errorf("no label for #%s", id)
				}
			}
		})
	}
	for _, name := range []string{"verify.css", "verify.js"} {
		resp := get(t, ts.url+"/verify/static/"+name)
		if resp.StatusCode != 200 || len(resp.Body) == 0 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %v", name, resp.StatusCode, resp.Header)
		}
	}
	if resp := get(t, ts.url+"/verify/static/nope.js"); resp.StatusCode != 404 {
		t.Errorf("missing asset: %d", resp.StatusCode)
	}
}

func TestWebSubmitRefusals(t *testing.T) {
	ts := webServer(t)
	if r := ts.postWeb(t, "credential", "", nil, "en"); r.StatusCode != 400 || !strings.Contains(pageText(r.Body), webMessages("en")["err.empty"]) {
		t.Errorf("empty: %d %s", r.StatusCode, pageText(r.Body))
	}
	big := bytes.Repeat([]byte("a"), DefaultMaxBodyBytes+1)
	if r := ts.postWeb(t, "file", "big.json", big, "fr"); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d", r.StatusCode)
	}
	r := ts.postWeb(t, "credential", "", []byte("not a credential"), "fr")
	if m := verdictRE.FindSubmatch(r.Body); m == nil || string(m[1]) != "invalid" || !bytes.Contains(r.Body, []byte(`<html lang="fr">`)) {
		t.Errorf("garbage: %d %s", r.StatusCode, pageText(r.Body))
	}
}

// TestWebCatalogueComplete checks that every language has every message,
// with the same formatting verbs.
func TestWebCatalogueComplete(t *testing.T) {
	en := webMessages("en")
	verbs := regexp.MustCompile(`%[sd]`)
	for _, lang := range webLangs {
		m := webMessages(lang)
		if len(m) != len(en) {
			t.Errorf("%s has %d messages, en %d", lang, len(m), len(en))
		}
		for k, v := range en {
			got, ok := m[k]
			if !ok || got == "" {
				t.Errorf("%s lacks %s", lang, k)
			}
			if strings.Join(verbs.FindAllString(got, -1), "") != strings.Join(verbs.FindAllString(v, -1), "") {
				t.Errorf("%s %s: verbs of %q differ from %q", lang, k, got, v)
			}
		}
	}
}

func TestPickLang(t *testing.T) {
	for _, tc := range []struct{ explicit, accept, want string }{
		{"", "", "en"},
		{"fr", "", "fr"},
		{"FR-ca", "en", "fr"},
		{"", "fr", "fr"},
		{"", "de, fr;q=0.3, en;q=0.2", "fr"},
		{"", "en;q=0.1, fr;q=0.9", "fr"},
		{"", "fr;q=0, en;q=0.1", "en"},
		{"", "fr;q=bogus", "en"},
		{"", "fr;q=2", "en"},
		{"de", "", "en"},
	} {
		if got := pickLang(tc.explicit, tc.accept); got != tc.want {
			t.Errorf("pickLang(%q, %q) = %s, want %s", tc.explicit, tc.accept, got, tc.want)
		}
	}
}

func TestSafeLink(t *testing.T) {
	for u, want := range map[string]bool{
		"https://example.edu/c": true, "http://example.edu": true, "mailto:a@example.edu": true,
		"javascript:alert(1)": false, "JaVaScRiPt:alert(1)": false, "data:text/html,x": false, "//example.edu": false,
		"https:": false, "vbscript:x": false, "": false,
	} {
		if got := safeLink(u); got != want {
			t.Errorf("safeLink(%q) = %v", u, got)
		}
	}
}

// FuzzWebInput feeds the page's readers of outside input: the paste
// normalizer, the display reader (images, JWTs, JSON), the image check
// and the Accept-Language parser. None may panic, and an image the page
// shows is always a raster data: URL.
func FuzzWebInput(f *testing.F) {
	f.Add([]byte(`{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,a.b.c"}`), "fr-CA;q=0.5, en")
	f.Add([]byte(`{"credentialSubject":{"achievement":{"name":"x","image":"data:image/png;base64,iVBORw0KGgo="}}}`), "")
	f.Add([]byte("eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln"), "*")
	f.Add([]byte("\x89PNG\r\n\x1a\n"), ";q=")
	f.Fuzz(func(t *testing.T, data []byte, accept string) {
		doc := normalizeWebInput(data)
		cred := credentialJSON(doc, 1<<20)
		if cred != nil {
			if img, _ := webImage(webMessages("en"), cred["image"]); img != "" && !rasterDataURL.MatchString(string(img)) {
				t.Fatalf("image %q", img)
			}
		}
		_ = buildWebResult(webMessages("fr"), doc, nil, nil, 1<<20)
		if l := pickLang("", accept); l != "en" && l != "fr" {
			t.Fatalf("lang %q", l)
		}
	})
}

// TestWebVerifyURL checks /verify?url=: an https credential is fetched
// with the guarded client and verified; an http URL, a HEAD, a prefetch,
// a body over the limit and, with the guard as deployed, a loopback
// address are refused, and only the good fetches reach the host.
func TestWebVerifyURL(t *testing.T) {
	ts := webServer(t)
	valid, err := json.Marshal(ts.issue(t, sampleCredential(t)))
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	host := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/big.json" {
			_, _ = w.Write(bytes.Repeat([]byte(" "), DefaultMaxBodyBytes+1))
			return
		}
		_, _ = w.Write(valid)
	}))
	defer host.Close()
	tr := host.Client().Transport.(*http.Transport)
	allowed := newWebHandler(ts.Server)
	allowed.client = safehttp.NewClient(safehttp.Options{Transport: tr, AllowAddrs: []netip.AddrPort{netip.MustParseAddrPort(host.Listener.Addr().String())}})
	guarded := newWebHandler(ts.Server)
	guarded.client = safehttp.NewClient(safehttp.Options{Transport: tr})
	for _, tc := range []struct {
		name    string
		h       *webHandler
		method  string
		url     string
		hdr     []string
		status  int
		verdict string // "" when the page holds no result
		hits    int64
	}{
		{"https", allowed, "GET", host.URL + "/cred.json", nil, 200, "valid", 1},
		{"http refused", allowed, "GET", strings.Replace(host.URL, "https:", "http:", 1) + "/cred.json", nil, 400, "", 0},
		{"not a url", allowed, "GET", "::", nil, 400, "", 0},
		{"head", allowed, "HEAD", host.URL + "/cred.json", nil, 200, "", 0},
		{"prefetch", allowed, "GET", host.URL + "/cred.json", []string{"Sec-Purpose", "prefetch"}, 200, "", 0},
		{"too large", allowed, "GET", host.URL + "/big.json", nil, 502, "", 1},
		{"loopback refused", guarded, "GET", host.URL + "/cred.json", nil, 502, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			req := httptest.NewRequest(tc.method, "/verify?lang=en&url="+url.QueryEscape(tc.url), nil)
			for i := 0; i+1 < len(tc.hdr); i += 2 {
				req.Header.Set(tc.hdr[i], tc.hdr[i+1])
			}
			rec := httptest.NewRecorder()
			tc.h.form(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.status, pageText(rec.Body.Bytes()))
			}
			got := ""
			if m := verdictRE.FindSubmatch(rec.Body.Bytes()); m != nil {
				got = string(m[1])
			}
			if got != tc.verdict {
				t.Errorf("verdict %q, want %q", got, tc.verdict)
			}
			if n := hits.Load() - before; n != tc.hits {
				t.Errorf("%d fetches, want %d", n, tc.hits)
			}
			checkWebHeaders(t, rec.Header())
		})
	}
}

func TestWebRecipientCheck(t *testing.T) {
	ts := webServer(t)
	const salt = "pepper"
	sha := sha256.Sum256([]byte(webTestEmail + salt))
	md := md5.Sum([]byte(webTestEmail + salt)) //nolint:gosec // G401: an md5 identity hash, as OB 2.0-era issuers made them
	for _, tc := range []struct {
		name, hash, email string
		want              bool
	}{
		{"sha256", "sha256$" + hex.EncodeToString(sha[:]), webTestEmail, true},
		{"sha256 other", "sha256$" + hex.EncodeToString(sha[:]), "other@example.edu", false},
		{"md5", "md5$" + hex.EncodeToString(md[:]), " " + webTestEmail + " ", true},
		{"md5 other", "md5$" + hex.EncodeToString(md[:]), "other@example.edu", false},
		{"no hash", "", webTestEmail, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"hash": {tc.hash}, "salt": {salt}, "email": {tc.email}}
			resp, err := http.PostForm(ts.url+"/verify/recipient", form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct{ Match bool }
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("%d %v", resp.StatusCode, err)
			}
			if got.Match != tc.want {
				t.Errorf("match %v, want %v", got.Match, tc.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", webMaxText+10)
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"evil\u202Egnp.exe", `evil\u202egnp.exe`},
		{"\u2066a\u2069 \u200F", `\u2066a\u2069 \u200f`},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
		{long, strings.Repeat("é", webMaxText) + "…"},
	} {
		if got := clip(tc.in); got != tc.want {
			t.Errorf("clip(%.40q) = %.40q, want %.40q", tc.in, got, tc.want)
		}
	}
}

// TestWebTrustList checks the issuer's headline with trust lists: a
// recognised issuer is named as the list names it, without the "calls
// itself" caution; an issuer the list does not hold is said to be
// unrecognised, its own name still only what it calls itself.
func TestWebTrustList(t *testing.T) {
	ts := webServer(t)
	fx := map[string]webFixture{}
	for _, f := range webFixtures(t, ts) {
		fx[f.name] = f
	}
	tl, err := verifier.ParseTrustList("registry", []byte(`{"trustList": {"name": "Ontario Registry", "entries": [{"id": "`+ts.signer.Identity().ID+`", "name": "Test University (registered)"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	ts.opts.Verifier.Trust = []*verifier.TrustList{tl}
	if err := ts.renewVerifier(); err != nil {
		t.Fatal(err)
	}
	en := webMessages("en")
	for _, tc := range []struct {
		name    string
		want    string
		caution bool
	}{
		{"valid", fmt.Sprintf(en["issuer.recognised"], "Ontario Registry", "Test University (registered)"), false},
		{"unknown issuer", en["issuer.notrecognised"], true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := pageText(ts.postWeb(t, "file", "c.json", fx[tc.name].data, "en").Body)
			if !strings.Contains(text, tc.want) {
				t.Errorf("page lacks %q: %s", tc.want, text)
			}
			if got := strings.Contains(text, en["issuer.calls.note"]); got != tc.caution {
				t.Errorf("caution shown %v, want %v", got, tc.caution)
			}
		})
	}
}

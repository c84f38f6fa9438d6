package server

import (
	"bytes"
	"encoding/base64"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/badgesmith/badgesmith/store"
)

// shareName is an achievement name with every character an attribute
// must escape.
const shareName = `Data "Quoted" <b>&</b> Analysis`

// shareFlow issues a credential to a hashed email, offers it, and
// returns the flow, the credential and the offer.
func shareFlow(t *testing.T) (walletFlow, map[string]any, CreatedOffer) {
	t.Helper()
	f := startWalletServer(t)
	cred := sampleCredential(t)
	subj := cred["credentialSubject"].(map[string]any)
	subj["achievement"].(map[string]any)["name"] = shareName
	delete(subj, "id")
	subj["identifier"] = []any{map[string]any{
		"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
		"identityHash": "sha256$0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", "salt": "pepper-and-s4lt",
	}}
	issued := f.ts.issue(t, cred)
	return f, issued, f.offer(t, issued["id"].(string), false)
}

// consentPost posts the consent form of offer with the given fields.
func consentPost(t *testing.T, f walletFlow, offer string, v url.Values, hdr ...string) fetched {
	t.Helper()
	return f.ts.send(t, "POST", "/claim/"+offer+"/share", v.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
}

// shareLink is the share URL a consent answer shows.
var shareLink = regexp.MustCompile(`id="share-link" href="([^"]+)"`)

// metaContent returns the content attribute of the meta tag whose
// attr (property or name) is key, unescaped, and whether there is one.
func metaContent(body []byte, attr, key string) (string, bool) {
	m := regexp.MustCompile(`<meta ` + attr + `="` + regexp.QuoteMeta(key) + `" content="([^"]*)">`).FindSubmatch(body)
	if m == nil {
		return "", false
	}
	return html.UnescapeString(string(m[1])), true
}

func sharesOf(t *testing.T, f walletFlow, credID string) []store.Share {
	t.Helper()
	l, err := f.ts.store.SharesOf(t.Context(), credID)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// consentedShare runs the consent flow and returns the share page URL.
func consentedShare(t *testing.T, f walletFlow, offer string) string {
	t.Helper()
	r := consentPost(t, f, offer, url.Values{"consent": {"yes"}})
	m := shareLink.FindSubmatch(r.Body)
	if r.StatusCode != http.StatusCreated || m == nil {
		t.Fatalf("consent: %d %s", r.StatusCode, r.Body)
	}
	return html.UnescapeString(string(m[1]))
}

// TestShareConsent: a share token exists only after the learner's
// consent on the claim flow, and is kept only as its hash.
func TestShareConsent(t *testing.T) {
	f, cred, o := shareFlow(t)
	id := cred["id"].(string)
	claim := f.getWith(t, "/claim/"+o.OfferID, "text/html")
	if !strings.Contains(string(claim.Body), "/claim/"+o.OfferID+"/share") {
		t.Error("the claim page does not link the share consent page")
	}
	for _, c := range []struct {
		name   string
		do     func() fetched
		status int
	}{
		{"form", func() fetched { return f.getWith(t, "/claim/"+o.OfferID+"/share", "text/html") }, http.StatusOK},
		{"no consent", func() fetched { return consentPost(t, f, o.OfferID, url.Values{}) }, http.StatusBadRequest},
		{"consent not yes", func() fetched { return consentPost(t, f, o.OfferID, url.Values{"consent": {"on"}}) }, http.StatusBadRequest},
		{"cross-site", func() fetched {
			return consentPost(t, f, o.OfferID, url.Values{"consent": {"yes"}}, "Sec-Fetch-Site", "cross-site")
		}, http.StatusForbidden},
		{"unknown offer", func() fetched { return consentPost(t, f, "no-such-offer", url.Values{"consent": {"yes"}}) }, http.StatusNotFound},
	} {
		if r := c.do(); r.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.name, r.StatusCode, c.status)
		}
		if l := sharesOf(t, f, id); len(l) != 0 {
			t.Fatalf("%s created a share: %+v", c.name, l)
		}
	}
	page := consentedShare(t, f, o.OfferID)
	tok, ok := strings.CutPrefix(page, f.ts.url+"/c/")
	if !ok {
		t.Fatalf("share URL %q is not under %s/c/", page, f.ts.url)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(tok); err != nil || len(raw)*8 < 128 {
		t.Errorf("token %q: %d bits (%v), want at least 128", tok, len(raw)*8, err)
	}
	l := sharesOf(t, f, id)
	if len(l) != 1 || l[0].TokenHash != secretHash(tok) || l[0].TokenHash == tok || l[0].OfferIDHash != secretHash(o.OfferID) {
		t.Errorf("stored shares %+v, want one keyed by the token's hash and the offer's", l)
	}
	// The live-share bound.
	for range maxSharesPerCredential - 1 {
		consentedShare(t, f, o.OfferID)
	}
	if r := consentPost(t, f, o.OfferID, url.Values{"consent": {"yes"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("share beyond the bound: %d, want 409", r.StatusCode)
	}
}

// TestSharePage: the share page is the verification page, noindex, with
// escaped link-preview tags, the exact LinkedIn parameters and no identity
// hash or salt; a revoked share is 410 and an unknown token 404.
func TestSharePage(t *testing.T) {
	f, cred, o := shareFlow(t)
	id := cred["id"].(string)
	page := consentedShare(t, f, o.OfferID)
	path := strings.TrimPrefix(page, f.ts.url)
	r := f.getWith(t, path, "text/html")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("share page: %d %s", r.StatusCode, r.Body)
	}
	checkWebHeaders(t, r.Header)
	if r.Header.Get("X-Robots-Tag") != "noindex" || !bytes.Contains(r.Body, []byte(`<meta name="robots" content="noindex">`)) {
		t.Error("share page is not noindex in its header and its meta tag")
	}
	body := string(r.Body)
	if !strings.Contains(body, `data-verdict="valid"`) {
		t.Error("share page does not show the valid verdict")
	}
	ident := cred["credentialSubject"].(map[string]any)["identifier"].([]any)[0].(map[string]any)
	for _, secret := range []string{ident["identityHash"].(string), ident["salt"].(string), "0f1e2d3c4b5a6978", "pepper"} {
		if strings.Contains(body, secret) {
			t.Errorf("share page shows %q of the recipient's identity", secret)
		}
	}
	if strings.Contains(body, `id="email-form"`) || strings.Contains(body, `id="explain"`) {
		t.Error("share page has the email check or the statements panel")
	}
	if strings.Contains(body, `"Quoted"`) || strings.Contains(body, "<b>&</b>") {
		t.Error("the achievement name is not escaped")
	}
	issuer := "Test University"
	for _, c := range []struct{ attr, key, want string }{
		{"property", "og:title", shareName},
		{"property", "og:description", "This badge is valid — " + issuer},
		{"property", "og:url", page},
		{"property", "og:image", page + "/image"},
		{"name", "twitter:card", "summary"},
		{"name", "twitter:title", shareName},
		{"name", "twitter:image", page + "/image"},
	} {
		got, ok := metaContent(r.Body, c.attr, c.key)
		if !ok || got != c.want {
			t.Errorf("%s = %q (present %v), want %q", c.key, got, ok, c.want)
		}
	}
	m := regexp.MustCompile(`id="linkedin" class="button" href="([^"]+)"`).FindSubmatch(r.Body)
	if m == nil {
		t.Fatal("no LinkedIn link")
	}
	li, err := url.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	res, _ := f.ts.verifier.Load().Verify(t.Context(), []byte(mustDoc(t, f, id)))
	from := res.Claims.ValidFrom.UTC()
	want := url.Values{
		"startTask": {"CERTIFICATION_NAME"}, "name": {shareName}, "organizationName": {issuer},
		"issueYear": {strconv.Itoa(from.Year())}, "issueMonth": {strconv.Itoa(int(from.Month()))},
		"certUrl": {page}, "certId": {id},
	}
	if li.Scheme != "https" || li.Host != "www.linkedin.com" || li.Path != "/profile/add" || li.Query().Encode() != want.Encode() {
		t.Errorf("LinkedIn link %s, want https://www.linkedin.com/profile/add?%s", li, want.Encode())
	}
	if li.RawQuery != want.Encode() {
		t.Errorf("LinkedIn query %q is not percent-encoded as url.Values does: %q", li.RawQuery, want.Encode())
	}

	img := f.getWith(t, path+"/image", "")
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("share image: %d %s", img.StatusCode, img.Header.Get("Content-Type"))
	}
	if _, err := png.Decode(bytes.NewReader(img.Body)); err != nil || len(img.Body) > webMaxImage {
		t.Errorf("share image: %d bytes, %v", len(img.Body), err)
	}

	// Revocation by the admin API: the page and its image are gone.
	rv := f.ts.do(t, "POST", "/credentials/shares/revoke", testAdminKey, ShareRevokeRequest{CredentialID: id})
	if rv.StatusCode != http.StatusOK || decode[map[string]any](t, rv)["revoked"] != 1.0 {
		t.Fatalf("revoke: %d %s", rv.StatusCode, rv.Body)
	}
	for _, p := range []string{path, path + "/image"} {
		if r := f.getWith(t, p, "text/html"); r.StatusCode != http.StatusGone {
			t.Errorf("%s after revocation: %d, want 410", p, r.StatusCode)
		}
	}
	if r := f.ts.do(t, "POST", "/credentials/shares/revoke", "", ShareRevokeRequest{CredentialID: id}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoke without a key: %d, want 401", r.StatusCode)
	}
	for _, p := range []string{"/c/" + strings.Repeat("A", 43), "/c/" + strings.Repeat("A", 200), "/c/x/image"} {
		if r := f.getWith(t, p, "text/html"); r.StatusCode != http.StatusNotFound || r.Header.Get("X-Robots-Tag") != "noindex" {
			t.Errorf("%s: %d, want a noindex 404", p, r.StatusCode)
		}
	}
}

// TestSharePageReverified: the share page verifies the stored credential
// at view time, so a revocation by the issuer shows at once.
func TestSharePageReverified(t *testing.T) {
	f, cred, o := shareFlow(t)
	page := consentedShare(t, f, o.OfferID)
	if r := f.ts.setStatus(t, cred["id"].(string), "revocation", true); r.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.StatusCode, r.Body)
	}
	r := f.getWith(t, strings.TrimPrefix(page, f.ts.url), "text/html")
	if r.StatusCode != http.StatusOK || !strings.Contains(string(r.Body), `data-verdict="invalid"`) {
		t.Errorf("share page of a revoked credential: %d, want the invalid verdict", r.StatusCode)
	}
	if strings.Contains(string(r.Body), `id="linkedin"`) {
		t.Error("a revoked credential offers the LinkedIn link")
	}
}

func mustDoc(t *testing.T, f walletFlow, id string) string {
	t.Helper()
	d, err := f.ts.def.docs.get(id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Signed
}

// TestShareBrowser reads the share page's link-preview tags in Chromium.
func TestShareBrowser(t *testing.T) {
	ctx := startBrowser(t)
	f, _, o := shareFlow(t)
	page := consentedShare(t, f, o.OfferID)
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Do(tab, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("verdict"))); err != nil {
		t.Fatal(err)
	}
	meta := run(t, tab, chromedp.Evaluate[map[string]string](`(() => {
  const out = {};
  for (const m of document.querySelectorAll("meta[property^='og:'], meta[name^='twitter:'], meta[name=robots]")) out[m.getAttribute("property") || m.getAttribute("name")] = m.content;
  return out;
})()`))
	for k, want := range map[string]string{
		"og:title": shareName, "og:url": page, "og:image": page + "/image", "twitter:card": "summary", "robots": "noindex",
	} {
		if meta[k] != want {
			t.Errorf("%s = %q in the browser, want %q", k, meta[k], want)
		}
	}
	if !strings.HasPrefix(meta["og:description"], webMessages("en")["verdict.valid"]) {
		t.Errorf("og:description = %q", meta["og:description"])
	}
	checkA11y(t, tab, "share page")
	shot := run(t, tab, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(webScreenshotDir(t), "share.png"), shot, 0o600); err != nil {
		t.Fatal(err)
	}
}

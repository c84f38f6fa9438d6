package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/bake"
)

func (f walletFlow) getWith(t *testing.T, path, accept string) fetched {
	t.Helper()
	req, err := http.NewRequest("GET", f.ts.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return send(t, req)
}

func TestClaimPage(t *testing.T) {
	f := startWalletServer(t)
	cred := sampleCredential(t)
	subj := cred["credentialSubject"].(map[string]any)
	subj["achievement"].(map[string]any)["name"] = `Data <script>alert(1)</script> & Analysis`
	orig := f.ts.issue(t, cred)
	o := f.offer(t, orig["id"].(string), true)
	page := "/claim/" + o.OfferID

	resp := f.getWith(t, page, "text/html")
	body := string(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("claim page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp.Header.Get("Referrer-Policy") != "no-referrer" || resp.Header.Get("Content-Security-Policy") != claimCSP || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("claim page headers %v", resp.Header)
	}
	for _, want := range []string{
		"Data &lt;script&gt;alert(1)&lt;/script&gt; &amp; Analysis", "Test University", "data:image/png;base64,",
		"openid-credential-offer://?credential_offer_uri=", "/credential.json", "/badge.png", "?iuv=1",
		"the code your issuer sent you separately", `name="viewport"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("claim page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script") {
		t.Error("claim page has a script (or an unescaped name)")
	}

	resp = f.getWith(t, page+"?iuv=1", "application/json")
	p := decode[map[string]map[string]string](t, resp)["protocols"]
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(p["OID4VCI"], "openid-credential-offer://") {
		t.Errorf("interaction URL as JSON: %d %s", resp.StatusCode, resp.Body)
	}

	resp = f.getWith(t, page+"/credential.json", "")
	doc, err := f.ts.def.docs.get(orig["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(resp.Body) != doc.Signed {
		t.Errorf("credential.json: %d, not the signed credential", resp.StatusCode)
	}
	resp = f.getWith(t, page+"/badge.png", "")
	got, err := bake.ExtractPNG(resp.Body)
	if resp.StatusCode != http.StatusOK || err != nil || !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace([]byte(doc.Signed))) {
		t.Errorf("badge.png: %d, extracted %v", resp.StatusCode, err)
	}

	// Redeemed: the page says so, and the downloads are gone.
	f.accessToken(t, o)
	resp = f.getWith(t, page, "")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(resp.Body), "no longer available") {
		t.Errorf("claim page after redemption: %d", resp.StatusCode)
	}
	for _, path := range []string{page + "/credential.json", page + "/badge.png", "/claim/unknown-offer"} {
		if resp := f.getWith(t, path, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s after redemption: %d", path, resp.StatusCode)
		}
	}
	if resp := f.getWith(t, page, "application/json"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("interaction JSON after redemption: %d", resp.StatusCode)
	}
}

package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/store"
)

// claimCSP lets the claim page show its inline styles and images (the QR
// code and badge image as data: URLs, or the badge image over https) and
// nothing else: no script at all.
const claimCSP = "default-src 'none'; img-src data: https:; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// maxBadgeImage bounds a data: badge image the page shows and bakes.
const maxBadgeImage = 1 << 20

// claimPage is the claim page's template: server-rendered, no JavaScript,
// readable on a phone.
var claimPage = template.Must(template.New("claim").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>Claim your badge: {{.Name}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:0 auto;padding:1rem;line-height:1.5;color:#222}
img.badge{max-width:8rem;height:auto}
img.qr{width:100%;max-width:20rem;height:auto;image-rendering:pixelated}
a.button{display:block;text-align:center;padding:.8rem;margin:.5rem 0;border-radius:.5rem;background:#1a4d8f;color:#fff;text-decoration:none}
a.plain{background:#e8eef6;color:#1a4d8f}
.muted{color:#555;font-size:.9rem}
</style>
</head>
<body>
<main>
{{if .Gone}}
<h1>This offer is no longer available</h1>
<p>It was already used, or it has expired. Ask your issuer for a new one.</p>
{{else}}
{{if .Image}}<img class="badge" src="{{.Image}}" alt="Badge image of {{.Name}}">{{end}}
<h1>{{.Name}}</h1>
<p>Issued by <strong>{{.Issuer}}</strong>.</p>
<p class="muted">This offer can be used once, until {{.Expires}}.{{if .TxCode}} Your wallet will ask for the code your issuer sent you separately.{{end}}</p>
<h2>Add it to your wallet</h2>
<p>Scan this code with your wallet app, or open a link on this phone.</p>
<p><img class="qr" src="{{.QR}}" alt="QR code of the wallet offer"></p>
<a class="button" href="{{.OfferURI}}">Open in an OpenID4VCI wallet</a>
<a class="button plain" href="{{.InteractionURL}}">Interaction link for a VC-API wallet (Learner Credential Wallet)</a>
<h2>Or download it</h2>
<a class="button plain" href="{{.JSONURL}}" download>Credential (JSON)</a>
<a class="button plain" href="{{.PNGURL}}" download>Baked badge (PNG)</a>
{{if .ShareURL}}<h2>Or share it</h2>
<a class="button plain" href="{{.ShareURL}}">Make a public page for this badge (asks your consent)</a>{{end}}
<p class="muted">Keep this page's address to yourself: anyone who has it can claim the badge.</p>
{{end}}
</main>
</body>
</html>
`))

// claimView is what the template shows.
type claimView struct {
	Gone                    bool
	Name, Issuer            string
	Image                   template.URL
	Expires                 string
	TxCode                  bool
	QR                      template.URL
	OfferURI                template.URL
	InteractionURL, JSONURL string
	PNGURL                  string
	ShareURL                string // the share consent page, "" without a store that keeps shares
}

// claimRoutes adds the claim page, its downloads and the VC-API
// exchange of instance in.
func (s *Server) claimRoutes(mux *http.ServeMux, in *instance) {
	p := s.prefix + in.prefix
	mux.Handle("GET "+p+"/claim/{offer}", s.at(in, s.limitIP(s.handle(s.claim))))
	mux.Handle("GET "+p+"/claim/{offer}/credential.json", s.at(in, s.limitIP(s.handle(s.claimJSON))))
	mux.Handle("GET "+p+"/claim/{offer}/badge.png", s.at(in, s.limitIP(s.handle(s.claimPNG))))
	mux.Handle("POST "+p+"/workflows/claim/exchanges/{offer}", s.at(in, s.limitIP(s.handle(s.exchange))))
}

// offerCredential is the live offer of a claim URL and its credential.
func (s *Server) offerCredential(ctx context.Context, id string) (*store.Offer, *storedDoc, map[string]any, error) {
	o, _, err := s.liveOffer(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	in := s.instanceIn(ctx)
	rec, err := in.store.GetCredential(ctx, o.CredentialID)
	if err != nil {
		return nil, nil, nil, err
	}
	doc, err := in.docs.get(o.CredentialID)
	if err != nil {
		return nil, nil, nil, err
	}
	if !doc.matches(rec) || rec.State != store.Active {
		return nil, nil, nil, problemErr(http.StatusNotFound, ProbNotFound, "", "no such offer, or it was used or has expired")
	}
	cred, err := unsignedCredential(doc)
	if err != nil {
		return nil, nil, nil, err
	}
	return o, doc, cred, nil
}

// wantsJSON reports whether the request asks for JSON over HTML.
func wantsJSON(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json", "application/ld+json":
			return true
		case "text/html":
			return false
		}
	}
	return false
}

// claim handles GET /claim/{offer}: the learner's page, or, for a wallet
// asking for JSON with iuv=1, the protocols it can use.
func (s *Server) claim(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	id := r.PathValue("offer")
	if wantsJSON(r) {
		if _, _, err := s.liveOffer(r.Context(), id); err != nil {
			return err
		}
		protocols := map[string]string{
			"OID4VCI": "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(s.instanceURL(r.Context(), "/oid4vci/offers/"+id)),
			"vcapi":   s.exchangeURL(r.Context(), id),
		}
		writeJSON(w, http.StatusOK, map[string]any{"protocols": protocols})
		return nil
	}
	o, _, cred, err := s.offerCredential(r.Context(), id)
	var ae *apiError
	if errors.As(err, &ae) && ae.status == http.StatusNotFound {
		return s.renderClaim(w, http.StatusNotFound, claimView{Gone: true})
	}
	if err != nil {
		return err
	}
	// The page links the offer by reference: a QR code of the offer by
	// value would be too dense to scan reliably.
	byRef := "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(s.instanceURL(r.Context(), "/oid4vci/offers/"+id))
	qr, err := qrcode.Encode(byRef, qrcode.Medium, qrSize)
	if err != nil {
		return err
	}
	v := claimView{
		Name:           str(cred, "credentialSubject", "achievement", "name"),
		Issuer:         issuerName(cred),
		Image:          template.URL(badgeImage(cred)), //nolint:gosec // G203: an https URL or a data: URL of a raster type and valid base64 (badgeImage); html/template filters a data: URL given as a string
		Expires:        o.Expires.UTC().Format(time.RFC1123),
		TxCode:         o.TxCodeHash != "",
		QR:             template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(qr)), //nolint:gosec // G203: a data: URL of a PNG this server drew
		OfferURI:       template.URL(byRef),                                                            //nolint:gosec // G203: a fixed scheme and a query-escaped URL
		InteractionURL: s.instanceURL(r.Context(), "/claim/"+id) + "?iuv=1",
		JSONURL:        s.instanceURL(r.Context(), "/claim/"+id+"/credential.json"),
		PNGURL:         s.instanceURL(r.Context(), "/claim/"+id+"/badge.png"),
	}
	if v.Name == "" {
		v.Name = str(cred, "name")
	}
	if _, ok := s.instanceIn(r.Context()).store.(store.Shares); ok {
		v.ShareURL = s.instanceURL(r.Context(), "/claim/"+id+"/share")
	}
	return s.renderClaim(w, http.StatusOK, v)
}

func (s *Server) renderClaim(w http.ResponseWriter, status int, v claimView) error {
	var buf bytes.Buffer
	if err := claimPage.Execute(&buf, v); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", claimCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// claimJSON handles GET /claim/{offer}/credential.json: the credential as
// issued (not bound to a DID), for a learner without a wallet.
func (s *Server) claimJSON(w http.ResponseWriter, r *http.Request) error {
	_, doc, _, err := s.offerCredential(r.Context(), r.PathValue("offer"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", `attachment; filename="badge.json"`)
	if doc.Format == store.FormatJWT {
		h.Set("Content-Type", "application/jwt")
		h.Set("Content-Disposition", `attachment; filename="badge.jwt"`)
	}
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(doc.Signed))
	return nil
}

// claimPNG handles GET /claim/{offer}/badge.png: the credential baked
// into the achievement's PNG image when it is a data: URL, else into a
// plain badge the server draws (it never fetches a remote image).
func (s *Server) claimPNG(w http.ResponseWriter, r *http.Request) error {
	_, doc, cred, err := s.offerCredential(r.Context(), r.PathValue("offer"))
	if err != nil {
		return err
	}
	img := dataPNG(badgeImage(cred))
	if img == nil {
		if img, err = plainBadge(); err != nil {
			return err
		}
	}
	baked, err := bake.PNG(img, []byte(doc.Signed))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Disposition", `attachment; filename="badge.png"`)
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(baked) //nolint:gosec // G705: served as image/png, nosniff, as a download
	return nil
}

// str reads a string at a path of nested objects.
func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		o, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = o[p]
	}
	s, _ := cur.(string)
	return s
}

func issuerName(cred map[string]any) string {
	if n := str(cred, "issuer", "name"); n != "" {
		return n
	}
	if id, ok := cred["issuer"].(string); ok {
		return id
	}
	return str(cred, "issuer", "id")
}

// badgeImage is the achievement's image URL when the page may show it: a
// data: PNG, JPEG, GIF or WebP, or an https URL.
func badgeImage(cred map[string]any) string {
	u := str(cred, "credentialSubject", "achievement", "image", "id")
	if u == "" {
		u = str(cred, "credentialSubject", "achievement", "image")
	}
	switch {
	case len(u) > maxBadgeImage*4/3+100:
		return ""
	case strings.HasPrefix(u, "https://"):
		return u
	}
	for _, t := range []string{"png", "jpeg", "gif", "webp"} {
		if b64, ok := strings.CutPrefix(u, "data:image/"+t+";base64,"); ok {
			// Only base64 follows, so the page may mark it a safe URL.
			if _, err := base64.StdEncoding.DecodeString(b64); err != nil {
				return ""
			}
			return u
		}
	}
	return ""
}

// dataPNG decodes a data:image/png;base64 URL, nil for anything else.
func dataPNG(u string) []byte {
	b64, ok := strings.CutPrefix(u, "data:image/png;base64,")
	if !ok {
		return nil
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(data) > maxBadgeImage {
		return nil
	}
	return data
}

// plainBadge draws a plain round badge to bake into.
func plainBadge() ([]byte, error) {
	const n = 256
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	fill := color.NRGBA{R: 0x1a, G: 0x4d, B: 0x8f, A: 0xff}
	for y := range n {
		for x := range n {
			dx, dy := x-n/2, y-n/2
			if dx*dx+dy*dy <= (n/2-4)*(n/2-4) {
				img.Set(x, y, fill)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/verifier"
)

// Share page limits.
const (
	// maxSharesPerCredential bounds the live shares of one credential: a
	// learner re-sharing should not make the store grow without bound.
	maxSharesPerCredential = 5
	// maxShareToken is the longest token the share routes look up; a
	// token is 43 characters (secretBytes, base64url).
	maxShareToken = 64
)

// sharePage is what share.html renders: the verification page, read-only,
// with the link-preview tags and the LinkedIn link.
type sharePage struct {
	*webPage
	// Self is the share page's own URL, og:url and the lang switch's base.
	Self string
	// OGTitle and OGDescription are the link preview's text; OGImage the
	// absolute URL of the preview image route.
	OGTitle, OGDescription, OGImage string
	// LinkedIn is the add-to-profile URL, "" when the credential is not
	// valid (a learner should not post a badge the page calls invalid).
	LinkedIn string
}

// consentPage is what consent.html renders.
type consentPage struct {
	*webPage
	Action   string // the form's URL
	Name     string // the achievement's name
	ShareURL string // set once the share is created
	Revoked  int    // shares revoked (the revoke answer)
}

// shareRoutes registers the learner's share pages: the consent form under
// each instance's claim page, the admin revocation, and the public page.
func (s *Server) shareRoutes(mux *http.ServeMux, p string) {
	h := newWebHandler(s)
	for _, in := range s.instances {
		if _, ok := in.store.(store.Shares); !ok {
			continue
		}
		if _, ok := in.store.(store.Offers); !ok {
			continue
		}
		ip := p + in.prefix
		mux.Handle("GET "+ip+"/claim/{offer}/share", s.at(in, s.limitIP(http.HandlerFunc(h.consentForm))))
		mux.Handle("POST "+ip+"/claim/{offer}/share", s.at(in, s.limitIP(http.HandlerFunc(h.consent))))
		mux.Handle("POST "+ip+"/credentials/shares/revoke", s.at(in, s.auth(in.scope(ScopeStatus), s.limitKey(s.handle(s.revokeShares)))))
	}
	mux.Handle("GET "+p+"/c/{token}", s.limitIP(http.HandlerFunc(h.share)))
	mux.Handle("GET "+p+"/c/{token}/image", s.limitIP(http.HandlerFunc(h.shareImage)))
}

// renderNamed renders template name with v under the page headers.
func (h *webHandler) renderNamed(w http.ResponseWriter, status int, name string, v any) {
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		h.s.opts.Logger.Error("web template", "template", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	setWebHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// consentOffer reads the live offer of the claim URL and its credential's
// name; a 404 page when there is none.
func (h *webHandler) consentOffer(w http.ResponseWriter, r *http.Request, pg *consentPage) (*store.Offer, bool) {
	o, _, cred, err := h.s.offerCredential(r.Context(), r.PathValue("offer"))
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.status == http.StatusNotFound {
			pg.Error = pg.T["share.gone"]
			h.renderNamed(w, http.StatusNotFound, "consent.html", pg)
			return nil, false
		}
		h.s.opts.Logger.Error("share consent", "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return nil, false
	}
	pg.Name = clip(str(cred, "credentialSubject", "achievement", "name"))
	if pg.Name == "" {
		pg.Name = clip(str(cred, "name"))
	}
	return o, true
}

func (h *webHandler) consentPageFor(r *http.Request, lang string) *consentPage {
	return &consentPage{webPage: h.page(r, lang), Action: h.s.instanceURL(r.Context(), "/claim/"+r.PathValue("offer")+"/share")}
}

// consentForm handles GET /claim/{offer}/share: what a share page shows
// and the consent checkbox. Nothing is created by a GET.
func (h *webHandler) consentForm(w http.ResponseWriter, r *http.Request) {
	pg := h.consentPageFor(r, pickLang(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language")))
	if _, ok := h.consentOffer(w, r, pg); !ok {
		return
	}
	h.renderNamed(w, http.StatusOK, "consent.html", pg)
}

// consent handles POST /claim/{offer}/share: with the consent box ticked,
// it records the learner's consent and creates a share token, shown this
// once (the store keeps only its hash). Without it, nothing is created.
func (h *webHandler) consent(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	err := r.ParseForm()
	pg := h.consentPageFor(r, pickLang(r.PostForm.Get("lang"), r.Header.Get("Accept-Language")))
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		// Another site's form must not make a learner consent.
		pg.Error = pg.T["share.crosssite"]
		h.renderNamed(w, http.StatusForbidden, "consent.html", pg)
		return
	}
	o, ok := h.consentOffer(w, r, pg)
	if !ok {
		return
	}
	if err != nil || r.PostForm.Get("consent") != "yes" {
		pg.Error = pg.T["share.needconsent"]
		h.renderNamed(w, http.StatusBadRequest, "consent.html", pg)
		return
	}
	ctx := r.Context()
	st := h.s.instanceIn(ctx).store.(store.Shares) //nolint:forcetypeassert // shareRoutes registers this route only for a store that keeps shares
	tok, err := h.s.newShare(ctx, st, o)
	switch {
	case errors.Is(err, errTooManyShares):
		pg.Error = pg.T["share.toomany"]
		h.renderNamed(w, http.StatusConflict, "consent.html", pg)
		return
	case err != nil:
		h.s.opts.Logger.Error("share consent", "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h.s.opts.Logger.Info("share created", "request_id", requestID(ctx), "credential", o.CredentialID)
	pg.ShareURL = h.s.URL("/c/" + tok)
	h.renderNamed(w, http.StatusCreated, "consent.html", pg)
}

var errTooManyShares = errors.New("too many live shares")

// newShare records a share of o's credential and returns its token.
func (s *Server) newShare(ctx context.Context, st store.Shares, o *store.Offer) (string, error) {
	list, err := st.SharesOf(ctx, o.CredentialID)
	if err != nil {
		return "", err
	}
	live := 0
	for _, sh := range list {
		if sh.Revoked.IsZero() {
			live++
		}
	}
	if live >= maxSharesPerCredential {
		return "", errTooManyShares
	}
	tok, err := s.newSecret()
	if err != nil {
		return "", err
	}
	err = st.PutShare(ctx, store.Share{TokenHash: secretHash(tok), CredentialID: o.CredentialID, OfferIDHash: o.IDHash, Created: s.opts.Now().UTC()})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// ShareRevokeRequest is the body of POST /credentials/shares/revoke.
type ShareRevokeRequest struct {
	// CredentialID is the credential whose share pages are withdrawn.
	CredentialID string `json:"credentialId"`
}

// revokeShares handles POST /credentials/shares/revoke: every live share
// page of the credential answers 410 Gone from then on.
func (s *Server) revokeShares(w http.ResponseWriter, r *http.Request) error {
	var req ShareRevokeRequest
	if err := readStrict(r, &req); err != nil {
		return err
	}
	if req.CredentialID == "" {
		return invalid("credentialId", "required")
	}
	in := s.instanceOf(r)
	st := in.store.(store.Shares) //nolint:forcetypeassert // shareRoutes registers this route only for a store that keeps shares
	n, err := st.RevokeShares(r.Context(), req.CredentialID, s.opts.Now().UTC())
	if err != nil {
		return err
	}
	s.opts.Logger.Info("shares revoked", "request_id", requestID(r.Context()), "credential", req.CredentialID, "count", n, "by", callerID(r))
	writeJSON(w, http.StatusOK, map[string]any{"credentialId": req.CredentialID, "revoked": n})
	return nil
}

// sharedCredential finds the share of token in the instances' stores and
// its credential as signed. It answers 404 (unknown token, or a
// credential no longer there) or 410 (a revoked share) itself and
// returns ok false.
func (h *webHandler) sharedCredential(w http.ResponseWriter, r *http.Request, pg *webPage) (*storedDoc, bool) {
	tok := r.PathValue("token")
	if tok == "" || len(tok) > maxShareToken {
		h.shareGone(w, pg, http.StatusNotFound)
		return nil, false
	}
	hash := secretHash(tok)
	for _, in := range h.s.instances {
		st, ok := in.store.(store.Shares)
		if !ok {
			continue
		}
		sh, err := st.GetShare(r.Context(), hash)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			h.s.opts.Logger.Error("share page", "error", err.Error())
			http.Error(w, "internal error", http.StatusInternalServerError)
			return nil, false
		}
		if !sh.Revoked.IsZero() {
			h.shareGone(w, pg, http.StatusGone)
			return nil, false
		}
		doc, err := in.docs.get(sh.CredentialID)
		if err != nil {
			h.shareGone(w, pg, http.StatusNotFound)
			return nil, false
		}
		return doc, true
	}
	h.shareGone(w, pg, http.StatusNotFound)
	return nil, false
}

func (h *webHandler) shareGone(w http.ResponseWriter, pg *webPage, status int) {
	pg.Error = pg.T["share.notfound"]
	if status == http.StatusGone {
		pg.Error = pg.T["share.revoked"]
	}
	h.renderNamed(w, status, "share.html", &sharePage{webPage: pg})
}

// share handles GET /c/{token}: the verification page of the shared
// credential, re-verified now (a revocation shows at once), read-only,
// noindex, with link-preview tags and the LinkedIn link. The page shows
// no identity hash or salt and no statements (they carry both).
func (h *webHandler) share(w http.ResponseWriter, r *http.Request) {
	pg := h.page(r, pickLang(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language")))
	doc, ok := h.sharedCredential(w, r, pg)
	if !ok {
		return
	}
	data := []byte(doc.Signed)
	res, verr := h.s.verifier.Load().Explain(r.Context(), data)
	if res != nil {
		h.s.metrics.credentialVerified(string(res.Verdict))
	}
	out := buildWebResult(pg.T, data, res, verr, h.s.opts.MaxBodyBytes)
	out.Explain, out.RecipientHash, out.RecipientSalt = nil, "", ""
	pg.Result = out
	self := h.s.URL("/c/" + r.PathValue("token"))
	sp := &sharePage{webPage: pg, Self: self, OGTitle: out.Name, OGImage: self + "/image"}
	issuer := out.IssuerID
	if out.Recognised && out.TrustName != "" {
		issuer = out.TrustName
	} else if out.IssuerName != "" {
		issuer = out.IssuerName
	}
	sp.OGDescription = out.Headline
	if issuer != "" {
		sp.OGDescription += " — " + issuer
	}
	if res != nil && res.Verdict.Accepted() && res.Claims != nil && res.Claims.Verified {
		sp.LinkedIn = linkedInURL(out.Name, issuer, issueDate(res.Claims), self, res.Claims.ID)
	}
	h.renderNamed(w, http.StatusOK, "share.html", sp)
}

// issueDate is the credential's issue date as the signed statements give it:
// validFrom, else issuanceDate, else the award date.
func issueDate(c *verifier.Claims) time.Time {
	for _, t := range []time.Time{c.ValidFrom, c.IssuanceDate} {
		if !t.IsZero() {
			return t
		}
	}
	if c.Award != nil {
		return c.Award.AwardedDate
	}
	return time.Time{}
}

// linkedInURL is LinkedIn's documented add-to-profile link for a
// certification: startTask=CERTIFICATION_NAME with name, organizationName,
// issueYear, issueMonth, certUrl and certId, each percent-encoded by
// url.Values.
func linkedInURL(name, org string, at time.Time, certURL, certID string) string {
	v := url.Values{}
	v.Set("startTask", "CERTIFICATION_NAME")
	v.Set("name", name)
	if org != "" {
		v.Set("organizationName", org)
	}
	if !at.IsZero() {
		v.Set("issueYear", strconv.Itoa(at.UTC().Year()))
		v.Set("issueMonth", strconv.Itoa(int(at.UTC().Month())))
	}
	v.Set("certUrl", certURL)
	if certID != "" {
		v.Set("certId", certID)
	}
	return "https://www.linkedin.com/profile/add?" + v.Encode()
}

// shareImage handles GET /c/{token}/image, the link preview's image: the
// achievement's embedded raster image from the signed statements, already
// checked and capped at webMaxImage by the view, else a plain badge the
// server draws. It never fetches a remote image.
func (h *webHandler) shareImage(w http.ResponseWriter, r *http.Request) {
	pg := h.page(r, "en")
	doc, ok := h.sharedCredential(w, r, pg)
	if !ok {
		return
	}
	data := []byte(doc.Signed)
	res, verr := h.s.verifier.Load().Explain(r.Context(), data)
	out := buildWebResult(pg.T, data, res, verr, h.s.opts.MaxBodyBytes)
	var img []byte
	ct := "image/png"
	if !out.Unsure && out.Image != "" {
		meta, payload, _ := strings.Cut(strings.TrimPrefix(string(out.Image), "data:"), ",")
		if b, err := base64.StdEncoding.DecodeString(payload); err == nil && len(b) <= webMaxImage {
			img, ct = b, strings.TrimSuffix(meta, ";base64")
		}
	}
	if img == nil {
		var err error
		if img, err = plainBadge(); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		ct = "image/png"
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Robots-Tag", "noindex")
	hd.Set("Cache-Control", "no-store") // a withdrawn share takes its image with it at once
	hd.Set("Content-Length", strconv.Itoa(len(img)))
	_, _ = w.Write(img) //nolint:gosec // G705: raster bytes whose format the view checked, served with their type and nosniff
}

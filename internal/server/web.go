package server

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/internal/safehttp"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/verifier"
)

// webFS holds the verification page's templates and static assets: the
// binary serves everything the page needs (no CDN, no build step).
//
//go:embed web/templates/*.html web/static/*
var webFS embed.FS

// webCSP is the Content-Security-Policy of the web pages: scripts and
// styles only from this server's files (no inline script or style, so no
// credential text can become either), images from the server or the
// data: URLs the page itself builds after checking them, and no framing.
const webCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// webRoutes registers the verification page: GET shows the form, POST
// verifies what was pasted or uploaded and shows the result, and the
// static assets are served beside them. Nothing submitted is stored.
func (s *Server) webRoutes(mux *http.ServeMux, p string) {
	w := newWebHandler(s)
	mux.Handle("GET "+p+"/verify", http.HandlerFunc(w.form))
	mux.Handle("POST "+p+"/verify", s.limitIP(http.HandlerFunc(w.submit)))
	mux.Handle("GET "+p+"/verify/static/{name}", http.HandlerFunc(w.static))
	mux.Handle("POST "+p+"/verify/recipient", s.limitIP(http.HandlerFunc(w.recipient)))
}

// webHandler serves the verification page.
type webHandler struct {
	s    *Server
	tmpl *template.Template
	// client fetches /verify?url=: the guarded client, https only, with
	// the private-network guard always on, whatever the verifier's own
	// client allows (a deployment inside a private network must not let
	// anyone make it fetch from there).
	client *http.Client
}

// webFetchTimeout bounds a /verify?url= fetch, body included.
const webFetchTimeout = 10 * time.Second

func newWebHandler(s *Server) *webHandler {
	return &webHandler{
		s:      s,
		tmpl:   template.Must(template.New("").ParseFS(webFS, "web/templates/*.html")),
		client: safehttp.NewClient(safehttp.Options{Timeout: webFetchTimeout}),
	}
}

// webPage is what the page template renders.
type webPage struct {
	Lang      string
	T         map[string]string
	OtherLang string
	OtherName string
	Base      string
	MaxKB     int64
	Error     string
	URL       string // the ?url= asked for
	Result    *webResult
}

func (h *webHandler) page(r *http.Request, lang string) *webPage {
	other := "fr"
	if lang == "fr" {
		other = "en"
	}
	t := webMessages(lang)
	return &webPage{Lang: lang, T: t, OtherLang: other, OtherName: webMessages(other)["lang.name"], Base: h.s.prefix, MaxKB: h.s.opts.MaxBodyBytes >> 10}
}

// setHeaders sets the page's security headers over the middleware's
// API-oriented ones.
func setWebHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", webCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Robots-Tag", "noindex")
	hd.Add("Vary", "Accept-Language")
}

func (h *webHandler) render(w http.ResponseWriter, status int, pg *webPage) {
	var buf bytes.Buffer
	if err := h.tmpl.ExecuteTemplate(&buf, "verify.html", pg); err != nil {
		h.s.opts.Logger.Error("web template", "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	setWebHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// form handles GET /verify: the form, or, with ?url=, the verification
// of the credential at that https URL. A HEAD or a prefetch only gets the
// form, so nothing is fetched on a link's mere preview.
func (h *webHandler) form(w http.ResponseWriter, r *http.Request) {
	pg := h.page(r, pickLang(r.URL.Query().Get("lang"), r.Header.Get("Accept-Language")))
	raw := r.URL.Query().Get("url")
	if raw == "" || r.Method != http.MethodGet || isPrefetch(r) {
		pg.URL = clip(raw)
		h.render(w, http.StatusOK, pg)
		return
	}
	h.s.limitIP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.fetch(w, r, pg, raw) })).ServeHTTP(w, r)
}

// fetch verifies the credential at raw, an https URL, fetched with the
// guarded client under the body limit, and renders the result.
func (h *webHandler) fetch(w http.ResponseWriter, r *http.Request, pg *webPage, raw string) {
	pg.URL = clip(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(raw) > 2048 {
		pg.Error = pg.T["err.url"]
		h.render(w, http.StatusBadRequest, pg)
		return
	}
	resp, err := safehttp.Get(r.Context(), h.client, u.String(), "application/json, application/vc+jwt, image/png, image/svg+xml, */*;q=0.1", "", h.s.opts.MaxBodyBytes)
	if err != nil {
		pg.Error = fmt.Sprintf(pg.T["err.fetch"], clip(err.Error()))
		h.render(w, http.StatusBadGateway, pg)
		return
	}
	h.verifyAndRender(w, r, pg, resp.Body)
}

// isPrefetch reports whether r is a browser's prefetch or a link
// preview, which must not make the server fetch anything.
func isPrefetch(r *http.Request) bool {
	for _, k := range []string{"Sec-Purpose", "Purpose", "X-Purpose", "X-Moz"} {
		v := strings.ToLower(r.Header.Get(k))
		if strings.Contains(v, "prefetch") || strings.Contains(v, "preview") || strings.Contains(v, "prerender") {
			return true
		}
	}
	return false
}

// submit handles POST /verify: it reads the pasted text or the uploaded
// file (never writing either anywhere), verifies it with the server's
// verifier, the one behind POST /credentials/verify, asking it also for
// the explanation, and renders the result.
func (h *webHandler) submit(w http.ResponseWriter, r *http.Request) {
	in, err := readWebInput(r, h.s.opts.MaxBodyBytes)
	lang := pickLang(in.lang, r.Header.Get("Accept-Language"))
	if q := r.URL.Query().Get("lang"); q != "" {
		lang = pickLang(q, "")
	}
	pg := h.page(r, lang)
	if err != nil {
		status := http.StatusBadRequest
		msg := pg.T["err.read"]
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, errWebTooLarge) {
			status, msg = http.StatusRequestEntityTooLarge, pg.T["err.large"]
		}
		pg.Error = msg
		h.render(w, status, pg)
		return
	}
	if len(in.data) == 0 {
		pg.Error = pg.T["err.empty"]
		h.render(w, http.StatusBadRequest, pg)
		return
	}
	h.verifyAndRender(w, r, pg, in.data)
}

// verifyAndRender verifies data and renders the result page.
func (h *webHandler) verifyAndRender(w http.ResponseWriter, r *http.Request, pg *webPage, data []byte) {
	doc := normalizeWebInput(data)
	res, verr := h.s.verifier.Load().Explain(r.Context(), doc)
	verdict := verifier.VerdictCouldNotCheck
	if res != nil {
		verdict = res.Verdict
	}
	h.s.metrics.credentialVerified(string(verdict))
	pg.Result = buildWebResult(pg.T, doc, res, verr, h.s.opts.MaxBodyBytes)
	status := http.StatusOK
	if !verdict.Accepted() {
		// The page is the answer either way; the status tells a script
		// what the banner tells a person.
		status = http.StatusUnprocessableEntity
	}
	h.render(w, status, pg)
}

// recipient handles POST /verify/recipient, the page's email check for a
// hash the browser cannot compute itself (md5$, or sha256$ outside a
// secure context): form fields hash, salt and email; the answer is
// {"match": bool}. Nothing is stored or logged but the access line.
func (h *webHandler) recipient(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeProblem(w, r, problemErr(http.StatusBadRequest, ProbMalformedBody, "", "want a form"))
		return
	}
	id := ob3.IdentityObject{Hashed: true, IdentityHash: r.PostForm.Get("hash"), Salt: r.PostForm.Get("salt")}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]bool{"match": id.IdentityHash != "" && id.Matches(r.PostForm.Get("email"))})
}

// static serves the embedded CSS and JavaScript.
func (h *webHandler) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	data, err := fs.ReadFile(webFS, "web/static/"+path.Base(name))
	if err != nil || name != path.Base(name) {
		writeProblem(w, r, problemErr(http.StatusNotFound, ProbNotFound, "", "no such resource"))
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	hd.Set("Cache-Control", "public, max-age=300")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	_, _ = w.Write(data) //nolint:gosec // G705: an asset embedded in the binary, named by a path checked against the embedded files
}

// webInput is what a POST /verify carried.
type webInput struct {
	data []byte
	lang string
}

var errWebTooLarge = errors.New("input too large")

// readWebInput reads a multipart or urlencoded form: the pasted text
// ("credential"), or the uploaded file ("file"), which wins when both are
// given, and the page language ("lang"). Parts are read into memory under
// limit, never into temporary files (ParseMultipartForm would spill large
// ones to disk).
func readWebInput(r *http.Request, limit int64) (webInput, error) {
	var in webInput
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return in, err
		}
		in.lang = r.PostForm.Get("lang")
		in.data = bytes.TrimSpace([]byte(r.PostForm.Get("credential")))
		return in, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return in, err
	}
	var text, file []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return in, err
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		_ = part.Close()
		if err != nil {
			return in, err
		}
		if int64(len(b)) > limit {
			return in, errWebTooLarge
		}
		switch part.FormName() {
		case "credential":
			text = bytes.TrimSpace(b)
		case "file":
			file = b
		case "lang":
			if len(b) <= 8 {
				in.lang = string(b)
			}
		}
	}
	in.data = text
	if len(file) > 0 {
		in.data = file
	}
	return in, nil
}

// normalizeWebInput turns what a person pastes into what the verifier
// reads: an image unchanged, text without its surrounding space, and an
// EnvelopedVerifiableCredential (as POST /credentials/verify takes it)
// unwrapped to its JWT.
func normalizeWebInput(data []byte) []byte {
	if f := bake.Detect(data); f == bake.FormatPNG || f == bake.FormatSVG {
		return data
	}
	t := bytes.TrimSpace(data)
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return t
	}
	if req, err := parseVerifyRequest([]byte(`{"verifiableCredential":` + string(t) + `}`)); err == nil {
		return req.document
	}
	return t
}

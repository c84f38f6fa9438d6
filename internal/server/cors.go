package server

import (
	"net/http"
	"slices"
	"strings"
)

// corsMaxAge is how long, in seconds, a browser may keep a preflight
// answer.
const corsMaxAge = "600"

// corsOrigin returns the Access-Control-Allow-Origin value for a request
// from origin, or "" when the origin is not allowed. The server sends no
// cookies and reads none, so "*" is safe where it is configured.
func (s *Server) corsOrigin(origin string) string {
	if origin == "" {
		return ""
	}
	if slices.Contains(s.opts.CORSOrigins, "*") {
		return "*"
	}
	if slices.Contains(s.opts.CORSOrigins, origin) {
		return origin
	}
	return ""
}

// cors lets the configured browser origins read the answers of an open
// endpoint: the verify endpoints and the hosted documents, never an
// issuing, status, read or admin endpoint, whose callers are servers.
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.opts.CORSOrigins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		if o := s.corsOrigin(r.Header.Get("Origin")); o != "" {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, ETag")
		}
		next.ServeHTTP(w, r)
	})
}

// preflight answers a CORS preflight (OPTIONS) for an open POST endpoint:
// 204 with the allowed method and headers for an allowed origin, 403
// otherwise.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Add("Vary", "Origin")
	o := s.corsOrigin(r.Header.Get("Origin"))
	if o == "" {
		return problemErr(http.StatusForbidden, ProbForbidden, "", "cross-origin requests from this origin are not allowed")
	}
	if m := r.Header.Get("Access-Control-Request-Method"); m != "" && m != http.MethodPost {
		return problemErr(http.StatusForbidden, ProbForbidden, "", "only POST is allowed cross-origin here")
	}
	for _, name := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if name = strings.TrimSpace(name); name != "" && !strings.EqualFold(name, "Content-Type") {
			return problemErr(http.StatusForbidden, ProbForbidden, "", "request header "+name+" is not allowed cross-origin")
		}
	}
	h.Set("Access-Control-Allow-Origin", o)
	h.Set("Access-Control-Allow-Methods", http.MethodPost)
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleOpen registers an open POST endpoint (anyone may call it, as the
// verify endpoints): limited per client address, readable by the
// configured browser origins, with its CORS preflight.
func (s *Server) handleOpen(mux *http.ServeMux, path string, h handlerFunc) {
	mux.Handle("POST "+path, s.cors(s.limitIP(s.handle(h))))
	if len(s.opts.CORSOrigins) > 0 {
		mux.Handle("OPTIONS "+path, s.handle(s.preflight))
	}
}

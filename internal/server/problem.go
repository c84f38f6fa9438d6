package server

import (
	"encoding/json"
	"net/http"
)

// ProblemBase prefixes the type URI of every problem the server itself
// reports: ProblemBase + a name from the list below. The names are stable;
// clients may branch on them.
const ProblemBase = "https://badgesmith.invalid/problems/"

// Problem type names (the part after ProblemBase).
const (
	ProbMalformedBody    = "malformed-body"   // not JSON, or not the request's shape
	ProbBodyTooLarge     = "body-too-large"   // over maxBodyBytes
	ProbInvalidField     = "invalid-field"    // a member is missing or has a wrong value
	ProbUnsupported      = "unsupported"      // an option or type the server does not implement
	ProbUnauthenticated  = "unauthenticated"  // no API key, or an unknown one
	ProbForbidden        = "forbidden"        // the key lacks the scope
	ProbNotFound         = "not-found"        // no such credential or document
	ProbConflict         = "conflict"         // the id is taken by another credential
	ProbFinal            = "revocation-final" // undoing a revocation
	ProbUnsignable       = "unsignable"       // the credential could not be signed (JSON-LD, keys)
	ProbInvalidCred      = "invalid"          // verification: the credential is invalid
	ProbCouldNotCheck    = "could-not-check"  // verification: a check could not be run
	ProbWarning          = "warning"          // verification: a warning
	ProbMethodNotAllowed = "method-not-allowed"
	ProbInternal         = "internal"
	ProbUnavailable      = "unavailable"
	ProbRateLimited      = "rate-limited" // over a rate limit; see Retry-After

	// ProbNotApproved: options.catalogueAchievement names a version that
	// is not approved (draft, in review, rejected, retired) or whose
	// approval does not verify.
	ProbNotApproved = "achievement-not-approved"
	// ProbCatalogueRequired: the catalogue is required and the credential
	// carries an achievement of its own.
	ProbCatalogueRequired = "catalogue-required"
)

// Problem is an RFC 9457 problem details object. Path is an extension
// member: the JSON path of the offending request member, when there is
// one; RequestID ties it to the access log.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status,omitempty"`
	Detail    string `json:"detail,omitempty"`
	Path      string `json:"path,omitempty"`
	RequestID string `json:"requestId,omitempty"`
}

// titles are the fixed titles of the problem types.
var titles = map[string]string{
	ProbMalformedBody:    "Malformed request body",
	ProbBodyTooLarge:     "Request body too large",
	ProbInvalidField:     "Invalid request member",
	ProbUnsupported:      "Unsupported request",
	ProbUnauthenticated:  "Authentication required",
	ProbForbidden:        "Insufficient scope",
	ProbNotFound:         "Not found",
	ProbConflict:         "Conflict",
	ProbFinal:            "Revocation is final",
	ProbUnsignable:       "Credential cannot be signed",
	ProbInvalidCred:      "Credential is invalid",
	ProbCouldNotCheck:    "Credential could not be checked",
	ProbWarning:          "Verification warning",
	ProbMethodNotAllowed: "Method not allowed",
	ProbInternal:         "Internal error",
	ProbUnavailable:      "Service unavailable",
	ProbRateLimited:      "Too many requests",

	// The catalogue rule's refusals.
	ProbNotApproved:       "Achievement version not approved",
	ProbCatalogueRequired: "Catalogue achievement required",
}

// apiError is an error a handler returns to answer with a problem.
type apiError struct {
	status int
	name   string
	detail string
	path   string
}

func (e *apiError) Error() string {
	if e.path != "" {
		return e.path + ": " + e.detail
	}
	return e.detail
}

func problemErr(status int, name, path, detail string) *apiError {
	return &apiError{status: status, name: name, path: path, detail: detail}
}

func newProblem(name string, status int, path, detail string) Problem {
	return Problem{Type: ProblemBase + name, Title: titles[name], Status: status, Detail: detail, Path: path}
}

// writeProblem answers r with the problem e describes.
func writeProblem(w http.ResponseWriter, r *http.Request, e *apiError) {
	p := newProblem(e.name, e.status, e.path, e.detail)
	p.RequestID = requestID(r.Context())
	if e.status == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="badgesmith"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

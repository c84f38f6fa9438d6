package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/badgesmith/badgesmith/status"
)

// readBody reads a request body, bounded by the MaxBytesReader the
// middleware installed.
func readBody(r *http.Request) ([]byte, error) {
	data, err := io.ReadAll(r.Body)
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		return nil, problemErr(http.StatusRequestEntityTooLarge, ProbBodyTooLarge, "", fmt.Sprintf("the body is larger than %d bytes", mb.Limit))
	case err != nil:
		return nil, problemErr(http.StatusBadRequest, ProbMalformedBody, "", "reading the body: "+err.Error())
	}
	return data, nil
}

// decodeObject decodes data as exactly one JSON object, its members kept
// raw for the caller to read by name.
func decodeObject(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return nil, problemErr(http.StatusBadRequest, ProbMalformedBody, "", "want a JSON object: "+err.Error())
	}
	if m == nil {
		return nil, problemErr(http.StatusBadRequest, ProbMalformedBody, "", "want a JSON object, got null")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, problemErr(http.StatusBadRequest, ProbMalformedBody, "", "data after the JSON object")
	}
	return m, nil
}

// invalid is a 400 naming the member at path.
func invalid(path, format string, args ...any) *apiError {
	return problemErr(http.StatusBadRequest, ProbInvalidField, path, fmt.Sprintf(format, args...))
}

// onlyMembers refuses members of m other than names, at prefix.
func onlyMembers(m map[string]json.RawMessage, prefix string, names ...string) error {
	for k := range m {
		known := false
		for _, n := range names {
			known = known || k == n
		}
		if !known {
			return problemErr(http.StatusBadRequest, ProbUnsupported, prefix+k, "unknown or unsupported member")
		}
	}
	return nil
}

// objectMember decodes the member name of m as a JSON object; required
// says whether it may be absent.
func objectMember(m map[string]json.RawMessage, name, path string, required bool) (map[string]any, error) {
	raw, ok := m[name]
	if !ok {
		if required {
			return nil, invalid(path, "required")
		}
		return nil, nil
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return nil, invalid(path, "want a JSON object")
	}
	return v, nil
}

// issueRequest is the body of POST /credentials/issue.
type issueRequest struct {
	credential map[string]any
	// catalogueAchievement is options.catalogueAchievement, badgesmith's
	// extension: "ID@VERSION" (or "ID") of an approved catalogue version
	// whose Achievement the credential is issued with. "" for none.
	catalogueAchievement string
}

// optCatalogueAchievement is the JSON path of the one issuing option.
const optCatalogueAchievement = "options.catalogueAchievement"

// parseIssueRequest reads {credential, options}. The one issuing option is
// catalogueAchievement; any other is refused rather than ignored.
func parseIssueRequest(data []byte) (*issueRequest, error) {
	m, err := decodeObject(data)
	if err != nil {
		return nil, err
	}
	if err := onlyMembers(m, "", "credential", "options"); err != nil {
		return nil, err
	}
	cred, err := objectMember(m, "credential", "credential", true)
	if err != nil {
		return nil, err
	}
	opts, err := objectMember(m, "options", "options", false)
	if err != nil {
		return nil, err
	}
	var ref string
	for k, v := range opts {
		if k != "catalogueAchievement" {
			return nil, problemErr(http.StatusBadRequest, ProbUnsupported, "options."+k, "issuing option not supported")
		}
		if ref, _ = v.(string); ref == "" {
			return nil, invalid(optCatalogueAchievement, "want a catalogue achievement ID@VERSION (or ID)")
		}
	}
	for _, k := range []string{"proof", "credentialStatus"} {
		if _, ok := cred[k]; ok {
			return nil, invalid("credential."+k, "must be absent: the server adds it")
		}
	}
	if id, ok := cred["id"]; ok {
		if s, _ := id.(string); s == "" {
			return nil, invalid("credential.id", "want a non-empty string")
		}
	}
	return &issueRequest{credential: cred, catalogueAchievement: ref}, nil
}

// envelopedJWTPrefix starts the id of an EnvelopedVerifiableCredential
// carrying a VC-JOSE-COSE or VC-JWT credential.
const envelopedJWTPrefix = "data:application/vc+jwt,"

// verifyRequest is the body of POST /credentials/verify.
type verifyRequest struct {
	// document is what the verifier reads: the credential's JSON, or a
	// compact JWS from an EnvelopedVerifiableCredential.
	document []byte
}

// parseVerifyRequest reads {verifiableCredential, options}. Options are
// accepted and ignored: VCALM's returnResults and the like only shape a
// response that here always carries everything.
func parseVerifyRequest(data []byte) (*verifyRequest, error) {
	m, err := decodeObject(data)
	if err != nil {
		return nil, err
	}
	if err := onlyMembers(m, "", "verifiableCredential", "options"); err != nil {
		return nil, err
	}
	raw, ok := m["verifiableCredential"]
	if !ok {
		return nil, invalid("verifiableCredential", "required")
	}
	if _, err := objectMember(m, "options", "options", false); err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, invalid("verifiableCredential", "want a JSON object")
	}
	// The members are read by their exact names (a struct would match
	// "Type" and "ID" too), and an envelope has no others: only the token
	// in its id is verified, so claims beside it would be answered as
	// verified without anyone having signed them.
	var typ any
	if t, ok := obj["type"]; ok && json.Unmarshal(t, &typ) == nil && hasType(typ, "EnvelopedVerifiableCredential") {
		if err := onlyMembers(obj, "verifiableCredential.", "@context", "id", "type"); err != nil {
			return nil, err
		}
		var id string
		_ = json.Unmarshal(obj["id"], &id)
		tok, ok := strings.CutPrefix(id, envelopedJWTPrefix)
		if !ok || tok == "" {
			return nil, problemErr(http.StatusBadRequest, ProbUnsupported, "verifiableCredential.id", "an enveloped credential must be "+envelopedJWTPrefix+"<compact JWS>")
		}
		return &verifyRequest{document: []byte(tok)}, nil
	}
	return &verifyRequest{document: raw}, nil
}

// hasType reports whether a JSON-LD type value (a string or an array)
// includes t.
func hasType(v any, t string) bool {
	switch v := v.(type) {
	case string:
		return v == t
	case []any:
		for _, x := range v {
			if x == t {
				return true
			}
		}
	}
	return false
}

// statusRequest is the body of POST /credentials/status.
type statusRequest struct {
	credentialID string
	purpose      status.Purpose
	set          bool
}

// parseStatusRequest reads {credentialId, credentialStatus: {type,
// statusPurpose}, status}, status a boolean.
func parseStatusRequest(data []byte) (*statusRequest, error) {
	m, err := decodeObject(data)
	if err != nil {
		return nil, err
	}
	if err := onlyMembers(m, "", "credentialId", "credentialStatus", "status"); err != nil {
		return nil, err
	}
	var req statusRequest
	if err := json.Unmarshal(m["credentialId"], &req.credentialID); err != nil || req.credentialID == "" {
		return nil, invalid("credentialId", "want a non-empty string")
	}
	raw, ok := m["status"]
	if !ok {
		return nil, invalid("status", "required")
	}
	if err := json.Unmarshal(raw, &req.set); err != nil {
		return nil, invalid("status", "want true (set) or false (clear)")
	}
	cs, err := objectMember(m, "credentialStatus", "credentialStatus", true)
	if err != nil {
		return nil, err
	}
	for k := range cs {
		if k != "type" && k != "statusPurpose" {
			return nil, problemErr(http.StatusBadRequest, ProbUnsupported, "credentialStatus."+k, "unknown or unsupported member")
		}
	}
	if t, _ := cs["type"].(string); t != "BitstringStatusListEntry" {
		return nil, problemErr(http.StatusBadRequest, ProbUnsupported, "credentialStatus.type", "want BitstringStatusListEntry")
	}
	switch p, _ := cs["statusPurpose"].(string); status.Purpose(p) {
	case status.PurposeRevocation, status.PurposeSuspension:
		req.purpose = status.Purpose(p)
	default:
		return nil, invalid("credentialStatus.statusPurpose", "want revocation or suspension")
	}
	return &req, nil
}

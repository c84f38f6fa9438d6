package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/jcs"
	"github.com/badgesmith/badgesmith/store"
)

// issue handles POST /credentials/issue: the request's credential is
// checked as the CLI checks its own (OB 3.0 data model and schema), given
// the issuer, an id and validFrom when it lacks them and status entries
// when the instance has a status base URL, signed, kept and recorded;
// 201 {verifiableCredential}. A request naming an id already recorded is
// refused (409) unless it carries the same credential as the request that
// recorded it, which gets the stored credential back: a client may retry
// an issue whose response it lost.
func (s *Server) issue(w http.ResponseWriter, r *http.Request) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	req, err := parseIssueRequest(data)
	if err != nil {
		return err
	}
	cred := req.credential
	in := s.instanceOf(r)
	if !hasType(cred["type"], "OpenBadgeCredential") && !hasType(cred["type"], "AchievementCredential") {
		return problemErr(http.StatusBadRequest, ProbUnsupported, "credential.type", "this issuer issues Open Badges: want OpenBadgeCredential (or AchievementCredential) among the types")
	}
	if err := in.checkIssuer(cred); err != nil {
		return err
	}
	// A retry must repeat the option too: the same credential from
	// another catalogue version is another request. Without the option
	// the hash is the credential's alone, as it always was.
	var hashed any = cred
	if req.catalogueAchievement != "" {
		hashed = map[string]any{"credential": cred, "options": map[string]any{"catalogueAchievement": req.catalogueAchievement}}
	}
	canon, err := jcs.Marshal(hashed)
	if err != nil {
		return invalid("credential", "cannot be canonicalized: %v", err)
	}
	sum := sha256.Sum256(canon)
	reqHash := hex.EncodeToString(sum[:])

	id, _ := cred["id"].(string)
	if id == "" {
		u, err := uuid.NewRandomFromReader(s.opts.Rand)
		if err != nil {
			return fmt.Errorf("generating credential id: %w", err)
		}
		id = "urn:uuid:" + u.String()
	} else {
		// Two requests for one id must not both sign: the second waits
		// and then finds the first's record.
		mu := &in.idLocks[lockIndex(id)]
		mu.Lock()
		defer mu.Unlock()
		if done, err := s.replay(w, r, in, id, reqHash); done || err != nil {
			return err
		}
	}
	ctx := r.Context()
	cred, version, err := in.issuer.ManageCredential(ctx, cred, req.catalogueAchievement)
	if err != nil {
		return catalogueRefusal(err)
	}
	cred = fill(cred, id, in.issuerValue(cred), s.opts.Now())
	if err := issuer.Validate(cred); err != nil {
		return invalidCredential(err)
	}
	var refs []store.StatusRef
	if in.statusBaseURL != "" {
		if cred, refs, err = in.issuer.AttachStatus(ctx, cred); err != nil {
			if errors.Is(err, issuer.ErrInvalidInput) {
				return invalidCredential(err)
			}
			return err
		}
	}
	signed, err := in.issuer.Sign(ctx, cred)
	if err != nil {
		return problemErr(http.StatusBadRequest, ProbUnsignable, "credential", err.Error())
	}
	doc := storedDoc{ID: id, RequestSHA256: reqHash, Format: store.FormatDI, Signed: string(signed.JSON)}
	if signed.Format.IsJWT() {
		doc.Format, doc.Signed = store.FormatJWT, signed.Token
	}
	vc, err := doc.verifiableCredential()
	if err != nil {
		return err
	}
	// The document is kept before the record is written, and the record
	// before the response: a recorded credential always has its
	// document, and a credential handed out is always recorded.
	if err := in.docs.put(doc); err != nil {
		return err
	}
	if err := in.issuer.RecordIssuedVersion(ctx, signed.Document, []byte(doc.Signed), doc.Format, refs, version); err != nil {
		if errors.Is(err, store.ErrExists) {
			return problemErr(http.StatusConflict, ProbConflict, "credential.id", "a credential with this id is already recorded")
		}
		return err
	}
	if err := in.issuer.Delivered(ctx, id); err != nil {
		return err
	}
	if in.lists.ensure(ctx, refs, s.opts.Logger) {
		// A verifier indexes its status directory once; a new list
		// needs a new one, or it would be fetched over the network.
		if err := s.renewVerifier(); err != nil {
			return err
		}
	}
	s.metrics.credentialIssued(in.name)
	w.Header().Set("Location", s.URL(in.prefix+"/credentials/"+url.PathEscape(id)))
	writeJSON(w, http.StatusCreated, map[string]json.RawMessage{"verifiableCredential": vc})
	return nil
}

// replay answers a request for a recorded id: with the stored credential
// if the request is the same, else 409. done is false when id is not
// recorded.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, in *instance, id, reqHash string) (done bool, err error) {
	rec, err := in.store.GetCredential(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	doc, err := in.docs.get(id)
	if err != nil && !isNotExist(err) {
		return true, err
	}
	if doc == nil || !doc.matches(rec) || doc.RequestSHA256 != reqHash {
		return true, problemErr(http.StatusConflict, ProbConflict, "credential.id", "a different credential with this id is already recorded")
	}
	vc, err := doc.verifiableCredential()
	if err != nil {
		return true, err
	}
	if rec.Undelivered {
		if err := in.issuer.Delivered(r.Context(), id); err != nil {
			return true, err
		}
	}
	w.Header().Set("Location", s.URL(in.prefix+"/credentials/"+url.PathEscape(id)))
	writeJSON(w, http.StatusCreated, map[string]json.RawMessage{"verifiableCredential": vc})
	return true, nil
}

func lockIndex(id string) int {
	h := fnv.New32a()
	_, _ = io.WriteString(h, id)
	return int(h.Sum32() % 64)
}

// checkIssuer refuses a credential naming an issuer other than the one
// this instance signs as.
func (in *instance) checkIssuer(cred map[string]any) error {
	switch v := cred["issuer"].(type) {
	case nil:
		if _, ok := cred["issuer"]; ok {
			return invalid("credential.issuer", "want the issuer's id or Profile")
		}
		return nil
	case string:
		if v != in.issuerID {
			return invalid("credential.issuer", "this server issues as %s", in.issuerID)
		}
	case map[string]any:
		if id, _ := v["id"].(string); id != in.issuerID {
			return invalid("credential.issuer.id", "this server issues as %s", in.issuerID)
		}
	default:
		return invalid("credential.issuer", "want the issuer's id or Profile")
	}
	return nil
}

// issuerValue is the issuer the credential gets: its own if given, else
// (a copy of) the configured Profile with the server's id.
func (in *instance) issuerValue(cred map[string]any) any {
	if v, ok := cred["issuer"]; ok {
		return v
	}
	p := jsonvalue.CloneObject(in.profile)
	if p == nil {
		p = map[string]any{}
	}
	p["id"] = in.issuerID
	if _, ok := p["type"]; !ok {
		p["type"] = []any{"Profile"}
	}
	return p
}

// fill returns a copy of cred with id, issuer and (if it has neither
// validFrom nor the VC 1.1 issuanceDate) validFrom now.
func fill(cred map[string]any, id string, iss any, now time.Time) map[string]any {
	out := make(map[string]any, len(cred)+3)
	for k, v := range cred {
		out[k] = v
	}
	out["id"] = id
	out["issuer"] = iss
	_, hasFrom := out["validFrom"]
	_, hasDate := out["issuanceDate"]
	if !hasFrom && !hasDate {
		out["validFrom"] = now.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	return out
}

// catalogueRefusal is the problem of the catalogue rule's refusal (see
// issuer.ManageCredential): a version that is not approved, or a
// credential's own achievement when the catalogue is required, is 422
// with its own problem type; a reference to nothing, or an achievement
// other than the version's, is 400.
func catalogueRefusal(err error) error {
	var se *catalogue.StateError
	switch {
	case errors.Is(err, issuer.ErrUnmanaged):
		return problemErr(http.StatusUnprocessableEntity, ProbCatalogueRequired, "credential.credentialSubject.achievement",
			err.Error()+"; name an approved version in "+optCatalogueAchievement)
	case errors.Is(err, issuer.ErrNoCatalogue):
		return problemErr(http.StatusBadRequest, ProbUnsupported, optCatalogueAchievement, "this issuer has no achievement catalogue")
	case errors.As(err, &se), errors.Is(err, catalogue.ErrNotApproved), errors.Is(err, catalogue.ErrTampered), errors.Is(err, catalogue.ErrNoApprovers):
		return problemErr(http.StatusUnprocessableEntity, ProbNotApproved, optCatalogueAchievement, err.Error())
	case errors.Is(err, catalogue.ErrNotFound), errors.Is(err, catalogue.ErrInvalid):
		return invalid(optCatalogueAchievement, "%v", err)
	case errors.Is(err, issuer.ErrInvalidInput):
		return invalidCredential(err)
	}
	return err
}

// invalidCredential is the 400 of an issuer refusal, at the JSON path it
// names.
func invalidCredential(err error) error {
	path := "credential"
	var jp interface{ JSONPath() string }
	var re *issuer.ResultError
	switch {
	case errors.As(err, &re):
		path = fmt.Sprintf("credential.credentialSubject.result[%d].%s", re.Index, re.Field)
	case errors.As(err, &jp) && jp.JSONPath() != "":
		path = "credential." + jp.JSONPath()
	}
	return invalid(path, "%v", err)
}

// verifiableCredential returns the credential as VCALM answers with it:
// the signed document, or an EnvelopedVerifiableCredential for a JWT.
func (d *storedDoc) verifiableCredential() (json.RawMessage, error) {
	if d.Format == store.FormatJWT {
		return json.Marshal(map[string]any{
			"@context": "https://www.w3.org/ns/credentials/v2",
			"id":       envelopedJWTPrefix + d.Signed,
			"type":     "EnvelopedVerifiableCredential",
		})
	}
	return json.RawMessage(d.Signed), nil
}

// getCredential handles GET /credentials/{id}: the issuer's own record,
// {verifiableCredential, state}.
func (s *Server) getCredential(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	in := s.instanceOf(r)
	rec, err := in.store.GetCredential(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return problemErr(http.StatusNotFound, ProbNotFound, "", "no credential "+id+" was issued here")
	}
	if err != nil {
		return err
	}
	out := map[string]any{"id": rec.ID, "state": rec.State, "issuedAt": rec.IssuedAt}
	doc, err := in.docs.get(id)
	switch {
	case err == nil && doc.matches(rec):
		vc, err := doc.verifiableCredential()
		if err != nil {
			return err
		}
		out["verifiableCredential"] = vc
	case err != nil && !isNotExist(err):
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
)

// KeyRequest is the body of POST /admin/apikeys and POST /admin/clients.
type KeyRequest struct {
	// Name is a label for people; optional.
	Name string `json:"name,omitempty"`
	// Scopes are what the key or client may do, in VCALM's syntax.
	Scopes []string `json:"scopes"`
}

// CreatedKey answers the creation of an API key or OAuth client: the one
// time its secret is shown. For a client, ID is the client_id and Secret
// the client_secret.
type CreatedKey struct {
	APIKey
	Secret string `json:"secret"`
}

// KeyList answers GET /admin/apikeys and GET /admin/clients; no secrets
// nor hashes.
type KeyList struct {
	Keys []APIKey `json:"keys"`
}

// StatusAction is a change of StatusChange.
type StatusAction string

// The status changes of POST /admin/credentials/status.
const (
	ActionRevoke    StatusAction = "revoke"
	ActionSuspend   StatusAction = "suspend"
	ActionReinstate StatusAction = "reinstate"
)

// StatusChange is the body of POST /admin/credentials/status: the CLI's
// revoke, suspend and reinstate, with the reason and the operator's
// claimed name recorded in the audit trail.
type StatusChange struct {
	CredentialID string       `json:"credentialId"`
	Action       StatusAction `json:"action"`
	Reason       string       `json:"reason"`
	// Actor is who the operator says they are; the audit trail records it
	// beside the credentials the request authenticated with.
	Actor string `json:"actor,omitempty"`
	// Cascade, with revoke, also revokes the stacked credentials issued on
	// the credential (issuer.Ledger.FlagStacked); without it they are only
	// named in StatusChanged.Stacked.
	Cascade bool `json:"cascade,omitempty"`
}

// StatusChanged answers a StatusChange. Changed is false when the
// credential was already in State.
type StatusChanged struct {
	CredentialID string      `json:"credentialId"`
	State        store.State `json:"state"`
	Changed      bool        `json:"changed"`
	// Stacked are, after a revocation, the stacked credentials issued on
	// the credential: revoked with Cascade, else named for review.
	Stacked []issuer.StackedChange `json:"stacked,omitempty"`
}

// HostedList is one list of PublishedLists.
type HostedList struct {
	ID         string    `json:"id"`
	ValidUntil time.Time `json:"validUntil"`
	Signed     bool      `json:"signed"`
}

// PublishedLists answers POST /admin/status/publish.
type PublishedLists struct {
	Lists []HostedList `json:"lists"`
}

// ListUsage is one list of StatusLists: the store's ListInfo and how many
// of its reserved indices a recorded credential holds.
type ListUsage struct {
	store.ListInfo
	Issued int `json:"issued"`
}

// StatusLists answers GET /admin/status/lists.
type StatusLists struct {
	Lists []ListUsage `json:"lists"`
}

// Records answers GET /admin/credentials.
type Records struct {
	Credentials []store.Record `json:"credentials"`
}

// RecordDetail answers GET /admin/credentials/record?id=: the record and
// its audit trail.
type RecordDetail struct {
	Record store.Record  `json:"record"`
	Events []store.Event `json:"events"`
}

// adminTarget is what the admin API's status, list and record operations
// act on: the default issuer instance's issuer, store and hosted lists.
func (s *Server) adminTarget() (*issuer.Issuer, store.Store, *listHost) {
	return s.def.issuer, s.def.store, s.def.lists
}

// authRoutes adds the token endpoint and the admin API (scope admin).
func (s *Server) authRoutes(mux *http.ServeMux) {
	p := s.prefix
	// The token endpoint is open, so it is limited per address (guessing
	// client secrets); the admin API per key, as the other keyed routes.
	mux.Handle("POST "+p+"/oauth2/token", s.limitIP(http.HandlerFunc(s.token)))
	admin := func(pattern string, h handlerFunc) {
		mux.Handle(pattern, s.auth(ScopeAdmin, s.limitKey(s.handle(h))))
	}
	admin("POST "+p+"/admin/apikeys", s.createKey(s.keys))
	admin("GET "+p+"/admin/apikeys", s.listKeys(s.keys))
	admin("POST "+p+"/admin/apikeys/{id}/revoke", s.revokeKey(s.keys, true))
	admin("POST "+p+"/admin/clients", s.createKey(s.oauth.clients))
	admin("GET "+p+"/admin/clients", s.listKeys(s.oauth.clients))
	admin("POST "+p+"/admin/clients/{id}/revoke", s.revokeKey(s.oauth.clients, false))
	admin("POST "+p+"/admin/credentials/status", s.adminStatus)
	admin("GET "+p+"/admin/credentials", s.adminRecords)
	admin("GET "+p+"/admin/credentials/record", s.adminRecord)
	admin("POST "+p+"/admin/status/publish", s.adminPublish)
	admin("GET "+p+"/admin/status/lists", s.adminLists)
}

// decodeStrict reads a JSON object into v, refusing unknown members, with
// the JSON path of a member of the wrong type.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		return problemErr(http.StatusBadRequest, ProbInvalidField, te.Field, "want "+te.Type.String()+", got "+te.Value)
	case err != nil && strings.HasPrefix(err.Error(), "json: unknown field "):
		f, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return problemErr(http.StatusBadRequest, ProbInvalidField, f, "unknown member")
	case err != nil:
		return problemErr(http.StatusBadRequest, ProbMalformedBody, "", "want a JSON object: "+err.Error())
	}
	if dec.More() {
		return problemErr(http.StatusBadRequest, ProbMalformedBody, "", "data after the JSON object")
	}
	return nil
}

func readStrict(r *http.Request, v any) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeStrict(data, v)
}

func (s *Server) createKey(ks *keyStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req KeyRequest
		if err := readStrict(r, &req); err != nil {
			return err
		}
		if err := checkScopes("scopes", req.Scopes); err != nil {
			return err
		}
		if len(req.Name) > 200 {
			return problemErr(http.StatusBadRequest, ProbInvalidField, "name", "longer than 200 bytes")
		}
		secret, k, err := ks.create(req.Name, req.Scopes)
		if err != nil {
			return err
		}
		k.SHA256 = ""
		s.opts.Logger.Info("credential created", "request_id", requestID(r.Context()), "file", ks.path, "id", k.ID, "scopes", strings.Join(k.Scopes, " "), "by", callerID(r))
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusCreated, CreatedKey{APIKey: k, Secret: secret})
		return nil
	}
}

func (s *Server) listKeys(ks *keyStore) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) error {
		writeJSON(w, http.StatusOK, KeyList{Keys: ks.list()})
		return nil
	}
}

func (s *Server) revokeKey(ks *keyStore, guardAdmin bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		k, err := ks.revoke(r.PathValue("id"), guardAdmin)
		switch {
		case errors.Is(err, ErrNoSuchKey):
			return problemErr(http.StatusNotFound, ProbNotFound, "", "no key or client "+r.PathValue("id"))
		case errors.Is(err, ErrLastAdmin):
			return problemErr(http.StatusConflict, ProbConflict, "", ErrLastAdmin.Error()+": create another admin key first")
		case err != nil:
			return err
		}
		s.opts.Logger.Info("credential revoked", "request_id", requestID(r.Context()), "file", ks.path, "id", k.ID, "by", callerID(r))
		writeJSON(w, http.StatusOK, k)
		return nil
	}
}

// adminStatus handles POST /admin/credentials/status: revoke, suspend or
// reinstate with a reason, then sign the changed list again at once.
func (s *Server) adminStatus(w http.ResponseWriter, r *http.Request) error {
	var req StatusChange
	if err := readStrict(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	is, st, lists := s.adminTarget()
	switch {
	case req.Cascade && req.Action != ActionRevoke:
		return invalid("cascade", "only with revoke")
	case req.CredentialID == "":
		return invalid("credentialId", "required")
	case strings.TrimSpace(req.Reason) == "":
		return invalid("reason", "required: it is recorded in the audit trail")
	case len(req.Reason) > 1000 || len(req.Actor) > 200:
		return invalid("reason", "reason over 1000 or actor over 200 bytes")
	}
	var apply func(*issuer.Issuer, string, string, string) error
	var want store.State
	switch req.Action {
	case ActionRevoke:
		want = store.Revoked
		apply = func(is *issuer.Issuer, id, actor, reason string) error { return is.Revoke(ctx, id, actor, reason) }
	case ActionSuspend:
		want = store.Suspended
		apply = func(is *issuer.Issuer, id, actor, reason string) error { return is.Suspend(ctx, id, actor, reason) }
	case ActionReinstate:
		want = store.Active
		apply = func(is *issuer.Issuer, id, actor, reason string) error { return is.Reinstate(ctx, id, actor, reason) }
	default:
		return invalid("action", "%q: want revoke, suspend or reinstate", req.Action)
	}
	before, err := st.GetCredential(ctx, req.CredentialID)
	if errors.Is(err, store.ErrNotFound) {
		return problemErr(http.StatusNotFound, ProbNotFound, "credentialId", "no credential "+req.CredentialID+" in the store")
	} else if err != nil {
		return err
	}
	if before.State == want {
		writeJSON(w, http.StatusOK, StatusChanged{CredentialID: req.CredentialID, State: want})
		return nil
	}
	// The claimed name is recorded as a claim, beside what the server
	// knows: the credentials the request authenticated with.
	actor := "admin API (" + callerID(r) + ")"
	if req.Actor != "" {
		actor = req.Actor + " via " + actor
	}
	err = apply(is, req.CredentialID, actor, req.Reason)
	switch {
	case errors.Is(err, issuer.ErrNoStatusEntry):
		return problemErr(http.StatusBadRequest, ProbInvalidField, "action", "the credential has no "+string(req.Action)+" status entry")
	case errors.Is(err, store.ErrFinal):
		return problemErr(http.StatusConflict, ProbFinal, "action", "the credential is revoked; its status can no longer change")
	case err != nil:
		return err
	}
	var stacked []issuer.StackedChange
	if want == store.Revoked {
		// The list is signed again below even if the cascade stops half way.
		stacked, err = is.FlagStacked(ctx, req.CredentialID, actor, req.Reason, req.Cascade)
	}
	if err := lists.refresh(ctx); err != nil {
		return fmt.Errorf("signing the changed status list: %w", err)
	}
	if err != nil {
		return err
	}
	if err := s.renewVerifier(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, StatusChanged{CredentialID: req.CredentialID, State: want, Changed: true, Stacked: stacked})
	return nil
}

// adminPublish handles POST /admin/status/publish: sign every list again
// now (the CLI's status publish), whatever its age.
func (s *Server) adminPublish(w http.ResponseWriter, r *http.Request) error {
	_, _, h := s.adminTarget()
	h.signMu.Lock()
	pubs, err := h.is.Publish(r.Context(), h.dir)
	h.signMu.Unlock()
	if err != nil {
		return fmt.Errorf("publishing the status lists: %w", err)
	}
	// Reload what was just signed for serving (nothing is signed twice:
	// every list is now fresh).
	if err := h.refresh(r.Context()); err != nil {
		return err
	}
	if err := s.renewVerifier(); err != nil {
		return err
	}
	out := PublishedLists{Lists: []HostedList{}}
	for _, p := range pubs {
		out.Lists = append(out.Lists, HostedList{ID: p.ListID, ValidUntil: p.ValidUntil.UTC(), Signed: p.Signed})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// adminLists handles GET /admin/status/lists (the CLI's status lists).
func (s *Server) adminLists(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	_, st, _ := s.adminTarget()
	lists, err := st.Lists(ctx, "")
	if err != nil {
		return err
	}
	issued := map[string]int{}
	err = st.EachCredential(ctx, store.Filter{}, func(rec store.Record) error {
		for _, ref := range rec.Status {
			issued[ref.ListID]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	out := StatusLists{Lists: make([]ListUsage, len(lists))}
	for i, l := range lists {
		out.Lists[i] = ListUsage{ListInfo: l, Issued: issued[l.ID]}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// maxRecords bounds one page of GET /admin/credentials.
const maxRecords = 10000

// adminRecords handles GET /admin/credentials: the issued records, oldest
// first, filtered by the query: recipient, achievement, status,
// issuedAfter and issuedBefore (RFC 3339, exclusive), limit (at most
// 10000, the default) and offset.
func (s *Server) adminRecords(w http.ResponseWriter, r *http.Request) error {
	f, err := recordFilter(r.URL.Query())
	if err != nil {
		return err
	}
	_, st, _ := s.adminTarget()
	recs, err := st.ListCredentials(r.Context(), f)
	if err != nil {
		return err
	}
	if recs == nil {
		recs = []store.Record{}
	}
	writeJSON(w, http.StatusOK, Records{Credentials: recs})
	return nil
}

// recordFilter reads the query of GET /admin/credentials.
func recordFilter(q url.Values) (store.Filter, error) {
	f := store.Filter{Recipient: q.Get("recipient"), AchievementID: q.Get("achievement"), Limit: maxRecords}
	for name := range q {
		switch name {
		case "recipient", "achievement", "status", "issuedAfter", "issuedBefore", "limit", "offset":
		default:
			return f, invalid(name, "unknown query parameter")
		}
	}
	switch st := store.State(q.Get("status")); st {
	case "", store.Active, store.Revoked, store.Suspended:
		f.Status = st
	default:
		return f, invalid("status", "%q: want active, revoked or suspended", st)
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"issuedAfter", &f.IssuedAfter}, {"issuedBefore", &f.IssuedBefore}} {
		if v := q.Get(t.name); v != "" {
			tm, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, invalid(t.name, "%q: want an RFC 3339 time", v)
			}
			*t.dst = tm
		}
	}
	for _, n := range []struct {
		name string
		dst  *int
		max  int
	}{{"limit", &f.Limit, maxRecords}, {"offset", &f.Offset, 1 << 40}} {
		if v := q.Get(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < 0 || i > n.max || (n.name == "limit" && i == 0) {
				return f, invalid(n.name, "%q: want an integer from %d to %d", v, map[bool]int{true: 1, false: 0}[n.name == "limit"], n.max)
			}
			*n.dst = i
		}
	}
	return f, nil
}

// adminRecord handles GET /admin/credentials/record?id=: one record with
// its audit trail (the CLI's show).
func (s *Server) adminRecord(w http.ResponseWriter, r *http.Request) error {
	id := r.URL.Query().Get("id")
	if id == "" {
		return invalid("id", "required")
	}
	_, st, _ := s.adminTarget()
	rec, err := st.GetCredential(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return problemErr(http.StatusNotFound, ProbNotFound, "id", "no credential "+id+" in the store")
	} else if err != nil {
		return err
	}
	evs, err := st.Audit(r.Context(), id)
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []store.Event{}
	}
	writeJSON(w, http.StatusOK, RecordDetail{Record: *rec, Events: evs})
	return nil
}

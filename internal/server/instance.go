package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
)

// Instance is an issuer instance as VCALM has them: one identity, key and
// format, with its own store and status lists, served under
// /issuers/{ID}/ (credentials/issue, credentials/status and
// credentials/{id}), with its own scopes (write:/issuers/{ID}/credentials/issue,
// ...). It signs only as IssuerID.
type Instance struct {
	// ID is the instance's path segment: letters, digits, '.', '-' and
	// '_'. Required.
	ID string
	// Issuer, IssuerID, Profile, Store and StatusBaseURL are as the
	// default instance's in Options. The Store must be the instance's
	// own: status lists are allocated per store, and a list holding the
	// credentials of two issuers cannot be signed.
	Issuer        *issuer.Issuer
	IssuerID      string
	Profile       map[string]any
	Store         store.Store
	StatusBaseURL string
	// DIDDocument and DIDDocumentURL are as in Options.
	DIDDocument    *did.Document
	DIDDocumentURL string
	// IssuerDocument is as in Options.
	IssuerDocument map[string]any
}

// instanceIDRe is what an instance id may be: one safe path segment.
var instanceIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// instance is an issuer instance as the server runs it.
type instance struct {
	name          string // "" for the default instance
	prefix        string // its path under the base path: "" or "/issuers/{name}"
	issuer        *issuer.Issuer
	issuerID      string
	profile       map[string]any
	store         store.Store
	statusBaseURL string
	lists         *listHost
	docs          *docStore
	// idLocks serialise issue requests naming the same credential id.
	idLocks [64]sync.Mutex
}

// scope is the instance's form of a VCALM scope: the default instance's
// own, or with the path under /issuers/{name}.
func (in *instance) scope(scope string) string {
	if in.name == "" {
		return scope
	}
	verb, path, ok := strings.Cut(scope, ":/")
	if !ok {
		return scope
	}
	return verb + ":/issuers/" + in.name + "/" + path
}

// newInstance sets up the instance's kept credentials and status lists
// in the data directory: the default instance's at its top, the others'
// under issuers/{name} (lists under status/issuers/{name}, inside the
// status directory the verifier reads).
func (s *Server) newInstance(ctx context.Context, o Instance) (*instance, error) {
	in := &instance{name: o.ID, issuer: o.Issuer, issuerID: o.IssuerID, profile: o.Profile, store: o.Store, statusBaseURL: o.StatusBaseURL}
	where := "default issuer"
	if o.ID != "" {
		where = "issuers[" + o.ID + "]"
	}
	switch {
	case o.Issuer == nil:
		return nil, fmt.Errorf("%s: issuer: %w: required", where, ErrConfig)
	case o.IssuerID == "":
		return nil, fmt.Errorf("%s: issuer id: %w: required", where, ErrConfig)
	case o.Store == nil:
		return nil, fmt.Errorf("%s: store: %w: required", where, ErrConfig)
	}
	docDir, listDir := s.opts.DataDir, filepath.Join(s.opts.DataDir, "status")
	if o.ID != "" {
		if !instanceIDRe.MatchString(o.ID) {
			return nil, fmt.Errorf("%s: id: %w: want letters, digits, '.', '-' or '_' (at most 64)", where, ErrConfig)
		}
		in.prefix = "/issuers/" + o.ID
		docDir = filepath.Join(s.opts.DataDir, "issuers", o.ID)
		listDir = filepath.Join(listDir, "issuers", o.ID)
	}
	var err error
	if in.docs, err = newDocStore(docDir); err != nil {
		return nil, err
	}
	if in.lists, err = newListHost(ctx, listDir, o.Issuer, o.StatusBaseURL, s.opts.Now, s.base); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return in, nil
}

// hostedDoc is a static document the server hosts at a path.
type hostedDoc struct {
	body        []byte
	etag        string
	contentType string
}

// hostDocument adds doc, served at docURL's path, to docs; docURL must be
// on the public base URL's host, and no two documents may share a path.
func (s *Server) hostDocument(docs map[string]*hostedDoc, docURL string, doc any, contentType string) error {
	u, err := url.Parse(docURL)
	if err != nil || u.Host != s.base.Host {
		return fmt.Errorf("document %s: %w: not under the public base URL %s, so this server cannot host it", docURL, ErrConfig, s.base)
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if _, dup := docs[p]; dup {
		return fmt.Errorf("document %s: %w: another document is hosted at %s", docURL, ErrConfig, p)
	}
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("document %s: %w", docURL, err)
	}
	sum := sha256.Sum256(body)
	docs[p] = &hostedDoc{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`, contentType: contentType}
	return nil
}

// getDocument serves a hosted document.
func (d *hostedDoc) serve(w http.ResponseWriter, r *http.Request) error {
	serveDocument(w, r, d.body, d.etag, d.contentType, 300)
	return nil
}

type instanceKey struct{}

// at runs next for instance in.
func (s *Server) at(in *instance, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), instanceKey{}, in)))
	})
}

// instanceOf is the instance a request is for: the default one unless the
// route names another.
func (s *Server) instanceOf(r *http.Request) *instance {
	if in, ok := r.Context().Value(instanceKey{}).(*instance); ok {
		return in
	}
	return s.def
}

// setInstances sets up the default instance and the others, and the
// documents they host, refusing two that would answer at one path.
func (s *Server) setInstances(ctx context.Context) error {
	o := s.opts
	all := append([]Instance{{
		Issuer: o.Issuer, IssuerID: o.IssuerID, Profile: o.Profile, Store: o.Store, StatusBaseURL: o.StatusBaseURL,
		DIDDocument: o.DIDDocument, DIDDocumentURL: o.DIDDocumentURL, IssuerDocument: o.IssuerDocument,
	}}, o.Instances...)
	s.hosted = map[string]*hostedDoc{}
	names := map[string]bool{}
	routes := map[string]string{}
	stores := map[store.Store]string{}
	for i, io := range all {
		if i > 0 && io.ID == "" {
			return fmt.Errorf("issuers[%d]: id: %w: required", i-1, ErrConfig)
		}
		if names[io.ID] {
			return fmt.Errorf("issuers[%s]: id: %w: two instances with this id", io.ID, ErrConfig)
		}
		names[io.ID] = true
		if other, dup := stores[io.Store]; dup && io.Store != nil {
			return fmt.Errorf("issuers[%s]: store: %w: the store of instance %q too; each instance needs its own", io.ID, ErrConfig, other)
		}
		stores[io.Store] = io.ID
		in, err := s.newInstance(ctx, io)
		if err != nil {
			return err
		}
		if r := in.lists.route; r != "" {
			if other, dup := routes[r]; dup {
				return fmt.Errorf("issuers[%s]: statusBaseURL: %w: instance %q publishes its lists there too", io.ID, ErrConfig, other)
			}
			routes[r] = io.ID
		}
		if io.DIDDocument != nil {
			if u, err := url.Parse(io.DIDDocumentURL); err == nil && u.Host == s.base.Host {
				if err := s.hostDocument(s.hosted, io.DIDDocumentURL, io.DIDDocument, "application/did+json"); err != nil {
					return fmt.Errorf("issuers[%s]: %w", io.ID, err)
				}
			}
		}
		if io.IssuerDocument != nil {
			if id, _ := io.IssuerDocument["id"].(string); id != io.IssuerID {
				return fmt.Errorf("issuers[%s]: issuer document: %w: its id %q is not the issuer id %s", io.ID, ErrConfig, id, io.IssuerID)
			}
			if err := s.hostDocument(s.hosted, io.IssuerID, io.IssuerDocument, "application/json"); err != nil {
				return fmt.Errorf("issuers[%s]: %w", io.ID, err)
			}
		}
		s.instances = append(s.instances, in)
	}
	s.def = s.instances[0]
	s.lists, s.docs = s.def.lists, s.def.docs
	return nil
}

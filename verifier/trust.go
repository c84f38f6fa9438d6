package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// MaxTrustListSize is the largest trust list file read, in bytes.
const MaxTrustListSize = 8 << 20

// ErrTrustList marks a trust list that cannot be read.
var ErrTrustList = errors.New("invalid trust list")

// TrustRole is what a trust list recognises an entity as.
type TrustRole string

// Roles of a trust list entry.
const (
	RoleIssuer   TrustRole = "issuer"
	RoleEndorser TrustRole = "endorser"
)

// Recognition outcomes, reported apart from valid/invalid: a valid
// credential of an unknown issuer is still valid.
const (
	Recognised    = "recognised"
	NotRecognised = "not recognised"
)

// TrustEntry is one recognised entity.
type TrustEntry struct {
	// ID is the entity's id (a DID or URL), compared byte for byte.
	ID string `json:"id"`
	// Name and URL describe it.
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
	// Roles are what it is recognised as; empty means issuer.
	Roles []TrustRole `json:"roles,omitempty"`
	// ValidFrom and ValidUntil bound the recognition; zero means open.
	ValidFrom  time.Time `json:"validFrom,omitzero"`
	ValidUntil time.Time `json:"validUntil,omitzero"`
}

// TrustList is a list of recognised issuers and endorsers: badgesmith's
// local format, or the Digital Credentials Consortium's legacy known-issuer
// registry layout.
type TrustList struct {
	// Name names the list in reports.
	Name    string
	entries []TrustEntry
	// fed is set for an OpenID Federation list (federation.go).
	fed *federation
}

// Recognition says whether a trust list recognises an entity in a role.
type Recognition struct {
	// Status is Recognised or NotRecognised.
	Status string `json:"status"`
	// List is the list that recognises it; Name and URL its entry's.
	List string `json:"list,omitempty"`
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
	// Reason says why an entity is not recognised or the registry was
	// unreachable, when a federation says.
	Reason string `json:"reason,omitempty"`
	// Chain are, for an OpenID Federation, the superiors from the entity's
	// up to the trust anchor.
	Chain []string `json:"chain,omitempty"`
}

// ParseTrustList reads a trust list named name. The local format is
//
//	{"trustList": {"name": "...", "entries": [{"id": "did:web:...", "name": "...",
//	  "url": "...", "roles": ["issuer", "endorser"], "validFrom": "...", "validUntil": "..."}]}}
//
// the DCC legacy layout {"meta": {...}, "registry": {"<did>": {"name",
// "location", "url"}}}, whose entries are issuers, and an OpenID Federation
// 1.0 registry (see federation.go for how issuers map to entities)
//
//	{"openidFederation": {"name": "...", "trustAnchor": "https://ta.example",
//	  "jwks": {"keys": [...]}, "maxPathLength": 2, "snapshot": "file.json",
//	  "cacheSeconds": 3600}}
//
// whose entities are fetched when looked up (see SnapshotFile).
func ParseTrustList(name string, data []byte) (*TrustList, error) {
	if len(data) > MaxTrustListSize {
		return nil, fmt.Errorf("trust list %s: %w: larger than %d bytes", name, ErrTrustList, MaxTrustListSize)
	}
	var doc struct {
		TrustList *struct {
			Name    string       `json:"name"`
			Entries []TrustEntry `json:"entries"`
		} `json:"trustList"`
		Registry map[string]struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"registry"`
		Federation *federationConfig `json:"openidFederation"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("trust list %s: %w: %w", name, ErrTrustList, err)
	}
	l := &TrustList{Name: name}
	switch {
	case (doc.TrustList != nil) && (doc.Registry != nil) || (doc.TrustList != nil || doc.Registry != nil) && doc.Federation != nil:
		return nil, fmt.Errorf("trust list %s: %w: more than one of trustList, registry and openidFederation", name, ErrTrustList)
	case doc.Federation != nil:
		if doc.Federation.Name != "" {
			l.Name = doc.Federation.Name
		}
		f, err := newFederation(name, doc.Federation)
		if err != nil {
			return nil, err
		}
		l.fed = f
	case doc.TrustList != nil:
		if doc.TrustList.Name != "" {
			l.Name = doc.TrustList.Name
		}
		for i, e := range doc.TrustList.Entries {
			if e.ID == "" {
				return nil, fmt.Errorf("trust list %s: trustList.entries[%d].id: %w: required", name, i, ErrTrustList)
			}
			for _, r := range e.Roles {
				if r != RoleIssuer && r != RoleEndorser {
					return nil, fmt.Errorf("trust list %s: trustList.entries[%d].roles: %w: %q is not issuer or endorser", name, i, ErrTrustList, r)
				}
			}
			if !e.ValidFrom.IsZero() && !e.ValidUntil.IsZero() && !e.ValidUntil.After(e.ValidFrom) {
				return nil, fmt.Errorf("trust list %s: trustList.entries[%d]: %w: validUntil is not after validFrom", name, i, ErrTrustList)
			}
			l.entries = append(l.entries, e)
		}
	case doc.Registry != nil:
		ids := make([]string, 0, len(doc.Registry))
		for id := range doc.Registry {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			e := doc.Registry[id]
			l.entries = append(l.entries, TrustEntry{ID: id, Name: e.Name, URL: e.URL, Roles: []TrustRole{RoleIssuer}})
		}
	default:
		return nil, fmt.Errorf("trust list %s: %w: none of trustList, registry and openidFederation", name, ErrTrustList)
	}
	return l, nil
}

// recognise looks id up in the role among the verifier's trust lists: the
// first list recognising it wins (lists go from most to least
// authoritative); if none does, a federation that could not be reached
// makes it RegistryUnreachable rather than NotRecognised.
func (v *Verifier) recognise(ctx context.Context, id string, role TrustRole) *Recognition {
	if len(v.trust) == 0 || id == "" {
		return nil
	}
	now := v.now()
	var unreachable, missed *Recognition
	for _, l := range v.trust {
		if l.fed != nil {
			rec := l.fed.recognise(ctx, v.client, l.Name, id, role, now)
			switch rec.Status {
			case Recognised:
				return rec
			case RegistryUnreachable:
				if unreachable == nil {
					unreachable = rec
				}
			default:
				if missed == nil {
					missed = rec
				}
			}
			continue
		}
		for _, e := range l.entries {
			if e.ID != id {
				continue
			}
			roles := e.Roles
			if len(roles) == 0 {
				roles = []TrustRole{RoleIssuer}
			}
			if !slices.Contains(roles, role) ||
				(!e.ValidFrom.IsZero() && now.Before(e.ValidFrom)) || (!e.ValidUntil.IsZero() && !now.Before(e.ValidUntil)) {
				continue
			}
			return &Recognition{Status: Recognised, List: l.Name, Name: e.Name, URL: e.URL}
		}
	}
	if unreachable != nil {
		return unreachable
	}
	if missed != nil {
		// A federation's reason helps whoever expected it to recognise id.
		return missed
	}
	return &Recognition{Status: NotRecognised}
}

// recogniseIssuer looks the verified issuer up in the trust lists.
func (v *Verifier) recogniseIssuer(ctx context.Context, r *report, p *proven) {
	if p.verified() {
		r.res.Recognition = v.recognise(ctx, p.claims.Issuer, RoleIssuer)
	}
}

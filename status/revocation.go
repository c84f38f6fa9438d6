package status

import (
	"encoding/json"
	"fmt"
)

// MaxRevocationListBytes caps the 1EdTech revocation list body
// ParseRevocationList accepts.
const MaxRevocationListBytes = 16 << 20

// RevokedCredential is one item of a 1EdTech revocation list's
// revokedCredential array. Revoked is nil when the item omits it, which
// counts as revoked.
type RevokedCredential struct {
	ID      string
	Revoked *bool
}

// RevocationList is the body served at a 1EdTechRevocationList id.
type RevocationList struct {
	// Items lists revokedCredential in document order.
	Items   []RevokedCredential
	revoked map[string]bool
}

// ParseRevocationList parses a 1EdTech revocation list body,
// {"revokedCredential":[{"id":..., "revoked"?: bool, ...}]}. Other
// properties, including any reason, are ignored. A missing or null
// revokedCredential means nothing is revoked. Errors wrap ErrMalformed and
// name the JSON path.
func ParseRevocationList(data []byte) (*RevocationList, error) {
	if len(data) > MaxRevocationListBytes {
		return nil, fmt.Errorf("revocation list of %d bytes exceeds %d: %w", len(data), MaxRevocationListBytes, ErrTooLarge)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(data, &body); err != nil || body == nil {
		return nil, fmt.Errorf("revocation list is not a JSON object: %w", ErrMalformed)
	}
	rl := &RevocationList{revoked: map[string]bool{}}
	raw, ok := body["revokedCredential"]
	if !ok {
		return rl, nil
	}
	var items []map[string]any
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("revokedCredential must be an array of objects: %w", ErrMalformed)
	}
	rl.Items = make([]RevokedCredential, 0, len(items))
	for i, it := range items {
		id, ok := it["id"].(string)
		if !ok || id == "" {
			return nil, fmt.Errorf("revokedCredential[%d].id must be a non-empty string: %w", i, ErrMalformed)
		}
		item := RevokedCredential{ID: id}
		if v, ok := it["revoked"]; ok && v != nil {
			b, ok := v.(bool)
			if !ok {
				return nil, fmt.Errorf("revokedCredential[%d].revoked must be a boolean: %w", i, ErrMalformed)
			}
			item.Revoked = &b
		}
		rl.Items = append(rl.Items, item)
		// A list naming a credential twice revokes it if either item does.
		if item.Revoked == nil || *item.Revoked {
			rl.revoked[id] = true
		}
	}
	return rl, nil
}

// IsRevoked reports whether credentialID is listed with revoked absent or
// true.
func (r *RevocationList) IsRevoked(credentialID string) bool {
	return r != nil && r.revoked[credentialID]
}

package issuer_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/badgesmith/badgesmith/catalogue"
	"github.com/badgesmith/badgesmith/issuer"
)

// TestManageCredential: the catalogue rule on a credential its caller
// built (the server's issue endpoint) is Issue's rule: the approved
// version's Achievement is put in, a different one refused at its path, an
// unmanaged one refused when the catalogue is required; the caller's
// credential is never changed.
func TestManageCredential(t *testing.T) {
	ctx := t.Context()
	db := openStore(t, t.TempDir()+"/issued.db")
	cf := newCatalogue(t, db, true)
	fx := newStatusIssuer(t, db, func(c *issuer.Config) { c.Catalogue = cf.cat })
	id := cf.approve(t)
	credential := func(ach map[string]any) map[string]any {
		s := readJSON(t, "subject.json")
		if ach != nil {
			s["achievement"] = ach
		}
		return map[string]any{"type": []any{"VerifiableCredential", "OpenBadgeCredential"}, "credentialSubject": s}
	}
	versioned := readJSON(t, "achievement.json")
	versioned["version"] = "1"
	changed := readJSON(t, "achievement.json")
	changed["name"] = "Other"
	notObject := credential(nil)
	notObject["credentialSubject"].(map[string]any)["achievement"] = "urn:x"

	for _, tc := range []struct {
		name, ref string
		cred      map[string]any
		is        *issuer.Issuer
		version   int
		want      error
		path      string
	}{
		{name: "filled in", ref: id + "@1", cred: credential(nil), version: 1},
		{name: "latest approved", ref: id, cred: credential(nil), version: 1},
		{name: "the version's own", ref: id + "@1", cred: credential(versioned), version: 1},
		{name: "another achievement", ref: id + "@1", cred: credential(changed), want: issuer.ErrInvalidInput, path: "credentialSubject.achievement"},
		{name: "achievement not an object", ref: id + "@1", cred: notObject, want: issuer.ErrInvalidInput, path: "credentialSubject.achievement"},
		{name: "subject array", ref: id + "@1", cred: map[string]any{"credentialSubject": []any{}}, want: issuer.ErrInvalidInput, path: "credentialSubject"},
		{name: "unknown", ref: id + "@7", cred: credential(nil), want: catalogue.ErrNotFound},
		{name: "unmanaged, catalogue required", cred: credential(readJSON(t, "achievement.json")), want: issuer.ErrUnmanaged, path: "credentialSubject.achievement"},
		{name: "unmanaged allowed", cred: credential(readJSON(t, "achievement.json")),
			is: newStatusIssuer(t, db, func(c *issuer.Config) { c.Catalogue = cf.cat; c.Unmanaged = true }).is},
		{name: "no catalogue", ref: id, cred: credential(nil), want: issuer.ErrNoCatalogue,
			is: newStatusIssuer(t, db, nil).is},
	} {
		t.Run(tc.name, func(t *testing.T) {
			is := fx.is
			if tc.is != nil {
				is = tc.is
			}
			before := deepCopy(t, tc.cred)
			out, version, err := is.ManageCredential(ctx, tc.cred, tc.ref)
			if !reflect.DeepEqual(tc.cred, before) {
				t.Errorf("the caller's credential was changed")
			}
			if tc.want != nil {
				var jp interface{ JSONPath() string }
				if !errors.Is(err, tc.want) {
					t.Fatalf("error %v, want %v", err, tc.want)
				}
				if tc.path != "" && (!errors.As(err, &jp) || jp.JSONPath() != tc.path) {
					t.Errorf("error %v: path %v, want %s", err, jp, tc.path)
				}
				return
			}
			if err != nil || version != tc.version {
				t.Fatalf("version %d, %v; want %d", version, err, tc.version)
			}
			if tc.ref == "" {
				return
			}
			a := out["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
			if !reflect.DeepEqual(a, versioned) {
				t.Errorf("achievement %v, want the approved version's %v", a, versioned)
			}
		})
	}
}

// deepCopy copies a JSON value.
func deepCopy(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

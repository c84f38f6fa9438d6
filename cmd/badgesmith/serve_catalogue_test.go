package main

import (
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestServeCatalogueCLI: "badgesmith serve" on a store whose approver set
// requires the catalogue issues an approved version named in
// options.catalogueAchievement and refuses a credential's own achievement,
// unless started with --unmanaged-achievements.
func TestServeCatalogueCLI(t *testing.T) {
	e := newCatalogueEnv(t, true)
	e.approve()
	var subject, achievement map[string]any
	for p, v := range map[string]*map[string]any{"subject.json": &subject, "achievement.json": &achievement} {
		data, err := os.ReadFile(testdata(p))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatal(err)
		}
	}
	request := func(withAchievement bool, ref string) map[string]any {
		s := maps.Clone(subject)
		if withAchievement {
			s["achievement"] = achievement
		}
		opts := map[string]any{}
		if ref != "" {
			opts["catalogueAchievement"] = ref
		}
		return map[string]any{"credential": map[string]any{
			"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
			"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
			"credentialSubject": s,
		}, "options": opts}
	}
	for _, unmanaged := range []bool{false, true} {
		name := "catalogue required"
		var extra []string
		if unmanaged {
			name, extra = "unmanaged achievements", []string{"--unmanaged-achievements"}
		}
		t.Run(name, func(t *testing.T) {
			base := startServe(t, e.ring, e.store, extra...)
			code, out := call(t, "POST", base+"/credentials/issue", remoteAdminKey, request(false, e.id+"@1"))
			if code != http.StatusCreated || !strings.Contains(string(out), `"version":"1"`) {
				t.Errorf("approved version: %d %s", code, out)
			}
			code, out = call(t, "POST", base+"/credentials/issue", remoteAdminKey, request(true, ""))
			switch {
			case unmanaged && code != http.StatusCreated:
				t.Errorf("own achievement: %d %s", code, out)
			case !unmanaged && (code != http.StatusUnprocessableEntity || !strings.Contains(string(out), "problems/catalogue-required") ||
				!strings.Contains(string(out), `"path":"credential.credentialSubject.achievement"`)):
				t.Errorf("own achievement: %d %s", code, out)
			}
		})
	}
}

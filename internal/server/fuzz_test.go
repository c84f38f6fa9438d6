package server

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzRequestParsers feeds arbitrary bodies to the parsers of the three
// POST endpoints: none may panic, and a refusal is always a problem with a
// 4xx status (never a 500), while an accepted body yields what the
// handler needs.
func FuzzRequestParsers(f *testing.F) {
	for _, s := range []string{
		`{"credential":{"type":["VerifiableCredential","OpenBadgeCredential"]},"options":{}}`,
		`{"credential":{"id":"urn:x","proof":{}}}`,
		`{"credential":{"type":["VerifiableCredential","OpenBadgeCredential"]},"options":{"catalogueAchievement":"https://example.edu/a@1"}}`,
		`{"credential":{},"options":{"catalogueAchievement":""}}`,
		`{"verifiableCredential":{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,eyJ.eyJ.sig"}}`,
		`{"verifiableCredential":{"@context":[],"type":["VerifiableCredential"]},"options":{"returnResults":true}}`,
		`{"credentialId":"urn:uuid:1","credentialStatus":{"type":"BitstringStatusListEntry","statusPurpose":"revocation"},"status":true}`,
		`{"credentialId":"","status":null}`,
		`null`, `[]`, `{}`, `{"a":1} x`, "\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(name string, ok bool, err error) {
			if err == nil {
				if !ok {
					t.Errorf("%s accepted %q without its result", name, data)
				}
				return
			}
			var ae *apiError
			if !errors.As(err, &ae) || ae.status < 400 || ae.status >= 500 || ae.name == "" || titles[ae.name] == "" {
				t.Errorf("%s: %q refused with %#v, want a 4xx problem", name, data, err)
			}
		}
		ir, err := parseIssueRequest(data)
		check("issue", err != nil || (ir.credential != nil && ir.credential["proof"] == nil && ir.credential["credentialStatus"] == nil &&
			ir.catalogueAchievement == issueOption(data)), err)
		vr, err := parseVerifyRequest(data)
		check("verify", err != nil || len(vr.document) > 0, err)
		sr, err := parseStatusRequest(data)
		check("status", err != nil || (sr.credentialID != "" && (sr.purpose == "revocation" || sr.purpose == "suspension")), err)
	})
}

// issueOption is options.catalogueAchievement of an issue request body, as
// encoding/json reads it on its own.
func issueOption(data []byte) string {
	var m struct {
		Options map[string]any `json:"options"`
	}
	_ = json.Unmarshal(data, &m)
	ref, _ := m.Options["catalogueAchievement"].(string)
	return ref
}

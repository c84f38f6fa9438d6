package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/verifier"
)

func TestVerifyTrust(t *testing.T) {
	dir := t.TempDir()
	issuePathwayAchievement(t, dir, pathway("sensors.json"))
	cred := filepath.Join(dir, "cred.json")
	const poly = "did:key:z6MkuDjNKVdzxWP99mueDQX4SQma7GWiQ4LjEHqPrBHa4dUX"
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name  string
		lists []string
		want  string
	}{
		{"local list", []string{write("local.json", `{"trustList": {"name": "Polytechnics", "entries": [{"id": "`+poly+`", "name": "Northfield Polytechnic", "url": "https://poly.example"}]}}`)},
			"trust: issuer recognised by Polytechnics as Northfield Polytechnic (https://poly.example)"},
		{"dcc registry", []string{write("dcc.json", `{"meta": {}, "registry": {"`+poly+`": {"name": "Northfield", "location": "Nowhere", "url": "https://poly.example"}}}`)},
			"recognised by " + filepath.Join(dir, "dcc.json") + " as Northfield"},
		{"endorser only", []string{write("endorsers.json", `{"trustList": {"entries": [{"id": "`+poly+`", "roles": ["endorser"]}]}}`)},
			"trust: issuer not recognised by the trust lists"},
		{"federation, snapshot beside the list", []string{write("fed.json", fedList("snap.json")), write("snap.json", `{"statements": []}`)}[:1],
			"trust: issuer not recognised by the trust lists (no OpenID Federation entity id for " + poly},
		{"expired entry", []string{write("old.json", `{"trustList": {"entries": [{"id": "`+poly+`", "validUntil": "2020-01-01T00:00:00Z"}]}}`)},
			"trust: issuer not recognised by the trust lists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"verify"}
			for _, l := range tt.lists {
				args = append(args, "--trust", l)
			}
			code, out, errOut := runKeys(t, "", append(args, cred)...)
			if code != exitOK || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want a line %q\n%s%s", code, tt.want, out, errOut)
			}
		})
	}
	code, _, errOut := runKeys(t, "", "verify", "--trust", write("nosnap.json", fedList("missing.json")), cred)
	if code != exitError || !strings.Contains(errOut, "snapshot") {
		t.Errorf("missing snapshot: exit %d: %s", code, errOut)
	}
	code, _, errOut = runKeys(t, "", "verify", "--trust", write("bad.json", `{"x": 1}`), cred)
	if code != exitError || !strings.Contains(errOut, "invalid trust list") {
		t.Errorf("bad list: exit %d: %s", code, errOut)
	}
}

// fedList is an OpenID Federation trust list with the RFC 8037 example key
// as its anchor's, naming snapshot.
func fedList(snapshot string) string {
	return `{"openidFederation": {"trustAnchor": "https://ta.example", "snapshot": "` + snapshot + `",
	  "jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "ta", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}}}`
}

func TestPrintRecognition(t *testing.T) {
	tests := []struct {
		rec  verifier.Recognition
		want string
	}{
		{verifier.Recognition{Status: verifier.Recognised, List: "fed", Name: "Poly", Chain: []string{"https://i.example", "https://ta.example"}},
			"  trust: issuer recognised by fed as Poly, trust chain https://i.example > https://ta.example\n"},
		{verifier.Recognition{Status: verifier.RegistryUnreachable, List: "fed", Reason: "fetching https://ta.example: 503"},
			"  trust: registry unreachable, so whether the issuer is recognised is unknown (fetching https://ta.example: 503)\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		var bidi bidiFields
		printRecognition(&b, &bidi, &tt.rec)
		if b.String() != tt.want {
			t.Errorf("got %q, want %q", b.String(), tt.want)
		}
	}
}

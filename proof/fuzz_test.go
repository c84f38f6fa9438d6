package proof

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
)

// FuzzVerify feeds arbitrary JSON documents to Verify: it must never panic,
// and a result without error must name a supported suite.
func FuzzVerify(f *testing.F) {
	for _, rel := range []string{
		obDir + "/signed-credential.json",
		"test-vectors/w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json",
		"test-vectors/w3c-vc-di-eddsa/Ed25519Signature2020/signedEdSig.json",
	} {
		if b, err := os.ReadFile(filepath.Join(specDir, rel)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"proof":[{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofPurpose":"assertionMethod","created":"2010-01-01T00:00:00Z","verificationMethod":"did:key:z6Mk#z6Mk","proofValue":"z1"}]}`))
	f.Add([]byte(`{"proof":{"type":"Ed25519Signature2020","proofValue":"u"}}`))
	f.Add([]byte(`{"proof":[null,1,"x",[]]}`))
	l := testLoader(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var doc map[string]any
		if json.Unmarshal(b, &doc) != nil || doc == nil {
			return
		}
		res, err := Verify(context.Background(), doc, VerifyOptions{Keys: &fragmentKeys{}, Loader: l})
		if err != nil {
			if errors.Is(err, contexts.ErrNotBundled) {
				return
			}
			return
		}
		if _, err := suiteByName(res.Suite); err != nil {
			t.Errorf("verified with suite %q", res.Suite)
		}
	})
}

// FuzzParseSet: on any document, ParseSet refuses a proof exactly as
// VerifySet does before it asks for a key, and VerifySet asks for the keys
// of the proofs ParseSet read, each by its method and purpose, and no
// other.
func FuzzParseSet(f *testing.F) {
	f.Add([]byte(`{"proof":[{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofPurpose":"assertionMethod","created":"2010-01-01T00:00:00Z","verificationMethod":"did:key:z6Mk#z6Mk","proofValue":"z1"}]}`))
	f.Add([]byte(`{"proof":[{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofPurpose":"assertionMethod","created":"2010-01-01T00:00:00Z","verificationMethod":"did:ex:a#k","proofValue":"z1","previousProof":"urn:b"},{"id":"urn:b","type":"Ed25519Signature2020","proofPurpose":"authentication"}]}`))
	f.Add([]byte(`{"proof":{"type":"Ed25519Signature2020","proofValue":"u","expires":"2000-01-01T00:00:00Z"}}`))
	f.Add([]byte(`{"proof":[null,1,"x",[]]}`))
	f.Add([]byte(`{"proof":[]}`))
	l := testLoader(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var doc map[string]any
		if json.Unmarshal(b, &doc) != nil || doc == nil {
			return
		}
		parsed, perr := ParseSet(doc, VerifyOptions{})
		rec := &recordingKeys{keys: keysByMethod{}}
		outs, verr := VerifySet(context.Background(), doc, VerifyOptions{Keys: rec, Loader: l})
		if (perr == nil) != (verr == nil) || (perr != nil && perr.Error() != verr.Error()) {
			t.Fatalf("ParseSet: %v; VerifySet: %v", perr, verr)
		}
		var want []string
		for i := range parsed {
			if parsed[i].Err == nil {
				want = append(want, parsed[i].VerificationMethod+" "+parsed[i].Purpose)
			} else if outs[i].Err == nil || outs[i].Err.Error() != parsed[i].Err.Error() {
				t.Errorf("proof[%d]: ParseSet %v, VerifySet %v", i, parsed[i].Err, outs[i].Err)
			}
		}
		if strings.Join(rec.asked, "\n") != strings.Join(want, "\n") {
			t.Errorf("VerifySet asked for %q, want %q", rec.asked, want)
		}
	})
}

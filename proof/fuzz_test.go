package proof

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
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

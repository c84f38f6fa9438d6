package verifier_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/testdata/hostile/gen"
	"github.com/badgesmith/badgesmith/vcjwt"
	"github.com/badgesmith/badgesmith/verifier"
)

// rewriteSeed is a signed credential of the hostile corpus the rewrite
// fuzz target starts from.
type rewriteSeed struct {
	name string
	// raw is the file as committed; doc the credential (for a JWT, the
	// payload without its registered claims).
	raw []byte
	doc map[string]any
	// jwt marks a VC-JWT seed: a rewrite is re-signed with the issuer key
	// (its kid and format kept), since a JWS signs bytes, not a graph.
	jwt    bool
	kid    string
	format string
}

// rewriteSeedFiles are the seeds: valid (rdfc, jcs, ecdsa, VC 1.1, JWT),
// expired, not yet valid, revoked, suspended and signed by the wrong key.
var rewriteSeedFiles = []string{
	"di/di-valid-eddsa-rdfc.json",
	"di/di-valid-eddsa-jcs.json",
	"di/di-valid-ecdsa-rdfc.json",
	"di/di-valid-vc11.json",
	"rewrite/rewrite-control-expired.json",
	"rewrite/rewrite-vc11-control-expired.json",
	"validity/vc2-validfrom-future.json",
	"rewrite/rewrite-control-revoked.json",
	"status-cases/status-suspended-control.json",
	"di/di-wrong-did-key.json",
	"jwt/jwt-valid-vc-jwt.jwt",
	"jwt/jwt-expired-control.jwt",
	"validity/vc11-signed-validuntil-past.json",
}

func rewriteSeeds(t testing.TB) []rewriteSeed {
	t.Helper()
	var out []rewriteSeed
	for _, name := range rewriteSeedFiles {
		raw, err := os.ReadFile(filepath.Join(hostileDir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		s := rewriteSeed{name: name, raw: raw}
		if strings.HasSuffix(name, ".jwt") {
			parts := strings.Split(strings.TrimSpace(string(raw)), ".")
			var hdr, payload map[string]any
			for i, dst := range []*map[string]any{&hdr, &payload} {
				b, err := base64.RawURLEncoding.DecodeString(parts[i])
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(b, dst); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range []string{"iss", "sub", "jti", "nbf", "exp", "iat", "aud"} {
				delete(payload, c)
			}
			s.jwt, s.doc, s.kid = true, payload, hdr["kid"].(string)
			s.format = vcjwt.FormatVCJWT
			if hdr["typ"] == "vc+jwt" {
				s.format = vcjwt.FormatJOSE
			}
		} else if err := json.Unmarshal(raw, &s.doc); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// rank orders verdicts: a rewrite may make a verdict worse, never better.
func rank(verdict string) int {
	switch verdict {
	case gen.Valid:
		return 3
	case gen.CouldNotCheck:
		return 1
	case gen.Invalid:
		return 0
	}
	return -1
}

// claimsOf is what must not change under a rewrite: dates, status entries,
// issuer and subject.
func claimsOf(c *verifier.Claims) any {
	if c == nil {
		return nil
	}
	return []any{c.ValidFrom, c.IssuanceDate, c.ValidUntil, c.ExpirationDate, c.Status, c.Issuer, c.Subject}
}

// stepBytes encodes a step as gen.StepsFromBytes reads it.
func stepBytes(target, key string, op gen.Op) []byte {
	return []byte{byte(slices.Index(gen.Targets, target)), byte(slices.Index(gen.Keys, key)), byte(op)}
}

func FuzzRewritePreservesVerdict(f *testing.F) {
	seeds := rewriteSeeds(f)
	v, err := verifier.New(verifier.Options{
		Now:        caseNow(f, gen.Case{}),
		StatusDir:  filepath.Join(hostileDir, "status"),
		HTTPClient: offlineClient(),
	})
	if err != nil {
		f.Fatal(err)
	}
	type base struct {
		verdict string
		claims  any
	}
	bases := make([]base, len(seeds))
	for i, s := range seeds {
		res, err := v.Verify(context.Background(), s.raw)
		bases[i] = base{verdictOf(res, err), claimsOf(res.Claims)}
	}
	patterns := [][]byte{
		stepBytes("", "validUntil", gen.OpFullIRI),
		stepBytes("", "validUntil", gen.OpNest),
		stepBytes("", "validFrom", gen.OpFullIRI),
		stepBytes("", "validFrom", gen.OpNestArray),
		stepBytes("", "expirationDate", gen.OpFullIRI),
		stepBytes("", "expirationDate", gen.OpValueObject),
		stepBytes("", "issuanceDate", gen.OpNest),
		stepBytes("", "credentialStatus", gen.OpFullIRI),
		stepBytes("", "credentialStatus", gen.OpNest),
		stepBytes("", "credentialStatus", gen.OpArray),
		append(stepBytes("credentialStatus", "type", gen.OpKeyword), stepBytes("", "credentialStatus", gen.OpNestArray)...),
		stepBytes("", "issuer", gen.OpFullIRI),
		stepBytes("", "credentialSubject", gen.OpNest),
		stepBytes("", "type", gen.OpKeyword),
		stepBytes("", "id", gen.OpKeyword),
		stepBytes("credentialSubject", "type", gen.OpSingle),
		stepBytes("", "name", gen.OpFullIRI),
		append(stepBytes("", "validUntil", gen.OpValueObject), stepBytes("", "validUntil", gen.OpNest)...),
	}
	for i := range seeds {
		f.Add(uint8(i), []byte{}, uint64(1))
		for j, p := range patterns {
			f.Add(uint8(i), p, uint64(j%3))
		}
	}
	f.Fuzz(func(t *testing.T, seed uint8, steps []byte, shuffle uint64) {
		i := int(seed) % len(seeds)
		s := seeds[i]
		doc := gen.Clone(s.doc)
		if len(gen.ApplySteps(doc, gen.StepsFromBytes(steps))) == 0 && shuffle == 0 {
			return
		}
		same, err := gen.SameGraph(s.doc, doc)
		if err != nil || !same {
			return // not a graph-preserving rewrite of this seed
		}
		var input []byte
		if s.jwt {
			tok, err := vcjwt.Sign(context.Background(), doc, gen.IssuerKey().Priv, vcjwt.Options{
				Format: s.format, KeyID: s.kid, Now: caseNow(t, gen.Case{Now: "2026-11-01T00:00:00Z"}),
			})
			if err != nil {
				return // the JWT form needs what the rewrite hid (validFrom for nbf)
			}
			input = []byte(tok)
		} else {
			var r *rand.Rand
			if shuffle != 0 {
				r = rand.New(rand.NewPCG(shuffle, uint64(i)))
			}
			input = gen.EncodeShuffled(doc, r)
		}
		res, err := v.Verify(context.Background(), input)
		if res == nil {
			t.Fatalf("no result (err %v)", err)
		}
		got := verdictOf(res, err)
		if rank(got) > rank(bases[i].verdict) {
			t.Errorf("%s rewritten (steps %v) is %s, better than the seed's %s; input:\n%s", s.name,
				gen.StepsFromBytes(steps), got, bases[i].verdict, input)
		}
		// A rewrite refused before its statements were read (nil Claims)
		// shows nothing; one that was read must show what the seed shows.
		if c := claimsOf(res.Claims); res.Claims != nil && !reflect.DeepEqual(c, bases[i].claims) {
			t.Errorf("%s rewritten (steps %v): claims %+v, seed's %+v", s.name, gen.StepsFromBytes(steps), c, bases[i].claims)
		}
	})
}

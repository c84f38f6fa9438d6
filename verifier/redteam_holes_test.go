//go:build redteam

package verifier_test

// Holes the red team found that are not fixed yet. Each test asserts the
// correct behaviour, so it fails while the hole is open; run them with
//
//	go test -tags redteam ./verifier/ -run TestRedteamHole

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// chainedProofs returns n copies of p, each with an id and a previousProof
// naming the next (a loop), so that every one is canonicalized on its own
// (with the proof it names) before its signature is even looked at.
func chainedProofs(t testing.TB, p map[string]any, n int) []any {
	out := make([]any, 0, n)
	for i := range n {
		q := clone(t, p)
		q["id"] = fmt.Sprintf("urn:p:%d", i)
		q["previousProof"] = fmt.Sprintf("urn:p:%d", (i+1)%n)
		out = append(out, q)
	}
	return out
}

// TestRedteamHoleCanonWorkPerVerification: Limits.MaxQuads and
// MaxHashCalls bound one Canonicalize call, not one verification. A
// credential (or status list) with MaxProofs proofs that name a
// previousProof is canonicalized once per proof, plus once more for its
// unverified claims; a credential with MaxStatusEntries entries naming
// lists built the same way multiplies that again. A 5.5 KB self-issued
// credential made the verifier canonicalize 2.5 million statements and
// compute 1.25 million blank-node hashes (9.5 s on the 2-core test
// machine), bounded only by the 30 s deadline.
//
// The bounds asserted: a document's canonicalizations together within
// twice MaxQuads (its own reading and the unverified re-reading), and a
// verification within (1 + MaxFetches) * MaxQuads, the figure the hostile
// corpus manifest asserts for its status cases (660,000).
func TestRedteamHoleCanonWorkPerVerification(t *testing.T) {
	k := newKey(t, 150)
	t.Run("one file, chained proofs", func(t *testing.T) {
		d := unsigned(t, k)
		results := make([]any, 4900)
		for i := range results {
			results[i] = map[string]any{"type": []any{"Result"}, "value": strconv.Itoa(i)}
		}
		subject(d)["result"] = results
		d["proof"] = chainedProofs(t, firstProof(sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)), verifier.DefaultMaxProofs)
		v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		res, _ := v.Verify(context.Background(), encode(t, d))
		t.Logf("work %+v", res.Work)
		if bound := 2 * verifier.DefaultMaxQuads; res.Work.Quads > bound {
			t.Errorf("one verification canonicalized %d statements (one document is held to %d)", res.Work.Quads, verifier.DefaultMaxQuads)
		}
	})
	t.Run("status lists with chained proofs", func(t *testing.T) {
		srv := newListServer(t)
		var entries []any
		for i := range verifier.DefaultMaxStatusEntries {
			path := fmt.Sprintf("/l/%d", i)
			url := srv.srv.URL + path
			d := listDoc(k.did, url, "revocation", encodedList(t))
			for _, key := range []string{"https://example.org/x1", "https://example.org/x2"} {
				arr := make([]any, 4900)
				for j := range arr {
					arr[j] = map[string]any{"https://example.org/y": strconv.Itoa(j)}
				}
				d[key] = arr
			}
			d["proof"] = chainedProofs(t, firstProof(sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)), verifier.DefaultMaxProofs)
			srv.put(t, path, d)
			entries = append(entries, bitstringEntry(url, "revocation", 3))
		}
		c := unsigned(t, k)
		c["credentialStatus"] = entries
		cred := encode(t, sign(t, c, k.priv, k.vm, proof.EddsaRdfc2022))
		v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: srv.loopbackClient()})
		if err != nil {
			t.Fatal(err)
		}
		res, _ := v.Verify(context.Background(), cred)
		t.Logf("%d-byte credential: work %+v", len(cred), res.Work)
		if bound := (1 + verifier.DefaultMaxFetches) * verifier.DefaultMaxQuads; res.Work.Quads > bound {
			t.Errorf("one verification canonicalized %d statements (one document is held to %d)", res.Work.Quads, verifier.DefaultMaxQuads)
		}
	})
}

package verifier_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/jsonld"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/rdfc"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestExplain: Explain gives the verdict Verify gives and, for JSON, JWT
// and baked credentials, the contexts with their hashes, the signed
// statements and hashes, the key's resolution, the status lists used and
// the differences that apply, each recomputed here from the inputs.
func TestExplain(t *testing.T) {
	k := newKey(t, 1)
	s := newListServer(t)
	listURL := s.srv.URL + "/lists/1"
	s.put(t, "/lists/1", signedList(t, k, listURL, "revocation", []int{9}, nil))
	withStatus := credWithStatus(t, k, bitstringEntry(listURL, "revocation", 7))
	ed2020 := encode(t, sign(t, unsigned(t, k), k.priv, k.vm, proof.Ed25519Signature2020))
	tok := jwtIssuedBy(t, k.did, k.priv, k.vm)
	tests := []struct {
		name       string
		data       []byte
		format     string
		suite      proof.Suite
		jwt        bool
		statusList bool
		diffs      []string
	}{
		{name: "json with a status list", data: withStatus, format: "json", suite: proof.EddsaRdfc2022, statusList: true},
		{name: "Ed25519Signature2020", data: ed2020, format: "json", suite: proof.Ed25519Signature2020, diffs: []string{"Ed25519Signature2020"}},
		{name: "jwt", data: tok, format: "jwt", jwt: true, diffs: []string{"is a JWT"}},
		{name: "baked png", data: mustBake(t, noisePNG(t, 4, 4), withStatus), format: "png", suite: proof.EddsaRdfc2022, statusList: true},
		{name: "baked png with a jwt", data: mustBake(t, noisePNG(t, 4, 4), tok), format: "png+jwt", jwt: true},
	}
	bundled, err := jsonld.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: s.loopbackClient()})
			if err != nil {
				t.Fatal(err)
			}
			plain, plainErr := v.Verify(context.Background(), tc.data)
			res, err := v.Explain(context.Background(), tc.data)
			if (err == nil) != (plainErr == nil) || res.Valid != plain.Valid || plain.Explain != nil {
				t.Fatalf("Explain verdict %v (%v), Verify %v (%v), Verify's Explain %v", res.Valid, err, plain.Valid, plainErr, plain.Explain)
			}
			if err != nil {
				t.Fatalf("not valid: %v", err)
			}
			ex := res.Explain
			if ex == nil || ex.Format != tc.format {
				t.Fatalf("explanation %+v, want format %s", ex, tc.format)
			}
			if len(ex.Contexts) == 0 {
				t.Fatal("no contexts")
			}
			for _, c := range ex.Contexts {
				info, sum, ok, err := bundled.Lookup(c.URL)
				if err != nil || !ok || !c.Bundled || !c.Matches || c.RecordedSHA256 != info.SHA256 || c.EmbeddedSHA256 != sum {
					t.Errorf("context %+v; manifest %+v, embedded %s", c, info, sum)
				}
			}
			p := ex.Proof
			if p == nil || p.NQuads == "" || p.VerificationMethod != k.vm {
				t.Fatalf("proof %+v", p)
			}
			if res.Claims == nil || !strings.Contains(p.NQuads, "<"+res.Claims.Issuer+">") {
				t.Errorf("N-Quads do not name the issuer %v", res.Claims)
			}
			if tc.jwt {
				raw := strings.TrimSpace(string(tok))
				sum := sha256.Sum256([]byte(raw[:strings.LastIndexByte(raw, '.')]))
				if p.SigningInputHash != hex.EncodeToString(sum[:]) || p.DocumentHash != "" {
					t.Errorf("signing input hash %s, want %x (document hash %q)", p.SigningInputHash, sum, p.DocumentHash)
				}
			} else {
				// The document hash is the SHA-256 of the canonical
				// statements, and a canonical form does not change when
				// canonicalized again.
				sum := sha256.Sum256([]byte(p.NQuads))
				if p.Suite != string(tc.suite) || p.DocumentHash != hex.EncodeToString(sum[:]) || len(p.ProofOptionsHash) != 64 || p.SigningInputHash != "" {
					t.Errorf("proof %s: document hash %s, want %x; options hash %q", p.Suite, p.DocumentHash, sum, p.ProofOptionsHash)
				}
				quads, err := rdfc.ParseNQuads([]byte(p.NQuads))
				if err != nil {
					t.Fatal(err)
				}
				if again, err := rdfc.Canonicalize(context.Background(), quads, rdfc.Options{}); err != nil || string(again) != p.NQuads {
					t.Errorf("N-Quads are not canonical: %v", err)
				}
			}
			if key := ex.Key; key == nil || !key.Bound || key.VerificationMethod != k.vm || key.Source != "issuer id" || key.Relationship != "assertionMethod" || key.Reason == "" {
				t.Errorf("key %+v", ex.Key)
			}
			if tc.statusList {
				if len(ex.StatusLists) != 1 || ex.StatusLists[0].URL != listURL || ex.StatusLists[0].Issuer != k.did || !ex.StatusLists[0].Fresh {
					t.Errorf("status lists %+v", ex.StatusLists)
				}
			} else if len(ex.StatusLists) != 0 {
				t.Errorf("status lists %+v for a credential without status", ex.StatusLists)
			}
			all := strings.Join(ex.Differences, "\n")
			for _, d := range tc.diffs {
				if !strings.Contains(all, d) {
					t.Errorf("differences %q lack %q", ex.Differences, d)
				}
			}
			if !tc.jwt && tc.suite == proof.EddsaRdfc2022 && strings.Contains(all, "Ed25519Signature2020") {
				t.Errorf("differences %q name a suite not used", ex.Differences)
			}
			b, err := json.Marshal(res)
			if err != nil || !strings.Contains(string(b), `"explain":{`) {
				t.Errorf("json %s: %v", b, err)
			}
		})
	}
}

// TestExplainForgery: a tampered credential is explained without a proof,
// and stays invalid.
func TestExplainForgery(t *testing.T) {
	k := newKey(t, 1)
	d := sign(t, unsigned(t, k), k.priv, k.vm, proof.EddsaRdfc2022)
	d["name"] = "forged"
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: offlineClient()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Explain(context.Background(), encode(t, d))
	var ve *verifier.VerificationError
	if !errors.As(err, &ve) || res.Valid {
		t.Fatalf("err = %v, want invalid", err)
	}
	if res.Explain == nil || res.Explain.Proof != nil || len(res.Explain.StatusLists) != 0 {
		t.Errorf("explanation of a forgery %+v", res.Explain)
	}
}

// TestExplainDIDWeb: for a did:web issuer, the explanation names the
// document the key came from, its URL, the method and the relationship.
func TestExplainDIDWeb(t *testing.T) {
	k := newKey(t, 7)
	ls := newLocalhostServer(t)
	ls.put(wellKnownPath, controllerDoc(t, ls.did(), k))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: ls.client(5 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Explain(context.Background(), signedBy(t, ls.did(), k))
	if err != nil {
		t.Fatal(err)
	}
	key := res.Explain.Key
	if key == nil || key.Source != "DID document" || key.Controller != ls.did() || key.VerificationMethod != ls.did()+"#key-1" ||
		!strings.HasSuffix(key.DocumentURL, wellKnownPath) || key.Relationship != "assertionMethod" || !key.Bound {
		t.Errorf("key %+v", key)
	}
}

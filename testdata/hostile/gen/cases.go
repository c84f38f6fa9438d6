package gen

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strconv"
	"strings"

	"github.com/mr-tron/base58"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/vcjwt"
)

// Check names (verifier.Check*).
const (
	cParse    = "parse"
	cContext  = "context"
	cProof    = "proof"
	cIssuer   = "issuer"
	cValidity = "validity"
	cStatus   = "status"
)

const forgedHTTPS = "https://forged.hostile.example/issuers/1"

// ---- item 1: forged issuer keys, Data Integrity ----

func (b *builder) dataIntegrity() {
	iss, att := IssuerKey(), AttackerKey()
	p256 := P256IssuerKey()
	valid := func(name, attack string, doc map[string]any, randomized bool, items ...int) {
		b.add(Case{Name: name, Category: "data-integrity", Items: items, Attack: attack,
			Files: []string{b.putJSON("di/"+name+".json", doc)}, Verdict: Valid,
			AtLeast: map[string]int64{"quads": 1, "proofs": 1}, Randomized: randomized})
	}
	valid("di-valid-eddsa-rdfc", "control: the genuine issuer's eddsa-rdfc-2022 credential verifies",
		b.sign(b.cred(iss.DID, "di-valid-eddsa-rdfc"), iss, "", proof.EddsaRdfc2022), false, 1)
	valid("di-valid-eddsa-jcs", "control: the genuine issuer's eddsa-jcs-2022 credential verifies",
		b.sign(b.cred(iss.DID, "di-valid-eddsa-jcs"), iss, "", proof.EddsaJcs2022), false, 1)
	valid("di-valid-ed25519signature2020", "control: the genuine issuer's Ed25519Signature2020 credential verifies",
		b.sign(b.cred(iss.DID, "di-valid-ed25519signature2020"), iss, "", proof.Ed25519Signature2020), false, 1)
	valid("di-valid-ecdsa-rdfc", "control: the genuine P-256 issuer's ecdsa-rdfc-2019 credential verifies",
		b.sign(b.cred(p256.DID, "di-valid-ecdsa-rdfc"), p256, "", proof.EcdsaRdfc2019), true, 1)
	valid("di-valid-vc11", "control: a VCDM 1.1 based credential with issuanceDate verifies",
		b.sign(vc11(b.cred(iss.DID, "di-valid-vc11")), iss, "", proof.Ed25519Signature2020), false, 3)

	frag := func(name, attack, issuer string, k Key, suite proof.Suite, randomized bool) {
		doc := b.sign(b.cred(issuer, name), k, issuer+"#"+k.Multikey, suite)
		bounds := map[string]int64{"connections": 0}
		if strings.HasPrefix(issuer, "urn:") {
			bounds["fetches"] = 0
		}
		b.add(Case{Name: name, Category: "data-integrity", Items: []int{1}, Attack: attack,
			Files: []string{b.putJSON("di/"+name+".json", doc)}, Verdict: CouldNotCheck,
			Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer}, Bounds: bounds,
			Randomized: randomized})
	}
	frag("di-fragment-key-https-issuer", "an https issuer's credential signed by the attacker as <issuer.id>#<attacker multikey>, eddsa-rdfc-2022",
		forgedHTTPS, att, proof.EddsaRdfc2022, false)
	frag("di-fragment-key-https-jcs", "the fragment-key forgery on an https issuer with eddsa-jcs-2022",
		forgedHTTPS, att, proof.EddsaJcs2022, false)
	frag("di-fragment-key-https-ed25519signature2020", "the fragment-key forgery on an https issuer with Ed25519Signature2020",
		forgedHTTPS, att, proof.Ed25519Signature2020, false)
	frag("di-fragment-key-https-origin-only", "the fragment-key forgery on an issuer id that is a bare https origin",
		"https://forged.hostile.example", att, proof.EddsaRdfc2022, false)
	frag("di-fragment-key-urn-issuer", "a urn:uuid issuer's credential signed by the attacker as <issuer.id>#<attacker multikey>",
		"urn:uuid:6a1c1f2e-1d5b-4c1a-9f0e-2b7f1c9d0e11", att, proof.EddsaRdfc2022, false)
	frag("di-fragment-key-urn-ecdsa", "the fragment-key forgery on a urn issuer with an attacker P-256 key, ecdsa-rdfc-2019",
		"urn:uuid:6a1c1f2e-1d5b-4c1a-9f0e-2b7f1c9d0e11", P256Key("attacker"), proof.EcdsaRdfc2019, true)

	wrong := b.sign(b.cred(iss.DID, "di-wrong-did-key"), att, "", proof.EddsaRdfc2022)
	b.add(Case{Name: "di-wrong-did-key", Category: "data-integrity", Items: []int{1},
		Attack: "a credential naming the issuer's did:key as issuer, signed by the attacker's own did:key",
		Files:  []string{b.putJSON("di/di-wrong-did-key.json", wrong)}, Verdict: Invalid, Check: cProof, OrCheck: cIssuer,
		NotPass: []string{cIssuer}})
	inDID := b.sign(b.cred(iss.DID, "di-did-key-foreign-fragment"), att, iss.DID+"#"+att.Multikey, proof.EddsaRdfc2022)
	b.add(Case{Name: "di-did-key-foreign-fragment", Category: "data-integrity", Items: []int{1},
		Attack: "the issuer's did:key with the attacker's multikey as the fragment: a key the DID does not encode",
		Files:  []string{b.putJSON("di/di-did-key-foreign-fragment.json", inDID)}, Verdict: Invalid,
		AcceptAlso: []string{CouldNotCheck}, Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer}})
	tampered := b.sign(b.cred(iss.DID, "di-tampered-name"), iss, "", proof.EddsaRdfc2022)
	tampered["name"] = "Doctor of Medicine"
	b.add(Case{Name: "di-tampered-name", Category: "data-integrity", Items: []int{1},
		Attack: "control: a genuine credential with its name changed after signing",
		Files:  []string{b.putJSON("di/di-tampered-name.json", tampered)}, Verdict: Invalid, Check: cProof})
}

// ---- items 1, 3, 11: JWTs ----

func (b *builder) jwts() {
	iss, att := IssuerKey(), AttackerKey()
	p256 := P256IssuerKey()
	put := func(name string, tok []byte) string { return b.put("jwt/"+name+".jwt", tok, false) }

	for _, v := range []struct {
		name, format string
		k            Key
		rnd          bool
	}{
		{"jwt-valid-vc-jwt", vcjwt.FormatVCJWT, iss, false},
		{"jwt-valid-jose", vcjwt.FormatJOSE, iss, false},
		{"jwt-valid-es256", vcjwt.FormatVCJWT, p256, true},
	} {
		b.add(Case{Name: v.name, Category: "jwt", Items: []int{1}, Attack: "control: a genuine " + v.format + " verifies",
			Files: []string{put(v.name, b.signJWT(b.cred(v.k.DID, v.name), v.k, "", v.format))}, Verdict: Valid,
			Randomized: v.rnd, AtLeast: map[string]int64{"proofs": 1}})
	}

	jexp := b.cred(iss.DID, "jwt-expired-control")
	jexp["validUntil"] = pastUntil
	b.add(Case{Name: "jwt-expired-control", Category: "jwt", Items: []int{3},
		Attack:  "control: a VC-JWT whose validUntil and exp have passed",
		Files:   []string{put("jwt-expired-control", b.signJWT(jexp, iss, "", vcjwt.FormatVCJWT))},
		Verdict: Invalid, Check: cValidity, NotPass: []string{cValidity}})

	kidFrag := func(name, attack, issuer, format string) {
		tok := b.signJWT(b.cred(issuer, name), att, issuer+"#"+att.Multikey, format)
		b.add(Case{Name: name, Category: "jwt", Items: []int{1}, Attack: attack, Files: []string{put(name, tok)},
			Verdict: CouldNotCheck, Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer},
			Bounds: map[string]int64{"connections": 0}})
	}
	kidFrag("jwt-kid-fragment-https", "a VC-JWT for an https issuer whose kid is <issuer.id>#<attacker multikey>", forgedHTTPS, vcjwt.FormatVCJWT)
	kidFrag("jwt-kid-fragment-urn", "a VC-JWT for a urn issuer whose kid is <issuer.id>#<attacker multikey>",
		"urn:uuid:6a1c1f2e-1d5b-4c1a-9f0e-2b7f1c9d0e11", vcjwt.FormatVCJWT)
	kidFrag("jwt-jose-kid-fragment-https", "a vc+jwt for an https issuer whose kid is <issuer.id>#<attacker multikey>", forgedHTTPS, vcjwt.FormatJOSE)

	attJWK, err := keys.PublicJWK(att.Pub)
	b.fail(err)
	payload := func(cred map[string]any) map[string]any {
		p := Clone(cred)
		p["iss"] = issuerOf(cred)
		p["jti"] = cred["id"]
		p["sub"] = cred["credentialSubject"].(map[string]any)["id"]
		p["nbf"] = 1793491200 // 2026-11-01
		p["iat"] = 1793491200
		return p
	}
	mustJSON := func(v any) string {
		out, err := json.Marshal(v)
		b.fail(err)
		return string(out)
	}
	hdrJWK := `{"alg":"EdDSA","typ":"JWT","jwk":` + string(attJWK) + `}`
	b.add(Case{Name: "jwt-header-jwk-only", Category: "jwt", Items: []int{1},
		Attack:  "a VC-JWT for an https issuer with no kid, only the attacker's key as the header jwk",
		Files:   []string{put("jwt-header-jwk-only", rawJWT(hdrJWK, mustJSON(payload(b.cred(forgedHTTPS, "jwt-header-jwk-only"))), att))},
		Verdict: CouldNotCheck, Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer},
		Bounds: map[string]int64{"connections": 0}})
	hdrBoth := `{"alg":"EdDSA","typ":"JWT","kid":"` + forgedHTTPS + "#" + att.Multikey + `","jwk":` + string(attJWK) + `}`
	b.add(Case{Name: "jwt-header-jwk-and-fragment-kid", Category: "jwt", Items: []int{1},
		Attack:  "a VC-JWT whose header jwk and fragment kid both name the attacker's key",
		Files:   []string{put("jwt-header-jwk-and-fragment-kid", rawJWT(hdrBoth, mustJSON(payload(b.cred(forgedHTTPS, "jwt-header-jwk-and-fragment-kid"))), att))},
		Verdict: CouldNotCheck, Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer},
		Bounds: map[string]int64{"connections": 0}})
	hdrSwap := `{"alg":"EdDSA","typ":"JWT","kid":"` + iss.VM + `","jwk":` + string(attJWK) + `}`
	b.add(Case{Name: "jwt-header-jwk-not-issuer-key", Category: "jwt", Items: []int{1},
		Attack:  "a VC-JWT naming the issuer's did:key as kid but signed by the attacker key carried as the header jwk",
		Files:   []string{put("jwt-header-jwk-not-issuer-key", rawJWT(hdrSwap, mustJSON(payload(b.cred(iss.DID, "jwt-header-jwk-not-issuer-key"))), att))},
		Verdict: Invalid, Check: cProof, NotPass: []string{cProof}})

	// Duplicate members: the issuer's own key signs text a lenient parser
	// reads one way and a strict one another.
	hdr := `{"alg":"EdDSA","typ":"JWT","kid":"` + iss.VM + `"}`
	dupPayload := mustJSON(payload(b.cred(iss.DID, "jwt-duplicate-payload-member")))
	dupPayload = strings.TrimSuffix(dupPayload, "}") + `,"name":"Doctor of Medicine"}`
	b.add(Case{Name: "jwt-duplicate-payload-member", Category: "jwt", Items: []int{11},
		Attack:  "a VC-JWT payload with name given twice (last wins in a lenient parser)",
		Files:   []string{put("jwt-duplicate-payload-member", rawJWT(hdr, dupPayload, iss))},
		Verdict: Invalid, Check: cParse})
	expired := b.cred(iss.DID, "jwt-duplicate-validuntil")
	expired["validUntil"] = pastUntil
	p := payload(expired)
	p["exp"] = 1794268800 // 2026-11-10
	dupUntil := strings.TrimSuffix(mustJSON(p), "}") + `,"validUntil":"` + farUntil + `"}`
	b.add(Case{Name: "jwt-duplicate-validuntil", Category: "jwt", Items: []int{11, 2},
		Attack:  "an expired VC-JWT whose payload repeats validUntil with a far-future date",
		Files:   []string{put("jwt-duplicate-validuntil", rawJWT(hdr, dupUntil, iss))},
		Verdict: Invalid, Check: cParse})
	dupHdr := `{"alg":"EdDSA","typ":"JWT","kid":"` + iss.VM + `","kid":"` + forgedHTTPS + "#" + att.Multikey + `"}`
	b.add(Case{Name: "jwt-duplicate-header-member", Category: "jwt", Items: []int{11},
		Attack:  "a JWT header with kid given twice",
		Files:   []string{put("jwt-duplicate-header-member", rawJWT(dupHdr, mustJSON(payload(b.cred(iss.DID, "jwt-duplicate-header-member"))), iss))},
		Verdict: Invalid, Check: cParse})
	nested := payload(b.cred(iss.DID, "jwt-duplicate-nested-member"))
	nestedText := strings.Replace(mustJSON(nested), `"achievementType":"MicroCredential"`, `"achievementType":"MicroCredential","achievementType":"Doctorate"`, 1)
	b.add(Case{Name: "jwt-duplicate-nested-member", Category: "jwt", Items: []int{11},
		Attack:  "a VC-JWT whose achievement repeats achievementType",
		Files:   []string{put("jwt-duplicate-nested-member", rawJWT(hdr, nestedText, iss))},
		Verdict: Invalid, Check: cParse})

	// Validity claims (item 3).
	notYet := payload(b.cred(iss.DID, "jwt-nbf-future"))
	notYet["nbf"] = 1796083200 // 2026-12-01
	b.add(Case{Name: "jwt-nbf-future", Category: "jwt", Items: []int{3},
		Attack:  "a VC-JWT whose nbf is in the future while validFrom is past",
		Files:   []string{put("jwt-nbf-future", rawJWT(hdr, mustJSON(notYet), iss))},
		Verdict: Invalid, Check: cValidity, OrCheck: cProof})
	joseHdr := `{"alg":"EdDSA","typ":"vc+jwt","cty":"vc","kid":"` + iss.VM + `"}`
	jose := b.cred(iss.DID, "jwt-jose-exp-past")
	jose["exp"] = 1794268800
	b.add(Case{Name: "jwt-jose-exp-past", Category: "jwt", Items: []int{3},
		Attack:  "a vc+jwt with no validUntil whose exp claim is in the past",
		Files:   []string{put("jwt-jose-exp-past", rawJWT(joseHdr, mustJSON(jose), iss))},
		Verdict: Invalid, Check: cValidity, OrCheck: cProof})
	v11 := vc11(b.cred(iss.DID, "jwt-vc11-exp-past"))
	v11Payload := map[string]any{"iss": iss.DID, "jti": v11["id"], "nbf": 1793491200, "exp": 1794268800, "vc": v11}
	b.add(Case{Name: "jwt-vc11-exp-past", Category: "jwt", Items: []int{3},
		Attack:  "a VCDM 1.1 JWT (vc claim) whose exp is in the past",
		Files:   []string{put("jwt-vc11-exp-past", rawJWT(hdr, mustJSON(v11Payload), iss))},
		Verdict: Invalid, Check: cValidity})
	v11u := vc11(b.cred(iss.DID, "jwt-vc11-validuntil-past"))
	v11u["validUntil"] = pastUntil
	v11uPayload := map[string]any{"iss": iss.DID, "jti": v11u["id"], "nbf": 1793491200, "vc": v11u}
	b.add(Case{Name: "jwt-vc11-validuntil-past", Category: "jwt", Items: []int{3},
		Attack:  "a VCDM 1.1 JWT whose signed credential has a past validUntil and no expirationDate or exp",
		Files:   []string{put("jwt-vc11-validuntil-past", rawJWT(hdr, mustJSON(v11uPayload), iss))},
		Verdict: Invalid, Check: cValidity})
	hidden := b.cred(iss.DID, "jwt-fulliri-validuntil-expired")
	hidden["validUntil"] = pastUntil
	hidden = b.rewritten(hidden, Step{Key: "validUntil", Op: OpFullIRI})
	b.add(Case{Name: "jwt-fulliri-validuntil-expired", Category: "jwt", Items: []int{2},
		Attack:  "an expired VC-JWT whose signed payload writes validUntil as a full IRI value object (so no exp claim)",
		Files:   []string{put("jwt-fulliri-validuntil-expired", b.signJWT(hidden, iss, "", vcjwt.FormatVCJWT))},
		Verdict: Invalid, Check: cValidity, Reason: "expired"})
}

func issuerOf(cred map[string]any) string {
	switch t := cred["issuer"].(type) {
	case string:
		return t
	case map[string]any:
		s, _ := t["id"].(string)
		return s
	}
	return ""
}

// ---- status lists ----

// encoded returns an encodedList with the given bits set.
func (b *builder) encoded(set ...int) string {
	l, err := status.New(status.MinEntries, 1)
	if err != nil {
		b.fail(err)
		return ""
	}
	for _, i := range set {
		b.fail(l.Set(i, 1))
	}
	enc, err := l.Encode()
	b.fail(err)
	return enc
}

// zeros is an encodedList inflating to n zero bytes.
func zeros(n int) string {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		w := min(n, len(chunk))
		_, _ = zw.Write(chunk[:w])
		n -= w
	}
	_ = zw.Close()
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// list is a BitstringStatusListCredential at url, signed by k.
func (b *builder) list(k Key, url, purpose, encoded string, edit func(map[string]any)) map[string]any {
	d := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2"},
		"id":        url,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    k.DID,
		"validFrom": validFrom,
		"credentialSubject": map[string]any{
			"id":            url + "#list",
			"type":          "BitstringStatusList",
			"statusPurpose": purpose,
			"encodedList":   encoded,
		},
	}
	if edit != nil {
		edit(d)
	}
	return b.sign(d, k, "", proof.EddsaRdfc2022)
}

func entry(url, purpose string, index int) map[string]any {
	return map[string]any{
		"id":                   url + "#" + strconv.Itoa(index),
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        purpose,
		"statusListIndex":      strconv.Itoa(index),
		"statusListCredential": url,
	}
}

// withStatus is the issuer's credential name carrying entries (one object
// for one entry).
func (b *builder) withStatus(name string, entries ...map[string]any) map[string]any {
	d := b.cred(IssuerKey().DID, name)
	if len(entries) == 1 {
		d["credentialStatus"] = entries[0]
	} else {
		list := make([]any, len(entries))
		for i, e := range entries {
			list[i] = e
		}
		d["credentialStatus"] = list
	}
	return d
}

// ---- item 2: JSON-LD rewrites ----

func (b *builder) rewrites() {
	iss := IssuerKey()
	p256 := P256IssuerKey()
	rw := func(name, attack string, signed map[string]any, verdict, check, reason, statusDir string, randomized bool, steps ...Step) {
		doc := b.rewritten(signed, steps...)
		c := Case{Name: name, Category: "jsonld-rewrite", Items: []int{2}, Attack: attack,
			Files: []string{b.putJSON("rewrite/"+name+".json", doc)}, Verdict: verdict, Check: check, Reason: reason,
			StatusDir: statusDir, Randomized: randomized}
		// A date as an array or a value object at its own term may be refused
		// as malformed before any check reads it: invalid either way.
		if len(steps) > 0 && (steps[0].Op == OpArray || steps[0].Op == OpValueObject) && steps[0].Target == "" &&
			slices.Contains(dateTerms, steps[0].Key) {
			c.OrCheck = cParse
			c.Reason = ""
		}
		if len(steps) > 0 {
		}
		if check == cValidity || check == cStatus {
			c.NotPass = []string{check}
		}
		b.add(c)
	}
	expired := func(name string, suite proof.Suite) map[string]any {
		d := b.cred(iss.DID, name)
		d["validUntil"] = pastUntil
		return b.sign(d, iss, "", suite)
	}
	rw("rewrite-control-expired", "control: an expired credential with validUntil written plainly",
		expired("rewrite-control-expired", proof.EddsaRdfc2022), Invalid, cValidity, "expired", "", false)
	for _, v := range []struct {
		name, attack string
		steps        []Step
	}{
		{"rewrite-validuntil-full-iri", "an expired credential with validUntil written as its full IRI with @value/@type", []Step{{Key: "validUntil", Op: OpFullIRI}}},
		{"rewrite-validuntil-value-object", "an expired credential with validUntil written as a value object under its term", []Step{{Key: "validUntil", Op: OpValueObject}}},
		{"rewrite-validuntil-nest", "an expired credential with validUntil moved under @nest", []Step{{Key: "validUntil", Op: OpNest}}},
		{"rewrite-validuntil-nest-array", "an expired credential with validUntil moved under @nest given as an array", []Step{{Key: "validUntil", Op: OpNestArray}}},
		{"rewrite-validuntil-array", "an expired credential with validUntil given as a one-element array", []Step{{Key: "validUntil", Op: OpArray}}},
		{"rewrite-type-keyword-expired", "an expired credential with type written as @type (an alias)", []Step{{Key: "type", Op: OpKeyword}}},
		{"rewrite-id-keyword-expired", "an expired credential with id written as @id (an alias)", []Step{{Key: "id", Op: OpKeyword}}},
		{"rewrite-issuer-full-iri-expired", "an expired credential with issuer written as its full IRI", []Step{{Key: "issuer", Op: OpFullIRI}}},
		{"rewrite-validuntil-value-object-nest", "an expired credential with validUntil as a value object, then under @nest", []Step{{Key: "validUntil", Op: OpValueObject}, {Key: "validUntil", Op: OpNest}}},
	} {
		rw(v.name, v.attack, expired(v.name, proof.EddsaRdfc2022), Invalid, cValidity, "expired", "", false, v.steps...)
	}
	rw("rewrite-ed25519signature2020-validuntil-full-iri", "an expired Ed25519Signature2020 credential with validUntil as a full IRI",
		expired("rewrite-ed25519signature2020-validuntil-full-iri", proof.Ed25519Signature2020), Invalid, cValidity, "expired", "", false,
		Step{Key: "validUntil", Op: OpFullIRI})
	ec := b.cred(p256.DID, "rewrite-ecdsa-validuntil-nest")
	ec["validUntil"] = pastUntil
	rw("rewrite-ecdsa-validuntil-nest", "an expired ecdsa-rdfc-2019 credential with validUntil under @nest",
		b.sign(ec, p256, "", proof.EcdsaRdfc2019), Invalid, cValidity, "expired", "", true, Step{Key: "validUntil", Op: OpNest})

	future := func(name string) map[string]any {
		d := b.cred(iss.DID, name)
		d["validFrom"] = futureFrom
		return b.sign(d, iss, "", proof.EddsaRdfc2022)
	}
	rw("rewrite-validfrom-future-full-iri", "a not-yet-valid credential with validFrom as a full IRI value object",
		future("rewrite-validfrom-future-full-iri"), Invalid, cValidity, "not yet valid", "", false, Step{Key: "validFrom", Op: OpFullIRI})
	rw("rewrite-validfrom-future-nest", "a not-yet-valid credential with validFrom under @nest",
		future("rewrite-validfrom-future-nest"), Invalid, cValidity, "not yet valid", "", false, Step{Key: "validFrom", Op: OpNest})

	v11 := func(name string) map[string]any {
		d := vc11(b.cred(iss.DID, name))
		d["expirationDate"] = pastUntil
		return b.sign(d, iss, "", proof.Ed25519Signature2020)
	}
	rw("rewrite-vc11-control-expired", "control: an expired VCDM 1.1 credential with expirationDate written plainly",
		v11("rewrite-vc11-control-expired"), Invalid, cValidity, "expired", "", false)
	rw("rewrite-vc11-expirationdate-full-iri", "an expired VCDM 1.1 credential with expirationDate as a full IRI",
		v11("rewrite-vc11-expirationdate-full-iri"), Invalid, cValidity, "expired", "", false, Step{Key: "expirationDate", Op: OpFullIRI})
	rw("rewrite-vc11-expirationdate-nest", "an expired VCDM 1.1 credential with expirationDate under @nest",
		v11("rewrite-vc11-expirationdate-nest"), Invalid, cValidity, "expired", "", false, Step{Key: "expirationDate", Op: OpNest})
	rw("rewrite-vc11-expirationdate-value-object", "an expired VCDM 1.1 credential with expirationDate as a value object",
		v11("rewrite-vc11-expirationdate-value-object"), Invalid, cValidity, "expired", "", false, Step{Key: "expirationDate", Op: OpValueObject})

	// Revoked and suspended credentials whose credentialStatus is hidden.
	const dir = "status"
	revoked := func(name, purpose string, suite proof.Suite) map[string]any {
		u := listURL(name, "list")
		b.putJSON(statusFile(dir, u), b.list(iss, u, purpose, b.encoded(7), nil))
		return b.sign(b.withStatus(name, entry(u, purpose, 7)), iss, "", suite)
	}
	rw("rewrite-control-revoked", "control: a revoked credential with credentialStatus written plainly",
		revoked("rewrite-control-revoked", "revocation", proof.EddsaRdfc2022), Invalid, cStatus, "", dir, false)
	for _, v := range []struct {
		name, purpose, attack string
		step                  Step
	}{
		{"rewrite-status-full-iri-revoked", "revocation", "a revoked credential with credentialStatus written as its full IRI", Step{Key: "credentialStatus", Op: OpFullIRI}},
		{"rewrite-status-nest-revoked", "revocation", "a revoked credential with credentialStatus under @nest", Step{Key: "credentialStatus", Op: OpNest}},
		{"rewrite-status-nest-array-revoked", "revocation", "a revoked credential with credentialStatus under @nest given as an array", Step{Key: "credentialStatus", Op: OpNestArray}},
		{"rewrite-status-array-revoked", "revocation", "a revoked credential with credentialStatus given as a one-element array", Step{Key: "credentialStatus", Op: OpArray}},
		{"rewrite-status-full-iri-suspended", "suspension", "a suspended credential with credentialStatus written as its full IRI", Step{Key: "credentialStatus", Op: OpFullIRI}},
		{"rewrite-status-entry-type-keyword-revoked", "revocation", "a revoked credential whose status entry writes type as @type", Step{Target: "credentialStatus", Key: "type", Op: OpKeyword}},
	} {
		rw(v.name, v.attack, revoked(v.name, v.purpose, proof.EddsaRdfc2022), Invalid, cStatus, "", dir, false, v.step)
	}

	// eddsa-jcs-2022 signs the JSON itself: the issuer's own software wrote
	// the hidden form, and the graph read with the proof's @context still
	// carries the date and the status.
	jcsExp := b.cred(iss.DID, "rewrite-jcs-signed-full-iri-expired")
	jcsExp["validUntil"] = pastUntil
	jcsExp = b.rewritten(jcsExp, Step{Key: "validUntil", Op: OpFullIRI})
	b.add(Case{Name: "rewrite-jcs-signed-full-iri-expired", Category: "jsonld-rewrite", Items: []int{2},
		Attack:  "an expired eddsa-jcs-2022 credential whose signed JSON writes validUntil as a full IRI",
		Files:   []string{b.putJSON("rewrite/rewrite-jcs-signed-full-iri-expired.json", b.sign(jcsExp, iss, "", proof.EddsaJcs2022))},
		Verdict: Invalid, Check: cValidity, Reason: "expired", NotPass: []string{cValidity}})
	u := listURL("rewrite-jcs-signed-nest-revoked", "list")
	b.putJSON(statusFile(dir, u), b.list(iss, u, "revocation", b.encoded(7), nil))
	jcsRev := b.rewritten(b.withStatus("rewrite-jcs-signed-nest-revoked", entry(u, "revocation", 7)), Step{Key: "credentialStatus", Op: OpNest})
	b.add(Case{Name: "rewrite-jcs-signed-nest-revoked", Category: "jsonld-rewrite", Items: []int{2},
		Attack:  "a revoked eddsa-jcs-2022 credential whose signed JSON puts credentialStatus under @nest",
		Files:   []string{b.putJSON("rewrite/rewrite-jcs-signed-nest-revoked.json", b.sign(jcsRev, iss, "", proof.EddsaJcs2022))},
		Verdict: Invalid, Check: cStatus, NotPass: []string{cStatus}, StatusDir: dir})

	both := b.cred(iss.DID, "rewrite-expired-and-revoked-hidden")
	both["validUntil"] = pastUntil
	u = listURL("rewrite-expired-and-revoked-hidden", "list")
	b.putJSON(statusFile(dir, u), b.list(iss, u, "revocation", b.encoded(7), nil))
	both["credentialStatus"] = entry(u, "revocation", 7)
	rw("rewrite-expired-and-revoked-hidden", "an expired and revoked credential with validUntil as a full IRI and credentialStatus under @nest",
		b.sign(both, iss, "", proof.EddsaRdfc2022), Invalid, cValidity, "expired", dir, false,
		Step{Key: "validUntil", Op: OpFullIRI}, Step{Key: "credentialStatus", Op: OpNest})

	// Stale status lists whose validUntil is hidden the same way.
	stale := func(name, attack string, steps ...Step) {
		u := listURL(name, "list")
		l := b.list(iss, u, "revocation", b.encoded(), func(d map[string]any) { d["validUntil"] = pastUntil })
		l = b.rewritten(l, steps...)
		b.putJSON(statusFile(dir, u), l)
		c := Case{Name: name, Category: "status-list", Items: []int{2}, Attack: attack,
			Files:   []string{b.putJSON("rewrite/"+name+".json", b.sign(b.withStatus(name, entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))},
			Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus}, StatusDir: dir}
		if len(steps) > 0 {
		}
		b.add(c)
	}
	stale("rewrite-statuslist-control-stale", "control: a status list whose plainly written validUntil has passed")
	stale("rewrite-statuslist-validuntil-full-iri", "a stale status list whose validUntil is written as a full IRI value object",
		Step{Key: "validUntil", Op: OpFullIRI})
	stale("rewrite-statuslist-validuntil-nest", "a stale status list whose validUntil is under @nest", Step{Key: "validUntil", Op: OpNest})
	stale("rewrite-statuslist-validuntil-value-object", "a stale status list whose validUntil is a value object", Step{Key: "validUntil", Op: OpValueObject})

	// A revoked bit hidden inside the list: the list's subject written as a
	// full IRI.
	u = listURL("rewrite-statuslist-subject-full-iri", "list")
	l := b.rewritten(b.list(iss, u, "revocation", b.encoded(7), nil), Step{Key: "credentialSubject", Op: OpFullIRI})
	b.putJSON(statusFile(dir, u), l)
	b.add(Case{Name: "rewrite-statuslist-subject-full-iri", Category: "status-list", Items: []int{2},
		Attack:  "a revoked credential whose status list writes credentialSubject as a full IRI",
		Files:   []string{b.putJSON("rewrite/rewrite-statuslist-subject-full-iri.json", b.sign(b.withStatus("rewrite-statuslist-subject-full-iri", entry(u, "revocation", 7)), iss, "", proof.EddsaRdfc2022))},
		Verdict: Invalid, Check: cStatus, NotPass: []string{cStatus}, StatusDir: dir})
}

// ---- item 3: validity bounds ----

func (b *builder) validity() {
	iss := IssuerKey()
	add := func(name, attack string, edit func(map[string]any), verdict, check string) {
		d := vc11(b.cred(iss.DID, name))
		edit(d)
		c := Case{Name: name, Category: "data-integrity", Items: []int{3}, Attack: attack,
			Files:   []string{b.putJSON("validity/"+name+".json", b.sign(d, iss, "", proof.Ed25519Signature2020))},
			Verdict: verdict, Check: check}
		if check != "" {
			c.NotPass = []string{check}
		}
		b.add(c)
	}
	add("vc11-signed-validuntil-past", "a VCDM 1.1 credential with a signed validUntil in the past and no expirationDate",
		func(d map[string]any) { d["validUntil"] = pastUntil }, Invalid, cValidity)
	add("vc11-signed-validfrom-future", "a VCDM 1.1 credential with a past issuanceDate and a signed validFrom in the future",
		func(d map[string]any) { d["validFrom"] = futureFrom }, Invalid, cValidity)
	add("vc11-expirationdate-past-validuntil-future", "a VCDM 1.1 credential whose expirationDate has passed but validUntil has not",
		func(d map[string]any) { d["expirationDate"] = pastUntil; d["validUntil"] = farUntil }, Invalid, cValidity)
	add("vc11-validuntil-past-expirationdate-future", "a VCDM 1.1 credential whose validUntil has passed but expirationDate has not",
		func(d map[string]any) { d["expirationDate"] = farUntil; d["validUntil"] = pastUntil }, Invalid, cValidity)
	add("vc11-issuancedate-future", "a VCDM 1.1 credential issued in the future",
		func(d map[string]any) { d["issuanceDate"] = futureFrom }, Invalid, cValidity)
	fut := b.cred(iss.DID, "vc2-validfrom-future")
	fut["validFrom"] = futureFrom
	b.add(Case{Name: "vc2-validfrom-future", Category: "data-integrity", Items: []int{3},
		Attack:  "control: a VC 2.0 credential whose validFrom is in the future",
		Files:   []string{b.putJSON("validity/vc2-validfrom-future.json", b.sign(fut, iss, "", proof.EddsaRdfc2022))},
		Verdict: Invalid, Check: cValidity, Reason: "not yet valid", NotPass: []string{cValidity}})
	add("vc11-all-bounds-inside", "control: a VCDM 1.1 credential inside every bound it gives",
		func(d map[string]any) {
			d["validFrom"] = validFrom
			d["validUntil"] = farUntil
			d["expirationDate"] = farUntil
		}, Valid, "")
}

// ---- item 4: CPU ----

// bogusProof is a well-formed eddsa-rdfc-2022 proof whose signature is
// garbage, so the verifier must canonicalize the document to reject it.
func bogusProof(k Key) map[string]any {
	return map[string]any{
		"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2026-11-01T00:00:00Z",
		"verificationMethod": k.VM, "proofPurpose": "assertionMethod",
		"proofValue": "z" + base58.Encode(bytes.Repeat([]byte{0x5a}, 64)),
	}
}

func (b *builder) resources() {
	iss := IssuerKey()
	big := func(name, attack string, edit func(map[string]any), large bool) {
		d := b.cred(iss.DID, name)
		edit(d)
		d["proof"] = []any{bogusProof(iss)}
		data, err := json.Marshal(d)
		b.fail(err)
		b.add(Case{Name: name, Category: "resource", Items: []int{4}, Attack: attack,
			Files:   []string{b.put("resource/"+name+".json", append(data, '\n'), large)},
			Verdict: CouldNotCheck, AcceptAlso: []string{Invalid}, Check: cProof, Large: large,
			NotPass: []string{cProof}, Bounds: oneDocument()})
	}
	tags := func(n, width int) func(map[string]any) {
		return func(d map[string]any) {
			list := make([]any, n)
			for i := range list {
				list[i] = fmt.Sprintf("%0*x", width, i)
			}
			d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["tag"] = list
		}
	}
	big("cpu-20000-tags", "an unsigned-in-effect 20,000-value tag credential (garbage proofValue) that canonicalization de-duplicated pairwise",
		tags(20000, 5), false)
	big("cpu-1mib-tags", "a credential just under 1 MiB with 125,000 distinct tag values", tags(125000, 5), true)
	big("cpu-6000-values-one-property", "6,000 values of one property, over the default values-per-property bound", tags(6000, 4), false)
	big("cpu-many-quads", "8,000 result objects: over 20,000 RDF statements", func(d map[string]any) {
		list := make([]any, 8000)
		for i := range list {
			list[i] = map[string]any{"type": []any{"Result"}, "value": strconv.Itoa(i)}
		}
		d["credentialSubject"].(map[string]any)["result"] = list
	}, false)
	big("cpu-quads-over-limit", "4,000 results and 2,000 alignments, no property over its value bound: over 20,000 RDF statements in all", func(d map[string]any) {
		results := make([]any, 4000)
		for i := range results {
			results[i] = map[string]any{"type": []any{"Result"}, "value": strconv.Itoa(i)}
		}
		aligns := make([]any, 2000)
		for i := range aligns {
			aligns[i] = map[string]any{"type": []any{"Alignment"}, "targetName": "t" + strconv.Itoa(i),
				"targetUrl": "https://example.org/t/" + strconv.Itoa(i), "targetType": "CFItem", "targetCode": strconv.Itoa(i)}
		}
		sub := d["credentialSubject"].(map[string]any)
		sub["result"] = results
		sub["achievement"].(map[string]any)["alignment"] = aligns
	}, false)
	big("cpu-blank-node-clique", "a clique of 12 indistinguishable blank nodes, the RDFC-1.0 n-degree hashing worst case", func(d map[string]any) {
		const n = 12
		nodes := make([]any, n)
		for i := range nodes {
			links := make([]any, 0, n-1)
			for j := 0; j < n; j++ {
				if j != i {
					links = append(links, map[string]any{"@id": fmt.Sprintf("_:b%d", j)})
				}
			}
			nodes[i] = map[string]any{"@id": fmt.Sprintf("_:b%d", i), "https://example.org/vocab#knows": links}
		}
		d["credentialSubject"].(map[string]any)["https://example.org/vocab#group"] = nodes
	}, false)
	big("cpu-identical-blank-nodes", "2,000 identical result objects without ids: 2,000 blank nodes with one hash", func(d map[string]any) {
		list := make([]any, 2000)
		for i := range list {
			list[i] = map[string]any{"type": []any{"Result"}, "value": "A"}
		}
		d["credentialSubject"].(map[string]any)["result"] = list
	}, false)

	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	d := b.cred(iss.DID, "cpu-deep-nesting")
	d["proof"] = []any{bogusProof(iss)}
	data, err := json.Marshal(d)
	b.fail(err)
	data = append(bytes.TrimSuffix(data, []byte("}")), []byte(`,"https://example.org/vocab#deep":`+deep+"}\n")...)
	b.add(Case{Name: "cpu-deep-nesting", Category: "resource", Items: []int{4},
		Attack:  "a credential nesting arrays 20,000 deep",
		Files:   []string{b.put("resource/cpu-deep-nesting.json", data, false)},
		Verdict: Invalid, AcceptAlso: []string{CouldNotCheck}, Check: cParse, OrCheck: cProof})
}

// otherListIssuers are status lists signed by someone other than the
// credential's issuer (issue #11 Found 2): such a list is believed only
// when the operator trusts its issuer for the credential's; otherwise it
// can revoke but never vouch, and a list that claims the issuer's name
// without the issuer's key is refused.
func (b *builder) otherListIssuers(dir string) {
	iss, att, host := IssuerKey(), AttackerKey(), ListHostKey()
	hostTrusted := map[string][]string{iss.DID: {host.DID}}
	one := func(name, attack string, signer Key, set []int, trust map[string][]string, verdict, reason string) {
		u := listURL(name, "list")
		b.putJSON(statusFile(dir, u), b.list(signer, u, "revocation", b.encoded(set...), nil))
		c := Case{Name: name, Category: "status-list", Items: []int{7}, Attack: attack,
			Files:   []string{b.putJSON("status-cases/"+name+".json", b.sign(b.withStatus(name, entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))},
			Verdict: verdict, Reason: reason, StatusDir: dir, StatusListTrust: trust, AtLeast: map[string]int64{"fetches": 1, "statusEntries": 1}}
		if verdict != Valid {
			c.Check, c.NotPass = cStatus, []string{cStatus}
		}
		b.add(c)
	}
	one("status-other-issuer-clear", "a list from another issuer, not trusted for the credential's, says the credential is not revoked",
		host, []int{7}, nil, CouldNotCheck, "status list issuer not trusted: signed by "+host.DID)
	one("status-other-issuer-revoked", "a list from another issuer, not trusted for the credential's, has the credential's bit set",
		host, []int{3}, nil, Invalid, "revoked according to a status list signed by "+host.DID)
	one("status-trusted-host-valid", "control: the list host is trusted for the issuer and its bit is clear",
		host, []int{7}, hostTrusted, Valid, "")
	one("status-trusted-host-revoked", "control: the list host is trusted for the issuer and its bit is set",
		host, []int{3}, hostTrusted, Invalid, "revoked (list")
	one("status-forged-clear-trusted-host", "the operator trusts a list host for the issuer; the list at the URL is the attacker's, bit clear",
		att, nil, hostTrusted, CouldNotCheck, "status list issuer not trusted: signed by "+att.DID)

	// The attacker's list names the issuer as its issuer: its key is not
	// the issuer's, so the list is nobody's statement, as any list whose
	// proof fails: the status is unknown, never "not revoked".
	name := "status-forged-list-claims-issuer"
	u := listURL(name, "list")
	forged := b.list(att, u, "revocation", b.encoded(), func(d map[string]any) { d["issuer"] = iss.DID })
	b.putJSON(statusFile(dir, u), forged)
	b.add(Case{Name: name, Category: "status-list", Items: []int{7},
		Attack:  "a revoked credential whose list at the right URL is a clear list naming the issuer but signed with the attacker's key",
		Files:   []string{b.putJSON("status-cases/"+name+".json", b.sign(b.withStatus(name, entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))},
		Verdict: CouldNotCheck, Check: cStatus, Reason: "signing key not accepted", NotPass: []string{cStatus}, StatusDir: dir,
		StatusListTrust: hostTrusted})

	// Two entries: the issuer's list has the bit set, the attacker's a
	// clear one. A clear bit from an untrusted list never outweighs a set
	// one.
	name = "status-forged-clear-beside-revoked"
	own, other := listURL(name, "issuer"), listURL(name, "attacker")
	b.putJSON(statusFile(dir, own), b.list(iss, own, "revocation", b.encoded(3), nil))
	b.putJSON(statusFile(dir, other), b.list(att, other, "revocation", b.encoded(), nil))
	b.add(Case{Name: name, Category: "status-list", Items: []int{7},
		Attack: "a credential revoked in its issuer's list that also names a clear list signed by the attacker",
		Files: []string{b.putJSON("status-cases/"+name+".json", b.sign(b.withStatus(name, entry(other, "revocation", 3), entry(own, "revocation", 3)),
			iss, "", proof.EddsaRdfc2022))},
		Verdict: Invalid, Check: cStatus, Reason: "revoked (list " + own, NotPass: []string{cStatus}, StatusDir: dir})
}

// ---- items 5, 6, 7: status lists ----

func (b *builder) statusLists() {
	iss, att := IssuerKey(), AttackerKey()
	const dir = "status"
	simple := func(name, attack string, purpose string, set []int, index int, verdict, check string, items ...int) {
		u := listURL(name, "list")
		b.putJSON(statusFile(dir, u), b.list(iss, u, purpose, b.encoded(set...), nil))
		c := Case{Name: name, Category: "status-list", Items: items, Attack: attack,
			Files:   []string{b.putJSON("status-cases/"+name+".json", b.sign(b.withStatus(name, entry(u, purpose, index)), iss, "", proof.EddsaRdfc2022))},
			Verdict: verdict, Check: check, StatusDir: dir, AtLeast: map[string]int64{"fetches": 1, "statusEntries": 1}}
		if check != "" {
			c.NotPass = []string{check}
		}
		b.add(c)
	}
	simple("status-valid-control", "control: a credential whose revocation bit is clear", "revocation", []int{7}, 3, Valid, "", 7)
	simple("status-revoked-control", "control: a credential whose revocation bit is set", "revocation", []int{3}, 3, Invalid, cStatus, 7)
	simple("status-suspended-control", "control: a credential whose suspension bit is set", "suspension", []int{3}, 3, Invalid, cStatus, 7)

	// The list found does not carry the entry's URL as its id.
	mismatch := func(name, attack, statusDir, file string, listID string) {
		u := listURL(name, "list")
		b.putJSON(statusDir+"/"+file, b.list(iss, listID, "revocation", b.encoded(), nil))
		b.add(Case{Name: name, Category: "status-list", Items: []int{7}, Attack: attack,
			Files:   []string{b.putJSON("status-cases/"+name+".json", b.sign(b.withStatus(name, entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))},
			Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus}, StatusDir: statusDir})
	}
	mismatch("status-list-id-mismatch", "the list at the entry's URL is another list of the issuer's (bit clear), its id naming that other URL",
		dir, strings.TrimPrefix(listURL("status-list-id-mismatch", "list"), "https://"), listURL("status-list-id-mismatch", "other"))
	mismatch("status-dir-last-segment", "the status directory holds only a file named after the URL's last segment, a list with another id",
		"status-lastseg", "list", "https://"+statusHost+"/elsewhere/list")

	u := listURL("status-list-wrong-issuer", "list")
	b.putJSON(statusFile(dir, u), b.list(att, u, "revocation", b.encoded(), nil))
	b.add(Case{Name: "status-list-wrong-issuer", Category: "status-list", Items: []int{7},
		Attack:  "a revoked credential whose list at the right URL is a clear list signed by the attacker",
		Files:   []string{b.putJSON("status-cases/status-list-wrong-issuer.json", b.sign(b.withStatus("status-list-wrong-issuer", entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))},
		Verdict: CouldNotCheck, Check: cStatus, Reason: "status list issuer not trusted", NotPass: []string{cStatus}, StatusDir: dir})
	b.otherListIssuers(dir)

	// many is a genuine, unrevoked credential with n entries, each naming its
	// own list. Within the entry bound it is valid if the lists are decoded
	// lazily, or could not be checked if a verifier that inflates them whole
	// reaches the byte bound first; over the entry bound it is never valid.
	many := func(name, attack string, n int, encoded string, large bool, verdict string, bounds map[string]int64) {
		entries := make([]map[string]any, n)
		for i := range entries {
			u := listURL(name, "list-"+strconv.Itoa(i))
			b.put(statusFile(dir+"-"+name, u), jsonIndent(b.list(iss, u, "revocation", encoded, nil)), large)
			entries[i] = entry(u, "revocation", 3)
		}
		c := Case{Name: name, Category: "resource", Items: []int{5}, Attack: attack,
			Files:   []string{b.put("status-cases/"+name+".json", jsonIndent(b.sign(b.withStatus(name, entries...), iss, "", proof.EddsaRdfc2022)), large)},
			Verdict: verdict, StatusDir: dir + "-" + name, Large: large, Bounds: bounds}
		switch verdict {
		case CouldNotCheck:
			c.Check, c.AcceptAlso, c.NotPass = cStatus, []string{Invalid}, []string{cStatus}
		case Valid:
			c.Check = cStatus // carries the verdict if a verifier refuses at the byte bound
			c.AcceptAlso = []string{CouldNotCheck}
		}
		b.add(c)
	}
	const mib16 = 16 << 20
	z16 := zeros(mib16)
	// Every list is its own document: its proof counts beside the
	// credential's.
	perList := func(n int) map[string]int64 {
		return map[string]int64{"proofs": int64(1 + n), "fetches": int64(n)}
	}
	many("status-256-lists-16mib", "a credential with 256 status entries, each naming its own signed list that inflates to 16 MiB",
		256, z16, true, CouldNotCheck, perList(maxStatusEntries))
	many("status-17-entries", "17 status entries, one over the default bound", 17, b.encoded(), false, CouldNotCheck,
		perList(maxStatusEntries))
	many("status-16-lists-16mib", "16 status entries (the bound) whose lists inflate to 16 MiB each: 256 MiB if inflated whole", 16, z16, true, Valid,
		perList(16))
	many("status-3-lists-16mib", "3 status entries whose lists inflate to 16 MiB each: over the 32 MiB per-verification bound if inflated whole", 3, z16, false,
		Valid, perList(3))
	many("status-2-lists-16mib", "control: 2 lists of 16 MiB each", 2, z16, false, Valid, perList(2))

	// A list that inflates to 64 MiB: read lazily up to a low index it
	// costs little (valid); an index near its end needs more than the
	// per-list cap, and is never valid.
	bomb := zeros(64 << 20)
	for _, v := range []struct {
		name, attack string
		index        int
		verdict      string
		accept       []string
	}{
		{"status-gzip-bomb", "a signed list whose encodedList inflates to 64 MiB, the entry's index at its start", 3, Valid, []string{CouldNotCheck, Invalid}},
		{"status-gzip-bomb-index-at-end", "a signed list whose encodedList inflates to 64 MiB, the entry's index at its end", 64<<23 - 1, CouldNotCheck, []string{Invalid}},
	} {
		u := listURL(v.name, "list")
		b.putJSON(statusFile(dir, u), b.list(iss, u, "revocation", bomb, nil))
		c := Case{Name: v.name, Category: "resource", Items: []int{5}, Attack: v.attack,
			Files:   []string{b.putJSON("status-cases/"+v.name+".json", b.sign(b.withStatus(v.name, entry(u, "revocation", v.index)), iss, "", proof.EddsaRdfc2022))},
			Verdict: v.verdict, AcceptAlso: v.accept, Check: cStatus, StatusDir: dir,
			Bounds: map[string]int64{"bytesInflated": mib16 + 1}}
		if v.verdict != Valid {
			c.NotPass = []string{cStatus}
		}
		b.add(c)
	}

	// A list credential that is itself revocable, its status naming a list
	// whose status names another: one budget covers the chain.
	chain := make([]string, 6)
	for i := range chain {
		chain[i] = listURL("status-list-chain", "list-"+strconv.Itoa(i))
	}
	for i := len(chain) - 1; i >= 0; i-- {
		i := i
		b.putJSON(statusFile(dir, chain[i]), b.list(iss, chain[i], "revocation", b.encoded(), func(d map[string]any) {
			if i+1 < len(chain) {
				d["credentialStatus"] = entry(chain[i+1], "revocation", 1)
			}
		}))
	}
	b.add(Case{Name: "status-list-chain", Category: "status-list", Items: []int{7},
		Attack:  "a chain of six status lists, each revocable through the next",
		Files:   []string{b.putJSON("status-cases/status-list-chain.json", b.sign(b.withStatus("status-list-chain", entry(chain[0], "revocation", 3)), iss, "", proof.EddsaRdfc2022))},
		Verdict: Valid, AcceptAlso: []string{CouldNotCheck}, StatusDir: dir, Bounds: map[string]int64{"fetches": 3}})

	// Guarded addresses: the list is never fetched.
	guard := func(name, attack, url string) {
		b.add(Case{Name: name, Category: "network", Items: []int{6, 7}, Attack: attack,
			Files:   []string{b.putJSON("status-cases/"+name+".json", b.sign(b.withStatus(name, entry(url, "revocation", 3)), iss, "", proof.EddsaRdfc2022))},
			Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus},
			Bounds: map[string]int64{"connections": 0}, Runners: []string{Library, CLI}})
	}
	guard("guard-status-private-10", "a status list at a 10/8 address", "https://10.20.30.40/lists/1")
	guard("guard-status-metadata", "a status list at the cloud metadata address 169.254.169.254", "https://169.254.169.254/latest/meta-data/list")
	guard("guard-status-ipv6-loopback", "a status list at ::1", "https://[::1]/lists/1")
	guard("guard-status-ipv4-mapped", "a status list at the IPv4-mapped loopback ::ffff:127.0.0.1", "https://[::ffff:127.0.0.1]/lists/1")
	guard("guard-status-localhost", "a status list at localhost (a name whose answer is loopback)", "https://localhost/lists/1")
}

// ---- item 8: several proofs ----

func (b *builder) proofSets() {
	iss, att, end := IssuerKey(), AttackerKey(), EndorserKey()
	set := func(name string, proofs ...map[string]any) map[string]any {
		d := b.cred(iss.DID, name)
		list := make([]any, len(proofs))
		for i, p := range proofs {
			list[i] = p
		}
		d["proof"] = list
		return d
	}
	proofOf := func(name string, k Key, vm string, when int) map[string]any {
		d := b.cred(iss.DID, name)
		signed, err := proof.Sign(bgctx(), d, k.Priv, proof.SignOptions{Suite: proof.EddsaRdfc2022, VerificationMethod: vm, Created: created.Add(timeHours(when))})
		if err != nil {
			b.fail(err)
			return nil
		}
		ps := signed["proof"]
		if l, ok := ps.([]any); ok {
			return l[0].(map[string]any)
		}
		return ps.(map[string]any)
	}
	add := func(name, attack string, doc map[string]any, verdict, check string, extra func(*Case)) {
		c := Case{Name: name, Category: "data-integrity", Items: []int{8}, Attack: attack,
			Files: []string{b.putJSON("proofs/"+name+".json", doc)}, Verdict: verdict, Check: check}
		if extra != nil {
			extra(&c)
		}
		b.add(c)
	}
	n := "proofs-third-party-first"
	add(n, "a valid third-party (endorser) proof placed before the issuer's valid proof",
		set(n, proofOf(n, end, end.VM, 1), proofOf(n, iss, iss.VM, 0)), Valid, "", nil)
	n = "proofs-issuer-first"
	add(n, "control: the issuer's valid proof before a valid third-party proof",
		set(n, proofOf(n, iss, iss.VM, 0), proofOf(n, end, end.VM, 1)), Valid, "", nil)
	n = "proofs-forged-issuer-after-third-party"
	forged := proofOf(n, att, iss.VM, 0)
	add(n, "a valid third-party proof followed by a proof naming the issuer's key but signed by the attacker",
		set(n, proofOf(n, end, end.VM, 1), forged), Invalid, cProof, func(c *Case) { c.NotPass = []string{cProof} })
	n = "proofs-only-third-party"
	add(n, "only a valid third-party proof: no proof by a key bound to the issuer",
		set(n, proofOf(n, end, end.VM, 1)), Invalid, cProof, func(c *Case) { c.OrCheck = cIssuer; c.NotPass = []string{cProof} })
	n = "proofs-third-party-and-fragment-forgery"
	urnIssuer := "urn:uuid:6a1c1f2e-1d5b-4c1a-9f0e-2b7f1c9d0e11"
	d := b.cred(urnIssuer, n)
	p1, err := proof.Sign(bgctx(), d, end.Priv, proof.SignOptions{Suite: proof.EddsaRdfc2022, VerificationMethod: end.VM, Created: created})
	b.fail(err)
	p2, err := proof.Sign(bgctx(), d, att.Priv, proof.SignOptions{Suite: proof.EddsaRdfc2022, VerificationMethod: urnIssuer + "#" + att.Multikey, Created: created})
	b.fail(err)
	d["proof"] = []any{firstProof(p1), firstProof(p2)}
	add(n, "a urn issuer's credential with a valid third-party proof and a fragment-key forgery as the issuer's proof", d,
		CouldNotCheck, cProof, func(c *Case) {
			c.OrCheck = cIssuer
			c.AcceptAlso = []string{Invalid}
			c.NotPass = []string{cProof, cIssuer}
		})
	n = "proofs-nine"
	nine := make([]map[string]any, 9)
	for i := range nine {
		nine[i] = proofOf(n, end, end.VM, i+1)
	}
	nine[8] = proofOf(n, iss, iss.VM, 0)
	add(n, "nine proofs (eight third-party, the issuer's last): over the default proof bound", set(n, nine...),
		CouldNotCheck, cProof, func(c *Case) {
			c.AcceptAlso = []string{Invalid}
			c.Category = "resource"
			c.Bounds = oneDocument()
		})
}

func firstProof(d map[string]any) map[string]any {
	switch t := d["proof"].(type) {
	case []any:
		return t[0].(map[string]any)
	case map[string]any:
		return t
	}
	return nil
}

// ---- item 11: images ----

func testPNG() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(0, 0, color.NRGBA{R: 1, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

const testSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#234"/></svg>` + "\n"

// pngChunk returns the first chunk of type typ in a PNG, whole (length,
// type, data, CRC), and where it starts.
func pngChunk(img []byte, typ string) ([]byte, int) {
	off := 8
	for off+8 <= len(img) {
		n := int(img[off])<<24 | int(img[off+1])<<16 | int(img[off+2])<<8 | int(img[off+3])
		end := off + 12 + n
		if string(img[off+4:off+8]) == typ {
			return img[off:end], off
		}
		off = end
	}
	return nil, -1
}

func (b *builder) images() {
	iss := IssuerKey()
	good := func(name string) []byte {
		data, err := json.Marshal(b.sign(b.cred(iss.DID, name), iss, "", proof.EddsaRdfc2022))
		b.fail(err)
		return data
	}
	forgedCred := func(name string) []byte {
		d := b.sign(b.cred(iss.DID, name), iss, "", proof.EddsaRdfc2022)
		d["name"] = "Doctor of Medicine"
		data, err := json.Marshal(d)
		b.fail(err)
		return data
	}
	bakePNG := func(cred []byte) []byte {
		out, err := bake.PNG(testPNG(), cred)
		b.fail(err)
		return out
	}
	add := func(name, attack, file string, data []byte, verdict, check string) {
		c := Case{Name: name, Category: "image", Items: []int{11}, Attack: attack,
			Files: []string{b.put("image/"+file, data, false)}, Verdict: verdict, Check: check}
		if verdict != Valid {
		}
		b.add(c)
	}
	add("png-valid", "control: a PNG with one credential chunk", "png-valid.png", bakePNG(good("png-valid")), Valid, "")
	twoChunks := func(first, second []byte) []byte {
		a := bakePNG(first)
		chunk, _ := pngChunk(bakePNG(second), "iTXt")
		c0, at := pngChunk(a, "iTXt")
		out := append([]byte{}, a[:at+len(c0)]...)
		out = append(out, chunk...)
		return append(out, a[at+len(c0):]...)
	}
	add("png-two-chunks-valid-then-forged", "a PNG with two credential chunks: a valid credential, then a forged one",
		"png-two-chunks-valid-then-forged.png", twoChunks(good("png-two-chunks-valid-then-forged"), forgedCred("png-two-chunks-b")), Invalid, cParse)
	add("png-two-chunks-forged-then-valid", "a PNG with two credential chunks: a forged credential, then a valid one",
		"png-two-chunks-forged-then-valid.png", twoChunks(forgedCred("png-two-chunks-c"), good("png-two-chunks-forged-then-valid")), Invalid, cParse)
	add("png-two-identical-chunks", "a PNG carrying the same credential chunk twice",
		"png-two-identical-chunks.png", twoChunks(good("png-two-identical-chunks"), good("png-two-identical-chunks")), Invalid, cParse)
	tok := b.signJWT(b.cred(iss.DID, "png-two-chunks-jwt"), iss, "", vcjwt.FormatVCJWT)
	add("png-two-chunks-jwt", "a PNG with a valid VC-JWT chunk and a second, forged JSON chunk",
		"png-two-chunks-jwt.png", twoChunks(bytes.TrimSpace(tok), forgedCred("png-two-chunks-jwt-b")), Invalid, cParse)

	bakeSVG := func(cred []byte) []byte {
		out, err := bake.SVG([]byte(testSVG), cred)
		b.fail(err)
		return out
	}
	add("svg-valid", "control: an SVG with one credential element", "svg-valid.svg", bakeSVG(good("svg-valid")), Valid, "")
	twoElems := func(first, second []byte) []byte {
		a := bakeSVG(first)
		other := bakeSVG(second)
		start := bytes.Index(other, []byte("<openbadges:credential"))
		end := bytes.Index(other, []byte("</openbadges:credential>"))
		if start < 0 || end < 0 {
			b.fail(fmt.Errorf("baked svg without a credential element"))
			return a
		}
		elem := other[start : end+len("</openbadges:credential>")]
		at := bytes.LastIndex(a, []byte("</svg>"))
		out := append([]byte{}, a[:at]...)
		out = append(out, elem...)
		return append(out, a[at:]...)
	}
	add("svg-two-elements-valid-then-forged", "an SVG with two credential elements: a valid credential, then a forged one",
		"svg-two-elements-valid-then-forged.svg", twoElems(good("svg-two-elements-valid-then-forged"), forgedCred("svg-two-b")), Invalid, cParse)
	add("svg-two-elements-forged-then-valid", "an SVG with two credential elements: a forged credential, then a valid one",
		"svg-two-elements-forged-then-valid.svg", twoElems(forgedCred("svg-two-c"), good("svg-two-elements-forged-then-valid")), Invalid, cParse)

	exp := b.cred(iss.DID, "png-rewritten-expired")
	exp["validUntil"] = pastUntil
	hidden := b.rewritten(b.sign(exp, iss, "", proof.EddsaRdfc2022), Step{Key: "validUntil", Op: OpNest})
	data, err := json.Marshal(hidden)
	b.fail(err)
	b.add(Case{Name: "png-rewritten-expired", Category: "image", Items: []int{2, 11},
		Attack:  "a PNG baking an expired credential whose validUntil is under @nest",
		Files:   []string{b.put("image/png-rewritten-expired.png", bakePNG(data), false)},
		Verdict: Invalid, Check: cValidity, NotPass: []string{cValidity}})
}

// ---- items 1, 6, 7: network (loopback TLS listener, injected resolver) ----

func (b *builder) network() {
	iss, att := IssuerKey(), AttackerKey()
	cidDoc := func(id string, k Key, edit func(map[string]any)) []byte {
		vm, err := did.MultikeyMethod(id, "key-1", k.Pub)
		b.fail(err)
		doc, err := did.NewDocument(id, []did.VerificationMethod{vm})
		b.fail(err)
		m := Clone(map[string]any{})
		raw, err := json.Marshal(doc)
		b.fail(err)
		b.fail(json.Unmarshal(raw, &m))
		if edit != nil {
			edit(m)
		}
		return jsonIndent(m)
	}
	netCase := func(c Case, cred map[string]any) {
		c.Category = "network"
		c.Files = append([]string{b.putJSON("network/"+c.Name+".json", cred)}, c.Files...)
		b.add(c)
	}
	issuerURL := func(p string) string { return "https://" + issuerHost + "/issuers/" + p }
	didWeb := "did:web:" + issuerHost

	// Controls: a did:web issuer and a CID (https) issuer whose documents the
	// listener serves.
	doc := b.put("network/did-web-valid.did.json", cidDoc(didWeb, iss, nil), false)
	netCase(Case{Name: "did-web-valid", Items: []int{1}, Attack: "control: a did:web issuer whose DID document lists the key",
		Verdict: Valid, Files: []string{doc}, Serve: map[string]string{"https://" + issuerHost + "/.well-known/did.json": doc},
		AtLeast: map[string]int64{"fetches": 1}},
		b.sign(b.cred(didWeb, "did-web-valid"), iss, didWeb+"#key-1", proof.EddsaRdfc2022))
	id := issuerURL("valid")
	doc = b.put("network/cid-https-valid.cid.json", cidDoc(id, iss, nil), false)
	netCase(Case{Name: "cid-https-valid", Items: []int{1}, Attack: "control: an https issuer whose controlled identifier document lists the key",
		Verdict: Valid, Files: []string{doc}, Serve: map[string]string{id: doc}, AtLeast: map[string]int64{"fetches": 1}},
		b.sign(b.cred(id, "cid-https-valid"), iss, id+"#key-1", proof.EddsaRdfc2022))

	cidBad := func(name, attack string, edit func(map[string]any), verdict string, accept []string, k Key, vmFrag string) {
		id := issuerURL(name)
		doc := b.put("network/"+name+".cid.json", cidDoc(id, iss, edit), false)
		if vmFrag == "" {
			vmFrag = "key-1"
		}
		netCase(Case{Name: name, Items: []int{1}, Attack: attack, Verdict: verdict, AcceptAlso: accept,
			Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer}, Files: []string{doc},
			Serve: map[string]string{id: doc}},
			b.sign(b.cred(id, name), k, id+"#"+vmFrag, proof.EddsaRdfc2022))
	}
	cidBad("cid-doc-id-mismatch", "the served controlled identifier document's id is another URL",
		func(m map[string]any) { m["id"] = issuerURL("elsewhere") }, CouldNotCheck, []string{Invalid}, iss, "")
	cidBad("cid-key-not-assertion", "the document lists the key only under authentication",
		func(m map[string]any) { m["authentication"] = m["assertionMethod"]; delete(m, "assertionMethod") }, Invalid, []string{CouldNotCheck}, iss, "")
	cidBad("cid-key-revoked", "the document marks the key revoked before the verification time",
		func(m map[string]any) { vmOf(m)["revoked"] = pastUntil }, Invalid, []string{CouldNotCheck}, iss, "")
	cidBad("cid-key-expired", "the document marks the key expired before the verification time",
		func(m map[string]any) { vmOf(m)["expires"] = pastUntil }, Invalid, []string{CouldNotCheck}, iss, "")
	cidBad("cid-controller-mismatch", "the method's controller is not the document id",
		func(m map[string]any) { vmOf(m)["controller"] = "https://evil.hostile.example/" }, Invalid, []string{CouldNotCheck}, iss, "")
	cidBad("cid-fragment-key-not-in-doc", "the issuer's document is served but the proof names <issuer.id>#<attacker multikey>",
		nil, CouldNotCheck, []string{Invalid}, att, att.Multikey)

	id = issuerURL("missing")
	netCase(Case{Name: "cid-https-404", Items: []int{1}, Attack: "an https issuer whose document is not found: the issuer check must not pass",
		Verdict: CouldNotCheck, Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer},
		Serve: map[string]string{id: "!404"}},
		b.sign(b.cred(id, "cid-https-404"), iss, id+"#key-1", proof.EddsaRdfc2022))
	id = issuerURL("moved")
	netCase(Case{Name: "cid-cross-origin-redirect", Items: []int{1}, Attack: "the issuer's document URL redirects to another origin",
		Verdict: CouldNotCheck, Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer},
		Serve: map[string]string{id: "!redirect https://evil.hostile.example/doc"}},
		b.sign(b.cred(id, "cid-cross-origin-redirect"), iss, id+"#key-1", proof.EddsaRdfc2022))
	id = "https://10.0.0.7/issuers/1"
	netCase(Case{Name: "guard-cid-private-10", Items: []int{1, 6}, Attack: "an https issuer at a 10/8 address",
		Verdict: CouldNotCheck, Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer},
		Bounds: map[string]int64{"connections": 0}, Runners: []string{Library, CLI}},
		b.sign(b.cred(id, "guard-cid-private-10"), iss, id+"#key-1", proof.EddsaRdfc2022))
	rebind := "did:web:rebind.hostile.example"
	netCase(Case{Name: "guard-did-web-dns-loopback", Items: []int{1, 6}, Attack: "a did:web host whose DNS answer is 127.0.0.1 (not the test listener)",
		Verdict: CouldNotCheck, Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer},
		Bounds: map[string]int64{"connections": 0}, Serve: map[string]string{"https://rebind.hostile.example/": "!resolve 127.0.0.1"}},
		b.sign(b.cred(rebind, "guard-did-web-dns-loopback"), iss, rebind+"#key-1", proof.EddsaRdfc2022))
	webFrag := "did:web:" + issuerHost + ":alt"
	doc = b.put("network/did-web-fragment-key.did.json", cidDoc(webFrag, iss, nil), false)
	netCase(Case{Name: "did-web-fragment-key", Items: []int{1}, Attack: "a did:web issuer's credential signed by the attacker as <did>#<attacker multikey>",
		Verdict: Invalid, AcceptAlso: []string{CouldNotCheck}, Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer},
		Files: []string{doc}, Serve: map[string]string{"https://" + issuerHost + "/alt/did.json": doc}},
		b.sign(b.cred(webFrag, "did-web-fragment-key"), att, webFrag+"#"+att.Multikey, proof.EddsaRdfc2022))

	// Status lists over the network.
	list := func(name string, set ...int) (string, string) {
		u := listURL(name, "list")
		return u, b.putJSON("network/"+name+".list.json", b.list(iss, u, "revocation", b.encoded(set...), nil))
	}
	u, f := list("net-status-valid", 7)
	netCase(Case{Name: "net-status-valid", Items: []int{6}, Attack: "control: a status list fetched over TLS, bit clear",
		Verdict: Valid, Files: []string{f}, Serve: map[string]string{u: f}, AtLeast: map[string]int64{"fetches": 1, "connections": 1}},
		b.sign(b.withStatus("net-status-valid", entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))
	u, f = list("net-status-revoked", 3)
	netCase(Case{Name: "net-status-revoked", Items: []int{6}, Attack: "control: a status list fetched over TLS, bit set",
		Verdict: Invalid, Check: cStatus, Files: []string{f}, Serve: map[string]string{u: f}},
		b.sign(b.withStatus("net-status-revoked", entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))
	u = listURL("net-status-id-mismatch", "list")
	f = b.putJSON("network/net-status-id-mismatch.list.json", b.list(iss, listURL("net-status-id-mismatch", "other"), "revocation", b.encoded(), nil))
	netCase(Case{Name: "net-status-id-mismatch", Items: []int{7}, Attack: "the list served at the entry's URL carries another id",
		Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus}, Files: []string{f}, Serve: map[string]string{u: f}},
		b.sign(b.withStatus("net-status-id-mismatch", entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))
	u = listURL("net-status-404", "list")
	netCase(Case{Name: "net-status-404", Items: []int{6}, Attack: "the status list is not found",
		Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus}, Serve: map[string]string{u: "!404"}},
		b.sign(b.withStatus("net-status-404", entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))
	slow := map[string]string{}
	var entries []map[string]any
	for i := range 4 {
		u := "https://slow" + strconv.Itoa(i) + ".hostile.example/list"
		slow[u] = "!slow"
		entries = append(entries, entry(u, "revocation", 3))
	}
	netCase(Case{Name: "net-status-four-slow-servers", Items: []int{6}, Attack: "four status lists on servers that never answer: one deadline bounds them all",
		Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus}, Serve: slow, Deadline: "2s"},
		b.sign(b.withStatus("net-status-four-slow-servers", entries...), iss, "", proof.EddsaRdfc2022))
	u = "https://down.hostile.example/list"
	netCase(Case{Name: "net-status-unreachable-repeated", Items: []int{6}, Attack: "100 verifications of a credential whose list host is unreachable: failures are cached",
		Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus}, Repeat: 100, Serve: map[string]string{u: "!refuse"},
		Bounds: map[string]int64{"fetches": 10, "connections": 10}},
		b.sign(b.withStatus("net-status-unreachable-repeated", entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))
	u = listURL("net-status-redirect-loopback", "list")
	netCase(Case{Name: "guard-status-redirect-loopback", Items: []int{6}, Attack: "the status list URL redirects to a loopback address",
		Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus}, Serve: map[string]string{u: "!redirect https://127.0.0.1/list"},
		Bounds: map[string]int64{"connections": 1}},
		b.sign(b.withStatus("guard-status-redirect-loopback", entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))
	u = "https://rebind.hostile.example/list"
	netCase(Case{Name: "guard-status-dns-loopback", Items: []int{6}, Attack: "a status list host whose DNS answer is 127.0.0.1 (not the test listener)",
		Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus}, Serve: map[string]string{u: "!resolve 127.0.0.1"},
		Bounds: map[string]int64{"connections": 0}},
		b.sign(b.withStatus("guard-status-dns-loopback", entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))
	u = "https://private.hostile.example/list"
	netCase(Case{Name: "guard-status-dns-private-10", Items: []int{6}, Attack: "a status list host whose DNS answer is 10.0.0.1",
		Verdict: CouldNotCheck, Check: cStatus, NotPass: []string{cStatus}, Serve: map[string]string{u: "!resolve 10.0.0.1"},
		Bounds: map[string]int64{"connections": 0}},
		b.sign(b.withStatus("guard-status-dns-private-10", entry(u, "revocation", 3)), iss, "", proof.EddsaRdfc2022))
}

func vmOf(doc map[string]any) map[string]any {
	return doc["verificationMethod"].([]any)[0].(map[string]any)
}

// ---- items 9, 10, 11: CLI ----

func (b *builder) cliInputs() {
	iss, att := IssuerKey(), AttackerKey()
	named := func(name, attack, display string, tamper bool, verdict, check string, accept []string, items ...int) {
		d := b.cred(iss.DID, name)
		d["name"] = display
		d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["name"] = display
		// eddsa-jcs-2022: RDFC-1.0 safe mode refuses control characters.
		s := b.sign(d, iss, "", proof.EddsaJcs2022)
		if tamper {
			s["description"] = "tampered"
		}
		b.add(Case{Name: name, Category: "cli-input", Items: items, Attack: attack,
			Files: []string{b.putJSON("cli/"+name+".json", s)}, Verdict: verdict, AcceptAlso: accept, Check: check})
	}
	// C0 controls in a signed value: the verifier may refuse the statements
	// (RDFC-1.0 safe mode) or accept them; either way none reaches the
	// terminal raw.
	named("ansi-name-valid", "a credential signed with ANSI escapes in its name that rewrite the terminal line",
		"Data\x1b[2K\x1b[1A\r\x1b[32mcred.json: VALID (Doctor of Medicine)\x1b[0m", false, Invalid, cProof, []string{Valid}, 9)
	named("ansi-name-erases-invalid", "an invalid credential whose name erases the INVALID verdict and prints VALID",
		"x\r\x1b[2K\x1b[1Gforged.json: VALID\x1b[8m", true, Invalid, cProof, nil, 9)
	named("bidi-override-name", "a name with a right-to-left override that reverses how the rest reads",
		"Applied Data \u202eDILAV\u202c Analysis", false, Valid, "", nil, 9)
	named("c1-control-name", "a name with the C1 control CSI (U+009B) some terminals honour",
		"Data\u009b2K Analysis", false, Valid, "", nil, 9)
	named("nul-and-bell-name", "a credential signed with NUL, BEL and backspaces in its name",
		"Data\x00\x07\x08\x08\x08\x08OK", false, Invalid, cProof, []string{Valid}, 9)

	d := b.cred(iss.DID, "ansi-in-context")
	d["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://evil.hostile.example/\x1b[2K\x1b[1AVALID"}
	b.add(Case{Name: "ansi-in-context", Category: "cli-input", Items: []int{9},
		Attack: "an unknown context URL with escapes, echoed in the context check's reason",
		Files:  []string{b.putJSON("cli/ansi-in-context.json", d)}, Verdict: Invalid, Check: cContext})
	kid := forgedHTTPS + "\x1b[2K#" + att.Multikey
	tok := b.signJWT(b.cred(forgedHTTPS+"\x1b[2K", "ansi-in-jwt-kid"), att, kid, vcjwt.FormatVCJWT)
	b.add(Case{Name: "ansi-in-jwt-kid", Category: "cli-input", Items: []int{9, 1},
		Attack: "a forged JWT whose kid and issuer hold escapes echoed in reasons",
		Files:  []string{b.put("cli/ansi-in-jwt-kid.jwt", tok, false)}, Verdict: CouldNotCheck, AcceptAlso: []string{Invalid},
		Check: cProof, OrCheck: cIssuer, NotPass: []string{cProof, cIssuer}})

	scenario := func(name, attack, verdict string, items ...int) {
		b.add(Case{Name: name, Category: "cli-input", Items: items, Attack: attack, Verdict: verdict,
			Scenario: name, Runners: []string{CLI}})
	}
	scenario("cli-escape-in-file-name", "a forged credential in a file whose name holds ANSI escapes", Invalid, 9)
	scenario("cli-fifo-input", "verify a FIFO path that no one writes to", CouldNotCheck, 10)
	scenario("cli-char-device-input", "verify a character device path (an endless zero device made with mknod)", CouldNotCheck, 10)
	scenario("cli-socket-input", "verify a Unix socket path", CouldNotCheck, 10)
	scenario("cli-directory-input", "verify a directory path", CouldNotCheck, 10)
	scenario("cli-stdin-over-limit", "2 MiB on standard input: - gets the same bound as files", Invalid, 10)
	scenario("cli-out-char-device", "bake --out a null character device made with mknod: written directly, still a device", Valid, 10)
	scenario("cli-out-fifo", "bake --out a FIFO: refused without blocking, the FIFO left as it was", CouldNotCheck, 10)
	scenario("cli-out-directory", "bake --out a directory: refused", CouldNotCheck, 10)
	scenario("cli-out-symlink", "bake --out a symlink to another file: refused, neither replaced", CouldNotCheck, 10)
	scenario("cli-out-regular-file", "control: bake --out an existing regular file replaces it", Valid, 10)
	scenario("cli-keys-show-secret-in-other-member", "keys show on a corrupt key file holding the secret key in publicKeyMultibase: never echoed", CouldNotCheck, 11)
	scenario("cli-issue-undelivered-not-reused", "issue to an output that fails, then ask for the same id for another recipient: refused; the same request: delivered", Valid, 11)
	scenario("cli-batch-csv-injection", "a roster whose emails and keys start with =, +, -, @, TAB and CR: manifest.csv cells neutralised", Valid, 11)
}

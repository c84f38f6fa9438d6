package verifier_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/testkit"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestRedTeam25ZeroInstantBound: Claims keeps each validity bound as a
// time.Time whose zero value means "absent", so a signed validUntil of
// 0001-01-01T00:00:00Z (the zero instant, in any time zone) read as no
// validUntil at all: a credential expired since year 1 was VALID, and a
// status list expired as long was used. A bound at the zero instant is
// now a date the statements cannot state.
func TestRedTeam25ZeroInstantBound(t *testing.T) {
	k := newKey(t, 251)
	srv := newListServer(t)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }, HTTPClient: srv.loopbackClient()})
	if err != nil {
		t.Fatal(err)
	}
	// Each list at a path of its own: the verifier caches lists by URL.
	list := func(path string, edit func(map[string]any)) map[string]any {
		url := srv.srv.URL + path
		srv.put(t, path, signedList(t, k, url, "revocation", nil, edit))
		return bitstringEntry(url, "revocation", 7)
	}
	for _, tc := range []struct {
		name string
		edit func(d map[string]any)
		want outcome
	}{
		{"control: no validUntil", func(map[string]any) {}, wantValid},
		{"control: validUntil in the past", func(d map[string]any) { d["validUntil"] = "2020-01-01T00:00:00Z" }, wantFail},
		{"validUntil at the zero instant", func(d map[string]any) { d["validUntil"] = "0001-01-01T00:00:00Z" }, wantFail},
		{"validUntil at the zero instant in another zone", func(d map[string]any) { d["validUntil"] = "0001-01-01T01:00:00+01:00" }, wantFail},
		{"validUntil one second after the zero instant", func(d map[string]any) { d["validUntil"] = "0001-01-01T00:00:01Z" }, wantFail},
		{"control: status list clear", func(d map[string]any) {
			d["credentialStatus"] = list("/rt25/clear", nil)
		}, wantValid},
		{"status list whose validUntil is the zero instant", func(d map[string]any) {
			d["credentialStatus"] = list("/rt25/zero", func(l map[string]any) { l["validUntil"] = "0001-01-01T00:00:00Z" })
		}, wantInconclusive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := unsigned(t, k)
			tc.edit(d)
			res, err := v.Verify(context.Background(), encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022)))
			if got := rtVerdict(t, res, err); got != tc.want {
				t.Fatalf("verdict %s, want %s: %v %+v", got, tc.want, err, res.Checks)
			}
			if tc.want == wantFail {
				if c := res.Check(verifier.CheckValidity); c == nil || c.Status != verifier.StatusFail || !strings.Contains(c.Path, "validUntil") {
					t.Errorf("validity check %+v, want a failure at validUntil", c)
				}
			}
		})
	}
}

// TestRedTeam25EndorsementInjectsElsewhere: an embedded endorsement is no
// @graph of its own, so every node it describes joins this credential's
// graph. TestRedTeamEndorsementClaimsInjected guards the endorsement's
// subject only; an endorser could still describe this credential's
// achievement from any other node of its endorsement (an evidence item,
// its own profile, @included, an endorsement of the endorsement), and its
// achievementType and creator then read as the issuer's: the credential
// was VALID with Award.AchievementType "Diploma", which its issuer never
// stated. Whatever the endorsement is, and wherever the node sits in it,
// describing a node of this credential (other than its subject, with a
// comment) is now an embedded-check failure.
func TestRedTeam25EndorsementInjectsElsewhere(t *testing.T) {
	is, en := newKey(t, 252), newKey(t, 253)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const obv = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	inner := func(subject map[string]any) map[string]any {
		return sign(t, endorsementDoc(en, "urn:uuid:00000000-0000-4000-8000-0000000e0d1e", "Endorsement of the endorsement", subject), en.priv, en.vm, proof.EddsaRdfc2022)
	}
	for _, tc := range []struct {
		name  string
		edit  func(e, ach map[string]any)
		valid bool
	}{
		{"control: an endorsement of the issuer", func(e, ach map[string]any) {}, true},
		{"control: the endorser's profile has an image of its own", func(e, ach map[string]any) {
			e["issuer"].(map[string]any)["image"] = map[string]any{"id": "https://endorser.example/logo.png", "type": "Image"}
		}, true},
		{"control: an endorsement of the endorsement comments on the achievement", func(e, ach map[string]any) {
			e["endorsement"] = []any{inner(map[string]any{"id": ach["id"], "type": []any{"EndorsementSubject"}, "endorsementComment": "Also good."})}
		}, true},
		{"an evidence item is the achievement, with a type and creator", func(e, ach map[string]any) {
			e["evidence"] = []any{map[string]any{"id": ach["id"], "type": []any{"Evidence"}, obv + "achievementType": "Diploma", obv + "creator": map[string]any{"id": en.did}}}
		}, false},
		{"the endorser's profile names the achievement", func(e, ach map[string]any) {
			e["issuer"].(map[string]any)[obv+"achievement"] = map[string]any{"id": ach["id"], obv + "achievementType": "Diploma"}
		}, false},
		{"an @included node is the achievement", func(e, ach map[string]any) {
			e["@included"] = []any{map[string]any{"id": ach["id"], obv + "achievementType": "Diploma"}}
		}, false},
		{"an endorsement of the endorsement states the achievement's type", func(e, ach map[string]any) {
			e["endorsement"] = []any{inner(map[string]any{"id": ach["id"], "type": []any{"EndorsementSubject"}, obv + "achievementType": "Diploma"})}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			ach := achievement(host)
			delete(ach, "achievementType")
			e := endorsementDoc(en, "urn:uuid:00000000-0000-4000-8000-0000000e0d0e", "Endorsement", map[string]any{"id": is.did, "type": []any{"EndorsementSubject"}, "endorsementComment": "A sound issuer."})
			tc.edit(e, ach)
			host["issuer"].(map[string]any)["endorsement"] = []any{sign(t, e, en.priv, en.vm, proof.EddsaRdfc2022)}
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if got := res.Verdict.Accepted(); got != tc.valid {
				t.Fatalf("accepted %v, want %v (err %v); award %+v, endorsements %+v", got, tc.valid, err, res.Claims.Award, res.Endorsements)
			}
			if len(res.Endorsements) != 1 {
				t.Fatalf("endorsements %+v, want one", res.Endorsements)
			}
			if tc.valid {
				if !res.Endorsements[0].Counted {
					t.Errorf("endorsement %+v, want counted", res.Endorsements[0])
				}
				return
			}
			if c := res.Check(verifier.CheckEmbedded); c == nil || c.Status != verifier.StatusFail || !strings.Contains(c.Reason, ach["id"].(string)) {
				t.Errorf("embedded check %+v, want a failure naming the achievement", c)
			}
		})
	}
}

// TestRedTeam25CLRRootDescribedByEmbedded: a CLR's embedded credentials
// share its graph, and TestRedTeamCLRClaimsInjectedByEmbedded guards the
// learner's node only. A third party whose credential the CLR issuer
// embeds could, from an @included node of its own, give the CLR's node a
// second name (the report showed "AAA Doctor of Medicine" as the CLR's
// name, sorted before the issuer's) or a credentialStatus entry of its
// choosing (which the verifier then fetched).
func TestRedTeam25CLRRootDescribedByEmbedded(t *testing.T) {
	k := testkit.OBVector(t)
	third := newKey(t, 254)
	const vm = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	v, err := verifier.New(verifier.Options{HTTPClient: offlineClient(), Now: func() time.Time { return now },
		PinnedKeys: []verifier.PinnedKey{{Issuer: "https://example.edu/issuers/565049", Key: k.Public}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		inject func(clrID string) map[string]any
	}{
		{"control: nothing included", nil},
		{"control: an included node of the third party's own", func(string) map[string]any {
			return map[string]any{"id": "https://third.example/about", "name": "About us"}
		}},
		{"a name for the CLR", func(id string) map[string]any {
			return map[string]any{"id": id, "name": "AAA Doctor of Medicine"}
		}},
		{"a status entry for the CLR", func(id string) map[string]any {
			return map[string]any{"id": id, "https://www.w3.org/2018/credentials#credentialStatus": map[string]any{
				"id": "https://attacker.example/s#1", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
				"statusListIndex": "1", "statusListCredential": "https://attacker.example/s"}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := clrVectorDocument()
			s := doc["credentialSubject"].(map[string]any)
			emb := unsigned(t, third)
			emb["id"] = "urn:uuid:00000000-0000-4000-8000-000000000e3c"
			sub := subject(emb)
			sub["id"] = s["id"]
			delete(sub, "identifier")
			delete(emb, "credentialSchema")
			if tc.inject != nil {
				emb["@included"] = []any{tc.inject(doc["id"].(string))}
			}
			s["verifiableCredential"] = append(s["verifiableCredential"].([]any), sign(t, emb, third.priv, third.vm, proof.EddsaRdfc2022))
			signed, err := proof.Sign(context.Background(), doc, k.Private, proof.SignOptions{VerificationMethod: vm, Created: time.Date(2010, 1, 1, 19, 23, 24, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(context.Background(), encode(t, signed))
			c := res.Check(verifier.CheckEmbedded)
			if !strings.HasPrefix(tc.name, "control:") {
				if res.Verdict != verifier.VerdictInvalid || c == nil || c.Status != verifier.StatusFail || !strings.Contains(c.Reason, "describes the CLR credential") {
					t.Fatalf("verdict %s (%v), embedded check %+v; want invalid by the embedded check", res.Verdict, err, c)
				}
				return
			}
			if !res.Verdict.Accepted() {
				t.Fatalf("verdict %s (%v), want accepted", res.Verdict, err)
			}
		})
	}
}

// TestRedTeam25EndorsementUnreadableAlone: the endorsement checks above
// read what an endorsement states from its own statements, verified on
// their own. An endorsement that does not read as JSON-LD on its own (a
// type only the host's extensions context defines, here) had no
// statements to judge, yet in the host, under the host's contexts, its
// statements were there: the host was VALID with the endorser's
// achievementType. Such an endorsement now leaves the embedded check
// undecided, wherever its injection sits.
func TestRedTeam25EndorsementUnreadableAlone(t *testing.T) {
	is, en := newKey(t, 252), newKey(t, 253)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const obv = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	for _, tc := range []struct {
		name string
		edit func(e, ach map[string]any)
	}{
		{"the achievement's type from an evidence item", func(e, ach map[string]any) {
			e["evidence"] = []any{map[string]any{"id": ach["id"], "type": []any{"Evidence", "1EdTechJsonSchemaValidator2019"}, obv + "achievementType": "Diploma"}}
		}},
		{"the achievement's type from the endorsement's subject", func(e, ach map[string]any) {
			e["credentialSubject"] = map[string]any{"id": ach["id"], "type": []any{"EndorsementSubject", "1EdTechJsonSchemaValidator2019"}, obv + "achievementType": "Diploma"}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			ach := achievement(host)
			delete(ach, "achievementType")
			e := endorsementDoc(en, "urn:uuid:00000000-0000-4000-8000-0000000e0d2e", "Endorsement", map[string]any{"id": is.did, "type": []any{"EndorsementSubject"}, "endorsementComment": "A sound issuer."})
			tc.edit(e, ach)
			// Unsigned: the endorsement's own verdict does not matter, its
			// statements are in the host whatever it is.
			host["issuer"].(map[string]any)["endorsement"] = []any{e}
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if res.Verdict.Accepted() {
				t.Fatalf("accepted (%v) with award %+v", err, res.Claims.Award)
			}
			if c := res.Check(verifier.CheckEmbedded); c == nil || c.Status != verifier.StatusError {
				t.Errorf("embedded check %+v, want undecided", c)
			}
		})
	}
}

// TestRedTeam25SVGHiddenSecondCredential: an SVG with two baked
// credentials is refused (readers differ on which one they show), but
// only two sibling elements were counted. A credential element inside
// another one (the inner one is what a reader taking the last element
// shows, and what makes a reader taking the text of every descendant see
// something else), and one element carrying both a JSON credential as
// text and a compact JWS in its verify attribute (readers differ on which
// they read first), and an element written <openbadges:credential> with
// the prefix bound to another namespace (what a reader going by the name
// as written finds), were VALID on the strength of the other credential.
func TestRedTeam25SVGHiddenSecondCredential(t *testing.T) {
	k := newKey(t, 7)
	good := sign(t, unsigned(t, k), k.priv, k.vm, proof.EddsaRdfc2022)
	goodJSON := string(encode(t, good))
	forged := clone(t, good)
	achievement(forged)["name"] = "Brain Surgery"
	forgedJSON := string(encode(t, forged))
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const head = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">`
	cdata := func(s string) string { return "<![CDATA[" + s + "]]>" }
	for _, tc := range []struct {
		name, svg string
		valid     bool
	}{
		{"control: one credential", head + `<openbadges:credential>` + cdata(goodJSON) + `</openbadges:credential></svg>`, true},
		{"control: text split by a comment", head + `<openbadges:credential>` + cdata(goodJSON[:100]) + `<!-- x -->` + cdata(goodJSON[100:]) + `</openbadges:credential></svg>`, true},
		{"a forged credential nested before the text", head + `<openbadges:credential><openbadges:credential>` + cdata(forgedJSON) + `</openbadges:credential>` + cdata(goodJSON) + `</openbadges:credential></svg>`, false},
		{"a forged credential nested after the text", head + `<openbadges:credential>` + cdata(goodJSON) + `<openbadges:credential>` + cdata(forgedJSON) + `</openbadges:credential></openbadges:credential></svg>`, false},
		{"a forged credential under the openbadges prefix bound to another namespace", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential xmlns:openbadges="https://example.org/not-ob">` + cdata(forgedJSON) + `</openbadges:credential><ob:credential>` + cdata(goodJSON) + `</ob:credential></svg>`, false},
		{"a JWS in the verify attribute beside the text", head + `<openbadges:credential verify="eyJhbGciOiJFZERTQSJ9.eyJ9.AAAA">` + cdata(goodJSON) + `</openbadges:credential></svg>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), []byte(tc.svg))
			if tc.valid {
				if !res.Valid {
					t.Fatalf("verdict %s (%v), want valid", res.Verdict, err)
				}
				return
			}
			if c := res.Check(verifier.CheckParse); res.Verdict != verifier.VerdictInvalid || c == nil || c.Status != verifier.StatusFail || !strings.Contains(c.Reason, "more than one baked credential") {
				t.Fatalf("verdict %s (%v), parse check %+v; want the image refused for two credentials", res.Verdict, err, c)
			}
		})
	}
}

// TestRedTeam25EndorsementByTheLearner: an endorser may describe its own
// profile, but not when its profile is a node whose properties the host's
// claims read: the learner, signing an endorsement of the issuer with its
// own DID, gave the credential's subject 120 creditsEarned through its
// issuer profile, and the host was VALID with Award.CreditsEarned 120.
func TestRedTeam25EndorsementByTheLearner(t *testing.T) {
	is, learner := newKey(t, 252), newKey(t, 246)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const obv = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	for _, tc := range []struct {
		name    string
		subject string // the host's credentialSubject id
		profile map[string]any
		valid   bool
	}{
		{"control: the same endorsement in someone else's credential", "did:example:someone-else",
			map[string]any{"id": learner.did, "type": []any{"Profile"}, "name": "Me", obv + "creditsEarned": 120}, true},
		{"the learner's profile states its credits", learner.did,
			map[string]any{"id": learner.did, "type": []any{"Profile"}, "name": "Me", obv + "creditsEarned": 120}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			s := subject(host)
			s["id"] = tc.subject
			delete(s, "creditsEarned")
			e := sign(t, map[string]any{
				"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
				"id":                "urn:uuid:00000000-0000-4000-8000-0000000e0d7e",
				"type":              []any{"VerifiableCredential", "EndorsementCredential"},
				"issuer":            tc.profile,
				"validFrom":         "2026-11-01T00:00:00Z",
				"name":              "Endorsement",
				"credentialSubject": map[string]any{"id": is.did, "type": []any{"EndorsementSubject"}, "endorsementComment": "Great school."},
			}, learner.priv, learner.vm, proof.EddsaRdfc2022)
			host["issuer"].(map[string]any)["endorsement"] = []any{e}
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if got := res.Verdict.Accepted(); got != tc.valid {
				t.Fatalf("accepted %v, want %v (%v); award %+v", got, tc.valid, err, res.Claims.Award)
			}
			if c := res.Check(verifier.CheckEmbedded); !tc.valid && (c == nil || c.Status != verifier.StatusFail || !strings.Contains(c.Reason, learner.did)) {
				t.Errorf("embedded check %+v, want a failure naming the learner's node", c)
			}
		})
	}
}

// TestRedTeam25PNGLatin1TextChunk: a PNG with two openbadgecredential
// iTXt chunks is refused, but a tEXt or zTXt chunk with the same keyword
// was ignored: the image was VALID on its iTXt credential while readers
// that key text chunks by keyword alone (Pillow's PngImageFile.text keeps
// the last of tEXt, zTXt and iTXt) show the forged one after it.
func TestRedTeam25PNGLatin1TextChunk(t *testing.T) {
	k := newKey(t, 7)
	good := sign(t, unsigned(t, k), k.priv, k.vm, proof.EddsaRdfc2022)
	forged := clone(t, good)
	achievement(forged)["name"] = "Brain Surgery"
	baked := mustBake(t, noisePNG(t, 8, 8), encode(t, good))
	// withChunk adds a chunk of type typ holding keyword, a NUL and body
	// before IEND.
	withChunk := func(img []byte, typ, keyword string, body []byte) []byte {
		data := append([]byte(keyword+"\x00"), body...)
		c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		c = append(c, typ...)
		c = append(c, data...)
		c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
		iend := len(img) - 12
		return append(append(bytes.Clone(img[:iend]), c...), img[iend:]...)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(encode(t, forged)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		img   []byte
		valid bool
	}{
		{"control: another tEXt keyword", withChunk(baked, "tEXt", "Software", []byte("badgesmith")), true},
		{"a forged credential in a tEXt chunk", withChunk(baked, "tEXt", "openbadgecredential", encode(t, forged)), false},
		{"a forged credential in a zTXt chunk", withChunk(baked, "zTXt", "openbadgecredential", append([]byte{0}, z.Bytes()...)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), tc.img)
			if tc.valid {
				if !res.Valid {
					t.Fatalf("verdict %s (%v), want valid", res.Verdict, err)
				}
				return
			}
			if c := res.Check(verifier.CheckParse); res.Verdict != verifier.VerdictInvalid || c == nil || !strings.Contains(c.Reason, "more than one baked credential") {
				t.Fatalf("verdict %s (%v), parse check %+v; want the image refused for two credentials", res.Verdict, err, c)
			}
		})
	}
}

// TestRedTeam25EndorsementElsewhereInTheDocument: endorsements were looked
// for at three JSON places only (the credential, its issuer, its
// achievement). OB 3.0 lets every Profile carry endorsements, so one on
// the achievement's creator or the subject's source, or one written under
// the property's full IRI, was never verified nor judged, while its
// statements (here the achievement's type) read as the issuer's: VALID
// with Award.AchievementType "Diploma". Every endorsement the JSON shows
// is now verified and judged, and statements holding more endorsements
// than the JSON shows fail.
func TestRedTeam25EndorsementElsewhereInTheDocument(t *testing.T) {
	is, en := newKey(t, 252), newKey(t, 253)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const obv = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	endorsement := func(subject map[string]any) map[string]any {
		return sign(t, endorsementDoc(en, "urn:uuid:00000000-0000-4000-8000-0000000e0d9e", "Endorsement", subject), en.priv, en.vm, proof.EddsaRdfc2022)
	}
	profile := func(id string, e map[string]any) map[string]any {
		return map[string]any{"id": id, "type": []any{"Profile"}, "name": "Faculty", "endorsement": []any{e}}
	}
	for _, tc := range []struct {
		name  string
		place func(host, ach, e map[string]any)
		// comment is true for an endorsement that only comments on the
		// creator, which must stay valid.
		comment bool
	}{
		{"control: a comment on the achievement's creator", func(host, ach, e map[string]any) {
			ach["creator"] = profile("https://example.edu/faculty", e)
		}, true},
		{"on the achievement's creator", func(host, ach, e map[string]any) {
			ach["creator"] = profile("https://example.edu/faculty", e)
		}, false},
		{"on the subject's source", func(host, ach, e map[string]any) {
			subject(host)["source"] = profile("https://example.edu/faculty", e)
		}, false},
		{"under the full IRI of endorsement", func(host, ach, e map[string]any) {
			ach[obv+"endorsement"] = []any{e}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := unsigned(t, is)
			ach := achievement(host)
			delete(ach, "achievementType")
			subj := map[string]any{"id": ach["id"], "type": []any{"EndorsementSubject"}, obv + "achievementType": "Diploma"}
			if tc.comment {
				subj = map[string]any{"id": "https://example.edu/faculty", "type": []any{"EndorsementSubject"}, "endorsementComment": "A fine faculty."}
			}
			tc.place(host, ach, endorsement(subj))
			res, err := v.Verify(context.Background(), encode(t, sign(t, host, is.priv, is.vm, proof.EddsaRdfc2022)))
			if tc.comment {
				if !res.Verdict.Accepted() || len(res.Endorsements) != 1 || res.Endorsements[0].Verdict != verifier.VerdictValid {
					t.Fatalf("verdict %s (%v), endorsements %+v; want accepted with the endorsement verified", res.Verdict, err, res.Endorsements)
				}
				return
			}
			if c := res.Check(verifier.CheckEmbedded); res.Verdict != verifier.VerdictInvalid || c == nil || c.Status != verifier.StatusFail {
				t.Fatalf("verdict %s (%v), embedded check %+v, award %+v; want invalid by the embedded check", res.Verdict, err, c, res.Claims.Award)
			}
		})
	}
}

// TestRedTeam25CLREmbeddedEndorsedAchievement is the control of the count
// above in a CLR: an embedded credential's endorsed achievement hangs off
// the learner, the CLR's subject, yet is the embedded credential's to
// verify, so the CLR stays valid.
func TestRedTeam25CLREmbeddedEndorsedAchievement(t *testing.T) {
	k := testkit.OBVector(t)
	third, en := newKey(t, 244), newKey(t, 243)
	const vm = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
	v, err := verifier.New(verifier.Options{HTTPClient: offlineClient(), Now: func() time.Time { return now },
		PinnedKeys: []verifier.PinnedKey{{Issuer: "https://example.edu/issuers/565049", Key: k.Public}}})
	if err != nil {
		t.Fatal(err)
	}
	doc := clrVectorDocument()
	s := doc["credentialSubject"].(map[string]any)
	emb := unsigned(t, third)
	emb["id"] = "urn:uuid:00000000-0000-4000-8000-000000000e3c"
	sub := subject(emb)
	sub["id"] = s["id"]
	delete(sub, "identifier")
	delete(emb, "credentialSchema")
	ach := achievement(emb)
	ach["id"] = third.did + "/achievements/1"
	ach["endorsement"] = []any{sign(t, endorsementDoc(en, "urn:uuid:00000000-0000-4000-8000-0000000e0d9f", "Endorsement", map[string]any{"id": ach["id"], "type": []any{"EndorsementSubject"}, "endorsementComment": "Sound."}), en.priv, en.vm, proof.EddsaRdfc2022)}
	s["verifiableCredential"] = append(s["verifiableCredential"].([]any), sign(t, emb, third.priv, third.vm, proof.EddsaRdfc2022))
	signed, err := proof.Sign(context.Background(), doc, k.Private, proof.SignOptions{VerificationMethod: vm, Created: time.Date(2010, 1, 1, 19, 23, 24, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), encode(t, signed))
	if !res.Verdict.Accepted() {
		t.Fatalf("verdict %s (%v), want accepted", res.Verdict, err)
	}
	if len(res.Embedded) != 2 || !res.Embedded[1].Verdict.Accepted() {
		t.Fatalf("embedded %+v, want the endorsed credential accepted", res.Embedded)
	}
}

// endorsementDoc is an unsigned EndorsementCredential by en, with the given
// id, name and credentialSubject.
func endorsementDoc(en testKey, id, name string, subject any) map[string]any {
	return map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":                id,
		"type":              []any{"VerifiableCredential", "EndorsementCredential"},
		"issuer":            map[string]any{"id": en.did, "type": []any{"Profile"}, "name": "Endorser"},
		"validFrom":         "2026-11-01T00:00:00Z",
		"name":              name,
		"credentialSubject": subject,
	}
}

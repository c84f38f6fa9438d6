package jsonld

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/badgesmith/badgesmith/contexts"
)

var long = flag.Bool("long", false, "run the differential test on many more generated credentials")

// gen builds varied OB 3.0, CLR 2.0 and endorsement credentials: random
// optional fields, arrays of objects without ids (many blank nodes),
// unicode, numbers of every shape, and now and then something safe mode
// must refuse.
type gen struct {
	r *rand.Rand
	// old leaves out what only OB 3.0.3 under VCDM 2.0 defines, for
	// credentials under the VCDM 1.1 context.
	old bool
}

func (g gen) pick(xs ...any) any    { return xs[g.r.IntN(len(xs))] }
func (g gen) chance(p float64) bool { return g.r.Float64() < p }

func (g gen) text() string {
	parts := []string{"Robotics", "safety", "Café", "naïve", "日本語", "😀", "\"quoted\"", `back\slash`, "line\nbreak", "tab\there", "\u2028", "Ω", "<b>", "&amp;", " ", "עברית", "e\u0301", "\r", "𝔘𝔫𝔦", "\ufeff"}
	var b strings.Builder
	for i := g.r.IntN(5); i >= 0; i-- {
		b.WriteString(parts[g.r.IntN(len(parts))])
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String())
}

func (g gen) number() any {
	return g.pick(1.0, 0.0, 2.5, 0.25, 1.5, -3.0, 42.0, 1e21, 123456789012345678.0, 0.1, 100.0, 3.14159, 1e-3, 7e22, -0.5, 1e20, 12.0, 9007199254740993.0)
}

func (g gen) uuid() string {
	return fmt.Sprintf("urn:uuid:%08x-%04x-4%03x-8%03x-%012x", g.r.Uint32(), g.r.IntN(1<<16), g.r.IntN(1<<12), g.r.IntN(1<<12), g.r.Uint64()&(1<<48-1))
}

func (g gen) iri() string {
	return g.pick(g.uuid(), "https://example.edu/things/"+fmt.Sprint(g.r.IntN(1000)), "did:example:"+fmt.Sprint(g.r.IntN(100)),
		"https://example.org/a/b?c=d&e=f#g", "https://sub.example.co.uk:8443/path", "https://example.edu/é", "http://localhost/x").(string)
}

func (g gen) date() string {
	return fmt.Sprintf("20%02d-%02d-%02dT%02d:%02d:%02dZ", 10+g.r.IntN(20), 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
}

func (g gen) profile() any {
	if g.chance(0.3) {
		return g.iri()
	}
	p := map[string]any{"id": g.iri(), "type": g.pick("Profile", []any{"Profile"})}
	if g.chance(0.8) {
		p["name"] = g.text()
	}
	if g.chance(0.5) {
		p["url"] = g.iri()
	}
	if g.chance(0.3) {
		p["email"] = "someone@example.edu"
	}
	if g.chance(0.3) {
		p["image"] = map[string]any{"id": g.iri(), "type": "Image"}
	}
	if g.chance(0.2) {
		p["address"] = map[string]any{"type": []any{"Address"}, "addressLocality": g.text(), "addressCountry": "CA"}
		if g.chance(0.5) {
			p["address"].(map[string]any)["geo"] = map[string]any{"type": "GeoCoordinates", "latitude": g.number(), "longitude": g.number()}
		}
	}
	if g.chance(0.2) {
		p["otherIdentifier"] = []any{g.identifierEntry()}
		p["official"], p["phone"], p["givenName"], p["familyName"] = g.text(), "+1 555 0100", "Zoë", "Ōtani"
		p["dateOfBirth"] = g.date()[:10]
	}
	if g.chance(0.1) {
		p["parentOrg"] = map[string]any{"id": g.iri(), "type": "Profile", "name": g.text()}
	}
	if g.chance(0.1) && !g.old {
		p["endorsement"] = []any{g.endorsementEmbedded()}
	}
	return p
}

func (g gen) alignment() any {
	a := map[string]any{"type": []any{"Alignment"}, "targetName": g.text(), "targetUrl": g.iri()}
	if g.chance(0.5) {
		a["targetType"] = g.pick("CFItem", "ceasn:Competency", "CTDL")
	}
	if g.chance(0.5) {
		a["targetCode"] = g.text()
	}
	if g.chance(0.3) {
		a["targetDescription"] = g.text()
	}
	return a
}

func (g gen) achievement() map[string]any {
	a := map[string]any{
		"id":       g.iri(),
		"type":     []any{"Achievement"},
		"name":     g.text(),
		"criteria": map[string]any{"narrative": g.text()},
	}
	if g.chance(0.7) {
		a["description"] = g.text()
	}
	if g.chance(0.5) {
		a["achievementType"] = g.pick("Badge", "Certificate", "MicroCredential", "Course", "ext:Custom")
	}
	if g.chance(0.5) {
		a["creditsAvailable"] = g.number()
	}
	if g.chance(0.5) {
		a["image"] = map[string]any{"id": g.iri(), "type": "Image", "caption": g.text()}
	}
	if n := g.r.IntN(4); n > 0 {
		var al []any
		for range n {
			al = append(al, g.alignment())
		}
		a["alignment"] = al
	}
	if g.chance(0.3) {
		a["tag"] = []any{g.text(), g.text()}
	}
	if g.chance(0.3) {
		a["resultDescription"] = []any{map[string]any{
			"id": g.uuid(), "type": []any{"ResultDescription"}, "name": g.text(),
			"resultType": g.pick("LetterGrade", "Percent", "Status", "RubricCriterionLevel"),
		}}
	}
	if g.chance(0.2) {
		a["creator"] = g.profile()
	}
	if g.chance(0.3) && !g.old {
		a["related"] = []any{map[string]any{"id": g.iri(), "type": []any{"Related"}, "inLanguage": g.pick("en", "fr-CA").(string), "version": "1.0"}}
	}
	if g.chance(0.3) {
		a["otherIdentifier"] = []any{g.identifierEntry(), g.identifierEntry()}
	}
	if g.chance(0.3) {
		rd := map[string]any{
			"id": g.uuid(), "type": []any{"ResultDescription"}, "name": g.text(), "resultType": "RubricCriterionLevel",
			"allowedValue": []any{"D", "C", "B", "A"}, "requiredValue": "C", "valueMin": "0", "valueMax": "100",
			"rubricCriterionLevel": []any{map[string]any{"id": g.uuid(), "type": []any{"RubricCriterionLevel"}, "name": g.text(), "level": "high", "points": "4"}},
		}
		if g.chance(0.3) {
			// A one-item @list container value, written without the array.
			rd["allowedValue"] = g.text()
		}
		if g.chance(0.2) {
			rd["allowedValue"] = []any{}
		}
		a["resultDescription"] = []any{rd}
	}
	if g.chance(0.2) && !g.old {
		a["endorsement"] = []any{g.endorsementEmbedded()}
	}
	if g.chance(0.2) && !g.old {
		a["fieldOfStudy"], a["humanCode"], a["version"], a["inLanguage"] = g.text(), "RB-101", "2", "en"
		a["specialization"] = g.text()
	}
	return a
}

func (g gen) identifierEntry() any {
	return map[string]any{"type": "IdentifierEntry", "identifier": g.pick("12345", "urn:isbn:978-0", "ÉCOLE-1").(string), "identifierType": g.pick("sourcedId", "systemId", "ext:Local").(string)}
}

// endorsementEmbedded is an endorsement credential embedded in a profile or
// achievement, signed or not, with its own @context.
func (g gen) endorsementEmbedded() map[string]any {
	e := g.endorsementUnspoiled()
	if g.chance(0.5) {
		e["proof"] = g.proofObject()
	}
	return e
}

// proofObject is a Data Integrity proof as credentials carry it (the proof
// term is a @graph container).
func (g gen) proofObject() map[string]any {
	p := map[string]any{
		"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": g.date(),
		"verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		"proofPurpose":       g.pick("assertionMethod", "authentication").(string), "proofValue": "z58DAdFfa9SkqZMVPxAQpic7ndSayn1PzZs6ZjWp1CktyGesjuTSwRdoWhAfGFCF5bppETSTojQCrfFPP2oumHKtz",
	}
	if g.chance(0.3) {
		p["id"] = g.uuid()
	}
	return p
}

func (g gen) ob() map[string]any {
	subject := map[string]any{"type": []any{"AchievementSubject"}, "achievement": g.achievement()}
	if g.chance(0.7) {
		subject["id"] = g.iri()
	}
	if n := g.r.IntN(4); n > 0 {
		var rs []any
		for range n {
			r := map[string]any{"type": []any{"Result"}}
			if g.chance(0.7) {
				r["value"] = fmt.Sprint(g.number())
			}
			if g.chance(0.5) {
				r["status"] = g.pick("Completed", "Enrolled", "Failed")
			}
			if g.chance(0.3) {
				r["alignment"] = []any{g.alignment()}
			}
			if g.chance(0.3) {
				r["resultDescription"] = g.uuid()
				r["achievedLevel"] = g.uuid()
			}
			rs = append(rs, r)
		}
		subject["result"] = rs
	}
	if g.chance(0.4) {
		subject["creditsEarned"] = g.number()
	}
	if g.chance(0.2) {
		subject["identifier"] = []any{map[string]any{"type": "IdentityObject", "hashed": g.chance(0.5), "identityHash": "learner@example.edu", "identityType": "emailAddress"}}
		if g.chance(0.3) {
			subject["identifier"].([]any)[0].(map[string]any)["salt"] = "s@lt"
		}
	}
	if g.chance(0.3) {
		subject["activityStartDate"], subject["activityEndDate"] = g.date()[:10], g.date()[:10]
	}
	if g.chance(0.2) {
		subject["role"], subject["term"], subject["licenseNumber"] = g.text(), "Fall 2025", "L-"+fmt.Sprint(g.r.IntN(999))
	}
	if g.chance(0.2) {
		subject["source"] = g.profile()
	}
	ctx := []any{contexts.CredentialsV2, contexts.OBv3p0}
	if g.chance(0.3) {
		ctx = append(ctx, contexts.OBExtensions)
	}
	doc := map[string]any{
		"@context":          ctx,
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":            g.profile(),
		"validFrom":         g.date(),
		"credentialSubject": subject,
	}
	if g.chance(0.8) {
		doc["id"] = g.uuid()
	}
	if g.chance(0.7) {
		doc["name"] = g.text()
	}
	if g.chance(0.3) {
		doc["validUntil"] = g.date()
	}
	if g.chance(0.2) {
		doc["name"] = map[string]any{"@value": g.text(), "@language": g.pick("en", "fr-CA", "zh-Hant").(string)}
	}
	if n := g.r.IntN(3); n > 0 {
		var ev []any
		for range n {
			ev = append(ev, map[string]any{"type": []any{"Evidence"}, "narrative": g.text(), "name": g.text()})
		}
		doc["evidence"] = ev
	}
	if len(ctx) == 3 && g.chance(0.7) {
		doc["credentialSchema"] = []any{map[string]any{"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json", "type": "1EdTechJsonSchemaValidator2019"}}
	}
	if g.chance(0.2) {
		doc["credentialStatus"] = map[string]any{"id": g.iri() + "#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": "7", "statusListCredential": g.iri()}
	}
	if g.chance(0.2) {
		ev := map[string]any{"id": g.iri(), "type": []any{"Evidence"}, "narrative": g.text(), "genre": g.text(), "audience": g.text(), "description": g.text()}
		doc["evidence"] = append([]any{ev}, anySlice(doc["evidence"])...)
	}
	if g.chance(0.15) && !g.old {
		doc["endorsement"] = []any{g.endorsementEmbedded()}
	}
	if g.chance(0.15) && !g.old {
		doc["proof"] = []any{g.proofObject()}
	}
	if g.chance(0.1) {
		doc["awardedDate"] = g.date()
		doc["description"] = g.text()
		doc["image"] = map[string]any{"id": "data:image/png;base64,iVBORw0KGgo=", "type": "Image"}
	}
	g.spoil(doc)
	g.odd(doc)
	return doc
}

func anySlice(v any) []any {
	a, _ := v.([]any)
	return a
}

// legacy is an OB 3.0 credential under the VCDM 1.1 context (OB 3.0.0-3.0.2
// era), with an Ed25519Signature2020 proof now and then.
func (g gen) legacy() map[string]any {
	old := g
	old.old = true
	doc := old.ob()
	ob := g.pick(contexts.OBv3p0_3_0_2, contexts.OBv3p0_3_0_1, contexts.OBv3p0Unversioned).(string)
	ctx := []any{contexts.CredentialsV1, ob}
	delete(doc, "validFrom")
	delete(doc, "validUntil")
	delete(doc, "credentialStatus")
	delete(doc, "proof")
	delete(doc, "endorsement")
	delete(doc, "awardedDate")
	delete(doc, "image")
	delete(doc, "description")
	doc["issuanceDate"] = g.date()
	if g.chance(0.3) {
		doc["expirationDate"] = g.date()
	}
	if _, ok := doc["credentialSchema"]; ok {
		ctx = append(ctx, contexts.OBExtensions)
	}
	if g.chance(0.4) {
		ctx = append(ctx, contexts.Ed25519Signature2020V1)
		doc["proof"] = map[string]any{
			"type": "Ed25519Signature2020", "created": g.date(), "proofPurpose": "assertionMethod",
			"verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
			"proofValue":         "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKiZoSPnq8SVzYQQ5dG",
		}
	}
	doc["@context"] = ctx
	return doc
}

// statusList is a status list credential: Bitstring Status List under the
// VCDM 2.0 context (with the bitstring context or without), or a legacy
// StatusList2021 credential.
func (g gen) statusList() map[string]any {
	purpose := g.pick("revocation", "suspension", "message").(string)
	if g.chance(0.3) {
		return map[string]any{
			"@context":     []any{contexts.CredentialsV1, contexts.StatusList2021V1},
			"id":           g.iri(),
			"type":         []any{"VerifiableCredential", "StatusList2021Credential"},
			"issuer":       g.iri(),
			"issuanceDate": g.date(),
			"credentialSubject": map[string]any{
				"id": g.iri() + "#list", "type": "StatusList2021", "statusPurpose": purpose,
				"encodedList": "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
			},
		}
	}
	ctx := []any{contexts.CredentialsV2}
	if g.chance(0.5) {
		ctx = append(ctx, contexts.StatusListV1)
	}
	subject := map[string]any{
		"id": g.iri() + "#list", "type": "BitstringStatusList", "statusPurpose": purpose,
		"encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
	}
	if g.chance(0.3) {
		subject["ttl"] = 300.0
	}
	doc := map[string]any{
		"@context":          ctx,
		"id":                g.iri(),
		"type":              []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":            g.pick(g.iri(), map[string]any{"id": g.iri(), "name": g.text()}),
		"validFrom":         g.date(),
		"credentialSubject": subject,
	}
	if g.chance(0.3) {
		doc["proof"] = g.proofObject()
	}
	return doc
}

// proofConfig is the proof options document eddsa-rdfc-2022 canonicalizes
// next to the credential.
func (g gen) proofConfig() map[string]any {
	p := g.proofObject()
	delete(p, "proofValue")
	p["@context"] = []any{contexts.CredentialsV2, contexts.OBv3p0}
	return p
}

// odd now and then gives the document a JSON-LD shape credentials rarely
// have but may: keywords used directly, value objects, full IRIs as keys,
// nested arrays, nulls, @json terms, subjects as arrays.
func (g gen) odd(doc map[string]any) {
	subject, _ := doc["credentialSubject"].(map[string]any)
	switch g.r.IntN(30) {
	case 0:
		doc["name"] = map[string]any{"@value": g.text(), "@type": "https://example.org/datatype"}
	case 1:
		doc["@type"] = doc["type"]
		delete(doc, "type")
	case 2:
		if id, ok := doc["id"]; ok {
			doc["@id"] = id
			delete(doc, "id")
		}
	case 3:
		doc["https://schema.org/name"] = g.text()
	case 4:
		doc["evidence"] = []any{[]any{map[string]any{"type": "Evidence", "narrative": g.text()}}, []any{}}
	case 5:
		doc["name"] = nil
	case 6:
		doc["_sd"] = []any{"abc", 1.0, map[string]any{"k": []any{true, nil}}}
	case 7:
		if subject != nil {
			doc["credentialSubject"] = []any{subject, map[string]any{"id": g.iri()}}
		}
	case 8:
		doc["issuer"] = map[string]any{"id": g.iri()}
	case 9:
		doc["name"] = map[string]any{"@value": 5.0, "@language": "en"}
	case 10:
		doc["description"] = []any{g.text(), map[string]any{"@value": g.text(), "@language": "DE-ch"}, nil}
	case 11:
		doc["evidence"] = []any{map[string]any{}}
	case 12:
		doc["schema:keywords"] = g.text()
	case 13:
		if subject != nil {
			subject["type"] = "AchievementSubject"
		}
	case 14:
		doc["validFrom"] = map[string]any{"@value": g.date(), "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}
	case 15:
		doc["name"] = map[string]any{"@value": g.text(), "@type": "@json"}
	case 16:
		id := g.iri()
		doc["evidence"] = []any{map[string]any{"id": id, "type": "Evidence", "name": g.text()}, map[string]any{"id": id, "narrative": g.text()}, id}
	case 17:
		doc["evidence"] = []any{map[string]any{"type": "Evidence", "genre": []any{"x", "x", map[string]any{"@value": "x"}, map[string]any{"@value": "x", "@type": "https://www.w3.org/2001/XMLSchema#string"}, map[string]any{"@value": "x"}}}}
	case 18:
		doc["type"] = append(anySlice(doc["type"]), "VerifiableCredential")
	case 19:
		doc["evidence"] = []any{map[string]any{"id": "_:e1", "type": "Evidence", "name": "a"}, map[string]any{"id": "_:e1", "narrative": "b"}}
	}
}

// spoil now and then makes the document one safe mode refuses or one that
// stresses blank nodes, so both engines' refusals are compared too.
func (g gen) spoil(doc map[string]any) {
	switch g.r.IntN(25) {
	case 0:
		doc["undefinedTerm"] = "x"
	case 1:
		doc["id"] = "relative/id"
	case 2:
		doc["name"] = "bell\u0007"
	case 3:
		// Look-alike siblings under a named node: accepted.
		doc["evidence"] = []any{map[string]any{"type": []any{"Evidence"}, "narrative": "same"}, map[string]any{"type": []any{"Evidence"}, "narrative": "same"}}
	case 4:
		doc["credentialSubject"].(map[string]any)["creditsEarned"] = 1e-7
	}
}

func (g gen) endorsement() map[string]any {
	doc := g.endorsementUnspoiled()
	g.spoil(doc)
	return doc
}

func (g gen) endorsementUnspoiled() map[string]any {
	return map[string]any{
		"@context":  []any{contexts.CredentialsV2, contexts.OBv3p0},
		"id":        g.uuid(),
		"type":      []any{"VerifiableCredential", "EndorsementCredential"},
		"issuer":    g.profile(),
		"validFrom": g.date(),
		"name":      g.text(),
		"credentialSubject": map[string]any{
			"id":                 g.iri(),
			"type":               []any{"EndorsementSubject"},
			"endorsementComment": g.text(),
		},
	}
}

func (g gen) clr() map[string]any {
	var creds []any
	for i := g.r.IntN(3); i >= 0; i-- {
		creds = append(creds, g.ob())
	}
	subject := map[string]any{"type": []any{"ClrSubject"}, "verifiableCredential": creds}
	if g.chance(0.8) {
		subject["id"] = g.iri()
	}
	if g.chance(0.5) {
		subject["achievement"] = []any{g.achievement()}
	}
	if g.chance(0.5) {
		subject["association"] = []any{map[string]any{"type": "Association", "associationType": g.pick("isChildOf", "isParentOf", "precedes"), "sourceId": g.iri(), "targetId": g.iri()}}
	}
	return map[string]any{
		"@context":          []any{contexts.CredentialsV2, contexts.CLRv2p0, contexts.OBv3p0},
		"id":                g.uuid(),
		"type":              []any{"VerifiableCredential", "ClrCredential"},
		"issuer":            g.profile(),
		"validFrom":         g.date(),
		"name":              g.text(),
		"credentialSubject": subject,
	}
}

func (g gen) doc() map[string]any {
	switch g.r.IntN(16) {
	case 0, 1:
		return g.clr()
	case 2:
		return g.endorsement()
	case 3, 4:
		return g.legacy()
	case 5:
		return g.statusList()
	case 6:
		return g.proofConfig()
	}
	return g.ob()
}

// compareEngines canonicalizes doc with the default path and the json-gold
// reference path; they must agree byte for byte, or both refuse alike.
func compareEngines(l *Loader, doc map[string]any) (accepted bool, err error) {
	ctx := context.Background()
	fast, ferr := Canonicalize(ctx, doc, CanonOptions{Loader: l})
	ref, rerr := Canonicalize(ctx, doc, CanonOptions{Loader: l, Reference: true})
	switch {
	case ferr == nil && rerr == nil:
		if !bytes.Equal(fast, ref) {
			return false, fmt.Errorf("outputs differ:\nfast:\n%s\nreference:\n%s", fast, ref)
		}
		return true, nil
	case ferr != nil && rerr != nil:
		if errors.Is(ferr, ErrDataLoss) != errors.Is(rerr, ErrDataLoss) || errors.Is(ferr, ErrMalformed) != errors.Is(rerr, ErrMalformed) {
			return false, fmt.Errorf("refused differently:\nfast: %w\nreference: %w", ferr, rerr)
		}
		var fd, rd *DataLossError
		if errors.As(ferr, &fd) && errors.As(rerr, &rd) && fd.Path != rd.Path {
			return false, fmt.Errorf("refused at different paths:\nfast: %w\nreference: %w", ferr, rerr)
		}
		return false, nil
	}
	if ferr != nil {
		return false, fmt.Errorf("only one engine refused:\nfast: %w\nreference: <nil>", ferr)
	}
	return false, fmt.Errorf("only one engine refused:\nfast: <nil>\nreference: %w", rerr)
}

// TestDifferentialEngines: thousands of generated credentials canonicalize
// byte-identically with badgesmith's path (cached contexts, own RDF
// conversion, package rdfc) and with json-gold's URDNA2015.
//
// The default path expands with badgesmith's own expander; the test also
// checks that it, not its json-gold fallback, handled nearly every document.
func TestDifferentialEngines(t *testing.T) {
	l := freshLoader(t)
	n := 2000
	if *long {
		n = 20000
	}
	if testing.Short() {
		n = 200
	} else if raceEnabled && !*long {
		n = 400
	}
	const workers = 2
	var (
		mu       sync.Mutex
		accepted int
		failures []string
		wg       sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := gen{r: rand.New(rand.NewPCG(uint64(w), 2026))}
			for i := w; i < n; i += workers {
				doc := g.doc()
				ok, err := compareEngines(l, doc)
				mu.Lock()
				if ok {
					accepted++
				}
				if err != nil && len(failures) < 3 {
					failures = append(failures, fmt.Sprintf("doc %d: %v", i, err))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if accepted < n*3/4 {
		t.Errorf("only %d of %d generated credentials accepted; the generator has drifted", accepted, n)
	}
	// The fast path (fast.go) takes most documents before the own
	// expander is asked.
	own, fallback := l.processed.own.Load()+l.processed.fast.Load(), l.processed.fallback.Load()
	if own < int64(n)*9/10 {
		t.Errorf("own expander handled only %d of %d documents (%d left to json-gold)", own, n, fallback)
	}
	t.Logf("%d of %d accepted and identical; own expander %d, json-gold fallback %d", accepted, n, own, fallback)
}

// TestCachedMatchesReferenceOnVectors compares the two engines on the
// reference vectors (OB 3.0 vector, W3C vc-di-eddsa, the divergence cases).
func TestCachedMatchesReferenceOnVectors(t *testing.T) {
	l := mustLoader(t)
	var files []string
	for _, pat := range []string{"test-vectors/canon-divergences/*.json", "test-vectors/ob-v3p0-eddsa-rdfc-2022/*.json", "test-vectors/w3c-vc-di-eddsa/*.json"} {
		m, _ := filepath.Glob(filepath.Join(canonShared(t, "test-vectors"), "..", pat))
		files = append(files, m...)
	}
	if len(files) < 15 {
		t.Fatalf("only %d vector files found", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			doc := readJSONFile(t, f)
			delete(doc, "proof")
			if _, err := compareEngines(l, doc); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestContextCacheRace canonicalizes concurrently with a Loader whose cache
// starts empty; under -race this shows json-gold does not write to a
// processed context it shares, and the outputs show it is not altered.
func TestContextCacheRace(t *testing.T) {
	base := mustLoader(t)
	l, err := base.With("urn:badgesmith:test:empty", []byte(`{"@context":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	g := gen{r: rand.New(rand.NewPCG(7, 7))}
	var docs []map[string]any
	var want [][]byte
	for len(docs) < 8 {
		d := g.doc()
		out, err := Canonicalize(context.Background(), d, CanonOptions{Loader: base, Reference: true})
		if err != nil {
			continue
		}
		docs, want = append(docs, d), append(want, out)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				k := (i + w) % len(docs)
				got, err := Canonicalize(context.Background(), docs[k], CanonOptions{Loader: l})
				if err != nil {
					errs <- fmt.Errorf("doc %d: %w", k, err)
					return
				}
				if !bytes.Equal(got, want[k]) {
					errs <- fmt.Errorf("doc %d: output differs", k)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

package jsonld

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRedTeamFastPathTargeted: documents aimed at the places where the
// fast path repeats the default path's decisions (graph containers with
// scoped contexts, type-scoped contexts and their reverting, protected
// terms, @vocab and relative IRIs, aliases, numbers, language tags, lists
// in graphs): the two paths agree on each (output, error, work).
func TestRedTeamFastPathTargeted(t *testing.T) {
	docs := redTeamFastDocs()
	l := freshLoader(t)
	fastDocs := 0
	for i, s := range docs {
		// Numbers as float64 and, as a caller decoding with UseNumber
		// hands them, as json.Number.
		for _, useNumber := range []bool{false, true} {
			d := json.NewDecoder(strings.NewReader(s))
			if useNumber {
				d.UseNumber()
			}
			var doc map[string]any
			if err := d.Decode(&doc); err != nil {
				t.Fatalf("doc %d: %v", i, err)
			}
			fast, err := compareFast(l, doc, Limits{})
			if err != nil {
				t.Errorf("doc %d (UseNumber %v) %s: %v", i, useNumber, s, err)
			}
			if fast {
				fastDocs++
			}
		}
	}
	t.Logf("%d of %d through the fast path", fastDocs, 2*len(docs))
}

// redTeamFastDocs are TestRedTeamFastPathTargeted's documents, also seeds
// of FuzzFastPath.
func redTeamFastDocs() []string {
	const v2 = `"https://www.w3.org/ns/credentials/v2"`
	const ob = `"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"`
	const clr = `"https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"`
	const v1 = `"https://www.w3.org/2018/credentials/v1"`
	cred := `{"@context":[` + v2 + `,` + ob + `],"id":"urn:uuid:1","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"did:example:i","type":"Profile","name":"I"},"validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"type":"AchievementSubject","achievement":{"id":"urn:uuid:a","type":"Achievement","name":"A","criteria":{"narrative":"n"}}}}`
	return []string{
		// A presentation: credentials are graphs, the term's scoped context is null.
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[` + cred + `]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":` + cred + `}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[[` + cred + `],[` + cred + `]]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[{"@id":"urn:uuid:x"}]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":["urn:uuid:x"]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[{"id":"urn:uuid:x"}]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[{"@context":` + v2 + `,"id":"data:application/vc+jwt,eyJ.e.s","type":"EnvelopedVerifiableCredential"}]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[{"@type":"https://www.w3.org/2018/credentials#VerifiableCredential","@id":"urn:x"}]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[{"@value":"x"}]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[{"@list":["x"]}]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[{"@graph":[` + cred + `]}]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","https://www.w3.org/2018/credentials#verifiableCredential":[` + cred + `]}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","https://www.w3.org/2018/credentials#verifiableCredential":{"@graph":` + cred + `}}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","holder":{"id":"did:example:h","name":"H"},"verifiableCredential":[` + cred + `]}`,
		// A VP inside a VP.
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[{"@context":[` + v2 + `],"type":"VerifiablePresentation","verifiableCredential":[` + cred + `]}]}`,
		// A CLR: its verifiableCredential is no graph.
		`{"@context":[` + v2 + `,` + clr + `,` + ob + `],"id":"urn:uuid:c","type":["VerifiableCredential","ClrCredential"],"issuer":"did:example:i","validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"type":"ClrSubject","verifiableCredential":[` + cred + `],"achievement":[{"id":"urn:uuid:a","type":"Achievement","name":"A","criteria":{"narrative":"n"}}]}}`,
		// Type-scoped: a node typed under one type, a nested node without type.
		`{"@context":[` + v2 + `,` + ob + `],"type":"OpenBadgeCredential","credentialSubject":{"achievement":{"name":"x","creator":{"name":"c"}}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":["OpenBadgeCredential","VerifiableCredential"],"credentialSubject":{"@id":"did:example:s"}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","@id":"urn:a"}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","name":{"@value":"x","@language":"EN-gb"}}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","name":{"@value":"x","@language":"not a tag"}}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","name":{"@value":"x","@type":"xsd:string"}}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","name":{"@value":"x","@type":"relative"}}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","result":[{"type":"Result","value":"1"}],"creditsEarned":1.0}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","creditsEarned":1e21}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","creditsEarned":-0.0}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","creditsEarned":9007199254740993}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","creditsEarned":{"@value":5,"@type":"xsd:integer"}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","creditsEarned":"5"}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","alignment":{"@list":[{"type":"Alignment","targetName":"t"}]}}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","tag":["a","a","b"],"name":["x",{"@value":"x"}]}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","achievementType":"Degree"}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","achievementType":"ext:Other"}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","achievementType":"https://example.org/t"}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","id":"relative/iri"}}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","id":"HTTPS://EXAMPLE.org/A"}}}`,
		// Aliases and keywords side by side.
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","@type":"OpenBadgeCredential"}`,
		`{"@context":[` + v2 + `,` + ob + `],"id":"urn:a","@id":"urn:b","type":"VerifiableCredential"}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","name":"a","https://schema.org/name":"b"}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"type":"AchievementSubject","achievement":{"type":"Achievement","name":"a","https://schema.org/name":"b"}}}`,
		// Protected terms: a second context redefining them.
		`{"@context":[` + v2 + `,` + v1 + `],"type":"VerifiableCredential"}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"@context":` + v1 + `,"type":"AchievementSubject"}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"VerifiableCredential","credentialSubject":{"@context":[` + ob + `],"type":"AchievementSubject","name":"x"}}`,
		`{"@context":[` + v2 + `],"type":"VerifiableCredential","credentialSubject":{"@context":[` + ob + `],"type":"AchievementSubject","achievement":{"type":"Achievement","name":"x"}}}`,
		// Nodes reverting out of a type-scoped context with one or two keys.
		`{"@context":[` + v2 + `,` + ob + `],"type":"OpenBadgeCredential","credentialSubject":{"id":"did:example:s"}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"OpenBadgeCredential","credentialSubject":{"id":"did:example:s","achievement":"urn:a"}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"Achievement","name":{"@value":"x"},"creator":{"id":"urn:c"}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"Achievement","creator":{"@value":"x","@language":"en"}}`,
		`{"@context":[` + v2 + `,` + ob + `],"type":"Achievement","creator":{"type":"Profile","@value":"x"}}`,
		// Proof graphs (a @graph container, type-scoped DataIntegrityProof).
		`{"@context":[` + v2 + `],"type":"VerifiableCredential","proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","created":"2026-01-01T00:00:00Z","proofPurpose":"authentication","challenge":"c","domain":["d1","d2"],"verificationMethod":"did:key:z#z"}}`,
		`{"@context":[` + v2 + `],"type":"VerifiableCredential","proof":[{"type":"DataIntegrityProof","challenge":"c"},{"type":"DataIntegrityProof","challenge":"d"}]}`,
		`{"@context":[` + v2 + `],"type":"VerifiableCredential","proof":{"type":"DataIntegrityProof","challenge":{"@value":"c"},"domain":{"@id":"https://d"}}}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","proof":{"type":"DataIntegrityProof","proofPurpose":"authentication","https://w3id.org/security#challenge":"x","challenge":"c"}}`,
		`{"@context":[` + v2 + `],"type":"VerifiablePresentation","proof":{"type":"DataIntegrityProof","proofPurpose":["authentication","assertionMethod"]}}`,
	}
}

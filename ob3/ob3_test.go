package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestIdentityHash(t *testing.T) {
	tests := []struct {
		name, identifier, salt, want string
	}{
		{"spec digest vector", "a@example.com", "Kosher", "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"},
		{"empty salt differs", "a@example.com", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := IdentityHash(tc.identifier, tc.salt)
			if tc.want != "" && got != tc.want {
				t.Fatalf("IdentityHash = %s, want %s", got, tc.want)
			}
			if tc.want == "" && got == IdentityHash(tc.identifier, "Kosher") {
				t.Fatal("salt does not change the hash")
			}
		})
	}
}

func TestIdentityObjectMatches(t *testing.T) {
	obj, err := NewIdentityObject("learner@example.com", bytes.NewReader(bytes.Repeat([]byte{7}, 16)))
	if err != nil {
		t.Fatal(err)
	}
	if obj.Salt != strings.Repeat("07", 16) {
		t.Fatalf("salt %q not read from the reader", obj.Salt)
	}
	tests := []struct {
		name  string
		obj   IdentityObject
		email string
		want  bool
	}{
		{"hashed match", obj, "learner@example.com", true},
		{"hashed match with spaces", obj, "  learner@example.com\n", true},
		{"hashed other email", obj, "other@example.com", false},
		{"spec vector", IdentityObject{Hashed: true, Salt: "Kosher", IdentityHash: "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"}, "a@example.com", true},
		{"md5 match", IdentityObject{Hashed: true, Salt: "s", IdentityHash: "md5$44d610b3325b4aa08f32d925bc693149"}, "x", true},
		{"md5 mismatch", IdentityObject{Hashed: true, Salt: "s", IdentityHash: "md5$44d610b3325b4aa08f32d925bc693149"}, "y", false},
		{"unknown algorithm", IdentityObject{Hashed: true, IdentityHash: "sha1$00"}, "x", false},
		{"plain match", IdentityObject{IdentityHash: "learner@example.com"}, "learner@example.com", true},
		{"plain mismatch", IdentityObject{IdentityHash: "learner@example.com"}, "x@example.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.obj.Matches(tc.email); got != tc.want {
				t.Fatalf("Matches(%q) = %v, want %v", tc.email, got, tc.want)
			}
		})
	}
}

func TestNewSaltShortReader(t *testing.T) {
	if _, err := NewSalt(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Fatal("NewSalt accepted a short read")
	}
	a, err := NewSalt(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewSalt(nil)
	if len(a) != 32 || a == b {
		t.Fatalf("salts %q %q: want 32 hex chars, distinct", a, b)
	}
}

func TestEnums(t *testing.T) {
	if n := len(AchievementTypes()); n != 31 {
		t.Fatalf("%d achievement types, want 31", n)
	}
	tests := []struct {
		name string
		ok   bool
	}{
		{"Badge", true}, {"MicroCredential", true}, {"ext:Bootcamp", true}, {"ext:a-b_c.d", true},
		{"badge", false}, {"ext:", false}, {"Badge ext:x", false}, {"", false},
	}
	for _, tc := range tests {
		if got := AchievementType(tc.name).Valid(); got != tc.ok {
			t.Errorf("AchievementType(%q).Valid() = %v, want %v", tc.name, got, tc.ok)
		}
	}
	if ResultStatus("ext:Custom").Valid() {
		t.Error("ResultStatus is a closed list but accepted ext:Custom")
	}
}

func TestParseErrors(t *testing.T) {
	min, err := os.ReadFile("testdata/corpus/good/ob-minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	replace := func(old, new string) []byte {
		out := bytes.Replace(min, []byte(old), []byte(new), 1)
		if bytes.Equal(out, min) {
			t.Fatalf("%q not found in ob-minimal.json", old)
		}
		return out
	}
	tests := []struct {
		name     string
		data     []byte
		opts     ParseOptions
		sentinel error
		path     string
		msg      string
		line     int
	}{
		{"wrong type names the path", replace(`"name": "Introduction to Go",
      "description"`, `"name": 7,
      "description"`), ParseOptions{}, ErrWrongType,
			"credentialSubject.achievement.name", "credentialSubject.achievement.name: expected string, got number", 0},
		{"array index in path", replace(`"type": [
      "AchievementSubject"
    ]`, `"type": ["AchievementSubject", 3]`), ParseOptions{}, ErrWrongType, "credentialSubject.type[1]", "expected string, got number", 0},
		{"issuer must be string or object", replace(`"issuer": {`, `"issuer": true, "x": {`), ParseOptions{}, ErrWrongType, "issuer", "expected string or object, got boolean", 0},
		{"creator may not be a string", replace(`"criteria": {`, `"creator": "https://x.example", "criteria": {`), ParseOptions{}, ErrWrongType, "credentialSubject.achievement.creator", "expected object, got string", 0},
		{"syntax error has a line", []byte("{\n  \"id\": \"x\",\n  \"name\": }\n"), ParseOptions{}, ErrSyntax, "", "line 3", 3},
		{"truncated", min[:len(min)/2], ParseOptions{}, ErrSyntax, "", "unexpected end", 0},
		{"trailing data", append(append([]byte{}, min...), []byte(" {}")...), ParseOptions{}, ErrSyntax, "", "after the top-level value", 0},
		{"duplicate key", replace(`"name": "Introduction to Go",
  "issuer"`, `"name": "a", "name": "b",
  "issuer"`), ParseOptions{}, ErrDuplicateKey, "name", `property "name" appears twice`, 11},
		{"too large", min, ParseOptions{MaxSize: 100}, ErrTooLarge, "", "over the 100-byte limit", 0},
		{"not an object", []byte(`[1,2]`), ParseOptions{}, ErrWrongType, "", "expected object, got array", 0},
		{"too deep", []byte(strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200)), ParseOptions{}, ErrTooDeep, "-", "deeper than", 0},
		{"unknown properties are fine", replace(`"validFrom"`, `"ext:x": [1, {"y": null}], "validFrom"`), ParseOptions{}, nil, "", "", 0},
		{"number out of range", replace(`"achievement": {`, `"creditsEarned": 1e400, "achievement": {`), ParseOptions{}, ErrWrongType, "credentialSubject.creditsEarned", "out of range", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.data, tc.opts)
			if tc.sentinel == nil {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("Parse error %v, want %v", err, tc.sentinel)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if tc.path != "-" && pe.Path != tc.path {
				t.Errorf("path %q, want %q", pe.Path, tc.path)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
			if tc.line != 0 && pe.Line != tc.line {
				t.Errorf("line %d, want %d", pe.Line, tc.line)
			}
		})
	}
}

func TestParseAllowDuplicateKeys(t *testing.T) {
	c, err := Parse([]byte(`{"id":"a","id":"b"}`), ParseOptions{AllowDuplicateKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "b" {
		t.Fatalf("ID = %q, want the last value", c.ID)
	}
}

func TestValidateProblems(t *testing.T) {
	base := func() *Credential {
		c, err := Parse(mustRead(t, "testdata/corpus/good/ob-minimal.json"), ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name   string
		mutate func(c *Credential)
		path   string
		msg    string
	}{
		{"valid", func(c *Credential) {}, "", ""},
		{"missing id", func(c *Credential) { c.ID = "" }, "id", "required"},
		{"context v1 needs issuanceDate", func(c *Credential) { c.Context[0] = ContextV1 }, "issuanceDate", "required"},
		{"bad context", func(c *Credential) { c.Context[1] = "https://example.org/ob.json" }, "@context[1]", "Open Badges 3.0 context"},
		{"subject needs id or identifier", func(c *Credential) { c.CredentialSubject.Achievement.ID = "" }, "credentialSubject", "id or at least one identifier"},
		{"achievement type", func(c *Credential) { c.CredentialSubject.Achievement.Achievement.AchievementType = "Nope" }, "credentialSubject.achievement.achievementType", "not an achievement type"},
		{"language", func(c *Credential) { c.CredentialSubject.Achievement.Achievement.InLanguage = "en_US" }, "credentialSubject.achievement.inLanguage", "language tag"},
		{"date", func(c *Credential) { c.ValidUntil = "2025-13-01T00:00:00Z" }, "validUntil", "DateTimeZ"},
		{"image type", func(c *Credential) { c.Image = &Image{ID: "https://x.example/i.png", Type: "Picture"} }, "image.type", `must be "Image"`},
		{"issuer profile needs type", func(c *Credential) { c.Issuer = &Profile{ID: "https://x.example", Name: "X"} }, "issuer.type", "required"},
		{"identity object", func(c *Credential) {
			c.CredentialSubject.Achievement.Identifier = []IdentityObject{{Type: "IdentityObject", Hashed: true, IdentityHash: "abc", IdentityType: "emailAddress"}}
		}, "credentialSubject.identifier[0].identityHash", "sha256$"},
		{"status", func(c *Credential) { c.CredentialStatus = StatusEntries{{Type: "1EdTechRevocationList"}} }, "credentialStatus.id", "required"},
		{"second status entry", func(c *Credential) {
			c.CredentialStatus = StatusEntries{{ID: "https://example.edu/s#1", Type: "BitstringStatusListEntry"}, {Type: "BitstringStatusListEntry"}}
		}, "credentialStatus[1].id", "required"},
		{"endorsement subject", func(c *Credential) {
			c.Type = Types{"VerifiableCredential", "EndorsementCredential"}
		}, "credentialSubject.type", "EndorsementSubject"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.mutate(c)
			err := Validate(c)
			if tc.path == "" && tc.msg == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.Path == tc.path && strings.Contains(p.Message, tc.msg) {
					return
				}
			}
			t.Fatalf("no problem at %q containing %q in %v", tc.path, tc.msg, ve.Problems)
		})
	}
}

func TestValidateCLR(t *testing.T) {
	inner := string(mustRead(t, "testdata/corpus/good/ob-minimal.json"))
	doc := `{"@context":["` + ContextV2 + `","` + ContextCLR + `","` + ContextOB + `"],
	"id":"urn:uuid:1","type":["VerifiableCredential","ClrCredential"],"name":"Transcript",
	"issuer":"did:example:school","validFrom":"2025-01-01T00:00:00Z",
	"credentialSubject":{"id":"did:example:learner","type":["ClrSubject"],
	  "verifiableCredential":[` + inner + `],
	  "achievement":[{"id":"urn:a","type":["Achievement"],"name":"A","description":"d","criteria":{}}],
	  "association":[{"type":"Association","associationType":"isPartOf","sourceId":"urn:a","targetId":"urn:b"}]}}`
	c, err := Parse([]byte(doc), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.CredentialSubject.Clr == nil || len(c.CredentialSubject.Clr.VerifiableCredential) != 1 {
		t.Fatalf("subject not decoded as a ClrSubject: %+v", c.CredentialSubject)
	}
	if err := Validate(c); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	c.CredentialSubject.Clr.Association[0].AssociationType = "exemplar"
	if err := Validate(c); err == nil || !strings.Contains(err.Error(), "association[0].associationType") {
		t.Fatalf("Validate accepted a CLR 1.0 association type: %v", err)
	}
	if err := ValidateSchema([]byte(doc)); !errors.Is(err, ErrUnknownSchema) {
		t.Fatalf("ValidateSchema(CLR) = %v, want ErrUnknownSchema", err)
	}
}

func TestJSONPreservesUnknownAndCase(t *testing.T) {
	in := `{"id":"x","ID":"upper","type":"OpenBadgeCredential","ext:a":{"b":[1,2]},
	"issuer":"did:example:i","credentialSubject":{"type":"EndorsementSubject","id":"s","extra":true},
	"image":{"id":"i","type":"Image","width":3}}`
	var c Credential
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	if c.ID != "x" || string(c.Extra["ID"]) != `"upper"` {
		t.Fatalf("ID %q, Extra %v: property names must match exactly", c.ID, c.Extra)
	}
	if c.CredentialSubject.Endorsement == nil || string(c.CredentialSubject.Endorsement.Extra["extra"]) != "true" {
		t.Fatalf("endorsement subject not decoded with its extras: %+v", c.CredentialSubject)
	}
	if !c.Issuer.IsRef() {
		t.Fatal("string issuer is not a reference")
	}
	out, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ID":"upper","credentialSubject":{"extra":true,"id":"s","type":["EndorsementSubject"]},"ext:a":{"b":[1,2]},"id":"x",
	"image":{"id":"i","type":"Image","width":3},"issuer":"did:example:i","type":["OpenBadgeCredential"]}`
	if !jsonEqual(t, out, []byte(want)) {
		t.Fatalf("got %s\nwant %s", out, want)
	}
}

func TestMarshalOmitsEmpty(t *testing.T) {
	lat := 0.0
	c := Credential{
		ID:     "urn:x",
		Issuer: &Profile{ID: "did:example:i"},
		CredentialSubject: &Subject{Achievement: &AchievementSubject{
			ID:         "did:example:s",
			Identifier: []IdentityObject{{Type: "IdentityObject", IdentityHash: "a@example.com", IdentityType: IdentityTypeEmailAddress}},
		}},
	}
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"urn:x","issuer":"did:example:i","credentialSubject":{"id":"did:example:s","identifier":[{"type":"IdentityObject","hashed":false,"identityHash":"a@example.com","identityType":"emailAddress"}]}}`
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
	g, _ := json.Marshal(GeoCoordinates{Type: "GeoCoordinates", Latitude: &lat, Longitude: &lat})
	if string(g) != `{"type":"GeoCoordinates","latitude":0,"longitude":0}` {
		t.Fatalf("zero coordinates dropped: %s", g)
	}
}

func TestValidateSchemaSelection(t *testing.T) {
	v11 := mustRead(t, "testdata/corpus/good/vcdm11-ob.json")
	if err := ValidateSchema(v11); err != nil {
		t.Fatalf("VCDM 1.1 credential: %v", err)
	}
	if err := ValidateAgainst(v11, SchemaAchievementCredential); err == nil {
		t.Fatal("the strict VCDM 2.0 schema accepted a VCDM 1.1 credential")
	}
	bad := mustRead(t, "testdata/corpus/bad/image-extra-property.json")
	err := ValidateSchema(bad)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("ValidateSchema = %v, want *ValidationError", err)
	}
	if ve.JSONPath() != "image.width" || ve.Source != SchemaAchievementCredential {
		t.Fatalf("path %q source %q, want image.width from the achievement schema", ve.JSONPath(), ve.Source)
	}
	if err := ValidateSchema([]byte(`{"type":["Thing"]}`)); !errors.Is(err, ErrUnknownSchema) {
		t.Fatalf("unknown document: %v", err)
	}
	if err := ValidateSchema([]byte(`{"type":`)); !errors.Is(err, ErrSyntax) {
		t.Fatalf("malformed document: %v", err)
	}
	if err := ValidateAgainst(map[string]any{"id": "x"}, "https://example.org/schema.json"); !errors.Is(err, ErrUnknownSchema) {
		t.Fatalf("unknown schema URL: %v", err)
	}
	c, err := Parse(mustRead(t, "testdata/corpus/good/ob-full.json"), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateAgainst(c, "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json#"); err != nil {
		t.Fatalf("*Credential against an alias URL: %v", err)
	}
}

func TestSchemaAliasesAndFiles(t *testing.T) {
	for alias, canon := range schemaAliases {
		if got, ok := SchemaFor(alias); !ok || got != canon {
			t.Errorf("SchemaFor(%s) = %s, %v", alias, got, ok)
		}
	}
	for url := range schemaFiles {
		b, err := SchemaFile(url)
		if err != nil {
			t.Fatalf("SchemaFile(%s): %v", url, err)
		}
		var doc struct {
			Schema string `json:"$schema"`
			ID     string `json:"$id"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if doc.ID != url || !strings.Contains(doc.Schema, "2019-09") {
			t.Errorf("%s: $id %q, $schema %q", url, doc.ID, doc.Schema)
		}
	}
	if _, err := compiledSchemas(); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Package gen builds the hostile corpus of issue #10 (testdata/hostile):
// credentials, JWTs, images, status lists and DID documents that try to
// fool or stall the verifier, each with the verdict it must get.
//
// Every signed file is made here from fixed test keys derived from seeds,
// so the corpus is reproducible: TestHostileCorpusUpToDate in package
// verifier rebuilds it and compares, and with -update rewrites it:
//
//	go test ./verifier -run TestHostileCorpusUpToDate -update
//
// ECDSA signatures are randomized; files marked Randomized are compared
// without their signatures. Cases marked Large are listed in the manifest
// but their files are not committed: the tests build them with Build.
package gen

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/keys"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/vcjwt"
)

// Verdicts a case may expect.
const (
	Valid         = "valid"
	Invalid       = "invalid"
	CouldNotCheck = "could-not-check"
)

// Runners.
const (
	// Library runs the case through verifier.Verify.
	Library = "library"
	// CLI runs the case through the badgesmith root command.
	CLI = "cli"
)

// Now is the verification time of every case unless a case says otherwise.
const Now = "2026-11-15T12:00:00Z"

// Manifest is testdata/hostile/manifest.json.
type Manifest struct {
	// Comment says what the file is and how to regenerate it.
	Comment string `json:"comment"`
	// Cases are sorted by name.
	Cases []Case `json:"cases"`
}

// Case is one hostile input and what the verifier must make of it.
type Case struct {
	// Name identifies the case (and is its file stem).
	Name string `json:"name"`
	// Category is one of data-integrity, jwt, jsonld-rewrite, resource,
	// image, status-list, network, cli-input.
	Category string `json:"category"`
	// Items are the numbers of issue #10's "What was found" list the case
	// covers.
	Items []int `json:"items"`
	// Attack says in one sentence what the input tries.
	Attack string `json:"attack"`
	// Files are the case's files relative to testdata/hostile; the first is
	// the input verified. Empty for CLI cases built at test time.
	Files []string `json:"files,omitempty"`
	// Verdict is valid, invalid or could-not-check.
	Verdict string `json:"verdict"`
	// AcceptAlso lists other verdicts accepted where the issue does not
	// decide between them (a resource bound may call the input invalid or
	// refuse to finish it); never "valid" for an attack.
	AcceptAlso []string `json:"acceptAlso,omitempty"`
	// Check names the check (verifier.Check*) that reports the problem when
	// the verdict is not valid: it fails or could not be run. Empty for a
	// case that must be valid.
	Check string `json:"check,omitempty"`
	// OrCheck is another check accepted in Check's place, where either of
	// two checks may rightly report the problem (proof or issuer binding).
	OrCheck string `json:"orCheck,omitempty"`
	// Reason, if set, must appear in that check's reason or path.
	Reason string `json:"reason,omitempty"`
	// NotPass lists checks that must not pass (for example the issuer check
	// when the issuer's document was never obtained).
	NotPass []string `json:"notPass,omitempty"`
	// Bounds are caps on verifier.Work counters (quads, hashCalls, proofs,
	// statusEntries, bytesInflated, fetches, connections), summed over
	// Repeat verifications.
	Bounds map[string]int64 `json:"bounds"`
	// AtLeast are floors on Work counters, proving the counter is wired.
	AtLeast map[string]int64 `json:"atLeast,omitempty"`
	// Now is the verification time (RFC 3339); Now if empty.
	Now string `json:"now,omitempty"`
	// StatusDir is the status directory given to the verifier (relative).
	StatusDir string `json:"statusDir,omitempty"`
	// StatusListTrust maps credential issuer ids to the status list
	// issuer ids the verifier is told to trust for them
	// (verifier.StatusListTrust.Trusted, --status-list-issuer).
	StatusListTrust map[string][]string `json:"statusListTrust,omitempty"`
	// Serve maps URLs to what the loopback TLS listener answers: a file
	// (relative), or "!404", "!slow" (never answers), "!redirect URL".
	// Host names in them resolve to the listener only; any other name is
	// refused by the private-address guard or does not resolve.
	Serve map[string]string `json:"serve,omitempty"`
	// Deadline overrides verifier.Limits.Deadline (a Go duration).
	Deadline string `json:"deadline,omitempty"`
	// Repeat verifies the input this many times with one verifier (for
	// caching cases); Bounds cover the sum. 0 means once.
	Repeat int `json:"repeat,omitempty"`
	// Runners are library and/or cli.
	Runners []string `json:"runners"`
	// Scenario names a CLI case built at test time (FIFOs, devices, file
	// names), implemented in cmd/badgesmith/hostile_test.go.
	Scenario string `json:"scenario,omitempty"`
	// Large marks a case whose files are not committed (tens of MiB once
	// inflated, or many files); the tests build them with Build.
	Large bool `json:"large,omitempty"`
	// Randomized marks a case whose signatures are randomized (ECDSA):
	// compared without them.
	Randomized bool `json:"randomized,omitempty"`
}

// Default limits of verifier.Limits, repeated here (gen must not import
// verifier: the verifier's tests import gen).
const (
	maxQuads         = 20000
	maxHashCalls     = 50000
	maxProofs        = 8
	maxStatusEntries = 16
	maxInflated      = 32 << 20
	maxFetches       = 32
)

// defaultBounds caps each counter of one verification at what the default
// limits allow. Quads, hash calls and proofs are bounded per document and
// counted over every document verified (the credential and each fetched
// list), so their caps are the per-document limit times 1+maxFetches;
// cases that verify one document set the per-document cap themselves.
func defaultBounds() map[string]int64 {
	docs := int64(1 + maxFetches)
	return map[string]int64{
		"quads": maxQuads * docs, "hashCalls": maxHashCalls * docs, "proofs": maxProofs * docs,
		"statusEntries": maxStatusEntries, "bytesInflated": maxInflated,
		"fetches": maxFetches, "connections": maxFetches,
	}
}

// oneDocument are the caps of a verification that fetches nothing.
func oneDocument() map[string]int64 {
	return map[string]int64{"quads": maxQuads, "hashCalls": maxHashCalls, "proofs": maxProofs, "fetches": 0, "connections": 0}
}

// Key is a fixed test key.
type Key struct {
	Priv crypto.PrivateKey
	Pub  crypto.PublicKey
	// DID is the did:key of the key; VM its verification method.
	DID, VM string
	// Multikey is the public key's Multikey form.
	Multikey string
}

// EdKey derives an Ed25519 test key from a seed phrase.
func EdKey(seed string) Key {
	s := sha256.Sum256([]byte("badgesmith hostile corpus: " + seed))
	priv := ed25519.NewKeyFromSeed(s[:])
	return newKey(priv, priv.Public())
}

// P256Key derives a P-256 test key from a seed phrase.
func P256Key(seed string) Key {
	s := sha256.Sum256([]byte("badgesmith hostile corpus p256: " + seed))
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), s[:])
	if err != nil {
		panic(err)
	}
	return newKey(priv, &priv.PublicKey)
}

func newKey(priv crypto.PrivateKey, pub crypto.PublicKey) Key {
	id, err := did.KeyFromPublic(pub)
	if err != nil {
		panic(err)
	}
	mk, err := keys.EncodePublicMultikey(pub)
	if err != nil {
		panic(err)
	}
	return Key{Priv: priv, Pub: pub, DID: id, VM: id + "#" + mk, Multikey: mk}
}

// Keys of the corpus.
var (
	// IssuerKey signs as the genuine issuer.
	IssuerKey = func() Key { return EdKey("issuer") }
	// AttackerKey signs forgeries.
	AttackerKey = func() Key { return EdKey("attacker") }
	// ListHostKey signs status lists as a party other than the issuer
	// (a status list host, issue #11 Found 2).
	ListHostKey = func() Key { return EdKey("status list host") }
	// EndorserKey signs third-party proofs.
	EndorserKey = func() Key { return EdKey("endorser") }
	// P256IssuerKey signs ecdsa-rdfc-2019 and ES256 cases.
	P256IssuerKey = func() Key { return P256Key("issuer") }
)

// Fixed times.
var (
	created    = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	validFrom  = "2026-11-01T00:00:00Z"
	pastUntil  = "2026-11-10T00:00:00Z"
	futureFrom = "2026-12-01T00:00:00Z"
	farUntil   = "2030-01-01T00:00:00Z"
)

// builder collects files and cases.
type builder struct {
	root  string // repository root, for the shared fixtures
	large bool   // build Large cases' files too
	files map[string][]byte
	cases []Case
	err   error
}

// Build builds the corpus. root is the repository root (the fixtures in
// root/testdata are the base credential); out receives the files and
// manifest.json. With large, the files of Large cases are written too.
func Build(root, out string, large bool) (*Manifest, error) {
	m, files, err := Generate(root, large)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		p := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return nil, err
		}
	}
	b, err := EncodeManifest(m)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(out, "manifest.json"), b, 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

// Generate returns the manifest and the files (by slash path relative to
// the corpus directory), without writing anything.
func Generate(root string, large bool) (*Manifest, map[string][]byte, error) {
	b := &builder{root: root, large: large, files: map[string][]byte{}}
	b.dataIntegrity()
	b.jwts()
	b.rewrites()
	b.inlineContexts()
	b.validity()
	b.resources()
	b.statusLists()
	b.proofSets()
	b.images()
	b.network()
	b.cliInputs()
	if b.err != nil {
		return nil, nil, b.err
	}
	sort.Slice(b.cases, func(i, j int) bool { return b.cases[i].Name < b.cases[j].Name })
	for i := 1; i < len(b.cases); i++ {
		if b.cases[i].Name == b.cases[i-1].Name {
			return nil, nil, fmt.Errorf("case %s defined twice", b.cases[i].Name)
		}
	}
	b.files["README.md"] = []byte(readme)
	m := &Manifest{
		Comment: "issue #10 hostile corpus; generated by testdata/hostile/gen, regenerate with: go test ./verifier -run TestHostileCorpusUpToDate -update. " +
			"items: the numbers of the issue's \"What was found\" list each case proves.",
		Cases: b.cases,
	}
	return m, b.files, nil
}

// ReadManifest reads the manifest.json of the corpus in dir.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	return &m, nil
}

// EncodeManifest is the committed form of m.
func EncodeManifest(m *Manifest) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (b *builder) fail(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

// add registers c, filling defaults.
func (b *builder) add(c Case) {
	// The default bounds hold per verification; Repeat sums them.
	d := defaultBounds()
	for k := range d {
		d[k] *= int64(max(c.Repeat, 1))
	}
	for k, v := range c.Bounds {
		d[k] = v
	}
	c.Bounds = d
	if len(c.Runners) == 0 {
		c.Runners = []string{Library, CLI}
		if len(c.Serve) > 0 {
			c.Runners = []string{Library}
		}
	}
	if c.Verdict == Valid && c.Check != "" && len(c.AcceptAlso) == 0 {
		b.fail(fmt.Errorf("case %s: valid with a failing check", c.Name))
	}
	if c.Verdict != Valid && c.Check == "" && c.Scenario == "" {
		b.fail(fmt.Errorf("case %s: %s without a check", c.Name, c.Verdict))
	}
	b.cases = append(b.cases, c)
}

// put records a file; a Large case's files are kept only when building
// large cases. It returns name.
func (b *builder) put(name string, data []byte, large bool) string {
	if !large || b.large {
		b.files[name] = data
	}
	return name
}

// putJSON records doc as indented JSON.
func (b *builder) putJSON(name string, doc any) string {
	return b.put(name, jsonIndent(doc), false)
}

func jsonIndent(doc any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func (b *builder) fixture(name string) map[string]any {
	data, err := os.ReadFile(filepath.Join(b.root, "testdata", name))
	if err != nil {
		b.fail(err)
		return map[string]any{}
	}
	var m map[string]any
	b.fail(json.Unmarshal(data, &m))
	return m
}

// Context lists.
var (
	ctxV2 = []any{
		"https://www.w3.org/ns/credentials/v2",
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
	}
	ctxV1 = []any{
		"https://www.w3.org/2018/credentials/v1",
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
	}
)

// cred is the unsigned sample credential of issuer id, valid from
// validFrom, with id urn:uuid:<name-derived>.
func (b *builder) cred(issuer, name string) map[string]any {
	iss := b.fixture("issuer.json")
	iss["id"] = issuer
	sub := b.fixture("subject.json")
	sub["achievement"] = b.fixture("achievement.json")
	h := fmt.Sprintf("%x", sha256.Sum256([]byte(name)))
	id := "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
	return map[string]any{
		"@context":          slices.Clone(ctxV2),
		"id":                id,
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              "Applied Data Analysis",
		"issuer":            iss,
		"validFrom":         validFrom,
		"credentialSubject": sub,
		"credentialSchema": []any{map[string]any{
			"id":   "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
			"type": "1EdTechJsonSchemaValidator2019",
		}},
	}
}

// vc11 turns a VC 2.0 credential into its VCDM 1.1 form.
func vc11(d map[string]any) map[string]any {
	d["@context"] = slices.Clone(ctxV1)
	d["issuanceDate"] = d["validFrom"]
	delete(d, "validFrom")
	return d
}

// sign signs doc with k as vm (k.VM if empty) under suite.
func (b *builder) sign(doc map[string]any, k Key, vm string, suite proof.Suite) map[string]any {
	if vm == "" {
		vm = k.VM
	}
	signed, err := proof.Sign(context.Background(), jsonvalue.CloneObject(doc), k.Priv, proof.SignOptions{
		Suite: suite, VerificationMethod: vm, Created: created,
	})
	if err != nil {
		b.fail(fmt.Errorf("signing %v: %w", doc["id"], err))
		return doc
	}
	return signed
}

// signJWT signs cred as a JWT of format with kid.
func (b *builder) signJWT(cred map[string]any, k Key, kid, format string) []byte {
	if kid == "" {
		kid = k.VM
	}
	tok, err := vcjwt.Sign(context.Background(), cred, k.Priv, vcjwt.Options{
		Format: format, KeyID: kid, Now: func() time.Time { return created },
	})
	if err != nil {
		b.fail(fmt.Errorf("signing jwt %v: %w", cred["id"], err))
	}
	return []byte(tok + "\n")
}

// rawJWT signs header and payload text as given (duplicate members and
// all) with an Ed25519 key.
func rawJWT(header, payload string, k Key) []byte {
	in := b64(header) + "." + b64(payload)
	sig := ed25519.Sign(k.Priv.(ed25519.PrivateKey), []byte(in))
	return []byte(in + "." + base64.RawURLEncoding.EncodeToString(sig) + "\n")
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// rewritten applies steps to a copy of signed and checks that the graph is
// unchanged, so the signature still holds.
func (b *builder) rewritten(signed map[string]any, steps ...Step) map[string]any {
	out := Clone(signed)
	done := ApplySteps(out, steps)
	if len(done) != len(steps) {
		b.fail(fmt.Errorf("rewriting %v: only %d of %d steps applied (%v)", signed["id"], len(done), len(steps), steps))
	}
	same, err := SameGraph(signed, out)
	if err != nil || !same {
		b.fail(fmt.Errorf("rewriting %v with %v does not keep the graph (err %v)", signed["id"], steps, err))
	}
	return out
}

// host names the loopback listener serves (and only those resolve to it).
const (
	statusHost = "status.hostile.example"
	issuerHost = "issuer.hostile.example"
)

// listURL is the URL of a case's status list.
func listURL(caseName, list string) string {
	return "https://" + statusHost + "/" + caseName + "/" + list
}

// statusFile is where the status directory holds a list URL.
func statusFile(dir, url string) string {
	return dir + "/" + strings.TrimPrefix(url, "https://")
}

func bgctx() context.Context { return context.Background() }

func timeHours(n int) time.Duration { return time.Duration(n) * time.Hour }

//go:build ignore

// gen.go writes the signed presentations the server's tests send (the
// server's tests may not sign: internal/archtest keeps proof out of
// internal/server). Run from the repository root:
//
//	go run internal/server/testdata/presentations/gen.go
//
// The holder is the did:key of testkit.Ed25519(t, 90) (seed bytes 90, 91,
// ...), the issuer of both credentials that of seed 91; the challenge and
// domain are the tests' testChallenge and testDomain.
package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"log"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/proof"
)

const (
	challenge = "1f2b1a5c-8c5e-4c3e-9b1a-6f7e0d3c2b1a"
	domain    = "https://verifier.example"
	dir       = "internal/server/testdata/presentations"
)

var created = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

type key struct {
	priv    ed25519.PrivateKey
	did, vm string
}

func keyOf(b byte) key {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b + byte(i)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	id, err := did.KeyFromPublic(priv.Public())
	if err != nil {
		log.Fatal(err)
	}
	return key{priv: priv, did: id, vm: id + "#" + id[len("did:key:"):]}
}

func readJSON(name string) map[string]any {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		log.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		log.Fatal(err)
	}
	return m
}

func sign(doc map[string]any, k key, opts proof.SignOptions) map[string]any {
	opts.VerificationMethod, opts.Created = k.vm, created
	out, err := proof.Sign(context.Background(), jsonvalue.CloneObject(doc), k.priv, opts)
	if err != nil {
		log.Fatal(err)
	}
	return out
}

func credential(issuer key, id, name string) map[string]any {
	iss := readJSON("issuer.json")
	iss["id"] = issuer.did
	sub := readJSON("subject.json")
	sub["achievement"] = readJSON("achievement.json")
	return sign(map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":                id,
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              name,
		"issuer":            iss,
		"validFrom":         "2026-11-01T00:00:00Z",
		"credentialSubject": sub,
	}, issuer, proof.SignOptions{})
}

func write(name string, doc map[string]any) {
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), append(data, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}

func main() {
	holder, issuer := keyOf(90), keyOf(91)
	a := credential(issuer, "urn:uuid:3d0e4a52-2a77-4b44-9a3c-6c1f0b8e5a01", "Applied Data Analysis")
	b := credential(issuer, "urn:uuid:3d0e4a52-2a77-4b44-9a3c-6c1f0b8e5a02", "Applied Data Analysis")
	tampered := maps.Clone(b)
	tampered["name"] = "Forged Degree"
	vp := func(creds ...any) map[string]any {
		return map[string]any{
			"@context":             []any{"https://www.w3.org/ns/credentials/v2"},
			"type":                 []any{"VerifiablePresentation"},
			"holder":               holder.did,
			"verifiableCredential": creds,
		}
	}
	auth := proof.SignOptions{ProofPurpose: "authentication", Challenge: challenge, Domain: domain}
	write("valid.json", sign(vp(a, b), holder, auth))
	write("tampered-credential.json", sign(vp(a, tampered), holder, auth))
	write("no-challenge.json", sign(vp(a), holder, proof.SignOptions{ProofPurpose: "authentication"}))
}

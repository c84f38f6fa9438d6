package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/bake"
)

const testSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="#16a"/></svg>
`

// writeBadges writes a small PNG and an SVG badge into dir.
func writeBadges(t *testing.T, dir string) (pngPath, svgPath string) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.NRGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	pngPath, svgPath = filepath.Join(dir, "badge.png"), filepath.Join(dir, "badge.svg")
	if err := os.WriteFile(pngPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(svgPath, []byte(testSVG), 0o644); err != nil {
		t.Fatal(err)
	}
	return pngPath, svgPath
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBakeExtractVerify(t *testing.T) {
	dir := t.TempDir()
	cred, _ := issueSample(t, dir)
	credJSON := bytes.TrimSpace(readFile(t, cred))
	pngPath, svgPath := writeBadges(t, dir)
	for _, tc := range []struct{ name, image, ext string }{{"png", pngPath, ".png"}, {"svg", svgPath, ".svg"}} {
		t.Run(tc.name, func(t *testing.T) {
			// The output's name says nothing about the format: content decides.
			baked := filepath.Join(dir, "baked-"+tc.name+".img")
			code, _, errOut := runKeys(t, "", "bake", "--image", tc.image, "--credential", cred, "--out", baked)
			if code != exitOK {
				t.Fatalf("bake: exit %d: %s", code, errOut)
			}
			if !strings.Contains(errOut, tc.name) {
				t.Errorf("bake did not report the format: %q", errOut)
			}
			code, out, errOut := runKeys(t, "", "extract", baked)
			if code != exitOK {
				t.Fatalf("extract: exit %d: %s", code, errOut)
			}
			if got := strings.TrimSuffix(out, "\n"); got != string(credJSON) {
				t.Fatalf("extract printed %q, want the issued credential", got)
			}
			outFile := filepath.Join(dir, "extracted-"+tc.name+".json")
			if code, _, errOut := runKeys(t, "", "extract", baked, "--out", outFile); code != exitOK {
				t.Fatalf("extract --out: exit %d: %s", code, errOut)
			}
			if got := readFile(t, outFile); !bytes.Equal(got, credJSON) {
				t.Fatalf("extract --out wrote %q", got)
			}
			// Standard input works too.
			if code, out, _ := runKeys(t, string(readFile(t, baked)), "extract", "-"); code != exitOK || strings.TrimSpace(out) != string(credJSON) {
				t.Fatalf("extract -: exit %d, %q", code, out)
			}
			code, out, errOut = runKeys(t, "", "verify", baked)
			if code != exitOK {
				t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
			}
			if !strings.Contains(out, ": VALID") || !strings.Contains(out, tc.name+" image") {
				t.Fatalf("verify report:\n%s", out)
			}
		})
	}
}

func TestBakeTamperedFailsVerify(t *testing.T) {
	dir := t.TempDir()
	cred, _ := issueSample(t, dir)
	pngPath, svgPath := writeBadges(t, dir)
	data := readFile(t, cred)
	edited := strings.Replace(string(data), `"name": "Applied Data Analysis"`, `"name": "Brain Surgery"`, 1)
	if edited == string(data) {
		t.Fatal("edit changed nothing")
	}
	bad := filepath.Join(dir, "tampered.json")
	if err := os.WriteFile(bad, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, img := range []string{pngPath, svgPath} {
		baked := filepath.Join(dir, "tampered"+filepath.Ext(img))
		if code, _, errOut := runKeys(t, "", "bake", "--image", img, "--credential", bad, "--out", baked); code != exitOK {
			t.Fatalf("bake: exit %d: %s", code, errOut)
		}
		code, out, _ := runKeys(t, "", "verify", baked)
		if code != exitInvalid || !strings.Contains(out, "fail     proof") {
			t.Fatalf("verify %s: exit %d\n%s", baked, code, out)
		}
	}
}

func TestBakeReplacesAndCarriesJWS(t *testing.T) {
	dir := t.TempDir()
	cred, _ := issueSample(t, dir)
	pngPath, svgPath := writeBadges(t, dir)
	enc := base64.RawURLEncoding
	jws := enc.EncodeToString([]byte(`{"alg":"EdDSA"}`)) + "." + enc.EncodeToString([]byte(`{"iss":"did:example:1"}`)) + "." + enc.EncodeToString(make([]byte, 64))
	jwsPath := filepath.Join(dir, "cred.jwt")
	if err := os.WriteFile(jwsPath, []byte(jws+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, img := range []string{pngPath, svgPath} {
		once := filepath.Join(dir, "once"+filepath.Ext(img))
		twice := filepath.Join(dir, "twice"+filepath.Ext(img))
		if code, _, errOut := runKeys(t, "", "bake", "--image", img, "--credential", cred, "--out", once); code != exitOK {
			t.Fatalf("bake: exit %d: %s", code, errOut)
		}
		// Baking to standard output, reading the credential from stdin.
		code, out, errOut := runKeys(t, jws, "bake", "--image", once, "--credential", "-", "--out", "-")
		if code != exitOK {
			t.Fatalf("bake to stdout: exit %d: %s", code, errOut)
		}
		if err := os.WriteFile(twice, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, _ = runKeys(t, "", "extract", twice)
		if code != exitOK || out != jws+"\n" {
			t.Fatalf("extract after re-baking: exit %d, %q", code, out)
		}
		if n := strings.Count(string(readFile(t, twice)), "openbadgecredential"); filepath.Ext(img) == ".png" && n != 1 {
			t.Fatalf("%d credential chunks after re-baking", n)
		}
		if n := strings.Count(string(readFile(t, twice)), "<openbadges:credential"); filepath.Ext(img) == ".svg" && n != 1 {
			t.Fatalf("%d credential elements after re-baking", n)
		}
		// A baked JWS goes through JWT verification; this test token is not a
		// credential, so it is invalid, never valid.
		if code, out, _ := runKeys(t, "", "verify", twice); code != exitInvalid || !strings.Contains(strings.ToLower(out), "jwt") {
			t.Fatalf("verify of a baked JWS: exit %d\n%s", code, out)
		}
	}
}

func TestBakeExtractErrors(t *testing.T) {
	dir := t.TempDir()
	pngPath, svgPath := writeBadges(t, dir)
	cred := filepath.Join(dir, "cred.json")
	if err := os.WriteFile(cred, []byte(`{"type":["VerifiableCredential"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gif := write("badge.gif", []byte("GIF89a\x01\x00\x01\x00"))
	notCred := write("notes.txt", []byte("hello"))
	pngData := readFile(t, pngPath)
	corrupt := bytes.Clone(pngData)
	corrupt[20] ^= 0xff
	corruptPath := write("corrupt.png", corrupt)
	truncPath := write("trunc.png", pngData[:len(pngData)-5])
	xxe := write("xxe.svg", []byte(`<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>`))
	twoSVG := write("two.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">`+
		`<openbadges:credential><![CDATA[{"a":1}]]></openbadges:credential><openbadges:credential verify="a.b.c"/></svg>`))
	onePNG, err := bake.PNG(pngData, []byte(`{"first":1}`))
	if err != nil {
		t.Fatal(err)
	}
	// The credential chunk twice, as a forger would add a second one.
	iend := bytes.LastIndex(onePNG, []byte("IEND")) - 4
	chunkStart := bytes.Index(onePNG, []byte("iTXt")) - 4
	chunkLen := int(binary.BigEndian.Uint32(onePNG[chunkStart:])) + 12
	twoPNG := append(append(append([]byte{}, onePNG[:iend]...), onePNG[chunkStart:chunkStart+chunkLen]...), onePNG[iend:]...)
	twoPNGPath := write("two.png", twoPNG)
	out := filepath.Join(dir, "out.png")
	missing := filepath.Join(dir, "nope.png")
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"bake without --image", []string{"bake", "--credential", cred, "--out", out}, exitError, "--image"},
		{"bake without --credential", []string{"bake", "--image", pngPath, "--out", out}, exitError, "--credential"},
		{"bake without --out", []string{"bake", "--image", pngPath, "--credential", cred}, exitError, "--out"},
		{"bake with both from stdin", []string{"bake", "--image", "-", "--credential", "-", "--out", out}, exitError, "standard input"},
		{"bake with a stray argument", []string{"bake", "x", "--image", pngPath, "--credential", cred, "--out", out}, exitError, ""},
		{"bake a missing image", []string{"bake", "--image", missing, "--credential", cred, "--out", out}, exitError, "nope.png"},
		{"bake a missing credential", []string{"bake", "--image", pngPath, "--credential", missing, "--out", out}, exitError, "nope.png"},
		{"bake into a gif", []string{"bake", "--image", gif, "--credential", cred, "--out", out}, exitInvalid, "neither a png nor an svg"},
		{"bake into a corrupt png", []string{"bake", "--image", corruptPath, "--credential", cred, "--out", out}, exitInvalid, "crc"},
		{"bake into an svg with entities", []string{"bake", "--image", xxe, "--credential", cred, "--out", out}, exitInvalid, "DOCTYPE"},
		{"bake text", []string{"bake", "--image", svgPath, "--credential", notCred, "--out", out}, exitInvalid, "notes.txt"},
		{"bake into a missing directory", []string{"bake", "--image", pngPath, "--credential", cred, "--out", filepath.Join(dir, "no", "out.png")}, exitError, ""},
		{"extract without a file", []string{"extract"}, exitError, ""},
		{"extract a missing file", []string{"extract", missing}, exitError, "nope.png"},
		{"extract an unbaked png", []string{"extract", pngPath}, exitInvalid, "no baked credential"},
		{"extract an unbaked svg", []string{"extract", svgPath}, exitInvalid, "no baked credential"},
		{"extract a corrupt png", []string{"extract", corruptPath}, exitInvalid, "malformed"},
		{"extract a truncated png", []string{"extract", truncPath}, exitInvalid, "truncated"},
		{"extract a gif", []string{"extract", gif}, exitInvalid, "neither"},
		{"extract an svg with two credentials", []string{"extract", twoSVG}, exitInvalid, "more than one baked credential"},
		{"extract a png with two credential chunks", []string{"extract", twoPNGPath}, exitInvalid, "more than one baked credential"},
		{"verify an svg with two credentials", []string{"verify", twoSVG}, exitInvalid, ""},
		{"verify a png with two credential chunks", []string{"verify", twoPNGPath}, exitInvalid, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, errOut := runKeys(t, "", tc.args...)
			if code != tc.want || !strings.Contains(errOut, tc.msg) {
				t.Fatalf("exit %d, want %d; stderr %q lacks %q", code, tc.want, errOut, tc.msg)
			}
			if stdout != "" && tc.args[0] == "extract" {
				t.Fatalf("extract printed %q on failure", stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("a failed bake left %s behind", out)
			}
		})
	}
}

func TestBakeHelp(t *testing.T) {
	for _, args := range [][]string{{"bake", "--help"}, {"extract", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, _ := runKeys(t, "", args...)
			if code != exitOK || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--out") {
				t.Errorf("exit %d, output:\n%s", code, out)
			}
		})
	}
}

package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/verifier"
)

// statusJS runs `node statuslist.mjs op` with req on stdin and decodes its
// answer into out.
func statusJS(t *testing.T, node, op string, req, out any) {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "statuslist.mjs", op)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("statuslist.mjs %s: %v\n%s", op, err, stderr.String())
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("statuslist.mjs %s printed %q: %v", op, b, err)
	}
}

type jsDecoded struct {
	Length int    `json:"length"`
	Bits   []bool `json:"bits"`
}

type jsStatus struct {
	Verified bool   `json:"verified"`
	Revoked  bool   `json:"revoked"`
	Statuses []bool `json:"statuses"`
	Error    string `json:"error"`
}

// verdict is one implementation's answer about a credential's status.
type verdict string

const (
	verdictValid    verdict = "not revoked"
	verdictRevoked  verdict = "revoked"
	verdictRejected verdict = "status could not be accepted"
)

func (s jsStatus) verdict() verdict {
	switch {
	case !s.Verified:
		return verdictRejected
	case s.Revoked:
		return verdictRevoked
	}
	return verdictValid
}

// probeIndices cover both ends of the list, byte boundaries and the middle.
var probeIndices = []int{0, 1, 2, 7, 8, 9, 1000, 65535, 65536, 65537, status.MinEntries - 2, status.MinEntries - 1}

// listCredential wraps an encodedList in an unsigned
// BitstringStatusListCredential of s's.
func listCredential(s signer, listURL, encoded string) map[string]any {
	return map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2"},
		"id":        listURL,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    s.did,
		"validFrom": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id":            listURL + "#list",
			"type":          "BitstringStatusList",
			"statusPurpose": "revocation",
			"encodedList":   encoded,
		},
	}
}

func goSign(t *testing.T, s signer, doc map[string]any) map[string]any {
	t.Helper()
	signed, err := proof.Sign(context.Background(), doc, s.kp.Private, proof.SignOptions{
		VerificationMethod: s.vm, Created: time.Now().UTC().Add(-time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// credentialAt is a badgesmith-issued credential of s's whose revocation
// entry points at index of listURL.
func credentialAt(t *testing.T, s signer, listURL string, index int) map[string]any {
	t.Helper()
	doc, err := newIssuer(t, s, proof.EddsaRdfc2022).Build(issuer.Request{
		Achievement: loadJSON(t, "achievement.json"), Subject: loadJSON(t, "subject.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	doc["credentialStatus"] = map[string]any{
		"id":                   listURL + "#" + strconv.Itoa(index),
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        "revocation",
		"statusListIndex":      strconv.Itoa(index),
		"statusListCredential": listURL,
	}
	return goSign(t, s, doc)
}

// goVerdict verifies cred with badgesmith, reading listVC from a status
// directory and never touching the network.
func goVerdict(t *testing.T, cred, listVC map[string]any, listURL string) verdict {
	t.Helper()
	dir := t.TempDir()
	b, err := json.Marshal(listVC)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(listURL)), b, 0o644); err != nil {
		t.Fatal(err)
	}
	offline := &http.Client{Transport: refuseAll{}}
	v, err := verifier.New(verifier.Options{StatusDir: dir, HTTPClient: offline})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(cred)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(context.Background(), data)
	st := res.Check(verifier.CheckStatus)
	var ve *verifier.VerificationError
	switch {
	case err == nil:
		return verdictValid
	case errors.As(err, &ve) && res.Failed().Check == verifier.CheckStatus:
		if strings.HasPrefix(st.Reason, "revoked (list "+listURL+", index "+cred["credentialStatus"].(map[string]any)["statusListIndex"].(string)+", signed by ") {
			return verdictRevoked
		}
		return verdictRejected
	case res.Verdict == verifier.VerdictCouldNotCheck && res.Decision == verifier.CheckStatus:
		// A list whose own proof fails cannot be used
		// (STATUS_VERIFICATION_ERROR), as the JavaScript stack reports.
		return verdictRejected
	}
	t.Fatalf("badgesmith: err = %v, checks %+v", err, res.Checks)
	return ""
}

type refuseAll struct{}

func (refuseAll) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, errors.New("interop status tests are offline: " + r.URL.String())
}

// A list made and signed by badgesmith reads the same in the reference
// library, bit for bit and verdict for verdict.
func TestStatusListBadgesmithToJavaScript(t *testing.T) {
	node := requireNode(t)
	s := newSigner(t)
	const listURL = "https://status.example.org/lists/go-made"
	l, err := status.New(status.MinEntries, 1)
	if err != nil {
		t.Fatal(err)
	}
	set := map[int]bool{0: true, 7: true, 65536: true, status.MinEntries - 1: true}
	for i := range set {
		if err := l.Set(i, 1); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var dec jsDecoded
	statusJS(t, node, "decode", map[string]any{"encodedList": enc, "indices": probeIndices}, &dec)
	if dec.Length != status.MinEntries {
		t.Errorf("javascript reads %d entries, want %d", dec.Length, status.MinEntries)
	}
	for i, idx := range probeIndices {
		if i >= len(dec.Bits) || dec.Bits[i] != set[idx] {
			t.Errorf("index %d: javascript reads %v, badgesmith set %v", idx, dec.Bits, set[idx])
		}
	}

	listVC := goSign(t, s, listCredential(s, listURL, enc))
	tampered := clone(t, listVC)
	tampered["credentialSubject"].(map[string]any)["encodedList"] = emptyList(t)
	for _, tc := range []struct {
		name  string
		index int
		list  map[string]any
		want  verdict
	}{
		{"set bit", 7, listVC, verdictRevoked},
		{"first index", 0, listVC, verdictRevoked},
		{"last index", status.MinEntries - 1, listVC, verdictRevoked},
		{"unset bit", 8, listVC, verdictValid},
		{"unset bit before the last", status.MinEntries - 2, listVC, verdictValid},
		{"tampered list", 7, tampered, verdictRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred := credentialAt(t, s, listURL, tc.index)
			var js jsStatus
			statusJS(t, node, "check", map[string]any{"credential": cred, "lists": map[string]any{listURL: tc.list}}, &js)
			t.Logf("javascript: %+v", js)
			if got := js.verdict(); got != tc.want {
				t.Errorf("javascript: %s (%+v), want %s", got, js, tc.want)
			}
			if got := goVerdict(t, cred, tc.list, listURL); got != tc.want {
				t.Errorf("badgesmith: %s, want %s", got, tc.want)
			}
		})
	}
}

func emptyList(t *testing.T) string {
	t.Helper()
	l, err := status.New(status.MinEntries, 1)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := l.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

type jsCreated struct {
	EncodedList string         `json:"encodedList"`
	Credential  map[string]any `json:"credential"`
}

// A list made by the reference library, signed there or by badgesmith,
// reads the same in badgesmith.
func TestStatusListJavaScriptToBadgesmith(t *testing.T) {
	node := requireNode(t)
	s := newSigner(t)
	const listURL = "https://status.example.org/lists/js-made"
	setIdx := []int{0, 3, 65537, status.MinEntries - 1}
	set := map[int]bool{}
	for _, i := range setIdx {
		set[i] = true
	}
	var made jsCreated
	statusJS(t, node, "create", map[string]any{
		"length": status.MinEntries, "set": setIdx, "id": listURL, "statusPurpose": "revocation",
		"issuer": s.did, "validFrom": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339),
		"sign": map[string]any{"secret": s.secret, "vm": s.vm, "created": time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)},
	}, &made)

	l, err := status.Decode(made.EncodedList, 1, status.DecodeOptions{})
	if err != nil {
		t.Fatalf("badgesmith cannot decode the javascript list: %v", err)
	}
	if l.Len() != status.MinEntries {
		t.Errorf("badgesmith reads %d entries, want %d", l.Len(), status.MinEntries)
	}
	for _, idx := range probeIndices {
		v, err := l.Get(idx)
		if err != nil {
			t.Fatal(err)
		}
		if (v == 1) != set[idx] {
			t.Errorf("index %d: badgesmith reads %d, javascript set %v", idx, v, set[idx])
		}
	}

	// The same list left unsigned by JavaScript and signed by badgesmith.
	unsignedJS := clone(t, made.Credential)
	delete(unsignedJS, "proof")
	goSigned := goSign(t, s, unsignedJS)
	for _, signedBy := range []struct {
		name string
		list map[string]any
	}{{"signed in javascript", made.Credential}, {"signed by badgesmith", goSigned}} {
		for _, tc := range []struct {
			index int
			want  verdict
		}{{3, verdictRevoked}, {0, verdictRevoked}, {status.MinEntries - 1, verdictRevoked}, {4, verdictValid}, {status.MinEntries - 2, verdictValid}} {
			t.Run(signedBy.name+"/index "+strconv.Itoa(tc.index), func(t *testing.T) {
				cred := credentialAt(t, s, listURL, tc.index)
				if got := goVerdict(t, cred, signedBy.list, listURL); got != tc.want {
					t.Errorf("badgesmith: %s, want %s", got, tc.want)
				}
				var js jsStatus
				statusJS(t, node, "check", map[string]any{"credential": cred, "lists": map[string]any{listURL: signedBy.list}}, &js)
				if got := js.verdict(); got != tc.want {
					t.Errorf("javascript: %s (%+v), want %s", got, js, tc.want)
				}
			})
		}
	}
}

package verifier_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/proof"
	"github.com/badgesmith/badgesmith/verifier"
)

// TestTextReplacedByDecoders: a credential signed with a name holding
// U+FFFD (or another rune) must not verify with that text rewritten as a
// byte that is not UTF-8 or as a lone surrogate escape, which the JSON
// decoder would read back as the same U+FFFD: one signature would then
// cover documents of different bytes. The same rune written as its
// escape is the same JSON text and still verifies.
func TestTextReplacedByDecoders(t *testing.T) {
	k := newKey(t, 252)
	v, err := verifier.New(verifier.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	signedWith := func(name string) []byte {
		d := unsigned(t, k)
		d["name"] = name
		return encode(t, sign(t, d, k.priv, k.vm, proof.EddsaRdfc2022))
	}
	replacement := signedWith("Caf\uFFFD analysis")
	emoji := signedWith("Caf\U0001F600 analysis")
	swap := func(data []byte, old, repl string) []byte {
		t.Helper()
		if bytes.Count(data, []byte(old)) != 1 {
			t.Fatalf("%q is not in the document once", old)
		}
		return bytes.Replace(data, []byte(old), []byte(repl), 1)
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		want   outcome
		reason string
	}{
		{"control: signed U+FFFD", replacement, wantValid, ""},
		{"control: U+FFFD as its escape", swap(replacement, "\uFFFD", `\ufffd`), wantValid, ""},
		{"control: U+FFFD as an upper-case escape", swap(replacement, "\uFFFD", `\uFFFD`), wantValid, ""},
		{"control: signed emoji", emoji, wantValid, ""},
		{"control: emoji as a surrogate pair", swap(emoji, "\U0001F600", `\ud83d\ude00`), wantValid, ""},
		{"control: a backslash before u in the text", signedWith(`C:\ud800 analysis`), wantValid, ""},
		{"byte 0xff for U+FFFD", swap(replacement, "\uFFFD", "\xff"), wantFail, "byte 0xff at line 1"},
		{"truncated rune for U+FFFD", swap(replacement, "\uFFFD", "\xef\xbf"), wantFail, "is not UTF-8"},
		{"overlong encoding", swap(replacement, "\uFFFD", "\xc0\xaf"), wantFail, "byte 0xc0"},
		{"encoded surrogate", swap(replacement, "\uFFFD", "\xed\xa0\x80"), wantFail, "byte 0xed"},
		{"lone high surrogate", swap(replacement, "\uFFFD", `\ud800`), wantFail, `the escape \ud800 at line 1`},
		{"lone low surrogate", swap(replacement, "\uFFFD", `\uDC00`), wantFail, "lone UTF-16 surrogate"},
		{"high surrogate then a letter", swap(replacement, "\uFFFD", `\ud83dx`), wantFail, "lone UTF-16 surrogate"},
		{"high surrogate then another high", swap(replacement, "\uFFFD", `\ud83d\ud83d`), wantFail, "lone UTF-16 surrogate"},
		{"reversed pair", swap(emoji, "\U0001F600", `\ude00\ud83d`), wantFail, "lone UTF-16 surrogate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := v.Verify(context.Background(), tc.data)
			if got := rtVerdict(t, res, err); got != tc.want {
				t.Fatalf("verdict %s, want %s: %v %+v", got, tc.want, err, res.Checks)
			}
			if tc.reason == "" {
				return
			}
			c := res.Check(verifier.CheckParse)
			if c == nil || c.Status != verifier.StatusFail || !strings.Contains(c.Reason, tc.reason) {
				t.Fatalf("parse check %+v, want a failure saying %q", c, tc.reason)
			}
		})
	}
}

package issuer

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
	"github.com/badgesmith/badgesmith/internal/testkit"
)

// rowIssuer returns an issuer and a request like a batch row's: the
// bench's achievement and issuer profile, a hashed email recipient and a
// result.
func rowIssuer(tb testing.TB) (*Issuer, Request) {
	tb.Helper()
	k := testkit.Ed25519(tb, 7)
	s, err := NewSigner(k.Private, SignerOptions{Identity: Identity{ID: k.DID, VerificationMethod: k.VM}})
	if err != nil {
		tb.Fatal(err)
	}
	is, err := New(Config{
		Profile: testkit.ReadJSON(tb, filepath.Join("..", "testdata", "issuer.json")),
		Signer:  s,
		Now:     func() time.Time { return time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC) },
	})
	if err != nil {
		tb.Fatal(err)
	}
	ach := testkit.ReadJSON(tb, filepath.Join("..", "testdata", "achievement.json"))
	rd, _ := ach["resultDescription"].([]any)
	rdID, _ := rd[0].(map[string]any)["id"].(string)
	req := Request{
		Achievement:    ach,
		RecipientEmail: "learner7@example.edu",
		Subject: map[string]any{"result": []any{map[string]any{
			"type": []any{"Result"}, "resultDescription": rdID, "value": "B",
		}}},
	}
	return is, req
}

// BenchmarkBatchRow times the parts of a batch row's work on one core:
// building and checking the credential, signing it, and encoding it.
func BenchmarkBatchRow(b *testing.B) {
	is, req := rowIssuer(b)
	ctx := context.Background()
	cred, err := is.Build(req)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := is.Build(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build-batch", func(b *testing.B) {
		rc, err := newRowChecker(is)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rc.build(req); err != nil {
				b.Fatal(err)
			}
		}
		if rc.byParts.Load() == 0 {
			b.Fatal("no row checked by its parts")
		}
	})
	b.Run("sign", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := is.signDI(ctx, cred, is.cfg.Signer.format, is.cfg.Signer.identity, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	signed, err := is.signDI(ctx, cred, is.cfg.Signer.format, is.cfg.Signer.identity, false)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("indent/encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.MarshalIndent(signed.Document, "", "  "); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("indent/issuer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jsonvalue.MarshalIndent(signed.Document); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compact/encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(cred); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compact/issuer", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jsonvalue.Marshal(cred); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		raw, _ := json.Marshal(cred)
		b.ReportAllocs()
		for b.Loop() {
			if err := validate(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}

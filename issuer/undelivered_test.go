package issuer_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/store"
)

// TestIssueUndeliveredRetry: a stored credential is recorded undelivered
// until Delivered; a retry of the same request reuses its record and
// entries, and nothing else can.
func TestIssueUndeliveredRetry(t *testing.T) {
	ctx := context.Background()
	const id = "urn:uuid:5b8e2f4c-1d3a-4c6b-9e7f-0a1b2c3d4e5f"
	type attempt struct {
		name    string
		req     func(r issuer.Request) issuer.Request
		jwt     bool
		wantErr error // nil: a retry that reuses the entries
	}
	base := func(t *testing.T) issuer.Request {
		return issuer.Request{ID: id, Achievement: readTestdata(t, "achievement.json"), RecipientEmail: "learner@example.com"}
	}
	tests := []attempt{
		{name: "same request", req: func(r issuer.Request) issuer.Request { return r }},
		{name: "same request as a JWT", jwt: true, req: func(r issuer.Request) issuer.Request { return r }},
		{name: "same request, email spelled with spaces", req: func(r issuer.Request) issuer.Request { r.RecipientEmail = " learner@example.com "; return r }},
		{name: "another recipient", req: func(r issuer.Request) issuer.Request { r.RecipientEmail = "mallory@example.com"; return r }, wantErr: issuer.ErrAlreadyIssued},
		{name: "a subject instead of the email", req: func(r issuer.Request) issuer.Request {
			r.RecipientEmail, r.Subject = "", map[string]any{"id": "did:example:mallory"}
			return r
		}, wantErr: issuer.ErrAlreadyIssued},
		{name: "another achievement", req: func(r issuer.Request) issuer.Request {
			a := readTestdata(t, "achievement.json")
			a["id"] = "https://example.edu/achievements/other"
			r.Achievement = a
			return r
		}, wantErr: issuer.ErrAlreadyIssued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newStatusIssuer(t, nil, nil)
			first, err := f.is.Issue(ctx, base(t))
			if err != nil {
				t.Fatal(err)
			}
			rec, err := f.db.GetCredential(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !rec.Undelivered || rec.RecipientSalt == "" {
				t.Fatalf("a fresh record is not undelivered with its salt: %+v", rec)
			}
			lists, _ := f.db.Lists(ctx, "")
			allocated := lists[0].Allocated

			// The file could not be written; the request is tried again.
			var doc map[string]any
			req := tt.req(base(t))
			if tt.jwt {
				// The same issuer (key, identity, store) signing JWTs.
				jf := newStatusIssuer(t, f.db, func(c *issuer.Config) {
					c.Signer = signerOf(t, f.kp.Private, f.id, f.vm, issuer.VCJWT)
				})
				var tok *issuer.Credential
				tok, err = jf.is.Issue(ctx, req)
				if tok != nil {
					doc = tok.Document
				}
			} else {
				var c *issuer.Credential
				c, err = f.is.Issue(ctx, req)
				if c != nil {
					doc = c.Document
				}
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !errors.Is(err, store.ErrExists) {
					t.Fatalf("retry err = %v, want %v", err, tt.wantErr)
				}
				after, _ := f.db.GetCredential(ctx, id)
				if !after.Equal(rec) {
					t.Errorf("a refused retry changed the record: %+v", after)
				}
			} else {
				if err != nil {
					t.Fatalf("retry: %v", err)
				}
				after, err := f.db.GetCredential(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(after.Status, rec.Status) || after.Recipient != rec.Recipient || !after.Undelivered {
					t.Errorf("retry record %+v, want the entries and recipient of %+v, undelivered", after, rec)
				}
				if got := entries(t, doc); len(got) != 1 || got[0].StatusListIndex != rec.Status[0].Index {
					t.Errorf("retried credential's entries %+v, want index %d", got, rec.Status[0].Index)
				}
				if hashOf(t, doc) != hashOf(t, first.Document) {
					t.Errorf("retried credential names another recipient hash")
				}
			}
			lists, _ = f.db.Lists(ctx, "")
			if lists[0].Allocated != allocated {
				t.Errorf("the retry allocated %d more entries", lists[0].Allocated-allocated)
			}

			// Once delivered, no retry is accepted.
			if err := f.is.Delivered(ctx, id); err != nil {
				t.Fatal(err)
			}
			if rec, _ := f.db.GetCredential(ctx, id); rec.Undelivered {
				t.Fatal("Delivered left the record undelivered")
			}
			if _, err := f.is.Issue(ctx, base(t)); !errors.Is(err, issuer.ErrAlreadyIssued) {
				t.Fatalf("retry after delivery: %v, want ErrAlreadyIssued", err)
			}
		})
	}
}

// TestIssueUndeliveredEntriesNeverMove: other credentials issued while one
// is undelivered never get its entries.
func TestIssueUndeliveredEntriesNeverMove(t *testing.T) {
	ctx := context.Background()
	f := newStatusIssuer(t, nil, func(c *issuer.Config) { c.Suspension = true })
	held, err := f.is.Issue(ctx, issuer.Request{ID: "urn:example:held", Achievement: readTestdata(t, "achievement.json"), Subject: readTestdata(t, "subject.json")})
	if err != nil {
		t.Fatal(err)
	}
	heldRec, _ := f.db.GetCredential(ctx, held.ID)
	for range 20 {
		c := f.issue(t)
		rec, err := f.db.GetCredential(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rec.Status {
			if slices.Contains(heldRec.Status, s) {
				t.Fatalf("credential %s got entry %+v of the undelivered %s", c.ID, s, held.ID)
			}
		}
	}
	// A retry under an issuer configured with other purposes is refused.
	g := newStatusIssuer(t, f.db, nil)
	if _, err := g.is.Issue(ctx, issuer.Request{ID: "urn:example:held", Achievement: readTestdata(t, "achievement.json"), Subject: readTestdata(t, "subject.json")}); !errors.Is(err, issuer.ErrInvalidInput) {
		t.Fatalf("retry with other purposes: %v, want ErrInvalidInput", err)
	}
}

// hashOf returns the identity hash of the credential's first identifier.
func hashOf(t *testing.T, doc map[string]any) string {
	t.Helper()
	subject, _ := doc["credentialSubject"].(map[string]any)
	idents, _ := subject["identifier"].([]any)
	if len(idents) == 0 {
		return ""
	}
	h, _ := idents[0].(map[string]any)["identityHash"].(string)
	return h
}

// TestDeliver: a credential whose delivery fails stays recorded
// undelivered and the same request retries it; once delivered, no retry
// is accepted.
func TestDeliver(t *testing.T) {
	ctx := context.Background()
	f := newStatusIssuer(t, nil, nil)
	req := issuer.Request{ID: "urn:uuid:0f2c9a54-8f4e-4b8e-9c1d-2a3b4c5d6e7f", Achievement: readTestdata(t, "achievement.json"), RecipientEmail: "learner@example.com"}
	boom := errors.New("disk full")
	_, err := f.is.Deliver(ctx, req, func(*issuer.Credential) error { return boom })
	var ue *issuer.UndeliveredError
	if !errors.As(err, &ue) || !ue.Recorded || ue.CredentialID != req.ID || !errors.Is(err, boom) {
		t.Fatalf("failed delivery: err = %v, want an UndeliveredError for %s wrapping the cause", err, req.ID)
	}
	if rec, err := f.db.GetCredential(ctx, req.ID); err != nil || !rec.Undelivered {
		t.Fatalf("record %+v, %v: want it undelivered", rec, err)
	}
	var got []byte
	cred, err := f.is.Deliver(ctx, req, func(c *issuer.Credential) error { got = c.Bytes(); return nil })
	if err != nil || cred.ID != req.ID || !bytes.Equal(got, cred.JSON) {
		t.Fatalf("retry: %v, %v", cred, err)
	}
	if rec, err := f.db.GetCredential(ctx, req.ID); err != nil || rec.Undelivered {
		t.Fatalf("record %+v, %v: want it delivered", rec, err)
	}
	if _, err := f.is.Deliver(ctx, req, func(*issuer.Credential) error { return nil }); !errors.Is(err, issuer.ErrAlreadyIssued) {
		t.Fatalf("after delivery: err = %v, want ErrAlreadyIssued", err)
	}
}

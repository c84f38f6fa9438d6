package bake_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgesmith/badgesmith/bake"
)

func TestCodec(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name    string
		img     []byte
		limits  bake.Limits
		ext     string
		wantErr error
	}{
		{"png", read("badge.png"), bake.Limits{}, ".png", nil},
		{"svg", read("badge.svg"), bake.Limits{}, ".svg", nil},
		{"json is no image", []byte(sampleJSON), bake.Limits{}, "", bake.ErrMalformedImage},
		{"image over the limit", read("badge.png"), bake.Limits{MaxImageSize: 10}, "", bake.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := bake.NewCodec(tt.img, tt.limits)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Ext() != tt.ext {
				t.Errorf("ext %q, want %q", c.Ext(), tt.ext)
			}
			for _, cred := range []string{sampleJSON + "\n", sampleJWS()} {
				file, err := c.Encode([]byte(cred))
				if err != nil {
					t.Fatal(err)
				}
				if bake.Detect(file).String() != tt.name {
					t.Errorf("encoded as %s", bake.Detect(file))
				}
				got, err := c.Decode(file)
				if err != nil {
					t.Fatal(err)
				}
				if want := bytes.TrimSpace([]byte(cred)); !bytes.Equal(got, want) {
					t.Errorf("decoded %q, want %q", got, want)
				}
			}
		})
	}
}

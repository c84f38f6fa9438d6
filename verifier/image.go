package verifier

import (
	"fmt"

	"github.com/badgesmith/badgesmith/bake"
	"github.com/badgesmith/badgesmith/ob3"
)

// DefaultMaxImageSize is the largest baked image Verify reads when
// Options.MaxImageSize is zero.
const DefaultMaxImageSize = bake.DefaultMaxImageSize

// Sources of the credential Verify read, as extractCredential names them.
const (
	sourcePNG = "png"
	sourceSVG = "svg"
)

func (v *Verifier) imageLimits() bake.Limits {
	limit := v.maxImageSize
	if limit == 0 {
		limit = DefaultMaxImageSize
	}
	// The credential bound doubles as the decompression cap for a
	// compressed PNG chunk, so a zlib bomb costs at most MaxSize.
	return bake.Limits{MaxImageSize: limit, MaxCredentialSize: v.maxSize}
}

// extractCredential returns the credential in data: data itself for a JSON
// document or a compact JWS (source "json" or "jws"), the credential baked
// into a PNG or SVG image (source "png" or "svg"), and data unchanged with
// an empty source for anything else, which the JSON parser then rejects.
func (v *Verifier) extractCredential(data []byte) (payload []byte, source string, err error) {
	switch f := bake.Detect(data); f {
	case bake.FormatPNG, bake.FormatSVG:
		payload, _, err := v.imageLimits().Extract(data)
		if err != nil {
			return nil, f.String(), fmt.Errorf("reading the credential baked into the %s image: %w", f, err)
		}
		return payload, f.String(), nil
	case bake.FormatJSON, bake.FormatJWS:
		return data, f.String(), nil
	}
	return data, "", nil
}

// parseInput runs the parse check on any input Verify accepts: a JSON
// credential, or a PNG or SVG image with one baked in. payload is the
// credential's own bytes, which the later checks read.
func (v *Verifier) parseInput(r *report, data []byte) (cred map[string]any, doc *ob3.Document, payload []byte, ok bool) {
	payload, source, err := v.extractCredential(data)
	if err != nil {
		r.fail(CheckParse, "", err.Error())
		return nil, nil, nil, false
	}
	if bake.Detect(payload) == bake.FormatJWS {
		r.fail(CheckParse, "", "the image holds something that looks like a JWS but is not a compact JWS")
		return nil, nil, nil, false
	}
	cred, doc, ok = v.parse(r, payload)
	if source == sourcePNG || source == sourceSVG {
		if c := r.res.Check(CheckParse); c != nil {
			c.Reason += fmt.Sprintf(" (baked into a %d-byte %s image)", len(data), source)
		}
	}
	return cred, doc, payload, ok
}

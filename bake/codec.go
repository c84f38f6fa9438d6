package bake

import (
	"bytes"
	"fmt"
)

// Codec writes credentials baked into copies of one badge image and reads
// them back: the output form of a batch that hands out baked badges.
type Codec struct {
	img    []byte
	format Format
	limits Limits
}

// NewCodec returns the codec baking into img, a PNG or SVG image, with
// limits. An image of another kind is refused with ErrMalformedImage.
func NewCodec(img []byte, limits Limits) (*Codec, error) {
	f := Detect(img)
	if f != FormatPNG && f != FormatSVG {
		return nil, fmt.Errorf("%w: neither a png nor an svg image", ErrMalformedImage)
	}
	if err := limits.checkImage(f.String(), img); err != nil {
		return nil, err
	}
	return &Codec{img: bytes.Clone(img), format: f, limits: limits}, nil
}

// Ext returns the file name extension of the baked images, with its dot:
// ".png" or ".svg".
func (c *Codec) Ext() string {
	if c.format == FormatSVG {
		return ".svg"
	}
	return ".png"
}

// Encode returns a copy of the image with cred (a JSON credential or a
// compact JWS) baked in.
func (c *Codec) Encode(cred []byte) ([]byte, error) {
	out, _, err := c.limits.Bake(c.img, cred)
	return out, err
}

// Decode returns the credential an image baked by Encode carries, without
// surrounding white space.
func (c *Codec) Decode(file []byte) ([]byte, error) {
	cred, _, err := c.limits.Extract(file)
	return bytes.TrimSpace(cred), err
}

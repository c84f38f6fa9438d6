package bake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// DefaultMaxImageSize is the largest image read or baked when
// Limits.MaxImageSize is zero.
const DefaultMaxImageSize = 16 << 20

// DefaultMaxCredentialSize is the largest credential baked or extracted
// (after decompression) when Limits.MaxCredentialSize is zero.
const DefaultMaxCredentialSize = 16 << 20

// Namespaces of the SVG credential element.
const (
	// NamespaceOB is the Open Badges 3.0 baking namespace.
	NamespaceOB = "https://purl.imsglobal.org/ob/v3p0"
	// NamespaceCLR is the namespace the 1EdTech validator reads for CLR 2.0.
	NamespaceCLR = "https://purl.imsglobal.org/clr/v2p0"
)

// Keyword is the PNG iTXt keyword of a baked credential.
const Keyword = "openbadgecredential"

var (
	// ErrNotBaked means the image is well formed but carries no credential.
	ErrNotBaked = errors.New("image carries no baked credential")
	// ErrMalformedImage means the image is not a well-formed PNG or SVG, or
	// its credential chunk or element is malformed.
	ErrMalformedImage = errors.New("malformed image")
	// ErrDuplicateCredential means the image carries more than one baked
	// credential: two openbadgecredential chunks or two credential
	// elements. Which one is "the" credential would depend on the reader,
	// so none is. It wraps ErrMalformedImage.
	ErrDuplicateCredential = fmt.Errorf("%w: more than one baked credential", ErrMalformedImage)
	// ErrTooLarge means the image or the credential is over its limit.
	ErrTooLarge = errors.New("too large")
	// ErrInvalidCredential means the data to bake is neither a JSON object
	// nor a compact JWS.
	ErrInvalidCredential = errors.New("credential is neither a json object nor a compact jws")
)

// Format is what Detect recognises.
type Format int

// Formats Detect tells apart.
const (
	FormatUnknown Format = iota
	FormatPNG
	FormatSVG
	FormatJSON
	FormatJWS
)

// String returns the lower-case name of f: "png", "svg", "json", "jws" or
// "unknown".
func (f Format) String() string {
	switch f {
	case FormatPNG:
		return "png"
	case FormatSVG:
		return "svg"
	case FormatJSON:
		return "json"
	case FormatJWS:
		return "jws"
	}
	return "unknown"
}

var (
	pngSignature = []byte("\x89PNG\r\n\x1a\n")
	utf8BOM      = []byte("\xef\xbb\xbf")
)

// Detect sniffs data: a PNG by its signature, an SVG by a leading '<' and an
// svg element, JSON by a leading '{', and a compact JWS by its three
// base64url segments whose first decodes to a JSON object. Leading white
// space and a UTF-8 byte order mark are skipped. Detect does not validate
// the whole document.
func Detect(data []byte) Format {
	if bytes.HasPrefix(data, pngSignature) {
		return FormatPNG
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
	switch {
	case len(t) == 0:
		return FormatUnknown
	case t[0] == '{':
		return FormatJSON
	case t[0] == '<':
		// The root may follow an XML declaration, comments and a DOCTYPE,
		// so look for the element anywhere; ExtractSVG checks the root.
		if bytes.Contains(t, []byte("<svg")) || bytes.Contains(t, []byte(":svg")) {
			return FormatSVG
		}
		return FormatUnknown
	}
	if isCompactJWS(bytes.TrimRight(t, " \t\r\n")) {
		return FormatJWS
	}
	return FormatUnknown
}

// isCompactJWS reports whether s is header.payload.signature in base64url
// without padding, with a non-empty header that decodes to a JSON object and
// a non-empty payload.
func isCompactJWS(s []byte) bool {
	if bytes.Count(s, []byte(".")) != 2 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	parts := bytes.SplitN(s, []byte("."), 3)
	if len(parts[0]) == 0 || len(parts[1]) == 0 {
		return false
	}
	// Only the start of the header is needed to see a JSON object.
	head := parts[0]
	if len(head) > 64 {
		head = head[:64]
	}
	if len(head)%4 == 1 {
		head = head[:len(head)-1]
	}
	dec, err := base64.RawURLEncoding.DecodeString(string(head))
	if err != nil {
		return false
	}
	dec = bytes.TrimLeft(dec, " \t\r\n")
	return len(dec) > 0 && dec[0] == '{'
}

// Limits bounds what the baking functions read and write. The zero value
// uses the defaults; the package-level functions use the zero value.
type Limits struct {
	// MaxImageSize bounds the image in bytes. If zero or negative,
	// DefaultMaxImageSize.
	MaxImageSize int64
	// MaxCredentialSize bounds the credential in bytes, after
	// decompression for a compressed PNG chunk. If zero or negative,
	// DefaultMaxCredentialSize.
	MaxCredentialSize int64
}

func (l Limits) maxImage() int64 {
	if l.MaxImageSize <= 0 {
		return DefaultMaxImageSize
	}
	return l.MaxImageSize
}

func (l Limits) maxCredential() int64 {
	if l.MaxCredentialSize <= 0 {
		return DefaultMaxCredentialSize
	}
	return l.MaxCredentialSize
}

func (l Limits) checkImage(kind string, img []byte) error {
	if int64(len(img)) > l.maxImage() {
		return fmt.Errorf("%s image is %d bytes, over the %d-byte limit: %w", kind, len(img), l.maxImage(), ErrTooLarge)
	}
	return nil
}

func (l Limits) checkCredential(n int) error {
	if int64(n) > l.maxCredential() {
		return fmt.Errorf("credential is over the %d-byte limit: %w", l.maxCredential(), ErrTooLarge)
	}
	return nil
}

// credential classifies and checks a credential to bake, returning it
// without surrounding white space.
func (l Limits) credential(cred []byte) ([]byte, Format, error) {
	c := bytes.TrimSpace(bytes.TrimPrefix(cred, utf8BOM))
	if err := l.checkCredential(len(c)); err != nil {
		return nil, FormatUnknown, err
	}
	switch {
	case len(c) > 0 && c[0] == '{':
		if !utf8.Valid(c) {
			return nil, FormatUnknown, fmt.Errorf("%w: json credential is not valid UTF-8", ErrInvalidCredential)
		}
		if !json.Valid(c) {
			return nil, FormatUnknown, fmt.Errorf("%w: json credential is malformed", ErrInvalidCredential)
		}
		return c, FormatJSON, nil
	case isCompactJWS(c):
		return c, FormatJWS, nil
	}
	return nil, FormatUnknown, ErrInvalidCredential
}

// Extract reads the credential baked into img, a PNG or SVG image, and
// reports which of the two it was.
func (l Limits) Extract(img []byte) ([]byte, Format, error) {
	switch f := Detect(img); f {
	case FormatPNG:
		c, err := l.ExtractPNG(img)
		return c, f, err
	case FormatSVG:
		c, err := l.ExtractSVG(img)
		return c, f, err
	}
	return nil, FormatUnknown, fmt.Errorf("%w: neither a png nor an svg image", ErrMalformedImage)
}

// Bake embeds cred in img, a PNG or SVG image, choosing by content.
func (l Limits) Bake(img, cred []byte) ([]byte, Format, error) {
	switch f := Detect(img); f {
	case FormatPNG:
		out, err := l.PNG(img, cred)
		return out, f, err
	case FormatSVG:
		out, err := l.SVG(img, cred)
		return out, f, err
	}
	return nil, FormatUnknown, fmt.Errorf("%w: neither a png nor an svg image", ErrMalformedImage)
}

// PNG returns a copy of img with cred baked in, with the default Limits.
func PNG(img, cred []byte) ([]byte, error) { return Limits{}.PNG(img, cred) }

// ExtractPNG returns the credential baked into img, with the default Limits.
func ExtractPNG(img []byte) ([]byte, error) { return Limits{}.ExtractPNG(img) }

// SVG returns a copy of svg with cred baked in, with the default Limits.
func SVG(svg, cred []byte) ([]byte, error) { return Limits{}.SVG(svg, cred) }

// ExtractSVG returns the credential baked into svg, with the default Limits.
func ExtractSVG(svg []byte) ([]byte, error) { return Limits{}.ExtractSVG(svg) }

// Extract reads the credential baked into a PNG or SVG image, with the
// default Limits.
func Extract(img []byte) ([]byte, Format, error) { return Limits{}.Extract(img) }

// Bake embeds cred in a PNG or SVG image, with the default Limits.
func Bake(img, cred []byte) ([]byte, Format, error) { return Limits{}.Bake(img, cred) }

package bake

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// pngChunk locates one chunk inside an image.
type pngChunk struct {
	typ   string
	start int // offset of the length field
	end   int // offset just past the CRC
	data  []byte
}

// maxChunkLength is the PNG limit on a chunk's data length (2^31-1).
const maxChunkLength = 1<<31 - 1

// walkPNG checks the signature and every chunk's structure and CRC, that
// IHDR comes first and IEND last, and calls fn for each chunk in order. It
// checks the whole image before calling fn, so fn never sees a chunk of a
// file that turns out to be truncated or corrupt.
func (l Limits) walkPNG(img []byte, fn func(c pngChunk) error) error {
	if err := l.checkImage("png", img); err != nil {
		return err
	}
	if !bytes.HasPrefix(img, pngSignature) {
		return fmt.Errorf("%w: png signature missing", ErrMalformedImage)
	}
	var chunks []pngChunk
	off := len(pngSignature)
	for {
		if off == len(img) {
			return fmt.Errorf("%w: png ends at byte %d without an IEND chunk (truncated?)", ErrMalformedImage, off)
		}
		if len(img)-off < 12 {
			return fmt.Errorf("%w: png chunk at offset %d is truncated: %d bytes left, a chunk needs at least 12", ErrMalformedImage, off, len(img)-off)
		}
		n := binary.BigEndian.Uint32(img[off:])
		typ := img[off+4 : off+8]
		if !chunkTypeOK(typ) {
			return fmt.Errorf("%w: png chunk at offset %d has an invalid type %q", ErrMalformedImage, off, typ)
		}
		if n > maxChunkLength {
			return fmt.Errorf("%w: png chunk %q at offset %d declares %d bytes, over the 2^31-1 limit", ErrMalformedImage, typ, off, n)
		}
		if int64(n) > int64(len(img)-off-12) {
			return fmt.Errorf("%w: png chunk %q at offset %d declares %d bytes of data, only %d remain", ErrMalformedImage, typ, off, n, len(img)-off-12)
		}
		dataEnd := off + 8 + int(n)
		want := binary.BigEndian.Uint32(img[dataEnd:])
		if got := crc32.ChecksumIEEE(img[off+4 : dataEnd]); got != want {
			return fmt.Errorf("%w: png chunk %q at offset %d: crc is %08x, computed %08x", ErrMalformedImage, typ, off, want, got)
		}
		c := pngChunk{typ: string(typ), start: off, end: dataEnd + 4, data: img[off+8 : dataEnd]}
		switch {
		case len(chunks) == 0 && (c.typ != "IHDR" || n != 13):
			return fmt.Errorf("%w: png must start with a 13-byte IHDR chunk, found %q (%d bytes)", ErrMalformedImage, c.typ, n)
		case len(chunks) > 0 && c.typ == "IHDR":
			return fmt.Errorf("%w: png has a second IHDR chunk at offset %d", ErrMalformedImage, off)
		}
		chunks = append(chunks, c)
		off = c.end
		if c.typ == "IEND" {
			if n != 0 {
				return fmt.Errorf("%w: png IEND chunk at offset %d carries %d bytes of data", ErrMalformedImage, c.start, n)
			}
			if off != len(img) {
				return fmt.Errorf("%w: png has %d bytes after IEND", ErrMalformedImage, len(img)-off)
			}
			break
		}
	}
	for _, c := range chunks {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func chunkTypeOK(t []byte) bool {
	for _, c := range t {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// itxtKeyword returns the keyword of an iTXt chunk's data and the rest
// after its NUL separator. ok is false when there is no NUL within the
// 79-byte keyword limit.
func itxtKeyword(data []byte) (keyword string, rest []byte, ok bool) {
	i := bytes.IndexByte(data[:min(len(data), 80)], 0)
	if i < 1 {
		return "", nil, false
	}
	return string(data[:i]), data[i+1:], true
}

// isCredentialChunk reports whether c is an iTXt chunk with our keyword.
// Other iTXt chunks are not ours to judge, so a malformed one is skipped.
func isCredentialChunk(c pngChunk) bool {
	if c.typ != "iTXt" {
		return false
	}
	kw, _, ok := itxtKeyword(c.data)
	return ok && kw == Keyword
}

// isLatin1CredentialChunk reports whether c is a tEXt or zTXt chunk with
// our keyword: not where a credential is baked, but where a reader that
// does not tell text chunks apart would find one.
func isLatin1CredentialChunk(c pngChunk) bool {
	if c.typ != "tEXt" && c.typ != "zTXt" {
		return false
	}
	kw, _, ok := itxtKeyword(c.data)
	return ok && kw == Keyword
}

// itxtText decodes the text of an openbadgecredential iTXt chunk.
func (l Limits) itxtText(c pngChunk) ([]byte, error) {
	_, rest, _ := itxtKeyword(c.data)
	if len(rest) < 2 {
		return nil, fmt.Errorf("%w: png iTXt chunk at offset %d: truncated after the keyword", ErrMalformedImage, c.start)
	}
	flag, method := rest[0], rest[1]
	rest = rest[2:]
	// Skip the language tag and the translated keyword.
	for _, field := range []string{"language tag", "translated keyword"} {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return nil, fmt.Errorf("%w: png iTXt chunk at offset %d: %s is not terminated", ErrMalformedImage, c.start, field)
		}
		rest = rest[i+1:]
	}
	var text []byte
	switch {
	case flag == 0:
		if err := l.checkCredential(len(rest)); err != nil {
			return nil, fmt.Errorf("png iTXt chunk at offset %d: %w", c.start, err)
		}
		text = bytes.Clone(rest)
	case flag == 1 && method == 0:
		zr, err := zlib.NewReader(bytes.NewReader(rest))
		if err != nil {
			return nil, fmt.Errorf("%w: png iTXt chunk at offset %d: %w", ErrMalformedImage, c.start, err)
		}
		// Read one byte past the limit to tell "at the limit" from a bomb.
		text, err = io.ReadAll(io.LimitReader(zr, l.maxCredential()+1))
		if err != nil {
			return nil, fmt.Errorf("%w: png iTXt chunk at offset %d: decompressing: %w", ErrMalformedImage, c.start, err)
		}
		if err := l.checkCredential(len(text)); err != nil {
			return nil, fmt.Errorf("png iTXt chunk at offset %d: decompressed %w", c.start, err)
		}
	case flag == 1:
		return nil, fmt.Errorf("%w: png iTXt chunk at offset %d: unknown compression method %d", ErrMalformedImage, c.start, method)
	default:
		return nil, fmt.Errorf("%w: png iTXt chunk at offset %d: compression flag %d is neither 0 nor 1", ErrMalformedImage, c.start, flag)
	}
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, fmt.Errorf("%w: png iTXt chunk at offset %d: the credential is empty", ErrMalformedImage, c.start)
	}
	return text, nil
}

// ExtractPNG returns the text of the openbadgecredential iTXt chunk of img:
// a JSON credential or a compact JWS. It checks the whole image first and
// returns ErrNotBaked when no such chunk exists and ErrDuplicateCredential
// when there is more than one.
func (l Limits) ExtractPNG(img []byte) ([]byte, error) {
	var found, latin1 *pngChunk
	err := l.walkPNG(img, func(c pngChunk) error {
		if isLatin1CredentialChunk(c) && latin1 == nil {
			latin1 = &c
		}
		if !isCredentialChunk(c) {
			return nil
		}
		if found != nil {
			return fmt.Errorf("png iTXt chunks at offsets %d and %d: %w", found.start, c.start, ErrDuplicateCredential)
		}
		found = &c
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, ErrNotBaked
	}
	if latin1 != nil {
		// Readers that key text chunks by keyword alone (Pillow's
		// PngImageFile.text, say) show whichever comes last.
		return nil, fmt.Errorf("png iTXt chunk at offset %d and %s chunk at offset %d: %w", found.start, latin1.typ, latin1.start, ErrDuplicateCredential)
	}
	return l.itxtText(*found)
}

// PNG returns a copy of img with cred in an uncompressed
// openbadgecredential iTXt chunk just before IEND. Any existing
// openbadgecredential chunks (tEXt and zTXt too) are removed, so baking again replaces the
// credential. cred must be a JSON object or a compact JWS; surrounding white
// space is dropped.
func (l Limits) PNG(img, cred []byte) ([]byte, error) {
	text, _, err := l.credential(cred)
	if err != nil {
		return nil, err
	}
	// keyword, NUL, flag 0, method 0, empty language tag and translated
	// keyword (each just its NUL), then the text.
	n := len(Keyword) + 5 + len(text)
	if n > maxChunkLength {
		return nil, fmt.Errorf("credential of %d bytes does not fit a png chunk: %w", len(text), ErrTooLarge)
	}
	out := make([]byte, 0, len(img)+12+n)
	out = append(out, pngSignature...)
	err = l.walkPNG(img, func(c pngChunk) error {
		switch {
		case isCredentialChunk(c), isLatin1CredentialChunk(c):
			return nil
		case c.typ == "IEND":
			out = appendITXt(out, text)
		}
		out = append(out, img[c.start:c.end]...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func appendITXt(out, text []byte) []byte {
	n := len(Keyword) + 5 + len(text)
	out = binary.BigEndian.AppendUint32(out, uint32(n)) //nolint:gosec // G115: PNG checked n <= maxChunkLength (2^31-1)
	start := len(out)
	out = append(out, "iTXt"...)
	out = append(out, Keyword...)
	out = append(out, 0, 0, 0, 0, 0)
	out = append(out, text...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

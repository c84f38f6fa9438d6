// Package bake embeds Open Badges 3.0 credentials in images and reads them
// back, as "baking" is defined in Open Badges Specification 3.0 §5.3
// (https://www.imsglobal.org/spec/ob/v3p0/#baking) and reused by Comprehensive
// Learner Record 2.0.
//
// PNG: one iTXt chunk with the keyword "openbadgecredential", compression
// flag 0, method 0, empty language tag and translated keyword, whose text is
// the credential (a JSON object with an embedded proof, or a compact JWS),
// inserted before IEND. Baking again replaces the chunk. Extraction reads the
// first such chunk and also accepts a zlib-compressed one.
//
// SVG: the root <svg> element binds the prefix openbadges to
// https://purl.imsglobal.org/ob/v3p0 and its first child is
// <openbadges:credential>, holding JSON in CDATA or a JWS in its verify
// attribute. Extraction also accepts the CLR 2.0 namespace
// https://purl.imsglobal.org/clr/v2p0, which the 1EdTech validator uses for
// CLR credentials.
//
// Images are hostile input. Every PNG chunk's length and CRC-32 is checked
// before anything is read from it; sizes are bounded (Limits); SVG is read
// with encoding/xml, which never fetches external entities, and a DOCTYPE
// with an internal subset (where entity declarations, and so "billion
// laughs", live) is refused outright. Baking does not verify the credential:
// that is the verifier's job.
package bake

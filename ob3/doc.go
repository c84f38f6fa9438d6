// Package ob3 is the Open Badges 3.0 data model: Go types for
// OpenBadgeCredential (AchievementCredential), EndorsementCredential,
// Profile, Achievement and their parts, a strict parser, data-model
// validation, and JSON Schema validation against embedded schemas.
//
// Specifications:
//   - 1EdTech Open Badges 3.0 (Final, https://www.imsglobal.org/spec/ob/v3p0/):
//     the whole data model, IdentityHash, the AchievementType, IdentifierType,
//     ResultType, AlignmentTargetType and ResultStatusType vocabularies.
//   - W3C Verifiable Credentials Data Model 2.0 for the envelope, and VCDM 1.1
//     (issuanceDate, expirationDate) for legacy OB 3.0 credentials.
//   - 1EdTech Comprehensive Learner Record 2.0, partially: ClrCredential,
//     ClrSubject and Association as types, checked by Validate; there is no
//     embedded CLR schema (1EdTech's was not available to us).
//
// Unknown properties survive a decode and re-encode (each struct keeps them
// in Extra). Property names match exactly, as JSON-LD terms do. Types always
// encodes as an array, the strict schema's form, so a document that used a
// compacted single type is normalised on re-encode.
//
// Parse checks JSON well-formedness, size, duplicate keys and JSON types by
// path; Validate checks the data-model rules, including the one no schema
// can express (a subject needs an id or an identifier); ValidateSchema runs
// the embedded JSON Schemas (draft 2019-09, formats asserted).
//
// The embedded schemas under schema/ were written for this package from the
// OB 3.0 data model and are tested to give the same verdicts as 1EdTech's
// published schemas on the corpus in testdata/corpus, with one deliberate,
// tested difference: extension values ("ext:...") are matched with an
// anchored pattern, ^ext:[A-Za-z0-9._-]+$, where 1EdTech's pattern is
// unanchored and so accepts any string containing "ext:" followed by a
// letter or digit.
package ob3

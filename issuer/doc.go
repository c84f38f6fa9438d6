// Package issuer builds and signs Open Badges 3.0 credentials
// (OpenBadgeCredential, W3C VC Data Model 2.0) for one learner at a time.
//
// A credential gets a urn:uuid id, validFrom, the issuer Profile, the OB 3.0
// credentialSchema, and the contexts in the order OB 3.0 requires (VC 2.0,
// OB 3.0.3, then the OB extensions context that defines
// 1EdTechJsonSchemaValidator2019). It is signed with a Data Integrity proof
// (eddsa-rdfc-2022 by default) and verified again before it is returned, so a
// credential that the issuer hands out has already passed its own checks.
// IssueJWT issues the same credential as an OB 3.0 VC-JWT or a VC-JOSE-COSE
// vc+jwt instead.
package issuer

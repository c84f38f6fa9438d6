// Package issuer builds and signs Open Badges 3.0 credentials
// (OpenBadgeCredential, W3C VC Data Model 2.0): one pipeline for one
// learner (Issue, Deliver) and for batches (NewBatch, Run), in every
// format.
//
// A Signer is built once from a key (NewSigner) or a keyring key
// (RingSigner) with the identity it signs as (its did:key or did:jwk, or a
// did:web DID and the key's fragment) and its Format: a Data Integrity
// suite (by default the one of its key type: eddsa-rdfc-2022 for Ed25519,
// ecdsa-rdfc-2019 for P-256) or a JWT form (the OB 3.0 VC-JWT or a
// VC-JOSE-COSE vc+jwt). A key the format cannot use is refused when the
// signer is built, and a keyring key that is not its group's active key
// (a retired one) by New.
//
// A credential gets a urn:uuid id, validFrom, the issuer Profile, the OB 3.0
// credentialSchema, and the contexts in the order OB 3.0 requires (VC 2.0,
// OB 3.0.3, then the OB extensions context that defines
// 1EdTechJsonSchemaValidator2019). It is signed and verified again before
// it is returned, so a credential that the issuer hands out has already
// passed its own checks. With a store.Store, each credential gets
// Bitstring Status List entries and a durable record, and the issuer
// signs and publishes the status lists, each as the issuer its
// credentials name.
package issuer

package contexts

// URLs of the bundled contexts, as documents name them in @context.
const (
	// CredentialsV2 is the W3C Verifiable Credentials Data Model 2.0 context.
	CredentialsV2 = "https://www.w3.org/ns/credentials/v2"
	// CredentialsV1 is the VCDM 1.1 context, for legacy OB 3.0 credentials.
	CredentialsV1 = "https://www.w3.org/2018/credentials/v1"

	// OBv3p0 is the current Open Badges 3.0 context (version 3.0.3).
	OBv3p0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	// OBv3p0_3_0_2 is the Open Badges 3.0 context version 3.0.2.
	OBv3p0_3_0_2 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
	// OBv3p0_3_0_1 is the Open Badges 3.0 context version 3.0.1.
	OBv3p0_3_0_1 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
	// OBv3p0Unversioned is the original, unversioned Open Badges 3.0 context.
	// It is also served at OBv3p0UnversionedAlias.
	OBv3p0Unversioned = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
	// OBv3p0UnversionedAlias is a second URL some issuers and the 1EdTech
	// validator use for OBv3p0Unversioned.
	OBv3p0UnversionedAlias = "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"
	// OBExtensions is the 1EdTech extensions context defining
	// 1EdTechJsonSchemaValidator2019, 1EdTechRevocationList and
	// 1EdTechCredentialRefresh.
	OBExtensions = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

	// CLRv2p0 is the current Comprehensive Learner Record 2.0 context (2.0.1).
	CLRv2p0 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
	// CLRv2p0Unversioned is the original, unversioned CLR 2.0 context.
	CLRv2p0Unversioned = "https://purl.imsglobal.org/spec/clr/v2p0/context.json"

	// DataIntegrityV2 is the VC Data Integrity 1.0 context.
	DataIntegrityV2 = "https://w3id.org/security/data-integrity/v2"
	// DataIntegrityV1 is the legacy Data Integrity context used by some
	// VCDM 1.1 credentials.
	DataIntegrityV1 = "https://w3id.org/security/data-integrity/v1"
	// MultikeyV1 is the Multikey verification method context.
	MultikeyV1 = "https://w3id.org/security/multikey/v1"
	// Ed25519Signature2020V1 is the Ed25519Signature2020 suite context.
	Ed25519Signature2020V1 = "https://w3id.org/security/suites/ed25519-2020/v1"
	// StatusListV1 is the Bitstring Status List context. Its terms are also in
	// CredentialsV2.
	StatusListV1 = "https://www.w3.org/ns/credentials/status/v1"
	// StatusList2021V1 is the legacy StatusList2021 context.
	StatusList2021V1 = "https://w3id.org/vc/status-list/2021/v1"
	// CIDV1 is the W3C Controlled Identifiers 1.0 context.
	CIDV1 = "https://www.w3.org/ns/cid/v1"
	// JWKV1 is the JsonWebKey verification method context.
	JWKV1 = "https://w3id.org/security/jwk/v1"
)

package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/ob3"
	"github.com/badgesmith/badgesmith/store"
)

// OpenID4VCI credential configurations: one per form badgesmith signs,
// each declaring the format that is actually delivered.
//
// OpenID4VCI 1.0 defines jwt_vc_json (appendix A.1.1) over the VCDM 1.1
// JWT encoding, whose credential travels in a vc claim. Neither of
// badgesmith's JWT forms is that: the OB 3.0 VC-JWT is the VCDM 2.0
// credential itself as the payload with iss, jti, sub, nbf and exp added
// (header typ JWT), and VC-JOSE-COSE is the credential itself as the
// payload (header typ vc+jwt). Declaring jwt_vc_json would make a wallet
// look for a vc claim that is not there, so each gets an identifier of
// its own, documented in the README: vc+jwt is VC-JOSE-COSE's media type
// name; ob_vc_jwt is this project's name for the OB 3.0 VC-JWT. Wallets
// that know neither refuse those offers; the ldp_vc one is standard.
const (
	// configLDP is an Open Badge secured with a Data Integrity proof,
	// which OpenID4VCI calls ldp_vc.
	configLDP = "OpenBadgeCredential_ldp_vc"
	// configOBJWT is the OB 3.0 VC-JWT (issuer.VCJWT).
	configOBJWT = "OpenBadgeCredential_ob_vc_jwt"
	// configJOSE is a VC-JOSE-COSE vc+jwt (issuer.JOSE).
	configJOSE = "OpenBadgeCredential_vc+jwt"
	// formatOBJWT and formatJOSE are the format identifiers of the two.
	formatOBJWT = "ob_vc_jwt"
	formatJOSE  = "vc+jwt"
)

// configFormats maps each configuration to its format identifier.
var configFormats = map[string]string{configLDP: "ldp_vc", configOBJWT: formatOBJWT, configJOSE: formatJOSE}

// jwtClaims are the registered claims of a JWT credential, which are not
// credential properties.
var jwtClaims = []string{"iss", "sub", "jti", "nbf", "exp", "iat", "aud"}

// credentialConfigurations is the metadata's
// credential_configurations_supported.
func credentialConfigurations() map[string]any {
	out := make(map[string]any, len(configFormats))
	for id, format := range configFormats {
		out[id] = map[string]any{
			"format": format,
			"cryptographic_binding_methods_supported": []string{"did:key", "did:jwk", "did:web"},
			"proof_types_supported": map[string]any{
				"jwt": map[string]any{"proof_signing_alg_values_supported": proofAlgs},
			},
			"credential_definition": map[string]any{
				"@context": []string{ob3.ContextV2, ob3.ContextOB},
				"type":     []string{"VerifiableCredential", "OpenBadgeCredential"},
			},
			// credential_metadata is 1.0's place for display (the
			// drafts had it at the top): wallets tell the versions
			// apart by it.
			"credential_metadata": map[string]any{
				"display": []map[string]string{{"name": "Open Badge", "locale": "en"}},
			},
		}
	}
	return out
}

// configOfFormat is the configuration of a credential signed as f.
func configOfFormat(f issuer.Format) string {
	switch f {
	case issuer.VCJWT:
		return configOBJWT
	case issuer.JOSE:
		return configJOSE
	}
	return configLDP
}

// configOf is the configuration that delivers a kept credential: by its
// store format, and for a JWT by its header typ.
func configOf(doc *storedDoc) (string, error) {
	if doc.Format != store.FormatJWT {
		return configLDP, nil
	}
	head, _, _ := strings.Cut(doc.Signed, ".")
	var h struct {
		Typ string `json:"typ"`
	}
	if err := decodeSegment(head, &h); err != nil {
		return "", fmt.Errorf("kept credential %s: header: %w", doc.ID, err)
	}
	switch strings.TrimPrefix(strings.ToLower(h.Typ), "application/") {
	case "jwt":
		return configOBJWT, nil
	case formatJOSE:
		return configJOSE, nil
	}
	return "", fmt.Errorf("kept credential %s: header.typ %q: not a form badgesmith signs", doc.ID, h.Typ)
}

// unsignedCredential is a kept credential without its securing: the
// document without its proof, or the JWT payload without its registered
// claims. A Data Integrity proof embedded in a JWT's credential goes too:
// it would not cover the bound copy.
func unsignedCredential(doc *storedDoc) (map[string]any, error) {
	var cred map[string]any
	if doc.Format != store.FormatJWT {
		if err := json.Unmarshal([]byte(doc.Signed), &cred); err != nil {
			return nil, fmt.Errorf("kept credential %s: %w", doc.ID, err)
		}
		delete(cred, "proof")
		return cred, nil
	}
	parts := strings.Split(doc.Signed, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("kept credential %s: not a compact JWS", doc.ID)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err == nil {
		err = json.Unmarshal(payload, &cred)
	}
	if err != nil {
		return nil, fmt.Errorf("kept credential %s: payload: %w", doc.ID, err)
	}
	if _, ok := cred["@context"]; !ok {
		// A VCDM 1.1 vc claim: badgesmith never signs one.
		return nil, fmt.Errorf("kept credential %s: payload: no @context", doc.ID)
	}
	for _, c := range jwtClaims {
		delete(cred, c)
	}
	delete(cred, "proof")
	return cred, nil
}

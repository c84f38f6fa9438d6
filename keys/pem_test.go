package keys_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/keys"
)

func TestPEMRoundTrip(t *testing.T) {
	for _, typ := range []keys.Type{keys.Ed25519, keys.P256, keys.RSA2048} {
		t.Run(string(typ), func(t *testing.T) {
			kp, err := keys.Generate(typ, nil)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := keys.EncodePrivatePEM(kp.Private)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(priv), "-----BEGIN PRIVATE KEY-----\n") {
				t.Errorf("private PEM is not PKCS #8:\n%s", priv)
			}
			got, err := keys.ParsePrivatePEM(priv)
			if err != nil {
				t.Fatal(err)
			}
			if !got.(interface{ Equal(crypto.PrivateKey) bool }).Equal(kp.Private) {
				t.Error("private round trip changed the key")
			}
			pub, err := keys.EncodePublicPEM(kp.Public)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(pub), "-----BEGIN PUBLIC KEY-----\n") {
				t.Errorf("public PEM is not PKIX:\n%s", pub)
			}
			gotPub, err := keys.ParsePublicPEM(pub)
			if err != nil {
				t.Fatal(err)
			}
			if !gotPub.(interface{ Equal(crypto.PublicKey) bool }).Equal(kp.Public) {
				t.Error("public round trip changed the key")
			}
			if _, err := keys.ParsePrivatePEM(pub); !errors.Is(err, keys.ErrMalformedPEM) {
				t.Errorf("ParsePrivatePEM(public) error = %v", err)
			}
			if _, err := keys.ParsePublicPEM(priv); !errors.Is(err, keys.ErrMalformedPEM) {
				t.Errorf("ParsePublicPEM(private) error = %v", err)
			}
		})
	}
}

func TestParsePEMErrors(t *testing.T) {
	p256, _ := keys.Generate(keys.P256, nil)
	good, _ := keys.EncodePrivatePEM(p256.Private)
	sec1, _ := x509.MarshalECPrivateKey(p256.Private.(*ecdsa.PrivateKey))
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), nil)
	p384der, _ := x509.MarshalPKCS8PrivateKey(p384)
	p384pub, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	weak, err := rsa.GenerateKey(nil, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weakDER, _ := x509.MarshalPKCS8PrivateKey(weak)
	weakPub, _ := x509.MarshalPKIXPublicKey(&weak.PublicKey)
	enc := func(typ string, der []byte, h map[string]string) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Headers: h, Bytes: der}))
	}
	tests := []struct {
		name   string
		data   string
		public bool
		want   error
	}{
		{"empty", "", false, keys.ErrMalformedPEM},
		{"not PEM", "hello", false, keys.ErrMalformedPEM},
		{"text before", "key:\n" + string(good), false, keys.ErrMalformedPEM},
		{"two blocks", string(good) + string(good), false, keys.ErrMalformedPEM},
		{"headers", enc("PRIVATE KEY", []byte{1}, map[string]string{"Proc-Type": "4,ENCRYPTED"}), false, keys.ErrMalformedPEM},
		{"encrypted", enc("ENCRYPTED PRIVATE KEY", []byte{1}, nil), false, keys.ErrMalformedPEM},
		{"certificate", enc("CERTIFICATE", []byte{1}, nil), false, keys.ErrMalformedPEM},
		{"garbage DER", enc("PRIVATE KEY", []byte{1, 2, 3}, nil), false, keys.ErrMalformedPEM},
		{"P-384", enc("PRIVATE KEY", p384der, nil), false, keys.ErrUnsupportedKey},
		{"P-384 public", enc("PUBLIC KEY", p384pub, nil), true, keys.ErrUnsupportedKey},
		{"RSA 1024", enc("PRIVATE KEY", weakDER, nil), false, keys.ErrKeyLength},
		{"RSA 1024 public", enc("PUBLIC KEY", weakPub, nil), true, keys.ErrKeyLength},
		{"SEC 1 accepted", enc("EC PRIVATE KEY", sec1, nil), false, nil},
		{"PKCS #1 accepted", enc("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(mustRSA(t)), nil), false, nil},
		{"oversized", strings.Repeat("a", keys.MaxPEMLen+1), false, keys.ErrMalformedPEM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.public {
				_, err = keys.ParsePublicPEM([]byte(tc.data))
			} else {
				_, err = keys.ParsePrivatePEM([]byte(tc.data))
			}
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
}

func mustRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	kp, err := keys.Generate(keys.RSA2048, nil)
	if err != nil {
		t.Fatal(err)
	}
	return kp.Private.(*rsa.PrivateKey)
}

package issuer_test

import (
	"errors"
	"testing"

	"github.com/badgesmith/badgesmith/issuer"
	"github.com/badgesmith/badgesmith/proof"
)

func TestValidate(t *testing.T) {
	is, _ := newIssuer(t, proof.EddsaRdfc2022)
	for _, tc := range []struct {
		name   string
		change func(c map[string]any)
		path   string // "" for a valid credential
	}{
		{"as built", func(map[string]any) {}, ""},
		{"no criteria", func(c map[string]any) {
			delete(c["credentialSubject"].(map[string]any)["achievement"].(map[string]any), "criteria")
		}, "credentialSubject.achievement.criteria"},
		{"no subject id", func(c map[string]any) { delete(c["credentialSubject"].(map[string]any), "id") }, "credentialSubject"},
		{"result not allowed", func(c map[string]any) {
			c["credentialSubject"].(map[string]any)["result"].([]any)[0].(map[string]any)["value"] = "F"
		}, "result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred, err := is.Build(issuer.Request{Achievement: readJSON(t, "achievement.json"), Subject: readJSON(t, "subject.json")})
			if err != nil {
				t.Fatal(err)
			}
			tc.change(cred)
			err = issuer.Validate(cred)
			if tc.path == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, issuer.ErrInvalidInput) {
				t.Fatalf("err %v, want ErrInvalidInput", err)
			}
			var re *issuer.ResultError
			var jp interface{ JSONPath() string }
			switch {
			case tc.path == "result":
				if !errors.As(err, &re) || re.Index != 0 || re.Field != "value" {
					t.Errorf("err %v, want a *ResultError for result 0's value", err)
				}
			case !errors.As(err, &jp) || jp.JSONPath() != tc.path:
				t.Errorf("err %v, want one at %s", err, tc.path)
			}
		})
	}
}

package server

import (
	"encoding/json"
	"net/http"

	"github.com/badgesmith/badgesmith/verifier"
)

// PresentationVerifyResponse is the body of POST /presentations/verify.
// Verified is VCALM's answer, over the presentation and every credential
// in it; Verdict and Decision are the verifier's. ProblemDetails lists
// the presentation's failed checks (an invalid credential among them, as
// the check "credentials") or those that could not be run; Warnings the
// warnings of a valid one. PresentationResult is the presentation's own
// checks; CredentialResults has one entry per embedded credential, in the
// order of its verifiableCredential, each the answer POST
// /credentials/verify gives for that credential.
type PresentationVerifyResponse struct {
	Verified           bool               `json:"verified"`
	Verdict            verifier.Verdict   `json:"verdict"`
	Decision           verifier.CheckName `json:"decision,omitempty"`
	ProblemDetails     []Problem          `json:"problemDetails,omitempty"`
	Warnings           []Problem          `json:"warnings,omitempty"`
	PresentationResult PresentationChecks `json:"presentationResult"`
	CredentialResults  []VerifyResponse   `json:"credentialResults"`
}

// PresentationChecks is what the presentation's own checks established:
// whether a proof by the holder's key covers it (Authenticated), its id
// and holder as the signed statements give them, its format, and every
// check in order.
type PresentationChecks struct {
	Verified           bool                   `json:"verified"`
	Authenticated      bool                   `json:"authenticated"`
	Format             string                 `json:"format,omitempty"`
	ID                 string                 `json:"id,omitempty"`
	Holder             string                 `json:"holder,omitempty"`
	VerificationMethod string                 `json:"verificationMethod,omitempty"`
	Results            []verifier.CheckResult `json:"results"`
}

// presentationRequest is the body of POST /presentations/verify.
type presentationRequest struct {
	// document is what the verifier reads: the presentation's JSON (an
	// EnvelopedVerifiablePresentation included), or a compact JWS.
	document []byte
	opts     verifier.PresentationOptions
}

// parsePresentationRequest reads {verifiablePresentation, options}, as
// VCALM and the W3C suites send it. The presentation is a JSON object or
// a compact JWS string. options.challenge and options.domain are compared
// with the proof's; options.unsignedPresentation true accepts a
// presentation without a proof (reported unauthenticated). Other options
// (VCALM's checks and the like) are accepted and ignored, as
// /credentials/verify does: the answer always carries every check.
func parsePresentationRequest(data []byte) (*presentationRequest, error) {
	m, err := decodeObject(data)
	if err != nil {
		return nil, err
	}
	if err := onlyMembers(m, "", "verifiablePresentation", "options"); err != nil {
		return nil, err
	}
	raw, ok := m["verifiablePresentation"]
	if !ok {
		return nil, invalid("verifiablePresentation", "required")
	}
	req := &presentationRequest{document: raw}
	var tok string
	if err := json.Unmarshal(raw, &tok); err == nil {
		req.document = []byte(tok)
	} else {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
			return nil, invalid("verifiablePresentation", "want a JSON object or a compact JWS")
		}
	}
	opts, err := objectMember(m, "options", "options", false)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"challenge", "domain"} {
		x, present := opts[k]
		if !present {
			continue
		}
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, invalid("options."+k, "want a non-empty string")
		}
		if k == "challenge" {
			req.opts.Challenge = s
		} else {
			req.opts.Domain = s
		}
	}
	if x, present := opts["unsignedPresentation"]; present {
		b, ok := x.(bool)
		if !ok {
			return nil, invalid("options.unsignedPresentation", "want a boolean")
		}
		req.opts.AllowUnsigned = b
	}
	return req, nil
}

// verifyPresentation handles POST /presentations/verify, open to anyone
// like /credentials/verify: 200 with verified true for a valid
// presentation whose credentials are all valid, 400 with verified false
// and problemDetails otherwise. Never a 500: every failure is a check
// result.
func (s *Server) verifyPresentation(w http.ResponseWriter, r *http.Request) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	req, err := parsePresentationRequest(data)
	if err != nil {
		return err
	}
	res, verr := s.verifier.Load().VerifyPresentation(r.Context(), req.document, req.opts)
	out := PresentationVerifyResponse{
		Verdict:            verifier.VerdictCouldNotCheck,
		PresentationResult: PresentationChecks{Results: []verifier.CheckResult{}},
		CredentialResults:  []VerifyResponse{},
	}
	if res == nil {
		reason := "verification did not run"
		if verr != nil {
			reason = verr.Error()
		}
		out.ProblemDetails = []Problem{{Type: ProblemBase + ProbCouldNotCheck, Title: "Presentation could not be checked", Detail: reason}}
		writeJSON(w, http.StatusBadRequest, out)
		return nil
	}
	out.Verified, out.Verdict, out.Decision = res.Verdict.Accepted(), res.Verdict, res.Decision
	out.PresentationResult = PresentationChecks{
		Verified: res.Verdict.Accepted(), Authenticated: res.Authenticated, Format: res.Format,
		ID: res.ID, Holder: res.Holder, VerificationMethod: res.VerificationMethod, Results: res.Checks,
	}
	if out.PresentationResult.Results == nil {
		out.PresentationResult.Results = []verifier.CheckResult{}
	}
	for _, c := range res.Checks {
		switch c.Status {
		case verifier.StatusFail:
			out.ProblemDetails = append(out.ProblemDetails, presentationProblem(ProbInvalidCred, "Presentation is invalid", c))
		case verifier.StatusError:
			if res.Verdict == verifier.VerdictCouldNotCheck {
				out.ProblemDetails = append(out.ProblemDetails, presentationProblem(ProbCouldNotCheck, "Presentation could not be checked", c))
			}
		case verifier.StatusWarn:
			out.Warnings = append(out.Warnings, presentationProblem(ProbWarning, titles[ProbWarning], c))
		}
	}
	for _, cr := range res.Credentials {
		out.CredentialResults = append(out.CredentialResults, credentialResponse(cr))
	}
	status := http.StatusOK
	if !out.Verified {
		status = http.StatusBadRequest
		if len(out.ProblemDetails) == 0 {
			reason := string(res.Verdict)
			if verr != nil {
				reason = verr.Error()
			}
			out.ProblemDetails = []Problem{{Type: ProblemBase + ProbCouldNotCheck, Title: "Presentation could not be checked", Detail: reason}}
		}
	}
	writeJSON(w, status, out)
	return nil
}

// presentationProblem is checkProblem for a presentation's check: the
// same type names, a title that speaks of the presentation.
func presentationProblem(kind, title string, c verifier.CheckResult) Problem {
	p := checkProblem(kind, c)
	p.Title = title + " (" + string(c.Check) + ")"
	return p
}

// credentialResponse is the answer /credentials/verify gives for res.
func credentialResponse(res *verifier.Result) VerifyResponse {
	out := VerifyResponse{Verified: res.Verdict.Accepted(), Verdict: res.Verdict, Decision: res.Decision, CredentialID: res.CredentialID, Results: res.Checks}
	if out.Results == nil {
		out.Results = []verifier.CheckResult{}
	}
	for _, c := range res.Checks {
		switch c.Status {
		case verifier.StatusFail:
			out.ProblemDetails = append(out.ProblemDetails, checkProblem(ProbInvalidCred, c))
		case verifier.StatusError:
			if res.Verdict == verifier.VerdictCouldNotCheck {
				out.ProblemDetails = append(out.ProblemDetails, checkProblem(ProbCouldNotCheck, c))
			}
		case verifier.StatusWarn:
			out.Warnings = append(out.Warnings, checkProblem(ProbWarning, c))
		}
	}
	return out
}

package server

import (
	"net/http"

	"github.com/badgesmith/badgesmith/verifier"
)

// VerifyResponse is the body of POST /credentials/verify. Verified is
// VCALM's answer; Verdict is the verifier's outcome (valid, valid with
// warnings, invalid, could not check) and Decision the check behind it.
// ProblemDetails lists the failed checks (invalid) or those that could not
// be run (could not check); Warnings the warnings of a valid credential.
// Results is every check, in order.
type VerifyResponse struct {
	Verified       bool                   `json:"verified"`
	Verdict        verifier.Verdict       `json:"verdict"`
	Decision       verifier.CheckName     `json:"decision,omitempty"`
	CredentialID   string                 `json:"credentialId,omitempty"`
	ProblemDetails []Problem              `json:"problemDetails,omitempty"`
	Warnings       []Problem              `json:"warnings,omitempty"`
	Results        []verifier.CheckResult `json:"results"`
}

// Problem names of verification outcomes are ProbInvalidCred,
// ProbCouldNotCheck or ProbWarning, then "-" and the check's name, e.g.
// ProblemBase + "invalid-proof".
func checkProblem(kind string, c verifier.CheckResult) Problem {
	return Problem{Type: ProblemBase + kind + "-" + string(c.Check), Title: titles[kind] + " (" + string(c.Check) + ")", Detail: c.Reason, Path: c.Path}
}

// verify handles POST /credentials/verify, open to anyone: 200 with
// verified true for a valid credential (with its warnings), 400 with
// verified false and problemDetails for an invalid one or one that could
// not be checked. Whatever the credential, the answer is never a 500: the
// verifier reports every failure as a check result.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	req, err := parseVerifyRequest(data)
	if err != nil {
		return err
	}
	out := VerifyResponse{Verdict: verifier.VerdictCouldNotCheck, Results: []verifier.CheckResult{}}
	res, verr := s.verifier.Load().Verify(r.Context(), req.document)
	defer func() { s.metrics.credentialVerified(string(out.Verdict)) }()
	if res == nil {
		reason := "verification did not run"
		if verr != nil {
			reason = verr.Error()
		}
		out.ProblemDetails = []Problem{{Type: ProblemBase + ProbCouldNotCheck, Title: titles[ProbCouldNotCheck], Detail: reason}}
		writeJSON(w, http.StatusBadRequest, out)
		return nil
	}
	out.Verified, out.Verdict, out.Decision, out.CredentialID = res.Verdict.Accepted(), res.Verdict, res.Decision, res.CredentialID
	if res.Checks != nil {
		out.Results = res.Checks
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
	status := http.StatusOK
	if !out.Verified {
		status = http.StatusBadRequest
		if len(out.ProblemDetails) == 0 {
			// A verdict without a failed check still says why.
			reason := string(res.Verdict)
			if verr != nil {
				reason = verr.Error()
			}
			out.ProblemDetails = []Problem{{Type: ProblemBase + ProbCouldNotCheck, Title: titles[ProbCouldNotCheck], Detail: reason}}
		}
	}
	writeJSON(w, status, out)
	return nil
}

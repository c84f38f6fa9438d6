// Package catalogue is the institution's achievement catalogue: OB 3.0
// Achievements with stable ids and numbered, immutable versions, their
// quality-assurance facts, and the approval workflow that decides which
// versions may be issued.
//
// A version moves draft → in-review → approved → retired; a rejected
// version goes back to draft when it is edited. Every move after drafting
// is a signed statement (see Statement): a compact JWS with the typ
// badgesmith-approval+jwt over the RFC 8785 (JCS) form of the achievement
// id, the version, the SHA-256 digest of the JCS form of the Achievement,
// the decision, the signer's role and key, the time and the approver set
// in force. Members sign on their own machines; the catalogue holds only
// their public keys and roles, in an approver set (see Policy) signed by
// the institution's root key (typ badgesmith-approvers+jwt), which also
// carries the approval rule and whether issuing requires the catalogue.
//
// Statements are kept with the version, append-only, and Verify replays
// them: a statement edited in the store, a changed Achievement, or a state
// the statements do not lead to is ErrTampered. Issuing (package issuer)
// resolves an approved version with Resolve, and Publish turns the
// approved versions into public documents and a catalogue credential in
// the format of package catalogue/published, which verifiers read.
package catalogue

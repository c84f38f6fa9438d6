// Package store defines the issuer's durable record: every credential it
// issued, the Bitstring Status List entries it allocated to them, their
// current status bits and an audit trail of every status change.
//
// The package is an interface and its types only; backends live in
// sub-packages (store/bolt, later store/postgres) and all of them must pass
// the conformance suite in store/storetest.
//
// Status lists follow W3C Bitstring Status List v1.0: an entry's value
// occupies StatusSize bits starting at bit Index*StatusSize, bit 0 being the
// most significant bit of byte 0, and the value is written most significant
// bit first. Revocation (purpose "revocation") is irreversible; suspension is
// not. A store does not enforce the specification's 131,072-entry minimum
// list length; the issuer chooses list sizes, which lets tests use tiny lists.
//
// Index allocation is a reservation that is never released: AllocateIndex
// marks an index used before the credential carrying it is signed, and
// PutCredential later binds it to the credential. A crash between the two
// wastes one index but can never hand a signed index to a second credential,
// which would tie their revocation together.
//
// A credential recorded before it is handed out is marked Undelivered until
// the issuer confirms delivery (MarkDelivered). If its file could not be
// written, the record and its entries stay reserved for it: a retry of the
// same request (Record.SameRequest) may replace the record, and no other
// credential may take its id or its entries.
//
// Catalogue is a companion interface the same backends implement: the
// achievement catalogue's versions, their append-only trails of workflow
// events and signed statements, and the signed approver sets (package
// catalogue gives them their meaning). A version's content cannot change
// once it leaves the draft state (CheckChange), and its statements are
// only ever appended to; conformance tests are storetest.RunCatalogue.
//
// Offers is another companion: wallet offers (stored by the hashes of
// their secrets) and proof nonces, each single-use in one transaction, so
// a replay is refused across restarts; conformance tests are
// storetest.RunOffers.
package store

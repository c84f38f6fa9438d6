// Package bolt is the store.Store backend on a single bbolt file
// (go.etcd.io/bbolt), for a one-process issuer.
//
// Every write is one bbolt read-write transaction, fsynced on commit, so a
// call that returned nil survives a crash or power loss; a call that did not
// return leaves either all or none of its change. Writers are serialised by
// bbolt; readers run concurrently with them on a consistent snapshot.
//
// AllocateIndex goes through bbolt's DB.Batch: concurrent calls share one
// transaction and commit (after at most 1 ms, see batchDelay), so
// many goroutines allocating at once cost a few fsyncs; a lone call waits
// that delay. AllocateIndices reserves a chunk in one transaction and
// PutCredentials records many credentials with one commit, which is how a
// batch issuer uses the store.
//
// Open takes an exclusive file lock: a second process gets ErrLocked after
// Options.Timeout instead of hanging.
//
// Layout (schema version 2, kept in the "meta" bucket; Open upgrades a
// version 1 file in place, in one transaction):
//
//	records         sequence -> JSON store.Record (State omitted), in the
//	                order recorded
//	ids             credential id -> sequence (a canonical urn:uuid as its
//	                16 bytes, any other id as text)
//	lists           list id -> bucket {info: JSON, used: allocation bitmap,
//	                bits: the status bitstring, owners: index -> sequence}
//	list_order      (purpose, sequence) -> list id, for creation order
//	audit           (credential id, sequence) -> JSON store.Event
//	by_recipient    (8 bytes of SHA-256 of the recipient, sequence)
//	by_achievement  (8 bytes of SHA-256 of the achievement id, sequence)
//	by_batch        (batch id, row key, sequence): secondary indexes for
//	                filters; hashed prefixes keep entries small, and a
//	                reader checks the record's own field
//	by_issued       (issuedAt, id) -> sequence: the order of ListCredentials
//
// Keying records by sequence makes a batch append: new records, and their
// issuedAt, batch and achievement entries, go to the end of their buckets,
// and only the id, recipient and status owner entries land at random. The
// store also trims the pages of its file mapped into the process (see
// trimViews), so a long batch's resident memory does not grow with the
// file.
//
// Composite keys are length-prefixed parts, so no character is reserved in
// ids. A filter on recipient, achievement or batch reads that index and sorts
// the matches in memory; any other listing streams the issuedAt index, and a
// status filter reads each candidate's status bits (no status index yet).
//
// A list's bitstring and allocation bitmap are single values rewritten on
// every change, which costs a copy of Size*StatusSize/8 bytes (16 KiB for
// the usual 131,072-entry list) per allocation or status change.
package bolt

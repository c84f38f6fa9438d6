// Package bolt is the store.Store backend on a single bbolt file
// (go.etcd.io/bbolt), for a one-process issuer.
//
// Every write is one bbolt read-write transaction, fsynced on commit, so a
// call that returned nil survives a crash or power loss; a call that did not
// return leaves either all or none of its change. Writers are serialised by
// bbolt; readers run concurrently with them on a consistent snapshot.
//
// AllocateIndex goes through bbolt's DB.Batch: concurrent calls share one
// transaction and commit (after at most bbolt's MaxBatchDelay, 10 ms), so a
// batch issuer's many workers allocate at the cost of a few fsyncs; a lone
// call waits that delay. PutCredentials records many credentials with one
// commit.
//
// Open takes an exclusive file lock: a second process gets ErrLocked after
// Options.Timeout instead of hanging.
//
// Layout (schema version 1, kept in the "meta" bucket):
//
//	credentials     id -> JSON store.Record (State omitted)
//	lists           list id -> bucket {info: JSON, used: allocation bitmap,
//	                bits: the status bitstring, owners: index -> credential id}
//	list_order      (purpose, sequence) -> list id, for creation order
//	audit           (credential id, sequence) -> JSON store.Event
//	by_recipient    (recipient, id), by_achievement (achievement id, id),
//	by_batch        (batch id, row key, id): secondary indexes for filters
//	by_issued       (issuedAt, id): the default order of ListCredentials
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

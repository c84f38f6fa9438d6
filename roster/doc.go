// Package roster reads the learner roster of a batch issuance: a
// registrar's export as CSV (RFC 4180, first line a header) or JSON Lines
// (one JSON object per line), one learner per row.
//
// A Reader streams the roster: it holds one record at a time, bounded by
// Options.MaxRecordBytes, so memory does not grow with the file, except
// for the set of row keys it has seen (16 bytes and map overhead per row,
// about 50 bytes), which duplicate detection needs; Options.MaxRows bounds
// that set.
//
// A Mapping says which column holds which field of the credential: the
// recipient's email address or DID, their name, an evidence URL, the
// activity dates, the credits earned, result values and per-row
// overrides of the achievement's text. Every value is checked on reading
// (UTF-8, email and DID syntax, absolute http(s) URLs, RFC 3339 dates,
// numbers) and a bad row is reported as a *LineError naming its line and
// field, after which reading goes on with the next row. Errors that make
// the rest of the file unreadable (a header without a mapped column, a
// record over the size bound, too many rows, an I/O error) are returned as
// other errors and end the reading.
//
// Line numbers are 1-based physical lines of the file: for CSV the line a
// record starts on (a quoted field may span lines), the header being
// line 1.
package roster

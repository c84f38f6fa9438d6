// Package status implements credential status lists: W3C Bitstring Status
// List 1.0 (Recommendation 2025-05-15,
// https://www.w3.org/TR/vc-bitstring-status-list/), its predecessor
// StatusList2021, and the body of a 1EdTech revocation list
// (1EdTechRevocationList, Open Badges 3.0).
//
// A List is the bitstring: entries of StatusSize bits, index 0 at the most
// significant bit of the first byte (bit k is byte[k/8] & (0x80 >> (k%8))).
// Encode and Decode convert it to and from the encodedList form, "u" +
// base64url-nopad(GZIP(bits)); Lookup reads one entry from an encodedList
// without holding the list. ParseEntry checks a credentialStatus object,
// Verdict reads an entry's value from a list credential's subject, and
// RandomUnusedIndex helps issuers pick indices that reveal nothing about
// issuance order.
//
// Caveats:
//
//   - The spec gives only the start position (index × statusSize) of a
//     multi-bit entry. Reading and writing its bits most significant first
//     is our interpretation, shared with other implementations but not
//     confirmed by the text.
//   - The minimum length is enforced per entry, as the validation algorithm
//     does: a list must hold at least MinEntries (131,072) entries, so with
//     statusSize 2 it needs 262,144 bits, not just 16 KiB.
//   - Verifiers read one entry with Lookup (and Verdict, which uses it): the
//     list is inflated as a stream through a 32 KiB buffer, only the entry's
//     bytes are kept, and inflating stops once the entry and the minimum
//     length are read. Memory is constant whatever the list's size, and the
//     list after the entry is never read, so a corrupt tail or gzip trailer
//     there goes unnoticed (the list is signed: the tail is the issuer's
//     statement all the same). Decode, which holds the whole list, is for
//     issuers working on their own lists.
//   - Each list is capped (DecodeOptions.MaxBytes, 16 MiB by default) and
//     inflating stops as soon as the cap is passed, so a gzip bomb costs at
//     most the cap; a Budget shared by every list read for one credential
//     caps their total and is charged as bytes are inflated. The spec
//     defines no such limits; Code maps the resulting ErrTooLarge and
//     ErrBudget to STATUS_LIST_LENGTH_ERROR.
//   - The "u" path is strict unpadded base64url, as multibase defines it.
//     With DecodeOptions.Legacy (StatusList2021), a missing "u", the
//     standard alphabet and padding are tolerated as well, because
//     StatusList2021 lists were published without the multibase prefix.
//   - statusListIndex must be a JSON string of decimal digits (leading
//     zeros allowed) up to MaxIndex; statusSize is limited to 64 bits so a
//     status fits a uint64.
//   - Verdict does not fetch or verify the list credential; the caller does
//     both first and passes in its credentialSubject.
package status

package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/contexts"
	"github.com/badgesmith/badgesmith/did"
	"github.com/badgesmith/badgesmith/internal/atomicfile"
	"github.com/badgesmith/badgesmith/status"
	"github.com/badgesmith/badgesmith/store"
)

// StatusListCredential builds, signs and self-verifies the
// BitstringStatusListCredential for the store's list listID from its
// current bits: id listID, valid from now for Config.StatusValidity, and a
// credentialSubject (id listID + "#list") with the list's purpose,
// encodedList and ttl (Config.StatusTTL in milliseconds). It is signed
// with the Signer's Data Integrity suite (for a JWT signer, the default
// suite of its key type).
//
// Verifiers require a list's issuer to be its credentials' issuer, so the
// list is signed as the issuer of the credentials recorded with an entry
// in it: the Signer's identity or one of Config.Identities (with the
// Signer's key under its fragment). A list holding a credential of any
// other issuer, or of two issuers, is refused with ErrInvalidInput:
// signing it would make it useless.
func (is *Issuer) StatusListCredential(ctx context.Context, listID string) (*Credential, error) {
	if is.cfg.Store == nil {
		return nil, fmt.Errorf("status list %s: %w", listID, ErrNoStore)
	}
	lists, err := is.cfg.Store.Lists(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, l := range lists {
		if l.ID != listID {
			continue
		}
		issuers, err := is.listIssuers(ctx)
		if err != nil {
			return nil, err
		}
		id, err := issuers.of(is, listID)
		if err != nil {
			return nil, err
		}
		return is.listCredential(ctx, l, id)
	}
	return nil, fmt.Errorf("status list %s: %w", listID, store.ErrUnknownList)
}

// listIssuers maps each list to the issuer its credentials name, or to an
// error saying why it has none this issuer can sign as.
type listIssuers struct {
	ids  map[string]string
	errs map[string]error
}

// of returns the identity to sign the list listID as.
func (li listIssuers) of(is *Issuer, listID string) (Identity, error) {
	if err := li.errs[listID]; err != nil {
		return Identity{}, err
	}
	return is.identityOf(li.ids[listID]), nil
}

// identityOf returns what the Signer signs as for issuer id: its own
// identity, or id with its key under its fragment; "" is its own.
func (is *Issuer) identityOf(id string) Identity {
	s := is.cfg.Signer
	if id == "" || id == s.identity.ID {
		return s.identity
	}
	return Identity{ID: id, VerificationMethod: id + "#" + s.fragment}
}

// mayListFor reports whether the issuer signs the lists of credentials
// issued by controller.
func (is *Issuer) mayListFor(controller string) bool {
	return controller == is.cfg.Signer.identity.ID || slices.Contains(is.cfg.Identities, controller)
}

// listIssuers reads which issuer each list's credentials name.
func (is *Issuer) listIssuers(ctx context.Context) (listIssuers, error) {
	// The store has no per-list query: one streamed pass over the records,
	// a page at a time, so publishing costs no memory per credential.
	out := listIssuers{ids: map[string]string{}, errs: map[string]error{}}
	err := is.cfg.Store.EachCredential(ctx, store.Filter{}, func(r store.Record) error {
		controller, _, _ := strings.Cut(r.IssuerKey, "#")
		for _, s := range r.Status {
			if out.errs[s.ListID] != nil {
				continue
			}
			switch prev := out.ids[s.ListID]; {
			case !is.mayListFor(controller):
				out.errs[s.ListID] = fmt.Errorf("status list %s: %w: credential %s was issued by %s, not %s; sign the list with that issuer's key",
					s.ListID, ErrInvalidInput, r.ID, controller, is.cfg.Signer.identity.ID)
			case prev != "" && prev != controller:
				out.errs[s.ListID] = fmt.Errorf("status list %s: %w: it holds credentials of two issuers, %s and %s (credential %s); no one list credential serves both",
					s.ListID, ErrInvalidInput, prev, controller, r.ID)
			default:
				out.ids[s.ListID] = controller
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("checking status list issuers: %w", err)
	}
	return out, nil
}

// RecordedIdentities returns the did:web issuer ids, other than the
// Signer's own, that st recorded credentials under with a key of s's
// keyring group (a verification method whose fragment is one of the
// group's; for a Signer of a bare key, its own fragment). They are the
// Config.Identities that let s sign those credentials' status lists: the
// DID document "badgesmith did web" writes lists every key of the group
// under its fragment, so s's key is published there too, even after a
// rotation.
func RecordedIdentities(ctx context.Context, st store.Store, s *Signer) ([]string, error) {
	fragments := s.group
	if fragments == nil {
		fragments = []string{s.fragment}
	}
	seen := map[string]bool{}
	var out []string
	err := st.EachCredential(ctx, store.Filter{}, func(r store.Record) error {
		controller, fragment, _ := strings.Cut(r.IssuerKey, "#")
		if seen[controller] || controller == s.identity.ID || !slices.Contains(fragments, fragment) {
			return nil
		}
		if _, err := did.ParseWeb(controller); err != nil {
			return nil //nolint:nilerr // not a did:web issuer: not one to adopt
		}
		seen[controller] = true
		out = append(out, controller)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading recorded issuers: %w", err)
	}
	return out, nil
}

// listSuite is the Data Integrity suite status lists are signed with.
func (is *Issuer) listSuite() (Format, error) {
	s := is.cfg.Signer
	if !s.format.IsJWT() {
		return s.format, nil
	}
	return checkFormat("", s.keyType)
}

func (is *Issuer) listCredential(ctx context.Context, info store.ListInfo, id Identity) (*Credential, error) {
	suite, err := is.listSuite()
	if err != nil {
		return nil, fmt.Errorf("status list %s: %w", info.ID, err)
	}
	bits, statusSize, size, err := is.cfg.Store.ListBits(ctx, info.ID)
	if err != nil {
		return nil, err
	}
	list, err := status.FromBits(bits, size, statusSize)
	if err != nil {
		return nil, fmt.Errorf("status list %s: %w", info.ID, err)
	}
	encoded, err := list.Encode()
	if err != nil {
		return nil, fmt.Errorf("status list %s: %w", info.ID, err)
	}
	now := is.cfg.Now().UTC().Truncate(time.Second)
	cred := map[string]any{
		"@context":   []any{contexts.CredentialsV2},
		"id":         info.ID,
		"type":       []any{"VerifiableCredential", status.TypeBitstringCredential},
		"issuer":     id.ID,
		"validFrom":  now.Format(time.RFC3339),
		"validUntil": now.Add(is.cfg.StatusValidity).Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id":            info.ID + "#list",
			"type":          status.TypeBitstringList,
			"statusPurpose": string(info.Purpose), // jsonld refuses a named string type
			"encodedList":   encoded,
			// A float64, as encoding/json decodes it, so the self-check
			// canonicalizes the same value the signature covers.
			"ttl": float64(is.cfg.StatusTTL.Milliseconds()),
		},
	}
	signed, err := is.signDI(ctx, cred, suite, id, true)
	if err != nil {
		return nil, fmt.Errorf("status list %s: %w", info.ID, err)
	}
	return signed, nil
}

// staleTemp is how old a list's temporary file must be for Publish to
// treat it as left by a killed run.
const staleTemp = time.Minute

// Publish signs every status list in the store (see StatusListCredential)
// and writes each to dir, creating dir if needed, under the last path
// segment of its URL (https://example.edu/status/revocation-1 becomes
// dir/revocation-1), which is where a web server serving dir at the base
// URL, and a verifier's status directory, look for it. Each file is
// replaced atomically, so a reader or a crash sees the old list or the new
// one, never a torn file. It returns the lists written, in list order,
// each Signed, with its path and when it runs out.
func (is *Issuer) Publish(ctx context.Context, dir string) ([]PublishedList, error) {
	return is.publish(ctx, dir, -1)
}

// PublishedList is what Publish or Refresh wrote, or Refresh found, for
// one status list.
type PublishedList struct {
	// ListID is the status list credential URL.
	ListID string
	// Path is the list's file.
	Path string
	// ValidUntil is when the file's list credential runs out.
	ValidUntil time.Time
	// Signed is true if the list was signed and written in this call,
	// false if the published file was kept.
	Signed bool
	// Reason says why a list was signed again: "not published",
	// "unreadable", "changed" or "expires within the window".
	Reason string
}

// Refresh is Publish for a scheduled job: it re-signs and writes only the
// lists whose published file in dir is missing, unreadable, says other
// bits than the store now holds, or runs out (validUntil) within the
// window from now, and keeps the others as they are. Run daily with a
// window of a few days (DefaultRefreshWindow), it keeps every list valid
// while the issuer runs, without re-signing files that need nothing. It
// returns every list, in list order, kept or written.
func (is *Issuer) Refresh(ctx context.Context, dir string, window time.Duration) ([]PublishedList, error) {
	if window < 0 {
		return nil, fmt.Errorf("refresh window %s: %w: must not be negative", window, ErrInvalidInput)
	}
	return is.publish(ctx, dir, window)
}

// publish signs and writes the store's lists to dir; with a window of 0
// or more, only those Refresh would (see Refresh).
func (is *Issuer) publish(ctx context.Context, dir string, window time.Duration) ([]PublishedList, error) {
	if is.cfg.Store == nil {
		return nil, fmt.Errorf("publishing status lists: %w", ErrNoStore)
	}
	lists, err := is.cfg.Store.Lists(ctx, "")
	if err != nil {
		return nil, err
	}
	issuers, err := is.listIssuers(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(lists))
	for _, l := range lists {
		if _, err := issuers.of(is, l.ID); err != nil {
			return nil, err
		}
		name, err := fileName(l.ID)
		if err != nil {
			return nil, err
		}
		if other, ok := names[name]; ok {
			return nil, fmt.Errorf("status lists %s and %s would both be written to %s", other, l.ID, name)
		}
		names[name] = l.ID
	}
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // G301: status lists are published for anyone to read
		return nil, fmt.Errorf("publishing status lists: %w", err)
	}
	out := make([]PublishedList, 0, len(lists))
	for _, l := range lists {
		name, _ := fileName(l.ID)
		p := filepath.Join(dir, name)
		reason := ""
		if window >= 0 {
			until, why, err := is.stale(ctx, l, p, window)
			if err != nil {
				return out, err
			}
			if why == "" {
				out = append(out, PublishedList{ListID: l.ID, Path: p, ValidUntil: until})
				continue
			}
			reason = why
		}
		id, _ := issuers.of(is, l.ID)
		cred, err := is.listCredential(ctx, l, id)
		if err != nil {
			return out, err
		}
		// A publisher killed mid-write leaves its temporary file; the next
		// run clears it so the directory does not fill with them.
		if _, err := atomicfile.RemoveStale(p, staleTemp); err != nil {
			return out, err
		}
		if err := atomicfile.WriteFile(p, cred.JSON, 0o644); err != nil {
			return out, err
		}
		v, _ := cred.Document["validUntil"].(string)
		until, _ := time.Parse(time.RFC3339, v)
		out = append(out, PublishedList{ListID: l.ID, Path: p, ValidUntil: until, Signed: true, Reason: reason})
	}
	return out, nil
}

// stale says why the published file p of list l must be signed again
// ("" if it need not) and, if not, when it runs out.
func (is *Issuer) stale(ctx context.Context, l store.ListInfo, p string, window time.Duration) (time.Time, string, error) {
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, "not published", nil
	}
	if err != nil {
		return time.Time{}, "", fmt.Errorf("status list %s: %w", l.ID, err)
	}
	var doc struct {
		ID                string `json:"id"`
		ValidUntil        string `json:"validUntil"`
		CredentialSubject struct {
			EncodedList string `json:"encodedList"`
		} `json:"credentialSubject"`
	}
	if json.Unmarshal(data, &doc) != nil || doc.ID != l.ID {
		return time.Time{}, "unreadable", nil
	}
	until, err := time.Parse(time.RFC3339, doc.ValidUntil)
	if err != nil {
		return time.Time{}, "unreadable", nil
	}
	if !until.After(is.cfg.Now().Add(window)) {
		return until, "expires within the window", nil
	}
	bits, statusSize, size, err := is.cfg.Store.ListBits(ctx, l.ID)
	if err != nil {
		return time.Time{}, "", err
	}
	list, err := status.FromBits(bits, size, statusSize)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("status list %s: %w", l.ID, err)
	}
	encoded, err := list.Encode()
	if err != nil {
		return time.Time{}, "", fmt.Errorf("status list %s: %w", l.ID, err)
	}
	if encoded != doc.CredentialSubject.EncodedList {
		return until, "changed", nil
	}
	return until, "", nil
}

// fileName returns the last path segment of a list URL, refusing one that
// could not be a plain file name.
func fileName(listID string) (string, error) {
	u, err := url.Parse(listID)
	if err != nil {
		return "", fmt.Errorf("status list %s: %w", listID, err)
	}
	name := path.Base(u.Path)
	if name == "" || name == "." || name == "/" || name == ".." || strings.ContainsAny(name, `\`) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("status list %s: %w: its url has no usable last path segment", listID, ErrInvalidInput)
	}
	return name, nil
}

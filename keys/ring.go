package keys

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
)

// Keyring errors.
var (
	// ErrNotFound reports a key name that is not in the keyring.
	ErrNotFound = errors.New("key not found")
	// ErrExists reports a key name that is already taken.
	ErrExists = errors.New("key already exists")
	// ErrInvalidName reports a key name outside [a-zA-Z0-9._-]{1,64}, or one
	// starting with a dot.
	ErrInvalidName = errors.New("invalid key name")
	// ErrInsecure reports a keyring directory or key file that users other
	// than its owner can reach.
	ErrInsecure = errors.New("keyring permissions too open")
	// ErrNoActiveKey reports an issuer group whose keys are all retired.
	ErrNoActiveKey = errors.New("no active key")
)

// Status says whether a key signs or is only kept for verification.
type Status string

// Key statuses.
const (
	// StatusActive marks the key an issuer signs with; a group has one.
	StatusActive Status = "active"
	// StatusRetired marks a key that no longer signs but stays published so
	// credentials it signed keep verifying.
	StatusRetired Status = "retired"
)

const (
	dirMode       = 0o700
	fileMode      = 0o600
	fileExt       = ".json"
	maxNameLen    = 64
	maxKeyFileLen = 64 << 10
)

// Ring is an on-disk keyring: a directory holding one JSON file per key.
// Its methods are safe for concurrent use; two processes generating the same
// name race safely (one gets ErrExists).
type Ring struct {
	dir string
	// rotating serializes this Ring's rotations: a directory listing
	// taken while another rotation renames files over their names may
	// miss one (readdir leaves that unspecified), and a rotation that
	// missed the active key would refuse with "no active key". Rotations
	// in other processes still order themselves by exclusive creation.
	rotating sync.Mutex
}

// Entry is one key in a Ring.
type Entry struct {
	// Name names the key in the ring (and its file).
	Name    string
	KeyPair *KeyPair
	Created time.Time
	// Issuer names the group of keys one issuer holds: the active key it
	// signs with and the retired keys it still publishes. It is the name of
	// the group's first key.
	Issuer string
	// Status is StatusActive or StatusRetired.
	Status Status
	// RetiredAt is when the key was retired; zero while it is active.
	RetiredAt time.Time
	// Fragment is the key's stable verification method fragment in the
	// issuer's DID document (did:web), unique in its group. It defaults to
	// Name.
	Fragment string
}

// file is the on-disk form of an Entry. Issuer, Status and Fragment are
// written only when they differ from their defaults (the name, active, the
// name), so a plain key's file is the same as before keys had groups.
type file struct {
	Name               string     `json:"name"`
	Type               Type       `json:"type"`
	Created            time.Time  `json:"created"`
	Issuer             string     `json:"issuer,omitempty"`
	Status             Status     `json:"status,omitempty"`
	RetiredAt          *time.Time `json:"retiredAt,omitempty"`
	Fragment           string     `json:"fragment,omitempty"`
	PublicKeyMultibase string     `json:"publicKeyMultibase,omitempty"`
	SecretKeyMultibase string     `json:"secretKeyMultibase,omitempty"`
	// PrivateKeyPEM holds key types without a Multikey form (RSA), PKCS #8.
	PrivateKeyPEM string `json:"privateKeyPem,omitempty"`
}

// OpenRing opens the keyring in dir, creating it (and its parents) with mode
// 0700 if needed. An existing directory that group or others can access is
// changed to mode 0700; if that fails, OpenRing returns an error wrapping
// ErrInsecure.
func OpenRing(dir string) (*Ring, error) {
	if dir == "" {
		return nil, errors.New("opening keyring: empty directory name")
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("creating keyring %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("opening keyring %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("opening keyring %s: not a directory", dir)
	}
	if checkPrivate(fi.Mode()) != nil {
		// The directory is ours by designation; tighten it rather than make
		// every user of a pre-made directory run chmod. Key files are
		// checked strictly when read.
		if err := os.Chmod(dir, dirMode); err != nil {
			return nil, fmt.Errorf("opening keyring %s: mode %#o (want 0700): %w: %w", dir, fi.Mode().Perm(), ErrInsecure, err)
		}
	}
	return &Ring{dir: dir}, nil
}

// Dir returns the keyring's directory.
func (r *Ring) Dir() string { return r.dir }

// ValidName reports whether name may name a key: 1 to 64 characters from
// [a-zA-Z0-9._-], not starting with a dot (so it can be neither "." nor ".."
// nor a hidden or temporary file).
func ValidName(name string) bool {
	if len(name) == 0 || len(name) > maxNameLen || name[0] == '.' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// Generate creates a new key of type t named name with crypto/rand and
// stores it. It returns an error wrapping ErrExists if the name is taken.
func (r *Ring) Generate(name string, t Type) (*Entry, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("key name %s: %w", quoteShort(name), ErrInvalidName)
	}
	kp, err := Generate(t, nil)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", name, err)
	}
	return r.Add(name, kp)
}

// Add stores an existing key pair under name as the active key of a new
// group of the same name, for importing keys made elsewhere. It returns an
// error wrapping ErrExists if the name is taken. See AddWith.
func (r *Ring) Add(name string, kp *KeyPair) (*Entry, error) {
	return r.AddWith(name, kp, AddOptions{})
}

// AddOptions are the optional attributes of a key stored with AddWith.
type AddOptions struct {
	// Issuer is the group to add the key to. If empty, the key's name.
	Issuer string
	// Fragment is the key's verification method fragment. If empty, the
	// key's name.
	Fragment string
	// Retired stores the key as retired, e.g. an old key imported so that
	// credentials it signed keep verifying.
	Retired bool
}

// AddWith stores an existing key pair under name. An active key may join a
// group only if the group has no active key (use Rotate to replace one);
// otherwise, and if the name or the fragment in the group is taken, it
// returns an error wrapping ErrExists.
func (r *Ring) AddWith(name string, kp *KeyPair, opts AddOptions) (*Entry, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("key name %s: %w", quoteShort(name), ErrInvalidName)
	}
	e := &Entry{Name: name, KeyPair: kp, Issuer: opts.Issuer, Fragment: opts.Fragment, Status: StatusActive}
	if e.Issuer == "" {
		e.Issuer = name
	}
	if e.Fragment == "" {
		e.Fragment = name
	}
	if !ValidName(e.Issuer) {
		return nil, fmt.Errorf("key %s: issuer %s: %w", name, quoteShort(e.Issuer), ErrInvalidName)
	}
	if !ValidName(e.Fragment) {
		return nil, fmt.Errorf("key %s: fragment %s: %w", name, quoteShort(e.Fragment), ErrInvalidName)
	}
	// Second precision keeps the file readable; the zone is dropped so the
	// file does not reveal the machine's location.
	e.Created = time.Now().UTC().Truncate(time.Second)
	if opts.Retired {
		e.Status, e.RetiredAt = StatusRetired, e.Created
	}
	group, err := r.members(e.Issuer)
	if err != nil {
		return nil, err
	}
	for _, g := range group {
		if g.Fragment == e.Fragment {
			return nil, fmt.Errorf("key %s: fragment %q is taken by key %s of issuer %s: %w", name, e.Fragment, g.Name, e.Issuer, ErrExists)
		}
		if g.Status == StatusActive && e.Status == StatusActive {
			return nil, fmt.Errorf("key %s: issuer %s already has active key %s (rotate it instead): %w", name, e.Issuer, g.Name, ErrExists)
		}
	}
	if err := r.store(e, false); err != nil {
		return nil, err
	}
	return e, nil
}

// store writes e's file: a new file (failing with ErrExists if the name is
// taken) or, with replace, over the existing one.
func (r *Ring) store(e *Entry, replace bool) error {
	if e.KeyPair == nil {
		return fmt.Errorf("key %s: nil key pair", e.Name)
	}
	if err := checkPair(e.KeyPair); err != nil {
		return fmt.Errorf("key %s: %w", e.Name, err)
	}
	f := file{Name: e.Name, Type: e.KeyPair.Type, Created: e.Created}
	if e.Issuer != e.Name {
		f.Issuer = e.Issuer
	}
	if e.Fragment != e.Name {
		f.Fragment = e.Fragment
	}
	if e.Status == StatusRetired {
		f.Status = StatusRetired
		at := e.RetiredAt
		f.RetiredAt = &at
	}
	if e.KeyPair.Type.IsRSA() {
		p, err := EncodePrivatePEM(e.KeyPair.Private)
		if err != nil {
			return fmt.Errorf("key %s: %w", e.Name, err)
		}
		f.PrivateKeyPEM = string(p)
	} else {
		var err error
		if f.PublicKeyMultibase, err = EncodePublicMultikey(e.KeyPair.Public); err != nil {
			return fmt.Errorf("key %s: %w", e.Name, err)
		}
		if f.SecretKeyMultibase, err = EncodeSecretMultikey(e.KeyPair.Private); err != nil {
			return fmt.Errorf("key %s: %w", e.Name, err)
		}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("key %s: %w", e.Name, err)
	}
	data = append(data, '\n')
	if replace {
		return r.replace(r.path(e.Name), data)
	}
	return r.create(r.path(e.Name), data)
}

// Get loads the key named name. It returns an error wrapping ErrNotFound if
// there is none.
func (r *Ring) Get(name string) (*Entry, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("key name %s: %w", quoteShort(name), ErrInvalidName)
	}
	return r.load(name, r.path(name))
}

// List loads every key in the ring, sorted by name.
func (r *Ring) List() ([]Entry, error) {
	des, err := os.ReadDir(r.dir)
	if err != nil {
		return nil, fmt.Errorf("listing keyring %s: %w", r.dir, err)
	}
	var out []Entry
	for _, de := range des {
		fn := de.Name()
		name, ok := strings.CutSuffix(fn, fileExt)
		if !ok || !de.Type().IsRegular() || !ValidName(name) {
			continue
		}
		e, err := r.load(name, filepath.Join(r.dir, fn))
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DID returns the did:key DID of the entry's public key, or "" if the key
// has no Multikey form (RSA; use did:jwk from package did).
func (e *Entry) DID() string {
	pub, err := EncodePublicMultikey(e.KeyPair.Public)
	if err != nil {
		return ""
	}
	return "did:key:" + pub
}

// VerificationMethod returns the did:key verification method URL of the
// entry's key, did:key:z6Mk...#z6Mk..., or "" if the key has no Multikey
// form.
func (e *Entry) VerificationMethod() string {
	pub, err := EncodePublicMultikey(e.KeyPair.Public)
	if err != nil {
		return ""
	}
	return "did:key:" + pub + "#" + pub
}

func (r *Ring) path(name string) string { return filepath.Join(r.dir, name+fileExt) }

func (r *Ring) load(name, path string) (*Entry, error) {
	// O_NONBLOCK: opening a FIFO planted in the keyring must not block; it
	// is then refused as not a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("key %s in %s: %w", name, r.dir, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading key %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading key %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading key %s: not a regular file", path)
	}
	if err := checkPrivate(fi.Mode()); err != nil {
		return nil, fmt.Errorf("reading key %s: mode %#o (want 0600): %w", path, fi.Mode().Perm(), err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileLen+1))
	if err != nil {
		return nil, fmt.Errorf("reading key %s: %w", path, err)
	}
	if len(data) > maxKeyFileLen {
		return nil, fmt.Errorf("reading key %s: larger than %d bytes", path, maxKeyFileLen)
	}
	// A key file holds a secret, and a corrupt one may hold it in any
	// member: every error below names the file and the member, never a
	// value (see fileError).
	kf, err := decodeFile(data)
	if err != nil {
		return nil, fmt.Errorf("reading key %s: %w", path, err)
	}
	if kf.Name != name {
		return nil, fmt.Errorf("reading key %s: %w", path, &fileError{member: "name", problem: "does not match the file name " + name + fileExt})
	}
	e := &Entry{Name: name, Created: kf.Created, Issuer: kf.Issuer, Fragment: kf.Fragment, Status: StatusActive}
	if e.Issuer == "" {
		e.Issuer = name
	}
	if e.Fragment == "" {
		e.Fragment = name
	}
	if !ValidName(e.Issuer) {
		return nil, fmt.Errorf("reading key %s: %w", path, &fileError{member: "issuer", problem: "not a valid key name", err: ErrInvalidName})
	}
	if !ValidName(e.Fragment) {
		return nil, fmt.Errorf("reading key %s: %w", path, &fileError{member: "fragment", problem: "not a valid key name", err: ErrInvalidName})
	}
	switch kf.Status {
	case "", StatusActive:
		if kf.RetiredAt != nil {
			return nil, fmt.Errorf("reading key %s: retiredAt set on an active key", path)
		}
	case StatusRetired:
		if kf.RetiredAt == nil {
			return nil, fmt.Errorf("reading key %s: retiredAt: missing on a retired key", path)
		}
		e.Status, e.RetiredAt = StatusRetired, *kf.RetiredAt
	default:
		return nil, fmt.Errorf("reading key %s: %w", path, &fileError{member: "status", problem: fmt.Sprintf("want %q or %q", StatusActive, StatusRetired)})
	}
	kp, err := kf.keyPair()
	if err != nil {
		return nil, fmt.Errorf("reading key %s: %w", path, redact(err))
	}
	// The members that are shown (keys show, keys list) must not carry the
	// secret: a file edited by hand, or made to leak, could put it there.
	if m := memberWithSecret(kf, kp); m != "" {
		return nil, fmt.Errorf("reading key %s: %w", path, &fileError{member: m, problem: "holds the secret key (or part of it)", err: ErrKeyFile})
	}
	e.KeyPair = kp
	return e, nil
}

// minSecretPart is the shortest run of a secret's characters that
// memberWithSecret looks for: long enough that no ordinary name matches by
// chance.
const minSecretPart = 12

// memberWithSecret returns the name of the first member of kf, other than
// the ones meant for it, that holds the secret of kp (or at least
// minSecretPart characters of it) in one of its usual encodings: Multikey,
// PEM, and base64url, base64 or hex of the JWK private members.
func memberWithSecret(kf *file, kp *KeyPair) string {
	secrets := []string{kf.SecretKeyMultibase, strings.TrimPrefix(kf.SecretKeyMultibase, "z")}
	if kf.PrivateKeyPEM != "" {
		var body strings.Builder
		for _, line := range strings.Split(kf.PrivateKeyPEM, "\n") {
			if !strings.HasPrefix(line, "-----") {
				body.WriteString(strings.TrimSpace(line))
			}
		}
		secrets = append(secrets, body.String())
	}
	if jwk, err := PrivateJWK(kp.Private); err == nil {
		var m map[string]any
		if json.Unmarshal(jwk, &m) == nil {
			for _, k := range []string{"d", "p", "q", "dp", "dq", "qi"} {
				v, _ := m[k].(string)
				raw, err := base64.RawURLEncoding.DecodeString(v)
				if v == "" || err != nil {
					continue
				}
				secrets = append(secrets, v, base64.StdEncoding.EncodeToString(raw), hex.EncodeToString(raw))
			}
		}
	}
	for _, mv := range []struct{ name, v string }{
		{"name", kf.Name}, {"type", string(kf.Type)}, {"issuer", kf.Issuer}, {"status", string(kf.Status)},
		{"fragment", kf.Fragment}, {"publicKeyMultibase", kf.PublicKeyMultibase},
	} {
		for _, sec := range secrets {
			if len(sec) >= minSecretPart && len(mv.v) >= minSecretPart &&
				(strings.Contains(strings.ToLower(sec), strings.ToLower(mv.v)) || strings.Contains(mv.v, sec)) {
				return mv.name
			}
		}
	}
	return ""
}

// ErrKeyFile means a key file is not what the keyring writes: malformed
// JSON, an unknown or repeated member, or a member of the wrong type.
var ErrKeyFile = errors.New("malformed key file")

// fileError reports a problem in a key file by member, without the
// member's value: a corrupt file may hold the secret key in any member
// (the secret pasted into publicKeyMultibase, say), and an error message
// ends up on terminals and in logs.
type fileError struct {
	member  string // "" for the file as a whole
	problem string
	err     error // a sentinel, or nil
}

func (e *fileError) Error() string {
	msg := e.problem
	if e.err != nil && e.problem == "" {
		msg = e.err.Error()
	}
	if e.member == "" {
		return msg
	}
	return e.member + ": " + msg
}

func (e *fileError) Unwrap() error { return e.err }

// keySentinels are the causes redact keeps.
var keySentinels = []error{ErrKeyMismatch, ErrKeyLength, ErrMultibase, ErrUnsupportedKey, ErrInvalidKey, ErrMalformedPEM, ErrInvalidName}

// redact returns err from decoding a key file's key material with its text
// replaced by the member it names and the sentinel it wraps: the decoders
// quote the values they refuse, which here may be the secret.
func redact(err error) error {
	msg := err.Error()
	member := msg[:strings.IndexAny(msg+" ", " :")]
	switch member {
	case "publicKeyMultibase", "secretKeyMultibase", "privateKeyPem", "type":
	default:
		member = "key material"
	}
	for _, s := range keySentinels {
		if errors.Is(err, s) {
			return &fileError{member: member, err: s}
		}
	}
	return &fileError{member: member, problem: "malformed", err: ErrKeyFile}
}

// fileMembers are the members of a key file, in the order messages list
// them.
var fileMembers = []string{"name", "type", "created", "issuer", "status", "retiredAt", "fragment", "publicKeyMultibase", "secretKeyMultibase", "privateKeyPem"}

// decodeFile decodes a key file member by member, so that an error can
// name the member without quoting anything from the file.
func decodeFile(data []byte) (*file, error) {
	var kf file
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &fileError{problem: fmt.Sprintf("malformed JSON at byte %d", se.Offset), err: ErrKeyFile}
		}
		return nil, &fileError{problem: "not a JSON object", err: ErrKeyFile}
	}
	if n := countMembers(data); n != len(members) {
		return nil, &fileError{problem: "a member appears twice", err: ErrKeyFile}
	}
	dst := map[string]any{
		"name": &kf.Name, "type": &kf.Type, "created": &kf.Created, "issuer": &kf.Issuer,
		"status": &kf.Status, "retiredAt": &kf.RetiredAt, "fragment": &kf.Fragment,
		"publicKeyMultibase": &kf.PublicKeyMultibase, "secretKeyMultibase": &kf.SecretKeyMultibase,
		"privateKeyPem": &kf.PrivateKeyPEM,
	}
	for name := range members {
		if _, ok := dst[name]; !ok {
			return nil, &fileError{problem: "a member key files do not have (they have " + strings.Join(fileMembers, ", ") + ")", err: ErrKeyFile}
		}
	}
	for _, name := range fileMembers {
		raw, ok := members[name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, dst[name]); err != nil {
			problem := "not a string"
			switch name {
			case "created", "retiredAt":
				problem = "not an RFC 3339 date-time"
			}
			return nil, &fileError{member: name, problem: problem, err: ErrKeyFile}
		}
	}
	return &kf, nil
}

// countMembers counts the members of the top-level object of data, a
// valid JSON object, repeated ones included.
func countMembers(data []byte) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil {
		return -1
	}
	n := 0
	for dec.More() {
		if _, err := dec.Token(); err != nil { // the name
			return -1
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return -1
		}
		n++
	}
	return n
}

// keyPair decodes the key material of a key file, checking that it is in
// the fields its type uses and that the halves belong together.
func (kf *file) keyPair() (*KeyPair, error) {
	switch {
	case kf.Type == Ed25519 || kf.Type == P256:
		if kf.PrivateKeyPEM != "" {
			return nil, fmt.Errorf("privateKeyPem: unexpected for a %s key", kf.Type)
		}
		priv, err := DecodeSecretMultikey(kf.SecretKeyMultibase)
		if err != nil {
			return nil, fmt.Errorf("secretKeyMultibase: %w", err)
		}
		pub, err := DecodePublicMultikey(kf.PublicKeyMultibase)
		if err != nil {
			return nil, fmt.Errorf("publicKeyMultibase: %w", err)
		}
		kp := &KeyPair{Type: kf.Type, Public: pub, Private: priv}
		if err := checkPair(kp); err != nil {
			return nil, fmt.Errorf("publicKeyMultibase: %w", err)
		}
		return kp, nil
	case kf.Type.IsRSA():
		if kf.PublicKeyMultibase != "" || kf.SecretKeyMultibase != "" {
			return nil, fmt.Errorf("multibase key fields are unexpected for a %s key", kf.Type)
		}
		priv, err := ParsePrivatePEM([]byte(kf.PrivateKeyPEM))
		if err != nil {
			return nil, fmt.Errorf("privateKeyPem: %w", err)
		}
		kp, err := FromPrivate(priv)
		if err != nil {
			return nil, fmt.Errorf("privateKeyPem: %w", err)
		}
		if kp.Type != kf.Type {
			return nil, fmt.Errorf("privateKeyPem: a %s key, file says %s: %w", kp.Type, kf.Type, ErrKeyMismatch)
		}
		return kp, nil
	default:
		return nil, fmt.Errorf("type %s: %w", quoteShort(string(kf.Type)), ErrUnsupportedKey)
	}
}

// checkPair makes sure the public key belongs to the private key and both
// are of the pair's type, so a hand-edited file cannot make us advertise a
// key we do not sign with.
func checkPair(kp *KeyPair) error {
	got, err := FromPrivate(kp.Private)
	if err != nil {
		return err
	}
	if got.Type != kp.Type {
		return fmt.Errorf("a %s key labelled %s: %w", got.Type, kp.Type, ErrKeyMismatch)
	}
	if !publicEqual(got.Public, kp.Public) {
		return ErrKeyMismatch
	}
	return nil
}

// publicEqual compares two public keys of any supported type.
func publicEqual(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}

// create writes data to path atomically and without replacing an existing
// file (see atomicfile.Options.NoReplace): a key is never overwritten by
// another one of the same name.
func (r *Ring) create(path string, data []byte) error {
	err := atomicfile.Write(path, data, fileMode, atomicfile.Options{NoReplace: true, RegularOnly: true})
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("key %s in %s: %w", strings.TrimSuffix(filepath.Base(path), fileExt), r.dir, ErrExists)
	}
	if err != nil {
		return fmt.Errorf("writing key: %w", err)
	}
	return nil
}

// checkPrivate refuses modes that give group or others any access. Windows
// does not map ACLs onto these bits, so there is nothing to check there.
func checkPrivate(m fs.FileMode) error {
	if runtime.GOOS == "windows" || m.Perm()&0o077 == 0 {
		return nil
	}
	return ErrInsecure
}

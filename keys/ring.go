package keys

import (
	"bytes"
	"crypto/ed25519"
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
	"time"
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
}

// Entry is one key in a Ring.
type Entry struct {
	Name    string
	KeyPair *KeyPair
	Created time.Time
}

// file is the on-disk form of an Entry.
type file struct {
	Name               string    `json:"name"`
	Type               Type      `json:"type"`
	Created            time.Time `json:"created"`
	PublicKeyMultibase string    `json:"publicKeyMultibase"`
	SecretKeyMultibase string    `json:"secretKeyMultibase"`
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

// Add stores an existing key pair under name, for importing keys made
// elsewhere. It returns an error wrapping ErrExists if the name is taken.
func (r *Ring) Add(name string, kp *KeyPair) (*Entry, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("key name %s: %w", quoteShort(name), ErrInvalidName)
	}
	if kp == nil {
		return nil, fmt.Errorf("key %s: nil key pair", name)
	}
	if err := checkPair(kp); err != nil {
		return nil, fmt.Errorf("key %s: %w", name, err)
	}
	pub, err := EncodePublicMultikey(kp.Public)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", name, err)
	}
	sec, err := EncodeSecretMultikey(kp.Private)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", name, err)
	}
	// Second precision keeps the file readable; the zone is dropped so the
	// file does not reveal the machine's location.
	created := time.Now().UTC().Truncate(time.Second)
	data, err := json.MarshalIndent(file{
		Name:               name,
		Type:               kp.Type,
		Created:            created,
		PublicKeyMultibase: pub,
		SecretKeyMultibase: sec,
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", name, err)
	}
	data = append(data, '\n')
	if err := r.create(r.path(name), data); err != nil {
		return nil, err
	}
	return &Entry{Name: name, KeyPair: kp, Created: created}, nil
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
// has no Multikey form.
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
	f, err := os.Open(path)
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
	var kf file
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&kf); err != nil {
		return nil, fmt.Errorf("reading key %s: %w", path, err)
	}
	if kf.Name != name {
		return nil, fmt.Errorf("reading key %s: name: file holds %s", path, quoteShort(kf.Name))
	}
	if kf.Type != Ed25519 {
		return nil, fmt.Errorf("reading key %s: type %s: %w", path, quoteShort(string(kf.Type)), ErrUnsupportedKey)
	}
	priv, err := DecodeSecretMultikey(kf.SecretKeyMultibase)
	if err != nil {
		return nil, fmt.Errorf("reading key %s: secretKeyMultibase: %w", path, err)
	}
	pub, err := DecodePublicMultikey(kf.PublicKeyMultibase)
	if err != nil {
		return nil, fmt.Errorf("reading key %s: publicKeyMultibase: %w", path, err)
	}
	kp := &KeyPair{Type: kf.Type, Public: pub, Private: priv}
	if err := checkPair(kp); err != nil {
		return nil, fmt.Errorf("reading key %s: publicKeyMultibase: %w", path, err)
	}
	return &Entry{Name: name, KeyPair: kp, Created: kf.Created}, nil
}

// checkPair makes sure the public key belongs to the private key, so a
// hand-edited file cannot make us advertise a key we do not sign with.
func checkPair(kp *KeyPair) error {
	if kp.Type != Ed25519 {
		return fmt.Errorf("type %q: %w", kp.Type, ErrUnsupportedKey)
	}
	priv, ok := kp.Private.(ed25519.PrivateKey)
	if !ok {
		return fmt.Errorf("private key %T: %w", kp.Private, ErrUnsupportedKey)
	}
	if len(priv) != ed25519.PrivateKeySize {
		return fmt.Errorf("ed25519 private key of %d bytes: %w", len(priv), ErrKeyLength)
	}
	pub, ok := kp.Public.(ed25519.PublicKey)
	if !ok {
		return fmt.Errorf("public key %T: %w", kp.Public, ErrUnsupportedKey)
	}
	if !pub.Equal(priv.Public()) {
		return ErrKeyMismatch
	}
	return nil
}

// create writes data to path atomically and without replacing an existing
// file: the bytes go to a temporary file in the same directory, are synced,
// and the file is then hard-linked into place (link, unlike rename, fails if
// the target exists). Where hard links are unsupported it falls back to a
// checked rename.
func (r *Ring) create(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(r.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("writing key %s: %w", path, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if rmErr := os.Remove(tmpName); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) && err == nil {
			err = fmt.Errorf("writing key %s: removing temporary file: %w", path, rmErr)
		}
	}()
	if err := tmp.Chmod(fileMode); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return fmt.Errorf("writing key %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing key %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing key %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing key %s: %w", path, err)
	}
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("key %s in %s: %w", strings.TrimSuffix(filepath.Base(path), fileExt), r.dir, ErrExists)
		}
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("key %s in %s: %w", strings.TrimSuffix(filepath.Base(path), fileExt), r.dir, ErrExists)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("writing key %s: %w", path, err)
		}
	}
	return syncDir(r.dir)
}

// syncDir makes the new directory entry durable. Windows cannot fsync a
// directory, and does not need to.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing keyring %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing keyring %s: %w", dir, err)
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

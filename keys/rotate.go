package keys

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/internal/atomicfile"
)

// Group returns the keys of an issuer group, active and retired, oldest
// first (see Rotate for the order). It returns an error wrapping ErrNotFound
// if the group has no keys.
func (r *Ring) Group(issuer string) ([]Entry, error) {
	if !ValidName(issuer) {
		return nil, fmt.Errorf("issuer %s: %w", quoteShort(issuer), ErrInvalidName)
	}
	g, err := r.members(issuer)
	if err != nil {
		return nil, err
	}
	if len(g) == 0 {
		return nil, fmt.Errorf("issuer %s in %s: %w", issuer, r.dir, ErrNotFound)
	}
	return g, nil
}

// Active returns the key issuer signs with. If an interrupted rotation left
// two active keys, the newer one is returned (the next Rotate retires the
// other). Errors wrap ErrNotFound for an unknown group, ErrNoActiveKey if
// every key of the group is retired.
func (r *Ring) Active(issuer string) (*Entry, error) {
	g, err := r.Group(issuer)
	if err != nil {
		return nil, err
	}
	for i := len(g) - 1; i >= 0; i-- {
		if g[i].Status == StatusActive {
			return &g[i], nil
		}
	}
	return nil, fmt.Errorf("issuer %s: %w", issuer, ErrNoActiveKey)
}

// IssuerOf returns the group name for name, which may name a key (its
// group is returned) or a group whose first key was renamed or removed.
func (r *Ring) IssuerOf(name string) (string, error) {
	e, err := r.Get(name)
	if err == nil {
		return e.Issuer, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", err
	}
	if _, gerr := r.Group(name); gerr != nil {
		return "", gerr
	}
	return name, nil
}

// Rotate gives the issuer of name (a key or group name, see IssuerOf) a new
// active key of type t (if empty, the type of the current active key) and
// retires the keys that were active before. The new key is named
// <issuer>-<n>, n one more than the highest number in the group (the
// group's first key counts as 1), and its fragment is its name.
//
// The new key is written before any old key is marked retired, so a crash
// in between leaves two active keys, never none; Active then picks the new
// one. Concurrent rotations of one group end with exactly one active key,
// the newest: key numbers are claimed by exclusive file creation, so their
// order is creation order, and each rotation retires every active key older
// than its own.
//
// Group order, used throughout, is by key number, then creation time, then
// name; keys added to a group under other names have number 0.
func (r *Ring) Rotate(name string, t Type) (*Entry, error) {
	r.rotating.Lock()
	defer r.rotating.Unlock()
	issuer, err := r.IssuerOf(name)
	if err != nil {
		return nil, err
	}
	g, err := r.Group(issuer)
	if err != nil {
		return nil, err
	}
	if t == "" {
		cur, err := r.Active(issuer)
		if err != nil {
			return nil, fmt.Errorf("rotating %s: %w (give a key type)", issuer, err)
		}
		t = cur.KeyPair.Type
	}
	kp, err := Generate(t, nil)
	if err != nil {
		return nil, fmt.Errorf("rotating %s: %w", issuer, err)
	}
	n := 1
	for _, e := range g {
		n = max(n, keyNumber(issuer, e.Name))
	}
	var fresh *Entry
	// Another rotation may claim a number first; try the next ones. The
	// bound only stops a pathological directory from looping forever.
	for range 1000 {
		n++
		nm := issuer + "-" + strconv.Itoa(n)
		if !ValidName(nm) {
			return nil, fmt.Errorf("rotating %s: new key name %s: %w", issuer, quoteShort(nm), ErrInvalidName)
		}
		now := time.Now().UTC().Truncate(time.Second)
		e := &Entry{Name: nm, KeyPair: kp, Created: now, Issuer: issuer, Fragment: nm, Status: StatusActive}
		err := r.store(e, false)
		if errors.Is(err, ErrExists) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("rotating %s: %w", issuer, err)
		}
		fresh = e
		break
	}
	if fresh == nil {
		return nil, fmt.Errorf("rotating %s: no free key name: %w", issuer, ErrExists)
	}
	if err := r.retireBefore(issuer, fresh); err != nil {
		return fresh, fmt.Errorf("rotating %s: new key %s is active, but retiring the old one: %w", issuer, fresh.Name, err)
	}
	return fresh, nil
}

// retireBefore retires every active key of issuer that comes before
// newest in group order.
func (r *Ring) retireBefore(issuer string, newest *Entry) error {
	g, err := r.members(issuer)
	if err != nil {
		return err
	}
	for i := range g {
		e := &g[i]
		if e.Name == newest.Name || e.Status != StatusActive || !groupLess(issuer, e, newest) {
			continue
		}
		e.Status, e.RetiredAt = StatusRetired, time.Now().UTC().Truncate(time.Second)
		if err := r.store(e, true); err != nil {
			return err
		}
	}
	return nil
}

// members returns the keys of issuer in group order, possibly none.
func (r *Ring) members(issuer string) ([]Entry, error) {
	all, err := r.List()
	if err != nil {
		return nil, err
	}
	var g []Entry
	for _, e := range all {
		if e.Issuer == issuer {
			g = append(g, e)
		}
	}
	sort.SliceStable(g, func(i, j int) bool { return groupLess(issuer, &g[i], &g[j]) })
	return g, nil
}

// keyNumber is 1 for a group's first key, n for <issuer>-<n> (n > 1 in
// canonical decimal), and 0 for any other name.
func keyNumber(issuer, name string) int {
	if name == issuer {
		return 1
	}
	digits, ok := strings.CutPrefix(name, issuer+"-")
	if !ok || digits == "" || digits[0] == '0' || len(digits) > 9 {
		return 0
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 2 {
		return 0
	}
	return n
}

func groupLess(issuer string, a, b *Entry) bool {
	na, nb := keyNumber(issuer, a.Name), keyNumber(issuer, b.Name)
	if na != nb {
		return na < nb
	}
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	return a.Name < b.Name
}

// replace writes data over path atomically (atomicfile), so a reader
// sees the old or the new file, never a mix.
func (r *Ring) replace(path string, data []byte) error {
	if err := atomicfile.Write(path, data, fileMode, atomicfile.Options{RegularOnly: true}); err != nil {
		return fmt.Errorf("writing key: %w", err)
	}
	return nil
}

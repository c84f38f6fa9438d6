package catalogue

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
)

// Change is one difference between two versions: the JSON path and the
// values before and after (nil when absent).
type Change struct {
	// Path is the JSON path, e.g. achievement.criteria.narrative.
	Path string `json:"path"`
	// Before is the old value; nil when the path was added.
	Before any `json:"before"`
	// After is the new value; nil when the path was removed.
	After any `json:"after"`
}

// Diff returns what changed between two JSON documents, by path, in
// path order. Arrays that differ are reported whole.
func Diff(before, after []byte) ([]Change, error) {
	var a, b any
	if err := json.Unmarshal(before, &a); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	if err := json.Unmarshal(after, &b); err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	var out []Change
	diffValue("", a, b, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func diffValue(path string, a, b any, out *[]Change) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		for k, av := range am {
			bv, ok := bm[k]
			if !ok {
				*out = append(*out, Change{Path: join(path, k), Before: av})
				continue
			}
			diffValue(join(path, k), av, bv, out)
		}
		for k, bv := range bm {
			if _, ok := am[k]; !ok {
				*out = append(*out, Change{Path: join(path, k), After: bv})
			}
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, Change{Path: path, Before: a, After: b})
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// DiffVersions returns what changed from version a to version b of an
// achievement: its Achievement (paths under "achievement.") and QA facts
// (under "qa.").
func DiffVersions(a, b json.RawMessage, qaA, qaB any) ([]Change, error) {
	wrap := func(ach json.RawMessage, qa any) ([]byte, error) {
		return json.Marshal(map[string]any{"achievement": ach, "qa": qa})
	}
	x, err := wrap(a, qaA)
	if err != nil {
		return nil, err
	}
	y, err := wrap(b, qaB)
	if err != nil {
		return nil, err
	}
	return Diff(x, y)
}

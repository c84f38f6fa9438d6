package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/badgesmith/badgesmith/verifier"
)

// readTrustLists reads each --trust file; a fault is a usage error.
func readTrustLists(ctx context.Context, s streams, files []string, timeout time.Duration) ([]*verifier.TrustList, error) {
	var out []*verifier.TrustList
	for _, f := range files {
		data, err := readInput(ctx, s, f, verifier.MaxTrustListSize, timeout)
		if err != nil {
			return nil, &usageError{fmt.Sprintf("--trust: %v", err)}
		}
		l, err := verifier.ParseTrustList(f, data)
		if err != nil {
			return nil, &usageError{fmt.Sprintf("--trust: %v", err)}
		}
		if snap := l.SnapshotFile(); snap != "" {
			if !filepath.IsAbs(snap) && f != "-" {
				snap = filepath.Join(filepath.Dir(f), snap)
			}
			data, err := readInput(ctx, s, snap, verifier.MaxTrustListSize, timeout)
			if err != nil {
				return nil, &usageError{fmt.Sprintf("--trust: %s: snapshot: %v", f, err)}
			}
			if err := l.LoadSnapshot(data); err != nil {
				return nil, &usageError{fmt.Sprintf("--trust: %v", err)}
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// printRecognition prints whether the trust lists recognise the issuer.
func printRecognition(w io.Writer, bidi *bidiFields, r *verifier.Recognition) {
	if r == nil {
		return
	}
	if r.Status != verifier.Recognised {
		if r.Status == verifier.RegistryUnreachable {
			fmt.Fprint(w, "  trust: registry unreachable, so whether the issuer is recognised is unknown")
		} else {
			fmt.Fprintf(w, "  trust: issuer %s by the trust lists", r.Status)
		}
		if r.Reason != "" {
			fmt.Fprintf(w, " (%s)", bidi.field("the reason", r.Reason))
		}
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, "  trust: issuer recognised by %s as %s", bidi.field("the trust list", r.List), bidi.field("the recognised name", r.Name))
	if r.URL != "" {
		fmt.Fprintf(w, " (%s)", bidi.field("the recognised URL", r.URL))
	}
	if len(r.Chain) > 0 {
		chain := make([]string, len(r.Chain))
		for i, c := range r.Chain {
			chain[i] = bidi.field("the trust chain", c)
		}
		fmt.Fprintf(w, ", trust chain %s", strings.Join(chain, " > "))
	}
	fmt.Fprintln(w)
}

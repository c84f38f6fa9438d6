package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/badgesmith/badgesmith/store"
	"github.com/badgesmith/badgesmith/store/storetest"
)

func TestSharesConformance(t *testing.T) {
	storetest.RunShares(t, func(t *testing.T) store.Shares {
		return open(t, filepath.Join(t.TempDir(), "store.db"))
	})
}

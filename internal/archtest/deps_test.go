package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/badgesmith/badgesmith/"

// allowed lists, per package, which of our packages it may import
// (DESIGN.md, "Dependency rules"). A package missing here may import
// nothing of ours. The internal/ helpers (verdict, atomicfile, safehttp)
// are infrastructure, not concepts: a leaf may use them.
var allowed = map[string][]string{
	// Leaves: none of our concept packages.
	"contexts": {"internal/verdict"},
	"jcs":      {},
	"rdfc":     {},
	"keys":     {"internal/atomicfile", "internal/verdict"},
	"ob3":      {"internal/jsonvalue"},
	"status":   {},
	"bake":     {},
	// jsonld processes the contexts package contexts ships, with rdfc and
	// jcs for the canonical forms.
	"jsonld": {"contexts", "rdfc", "jcs", "internal/jsonvalue", "internal/verdict"},
	// did:web fetches with the one bounded GET and caches with the one
	// expiring cache.
	"did": {"keys", "internal/safehttp", "internal/ttlcache", "internal/verdict"},
	// proof and vcjwt sign and check with keys over jsonld's reading of a
	// credential; proof also names the Ed25519Signature2020 context
	// (contexts) and signs eddsa-jcs-2022's RFC 8785 form (jcs); proof
	// hands the statements it verified over as rdfc terms. Neither
	// imports the other.
	"proof": {"keys", "jsonld", "contexts", "rdfc", "jcs", "internal/jsonvalue", "internal/verdict"},
	"vcjwt": {"keys", "jsonld", "internal/jsonvalue", "internal/verdict"},
	// The issuer never reads roster files: roster maps rows to
	// issuer.Requests.
	"issuer": {"ob3", "jsonld", "contexts", "keys", "did", "proof", "vcjwt", "status", "store", "catalogue", "internal/atomicfile", "internal/jsonvalue"},
	// The catalogue keeps its record in the store, checks Achievements
	// with ob3, signs approvals with keys (JWS over jcs), and writes the
	// published format. The published format is a leaf the verifier reads:
	// it never reaches the store.
	"catalogue":           {"store", "ob3", "keys", "jcs", "catalogue/published"},
	"catalogue/published": {},
	"roster":              {"issuer", "ob3"},
	// stack judges stacks on what the verifier read of each credential and
	// issues stacked credentials and CLRs with the issuer (DESIGN.md); a
	// CLR names the bundled contexts it is written in.
	"stack": {"verifier", "ob3", "issuer", "contexts", "internal/jsonvalue"},
	// The verifier reads the claims of a credential from the RDF statements
	// its proof covers, in rdfc's terms, and names the bundled contexts
	// (contexts) in its checks and --explain facts. Never the issuer, the
	// store or the server.
	"verifier":        {"ob3", "jsonld", "contexts", "rdfc", "keys", "did", "proof", "vcjwt", "status", "bake", "catalogue/published", "internal/jsonvalue", "internal/safehttp", "internal/ttlcache", "internal/verdict"},
	"internal/server": {"issuer", "verifier", "rdfc", "catalogue", "store", "store/bolt", "did", "keys", "status", "ob3", "bake", "jcs", "internal/atomicfile", "internal/jsonvalue", "internal/safehttp", "internal/verdict"}, // opens the bbolt store so serve.go only parses flags
	"cmd/badgesmith":  {"*"},
	"interop":         {"*"},
	// The load benchmark measures the in-process verifier beside the
	// server it drives over HTTP, and the batch benchmark proof.Sign of
	// the batch's own credential beside the batch.
	"bench/serve":         {"verifier"},
	"bench/batch":         {"jsonld", "proof", "internal/cputime"},
	"internal/archtest":   {},
	"internal/verdict":    {},
	"internal/cputime":    {},
	"internal/jsonvalue":  {},
	"internal/ttlcache":   {},
	"internal/emailtable": {},
	"internal/testtls":    {},
	// testkit, the shared test fixtures, builds did:key identities. Its own
	// tests check its fetcher against proof's and vcjwt's interfaces, but
	// its code imports neither (testkitCodeNever), so that their in-package
	// tests may use it without a cycle.
	"internal/testkit": {"keys", "did", "proof", "vcjwt"},
	"store":            {"status"},
	"store/*":          {"store", "store/storetest", "status"},
}

// forbidden lists imports DESIGN.md rules out by name, checked for tests
// too: whatever allowed says, and whatever a test may use.
var forbidden = map[string][]string{
	"verifier":            {"issuer", "store", "catalogue", "internal/server"},
	"catalogue/published": {"store", "catalogue"},
	"issuer":              {"roster"},
	"proof":               {"vcjwt"},
	"vcjwt":               {"proof"},
	"contexts":            {"jsonld"},
}

// testkitCodeNever lists what testkit's non-test code never imports: the
// packages whose in-package (package x, not x_test) tests import testkit.
var testkitCodeNever = []string{"proof", "vcjwt", "status", "verifier", "issuer", "roster"}

// thirdPartyOnlyIn names imports that only some packages may use.
var thirdPartyOnlyIn = map[string][]string{
	"github.com/spf13/cobra": {"cmd/badgesmith"},
}

func TestDependencyRules(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if name == "node_modules" || name == "testdata" || (strings.HasPrefix(name, ".") && path != root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		checked++
		isTest := strings.HasSuffix(path, "_test.go")
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if owners, ok := thirdPartyOnlyIn[p]; ok && !contains(owners, pkg) {
				t.Errorf("%s imports %s; only %v may", path, p, owners)
			}
			if !strings.HasPrefix(p, module) {
				continue
			}
			dep := strings.TrimPrefix(p, module)
			// The shared test fixtures, static keys included, are for tests
			// only, whatever else a package may import.
			if dep == "internal/testkit" && !isTest {
				t.Errorf("%s imports internal/testkit; only _test.go files may", path)
				continue
			}
			if pkg == "internal/testkit" && !isTest && contains(testkitCodeNever, dep) {
				t.Errorf("%s imports %s, whose in-package tests import testkit", path, dep)
				continue
			}
			if contains(forbidden[pkg], dep) {
				t.Errorf("%s imports %s, which DESIGN.md forbids for %s, tests included", path, dep, pkg)
				continue
			}
			if isTest && (dep == pkg || strings.HasPrefix(dep, pkg+"/")) {
				continue
			}
			top := pkg
			if strings.HasPrefix(pkg, "store/") {
				top = "store/*"
			}
			rules, ok := allowed[top]
			if !ok {
				rules = allowed[strings.SplitN(pkg, "/", 2)[0]]
			}
			// testdata/hostile/gen builds the hostile corpus (from proof, did,
			// keys, status and bake only) for the tests that run it.
			if contains(rules, "*") || contains(rules, dep) || (isTest && (dep == "internal/atomicfile" || dep == "internal/cputime" || dep == "internal/testtls" || dep == "internal/testkit" || dep == "internal/emailtable" || dep == "testdata/hostile/gen")) {
				continue
			}
			// Tests may use the verifier or issuer to check their package's
			// output end to end, except that the verifier never sees the issuer.
			if isTest && pkg != "verifier" && (dep == "issuer" || dep == "verifier") {
				continue
			}
			// Tests of a package that may use store may run it on a real
			// backend.
			if isTest && strings.HasPrefix(dep, "store/") && contains(rules, "store") {
				continue
			}
			t.Errorf("%s imports %s, which DESIGN.md's dependency rules forbid for %s", path, dep, pkg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go files were checked")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

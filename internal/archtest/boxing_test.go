package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unboxable names the named string types of ours that must never be
// stored as an interface value (into a map[string]any, a []any, an any
// field or variable): the JSON-LD processor and the JCS encoder a
// credential goes through accept only plain strings in such a value, and
// refuse these at run time, where the compiler cannot see it. Write
// string(v) there.
var unboxable = []string{"status.Purpose"}

// TestNamedStringsNeverBoxed type-checks every package of the module and
// fails where a value of an unboxable type is stored as an interface
// value: a composite literal element, an assignment, an append or a
// conversion to an interface type. Passing one to a function taking any
// (fmt.Sprintf, say) is not a store and is not flagged.
func TestNamedStringsNeverBoxed(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs, exports := listPackages(t, root)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	checked := 0
	for _, p := range pkgs {
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
		conf := types.Config{Importer: imp}
		if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
			t.Fatalf("type-checking %s: %v", p.ImportPath, err)
		}
		for _, b := range boxed(files, info, isUnboxable) {
			t.Errorf("%s: a %s stored as an interface value; write string(...) (see unboxable)", fset.Position(b.pos), b.typ)
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("type-checked only %d packages", checked)
	}
}

// TestBoxedFinds checks the scan on a package with each kind of store,
// so that TestNamedStringsNeverBoxed can fail.
func TestBoxedFinds(t *testing.T) {
	const src = `package x

type Purpose string

type holder struct{ V any }

func f(p Purpose, ps []Purpose) {
	m := map[string]any{"a": p}    // 1
	m["b"] = p                     // 2
	l := []any{p, "plain"}         // 3
	l = append(l, p)               // 4
	h := holder{V: p}              // 5
	h.V = p                        // 6
	_ = any(p)                     // 7
	_ = [1]any{ps[0]}              // 8
	m["ok"] = string(p)
	_ = map[string]string{"ok": string(p)}
	_ = map[Purpose]bool{p: true}
	q := p
	_, _, _ = l, h, q
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	if _, err := (&types.Config{}).Check("x", fset, []*ast.File{f}, info); err != nil {
		t.Fatal(err)
	}
	isPurpose := func(t types.Type) bool {
		n, ok := t.(*types.Named)
		return ok && n.Obj().Name() == "Purpose"
	}
	var lines []string
	for _, b := range boxed([]*ast.File{f}, info, isPurpose) {
		lines = append(lines, fmt.Sprint(fset.Position(b.pos).Line))
	}
	if got, want := strings.Join(lines, " "), "8 9 10 11 12 13 14 15"; got != want {
		t.Errorf("flagged lines %s, want %s", got, want)
	}
}

// goPackage is what go list says of one package.
type goPackage struct {
	ImportPath string
	Dir        string
	Export     string
	GoFiles    []string
	Standard   bool
	DepOnly    bool
	Module     *struct{ Path string }
}

// listPackages returns the module's packages and the export data file of
// every package they import, from go list. go test puts the go command
// that built the test first in PATH, so the export data is in the format
// this test's go/importer reads.
func listPackages(t *testing.T, root string) ([]goPackage, map[string]string) {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-export", "-deps", "-json=ImportPath,Dir,Export,GoFiles,Standard,DepOnly,Module,Error", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []goPackage
	exports := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Export != "" {
			exports[p.ImportPath] = p.Export
		}
		if !p.Standard && !p.DepOnly && p.Module != nil && p.Module.Path+"/" == module && len(p.GoFiles) > 0 {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, exports
}

// isUnboxable reports whether t is one of the unboxable types.
func isUnboxable(t types.Type) bool {
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return false
	}
	pkg := strings.TrimPrefix(n.Obj().Pkg().Path(), module)
	for _, u := range unboxable {
		if u == pkg+"."+n.Obj().Name() {
			return true
		}
	}
	return false
}

// boxing is an expression of a target type stored as an interface value.
type boxing struct {
	pos token.Pos
	typ string
}

// boxed returns where in files an expression whose type target accepts is
// stored as an interface value.
func boxed(files []*ast.File, info *types.Info, target func(types.Type) bool) []boxing {
	var found []boxing
	typeOf := func(e ast.Expr) types.Type {
		if tv, ok := info.Types[e]; ok {
			return tv.Type
		}
		return nil
	}
	// check records e when it has a target type and goes into a slot of
	// type slot.
	check := func(slot types.Type, e ast.Expr) {
		if slot == nil || !types.IsInterface(slot) {
			return
		}
		if et := typeOf(e); et != nil && target(et) {
			found = append(found, boxing{pos: e.Pos(), typ: et.String()})
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				lit := typeOf(n)
				if lit == nil {
					return true
				}
				switch u := lit.Underlying().(type) {
				case *types.Map:
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							check(u.Key(), kv.Key)
							check(u.Elem(), kv.Value)
						}
					}
				case *types.Slice:
					checkElems(n.Elts, u.Elem(), check)
				case *types.Array:
					checkElems(n.Elts, u.Elem(), check)
				case *types.Struct:
					for i, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							if id, ok := kv.Key.(*ast.Ident); ok {
								for j := range u.NumFields() {
									if u.Field(j).Name() == id.Name {
										check(u.Field(j).Type(), kv.Value)
									}
								}
							}
						} else if i < u.NumFields() {
							check(u.Field(i).Type(), el)
						}
					}
				}
			case *ast.AssignStmt:
				if n.Tok == token.ASSIGN && len(n.Lhs) == len(n.Rhs) {
					for i := range n.Lhs {
						check(typeOf(n.Lhs[i]), n.Rhs[i])
					}
				}
			case *ast.CallExpr:
				fun := typeOf(n.Fun)
				if tv := info.Types[n.Fun]; tv.IsType() && len(n.Args) == 1 {
					check(fun, n.Args[0]) // a conversion such as any(p)
					return true
				}
				if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok && id.Name == "append" && info.Types[n.Fun].IsBuiltin() && len(n.Args) > 1 && !n.Ellipsis.IsValid() {
					if s, ok := typeOf(n.Args[0]).Underlying().(*types.Slice); ok {
						for _, a := range n.Args[1:] {
							check(s.Elem(), a)
						}
					}
				}
			}
			return true
		})
	}
	return found
}

// checkElems checks the elements of a slice or array literal.
func checkElems(elts []ast.Expr, elem types.Type, check func(types.Type, ast.Expr)) {
	for _, el := range elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			el = kv.Value
		}
		check(elem, el)
	}
}

package stack_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/badgesmith/badgesmith/stack"
)

func readFramework(t *testing.T) *stack.Framework {
	t.Helper()
	data, err := os.ReadFile("../testdata/pathway/robotics-framework.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := stack.ParseCASE(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestAlignCASE(t *testing.T) {
	f := readFramework(t)
	ach := map[string]any{"id": "urn:a", "alignment": []any{map[string]any{"type": []any{"Alignment"}, "targetName": "x", "targetUrl": "https://x.example/"}}}
	out, err := f.Align(ach, []string{"RT.1", "c3f1a9e4-8d2b-4e67-9f10-6b5a4c3d2e03", "RT.1"})
	if err != nil {
		t.Fatal(err)
	}
	al := out["alignment"].([]any)
	if len(al) != 3 {
		t.Fatalf("alignments %v, want the old one and two new", al)
	}
	if len(ach["alignment"].([]any)) != 1 {
		t.Error("Align changed its input")
	}
	tests := []struct {
		i                       int
		name, code, url, fwName string
	}{
		{1, "Industrial sensors", "RT.1", "https://case.poly.example/ims/case/v1p0/CFItems/0d4a6c61-3b0e-4b53-8a8e-3c4f0f2e9a01", "Robotics Technician Competencies"},
		{2, "Program, test and fault-find programmable logic controllers.", "RT.3", "https://case.poly.example/ims/case/v1p0/CFItems/c3f1a9e4-8d2b-4e67-9f10-6b5a4c3d2e03", "Robotics Technician Competencies"},
	}
	for _, tt := range tests {
		a := al[tt.i].(map[string]any)
		if a["targetType"] != "CFItem" || a["targetName"] != tt.name || a["targetCode"] != tt.code || a["targetUrl"] != tt.url || a["targetFramework"] != tt.fwName {
			t.Errorf("alignment[%d] = %v", tt.i, a)
		}
	}
}

func TestAlignCASERefuses(t *testing.T) {
	f := readFramework(t)
	_, err := f.Align(map[string]any{"id": "urn:a"}, []string{"RT.9"})
	if !errors.Is(err, stack.ErrUnknownItem) || !strings.Contains(err.Error(), "Robotics Technician Competencies") {
		t.Errorf("unknown code: %v, want ErrUnknownItem naming the framework", err)
	}
	for name, src := range map[string]string{
		"no document":     `{"CFItems": []}`,
		"no title":        `{"CFDocument": {"uri": "https://x.example/d"}}`,
		"item without id": `{"CFDocument": {"uri": "https://x.example/d", "title": "T"}, "CFItems": [{"uri": "https://x.example/i"}]}`,
		"not json":        `{"CFDocument":`,
	} {
		if _, err := stack.ParseCASE([]byte(src)); !errors.Is(err, stack.ErrCASE) {
			t.Errorf("%s: %v, want ErrCASE", name, err)
		}
	}
}

func FuzzParseCASE(f *testing.F) {
	if data, err := os.ReadFile("../testdata/pathway/robotics-framework.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"CFDocument": {"uri": "u", "title": "t"}, "CFItems": [{"identifier": "i", "uri": "u"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, err := stack.ParseCASE(data)
		if err != nil {
			if !errors.Is(err, stack.ErrCASE) {
				t.Fatalf("error %v does not wrap ErrCASE", err)
			}
			return
		}
		for i := range fw.Items {
			it, err := fw.Item(fw.Items[i].Identifier)
			if err != nil || it.Identifier != fw.Items[i].Identifier {
				t.Fatalf("item %q not found by its identifier: %v", fw.Items[i].Identifier, err)
			}
		}
	})
}

package stack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
)

// Limits of a CASE framework file.
const (
	// MaxCASESize is the largest CFPackage read, in bytes.
	MaxCASESize = 32 << 20
	// MaxCASEItems is the most CFItems one package may hold.
	MaxCASEItems = 200000
)

// Errors of the CASE alignment.
var (
	// ErrCASE marks a file that is not a usable CASE CFPackage.
	ErrCASE = errors.New("invalid CASE package")
	// ErrUnknownItem marks a code the framework has no item for.
	ErrUnknownItem = errors.New("no such item in the framework")
)

// Framework is a 1EdTech CASE competency framework: a CFPackage's
// document and items.
type Framework struct {
	// Title and URI are the CFDocument's.
	Title string
	URI   string
	// Items are the CFItems.
	Items []FrameworkItem
}

// FrameworkItem is one CFItem.
type FrameworkItem struct {
	Identifier        string `json:"identifier"`
	URI               string `json:"uri"`
	HumanCodingScheme string `json:"humanCodingScheme"`
	FullStatement     string `json:"fullStatement"`
	AbbreviatedStmt   string `json:"abbreviatedStatement"`
}

// ParseCASE reads a CASE CFPackage JSON document.
func ParseCASE(data []byte) (*Framework, error) {
	if len(data) > MaxCASESize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrCASE, MaxCASESize)
	}
	var pkg struct {
		CFDocument *struct {
			Identifier string `json:"identifier"`
			URI        string `json:"uri"`
			Title      string `json:"title"`
		} `json:"CFDocument"`
		CFItems []FrameworkItem `json:"CFItems"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&pkg); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCASE, err)
	}
	if pkg.CFDocument == nil {
		return nil, fmt.Errorf("%w: CFDocument: required", ErrCASE)
	}
	if pkg.CFDocument.Title == "" || pkg.CFDocument.URI == "" {
		return nil, fmt.Errorf("%w: CFDocument: title and uri are required", ErrCASE)
	}
	if len(pkg.CFItems) > MaxCASEItems {
		return nil, fmt.Errorf("%w: CFItems: %d items, more than %d", ErrCASE, len(pkg.CFItems), MaxCASEItems)
	}
	for i, it := range pkg.CFItems {
		if it.Identifier == "" || it.URI == "" {
			return nil, fmt.Errorf("%w: CFItems[%d]: identifier and uri are required", ErrCASE, i)
		}
	}
	return &Framework{Title: pkg.CFDocument.Title, URI: pkg.CFDocument.URI, Items: pkg.CFItems}, nil
}

// Item returns the item whose identifier or human coding scheme is code.
// An unknown code is an error wrapping ErrUnknownItem that names the
// framework.
func (f *Framework) Item(code string) (*FrameworkItem, error) {
	for i := range f.Items {
		if f.Items[i].Identifier == code {
			return &f.Items[i], nil
		}
	}
	for i := range f.Items {
		if f.Items[i].HumanCodingScheme == code {
			return &f.Items[i], nil
		}
	}
	return nil, fmt.Errorf("%q: %w %q (%s)", code, ErrUnknownItem, f.Title, f.URI)
}

// Alignment returns the OB 3.0 Alignment to item it of the framework.
func (f *Framework) Alignment(it *FrameworkItem) map[string]any {
	name := it.FullStatement
	if it.AbbreviatedStmt != "" {
		name = it.AbbreviatedStmt
	}
	if name == "" {
		name = it.HumanCodingScheme
	}
	if name == "" {
		name = it.Identifier
	}
	a := map[string]any{
		"type": []any{"Alignment"}, "targetType": "CFItem",
		"targetName": name, "targetUrl": it.URI, "targetFramework": f.Title,
	}
	if it.HumanCodingScheme != "" {
		a["targetCode"] = it.HumanCodingScheme
	} else {
		a["targetCode"] = it.Identifier
	}
	if it.FullStatement != "" && it.FullStatement != name {
		a["targetDescription"] = it.FullStatement
	}
	return a
}

// Align returns a copy of achievement with an alignment to each item of
// the framework named by codes (identifier or human coding scheme). An
// item it is already aligned to (the same targetUrl) is not added twice.
func (f *Framework) Align(achievement map[string]any, codes []string) (map[string]any, error) {
	out := jsonvalue.CloneObject(achievement)
	var have []any
	switch v := out["alignment"].(type) {
	case nil:
	case []any:
		have = v
	case map[string]any:
		have = []any{v}
	default:
		return nil, fmt.Errorf("alignment: %w: not an array", ErrCASE)
	}
	urls := make([]string, 0, len(have))
	for _, a := range have {
		if m, ok := a.(map[string]any); ok {
			u, _ := m["targetUrl"].(string)
			urls = append(urls, u)
		}
	}
	for _, c := range codes {
		it, err := f.Item(strings.TrimSpace(c))
		if err != nil {
			return nil, err
		}
		if slices.Contains(urls, it.URI) {
			continue
		}
		urls = append(urls, it.URI)
		have = append(have, f.Alignment(it))
	}
	out["alignment"] = have
	return out, nil
}

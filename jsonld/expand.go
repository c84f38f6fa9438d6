package jsonld

import (
	"slices"
	"strconv"
	"strings"

	"github.com/piprate/json-gold/ld"
)

// This file is badgesmith's own JSON-LD expansion (JSON-LD 1.1 Processing
// Algorithms §5.1, with value and IRI expansion) for documents whose
// @context is a list of bundled URLs. It reproduces what json-gold's
// expansion produces for them, map for map, with every processed context,
// scoped ones included, computed once per Loader (activectx.go). json-gold
// re-processes each type- and property-scoped context at every node that
// uses it, which was most of the cost of signing.
//
// It covers what credentials under the bundled contexts use. Anything else
// (embedded context objects, @graph, @list, @set, @reverse, @nest,
// @included, @index, @direction, nulls, unusual containers, a property
// that would be dropped, any JSON-LD error) makes it give up with
// errUnsupported, and Canonicalize expands the document with json-gold
// instead: the answer is never different, only slower. Differential tests
// hold the two expansions equal.

// expander is one expansion: the Loader whose caches it uses and the safety
// check it reports node locations to.
type expander struct {
	l *Loader
	s *safety
}

// expandDocument expands a top-level JSON object the way Canonicalize's
// json-gold path does (the document's @context processed on top of safe
// mode's undefined-term vocabulary), or returns errUnsupported.
func (l *Loader) expandDocument(doc map[string]any, s *safety) ([]any, error) {
	e := expander{l: l, s: s}
	out, err := e.element(l.processed.expand.rootCtx(), "", doc, "", nil)
	if err != nil {
		return nil, err
	}
	// What json-gold's JsonLdProcessor.Expand does with the result; a
	// top-level @graph never gets here.
	switch t := out.(type) {
	case nil:
		return []any{}, nil
	case map[string]any:
		if len(t) == 0 {
			return []any{}, nil
		}
		return []any{t}, nil
	}
	return nil, errUnsupported
}

// element is json-gold's expandElement. path is the dotted JSON path of el
// in the document, as resolvePointer writes it.
func (e *expander) element(ac *activeCtx, prop string, el any, path string, tsc *activeCtx) (any, error) {
	if err := e.s.b.step(); err != nil {
		return nil, err
	}
	switch t := el.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]any, 0, len(t))
		isList := prop == "@list" || ac.hasContainer(prop, containerList)
		for i, item := range t {
			var ipath string
			switch item.(type) {
			case map[string]any, []any:
				ipath = path + "[" + strconv.Itoa(i) + "]"
			}
			v, err := e.element(ac, prop, item, ipath, tsc)
			if err != nil {
				return nil, err
			}
			switch vt := v.(type) {
			case nil:
			case []any:
				if isList {
					return nil, errUnsupported // a list of lists
				}
				out = append(out, vt...)
			default:
				out = append(out, v)
			}
		}
		return out, nil
	case map[string]any:
		return e.object(ac, prop, t, path, tsc)
	case string, float64, bool:
		if prop == "" || prop == "@graph" {
			return nil, nil
		}
		return ac.expandValue(prop, el)
	}
	return nil, errUnsupported
}

// object is the map branch of json-gold's expandElement.
func (e *expander) object(ac *activeCtx, prop string, el map[string]any, path string, tsc *activeCtx) (any, error) {
	expandedProp, err := ac.expandIRI(prop, false, true)
	if err != nil {
		return nil, err
	}
	var scopedOwner *termDefinition
	if td := ac.terms[prop]; td != nil && td.scoped != nil {
		scopedOwner = td
	}
	if tsc == nil && ac.prev != nil {
		tsc = ac
	}
	if _, ok := el[""]; ok {
		// json-gold mistakes an empty key for the missing @type key and
		// for the top level.
		return nil, errUnsupported
	}
	keys := sortedKeys(el)
	ctxValue, hasContext := el["@context"]
	mustRevert := true
	if tsc != nil && len(keys) <= 2 && !hasContext {
		for _, k := range keys {
			ep, err := tsc.expandIRI(k, false, true)
			if err != nil {
				return nil, err
			}
			if ep == "@value" {
				mustRevert = false
				ac = tsc
				break
			}
			if ep == "@id" && len(keys) == 1 {
				mustRevert = false
				break
			}
		}
	}
	if mustRevert {
		ac = ac.revert()
	}
	if scopedOwner != nil {
		if ac, err = e.l.derive(ac, scopedOwner, deriveProperty, "", scopedOwner.scoped); err != nil {
			return nil, err
		}
	}
	if hasContext {
		urls, ok := e.l.bundledURLs(ctxValue)
		if !ok {
			return nil, errUnsupported
		}
		if ac, err = e.l.derive(ac, nil, deriveEmbedded, urls, ctxValue); err != nil {
			return nil, err
		}
	}
	tsc = ac

	typeKey := ""
	for _, k := range keys {
		ep, err := ac.expandIRI(k, false, true)
		if err != nil {
			return nil, err
		}
		if ep != "@type" {
			continue
		}
		if typeKey != "" {
			return nil, errUnsupported // two keys for @type
		}
		var types []string
		switch v := el[k].(type) {
		case string:
			types = []string{v}
		case []any:
			types = make([]string, 0, len(v))
			for _, x := range v {
				s, ok := x.(string)
				if !ok {
					return nil, errUnsupported
				}
				types = append(types, s)
			}
			slices.Sort(types)
		default:
			return nil, errUnsupported
		}
		for _, tt := range types {
			if td := tsc.terms[tt]; td != nil && td.hasScoped {
				if ac, err = e.l.derive(ac, td, deriveType, "", td.scoped); err != nil {
					return nil, err
				}
			}
		}
		typeKey = k
	}

	result := make(map[string]any, len(el))
	if err := e.properties(ac, prop, expandedProp, el, keys, typeKey, tsc, path, result); err != nil {
		return nil, err
	}

	if _, isValue := result["@value"]; isValue {
		if prop == "" || prop == "@graph" {
			// json-gold drops a top-level value object, after checking it.
			if _, err := e.valueObject(result); err != nil {
				return nil, err
			}
			return nil, nil
		}
		return e.valueObject(result)
	}
	if _, ok := result["@language"]; ok {
		return nil, errUnsupported
	}
	if rt, ok := result["@type"]; ok {
		if _, isList := rt.([]any); !isList {
			result["@type"] = []any{rt}
		}
	}
	if prop == "" || prop == "@graph" {
		if _, hasID := result["@id"]; len(result) == 0 || hasID && len(result) == 1 {
			return nil, nil
		}
	}
	e.s.locate(result, path, el)
	return result, nil
}

// valueObject checks a value object as json-gold does after expanding it;
// anything json-gold would refuse or drop is left to json-gold.
func (e *expander) valueObject(result map[string]any) (any, error) {
	_, hasLang := result["@language"]
	typ, hasType := result["@type"]
	for k := range result {
		switch k {
		case "@value", "@language", "@type":
		default:
			return nil, errUnsupported
		}
	}
	if hasLang && hasType {
		return nil, errUnsupported
	}
	switch result["@value"].(type) {
	case string:
	case float64, bool:
		if hasLang {
			return nil, errUnsupported
		}
	default:
		return nil, errUnsupported
	}
	if hasType {
		ts, ok := typ.(string)
		if !ok || !ld.IsAbsoluteIri(ts) || strings.HasPrefix(ts, "_:") {
			return nil, errUnsupported
		}
	}
	return result, nil
}

// properties is json-gold's expandObject: every entry of el, in key order.
func (e *expander) properties(ac *activeCtx, prop, expandedProp string, el map[string]any, keys []string, typeKey string, tsc *activeCtx, path string, result map[string]any) error {
	if typeKey != "" {
		// json-gold expands the last type with the final context whether
		// it needs it or not; only its failure matters.
		last := el[typeKey]
		if a, ok := last.([]any); ok {
			last = nil
			if len(a) > 0 {
				last = a[len(a)-1]
			}
		}
		if s, ok := last.(string); ok {
			if _, err := ac.expandIRI(s, false, true); err != nil {
				return err
			}
		}
	}
	for _, key := range keys {
		if key == "@context" {
			continue
		}
		value := el[key]
		ep, err := ac.expandIRI(key, false, true)
		if err != nil {
			return err
		}
		if ep == "" || !strings.Contains(ep, ":") && !isKeyword(ep) {
			// json-gold's safe mode refuses the dropped property.
			return errUnsupported
		}
		if isKeyword(ep) {
			if ep == "@type" && key != typeKey {
				return errUnsupported
			}
			if expandedProp == "@reverse" {
				return errUnsupported
			}
			if _, dup := result[ep]; dup {
				return errUnsupported
			}
			switch ep {
			case "@id":
				s, ok := value.(string)
				if !ok {
					return errUnsupported
				}
				id, err := ac.expandIRI(s, true, false)
				if err != nil {
					return err
				}
				result["@id"] = id
			case "@type":
				switch v := value.(type) {
				case string:
					t, err := tsc.expandIRI(v, true, true)
					if err != nil {
						return err
					}
					result["@type"] = t
				case []any:
					// json-gold leaves an empty list nil.
					var list []any
					for _, x := range v {
						s, _ := x.(string)
						t, err := tsc.expandIRI(s, true, true)
						if err != nil {
							return err
						}
						list = append(list, t)
					}
					result["@type"] = list
				default:
					return errUnsupported
				}
			case "@value":
				switch value.(type) {
				case string, float64, bool:
					result["@value"] = value
				default:
					return errUnsupported
				}
			case "@language":
				s, ok := value.(string)
				if !ok {
					return errUnsupported
				}
				result["@language"] = strings.ToLower(s)
			default:
				return errUnsupported
			}
			continue
		}

		termCtx := ac
		td := ac.terms[key]
		if td != nil && td.hasScoped {
			if termCtx, err = e.l.derive(ac, td, deriveProperty, "", td.scoped); err != nil {
				return err
			}
		}
		var ev any
		if td != nil && td.typ == "@json" {
			ev = map[string]any{"@type": "@json", "@value": value}
		} else {
			var vpath string
			switch value.(type) {
			case map[string]any, []any:
				vpath = childPath(path, key)
			}
			if ev, err = e.element(termCtx, key, value, vpath, nil); err != nil {
				return err
			}
		}
		if ev == nil {
			continue
		}
		if termCtx.hasContainer(key, containerList) {
			m, isMap := ev.(map[string]any)
			if _, isListObj := m["@list"]; !isMap || !isListObj {
				if a, ok := ev.([]any); ok {
					ev = map[string]any{"@list": a}
				} else {
					ev = map[string]any{"@list": []any{ev}}
				}
			}
		}
		// The container mapping is the term's in the active context
		// (JSON-LD 1.1 §5.1.2 step 13.5), not in its scoped context: VC
		// 2.0's verifiableCredential is a @graph container whose scoped
		// @context is null. json-gold looks in the scoped one and loses
		// the graph; presentationGraphs makes up for that on its paths.
		if termCtx.hasContainer(key, containerGraph) || ac.hasContainer(key, containerGraph) {
			items, ok := ev.([]any)
			if !ok {
				items = []any{ev}
			}
			graphs := make([]any, 0, len(items))
			for _, it := range items {
				ia, ok := it.([]any)
				if !ok {
					ia = []any{it}
				}
				graphs = append(graphs, map[string]any{"@graph": ia})
			}
			ev = graphs
		}
		list, _ := result[ep].([]any)
		if a, ok := ev.([]any); ok {
			list = append(list, a...)
		} else {
			list = append(list, ev)
		}
		if list == nil {
			list = []any{}
		}
		result[ep] = list
	}
	return nil
}

// expandValue is json-gold's ExpandValue for a scalar.
func (c *activeCtx) expandValue(prop string, v any) (any, error) {
	td := c.terms[prop]
	if td != nil && (td.typ == "@id" || td.typ == "@vocab") {
		if s, ok := v.(string); ok {
			id, err := c.expandIRI(s, true, td.typ == "@vocab")
			if err != nil {
				return nil, err
			}
			return map[string]any{"@id": id}, nil
		}
		return map[string]any{"@value": v}, nil
	}
	if td != nil && td.typ != "" && td.typ != "@none" {
		return map[string]any{"@value": v, "@type": td.typ}, nil
	}
	return map[string]any{"@value": v}, nil
}

// bundledURLs names an embedded @context made only of bundled URLs (a URL
// or an array of them), the only kind the own expander processes.
func (l *Loader) bundledURLs(c any) (string, bool) {
	if u, ok := c.(string); ok {
		// contextKey's answer, without the list it makes.
		return u, l.Has(u)
	}
	key, _, ok := l.contextKey(c)
	return key, ok
}

func isKeyword(s string) bool {
	return len(s) > 1 && s[0] == '@' && ld.IsKeyword(s)
}

// childPath is the dotted path of key in the object at path, written the
// way resolvePointer writes it.
func childPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

package stack

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
)

// SchemaID is the $id of the published JSON Schema of a rules file.
const SchemaID = "https://github.com/badgesmith/badgesmith/stack/rules.schema.json"

// MaxRulesSize is the largest rules file Parse reads, in bytes.
const MaxRulesSize = 1 << 20

// Schema is the JSON Schema of a rules file (stack/rules.schema.json).
//
//go:embed rules.schema.json
var Schema []byte

// Errors a rules file can have; a *RuleError wraps one of them.
var (
	// ErrRules marks a rules file that does not follow the schema or
	// cannot be read.
	ErrRules = errors.New("invalid stack rules")
	// ErrUnknownAchievement marks a requirement naming an achievement that
	// the rules neither list nor award.
	ErrUnknownAchievement = errors.New("unknown achievement")
	// ErrCycle marks stacks that need each other.
	ErrCycle = errors.New("stacks nest in a cycle")
	// ErrImpossible marks a requirement no set of credentials can meet.
	ErrImpossible = errors.New("impossible requirement")
	// ErrContradiction marks constraints that contradict each other.
	ErrContradiction = errors.New("contradictory constraints")
)

// RuleError locates a fault in a rules file.
type RuleError struct {
	// File is the rules file's name, as given to Parse.
	File string
	// Line is the 1-based line of the faulty value; 0 when unknown.
	Line int
	// Path is the dotted path of the faulty value (stacks[0].name).
	Path string
	// Err is the fault, wrapping one of the Err sentinels.
	Err error
}

func (e *RuleError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Path != "" {
		b.WriteString(": " + e.Path)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *RuleError) Unwrap() error { return e.Err }

// Rules is a parsed, checked rules file.
type Rules struct {
	// Achievements are the achievements the requirements may name.
	Achievements []Achievement `yaml:"achievements" json:"achievements,omitempty"`
	// Stacks are the stacks, in file order.
	Stacks []Stack `yaml:"stacks" json:"stacks"`
}

// Achievement is an achievement the rules name.
type Achievement struct {
	ID      string   `yaml:"id" json:"id"`
	Name    string   `yaml:"name" json:"name,omitempty"`
	Credits *float64 `yaml:"credits" json:"credits,omitempty"`
}

// Stack is one rule: the credentials that together earn Achievement.
type Stack struct {
	// ID is the published rule's URL.
	ID string `yaml:"id" json:"id"`
	// Name is the stack's name.
	Name string `yaml:"name" json:"name"`
	// Achievement is the id of the Achievement the stack earns.
	Achievement string `yaml:"achievement" json:"achievement"`
	// AchievementType is that achievement's type (Certificate, Diploma).
	AchievementType string `yaml:"achievementType" json:"achievementType,omitempty"`
	// MinCredits is the least total creditsEarned; zero means none.
	MinCredits float64 `yaml:"minCredits" json:"minCredits,omitempty"`
	// Requirements must all be met.
	Requirements []Requirement `yaml:"requirements" json:"requirements"`
	node         *yaml.Node
}

// Requirement is one condition of a stack.
type Requirement struct {
	Name string `yaml:"name" json:"name"`
	// AllOf are achievements all of which are needed.
	AllOf []string `yaml:"allOf" json:"allOf,omitempty"`
	// AnyOf are achievements Count of which are needed.
	AnyOf []string `yaml:"anyOf" json:"anyOf,omitempty"`
	// Count is how many AnyOf are needed; zero means all of them.
	Count int `yaml:"count" json:"count,omitempty"`
	// Issuers are the issuer ids whose credentials count.
	Issuers []string `yaml:"issuers" json:"issuers"`
	// Within is an ISO 8601 duration: how long ago a credential may have
	// been earned. Empty means any time.
	Within string `yaml:"within" json:"within,omitempty"`
	// MinResults are the least results needed in some achievements.
	MinResults []MinResult `yaml:"minResults" json:"minResults,omitempty"`
	within     period
	node       *yaml.Node
}

// MinResult is a least result in one achievement.
type MinResult struct {
	Achievement string `yaml:"achievement" json:"achievement"`
	// ResultDescription, if set, is the id of the result description
	// compared; otherwise the one whose values hold AtLeast.
	ResultDescription string `yaml:"resultDescription" json:"resultDescription,omitempty"`
	// AtLeast is an allowed value, or a rubric level's id or name.
	AtLeast string `yaml:"atLeast" json:"atLeast"`
}

// period is a calendar duration.
type period struct{ years, months, days int }

// before returns the earliest time within p of now.
func (p period) before(now time.Time) time.Time { return now.AddDate(-p.years, -p.months, -p.days) }

func (p period) zero() bool { return p == period{} }

var durationRE = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$`)

// parsePeriod reads an ISO 8601 duration of years, months, weeks and days.
func parsePeriod(s string) (period, error) {
	m := durationRE.FindStringSubmatch(s)
	if m == nil || s == "P" {
		return period{}, fmt.Errorf("%q is not an ISO 8601 duration such as P5Y, P18M or P90D", s)
	}
	n := make([]int, 4)
	for i := range n {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.Atoi(m[i+1])
		if err != nil || v > 1000*366 {
			return period{}, fmt.Errorf("duration %q is out of range", s)
		}
		n[i] = v
	}
	return period{years: n[0], months: n[1], days: n[2]*7 + n[3]}, nil
}

// Parse reads and checks a rules file, YAML or JSON (JSON is YAML).
// Every fault is a *RuleError naming file and line.
func Parse(name string, data []byte) (*Rules, error) {
	fail := func(line int, path string, err error) error {
		return &RuleError{File: name, Line: line, Path: path, Err: err}
	}
	if len(data) > MaxRulesSize {
		return nil, fail(0, "", fmt.Errorf("%w: larger than %d bytes", ErrRules, MaxRulesSize))
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		return nil, fail(yamlLine(err), "", fmt.Errorf("%w: %w", ErrRules, err))
	}
	if len(root.Content) != 1 {
		return nil, fail(0, "", fmt.Errorf("%w: empty document", ErrRules))
	}
	doc := root.Content[0]
	if err := checkAliases(doc); err != nil {
		return nil, fail(err.line, err.path, fmt.Errorf("%w: %s", ErrRules, err.msg))
	}
	inst, err := toValue(doc)
	if err != nil {
		return nil, fail(doc.Line, "", fmt.Errorf("%w: %w", ErrRules, err))
	}
	if err := validateSchema(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			loc, key, msg := firstLeaf(ve)
			line := lineOf(nodeAt(doc, loc), key)
			if key != "" {
				loc = append(loc, key)
			}
			return nil, fail(line, dotted(loc), fmt.Errorf("%w: %s", ErrRules, msg))
		}
		return nil, fail(0, "", err)
	}
	var r Rules
	if err := doc.Decode(&r); err != nil {
		return nil, fail(yamlLine(err), "", fmt.Errorf("%w: %w", ErrRules, err))
	}
	// Lines for the semantic checks, from the node tree the schema passed.
	stacks := nodeAt(doc, []string{"stacks"})
	for i := range r.Stacks {
		sn := nodeAt(stacks, []string{strconv.Itoa(i)})
		r.Stacks[i].node = sn
		reqs := nodeAt(sn, []string{"requirements"})
		for j := range r.Stacks[i].Requirements {
			r.Stacks[i].Requirements[j].node = nodeAt(reqs, []string{strconv.Itoa(j)})
		}
	}
	if err := r.check(name, doc); err != nil {
		return nil, err
	}
	return &r, nil
}

// check runs the checks a schema cannot: names resolve, counts are
// possible, constraints agree, stacks do not nest in a cycle.
func (r *Rules) check(name string, doc *yaml.Node) error {
	fail := func(line int, path string, err error) error {
		return &RuleError{File: name, Line: line, Path: path, Err: err}
	}
	known := map[string]*Achievement{}
	for i := range r.Achievements {
		a := &r.Achievements[i]
		if _, dup := known[a.ID]; dup {
			p := []string{"achievements", strconv.Itoa(i), "id"}
			return fail(nodeAt(doc, p).Line, dotted(p), fmt.Errorf("%w: achievement %s is listed twice", ErrContradiction, a.ID))
		}
		known[a.ID] = a
	}
	awards := map[string]int{}
	stackIDs := map[string]bool{}
	for i, s := range r.Stacks {
		p := fmt.Sprintf("stacks[%d]", i)
		if j, dup := awards[s.Achievement]; dup {
			return fail(lineOf(s.node, "achievement"), p+".achievement", fmt.Errorf("%w: stacks[%d] already earns %s", ErrContradiction, j, s.Achievement))
		}
		if stackIDs[s.ID] {
			return fail(lineOf(s.node, "id"), p+".id", fmt.Errorf("%w: stack id %s is used twice", ErrContradiction, s.ID))
		}
		awards[s.Achievement] = i
		stackIDs[s.ID] = true
	}
	for i := range r.Stacks {
		s := &r.Stacks[i]
		var maxCredits float64
		creditsKnown := true
		for j := range s.Requirements {
			q := &s.Requirements[j]
			p := fmt.Sprintf("stacks[%d].requirements[%d]", i, j)
			fail := func(key string, err error) error {
				at := p
				if key != "" {
					at += "." + key
				}
				return fail(lineOf(q.node, key), at, err)
			}
			for k, id := range slices.Concat(q.AllOf, q.AnyOf) {
				key := "allOf"
				if k >= len(q.AllOf) {
					key = "anyOf"
				}
				_, listed := known[id]
				if _, earned := awards[id]; !listed && !earned {
					return fail(key, fmt.Errorf("%w: %s is neither listed under achievements nor earned by a stack", ErrUnknownAchievement, id))
				}
				if id == s.Achievement {
					return fail(key, fmt.Errorf("%w: stack %s needs its own achievement %s", ErrCycle, s.ID, id))
				}
				if a := known[id]; a != nil && a.Credits != nil {
					maxCredits += *a.Credits
				} else {
					creditsKnown = false
				}
			}
			if d := firstDup(slices.Concat(q.AllOf, q.AnyOf)); d != "" {
				return fail("", fmt.Errorf("%w: %s is named twice (allOf and anyOf count it once)", ErrContradiction, d))
			}
			if q.Count > 0 && len(q.AnyOf) == 0 {
				return fail("count", fmt.Errorf("%w: count %d without anyOf", ErrContradiction, q.Count))
			}
			if q.Count > len(q.AnyOf) {
				return fail("count", fmt.Errorf("%w: count %d of %d anyOf achievements", ErrImpossible, q.Count, len(q.AnyOf)))
			}
			if q.Within != "" {
				w, err := parsePeriod(q.Within)
				if err != nil {
					return fail("within", fmt.Errorf("%w: within: %w", ErrRules, err))
				}
				if w.zero() {
					return fail("within", fmt.Errorf("%w: within %s leaves no time to earn anything", ErrImpossible, q.Within))
				}
				q.within = w
			}
			seen := map[string]bool{}
			for k, m := range q.MinResults {
				if !slices.Contains(q.AllOf, m.Achievement) && !slices.Contains(q.AnyOf, m.Achievement) {
					return fail("minResults", fmt.Errorf("%w: minResults[%d] is about %s, which the requirement does not name", ErrContradiction, k, m.Achievement))
				}
				key := m.Achievement + "\x00" + m.ResultDescription
				if seen[key] {
					return fail("minResults", fmt.Errorf("%w: minResults[%d] repeats a least result for %s", ErrContradiction, k, m.Achievement))
				}
				seen[key] = true
			}
			if d := firstDup(q.Issuers); d != "" {
				return fail("issuers", fmt.Errorf("%w: issuer %s is listed twice", ErrRules, d))
			}
		}
		if s.MinCredits > 0 && creditsKnown && s.MinCredits > maxCredits {
			return fail(lineOf(s.node, "minCredits"), fmt.Sprintf("stacks[%d].minCredits", i), fmt.Errorf("%w: minCredits %g but its achievements offer at most %g credits", ErrImpossible, s.MinCredits, maxCredits))
		}
	}
	if cyc := r.cycle(); cyc != nil {
		s := &r.Stacks[cyc[0]]
		names := make([]string, len(cyc))
		for i, k := range cyc {
			names[i] = r.Stacks[k].ID
		}
		return fail(lineOf(s.node, "requirements"), fmt.Sprintf("stacks[%d].requirements", cyc[0]), fmt.Errorf("%w: %s", ErrCycle, strings.Join(names, " -> ")))
	}
	return nil
}

// needs returns the indexes of the stacks stack i nests.
func (r *Rules) needs(i int) []int {
	var out []int
	for _, q := range r.Stacks[i].Requirements {
		for _, id := range slices.Concat(q.AllOf, q.AnyOf) {
			if k := r.stackFor(id); k >= 0 && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// stackFor returns the index of the stack earning achievement id, or -1.
func (r *Rules) stackFor(id string) int {
	return slices.IndexFunc(r.Stacks, func(s Stack) bool { return s.Achievement == id })
}

// cycle returns the stacks of a nesting cycle, first repeated last; nil
// when there is none.
func (r *Rules) cycle() []int {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(r.Stacks))
	var path []int
	var visit func(i int) []int
	visit = func(i int) []int {
		color[i] = grey
		path = append(path, i)
		for _, k := range r.needs(i) {
			switch color[k] {
			case grey:
				start := slices.Index(path, k)
				return append(slices.Clone(path[start:]), k)
			case white:
				if c := visit(k); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		color[i] = black
		return nil
	}
	for i := range r.Stacks {
		if color[i] == white {
			if c := visit(i); c != nil {
				return c
			}
		}
	}
	return nil
}

// order returns the stack indexes, nested stacks before the stacks that
// need them. The rules have no cycle (check).
func (r *Rules) order() []int {
	done := make([]bool, len(r.Stacks))
	var out []int
	var visit func(i int)
	visit = func(i int) {
		if done[i] {
			return
		}
		done[i] = true
		for _, k := range r.needs(i) {
			visit(k)
		}
		out = append(out, i)
	}
	for i := range r.Stacks {
		visit(i)
	}
	return out
}

// Stack returns the stack with id, or nil.
func (r *Rules) Stack(id string) *Stack {
	for i := range r.Stacks {
		if r.Stacks[i].ID == id {
			return &r.Stacks[i]
		}
	}
	return nil
}

// achievementName returns the name the rules give achievement id.
func (r *Rules) achievementName(id string) string {
	for _, a := range r.Achievements {
		if a.ID == id {
			return a.Name
		}
	}
	if k := r.stackFor(id); k >= 0 {
		return r.Stacks[k].Name
	}
	return ""
}

func firstDup(xs []string) string {
	seen := map[string]bool{}
	for _, x := range xs {
		if seen[x] {
			return x
		}
		seen[x] = true
	}
	return ""
}

// compileSchema compiles Schema; a rules file is parsed once per run, so
// it is compiled then rather than kept in a package variable.
func compileSchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, fmt.Errorf("reading the rules schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		return nil, fmt.Errorf("loading the rules schema: %w", err)
	}
	return c.Compile(SchemaID)
}

func validateSchema(inst any) error {
	s, err := compileSchema()
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

// firstLeaf returns the location, the offending key (for a property not
// allowed) and the message of the deepest leaf cause of ve: the most
// specific fault, the one a reader fixes.
func firstLeaf(ve *jsonschema.ValidationError) ([]string, string, string) {
	for len(ve.Causes) > 0 {
		// The causes of a failed anyOf name each alternative; the
		// deepest location is the one that points at a line.
		best := ve.Causes[0]
		for _, c := range ve.Causes[1:] {
			if len(c.InstanceLocation) > len(best.InstanceLocation) {
				best = c
			}
		}
		ve = best
	}
	msg := ve.Error()
	// The library's message starts with the location; the path says it.
	if _, after, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "at '") {
		msg = after
	}
	key := ""
	if k, ok := ve.ErrorKind.(*kind.AdditionalProperties); ok && len(k.Properties) > 0 {
		key = k.Properties[0]
	}
	return slices.Clone(ve.InstanceLocation), key, msg
}

// nodeAt returns the node at the JSON pointer tokens loc under n, or the
// deepest node on the way.
func nodeAt(n *yaml.Node, loc []string) *yaml.Node {
	for _, tok := range loc {
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				return n
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return n
			}
			n = n.Content[i]
		default:
			return n
		}
	}
	return n
}

// lineOf returns the line of key in mapping n, or n's own line when key
// is "" or absent.
func lineOf(n *yaml.Node, key string) int {
	if n == nil {
		return 0
	}
	if key != "" && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i].Line
			}
		}
	}
	return n.Line
}

func dotted(loc []string) string {
	var b strings.Builder
	for _, t := range loc {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}

type nodeFault struct {
	line int
	path string
	msg  string
}

// checkAliases refuses anchors and aliases and non-string keys: a rules
// file is data, and an alias bomb would multiply it.
func checkAliases(n *yaml.Node) *nodeFault {
	var walk func(n *yaml.Node, loc []string) *nodeFault
	walk = func(n *yaml.Node, loc []string) *nodeFault {
		if n.Kind == yaml.AliasNode || n.Anchor != "" {
			return &nodeFault{line: n.Line, path: dotted(loc), msg: "anchors and aliases are not allowed"}
		}
		for i, c := range n.Content {
			next := loc
			switch n.Kind {
			case yaml.MappingNode:
				if i%2 == 0 {
					if c.Kind != yaml.ScalarNode || (c.Tag != "!!str" && c.Tag != "") {
						return &nodeFault{line: c.Line, path: dotted(loc), msg: "keys must be strings"}
					}
					continue
				}
				next = append(slices.Clone(loc), n.Content[i-1].Value)
			case yaml.SequenceNode:
				next = append(slices.Clone(loc), strconv.Itoa(i))
			}
			if f := walk(c, next); f != nil {
				return f
			}
		}
		return nil
	}
	return walk(n, nil)
}

// toValue turns a node into the JSON value the schema validates: maps,
// slices, strings, json.Number-free float64 or int64 numbers, booleans and
// nil.
func toValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("line %d: key %q is repeated", n.Content[i].Line, k)
			}
			v, err := toValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := toValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		switch x := v.(type) {
		case int:
			return int64(x), nil
		case time.Time:
			// An unquoted date is a string to the schema.
			return n.Value, nil
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// yamlLine reads the line a YAML error names, 0 if none.
func yamlLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

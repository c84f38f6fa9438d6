//go:build ignore

// Command vulnreport reads `govulncheck -format json` on stdin, prints one
// line per vulnerability at its deepest level (symbol: our code calls it;
// package: we import the package; module: we only require the module or use
// that standard library) and exits 3 when there is any, at any level.
//
// Usage: govulncheck -format json ./... | go run .ci/vulnreport.go
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
	} `json:"position"`
}

type message struct {
	Config *struct {
		ScannerVersion string `json:"scanner_version"`
		GoVersion      string `json:"go_version"`
		DB             string `json:"db"`
	} `json:"config"`
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

type vuln struct {
	level   int // 1 module, 2 package, 3 symbol
	found   string
	fixed   string
	example string
}

var levelName = [...]string{1: "module", 2: "package", 3: "symbol"}

func main() {
	os.Exit(run(os.Stdin, os.Stdout, os.Stderr))
}

func run(in io.Reader, stdout, stderr io.Writer) int {
	dec := json.NewDecoder(in)
	summaries := map[string]string{}
	vulns := map[string]*vuln{}
	configs := 0
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(stderr, "vulnreport: reading govulncheck json: %v\n", err)
			return 1
		}
		switch {
		case m.Config != nil:
			configs++
			fmt.Fprintf(stdout, "govulncheck %s, %s, db %s\n", m.Config.ScannerVersion, m.Config.GoVersion, m.Config.DB)
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			f := m.Finding
			top := f.Trace[0]
			level := 1
			if top.Package != "" {
				level = 2
			}
			if top.Function != "" {
				level = 3
			}
			v := vulns[f.OSV]
			if v == nil {
				v = &vuln{}
				vulns[f.OSV] = v
			}
			if level > v.level {
				v.level = level
				v.found = top.Module + "@" + top.Version
				if top.Package != "" {
					v.found = top.Package + "@" + top.Version
				}
				v.fixed = f.FixedVersion
				v.example = ""
				if level == 3 {
					caller := f.Trace[len(f.Trace)-1]
					name := top.Function
					if top.Receiver != "" {
						name = top.Receiver + "." + name
					}
					v.example = fmt.Sprintf("%s.%s reaches %s", caller.Package, caller.Function, name)
					if caller.Position != nil {
						v.example = fmt.Sprintf("%s:%d: %s", caller.Position.Filename, caller.Position.Line, v.example)
					}
				}
			}
		}
	}
	if configs == 0 {
		fmt.Fprintln(stderr, "vulnreport: no govulncheck config message on stdin: did govulncheck run?")
		return 1
	}
	ids := make([]string, 0, len(vulns))
	for id := range vulns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	counts := [4]int{}
	for _, id := range ids {
		v := vulns[id]
		counts[v.level]++
		fixed := v.fixed
		if fixed == "" {
			fixed = "no fixed version"
		}
		fmt.Fprintf(stdout, "%s [%s] %s, fixed in %s: %s\n", id, levelName[v.level], v.found, fixed, summaries[id])
		if v.example != "" {
			fmt.Fprintf(stdout, "    %s\n", v.example)
		}
	}
	fmt.Fprintf(stdout, "vulnerabilities: %d called (symbol), %d imported (package), %d required (module)\n", counts[3], counts[2], counts[1])
	if len(ids) > 0 {
		return 3
	}
	return 0
}

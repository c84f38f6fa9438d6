package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readmeCLIEnv, set to 1, makes the test binary run as the badgesmith
// command: TestREADME puts the test binary on PATH under that name, so the
// README's run blocks call the very code under test without a second build.
const readmeCLIEnv = "BADGESMITH_README_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(readmeCLIEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// readmeBlock is one fenced block of README.md and the mark before it.
type readmeBlock struct {
	line int    // 1-based line of the opening fence
	kind string // "run" or "show"
	arg  string // after "run:" (e.g. "exit 1") or "show:" (the reason)
	body string
}

var readmeMark = regexp.MustCompile(`^<!--\s*(run|show)\s*(?::\s*(.*?))?\s*-->$`)

// parseREADME returns the fenced blocks of a Markdown document. Every block
// must be preceded (blank lines aside) by <!-- run --> or <!-- show: reason -->.
func parseREADME(src string) ([]readmeBlock, error) {
	var (
		blocks []readmeBlock
		errs   []error
		prev   string // last non-blank line outside a block
		cur    *readmeBlock
		body   strings.Builder
	)
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if cur != nil {
			if strings.HasPrefix(trimmed, "```") {
				cur.body = body.String()
				blocks = append(blocks, *cur)
				cur, prev = nil, ""
				continue
			}
			body.WriteString(line)
			body.WriteByte('\n')
			continue
		}
		if strings.HasPrefix(trimmed, "```") {
			body.Reset()
			cur = &readmeBlock{line: n}
			m := readmeMark.FindStringSubmatch(prev)
			switch {
			case m == nil:
				errs = append(errs, fmt.Errorf("line %d: block not marked <!-- run --> or <!-- show: reason -->", n))
			case m[1] == "show" && m[2] == "":
				errs = append(errs, fmt.Errorf("line %d: show block without a reason", n))
			}
			if m != nil {
				cur.kind, cur.arg = m[1], m[2]
			}
			continue
		}
		if trimmed != "" {
			prev = trimmed
		}
	}
	if cur != nil {
		errs = append(errs, fmt.Errorf("line %d: block never closed", cur.line))
	}
	return blocks, errors.Join(errs...)
}

// expect reads a run block's argument: comma-separated parts, "exit N"
// (the block's exit status, default 0) and any number of `shows "TEXT"`
// (TEXT must be in its output).
func (b readmeBlock) expect() (exit int, shows []string, err error) {
	if b.arg == "" {
		return 0, nil, nil
	}
	rest := b.arg
	for rest != "" {
		bad := fmt.Errorf("line %d: run block argument %q: want exit N or shows \"TEXT\", comma-separated", b.line, b.arg)
		switch {
		case strings.HasPrefix(rest, "exit "):
			n, after, _ := strings.Cut(rest[len("exit "):], ", ")
			if exit, err = strconv.Atoi(n); err != nil {
				return 0, nil, bad
			}
			rest = after
		case strings.HasPrefix(rest, "shows "):
			q, err := strconv.QuotedPrefix(rest[len("shows "):])
			if err != nil {
				return 0, nil, bad
			}
			text, _ := strconv.Unquote(q)
			shows = append(shows, text)
			rest = rest[len("shows ")+len(q):]
			if rest != "" {
				var ok bool
				if rest, ok = strings.CutPrefix(rest, ", "); !ok {
					return 0, nil, bad
				}
			}
		default:
			return 0, nil, bad
		}
	}
	return exit, shows, nil
}

// shellCommands splits shell text into simple commands, each a list of
// words: quotes are removed, comments and line continuations dropped, and
// pipes, lists, redirections and command substitutions end a command. It is
// enough for the README's synopses, not a shell.
func shellCommands(src string) [][]string {
	var (
		cmds   [][]string
		cur    []string
		word   strings.Builder
		inWord bool
	)
	endWord := func() {
		if inWord {
			cur = append(cur, word.String())
		}
		word.Reset()
		inWord = false
	}
	endCmd := func() {
		endWord()
		if len(cur) > 0 {
			cmds = append(cmds, cur)
		}
		cur = nil
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src):
			i++
			if src[i] != '\n' {
				word.WriteByte(src[i])
				inWord = true
			}
		case c == '\'' || c == '"':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				j = len(src) - i - 1
			}
			word.WriteString(src[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '#' && !inWord:
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case c == ' ' || c == '\t':
			endWord()
		case strings.IndexByte("\n;|&()<>", c) >= 0:
			endCmd()
		case c == '$' && i+1 < len(src) && src[i+1] == '(':
			endCmd()
			i++
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endCmd()
	return cmds
}

var helpFlag = regexp.MustCompile(`^\s+(?:-([A-Za-z0-9]), )?--([A-Za-z0-9][A-Za-z0-9-]*)`)

// helpFlags runs bin with args and --help and returns the flags its help
// lists (long names, and short ones with a single dash).
func helpFlags(ctx context.Context, bin string, env, args []string) (map[string]bool, string, error) {
	c := exec.CommandContext(ctx, bin, append(append([]string{}, args...), "--help")...)
	c.Env = env
	out, err := c.CombinedOutput()
	if err != nil {
		return nil, "", fmt.Errorf("badgesmith %s --help: %w\n%s", strings.Join(args, " "), err, out)
	}
	flags := map[string]bool{}
	usage := ""
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		if l == "Usage:" && i+1 < len(lines) {
			usage = strings.TrimSpace(lines[i+1])
		}
		if m := helpFlag.FindStringSubmatch(l); m != nil {
			flags["--"+m[2]] = true
			if m[1] != "" {
				flags["-"+m[1]] = true
			}
		}
	}
	return flags, usage, nil
}

// runScript wraps a run block for bash: it stops at the first failing
// command (of a pipeline too), starts with the shell variables the blocks
// before it set and in the directory they left (kept in the file vars), and
// records its own, so the blocks behave as they would pasted one after
// another into one shell.
func runScript(body, vars string) string {
	q := "'" + strings.ReplaceAll(vars, "'", `'\''`) + "'"
	return "set -eo pipefail\n" +
		"__readme_before=$(compgen -v)\n" +
		"if [ -f " + q + " ]; then source " + q + "; fi\n" +
		body + "\n" +
		"for __readme_v in $(compgen -v); do\n" +
		"  case $__readme_v in __readme_*|BASH*|PIPESTATUS|_) continue;; esac\n" +
		"  grep -qxF -- \"$__readme_v\" <<<\"$__readme_before\" || declare -p \"$__readme_v\"\n" +
		"done > " + q + ".new\n" +
		"printf 'cd %q\\n' \"$PWD\" >> " + q + ".new\n" +
		"mv " + q + ".new " + q + "\n"
}

// shownFilePrefix starts the reason of a show block that quotes a file of
// the repository, which must then hold the same JSON value (or, for a
// block that is not JSON, the same text).
const shownFilePrefix = "the contents of "

// checkShownFile checks a show block quoting a file against the file under
// root.
func checkShownFile(b readmeBlock, root string) error {
	name, ok := strings.CutPrefix(b.arg, shownFilePrefix)
	if !ok {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		return fmt.Errorf("%d: %w", b.line, err)
	}
	var inFile, inBlock any
	if json.Unmarshal(data, &inFile) == nil && json.Unmarshal([]byte(b.body), &inBlock) == nil {
		if !reflect.DeepEqual(inFile, inBlock) {
			return fmt.Errorf("%d: the block differs from %s", b.line, name)
		}
		return nil
	}
	if string(data) != b.body {
		return fmt.Errorf("%d: the block differs from %s", b.line, name)
	}
	return nil
}

// commandHelp is what helpFlags found for one command line.
type commandHelp struct {
	flags map[string]bool
	usage string
	err   error
}

// checkShowBlock checks every badgesmith command of a show block against
// the --help of its subcommand (bin run with env, each command line once,
// remembered in helps), and every make target against the Makefile's targets.
func checkShowBlock(ctx context.Context, bin string, env []string, b readmeBlock, targets map[string]bool, helps map[string]commandHelp) []error {
	var errs []error
	for _, words := range shellCommands(b.body) {
		for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "-") {
			words = words[1:] // VAR=value prefixes
		}
		if len(words) == 0 {
			continue
		}
		switch filepath.Base(words[0]) {
		case "make":
			for _, w := range words[1:] {
				if !strings.HasPrefix(w, "-") && !strings.Contains(w, "=") && !targets[w] {
					errs = append(errs, fmt.Errorf("%d: make %s: no such target in the Makefile", b.line, w))
				}
			}
		case "badgesmith":
			args := words[1:]
			var sub []string
			for _, w := range args {
				if strings.HasPrefix(w, "-") || strings.HasPrefix(w, "[") {
					break
				}
				sub = append(sub, w)
			}
			key := strings.Join(sub, " ")
			h, ok := helps[key]
			if !ok {
				h.flags, h.usage, h.err = helpFlags(ctx, bin, env, sub)
				helps[key] = h
			}
			flags, usage, err := h.flags, h.usage, h.err
			if err != nil {
				errs = append(errs, fmt.Errorf("%d: %w", b.line, err))
				continue
			}
			for _, w := range args {
				w = strings.Trim(w, "[]")
				if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
					continue
				}
				name, _, _ := strings.Cut(w, "=")
				if !flags[name] {
					errs = append(errs, fmt.Errorf("%d: %s: flag %s is not in its --help", b.line, usage, name))
				}
			}
		}
	}
	return errs
}

// makeTargets returns the targets a Makefile defines.
func makeTargets(src string) map[string]bool {
	targets := map[string]bool{}
	re := regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9_.-]*(?:\s+[A-Za-z0-9][A-Za-z0-9_.-]*)*)\s*:([^=]|$)`)
	for _, l := range strings.Split(src, "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			for _, t := range strings.Fields(m[1]) {
				targets[t] = true
			}
		}
	}
	return targets
}

func TestParseREADME(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		kinds   []string
		wantErr string
	}{
		{"run and show", "<!-- run -->\n```sh\nls\n```\n\n<!-- show: needs a network -->\n\n```\nx\n```\n", []string{"run", "show"}, ""},
		{"run with exit", "<!-- run: exit 1 -->\n```sh\nfalse\n```\n", []string{"run"}, ""},
		{"run with exit and output", "<!-- run: exit 1, shows \"revoked (list\" -->\n```sh\nfalse\n```\n", []string{"run"}, ""},
		{"unmarked", "text\n```sh\nls\n```\n", nil, "line 2: block not marked"},
		{"mark consumed by the previous block", "<!-- run -->\n```\na\n```\n```\nb\n```\n", nil, "line 5: block not marked"},
		{"show without reason", "<!-- show -->\n```\nx\n```\n", nil, "line 2: show block without a reason"},
		{"unclosed", "<!-- run -->\n```\nx\n", nil, "line 2: block never closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, err := parseREADME(tt.src)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, b := range blocks {
				kinds = append(kinds, b.kind)
			}
			if fmt.Sprint(kinds) != fmt.Sprint(tt.kinds) {
				t.Fatalf("kinds = %v, want %v", kinds, tt.kinds)
			}
		})
	}
}

func TestREADMEExpect(t *testing.T) {
	tests := []struct {
		arg     string
		exit    int
		shows   []string
		wantErr bool
	}{
		{"", 0, nil, false},
		{"exit 1", 1, nil, false},
		{`exit 1, shows "revoked (list", shows "a, b"`, 1, []string{"revoked (list", "a, b"}, false},
		{`shows "VALID"`, 0, []string{"VALID"}, false},
		{"exit one", 0, nil, true},
		{"fails", 0, nil, true},
		{`shows unquoted`, 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			exit, shows, err := readmeBlock{line: 1, kind: "run", arg: tt.arg}.expect()
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if exit != tt.exit || fmt.Sprint(shows) != fmt.Sprint(tt.shows) {
				t.Fatalf("got exit %d shows %q, want %d %q", exit, shows, tt.exit, tt.shows)
			}
		})
	}
}

func TestCheckShownFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.json"), []byte(`{"key": "id", "results": {"a": "b"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "t.txt"), []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, arg, body string
		wantErr         bool
	}{
		{"same JSON, other layout", "the contents of m.json", "{\"results\":{\"a\":\"b\"},\n \"key\":\"id\"}\n", false},
		{"other JSON", "the contents of m.json", `{"key": "student"}`, true},
		{"same text", "the contents of t.txt", "x\n", false},
		{"other text", "the contents of t.txt", "y\n", true},
		{"missing file", "the contents of nope.json", "{}", true},
		{"not a quote", "a synopsis", "anything", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkShownFile(readmeBlock{line: 3, kind: "show", arg: tt.arg, body: tt.body}, dir)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestShellCommands(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"continuation and comment", "badgesmith issue --key k \\\n    --out c.json   # a comment\n", "[[badgesmith issue --key k --out c.json]]"},
		{"pipe", "badgesmith issue --out - |\n  badgesmith bake --credential -", "[[badgesmith issue --out -] [badgesmith bake --credential -]]"},
		{"quotes", `badgesmith revoke x --reason "academic misconduct"`, "[[badgesmith revoke x --reason academic misconduct]]"},
		{"substitution", "ID=$(grep a f | cut -d, -f2)", "[[ID=] [grep a f] [cut -d, -f2]]"},
		{"hash inside a word", "echo a#b", "[[echo a#b]]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(shellCommands(tt.src)); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestREADME runs README.md's run blocks in order, in a fresh directory
// holding copies of examples/ and testdata/, with HOME and the keyring
// there and badgesmith (this test binary, see TestMain) on PATH, and checks
// the flags of its show blocks against --help.
func TestREADME(t *testing.T) {
	src, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseREADME(string(src))
	if err != nil {
		t.Fatalf("README.md:\n%v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	binDir := filepath.Join(work, "bin")
	if err := os.Mkdir(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "badgesmith")
	if err := os.Symlink(exe, bin); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"examples", "testdata"} {
		if err := os.CopyFS(filepath.Join(work, dir), os.DirFS(filepath.Join("../..", dir))); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"HOME=" + work,
		"BADGESMITH_KEYRING=" + filepath.Join(work, ".config", "badgesmith", "keys"),
		"PATH=" + binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		readmeCLIEnv + "=1",
	}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "HOME" || k == "PATH" || strings.HasPrefix(k, "BADGESMITH_") || strings.HasPrefix(k, "XDG_") {
			continue
		}
		env = append(env, kv)
	}
	// A hang guard only: no assertion depends on the time taken.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	targets := makeTargets(string(mk))
	vars := filepath.Join(t.TempDir(), "vars.sh")
	helps := map[string]commandHelp{}
	runs := 0
	for _, b := range blocks {
		switch b.kind {
		case "show":
			start := time.Now()
			for _, e := range checkShowBlock(ctx, bin, env, b, targets, helps) {
				t.Errorf("README.md:%v", e)
			}
			if err := checkShownFile(b, "../.."); err != nil {
				t.Errorf("README.md:%v", err)
			}
			t.Logf("README.md:%d: show block checked in %v", b.line, time.Since(start).Round(time.Millisecond))
		case "run":
			want, shows, err := b.expect()
			if err != nil {
				t.Fatalf("README.md:%v", err)
			}
			runs++
			c := exec.CommandContext(ctx, "bash", "-c", runScript(b.body, vars))
			c.Dir, c.Env = work, env
			start := time.Now()
			out, err := c.CombinedOutput()
			t.Logf("README.md:%d: run block took %v", b.line, time.Since(start).Round(time.Millisecond))
			code := 0
			var exit *exec.ExitError
			switch {
			case errors.As(err, &exit):
				code = exit.ExitCode()
			case err != nil:
				t.Fatalf("README.md:%d: running the block: %v", b.line, err)
			}
			if code != want {
				t.Fatalf("README.md:%d: run block exited %d, want %d; its output:\n%s", b.line, code, want, out)
			}
			for _, text := range shows {
				if !bytes.Contains(out, []byte(text)) {
					t.Fatalf("README.md:%d: run block's output lacks %q; its output:\n%s", b.line, text, out)
				}
			}
		}
	}
	if runs == 0 {
		t.Fatal("README.md has no run block")
	}
}

func TestRunScriptCarriesState(t *testing.T) {
	dir := t.TempDir()
	vars := filepath.Join(t.TempDir(), "it's vars.sh")
	steps := []struct {
		body    string
		want    string
		wantErr bool
	}{
		{"X='a b'; mkdir -p sub; cd sub", "", false},
		{`echo "$X|$(basename "$PWD")"`, "a b|sub\n", false},
		{"false; echo not reached", "", true},
		{"true | false | true", "", true},
		{`Y=2; echo "$X$Y"`, "a b2\n", false},
		{`echo "$Y"`, "2\n", false},
	}
	for i, st := range steps {
		c := exec.Command("bash", "-c", runScript(st.body, vars))
		c.Dir = dir
		out, err := c.Output()
		if (err != nil) != st.wantErr {
			t.Fatalf("step %d: err = %v, want error %v", i, err, st.wantErr)
		}
		if !st.wantErr && string(out) != st.want {
			t.Fatalf("step %d: output %q, want %q", i, out, st.want)
		}
	}
}

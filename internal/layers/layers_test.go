package layers

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "hallway"

// pkg is one package of the module as `go list` reports it.
type pkg struct {
	Path    string
	Imports []string // direct imports of the non-test files
	Deps    []string // everything linked, transitively
}

// rule is one layering rule; check returns a sentence per violation.
type rule struct {
	name  string
	check func(p pkg) []string
}

// forbiddenDeps are the module paths the window must never link.
var forbiddenDeps = []string{"github.com/libp2p/", "modernc.org/sqlite", "github.com/grandcat/zeroconf"}

// leaves speak only the vocabulary among the module's packages.
var leaves = []string{"p2p", "storage", "crypto", "discovery", "files", "chat", "assets", "lookalike", "desktop"}

// windowMay lists the module packages the window may import.
var windowMay = []string{"chat", "assets"}

// testInfra are the packages that exist to run tests and may import testing.
var testInfra = []string{"internal/fleet", "internal/netlab", "internal/testproc", "internal/wine"}

// engine are the packages (and their sub-packages) that never link Fyne.
var engine = []string{"core", "p2p", "storage", "node", "control", "chat", "crypto", "discovery", "files", "archive", "lookalike", "desktop"}

func rel(path string) string { return strings.TrimPrefix(strings.TrimPrefix(path, module), "/") }

func under(path string, roots []string) bool {
	r := rel(path)
	for _, root := range roots {
		if r == root || strings.HasPrefix(r, root+"/") {
			return true
		}
	}
	return false
}

func isModule(path string) bool { return path == module || strings.HasPrefix(path, module+"/") }

var rules = []rule{
	{"the window links no networking, SQL or mDNS code", func(p pkg) []string {
		if !under(p.Path, []string{"app"}) {
			return nil
		}
		var bad []string
		for _, f := range forbiddenDeps {
			// the first package of each forbidden module says enough
			if i := slices.IndexFunc(p.Deps, func(d string) bool { return strings.HasPrefix(d, f) }); i >= 0 {
				bad = append(bad, fmt.Sprintf("%s links %s", rel(p.Path), p.Deps[i]))
			}
		}
		for _, d := range p.Deps {
			if isModule(d) && !under(d, append([]string{"app"}, windowMay...)) {
				bad = append(bad, fmt.Sprintf("%s links %s (the window may use only %v)", rel(p.Path), rel(d), windowMay))
			}
		}
		return bad
	}},
	{"the engine never links Fyne", func(p pkg) []string {
		if !under(p.Path, engine) {
			return nil
		}
		var bad []string
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "fyne.io/") {
				bad = append(bad, fmt.Sprintf("%s links %s", rel(p.Path), d))
			}
		}
		return bad
	}},
	{"leaf packages import only the vocabulary", func(p pkg) []string {
		if !under(p.Path, leaves) {
			return nil
		}
		var bad []string
		for _, i := range p.Imports {
			if isModule(i) && !under(i, []string{"chat"}) && !strings.HasPrefix(i, p.Path+"/") {
				bad = append(bad, fmt.Sprintf("%s imports %s", rel(p.Path), rel(i)))
			}
		}
		return bad
	}},
	{"product code does not import testing", func(p pkg) []string {
		if under(p.Path, testInfra) {
			return nil
		}
		if slices.Contains(p.Imports, "testing") {
			return []string{rel(p.Path) + " imports testing outside its tests"}
		}
		return nil
	}},
}

func violations(pkgs []pkg) []string {
	var out []string
	for _, r := range rules {
		for _, p := range pkgs {
			for _, v := range r.check(p) {
				out = append(out, r.name+": "+v)
			}
		}
	}
	return out
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// listModule reads every package of the module with its imports and deps.
func listModule(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command(goTool(), "list", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}|{{join .Deps \",\"}}", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "|", 3)
		if len(f) != 3 {
			t.Fatalf("go list: odd line %q", sc.Text())
		}
		pkgs = append(pkgs, pkg{Path: f[0], Imports: split(f[1]), Deps: split(f[2])})
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func TestLayering(t *testing.T) {
	for _, v := range violations(listModule(t)) {
		t.Error(v)
	}
}

// TestRulesCatchViolations feeds the rules a module that breaks each one,
// so a rule that stopped matching cannot pass silently.
func TestRulesCatchViolations(t *testing.T) {
	broken := []pkg{
		{Path: "hallway/app", Imports: []string{"hallway/chat"}, Deps: []string{"hallway/chat", "hallway/core", "github.com/libp2p/go-libp2p", "modernc.org/sqlite"}},
		{Path: "hallway/core/rooms", Imports: []string{"hallway/p2p"}, Deps: []string{"fyne.io/fyne/v2"}},
		{Path: "hallway/storage", Imports: []string{"hallway/crypto", "hallway/chat"}},
		{Path: "hallway/cli", Imports: []string{"testing"}},
		{Path: "hallway/internal/fleet", Imports: []string{"testing"}},
		{Path: "hallway/p2p", Imports: []string{"hallway/chat", "hallway/p2p/inner"}},
	}
	got := violations(broken)
	want := []string{
		"the window links no networking, SQL or mDNS code: app links core (the window may use only [chat assets])",
		"the window links no networking, SQL or mDNS code: app links github.com/libp2p/go-libp2p",
		"the window links no networking, SQL or mDNS code: app links modernc.org/sqlite",
		"the engine never links Fyne: core/rooms links fyne.io/fyne/v2",
		"leaf packages import only the vocabulary: storage imports crypto",
		"product code does not import testing: cli imports testing outside its tests",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

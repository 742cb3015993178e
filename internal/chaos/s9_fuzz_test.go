package chaos

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// decoders maps every decoder of hostile input to its fuzz target
// (package directory, target).
var decoders = map[string][2]string{
	"room envelope":                 {"crypto", "FuzzUnmarshalEnvelope"},
	"room body":                     {"crypto", "FuzzUnmarshalRoomBody"},
	"membership operation":          {"crypto", "FuzzUnmarshalMemberOp"},
	"room receipt":                  {"crypto", "FuzzUnmarshalReceipt"},
	"invite code":                   {"crypto", "FuzzParseInviteCode"},
	"invite code naming a room":     {"crypto", "FuzzParseInvite"},
	"workspace policy":              {"policy", "FuzzParse"},
	"room code":                     {"crypto", "FuzzParseRoomCode"},
	"room code record":              {"crypto", "FuzzParseCodeRecord"},
	"code redemption":               {"p2p", "FuzzDecodeRedeem"},
	"topic proof request":           {"p2p", "FuzzDecodeProveRequest"},
	"swarm.key":                     {"crypto", "FuzzParseSwarmKey"},
	"fingerprint":                   {"crypto", "FuzzCheckFingerprint"},
	"identity file":                 {"crypto", "FuzzLoadIdentity"},
	"frame length":                  {"p2p", "FuzzReadFrame"},
	"DM frame":                      {"p2p", "FuzzDecodeDM"},
	"profile":                       {"p2p", "FuzzDecodeProfile"},
	"sync request":                  {"p2p", "FuzzDecodeSyncRequest"},
	"sync challenge":                {"p2p", "FuzzDecodeSyncChallenge"},
	"file and chunk request":        {"p2p", "FuzzDecodeFileRequest"},
	"chunk frame length":            {"p2p", "FuzzChunkFrameLength"},
	"bulk lane frame":               {"p2p", "FuzzBulkFrame"},
	"search query":                  {"archive", "FuzzParseQuery"},
	"search terms":                  {"storage", "FuzzSearchTerms"},
	"export file":                   {"archive", "FuzzVerify"},
	"backup archive":                {"core/records", "FuzzExtractBackup"},
	"file offer":                    {"p2p", "FuzzDecodeFileOffer"},
	"file manifest":                 {"files", "FuzzUnmarshalManifest"},
	"file name":                     {"files", "FuzzSafeName"},
	"folder path":                   {"files", "FuzzSafeRelPath"},
	"mDNS TXT":                      {"discovery", "FuzzParseTXT"},
	"mDNS browse result":            {"discovery", "FuzzParseEntry"},
	"mDNS packet off the group":     {"discovery", "FuzzHeardPacket"},
	"control API request body":      {"control", "FuzzDecodeRequest"},
	"control API request":           {"control", "FuzzControlAPI"},
	"command-line arguments":        {"cli", "FuzzParseArgs"},
	"sizes (--max-file-size …)":     {"cli", "FuzzParseSize"},
	"share times (--expire …)":      {"cli", "FuzzParseExpire"},
	"text shown in a terminal":      {"cli", "FuzzSafeText"},
	"conversation id":               {"chat", "FuzzParseConv"},
	"message kind forms":            {"chat", "FuzzKindLookup"},
	"Wayland compositor events":     {"desktop", "FuzzWaylandEvents"},
	"pass code, terms and proof":    {"crypto", "FuzzParsePass"},
	"pass entry":                    {"p2p", "FuzzDecodeEnter"},
	"network key handover":          {"p2p", "FuzzDecodeNetKeyHandover"},
	"network key file":              {"core", "FuzzParseNetworkKeys"},
	"addresses in a code":           {"crypto", "FuzzSplitCodeAddrs"},
	"reply, edit, delete, reaction": {"crypto", "FuzzUnmarshalRefBody"},
	"mentions in a text":            {"chat", "FuzzSplitMentions"},
	"typing signal":                 {"p2p", "FuzzDecodeTyping"},
}

var fuzzFunc = regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)

// fuzzTargets lists every fuzz target of the module by package directory.
func fuzzTargets(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		for _, m := range fuzzFunc.FindAllSubmatch(b, -1) {
			out[rel] = append(out[rel], string(m[1]))
		}
		return nil
	})
	return out
}

// S9: every decoder of hostile input has a fuzz target with a seed corpus
// in testdata/fuzz; the seeds run with every `go test`. Under soak every
// target is fuzzed for HALLWAY_FUZZTIME (default 1m).
func TestS9Fuzzing(t *testing.T) {
	r := scenario(t, "S9", "go test -fuzz on every decoder (envelope, sync, file manifest, TXT, invite code, file name)",
		"0 crashers; corpus in testdata/fuzz")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	targets := fuzzTargets(t, root)
	for what, dt := range decoders {
		if !slices.Contains(targets[dt[0]], dt[1]) {
			t.Errorf("the %s decoder has no fuzz target %s in %s", what, dt[1], dt[0])
		}
	}
	total, seeds := 0, 0
	for dir, names := range targets {
		for _, name := range names {
			total++
			entries, _ := os.ReadDir(filepath.Join(root, dir, "testdata", "fuzz", name))
			if len(entries) == 0 {
				t.Errorf("%s/%s has no seed corpus in testdata/fuzz", dir, name)
			}
			seeds += len(entries)
		}
	}
	if t.Failed() {
		return
	}
	r.measure(t, "%d fuzz targets cover %d decoders of hostile input; %d seed inputs in testdata/fuzz, run by every go test", total, len(decoders), seeds)
	if !soak() {
		return
	}
	fuzztime := os.Getenv("HALLWAY_FUZZTIME")
	if fuzztime == "" {
		fuzztime = "1m"
	}
	var crashers []string
	execs := int64(0)
	for _, dir := range sortedKeys(targets) {
		for _, name := range targets[dir] {
			n, err := fuzz(t, root, dir, name, fuzztime)
			execs += n
			if err != nil {
				crashers = append(crashers, fmt.Sprintf("%s/%s: %v", dir, name, err))
			}
		}
	}
	if len(crashers) > 0 {
		t.Fatalf("crashers (kept in testdata/fuzz by go test):\n%s", strings.Join(crashers, "\n"))
	}
	r.measure(t, "each fuzzed for %s: %d executions, 0 crashers", fuzztime, execs)
}

var execsLine = regexp.MustCompile(`execs: (\d+)`)

// fuzz runs one target and returns the executions it reported.
func fuzz(t *testing.T, root, dir, name, fuzztime string) (int64, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-fuzz", "^"+name+"$", "-fuzztime", fuzztime, "./"+dir+"/")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	var n int64
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if m := execsLine.FindStringSubmatch(sc.Text()); m != nil {
			fmt.Sscan(m[1], &n)
		}
	}
	t.Logf("fuzz %s/%s: %d execs", dir, name, n)
	if err != nil {
		return n, fmt.Errorf("%v\n%s", err, tail(out, 2000))
	}
	return n, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

package e2e

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"hallway/internal/fleet"
	"hallway/internal/netlab"
	"hallway/internal/testproc"
	"hallway/storage"

	ic "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestBenchWindow: the real window under Xvfb (Mesa software GL) on a
// namespace host. Start to first frame (process start → window showing a
// running node), its memory idle and with a 10,000-message conversation
// open (on a session without a bus, so without a tray, and with one), and
// the time to open a 50,000-message conversation; next to the
// daemon's own start in the same run as a baseline, and its memory next to
// a bare Fyne window's (internal/barewindow). Memory is read from
// /proc/PID/smaps_rollup of the window process itself once it has settled
// after drawing the conversation.
func TestBenchWindow(t *testing.T) {
	benchOnly(t)
	lab := netlab.New(t, 1).Host(1)
	fleet.NeedX(t)
	x := fleet.StartX(t, lab)

	// Baseline: the same node without a window.
	const runs = 5
	var daemonStart, windowStart []time.Duration
	for range runs {
		d := fleet.New(t, lab, "Base", "--no-mdns")
		start := time.Now()
		d.Start()
		daemonStart = append(daemonStart, time.Since(start))
		d.Stop()
	}
	var idle fleet.Mem
	var idleMem string
	for i := range runs {
		start := time.Now()
		w := startWindow(t, x, "Ann", nil, "--no-mdns")
		windowStart = append(windowStart, time.Since(start))
		if i == runs-1 {
			c := w.Client()
			p, err := c.Prefs(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			p.SetupDone = true
			if err := c.SetPrefs(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			w.WaitLine("conversation shown", 30*time.Second)
			idle = settledMem(t, w)
			idleMem = memOf(t, w.Pid())
		}
		w.Stop()
	}
	ds, ws := summarize(daemonStart), summarize(windowStart)
	fmt.Printf("BENCH window start to first frame (process start → window showing a running node, %d runs): %s  (daemon start alone: %s; ratio p50 %.1fx)\n",
		runs, ws, ds, float64(ws.p50)/float64(ds.p50))
	fmt.Printf("BENCH window RSS idle (main view, #general open): %.1f MB (target ≤ 150 MB; %s)\n", mb(idle.Rss), idleMem)
	fmt.Printf("BENCH window idle in the main view (#general open): %s\n", privateLine(idle, 0))

	// The private memory of one window varies by a megabyte or two from
	// run to run (when the collector last ran, what the trim found
	// free), so the conversation sizes and the baseline are each run
	// memRuns times and their median is reported.
	var withConv fleet.Mem
	for _, n := range []int{10_000, 50_000} {
		var mems []fleet.Mem
		for i := range memRuns {
			var start time.Time
			w := startWindow(t, x, "Ann", func(dir string) { prefill(t, dir, n); start = time.Now() }, "--no-mdns")
			ready := time.Since(start)
			line := w.WaitLine("conversation shown", 120*time.Second)
			shown := time.Since(start)
			mem := settledMem(t, w)
			if i == 0 {
				fmt.Printf("BENCH window open a %d-message conversation: %s from process start (window ready at %s; first page on screen %s after asking)  RSS %.1f MB (%s)\n",
					n, round(shown), round(ready), tookOf(line), mb(mem.Rss), memOf(t, w.Pid()))
			}
			mems = append(mems, mem)
			w.Stop()
		}
		mem := medianMem(mems)
		target := 0
		if n == 10_000 {
			target = 80
			withConv = mem
		}
		fmt.Printf("BENCH window idle with a %s-message conversation open, median of %d: %s (private of each run: %s)\n",
			thousands(n), memRuns, privateLine(mem, target), privateOfEach(mems))
	}

	// The same window on a desktop session with a tray (a session bus
	// and a stand-in for the desktop's panel), its icon and menu set up.
	addr := testproc.SessionBus(t)
	startTray(t, addr)
	var trayed []fleet.Mem
	for range memRuns {
		w := fleet.NewWindow(t, x, "Ann", "--no-mdns")
		prefill(t, w.Dir, 10_000)
		w.Env = append(w.Env, "DBUS_SESSION_BUS_ADDRESS="+addr)
		w.Start()
		w.WaitLine("conversation shown", 120*time.Second)
		trayed = append(trayed, settledMem(t, w))
		w.Stop()
	}
	tray := medianMem(trayed)
	fmt.Printf("BENCH window idle with a 10,000-message conversation open on a session with a tray (its icon set up), median of %d: %s (private of each run: %s); the tray costs %.1f MB\n",
		memRuns, privateLine(tray, 0), privateOfEach(trayed), mb(tray.PrivateDirty-withConv.PrivateDirty))

	// Baseline: what the toolkit and the graphics driver cost any Fyne
	// window of this size with text in the same styles.
	var bares []fleet.Mem
	for range memRuns {
		bares = append(bares, bareWindowMem(t, x))
	}
	bare := medianMem(bares)
	fmt.Printf("BENCH window baseline, a bare Fyne window of the same size and text styles (internal/barewindow), median of %d: %s (private of each run: %s); Hallway's window with a 10,000-message conversation open is %.1f MB of private memory above it (%.2fx)\n",
		memRuns, privateLine(bare, 0), privateOfEach(bares), mb(withConv.PrivateDirty-bare.PrivateDirty), float64(withConv.PrivateDirty)/float64(max(bare.PrivateDirty, 1)))
}

// memRuns is how many windows each memory figure is the median of.
const memRuns = 3

// medianMem is the run of ms with the median private memory.
func medianMem(ms []fleet.Mem) fleet.Mem {
	s := slices.Clone(ms)
	slices.SortFunc(s, func(a, b fleet.Mem) int { return cmp.Compare(a.PrivateDirty, b.PrivateDirty) })
	return s[len(s)/2]
}

// privateOfEach lists the private memory of each run, in MB.
func privateOfEach(ms []fleet.Mem) string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%.1f", mb(m.PrivateDirty)))
	}
	return strings.Join(out, ", ") + " MB"
}

// prefill fills the data folder dir so that its last conversation, a DM,
// holds n messages, and the window opens straight into it.
func prefill(t *testing.T, dir string, n int) {
	t.Helper()
	_, pub, err := ic.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := storage.Open(ctx, filepath.Join(dir, "hallway.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conv := "dm:" + id.String()
	if err := st.UpsertPeer(ctx, storage.Peer{ID: id.String(), Name: "Bob"}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().Add(-time.Duration(n) * time.Minute)
	msgs := make([]storage.Message, 0, n)
	for i := range n {
		author, state := id.String(), storage.StateReceived
		text := fmt.Sprintf("Message %d about the quarterly figures; see the shared folder for details.", i)
		if i%7 == 0 {
			text += "\nA second line, as people write."
		}
		msgs = append(msgs, storage.Message{ID: fmt.Sprintf("b%06d", i), Conv: conv, Author: author, Text: text,
			SentAt: t0.Add(time.Duration(i) * time.Minute), State: state})
	}
	if _, err := st.ImportMessages(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"pref.setup_done": "1", "pref.last_conversation": conv} {
		if err := st.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
}

// settledMem is the memory of window w once it has drawn a conversation
// and settled: the window hands the heap it freed back to the system a
// moment after it draws a conversation, and says so in its log.
func settledMem(t *testing.T, w *fleet.Daemon) fleet.Mem {
	t.Helper()
	w.WaitLine("memory trimmed", 30*time.Second)
	return w.Mem()
}

// privateLine reports the memory of the window itself. Private is its
// Private_Dirty: the pages only this process maps and wrote (Go heap and
// stacks, C heap, relocated library data), which no other process shares
// and the kernel cannot reclaim without swap; for a process that shares
// no written pages with another it is its anonymous memory. RSS adds the libraries and code it maps, PSS
// those shared with other processes pro rata; neither is what the window
// costs the machine. A target of 0 states none.
func privateLine(m fleet.Mem, target int) string {
	s := fmt.Sprintf("private %.1f MB (Private_Dirty; anonymous %.1f MB)", mb(m.PrivateDirty), mb(m.Anonymous))
	if target > 0 {
		s += fmt.Sprintf(" target ≤ %d MB", target)
	}
	return s + fmt.Sprintf(", RSS %.1f MB, PSS %.1f MB", mb(m.Rss), mb(m.Pss))
}

func mb(n int64) float64 { return float64(n) / 1e6 }

// thousands writes n with comma separators: 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var tookField = regexp.MustCompile(`took=(\S+)`)

func tookOf(line string) string {
	if m := tookField.FindStringSubmatch(line); m != nil {
		if d, err := time.ParseDuration(m[1]); err == nil {
			return round(d).String()
		}
		return m[1]
	}
	return "?"
}

// memOf splits a process's resident memory: the part held by Mesa's
// software renderer (LLVM and the swrast driver, which a machine with a
// GPU driver does not load) and the private dirty memory (what the
// process itself wrote: Go heap, caches).
func memOf(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		t.Fatal(err)
	}
	var soft, dirty int64
	name := ""
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.Contains(f[0], "-") && len(f) >= 5 {
			name = ""
			if len(f) >= 6 {
				name = f[5]
			}
			continue
		}
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "Rss:":
			if strings.Contains(name, "libLLVM") || strings.Contains(name, "/dri/") {
				soft += kb
			}
		case "Private_Dirty:":
			dirty += kb
		}
	}
	return fmt.Sprintf("software GL %.1f MB, private dirty %.1f MB", float64(soft)/1e3, float64(dirty)/1e3)
}

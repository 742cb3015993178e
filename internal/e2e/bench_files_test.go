package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"hallway/chat"
	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// TestBenchFileTransfer: 1 GiB between two namespace hosts through
// Hallway, next to raw TCP, scp and Syncthing on the same link and the
// receiving disk's own write speed, in one run.
func TestBenchFileTransfer(t *testing.T) {
	benchOnly(t)
	lab := netlab.New(t, 2)
	const size = 1 << 30
	src, _ := fleet.RandomFile(t, t.TempDir(), "big.bin", size)
	mb := float64(size) / 1e6

	tcp := rawTCPThroughput(t, lab, src)
	fmt.Printf("BENCH raw TCP, same link (1 GiB, 128 KiB writes, receiver discards): %.0f MB/s\n", mb/tcp.Seconds())

	dl := filepath.Join(t.TempDir(), "dl")
	if err := os.MkdirAll(dl, 0o700); err != nil {
		t.Fatal(err)
	}
	disk, diskErr := diskWriteTime(t, dl, size)
	if diskErr != nil {
		fmt.Printf("BENCH disk write: not measured: %v\n", diskErr)
	} else {
		fmt.Printf("BENCH disk write, the receiver's folder (1 GiB of 1 MiB O_DIRECT writes, then fsync): %.0f MB/s\n", mb/disk.Seconds())
	}

	scp, scpErr := scpTime(t, lab, src)
	if scpErr != nil {
		fmt.Printf("BENCH scp: not measured: %v\n", scpErr)
	} else {
		fmt.Printf("BENCH scp -c aes128-gcm, same link (1 GiB to disk): %.0f MB/s\n", mb/scp.Seconds())
	}
	st, stErr := syncthingTime(t, lab, src)
	if stErr != nil {
		fmt.Printf("BENCH Syncthing: not measured: %v\n", stErr)
	} else {
		fmt.Printf("BENCH Syncthing %s, same link (1 GiB to disk): %.0f MB/s\n", syncthingVersion(lab), mb/st.Seconds())
	}
	defer func() {
		hw := hallwayTime
		if hw == 0 {
			return
		}
		var ratios []string
		if scpErr == nil {
			ratios = append(ratios, fmt.Sprintf("Hallway / scp = %.2fx", scp.Seconds()/hw.Seconds()))
		}
		if stErr == nil {
			ratios = append(ratios, fmt.Sprintf("Hallway / Syncthing = %.2fx", st.Seconds()/hw.Seconds()))
		}
		ratios = append(ratios, fmt.Sprintf("Hallway / raw TCP = %.2fx", tcp.Seconds()/hw.Seconds()))
		if diskErr == nil {
			ratios = append(ratios, fmt.Sprintf("Hallway / disk write = %.2fx", disk.Seconds()/hw.Seconds()))
		}
		fmt.Printf("BENCH %s\n", strings.Join(ratios, ";  "))
	}()

	ann := fleet.New(t, lab.Host(1), "Ann")
	bob := fleet.New(t, lab.Host(2), "Bob", "--downloads", dl)
	if p := os.Getenv("HALLWAY_BENCH_PROFILE"); p != "" {
		bob.Env = append(bob.Env, "HALLWAY_CPUPROFILE="+p)
		ann.Env = append(ann.Env, "HALLWAY_CPUPROFILE="+p+".send")
	}
	ann.Start()
	bob.Start()
	id := bob.Self().PeerID
	ann.WaitFor("Bob", 15*time.Second, func() bool { return ann.Sees(id, bob.Name) })
	tid := offer(t, ann, bob, "Bob", src)
	cpuA, cpuB := cpuTime(t, ann.Pid()), cpuTime(t, bob.Pid())
	start := time.Now()
	got := fleet.Decode[chat.Transfer](t, bob.CLI("file", "accept", tid, "--wait", "--json"))
	hallwayTime = time.Since(start)
	sendCPU, recvCPU := cpuTime(t, ann.Pid())-cpuA, cpuTime(t, bob.Pid())-cpuB
	gib := float64(size) / (1 << 30)
	fmt.Printf("BENCH CPU during the transfer: sender %.2f CPU-s/GiB (%.0f%% of one core), receiver %.2f CPU-s/GiB (%.0f%%); both hosts share this machine's %d cores\n",
		sendCPU.Seconds()/gib, 100*sendCPU.Seconds()/hallwayTime.Seconds(), recvCPU.Seconds()/gib, 100*recvCPU.Seconds()/hallwayTime.Seconds(), runtime.NumCPU())
	if got.State != "done" {
		t.Fatalf("transfer %+v", got)
	}
	fmt.Printf("BENCH Hallway (1 GiB, verified, to disk): %.0f MB/s over %d bulk lanes (TLS 1.3)\n", mb/hallwayTime.Seconds(), ann.Stats().BulkLanes)
}

var hallwayTime time.Duration

// TestBenchRoomFile: a 100 MiB file offered in a room, fetched by 5
// members at once; members that have it serve the others.
func TestBenchRoomFile(t *testing.T) {
	benchOnly(t)
	lab := netlab.New(t, 6)
	var ds []*fleet.Daemon
	for i := range 6 {
		d := fleet.New(t, lab.Host(i+1), "M"+strconv.Itoa(i+1), "--downloads", filepath.Join(t.TempDir(), "dl"))
		d.Start()
		ds = append(ds, d)
	}
	for _, d := range ds[1:] {
		id := d.Self().PeerID
		ds[0].WaitFor(d.Name, 20*time.Second, func() bool { return ds[0].Sees(id, d.Name) })
	}
	// Not #general: in an open workspace its files are served only live,
	// by their uploader.
	fleet.Room(t, ds, "handbook")
	src, _ := fleet.RandomFile(t, t.TempDir(), "handbook.pdf", 100<<20)
	tr := fleet.Decode[chat.Transfer](t, ds[0].CLI("file", "send", "#handbook", src, "--json"))
	for _, d := range ds[1:] {
		d.WaitFor("offer", 20*time.Second, func() bool { _, ok := d.Transfer(tr.ID); return ok })
	}
	start := time.Now()
	errs := make(chan error, 5)
	for _, d := range ds[1:] {
		go func() {
			_, err := d.CLIErr("file", "accept", tr.ID, "--wait", "--json")
			errs <- err
		}()
	}
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	fmt.Printf("BENCH 100 MiB room file to 5 members at once: %s (%.0f MB/s delivered in total)\n",
		time.Since(start).Round(time.Millisecond), 5*100*1.048576/time.Since(start).Seconds())
}

// cpuTime is the user+system CPU a process has used.
func cpuTime(t *testing.T, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

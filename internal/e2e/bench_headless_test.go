package e2e

import (
	"fmt"
	"os"
	"testing"
	"time"

	"hallway/internal/fleet"
	"hallway/internal/netlab"
)

// TestBenchHeadlessRSS: resident memory of an idle daemon from the build
// without a window (-tags headless, make daemon) next to the same daemon
// from the full binary, with Fyne linked, in the same run; and both sizes.
func TestBenchHeadlessRSS(t *testing.T) {
	benchOnly(t)
	lab := netlab.New(t, 1)
	flags := []string{"--no-mdns", "--listen", "/ip4/127.0.0.1/tcp/0"}
	full := fleet.New(t, lab.Host(1), "Full", flags...)
	headless := fleet.New(t, lab.Host(1), "Headless", flags...)
	headless.Bin = fleet.HeadlessBinary(t)
	full.Bin = fleet.Binary(t)
	full.Start()
	headless.Start()
	<-time.After(5 * time.Second) // idle: let start-up garbage be collected
	mb := func(n int64) float64 { return float64(n>>10) / 1024 }
	fr, hr := rss(t, full), rss(t, headless)
	fmt.Printf("BENCH idle RSS of a lone daemon on loopback: headless build %.1f MB, full build (Fyne linked) %.1f MB (target for headless: 40 MB)\n", mb(hr), mb(fr))
	fmt.Printf("BENCH binary size: headless %.1f MB, full %.1f MB\n", mb(size(t, headless.Bin)), mb(size(t, full.Bin)))
}

func size(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

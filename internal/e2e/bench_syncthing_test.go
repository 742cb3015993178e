package e2e

// Syncthing as a file-transfer baseline: one instance in lab host 1 shares
// a folder holding the file, one in host 2 receives it. Both are
// configured by hand to stay on the lab link: static addresses only, no
// discovery, relays, NAT traversal, usage or crash reports, or upgrades.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hallway/internal/netlab"
)

const (
	stSyncPort = 22000
	stGUIPort  = 8384
	stAPIKey   = "hallway-bench-api-key"
	stFolder   = "bench"
)

// syncthingVersion is the version syncthing reports, like v1.19.2.
func syncthingVersion(lab *netlab.Lab) string {
	out, err := lab.Host(1).Command(context.Background(), "syncthing", "--version").Output()
	if f := strings.Fields(string(out)); err == nil && len(f) > 1 {
		return f[1]
	}
	return "(unknown version)"
}

// syncthingTime sends path from host 1 to host 2 with Syncthing. Host 1
// scans and hashes the file first, with host 2 running but its side of
// the pair paused; the clock starts when host 2 resumes host 1 and stops
// when host 2's folder is in sync and the file is on its disk at full
// size. The time thus includes connecting (TCP, TLS, the index exchange),
// pulling the blocks, the receiver's check of each block's SHA-256, its
// fsyncs (Syncthing's defaults) and the final rename, and up to one 50 ms
// poll of the REST API.
func syncthingTime(t *testing.T, lab *netlab.Lab, path string) (time.Duration, error) {
	bin, err := exec.LookPath("syncthing")
	if err != nil {
		return 0, fmt.Errorf("no syncthing: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	size, name := fi.Size(), filepath.Base(path)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var homes, ids [3]string
	for i := 1; i <= 2; i++ {
		homes[i] = filepath.Join(dir, fmt.Sprintf("home%d", i))
		gen := lab.Host(i).Command(ctx, bin, "generate", "--home="+homes[i], "--no-default-folder", "--skip-port-probing")
		if out, err := gen.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("syncthing generate: %v %s", err, out)
		}
		out, err := lab.Host(i).Command(ctx, bin, "serve", "--home="+homes[i], "--device-id").Output()
		if err != nil {
			return 0, fmt.Errorf("syncthing --device-id: %v", err)
		}
		if ids[i] = strings.TrimSpace(string(out)); len(ids[i]) != 63 {
			return 0, fmt.Errorf("syncthing --device-id: %q", out)
		}
	}

	// Host 1's folder holds the file (a hard link: both are temporary
	// directories of the test); host 2's starts empty. Both carry the
	// folder marker.
	share, recv := filepath.Join(dir, "share"), filepath.Join(dir, "recv")
	for _, d := range []string{share, recv} {
		if err := os.MkdirAll(filepath.Join(d, ".stfolder"), 0o755); err != nil {
			return 0, err
		}
	}
	defer os.RemoveAll(recv)
	if err := os.Link(path, filepath.Join(share, name)); err != nil {
		return 0, err
	}
	for i, f := range [][2]string{{share, "sendonly"}, {recv, "receiveonly"}} {
		conf := syncthingConfig(lab, i+1, ids, f[0], f[1])
		if err := os.WriteFile(filepath.Join(homes[i+1], "config.xml"), []byte(conf), 0o600); err != nil {
			return 0, err
		}
	}

	var exited [3]chan error
	start := func(i int) error {
		log, err := os.Create(filepath.Join(homes[i], "log.txt"))
		if err != nil {
			return err
		}
		defer log.Close()
		cmd := lab.Host(i).Command(ctx, bin, "serve", "--home="+homes[i], "--no-browser", "--no-restart", "--no-upgrade", "--no-default-folder")
		// STMONITORED runs Syncthing without its monitor process, which
		// would otherwise fork the real one; the process group catches
		// anything it starts all the same.
		cmd.Env = append(os.Environ(), "STMONITORED=1", "STNORESTART=1", "STNOUPGRADE=1", "STNODEFAULTFOLDER=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			return err
		}
		exited[i] = make(chan error, 1)
		go func() { exited[i] <- cmd.Wait() }()
		return nil
	}
	defer func() {
		cancel()
		for _, e := range exited {
			if e != nil {
				<-e
			}
		}
	}()
	rest := [3]func(string, string, any) error{nil, stREST(lab.Host(1)), stREST(lab.Host(2))}
	// wait polls host i's folder status until done holds, the process
	// ends or limit passes.
	wait := func(i int, limit time.Duration, what string, done func(stStatus) bool) error {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		deadline := time.NewTimer(limit)
		defer deadline.Stop()
		for {
			var st stStatus
			err := rest[i](http.MethodGet, "/rest/db/status?folder="+stFolder, &st)
			if err == nil && done(st) {
				return nil
			}
			select {
			case <-tick.C:
			case <-deadline.C:
				return fmt.Errorf("%s: not within %v (last error: %v)%s", what, limit, err, logTail(homes[i]))
			case werr := <-exited[i]:
				exited[i] = nil
				return fmt.Errorf("%s: syncthing in host %d exited: %v%s", what, i, werr, logTail(homes[i]))
			}
		}
	}

	if err := start(1); err != nil {
		return 0, err
	}
	if err := wait(1, 10*time.Minute, "host 1 scan", func(st stStatus) bool {
		return st.State == "idle" && st.LocalFiles == 1 && st.LocalBytes == size
	}); err != nil {
		return 0, err
	}
	if err := start(2); err != nil {
		return 0, err
	}
	if err := wait(2, time.Minute, "host 2 start", func(st stStatus) bool { return st.State == "idle" }); err != nil {
		return 0, err
	}

	begin := time.Now()
	if err := rest[2](http.MethodPost, "/rest/system/resume?device="+ids[1], nil); err != nil {
		return 0, err
	}
	if err := wait(2, 10*time.Minute, "host 2 sync", func(st stStatus) bool {
		fi, err := os.Stat(filepath.Join(recv, name))
		return st.State == "idle" && st.GlobalBytes == size && st.InSyncBytes == size && st.NeedBytes == 0 &&
			err == nil && fi.Size() == size
	}); err != nil {
		return 0, err
	}
	return time.Since(begin), nil
}

// syncthingConfig is the config.xml of the instance in host i, whose peer
// is the other host of the two.
func syncthingConfig(lab *netlab.Lab, i int, ids [3]string, folder, typ string) string {
	peer := 3 - i
	ip := lab.Host(i).IP
	return fmt.Sprintf(`<configuration version="36">
    <folder id="%s" label="%s" path="%s" type="%s" rescanIntervalS="3600" fsWatcherEnabled="false">
        <device id="%s"></device>
        <device id="%s"></device>
    </folder>
    <device id="%s" name="host%d" compression="metadata"><address>tcp://%s:%d</address></device>
    <device id="%s" name="host%d" compression="metadata"><address>tcp://%s:%d</address><paused>%t</paused></device>
    <gui enabled="true" tls="false"><address>%s:%d</address><apikey>%s</apikey></gui>
    <options>
        <listenAddress>tcp://%s:%d</listenAddress>
        <globalAnnounceServer></globalAnnounceServer>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <announceLANAddresses>false</announceLANAddresses>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <stunServer></stunServer>
        <urAccepted>-1</urAccepted>
        <urURL></urURL>
        <crashReportingEnabled>false</crashReportingEnabled>
        <crashReportingURL></crashReportingURL>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <releasesURL></releasesURL>
        <startBrowser>false</startBrowser>
        <setLowPriority>false</setLowPriority>
    </options>
</configuration>
`, stFolder, stFolder, folder, typ, ids[1], ids[2],
		ids[i], i, ip, stSyncPort,
		ids[peer], peer, lab.Host(peer).IP, stSyncPort, i == 2,
		ip, stGUIPort, stAPIKey, ip, stSyncPort)
}

// stREST calls the REST API of the syncthing in host h over connections
// made inside h's namespace, decoding the answer into out unless nil.
func stREST(h *netlab.Host) func(method, path string, out any) error {
	dial := func(ctx context.Context, network, addr string) (c net.Conn, err error) {
		err = h.Do(func() (err error) {
			c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
			return err
		})
		return c, err
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: dial}}
	return func(method, path string, out any) error {
		req, err := http.NewRequest(method, fmt.Sprintf("http://%s:%d%s", h.IP, stGUIPort, path), nil)
		if err != nil {
			return err
		}
		req.Header.Set("X-API-Key", stAPIKey)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s: %s", method, path, resp.Status)
		}
		if out == nil {
			return nil
		}
		return json.NewDecoder(resp.Body).Decode(out)
	}
}

// stStatus is the part of /rest/db/status read here.
type stStatus struct {
	State                                                       string
	LocalFiles, LocalBytes, GlobalBytes, InSyncBytes, NeedBytes int64
}

// logTail is the end of a syncthing log, for an error message.
func logTail(home string) string {
	b, _ := os.ReadFile(filepath.Join(home, "log.txt"))
	return "; log:\n" + string(b[max(0, len(b)-1500):])
}

package e2e

// The baselines a benchmark prints its figures next to, measured on the
// same namespace link in the same run: plain TCP, scp and fsync.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"hallway/internal/netlab"
)

// tcpPair connects host 1 to host 2 over plain TCP: the baseline link.
func tcpPair(t *testing.T, lab *netlab.Lab) (server, client net.Conn) {
	return tcpPairOf(t, lab.Host(1), lab.Host(2))
}

// tcpPairOf connects from to to over plain TCP.
func tcpPairOf(t *testing.T, from, to *netlab.Host) (server, client net.Conn) {
	var l net.Listener
	if err := to.Do(func() (err error) {
		l, err = net.Listen("tcp", netip.AddrPortFrom(to.IP, 0).String())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	if err := from.Do(func() (err error) {
		client, err = net.Dial("tcp", l.Addr().String())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	server, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// tcpRoundTrips measures a plain TCP echo between host 1 and host 2.
func tcpRoundTrips(t *testing.T, lab *netlab.Lab, n int) []time.Duration {
	return tcpRoundTripsOf(t, lab.Host(1), lab.Host(2), n)
}

// tcpRoundTripsOf measures a plain TCP echo between from and to.
func tcpRoundTripsOf(t *testing.T, from, to *netlab.Host, n int) []time.Duration {
	server, c := tcpPairOf(t, from, to)
	go io.Copy(server, server)
	buf := make([]byte, 64)
	r := bufio.NewReader(c)
	var out []time.Duration
	for range n {
		start := time.Now()
		if _, err := c.Write(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Since(start))
	}
	return out
}

func fsyncCost(t *testing.T, dir string) stats {
	f, err := os.CreateTemp(dir, "fsync")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	var out []time.Duration
	for range 100 {
		f.Write([]byte("x"))
		start := time.Now()
		f.Sync()
		out = append(out, time.Since(start))
	}
	return summarize(out)
}

func rawTCPThroughput(t *testing.T, lab *netlab.Lab, path string) time.Duration {
	return rawTCPThroughputOf(t, lab.Host(1), lab.Host(2), path)
}

// rawTCPThroughputOf times sending path from one host to another over
// plain TCP.
func rawTCPThroughputOf(t *testing.T, from, to *netlab.Host, path string) time.Duration {
	server, c := tcpPairOf(t, from, to)
	got := make(chan time.Time, 1)
	go func() {
		io.CopyBuffer(io.Discard, server, make([]byte, 128<<10))
		got <- time.Now()
	}()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	io.CopyBuffer(struct{ io.Writer }{c}, f, make([]byte, 128<<10))
	c.Close()
	return (<-got).Sub(start)
}

// scpTime copies path from host 1 to host 2 with scp against an sshd run
// for the purpose inside host 2.
func scpTime(t *testing.T, lab *netlab.Lab, path string) (time.Duration, error) {
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		return 0, fmt.Errorf("no sshd: %v", err)
	}
	dir := t.TempDir()
	for _, k := range []string{"host", "client"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			return 0, fmt.Errorf("ssh-keygen: %v %s", err, out)
		}
	}
	pub, _ := os.ReadFile(filepath.Join(dir, "client.pub"))
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	port := 22000 + os.Getpid()%1000
	conf := fmt.Sprintf("Port %d\nListenAddress %s\nHostKey %s\nAuthorizedKeysFile %s\nStrictModes no\nPasswordAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\nPidFile %s\nSubsystem sftp internal-sftp\n",
		port, lab.Host(2).IP, filepath.Join(dir, "host"), filepath.Join(dir, "authorized_keys"), filepath.Join(dir, "sshd.pid"))
	os.WriteFile(filepath.Join(dir, "sshd_config"), []byte(conf), 0o600)
	os.MkdirAll("/run/sshd", 0o755)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := lab.Host(2).Command(ctx, sshd, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	if err := srv.Start(); err != nil {
		return 0, err
	}
	defer func() { cancel(); srv.Wait() }()
	dest := filepath.Join(dir, "copy.bin")
	args := []string{"-q", "-c", "aes128-gcm@openssh.com", "-i", filepath.Join(dir, "client"), "-P", strconv.Itoa(port),
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectionAttempts=20",
		path, "root@" + lab.Host(2).IP.String() + ":" + dest}
	// A first tiny copy waits for sshd to listen (scp retries by itself),
	// so the timed copy measures throughput, not start-up.
	tiny := filepath.Join(dir, "tiny")
	os.WriteFile(tiny, []byte("x"), 0o600)
	warm := append(append([]string{}, args[:len(args)-2]...), tiny, "root@"+lab.Host(2).IP.String()+":"+dest)
	if out, err := lab.Host(1).Command(context.Background(), "scp", warm...).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("scp: %v %s", err, out)
	}
	start := time.Now()
	out, err := lab.Host(1).Command(context.Background(), "scp", args...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("scp: %v %s", err, out)
	}
	return time.Since(start), nil
}

// diskWriteTime is how long the disk under dir takes to take size bytes
// written straight to it and synced (dd, 1 MiB writes, O_DIRECT): the
// floor of any transfer to disk there, whatever the link.
func diskWriteTime(t *testing.T, dir string, size int64) (time.Duration, error) {
	t.Helper()
	out := filepath.Join(dir, "floor.bin")
	defer os.Remove(out)
	start := time.Now()
	b, err := exec.Command("dd", "if=/dev/zero", "of="+out, "bs=1M", "count="+strconv.FormatInt(size>>20, 10),
		"oflag=direct", "conv=fsync", "status=none").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("dd: %v %s", err, b)
	}
	return time.Since(start), nil
}

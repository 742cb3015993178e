package netlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// commandTimeout bounds every iproute2 call, so a wedged `ip` cannot hang a
// test run forever.
const commandTimeout = 30 * time.Second

// Available reports why labs cannot be built here, or nil when they can. It
// creates and removes a throwaway namespace, because being root is not
// enough inside some containers.
func Available() error {
	if runtime.GOOS != "linux" {
		return errors.New("network namespaces need Linux")
	}
	if os.Geteuid() != 0 {
		return errors.New("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return fmt.Errorf("iproute2 is missing: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	probe := fmt.Sprintf("hwp%06d", rand.IntN(1_000_000))
	if err := ip(ctx, "", "netns", "add", probe); err != nil {
		return fmt.Errorf("cannot create a network namespace: %w", err)
	}
	if err := ip(ctx, "", "netns", "del", probe); err != nil {
		return fmt.Errorf("cannot remove network namespace %s: %w", probe, err)
	}
	return nil
}

// Command prepares name args... to run inside the host's namespace, as
// `ip netns exec NS name args...` does. The caller owns the process.
func (h *Host) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", h.NS, name}, args...)...)
}

// ip runs iproute2 with args; a non-empty batch is fed on stdin (for
// "-batch -"), which keeps building a lab at a handful of processes.
func ip(ctx context.Context, batch string, args ...string) error {
	cmd := exec.CommandContext(ctx, "ip", args...)
	if batch != "" {
		cmd.Stdin = strings.NewReader(batch)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// namespaces lists every named network namespace of the machine.
func namespaces(ctx context.Context) ([]string, error) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	if err != nil {
		return nil, fmt.Errorf("ip netns list: %w", err)
	}
	var names []string
	for line := range strings.Lines(string(out)) {
		// Lines look like "NAME" or "NAME (id: 3)".
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[0])
		}
	}
	return names, nil
}

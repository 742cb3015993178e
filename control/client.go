package control

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"hallway/core"
)

// ErrNotRunning means no Hallway answers for the data folder.
var ErrNotRunning = errors.New("Hallway is not running")

// Client talks to the Hallway running for one data folder.
type Client struct {
	dir  string
	path string
	http *http.Client
}

// NewClient returns a client for the Hallway that uses dataDir.
func NewClient(dataDir string) *Client {
	path := core.SocketPath(dataDir)
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialEndpoint(ctx, path)
		},
		DisableCompression: true,
	}
	return &Client{dir: dataDir, path: path, http: &http.Client{Transport: tr}}
}

func (c *Client) notRunning() error {
	return fmt.Errorf("%w for %s: start it with `hallway` or `hallway daemon`", ErrNotRunning, c.dir)
}

func (c *Client) do(ctx context.Context, method, p string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://hallway"+p, body)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if _, serr := os.Stat(c.path); serr != nil || isRefused(err) {
			return c.notRunning()
		}
		return fmt.Errorf("control API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("control API: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e errorBody
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return errors.New(e.Error)
		}
		return fmt.Errorf("control API: %s", resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

func isRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// Events follows the event stream, calling fn for each event until fn
// returns false, ctx ends or the node stops.
func (c *Client) Events(ctx context.Context, ready func(), fn func(WireEvent) bool) error {
	req, err := http.NewRequestWithContext(ctx, epEvents.Method, "http://hallway"+epEvents.Path, nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return c.notRunning()
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("control API: %s", resp.Status)
	}
	if ready != nil {
		ready()
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	for sc.Scan() {
		var e WireEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("event stream: %w", err)
		}
		if !fn(e) {
			return nil
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return sc.Err()
}

// Ping checks that a Hallway answers.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.Self(ctx)
	return err
}

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
	"net/url"
	"os"
	"strconv"

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
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
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

// Stats reads the running node's runtime and network counters.
func (c *Client) Stats(ctx context.Context) (core.Stats, error) {
	var v core.Stats
	return v, c.do(ctx, "GET", "/v1/stats", nil, &v)
}

// Self describes the running node.
func (c *Client) Self(ctx context.Context) (core.Self, error) {
	var v core.Self
	return v, c.do(ctx, "GET", "/v1/id", nil, &v)
}

// Peers lists colleagues.
func (c *Client) Peers(ctx context.Context) ([]core.Colleague, error) {
	var v []core.Colleague
	return v, c.do(ctx, "GET", "/v1/peers", nil, &v)
}

// AddPeer saves a colleague's address and tries to connect.
func (c *Client) AddPeer(ctx context.Context, addr string) (core.AddPeerResult, error) {
	var v core.AddPeerResult
	return v, c.do(ctx, "POST", "/v1/peers", addPeerRequest{Addr: addr}, &v)
}

// Send sends a direct message.
func (c *Client) Send(ctx context.Context, peer, text string) (core.Message, error) {
	var v core.Message
	return v, c.do(ctx, "POST", "/v1/send", sendRequest{Peer: peer, Text: text}, &v)
}

// History reads a conversation with a colleague.
func (c *Client) History(ctx context.Context, peer string, before int64, limit int) ([]core.Message, error) {
	q := url.Values{"peer": {peer}}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var v []core.Message
	return v, c.do(ctx, "GET", "/v1/history?"+q.Encode(), nil, &v)
}

// SetStatus changes presence.
func (c *Client) SetStatus(ctx context.Context, status, text string) error {
	return c.do(ctx, "POST", "/v1/status", statusRequest{Status: status, Text: text}, nil)
}

// SetName changes the display name.
func (c *Client) SetName(ctx context.Context, name string) error {
	return c.do(ctx, "POST", "/v1/name", nameRequest{Name: name}, nil)
}

// Events follows the event stream, calling fn for each event until fn
// returns false, ctx ends or the node stops.
func (c *Client) Events(ctx context.Context, ready func(), fn func(WireEvent) bool) error {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://hallway/v1/events", nil)
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

func urlQuery(s string) string { return url.QueryEscape(s) }

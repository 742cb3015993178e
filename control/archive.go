package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"hallway/chat"
)

// Streamed replies (export, backup) report how they ended in trailers,
// as the status line is long gone when the end comes.
const (
	trailerError   = "Hallway-Error"
	trailerSummary = "Hallway-Summary"
)

func searchQuery(v url.Values) (chat.SearchQuery, error) {
	q := chat.SearchQuery{Text: v.Get("text"), From: v.Get("from"), In: v.Get("in"), HasFile: v.Get("has_file") == "true",
		Mentions: v.Get("mentions") == "true"}
	var err error
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &q.Since}, {"until", &q.Until}} {
		if s := v.Get(p.name); s != "" {
			if *p.dst, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return q, fmt.Errorf("%s is a time like 2026-03-01T09:00:00Z", p.name)
			}
		}
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil || q.Limit < 0 {
			return q, errors.New("limit is a whole number")
		}
	}
	return q, nil
}

// lazyWriter sends the status line with the first byte, so that a call
// failing before it writes anything still gets an ordinary error reply.
type lazyWriter struct {
	w           http.ResponseWriter
	contentType string
	started     bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.w.Header().Set("Content-Type", l.contentType)
		l.w.Header().Set("Trailer", trailerError+", "+trailerSummary)
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

// stream runs fn with the response body as its output.
func stream(w http.ResponseWriter, contentType string, fn func(io.Writer) (any, error)) {
	lw := &lazyWriter{w: w, contentType: contentType}
	summary, err := fn(lw)
	if !lw.started {
		if err != nil {
			reply[any](w, nil, err)
			return
		}
		lw.Write(nil)
	}
	if err != nil {
		w.Header().Set(trailerError, chat.UserMessage(err))
		return
	}
	if b, err := json.Marshal(summary); err == nil {
		w.Header().Set(trailerSummary, string(b))
	}
}

// searchValues is the query of GET /v1/search: the text always, the rest
// when set.
func searchValues(q chat.SearchQuery) url.Values {
	v := url.Values{"text": {q.Text}}
	for k, s := range map[string]string{"from": q.From, "in": q.In} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.Format(time.RFC3339Nano))
	}
	if q.Mentions {
		v.Set("mentions", "true")
	}
	if q.HasFile {
		v.Set("has_file", "true")
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// stream posts in and copies a streamed reply to out, then reads how it
// ended from the trailers into summary.
func (c *Client) stream(ctx context.Context, method, path string, in any, out io.Writer, summary any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://hallway"+path, bytesReader(b))
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
	if resp.StatusCode != http.StatusOK {
		var e errorBody
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return errors.New(e.Error)
		}
		return fmt.Errorf("control API: %s", resp.Status)
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		return fmt.Errorf("control API: %w", err)
	}
	if msg := resp.Trailer.Get(trailerError); msg != "" {
		return errors.New(msg)
	}
	s := resp.Trailer.Get(trailerSummary)
	if s == "" {
		return errors.New("control API: the reply ended early")
	}
	return json.Unmarshal([]byte(s), summary)
}

package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"hallway/chat"
)

// Listen creates the owner-only control endpoint for path: a Unix socket
// at path (endpoint_unix.go), or on Windows a named pipe that only the
// user may open (endpoint_windows.go). The caller must hold the data
// folder, so any socket file found there is stale and is replaced.
func Listen(path string) (net.Listener, error) {
	l, err := listenPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return l, nil
}

// Serve answers control requests on l until ctx ends, then removes the
// socket file.
func Serve(ctx context.Context, l net.Listener, b Backends, log *slog.Logger) error {
	return serve(ctx, l, routes(b), log)
}

func serve(ctx context.Context, l net.Listener, h http.Handler, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		srv.Close()
	}()
	err := srv.Serve(l)
	if ua, ok := l.Addr().(*net.UnixAddr); ok {
		os.Remove(ua.Name)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func reply[T any](w http.ResponseWriter, v T, err error) {
	if err != nil {
		status := http.StatusInternalServerError
		var ue *chat.UserError
		if errors.As(err, &ue) {
			status = http.StatusBadRequest
		}
		fail(w, status, chat.UserMessage(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(errorBody{Error: msg})
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		fail(w, http.StatusRequestEntityTooLarge, "request too large (a message has at most 64 KiB)")
		return false
	}
	if err := decodeStrict(body, v); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return false
	}
	return true
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

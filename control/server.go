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
	"strconv"
	"time"

	"hallway/core"
)

// Backend is what the control API drives: the core service.
type Backend interface {
	Self(ctx context.Context) (core.Self, error)
	Peers(ctx context.Context) ([]core.Colleague, error)
	AddPeer(ctx context.Context, addr string) (core.AddPeerResult, error)
	Send(ctx context.Context, peer, text string) (core.Message, error)
	History(ctx context.Context, peer string, before int64, limit int) ([]core.Message, error)
	SetStatus(ctx context.Context, status, text string) error
	SetName(ctx context.Context, name string) error
	Subscribe(ctx context.Context) <-chan core.Event

	Rooms(ctx context.Context) ([]core.Room, error)
	CreateRoom(ctx context.Context, name string) (core.Room, error)
	JoinRoomCode(ctx context.Context, code string) (core.Room, error)
	LeaveRoom(ctx context.Context, room string) error
	InviteToRoom(ctx context.Context, room, peer string) (core.Message, error)
	RoomInviteCode(ctx context.Context, room string) (string, error)
	RoomMembers(ctx context.Context, room string) ([]core.RoomMember, error)
	SendRoom(ctx context.Context, room, text string) (core.Message, error)

	Transfers(ctx context.Context) ([]core.Transfer, error)
	SendFile(ctx context.Context, peer, path string) (core.Transfer, error)
	AcceptTransfer(ctx context.Context, id, dir string) (core.Transfer, error)
	DeclineTransfer(ctx context.Context, id string) error
	CancelTransfer(ctx context.Context, id string) error

	ArchiveBackend
	Stats() core.Stats
}

var _ Backend = (*core.Service)(nil)

// maxSocketPath is the portable limit of a Unix socket path (sun_path).
const maxSocketPath = 104

// Listen creates the owner-only control socket at path. The caller must
// hold the data folder, so any socket file found there is stale and is
// replaced.
func Listen(path string) (net.Listener, error) {
	if len(path) >= maxSocketPath {
		return nil, fmt.Errorf("control socket path %s is too long for a Unix socket (%d bytes, under %d allowed): use a shorter --data folder", path, len(path), maxSocketPath)
	}
	os.Remove(path)
	l, err := listenPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return l, nil
}

// Serve answers control requests on l until ctx ends, then removes the
// socket file.
func Serve(ctx context.Context, l net.Listener, b Backend, log *slog.Logger) error {
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

// listenPrivate makes the socket owner-only from the moment it exists
// (umask), not just after a chmod.
func listenPrivate(path string) (net.Listener, error) {
	old := umask(0o177)
	l, err := net.Listen("unix", path)
	umask(old)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func routes(b Backend) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/id", func(w http.ResponseWriter, r *http.Request) {
		to[core.Self](w)(b.Self(r.Context()))
	})
	mux.HandleFunc("GET /v1/peers", func(w http.ResponseWriter, r *http.Request) {
		to[[]core.Colleague](w)(b.Peers(r.Context()))
	})
	mux.HandleFunc("POST /v1/peers", func(w http.ResponseWriter, r *http.Request) {
		var req addPeerRequest
		if !readJSON(w, r, &req) {
			return
		}
		to[core.AddPeerResult](w)(b.AddPeer(r.Context(), req.Addr))
	})
	mux.HandleFunc("POST /v1/send", func(w http.ResponseWriter, r *http.Request) {
		var req sendRequest
		if !readJSON(w, r, &req) {
			return
		}
		to[core.Message](w)(b.Send(r.Context(), req.Peer, req.Text))
	})
	mux.HandleFunc("GET /v1/history", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		before, err1 := intParam(q.Get("before"))
		limit, err2 := intParam(q.Get("limit"))
		if err := errors.Join(err1, err2); err != nil {
			fail(w, http.StatusBadRequest, "before and limit are whole numbers")
			return
		}
		to[[]core.Message](w)(b.History(r.Context(), q.Get("peer"), before, int(limit)))
	})
	mux.HandleFunc("POST /v1/status", func(w http.ResponseWriter, r *http.Request) {
		var req statusRequest
		if !readJSON(w, r, &req) {
			return
		}
		reply(w, struct{}{}, b.SetStatus(r.Context(), req.Status, req.Text))
	})
	mux.HandleFunc("POST /v1/name", func(w http.ResponseWriter, r *http.Request) {
		var req nameRequest
		if !readJSON(w, r, &req) {
			return
		}
		reply(w, struct{}{}, b.SetName(r.Context(), req.Name))
	})
	mux.HandleFunc("GET /v1/stats", func(w http.ResponseWriter, r *http.Request) {
		reply(w, b.Stats(), nil)
	})
	roomRoutes(mux, b)
	fileRoutes(mux, b)
	trustRoutes(mux, b)
	archiveRoutes(mux, b)
	mux.HandleFunc("GET /v1/events", func(w http.ResponseWriter, r *http.Request) {
		streamEvents(w, r, b)
	})
	return mux
}

func intParam(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// to adapts a (value, error) call result to reply.
func to[T any](w http.ResponseWriter) func(T, error) {
	return func(v T, err error) { reply(w, v, err) }
}

func reply[T any](w http.ResponseWriter, v T, err error) {
	if err != nil {
		status := http.StatusInternalServerError
		var ue *core.UserError
		if errors.As(err, &ue) {
			status = http.StatusBadRequest
		}
		fail(w, status, core.UserMessage(err))
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

// streamEvents writes one JSON event per line until the client goes away.
func streamEvents(w http.ResponseWriter, r *http.Request, b Backend) {
	fl, ok := w.(http.Flusher)
	if !ok {
		fail(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	events := b.Subscribe(r.Context())
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	enc := json.NewEncoder(w)
	for e := range events {
		if err := enc.Encode(ToWire(e)); err != nil {
			return
		}
		fl.Flush()
	}
}

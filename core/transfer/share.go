package transfer

import (
	"context"
	"errors"
	"io/fs"
	"sync/atomic"
	"time"

	"hallway/chat"
	"hallway/files"
	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// How long content is served (see docs/FILES.md, "How long a file is
// shared").
const (
	// DefaultShareFor is how long a file offered in a room is served when
	// neither the offer nor the settings say otherwise.
	DefaultShareFor = 30 * 24 * time.Hour
	// MaxShareFor bounds the time a user may ask for.
	MaxShareFor = 10 * 365 * 24 * time.Hour
	// LiveWindow is the longest a file offered in a live-only room
	// (#general of an open workspace) is served: by its sender alone, to
	// the peers that were in the room when it was offered, and never
	// after the sender restarts.
	LiveWindow = time.Hour
)

// What a requester allowed to fetch content is told when it is not
// served any more.
const (
	changedNote  = "the file changed after it was offered; it is no longer shared"
	unsharedNote = "the sharer stopped sharing it"
	liveNote     = "files offered in #general of an open workspace are served only while the offer is live, to those who were there"
)

func expiredRefusal(at time.Time) refusal {
	return refusal("the share ended on " + at.UTC().Format("2006-01-02 15:04") + " UTC")
}

// guard stops every source of one share at once, even on lanes already
// open, once the share is withdrawn or its content changed.
type guard struct{ stopped atomic.Pointer[refusal] }

func (g *guard) err() error {
	if r := g.stopped.Load(); r != nil {
		return *r
	}
	return nil
}

// stop ends the share with why; it reports whether this call ended it.
func (g *guard) stop(why refusal) bool { return g.stopped.CompareAndSwap(nil, &why) }

// present records who is in a live-only room as we offer t there: they
// received the offer live, and only they are served.
func (sv *server) present(id, room string) {
	peers, _ := sv.s.rooms.RoomPeers(room)
	set := make(map[peer.ID]bool, len(peers))
	for _, p := range peers {
		set[p] = true
	}
	sv.live.Store(id, set)
}

func (sv *server) guard(id string) *guard {
	g, _ := sv.guards.LoadOrStore(id, &guard{})
	return g.(*guard)
}

// shareFor is how long room content is served.
func (s *Service) shareFor() time.Duration {
	if s.cfg.ShareFor > 0 {
		return s.cfg.ShareFor
	}
	return DefaultShareFor
}

// expiryFor is when an offer we make now stops being served: asked (0:
// the default) for a room, capped at LiveWindow in a live-only room; for
// a colleague, no end unless asked.
func (s *Service) expiryFor(room string, asked time.Duration) (time.Time, error) {
	if asked < 0 || asked > MaxShareFor {
		return time.Time{}, chat.UserErrorf("a share lasts from a minute to %d days", int(MaxShareFor/(24*time.Hour)))
	}
	d := asked
	if room != "" {
		if d == 0 {
			d = s.shareFor()
		}
		if s.rooms.LiveOnly(room) {
			d = min(d, LiveWindow)
		}
	}
	if d == 0 {
		return time.Time{}, nil
	}
	return s.now().Add(d), nil
}

// serveUntil is when t's content stops being served: our offer's end, or
// for a downloaded room file our own share time from when it was
// offered, never past the end its sender said. A room offer recorded
// before offers had an end gets the share time from when it was made.
func (s *Service) serveUntil(t storage.Transfer) time.Time {
	if t.Direction == storage.TransferOut {
		if t.ExpiresAt.IsZero() && chat.IsRoomConv(t.Conv) {
			return t.CreatedAt.Add(s.shareFor())
		}
		return t.ExpiresAt
	}
	until := t.CreatedAt.Add(s.shareFor())
	if !t.ExpiresAt.IsZero() && t.ExpiresAt.Before(until) {
		until = t.ExpiresAt
	}
	return until
}

// sharing says whether t's content, which from may fetch, is still
// served, and if not why.
func (s *Service) sharing(t storage.Transfer, from peer.ID) error {
	switch t.ShareState {
	case storage.ShareUnshared:
		return refusal(unsharedNote)
	case storage.ShareChanged:
		return refusal(changedNote)
	}
	if err := s.server.guard(t.ID).err(); err != nil {
		return err
	}
	if room, ok := chat.RoomOf(t.Conv); ok && s.rooms.LiveOnly(room) {
		set, live := s.server.live.Load(t.ID)
		if t.Direction != storage.TransferOut || !live || !set.(map[peer.ID]bool)[from] {
			return refusal(liveNote)
		}
	}
	if until := s.serveUntil(t); !until.IsZero() && !s.now().Before(until) {
		return expiredRefusal(until)
	}
	return nil
}

// shareOf is whether this computer serves t's content, as the user sees
// it: the share state, why it stopped, and when it ends.
func (s *Service) shareOf(t storage.Transfer) (share, note string, until time.Time) {
	until = s.serveUntil(t)
	switch t.ShareState {
	case storage.ShareUnshared:
		return chat.ShareUnshared, t.ShareNote, until
	case storage.ShareChanged:
		return chat.ShareChanged, t.ShareNote, until
	}
	room, isRoom := chat.RoomOf(t.Conv)
	switch {
	case t.Direction == storage.TransferOut && t.State != storage.TransferCancelled && t.SourcePath != "":
	case t.Direction == storage.TransferIn && t.State == storage.TransferDone && t.FinalPath != "" && isRoom && !s.rooms.LiveOnly(room):
	default:
		return "", "", time.Time{}
	}
	if _, live := s.server.live.Load(t.ID); isRoom && s.rooms.LiveOnly(room) && !live {
		return chat.ShareExpired, "offered live in #general of an open workspace; not served after the offer", until
	}
	if !until.IsZero() && !s.now().Before(until) {
		return chat.ShareExpired, "", until
	}
	return chat.ShareServing, "", until
}

// failed handles a read of t's content that failed for path: content
// that changed, moved or was swapped for a link after the offer ends the
// share, and the user is told; the requester learns why either way.
func (sv *server) failed(t storage.Transfer, path string, err error) error {
	if !changedOnDisk(err) {
		sv.s.log.Warn("file: cannot serve", "transfer", t.ID, "path", path, "err", err)
		return errNotServable
	}
	if sv.guard(t.ID).stop(refusal(changedNote)) {
		name := t.Name
		if path != "" && path != t.Name {
			name = t.Name + "/" + path
		}
		sv.s.log.Warn("file: shared content changed; no longer served", "transfer", t.ID, "path", name, "err", err)
		sv.s.spawn.Go(func(ctx context.Context) { sv.s.markChanged(ctx, t.ID, name, err) })
	}
	return refusal(changedNote)
}

// changedOnDisk: the content is not what was offered any more.
func changedOnDisk(err error) bool {
	return errors.Is(err, files.ErrChunkMismatch) || errors.Is(err, files.ErrChanged) ||
		errors.Is(err, files.ErrPlanted) || errors.Is(err, fs.ErrNotExist)
}

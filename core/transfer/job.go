package transfer

import (
	"context"
	"errors"
	"os"
	"sync"

	"hallway/files"
	"hallway/storage"
)

const (
	// dlWindow chunks are asked for at once on one lane, and dlStreams
	// windows are in flight together, so the link never waits for a round
	// trip between chunks.
	dlWindow  = 8
	dlStreams = 4
	// saveEvery bounds what a crash can cost: chunks verified since the
	// last save are fetched again after a restart.
	saveEvery = 8 << 20
)

// job is one download in progress.
type job struct {
	s     *Service
	t     storage.Transfer
	m     *files.Manifest
	dl    *files.Downloads
	stage string // folder downloads are assembled in a hidden folder

	mu      sync.Mutex // guards have, done, saved, saving and the three maps below
	have    []byte
	done    int64
	saved   int64
	saving  bool
	saveWG  sync.WaitGroup // background saves, finished before files close
	writeMu sync.Mutex     // one chunk written at a time; guards the O_DIRECT toggle
	open    map[int]*os.File
	partial map[int]string
	direct  map[int]bool // files written with O_DIRECT
}

// download makes one attempt at fetching a transfer's missing chunks,
// then records how it ended.
func (s *Service) download(ctx context.Context, id string) {
	t, err := s.store.Transfer(ctx, id)
	if err != nil || t.State != storage.TransferActive && t.State != storage.TransferPaused {
		return
	}
	m, err := files.UnmarshalManifest(t.Manifest)
	if err != nil {
		s.setState(ctx, id, storage.TransferFailed, "bad manifest")
		return
	}
	dl, err := files.OpenDownloads(t.DestDir)
	if err != nil {
		s.setState(ctx, id, storage.TransferFailed, "cannot open the downloads folder: "+err.Error())
		return
	}
	defer dl.Close()
	j := &job{s: s, t: t, m: m, dl: dl, done: t.BytesDone, saved: t.BytesDone, open: map[int]*os.File{}, partial: map[int]string{}, direct: map[int]bool{}}
	j.have = make([]byte, (m.ChunkCount()+7)/8)
	copy(j.have, t.Have)
	if m.Folder {
		if j.stage, err = files.PartialName(files.SafeName(m.Name), id); err != nil {
			s.setState(ctx, id, storage.TransferFailed, "bad folder name: "+err.Error())
			return
		}
	}
	defer j.closeFiles()
	err = j.fetch(ctx)
	j.save(context.WithoutCancel(ctx))
	switch {
	case err == nil:
		j.finish(ctx)
	case ctx.Err() != nil:
	case errors.Is(err, errNoSource):
		s.setState(ctx, id, storage.TransferPaused, "waiting for a colleague who has it to be online")
	case errors.Is(err, files.ErrChunkMismatch):
		s.setState(ctx, id, storage.TransferFailed, "the content does not match the offer (changed after it was offered?)")
		s.reportStatus(ctx, t, storage.TransferFailed, "the content did not match the offer")
	default:
		s.setState(ctx, id, storage.TransferPaused, "interrupted: "+err.Error())
	}
}

var errNoSource = errors.New("no source online")

func (j *job) missing() [][2]int {
	var wins [][2]int
	n := j.m.ChunkCount()
	for i := 0; i < n; {
		if j.have[i/8]&(1<<(i%8)) != 0 {
			i++
			continue
		}
		start := i
		for i < n && i-start < dlWindow && j.have[i/8]&(1<<(i%8)) == 0 {
			i++
		}
		wins = append(wins, [2]int{start, i})
	}
	return wins
}

// fetch pulls every missing chunk, dlStreams windows at a time, spreading
// windows over the sources. A source that fails is dropped; the download
// pauses when none is left.
func (j *job) fetch(ctx context.Context) error {
	s := j.s
	s.setState(ctx, j.t.ID, storage.TransferActive, "")
	for ctx.Err() == nil {
		wins := j.missing()
		if len(wins) == 0 {
			return nil
		}
		sources := s.sources(ctx, j.t)
		if len(sources) == 0 {
			return errNoSource
		}
		work := make(chan [2]int, len(wins))
		for _, w := range wins {
			work <- w
		}
		close(work)
		var wg sync.WaitGroup
		errs := make(chan error, dlStreams)
		for k := range dlStreams {
			src := sources[k%len(sources)]
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := j.lane(ctx, src)
				defer l.close()
				if err := l.run(ctx, work); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		var first error
		for err := range errs {
			if errors.Is(err, files.ErrChunkMismatch) {
				return err
			}
			first = cmpErr(first, err)
		}
		if first != nil && len(j.missing()) > 0 {
			return first
		}
	}
	return ctx.Err()
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

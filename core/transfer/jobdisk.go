package transfer

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"unsafe"

	"hallway/files"
	"hallway/storage"
)

// The disk side of a download: verified chunks are written into partial
// files, progress is recorded for resuming, and complete content is moved
// to its final name.

func (j *job) write(ctx context.Context, i int, data []byte) error {
	entry, off, _ := j.m.Chunk(i)
	f, err := j.file(entry)
	if err != nil {
		return err
	}
	j.mu.Lock()
	direct := j.direct[entry]
	j.mu.Unlock()
	// One write at a time: concurrent writes into one file contend on the
	// kernel's inode lock, which costs more CPU than it saves.
	j.writeMu.Lock()
	_, err = writeChunk(f, direct, data, off)
	j.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("write %s: %w", j.m.Entries[entry].Path, err)
	}
	j.mu.Lock()
	j.have[i/8] |= 1 << (i % 8)
	j.done += int64(len(data))
	done, due := j.done, j.done-j.saved >= saveEvery && !j.saving
	if due {
		j.saving, j.saved = true, j.done
	}
	j.mu.Unlock()
	if due {
		// Syncing takes milliseconds: the other streams keep writing.
		j.saveWG.Add(1)
		go func() {
			defer j.saveWG.Done()
			j.save(ctx)
			j.mu.Lock()
			j.saving = false
			j.mu.Unlock()
		}()
	}
	if j.s.progress.add(j.t.ID, done) {
		j.s.publish(ctx, j.t.ID)
	}
	return nil
}

// entryPath is where entry e ends up, relative to the downloads folder.
func (j *job) entryPath(e int) string {
	if !j.m.Folder {
		return files.SafeName(j.m.Name)
	}
	return path.Join(j.stage, j.m.Entries[e].Path)
}

func (j *job) file(e int) (*os.File, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if f, ok := j.open[e]; ok {
		return f, nil
	}
	f, rel, err := j.dl.OpenPartial(j.entryPath(e), j.t.ID)
	if err != nil {
		return nil, fmt.Errorf("open partial file: %w", err)
	}
	j.open[e], j.partial[e] = f, rel
	j.direct[e] = setDirect(f, true)
	return f, nil
}

// save records verified chunks so a restart resumes from here. The record
// is a snapshot taken before the files are synced, so every chunk it marks
// was written before the sync and is on disk when the record is.
func (j *job) save(ctx context.Context) {
	j.mu.Lock()
	have := append([]byte(nil), j.have...)
	done := j.done
	open := make([]*os.File, 0, len(j.open))
	for _, f := range j.open {
		open = append(open, f)
	}
	j.mu.Unlock()
	for _, f := range open {
		f.Sync()
	}
	if err := j.s.store.SaveProgress(ctx, j.t.ID, done, have); err != nil {
		j.s.log.Warn("save transfer progress", "err", err)
	}
}

func (j *job) closeFiles() {
	j.saveWG.Wait()
	j.mu.Lock()
	defer j.mu.Unlock()
	for e, f := range j.open {
		f.Close()
		delete(j.open, e)
	}
}

// finish moves the verified content to its final, non-colliding name.
func (j *job) finish(ctx context.Context) {
	s := j.s
	for e := range j.m.Entries {
		if _, err := j.file(e); err != nil { // empty files have no chunk
			s.setState(ctx, j.t.ID, storage.TransferFailed, err.Error())
			return
		}
	}
	j.save(ctx)
	// Closed before their names change: Windows refuses to remove the
	// partial name of a file still open without FILE_SHARE_DELETE.
	j.closeFiles()
	var final string
	var err error
	for e := range j.m.Entries {
		if final, err = j.dl.Finalize(j.partial[e], j.entryPath(e)); err != nil {
			break
		}
	}
	if err == nil && j.m.Folder {
		final, err = j.dl.FinalizeDir(j.stage, files.SafeName(j.m.Name))
	}
	if err != nil {
		s.setState(ctx, j.t.ID, storage.TransferFailed, "cannot finish: "+err.Error())
		return
	}
	full := filepath.Join(j.dl.Dir(), filepath.FromSlash(final))
	st := storage.TransferDone
	empty := ""
	if err := s.store.UpdateTransfer(ctx, j.t.ID, storage.TransferUpdate{State: &st, Error: &empty, FinalPath: &full}); err != nil {
		s.log.Warn("record finished transfer", "err", err)
	}
	s.store.SaveProgress(ctx, j.t.ID, j.m.TotalSize(), j.have)
	s.publish(ctx, j.t.ID)
	s.reportStatus(ctx, j.t, storage.TransferDone, "")
}

// writeChunk writes directly to disk when the file allows it and the chunk
// is aligned (every chunk but a file's short last one); otherwise through
// the page cache. Callers hold the job's writeMu: the O_DIRECT flag is
// toggled on the shared file.
func writeChunk(f *os.File, direct bool, data []byte, off int64) (int, error) {
	aligned := off%directAlign == 0 && len(data)%directAlign == 0 &&
		uintptr(unsafe.Pointer(unsafe.SliceData(data)))%directAlign == 0
	if direct && !aligned {
		setDirect(f, false)
		defer setDirect(f, true)
	}
	return f.WriteAt(data, off)
}

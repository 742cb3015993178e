package dm

import (
	"context"
	"sync"
	"testing"

	"hallway/storage"

	"github.com/libp2p/go-libp2p/core/peer"
)

// fakeStore keeps messages in memory, the outbox as the ids queued per
// colleague in the order they were committed.
type fakeStore struct {
	mu        sync.Mutex                 // guards all below
	msgs      map[string]storage.Message // author/id → message
	outbox    map[string][]string        // peer → queued ids, oldest first
	seq       int64
	insertErr error // returned by the inserts while set
	reads     int   // calls of Outbox
}

func newFakeStore() *fakeStore {
	return &fakeStore{msgs: map[string]storage.Message{}, outbox: map[string][]string{}}
}

func (f *fakeStore) InsertOutgoingMany(_ context.Context, out []storage.Outgoing) ([]storage.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.insertErr != nil {
		return nil, f.insertErr
	}
	var stored []storage.Message
	for _, o := range out {
		m := o.Message
		f.seq++
		m.Seq = f.seq
		f.msgs[m.Author+"/"+m.ID] = m
		f.outbox[o.To] = append(f.outbox[o.To], m.Author+"/"+m.ID)
		stored = append(stored, m)
	}
	return stored, nil
}

func (f *fakeStore) InsertIncoming(_ context.Context, m storage.Message) (storage.Message, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.insertErr != nil {
		return storage.Message{}, false, f.insertErr
	}
	if old, ok := f.msgs[m.Author+"/"+m.ID]; ok {
		return old, false, nil
	}
	f.seq++
	m.Seq = f.seq
	f.msgs[m.Author+"/"+m.ID] = m
	return m, true, nil
}

func (f *fakeStore) History(_ context.Context, conv string, beforeSeq int64, limit int) ([]storage.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []storage.Message
	for _, m := range f.msgs {
		if m.Conv == conv && (beforeSeq == 0 || m.Seq < beforeSeq) {
			out = append(out, m)
		}
	}
	sortBySeq(out)
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

func sortBySeq(ms []storage.Message) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Seq < ms[j-1].Seq; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

func (f *fakeStore) Outbox(_ context.Context, peer string, limit int) ([]storage.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	var out []storage.Message
	for _, k := range f.outbox[peer] {
		if len(out) == limit {
			break
		}
		out = append(out, f.msgs[k])
	}
	return out, nil
}

func (f *fakeStore) OutboxPeers(context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for p, q := range f.outbox {
		if len(q) > 0 {
			out = append(out, p)
		}
	}
	return out, nil
}

func (f *fakeStore) MarkDelivered(_ context.Context, author, id string) (storage.Message, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := author + "/" + id
	m, ok := f.msgs[k]
	if !ok || m.State != storage.StateSent {
		return storage.Message{}, false, nil
	}
	m.State = storage.StateDelivered
	f.msgs[k] = m
	for p, q := range f.outbox {
		for i, qk := range q {
			if qk == k {
				f.outbox[p] = append(q[:i:i], q[i+1:]...)
				break
			}
		}
	}
	return m, true, nil
}

func (f *fakeStore) message(t *testing.T, author peer.ID, id string) storage.Message {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.msgs[author.String()+"/"+id]
	if !ok {
		t.Fatalf("message %s of %s not stored", id, author.ShortString())
	}
	return m
}

func (f *fakeStore) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.msgs)
}

package p2p

import "sync"

// tracked counts the goroutines a node starts on its own behalf, so that
// Close returns only after they end. A WaitGroup may not gain a goroutine
// while Close waits on it, so the count closes first: once it has, no new
// goroutine starts.
type tracked struct {
	mu     sync.Mutex // guards closed, and orders Add before Wait
	closed bool
	wg     sync.WaitGroup
}

// goTracked runs f on a goroutine Close waits for, and reports whether it
// did: a closing node starts nothing.
func (n *Node) goTracked(f func()) bool {
	t := &n.tracked
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		f()
	}()
	return true
}

// closeTracked starts no more goroutines and waits for those running.
func (n *Node) closeTracked() {
	t := &n.tracked
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.wg.Wait()
}

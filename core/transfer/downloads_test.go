package transfer

import (
	"context"
	"testing"
)

// A download asked to start while an attempt is ending runs once more
// right after it; stop ends the attempt under way without another, and
// wait returns once it has let go.
func TestDownloadsRunOneAttemptAtATime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	sp := &fakeSpawner{ctx: ctx}
	t.Cleanup(func() { cancel(); sp.wg.Wait() })
	started := make(chan context.Context, 4)
	release := make(chan struct{})
	ended := make(chan string, 4)
	d := newDownloads(sp, func(ctx context.Context, id string) {
		started <- ctx
		select {
		case <-release: // paused by itself, say
		case <-ctx.Done():
		}
	}, func(id string) { ended <- id })

	d.start("t")
	<-started
	d.start("t") // while running: queued, not a second attempt at once
	d.start("t")
	release <- struct{}{}
	second := <-started
	if <-ended != "t" {
		t.Fatal("the first attempt's end was not reported")
	}
	d.start("t")
	d.stop("t")
	d.wait("t")
	if second.Err() == nil {
		t.Fatal("wait returned before the attempt ended")
	}
	if <-ended != "t" {
		t.Fatal("the second attempt's end was not reported")
	}
	if len(started) != 0 {
		t.Fatal("a stopped download started again")
	}
}

// Closing the service ends running downloads, and none starts again.
func TestDownloadsEndWithTheService(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	sp := &fakeSpawner{ctx: ctx}
	started := make(chan context.Context, 2)
	d := newDownloads(sp, func(ctx context.Context, id string) {
		started <- ctx
		<-ctx.Done()
	}, func(string) {})
	d.start("t")
	run := <-started
	d.start("t")
	cancel()
	sp.wg.Wait()
	if run.Err() == nil {
		t.Fatal("the download outlived the service")
	}
	if len(started) != 0 {
		t.Fatal("a download restarted after the service closed")
	}
}

package core

import (
	"context"
	"testing"
	"testing/synctest"

	"hallway/chat"
)

// numbered is a distinguishable event for bus tests.
func numbered(i int) chat.Event { return chat.Lagged{Missed: -i} }

func TestBusLaggedSubscriber(t *testing.T) {
	for _, tc := range []struct {
		name      string
		published int
		wantLag   int // Missed of the first event read; 0: none
	}{
		{name: "within the buffer", published: subscriberBuffer},
		{name: "one over", published: subscriberBuffer + 1, wantLag: subscriberBuffer},
		{name: "far behind", published: 3*subscriberBuffer + 17, wantLag: 3 * subscriberBuffer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := newBus()
				defer b.closeAll()
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				events := b.subscribe(ctx)
				for i := 1; i <= tc.published; i++ {
					b.publish(numbered(i))
				}
				synctest.Wait() // the forwarder has seen every publish
				next := 1
				if tc.wantLag > 0 {
					if got := <-events; got != (chat.Lagged{Missed: tc.wantLag}) {
						t.Fatalf("first event = %#v, want Lagged{Missed: %d}", got, tc.wantLag)
					}
					next = tc.wantLag + 1
				}
				for ; next <= tc.published; next++ {
					if got := <-events; got != numbered(next) {
						t.Fatalf("event = %#v, want %#v", got, numbered(next))
					}
				}
				synctest.Wait()
				select {
				case e := <-events:
					t.Fatalf("extra event %#v", e)
				default:
				}
			})
		})
	}
}

func TestBusLaggedWhileReading(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus()
		defer b.closeAll()
		events := b.subscribe(t.Context())
		const n = 5*subscriberBuffer + 3
		got, missed := 0, 0
		done := make(chan struct{})
		go func() {
			defer close(done)
			for got+missed < n {
				e := <-events
				if l, ok := e.(chat.Lagged); ok && l.Missed > 0 {
					missed += l.Missed
					continue
				}
				got++
			}
		}()
		for i := 1; i <= n; i++ {
			b.publish(numbered(i))
		}
		<-done
		if got+missed != n {
			t.Fatalf("read %d and were told of %d missed, published %d", got, missed, n)
		}
	})
}

func TestBusSubscriberEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBus()
		ctx, cancel := context.WithCancel(t.Context())
		byCtx := b.subscribe(ctx)
		byClose := b.subscribe(t.Context())
		for i := range 2 * subscriberBuffer {
			b.publish(numbered(i))
		}
		cancel()
		synctest.Wait()
		if _, open := <-byCtx; open {
			t.Fatal("a subscriber's channel is open after its context ended")
		}
		b.closeAll()
		synctest.Wait()
		if _, open := <-byClose; open {
			t.Fatal("a subscriber's channel is open after the bus closed")
		}
		if late := b.subscribe(t.Context()); late != nil {
			if _, open := <-late; open {
				t.Fatal("subscribing to a closed bus gives an open channel")
			}
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if len(b.subs) != 0 {
			t.Fatalf("%d subscribers left after close", len(b.subs))
		}
	})
}

package readcache

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// gate is a load or fetch that blocks until released, counting its calls.
type gate struct {
	calls   atomic.Int32
	release chan struct{}
}

func newGate() *gate { return &gate{release: make(chan struct{})} }

func (g *gate) load(ctx context.Context) (int, error) {
	n := g.calls.Add(1)
	select {
	case <-g.release:
		return int(n), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func getAll(t *testing.T, n int, get func() (int, error)) []int {
	t.Helper()
	out := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v, err := get()
			if err != nil {
				t.Error(err)
			}
			out[i] = v
		})
	}
	wg.Wait()
	return out
}

// The tests run in synctest bubbles where they depend on the order of goroutines or on a window:
// synctest.Wait returns once every other goroutine of the bubble is blocked (in a load, or waiting
// for one), and the bubble's clock moves only when all of them are, so a window never closes
// early on a busy machine.

func TestValueSharesOneLoadAndKeepsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newGate()
		var hits, joined atomic.Int32
		v := NewValue(g.load, func(_ context.Context, _ string, join bool) {
			hits.Add(1)
			if join {
				joined.Add(1)
			}
		})
		go func() { synctest.Wait(); close(g.release) }() // once all 10 readers wait
		got := getAll(t, 10, func() (int, error) { return v.Get(t.Context()) })
		if calls := g.calls.Load(); calls != 1 {
			t.Fatalf("10 concurrent reads made %d loads, want 1", calls)
		}
		if again, _ := v.Get(t.Context()); again != 1 || slices.Max(got) != 1 {
			t.Fatalf("answers %v then %d, want all 1", got, again)
		}
		// Every read but the one that loaded is reported as a hit: 9 joined the load, the last
		// read came from the cache.
		if hits.Load() != 10 || joined.Load() != 9 {
			t.Fatalf("reported %d hits (%d joined the running load), want 10 (9)", hits.Load(), joined.Load())
		}
	})
}

func TestValueReadAfterWriteSeesTheWrite(t *testing.T) {
	synctest.Test(t, testValueReadAfterWriteSeesTheWrite)
}

func testValueReadAfterWriteSeesTheWrite(t *testing.T) {
	loads := atomic.Int32{}
	started := make(chan struct{}, 2)
	release := make(chan struct{})
	v := NewValue(func(context.Context) (int, error) {
		n := loads.Add(1)
		started <- struct{}{}
		<-release
		return int(n) * 10, nil
	}, nil)
	early := make(chan int)
	go func() { x, _ := v.Get(t.Context()); early <- x }()
	<-started
	v.Invalidate() // a write while the first load runs
	late := make(chan int)
	go func() { x, _ := v.Get(t.Context()); late <- x }()
	synctest.Wait() // the late reader is queued behind the running load
	close(release)
	if x := <-early; x != 10 {
		t.Errorf("the reader that started before the write got %d, want the first load's 10", x)
	}
	if x := <-late; x != 20 {
		t.Errorf("the reader that started after the write got %d, want a second load's 20", x)
	}
	if x, _ := v.Get(t.Context()); x != 20 {
		t.Errorf("cached %d, want 20: the load that ran during the write must not be kept", x)
	}
}

func TestValueUpdateWritesThrough(t *testing.T) {
	loads := atomic.Int32{}
	v := NewValue(func(context.Context) ([]string, error) { loads.Add(1); return []string{"a"}, nil }, nil)
	if _, err := v.Get(t.Context()); err != nil {
		t.Fatal(err)
	}
	v.Update(func(list []string) []string { return append(slices.Clone(list), "b") })
	got, _ := v.Get(t.Context())
	if !slices.Equal(got, []string{"a", "b"}) || loads.Load() != 1 {
		t.Fatalf("got %v after %d loads, want [a b] after 1", got, loads.Load())
	}
}

func TestValueFreshStartsAfterTheCallAndIsShared(t *testing.T) {
	synctest.Test(t, testValueFreshStartsAfterTheCallAndIsShared)
}

func testValueFreshStartsAfterTheCallAndIsShared(t *testing.T) {
	g := newGate()
	v := NewValue(g.load, nil)
	first := make(chan int)
	go func() { x, _ := v.Get(t.Context()); first <- x }()
	synctest.Wait() // load 1 runs
	// Both Fresh calls arrive while load 1 runs: they must share load 2, not join load 1.
	fresh := make(chan int, 2)
	for range 2 {
		go func() { x, _ := v.Fresh(t.Context()); fresh <- x }()
	}
	synctest.Wait()
	close(g.release)
	if x := <-first; x != 1 {
		t.Fatalf("first read got %d, want 1", x)
	}
	if a, b := <-fresh, <-fresh; a != 2 || b != 2 || g.calls.Load() != 2 {
		t.Fatalf("fresh reads got %d and %d after %d loads, want 2, 2 after 2", a, b, g.calls.Load())
	}
}

func TestValueErrorIsNotCached(t *testing.T) {
	fail := true
	v := NewValue(func(context.Context) (int, error) {
		if fail {
			return 0, errors.New("throttled")
		}
		return 7, nil
	}, nil)
	if _, err := v.Get(t.Context()); err == nil {
		t.Fatal("want the load's error")
	}
	fail = false
	if x, err := v.Get(t.Context()); err != nil || x != 7 {
		t.Fatalf("got %d, %v; want 7 from a new load", x, err)
	}
}

// recorder is a batch fetch that records the keys of each call.
type recorder struct {
	mu    sync.Mutex
	calls [][]string
	seq   int
}

func (r *recorder) fetch(_ context.Context, keys []string) (map[string]int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, slices.Clone(keys))
	r.seq++
	out := map[string]int{}
	for _, k := range keys {
		if k != "missing" {
			out[k] = r.seq
		}
	}
	return out, nil
}

func TestBatchJoinsConcurrentKeysAndSplitsAtSize(t *testing.T) {
	synctest.Test(t, testBatchJoinsConcurrentKeysAndSplitsAtSize)
}

func testBatchJoinsConcurrentKeysAndSplitsAtSize(t *testing.T) {
	r := &recorder{}
	b := NewBatch(r.fetch, BatchOptions{Size: 3, Window: 30 * time.Millisecond})
	keys := []string{"a", "b", "c", "d", "a"}
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Go(func() {
			if _, found, err := b.Get(t.Context(), k); err != nil || !found {
				t.Errorf("%s: found %v, %v", k, found, err)
			}
		})
	}
	wg.Wait()
	if len(r.calls) != 2 || len(r.calls[0])+len(r.calls[1]) != 4 {
		t.Fatalf("fetches %v, want 2 covering a, b, c, d once", r.calls)
	}
	if _, _, err := b.Get(t.Context(), "d"); err != nil || len(r.calls) != 2 {
		t.Fatalf("a cached key was fetched again: %v", r.calls)
	}
}

func TestBatchReadyHoldsTheBatchOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &recorder{}
		ready := make(chan struct{})
		b := NewBatch(r.fetch, BatchOptions{Size: 15, Window: time.Millisecond,
			Ready: func(context.Context) error { <-ready; return nil }})
		var wg sync.WaitGroup
		wg.Go(func() { _, _, _ = b.Get(t.Context(), "a") })
		// The bubble's clock jumps as soon as every goroutine waits: this sleep takes no real time
		// and ends well past the window, with only Ready holding the batch open.
		time.Sleep(time.Minute)
		wg.Go(func() { _, _, _ = b.Get(t.Context(), "b") })
		synctest.Wait()
		close(ready)
		wg.Wait()
		if len(r.calls) != 1 {
			t.Fatalf("fetches %v, want one holding a and b", r.calls)
		}
	})
}

// Signing in starts with the batch, not after its window: the window must not delay the answer.
// In the bubble, time moves only while every goroutine waits, so the times are exact.
func TestBatchReadyStartsWithTheBatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &recorder{}
		readyCalled := make(chan time.Time, 1)
		b := NewBatch(r.fetch, BatchOptions{Size: 15, Window: time.Second,
			Ready: func(context.Context) error { readyCalled <- time.Now(); return nil }})
		start := time.Now()
		if _, _, err := b.Get(t.Context(), "a"); err != nil {
			t.Fatal(err)
		}
		if waited := (<-readyCalled).Sub(start); waited != 0 {
			t.Fatalf("Ready was called %v after the first key, want it at once", waited)
		}
		if took := time.Since(start); took != time.Second {
			t.Fatalf("the batch closed after %v, want its window of 1s", took)
		}
	})
}

func TestBatchInvalidateAndMissingKeys(t *testing.T) {
	r := &recorder{}
	b := NewBatch(r.fetch, BatchOptions{Size: 15, Window: time.Millisecond})
	first, _, _ := b.Get(t.Context(), "a")
	b.Invalidate("a")
	second, _, _ := b.Get(t.Context(), "a")
	if first == second {
		t.Fatalf("read after Invalidate got the old answer %d", first)
	}
	fresh, _, _ := b.Fresh(t.Context(), "a")
	if fresh == second {
		t.Fatalf("Fresh answered from the cache (%d)", fresh)
	}
	for range 2 {
		if _, found, err := b.Get(t.Context(), "missing"); found || err != nil {
			t.Fatalf("missing key: found %v, %v", found, err)
		}
	}
	if len(r.calls) != 5 {
		t.Fatalf("fetches %v: a key the fetch did not answer must not be cached as found", r.calls)
	}
}

// A write that may change what any key names drops every answer, and a fetch that overlapped it
// is handed to its readers but not kept.
func TestBatchInvalidateAllDropsEveryKey(t *testing.T) {
	r := &recorder{}
	b := NewBatch(r.fetch, BatchOptions{Size: 15, Window: time.Millisecond})
	a1, _, _ := b.Get(t.Context(), "a")
	c1, _, _ := b.Get(t.Context(), "c")
	b.InvalidateAll()
	a2, _, _ := b.Get(t.Context(), "a")
	c2, _, _ := b.Get(t.Context(), "c")
	if a1 == a2 || c1 == c2 {
		t.Fatalf("reads after InvalidateAll got old answers: a %d then %d, c %d then %d", a1, a2, c1, c2)
	}
	if len(r.calls) != 4 {
		t.Fatalf("fetches %v, want 4", r.calls)
	}
}

func TestBatchReaderGivingUpDoesNotStopOthers(t *testing.T) {
	synctest.Test(t, testBatchReaderGivingUpDoesNotStopOthers)
}

func testBatchReaderGivingUpDoesNotStopOthers(t *testing.T) {
	r := &recorder{}
	b := NewBatch(r.fetch, BatchOptions{Size: 15, Window: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { _, _, err := b.Get(ctx, "a"); done <- err }()
	synctest.Wait() // a has opened the batch
	other := make(chan bool)
	go func() { _, found, _ := b.Get(t.Context(), "b"); other <- found }()
	synctest.Wait() // b has joined it, within the window: the clock has not moved
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled reader got %v", err)
	}
	if !<-other {
		t.Fatal("the other reader lost its answer when the first gave up")
	}
}

func TestLoadsOverlappingAWriteAreNotKept(t *testing.T) {
	t.Run("Value", func(t *testing.T) {
		synctest.Test(t, testValueLoadOverlappingAWriteIsNotKept)
	})
	t.Run("Batch", func(t *testing.T) {
		release := make(chan struct{})
		fetched := make(chan struct{}, 2)
		seq := 0
		b := NewBatch(func(_ context.Context, keys []string) (map[string]int, error) {
			seq++
			n := seq
			fetched <- struct{}{}
			if n == 1 {
				<-release
			}
			return map[string]int{keys[0]: n}, nil
		}, BatchOptions{Size: 1})
		done := make(chan struct{})
		go func() { _, _, _ = b.Get(t.Context(), "a"); close(done) }()
		<-fetched
		b.Invalidate("a")
		close(release)
		<-done
		if x, _, _ := b.Get(t.Context(), "a"); x != 2 {
			t.Fatalf("read after the write got fetch %d, want a new fetch 2", x)
		}
	})
}

func testValueLoadOverlappingAWriteIsNotKept(t *testing.T) {
	g := newGate()
	v := NewValue(g.load, nil)
	done := make(chan struct{})
	go func() { _, _ = v.Get(t.Context()); close(done) }()
	synctest.Wait() // the load runs
	v.Invalidate()
	close(g.release)
	<-done
	if x, _ := v.Get(t.Context()); x != 2 {
		t.Fatalf("read after the write got load %d, want a new load 2", x)
	}
}

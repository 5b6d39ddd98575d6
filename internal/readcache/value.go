// Package readcache keeps what one provider run has read, so that many resources of one kind cost
// one service call. Its rule: a read that starts after a write never sees an answer that was
// loaded before the write. Writes either update the cached answer (Value.Update) or drop it
// (Value.Invalidate, Batch.Invalidate) before they return; a load that was running during a write
// is handed to the readers that joined it earlier but is not kept.
//
// Loads run in their own goroutine with a context that keeps the starter's values but not its
// cancellation; a load stops early only when every reader waiting for it has given up.
package readcache

import (
	"context"
	"sync"
)

// Value is one cached answer, such as a whole list, loaded at most once at a time.
type Value[T any] struct {
	load  func(context.Context) (T, error)
	onHit Hit

	mu     sync.Mutex
	gen    uint64 // counts writes; a load keeps its answer only if none happened while it ran
	have   bool
	val    T
	flight *call[T] // the load running now
	next   *call[T] // readers waiting for the load after flight
}

// Hit is told about a read answered without a load of its own: from the cache (joined false) or
// by joining a load already running (joined true). key is "" for a Value.
type Hit func(ctx context.Context, key string, joined bool)

func (h Hit) report(ctx context.Context, key string, joined bool) {
	if h != nil {
		h(ctx, key, joined)
	}
}

// NewValue returns an empty cache for the answer load gives; onHit, when not nil, is told of
// every read it answers without a load of its own.
func NewValue[T any](load func(context.Context) (T, error), onHit Hit) *Value[T] {
	return &Value[T]{load: load, onHit: onHit}
}

// call is one load and the readers waiting for it.
type call[T any] struct {
	gen     uint64
	done    chan struct{}
	val     T
	err     error
	ctx     context.Context
	cancel  context.CancelFunc
	waiters int
	// abandoned is set when every reader gave up on a running load; nobody joins it after that.
	abandoned bool
}

func newCall[T any](ctx context.Context) *call[T] {
	c := &call[T]{done: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.WithoutCancel(ctx))
	return c
}

// Get returns the cached answer, or waits for a load that started after the latest write. The
// answer is shared: callers must not modify it.
func (v *Value[T]) Get(ctx context.Context) (T, error) {
	cached, c, joined := v.join(ctx, false)
	if c == nil {
		v.onHit.report(ctx, "", false)
		return cached, nil
	}
	val, err := v.wait(ctx, c)
	if err == nil && joined {
		v.onHit.report(ctx, "", true)
	}
	return val, err
}

// Fresh waits for a load that starts after this call, whatever is cached, and keeps its answer.
// Reads that poll for a change just written use it. Concurrent callers share one load.
func (v *Value[T]) Fresh(ctx context.Context) (T, error) {
	_, c, _ := v.join(ctx, true)
	return v.wait(ctx, c)
}

// join says how a read is answered: from the cache (c is nil), by joining the load running since
// the latest write (joined), or by a load that starts after this call, which fresh asks for. The
// caller is counted among c's waiters, so it must wait for c.
func (v *Value[T]) join(ctx context.Context, fresh bool) (cached T, c *call[T], joined bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case fresh:
		c = v.queue(ctx)
	case v.have:
		return v.val, nil, false
	case v.flight != nil && v.flight.gen == v.gen && !v.flight.abandoned:
		c, joined = v.flight, true
	default:
		c = v.queue(ctx)
	}
	c.waiters++
	return cached, c, joined
}

// Update applies a write to the cached answer, if there is one. change gets the cached answer and
// returns the new one; it must not modify its argument, which readers may hold.
func (v *Value[T]) Update(change func(T) T) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.gen++
	if v.have {
		v.val = change(v.val)
	}
}

// Invalidate drops the cached answer, so the next Get loads it again.
func (v *Value[T]) Invalidate() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.gen++
	v.have = false
	var zero T
	v.val = zero
}

// queue returns a load that has not started yet, starting it at once when none is running.
// v.mu is held.
func (v *Value[T]) queue(ctx context.Context) *call[T] {
	if v.flight == nil {
		v.flight = newCall[T](ctx)
		v.start(v.flight)
		return v.flight
	}
	if v.next == nil {
		v.next = newCall[T](ctx)
	}
	return v.next
}

// start runs c; v.mu is held.
func (v *Value[T]) start(c *call[T]) {
	c.gen = v.gen
	go func() {
		val, err := v.load(c.ctx)
		v.finish(c, val, err)
	}()
}

// finish hands c's answer to its readers, keeps it unless a write happened while c ran, and starts
// the load queued behind c.
func (v *Value[T]) finish(c *call[T], val T, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c.val, c.err = val, err
	if err == nil && c.gen == v.gen {
		v.have, v.val = true, val
	}
	c.cancel()
	close(c.done)
	v.flight = nil
	if n := v.next; n != nil {
		v.next = nil
		v.flight = n
		v.start(n)
	}
}

// wait waits for the answer of c, which the caller has joined, or leaves c when ctx ends first.
func (v *Value[T]) wait(ctx context.Context, c *call[T]) (T, error) {
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		v.leave(c)
		var zero T
		return zero, ctx.Err()
	}
}

// leave takes a reader who gave up off c. When it was the last one, a queued load is dropped and
// a running one stopped.
func (v *Value[T]) leave(c *call[T]) {
	v.mu.Lock()
	defer v.mu.Unlock()
	c.waiters--
	if c.waiters > 0 {
		return
	}
	if c == v.next {
		v.next = nil
	} else {
		c.abandoned = true
		c.cancel()
	}
}

package readcache

import (
	"context"
	"sync"
	"time"
)

// Batch caches answers by key and fetches the keys that concurrent readers ask for in one call:
// a batch stays open for Window after its first key and until Ready, started with the batch,
// returns, so that reads arriving while the client signs in still join it. A batch closes early
// when it holds Size keys.
type Batch[V any] struct {
	fetch  func(ctx context.Context, keys []string) (map[string]V, error)
	size   int
	window time.Duration
	ready  func(context.Context) error
	onHit  Hit

	mu       sync.Mutex
	gen      map[string]uint64 // counts writes per key
	epoch    uint64            // counts InvalidateAll calls
	cache    map[string]V
	inflight map[string]*batch[V]
	open     *batch[V]
}

// BatchOptions shape a Batch.
type BatchOptions struct {
	Size   int           // most keys per fetch; at least 1
	Window time.Duration // how long a batch waits for more keys
	// Ready, when set, holds a batch open until it returns (for example until a token is at hand).
	Ready func(context.Context) error
	// OnHit, when set, is told of every read answered without a fetch of its own.
	OnHit Hit
}

// NewBatch returns an empty cache. fetch answers for the keys it is given; a key missing from its
// answer is reported as not found and not cached.
func NewBatch[V any](fetch func(ctx context.Context, keys []string) (map[string]V, error), opts BatchOptions) *Batch[V] {
	return &Batch[V]{
		fetch: fetch, size: max(opts.Size, 1), window: opts.Window, ready: opts.Ready, onHit: opts.OnHit,
		gen: map[string]uint64{}, cache: map[string]V{}, inflight: map[string]*batch[V]{},
	}
}

// batch is one fetch and the readers waiting for it.
type batch[V any] struct {
	keys    []string
	gens    map[string]uint64 // each key's write count when the fetch started
	epoch   uint64            // the cache's epoch when the fetch started
	started bool
	done    chan struct{}
	vals    map[string]V
	err     error
	ctx     context.Context
	cancel  context.CancelFunc
	waiters int
}

// Get returns the answer for key, from the cache, from a fetch already running since the key's
// latest write, or from the next batch. found is false when the fetch did not answer for key.
func (b *Batch[V]) Get(ctx context.Context, key string) (val V, found bool, err error) {
	cached, f, joined := b.join(ctx, key, false)
	if f == nil {
		b.onHit.report(ctx, key, false)
		return cached, true, nil
	}
	val, found, err = b.wait(ctx, f, key)
	if err == nil && joined {
		b.onHit.report(ctx, key, true)
	}
	return val, found, err
}

// Fresh fetches key in a batch that has not started yet, whatever is cached, and keeps the answer.
func (b *Batch[V]) Fresh(ctx context.Context, key string) (val V, found bool, err error) {
	_, f, _ := b.join(ctx, key, true)
	return b.wait(ctx, f, key)
}

// join says how a read of key is answered: from the cache (f is nil), by joining a fetch running
// since the key's latest write (joined), or by the next batch, which fresh asks for. The caller is
// counted among f's waiters, so it must wait for f.
func (b *Batch[V]) join(ctx context.Context, key string, fresh bool) (cached V, f *batch[V], joined bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !fresh {
		if v, ok := b.cache[key]; ok {
			return v, nil, false
		}
		if running := b.inflight[key]; running != nil && b.current(running, key) && running.ctx.Err() == nil {
			f, joined = running, true
		}
	}
	if f == nil {
		f = b.enqueue(ctx, key)
	}
	f.waiters++
	return cached, f, joined
}

// Invalidate drops what is known about key, so the next Get fetches it again.
func (b *Batch[V]) Invalidate(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen[key]++
	delete(b.cache, key)
}

// Store records what a write returned for key, in place of anything read before it.
func (b *Batch[V]) Store(key string, v V) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gen[key]++
	b.cache[key] = v
}

// InvalidateAll drops every answer, for a write that may change what any key names (a renamed
// address, say), so the next Get of any key fetches it again.
func (b *Batch[V]) InvalidateAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.epoch++
	b.cache = map[string]V{}
}

// current reports whether no write to key happened since f started; b.mu is held.
func (b *Batch[V]) current(f *batch[V], key string) bool {
	return f.gens[key] == b.gen[key] && f.epoch == b.epoch
}

// enqueue adds key to the open batch, opening one if needed; b.mu is held.
func (b *Batch[V]) enqueue(ctx context.Context, key string) *batch[V] {
	f := b.open
	if f == nil {
		f = &batch[V]{done: make(chan struct{}), gens: map[string]uint64{}}
		f.ctx, f.cancel = context.WithCancel(context.WithoutCancel(ctx))
		b.open = f
		go b.collect(f)
	}
	for _, k := range f.keys {
		if k == key {
			return f
		}
	}
	f.keys = append(f.keys, key)
	if len(f.keys) >= b.size {
		b.start(f)
	}
	return f
}

// collect holds f open for the window and until ready, then starts it. Ready runs from the start,
// alongside the window: waiting out the window first would put it on the way to the answer.
func (b *Batch[V]) collect(f *batch[V]) {
	ready := make(chan struct{})
	go func() {
		defer close(ready)
		if b.ready != nil {
			_ = b.ready(f.ctx) // a failure shows again, with detail, in the fetch
		}
	}()
	timer := time.NewTimer(b.window)
	select {
	case <-timer.C:
	case <-f.ctx.Done():
		timer.Stop()
	}
	select {
	case <-ready:
	case <-f.ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case f.started:
	case f.ctx.Err() != nil: // every reader gave up
		f.started, f.err = true, f.ctx.Err()
		close(f.done)
	default:
		b.start(f)
	}
}

// start closes f to new keys and runs its fetch; b.mu is held.
func (b *Batch[V]) start(f *batch[V]) {
	f.started = true
	f.epoch = b.epoch
	if b.open == f {
		b.open = nil
	}
	for _, k := range f.keys {
		f.gens[k] = b.gen[k]
		b.inflight[k] = f
	}
	go func() {
		vals, err := b.fetch(f.ctx, f.keys)
		b.finish(f, vals, err)
	}()
}

// finish hands f's answers to its readers and keeps those of keys not written while f ran.
func (b *Batch[V]) finish(f *batch[V], vals map[string]V, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f.vals, f.err = vals, err
	for _, k := range f.keys {
		if b.inflight[k] == f {
			delete(b.inflight, k)
		}
		if v, ok := vals[k]; ok && err == nil && b.current(f, k) {
			b.cache[k] = v
		}
	}
	f.cancel()
	close(f.done)
}

// wait waits for key's answer from f, which the caller has joined, or leaves f when ctx ends first.
func (b *Batch[V]) wait(ctx context.Context, f *batch[V], key string) (V, bool, error) {
	var zero V
	select {
	case <-f.done:
		if f.err != nil {
			return zero, false, f.err
		}
		v, ok := f.vals[key]
		return v, ok, nil
	case <-ctx.Done():
		b.leave(f)
		return zero, false, ctx.Err()
	}
}

// leave takes a reader who gave up off f. When it was the last one, f closes to new keys and its
// fetch, or its wait for more keys, stops.
func (b *Batch[V]) leave(f *batch[V]) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f.waiters--
	if f.waiters > 0 {
		return
	}
	if b.open == f {
		b.open = nil
	}
	f.cancel()
}

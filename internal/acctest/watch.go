package acctest

import (
	"strings"
	"sync"
	"time"
)

// CmdletWatch reads the emulator's request log (set it as emulator.Options.Log) and tells a test
// when a cmdlet has been answered, so that a test acts on what the service saw instead of sleeping
// or polling.
type CmdletWatch struct {
	mu      sync.Mutex
	seen    map[string]int
	waiters []cmdletWaiter
}

type cmdletWaiter struct {
	cmdlet string
	count  int
	done   chan struct{}
}

// NewCmdletWatch returns a watch to set as the emulator's log.
func NewCmdletWatch() *CmdletWatch { return &CmdletWatch{seen: map[string]int{}} }

// Write takes one log line per request: method, path, cmdlet (or "-"), status, ...
func (w *CmdletWatch) Write(line []byte) (int, error) {
	fields := strings.Fields(string(line))
	if len(fields) > 2 {
		w.mu.Lock()
		w.seen[fields[2]]++
		kept := w.waiters[:0]
		for _, wt := range w.waiters {
			if w.seen[wt.cmdlet] >= wt.count {
				close(wt.done)
			} else {
				kept = append(kept, wt)
			}
		}
		w.waiters = kept
		w.mu.Unlock()
	}
	return len(line), nil
}

// Answered is closed once the service has answered cmdlet count times in all.
func (w *CmdletWatch) Answered(cmdlet string, count int) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	done := make(chan struct{})
	if w.seen[cmdlet] >= count {
		close(done)
		return done
	}
	w.waiters = append(w.waiters, cmdletWaiter{cmdlet: cmdlet, count: count, done: done})
	return done
}

// Count is how many times the service has answered cmdlet.
func (w *CmdletWatch) Count(cmdlet string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen[cmdlet]
}

// Wait blocks until the channel is closed, or fails the test after limit with what it was waiting for.
func Wait(t interface {
	Helper()
	Fatalf(string, ...any)
}, done <-chan struct{}, limit time.Duration, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("waited %s for %s", limit, what)
	}
}

// Package runenv declares what the code that runs the service clients hands them: the time they
// wait by and where their debug lines go. The clients (internal/exchange, internal/graph) and the
// tenant layer (internal/pamtenant) share these types, so a clock or a log function passes down
// the layers unconverted. It imports nothing of the project and nothing of Terraform.
package runenv

import (
	"context"
	"time"
)

// LogFunc receives debug lines: a message and its fields. The fields never hold a token, a secret
// or a parameter value other than the Identity a cmdlet targets.
type LogFunc func(ctx context.Context, message string, fields map[string]any)

// Clock is the source of time of every wait, so tests can run retries and waits without waiting.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or returns ctx.Err() as soon as ctx ends.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now is the wall-clock time.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d on a timer, or returns ctx.Err() as soon as ctx ends.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

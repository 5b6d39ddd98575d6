package pamtenant

import (
	"context"
	"fmt"
	"time"
)

// WaitFor polls check until it reports done, the context ends, or limit passes, on the run's
// clock. Reads right after a write use it because Exchange and Graph can take a while to show a
// change.
func (t *Tenant) WaitFor(ctx context.Context, limit time.Duration, check func(context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	delay := 500 * time.Millisecond
	for {
		done, err := check(ctx)
		if done || err != nil {
			return err
		}
		if err := t.clock.Sleep(ctx, delay); err != nil {
			return fmt.Errorf("the service did not show the change in time: %w", err)
		}
		delay = min(delay*2, 10*time.Second)
	}
}

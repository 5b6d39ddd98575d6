package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// maxSendRounds bounds how often runOnce sends a cmdlet whose earlier sends all ended
// ambiguously and left no trace.
const maxSendRounds = 3

// settleLimit bounds how long runOnce waits for an earlier send's effect to become readable.
// Exchange says new objects may take a few minutes to be ready everywhere.
const settleLimit = 3 * time.Minute

// runOnce runs a cmdlet that must not take effect twice. After an ambiguous failure it asks
// find whether the send took effect, returns what find saw if so, and sends again only when
// find sees nothing. A resend refused as a duplicate ("already exists", or a refused operation
// such as enabling what is on) means an earlier send did take effect but reads do not show it
// yet, so find is asked again until it does, within settleLimit.
func runOnce[T any](ctx context.Context, c *Client, cmdlet string, params map[string]any,
	decode func([]map[string]json.RawMessage) (T, error),
	find func(context.Context) (T, bool, error),
) (T, error) {
	var zero T
	resent := false
	var err error
	for range maxSendRounds {
		var values []map[string]json.RawMessage
		values, err = c.Invoke(ctx, cmdlet, params)
		switch {
		case err == nil:
			return decode(values)
		case resent && refusedAsDone(err):
			return awaitEffect(ctx, c, err, find)
		case !IsAmbiguous(err):
			return zero, err
		}
		got, found, findErr := find(ctx)
		if findErr != nil {
			return zero, fmt.Errorf("%w; checking whether it took effect failed: %w", err, findErr)
		}
		if found {
			c.log(ctx, "Exchange Online ambiguous send took effect", map[string]any{"cmdlet": cmdlet})
			return got, nil
		}
		c.log(ctx, "Exchange Online ambiguous send left no trace; sending again", map[string]any{"cmdlet": cmdlet})
		resent = true
	}
	return zero, err
}

// refusedAsDone reports a refusal that an earlier, ambiguous send of the same cmdlet explains.
func refusedAsDone(err error) bool {
	return apierr.Is(err, apierr.KindAlreadyExists) || apierr.Is(err, apierr.KindInvalidInput)
}

// awaitEffect polls find, backing off, until it sees the earlier send's effect, settleLimit
// passes or ctx ends; then refusal is returned with what went wrong.
func awaitEffect[T any](ctx context.Context, c *Client, refusal error, find func(context.Context) (T, bool, error)) (T, error) {
	var zero T
	deadline := c.clock.Now().Add(settleLimit)
	for attempt := 1; ; attempt++ {
		got, found, err := find(ctx)
		switch {
		case err != nil:
			return zero, fmt.Errorf("%w; checking whether an earlier send took effect failed: %w", refusal, err)
		case found:
			return got, nil
		}
		delay := c.backoff(attempt)
		if c.clock.Now().Add(delay).After(deadline) {
			return zero, fmt.Errorf("%w; an earlier send may have taken effect, but it did not show within %s", refusal, settleLimit)
		}
		if err := c.clock.Sleep(ctx, delay); err != nil {
			return zero, fmt.Errorf("%w (%w)", refusal, err)
		}
	}
}

// invokeOne runs a cmdlet that answers with one object, which identity names (for the error when
// there is none), and decodes it.
func invokeOne[T any](ctx context.Context, c *Client, cmdlet, identity string, params map[string]any, decode func(record) T) (*T, error) {
	values, err := c.Invoke(ctx, cmdlet, params)
	if err != nil {
		return nil, err
	}
	r, err := single(cmdlet, identity, values)
	if err != nil {
		return nil, err
	}
	v := decode(r)
	return &v, nil
}

// single returns the one object a cmdlet answered with; none means NotFound.
func single(cmdlet, identity string, values []map[string]json.RawMessage) (record, error) {
	if len(values) > 0 {
		return values[0], nil
	}
	message := "the service returned no object"
	if identity != "" {
		message += fmt.Sprintf(" for %q", identity)
	}
	return nil, &apierr.Error{Service: serviceName, Operation: cmdlet, Kind: apierr.KindNotFound, Message: message}
}

// noOutput is the decode step of a cmdlet whose output is not needed.
func noOutput([]map[string]json.RawMessage) (struct{}, error) { return struct{}{}, nil }

package exchange

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// maxSendRounds bounds how often runOnce sends a cmdlet whose earlier sends all ended
// ambiguously and left no trace.
const maxSendRounds = 3

// runOnce runs a cmdlet that must not take effect twice. After an ambiguous failure it asks
// find whether the send took effect, returns what find saw if so, and sends again only when
// find sees nothing. A resend answered "already exists" gets one more look, because a new
// object can take a moment to become readable.
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
		case IsAmbiguous(err), resent && apierr.Is(err, apierr.KindAlreadyExists):
		default:
			return zero, err
		}
		got, found, findErr := find(ctx)
		if findErr != nil {
			return zero, fmt.Errorf("%w; checking whether it took effect failed: %w", err, findErr)
		}
		if found {
			return got, nil
		}
		if !IsAmbiguous(err) {
			return zero, err
		}
		resent = true
	}
	return zero, err
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

package exchange

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// The Exchange Online module's own rules (observed, from its generated script): 5 tries, a 2 s
// base doubled per try. See docs/development/service-facts.md.
const (
	backoffBase = 2 * time.Second
	backoffCap  = 30 * time.Second
	// retryAfterCap keeps an odd Retry-After from parking a run without a deadline for hours.
	retryAfterCap = 5 * time.Minute
)

// retryClass says what a failed attempt allows.
type retryClass int

const (
	retryNone      retryClass = iota // the answer is final
	retrySafe                        // the service did not run the cmdlet (429, 503, busy tenant, dial failure)
	retryAmbiguous                   // the cmdlet may or may not have run
)

type failure struct {
	err        *apierr.Error
	retry      retryClass
	retryAfter time.Duration // from the Retry-After header
	hasAfter   bool
	// claims is the claims challenge of a 401 (WWW-Authenticate), for the new token.
	claims string
}

// ambiguousError marks a failure after which the service may or may not have run the cmdlet.
type ambiguousError struct{ err *apierr.Error }

func (a *ambiguousError) Error() string {
	return a.err.Error() + "; the outcome is unknown: the service may have run the command"
}

func (a *ambiguousError) Unwrap() error { return a.err }

// IsAmbiguous reports whether err means the outcome is unknown: the request was sent but no
// clear answer came back (connection cut, client timeout, 504, 408). Callers of a cmdlet that
// must not run twice should check the service's state before trying again.
func IsAmbiguous(err error) bool {
	var a *ambiguousError
	return errors.As(err, &a)
}

// sendWithRetries sends one page, retrying what the cmdlet's rule allows, within MaxAttempts
// and the context's deadline.
func (c *Client) sendWithRetries(ctx context.Context, cl *call, pageURL string, pageNumber int) (*page, error) {
	sawAmbiguous := false
	for attempt := 1; ; attempt++ {
		if err := c.authorize(ctx, cl); err != nil {
			return nil, err
		}
		pg, f := c.send(ctx, cl, pageURL, attempt, pageNumber)
		if f == nil {
			return pg, nil
		}
		if f.retry == retryAmbiguous {
			sawAmbiguous = true
		}
		if f.err.StatusCode == http.StatusUnauthorized && !cl.reauthorized && attempt < c.maxAttempts {
			// The module retries a 401 once with a token that answers the claims challenge: the
			// service ran nothing, so even a create may be sent again.
			c.logWait(ctx, cl, attempt, f, 0)
			cl.reauthorized, cl.token, cl.claims = true, azcore.AccessToken{}, f.claims
			continue
		}
		if cl.rule == resendRemoval && sawAmbiguous && f.err.Kind == apierr.KindNotFound {
			// An earlier try removed it; the answer to it was lost.
			return &page{}, nil
		}
		final := f.final()
		switch {
		case f.retry == retryNone:
			return nil, final
		case f.retry == retryAmbiguous && cl.rule == resendNever:
			return nil, final
		case ctx.Err() != nil:
			return nil, fmt.Errorf("%w (%w)", final, ctx.Err())
		case attempt >= c.maxAttempts:
			return nil, final
		}
		delay := c.backoff(attempt)
		if f.hasAfter {
			delay = min(f.retryAfter, retryAfterCap)
		}
		if deadline, ok := ctx.Deadline(); ok && c.clock.Now().Add(delay).After(deadline) {
			return nil, fmt.Errorf("%w; no retry: the next attempt would start after the deadline (%w)", final, context.DeadlineExceeded)
		}
		c.logWait(ctx, cl, attempt, f, delay)
		if err := c.clock.Sleep(ctx, delay); err != nil {
			return nil, fmt.Errorf("%w (%w)", final, err)
		}
	}
}

// final is the error to return when this failure is the last one.
func (f *failure) final() error {
	if f.retry == retryAmbiguous {
		return &ambiguousError{err: f.err}
	}
	return f.err
}

// backoff is the wait after the given failed attempt: base doubled per attempt, capped,
// with jitter so many clients do not retry in step.
func (c *Client) backoff(attempt int) time.Duration {
	d := backoffCap
	if attempt < 16 {
		d = min(backoffBase<<(attempt-1), backoffCap)
	}
	return c.jitter(d)
}

// equalJitter waits between half and all of d.
func equalJitter(d time.Duration) time.Duration {
	half := d / 2
	return half + rand.N(d-half+1)
}

// parseRetryAfter reads Retry-After as seconds, a decimal number as the Exchange Online module
// reads it (observed), or as an HTTP date.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(value, 64); err == nil && !math.IsNaN(secs) && !math.IsInf(secs, 0) {
		return max(time.Duration(min(secs, retryAfterCap.Seconds())*float64(time.Second)), 0), true
	}
	if at, err := http.ParseTime(value); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// transportFailure is a request that got no HTTP answer. Only a failure to connect proves the
// request never left; anything later (cut connection, timeout) is ambiguous.
func (c *Client) transportFailure(cl *call, err error) *failure {
	f := &failure{err: c.newError(cl, func(e *apierr.Error) { e.Err = err }), retry: retryAmbiguous}
	var op *net.OpError
	var dns *net.DNSError
	if errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") {
		f.retry = retrySafe
	}
	return f
}

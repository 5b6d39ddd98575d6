package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// Exchange's directory is replicated: a call naming an object created seconds earlier can be
// answered "not found" for a while (observed: still missing 6 s after its creation, found minutes
// later). A public client retries such calls for up to 5 minutes, polling every 5 seconds.
const (
	replicationWait = 5 * time.Minute
	replicationPoll = 5 * time.Second
)

// createdObjects remembers, by every name it can be called by (lower case), when this client
// created an object, until this client removes it.
type createdObjects struct {
	mu sync.Mutex
	at map[string]*createdObject
}

type createdObject struct {
	at    time.Time
	names []string
}

// note records the names of the object a creating cmdlet just made.
func (o *createdObjects) note(now time.Time, cmdlet string, params map[string]any, values []map[string]json.RawMessage) {
	names, creates := createdObjectNames[cmdlet]
	if !creates {
		return
	}
	var keys []string
	for _, p := range names.params {
		keys = append(keys, stringValues(params[p])...)
	}
	for _, v := range values {
		for _, p := range names.props {
			keys = append(keys, record(v).str(p))
		}
	}
	made := &createdObject{at: now}
	for _, k := range keys {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
			made.names = append(made.names, k)
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.at == nil {
		o.at = map[string]*createdObject{}
	}
	for _, k := range made.names {
		o.at[k] = made
	}
}

// forget drops an object this client removed, by any of its names: "not found" is then the truth,
// not replication.
func (o *createdObjects) forget(name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if made, ok := o.at[strings.ToLower(strings.TrimSpace(name))]; ok {
		for _, k := range made.names {
			delete(o.at, k)
		}
	}
}

// createdAt returns when this client created an object that the failure says is missing: the
// failure quotes one of its names, or the cmdlet targets it by Identity.
func (o *createdObjects) createdAt(e *apierr.Error, params map[string]any) (time.Time, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var newest time.Time
	found := false
	target, _ := params[paramIdentity].(string)
	for name, made := range o.at {
		if quotesAny(e.Message, []string{name}) || (e.Kind == apierr.KindNotFound && strings.EqualFold(target, name)) {
			if !found || made.at.After(newest) {
				newest, found = made.at, true
			}
		}
	}
	return newest, found
}

// awaitReplication runs the call, and while it fails because an object this client created is
// not found yet, runs it again, backing off, until replicationWait has passed since the create.
func (c *Client) awaitReplication(ctx context.Context, cl *call, run func(context.Context, *call) error) error {
	for attempt := 1; ; attempt++ {
		err := run(ctx, cl)
		var e *apierr.Error
		if err == nil || !errors.As(err, &e) || !objectMissing(e) {
			return err
		}
		created, ours := c.created.createdAt(e, cl.params)
		if !ours {
			return err
		}
		delay := min(c.backoff(attempt), replicationPoll)
		waited := c.clock.Now().Sub(created)
		if c.clock.Now().Add(delay).After(created.Add(replicationWait)) {
			return fmt.Errorf("%w; the object was created by this run %s ago and is still not found: Exchange "+
				"replicates new objects, which can take several minutes; run again in a few minutes",
				err, waited.Round(time.Second))
		}
		fields := cl.fields()
		fields["attempt"] = attempt
		fields["wait_ms"] = delay.Milliseconds()
		fields["reason"] = "object created by this run not found yet (Exchange replication)"
		fields["request_id"] = e.RequestID
		c.log(ctx, "Exchange Online retry", fields)
		if err := c.clock.Sleep(ctx, delay); err != nil {
			return fmt.Errorf("%w; the object was created by this run %s ago and Exchange may still be "+
				"replicating it, but there was no time left to wait (%w)", e, waited.Round(time.Second), err)
		}
	}
}

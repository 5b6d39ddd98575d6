package provider

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/zerostanding/terraform-provider-o365pam/internal/apierr"
)

// releaseGrace is how long a refused group removal waits for the run to say that it moves the
// group's users (privileged access, policies) to another group.
const releaseGrace = 5 * time.Second

// releaseBook remembers the approver groups that this run moves privileged access or a policy away
// from. Terraform orders the removal of a group before its former users' updates in no set way: when
// an apply points them at another group and removes the old one, the removal is refused until the
// updates are done, so it waits for them.
type releaseBook struct {
	mu     sync.Mutex
	groups map[string]bool // by lower-case address
}

// noteRelease records that the plan moves a user of the group at address away from it: from before
// to after, which is null when the user is removed and unknown when its new group is not known yet.
func (c *tenantClient) noteRelease(before, after types.String) {
	if before.IsNull() || before.IsUnknown() || (!after.IsNull() && !after.IsUnknown() &&
		strings.EqualFold(before.ValueString(), after.ValueString())) {
		return
	}
	book := &c.releases
	book.mu.Lock()
	defer book.mu.Unlock()
	book.groups[strings.ToLower(before.ValueString())] = true
}

func (c *tenantClient) released(address string) bool {
	book := &c.releases
	book.mu.Lock()
	defer book.mu.Unlock()
	return book.groups[strings.ToLower(address)]
}

// removeReleasedGroup runs remove and, when the service refuses because the group is still in use
// while this run moves its users away, tries again until the moves are done or settleTimeout passes.
func (c *tenantClient) removeReleasedGroup(ctx context.Context, address string, remove func(context.Context) error) error {
	err := remove(ctx)
	if !apierr.Is(err, apierr.KindInvalidInput) {
		return err
	}
	moving := waitFor(ctx, releaseGrace, func(context.Context) (bool, error) { return c.released(address), nil }) == nil
	if !moving {
		return err
	}
	refused := err
	waitErr := waitFor(ctx, settleTimeout, func(ctx context.Context) (bool, error) {
		err := remove(ctx)
		if apierr.Is(err, apierr.KindInvalidInput) {
			refused = err
			return false, nil
		}
		return true, err
	})
	if errors.Is(waitErr, context.DeadlineExceeded) {
		return errors.Join(refused, waitErr)
	}
	return waitErr
}

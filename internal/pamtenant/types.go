package pamtenant

import (
	"context"

	"github.com/zerostanding/terraform-provider-o365pam/internal/exchange"
	"github.com/zerostanding/terraform-provider-o365pam/internal/graph"
)

// The objects reads return and writes take are the clients' own wire structs, named here so that
// the provider needs no import of the clients. The service's vocabulary (recipient types, approval
// types, request statuses) comes from internal/exchange/cmdlets.go, where its evidence is noted.
type (
	// DistributionGroup is a group as Exchange shows it.
	DistributionGroup = exchange.DistributionGroup
	// NewGroup is a mail-enabled security group to create.
	NewGroup = exchange.NewGroup
	// SetGroup is a change to a group; only the fields that are set are sent.
	SetGroup = exchange.SetGroup
	// ApprovalPolicy is one elevated access approval policy.
	ApprovalPolicy = exchange.ApprovalPolicy
	// NewPolicy is an approval policy to create.
	NewPolicy = exchange.NewPolicy
	// PrivilegedAccessStatus is the organization's privileged access setting.
	PrivilegedAccessStatus = exchange.PrivilegedAccessStatus
	// AccessRequest is one elevated access request.
	AccessRequest = exchange.AccessRequest
	// AccessAuthorization is access granted by an approved request.
	AccessAuthorization = exchange.AccessAuthorization
	// Warnings collects the warnings Exchange gave with the cmdlets of a context.
	Warnings = exchange.Warnings
	// User is a Microsoft Entra user, or another kind of group member.
	User = graph.User
	// Sku is a licence: a subscribed product or one assigned to a user.
	Sku = graph.Sku
)

// The service's words, as internal/exchange defines them.
const (
	RecipientTypeSecurityGroup       = exchange.RecipientTypeSecurityGroup
	RecipientTypeDistributionList    = exchange.RecipientTypeDistributionList
	RecipientTypeDynamicDistribution = exchange.RecipientTypeDynamicDistribution
	RecipientTypeGroupMailbox        = exchange.RecipientTypeGroupMailbox
	RecipientTypeNonUniversalGroup   = exchange.RecipientTypeNonUniversalGroup
	RecipientTypeRoomList            = exchange.RecipientTypeRoomList
	ApprovalManual                   = exchange.ApprovalManual
	ApprovalAuto                     = exchange.ApprovalAuto
	RequestPending                   = exchange.RequestPending
	RequestApproved                  = exchange.RequestApproved
	RequestDenied                    = exchange.RequestDenied
	RequestExpired                   = exchange.RequestExpired
)

// CollectWarnings returns a context under which the warnings Exchange gives are kept, to show them
// to the user when the operation ends.
func CollectWarnings(ctx context.Context) (context.Context, *Warnings) {
	return exchange.CollectWarnings(ctx)
}

// IsAmbiguous reports a failed write whose outcome is unknown: it may have taken effect.
func IsAmbiguous(err error) bool { return exchange.IsAmbiguous(err) }

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
	DistributionGroup      = exchange.DistributionGroup
	NewGroup               = exchange.NewGroup
	SetGroup               = exchange.SetGroup
	ApprovalPolicy         = exchange.ApprovalPolicy
	NewPolicy              = exchange.NewPolicy
	PrivilegedAccessStatus = exchange.PrivilegedAccessStatus
	AccessRequest          = exchange.AccessRequest
	AccessAuthorization    = exchange.AccessAuthorization
	Warnings               = exchange.Warnings
	User                   = graph.User
	Sku                    = graph.Sku
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

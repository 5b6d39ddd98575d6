package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zerostanding/terraform-provider-o365pam/internal/emulator"
)

// The scale runs: the bench configuration's no-change plan in tenants with this many other groups,
// and the apply of one new group with largeGroupMembers members.
var extraGroupCounts = []int{0, 10000, 50000}

const (
	largeGroupMembers = 1000
	scaleRounds       = 3
	// membersPerLookup is how many people one Graph call of the plan-time checks looks up.
	membersPerLookup = 15
)

// scaleRow is the no-change plan in a tenant with ExtraGroups other groups. Call counts and the
// peak resident memory of the provider's processes are the most any run saw; the time is the median.
type scaleRow struct {
	ExtraGroups   int     `json:"extra_groups"`
	Runs          int     `json:"runs"`
	ExchangeCalls int     `json:"exchange_calls"`
	GraphCalls    int     `json:"graph_calls"`
	TokenRequests int     `json:"token_requests"`
	MedianMS      float64 `json:"median_ms"`
	PeakRSSBytes  int64   `json:"peak_plugin_rss_bytes"`
}

// largeApply is the plan and then the apply of one new group of Members members.
type largeApply struct {
	Members           int     `json:"members"`
	PlanGraphCalls    int     `json:"plan_graph_calls"`
	ApplyExchangeCall int     `json:"apply_exchange_calls"`
	ApplyGraphCalls   int     `json:"apply_graph_calls"`
	ApplyMS           float64 `json:"apply_ms"`
	PeakRSSBytes      int64   `json:"peak_plugin_rss_bytes"`
}

// measureScale runs the scale rows and the large apply, each against an emulator of its own.
func measureScale(ctx context.Context, o options, provider string) ([]scaleRow, *largeApply, error) {
	var rows []scaleRow
	for _, extra := range extraGroupCounts {
		row, err := measureExtraGroups(ctx, o, provider, extra)
		if err != nil {
			return nil, nil, fmt.Errorf("%d extra groups: %w", extra, err)
		}
		rows = append(rows, *row)
	}
	large, err := measureLargeApply(ctx, o, provider)
	if err != nil {
		return nil, nil, fmt.Errorf("apply of a group of %d: %w", largeGroupMembers, err)
	}
	return rows, large, nil
}

func measureExtraGroups(ctx context.Context, o options, provider string, extra int) (*scaleRow, error) {
	srv, err := emulator.Start(emulator.Options{Seed: benchTenant(), Latency: o.latency, ExtraGroups: extra})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	o.work = filepath.Join(o.work, fmt.Sprintf("scale-%d", extra))
	b, err := newBench(o, srv, provider)
	if err != nil {
		return nil, err
	}
	b.watchRSS = true
	if _, err := b.terraform(ctx, b.pamDir, applyArgs...); err != nil {
		return nil, err
	}
	row := &scaleRow{ExtraGroups: extra, Runs: scaleRounds}
	var walls []time.Duration
	for range scaleRounds {
		s, err := b.terraform(ctx, b.pamDir, planArgs...)
		if err != nil {
			return nil, err
		}
		walls = append(walls, s.wall)
		row.ExchangeCalls = max(row.ExchangeCalls, s.stats.ExchangeRequests)
		row.GraphCalls = max(row.GraphCalls, s.stats.GraphRequests)
		row.TokenRequests = max(row.TokenRequests, s.stats.TokenRequests)
		row.PeakRSSBytes = max(row.PeakRSSBytes, s.peakRSS)
	}
	row.MedianMS = ms(median(walls))
	return row, nil
}

func measureLargeApply(ctx context.Context, o options, provider string) (*largeApply, error) {
	srv, err := emulator.Start(emulator.Options{Seed: largeGroupTenant(), Latency: o.latency})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	o.work = filepath.Join(o.work, "large-group")
	b, err := newBench(o, srv, provider)
	if err != nil {
		return nil, err
	}
	b.watchRSS = true
	if err := os.WriteFile(filepath.Join(b.pamDir, "main.tf"), []byte(largeGroupConfig()), 0o600); err != nil {
		return nil, err
	}
	plan, err := b.terraform(ctx, b.pamDir, "plan", "-no-color", "-lock=false")
	if err != nil {
		return nil, err
	}
	apply, err := b.terraform(ctx, b.pamDir, applyArgs...)
	if err != nil {
		return nil, err
	}
	return &largeApply{
		Members: largeGroupMembers, PlanGraphCalls: plan.stats.GraphRequests,
		ApplyExchangeCall: apply.stats.ExchangeRequests, ApplyGraphCalls: apply.stats.GraphRequests,
		ApplyMS: ms(apply.wall), PeakRSSBytes: max(plan.peakRSS, apply.peakRSS),
	}, nil
}

// largeGroupTenant is the built-in tenant with largeGroupMembers licensed users more.
func largeGroupTenant() *emulator.Tenant {
	t := emulator.BuiltinTenant()
	for i := range largeGroupMembers {
		alias := fmt.Sprintf("member%04d", i)
		upn := alias + "@" + emulator.BuiltinDomain
		t.Users = append(t.Users, &emulator.User{
			ID:                fmt.Sprintf("c0000000-0000-4000-8000-%012d", i),
			ExchangeGUID:      fmt.Sprintf("e1000000-0000-4000-8000-%012d", i),
			UserPrincipalName: upn, DisplayName: fmt.Sprintf("Member %04d", i), Alias: alias,
			ProxyAddresses: []string{"SMTP:" + upn}, AccountEnabled: true, SkuIDs: []string{t.Skus[0].SkuID},
		})
	}
	return t
}

// largeGroupConfig manages one approver group with every one of those users as a member.
func largeGroupConfig() string {
	members := make([]string, largeGroupMembers)
	for i := range members {
		members[i] = strconv.Quote(fmt.Sprintf("member%04d@%s", i, emulator.BuiltinDomain))
	}
	return fmt.Sprintf(requireO365pam+`
provider "o365pam" {
  use_cli = false
}

resource "o365pam_approver_group" "large" {
  name                 = "Large approver group"
  primary_smtp_address = "large-approvers@%s"
  members              = [%s]
}
`, emulator.BuiltinDomain, strings.Join(members, ", "))
}

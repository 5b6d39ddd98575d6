package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
)

// Goals the figures are held to.
const (
	goalPlanExchangeCalls   = 2
	goalPlanGraphCalls      = 2
	goalPlanRoundTrips      = 4.0
	goalApplyExchangePerObj = 1.5
	goalColdStart           = 100 * time.Millisecond
	goalBinaryBytes         = 50 << 20
	goalScaleDrift          = 0.10 // wall time and memory in a large tenant, against the empty one
	goalLargeApply          = 60 * time.Second
	tokenAudiences          = 2 // Microsoft Graph and Exchange Online
	nanosPerMilli           = float64(time.Millisecond)
)

type report struct {
	CLI                string        `json:"cli"`
	Latency            time.Duration `json:"-"`
	LatencyMS          float64       `json:"latency_ms"`
	Rounds             int           `json:"rounds"`
	Objects            int           `json:"objects"`
	Steps              []step        `json:"steps"`
	BinaryBytes        int64         `json:"provider_binary_bytes"`
	ColdStartHandshake time.Duration `json:"-"`
	ColdStartSchema    time.Duration `json:"-"`
	HandshakeMS        float64       `json:"cold_start_handshake_ms"`
	SchemaMS           float64       `json:"cold_start_first_schema_ms"`
	// RefreshRTT is what refreshing adds to a no-change plan, in round trips: the plan's time over
	// the floor less that of a plan without refresh.
	RefreshRTT float64 `json:"refresh_round_trips"`
	// Scale is the no-change plan in tenants with more and more other groups; LargeApply the plan
	// and apply of one new group of a thousand members.
	Scale      []scaleRow  `json:"scale"`
	LargeApply *largeApply `json:"large_group_apply"`
	Goals      []goal      `json:"goals"`
}

// step is one CLI command, measured on the three configurations. Call counts are the most any run
// of the step made.
type step struct {
	Name          string  `json:"name"`
	Runs          int     `json:"runs"`
	MedianMS      float64 `json:"median_ms"`
	FloorMedianMS float64 `json:"floor_median_ms"`
	OverFloorRTT  float64 `json:"over_floor_round_trips"`
	// NullOverFloorRTT is the same figure for the provider that calls no service.
	NullOverFloorRTT float64 `json:"null_provider_over_floor_round_trips"`
	ExchangeCalls    int     `json:"exchange_calls"`
	GraphCalls       int     `json:"graph_calls"`
	TokenRequests    int     `json:"token_requests"`
}

type goal struct {
	What string `json:"what"`
	Met  bool   `json:"met"`
}

func ms(d time.Duration) float64 { return float64(d.Round(time.Microsecond)) / nanosPerMilli }

func median(ds []time.Duration) time.Duration {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func (r *report) add(name string, pam, floor, null []sample) {
	walls := func(samples []sample) []time.Duration {
		out := make([]time.Duration, len(samples))
		for i, s := range samples {
			out[i] = s.wall
		}
		return out
	}
	s := step{Name: name, Runs: len(pam), MedianMS: ms(median(walls(pam))), FloorMedianMS: ms(median(walls(floor)))}
	s.OverFloorRTT = (s.MedianMS - s.FloorMedianMS) / ms(r.Latency)
	s.NullOverFloorRTT = (ms(median(walls(null))) - s.FloorMedianMS) / ms(r.Latency)
	for _, p := range pam {
		s.ExchangeCalls = max(s.ExchangeCalls, p.stats.ExchangeRequests)
		s.GraphCalls = max(s.GraphCalls, p.stats.GraphRequests)
		s.TokenRequests = max(s.TokenRequests, p.stats.TokenRequests)
	}
	r.Steps = append(r.Steps, s)
}

func (r *report) judge() {
	apply, plan, noRefresh := r.Steps[0], r.Steps[1], r.Steps[2]
	perObject := float64(apply.ExchangeCalls) / float64(r.Objects)
	r.RefreshRTT = plan.OverFloorRTT - noRefresh.OverFloorRTT
	r.Goals = []goal{
		{fmt.Sprintf("no-change plan: at most %d Exchange calls (made %d)", goalPlanExchangeCalls, plan.ExchangeCalls),
			plan.ExchangeCalls <= goalPlanExchangeCalls},
		{fmt.Sprintf("no-change plan: at most %d Graph calls (made %d)", goalPlanGraphCalls, plan.GraphCalls),
			plan.GraphCalls <= goalPlanGraphCalls},
		{fmt.Sprintf("no-change plan: one token request per service (made %d for %d)", plan.TokenRequests, tokenAudiences),
			plan.TokenRequests == tokenAudiences},
		{fmt.Sprintf("no-change plan: at most %.0f round trips over the floor (%.1f: refreshing %.1f, where a token and then "+
			"the reads take 2; the rest is what the CLI costs any plugin provider, %.1f for one that calls no service)",
			goalPlanRoundTrips, plan.OverFloorRTT, r.RefreshRTT, plan.NullOverFloorRTT),
			plan.OverFloorRTT <= goalPlanRoundTrips},
		{fmt.Sprintf("apply: at most %.1f Exchange calls per object created (%.2f)", goalApplyExchangePerObj, perObject),
			perObject <= goalApplyExchangePerObj},
		{fmt.Sprintf("cold start to the first schema answer at most %v (%.0f ms)", goalColdStart, ms(r.ColdStartSchema)),
			r.ColdStartSchema <= goalColdStart},
		{fmt.Sprintf("stripped binary at most %d MB (%.1f MB)", goalBinaryBytes>>20, float64(r.BinaryBytes)/(1<<20)),
			r.BinaryBytes <= goalBinaryBytes},
	}
	r.Goals = append(r.Goals, r.scaleGoals()...)
}

// scaleGoals hold the no-change plan in large tenants to the empty tenant's figures, and the large
// group's plan and apply to their limits.
func (r *report) scaleGoals() []goal {
	var goals []goal
	if len(r.Scale) > 0 {
		empty := r.Scale[0]
		for _, row := range r.Scale[1:] {
			goals = append(goals,
				goal{fmt.Sprintf("no-change plan with %d extra groups: the same calls as with none (%d/%d/%d Exchange/Graph/token, against %d/%d/%d)",
					row.ExtraGroups, row.ExchangeCalls, row.GraphCalls, row.TokenRequests, empty.ExchangeCalls, empty.GraphCalls, empty.TokenRequests),
					row.ExchangeCalls == empty.ExchangeCalls && row.GraphCalls == empty.GraphCalls && row.TokenRequests == empty.TokenRequests},
				goal{fmt.Sprintf("no-change plan with %d extra groups: wall time within %.0f %% of none (%+.1f %%)",
					row.ExtraGroups, goalScaleDrift*100, 100*(row.MedianMS/empty.MedianMS-1)),
					row.MedianMS <= empty.MedianMS*(1+goalScaleDrift)},
				goal{fmt.Sprintf("no-change plan with %d extra groups: peak plugin memory within %.0f %% of none (%+.1f %%)",
					row.ExtraGroups, goalScaleDrift*100, 100*(float64(row.PeakRSSBytes)/float64(empty.PeakRSSBytes)-1)),
					float64(row.PeakRSSBytes) <= float64(empty.PeakRSSBytes)*(1+goalScaleDrift)})
		}
	}
	if a := r.LargeApply; a != nil {
		limit := (a.Members+membersPerLookup-1)/membersPerLookup + 2
		goals = append(goals,
			goal{fmt.Sprintf("plan of a new group of %d: at most %d Graph calls for its checks (made %d)", a.Members, limit, a.PlanGraphCalls),
				a.PlanGraphCalls <= limit},
			goal{fmt.Sprintf("apply of a new group of %d: under %v (%.1f s)", a.Members, goalLargeApply, a.ApplyMS/1000),
				a.ApplyMS <= ms(goalLargeApply)})
	}
	return goals
}

func (r *report) print(w io.Writer) {
	r.judge()
	fmt.Fprintf(w, "%s, %d objects, %v added to every emulator answer, %d no-change plans per configuration\n\n",
		r.CLI, r.Objects, r.Latency, r.Rounds)
	fmt.Fprintf(w, "%-17s %10s %10s %12s %14s %9s %7s %7s\n",
		"step", "median", "floor", "over floor", "null provider", "Exchange", "Graph", "tokens")
	for _, s := range r.Steps {
		fmt.Fprintf(w, "%-17s %8.0fms %8.0fms %8.1f RTT %10.1f RTT %9d %7d %7d\n", s.Name, s.MedianMS, s.FloorMedianMS,
			s.OverFloorRTT, s.NullOverFloorRTT, s.ExchangeCalls, s.GraphCalls, s.TokenRequests)
	}
	if len(r.Scale) > 0 {
		fmt.Fprintf(w, "\nno-change plan by tenant size (median of %d plans; calls and memory the most any plan used)\n", r.Scale[0].Runs)
		fmt.Fprintf(w, "%12s %9s %7s %7s %10s %16s\n", "extra groups", "Exchange", "Graph", "tokens", "wall", "peak plugin RSS")
		for _, row := range r.Scale {
			fmt.Fprintf(w, "%12d %9d %7d %7d %8.0fms %12.1f MiB\n", row.ExtraGroups, row.ExchangeCalls, row.GraphCalls,
				row.TokenRequests, row.MedianMS, float64(row.PeakRSSBytes)/(1<<20))
		}
	}
	if a := r.LargeApply; a != nil {
		fmt.Fprintf(w, "\nnew group of %d members: plan %d Graph calls; apply %d Exchange and %d Graph calls in %.1f s, peak plugin RSS %.1f MiB\n",
			a.Members, a.PlanGraphCalls, a.ApplyExchangeCall, a.ApplyGraphCalls, a.ApplyMS/1000, float64(a.PeakRSSBytes)/(1<<20))
	}
	fmt.Fprintf(w, "\nprovider binary %.1f MB; cold start (median of 5): handshake line %.0f ms, first GetProviderSchema answer %.0f ms\n\n",
		float64(r.BinaryBytes)/(1<<20), ms(r.ColdStartHandshake), ms(r.ColdStartSchema))
	for _, g := range r.Goals {
		mark := "met    "
		if !g.Met {
			mark = "MISSED "
		}
		fmt.Fprintln(w, mark+g.What)
	}
}

func (r *report) write(path string) error {
	r.LatencyMS = ms(r.Latency)
	r.HandshakeMS, r.SchemaMS = ms(r.ColdStartHandshake), ms(r.ColdStartSchema)
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

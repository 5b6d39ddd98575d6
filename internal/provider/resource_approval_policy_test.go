package provider

import (
	"strings"
	"testing"
)

func TestCheckTask(t *testing.T) {
	cases := []struct {
		task, want string // want: "" for valid, else a fragment of the explanation
	}{
		{`Exchange\New-MoveRequest`, ""},
		{`exchange\set-mailbox`, ""},
		{`Exchange\Add-MailboxPermission`, ""},
		{`New-MoveRequest`, `Use the full task name "Exchange\\New-MoveRequest"`},
		{`Exchange/New-MoveRequest`, `Use the full task name "Exchange\\New-MoveRequest"`},
		{`Exchange\\New-MoveRequest`, `Use the full task name "Exchange\\New-MoveRequest"`},
		{`Exchange\Frobnicate-Mailbox`, `approved PowerShell verb ("Frobnicate")`},
		{`Exchange\NewMoveRequest`, "is not a task name"},
		{`Exchange\`, "is not a task name"},
		{``, "is not a task name"},
		{`move mailboxes`, "is not a task name"},
	}
	for _, tc := range cases {
		got := checkTask(tc.task)
		if tc.want == "" && got != "" {
			t.Errorf("checkTask(%q) = %q, want valid", tc.task, got)
		}
		if tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("checkTask(%q) = %q, want it to contain %q", tc.task, got, tc.want)
		}
	}
}
